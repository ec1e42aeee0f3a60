"""rnncourse.classroom.numeric_path: 別の数値計算の道筋を選ぶ環境変数と、それが本当に効くこと。"""

import os
import platform

import pytest

from rnncourse.classroom import numeric_path as npath
from rnncourse.classroom.numeric_path import NumericPath, differences, other_path_environment


def path(**changes):
    base = dict(machine="x86_64", openblas_core="Haswell", blas_threads=2, torch_capability="AVX2",
                numpy_dispatch=("X86_V3", "X86_V4"))
    return NumericPath(**{**base, **changes})


def test_pytorch_and_mkl_always_take_the_portable_kernels():
    env = other_path_environment(path())
    assert env["ATEN_CPU_CAPABILITY"] == "default" and env["MKL_CBWR"] == "COMPATIBLE"


@pytest.mark.parametrize("threads, other", [(2, "1"), (8, "1"), (1, "2")])
def test_thread_count_always_differs(threads, other):
    env = other_path_environment(path(blas_threads=threads))
    assert env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == other


@pytest.mark.parametrize("own, other", [("Haswell", "Prescott"), ("SkylakeX", "Prescott"), ("Zen", "Prescott"),
                                        ("Prescott", "Nehalem"), ("Katmai", "Nehalem"), ("Nehalem", "Prescott")])
def test_openblas_core_is_older_and_different(own, other):
    assert other_path_environment(path(openblas_core=own))["OPENBLAS_CORETYPE"] == other


def test_arm_uses_the_generic_arm_core_and_other_machines_keep_their_own():
    assert other_path_environment(path(machine="aarch64", openblas_core="NEOVERSEN1"))["OPENBLAS_CORETYPE"] == "ARMV8"
    assert "OPENBLAS_CORETYPE" not in other_path_environment(path(machine="aarch64", openblas_core="ARMV8"))
    assert "OPENBLAS_CORETYPE" not in other_path_environment(path(machine="riscv64", openblas_core="RISCV64_GENERIC"))


def test_numpy_dispatch_is_switched_off_only_when_there_is_some():
    assert other_path_environment(path())["NPY_DISABLE_CPU_FEATURES"] == "X86_V3 X86_V4"
    assert "NPY_DISABLE_CPU_FEATURES" not in other_path_environment(path(numpy_dispatch=()))


def test_only_the_declared_variables_are_set():
    assert set(other_path_environment(path())) <= set(npath.PATH_VARIABLES)


def test_differences_names_every_change_and_nothing_else():
    assert differences(path(), path()) == []
    assert differences(path(), path(blas_threads=1)) == ["BLAS のスレッド数 2 → 1"]


def test_probe_describes_this_process():
    own = npath.probe()
    assert own.machine == platform.machine() and own.blas_threads >= 1
    assert own.torch_capability is not None


def test_the_variables_really_change_the_kernels_in_a_new_process():
    base = {k: v for k, v in os.environ.items() if k not in npath.PATH_VARIABLES}
    own = npath._probe_in(base)
    other = npath._probe_in({**base, **other_path_environment(own)})
    assert other.torch_capability == "DEFAULT"
    assert other.blas_threads != own.blas_threads
    assert other.numpy_dispatch == ()
    if own.machine == "x86_64":
        assert other.openblas_core != own.openblas_core
