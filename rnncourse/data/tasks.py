"""講座の各章で使う人工的な系列タスク。正解が作り方から決まるので、モデルが何を学べたかを確かめやすい。

どれも ``np.random.default_rng(seed)`` で作り、同じ seed なら毎回同じデータです。入力はバッチ先頭 (N, T, D)、
float64 (PyTorch では ``torch.from_numpy(x).float()``)。ラベルは int64::

    >>> x, y = sequence_classification_task(64, T=10, seed=0)
    >>> x.shape, y.shape, y.dtype
    ((64, 10, 1), (64,), dtype('int64'))

| 関数 | 種類 | 形 |
| --- | --- | --- |
| ``sequence_classification_task`` | 多対一 (系列 → 1 つのラベル) | x (n, T, 1), y (n,) |
| ``tagging_task`` | 多対多 (各時刻にラベル) | x (n, T, 1), y (n, T) |
| ``memory_task`` | 長期の記憶 (最初の値を T 時刻覚える) | x (n, T, 1), y (n,) |
| ``lag_task`` | lag 時刻前の入力を出す (打ち切り BPTT の実験) | x (n, T, 1), y (n, T, 1) |
"""

from __future__ import annotations

import numbers

import numpy as np

from rnncourse.shapes import check_int

__all__ = ["sequence_classification_task", "tagging_task", "memory_task", "lag_task"]


def _balanced_labels(rng: np.random.Generator, n: int) -> np.ndarray:
    """0 と 1 がちょうど半分ずつ (n が奇数なら 1 つ差) のラベルをランダムな順に並べる。"""
    return rng.permutation(np.arange(n) % 2).astype(np.int64)


def sequence_classification_task(n: int, T: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """多対一の分類: 「系列の値の合計が正か」を当てる。小さな RNN (H = 8〜16) が数百ステップ以内で学べる。

    >>> x, y = sequence_classification_task(4, T=5, seed=0)
    >>> x.shape, y.shape
    ((4, 5, 1), (4,))
    >>> bool(np.all(y == (x.sum(axis=(1, 2)) > 0)))
    True

    作り方::

        x_{n,t} ~ N(0, 1)   (t = 0 … T−1)
        y_n = 1  (Σ_t x_{n,t} > 0 のとき)、 0  (それ以外)

    RNN は値を隠れ状態に足し込んでいけば解けます (最後の h_T から 2 クラスを予測)。
    対称性からラベルはほぼ半々です。目安として、H = 8 の RNN を n = 256, T = 10〜20 の全バッチで
    Adam (学習率 0.01) 100 ステップ学習すると、新しいデータでの正解率はおよそ 93〜97% になります
    (SGD なら学習率 0.1〜0.3 で 100 ステップ、およそ 80〜89%)。合計が 0 に近い例は本質的に区別しにくく、
    100% に近づくには時間がかかります。

    形: x (n, T, 1) float64, y (n,) int64 (0 か 1)。
    """
    n = check_int("n", n, 1)
    T = check_int("T", T, 1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, T, 1))  # x_{n,t} ~ N(0, 1)
    y = (x.sum(axis=(1, 2)) > 0).astype(np.int64)  # y_n = [Σ_t x_{n,t} > 0]
    return x, y


def tagging_task(n: int, T: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """多対多 (同期型) のタグ付け: 各時刻に「そこまでの累積和が正か」のラベルを付ける。

    >>> x, y = tagging_task(2, T=6, seed=0)
    >>> x.shape, y.shape
    ((2, 6, 1), (2, 6))
    >>> bool(np.all(y == (np.cumsum(x[:, :, 0], axis=1) > 0)))
    True

    作り方::

        x_{n,t} ~ N(0, 1)
        y_{n,t} = 1  (s_{n,t} = Σ_{τ≤t} x_{n,τ} > 0 のとき)、 0  (それ以外)

    時刻 t のラベルは x_t だけでは決まらず、過去の入力すべてに依存します (隠れ状態で累積和を覚える)。
    各時刻でラベルはほぼ半々です。

    形: x (n, T, 1) float64, y (n, T) int64 (0 か 1)。
    """
    n = check_int("n", n, 1)
    T = check_int("T", T, 1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, T, 1))  # x_{n,t} ~ N(0, 1)
    y = (np.cumsum(x[:, :, 0], axis=1) > 0).astype(np.int64)  # y_{n,t} = [Σ_{τ≤t} x_{n,τ} > 0]
    return x, y


