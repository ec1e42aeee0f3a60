"""時系列の予測: 窓 (過去 window 個の値) → 再帰層 → 最後の隠れ状態 → 次の値。予測をつなげて先まで予測する。

    >>> import numpy as np, torch
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = SequenceRegressor("gru", hidden_size=4)
    >>> windows = np.zeros((3, 20, 1))
    >>> predict_next(model, windows).shape
    (3,)
    >>> rollout(model, windows, horizon=5).shape
    (3, 5)

- ``SequenceRegressor``: 多対一の回帰。x (N, T, 1) → 次の値の予測 (N, 1)。
- ``train_regressor``: 平均二乗誤差 (MSE) を Adam で小さくし、決まったステップごとに検証データの MSE を測り、
  いちばん小さかったときの重みに戻す。
- ``predict_next`` / ``forecast_mse``: 次の値の予測とその MSE。
- ``rollout``: 予測した値を窓の末尾に足し、いちばん古い値を捨てて、また予測する (自己回帰の多段予測。
  計算そのものは NumPy だけの ``rnncourse.data.timeseries.autoregressive_forecast``)。
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Union

import numpy as np
import torch
from torch import nn

from rnncourse.data.timeseries import autoregressive_forecast
from rnncourse.models.torch_models import make_recurrent
from rnncourse.shapes import Dims, check_int

__all__ = [
    "SequenceRegressor",
    "RegressionTrainingResult",
    "train_regressor",
    "predict_next",
    "forecast_mse",
    "rollout",
]


class SequenceRegressor(nn.Module):
    """再帰層 → 最後の隠れ状態 h_T → 全結合層 で、窓の次の値を予測する。

    形: x (N, T, input_size) → (N, 1)。``cell`` は "rnn" / "lstm" / "gru"。
    窓はいつも同じ長さで詰め物がないので、``h[:, -1]`` がそのまま最後の隠れ状態です。
    """

    def __init__(self, cell: str = "gru", hidden_size: int = 16, input_size: int = 1) -> None:
        super().__init__()
        hidden_size = check_int("hidden_size", hidden_size, 1)
        input_size = check_int("input_size", input_size, 1)
        self.cell = cell
        self.rnn = make_recurrent(cell, input_size, hidden_size)
        self.fc = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.rnn(x)  # (N, T, H)
        return self.fc(h[:, -1])  # ŷ = h_T W_hyᵀ + b_y  (N, 1)


def _windows(name: str, X: Any, y: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
    dims = Dims()
    X = dims.check(name, X, ("N", "T", 1))
    if y is not None:
        y = dims.check(f"{name} の目標 y", y, ("N", 1))
    return X, y


class RegressionTrainingResult(NamedTuple):
    """``train_regressor`` の結果。"""

    steps: list[int]  # 検証データの MSE を測ったステップ
    val_mse: list[float]  # そのときの検証データの MSE
    best_step: int  # 検証データの MSE がいちばん小さかったステップ (同じなら早いほう)


def _mse(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        return float(((model(X) - y) ** 2).mean())


def train_regressor(
    model: SequenceRegressor,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    steps: int,
    lr: float = 0.01,
    batch_size: int = 64,
    seed: int = 0,
    eval_every: int = 25,
    progress=None,
) -> RegressionTrainingResult:
    """MSE を Adam で ``steps`` 回小さくし、検証データの MSE がいちばん小さかったときの重みに戻す。

    ``train`` と ``validation`` は ``sliding_windows`` の (X (N, T, 1), y (N, 1))。ミニバッチ (``batch_size`` 個) は
    ``seed`` の乱数で選びます (初期値は呼ぶ前に ``torch.manual_seed`` で決めておきます)。
    ``eval_every`` ステップごとに検証データの MSE を測り、最小になったとき (同じなら早いほう) の重みを最後に
    読み込み直します (何ステップ学習するかを検証データで選ぶ、早期終了)。テストデータは使いません。
    """
    steps = check_int("steps", steps, 1)
    eval_every = check_int("eval_every", eval_every, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    X_np, y_np = _windows("train", *train)
    Xv_np, yv_np = _windows("validation", *validation)
    X, y, Xv, yv = (torch.from_numpy(a) for a in (X_np, y_np, Xv_np, yv_np))
    dtype = next(model.parameters()).dtype
    X, y, Xv, yv = X.to(dtype), y.to(dtype), Xv.to(dtype), yv.to(dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    checked: list[int] = []
    val_mse: list[float] = []
    best_state, best = None, float("inf")
    for step in range(1, steps + 1):
        model.train()
        index = torch.randint(0, len(X), (batch_size,), generator=generator)
        optimizer.zero_grad()
        loss = ((model(X[index]) - y[index]) ** 2).mean()  # MSE = mean (ŷ − y)²
        loss.backward()
        optimizer.step()
        if step % eval_every == 0 or step == steps:
            checked.append(step)
            val_mse.append(_mse(model, Xv, yv))
            if val_mse[-1] < best:
                best = val_mse[-1]
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            if progress is not None:
                progress.update(step, 検証MSE=val_mse[-1])
    model.load_state_dict(best_state)
    return RegressionTrainingResult(checked, val_mse, checked[val_mse.index(best)])


@torch.no_grad()
def predict_next(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """各窓の次の値の予測。形: X (N, T, 1) → (N,) float64。"""
    X, _ = _windows("X", X)
    model.eval()
    dtype = next(model.parameters()).dtype
    return model(torch.from_numpy(X).to(dtype))[:, 0].double().numpy()


def forecast_mse(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """次の値の予測の平均二乗誤差 mean (ŷ − y)²。形: X (N, T, 1), y (N, 1) → float。"""
    X, y = _windows("X", X, y)
    return float(np.mean((predict_next(model, X) - y[:, 0]) ** 2))


Predictor = Union[nn.Module, Callable[[np.ndarray], np.ndarray]]


def rollout(model: Predictor, windows: np.ndarray, horizon: int) -> np.ndarray:
    """自己回帰の多段予測: 予測した値を窓の末尾に足し、いちばん古い値を捨てて、次を予測する。これを horizon 回。

    >>> last = lambda X: X[:, -1, 0]          # 「直前の値が続く」予測器
    >>> rollout(last, np.arange(6.0).reshape(2, 3, 1), horizon=2)
    array([[2., 2.],
           [5., 5.]])

    ``model`` は ``SequenceRegressor`` (``predict_next`` で予測する) か、窓 (N, T, 1) を受け取って次の値 (N,) を返す関数。
    計算は ``rnncourse.data.timeseries.autoregressive_forecast`` です: k 段目の予測は、本物の値 T − k 個と、
    それまでの予測 k 個を並べた窓から作ります (k ≥ T なら予測だけの窓)。学習のときと同じ長さ T の窓を、h_0 = 0 から毎回読み直します。

    形: windows (N, T, 1), horizon → (N, horizon) float64。
    """
    if isinstance(model, nn.Module):
        return autoregressive_forecast(lambda X: predict_next(model, X), windows, horizon)
    if not callable(model):
        raise TypeError(f"引数 model には SequenceRegressor か、窓を受け取る関数を渡してください ({type(model).__name__} が渡されました)。")
    return autoregressive_forecast(model, windows, horizon)
