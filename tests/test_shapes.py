"""rnncourse.shapes: as_float_array と Dims の振る舞い、日本語のメッセージ。"""

import numpy as np
import pytest
import torch

from rnncourse.shapes import Dims, ShapeError, as_float_array


def test_shape_error_is_a_value_error():
    assert issubclass(ShapeError, ValueError)


# ---- as_float_array ------------------------------------------------------------------------------


def test_integers_and_bools_become_float64():
    assert as_float_array("x", [[1, 2]]).dtype == np.float64
    assert as_float_array("x", np.arange(3, dtype=np.uint8)).dtype == np.float64
    assert as_float_array("m", np.array([True, False])).tolist() == [1.0, 0.0]
    assert as_float_array("s", 3).shape == ()


def test_float_arrays_keep_dtype_and_are_not_copied():
    a32 = np.zeros(3, dtype=np.float32)
    assert as_float_array("x", a32).dtype == np.float32
    a64 = np.zeros(3)
    assert as_float_array("x", a64) is a64


@pytest.mark.parametrize("value, pattern", [
    (None, r"引数 x が None です"),
    ("abc", r"引数 x に文字列 'abc' が渡されました"),
    (b"abc", r"引数 x に文字列 b'abc' が渡されました"),
    (torch.zeros(2), r"引数 x に PyTorch のテンソルが渡されました。.*x\.detach\(\)\.numpy\(\)"),
    (np.zeros, r"引数 x に関数 'zeros' が渡されました"),
    ([[1, 2], [3]], r"引数 x を NumPy 配列に変換できません"),
    (np.array([1 + 2j]), r"引数 x は数値の配列であるべきですが、dtype=complex128"),
    (["a", "b"], r"引数 x は数値の配列であるべきですが、dtype=<U1"),
    (np.array([1, "a"], dtype=object), r"dtype=object"),
])
def test_as_float_array_type_errors(value, pattern):
    with pytest.raises(TypeError, match=pattern):
        as_float_array("x", value)


# ---- Dims ----------------------------------------------------------------------------------------


def test_symbols_are_bound_by_first_argument():
    dims = Dims()
    x = dims.check("x_t", np.zeros((2, 3)), ("N", "D"))
    assert isinstance(x, np.ndarray)
    assert (dims["N"], dims["D"]) == (2, 3)
    dims.check("W_xh", np.zeros((4, 3)), ("H", "D"))
    assert dims["H"] == 4
    with pytest.raises(KeyError):
        dims["T"]


def test_mismatch_names_argument_expected_shape_and_source():
    dims = Dims()
    dims.check("x_t", np.zeros((2, 3)), ("N", "D"))
    with pytest.raises(ShapeError) as excinfo:
        dims.check("W_xh", np.zeros((3, 4)), ("H", "D"))
    assert str(excinfo.value) == (
        "引数 W_xh の形は (H, D) = (?, 3) のはずですが、(3, 4) が渡されました。D = 3 は x_t から決まっています。"
    )


def test_repeated_symbol_in_one_spec():
    dims = Dims()
    dims.check("W_hh", np.zeros((4, 4)), ("H", "H"))
    with pytest.raises(ShapeError, match=r"引数 W_hh の形は \(H, H\) = \(\?, \?\) のはずですが、\(4, 5\).*H = 4 は W_hh から"):
        Dims().check("W_hh", np.zeros((4, 5)), ("H", "H"))


def test_rank_mismatch_message():
    with pytest.raises(ShapeError) as excinfo:
        Dims(N=2).check("x", np.zeros((2, 3)), ("N", "T", "D"))
    assert str(excinfo.value) == (
        "引数 x は 3 次元の配列 (N, T, D) = (2, ?, ?) のはずですが、2 次元の形 (2, 3) が渡されました。"
    )


def test_known_values_from_caller():
    dims = Dims(N=2, H=5)
    assert dims["H"] == 5
    with pytest.raises(ShapeError, match=r"N = 2 は 呼び出し側の指定 から決まっています"):
        dims.check("dh_t", np.zeros((3, 5)), ("N", "H"))


def test_integer_sizes_in_spec():
    dims = Dims()
    dims.check("W", np.zeros((8, 3)), (8, "D"))
    with pytest.raises(ShapeError, match=r"引数 W の形は \(8, D\) = \(8, 3\) のはずですが、\(6, 3\).*軸 0 の長さは 8"):
        dims.check("W", np.zeros((6, 3)), (8, "D"))
    with pytest.raises(ShapeError, match=r"引数 v の形は \(4\) のはずですが"):
        Dims().check("v", np.zeros(3), (4,))


def test_check_uses_as_float_array():
    with pytest.raises(TypeError, match="引数 h0 が None です"):
        Dims().check("h0", None, ("N", "H"))
    assert Dims().check("y", [1, 2], ("N",)).dtype == np.float64
