"""rnncourse.labs.classifier: 勾配 (数値微分・torch)、学習、PyTorch の双子との一致、引数の検査。"""

import doctest

import numpy as np
import pytest
import torch

import rnncourse.labs.classifier as classifier_module
from rnncourse.labs.classifier import (
    PARAM_NAMES, TorchTwinClassifier, classifier_accuracy, classifier_forward, classifier_loss_and_grads,
    classifier_predict, init_classifier_params, train_numpy_classifier,
)
from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.nn.optim import SGD, Adam
from rnncourse.shapes import ShapeError
from rnncourse.data.tasks import sequence_classification_task


def _problem(N=6, T=4, D=2, H=3, C=3, seed=0):
    rng = np.random.default_rng(seed)
    params = init_classifier_params(D, H, C, seed=seed)
    x = rng.normal(size=(N, T, D))
    y = rng.integers(0, C, size=N)
    return params, x, y


def test_doctests():
    assert doctest.testmod(classifier_module).failed == 0


def test_init_shapes_range_and_seed():
    params = init_classifier_params(3, 4, 5, seed=1)
    assert tuple(params) == PARAM_NAMES
    assert {k: v.shape for k, v in params.items()} == {
        "W_xh": (4, 3), "W_hh": (4, 4), "b_h": (4,), "W_hy": (5, 4), "b_y": (5,)}
    assert all(np.all(np.abs(v) <= 0.5) and v.dtype == np.float64 for v in params.values())  # 1/√4
    again = init_classifier_params(3, 4, 5, seed=1)
    assert all(np.array_equal(params[k], again[k]) for k in params)
    assert init_classifier_params(1, 2, 2, dtype=np.float32)["W_hh"].dtype == np.float32


@pytest.mark.parametrize("shape", [(6, 4, 2), (1, 1, 2), (3, 1, 2)])
def test_gradients_match_numerical(shape):
    N, T, D = shape
    params, x, y = _problem(N=N, T=T, D=D)
    _, grads = classifier_loss_and_grads(params, x, y)
    for name in PARAM_NAMES:
        numeric = numerical_gradient(lambda _: classifier_loss_and_grads(params, x, y)[0], params[name])
        assert rel_error(numeric, grads[name]) < 1e-7, name


def test_loss_and_gradients_match_torch_twin():
    params, x, y = _problem(seed=3)
    loss, grads = classifier_loss_and_grads(params, x, y)
    model = TorchTwinClassifier(params)
    torch_loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
    torch_loss.backward()
    assert abs(torch_loss.item() - loss) < 1e-12
    torch_grads = {"W_xh": model.rnn.weight_ih_l0.grad, "W_hh": model.rnn.weight_hh_l0.grad,
                   "b_h": model.rnn.bias_ih_l0.grad, "W_hy": model.fc.weight.grad, "b_y": model.fc.bias.grad}
    for name in PARAM_NAMES:
        assert rel_error(torch_grads[name].numpy(), grads[name]) < 1e-10, name
    assert model.rnn.bias_hh_l0.grad is None  # 固定した 2 つ目のバイアスには勾配がない


def test_twin_copies_weights_and_freezes_second_bias():
    params, _, _ = _problem()
    model = TorchTwinClassifier(params)
    exported = model.numpy_params()
    assert all(np.array_equal(exported[k], params[k]) for k in PARAM_NAMES)
    assert not model.rnn.bias_hh_l0.requires_grad
    assert torch.count_nonzero(model.rnn.bias_hh_l0) == 0
    assert all(p.dtype == torch.float64 for p in model.parameters())
    assert sum(p.requires_grad for p in model.parameters()) == 5


@pytest.mark.parametrize("make", [
    (lambda p: SGD(p, lr=0.1, momentum=0.9), lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
    (lambda p: Adam(p, lr=0.01), lambda ps: torch.optim.Adam(ps, lr=0.01)),
])
def test_training_matches_torch_twin_step_for_step(make):
    make_ours, make_torch = make
    x, y = sequence_classification_task(32, T=6, seed=0)
    params = init_classifier_params(1, 5, 2, seed=0)
    model = TorchTwinClassifier(params)
    losses = train_numpy_classifier(params, x, y, make_ours(params), steps=15)
    optimizer = make_torch([p for p in model.parameters() if p.requires_grad])
    torch_losses = []
    for _ in range(15):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        optimizer.step()
        torch_losses.append(loss.item())
    assert np.max(np.abs(np.array(losses) - np.array(torch_losses))) < 1e-10
    final = model.numpy_params()
    assert all(rel_error(final[k], params[k]) < 1e-8 for k in PARAM_NAMES)


def test_training_learns_the_task():
    x, y = sequence_classification_task(128, T=8, seed=0)
    x_test, y_test = sequence_classification_task(256, T=8, seed=1)
    params = init_classifier_params(1, 8, 2, seed=0)
    losses = train_numpy_classifier(params, x, y, Adam(params, lr=0.02), steps=60)
    assert losses[-1] < 0.5 * losses[0]
    assert classifier_accuracy(params, x_test, y_test) > 0.85


def test_progress_is_updated():
    class Recorder:
        def __init__(self):
            self.calls = []

        def update(self, step, **metrics):
            self.calls.append((step, metrics["loss"]))

    params, x, y = _problem()
    recorder = Recorder()
    losses = train_numpy_classifier(params, x, y, SGD(params, lr=0.1), steps=3, progress=recorder)
    assert recorder.calls == [(1, losses[0]), (2, losses[1]), (3, losses[2])]


def test_forward_predict_and_accuracy_shapes():
    params, x, y = _problem(N=5, C=3)
    scores, cache = classifier_forward(params, x)
    assert scores.shape == (5, 3) and cache.rnn.h.shape == (5, 4, 3)
    prediction = classifier_predict(params, x)
    assert prediction.shape == (5,) and prediction.dtype == np.int64
    assert classifier_accuracy(params, x, prediction) == 1.0


def test_argument_errors_are_japanese():
    params, x, y = _problem()
    with pytest.raises(TypeError, match="辞書"):
        classifier_loss_and_grads([1, 2], x, y)
    with pytest.raises(ValueError, match="W_hy"):
        classifier_loss_and_grads({k: v for k, v in params.items() if k != "W_hy"}, x, y)
    bad = dict(params, W_hh=np.zeros((3, 4)))
    with pytest.raises(ShapeError, match="W_hh"):
        classifier_loss_and_grads(bad, x, y)
    with pytest.raises(ShapeError, match="x"):
        classifier_loss_and_grads(params, x[:, :, :1], y)
    with pytest.raises(TypeError, match="整数"):
        classifier_loss_and_grads(params, x, y.astype(float))
    with pytest.raises(ValueError, match="同じ params"):
        train_numpy_classifier(params, x, y, SGD(dict(params), lr=0.1), steps=1)
    with pytest.raises(ValueError, match="steps"):
        train_numpy_classifier(params, x, y, SGD(params, lr=0.1), steps=0)
    with pytest.raises(ValueError, match="num_classes"):
        init_classifier_params(1, 2, 1)
