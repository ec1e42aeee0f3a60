"""rnncourse.labs.tbptt: チャンク分け、K = T で完全な BPTT (数値微分)、打ち切りの意味、torch の detach との一致、学習。"""

import doctest

import numpy as np
import pytest
import torch

import rnncourse.labs.tbptt as tbptt_module
from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.models.interop import load_weights_into_torch
from rnncourse.nn.rnn import rnn_forward
from rnncourse.shapes import ShapeError
from rnncourse.data.tasks import lag_task
from rnncourse.labs.tbptt import (
    PARAM_NAMES, init_regressor_params, lag_accuracy, regressor_predict, tbptt_chunks, tbptt_loss_and_grads,
    train_tbptt,
)


def _problem(N=3, T=7, H=4, seed=0):
    rng = np.random.default_rng(seed)
    params = init_regressor_params(2, H, output_size=2, seed=seed)
    x, y = rng.normal(size=(N, T, 2)), rng.normal(size=(N, T, 2))
    return params, x, y


def test_doctests():
    assert doctest.testmod(tbptt_module).failed == 0


@pytest.mark.parametrize("T, K, expected", [
    (10, 4, [(0, 4), (4, 8), (8, 10)]), (6, 3, [(0, 3), (3, 6)]), (5, 9, [(0, 5)]), (3, 1, [(0, 1), (1, 2), (2, 3)]),
])
def test_chunks(T, K, expected):
    assert tbptt_chunks(T, K) == expected


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, None])
def test_chunks_reject_bad_K(bad):
    with pytest.raises((TypeError, ValueError), match="K"):
        tbptt_chunks(5, bad)


@pytest.mark.parametrize("K", [7, 10])
def test_untruncated_gradient_matches_numerical(K):
    params, x, y = _problem()
    _, grads, info = tbptt_loss_and_grads(params, x, y, K)
    assert info.chunks == 1
    for name in PARAM_NAMES:
        numeric = numerical_gradient(lambda _: tbptt_loss_and_grads(params, x, y, K)[0], params[name])
        assert rel_error(numeric, grads[name]) < 1e-7, name


def test_loss_does_not_depend_on_K_but_gradient_does():
    params, x, y = _problem()
    loss_full, grads_full, _ = tbptt_loss_and_grads(params, x, y, 7)
    for K in (1, 2, 3):
        loss, grads, _ = tbptt_loss_and_grads(params, x, y, K)
        assert loss == pytest.approx(loss_full, rel=1e-12)
        assert not np.allclose(grads["W_hh"], grads_full["W_hh"])
        # 出力層はチャンクをまたいで再帰しないので、その勾配は打ち切っても変わらない
        assert rel_error(grads["W_hy"], grads_full["W_hy"]) < 1e-10
        assert rel_error(grads["b_y"], grads_full["b_y"]) < 1e-10


def test_truncated_gradient_is_sum_of_independent_chunks():
    """K で打ち切った勾配 = 各チャンクを (引き継いだ h を定数として) 単独で微分したものの和。"""
    params, x, y = _problem(T=6)
    _, grads, _ = tbptt_loss_and_grads(params, x, y, 3)
    h, _ = rnn_forward(x, np.zeros((3, 4)), params["W_xh"], params["W_hh"], params["b_h"])
    h_carry = h[:, 2]  # 2 つ目のチャンクの初期状態 (定数)

    def chunk_loss(start, end, h0):  # このチャンクの損失 (全体の平均への寄与)。h0 は定数
        hh, _ = rnn_forward(x[:, start:end], h0, params["W_xh"], params["W_hh"], params["b_h"])
        y_hat = hh @ params["W_hy"].T + params["b_y"]
        return np.sum((y_hat - y[:, start:end]) ** 2) / y.size

    for name in PARAM_NAMES:
        numeric = sum(
            numerical_gradient(lambda _: chunk_loss(s, e, h0), params[name])
            for s, e, h0 in [(0, 3, np.zeros((3, 4))), (3, 6, h_carry)]
        )
        assert rel_error(numeric, grads[name]) < 1e-6, name  # 小さな成分があるので 1e-6


