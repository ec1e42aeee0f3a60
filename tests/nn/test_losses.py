"""rnncourse.nn.losses: torch の cross_entropy / mse_loss との一致、数値微分、引数の検査。"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.nn.losses import mse_loss, softmax, softmax_cross_entropy, temporal_softmax_cross_entropy
from rnncourse.shapes import ShapeError


def _torch_loss_and_grad(loss_fn, scores, *args):
    s = torch.tensor(scores, requires_grad=True)
    loss = loss_fn(s, *args)
    loss.backward()
    return loss.item(), s.grad.numpy()


# ---- softmax -------------------------------------------------------------------------------------


def test_softmax_matches_torch_and_is_stable():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(3, 4, 5)) * 10
    for axis in (-1, 0, 1):
        expected = torch.softmax(torch.tensor(scores), dim=axis).numpy()
        assert rel_error(softmax(scores, axis=axis), expected) < 1e-12
    big = softmax(np.array([[1e4, 1e4 - np.log(3.0)], [-1e4, -1e4]]))
    assert np.all(np.isfinite(big))
    assert np.allclose(big, [[0.75, 0.25], [0.5, 0.5]])


def test_softmax_bad_axis():
    with pytest.raises(ValueError, match="引数 axis"):
        softmax(np.zeros((2, 3)), axis=2)


# ---- softmax_cross_entropy -----------------------------------------------------------------------


@pytest.mark.parametrize("N, C", [(1, 1), (1, 5), (4, 3), (10, 7)])
def test_softmax_cross_entropy_matches_torch(N, C):
    rng = np.random.default_rng(N * 10 + C)
    scores, y = rng.normal(size=(N, C)) * 3, rng.integers(0, C, size=N)
    loss, dscores = softmax_cross_entropy(scores, y)
    expected_loss, expected_grad = _torch_loss_and_grad(F.cross_entropy, scores, torch.tensor(y))
    assert isinstance(loss, float)
    assert abs(loss - expected_loss) < 1e-12 * max(1.0, abs(expected_loss))
    assert rel_error(dscores, expected_grad) < 1e-10


def test_softmax_cross_entropy_numerical_gradient():
    rng = np.random.default_rng(1)
    scores, y = rng.normal(size=(4, 5)), np.array([0, 4, 2, 2])
    _, dscores = softmax_cross_entropy(scores, y)
    num = numerical_gradient(lambda s: softmax_cross_entropy(s, y)[0], scores)
    assert rel_error(dscores, num) < 1e-7


def test_softmax_cross_entropy_large_scores_are_finite():
    loss, dscores = softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0)
    assert np.all(np.isfinite(dscores))


# ---- temporal_softmax_cross_entropy --------------------------------------------------------------


@pytest.mark.parametrize("N, T, V", [(1, 1, 2), (2, 5, 4), (3, 4, 7)])
def test_temporal_cross_entropy_without_mask_matches_torch(N, T, V):
    rng = np.random.default_rng(N + T + V)
    scores, y = rng.normal(size=(N, T, V)), rng.integers(0, V, size=(N, T))
    loss, dscores = temporal_softmax_cross_entropy(scores, y)
    # torch は (N, V, T) の並びを取る。mean は N·T 個の平均
    expected_loss, expected_grad = _torch_loss_and_grad(
        lambda s: F.cross_entropy(s.permute(0, 2, 1), torch.tensor(y)), scores
    )
    assert abs(loss - expected_loss) < 1e-12
    assert rel_error(dscores, expected_grad) < 1e-10


@pytest.mark.parametrize("mask_dtype", [bool, np.int64, np.float64])
def test_temporal_cross_entropy_with_mask_matches_torch_on_selected_entries(mask_dtype):
    rng = np.random.default_rng(3)
    N, T, V = 3, 6, 5
    scores, y = rng.normal(size=(N, T, V)), rng.integers(0, V, size=(N, T))
    lengths = np.array([6, 2, 4])
    mask = np.arange(T)[None, :] < lengths[:, None]
    y_padded = np.where(mask, y, -1)  # 数えない位置はパディング値 −1 でもよい
    loss, dscores = temporal_softmax_cross_entropy(scores, y_padded, mask.astype(mask_dtype))

    s = torch.tensor(scores, requires_grad=True)
    torch_mask = torch.tensor(mask)
    expected = F.cross_entropy(s[torch_mask], torch.tensor(y)[torch_mask])  # 選んだ位置だけの平均
    expected.backward()
    assert abs(loss - expected.item()) < 1e-12
    assert rel_error(dscores, s.grad.numpy()) < 1e-10
    assert np.all(dscores[~mask] == 0)
    # ignore_index を使う書き方とも同じ
    same = F.cross_entropy(torch.tensor(scores).permute(0, 2, 1), torch.tensor(y_padded), ignore_index=-1)
    assert abs(loss - same.item()) < 1e-12


def test_temporal_cross_entropy_numerical_gradient():
    rng = np.random.default_rng(4)
    scores, y = rng.normal(size=(2, 3, 4)), rng.integers(0, 4, size=(2, 3))
    mask = np.array([[1, 1, 0], [1, 0, 0]])
    _, dscores = temporal_softmax_cross_entropy(scores, y, mask)
    num = numerical_gradient(lambda s: temporal_softmax_cross_entropy(s, y, mask)[0], scores)
    assert rel_error(dscores, num) < 1e-7


def test_temporal_cross_entropy_equals_flat_version():
    rng = np.random.default_rng(5)
    scores, y = rng.normal(size=(2, 3, 4)), rng.integers(0, 4, size=(2, 3))
    loss, dscores = temporal_softmax_cross_entropy(scores, y)
    flat_loss, flat_d = softmax_cross_entropy(scores.reshape(6, 4), y.reshape(6))
    assert loss == pytest.approx(flat_loss, rel=1e-14)
    assert rel_error(dscores.reshape(6, 4), flat_d) < 1e-12


def test_float32_scores_give_float32_gradient():
    _, d = softmax_cross_entropy(np.zeros((2, 3), np.float32), np.array([0, 1]))
    assert d.dtype == np.float32
    _, d = temporal_softmax_cross_entropy(np.zeros((2, 3, 4), np.float32), np.zeros((2, 3), int), np.ones((2, 3)))
    assert d.dtype == np.float32


# ---- 引数の検査 ----------------------------------------------------------------------------------


def test_label_out_of_range_names_the_value():
    with pytest.raises(ValueError, match=r"0 … 2 \(C = 3\).*y\[1\] = 3"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"y\[0\] = -1"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([-1, 0]))
    with pytest.raises(ValueError, match=r"0 … 3 \(V = 4\).*y\[1, 2\] = 7"):
        temporal_softmax_cross_entropy(np.zeros((2, 3, 4)), np.array([[0, 0, 0], [0, 0, 7]]))
    # マスクで数える位置にあれば、やはりエラー
    with pytest.raises(ValueError, match=r"y\[0, 1\] = -1"):
        temporal_softmax_cross_entropy(np.zeros((1, 2, 4)), np.array([[0, -1]]), np.array([[1, 1]]))


@pytest.mark.parametrize("bad, error", [
    (np.array([0.0, 1.0]), "dtype=float64"),
    (None, "None"),
    ("01", "文字列"),
    (torch.tensor([0, 1]), "PyTorch"),
    (np.array([True, False]), "dtype=bool"),
])
def test_labels_must_be_integers(bad, error):
    with pytest.raises(TypeError, match="引数 y") as excinfo:
        softmax_cross_entropy(np.zeros((2, 3)), bad)
    assert error in str(excinfo.value)


def test_label_and_score_shapes():
    with pytest.raises(ShapeError, match=r"引数 y の形は \(N\) = \(2\)"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ShapeError, match=r"引数 scores は 2 次元の配列 \(N, C\)"):
        softmax_cross_entropy(np.zeros((2, 3, 4)), np.array([0, 1]))
    with pytest.raises(ShapeError, match=r"引数 y の形は \(N, T\) = \(2, 3\)"):
        temporal_softmax_cross_entropy(np.zeros((2, 3, 4)), np.zeros((3, 2), int))


def test_mask_checks():
    scores, y = np.zeros((2, 3, 4)), np.zeros((2, 3), int)
    with pytest.raises(ShapeError, match=r"引数 mask の形は \(N, T\) = \(2, 3\)"):
        temporal_softmax_cross_entropy(scores, y, np.ones((3, 2), bool))
    with pytest.raises(ValueError, match="引数 mask は True/False.*0.5"):
        temporal_softmax_cross_entropy(scores, y, np.full((2, 3), 0.5))
    with pytest.raises(ValueError, match="数える位置が 1 つもありません"):
        temporal_softmax_cross_entropy(scores, y, np.zeros((2, 3), bool))
    with pytest.raises(TypeError, match="引数 mask に PyTorch"):
        temporal_softmax_cross_entropy(scores, y, torch.ones(2, 3))


def test_empty_batch_is_an_error():
    with pytest.raises(ValueError, match="N = 0"):
        softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, int))


# ---- mse_loss ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1,), (4, 3), (2, 5, 1)])
def test_mse_loss_matches_torch(shape):
    rng = np.random.default_rng(len(shape))
    pred, target = rng.normal(size=shape), rng.normal(size=shape)
    loss, dpred = mse_loss(pred, target)
    expected_loss, expected_grad = _torch_loss_and_grad(F.mse_loss, pred, torch.tensor(target))
    assert abs(loss - expected_loss) < 1e-12
    assert rel_error(dpred, expected_grad) < 1e-12
    num = numerical_gradient(lambda p: mse_loss(p, target)[0], pred)
    assert rel_error(dpred, num) < 1e-7


def test_mse_loss_checks():
    with pytest.raises(ShapeError, match=r"引数 target の形は pred と同じ \(2, 3\).*\(3, 2\)"):
        mse_loss(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(TypeError, match="引数 pred"):
        mse_loss(None, np.zeros(2))
    with pytest.raises(ValueError, match="要素が 1 つもありません"):
        mse_loss(np.zeros(0), np.zeros(0))
