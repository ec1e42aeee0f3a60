"""rnncourse.widgets: 再帰重みの作り方、勾配ノルムの計算、描画関数、ウィジェットの組み立て。"""

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse import widgets  # noqa: E402
from rnncourse.gradcheck import numerical_gradient, rel_error  # noqa: E402
from rnncourse.rnn import rnn_backward, rnn_forward  # noqa: E402
from rnncourse.shapes import ShapeError  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def small_rnn(rho=0.9, N=1, T=12, D=3, H=5, seed=0, input_scale=1.0):
    rng = np.random.default_rng(seed)
    W_hh = widgets.recurrent_matrix(H, rho, seed=seed)
    W_xh = rng.normal(size=(H, D)) / np.sqrt(D)
    b_h = 0.1 * rng.normal(size=H)
    x = input_scale * rng.normal(size=(N, T, D))
    h0 = 0.1 * rng.normal(size=(N, H))
    return W_hh, W_xh, b_h, x, h0


# --- recurrent_matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("H", [1, 2, 5, 8])
@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0, 1.7])
def test_recurrent_matrix_has_the_requested_spectral_radius_and_norm(H, rho):
    W = widgets.recurrent_matrix(H, rho, seed=3)
    assert W.shape == (H, H)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(rho, abs=1e-12)
    assert np.linalg.norm(W, 2) == pytest.approx(rho, abs=1e-12)  # 正規行列なので ‖W‖₂ = ρ


def test_recurrent_matrix_only_rescales_for_the_same_seed():
    np.testing.assert_allclose(widgets.recurrent_matrix(6, 2.0, seed=1), 2 * widgets.recurrent_matrix(6, 1.0, seed=1))
    assert not np.allclose(widgets.recurrent_matrix(6, 1.0, seed=1), widgets.recurrent_matrix(6, 1.0, seed=2))


@pytest.mark.parametrize("rho", [-0.1, float("nan"), float("inf"), "1", True])
def test_recurrent_matrix_rejects_bad_radius(rho):
    with pytest.raises(ValueError, match="spectral_radius"):
        widgets.recurrent_matrix(4, rho)


# --- hidden_gradient_norms ----------------------------------------------------------------------


def test_gradient_norms_start_at_one_and_have_length_T():
    norms = widgets.hidden_gradient_norms(*small_rnn(T=9))
    assert norms.shape == (9,)
    assert norms[0] == pytest.approx(1.0)


def test_gradient_norms_agree_with_rnn_backward_on_every_suffix():
    W_hh, W_xh, b_h, x, h0 = small_rnn(rho=1.3, N=2, T=8)
    N, T, _ = x.shape
    dh_last = np.random.default_rng(5).normal(size=(N, W_hh.shape[0]))
    norms = widgets.hidden_gradient_norms(W_hh, W_xh, b_h, x, h0, dh_last=dh_last)
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
    norms = widgets.hidden_gradient_norms(W_hh, W_xh, b_h, x, h0, dh_last=dh_last)
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    s = 2  # L = Σ dh_last ⊙ h_T を h[:, s-1] の関数として微分する
    h_start = h[:, s - 1].copy()
    num = numerical_gradient(lambda hs: rnn_forward(x[:, s:], hs, W_xh, W_hh, b_h)[0][:, -1], h_start, df=dh_last)
    assert rel_error(norms[x.shape[1] - s], np.linalg.norm(num)) < 1e-7


def test_gradient_norms_are_bounded_by_rho_to_the_k():
    for rho in (0.5, 1.0, 1.5):
        norms = widgets.hidden_gradient_norms(*small_rnn(rho=rho, T=30))
        assert np.all(norms <= rho ** np.arange(30) * (1 + 1e-9))


def test_gradient_norms_without_inputs_are_the_linear_ones():
    W_hh, W_xh, _, x, _ = small_rnn(rho=1.2, T=10, H=4)
    g = np.full((1, 4), 0.5)
    norms = widgets.hidden_gradient_norms(W_hh, W_xh, np.zeros(4), np.zeros_like(x), np.zeros((1, 4)), dh_last=g)
    expected = [np.linalg.norm(g @ np.linalg.matrix_power(W_hh, k)) for k in range(10)]
    np.testing.assert_allclose(norms, expected, rtol=1e-12)
    assert norms[-1] > norms[0]  # ρ > 1 で tanh′ = 1 なら爆発する


