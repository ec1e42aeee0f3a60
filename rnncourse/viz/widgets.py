"""スライダーで RNN の振る舞いを調べるウィジェットと、その中身の描画関数。

ウィジェット (``hidden_state_explorer`` など) は、部品 (スライダーや入力欄) と出力欄を縦に並べた ``Explorer`` です。
作るときの 1 枚目の図は、出力欄の**状態**として入れます (画面への出力は出しません)。そのため、セルに残る出力は
ウィジェット 1 つと、その短い説明の文 (``Explorer`` の ``repr``、例: ``隠れ状態のウィジェット (倍率 1.00, T = 30)``)
だけになり、nbval はその文を毎回同じに比べられます。マーカーやタグは要りません::

    # セル 1: ウィジェット (動かして眺める。保存した状態から、開いただけで部品と最初の図が表示される)
    hidden_state_explorer()

    # セル 2: 同じ描画関数を既定値で呼び、図の中身をほかのセルと同じように残す
    render_hidden_states(1.0)
    plt.show()

新しいウィジェットは ``explorer(部品の辞書, 描画関数, 説明の関数)`` で作ります (``rnncourse.labs`` の
``sentiment_explorer`` と ``conversion_explorer`` もこれを使います)。部品を動かすと描画関数を呼び直し、
表示した文字と図で出力欄を置き換えます。

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

import base64
import contextlib
import io
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from rnncourse.nn.jacobian import hidden_gradient_norms, recurrent_matrix
from rnncourse.nn.rnn import rnn_forward
from rnncourse.viz.plots import FIGSIZE, plot_gradient_norms, plot_hidden_trajectories

__all__ = [
    "Explorer",
    "explorer",
    "render_outputs",
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


def _figure_output(fig: Figure) -> dict[str, Any]:
    """図を、ノートブックの display_data の出力と同じ形の辞書にする (PNG は base64)。"""
    from IPython.core.pylabtools import print_figure

    png = print_figure(fig, "png", bbox_inches="tight")  # インラインの表示 (matplotlib-inline) と同じ書き出し方
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": repr(fig)},
        "metadata": {},
    }


def render_outputs(render: Callable[..., Figure | None], **values: Any) -> tuple[dict[str, Any], ...]:
    """``render(**values)`` を呼び、表示した文字と返した図を、ノートブックの出力の辞書の組にして返す。

    >>> def hello(name):
    ...     print(f"こんにちは、{name}")
    >>> render_outputs(hello, name="RNN")
    ({'output_type': 'stream', 'name': 'stdout', 'text': 'こんにちは、RNN\\n'},)

    表示した文字 (stdout) は 1 つの stream の出力に、返した図 (None でなければ) は PNG の display_data の出力に
    なります。図は閉じます (pyplot が図を持ち続けないように)。
    """
    text = io.StringIO()
    figures_before = set(plt.get_fignums())
    try:
        with contextlib.redirect_stdout(text):
            fig = render(**values)
    except Exception:
        for number in set(plt.get_fignums()) - figures_before:  # 途中まで描いた図を残さない
            plt.close(number)
        raise
    outputs: list[dict[str, Any]] = []
    if text.getvalue():
        outputs.append({"output_type": "stream", "name": "stdout", "text": text.getvalue()})
    if fig is not None:
        outputs.append(_figure_output(fig))
        plt.close(fig)
    return tuple(outputs)


class Explorer(ipywidgets.VBox):
    """部品 (スライダーや入力欄) を上に、出力欄 (``ipywidgets.Output``) を下に並べたウィジェット。

    ``controls`` は {描画関数の引数の名前: 部品}。作るとき、と部品の値が変わるたびに ``render(**values)`` を呼び、
    その出力 (``render_outputs``) を出力欄の状態 ``output.outputs`` にそのまま入れます。画面への出力
    (iopub の display_data) は出さないので、ウィジェットを表示したセルの出力は、ウィジェット 1 つと
    ``repr`` の文 (``describe(**values)``) だけです。値を変えたときの描画で起きたエラーは、出力欄に文字で表示します。
    """

    def __init__(
        self,
        controls: Mapping[str, ipywidgets.ValueWidget],
        render: Callable[..., Figure | None],
        describe: Callable[..., str],
    ) -> None:
        self.controls = dict(controls)
        self.output = ipywidgets.Output()
        self._render = render
        self._describe = describe
        self.output.outputs = render_outputs(render, **self.values)  # 最初の描画のエラーは呼んだ人に返す
        super().__init__(children=(*self.controls.values(), self.output))
        for control in self.controls.values():
            control.observe(self._redraw, names="value")

    @property
    def values(self) -> dict[str, Any]:
        """部品の今の値 {引数の名前: 値}。"""
        return {name: control.value for name, control in self.controls.items()}

    def _redraw(self, change: Any = None) -> None:
        try:
            outputs = render_outputs(self._render, **self.values)
        except Exception as error:  # 画面で動かしている人に理由を見せる (カーネルのログに隠さない)
            outputs = ({"output_type": "stream", "name": "stderr", "text": f"{type(error).__name__}: {error}\n"},)
        self.output.outputs = outputs

    def __repr__(self) -> str:
        return self._describe(**self.values)


def explorer(
    controls: Mapping[str, ipywidgets.ValueWidget],
    render: Callable[..., Figure | None],
    describe: Callable[..., str],
) -> Explorer:
    """部品と描画関数から、nbval が出力を比べられるウィジェット (``Explorer``) を作る。

    >>> slider = ipywidgets.IntSlider(value=3, min=1, max=10, description="T")
    >>> def draw(T):
    ...     print("T =", T)
    >>> widget = explorer({"T": slider}, draw, lambda T: f"T のウィジェット (T = {T})")
    >>> widget
    T のウィジェット (T = 3)
    >>> widget.output.outputs
    ({'output_type': 'stream', 'name': 'stdout', 'text': 'T = 3\\n'},)
    >>> slider.value = 5  # 部品を動かすと描き直す
    >>> widget.output.outputs[0]["text"]
    'T = 5\\n'
    >>> widget.close()

    ``render`` は文字を表示してもよく、図 (Figure) か None を返します。``describe`` は部品の値を受け取り、
    ウィジェットの短い説明の文を返します。これがセルの text/plain の出力になり、nbval が比べます
    (110 文字を超えると ipywidgets が切り詰めます)。値の決まった短い文にしてください。
    """
    return Explorer(controls, render, describe)


def hidden_state_explorer(scale: float = 1.0, T: int = 30, seed: int = 0) -> Explorer:
    """「W_hh の倍率」と系列長 T のスライダーで ``render_hidden_states`` を動かすウィジェット。

    >>> widget = hidden_state_explorer()
    >>> widget
    隠れ状態のウィジェット (倍率 1.00, T = 30)
    >>> [output["output_type"] for output in widget.output.outputs]  # 作るときに 1 度描いた図 (PNG)
    ['display_data']
    >>> widget.close()

    戻り値は ``Explorer`` (スライダー 2 つと出力欄の VBox)。スライダーの値 (倍率、T) を変えると描き直します。
    """
    scale_slider = ipywidgets.FloatSlider(
        value=scale, min=0.1, max=max(2.5, scale), step=0.05, description="W_hh の倍率",
        continuous_update=False, style=_STYLE,
    )
    T_slider = ipywidgets.IntSlider(
        value=T, min=5, max=max(100, T), step=5, description="系列長 T", continuous_update=False,
        style=_STYLE,
    )

    def render(scale: float, T: int) -> Figure:
        return render_hidden_states(scale, T=T, seed=seed)

    def describe(scale: float, T: int) -> str:
        return f"隠れ状態のウィジェット (倍率 {scale:.2f}, T = {T})"

    return explorer({"scale": scale_slider, "T": T_slider}, render, describe)


def gradient_norm_explorer(
    spectral_radius: float = 1.0, T: int = 50, input_scale: float = 0.5, seed: int = 0
) -> Explorer:
    """スペクトル半径 ρ・系列長 T・入力の大きさのスライダーで ``render_gradient_norms`` を動かすウィジェット。

    >>> widget = gradient_norm_explorer()
    >>> widget
    勾配ノルムのウィジェット (ρ = 1.00, T = 50, 入力の大きさ 0.50)
    >>> widget.close()

    戻り値は ``Explorer`` (スライダー 3 つと出力欄の VBox)。作るときに 1 度描き、スライダーの値を変えると描き直します。
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

    def render(spectral_radius: float, T: int, input_scale: float) -> Figure:
        return render_gradient_norms(spectral_radius, T=T, seed=seed, input_scale=input_scale)

    def describe(spectral_radius: float, T: int, input_scale: float) -> str:
        return f"勾配ノルムのウィジェット (ρ = {spectral_radius:.2f}, T = {T}, 入力の大きさ {input_scale:.2f})"

    return explorer({"spectral_radius": radius_slider, "T": T_slider, "input_scale": input_slider}, render, describe)
