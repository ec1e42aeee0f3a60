"""rnncourse.nn.activations.sigmoid: 2 つの場合に分けた式と同じ値、桁あふれしない、dtype を保つ。"""

import numpy as np
import pytest

from rnncourse.nn.activations import sigmoid


def _two_cases(a):
    """教科書どおりに a ≥ 0 と a < 0 で式を分けたもの: 1 / (1 + e^{−a}) と e^{a} / (1 + e^{a})。"""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_values_as_the_two_case_formula(dtype):
    rng = np.random.default_rng(0)
    a = np.concatenate([rng.normal(scale=30, size=10_000), [0.0, -0.0, 1e-30, -1e-30, 80.0, -80.0]]).astype(dtype)
    s = sigmoid(a)
    assert s.dtype == dtype
    assert np.array_equal(s, _two_cases(a))


def test_no_overflow_for_large_inputs():
    with np.errstate(over="raise", invalid="raise"):
        s = sigmoid(np.array([1e4, -1e4, 1e308, -1e308]))
    assert s.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_small_values_keep_their_relative_precision():
    # σ(−30) ≈ 9.4e-14: 1 − σ(30) のように 1 の近くで引き算すると桁が失われるが、ここではそうならない
    assert sigmoid(np.array(-30.0)) == pytest.approx(np.exp(-30.0) / (1 + np.exp(-30.0)), rel=1e-15)