def test_matches_torch_with_detach():
    x, y = lag_task(3, T=10, lag=2, seed=0)
    params = init_regressor_params(1, 5, seed=1)
    K = 4
    rnn = torch.nn.RNN(1, 5, batch_first=True, dtype=torch.float64)
    load_weights_into_torch(rnn, params["W_xh"], params["W_hh"], params["b_h"])
    W_hy = torch.tensor(params["W_hy"], requires_grad=True)
    b_y = torch.tensor(params["b_y"], requires_grad=True)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    h = torch.zeros(1, 3, 5, dtype=torch.float64)
    total = 0.0
    for start, end in tbptt_chunks(10, K):
        out, h_last = rnn(xt[:, start:end], h)
        loss = torch.nn.functional.mse_loss(out @ W_hy.T + b_y, yt[:, start:end]) * (end - start) / 10
        loss.backward()
        total += loss.item()
        h = h_last.detach()
    ours_loss, grads, _ = tbptt_loss_and_grads(params, x, y, K)
    assert ours_loss == pytest.approx(total, rel=1e-12)
    torch_grads = {"W_xh": rnn.weight_ih_l0.grad, "W_hh": rnn.weight_hh_l0.grad, "b_h": rnn.bias_ih_l0.grad,
                   "W_hy": W_hy.grad, "b_y": b_y.grad}
    for name in PARAM_NAMES:
        assert rel_error(torch_grads[name].numpy(), grads[name]) < 1e-10, name


@pytest.mark.parametrize("K, chunks, stored, lag", [(1, 12, 1 * 5 * 2, 0), (5, 3, 5 * 5 * 2, 4), (12, 1, 12 * 5 * 2, 11),
                                                    (50, 1, 12 * 5 * 2, 11)])
def test_info_counts(K, chunks, stored, lag):
    rng = np.random.default_rng(0)
    params = init_regressor_params(1, 2, seed=0)
    x, y = rng.normal(size=(5, 12, 1)), rng.normal(size=(5, 12, 1))
    _, _, info = tbptt_loss_and_grads(params, x, y, K)
    assert info == (chunks, stored, 12, lag)


def test_recurrent_scale():
    base = init_regressor_params(1, 4, seed=3)
    zero = init_regressor_params(1, 4, seed=3, recurrent_scale=0.0)
    half = init_regressor_params(1, 4, seed=3, recurrent_scale=0.5)
    assert np.all(zero["W_hh"] == 0) and np.allclose(half["W_hh"], 0.5 * base["W_hh"])
    assert all(np.array_equal(base[k], zero[k]) for k in PARAM_NAMES if k != "W_hh")
    with pytest.raises(TypeError, match="recurrent_scale"):
        init_regressor_params(1, 4, recurrent_scale="0")


def test_lag_learned_only_when_chunk_holds_the_dependency():
    """ラグ 2: K = 1 では学べず、K = 3 では学べる (ノートブックの実験の小さい版)。"""
    x, y = lag_task(64, T=12, lag=2, seed=0)
    x_test, y_test = lag_task(256, T=12, lag=2, seed=1)
    baseline = (12 - 2) / 12
    results = {}
    for K in (1, 3):
        params, losses = train_tbptt(x, y, K, hidden_size=16, steps=100, lr=0.02, seed=0, recurrent_scale=0.0)
        results[K] = (losses[-1] / baseline, lag_accuracy(params, x_test, y_test, lag=2))
    assert results[1][0] > 0.3 and results[1][1] < 0.9
    assert results[3][0] < 0.05 and results[3][1] > 0.99


def test_train_is_deterministic_and_reports_progress():
    x, y = lag_task(8, T=6, lag=1, seed=0)
    calls = []

    class Recorder:
        def update(self, step, **metrics):
            calls.append(step)

    p1, l1 = train_tbptt(x, y, 2, hidden_size=3, steps=4, seed=5, progress=Recorder())
    p2, l2 = train_tbptt(x, y, 2, hidden_size=3, steps=4, seed=5)
    assert l1 == l2 and calls == [1, 2, 3, 4]
    assert all(np.array_equal(p1[k], p2[k]) for k in PARAM_NAMES)


def test_argument_errors_are_japanese():
    params, x, y = _problem()
    with pytest.raises(TypeError, match="辞書"):
        tbptt_loss_and_grads(None, x, y, 2)
    with pytest.raises(ValueError, match="b_y"):
        tbptt_loss_and_grads({k: v for k, v in params.items() if k != "b_y"}, x, y, 2)
    with pytest.raises(ShapeError, match="y"):
        tbptt_loss_and_grads(params, x, y[:, :3], 2)
    with pytest.raises(ValueError, match="K"):
        tbptt_loss_and_grads(params, x, y, 0)
    with pytest.raises(ShapeError, match="y"):
        train_tbptt(x, y[:, :, 0], 2)
    with pytest.raises(ValueError, match="lag"):
        lag_accuracy(params, x, y, lag=7)
