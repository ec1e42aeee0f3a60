"""rnncourse.nn.affine: torch.nn.functional.linear との一致、数値微分、形の検査。"""

import numpy as np
import pytest
import torch

from rnncourse.nn.affine import (
    affine_backward, affine_forward, temporal_affine_backward, temporal_affine_forward,
)
from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.shapes import ShapeError


def _torch_linear(x, W, b, dy):
    """torch で y = x Wᵀ + b と、上流勾配 dy を流したときの (y, dx, dW, db) を求める。"""
    xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    y = torch.nn.functional.linear(xt, Wt, bt)
    y.backward(torch.tensor(dy))
    return y.detach().numpy(), xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


@pytest.mark.parametrize("N, D, M", [(1, 1, 1), (3, 4, 5), (7, 2, 3)])
def test_affine_matches_torch(N, D, M):
    rng = np.random.default_rng(N * 100 + D * 10 + M)
    x, W, b = rng.normal(size=(N, D)), rng.normal(size=(M, D)), rng.normal(size=M)
    dy = rng.normal(size=(N, M))
    y, cache = affine_forward(x, W, b)
    grads = affine_backward(dy, cache)
    expected = _torch_linear(x, W, b, dy)
    for ours, theirs in zip((y, *grads), expected):
        assert ours.shape == theirs.shape
        assert rel_error(ours, theirs) < 1e-10


@pytest.mark.parametrize("N, T, H, V", [(1, 1, 1, 1), (2, 5, 3, 4), (3, 2, 4, 6)])
def test_temporal_affine_matches_torch(N, T, H, V):
    rng = np.random.default_rng(N + T + H + V)
    h, W_hy, b_y = rng.normal(size=(N, T, H)), rng.normal(size=(V, H)), rng.normal(size=V)
    dy = rng.normal(size=(N, T, V))
    y, cache = temporal_affine_forward(h, W_hy, b_y)
    grads = temporal_affine_backward(dy, cache)
    expected = _torch_linear(h, W_hy, b_y, dy)
    for ours, theirs in zip((y, *grads), expected):
        assert ours.shape == theirs.shape
        assert rel_error(ours, theirs) < 1e-10


def test_affine_numerical_gradient():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=5)
    dy = rng.normal(size=(3, 5))
    _, cache = affine_forward(x, W, b)
    dx, dW, db = affine_backward(dy, cache)
    assert rel_error(dx, numerical_gradient(lambda v: affine_forward(v, W, b)[0], x, dy)) < 1e-7
    assert rel_error(dW, numerical_gradient(lambda v: affine_forward(x, v, b)[0], W, dy)) < 1e-7
    assert rel_error(db, numerical_gradient(lambda v: affine_forward(x, W, v)[0], b, dy)) < 1e-7


def test_temporal_affine_numerical_gradient():
    rng = np.random.default_rng(1)
    h, W_hy, b_y = rng.normal(size=(2, 3, 4)), rng.normal(size=(5, 4)), rng.normal(size=5)
    dy = rng.normal(size=(2, 3, 5))
    _, cache = temporal_affine_forward(h, W_hy, b_y)
    dh, dW_hy, db_y = temporal_affine_backward(dy, cache)
    f = temporal_affine_forward
    assert rel_error(dh, numerical_gradient(lambda v: f(v, W_hy, b_y)[0], h, dy)) < 1e-7
    assert rel_error(dW_hy, numerical_gradient(lambda v: f(h, v, b_y)[0], W_hy, dy)) < 1e-7
    assert rel_error(db_y, numerical_gradient(lambda v: f(h, W_hy, v)[0], b_y, dy)) < 1e-7


def test_temporal_affine_equals_affine_per_time_step():
    rng = np.random.default_rng(2)
    h, W_hy, b_y = rng.normal(size=(2, 3, 4)), rng.normal(size=(5, 4)), rng.normal(size=5)
    y, _ = temporal_affine_forward(h, W_hy, b_y)
    for t in range(3):
        assert rel_error(y[:, t], affine_forward(h[:, t], W_hy, b_y)[0]) < 1e-12


def test_float32_stays_float32():
    x, W, b = (np.ones(s, dtype=np.float32) for s in ((2, 3), (4, 3), (4,)))
    y, cache = affine_forward(x, W, b)
    assert y.dtype == np.float32
    assert all(g.dtype == np.float32 for g in affine_backward(np.ones((2, 4), np.float32), cache))
    h = np.ones((2, 5, 3), dtype=np.float32)
    y, cache = temporal_affine_forward(h, W, b)
    assert y.dtype == np.float32
    assert all(g.dtype == np.float32 for g in temporal_affine_backward(np.ones((2, 5, 4), np.float32), cache))


def test_shape_errors_name_argument_and_shape():
    x, W, b = np.ones((2, 3)), np.ones((4, 3)), np.ones(4)
    with pytest.raises(ShapeError, match=r"引数 W の形は \(M, D\) = \(\?, 3\)"):
        affine_forward(x, np.ones((4, 2)), b)
    with pytest.raises(ShapeError, match=r"引数 b の形は \(M\) = \(4\)"):
        affine_forward(x, W, np.ones(5))
    with pytest.raises(ShapeError, match=r"引数 x は 2 次元の配列"):
        affine_forward(np.ones((2, 3, 1)), W, b)
    _, cache = affine_forward(x, W, b)
    with pytest.raises(ShapeError, match=r"引数 dy の形は \(N, M\) = \(2, 4\)"):
        affine_backward(np.ones((4, 2)), cache)
    with pytest.raises(ShapeError, match=r"引数 W_hy の形は \(V, H\) = \(\?, 3\)"):
        temporal_affine_forward(np.ones((2, 5, 3)), np.ones((4, 2)), b)
    with pytest.raises(ShapeError, match=r"引数 h は 3 次元の配列 \(N, T, H\)"):
        temporal_affine_forward(x, W, b)
    _, cache = temporal_affine_forward(np.ones((2, 5, 3)), W, b)
    with pytest.raises(ShapeError, match=r"引数 dy の形は \(N, T, V\) = \(2, 5, 4\)"):
        temporal_affine_backward(np.ones((2, 5, 3)), cache)


@pytest.mark.parametrize("bad", [None, "x", torch.ones(2, 3)])
def test_type_errors_name_argument(bad):
    with pytest.raises(TypeError, match="引数 x"):
        affine_forward(bad, np.ones((4, 3)), np.ones(4))
