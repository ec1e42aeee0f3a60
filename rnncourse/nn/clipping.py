"""勾配クリッピング: 勾配爆発を抑えるため、大きすぎる勾配を縮める。

2 つの方法があります::

    ‖g‖ = sqrt(Σ_i Σ_j g_{i,j}²)                   (全パラメータをつないだ 1 本のベクトルのノルム)
    clip_grad_norm:  s = max_norm / (‖g‖ + 1e-6),  s < 1 のときだけ g_i ← s g_i  (向きは変えない)
    clip_grad_value: g_{i,j} ← min(max(g_{i,j}, −c), c)                         (要素ごと、向きが変わる)

勾配は ``{"W_xh": dW_xh, ...}`` の辞書か配列のリストで渡し、同じ種類の新しい入れ物が返ります。
渡した配列は書き換えません。

    >>> import numpy as np
    >>> grads = {"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])}
    >>> clipped, total_norm = clip_grad_norm(grads, max_norm=1.0)
    >>> total_norm
    5.0
    >>> np.round(clipped["W"], 6), np.round(clipped["b"], 6)
    (array([[0.6, 0. ]]), array([0.8]))
    >>> grads["b"]  # 元の勾配はそのまま
    array([4.])
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, TypeVar

import numpy as np

from rnncourse.shapes import as_float_array

__all__ = ["clip_grad_norm", "clip_grad_value"]

G = TypeVar("G", dict, list, tuple)  # 勾配の入れ物: 返り値も同じ種類


def _check_positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"引数 {name} は正の数のはずですが、{type(value).__name__} が渡されました。")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"引数 {name} は正の有限な数のはずですが、{value!r} が渡されました。")
    return float(value)


def _apply(grads: Any, fn: Callable[[str, np.ndarray], np.ndarray]) -> Any:
    """辞書・リスト・タプルの各配列に fn(名前, 配列) を掛け、同じ種類の新しい入れ物で返す。"""
    if isinstance(grads, Mapping):
        return {key: fn(f"grads[{key!r}]", value) for key, value in grads.items()}
    if isinstance(grads, (list, tuple)):
        values = [fn(f"grads[{i}]", value) for i, value in enumerate(grads)]
        return values if isinstance(grads, list) else tuple(values)
    raise TypeError(
        f"引数 grads は勾配の辞書 (例: {{'W_xh': dW_xh}}) か配列のリストのはずですが、"
        f"{type(grads).__name__} が渡されました。"
    )


def clip_grad_norm(grads: G, max_norm: float) -> tuple[G, float]:
    """全勾配をまとめたノルムが ``max_norm`` を超えたら、全勾配を同じ倍率で縮める。

    >>> clipped, norm = clip_grad_norm([np.array([6.0, 8.0])], max_norm=5.0)
    >>> norm, np.round(clipped[0], 4)
    (10.0, array([3., 4.]))

    形: grads は辞書 {名前: 配列} か配列のリスト (各配列の形は任意) → (同じ種類の新しい入れ物, total_norm)。
    total_norm はクリップする前のノルム ‖g‖ (float)。``torch.nn.utils.clip_grad_norm_`` と同じ規則
    s = max_norm / (‖g‖ + 1e-6) で、s < 1 のときだけ掛けます。ただしこちらは元の配列を書き換えません。
    勾配に nan や inf が混ざると total_norm も nan / inf になります (PyTorch の既定と同じく止めません)。
    """
    max_norm = _check_positive("max_norm", max_norm)
    arrays = _apply(grads, as_float_array)  # 形と型を確かめる (まだコピーはしない)
    values = arrays.values() if isinstance(arrays, dict) else arrays
    total_norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in values))  # ‖g‖
    scale = max_norm / (total_norm + 1e-6)  # s = max_norm / (‖g‖ + 1e-6)
    if scale < 1.0:
        clipped = _apply(arrays, lambda name, g: (g * scale).astype(g.dtype))  # g_i ← s g_i
    else:
        clipped = _apply(arrays, lambda name, g: g.copy())  # 縮めない (コピーだけ返す)
    return clipped, total_norm


def clip_grad_value(grads: G, clip_value: float) -> G:
    """各要素を [−clip_value, clip_value] に切り詰める (``torch.nn.utils.clip_grad_value_`` と同じ)。

    >>> clip_grad_value({"b": np.array([-3.0, 0.5, 2.0])}, clip_value=1.0)
    {'b': array([-1. ,  0.5,  1. ])}

    形: grads は辞書 {名前: 配列} か配列のリスト → 同じ種類の新しい入れ物 (元の配列は書き換えない)。
    """
    clip_value = _check_positive("clip_value", clip_value)
    return _apply(
        grads, lambda name, g: np.clip(as_float_array(name, g), -clip_value, clip_value)  # min(max(g, −c), c)
    )
