"""rnncourse.viz.plots: 日本語が欠けずに描けること、各図の中身、引数の検査。"""


import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnncourse.viz import plots
from rnncourse.shapes import ShapeError
from tests.figures import render_warnings




def test_import_sets_a_japanese_font():
    assert "IPAexGothic" in matplotlib.rcParams["font.family"]


def test_japanese_title_labels_and_legend_have_all_glyphs():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [-1.0, 0.5, 2.0], label="訓練データの損失")
    ax.plot([0, 1, 2], [1.0, -0.5, 0.0], label="検証 (ρ = 0.9、‖∂L/∂h‖)")
    ax.set_title("隠れ状態の時間変化 −1 → 1")
    ax.set_xlabel("時刻 $t$")
    ax.set_ylabel("隠れユニット")
    ax.legend()
    messages = render_warnings(fig)
    assert not [m for m in messages if "Glyph" in m], messages


def test_the_glyph_check_would_notice_a_missing_japanese_font():
    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        fig, ax = plt.subplots()
        ax.set_title("日本語")
        messages = render_warnings(fig)
    assert any("Glyph" in m for m in messages)


DEFAULT_PLOTS = {
    "unrolled": lambda: plots.plot_unrolled_rnn(),
    "heatmap": lambda: plots.plot_hidden_heatmap(np.tanh(np.linspace(-3, 3, 40).reshape(10, 4))),
    "gradients": lambda: plots.plot_gradient_norms(
        {"ρ = 0.9": 0.9 ** np.arange(20)}, predicted={"上限": np.ones(20)}
    ),
    "curves": lambda: plots.plot_training_curves({"訓練": [1.0, 0.5, 0.3], "検証": [1.1, 0.7, 0.6]}),
    "trajectories": lambda: plots.plot_hidden_trajectories(np.tanh(np.linspace(-2, 2, 30).reshape(10, 3))),
}


@pytest.mark.parametrize("name", sorted(DEFAULT_PLOTS))
def test_every_plot_renders_without_any_warning(name):
    ax = DEFAULT_PLOTS[name]()
    assert isinstance(ax, matplotlib.axes.Axes)
    assert render_warnings(ax.figure) == []


@pytest.mark.parametrize("name", sorted(DEFAULT_PLOTS))
def test_default_figures_are_modest(name):
    width, height = DEFAULT_PLOTS[name]().figure.get_size_inches()
    assert width <= 8 and height <= 4
    assert plt.rcParams["figure.dpi"] == matplotlib.rcParamsDefault["figure.dpi"]


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("T", [1, 4, 12])
def test_unrolled_rnn_has_one_box_and_label_per_step(T):
    ax = plots.plot_unrolled_rnn(T)
    labels = texts(ax)
    assert labels.count("$W_{hh}$") == labels.count("$W_{xh}$") == labels.count("$W_{hy}$") == T
    assert "$h_0$" in labels
    for t in range(1, T + 1):
        assert {f"$x_{{{t}}}$", f"$h_{{{t}}}$", f"$y_{{{t}}}$"} <= set(labels)
    assert len(ax.patches) == 1 + 3 * T + 3 * T  # 箱 (h_0 と x, h, y) + 矢印 3 本ずつ
    assert not ax.axison


def test_unrolled_rnn_without_outputs():
    labels = texts(plots.plot_unrolled_rnn(3, show_outputs=False))
    assert "$W_{hy}$" not in labels and "$y_{1}$" not in labels
    assert labels.count("$W_{hh}$") == 3


@pytest.mark.parametrize("T", [0, -1, 13, 2.0, True, "4", None])
def test_unrolled_rnn_rejects_bad_T(T):
    with pytest.raises(ValueError, match="引数 T は 1 以上 12 以下の整数"):
        plots.plot_unrolled_rnn(T)


def test_unrolled_rnn_accepts_numpy_int():
    plots.plot_unrolled_rnn(np.int64(2))


def test_plots_draw_on_the_given_axes():
    fig, axes = plt.subplots(1, 5)
    h = np.zeros((6, 3))
    assert plots.plot_unrolled_rnn(2, ax=axes[0]) is axes[0]
    assert plots.plot_hidden_heatmap(h, ax=axes[1]) is axes[1]
    assert plots.plot_gradient_norms({"a": [1.0, 0.5]}, ax=axes[2]) is axes[2]
    assert plots.plot_training_curves({"a": [1.0, 0.5]}, ax=axes[3]) is axes[3]
    assert plots.plot_hidden_trajectories(h, ax=axes[4]) is axes[4]
    assert plt.get_fignums() == [fig.number]


