"""rnncourse.models.interop: torch との往復で重みが変わらないこと、対応しないモジュールのエラー。"""

import numpy as np
import pytest
import torch

from rnncourse.models.interop import (
    gru_weights_from_torch, load_weights_into_torch, lstm_weights_from_torch, rnn_weights_from_torch,
)

D, H = 3, 4
KINDS = [
    (torch.nn.RNN, rnn_weights_from_torch, [(H, D), (H, H), (H,)]),
    (torch.nn.LSTM, lstm_weights_from_torch, [(4 * H, D), (4 * H, H), (4 * H,)]),
    (torch.nn.GRU, gru_weights_from_torch, [(3 * H, D), (3 * H, H), (3 * H,), (3 * H,)]),
]


@pytest.mark.parametrize("cls, extract, shapes", KINDS)
def test_shapes_dtype_and_copy(cls, extract, shapes):
    torch.manual_seed(0)
    module = cls(D, H, batch_first=True)
    weights = extract(module)
    assert [w.shape for w in weights] == shapes
    assert all(w.dtype == np.float64 for w in weights)
    assert all(w.dtype == np.float32 for w in extract(module, dtype=np.float32))
    weights[0][...] = 123.0  # コピーなので module は変わらない
    assert not torch.any(module.weight_ih_l0 == 123.0)


@pytest.mark.parametrize("cls, extract, shapes", KINDS)
def test_round_trip(cls, extract, shapes):
    torch.manual_seed(1)
    source = cls(D, H, batch_first=True, dtype=torch.float64)
    weights = extract(source)
    target = cls(D, H, batch_first=True, dtype=torch.float64)
    load_weights_into_torch(target, *weights)
    again = extract(target)
    for a, b in zip(weights, again):
        assert np.array_equal(a, b)
    x = torch.randn(2, 5, D, dtype=torch.float64)
    assert torch.allclose(source(x)[0], target(x)[0], rtol=0, atol=1e-14)  # 同じ計算になる


def test_rnn_and_lstm_biases_are_summed():
    torch.manual_seed(2)
    rnn = torch.nn.RNN(D, H)
    _, _, b_h = rnn_weights_from_torch(rnn)
    assert np.allclose(b_h, (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy())
    load_weights_into_torch(rnn, *rnn_weights_from_torch(rnn))
    assert torch.all(rnn.bias_hh_l0 == 0)  # b_hh を省くと bias_hh は 0


def test_module_without_bias():
    rnn = torch.nn.RNN(D, H, bias=False)
    _, _, b_h = rnn_weights_from_torch(rnn)
    assert np.array_equal(b_h, np.zeros(H))
    load_weights_into_torch(rnn, np.ones((H, D)), np.ones((H, H)), np.zeros(H))
    assert torch.all(rnn.weight_ih_l0 == 1)
    _, _, b_ih, b_hh = gru_weights_from_torch(torch.nn.GRU(D, H, bias=False))
    assert b_ih.shape == b_hh.shape == (3 * H,)


@pytest.mark.parametrize("extract, module, pattern", [
    (rnn_weights_from_torch, torch.nn.LSTM(D, H), r"torch\.nn\.RNN のインスタンスを渡してください \(LSTM が渡されました\)"),
    (lstm_weights_from_torch, torch.nn.GRU(D, H), r"torch\.nn\.LSTM のインスタンスを渡してください \(GRU が渡されました\)"),
    (gru_weights_from_torch, torch.nn.Linear(D, H), r"torch\.nn\.GRU のインスタンスを渡してください \(Linear が渡されました\)"),
    (rnn_weights_from_torch, None, r"\(NoneType が渡されました\)"),
])
def test_wrong_module_type(extract, module, pattern):
    with pytest.raises(TypeError, match=pattern):
        extract(module)


@pytest.mark.parametrize("extract, module, pattern", [
    (rnn_weights_from_torch, torch.nn.RNN(D, H, num_layers=2), r"1 層・単方向の torch\.nn\.RNN だけ.*num_layers=2"),
    (gru_weights_from_torch, torch.nn.GRU(D, H, bidirectional=True), r"bidirectional=True"),
    (rnn_weights_from_torch, torch.nn.RNN(D, H, nonlinearity="relu"), r"tanh です \(nonlinearity='relu'"),
    (lstm_weights_from_torch, torch.nn.LSTM(D, H, proj_size=2), r"proj_size"),
])
def test_unsupported_configurations(extract, module, pattern):
    with pytest.raises(ValueError, match=pattern):
        extract(module)


def test_load_errors():
    with pytest.raises(TypeError, match=r"torch\.nn\.RNN / LSTM / GRU を渡してください \(Linear が渡されました\)"):
        load_weights_into_torch(torch.nn.Linear(D, H), np.ones((H, D)), np.ones((H, H)), np.ones(H))
    with pytest.raises(ValueError, match=r"1 層・単方向"):
        load_weights_into_torch(torch.nn.LSTM(D, H, num_layers=2), np.ones((4 * H, D)), np.ones((4 * H, H)), np.ones(4 * H))
    with pytest.raises(ValueError, match=r"weight_hh_l0 の形は \(4, 4\) のはずですが、\(4, 3\) が渡されました"):
        load_weights_into_torch(torch.nn.RNN(D, H), np.ones((H, D)), np.ones((H, D)), np.ones(H))
    with pytest.raises(ValueError, match=r"bias_ih_l0 の形は \(16,\)"):
        load_weights_into_torch(torch.nn.LSTM(D, H), np.ones((4 * H, D)), np.ones((4 * H, H)), np.ones(H))
