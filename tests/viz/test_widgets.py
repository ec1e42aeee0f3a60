"""rnncourse.viz.widgets: 描画関数とウィジェットの組み立て (再帰重みと勾配ノルムは test_gradient_flow.py)。"""


import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncourse.viz import widgets
from tests.figures import render_warnings



# --- 描画関数 --------------------------------------------------------------------------------



def _glyphs(fig) -> list[str]:
    return [w for w in render_warnings(fig) if "Glyph" in w]


def test_render_hidden_states_draws_four_bounded_trajectories():
    fig = widgets.render_hidden_states(1.0, T=25)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == 4
    assert all(len(line.get_ydata()) == 25 for line in lines)
    assert all(np.all(np.abs(line.get_ydata()) <= 1) for line in lines)
    assert "1.00" in ax.get_title()
    assert _glyphs(fig) == []


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
    assert _glyphs(fig) == []


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
