"""rnncourse.labs.gradient_flow: PyTorch のモデルでの勾配の測定と、勾配消失への対策の実験。"""

import math

import numpy as np
import pytest
import torch

from rnncourse.labs import gradient_flow as gf
from rnncourse.models.interop import load_weights_into_torch
from rnncourse.models.torch_models import SequenceClassifier, make_recurrent
from rnncourse.nn.jacobian import hidden_gradient_norms, recurrent_matrix


def small_rnn(rho=0.9, N=1, T=12, D=3, H=5, seed=0, input_scale=1.0):
    rng = np.random.default_rng(seed)
    W_hh = recurrent_matrix(H, rho, seed=seed)
    W_xh = rng.normal(size=(H, D)) / np.sqrt(D)
    b_h = 0.1 * rng.normal(size=H)
    x = input_scale * rng.normal(size=(N, T, D))
    h0 = 0.1 * rng.normal(size=(N, H))
    return W_hh, W_xh, b_h, x, h0


# --- PyTorch のモデル ------------------------------------------------------------------------------


def test_state_gradient_norms_match_numpy_for_tanh_rnn():
    torch.manual_seed(0)
    rnn = make_recurrent("rnn", 3, 5)
    W_hh, W_xh, b_h, x, _ = small_rnn(rho=1.1, N=2, T=10, D=3, H=5)
    load_weights_into_torch(rnn, W_xh, W_hh, b_h)
    norms = gf.state_gradient_norms(rnn, x)
    expected = hidden_gradient_norms(W_hh, W_xh, b_h, x, np.zeros((2, 5)))
    np.testing.assert_allclose(norms, expected, rtol=1e-4)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_state_gradient_norms_for_gated_cells(cell):
    torch.manual_seed(0)
    norms = gf.state_gradient_norms(make_recurrent(cell, 2, 4), np.ones((3, 7, 2)))
    assert norms.shape == (7,)
    assert norms[0] == pytest.approx(1.0, rel=1e-6)
    assert np.all(norms[1:] > 0)


def test_state_gradient_norms_check_arguments():
    with pytest.raises(TypeError, match="nn.RNN"):
        gf.state_gradient_norms(torch.nn.Linear(2, 2), np.zeros((1, 3, 2)))
    with pytest.raises(ValueError, match="引数 x"):
        gf.state_gradient_norms(make_recurrent("rnn", 2, 3), np.zeros((1, 3, 5)))


@pytest.mark.parametrize("remedy", gf.REMEDIES)
def test_remedy_classifier_builds_working_models(remedy):
    torch.manual_seed(0)
    model = gf.remedy_classifier(remedy, hidden_size=6)
    assert isinstance(model, SequenceClassifier)
    assert model(torch.zeros(2, 5, 1)).shape == (2, 2)
    if remedy == "tanh_orthogonal":
        W = model.rnn.weight_hh_l0.detach().double()
        torch.testing.assert_close(W @ W.T, torch.eye(6, dtype=torch.float64), atol=1e-5, rtol=0)
    if remedy == "relu_identity":
        assert model.rnn.nonlinearity == "relu"
        assert torch.equal(model.rnn.weight_hh_l0, torch.eye(6))
        assert not model.rnn.bias_hh_l0.any() and not model.rnn.bias_ih_l0.any()


def test_remedy_classifier_rejects_unknown_names():
    with pytest.raises(ValueError, match="remedy"):
        gf.remedy_classifier("adam")


def _toy_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 6, 1))
    return x, (x.sum(axis=(1, 2)) > 0).astype(np.int64)


def test_train_sgd_learns_and_reports_unclipped_norms():
    x, y = _toy_data()
    torch.manual_seed(0)
    model = SequenceClassifier(1, 8, 2)
    losses, norms = gf.train_sgd(model, x, y, steps=30, lr=0.5)
    assert len(losses) == len(norms) == 30
    assert losses[-1] < losses[0]
    torch.manual_seed(0)
    _, clipped_norms = gf.train_sgd(SequenceClassifier(1, 8, 2), x, y, steps=1, lr=0.5, clip_norm=1e-3)
    assert clipped_norms[0] == pytest.approx(norms[0], rel=1e-6)  # 報告するのはクリップ前の値


def test_train_sgd_clip_norm_bounds_each_update():
    x, y = _toy_data()
    torch.manual_seed(1)
    model = SequenceClassifier(1, 8, 2)
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    gf.train_sgd(model, x, y, steps=1, lr=1.0, clip_norm=0.01)
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert float(torch.linalg.vector_norm(after - before)) <= 0.01 * (1 + 1e-4)  # ‖Δθ‖ = lr · ‖g‖ ≤ 0.01


def test_train_sgd_clip_value_bounds_each_element():
    x, y = _toy_data()
    torch.manual_seed(1)
    model = SequenceClassifier(1, 8, 2)
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    gf.train_sgd(model, x, y, steps=1, lr=1.0, clip_value=0.001)
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert float((after - before).abs().max()) <= 0.001 * (1 + 1e-4)


def test_train_sgd_stops_on_nan():
    x, y = _toy_data()
    torch.manual_seed(0)
    model = SequenceClassifier(1, 4, 2)
    with torch.no_grad():
        model.fc.weight.fill_(float("nan"))
    losses, norms = gf.train_sgd(model, x, y, steps=5, lr=0.1)
    assert len(losses) == 5 and all(math.isnan(v) for v in losses)


def test_remedy_memory_accuracy_default_equals_memory_task_accuracy():
    from rnncourse.labs.experiments import memory_task_accuracy

    kwargs = dict(T=6, seed=1, hidden_size=6, steps=5, n_train=16, n_test=32)
    assert gf.remedy_memory_accuracy("tanh_default", **kwargs) == memory_task_accuracy("rnn", **kwargs)
    assert 0.0 <= gf.remedy_memory_accuracy("relu_identity", **kwargs) <= 1.0
