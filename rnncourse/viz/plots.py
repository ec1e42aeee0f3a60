"""講座の図: 展開した RNN の模式図、隠れ状態のヒートマップと軌跡、勾配ノルム、学習曲線。

import するだけで日本語フォント (matplotlib-fontja の IPAex ゴシック) が有効になり、
題名・軸ラベル・凡例に日本語を書いても "Glyph ... missing" の警告は出ません。
どの関数も ``ax`` を省略すると新しい図を作り、描いた Axes を返します。
ノートブックでは最後に ``plt.show()`` を書いてセルを終えます::

    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from rnncourse.viz.plots import plot_hidden_heatmap
    >>> h = np.tanh(np.random.default_rng(0).normal(size=(20, 8)))  # (T, H)
    >>> ax = plot_hidden_heatmap(h)
    >>> ax.get_xlabel()
    '時刻 $t$'
    >>> plt.close(ax.figure)

時刻の目盛りは配列の添字 (``h[t]`` の t = 0 … T−1) です。
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import matplotlib_fontja  # noqa: F401  (import するだけで日本語フォントが登録・設定される)
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import MaxNLocator

from rnncourse.shapes import Dims, ShapeError, as_float_array

__all__ = [
    "plot_unrolled_rnn",
    "plot_hidden_heatmap",
    "plot_gradient_norms",
    "plot_training_curves",
    "plot_hidden_trajectories",
]

FIGSIZE = (6.0, 3.5)  # 1 枚 100 dpi で数十 KB に収まる大きさ
MAX_UNROLL = 12  # これより長いと箱が小さすぎて読めない

# 箱の色 (入力・隠れ状態・出力)。色だけに頼らず、箱の中の記号でも区別できる
_COLORS = {"x": "#dbe9f6", "h": "#fde2c4", "y": "#d9f0d3", "h0": "#eeeeee"}


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """``ax`` があればそれを、なければ新しい図の Axes を返す。"""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")  # ラベルが図の外に切れないように
    return ax


def _check_count(name: str, value: object, low: int, high: int | None = None) -> int:
    """``value`` が low 以上 (high 以下) の整数であることを確かめて int で返す。"""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if ok and value >= low and (high is None or value <= high):
        return int(value)
    limit = f"{low} 以上 {high} 以下" if high is not None else f"{low} 以上"
    raise ValueError(f"引数 {name} は {limit}の整数にしてください ({value!r} が渡されました)。")


def _hidden_2d(name: str, h: object) -> np.ndarray:
    """隠れ状態を (T, H) の配列にする。(1, T, H) は先頭の軸を落とす。"""
    h = as_float_array(name, h)
    if h.ndim == 3 and h.shape[0] == 1:
        h = h[0]
    if h.ndim == 3:
        raise ShapeError(
            f"引数 {name} の形は (T, H) か (1, T, H) のはずですが、{tuple(h.shape)} が渡されました。"
            f"バッチから 1 系列を選んでください (例: {name}[0])。"
        )
    return Dims().check(name, h, ("T", "H"))


def _box(ax: Axes, center: tuple[float, float], text: str, color: str, size: float = 0.5) -> None:
    """中心 ``center`` に角の丸い正方形の箱と記号を描く。"""
    cx, cy = center
    ax.add_patch(
        FancyBboxPatch(
            (cx - size / 2, cy - size / 2), size, size,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=color, edgecolor="#333333", linewidth=1.2,
        )
    )
    ax.text(cx, cy, text, ha="center", va="center", fontsize=12)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, linewidth=1.2, color="#333333")
    )


def plot_unrolled_rnn(T: int = 4, ax: Axes | None = None, show_outputs: bool = True) -> Axes:
    """時間方向に T 時刻分展開した RNN を、箱と矢印で描く。

    >>> ax = plot_unrolled_rnn(T=3)
    >>> plt.close(ax.figure)

    下の段が入力 x_1 … x_T、中段が隠れ状態 h_1 … h_T (左端は初期状態 h_0)、上の段が出力 y_1 … y_T。
    横の矢印 h_{t−1} → h_t には W_hh、縦の矢印 x_t → h_t には W_xh、h_t → y_t には W_hy を添えます。
    どの時刻でも同じ重みを使う (重みの共有) ことが図から読み取れます。
    ``T`` は 1 以上 12 以下の整数。``show_outputs=False`` で出力の段を省きます。
    """
    T = _check_count("T", T, 1, MAX_UNROLL)
    width = min(max(FIGSIZE[0], 1.2 * (T + 1)), 12.0)
    ax = _new_axes(ax, figsize=(width, 3.5 if show_outputs else 2.6))
    half = 0.25  # 箱の半分の大きさ (矢印を箱の縁から縁へ引く)
    y_x, y_h, y_y = 0.0, 1.3, 2.6

    _box(ax, (0.0, y_h), "$h_0$", _COLORS["h0"])
    for t in range(1, T + 1):
        _box(ax, (t, y_x), f"$x_{{{t}}}$", _COLORS["x"])
        _box(ax, (t, y_h), f"$h_{{{t}}}$", _COLORS["h"])
        # h_{t-1} → h_t (再帰の重み W_hh)
        _arrow(ax, (t - 1 + half, y_h), (t - half, y_h))
        ax.text(t - 0.5, y_h + 0.06, "$W_{hh}$", ha="center", va="bottom", fontsize=8)
        # x_t → h_t (入力の重み W_xh)
        _arrow(ax, (t, y_x + half), (t, y_h - half))
        ax.text(t + 0.06, (y_x + y_h) / 2, "$W_{xh}$", ha="left", va="center", fontsize=9)
        if show_outputs:
            _box(ax, (t, y_y), f"$y_{{{t}}}$", _COLORS["y"])
            # h_t → y_t (出力の重み W_hy)
            _arrow(ax, (t, y_h + half), (t, y_y - half))
            ax.text(t + 0.06, (y_h + y_y) / 2, "$W_{hy}$", ha="left", va="center", fontsize=9)

    top = y_y if show_outputs else y_h
    ax.set_xlim(-0.5, T + 0.6)
    ax.set_ylim(y_x - 0.45, top + 0.45)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"時間方向に展開した RNN (T = {T})")
    return ax


def plot_hidden_heatmap(
    h: np.ndarray, ax: Axes | None = None, title: str = "隠れ状態の時間変化"
) -> Axes:
    """隠れ状態の時系列をヒートマップで描く。色は tanh の値域 [−1, 1] に固定。

    >>> h = np.tanh(np.random.default_rng(0).normal(size=(20, 8)))  # (T, H)
    >>> ax = plot_hidden_heatmap(h)
    >>> plt.close(ax.figure)

    形: h (T, H)、または (1, T, H) (先頭の軸を落とします。``rnn_forward`` の出力をそのまま渡せます)。
    横軸が時刻 t、縦軸が隠れユニットの番号。青が負、赤が正、白が 0 です。
    """
    h = _hidden_2d("h", h)
    T, H = h.shape
    ax = _new_axes(ax)
    image = ax.imshow(
        h.T,  # 行 = 隠れユニット、列 = 時刻
        aspect="auto", cmap="RdBu_r", vmin=-1.0, vmax=1.0, interpolation="nearest",
        extent=(-0.5, T - 0.5, H - 0.5, -0.5),
    )
    ax.figure.colorbar(image, ax=ax, label="$h_t$ の値")
    ax.set_xlabel("時刻 $t$")
    ax.set_ylabel("隠れユニット")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    return ax


def _curve(name: str, label: str, values: object) -> np.ndarray:
    """1 本の線の値を 1 次元配列にする。"""
    array = as_float_array(f"{name}[{label!r}]", values)
    if array.ndim != 1 or array.size == 0:
        raise ShapeError(
            f"引数 {name} の {label!r} の値は長さ 1 以上の 1 次元配列のはずですが、"
            f"形 {tuple(array.shape)} が渡されました。"
        )
    return array


def _check_mapping(name: str, value: object) -> Mapping:
    if not isinstance(value, Mapping) or not value:
        raise TypeError(
            f"引数 {name} には「ラベル → 値の配列」の辞書を 1 つ以上の項目で渡してください"
            f" ({type(value).__name__} が渡されました)。例: {{'訓練': losses}}"
        )
    return value


def plot_gradient_norms(
    norms_by_label: Mapping[str, Sequence[float] | np.ndarray],
    ax: Axes | None = None,
    predicted: Mapping[str, Sequence[float] | np.ndarray] | None = None,
) -> Axes:
    """勾配のノルム ‖∂L/∂h_{T−k}‖ を、最後の時刻からの距離 k に対して対数目盛りで描く。

    >>> k = np.arange(30)
    >>> ax = plot_gradient_norms({"ρ = 0.9": 0.9 ** k, "ρ = 1.1": 1.1 ** k},
    ...                          predicted={"0.9^k": 0.9 ** k})
    >>> len(ax.get_lines())
    3
    >>> plt.close(ax.figure)

    形: ``norms_by_label`` の各値は長さ K の 1 次元配列 (添字 k = 0 が最後の時刻 h_T)。
    ``predicted`` (省略可) の線は破線で、同じ順番の色で描きます (理論上の目安など)。
    0 以下の値は対数目盛りに描けないので省きます。
    """
    norms_by_label = _check_mapping("norms_by_label", norms_by_label)
    ax = _new_axes(ax)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, values) in enumerate(norms_by_label.items()):
        norms = _curve("norms_by_label", label, values)
        ax.plot(np.arange(norms.size), np.where(norms > 0, norms, np.nan),
                color=colors[i % len(colors)], label=str(label))
    if predicted is not None:
        predicted = _check_mapping("predicted", predicted)
        for i, (label, values) in enumerate(predicted.items()):
            guide = _curve("predicted", label, values)
            ax.plot(np.arange(guide.size), np.where(guide > 0, guide, np.nan), linestyle="--",
                    color=colors[i % len(colors)], alpha=0.8, label=str(label))
    ax.set_yscale("log")
    ax.set_xlabel("最後の時刻からの距離 $k$")
    ax.set_ylabel(r"$\|\partial L / \partial h_{T-k}\|$")
    ax.set_title("時間をさかのぼる勾配の大きさ")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return ax


def plot_training_curves(
    curves: Mapping[str, Sequence[float] | np.ndarray],
    ax: Axes | None = None,
    xlabel: str = "ステップ",
    ylabel: str = "損失",
    logy: bool = False,
) -> Axes:
    """訓練・検証の損失などの学習曲線を描く。

    >>> ax = plot_training_curves({"訓練": [1.0, 0.6, 0.4], "検証": [[1, 3], [0.9, 0.5]]})
    >>> [line.get_label() for line in ax.get_lines()]
    ['訓練', '検証']
    >>> plt.close(ax.figure)

    形: 各値は長さ K の 1 次元配列 (横軸は 1, 2, …, K)、または (2, K) の配列 [横軸の値, 縦軸の値]
    (検証を数ステップおきにしか測らないとき)。``logy=True`` で縦軸を対数目盛りにします。
    """
    curves = _check_mapping("curves", curves)
    ax = _new_axes(ax)
    for label, values in curves.items():
        array = as_float_array(f"curves[{label!r}]", values)
        if array.ndim == 2 and array.shape[0] == 2 and array.shape[1] > 0:
            steps, ys = array  # [横軸, 縦軸] の 2 行
        else:
            ys = _curve("curves", label, array)
            steps = np.arange(1, ys.size + 1)
        ax.plot(steps, ys, marker="o" if ys.size <= 20 else None, markersize=3, label=str(label))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def plot_hidden_trajectories(
    h: np.ndarray, ax: Axes | None = None, units: Sequence[int] | None = None
) -> Axes:
    """いくつかの隠れユニットの値を、時刻に対する折れ線で描く。

    >>> h = np.tanh(np.random.default_rng(0).normal(size=(30, 8)))  # (T, H)
    >>> ax = plot_hidden_trajectories(h, units=[0, 3])
    >>> [line.get_label() for line in ax.get_lines()]
    ['ユニット 0', 'ユニット 3']
    >>> plt.close(ax.figure)

    形: h (T, H) または (1, T, H)。``units`` は描くユニットの番号 (省略時は先頭の最大 4 個)。
    縦軸は tanh の値域に合わせて [−1.05, 1.05] に固定します (図どうしを比べやすいように)。
    """
    h = _hidden_2d("h", h)
    T, H = h.shape
    if units is None:
        units = range(min(H, 4))
    units = [int(_check_count("units の要素", u, 0, H - 1)) for u in units]
    if not units:
        raise ValueError("引数 units が空です。描くユニットの番号を 1 つ以上渡してください。")
    ax = _new_axes(ax)
    t = np.arange(T)
    for u in units:
        ax.plot(t, h[:, u], marker="." if T <= 40 else None, label=f"ユニット {u}")
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("時刻 $t$")
    ax.set_ylabel("隠れ状態の値 $h_t$")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)  # 線に重ならないよう枠の外に
    return ax
