"""数値微分による勾配チェック (中心差分) と相対誤差。

任意の「NumPy 配列 → 配列またはスカラー」の関数に使えます::

    >>> import numpy as np
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> num = numerical_gradient(lambda x: (x**2).sum(), x)
    >>> rel_error(num, 2 * x) < 1e-8
    True

出力が配列の関数 f では、上流の勾配 ``df`` (f(x) と同じ形) を与えると
Σ df ⊙ f(x) の x に関する勾配を返します。逆伝播関数の検証にそのまま使えます。
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from rnncourse.shapes import ShapeError, as_float_array

__all__ = ["numerical_gradient", "rel_error"]


def numerical_gradient(
    f: Callable[[np.ndarray], np.ndarray | float],
    x: np.ndarray,
    df: np.ndarray | None = None,
    eps: float = 1e-6,
) -> np.ndarray:
    """中心差分 (f(x + ε) − f(x − ε)) / 2ε で勾配を求める。

    ``x`` はその場で一時的に書き換えて元に戻します (f が x を参照していても正しく働くように)。
    形: x は任意、戻り値は x と同じ形。``df`` は f(x) と同じ形 (省略時は 1 とみなす)。
    精度のため x は float64 にしてください。
    """
    if not callable(f):
        raise TypeError(f"引数 f には関数を渡してください ({type(f).__name__} が渡されました)。")
    if not isinstance(x, np.ndarray):
        raise TypeError(f"引数 x は NumPy 配列であるべきですが、{type(x).__name__} が渡されました。")
    if x.dtype != np.float64:
        raise TypeError(f"引数 x の dtype は float64 にしてください ({x.dtype} では数値微分の誤差が大きすぎます)。")
    if not x.flags.c_contiguous:
        raise ValueError("引数 x はメモリ上で連続した配列にしてください (np.ascontiguousarray(x))。")
    grad = np.zeros_like(x)
    upstream = None
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)  # 連続配列なので x と grad のビュー
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + eps
        f_plus = np.asarray(f(x), dtype=np.float64)
        flat_x[i] = old - eps
        f_minus = np.asarray(f(x), dtype=np.float64)
        flat_x[i] = old
        if upstream is None:
            upstream = np.ones_like(f_plus) if df is None else as_float_array("df", df)
            if upstream.shape != f_plus.shape:
                raise ShapeError(f"引数 df の形は f(x) と同じ {f_plus.shape} のはずですが、{upstream.shape} が渡されました。")
        flat_grad[i] = np.sum((f_plus - f_minus) * upstream) / (2 * eps)
    return grad


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """相対誤差 max |a − b| / max(|a| + |b|, 1e-8) を要素ごとに求めた最大値。

    1e-7 より小さければ、float64 の勾配チェックとしてはほぼ確実に正しい実装です。
    """
    a, b = as_float_array("a", a), as_float_array("b", b)
    if a.shape != b.shape:
        raise ShapeError(f"a と b の形が違います: a は {a.shape}、b は {b.shape}。")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
