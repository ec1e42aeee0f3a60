"""rnncourse.nn.gradcheck: numerical_gradient と rel_error の振る舞い、日本語のメッセージ。"""

import numpy as np
import pytest

from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.shapes import ShapeError


def test_scalar_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    num = numerical_gradient(lambda v: np.sum(v**3), x)
    assert num.shape == x.shape
    assert rel_error(num, 3 * x**2) < 1e-8


def test_array_function_with_upstream_gradient():
    rng = np.random.default_rng(0)
    A, x = rng.normal(size=(3, 4)), rng.normal(size=4)
    df = rng.normal(size=3)
    num = numerical_gradient(lambda v: A @ v, x, df)
    assert rel_error(num, A.T @ df) < 1e-8  # ∂(df · A x)/∂x = Aᵀ df
    assert rel_error(numerical_gradient(lambda v: A @ v, x), A.sum(axis=0)) < 1e-8  # df 省略 = 全部 1


def test_x_is_restored_and_may_be_captured_by_f():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    num = numerical_gradient(lambda v: float(np.sum(x * v)), x)  # f が x そのものも参照する
    assert np.array_equal(x, before)
    assert rel_error(num, 2 * x) < 1e-8


def test_eps_argument():
    x = np.array([0.3])
    coarse = numerical_gradient(np.sin, x, eps=1e-1)
    fine = numerical_gradient(np.sin, x, eps=1e-6)
    assert abs(fine[0] - np.cos(0.3)) < abs(coarse[0] - np.cos(0.3))


@pytest.mark.parametrize("f, x, error, pattern", [
    (None, np.zeros(2), TypeError, r"引数 f には関数を渡してください \(NoneType が渡されました\)"),
    (np.sum, [1.0, 2.0], TypeError, r"引数 x は NumPy 配列であるべきですが、list が渡されました"),
    (np.sum, np.zeros(2, dtype=np.float32), TypeError, r"引数 x の dtype は float64 にしてください \(float32"),
    (np.sum, np.zeros((3, 2)).T, ValueError, r"引数 x はメモリ上で連続した配列にしてください"),
])
def test_numerical_gradient_argument_errors(f, x, error, pattern):
    with pytest.raises(error, match=pattern):
        numerical_gradient(f, x)


def test_upstream_shape_must_match_output():
    with pytest.raises(ShapeError, match=r"引数 df の形は f\(x\) と同じ \(3,\) のはずですが、\(2,\)"):
        numerical_gradient(lambda v: v * 2, np.zeros(3), df=np.ones(2))


def test_rel_error_values():
    a = np.array([1.0, 2.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0  # 分母は 1e-8 で下から抑える
    assert rel_error(np.array([0.0]), np.array([1e-10])) == pytest.approx(1e-2)
    assert rel_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    assert isinstance(rel_error(a, a + 1), float)


def test_rel_error_errors():
    with pytest.raises(ShapeError, match=r"a と b の形が違います: a は \(2,\)、b は \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))
    with pytest.raises(TypeError, match="引数 b が None"):
        rel_error(np.zeros(2), None)
