"""時系列データ: ノイズ入りの正弦波、スライディングウィンドウ、時間順の分割、素朴な予測の基準値。

1 次元の系列 (T,) から「過去 window 個を見て次の horizon 個を当てる」教師データを作ります::

    >>> series = noisy_sine(200, seed=0)
    >>> series.shape
    (200,)
    >>> train, test = train_test_split_series(series, test_fraction=0.2)
    >>> len(train), len(test)
    (160, 40)
    >>> X, y = sliding_windows(train, window=20)
    >>> X.shape, y.shape
    ((140, 20, 1), (140, 1))
    >>> naive_forecast_mse(X, y) < mean_forecast_mse(X, y)
    True

X は RNN の入力 (N, T, D) の形 (D = 1) をしているので、そのまま ``rnn_forward`` や
``torch.nn.RNN(batch_first=True)`` に渡せます (PyTorch では ``torch.from_numpy(X).float()``)。
"""

from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from rnncourse.shapes import Dims, ShapeError, as_float_array, check_int

__all__ = [
    "noisy_sine",
    "sliding_windows",
    "train_test_split_series",
    "naive_forecast_mse",
    "mean_forecast_mse",
    "naive_mse_by_horizon",
    "autoregressive_forecast",
    "linear_rollout",
]


def _check_fraction(name: str, value: object) -> float:
    """0 < value < 1 の実数であることを確かめる。"""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"引数 {name} は実数であるべきですが、{value!r} ({type(value).__name__}) が渡されました。")
    if not 0.0 < value < 1.0:
        raise ValueError(f"引数 {name} は 0 より大きく 1 より小さい割合であるべきですが、{value} が渡されました。")
    return float(value)


def _check_series(series: object) -> np.ndarray:
    series = as_float_array("series", series)
    if series.ndim != 1:
        raise ShapeError(
            f"引数 series は 1 次元の系列 (T,) のはずですが、{series.ndim} 次元の形 {tuple(series.shape)} が渡されました。"
        )
    return series


def noisy_sine(
    n_steps: int,
    period: float = 25.0,
    noise: float = 0.1,
    seed: int = 0,
    second_amplitude: float = 0.5,
) -> np.ndarray:
    """2 つの正弦波の和にガウスノイズを加えた系列 (長さ n_steps) を返す。

    >>> noisy_sine(5, noise=0.0).round(3)
    array([0.   , 0.543, 0.957, 1.16 , 1.138])

    式 (t = 0, 1, …, n_steps − 1, P = period, A = second_amplitude)::

        x_t = sin(2π t / P) + A sin(2π t / (0.4 P)) + ε_t,   ε_t ~ N(0, noise²)

    2 つ目の波は 2.5 倍速いので、波形は周期 2P ごとに繰り返す少し複雑な形になります
    (「直前の値をそのまま使う」だけでは当てきれない構造がある)。A = 0 なら単純な正弦波。
    ノイズは ``np.random.default_rng(seed)`` で作るので、同じ seed なら毎回同じ系列です。

    形: 戻り値 (n_steps,) float64。
    """
    n_steps = check_int("n_steps", n_steps, 1)
    if not isinstance(period, numbers.Real) or isinstance(period, bool) or not period > 0:
        raise ValueError(f"引数 period は正の実数 (1 周期の時刻数) であるべきですが、{period!r} が渡されました。")
    if not isinstance(noise, numbers.Real) or isinstance(noise, bool) or not noise >= 0:
        raise ValueError(f"引数 noise は 0 以上の実数 (ノイズの標準偏差) であるべきですが、{noise!r} が渡されました。")
    if not isinstance(second_amplitude, numbers.Real) or isinstance(second_amplitude, bool):
        raise TypeError(f"引数 second_amplitude は実数であるべきですが、{second_amplitude!r} が渡されました。")
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps, dtype=np.float64)
    clean = np.sin(2 * np.pi * t / period)  # sin(2π t / P)
    clean += second_amplitude * np.sin(2 * np.pi * t / (0.4 * period))  # + A sin(2π t / (0.4 P))
    return clean + noise * rng.standard_normal(n_steps)  # + ε_t


