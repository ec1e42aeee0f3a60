"""ノートブックの数値を毎回同じにするための設定。

    >>> from rnncourse.seeding import reproducible
    >>> rng = reproducible(0)
    >>> round(float(rng.normal()), 4)
    0.1257
"""

from __future__ import annotations

import random

import numpy as np

__all__ = ["reproducible"]


def reproducible(seed: int = 0, torch_threads: int | None = 1) -> np.random.Generator:
    """Python・NumPy・PyTorch の乱数の種を ``seed`` に固定し、NumPy の乱数生成器を返す。

    ``torch_threads=1`` (既定) のとき PyTorch の演算を 1 スレッドにします。スレッド数によって
    浮動小数点の足し算の順序が変わり、長い学習では表示した損失の桁が変わることがあるためです。
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed は 0 以上の整数にしてください ({seed!r} が渡されました)。")
    random.seed(int(seed))
    try:
        import torch
    except ImportError:  # torch が無くても NumPy だけの章は動く
        pass
    else:
        torch.manual_seed(int(seed))
        if torch_threads is not None:
            torch.set_num_threads(int(torch_threads))
    return np.random.default_rng(int(seed))
