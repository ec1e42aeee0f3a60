"""ノートブックを「別の数値計算の道筋」(別の CPU カーネル) で再実行し、保存した出力と一致するかを確かめる (著者と CI 向け)。

NumPy・PyTorch・BLAS は CPU に合わせて計算のカーネル (SIMD の命令、足し算の順序) を選ぶので、同じコードでも
機械によって浮動小数点の最後の桁が変わります。保存した出力がほかの機械でも再現されることを 1 台で確かめるため、
この機械が普段使うのとは違うカーネルを環境変数で選ばせてから ``pytest`` (nbval) を実行します::

    python -m rnncourse.classroom.numeric_path                      # notebooks/ exercises/ solutions/ のすべて
    python -m rnncourse.classroom.numeric_path notebooks/06_lstm_gru.ipynb

変えるもの (どれもライブラリを読み込むときに読まれるので、新しいプロセスの環境に入れます):

- PyTorch の CPU カーネル: ``ATEN_CPU_CAPABILITY=default`` (AVX2/AVX-512 を使わない版)
- PyTorch の BLAS (MKL): ``MKL_CBWR=COMPATIBLE`` (CPU によらない互換の道筋)
- NumPy の BLAS (OpenBLAS): ``OPENBLAS_CORETYPE`` をこの機械より古いコア (x86-64 なら Prescott か Nehalem) に
- NumPy 自身の SIMD: ``NPY_DISABLE_CPU_FEATURES`` で、実行時に選ばれる拡張命令 (X86_V3、X86_V4 など) をすべて止める
- スレッド数: ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` を、普段が 2 以上なら 1、1 なら 2 に

    >>> own = NumericPath(machine="x86_64", openblas_core="Haswell", blas_threads=2,
    ...                   torch_capability="AVX2", numpy_dispatch=("X86_V3",))
    >>> env = other_path_environment(own)
    >>> env["OPENBLAS_CORETYPE"], env["OMP_NUM_THREADS"], env["NPY_DISABLE_CPU_FEATURES"]
    ('Prescott', '1', 'X86_V3')
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["NumericPath", "PATH_VARIABLES", "probe", "other_path_environment", "differences", "main"]

# OpenBLAS のコアの種類で、ほとんどの x86-64 の CPU で動く古いもの (新しすぎる種類は "Illegal instruction" で落ちる)
_OLD_X86_CORES = ("Prescott", "Nehalem")
_OLD_ARM_CORES = ("ARMV8",)
# 道筋を選ぶ環境変数 (この機械の普段の道筋を調べるときは、これらを環境から除く)
PATH_VARIABLES = ("ATEN_CPU_CAPABILITY", "MKL_CBWR", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                  "OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")
# threadpoolctl が報告する名前のうち、上の古いコアと同じカーネルを表すもの
_SAME_AS = {"Katmai": "Prescott", "Prescott": "Prescott", "Core2": "Prescott", "Nehalem": "Nehalem", "ARMV8": "ARMV8"}


@dataclass(frozen=True)
class NumericPath:
    """あるプロセスが実際に使う数値計算の道筋。"""

    machine: str  # platform.machine() ("x86_64"、"aarch64" など)
    openblas_core: str | None  # NumPy の OpenBLAS が選んだコアの種類 ("Haswell" など)。分からなければ None
    blas_threads: int  # NumPy の BLAS のスレッド数
    torch_capability: str | None  # PyTorch の CPU カーネル ("AVX2"、"AVX512"、"DEFAULT")。PyTorch が無ければ None
    numpy_dispatch: tuple[str, ...]  # NumPy が実行時に選べる拡張命令のうち、この CPU で使われているもの


def probe() -> NumericPath:
    """このプロセスの数値計算の道筋を調べる (NumPy・threadpoolctl・PyTorch を読み込む)。"""
    import numpy as np  # noqa: F401  (OpenBLAS を読み込んでから調べる)
    from numpy._core import _multiarray_umath as umath
    from threadpoolctl import threadpool_info

    blas = [info for info in threadpool_info() if info.get("internal_api") == "openblas"]
    try:
        import torch
    except ImportError:
        capability = None
    else:
        capability = torch.backends.cpu.get_cpu_capability()
    features = umath.__cpu_features__
    dispatch = tuple(name for name in umath.__cpu_dispatch__ if features.get(name))
    return NumericPath(
        machine=platform.machine(),
        openblas_core=blas[0].get("architecture") if blas else None,
        blas_threads=int(blas[0]["num_threads"]) if blas else 1,
        torch_capability=capability,
        numpy_dispatch=dispatch,
    )


def _older_core(own: NumericPath) -> str | None:
    choices = _OLD_X86_CORES if own.machine in ("x86_64", "AMD64") else _OLD_ARM_CORES if own.machine in ("aarch64", "arm64") else ()
    current = _SAME_AS.get(own.openblas_core or "", own.openblas_core)
    return next((core for core in choices if core != current), None)


def other_path_environment(own: NumericPath) -> dict[str, str]:
    """``own`` とは違うカーネルとスレッド数を選ばせる環境変数。

    >>> own = NumericPath("x86_64", "Prescott", 1, "AVX2", ())
    >>> env = other_path_environment(own)
    >>> env["OPENBLAS_CORETYPE"], env["OPENBLAS_NUM_THREADS"], env["ATEN_CPU_CAPABILITY"], "NPY_DISABLE_CPU_FEATURES" in env
    ('Nehalem', '2', 'default', False)
    """
    threads = "1" if own.blas_threads > 1 else "2"
    env = {
        "ATEN_CPU_CAPABILITY": "default",
        "MKL_CBWR": "COMPATIBLE",
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
    }
    core = _older_core(own)
    if core is not None:
        env["OPENBLAS_CORETYPE"] = core
    if own.numpy_dispatch:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(own.numpy_dispatch)
    return env


_PROBE = "import json; from dataclasses import asdict; from rnncourse.classroom.numeric_path import probe; print(json.dumps(asdict(probe())))"


def _probe_in(env: dict[str, str]) -> NumericPath:
    """新しいプロセスで ``probe`` する (環境変数はライブラリを読み込むときにしか効かないため)。"""
    result = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"数値計算の道筋を調べられませんでした:\n{result.stderr.strip()}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["numpy_dispatch"] = tuple(data["numpy_dispatch"])
    return NumericPath(**data)


def differences(own: NumericPath, other: NumericPath) -> list[str]:
    """2 つの道筋の違いを日本語で並べる (同じなら空)。

    >>> differences(NumericPath("x86_64", "Haswell", 2, "AVX2", ("X86_V3",)),
    ...             NumericPath("x86_64", "Katmai", 1, "DEFAULT", ()))
    ['OpenBLAS のコア Haswell → Katmai', 'BLAS のスレッド数 2 → 1', 'PyTorch のカーネル AVX2 → DEFAULT', 'NumPy の拡張命令 X86_V3 → なし']
    """
    changes = []
    if own.openblas_core != other.openblas_core:
        changes.append(f"OpenBLAS のコア {own.openblas_core} → {other.openblas_core}")
    if own.blas_threads != other.blas_threads:
        changes.append(f"BLAS のスレッド数 {own.blas_threads} → {other.blas_threads}")
    if own.torch_capability != other.torch_capability:
        changes.append(f"PyTorch のカーネル {own.torch_capability} → {other.torch_capability}")
    if own.numpy_dispatch != other.numpy_dispatch:
        changes.append(
            f"NumPy の拡張命令 {' '.join(own.numpy_dispatch) or 'なし'} → {' '.join(other.numpy_dispatch) or 'なし'}"
        )
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.classroom.numeric_path",
        description="別の CPU カーネルとスレッド数でノートブックを再実行し (pytest + nbval)、保存した出力と比べます。",
    )
    parser.add_argument("paths", nargs="*", default=["notebooks", "exercises", "solutions"],
                        help="比べるノートブックかフォルダ (既定: notebooks exercises solutions)")
    args, pytest_args = parser.parse_known_args(argv)
    base = {key: value for key, value in os.environ.items() if key not in PATH_VARIABLES}  # この機械の普段の道筋
    own = _probe_in(base)
    env = {**base, **other_path_environment(own)}
    other = _probe_in(env)
    changes = differences(own, other)
    print("この機械の道筋:", json.dumps(asdict(own), ensure_ascii=False))
    print("別の道筋で実行:", " ".join(f"{k}={v}" for k, v in sorted(other_path_environment(own).items())))
    print("変わったもの:", "、".join(changes) if changes else "なし")
    if other.torch_capability not in (None, "DEFAULT") or not changes:
        print("別の道筋を選べませんでした (環境変数が効いていません)。", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args.paths, *pytest_args]
    return subprocess.call(command, env=env, cwd=Path.cwd())


if __name__ == "__main__":
    raise SystemExit(main())
