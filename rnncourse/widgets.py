"""スライダーで RNN の振る舞いを調べるウィジェットと、その中身の描画関数。

ウィジェット (``hidden_state_explorer`` など) は画面で動かして眺めるためのもので、
その出力は nbval では比べられません。ノートブックでは次のように 2 つのセルに分けます::

    # セル 1 (タグ nbval-ignore-output、理由を 1 行コメントで)
    hidden_state_explorer()

    # セル 2 (普通のセル: 同じ描画関数を既定値で呼び、中身を検査する)
    render_hidden_states(1.0)
    plt.show()

描画関数は pyplot の新しい図を作って返します。図をセルの最後の式にすると 2 度表示されるので、
``plt.show()`` でセルを終えてください。

    >>> import matplotlib.pyplot as plt
    >>> fig = render_gradient_norms(0.9, T=20)
    >>> len(fig.axes[0].get_lines())
    2
    >>> plt.close(fig)

``hidden_gradient_norms`` は 4 章 (勾配消失・爆発) の本文に移すかもしれません。
"""

from __future__ import annotations

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from rnncourse.plots import FIGSIZE, plot_gradient_norms, plot_hidden_trajectories
from rnncourse.rnn import rnn_forward, rnn_step_backward, rnn_step_forward
from rnncourse.shapes import Dims

__all__ = [
    "recurrent_matrix",
    "hidden_gradient_norms",
    "render_hidden_states",
    "render_gradient_norms",
    "hidden_state_explorer",
    "gradient_norm_explorer",
]

_H = 8  # ウィジェットの RNN の隠れ状態の次元 (小さいほど線が見分けやすい)
_STYLE = {"description_width": "initial"}  # 日本語の説明が切れないように


def _check_nonnegative(name: str, value: object) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value < 0:
        raise ValueError(f"引数 {name} は 0 以上の有限の数にしてください ({value!r} が渡されました)。")
    return float(value)


def _check_length(name: str, value: object) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"引数 {name} は 1 以上の整数にしてください ({value!r} が渡されました)。")
    return int(value)


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


def _seeded_rnn(seed: int, D: int) -> tuple[np.ndarray, np.ndarray]:
    """ウィジェット用の小さな RNN の W_xh (H, D) と b_h (H,)。"""
    rng = np.random.default_rng(seed + 1)  # W_hh (seed) と別の乱数列にする
    return rng.normal(size=(_H, D)) / np.sqrt(D), np.zeros(_H)  # x_t W_xhᵀ の各成分の分散がおよそ 1


def render_hidden_states(scale: float, T: int = 30, seed: int = 0) -> Figure:
    """W_hh のスペクトル半径を ``scale`` にした RNN に、最初の時刻だけ入力 1 を与えたときの隠れ状態を描く。

    >>> fig = render_hidden_states(0.5, T=20)
    >>> len(fig.axes[0].get_lines())
    4
    >>> plt.close(fig)

    隠れ状態 H = 8、入力 D = 1、h_0 = 0。x (1, T, 1) は x_0 = 1 で残りは 0 (インパルス応答)。
    倍率が 1 より小さいと入力の影響は消えて 0 に落ち着き、1 を超えると増えて tanh で
    ±1 付近に張り付いたり、振動したりします。先頭の 4 ユニットを描いた図を返します。
    """
    scale = _check_nonnegative("scale", scale)
    T = _check_length("T", T)
    W_hh = recurrent_matrix(_H, scale, seed)
    W_xh, b_h = _seeded_rnn(seed, D=1)
    x = np.zeros((1, T, 1))
    x[0, 0, 0] = 1.0  # 最初の時刻だけの入力
    h, _ = rnn_forward(x, np.zeros((1, _H)), W_xh, W_hh, b_h)  # (1, T, H)
    fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    plot_hidden_trajectories(h, ax=ax)
    ax.set_title(f"W_hh の倍率 (スペクトル半径) = {scale:.2f}")
    return fig