def test_gradient_norms_check_shapes():
    W_hh, W_xh, b_h, x, h0 = small_rnn()
    with pytest.raises(ShapeError, match="引数 h0"):
        widgets.hidden_gradient_norms(W_hh, W_xh, b_h, x, h0[:, :-1])
    with pytest.raises(ShapeError, match="引数 dh_last"):
        widgets.hidden_gradient_norms(W_hh, W_xh, b_h, x, h0, dh_last=np.ones(5))


# --- 描画関数 --------------------------------------------------------------------------------


def glyph_warnings(fig) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


def test_render_hidden_states_draws_four_bounded_trajectories():
    fig = widgets.render_hidden_states(1.0, T=25)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == 4
    assert all(len(line.get_ydata()) == 25 for line in lines)
    assert all(np.all(np.abs(line.get_ydata()) <= 1) for line in lines)
    assert "1.00" in ax.get_title()
    assert glyph_warnings(fig) == []


def test_render_hidden_states_settles_for_small_scale_and_not_for_large():
    late = lambda fig: max(np.abs(line.get_ydata()[-5:]).max() for line in fig.axes[0].get_lines())  # noqa: E731
    assert late(widgets.render_hidden_states(0.5)) < 1e-3
    assert late(widgets.render_hidden_states(2.0)) > 0.5


def test_render_hidden_states_is_deterministic():
    a = widgets.render_hidden_states(1.3, seed=4).axes[0].get_lines()[0].get_ydata()
    b = widgets.render_hidden_states(1.3, seed=4).axes[0].get_lines()[0].get_ydata()
    np.testing.assert_array_equal(a, b)


def test_render_gradient_norms_draws_norms_and_dashed_bound():
    fig = widgets.render_gradient_norms(1.5, T=20, input_scale=0.0)
    ax = fig.axes[0]
    solid, dashed = ax.get_lines()
    assert (solid.get_linestyle(), dashed.get_linestyle()) == ("-", "--")
    assert ax.get_yscale() == "log"
    np.testing.assert_allclose(dashed.get_ydata(), 1.5 ** np.arange(20))
    assert solid.get_ydata()[-1] > 10  # 入力なし・ρ > 1 では爆発が見える
    assert glyph_warnings(fig) == []


def test_render_gradient_norms_vanish_for_small_radius():
    solid, _ = widgets.render_gradient_norms(0.5, T=30).axes[0].get_lines()
    assert solid.get_ydata()[0] == pytest.approx(1.0)
    assert solid.get_ydata()[-1] < 1e-8


@pytest.mark.parametrize("call", [
    lambda: widgets.render_hidden_states(-1.0),
    lambda: widgets.render_hidden_states(1.0, T=0),
    lambda: widgets.render_gradient_norms(1.0, T=2.5),
    lambda: widgets.render_gradient_norms(1.0, input_scale=-0.1),
])
def test_render_functions_check_their_arguments(call):
    with pytest.raises(ValueError, match="引数"):
        call()
    assert plt.get_fignums() == []


# --- ウィジェット (ブラウザなしで組み立てられること) ---------------------------------------------


def sliders(widget):
    return {c.description: c for c in widget.children if isinstance(c, (ipywidgets.IntSlider, ipywidgets.FloatSlider))}


def test_hidden_state_explorer_builds_headless_and_leaves_no_figures(capsys):
    widget = widgets.hidden_state_explorer(scale=0.8, T=20)
    assert isinstance(widget, ipywidgets.interactive)
    found = sliders(widget)
    assert set(found) == {"W_hh の倍率", "系列長 T"}
    assert found["W_hh の倍率"].value == pytest.approx(0.8) and found["系列長 T"].value == 20
    assert isinstance(widget.children[-1], ipywidgets.Output)
    assert capsys.readouterr().out.count("Figure(") == 1  # 作るときに 1 度描く (カーネルなしでは repr が出る)
    found["W_hh の倍率"].value = 1.5  # スライダーを動かすと描き直す
    assert capsys.readouterr().out.count("Figure(") == 1
    assert plt.get_fignums() == []
    widget.close()


def test_gradient_norm_explorer_builds_headless_and_leaves_no_figures(capsys):
    widget = widgets.gradient_norm_explorer(T=30)
    found = sliders(widget)
    assert set(found) == {"スペクトル半径 ρ", "系列長 T", "入力の大きさ"}
    found["スペクトル半径 ρ"].value = 1.2
    found["入力の大きさ"].value = 0.0
    assert capsys.readouterr().out.count("Figure(") == 3
    assert plt.get_fignums() == []
    widget.close()
