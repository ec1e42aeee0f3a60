"""rnncourse.labs.rnn_layout: 式で求めた形が torch.nn.RNN の実物と一致すること、表と図、引数の検査。"""

import itertools

import matplotlib.pyplot as plt
import pytest
import torch

from rnncourse.labs.rnn_layout import RNNShapes, measured_rnn_shapes, plot_rnn_layout, rnn_shapes, shape_table


@pytest.mark.parametrize(
    "layers, bidirectional, batch_first, batch_size",
    list(itertools.product((1, 3), (False, True), (False, True), (1, 2, None))),
)
def test_formula_matches_torch(layers, bidirectional, batch_first, batch_size):
    formula = rnn_shapes(3, 4, 5, batch_size, layers, bidirectional, batch_first)
    assert measured_rnn_shapes(3, 4, 5, batch_size, layers, bidirectional, batch_first) == formula


def test_worked_example():
    s = rnn_shapes(input_size=3, hidden_size=4, seq_len=5, batch_size=2, num_layers=2, bidirectional=True, batch_first=True)
    assert s == RNNShapes(input=(2, 5, 3), h_0=(4, 2, 4), output=(2, 5, 8), h_n=(4, 2, 4))


@pytest.mark.parametrize("nonlinearity, dropout", [("relu", 0.0), ("tanh", 0.5), ("relu", 0.3)])
def test_nonlinearity_and_dropout_do_not_change_shapes(nonlinearity, dropout):
    plain = measured_rnn_shapes(3, 4, 5, 2, num_layers=2, bidirectional=True)
    assert measured_rnn_shapes(3, 4, 5, 2, 2, True, nonlinearity=nonlinearity, dropout=dropout) == plain


def test_h_n_layout_matches_output():
    # 最上層の順方向の最後は output の最後の時刻の前半、逆方向の最後は最初の時刻の後半
    torch.manual_seed(0)
    rnn = torch.nn.RNN(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    output, h_n = rnn(torch.randn(2, 5, 3))
    assert torch.allclose(output[:, -1, :4], h_n[2]) and torch.allclose(output[:, 0, 4:], h_n[3])


def test_table_lists_every_combination_and_agreement():
    text = shape_table(3, 4, 5, 2)
    lines = text.splitlines()
    assert len(lines) == 1 + 8
    assert lines[0].startswith("num_layers") and "nn.RNN と一致" in lines[0]
    assert all(line.endswith("True") for line in lines[1:])
    assert "(2, 5, 8)  (4, 2, 4)" in text  # 2 層・双方向・batch_first


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="hidden_size は 1 以上"):
        rnn_shapes(3, 0, 5)
    with pytest.raises(TypeError, match="bidirectional"):
        rnn_shapes(3, 4, 5, bidirectional=1)
    with pytest.raises(TypeError, match="seq_len"):
        rnn_shapes(3, 4, 5.0)
    with pytest.raises(ValueError, match="2 層以上"):
        measured_rnn_shapes(3, 4, 5, dropout=0.5)
    with pytest.raises(ValueError, match="nonlinearity"):
        measured_rnn_shapes(3, 4, 5, nonlinearity="sigmoid")


def test_layout_figure_marks_each_final_state():
    ax = plot_rnn_layout(num_layers=3, bidirectional=True, T=2)
    labels = sorted(t.get_text() for t in ax.texts if t.get_text().startswith("h_n"))
    assert labels == [f"h_n[{i}]" for i in range(6)]
    assert "双方向" in ax.get_title()
    plt.close(ax.figure)
    ax = plot_rnn_layout(num_layers=1, bidirectional=False, T=1)
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("h_n")] == ["h_n[0]"]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="T は 8 以下"):
        plot_rnn_layout(T=9)
