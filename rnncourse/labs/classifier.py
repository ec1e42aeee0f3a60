"""多対一の RNN 分類器を参照実装の部品だけで組み立てた NumPy 版と、それと完全に同じ PyTorch 版 (双子)。

モデル (行ベクトル、バッチ先頭。重みの形は PyTorch と同じ)::

    h_t = tanh(x_t W_xhᵀ + h_{t-1} W_hhᵀ + b_h)     (t = 1 … T、h_0 = 0)      rnn_forward
    s   = h_T W_hyᵀ + b_y                          (最後の隠れ状態だけを使う)  affine_forward
    L   = −(1/N) Σ_n log softmax(s_n)_{y_n}                                   softmax_cross_entropy

パラメータは辞書 ``{"W_xh", "W_hh", "b_h", "W_hy", "b_y"}`` で持ち、``rnncourse.nn.optim`` の
SGD / Adam でその場で更新します::

    >>> import numpy as np
    >>> from rnncourse.nn.optim import Adam
    >>> from rnncourse.data.tasks import sequence_classification_task
    >>> x, y = sequence_classification_task(32, T=6, seed=0)
    >>> params = init_classifier_params(input_size=1, hidden_size=4, num_classes=2, seed=0)
    >>> loss, grads = classifier_loss_and_grads(params, x, y)
    >>> sorted(grads) == sorted(params)
    True
    >>> losses = train_numpy_classifier(params, x, y, Adam(params, lr=0.05), steps=20)
    >>> len(losses), losses[-1] < losses[0]
    (20, True)

``TorchTwinClassifier(params)`` は同じ初期値・float64 の ``torch.nn.RNN`` + ``torch.nn.Linear`` です。
``nn.RNN`` にはバイアスが 2 つ (bias_ih と bias_hh) あり、両方を学習すると和 b_h が 2 倍の速さで動いて
NumPy 版とずれるので、bias_hh を 0 に固定して bias_ih だけを b_h として学習します。
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from rnncourse.nn.affine import AffineCache, affine_backward, affine_forward
from rnncourse.models.interop import load_weights_into_torch
from rnncourse.nn.losses import softmax_cross_entropy
from rnncourse.nn.rnn import RNNCache, rnn_backward, rnn_forward
from rnncourse.shapes import Dims, check_int, check_param_dict

__all__ = [
    "PARAM_NAMES",
    "init_classifier_params",
    "classifier_forward",
    "classifier_loss_and_grads",
    "classifier_predict",
    "classifier_accuracy",
    "train_numpy_classifier",
    "TorchTwinClassifier",
]

#: パラメータの辞書のキー (この順に並べる)。
PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


class ClassifierCache(NamedTuple):
    rnn: RNNCache
    affine: AffineCache


def _check_params(params: Any) -> tuple[dict[str, np.ndarray], Dims]:
    """params がそろった辞書で、各配列の形が (H, D), (H, H), (H,), (C, H), (C,) であることを確かめる。"""
    spec = {"W_xh": ("H", "D"), "W_hh": ("H", "H"), "b_h": ("H",), "W_hy": ("C", "H"), "b_y": ("C",)}
    return params, check_param_dict(params, spec)


def init_classifier_params(
    input_size: int, hidden_size: int, num_classes: int, seed: int = 0, dtype: Any = np.float64
) -> dict[str, np.ndarray]:
    """PyTorch の既定と同じ一様分布 U(−1/√H, 1/√H) でパラメータを作る。

    >>> params = init_classifier_params(input_size=3, hidden_size=4, num_classes=2)
    >>> {k: v.shape for k, v in params.items()}
    {'W_xh': (4, 3), 'W_hh': (4, 4), 'b_h': (4,), 'W_hy': (2, 4), 'b_y': (2,)}

    形: W_xh (H, D), W_hh (H, H), b_h (H,), W_hy (C, H), b_y (C,)。D = input_size, H = hidden_size,
    C = num_classes。``nn.RNN`` の重みも ``nn.Linear(H, C)`` の重みも入力の数が H なので、範囲はどれも ±1/√H です。
    """
    D = check_int("input_size", input_size, 1)
    H = check_int("hidden_size", hidden_size, 1)
    C = check_int("num_classes", num_classes, 2)
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(H)  # k = 1/√H
    shapes = {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,), "W_hy": (C, H), "b_y": (C,)}
    return {name: rng.uniform(-bound, bound, size=shape).astype(dtype) for name, shape in shapes.items()}


def classifier_forward(params: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, ClassifierCache]:
    """順伝播: 系列を読み、最後の隠れ状態 h_T からクラスのスコア (ロジット) を出す。

    >>> params = init_classifier_params(1, 4, 3)
    >>> scores, cache = classifier_forward(params, np.zeros((5, 7, 1)))
    >>> scores.shape
    (5, 3)

    形: x (N, T, D) → scores (N, C)。初期状態は h_0 = 0。
    """
    params, dims = _check_params(params)
    x = dims.check("x", x, ("N", "T", "D"))
    h0 = np.zeros((dims["N"], dims["H"]), dtype=np.result_type(x, params["W_hh"]))
    h, rnn_cache = rnn_forward(x, h0, params["W_xh"], params["W_hh"], params["b_h"])  # h (N, T, H)
    scores, affine_cache = affine_forward(h[:, -1], params["W_hy"], params["b_y"])  # s = h_T W_hyᵀ + b_y
    return scores, ClassifierCache(rnn_cache, affine_cache)


def classifier_loss_and_grads(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """交差エントロピー損失と、全パラメータの勾配 (完全な BPTT) を返す。

    >>> params = init_classifier_params(1, 4, 2)
    >>> loss, grads = classifier_loss_and_grads(params, np.ones((3, 5, 1)), np.array([0, 1, 1]))
    >>> grads["W_hh"].shape
    (4, 4)

    形: x (N, T, D), y (N,) (0 … C−1 の整数) → (loss (float), {名前: params と同じ形の勾配})。
    出力層は h_T だけを見るので、上流から届く ∂L/∂h_t は t = T だけが 0 でなく、それより前の時刻へは
    rnn_backward の再帰 (∂L/∂h_{t-1} = ∂L/∂a_t W_hh) だけで勾配が伝わります。
    """
    scores, cache = classifier_forward(params, x)
    loss, dscores = softmax_cross_entropy(scores, y)  # L と ∂L/∂s
    dh_T, dW_hy, db_y = affine_backward(dscores, cache.affine)  # ∂L/∂h_T = ∂L/∂s W_hy
    dh = np.zeros_like(cache.rnn.h)  # (N, T, H): 出力層から各時刻の h_t に届く勾配
    dh[:, -1] = dh_T  # 出力は最後の時刻だけ
    _, _, dW_xh, dW_hh, db_h = rnn_backward(dh, cache.rnn)  # 時間をさかのぼる (BPTT)
    grads = {"W_xh": dW_xh, "W_hh": dW_hh, "b_h": db_h, "W_hy": dW_hy, "b_y": db_y}
    return loss, grads


def classifier_predict(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """予測したクラス番号 (スコア最大のクラス)。形: x (N, T, D) → (N,) int64。

    >>> classifier_predict(init_classifier_params(1, 4, 3), np.zeros((2, 5, 1))).shape
    (2,)
    """
    scores, _ = classifier_forward(params, x)
    return scores.argmax(axis=1).astype(np.int64)


def classifier_accuracy(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """正解率 (0〜1)。形: x (N, T, D), y (N,)。

    >>> classifier_accuracy(init_classifier_params(1, 4, 2), np.zeros((2, 3, 1)), np.array([0, 0])) in (0.0, 1.0)
    True
    """
    prediction = classifier_predict(params, x)
    y = Dims(N=prediction.shape[0]).check("y", y, ("N",))
    return float(np.mean(prediction == y))


def train_numpy_classifier(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, optimizer: Any, steps: int, progress: Any = None
) -> list[float]:
    """全バッチで ``steps`` 回、損失と勾配を計算して ``optimizer.step(grads)`` で更新し、各ステップの損失を返す。

    >>> from rnncourse.nn.optim import SGD
    >>> params = init_classifier_params(1, 4, 2)
    >>> x, y = np.ones((4, 3, 1)), np.array([0, 1, 0, 1])
    >>> len(train_numpy_classifier(params, x, y, SGD(params, lr=0.1), steps=3))
    3

    ``optimizer`` は同じ ``params`` で作った ``rnncourse.nn.optim.SGD`` / ``Adam``。``params`` はその場で更新されます。
    記録する損失は、そのステップの更新の前のパラメータでの値です (PyTorch で ``loss.item()`` を記録するのと同じ)。
    ``progress`` に ``rnncourse.viz.progress.TrainingProgress`` を渡すと進み具合を表示します。
    """
    steps = check_int("steps", steps, 1)
    if getattr(optimizer, "params", None) is not params:
        raise ValueError("引数 optimizer は、同じ params の辞書から作ったもの (例: Adam(params, lr=0.01)) を渡してください。")
    losses: list[float] = []
    for step in range(1, steps + 1):
        loss, grads = classifier_loss_and_grads(params, x, y)  # 順伝播 + BPTT
        optimizer.step(grads)  # θ ← θ − (更新量)
        losses.append(loss)
        if progress is not None:
            progress.update(step, loss=loss)
    return losses


class TorchTwinClassifier(nn.Module):
    """NumPy 版と同じ初期値・同じ式の PyTorch 版 (float64)。

    >>> model = TorchTwinClassifier(init_classifier_params(1, 4, 2))
    >>> [name for name, p in model.named_parameters() if p.requires_grad]
    ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'fc.weight', 'fc.bias']
    >>> model(torch.zeros(3, 5, 1, dtype=torch.float64)).shape
    torch.Size([3, 2])

    形: x (N, T, D) の float64 テンソル → ロジット (N, C)。
    ``nn.RNN`` の 2 つのバイアスは式の中で和 bias_ih + bias_hh としてしか現れず、勾配はどちらも同じ
    ∂L/∂b_h です。両方を学習すると和が 2 倍の速さで動くので、b_h を bias_ih に写し、
    bias_hh は 0 のまま ``requires_grad_(False)`` で固定します。
    """

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        super().__init__()
        params, dims = _check_params(params)
        D, H, C = dims["D"], dims["H"], dims["C"]
        self.rnn = nn.RNN(D, H, batch_first=True, dtype=torch.float64)
        self.fc = nn.Linear(H, C, dtype=torch.float64)
        load_weights_into_torch(self.rnn, params["W_xh"], params["W_hh"], params["b_h"])  # bias_hh_l0 は 0
        self.rnn.bias_hh_l0.requires_grad_(False)  # 2 つ目のバイアスは学習しない
        with torch.no_grad():
            self.fc.weight.copy_(torch.as_tensor(params["W_hy"], dtype=torch.float64))
            self.fc.bias.copy_(torch.as_tensor(params["b_y"], dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, h_n = self.rnn(x)  # h_n (1, N, H): 最後の隠れ状態 h_T
        return self.fc(h_n[-1])  # s = h_T W_hyᵀ + b_y

    def numpy_params(self) -> dict[str, np.ndarray]:
        """今のパラメータを NumPy 版と同じ名前の辞書で返す (b_h = bias_ih + bias_hh)。"""
        def arr(t: torch.Tensor) -> np.ndarray:
            return t.detach().cpu().numpy().copy()

        return {
            "W_xh": arr(self.rnn.weight_ih_l0),
            "W_hh": arr(self.rnn.weight_hh_l0),
            "b_h": arr(self.rnn.bias_ih_l0 + self.rnn.bias_hh_l0),
            "W_hy": arr(self.fc.weight),
            "b_y": arr(self.fc.bias),
        }
