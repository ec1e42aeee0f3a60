import pytest
import torch

from rnncourse.models.counting import activation_count, recurrent_param_count


@pytest.mark.parametrize("cell, module", [("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)])
@pytest.mark.parametrize("layers, bidirectional, bias", [(1, False, True), (2, False, True), (3, True, True), (2, True, False)])
def test_matches_numel(cell, module, layers, bidirectional, bias):
    m = module(5, 7, num_layers=layers, bidirectional=bidirectional, bias=bias)
    assert recurrent_param_count(cell, 5, 7, layers, bidirectional, bias) == sum(p.numel() for p in m.parameters())


def test_gated_cells_are_multiples_of_rnn():
    assert recurrent_param_count("lstm", 10, 20) == 4 * recurrent_param_count("rnn", 10, 20)
    assert recurrent_param_count("gru", 10, 20) == 3 * recurrent_param_count("rnn", 10, 20)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="cell は"):
        recurrent_param_count("transformer", 1, 1)
    with pytest.raises(ValueError, match="hidden_size は 1 以上"):
        recurrent_param_count("rnn", 1, 0)
    with pytest.raises(TypeError, match="input_size"):
        recurrent_param_count("rnn", 1.5, 2)


def test_activation_count():
    assert activation_count(2, 3, 4) == 24
