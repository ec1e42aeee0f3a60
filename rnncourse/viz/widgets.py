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

図の中身 (再帰の重みとヤコビ行列の積) は NumPy の参照実装の側 ``rnncourse.nn.jacobian`` で計算します。
"""

from __future__ import annotations

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from rnncourse.nn.jacobian import hidden_gradient_norms, recurrent_matrix
from rnncourse.nn.rnn import rnn_forward
from rnncourse.viz.plots import FIGSIZE, plot_gradient_norms, plot_hidden_trajectories

__all__ = [
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
