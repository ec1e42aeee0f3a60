"""rnncourse.nn.jacobian: ヤコビ行列とその積、スカラーの鎖、スペクトル半径、勾配ノルムと傾き。"""

import math

import numpy as np
import pytest

from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.nn import jacobian as jac
from rnncourse.nn.rnn import rnn_backward, rnn_forward
from rnncourse.shapes import ShapeError


def small_rnn(rho=0.9, N=1, T=12, D=3, H=5, seed=0, input_scale=1.0):
    rng = np.random.default_rng(seed)
    W_hh = jac.recurrent_matrix(H, rho, seed=seed)
    W_xh = rng.normal(size=(H, D)) / np.sqrt(D)
    b_h = 0.1 * rng.normal(size=H)
    x = input_scale * rng.normal(size=(N, T, D))
    h0 = 0.1 * rng.normal(size=(N, H))
    return W_hh, W_xh, b_h, x, h0


# --- スペクトル半径 ----------------------------------------------------------------------------------


def test_spectral_radius_uses_complex_eigenvalues():
    rotation = np.array([[0.0, -2.0], [2.0, 0.0]])  # 固有値 ±2i
    assert jac.spectral_radius(rotation) == pytest.approx(2.0)
    assert jac.spectral_radius(np.diag([0.3, -0.7, 0.5])) == pytest.approx(0.7)


def test_spectral_radius_is_below_spectral_norm_and_limits_powers():
    W = np.random.default_rng(1).normal(size=(6, 6)) / np.sqrt(6)
    rho = jac.spectral_radius(W)
    assert rho <= np.linalg.norm(W, 2) + 1e-12
    # ゲルファントの公式: ‖W^k‖^{1/k} → ρ
    assert np.linalg.norm(np.linalg.matrix_power(W, 200), 2) ** (1 / 200) == pytest.approx(rho, rel=0.05)


@pytest.mark.parametrize("rho", [0.0, 0.5, 1.3])
def test_rescale_spectral_radius(rho):
    W = np.random.default_rng(2).normal(size=(5, 5))
    scaled = jac.rescale_spectral_radius(W, rho)
    assert jac.spectral_radius(scaled) == pytest.approx(rho, abs=1e-12)
    if rho > 0:
        np.testing.assert_allclose(scaled / rho, W / jac.spectral_radius(W))  # 向きは変えず定数倍だけ
    assert not np.shares_memory(scaled, W)


def test_rescale_rejects_nilpotent_and_bad_radius():
    with pytest.raises(ValueError, match="スペクトル半径が 0"):
        jac.rescale_spectral_radius(np.array([[0.0, 1.0], [0.0, 0.0]]), 1.0)
    with pytest.raises(ValueError, match="rho"):
        jac.rescale_spectral_radius(np.eye(2), -1.0)
    with pytest.raises(ShapeError, match="引数 W"):
        jac.spectral_radius(np.ones((2, 3)))


# --- recurrent_matrix (widgets から移したもの) -------------------------------------------------------


@pytest.mark.parametrize("H", [1, 2, 5, 8])
@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0, 1.7])
def test_recurrent_matrix_has_the_requested_spectral_radius_and_norm(H, rho):
    W = jac.recurrent_matrix(H, rho, seed=3)
    assert W.shape == (H, H)
    assert jac.spectral_radius(W) == pytest.approx(rho, abs=1e-12)
    assert np.linalg.norm(W, 2) == pytest.approx(rho, abs=1e-12)  # 正規行列なので ‖W‖₂ = ρ


def test_recurrent_matrix_only_rescales_for_the_same_seed():
    np.testing.assert_allclose(jac.recurrent_matrix(6, 2.0, seed=1), 2 * jac.recurrent_matrix(6, 1.0, seed=1))
    assert not np.allclose(jac.recurrent_matrix(6, 1.0, seed=1), jac.recurrent_matrix(6, 1.0, seed=2))


@pytest.mark.parametrize("rho", [-0.1, float("nan"), float("inf"), "1", True])
def test_recurrent_matrix_rejects_bad_radius(rho):
    with pytest.raises(ValueError, match="spectral_radius"):
        jac.recurrent_matrix(4, rho)


# --- スカラーの鎖 ----------------------------------------------------------------------------------


def test_scalar_chain_without_input_is_a_power_of_w():
    h, grads = jac.scalar_chain(1.5, np.zeros(6))
    np.testing.assert_array_equal(h, np.zeros(6))
    np.testing.assert_allclose(grads, 1.5 ** np.arange(7))