def memory_task(n: int, T: int, noise: float = 0.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """長期の記憶: 最初の時刻の ±1 を、その後の T−1 時刻のノイズを越えて覚えておき、最後に答える。

    >>> x, y = memory_task(4, T=6, seed=0)
    >>> x.shape, y.shape
    ((4, 6, 1), (4,))
    >>> bool(np.all(y == (x[:, 0, 0] > 0)))
    True

    作り方::

        x_{n,0} = +1 (y_n = 1 のとき) または −1 (y_n = 0 のとき)
        x_{n,t} ~ N(0, noise²)   (t = 1 … T−1)

    答えは最初の値だけで決まり、後のノイズは無関係です。モデルは最後の隠れ状態 h_T から y を予測するので、
    x_0 の情報を T−1 ステップ保たねばならず、勾配も T−1 ステップさかのぼる必要があります。
    T を大きくすると x_0 まで届く勾配が小さくなって学習が難しくなるので、勾配消失の実験に使います。
    ラベルはちょうど半々 (n が奇数なら 1 つ差) で、チャンスレベルは 50%。

    形: x (n, T, 1) float64, y (n,) int64 (0 か 1)。
    """
    n = check_int("n", n, 1)
    T = check_int("T", T, 1)
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"引数 noise は 0 以上の実数 (ノイズの標準偏差) であるべきですが、{noise!r} が渡されました。")
    rng = np.random.default_rng(seed)
    y = _balanced_labels(rng, n)
    x = np.empty((n, T, 1))
    x[:, 0, 0] = 2.0 * y - 1.0  # x_0 = ±1 (y = 1 なら +1)
    x[:, 1:, 0] = noise * rng.standard_normal((n, T - 1))  # x_t ~ N(0, noise²), t ≥ 1
    return x, y


def lag_task(n: int, T: int, lag: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """遅れの再現: 時刻 t の目標は lag 時刻前の入力 x_{t−lag} (t < lag では 0)。

    >>> x, y = lag_task(1, T=6, lag=2, seed=0)
    >>> x[0, :, 0]
    array([ 1.,  1.,  1., -1., -1., -1.])
    >>> y[0, :, 0]
    array([ 0.,  0.,  1.,  1.,  1., -1.])

    作り方::

        x_{n,t} = ±1 (等確率)
        y_{n,t} = x_{n,t−lag}  (t ≥ lag)、 0  (t < lag)

    打ち切り BPTT の実験用です。長さ K で勾配を打ち切ると、K ≤ lag では「lag 時刻前の入力」と
    「今の誤差」を結ぶ勾配がないので、この依存関係を確実に学べるのは K ≥ lag + 1 のときです
    (K ≤ lag では、学べるかどうかが乱数の種しだいになります。第3章 3.11 節)。
    損失は平均二乗誤差が自然で、常に 0 と予測すると MSE = (T − lag) / T (学べたかの基準値)。

    形: x (n, T, 1) float64, y (n, T, 1) float64。
    """
    n = check_int("n", n, 1)
    T = check_int("T", T, 1)
    lag = check_int("lag", lag, 0)
    if lag >= T:
        raise ValueError(f"lag = {lag} は系列の長さ T = {T} より小さくしてください (そうでないと目標がすべて 0 です)。")
    rng = np.random.default_rng(seed)
    x = rng.choice(np.array([-1.0, 1.0]), size=(n, T, 1))  # x_t = ±1
    y = np.zeros_like(x)
    y[:, lag:] = x[:, : T - lag]  # y_t = x_{t−lag} (t ≥ lag)、t < lag は 0
    return x, y
