import numpy as np
import pytest

from rnncourse.shapes import ShapeError
from rnncourse.data.timeseries import (
    autoregressive_forecast,
    linear_rollout,
    mean_forecast_mse,
    naive_forecast_mse,
    naive_mse_by_horizon,
    noisy_sine,
    sliding_windows,
    train_test_split_series,
)


def test_noisy_sine_shape_dtype_and_seed():
    a = noisy_sine(300, seed=3)
    assert a.shape == (300,) and a.dtype == np.float64
    np.testing.assert_array_equal(a, noisy_sine(300, seed=3))
    assert not np.array_equal(a, noisy_sine(300, seed=4))


def test_noisy_sine_without_noise_follows_the_documented_formula():
    t = np.arange(100.0)
    expected = np.sin(2 * np.pi * t / 20) + 0.3 * np.sin(2 * np.pi * t / 8)
    np.testing.assert_allclose(noisy_sine(100, period=20, noise=0.0, second_amplitude=0.3), expected)
    np.testing.assert_allclose(noisy_sine(100, period=20, noise=0.0, second_amplitude=0.0), np.sin(2 * np.pi * t / 20))


def test_noisy_sine_noise_level():
    clean = noisy_sine(20000, noise=0.0)
    residual = noisy_sine(20000, noise=0.2, seed=1) - clean
    assert abs(residual.std() - 0.2) < 0.01


@pytest.mark.parametrize("kwargs", [{"n_steps": 0}, {"n_steps": 10, "period": 0}, {"n_steps": 10, "noise": -1.0}])
def test_noisy_sine_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="引数"):
        noisy_sine(**kwargs)


def test_noisy_sine_rejects_non_integer_length():
    with pytest.raises(TypeError, match="n_steps"):
        noisy_sine(10.5)


def test_sliding_windows_content_and_shapes():
    series = np.arange(10.0)
    X, y = sliding_windows(series, window=4, horizon=2)
    assert X.shape == (5, 4, 1) and y.shape == (5, 2)
    for i in range(5):
        np.testing.assert_array_equal(X[i, :, 0], series[i : i + 4])
        np.testing.assert_array_equal(y[i], series[i + 4 : i + 6])
    X[0, 0, 0] = 99.0  # copies, not views of series
    assert series[0] == 0.0


def test_sliding_windows_minimum_length_and_errors():
    X, y = sliding_windows(np.arange(3.0), window=2)
    assert X.shape == (1, 2, 1) and y.shape == (1, 1)
    with pytest.raises(ValueError, match="T ≥ window \\+ horizon = 4"):
        sliding_windows(np.arange(3.0), window=3)
    with pytest.raises(ShapeError, match="series"):
        sliding_windows(np.zeros((5, 1)), window=2)
    with pytest.raises(TypeError, match="window"):
        sliding_windows(np.arange(5.0), window=2.0)


def test_train_test_split_is_chronological():
    series = np.arange(50.0)
    train, test = train_test_split_series(series, test_fraction=0.2)
    np.testing.assert_array_equal(train, np.arange(40.0))
    np.testing.assert_array_equal(test, np.arange(40.0, 50.0))


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_train_test_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split_series(np.arange(10.0), test_fraction=fraction)


def test_train_test_split_rejects_empty_part():
    with pytest.raises(ValueError, match="空"):
        train_test_split_series(np.arange(3.0), test_fraction=0.01)


def test_baselines_by_hand():
    X = np.array([[[1.0], [3.0]], [[0.0], [2.0]]])
    y = np.array([[4.0, 5.0], [2.0, 2.0]])
    # naive: predictions 3 and 2 → errors (1, 2), (0, 0)
    assert naive_forecast_mse(X, y) == pytest.approx((1 + 4 + 0 + 0) / 4)
    # mean: predictions 2 and 1 → errors (2, 3), (1, 1)
    assert mean_forecast_mse(X, y) == pytest.approx((4 + 9 + 1 + 1) / 4)
    assert isinstance(naive_forecast_mse(X, y), float)


def test_baselines_check_shapes():
    with pytest.raises(ShapeError, match="X"):
        naive_forecast_mse(np.zeros((3, 4)), np.zeros((3, 1)))
    with pytest.raises(ShapeError, match="y"):
        mean_forecast_mse(np.zeros((3, 4, 1)), np.zeros((2, 1)))


def test_naive_baseline_is_the_stronger_one_on_the_sine():
    X, y = sliding_windows(noisy_sine(1000, seed=0), window=20)
    naive, mean = naive_forecast_mse(X, y), mean_forecast_mse(X, y)
    assert naive < mean
    assert naive > 2 * 0.1**2  # two noise terms: the baseline leaves room for a model to do better


# ------------------------------------------------------------------ 多段予測
def test_naive_mse_by_horizon_averages_to_naive_forecast_mse():
    X, y = sliding_windows(noisy_sine(120, seed=2), 10, horizon=7)
    by_k = naive_mse_by_horizon(X, y)
    assert by_k.shape == (7,)
    assert by_k.mean() == pytest.approx(naive_forecast_mse(X, y))
    assert by_k[0] == pytest.approx(naive_forecast_mse(X, y[:, :1]))
    with pytest.raises(ShapeError):
        naive_mse_by_horizon(X, y[:-1])


def test_naive_mse_by_horizon_is_periodic_on_a_clean_wave():
    # ノイズのない波は 2P = 50 時刻ごとに同じ形に戻るので、50 時刻先の素朴な予測は正確
    X, y = sliding_windows(noisy_sine(200, noise=0.0), 20, horizon=50)
    assert naive_mse_by_horizon(X, y)[49] < 1e-20 < naive_mse_by_horizon(X, y)[24]


def test_autoregressive_forecast_slides_the_window_over_its_own_predictions():
    windows = np.random.default_rng(0).normal(size=(3, 4, 1))
    weights = np.array([0.1, -0.2, 0.3, 0.9])
    forecasts = autoregressive_forecast(lambda X: X[:, :, 0] @ weights + 0.05, windows, horizon=6)
    history = windows[:, :, 0].tolist()
    for k in range(6):
        for n in range(3):
            value = float(np.dot(history[n][-4:], weights) + 0.05)  # いつも最後の 4 個 (本物 + 予測) から
            assert forecasts[n, k] == pytest.approx(value, abs=1e-12)
            history[n].append(value)
    np.testing.assert_allclose(linear_rollout(windows, weights, 0.05, 6), forecasts)


def test_autoregressive_forecast_rejects_bad_arguments():
    with pytest.raises(ShapeError, match="windows"):
        autoregressive_forecast(lambda X: X[:, -1, 0], np.zeros((3, 4)), horizon=2)
    with pytest.raises(ValueError, match="horizon"):
        autoregressive_forecast(lambda X: X[:, -1, 0], np.zeros((3, 4, 1)), horizon=0)
    with pytest.raises(TypeError, match="predict"):
        autoregressive_forecast("last", np.zeros((3, 4, 1)), horizon=2)
    with pytest.raises(ShapeError, match="w"):
        linear_rollout(np.zeros((3, 4, 1)), np.zeros(3), 0.0, 2)
    with pytest.raises(TypeError, match="b"):
        linear_rollout(np.zeros((3, 4, 1)), np.zeros(4), "0", 2)
