"""ノートブックの数値を、どの機械でも毎回同じにするための設定。

    >>> from rnncourse.seeding import reproducible
    >>> rng = reproducible(0)
    >>> round(float(rng.normal()), 4)
    0.1257
    >>> import torch
    >>> torch.get_default_dtype()
    torch.float64

CPU によって NumPy・PyTorch・BLAS が選ぶ計算のカーネルが違い、浮動小数点の最後の桁が変わります。単精度 (float32)
では最後の桁は 1e-7 ほどで、数百ステップの学習がそれを表示する桁まで (ときには「解けた/解けなかった」の違いまで)
育てます。倍精度 (float64) なら最後の桁は 1e-16 ほどなので、表示する 3〜4 桁には届きません。そこでこの講座では
PyTorch の既定の型を float64 にします (実務の既定は速い float32 です。第5章)。
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from typing import Iterator

import numpy as np

__all__ = ["PRECISIONS", "reproducible", "torch_defaults"]

PRECISIONS = ("float64", "float32")


def _check_precision(precision: object) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"precision は {' か '.join(repr(p) for p in PRECISIONS)} にしてください ({precision!r} が渡されました)。")
    return str(precision)


def _check_threads(threads: object) -> int | None:
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"torch_threads は 1 以上の整数か None にしてください ({threads!r} が渡されました)。")
    return threads


def reproducible(seed: int = 0, precision: str = "float64", torch_threads: int | None = 1) -> np.random.Generator:
    """Python・NumPy・PyTorch の乱数の種を ``seed`` に固定し、NumPy の乱数生成器を返す。

    - ``precision``: PyTorch の既定の浮動小数点型 (``torch.set_default_dtype``)。既定の "float64" では、
      モデルの重みもテンソルも倍精度になり、CPU の種類やスレッド数によらず表示する桁が同じになります。
      "float32" は PyTorch 本来の既定です (速いが、学習の結果の桁が機械によって変わることがあります)。
    - ``torch_threads``: PyTorch のスレッド数 (既定 1)。小さなモデルでは複数スレッドにしても速くならず、
      ほかの処理で CPU が混んでいると何倍も遅くなるためです。None なら PyTorch の既定のまま。
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed は 0 以上の整数にしてください ({seed!r} が渡されました)。")
    precision, torch_threads = _check_precision(precision), _check_threads(torch_threads)
    random.seed(int(seed))
    try:
        import torch
    except ImportError:  # torch が無くても NumPy だけの章は動く
        pass
    else:
        torch.manual_seed(int(seed))
        torch.set_default_dtype(getattr(torch, precision))
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)
    return np.random.default_rng(int(seed))


@contextmanager
def torch_defaults(precision: str = "float64", torch_threads: int | None = 1) -> Iterator[None]:
    """with の中だけ、PyTorch の既定の型とスレッド数を ``reproducible`` と同じにする (出るときに元に戻す)。

    >>> import torch
    >>> before = torch.get_default_dtype()
    >>> with torch_defaults("float64"):
    ...     torch.zeros(1).dtype
    torch.float64
    >>> torch.get_default_dtype() == before
    True

    判定器が学習者と同じ条件で実験をやり直すときなど、呼び出し側の設定を変えずに計算したいときに使います。
    """
    import torch

    precision, torch_threads = _check_precision(precision), _check_threads(torch_threads)
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(getattr(torch, precision))
    if torch_threads is not None:
        torch.set_num_threads(torch_threads)
    try:
        yield
    finally:
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)