def render_gradient_norms(
    spectral_radius: float, T: int = 50, seed: int = 0, input_scale: float = 0.5
) -> Figure:
    """W_hh のスペクトル半径を変えた RNN で、最後の時刻の損失の勾配が過去へどれだけ届くかを描く。

    >>> fig = render_gradient_norms(1.2, T=30)
    >>> [line.get_linestyle() for line in fig.axes[0].get_lines()]
    ['-', '--']
    >>> plt.close(fig)

    隠れ状態 H = 8、入力 D = 4、h_0 = 0、x (1, T, 4) は標準正規乱数の ``input_scale`` 倍。
    実線が ``hidden_gradient_norms`` の値、破線がその上限 ρ^k です。1 時刻さかのぼるごとに
    勾配には tanh′ (≤ 1) と W_hh が掛かり、``recurrent_matrix`` の W_hh は ‖W_hh‖₂ = ρ なので、
    実線は必ず破線以下になります。

    - ``input_scale=0`` では h_t が 0 のまま (tanh′ = 1) で、ρ < 1 なら消失、ρ > 1 なら爆発します。
    - 入力が大きいほど tanh が飽和して tanh′ が小さくなり、ρ > 1 でも勾配は爆発しにくくなります。
    """
    spectral_radius = _check_nonnegative("spectral_radius", spectral_radius)
    T = _check_length("T", T)
    input_scale = _check_nonnegative("input_scale", input_scale)
    W_hh = recurrent_matrix(_H, spectral_radius, seed)
    W_xh, b_h = _seeded_rnn(seed, D=4)
    x = input_scale * np.random.default_rng(seed + 2).normal(size=(1, T, 4))
    norms = hidden_gradient_norms(W_hh, W_xh, b_h, x, np.zeros((1, _H)))
    k = np.arange(T)
    fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    plot_gradient_norms({"RNN (tanh)": norms}, ax=ax, predicted={r"上限 $\rho^k$": spectral_radius**k})
    ax.set_title(f"スペクトル半径 ρ = {spectral_radius:.2f}、入力の大きさ {input_scale:.2f}")
    return fig


def _show(fig: Figure) -> None:
    """図をその場で表示して閉じる (ウィジェットの Output の中で呼ぶ)。"""
    from IPython.display import display

    display(fig)
    plt.close(fig)  # pyplot が図を持ち続けないように (セルの最後に 2 度目が表示されるのも防ぐ)


def hidden_state_explorer(scale: float = 1.0, T: int = 30, seed: int = 0) -> ipywidgets.interactive:
    """「W_hh の倍率」と系列長 T のスライダーで ``render_hidden_states`` を動かすウィジェット。

    >>> widget = hidden_state_explorer()  # doctest: +SKIP
    >>> widget  # doctest: +SKIP

    戻り値は ``ipywidgets.interactive`` (スライダー 2 つと出力欄の VBox)。作るときに 1 度描画します。
    """
    scale_slider = ipywidgets.FloatSlider(
        value=scale, min=0.1, max=max(2.5, scale), step=0.05, description="W_hh の倍率",
        continuous_update=False, style=_STYLE,
    )
    T_slider = ipywidgets.IntSlider(
        value=T, min=5, max=max(100, T), step=5, description="系列長 T", continuous_update=False,
        style=_STYLE,
    )

    def update(scale: float, T: int) -> None:
        _show(render_hidden_states(scale, T=T, seed=seed))

    return ipywidgets.interactive(update, scale=scale_slider, T=T_slider)


def gradient_norm_explorer(
    spectral_radius: float = 1.0, T: int = 50, input_scale: float = 0.5, seed: int = 0
) -> ipywidgets.interactive:
    """スペクトル半径 ρ・系列長 T・入力の大きさのスライダーで ``render_gradient_norms`` を動かすウィジェット。

    >>> widget = gradient_norm_explorer()  # doctest: +SKIP
    >>> widget  # doctest: +SKIP

    戻り値は ``ipywidgets.interactive`` (スライダー 3 つと出力欄の VBox)。作るときに 1 度描画します。
    """
    radius_slider = ipywidgets.FloatSlider(
        value=spectral_radius, min=0.1, max=max(2.0, spectral_radius), step=0.05,
        description="スペクトル半径 ρ",
        continuous_update=False, style=_STYLE,
    )
    T_slider = ipywidgets.IntSlider(
        value=T, min=5, max=max(200, T), step=5, description="系列長 T", continuous_update=False,
        style=_STYLE,
    )
    input_slider = ipywidgets.FloatSlider(
        value=input_scale, min=0.0, max=max(2.0, input_scale), step=0.05, description="入力の大きさ",
        continuous_update=False, style=_STYLE,
    )

    def update(spectral_radius: float, T: int, input_scale: float) -> None:
        _show(render_gradient_norms(spectral_radius, T=T, seed=seed, input_scale=input_scale))

    return ipywidgets.interactive(
        update, spectral_radius=radius_slider, T=T_slider, input_scale=input_slider
    )
