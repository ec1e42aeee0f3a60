"""参照実装の RNN で、勾配が時間をさかのぼるときの大きさ (ヤコビ行列の積。第 4 章 勾配消失と勾配爆発)。

1 時刻さかのぼるごとに、勾配には次のヤコビ行列 (列ベクトルの書き方) が掛かります::

    ∂h_t/∂h_{t-1} = diag(1 − h_t²) W_hh                       (h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h))
    ∂h_T/∂h_{T-k} = J_T J_{T-1} ⋯ J_{T-k+1},   J_t = ∂h_t/∂h_{t-1}
    ∂L/∂h_{T-k}   = ∂L/∂h_T · ∂h_T/∂h_{T-k}                   (行ベクトルの勾配に右から掛ける)

tanh′ = 1 − h_t² ≤ 1 なので、k ステップ分の大きさはおよそ ρ(W_hh)^k 以下
(ρ はスペクトル半径 = 固有値の絶対値の最大)。ρ < 1 なら消失、ρ > 1 で tanh が飽和しなければ爆発します。

    >>> import numpy as np
    >>> W_hh = recurrent_matrix(8, 0.9)             # スペクトル半径 0.9 の (H, H)
    >>> round(spectral_radius(W_hh), 6), round(predicted_slope(W_hh), 4)
    (0.9, -0.0458)
    >>> h, grads = scalar_chain(0.5, np.zeros(4))   # h_t = tanh(0.5 h_{t-1} + x_t)、入力なし
    >>> grads                                      # ∂h_T/∂h_{T-k} = 0.5^k
    array([1.    , 0.5   , 0.25  , 0.125 , 0.0625])

時刻の番号は式に合わせて h_1 … h_T (初期状態 h_0)。配列では ``h[:, t]`` が h_{t+1} です。
PyTorch のモデルで同じ量を測る関数と第 4 章の対策の実験は ``rnncourse.labs.gradient_flow`` にあります。
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from rnncourse.nn.rnn import rnn_forward, rnn_step_backward, rnn_step_forward
from rnncourse.shapes import Dims, as_float_array, check_int

__all__ = [
    "recurrent_matrix",
    "spectral_radius",
    "rescale_spectral_radius",
    "scalar_chain",
    "step_jacobian",
    "jacobian_products",
    "hidden_gradient_norms",
    "predicted_slope",
    "measured_slope",
]


def _check_nonnegative(name: str, value: object) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value < 0:
        raise ValueError(f"引数 {name} は 0 以上の有限の数にしてください ({value!r} が渡されました)。")
    return float(value)


def _check_finite(name: str, value: object) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value):
        raise ValueError(f"引数 {name} は有限の数にしてください ({value!r} が渡されました)。")
    return float(value)


def _check_length(name: str, value: object) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"引数 {name} は 1 以上の整数にしてください ({value!r} が渡されました)。")
    return int(value)


# --- 再帰重みとスペクトル半径 ---------------------------------------------------------------------


def recurrent_matrix(H: int, spectral_radius: float, seed: int = 0) -> np.ndarray:
    """スペクトル半径 (固有値の絶対値の最大) がちょうど ``spectral_radius`` になる (H, H) の再帰重み。

    >>> W_hh = recurrent_matrix(8, 0.9)
    >>> round(float(np.max(np.abs(np.linalg.eigvals(W_hh)))), 6)
    0.9

    W_hh = ρ · W₀。W₀ は ``seed`` で決まる乱数の直交行列 Q で回転を組み合わせた行列 Q B Qᵀ で、
    B は 2×2 の回転ブロックを並べたもの (固有値の絶対値 1, …, 0.6、回転角 0.3, …, 2.5 ラジアン)。
    固有値の絶対値の最大が 1 なので、ρ がそのままスペクトル半径になり、
    活性化関数のない線形 RNN では ‖W_hh^k‖ = ρ^k がちょうど成り立ちます (正規行列のため)。
    回転があるので、隠れ状態は振動しながら減ったり増えたりします。
    """
    H = _check_length("H", H)
    spectral_radius = _check_nonnegative("spectral_radius", spectral_radius)
    n_blocks = H // 2
    radii = np.linspace(1.0, 0.6, max(n_blocks, 1))  # 各ブロックの固有値の絶対値 (最大 1)
    angles = np.linspace(0.3, 2.5, max(n_blocks, 1))  # 各ブロックの回転角 (振動の速さ)
    B = np.zeros((H, H))
    for i in range(n_blocks):
        c, s = radii[i] * np.cos(angles[i]), radii[i] * np.sin(angles[i])
        B[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[c, -s], [s, c]]  # 固有値 r e^{±iθ}
    if H % 2:
        B[-1, -1] = 1.0 if H == 1 else 0.5  # H が奇数のときの残り 1 次元
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(H, H)))  # 乱数の直交行列
    return spectral_radius * (Q @ B @ Q.T)  # W_hh = ρ Q B Qᵀ


def spectral_radius(W: np.ndarray) -> float:
    """正方行列 W のスペクトル半径 ρ(W) = max_i |λ_i| (固有値の絶対値の最大)。

    >>> spectral_radius(np.array([[0.0, 2.0], [-0.5, 0.0]]))  # 固有値 ±i
    1.0

    形: W (H, H) → float。固有値は複素数のこともあるので絶対値 (複素数の大きさ) をとります。
    """
    W = Dims().check("W", W, ("H", "H"))
    return float(np.max(np.abs(np.linalg.eigvals(W))))  # ρ(W) = max |λ_i|


def rescale_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """W を定数倍して、スペクトル半径をちょうど ``rho`` にした新しい行列を返す。

    >>> W = rescale_spectral_radius(np.array([[0.0, 2.0], [-0.5, 0.0]]), 0.8)
    >>> round(spectral_radius(W), 6)
    0.8

    形: W (H, H) → (H, H)。W·c の固有値は λ_i·c なので、c = rho / ρ(W) を掛けます。
    固有値がすべて 0 の行列 (ρ(W) = 0) は倍率を決められないので ValueError です。
    """
    rho = _check_nonnegative("rho", rho)
    current = spectral_radius(W)
    if current < 1e-12:
        raise ValueError("引数 W のスペクトル半径が 0 なので、定数倍してもスペクトル半径を変えられません。")
    return as_float_array("W", W) * (rho / current)  # ρ(cW) = c ρ(W)


# --- スカラーの鎖とヤコビ行列 ---------------------------------------------------------------------


def scalar_chain(w: float, x: np.ndarray, h0: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """隠れ状態が 1 つの数の RNN h_t = tanh(w h_{t−1} + x_t) を動かし、勾配 ∂h_T/∂h_{T−k} を求める。

    >>> h, grads = scalar_chain(2.0, np.zeros(3), h0=0.0)   # h は 0 のまま → tanh′ = 1
    >>> grads
    array([1., 2., 4., 8.])

    形: x (T,) → (h (T,), grads (T + 1,))。``h[t]`` が h_{t+1}、``grads[k]`` が ∂h_T/∂h_{T−k}
    (k = 0 … T。``grads[T]`` は初期状態についての ∂h_T/∂h_0)。1 時刻分の微分は
    ∂h_t/∂h_{t−1} = w (1 − h_t²) なので、grads[k] = ∏_{j=0}^{k−1} w (1 − h_{T−j}²) です。
    """
    w = _check_finite("w", w)
    h0 = _check_finite("h0", h0)
    x = as_float_array("x", x)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"引数 x は長さ T ≥ 1 の 1 次元配列 (T,) にしてください (形 {x.shape} が渡されました)。")
    T = x.size
    h = np.empty(T)
    h_prev = h0
    for t in range(T):
        h_prev = h[t] = np.tanh(w * h_prev + x[t])  # h_t = tanh(w h_{t−1} + x_t)
    grads = np.empty(T + 1)
    grads[0] = 1.0  # ∂h_T/∂h_T = 1
    for k in range(1, T + 1):
        grads[k] = grads[k - 1] * w * (1 - h[T - k] ** 2)  # × ∂h_{T−k+1}/∂h_{T−k} = w (1 − h_{T−k+1}²)
    return h, grads


def step_jacobian(h_t: np.ndarray, W_hh: np.ndarray) -> np.ndarray:
    """1 時刻分のヤコビ行列 ∂h_t/∂h_{t−1} = diag(1 − h_t²) W_hh。

    >>> step_jacobian(np.zeros(2), np.array([[0.5, 1.0], [0.0, 2.0]]))   # h_t = 0 なら W_hh そのもの
    array([[0.5, 1. ],
           [0. , 2. ]])

    形: h_t (H,), W_hh (H, H) → (H, H)。(i, j) 成分が ∂h_{t,i}/∂h_{t−1,j} = (1 − h_{t,i}²) W_hh[i, j]。
    行ベクトルの勾配では ∂L/∂h_{t−1} = ∂L/∂h_t · J (``rnn_step_backward`` の dh_prev と同じ)。
    """
    dims = Dims()
    h_t = dims.check("h_t", h_t, ("H",))
    W_hh = dims.check("W_hh", W_hh, ("H", "H"))
    return (1 - h_t**2)[:, None] * W_hh  # diag(1 − h_t²) W_hh (i 行目を 1 − h_{t,i}² 倍)


def jacobian_products(h: np.ndarray, W_hh: np.ndarray) -> np.ndarray:
    """1 本の系列の隠れ状態から、積 ∂h_T/∂h_{T−k} = J_T ⋯ J_{T−k+1} を k = 0 … T について求める。

    >>> h, _ = rnn_forward(np.zeros((1, 3, 1)), np.zeros((1, 2)), np.ones((2, 1)), 0.5 * np.eye(2), np.zeros(2))
    >>> jacobian_products(h[0], 0.5 * np.eye(2))[:, 0, 0]   # h = 0 のまま → 0.5^k
    array([1.   , 0.5  , 0.25 , 0.125])

    形: h (T, H) (``rnn_forward`` の出力 1 本分、``h[0]`` など), W_hh (H, H) → (T + 1, H, H)。
    ``P[0]`` は単位行列、``P[k] = P[k−1] J_{T−k+1}``、``P[T]`` は初期状態についての ∂h_T/∂h_0。
    J_t = diag(1 − h_t²) W_hh は h_t (配列では ``h[t − 1]``) だけから決まるので h_0 は要りません。
    """
    dims = Dims()
    h = dims.check("h", h, ("T", "H"))
    dims.at_least("T", 1)
    W_hh = dims.check("W_hh", W_hh, ("H", "H"))
    T, H = h.shape
    P = np.empty((T + 1, H, H))
    P[0] = np.eye(H)  # ∂h_T/∂h_T = I
    for k in range(1, T + 1):
        P[k] = P[k - 1] @ step_jacobian(h[T - k], W_hh)  # ∂h_T/∂h_{T−k} = ∂h_T/∂h_{T−k+1} · J_{T−k+1}
    return P


def hidden_gradient_norms(
    W_hh: np.ndarray,
    W_xh: np.ndarray,
    b_h: np.ndarray,
    x: np.ndarray,
    h0: np.ndarray,
    dh_last: np.ndarray | None = None,
) -> np.ndarray:
    """最後の時刻だけに損失があるとき、勾配 ∂L/∂h が時間をさかのぼるにつれてどう変わるかを求める。

    >>> rng = np.random.default_rng(0)
    >>> N, T, D, H = 1, 10, 2, 4
    >>> norms = hidden_gradient_norms(recurrent_matrix(H, 0.5), rng.normal(size=(H, D)),
    ...                               np.zeros(H), rng.normal(size=(N, T, D)), np.zeros((N, H)))
    >>> norms.shape, float(norms[0])
    ((10,), 1.0)

    形: W_hh (H, H), W_xh (H, D), b_h (H,), x (N, T, D), h0 (N, H), dh_last (N, H) → (T,)。
    戻り値の ``norms[k]`` は ‖∂L/∂h[:, T−1−k]‖ (k は最後の時刻からの距離、k = 0 が最後の隠れ状態)。
    ノルムは (N, H) 全体のフロベニウスノルムです。``dh_last`` (上流から最後の時刻に届く勾配
    ∂L/∂h_T) を省略すると、ノルム 1 のそろった向き (すべての成分が等しい) を使います。
    BPTT の 1 時刻分 (``rnn_step_backward``) を後ろから順に当て、∂L/∂h_{t−1} を得ます。
    """
    dims = Dims()
    W_hh = dims.check("W_hh", W_hh, ("H", "H"))
    W_xh = dims.check("W_xh", W_xh, ("H", "D"))
    b_h = dims.check("b_h", b_h, ("H",))
    x = dims.check("x", x, ("N", "T", "D"))
    h0 = dims.check("h0", h0, ("N", "H"))
    N, T, H = dims["N"], dims["T"], dims["H"]
    if dh_last is None:
        dh_last = np.full((N, H), 1.0 / np.sqrt(N * H))  # ‖∂L/∂h_T‖ = 1
    dh_t = dims.check("dh_last", dh_last, ("N", "H"))

    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)  # 各時刻の h_{t-1}
    norms = np.empty(T)
    for k in range(T):
        t = T - 1 - k
        norms[k] = np.linalg.norm(dh_t)  # ‖∂L/∂h_t‖
        _, step_cache = rnn_step_forward(x[:, t], h_prev[:, t], W_xh, W_hh, b_h)
        # ∂L/∂h_{t-1} = (∂L/∂h_t ⊙ (1 − h_t²)) W_hh
        _, dh_t, _, _, _ = rnn_step_backward(dh_t, step_cache)
    return norms


# --- 傾き (1 ステップあたりの倍率) ------------------------------------------------------------------


def predicted_slope(W_hh: np.ndarray) -> float:
    """固有値から予想する、片対数グラフ上の勾配ノルムの傾き log₁₀ ρ(W_hh) (1 ステップあたり)。

    >>> round(predicted_slope(recurrent_matrix(4, 10.0)), 6)
    1.0

    形: W_hh (H, H) → float。tanh′ = 1 (h_t ≈ 0、線形の領域) のとき ∂h_T/∂h_{T−k} = W_hh^k で、
    k が大きいと ‖W_hh^k‖ は ρ^k に比例して変わる (最大の固有値の成分が残る) ので、
    log₁₀ ‖∂L/∂h_{T−k}‖ の k に対する傾きは log₁₀ ρ に近づきます。負なら消失、正なら爆発。
    tanh′ < 1 の分だけ実際の傾きはこれより小さくなります。
    """
    rho = spectral_radius(W_hh)
    if rho == 0:
        return -math.inf
    return math.log10(rho)  # log₁₀ ρ


def measured_slope(norms: Sequence[float] | np.ndarray, k_min: int = 0, k_max: int | None = None) -> float:
    """測った勾配ノルムの片対数グラフの傾き (log₁₀ ‖∂L/∂h_{T−k}‖ を k の直線で最小二乗近似した傾き)。

    >>> measured_slope(0.5 ** np.arange(20))  # ちょうど 0.5^k なら log₁₀ 0.5
    -0.30103

    形: norms (K,) (``norms[k]`` が ‖∂L/∂h_{T−k}‖) → float。``k_min`` ≤ k < ``k_max`` (省略時は K) だけを
    使います。最初の数ステップは最大固有値以外の成分も残っていて傾きがずれるので、k_min で除けます。
    使う範囲に 0 以下の値 (対数をとれない) があれば ValueError。結果は小数第 6 位に丸めます。
    """
    norms = as_float_array("norms", norms)
    if norms.ndim != 1:
        raise ValueError(f"引数 norms は 1 次元配列にしてください (形 {norms.shape} が渡されました)。")
    k_min = check_int("k_min", k_min, 0)
    k_max = norms.size if k_max is None else check_int("k_max", k_max, 1)
    if k_max > norms.size or k_max - k_min < 2:
        raise ValueError(
            f"k_min = {k_min}, k_max = {k_max} では点が 2 つ以上とれません (norms の長さ {norms.size})。"
        )
    part = norms[k_min:k_max]
    if not np.all(np.isfinite(part) & (part > 0)):
        raise ValueError("norms の使う範囲に 0 以下か nan / inf の値があり、対数をとれません。k_max を小さくしてください。")
    k = np.arange(k_min, k_max)
    slope = np.polyfit(k, np.log10(part), 1)[0]  # log₁₀ ‖·‖ ≈ slope · k + 切片
    return round(float(slope), 6)
