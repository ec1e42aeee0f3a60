"""活性化関数とその微分 (ゲートで使うシグモイドなど)。

    >>> import numpy as np
    >>> sigmoid(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid"]


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^{−a})。exp が桁あふれしないよう e^{−|a|} だけを使い、dtype を保つ。

    微分は σ′(a) = σ(a)(1 − σ(a))。形は入力と同じ。
    """
    e = np.exp(-np.abs(a))  # 0 < e ≤ 1
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))
