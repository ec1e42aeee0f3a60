"""活性化関数とその微分 (ゲートで使うシグモイドなど)。

    >>> import numpy as np
    >>> sigmoid(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid"]


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^{−a})。exp が桁あふれしないよう指数が 0 以下の exp だけを使い、dtype を保つ。

    分母と分子に e^{min(a, 0)} を掛けた形 σ(a) = e^{min(a, 0)} / (1 + e^{−|a|}) で計算します。
    a ≥ 0 では 1 / (1 + e^{−a})、a < 0 では e^{a} / (1 + e^{a}) になり、どちらの exp も 1 を超えません。
    (np.where で 2 つの式を選ぶより速く、結果は同じです。)

    微分は σ′(a) = σ(a)(1 − σ(a))。形は入力と同じ。
    """
    return np.exp(np.minimum(a, 0)) / (1 + np.exp(-np.abs(a)))  # 0 < 各 exp ≤ 1