def test_scalar_chain_matches_numerical_gradient():
    x = 0.3 * np.random.default_rng(3).normal(size=7)
    w, h0 = 0.9, 0.4
    h, grads = jac.scalar_chain(w, x, h0=h0)
    T = x.size
    for k in (1, 3, T):  # ∂h_T/∂h_{T−k}: h_{T−k} から先だけを流し直して数値微分
        start = h0 if k == T else h[T - k - 1]

        def last(s):
            return jac.scalar_chain(w, x[T - k :], h0=float(s[0]))[0][-1:]

        num = numerical_gradient(last, np.array([start]))
        assert rel_error(grads[k], num[0]) < 1e-7


def test_scalar_chain_saturation_turns_growth_into_decay():
    _, linear = jac.scalar_chain(1.5, np.zeros(30))
    _, saturated = jac.scalar_chain(1.5, np.zeros(30), h0=0.5)
    assert linear[-1] > 1e5
    assert saturated[-1] < 1e-5  # h が tanh の固定点 (≈ ±0.86) に張り付き、w(1 − h²) < 1


def test_scalar_chain_checks_arguments():
    with pytest.raises(ValueError, match="引数 x"):
        jac.scalar_chain(0.5, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="引数 x"):
        jac.scalar_chain(0.5, np.zeros(0))
    with pytest.raises(ValueError, match="引数 w"):
        jac.scalar_chain(float("nan"), np.zeros(3))
    with pytest.raises(TypeError, match="引数 x"):
        jac.scalar_chain(0.5, "abc")


# --- ヤコビ行列とその積 -----------------------------------------------------------------------------


def test_step_jacobian_matches_numerical_jacobian():
    W_hh, W_xh, b_h, x, h0 = small_rnn(rho=1.2, T=1, H=4)
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    J = jac.step_jacobian(h[0, 0], W_hh)
    for i in range(4):  # i 行目 = ∂h_{t,i}/∂h_{t−1}
        e = np.zeros((1, 4))
        e[0, i] = 1.0
        num = numerical_gradient(lambda hp: rnn_forward(x, hp, W_xh, W_hh, b_h)[0][:, 0], h0.copy(), df=e)
        assert rel_error(J[i], num[0]) < 1e-7


def test_step_jacobian_checks_shapes():
    with pytest.raises(ShapeError, match="引数 W_hh"):
        jac.step_jacobian(np.zeros(3), np.eye(4))
    with pytest.raises(ShapeError, match="引数 h_t"):
        jac.step_jacobian(np.zeros((1, 3)), np.eye(3))


def test_jacobian_products_agree_with_rnn_backward():
    W_hh, W_xh, b_h, x, h0 = small_rnn(rho=1.1, T=9, H=5)
    h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)
    P = jac.jacobian_products(h[0], W_hh)
    assert P.shape == (10, 5, 5)
    np.testing.assert_array_equal(P[0], np.eye(5))
    g = np.random.default_rng(4).normal(size=(1, 5))
    dh = np.zeros_like(h)
    dh[:, -1] = g
    _, dh0, _, _, _ = rnn_backward(dh, cache)
    np.testing.assert_allclose(g @ P[9], dh0, rtol=1e-10)  # P[T] = ∂h_T/∂h_0
    norms = jac.hidden_gradient_norms(W_hh, W_xh, b_h, x, h0, dh_last=g)
    np.testing.assert_allclose([np.linalg.norm(g @ P[k]) for k in range(9)], norms, rtol=1e-10)


def test_jacobian_products_are_bounded_by_the_norm_of_W():
    W_hh, W_xh, b_h, x, h0 = small_rnn(rho=1.4, T=15, H=6)
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    P = jac.jacobian_products(h[0], W_hh)
    bound = np.linalg.norm(W_hh, 2) ** np.arange(16)  # tanh′ ≤ 1 なので ‖P_k‖ ≤ ‖W_hh‖^k
    assert np.all(np.linalg.norm(P, ord=2, axis=(1, 2)) <= bound * (1 + 1e-9))


def test_jacobian_products_check_shapes():
    with pytest.raises(ShapeError, match="引数 h"):
        jac.jacobian_products(np.zeros((1, 4, 3)), np.eye(3))
    with pytest.raises(ShapeError, match="T は 1 以上"):
        jac.jacobian_products(np.zeros((0, 3)), np.eye(3))


# --- hidden_gradient_norms (widgets から移したもの) ---------------------------------------------------


def test_gradient_norms_start_at_one_and_have_length_T():
    norms = jac.hidden_gradient_norms(*small_rnn(T=9))
    assert norms.shape == (9,)
    assert norms[0] == pytest.approx(1.0)


