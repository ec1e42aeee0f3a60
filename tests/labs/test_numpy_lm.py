"""rnncourse.labs.numpy_lm: 数値微分、PyTorch の CharLanguageModel との一致 (損失・勾配・学習の経過)、引数の検査。"""

import doctest

import numpy as np
import pytest
import torch

import rnncourse.labs.numpy_lm as module_under_test
from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.models.language_model import CharLanguageModel, evaluate_loss, train_language_model
from rnncourse.labs.numpy_lm import (
    init_numpy_lm, numpy_lm_evaluate, numpy_lm_loss, numpy_lm_params_from_torch, train_numpy_lm,
)
from rnncourse.shapes import ShapeError


@pytest.fixture(autouse=True)
def _one_thread():
    # 小さなテンソルでは 1 スレッドが速く、共有マシンの負荷にも左右されにくい
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)


def _problem(embed_size, seed=0, N=2, T=4, V=5, H=3):
    rng = np.random.default_rng(seed)
    params = init_numpy_lm(V, H, embed_size=embed_size, rng=rng)
    x = rng.integers(0, V, size=(N, T))
    y = rng.integers(0, V, size=(N, T))
    h0 = rng.normal(size=(N, H)) * 0.5
    return params, x, y, h0


def test_init_shapes_and_dtypes():
    p = init_numpy_lm(10, 6, embed_size=4, rng=np.random.default_rng(0))
    shapes = {key: value.shape for key, value in p.items()}
    assert shapes == {"W_embed": (10, 4), "W_xh": (6, 4), "W_hh": (6, 6), "b_ih": (6,), "b_hh": (6,),
                      "W_hy": (10, 6), "b_y": (10,)}
    assert all(v.dtype == np.float64 for v in p.values())
    assert np.all(np.abs(p["W_hh"]) <= 1 / np.sqrt(6))
    one_hot = init_numpy_lm(10, 6, rng=np.random.default_rng(0))
    assert "W_embed" not in one_hot and one_hot["W_xh"].shape == (6, 10)
    assert init_numpy_lm(3, 2, rng=np.random.default_rng(0), dtype=np.float32)["W_hh"].dtype == np.float32
    with pytest.raises(TypeError, match="rng"):
        init_numpy_lm(3, 2)


@pytest.mark.parametrize("embed_size", [None, 3])
def test_gradients_match_numerical(embed_size):
    params, x, y, h0 = _problem(embed_size)
    loss, grads, h_last = numpy_lm_loss(params, x, y, h0)
    assert set(grads) == set(params)
    for key in params:
        def f(_):
            return numpy_lm_loss(params, x, y, h0).loss

        numeric = numerical_gradient(f, params[key])
        assert rel_error(numeric, grads[key]) < 1e-6, key
    np.testing.assert_array_equal(grads["b_ih"], grads["b_hh"])


def _torch_model_and_params(V=7, E=3, H=5, seed=0):
    torch.manual_seed(seed)
    model = CharLanguageModel(V, E, H, cell="rnn").double()
    return model, numpy_lm_params_from_torch(model)


def test_loss_and_gradients_match_torch():
    model, params = _torch_model_and_params()
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 7, size=(3, 6)), rng.integers(0, 7, size=(3, 6))
    h0 = rng.normal(size=(3, 5)) * 0.3
    logits, h_n = model(torch.from_numpy(x), torch.from_numpy(h0[None]))
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 7), torch.from_numpy(y).reshape(-1))
    loss.backward()
    result = numpy_lm_loss(params, x, y, h0)
    assert result.loss == pytest.approx(loss.item(), abs=1e-12)
    np.testing.assert_allclose(result.h_last, h_n[0].detach().numpy(), atol=1e-12)
    torch_grads = {"W_embed": model.embedding.weight.grad, "W_xh": model.rnn.weight_ih_l0.grad,
                   "W_hh": model.rnn.weight_hh_l0.grad, "b_ih": model.rnn.bias_ih_l0.grad,
                   "b_hh": model.rnn.bias_hh_l0.grad, "W_hy": model.fc.weight.grad, "b_y": model.fc.bias.grad}
    for key, grad in torch_grads.items():
        np.testing.assert_allclose(result.grads[key], grad.numpy(), atol=1e-12, err_msg=key)


def test_training_curve_matches_torch_under_equal_settings():
    text_ids = np.random.default_rng(2).integers(0, 7, size=200)
    model, params = _torch_model_and_params()
    settings = dict(batch_size=4, seq_len=6, epochs=2, lr=0.01, clip=0.5, max_steps=12)
    torch_losses = train_language_model(model, text_ids, **settings).train_loss
    numpy_losses = train_numpy_lm(params, text_ids, **settings)
    assert len(numpy_losses) == 12
    np.testing.assert_allclose(numpy_losses, torch_losses, atol=1e-10)
    after = numpy_lm_params_from_torch(model)
    for key in params:
        np.testing.assert_allclose(params[key], after[key], atol=1e-9, err_msg=key)
    assert numpy_lm_evaluate(params, text_ids[:50], seq_len=7) == pytest.approx(evaluate_loss(model, text_ids[:50]))


def test_evaluate_is_independent_of_chunk_length():
    params, _, _, _ = _problem(None)
    ids = np.random.default_rng(4).integers(0, 5, size=40)
    values = [numpy_lm_evaluate(params, ids, seq_len=s) for s in (1, 5, 39, 100)]
    assert np.allclose(values, values[0], atol=1e-12)


def test_one_hot_training_lowers_the_loss():
    params = init_numpy_lm(5, 8, rng=np.random.default_rng(0))
    ids = np.arange(120) % 5
    losses = train_numpy_lm(params, ids, batch_size=4, seq_len=5, epochs=10, lr=0.02)
    assert losses[-1] < 0.3 * losses[0]


def test_bad_arguments():
    params, x, y, h0 = _problem(3)
    with pytest.raises(ValueError, match="W_hh"):
        numpy_lm_loss({k: v for k, v in params.items() if k != "W_hh"}, x, y, h0)
    with pytest.raises(TypeError, match="辞書"):
        numpy_lm_loss([1, 2], x, y, h0)
    with pytest.raises(ShapeError, match="y"):
        numpy_lm_loss(params, x, y[:, :2], h0)
    with pytest.raises(IndexError):
        numpy_lm_loss(params, x + 10, y, h0)
    with pytest.raises(ShapeError, match="h0"):
        numpy_lm_loss(params, x, y, h0[:, :2])
    with pytest.raises(ShapeError):
        numpy_lm_evaluate(params, np.array([1]))
    with pytest.raises(TypeError, match="cell='rnn'"):
        numpy_lm_params_from_torch(CharLanguageModel(5, 3, 4, cell="lstm"))


def test_doctests():
    assert doctest.testmod(module_under_test).failed == 0
