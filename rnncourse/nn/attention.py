"""注意機構 (attention) の 1 ステップの NumPy 参照実装: スケール付き内積注意の順伝播と逆伝播。

復号化器の隠れ状態 s (問い合わせ) と、符号化器の全時刻の隠れ状態 h_1 … h_T から、文脈ベクトル c を作ります。
式 (1 つの例について。バッチ先頭 (N, …) で N 個を同時に計算します)::

    e_i = h_i · s / √H                    (スコア: s と h_i の内積、i = 1 … T)
    α_i = exp(e_i) / Σ_j exp(e_j)         (注意の重み: 符号化器の時刻についての softmax。Σ_i α_i = 1)
    c   = Σ_i α_i h_i                     (文脈ベクトル: h_i の重み付き平均)

詰め物 (パディング) の時刻 i はマスクで除き、e_i = −∞ (つまり α_i = 0) とします。

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> N, T, H = 2, 5, 4
    >>> s, h = rng.normal(size=(N, H)), rng.normal(size=(N, T, H))
    >>> mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=bool)   # 2 つ目の例は長さ 3
    >>> c, alpha, cache = attention_forward(s, h, mask)
    >>> c.shape, alpha.shape
    ((2, 4), (2, 5))
    >>> alpha.sum(axis=1).round(12), alpha[1, 3:]
    (array([1., 1.]), array([0., 0.]))
    >>> ds, dh = attention_backward(np.ones_like(c), cache)
    >>> ds.shape, dh.shape
    ((2, 4), (2, 5, 4))

**なぜ内積 (Luong 型) で、なぜ √H で割るのか。** 加法型 (Bahdanau 型) の e_i = vᵀ tanh(W s + U h_i) は
重み W, U, v を持ちますが、内積注意は重みを持たず、式は上の 3 行だけです。そのため注意機構のある
モデルと無いモデルとでパラメータがまったく同じになり、違いは「文脈ベクトル c をどう作るか」だけになります
(比べる実験が公平になります)。PyTorch の ``torch.nn.functional.scaled_dot_product_attention`` に
q = s、k = v = h を渡したものと同じ計算です。√H で割るのは、成分が平均 0・分散 1 程度のとき内積の分散が H
になり、H が大きいと softmax が 1 つの時刻にほぼ集中して勾配が消えるのを防ぐためです (Vaswani ら 2017)。

逆伝播の式 (上流から ∂L/∂c が届くとき)::

    ∂L/∂α_i = h_i · ∂L/∂c
    ∂L/∂e_i = α_i (∂L/∂α_i − Σ_j α_j ∂L/∂α_j)            (softmax の逆伝播)
    ∂L/∂s   = Σ_i ∂L/∂e_i h_i / √H
    ∂L/∂h_i = α_i ∂L/∂c  +  ∂L/∂e_i s / √H              (c を通る道 + スコアを通る道)
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from rnncourse.shapes import Dims

__all__ = ["attention_forward", "attention_backward"]


class AttentionCache(NamedTuple):
    s: np.ndarray
    h: np.ndarray
    alpha: np.ndarray


def _check_mask(mask: Any, dims: Dims) -> np.ndarray:
    """マスク (True/1 = 本物の時刻、False/0 = 詰め物) を形と値を確かめて bool 配列にする。"""
    values = dims.check("mask", mask, ("N", "T"))  # bool も 0.0/1.0 の配列になる
    if not np.all((values == 0) | (values == 1)):
        raise ValueError("引数 mask は True/False (または 1/0) の配列にしてください (本物の時刻が True、詰め物が False)。")
    mask = values == 1
    empty = ~mask.any(axis=1)
    if empty.any():
        n = int(np.argmax(empty))
        raise ValueError(
            f"mask[{n}] がすべて False です。注意を向ける時刻が 1 つもないと softmax が定義できません"
            f" (各例に少なくとも 1 つ True が必要です)。"
        )
    return mask


def attention_forward(
    s: np.ndarray, h: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, AttentionCache]:
    """注意の 1 ステップの順伝播。文脈ベクトル c と注意の重み α を返す。

    >>> c, alpha, cache = attention_forward(np.ones((1, 2)), np.array([[[1.0, 1.0], [0.0, 0.0]]]))
    >>> alpha.round(4)          # e = (2/√2, 0) = (1.4142, 0)
    array([[0.8044, 0.1956]])
    >>> c.round(4)
    array([[0.8044, 0.8044]])

    形: s (N, H), h (N, T, H), mask (N, T) bool (省略すると全時刻が本物)
    → c (N, H), alpha (N, T) (各行の和が 1、詰め物の時刻は 0), cache。
    """
    dims = Dims()
    s = dims.check("s", s, ("N", "H"))
    h = dims.check("h", h, ("N", "T", "H"))
    dims.at_least("T", 1)
    if mask is None:
        mask = np.ones(h.shape[:2], dtype=bool)
    else:
        mask = _check_mask(mask, dims)
    scale = 1.0 / math.sqrt(dims["H"])  # Python の float なので float32 の入力は float32 のまま

    e = np.einsum("nth,nh->nt", h, s) * scale  # e_i = h_i · s / √H
    e = np.where(mask, e, -np.inf)  # 詰め物の時刻は e_i = −∞ (exp(−∞) = 0 なので α_i = 0)
    exp_e = np.exp(e - e.max(axis=1, keepdims=True))  # 最大値を引いても softmax は同じ (exp のあふれ防止)
    alpha = exp_e / exp_e.sum(axis=1, keepdims=True)  # α_i = exp(e_i) / Σ_j exp(e_j)
    c = np.einsum("nt,nth->nh", alpha, h)  # c = Σ_i α_i h_i
    return c, alpha, AttentionCache(s, h, alpha)


def attention_backward(dc: np.ndarray, cache: AttentionCache) -> tuple[np.ndarray, np.ndarray]:
    """注意の 1 ステップの逆伝播。

    ``dc`` (N, H) は文脈ベクトルに上流から届く勾配 ∂L/∂c。戻り値は (ds (N, H), dh (N, T, H))。
    詰め物の時刻の dh は 0 です (α_i = 0 なので、どちらの道からも勾配が届きません)。

    >>> c, alpha, cache = attention_forward(np.ones((1, 2)), np.zeros((1, 3, 2)))
    >>> ds, dh = attention_backward(np.ones((1, 2)), cache)
    >>> dh[0]                   # α = (1/3, 1/3, 1/3) なので c を通る分だけ: α_i ∂L/∂c
    array([[0.33333333, 0.33333333],
           [0.33333333, 0.33333333],
           [0.33333333, 0.33333333]])
    """
    if not isinstance(cache, AttentionCache):
        raise TypeError(f"引数 cache には attention_forward が返した cache を渡してください ({type(cache).__name__} が渡されました)。")
    s, h, alpha = cache
    N, T, H = h.shape
    dc = Dims(N=N, H=H).check("dc", dc, ("N", "H"))
    scale = 1.0 / math.sqrt(H)

    dalpha = np.einsum("nth,nh->nt", h, dc)  # ∂L/∂α_i = h_i · ∂L/∂c
    de = alpha * (dalpha - (alpha * dalpha).sum(axis=1, keepdims=True))  # ∂L/∂e_i = α_i (∂L/∂α_i − Σ_j α_j ∂L/∂α_j)
    ds = np.einsum("nt,nth->nh", de, h) * scale  # ∂L/∂s = Σ_i ∂L/∂e_i h_i / √H
    dh = alpha[:, :, None] * dc[:, None, :]  # ∂L/∂h_i (c を通る道) = α_i ∂L/∂c
    dh += de[:, :, None] * s[:, None, :] * scale  # ∂L/∂h_i (スコアを通る道) += ∂L/∂e_i s / √H
    return ds, dh
