"""時系列の予測 (rnncourse.models.forecasting) のテスト: 回帰モデル、学習、自己回帰の多段予測。"""

import numpy as np
import pytest
import torch

from rnncourse.data.timeseries import noisy_sine, sliding_windows
from rnncourse.models.forecasting import SequenceRegressor, forecast_mse, predict_next, rollout, train_regressor
from rnncourse.seeding import torch_defaults
from rnncourse.shapes import ShapeError


@pytest.fixture(autouse=True)
def float64():
    with torch_defaults("float64", 1):
        yield


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_regressor_reads_the_last_hidden_state(cell):
    torch.manual_seed(0)
    model = SequenceRegressor(cell, hidden_size=5)
    x = torch.randn(4, 7, 1)
    with torch.no_grad():
        h, _ = model.rnn(x)
        expected = model.fc(h[:, -1])
        assert model(x).shape == (4, 1)
        torch.testing.assert_close(model(x), expected)
    np.testing.assert_allclose(predict_next(model, x.numpy()), expected[:, 0].numpy())


def test_rollout_slides_the_window_over_its_own_predictions():
    windows = np.random.default_rng(0).normal(size=(3, 4, 1))
    weights = np.array([0.1, -0.2, 0.3, 0.9])

    def linear(X):
        return X[:, :, 0] @ weights + 0.05

    forecasts = rollout(linear, windows, horizon=6)
    history = windows[:, :, 0].tolist()
    for k in range(6):
        for n in range(3):
            value = float(np.dot(history[n][-4:], weights) + 0.05)  # いつも最後の 4 個 (本物 + 予測) から
            assert forecasts[n, k] == pytest.approx(value, abs=1e-12)
            history[n].append(value)


def test_rollout_with_a_model_matches_a_hand_written_loop():
    torch.manual_seed(1)
    model = SequenceRegressor("gru", hidden_size=6)
    windows = noisy_sine(40, seed=3)[None, :20, None]
    forecasts = rollout(model, windows, horizon=25)  # 20 段目より先は予測だけの窓
    window = windows.copy()
    for k in range(25):
        y = predict_next(model, window)
        assert forecasts[0, k] == pytest.approx(float(y[0]), abs=1e-12)
        window = np.concatenate([window[:, 1:], y[:, None, None]], axis=1)
    assert not np.shares_memory(forecasts, windows)


def test_rollout_rejects_bad_arguments():
    with pytest.raises(ShapeError, match="windows"):
        rollout(lambda X: X[:, -1, 0], np.zeros((3, 4)), horizon=2)
    with pytest.raises(ValueError, match="horizon"):
        rollout(lambda X: X[:, -1, 0], np.zeros((3, 4, 1)), horizon=0)
    with pytest.raises(TypeError, match="model"):
        rollout("gru", np.zeros((3, 4, 1)), horizon=2)


def _windows(seed):
    series = noisy_sine(220, seed=seed)
    return sliding_windows(series[:160], 20), sliding_windows(series[160:], 20)


def test_training_beats_the_naive_forecast_and_restores_the_best_step():
    train, validation = _windows(0)
    outcomes = []
    for _ in range(2):
        torch.manual_seed(0)
        model = SequenceRegressor("gru", hidden_size=8)
        result = train_regressor(model, train, validation, steps=120, lr=0.01, batch_size=32, seed=0, eval_every=20)
        outcomes.append((result, forecast_mse(model, *validation)))
    (result, restored), (again, _) = outcomes
    assert result == again
    assert result.steps == [20, 40, 60, 80, 100, 120]
    assert restored == pytest.approx(min(result.val_mse), abs=1e-12)
    assert result.val_mse[result.steps.index(result.best_step)] == min(result.val_mse)
    naive = float(np.mean((validation[1][:, 0] - validation[0][:, -1, 0]) ** 2))
    assert restored < naive


def test_training_checks_window_shapes():
    train, validation = _windows(1)
    model = SequenceRegressor("rnn", hidden_size=3)
    with pytest.raises(ShapeError):
        train_regressor(model, (train[0][:, :, 0], train[1]), validation, steps=1)
    with pytest.raises(ShapeError):
        train_regressor(model, train, (validation[0], validation[1][:-1]), steps=1)