def test_gradient_norms_agree_with_rnn_backward_on_every_suffix():
    W_hh, W_xh, b_h, x, h0 = small_rnn(rho=1.3, N=2, T=8)
    N, T, _ = x.shape
    dh_last = np.random.default_rng(5).normal(size=(N, W_hh.shape[0]))
    norms = jac.hidden_gradient_norms(W_hh, W_xh, b_h, x, h0, dh_last=dh_last)
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    for s in range(1, T):  # 時刻 s 以降だけを、h[:, s-1] から始めて流し直す
        _, cache = rnn_forward(x[:, s:], h[:, s - 1], W_xh, W_hh, b_h)
        dh = np.zeros((N, T - s, W_hh.shape[0]))
        dh[:, -1] = dh_last  # 上流の勾配は最後の時刻だけ
        _, dh_prev, _, _, _ = rnn_backward(dh, cache)  # = ∂L/∂h[:, s-1]
        k = T - s  # h[:, s-1] は最後の時刻から k だけ前
        assert norms[k] == pytest.approx(np.linalg.norm(dh_prev), rel=1e-10)


def test_gradient_norms_agree_with_numerical_gradient():
    W_hh, W_xh, b_h, x, h0 = small_rnn(rho=0.8, T=6)
    dh_last = np.ones((1, W_hh.shape[0]))
    norms = jac.hidden_gradient_norms(W_hh, W_xh, b_h, x, h0, dh_last=dh_last)
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    s = 2  # L = Σ dh_last ⊙ h_T を h[:, s-1] の関数として微分する
    h_start = h[:, s - 1].copy()
    num = numerical_gradient(lambda hs: rnn_forward(x[:, s:], hs, W_xh, W_hh, b_h)[0][:, -1], h_start, df=dh_last)
    assert rel_error(norms[x.shape[1] - s], np.linalg.norm(num)) < 1e-7


def test_gradient_norms_are_bounded_by_rho_to_the_k():
    for rho in (0.5, 1.0, 1.5):
        norms = jac.hidden_gradient_norms(*small_rnn(rho=rho, T=30))
        assert np.all(norms <= rho ** np.arange(30) * (1 + 1e-9))


def test_gradient_norms_without_inputs_are_the_linear_ones():
    W_hh, W_xh, _, x, _ = small_rnn(rho=1.2, T=10, H=4)
    g = np.full((1, 4), 0.5)
    norms = jac.hidden_gradient_norms(W_hh, W_xh, np.zeros(4), np.zeros_like(x), np.zeros((1, 4)), dh_last=g)
    expected = [np.linalg.norm(g @ np.linalg.matrix_power(W_hh, k)) for k in range(10)]
    np.testing.assert_allclose(norms, expected, rtol=1e-12)
    assert norms[-1] > norms[0]  # ρ > 1 で tanh′ = 1 なら爆発する


def test_gradient_norms_check_shapes():
    W_hh, W_xh, b_h, x, h0 = small_rnn()
    with pytest.raises(ShapeError, match="引数 h0"):
        jac.hidden_gradient_norms(W_hh, W_xh, b_h, x, h0[:, :-1])
    with pytest.raises(ShapeError, match="引数 dh_last"):
        jac.hidden_gradient_norms(W_hh, W_xh, b_h, x, h0, dh_last=np.ones(5))


# --- 傾き ------------------------------------------------------------------------------------------


def test_predicted_slope_is_log10_of_the_spectral_radius():
    assert jac.predicted_slope(jac.recurrent_matrix(6, 0.8)) == pytest.approx(math.log10(0.8))
    assert jac.predicted_slope(np.zeros((3, 3))) == -math.inf


def test_measured_slope_matches_prediction_in_the_linear_regime():
    W = jac.rescale_spectral_radius(np.random.default_rng(6).normal(size=(8, 8)), 0.9)
    norms = jac.hidden_gradient_norms(W, np.ones((8, 1)), np.zeros(8), np.zeros((1, 80, 1)), np.zeros((1, 8)))
    assert jac.measured_slope(norms, k_min=20) == pytest.approx(jac.predicted_slope(W), abs=0.01)


def test_measured_slope_range_and_errors():
    norms = np.concatenate([np.ones(5), 0.1 ** np.arange(10)])
    assert jac.measured_slope(norms, k_min=5) == pytest.approx(-1.0)
    assert jac.measured_slope(norms, k_min=5, k_max=8) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="対数"):
        jac.measured_slope(np.array([1.0, 0.0, 0.5]))
    with pytest.raises(ValueError, match="2 つ以上"):
        jac.measured_slope(np.ones(5), k_min=4)
    with pytest.raises(ValueError, match="1 次元"):
        jac.measured_slope(np.ones((2, 3)))
