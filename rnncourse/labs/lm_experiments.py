"""第 7 章の実験: 文字レベル言語モデルを、学習率・乱数の種・訓練テキストの量を変えて何回も学習する。

    >>> import numpy as np
    >>> ids = np.arange(400) % 7
    >>> run = language_model_run("rnn", lr=0.01, seed=0, train_ids=ids, val_ids=ids[:50], vocab_size=7,
    ...                          embed_size=4, hidden_size=8, epochs=1, batch_size=4, seq_len=8)
    >>> run.cell, len(run.val_loss), sorted(run.weights)[:2]
    ('rnn', 1, ['embedding.weight', 'fc.bias'])

1 回の学習は ``language_model_run`` の引数 (乱数の種を含む) だけで決まるので、``rnncourse.labs.run_all`` で
複数のプロセスに分けて計算しても結果は同じです。学習したモデルは ``rebuild_language_model`` で作り直せます。
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

from rnncourse.data.text import stream_layout
from rnncourse.models.language_model import CharLanguageModel, train_language_model
from rnncourse.shapes import check_int

__all__ = ["LanguageModelRun", "language_model_run", "rebuild_language_model"]


class LanguageModelRun(NamedTuple):
    """1 回の学習の記録。"""

    cell: str
    lr: float
    seed: int
    train_chars: int  # 学習に使った訓練テキストの文字数
    train_loss: list[float]  # ステップごとの訓練の損失 (ミニバッチの平均)
    val_steps: list[int]  # 検証の損失を測ったステップ (エポックの終わり)
    val_loss: list[float]  # 検証の損失 (nats/文字)
    weights: dict[str, np.ndarray]  # 学習後の重み (state_dict を NumPy にしたもの)
    sizes: tuple[int, int]  # (embed_size, hidden_size)


def language_model_run(
    cell: str,
    lr: float,
    seed: int,
    train_ids: np.ndarray,
    val_ids: np.ndarray,
    vocab_size: int,
    embed_size: int = 32,
    hidden_size: int = 64,
    epochs: int = 4,
    batch_size: int = 32,
    seq_len: int = 32,
    clip: float = 1.0,
    steps: int | None = None,
) -> LanguageModelRun:
    """``torch.manual_seed(seed)`` の直後に ``CharLanguageModel`` を作り、``train_language_model`` で学習する。

    ``steps`` を与えると、エポックの数によらずちょうど ``steps`` 回更新します (訓練テキストが短いときは
    同じテキストを何周もします。訓練テキストの量だけを変えて比べるため)。
    """
    vocab_size = check_int("vocab_size", vocab_size, 1)
    torch.manual_seed(seed)
    model = CharLanguageModel(vocab_size, embed_size=embed_size, hidden_size=hidden_size, cell=cell)
    if steps is not None:
        steps = check_int("steps", steps, 1)
        chunks = stream_layout(len(train_ids), batch_size, seq_len).num_chunks  # 1 エポックのステップ数
        epochs = math.ceil(steps / chunks)
    history = train_language_model(model, train_ids, batch_size=batch_size, seq_len=seq_len, epochs=epochs, lr=lr,
                                   clip=clip, val_ids=val_ids, max_steps=steps)
    weights = {name: value.detach().numpy().copy() for name, value in model.state_dict().items()}
    return LanguageModelRun(cell, float(lr), int(seed), int(len(train_ids)), history.train_loss, history.val_steps,
                            history.val_loss, weights, (embed_size, hidden_size))


def rebuild_language_model(run: LanguageModelRun, vocab_size: int) -> CharLanguageModel:
    """``language_model_run`` の記録から、学習後のモデルを作り直す。

    >>> ids = np.arange(200) % 5
    >>> run = language_model_run("lstm", 0.01, 0, ids, ids[:20], 5, embed_size=3, hidden_size=4, epochs=1, batch_size=2, seq_len=8)
    >>> model = rebuild_language_model(run, 5)
    >>> model.cell, model.hidden_size
    ('lstm', 4)
    """
    embed_size, hidden_size = run.sizes
    model = CharLanguageModel(vocab_size, embed_size=embed_size, hidden_size=hidden_size, cell=run.cell)
    model.load_state_dict({name: torch.from_numpy(value) for name, value in run.weights.items()})
    return model
