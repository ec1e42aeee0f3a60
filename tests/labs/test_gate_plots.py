"""rnncourse.labs.gate_plots: 図の中身と警告のなさ、勾配ノルムと自動微分の一致、パラメータ数、記憶タスクの実験。"""


import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from rnncourse.labs import gate_plots
from rnncourse.models.counting import recurrent_param_count
from rnncourse.labs.experiments import memory_task_accuracy
from rnncourse.models.interop import gru_weights_from_torch, lstm_weights_from_torch, rnn_weights_from_torch
from rnncourse.nn.lstm import lstm_forward, lstm_gates
from rnncourse.shapes import ShapeError
from rnncourse.nn.jacobian import hidden_gradient_norms
from tests.figures import render_warnings




# --- plot_gate_activations ------------------------------------------------------------------------


def _lstm_gates(T=6, H=3, N=1):
    rng = np.random.default_rng(0)
    W_ih, W_hh, b = rng.normal(size=(4 * H, 2)), rng.normal(size=(4 * H, H)), rng.normal(size=4 * H)
    x = rng.normal(size=(N, T, 2))
    _, cache = lstm_forward(x, np.zeros((N, H)), np.zeros((N, H)), W_ih, W_hh, b)
    return x, lstm_gates(cache)


def test_gate_activations_one_heatmap_per_gate_with_fixed_ranges():
    x, gates = _lstm_gates()
    fig = gate_plots.plot_gate_activations(gates, x=x, title="LSTM")
    heatmaps = [ax for ax in fig.axes if ax.images and ax.get_ylabel()]
    assert [ax.get_ylabel() for ax in heatmaps] == [gate_plots.GATE_LABELS[k] for k in "ifgoc"]
    by_name = dict(zip("ifgoc", heatmaps))
    np.testing.assert_array_equal(by_name["f"].images[0].get_array(), gates["f"][0].T)  # 行 = ユニット
    assert by_name["i"].images[0].get_clim() == (0.0, 1.0)
    assert by_name["g"].images[0].get_clim() == (-1.0, 1.0)
    limit = float(np.abs(gates["c"]).max())
    assert by_name["c"].images[0].get_clim() == pytest.approx((-limit, limit))
    assert fig.axes[0].get_ylabel() == "入力 $x_t$" and len(fig.axes[0].get_lines()) >= 2  # D = 2 の 2 本
    assert fig.get_suptitle() == "LSTM"
    assert render_warnings(fig) == []


def test_gate_activations_accept_t_h_and_unknown_names():
    fig = gate_plots.plot_gate_activations({"z": np.full((5, 2), 0.5), "自作": np.arange(5.0)})
    assert [ax.get_ylabel() for ax in fig.axes if ax.images] == ["更新ゲート $z_t$", "自作"]
    assert fig.axes[0].get_xlabel() == "" and any(ax.get_xlabel() == "時刻 $t$" for ax in fig.axes)


@pytest.mark.parametrize("bad", [{}, None, [np.zeros((3, 2))]])
def test_gate_activations_need_a_dict(bad):
    with pytest.raises(TypeError, match="辞書"):
        gate_plots.plot_gate_activations(bad)


def test_gate_activations_reject_batches_and_mismatched_lengths():
    with pytest.raises(ShapeError, match=r"gates\['f'\]\[0\]"):
        gate_plots.plot_gate_activations({"f": np.zeros((2, 5, 3))})
    with pytest.raises(ShapeError, match="そろっていません"):
        gate_plots.plot_gate_activations({"f": np.zeros((5, 3)), "i": np.zeros((4, 3))})
    with pytest.raises(ShapeError, match="x の時刻の数"):
        gate_plots.plot_gate_activations({"f": np.zeros((5, 3))}, x=np.zeros(4))


# --- plot_grouped_bars / plot_mean_spread ---------------------------------------------------------


