"""素の RNN (Elman RNN) の NumPy 参照実装。順伝播と BPTT による逆伝播。

式 (行ベクトル、バッチ先頭。重みの形は ``torch.nn.RNN`` と同じ)::

    a_t = x_t W_xhᵀ + h_{t-1} W_hhᵀ + b_h
    h_t = tanh(a_t)

``torch.nn.RNN`` の ``weight_ih_l0`` が ``W_xh`` (H, D)、``weight_hh_l0`` が ``W_hh`` (H, H)、
``bias_ih_l0 + bias_hh_l0`` が ``b_h`` (H,) に当たります。

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> N, T, D, H = 2, 5, 3, 4
    >>> x, h0 = rng.normal(size=(N, T, D)), np.zeros((N, H))
    >>> W_xh, W_hh, b_h = rng.normal(size=(H, D)), rng.normal(size=(H, H)), np.zeros(H)
    >>> h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)
    >>> h.shape
    (2, 5, 4)
    >>> dx, dh0, dW_xh, dW_hh, db_h = rnn_backward(np.ones_like(h), cache)
    >>> dx.shape, dW_hh.shape
    ((2, 5, 3), (4, 4))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncourse.shapes import Dims
from rnncourse.nn.timewise import timewise_matmul

__all__ = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward"]


class RNNStepCache(NamedTuple):
    x_t: np.ndarray
    h_prev: np.ndarray
    W_xh: np.ndarray
    W_hh: np.ndarray
    h_t: np.ndarray


class RNNCache(NamedTuple):
    x: np.ndarray
    h0: np.ndarray
    W_xh: np.ndarray
    W_hh: np.ndarray
    h: np.ndarray


def rnn_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray
) -> tuple[np.ndarray, RNNStepCache]:
    """RNN の 1 時刻分の順伝播。

    >>> h_t, cache = rnn_step_forward(np.ones((2, 3)), np.zeros((2, 4)),
    ...                               np.zeros((4, 3)), np.zeros((4, 4)), np.zeros(4))
    >>> h_t.shape
    (2, 4)

    形: x_t (N, D), h_prev (N, H), W_xh (H, D), W_hh (H, H), b_h (H,) → h_t (N, H)。
    """
    dims = Dims()
    x_t = dims.check("x_t", x_t, ("N", "D"))
    h_prev = dims.check("h_prev", h_prev, ("N", "H"))
    W_xh = dims.check("W_xh", W_xh, ("H", "D"))
    W_hh = dims.check("W_hh", W_hh, ("H", "H"))
    b_h = dims.check("b_h", b_h, ("H",))

    a_t = x_t @ W_xh.T + h_prev @ W_hh.T + b_h  # a_t = x_t W_xhᵀ + h_{t-1} W_hhᵀ + b_h
    h_t = np.tanh(a_t)  # h_t = tanh(a_t)
    return h_t, RNNStepCache(x_t, h_prev, W_xh, W_hh, h_t)


def rnn_step_backward(
    dh_t: np.ndarray, cache: RNNStepCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """RNN の 1 時刻分の逆伝播。

    ``dh_t`` (N, H) は損失 L の h_t に関する勾配 ∂L/∂h_t。
    戻り値は (dx_t (N, D), dh_prev (N, H), dW_xh (H, D), dW_hh (H, H), db_h (H,))。

    >>> h_t, cache = rnn_step_forward(np.ones((2, 3)), np.zeros((2, 4)),
    ...                               np.zeros((4, 3)), np.zeros((4, 4)), np.zeros(4))
    >>> [g.shape for g in rnn_step_backward(np.ones((2, 4)), cache)]
    [(2, 3), (2, 4), (4, 3), (4, 4), (4,)]
    """
    x_t, h_prev, W_xh, W_hh, h_t = cache
    dh_t = Dims(N=h_t.shape[0], H=h_t.shape[1]).check("dh_t", dh_t, ("N", "H"))

    da_t = dh_t * (1 - h_t**2)  # ∂L/∂a_t = ∂L/∂h_t ⊙ tanh′(a_t),  tanh′(a_t) = 1 − h_t²
    dx_t = da_t @ W_xh  # ∂L/∂x_t = da_t W_xh
    dh_prev = da_t @ W_hh  # ∂L/∂h_{t-1} = da_t W_hh
    dW_xh = da_t.T @ x_t  # ∂L/∂W_xh = da_tᵀ x_t
    dW_hh = da_t.T @ h_prev  # ∂L/∂W_hh = da_tᵀ h_{t-1}
    db_h = da_t.sum(axis=0)  # ∂L/∂b_h = Σ_n da_t
    return dx_t, dh_prev, dW_xh, dW_hh, db_h


def rnn_forward(
    x: np.ndarray, h0: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray, b_h: np.ndarray
) -> tuple[np.ndarray, RNNCache]:
    """系列全体の順伝播。全時刻の隠れ状態を返す。

    形: x (N, T, D), h0 (N, H), W_xh (H, D), W_hh (H, H), b_h (H,) → h (N, T, H)。
    ``h[:, t]`` が h_t (t = 0 … T−1)、``h[:, -1]`` が最後の隠れ状態。
    """
    dims = Dims()
    x = dims.check("x", x, ("N", "T", "D"))
    dims.at_least("T", 1)
    h0 = dims.check("h0", h0, ("N", "H"))
    W_xh = dims.check("W_xh", W_xh, ("H", "D"))
    W_hh = dims.check("W_hh", W_hh, ("H", "H"))
    b_h = dims.check("b_h", b_h, ("H",))

    xW = timewise_matmul(x, W_xh.T) + b_h  # 全時刻の x_t W_xhᵀ + b_h を一度の行列積で
    h = np.empty(xW.shape, dtype=np.result_type(xW, h0, W_hh))  # 入力のうち最も精度の高い型
    h_prev = h0
    for t in range(dims["T"]):  # 再帰の部分だけが時刻のループ
        h_prev = h[:, t] = np.tanh(xW[:, t] + h_prev @ W_hh.T)  # h_t = tanh(a_t)
    return h, RNNCache(x, h0, W_xh, W_hh, h)


def rnn_backward(
    dh: np.ndarray, cache: RNNCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """系列全体の逆伝播 (打ち切らない BPTT)。

    ``dh`` (N, T, H) は各時刻の隠れ状態に上流から届く勾配 (出力層からの ∂L/∂h_t)。
    戻り値は (dx (N, T, D), dh0 (N, H), dW_xh (H, D), dW_hh (H, H), db_h (H,))。
    重みは全時刻で共有されるので、その勾配は全時刻の和になります。
    """
    x, h0, W_xh, W_hh, h = cache
    N, T, H = h.shape
    dh = Dims(N=N, T=T, H=H).check("dh", dh, ("N", "T", "H"))

    da = np.empty_like(h)
    dh_next = np.zeros_like(h0)  # ∂L/∂h_t のうち、未来の時刻 t+1 から届く分
    for t in reversed(range(T)):
        dh_t = dh[:, t] + dh_next  # 出力層からの分 + 未来からの分
        da[:, t] = dh_t * (1 - h[:, t] ** 2)  # ∂L/∂a_t = ∂L/∂h_t ⊙ (1 − h_t²)
        dh_next = da[:, t] @ W_hh  # ∂L/∂h_{t-1} への寄与 da_t W_hh

    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)  # 各時刻の h_{t-1}
    da_flat = da.reshape(N * T, H)
    dx = timewise_matmul(da, W_xh)  # ∂L/∂x_t = da_t W_xh (全時刻まとめて)
    dW_xh = da_flat.T @ x.reshape(N * T, -1)  # Σ_t da_tᵀ x_t
    dW_hh = da_flat.T @ h_prev.reshape(N * T, H)  # Σ_t da_tᵀ h_{t-1}
    db_h = da_flat.sum(axis=0)  # Σ_t Σ_n da_t
    return dx, dh_next, dW_xh, dW_hh, db_h