def sliding_windows(series: np.ndarray, window: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """系列を 1 時刻ずつずらした窓に切り、(入力 X, 目標 y) の組を作る。

    >>> X, y = sliding_windows(np.arange(6.0), window=3)
    >>> X[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    >>> y
    array([[3.],
           [4.],
           [5.]])

    i 番目の例は X[i] = series[i : i+window]、y[i] = series[i+window : i+window+horizon]
    (窓の直後の horizon 個)。例の数は M = T − window − horizon + 1。

    形: series (T,) → X (M, window, 1), y (M, horizon)。どちらも float64 の新しい配列 (series とメモリを共有しない)。
    """
    series = _check_series(series)
    window = check_int("window", window, 1)
    horizon = check_int("horizon", horizon, 1)
    T = series.shape[0]
    M = T - window - horizon + 1  # 作れる窓の数
    if M < 1:
        raise ValueError(
            f"長さ T = {T} の系列からは window = {window}, horizon = {horizon} の例を 1 つも作れません "
            f"(T ≥ window + horizon = {window + horizon} が必要です)。"
        )
    views = np.lib.stride_tricks.sliding_window_view(series, window + horizon)[:M]  # (M, window + horizon)
    X = views[:, :window].reshape(M, window, 1).copy()
    y = views[:, window:].copy()
    return X, y


def train_test_split_series(series: np.ndarray, test_fraction: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """系列を時間順に前半 (訓練) と後半 (テスト) に分ける。シャッフルはしない。

    >>> train, test = train_test_split_series(np.arange(10.0), test_fraction=0.3)
    >>> train, test
    (array([0., 1., 2., 3., 4., 5., 6.]), array([7., 8., 9.]))

    シャッフルしない理由: 時系列の予測では「過去から未来を当てる」ことを評価したいからです。
    ランダムに分けると、テストの時刻のすぐ前後の値が訓練に入り、未来の情報が訓練に漏れます。
    隣り合う窓はほとんど同じ値を含むので、ランダム分割のテスト誤差は実際より楽観的になります。
    窓 (``sliding_windows``) は分割した後に、訓練とテストそれぞれで作ってください。

    テストの長さは round(T × test_fraction)。形: series (T,) → train (T − T_test,), test (T_test,)。
    """
    series = _check_series(series)
    test_fraction = _check_fraction("test_fraction", test_fraction)
    T = series.shape[0]
    n_test = int(round(T * test_fraction))
    if n_test < 1 or n_test > T - 1:
        raise ValueError(
            f"長さ T = {T} の系列を test_fraction = {test_fraction} で分けると、訓練かテストが空になります "
            f"(テストの長さ {n_test})。もっと長い系列か、別の割合を使ってください。"
        )
    return series[: T - n_test].copy(), series[T - n_test :].copy()


def _check_windows(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dims = Dims()
    X = dims.check("X", X, ("M", "window", 1))
    y = dims.check("y", y, ("M", "horizon"))
    return X, y


def naive_forecast_mse(X: np.ndarray, y: np.ndarray) -> float:
    """「最後に見えた値がこの先も続く」と予測したときの平均二乗誤差 (MSE)。

    >>> X, y = sliding_windows(np.array([0.0, 1.0, 2.0, 3.0]), window=2)
    >>> naive_forecast_mse(X, y)  # 予測 1, 2 に対して正解 2, 3
    1.0

    予測 ŷ_{i,k} = X[i, −1, 0] (すべての k で同じ値)、MSE = mean_{i,k} (y_{i,k} − ŷ_{i,k})²。
    RNN の予測はまずこの基準値より小さい誤差を出せるかで判断します。

    形: X (M, window, 1), y (M, horizon) → float。
    """
    X, y = _check_windows(X, y)
    y_hat = X[:, -1, 0][:, None]  # ŷ_{i,k} = x_{i, window−1}
    return float(np.mean((y - y_hat) ** 2))  # mean (y − ŷ)²


def mean_forecast_mse(X: np.ndarray, y: np.ndarray) -> float:
    """「窓の平均値が続く」と予測したときの平均二乗誤差 (MSE)。

    >>> X, y = sliding_windows(np.array([0.0, 1.0, 2.0, 3.0]), window=2)
    >>> mean_forecast_mse(X, y)  # 予測 0.5, 1.5 に対して正解 2, 3
    2.25

    予測 ŷ_{i,k} = (1/window) Σ_s X[i, s, 0]、MSE = mean_{i,k} (y_{i,k} − ŷ_{i,k})²。
    波の形を無視する、もう 1 つの素朴な基準値です。

    形: X (M, window, 1), y (M, horizon) → float。
    """
    X, y = _check_windows(X, y)
    y_hat = X[:, :, 0].mean(axis=1)[:, None]  # ŷ_{i,k} = 窓の平均
    return float(np.mean((y - y_hat) ** 2))  # mean (y − ŷ)²


def naive_mse_by_horizon(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """素朴な予測 (最後に見えた値がこの先も続く) の、先の時刻 k ごとの MSE。

    >>> X = np.array([[[0.0], [1.0]], [[1.0], [2.0]]])   # 2 つの窓の最後の値は 1 と 2
    >>> naive_mse_by_horizon(X, np.array([[2.0, 4.0], [2.0, 2.0]]))
    array([0.5, 4.5])

    式: MSE_k = (1/M) Σ_i (y_{i,k} − X_{i,window−1})²。全部の k で平均すると ``naive_forecast_mse`` と同じ値。

    形: X (M, window, 1), y (M, horizon) → (horizon,)。
    """
    X, y = _check_windows(X, y)
    y_hat = X[:, -1, 0][:, None]  # ŷ_{i,k} = x_{i, window−1} (すべての k で同じ)
    return np.mean((y - y_hat) ** 2, axis=0)  # k ごとに i で平均


def autoregressive_forecast(
    predict: Callable[[np.ndarray], np.ndarray], windows: np.ndarray, horizon: int
) -> np.ndarray:
    """自己回帰の多段予測: 予測した値を窓の末尾に足し、いちばん古い値を捨てて、次を予測する。これを horizon 回。

    >>> last = lambda X: X[:, -1, 0]                 # 「直前の値が続く」予測器
    >>> autoregressive_forecast(last, np.arange(6.0).reshape(2, 3, 1), horizon=2)
    array([[2., 2.],
           [5., 5.]])
    >>> mean = lambda X: X[:, :, 0].mean(axis=1)     # 「窓の平均」予測器
    >>> autoregressive_forecast(mean, np.array([[[0.0], [3.0], [6.0]]]), horizon=2)
    array([[3., 4.]])

    ``predict`` は窓 (N, T, 1) を受け取って次の値 (N,) を返す関数 (学習したモデルの予測など)。
    k 段目の予測は、本物の値 T − k 個とそれまでの予測 k 個を並べた窓から作ります (k ≥ T なら予測だけの窓)。
    いつも学習のときと同じ長さ T の窓を渡します。

    形: windows (N, T, 1), horizon → (N, horizon) float64。
    """
    if not callable(predict):
        raise TypeError(f"引数 predict には窓を受け取る関数を渡してください ({type(predict).__name__} が渡されました)。")
    windows = Dims().check("windows", windows, ("N", "T", 1))
    horizon = check_int("horizon", horizon, 1)
    window = windows.copy()
    forecasts = np.empty((windows.shape[0], horizon))
    for k in range(horizon):
        y_hat = np.asarray(predict(window), dtype=np.float64).reshape(-1)  # 次の値 (N,)
        forecasts[:, k] = y_hat
        window = np.concatenate([window[:, 1:], y_hat[:, None, None]], axis=1)  # 古い値を捨て、予測を足す
    return forecasts


def linear_rollout(windows: np.ndarray, w: np.ndarray, b: float, horizon: int) -> np.ndarray:
    """線形の予測器 ŷ = Σ_s w_s x_s + b (窓の値の重み付き和) で、自己回帰の多段予測をする。

    >>> windows = np.array([[[1.0], [2.0]]])                          # 窓 (1, 2, 1)
    >>> linear_rollout(windows, np.array([0.0, 1.0]), 1.0, horizon=3)  # 「直前の値 + 1」
    array([[3., 4., 5.]])

    ``autoregressive_forecast`` に線形の予測器 (自己回帰モデル、AR モデル) を渡したものと同じです。
    w[s] は窓の s 番目 (古い順) の値に掛かる重みです。

    形: windows (N, T, 1), w (T,), b → (N, horizon)。
    """
    dims = Dims()
    windows = dims.check("windows", windows, ("N", "T", 1))
    w = dims.check("w", w, ("T",))
    if isinstance(b, bool) or not isinstance(b, numbers.Real):
        raise TypeError(f"引数 b は実数 (切片) であるべきですが、{b!r} が渡されました。")
    return autoregressive_forecast(lambda X: X[:, :, 0] @ w + b, windows, horizon)  # ŷ = x·w + b
