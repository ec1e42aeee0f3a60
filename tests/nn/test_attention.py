"""rnncourse.nn.attention: torch (scaled_dot_product_attention と autograd) との一致、数値微分、マスク、引数の検査。"""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.nn.attention import attention_backward, attention_forward
from rnncourse.shapes import ShapeError

TOL = 1e-7


def _inputs(N: int, T: int, H: int, seed: int, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    s, h, dc = scale * rng.normal(size=(N, H)), scale * rng.normal(size=(N, T, H)), rng.normal(size=(N, H))
    lengths = rng.integers(1, T + 1, size=N)
    mask = np.arange(T)[None, :] < lengths[:, None]  # 例ごとに長さの違う、末尾が詰め物のマスク
    return s, h, dc, mask


def _torch_attention(s: torch.Tensor, h: torch.Tensor, mask: torch.Tensor):
    """式をそのまま torch で書いたもの (注意の重みも返す)。"""
    e = (h @ s[:, :, None])[:, :, 0] / h.shape[-1] ** 0.5
    alpha = e.masked_fill(~mask, float("-inf")).softmax(dim=1)
    return (alpha[:, None, :] @ h)[:, 0], alpha


def _compare_with_torch(N: int, T: int, H: int, seed: int, scale: float = 1.0) -> None:
    s, h, dc, mask = _inputs(N, T, H, seed, scale)
    c, alpha, cache = attention_forward(s, h, mask)
    ds, dh = attention_backward(dc, cache)

    st_, ht = (torch.tensor(a, requires_grad=True) for a in (s, h))
    c_t, alpha_t = _torch_attention(st_, ht, torch.tensor(mask))
    (c_t * torch.tensor(dc)).sum().backward()
    # torch.nn.functional の実装 (q = s, k = v = h。bool のマスクは True の位置に注意を向ける)
    c_sdpa = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(s)[:, None, :], torch.tensor(h), torch.tensor(h), attn_mask=torch.tensor(mask)[:, None, :]
    )[:, 0]

    assert rel_error(c, c_t.detach().numpy()) < TOL
    assert rel_error(c, c_sdpa.numpy()) < TOL
    assert rel_error(alpha, alpha_t.detach().numpy()) < TOL
    assert ds.shape == s.shape and dh.shape == h.shape
    assert rel_error(ds, st_.grad.numpy()) < TOL
    assert rel_error(dh, ht.grad.numpy()) < TOL


@settings(max_examples=30, deadline=None, database=None)
@given(
    N=st.integers(1, 4), T=st.integers(1, 7), H=st.integers(1, 5), seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.1, 1.0, 3.0]),
)
def test_matches_torch_random_shapes_and_masks(N, T, H, seed, scale):
    _compare_with_torch(N, T, H, seed, scale)


@pytest.mark.parametrize("N, T, H", [(1, 1, 1), (3, 1, 4), (1, 9, 2), (4, 6, 8)])
def test_matches_torch_edge_shapes(N, T, H):
    _compare_with_torch(N, T, H, seed=N * 100 + T * 10 + H)


@pytest.mark.parametrize("use_mask", [False, True])
def test_backward_matches_numerical_gradient(use_mask):
    s, h, dc, mask = _inputs(3, 5, 4, seed=1)
    mask = mask if use_mask else None
    _, _, cache = attention_forward(s, h, mask)
    ds, dh = attention_backward(dc, cache)
    num_ds = numerical_gradient(lambda s_: attention_forward(s_, h, mask)[0], s, df=dc)
    num_dh = numerical_gradient(lambda h_: attention_forward(s, h_, mask)[0], h, df=dc)
    assert rel_error(ds, num_ds) < TOL
    assert rel_error(dh, num_dh) < TOL


def test_weights_are_a_distribution_and_ignore_padding():
    s, h, dc, mask = _inputs(4, 6, 3, seed=2)
    mask[0] = True  # 詰め物のない例も含める
    c, alpha, cache = attention_forward(s, h, mask)
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(alpha[~mask] == 0.0) and np.all(alpha[mask] > 0.0)
    # 詰め物の時刻の h をどう変えても c は変わらず、そこへの勾配は 0
    h_changed = h.copy()
    h_changed[~mask] = 1e6
    np.testing.assert_array_equal(attention_forward(s, h_changed, mask)[0], c)
    _, dh = attention_backward(dc, cache)
    assert np.all(dh[~mask] == 0.0)


def test_mask_none_equals_all_true_and_accepts_01():
    s, h, _, _ = _inputs(2, 4, 3, seed=3)
    c_none, alpha_none, _ = attention_forward(s, h)
    c_true, alpha_true, _ = attention_forward(s, h, np.ones((2, 4), dtype=bool))
    np.testing.assert_array_equal(c_none, c_true)
    np.testing.assert_array_equal(alpha_none, alpha_true)
    mask01 = [[1, 1, 0, 0], [1, 0, 0, 0]]
    c01, alpha01, _ = attention_forward(s, h, mask01)
    np.testing.assert_array_equal(alpha01[1], [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(c01[1], h[1, 0])  # 本物が 1 つだけなら c はその h


def test_large_scores_do_not_overflow():
    s = np.full((1, 2), 1e3)
    h = np.array([[[1.0, 1.0], [-1.0, -1.0], [0.5, 0.5]]])
    c, alpha, _ = attention_forward(s, h)
    assert np.all(np.isfinite(alpha)) and alpha[0, 0] == pytest.approx(1.0)
    np.testing.assert_allclose(c, h[:, 0])


def test_keeps_float32():
    s, h, dc, mask = _inputs(2, 3, 4, seed=4)
    c, alpha, cache = attention_forward(s.astype(np.float32), h.astype(np.float32), mask)
    ds, dh = attention_backward(dc.astype(np.float32), cache)
    assert {a.dtype for a in (c, alpha, ds, dh)} == {np.dtype(np.float32)}


def test_shape_errors_name_the_argument():
    s, h = np.zeros((2, 4)), np.zeros((2, 5, 4))
    with pytest.raises(ShapeError, match=re.escape("引数 h の形は (N, T, H) = (2, ?, 4) のはずですが、(2, 5, 3)")):
        attention_forward(s, np.zeros((2, 5, 3)))
    with pytest.raises(ShapeError, match="引数 s は 2 次元の配列"):
        attention_forward(np.zeros(4), h)
    with pytest.raises(ShapeError, match="引数 mask の形は"):
        attention_forward(s, h, np.ones((2, 4), dtype=bool))
    with pytest.raises(ShapeError, match="T は 1 以上"):
        attention_forward(s, np.zeros((2, 0, 4)))
    _, _, cache = attention_forward(s, h)
    with pytest.raises(ShapeError, match="引数 dc の形は"):
        attention_backward(np.zeros((2, 3)), cache)


def test_mask_value_errors_are_japanese():
    s, h = np.zeros((2, 4)), np.zeros((2, 3, 4))
    with pytest.raises(ValueError, match=re.escape("mask[1] がすべて False です")):
        attention_forward(s, h, [[True, False, False], [False, False, False]])
    with pytest.raises(ValueError, match="True/False"):
        attention_forward(s, h, [[1, 2, 0], [1, 0, 0]])
    with pytest.raises(TypeError, match="引数 mask に PyTorch のテンソル"):
        attention_forward(s, h, torch.ones(2, 3, dtype=torch.bool))


def test_backward_rejects_a_wrong_cache():
    with pytest.raises(TypeError, match="attention_forward が返した cache"):
        attention_backward(np.zeros((1, 2)), (np.zeros((1, 2)), np.zeros((1, 3, 2)), np.zeros((1, 3))))