def test_grouped_bars_positions_heights_and_labels():
    ax = gate_plots.plot_grouped_bars({"RNN": [304, 928], "LSTM": [1216, 952], "GRU": [912, 912.5]},
                                      ["同じ H", "同じ数"], ylabel="パラメータ数")
    assert len(ax.patches) == 6
    heights = [p.get_height() for p in ax.patches]
    assert heights == [304, 928, 1216, 952, 912, 912.5]
    assert [t.get_text() for t in ax.texts] == ["304", "928", "1,216", "952", "912", "912.500"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["RNN", "LSTM", "GRU"]
    assert ax.get_ylabel() == "パラメータ数"
    assert render_warnings(ax.figure) == []


def test_grouped_bars_checks_lengths():
    with pytest.raises(ShapeError, match=r"\(G,\) = \(2,\)"):
        gate_plots.plot_grouped_bars({"RNN": [1, 2, 3]}, ["a", "b"])
    with pytest.raises(ValueError, match="groups が空"):
        gate_plots.plot_grouped_bars({"RNN": []}, [])
    ax = gate_plots.plot_grouped_bars({"a": [1.0]}, ["g"], annotate=False)
    assert len(ax.texts) == 0


def test_mean_spread_mean_band_points_and_chance():
    runs = {"RNN": np.array([[1.0, 1.0, 0.9], [0.5, 1.0, 0.6]]), "GRU": np.ones((2, 3))}
    ax = gate_plots.plot_mean_spread([10, 100], runs, chance=0.5)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["RNN (平均)", "GRU (平均)", "チャンスレベル"]
    np.testing.assert_allclose(lines[0].get_ydata(), [29 / 30, 0.7])
    assert len(ax.collections) == 2 + 2 * 2  # 帯 2 つ + 長さごとの点 2 × 2
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(0.5) and band.max() == pytest.approx(1.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["10", "100"]
    assert ax.get_xlabel() == "系列の長さ $T$" and ax.get_ylabel() == "テストの正解率"
    assert render_warnings(ax.figure) == []


def test_mean_spread_checks_shapes():
    with pytest.raises(ShapeError, match=r"\(K, S\) = \(2, S\)"):
        gate_plots.plot_mean_spread([1, 2], {"a": np.ones((3, 2))})
    with pytest.raises(ShapeError, match="x_values"):
        gate_plots.plot_mean_spread([], {"a": np.ones((0, 2))})
    with pytest.raises(TypeError, match="辞書"):
        gate_plots.plot_mean_spread([1], [[1.0]])


def test_plots_draw_on_the_given_axes():
    fig, axes = plt.subplots(1, 2)
    assert gate_plots.plot_grouped_bars({"a": [1.0]}, ["g"], ax=axes[0]) is axes[0]
    assert gate_plots.plot_mean_spread([1], {"a": [[1.0]]}, ax=axes[1]) is axes[1]
    assert plt.get_fignums() == [fig.number]


# --- gradient_norms_by_lag ------------------------------------------------------------------------


def _autograd_norms(module, x, dh_last):
    """1 時刻ずつ nn.RNN/LSTM/GRU を呼び、retain_grad で各時刻の h_t, c_t の勾配を測る。"""
    x = torch.from_numpy(x)
    N, T, _ = x.shape
    H = module.hidden_size
    zeros = torch.zeros(1, N, H, dtype=torch.float64)
    state = (zeros, zeros.clone()) if isinstance(module, torch.nn.LSTM) else zeros
    states = []
    for t in range(T):
        _, state = module(x[:, t : t + 1], state)
        parts = state if isinstance(state, tuple) else (state,)
        for part in parts:
            part.retain_grad()
        states.append(parts)
    (states[-1][0][0] * torch.from_numpy(dh_last)).sum().backward()

    def norm(p):
        return 0.0 if p.grad is None else float(p.grad.norm())

    norms_h = np.array([norm(states[T - 1 - k][0]) for k in range(T)])
    norms_c = np.array([norm(states[T - 1 - k][1]) for k in range(T)]) if len(states[0]) == 2 else None
    return norms_h, norms_c


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradient_norms_match_autograd(cell):
    N, T, D, H = 2, 7, 3, 4
    torch.manual_seed(1)
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H, batch_first=True).double()
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(3.0)  # ゲートが 0.5 付近に固まらないように
    to_numpy = {"rnn": rnn_weights_from_torch, "lstm": lstm_weights_from_torch, "gru": gru_weights_from_torch}
    weights = to_numpy[cell](module)
    rng = np.random.default_rng(2)
    x, dh_last = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    norms = gate_plots.gradient_norms_by_lag(cell, x, weights, dh_last=dh_last)
    expected_h, expected_c = _autograd_norms(module, x, dh_last)
    np.testing.assert_allclose(norms["h"], expected_h, rtol=1e-10)
    assert norms["h"][0] == pytest.approx(np.linalg.norm(dh_last))
    if cell == "lstm":
        np.testing.assert_allclose(norms["c"], expected_c, rtol=1e-10, atol=1e-15)
    else:
        assert sorted(norms) == ["h"]


def test_rnn_norms_agree_with_the_widget_helper():
    rng = np.random.default_rng(0)
    W_xh, W_hh, b_h = rng.normal(size=(5, 2)), rng.normal(size=(5, 5)) / 2, rng.normal(size=5)
    x = rng.normal(size=(1, 9, 2))
    norms = gate_plots.gradient_norms_by_lag("rnn", x, (W_xh, W_hh, b_h))
    np.testing.assert_allclose(norms["h"], hidden_gradient_norms(W_hh, W_xh, b_h, x, np.zeros((1, 5))))


def test_gradient_norms_t1_and_bad_arguments():
    H = 2
    weights = (np.ones((3 * H, 1)), np.ones((3 * H, H)), np.zeros(3 * H), np.zeros(3 * H))
    assert gate_plots.gradient_norms_by_lag("gru", np.zeros((1, 1, 1)), weights)["h"].tolist() == [pytest.approx(1.0)]
    with pytest.raises(ValueError, match="cell は"):
        gate_plots.gradient_norms_by_lag("cnn", np.zeros((1, 2, 1)), weights)
    with pytest.raises(TypeError, match="4 つ"):
        gate_plots.gradient_norms_by_lag("gru", np.zeros((1, 2, 1)), weights[:3])
    with pytest.raises(ShapeError, match="W_ih"):
        gate_plots.gradient_norms_by_lag("lstm", np.zeros((1, 2, 1)), weights[:3])  # 3H 行は LSTM の 4H と違う
    with pytest.raises(ShapeError, match="dh_last"):
        gate_plots.gradient_norms_by_lag("gru", np.zeros((1, 2, 1)), weights, dh_last=np.zeros((2, H)))


# --- matching_hidden_size -------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("target", [1, 50, 304, 912, 1216, 5000])
def test_matching_hidden_size_is_the_closest(cell, target):
    H = gate_plots.matching_hidden_size(cell, target, input_size=2)
    best = min(range(1, 200), key=lambda h: (abs(recurrent_param_count(cell, 2, h) - target), h))
    assert H == best


def test_matching_hidden_size_bad_arguments():
    with pytest.raises(ValueError, match="cell は"):
        gate_plots.matching_hidden_size("transformer", 100)
    with pytest.raises(ValueError, match="n_params"):
        gate_plots.matching_hidden_size("rnn", 0)
    with pytest.raises(TypeError, match="input_size"):
        gate_plots.matching_hidden_size("rnn", 10, input_size=1.5)


# --- open_keep_gate / memory_accuracy / memory_sweep -----------------------------------------------


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_open_keep_gate_sets_only_the_second_block(kind):
    module = getattr(torch.nn, kind)(1, 3)
    before = (module.bias_ih_l0 + module.bias_hh_l0).detach().clone()
    assert gate_plots.open_keep_gate(module, 2.0) is module
    after = (module.bias_ih_l0 + module.bias_hh_l0).detach()
    assert after[3:6].tolist() == [2.0, 2.0, 2.0]
    assert torch.equal(after[:3], before[:3]) and torch.equal(after[6:], before[6:])


def test_open_keep_gate_bad_arguments():
    with pytest.raises(TypeError, match="LSTM か torch.nn.GRU"):
        gate_plots.open_keep_gate(torch.nn.RNN(1, 2), 1.0)
    with pytest.raises(TypeError, match="単方向"):
        gate_plots.open_keep_gate(torch.nn.LSTM(1, 2, num_layers=2), 1.0)
    with pytest.raises(ValueError, match="bias=False"):
        gate_plots.open_keep_gate(torch.nn.GRU(1, 2, bias=False), 1.0)
    with pytest.raises(ValueError, match="有限の数"):
        gate_plots.open_keep_gate(torch.nn.GRU(1, 2), float("nan"))


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_memory_accuracy_without_options_equals_the_shared_experiment(cell):
    kwargs = dict(T=3, seed=3, hidden_size=3, steps=8, n_train=16, n_test=16)
    assert gate_plots.memory_accuracy(cell, **kwargs) == memory_task_accuracy(cell, **kwargs)


def test_memory_accuracy_keep_bias_and_early_stop_change_the_run():
    kwargs = dict(T=3, seed=0, hidden_size=3, steps=20, n_train=16, n_test=64)
    assert gate_plots.memory_accuracy("rnn", keep_bias=5.0, **kwargs) == gate_plots.memory_accuracy("rnn", **kwargs)
    base = gate_plots.memory_accuracy("lstm", **kwargs)
    assert gate_plots.memory_accuracy("lstm", keep_bias=2.0, **kwargs) != base
    assert gate_plots.memory_accuracy("lstm", stop_loss=10.0, **kwargs) == gate_plots.memory_accuracy(
        "lstm", **{**kwargs, "steps": 1}
    )  # 損失はいつも 10 未満なので 1 ステップで止まる
    with pytest.raises(ValueError, match="cell は"):
        gate_plots.memory_accuracy("cnn", T=3)


def test_memory_sweep_table_shape_and_progress():
    class Recorder:
        def __init__(self):
            self.calls = []

        def update(self, step, **metrics):
            self.calls.append((step, sorted(metrics)))

    recorder = Recorder()
    models = {"RNN": {"cell": "rnn", "hidden_size": 3}, "GRU": {"cell": "gru", "hidden_size": 2, "keep_bias": 1.0}}
    table = gate_plots.memory_sweep(models, lengths=[2, 3], seeds=[0, 1, 2], progress=recorder, steps=2, n_train=8,
                                    n_test=8, workers=1)
    assert list(table) == ["RNN", "GRU"] and table["GRU"].shape == (2, 3)
    assert table["RNN"][1, 2] == gate_plots.memory_accuracy("rnn", T=3, seed=2, hidden_size=3, steps=2, n_train=8,
                                                            n_test=8)
    assert [c[0] for c in recorder.calls] == list(range(1, 13)) and recorder.calls[0][1] == []


def test_memory_sweep_is_the_same_in_one_or_two_processes():
    models = {"RNN": {"cell": "rnn", "hidden_size": 3}, "LSTM": {"cell": "lstm", "hidden_size": 2, "keep_bias": 2.0}}
    kwargs = dict(lengths=[3], seeds=[0, 1], steps=3, n_train=8, n_test=16)
    one = gate_plots.memory_sweep(models, workers=1, **kwargs)
    two = gate_plots.memory_sweep(models, workers=2, **kwargs)
    assert all(np.array_equal(one[k], two[k]) for k in models)


def test_orthogonal_initialisation_only_for_the_plain_rnn():
    acc = gate_plots.memory_accuracy("rnn", T=3, seed=0, hidden_size=3, orthogonal=True, steps=2, n_train=8, n_test=8)
    assert 0.0 <= acc <= 1.0
    with pytest.raises(ValueError, match="orthogonal"):
        gate_plots.memory_accuracy("gru", T=3, orthogonal=True, steps=1)


def test_validation_data_is_not_the_test_data():
    settings = dict(T=4, seed=0, hidden_size=3, steps=5, n_train=16, n_test=64)
    test = gate_plots.memory_accuracy("rnn", **settings)
    validation = gate_plots.memory_accuracy("rnn", evaluate_on="validation", **settings)
    assert test != validation  # 同じモデルを別のデータで測る
    with pytest.raises(ValueError, match="evaluate_on"):
        gate_plots.memory_accuracy("rnn", evaluate_on="train", **settings)


def test_learning_rate_search_counts_solved_validation_runs(monkeypatch):
    seen = []

    def fake(**call):
        seen.append(call)
        return 0.95 if call["lr"] == 0.01 or call["seed"] == 0 else 0.5

    monkeypatch.setattr(gate_plots, "memory_accuracy", fake)
    counts = gate_plots.learning_rate_search({"RNN": {"cell": "rnn"}}, [0.003, 0.01], T=5, seeds=[0, 1, 2], workers=1)
    assert counts == {"RNN": {0.003: 1, 0.01: 3}}
    assert all(call["evaluate_on"] == "validation" and call["T"] == 5 for call in seen)


def test_best_learning_rate_prefers_more_solved_then_the_larger_rate():
    assert gate_plots.best_learning_rate({0.003: 3, 0.01: 2, 0.03: 0}) == 0.003
    assert gate_plots.best_learning_rate({0.003: 3, 0.01: 3, 0.03: 2}) == 0.01
    with pytest.raises(ValueError, match="solved_by_rate"):
        gate_plots.best_learning_rate({})
