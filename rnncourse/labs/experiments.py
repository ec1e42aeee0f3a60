"""章をまたいで使う小さな実験 (第 4 章と第 6 章の長期記憶タスクなど)。

    >>> acc = memory_task_accuracy("rnn", T=5, seed=0, hidden_size=8, steps=30)
    >>> 0.0 <= acc <= 1.0
    True
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from rnncourse.data.tasks import memory_task
from rnncourse.models.torch_models import SequenceClassifier, accuracy, train_classifier

__all__ = ["SOLVED", "memory_task_accuracy", "solved_count"]

_EVALUATION_SEEDS = {"test": 10_000, "validation": 20_000}  # 評価のデータの乱数の種 = seed + これ (訓練データと重ならない)
SOLVED = 0.9  # 長期記憶タスクで、テストの正解率がこれ以上の回を「解けた」と数える (チャンスレベルは 0.5)


def solved_count(accuracies) -> int:
    """正解率の並びのうち、``SOLVED`` (0.9) 以上の個数。

    >>> solved_count([0.99, 0.51, 0.93])
    2

    解けなかった回の正解率 (0.5 前後) は、モデルの出力がクラスのあいだでほとんど差がないので、計算の丸め方の
    わずかな違い (CPU の種類など) でも変わります。何回解けたかは変わらないので、表にはこちらを使います。
    """
    return int(sum(float(a) >= SOLVED for a in accuracies))


def memory_task_accuracy(
    cell: str,
    T: int,
    seed: int = 0,
    hidden_size: int = 16,
    steps: int = 200,
    n_train: int = 256,
    n_test: int = 512,
    lr: float = 0.01,
    noise: float = 0.5,
    clip: float | None = 1.0,
    batch_size: int | None = None,
    make_model: Callable[[], nn.Module] | None = None,
    stop_loss: float | None = None,
    evaluate_on: str = "test",
) -> float:
    """長期記憶タスク (最初の ±1 を T 時刻後に答える) を ``cell`` の分類器で学習し、新しいデータでの正解率を返す。

    ``seed`` が重みの初期値・訓練データ・評価に使うデータをすべて決めます。``evaluate_on`` が "test" なら
    テストデータ (乱数の種 seed + 10000)、"validation" なら検証データ (seed + 20000) の正解率を返します。
    設定 (学習率など) は検証データで選び、選んだ設定の結果はテストデータで測ります。
    0.5 前後ならチャンスレベル (覚えられなかった)、1.0 なら完全に覚えた、という意味です。

    ``make_model`` を与えると、``SequenceClassifier(1, hidden_size, 2, cell=cell)`` の代わりにそれが作るモデルを
    学習します (乱数の種を固定した後に呼ぶので、同じ作り方なら同じ結果)。``stop_loss`` は
    ``train_classifier`` と同じ早めの打ち切りです。
    """
    if evaluate_on not in _EVALUATION_SEEDS:
        raise ValueError(f"evaluate_on は 'test' か 'validation' にしてください ({evaluate_on!r} が渡されました)。")
    torch.manual_seed(seed)
    x, y = memory_task(n_train, T, noise=noise, seed=seed)
    x_test, y_test = memory_task(n_test, T, noise=noise, seed=seed + _EVALUATION_SEEDS[evaluate_on])
    model = make_model() if make_model is not None else SequenceClassifier(1, hidden_size, 2, cell=cell)
    train_classifier(
        model, x, y, steps=steps, lr=lr, clip=clip, batch_size=batch_size, seed=seed, stop_loss=stop_loss
    )
    return accuracy(model, x_test, y_test)
