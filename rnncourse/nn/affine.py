"""全結合層 (アフィン変換) と、全時刻にまとめて掛ける時系列版の NumPy 参照実装。

式 (行ベクトル、バッチ先頭。重みの形は ``torch.nn.Linear`` と同じ (出力, 入力))::

    y = x Wᵀ + b                  (affine)
    y_t = h_t W_hyᵀ + b_y         (temporal_affine、t = 0 … T−1 をまとめて)

RNN の隠れ状態 h (N, T, H) から語彙 V 個のスコア (N, T, V) を出す出力層が temporal_affine です。

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> N, T, H, V = 2, 5, 4, 6
    >>> h = rng.normal(size=(N, T, H))
    >>> W_hy, b_y = rng.normal(size=(V, H)), np.zeros(V)
    >>> scores, cache = temporal_affine_forward(h, W_hy, b_y)
    >>> scores.shape
    (2, 5, 6)
    >>> dh, dW_hy, db_y = temporal_affine_backward(np.ones_like(scores), cache)
    >>> dh.shape, dW_hy.shape, db_y.shape
    ((2, 5, 4), (6, 4), (6,))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncourse.shapes import Dims
from rnncourse.nn.timewise import timewise_matmul

__all__ = ["affine_forward", "affine_backward", "temporal_affine_forward", "temporal_affine_backward"]


class AffineCache(NamedTuple):
    x: np.ndarray
    W: np.ndarray


class TemporalAffineCache(NamedTuple):
    h: np.ndarray
    W_hy: np.ndarray


def affine_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, AffineCache]:
    """全結合層の順伝播 y = x Wᵀ + b (``torch.nn.functional.linear`` と同じ)。

    >>> y, cache = affine_forward(np.ones((2, 3)), np.ones((4, 3)), np.zeros(4))
    >>> y
    array([[3., 3., 3., 3.],
           [3., 3., 3., 3.]])

    形: x (N, D), W (M, D), b (M,) → y (N, M)。
    """
    dims = Dims()
    x = dims.check("x", x, ("N", "D"))
    W = dims.check("W", W, ("M", "D"))
    b = dims.check("b", b, ("M",))

    y = x @ W.T + b  # y = x Wᵀ + b
    return y, AffineCache(x, W)


def affine_backward(dy: np.ndarray, cache: AffineCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """全結合層の逆伝播。

    ``dy`` (N, M) は損失 L の y に関する勾配 ∂L/∂y。
    戻り値は (dx (N, D), dW (M, D), db (M,))。

    >>> y, cache = affine_forward(np.ones((2, 3)), np.ones((4, 3)), np.zeros(4))
    >>> [g.shape for g in affine_backward(np.ones((2, 4)), cache)]
    [(2, 3), (4, 3), (4,)]
    """
    x, W = cache
    dy = Dims(N=x.shape[0], M=W.shape[0]).check("dy", dy, ("N", "M"))

    dx = dy @ W  # ∂L/∂x = dy W
    dW = dy.T @ x  # ∂L/∂W = dyᵀ x
    db = dy.sum(axis=0)  # ∂L/∂b = Σ_n dy_n
    return dx, dW, db


def temporal_affine_forward(
    h: np.ndarray, W_hy: np.ndarray, b_y: np.ndarray
) -> tuple[np.ndarray, TemporalAffineCache]:
    """全時刻の隠れ状態に同じ全結合層を掛ける順伝播 y_t = h_t W_hyᵀ + b_y。

    >>> y, cache = temporal_affine_forward(np.ones((2, 5, 4)), np.ones((6, 4)), np.zeros(6))
    >>> y.shape, float(y[0, 0, 0])
    ((2, 5, 6), 4.0)

    形: h (N, T, H), W_hy (V, H), b_y (V,) → y (N, T, V)。
    時刻のループは書かず、(N·T, H) @ (H, V) の 1 回の行列積で全時刻をまとめて計算します (``timewise_matmul``)。
    """
    dims = Dims()
    h = dims.check("h", h, ("N", "T", "H"))
    W_hy = dims.check("W_hy", W_hy, ("V", "H"))
    b_y = dims.check("b_y", b_y, ("V",))

    y = timewise_matmul(h, W_hy.T) + b_y  # y_t = h_t W_hyᵀ + b_y (全時刻まとめて)
    return y, TemporalAffineCache(h, W_hy)


def temporal_affine_backward(
    dy: np.ndarray, cache: TemporalAffineCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """時系列版全結合層の逆伝播。

    ``dy`` (N, T, V) は各時刻のスコアに関する勾配 ∂L/∂y_t。
    戻り値は (dh (N, T, H), dW_hy (V, H), db_y (V,))。
    重みは全時刻で共有されるので、その勾配は全時刻 (とバッチ) の和になります。

    >>> y, cache = temporal_affine_forward(np.ones((2, 5, 4)), np.ones((6, 4)), np.zeros(6))
    >>> [g.shape for g in temporal_affine_backward(np.ones((2, 5, 6)), cache)]
    [(2, 5, 4), (6, 4), (6,)]
    """
    h, W_hy = cache
    N, T, H = h.shape
    V = W_hy.shape[0]
    dy = Dims(N=N, T=T, V=V).check("dy", dy, ("N", "T", "V"))

    dh = timewise_matmul(dy, W_hy)  # ∂L/∂h_t = dy_t W_hy
    dW_hy = dy.reshape(N * T, V).T @ h.reshape(N * T, H)  # ∂L/∂W_hy = Σ_t dy_tᵀ h_t
    db_y = dy.sum(axis=(0, 1))  # ∂L/∂b_y = Σ_t Σ_n dy_t
    return dh, dW_hy, db_y
