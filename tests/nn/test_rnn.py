"""rnncourse.nn.rnn: torch.nn.RNN / nn.RNNCell との一致 (順伝播・逆伝播)、数値微分、dtype、引数の検査。"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.models.interop import load_weights_into_torch, rnn_weights_from_torch
from rnncourse.nn.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from rnncourse.shapes import ShapeError

TOL = 1e-7


def _random_problem(rng, N, T, D, H):
    x = rng.normal(size=(N, T, D))
    h0 = rng.normal(size=(N, H))
    W_xh = rng.normal(size=(H, D)) / np.sqrt(D)
    W_hh = rng.normal(size=(H, H)) / np.sqrt(H)
    b_h = rng.normal(size=H) * 0.1
    return x, h0, W_xh, W_hh, b_h


def _torch_rnn(x, h0, W_xh, W_hh, b_h, dh):
    """torch.nn.RNN に同じ重みを写し、出力 h と、上流勾配 dh を流したときの勾配を返す。"""
    H, D = W_xh.shape
    rnn = torch.nn.RNN(D, H, batch_first=True, dtype=torch.float64)
    load_weights_into_torch(rnn, W_xh, W_hh, b_h)
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)  # torch は (層の数, N, H)
    out, h_n = rnn(xt, h0t)
    out.backward(torch.tensor(dh))
    grads = (xt.grad.numpy(), h0t.grad[0].numpy(), rnn.weight_ih_l0.grad.numpy(),
             rnn.weight_hh_l0.grad.numpy(), rnn.bias_ih_l0.grad.numpy())
    return out.detach().numpy(), h_n[0].detach().numpy(), grads


def _check_against_torch(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    x, h0, W_xh, W_hh, b_h = _random_problem(rng, N, T, D, H)
    dh = rng.normal(size=(N, T, H))
    h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)
    grads = rnn_backward(dh, cache)
    out, h_n, expected = _torch_rnn(x, h0, W_xh, W_hh, b_h, dh)
    assert h.shape == (N, T, H)
    assert rel_error(h, out) < TOL
    assert rel_error(h[:, -1], h_n) < TOL
    for name, ours, theirs in zip(("dx", "dh0", "dW_xh", "dW_hh", "db_h"), grads, expected):
        assert ours.shape == theirs.shape, name
        assert rel_error(ours, theirs) < TOL, name


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(
    N=st.integers(1, 4), T=st.integers(1, 6), D=st.integers(1, 5), H=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_rnn_matches_torch_random_shapes(N, T, D, H, seed):
    _check_against_torch(N, T, D, H, seed)


@pytest.mark.parametrize("N, T, D, H", [(3, 1, 4, 5), (1, 7, 3, 2), (1, 1, 1, 1)])
def test_rnn_matches_torch_edge_cases(N, T, D, H):
    _check_against_torch(N, T, D, H, seed=N + T + D + H)


def test_weights_taken_from_torch_give_same_output():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(3, 4, batch_first=True, dtype=torch.float64)  # bias_ih と bias_hh はどちらも 0 でない
    x, h0 = np.random.default_rng(0).normal(size=(2, 5, 3)), np.zeros((2, 4))
    h, _ = rnn_forward(x, h0, *rnn_weights_from_torch(rnn))
    out, _ = rnn(torch.tensor(x))
    assert rel_error(h, out.detach().numpy()) < TOL


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(N=st.integers(1, 4), D=st.integers(1, 5), H=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_rnn_step_matches_torch_rnn_cell(N, D, H, seed):
    rng = np.random.default_rng(seed)
    x, h_prev, W_xh, W_hh, b_h = _random_problem(rng, N, 1, D, H)
    x_t = x[:, 0]
    dh_t = rng.normal(size=(N, H))
    h_t, cache = rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h)
    grads = rnn_step_backward(dh_t, cache)

    cell = torch.nn.RNNCell(D, H, dtype=torch.float64)
    with torch.no_grad():  # RNNCell は interop の対象外なので直接写す
        cell.weight_ih.copy_(torch.tensor(W_xh))
        cell.weight_hh.copy_(torch.tensor(W_hh))
        cell.bias_ih.copy_(torch.tensor(b_h))
        cell.bias_hh.zero_()
    xt, ht = torch.tensor(x_t, requires_grad=True), torch.tensor(h_prev, requires_grad=True)
    out = cell(xt, ht)
    out.backward(torch.tensor(dh_t))
    expected = (xt.grad, ht.grad, cell.weight_ih.grad, cell.weight_hh.grad, cell.bias_ih.grad)
    assert rel_error(h_t, out.detach().numpy()) < TOL
    for ours, theirs in zip(grads, expected):
        assert rel_error(ours, theirs.numpy()) < TOL


def test_step_forward_equals_one_step_of_sequence():
    rng = np.random.default_rng(3)
    x, h0, W_xh, W_hh, b_h = _random_problem(rng, 2, 3, 4, 5)
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    h_prev = h0
    for t in range(3):
        h_prev, _ = rnn_step_forward(x[:, t], h_prev, W_xh, W_hh, b_h)
        assert rel_error(h_prev, h[:, t]) < 1e-12


def test_rnn_step_backward_numerical_gradient():
    rng = np.random.default_rng(4)
    x, h_prev, W_xh, W_hh, b_h = _random_problem(rng, 3, 1, 4, 5)
    x_t, dh_t = x[:, 0].copy(), rng.normal(size=(3, 5))
    _, cache = rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h)
    dx_t, dh_prev, dW_xh, dW_hh, db_h = rnn_step_backward(dh_t, cache)
    inputs = [x_t, h_prev, W_xh, W_hh, b_h]
    for i, analytic in enumerate((dx_t, dh_prev, dW_xh, dW_hh, db_h)):
        def f(v, i=i):
            args = list(inputs)
            args[i] = v
            return rnn_step_forward(*args)[0]

        assert rel_error(analytic, numerical_gradient(f, inputs[i], dh_t)) < TOL, i


def test_rnn_backward_numerical_gradient():
    rng = np.random.default_rng(5)
    inputs = list(_random_problem(rng, 2, 4, 3, 4))
    dh = rng.normal(size=(2, 4, 4))
    _, cache = rnn_forward(*inputs)
    analytic = rnn_backward(dh, cache)
    for i in range(5):
        def f(v, i=i):
            args = list(inputs)
            args[i] = v
            return rnn_forward(*args)[0]

        assert rel_error(analytic[i], numerical_gradient(f, inputs[i], dh)) < TOL, i


def test_float32_in_float32_out():
    rng = np.random.default_rng(6)
    inputs = [a.astype(np.float32) for a in _random_problem(rng, 2, 3, 4, 5)]
    h, cache = rnn_forward(*inputs)
    assert h.dtype == np.float32
    assert all(g.dtype == np.float32 for g in rnn_backward(np.ones_like(h), cache))
    x, h0, W_xh, W_hh, b_h = inputs
    h_t, cache = rnn_step_forward(x[:, 0], h0, W_xh, W_hh, b_h)
    assert h_t.dtype == np.float32
    assert all(g.dtype == np.float32 for g in rnn_step_backward(np.ones_like(h_t), cache))


def test_integer_inputs_become_float64():
    h, _ = rnn_forward(np.ones((1, 2, 3), int), np.zeros((1, 4), int), np.zeros((4, 3), int), np.zeros((4, 4), int), [0, 0, 0, 0])
    assert h.dtype == np.float64


# ---- 引数の検査 ----------------------------------------------------------------------------------

N, T, D, H = 2, 3, 4, 5
GOOD = {"x": np.zeros((N, T, D)), "h0": np.zeros((N, H)), "W_xh": np.zeros((H, D)), "W_hh": np.zeros((H, H)), "b_h": np.zeros(H)}


def _call_forward(**overrides):
    args = {**GOOD, **overrides}
    return rnn_forward(args["x"], args["h0"], args["W_xh"], args["W_hh"], args["b_h"])


@pytest.mark.parametrize("name, bad, pattern", [
    ("h0", np.zeros((N + 1, H)), r"引数 h0 の形は \(N, H\) = \(2, \?\) のはずですが、\(3, 5\) が渡されました。N = 2 は x から決まっています"),
    ("W_xh", np.zeros((H, D + 1)), r"引数 W_xh の形は \(H, D\) = \(5, 4\) のはずですが、\(5, 5\)"),
    ("W_hh", np.zeros((H, H + 1)), r"引数 W_hh の形は \(H, H\) = \(5, 5\) のはずですが、\(5, 6\)"),
    ("b_h", np.zeros(H + 2), r"引数 b_h の形は \(H\) = \(5\) のはずですが、\(7,\)"),
    ("x", np.zeros((N, D)), r"引数 x は 3 次元の配列 \(N, T, D\) = \(\?, \?, \?\) のはずですが、2 次元の形 \(2, 4\)"),
    ("b_h", np.zeros((1, H)), r"引数 b_h は 1 次元の配列 \(H\) = \(5\) のはずですが、2 次元"),
])
def test_forward_shape_errors(name, bad, pattern):
    with pytest.raises(ShapeError, match=pattern):
        _call_forward(**{name: bad})


@pytest.mark.parametrize("name", ["x", "h0", "W_xh", "W_hh", "b_h"])
@pytest.mark.parametrize("bad, pattern", [
    (None, "が None です"),
    ("abc", "文字列 'abc'"),
    (torch.zeros(2), "PyTorch のテンソル"),
])
def test_forward_type_errors_name_the_argument(name, bad, pattern):
    with pytest.raises(TypeError, match=f"引数 {name} ") as excinfo:
        _call_forward(**{name: bad})
    assert pattern in str(excinfo.value)


def test_step_forward_checks():
    with pytest.raises(ShapeError, match=r"引数 h_prev の形は \(N, H\) = \(2, \?\)"):
        rnn_step_forward(np.zeros((2, 3)), np.zeros((3, 4)), np.zeros((4, 3)), np.zeros((4, 4)), np.zeros(4))
    with pytest.raises(ShapeError, match=r"引数 x_t は 2 次元の配列 \(N, D\)"):
        rnn_step_forward(np.zeros((2, 1, 3)), np.zeros((2, 4)), np.zeros((4, 3)), np.zeros((4, 4)), np.zeros(4))
    with pytest.raises(TypeError, match="引数 W_hh に PyTorch"):
        rnn_step_forward(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((4, 3)), torch.zeros(4, 4), np.zeros(4))


def test_backward_checks_upstream_gradient():
    _, cache = _call_forward()
    with pytest.raises(ShapeError, match=r"引数 dh の形は \(N, T, H\) = \(2, 3, 5\) のはずですが、\(2, 5, 3\)"):
        rnn_backward(np.zeros((N, H, T)), cache)
    with pytest.raises(TypeError, match="引数 dh が None"):
        rnn_backward(None, cache)
    _, step_cache = rnn_step_forward(np.zeros((N, D)), np.zeros((N, H)), GOOD["W_xh"], GOOD["W_hh"], GOOD["b_h"])
    with pytest.raises(ShapeError, match=r"引数 dh_t の形は \(N, H\) = \(2, 5\).*呼び出し側の指定"):
        rnn_step_backward(np.zeros((N, H + 1)), step_cache)


@pytest.mark.parametrize("module", ["rnn", "lstm", "gru"])
def test_empty_sequence_is_refused(module):
    import importlib

    from rnncourse.shapes import ShapeError

    mod = importlib.import_module(f"rnncourse.nn.{module}")
    H, D = 2, 3
    k = {"rnn": 1, "lstm": 4, "gru": 3}[module]
    x, h0 = np.zeros((1, 0, D)), np.zeros((1, H))
    weights = [np.zeros((k * H, D)), np.zeros((k * H, H)), np.zeros(k * H)]
    args = {"rnn": [x, h0, *weights], "lstm": [x, h0, h0, *weights], "gru": [x, h0, *weights, np.zeros(k * H)]}[module]
    with pytest.raises(ShapeError, match="T が 0"):
        getattr(mod, f"{module}_forward")(*args)


def test_mixed_precision_is_not_narrowed():
    h, _ = rnn_forward(
        np.ones((1, 2, 3), np.float32), np.ones((1, 4)), np.ones((4, 3), np.float32),
        np.ones((4, 4), np.float32), np.ones(4, np.float32),
    )
    assert h.dtype == np.float64