def test_heatmap_shows_units_by_time_with_fixed_diverging_colors():
    h = np.tanh(np.random.default_rng(0).normal(size=(7, 5)))  # (T, H)
    ax = plots.plot_hidden_heatmap(h, title="隠れ状態")
    (image,) = ax.images
    np.testing.assert_array_equal(image.get_array(), h.T)
    assert image.get_clim() == (-1.0, 1.0)
    assert image.get_cmap().name == "RdBu_r"
    assert ax.get_xlabel() == "時刻 $t$" and ax.get_ylabel() == "隠れユニット"
    assert ax.get_title() == "隠れ状態"
    assert len(ax.figure.axes) == 2  # 本体とカラーバー


def test_heatmap_squeezes_a_batch_of_one_and_rejects_larger_batches():
    h = np.zeros((1, 7, 5))
    assert plots.plot_hidden_heatmap(h).images[0].get_array().shape == (5, 7)
    with pytest.raises(ShapeError, match=r"h\[0\]"):
        plots.plot_hidden_heatmap(np.zeros((2, 7, 5)))
    with pytest.raises(ShapeError, match="引数 h"):
        plots.plot_hidden_heatmap(np.zeros(5))


def test_gradient_norms_log_scale_lines_and_dashed_predictions():
    k = np.arange(10)
    ax = plots.plot_gradient_norms(
        {"ρ = 0.5": 0.5**k, "ρ = 1.5": 1.5**k}, predicted={"0.5^k": 0.5**k}
    )
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["ρ = 0.5", "ρ = 1.5", "0.5^k"]
    assert [line.get_linestyle() for line in lines] == ["-", "-", "--"]
    assert lines[2].get_color() == lines[0].get_color()
    np.testing.assert_array_equal(lines[0].get_xdata(), k)
    assert ax.get_yscale() == "log"
    assert ax.get_legend() is not None


def test_gradient_norms_drop_zeros_instead_of_failing_on_log_axis():
    ax = plots.plot_gradient_norms({"ゼロあり": [1.0, 0.0, 0.0]})
    assert np.isnan(ax.get_lines()[0].get_ydata()[1:]).all()
    assert render_warnings(ax.figure) == []


@pytest.mark.parametrize("bad", [{}, [1.0, 2.0], None])
def test_gradient_norms_need_a_nonempty_dict(bad):
    with pytest.raises(TypeError, match="辞書"):
        plots.plot_gradient_norms(bad)


def test_gradient_norms_reject_2d_values():
    with pytest.raises(ShapeError, match="1 次元"):
        plots.plot_gradient_norms({"a": np.ones((2, 3))})


def test_training_curves_steps_and_explicit_x():
    ax = plots.plot_training_curves(
        {"訓練": [1.0, 0.8, 0.5, 0.4], "検証": ([2, 4], [0.9, 0.6])}, xlabel="エポック", logy=True
    )
    train, valid = ax.get_lines()
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(valid.get_xdata(), [2, 4])
    np.testing.assert_array_equal(valid.get_ydata(), [0.9, 0.6])
    assert ax.get_xlabel() == "エポック" and ax.get_ylabel() == "損失"
    assert ax.get_yscale() == "log"


def test_hidden_trajectories_default_and_chosen_units():
    h = np.tanh(np.random.default_rng(1).normal(size=(1, 12, 6)))
    ax = plots.plot_hidden_trajectories(h)
    assert [line.get_label() for line in ax.get_lines()] == [f"ユニット {u}" for u in range(4)]
    np.testing.assert_array_equal(ax.get_lines()[2].get_ydata(), h[0, :, 2])
    assert ax.get_ylim() == (-1.05, 1.05)
    ax = plots.plot_hidden_trajectories(h, units=[5])
    assert len(ax.get_lines()) == 1


def test_hidden_trajectories_reject_bad_units():
    h = np.zeros((5, 3))
    with pytest.raises(ValueError, match="units"):
        plots.plot_hidden_trajectories(h, units=[3])
    with pytest.raises(ValueError, match="units"):
        plots.plot_hidden_trajectories(h, units=[])
