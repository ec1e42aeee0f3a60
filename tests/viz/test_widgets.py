"""rnncourse.viz.widgets: 描画関数とウィジェットの組み立て (再帰重みと勾配ノルムは test_gradient_flow.py)。"""


import base64

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


# --- ウィジェット (ブラウザなしで組み立てられ、最初の図を状態として持つこと) ------------------------


def sliders(widget):
    return {c.description: c for c in widget.children if isinstance(c, (ipywidgets.IntSlider, ipywidgets.FloatSlider))}


def kinds(widget):
    return [(o["output_type"], sorted(o.get("data", {}))) for o in widget.output.outputs]


FIGURE = [("display_data", ["image/png", "text/plain"])]


def test_hidden_state_explorer_holds_its_first_figure_as_state_and_prints_nothing(capsys):
    widget = widgets.hidden_state_explorer(scale=0.8, T=20)
    assert isinstance(widget, widgets.Explorer) and isinstance(widget, ipywidgets.VBox)
    found = sliders(widget)
    assert set(found) == {"W_hh の倍率", "系列長 T"}
    assert found["W_hh の倍率"].value == pytest.approx(0.8) and found["系列長 T"].value == 20
    assert widget.children[-1] is widget.output and isinstance(widget.output, ipywidgets.Output)
    assert kinds(widget) == FIGURE  # 作るときに 1 度描いた図 (画面への出力ではなく、出力欄の状態)
    png = base64.b64decode(widget.output.outputs[0]["data"]["image/png"])
    assert png.startswith(b"\x89PNG")
    assert repr(widget) == "隠れ状態のウィジェット (倍率 0.80, T = 20)"
    found["W_hh の倍率"].value = 1.5  # スライダーを動かすと描き直す
    assert kinds(widget) == FIGURE and base64.b64decode(widget.output.outputs[0]["data"]["image/png"]) != png
    assert repr(widget) == "隠れ状態のウィジェット (倍率 1.50, T = 20)"
    assert capsys.readouterr() == ("", "")  # 画面 (セルの出力) には何も出さない
    assert plt.get_fignums() == []
    widget.close()


def test_gradient_norm_explorer_redraws_for_each_slider(capsys):
    widget = widgets.gradient_norm_explorer(T=30)
    found = sliders(widget)
    assert set(found) == {"スペクトル半径 ρ", "系列長 T", "入力の大きさ"}
    assert repr(widget) == "勾配ノルムのウィジェット (ρ = 1.00, T = 30, 入力の大きさ 0.50)"
    seen = {widget.output.outputs[0]["data"]["image/png"]}
    found["スペクトル半径 ρ"].value = 1.2
    seen.add(widget.output.outputs[0]["data"]["image/png"])
    found["入力の大きさ"].value = 0.0
    seen.add(widget.output.outputs[0]["data"]["image/png"])
    assert len(seen) == 3 and kinds(widget) == FIGURE
    assert repr(widget) == "勾配ノルムのウィジェット (ρ = 1.20, T = 30, 入力の大きさ 0.00)"
    assert capsys.readouterr() == ("", "")
    assert plt.get_fignums() == []
    widget.close()


def test_explorers_are_deterministic_and_their_text_is_short():
    a, b = widgets.hidden_state_explorer(), widgets.hidden_state_explorer()
    assert a.output.outputs == b.output.outputs  # 同じ値なら同じ PNG (保存するノートブックが実行のたびに変わらない)
    for widget in (a, b, widgets.gradient_norm_explorer()):
        bundle = widget._repr_mimebundle_()
        assert bundle["text/plain"] == repr(widget) and len(repr(widget)) <= 110  # nbval が比べるのはこの文
        widget.close()


def test_explorer_shows_printed_text_and_figures_in_order():
    box = ipywidgets.Text(value="a")

    def render(text):
        print("文:", text)
        return widgets.render_hidden_states(1.0, T=5) if text == "図" else None

    widget = widgets.explorer({"text": box}, render, lambda text: f"テスト ({text})")
    assert widget.output.outputs == ({"output_type": "stream", "name": "stdout", "text": "文: a\n"},)
    box.value = "図"
    assert kinds(widget) == [("stream", []), *FIGURE]
    assert repr(widget) == "テスト (図)"
    assert plt.get_fignums() == []
    widget.close()


def test_explorer_reports_errors_of_a_redraw_in_its_output_and_raises_them_at_creation():
    slider = ipywidgets.FloatSlider(value=1.0, min=-1.0, max=2.0)
    widget = widgets.explorer({"scale": slider}, widgets.render_hidden_states, lambda scale: "テスト")
    slider.value = -0.5  # render_hidden_states は負の倍率を受け付けない
    (output,) = widget.output.outputs
    assert output["name"] == "stderr" and output["text"].startswith("ValueError: 引数 scale は")
    assert plt.get_fignums() == []
    widget.close()
    with pytest.raises(ValueError, match="引数 scale"):  # 最初の描画のエラーは、作った人にそのまま返す
        widgets.explorer({"scale": slider}, widgets.render_hidden_states, lambda scale: "テスト")
    assert plt.get_fignums() == []
