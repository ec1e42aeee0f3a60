"""章をまたいで使う小さな PyTorch の系列モデルと、その学習・評価の関数。

    >>> import torch
    >>> from rnncourse.data.tasks import sequence_classification_task
    >>> x, y = sequence_classification_task(64, T=8, seed=0)
    >>> model = SequenceClassifier(input_size=1, hidden_size=8, num_classes=2, cell="rnn")
    >>> model(torch.from_numpy(x).to(model_dtype(model))).shape
    torch.Size([64, 2])

- ``SequenceClassifier``: 多対一。最後の隠れ状態 h_T から分類 (可変長なら各系列の本当の最後の時刻)。
- ``SequenceTagger``: 多対多 (同期型)。各時刻の h_t から分類。
- ``train_classifier``: 全バッチ (またはミニバッチ) で Adam により学習し、損失の履歴を返す。
- ``accuracy``: 正解率。

入力は、モデルの重みと同じ浮動小数点型 (``model_dtype``) に変換して渡します。講座では
``rnncourse.seeding.reproducible`` が PyTorch の既定を倍精度 (float64) にするので、重みも入力も float64 です。
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rnncourse.models.counting import GATES

__all__ = [
    "make_recurrent", "SequenceClassifier", "SequenceTagger", "model_dtype", "train_classifier", "accuracy",
    "parameter_count",
]

_MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def make_recurrent(cell: str, input_size: int, hidden_size: int, **kwargs) -> nn.Module:
    """``cell`` ("rnn" / "lstm" / "gru") の ``torch.nn`` モジュールを batch_first=True で作る。"""
    if cell not in _MODULES:
        raise ValueError(f"cell は {', '.join(repr(c) for c in GATES)} のどれかにしてください ({cell!r} が渡されました)。")
    return _MODULES[cell](input_size, hidden_size, batch_first=True, **kwargs)


def model_dtype(model: nn.Module) -> torch.dtype:
    """モデルの重みの浮動小数点型 (入力をこの型にそろえて渡す)。

    >>> model_dtype(nn.Linear(2, 3, dtype=torch.float64))
    torch.float64
    """
    for parameter in model.parameters():
        if parameter.is_floating_point():
            return parameter.dtype
    return torch.get_default_dtype()


def _as_tensor(name: str, value, dtype) -> torch.Tensor:
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value).to(dtype)
    if isinstance(value, torch.Tensor):
        return value.to(dtype)
    raise TypeError(f"引数 {name} には NumPy 配列か torch.Tensor を渡してください ({type(value).__name__} が渡されました)。")


class SequenceClassifier(nn.Module):
    """多対一の分類器: 再帰層 → 最後の隠れ状態 → 全結合層。

    形: x (N, T, D) → ロジット (N, num_classes)。``lengths`` (N,) を与えると
    ``pack_padded_sequence`` で詰め物の時刻を飛ばし、各系列の本当の最後の隠れ状態を使います。
    """

    def __init__(
        self, input_size: int, hidden_size: int, num_classes: int, cell: str = "rnn", num_layers: int = 1,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        self.cell = cell
        self.rnn = make_recurrent(cell, input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if lengths is not None:
            x = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM は (h_n, c_n)
        if self.rnn.bidirectional:
            last = torch.cat([h_n[-2], h_n[-1]], dim=1)  # 最上層の順方向と逆方向
        else:
            last = h_n[-1]
        return self.fc(last)


class SequenceTagger(nn.Module):
    """多対多 (同期型) の分類器: 各時刻の隠れ状態 h_t → 全結合層。形: x (N, T, D) → ロジット (N, T, num_classes)。"""

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, cell: str = "rnn", **kwargs) -> None:
        super().__init__()
        self.rnn = make_recurrent(cell, input_size, hidden_size, **kwargs)
        directions = 2 if kwargs.get("bidirectional") else 1
        self.fc = nn.Linear(hidden_size * directions, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.rnn(x)
        return self.fc(h)


def _loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    logits = model(x)
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def train_classifier(
    model: nn.Module,
    x: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor,
    steps: int,
    lr: float = 0.01,
    batch_size: int | None = None,
    clip: float | None = None,
    seed: int = 0,
    progress=None,
    stop_loss: float | None = None,
) -> list[float]:
    """``model`` (SequenceClassifier か SequenceTagger) を Adam で ``steps`` 回更新し、各ステップの損失を返す。

    ``batch_size`` を省くと全データで 1 ステップ、与えるとステップごとに無作為なミニバッチ (``seed`` で固定)。
    ``clip`` を与えると ``torch.nn.utils.clip_grad_norm_`` で勾配のノルムを切り詰めます。
    ``progress`` に ``rnncourse.viz.progress.TrainingProgress`` を渡すと進み具合を表示します。
    ``stop_loss`` を与えると、そのステップの損失がそれより小さくなった時点で学習を打ち切ります。
    形: x (N, T, D), y (N,) または (N, T) の整数ラベル。
    """
    x_t, y_t = _as_tensor("x", x, model_dtype(model)), _as_tensor("y", y, torch.long)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    model.train()
    for step in range(1, steps + 1):
        if batch_size is None:
            xb, yb = x_t, y_t
        else:
            index = torch.randint(0, len(x_t), (batch_size,), generator=generator)
            xb, yb = x_t[index], y_t[index]
        optimizer.zero_grad()
        loss = _loss(model, xb, yb)
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses.append(loss.item())
        if progress is not None:
            progress.update(step, loss=losses[-1])
        if stop_loss is not None and losses[-1] < stop_loss:
            break
    return losses


@torch.no_grad()
def accuracy(model: nn.Module, x: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor) -> float:
    """正解率 (0〜1)。多対多なら全時刻の平均。"""
    model.eval()
    logits = model(_as_tensor("x", x, model_dtype(model)))
    prediction = logits.argmax(dim=-1)
    return float((prediction == _as_tensor("y", y, torch.long)).float().mean())


def parameter_count(model: nn.Module) -> int:
    """学習するパラメータの総数 (``numel()`` の和)。"""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

