"""``torch.nn.RNN`` の入出力の形を式で求め、実物と照らし合わせ、表と図にする (第 5 章)。

    >>> s = rnn_shapes(input_size=3, hidden_size=4, seq_len=5, batch_size=2, num_layers=2, bidirectional=True)
    >>> s.output, s.h_n
    ((5, 2, 8), (4, 2, 4))
    >>> measured_rnn_shapes(3, 4, 5, 2, num_layers=2, bidirectional=True) == s
    True

L = num_layers、K = 方向の数 (bidirectional なら 2、そうでなければ 1) とすると::

    input  (T, N, D)      batch_first=True なら (N, T, D)
    h_0    (L·K, N, H)    batch_first に関係なく、いつも層×方向が先頭
    output (T, N, K·H)    最上層の全時刻の隠れ状態。双方向なら [順方向 ; 逆方向] を最後の軸で連結
    h_n    (L·K, N, H)    各層・各方向の最後の隠れ状態。h_n[l·K + k] が層 l・方向 k (k = 0 が順方向)

バッチの軸を持たない入力 (``batch_size=None``) では N の軸がなくなります。
``nonlinearity`` と ``dropout`` は値の計算を変えるだけで、形は変えません。
"""

from __future__ import annotations

import itertools
import unicodedata
from typing import NamedTuple, Sequence

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from rnncourse.shapes import check_int

__all__ = ["RNNShapes", "rnn_shapes", "measured_rnn_shapes", "shape_table", "plot_rnn_layout"]

Shape = tuple[int, ...]


class RNNShapes(NamedTuple):
    """``torch.nn.RNN`` の入力 x、初期状態 h_0、出力 output、最後の隠れ状態 h_n の形。"""

    input: Shape
    h_0: Shape
    output: Shape
    h_n: Shape


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"引数 {name} は True か False であるべきですが、{value!r} ({type(value).__name__}) が渡されました。")
    return value


def rnn_shapes(
    input_size: int,
    hidden_size: int,
    seq_len: int,
    batch_size: int | None = None,
    num_layers: int = 1,
    bidirectional: bool = False,
    batch_first: bool = False,
) -> RNNShapes:
    """``torch.nn.RNN(input_size, hidden_size, num_layers, bidirectional=..., batch_first=...)`` の形を式で求める。

    >>> rnn_shapes(3, 4, seq_len=5, batch_size=2, batch_first=True)
    RNNShapes(input=(2, 5, 3), h_0=(1, 2, 4), output=(2, 5, 4), h_n=(1, 2, 4))
    >>> rnn_shapes(3, 4, seq_len=5).output  # バッチの軸なし
    (5, 4)

    形: input (T, N, D) / (N, T, D)、h_0 と h_n (L·K, N, H)、output (T, N, K·H) / (N, T, K·H)。
    ``batch_size=None`` ならバッチの軸のない形 (T, D), (L·K, H), (T, K·H), (L·K, H)。
    """
    D = check_int("input_size", input_size, 1)
    H = check_int("hidden_size", hidden_size, 1)
    T = check_int("seq_len", seq_len, 1)
    L = check_int("num_layers", num_layers, 1)
    K = 2 if _check_bool("bidirectional", bidirectional) else 1  # 方向の数
    _check_bool("batch_first", batch_first)
    if batch_size is None:  # バッチの軸のない 1 系列
        return RNNShapes(input=(T, D), h_0=(L * K, H), output=(T, K * H), h_n=(L * K, H))
    N = check_int("batch_size", batch_size, 1)
    lead = (N, T) if batch_first else (T, N)  # batch_first が入れ替えるのは input と output だけ
    return RNNShapes(
        input=lead + (D,),
        h_0=(L * K, N, H),  # 層×方向が先頭 (batch_first の影響を受けない)
        output=lead + (K * H,),  # 最上層の両方向を連結
        h_n=(L * K, N, H),
    )


def measured_rnn_shapes(
    input_size: int,
    hidden_size: int,
    seq_len: int,
    batch_size: int | None = None,
    num_layers: int = 1,
    bidirectional: bool = False,
    batch_first: bool = False,
    nonlinearity: str = "tanh",
    dropout: float = 0.0,
) -> RNNShapes:
    """実際に ``torch.nn.RNN`` を作り、0 の入力を流して形を測る (``rnn_shapes`` の答え合わせ用)。

    >>> measured_rnn_shapes(3, 4, seq_len=5, batch_size=2).h_n
    (1, 2, 4)

    引数は ``rnn_shapes`` と同じで、形を変えない ``nonlinearity`` ("tanh" / "relu") と ``dropout`` も渡せます
    (1 層で dropout > 0 は PyTorch が警告を出すので、ここでは 2 層以上のときだけ認めます)。
    """
    import torch

    expected = rnn_shapes(input_size, hidden_size, seq_len, batch_size, num_layers, bidirectional, batch_first)
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity は 'tanh' か 'relu' にしてください ({nonlinearity!r} が渡されました)。")
    if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout は 0 以上 1 未満の数にしてください ({dropout!r} が渡されました)。")
    if dropout > 0 and num_layers == 1:
        raise ValueError("dropout は層と層のあいだに入るので、num_layers = 1 では効きません。2 層以上で使ってください。")
    rnn = torch.nn.RNN(
        input_size, hidden_size, num_layers=num_layers, nonlinearity=nonlinearity, dropout=dropout,
        bidirectional=bidirectional, batch_first=batch_first,
    )
    x = torch.zeros(expected.input)
    with torch.no_grad():
        output, h_n = rnn(x)  # h_0 を省くと 0
    return RNNShapes(input=tuple(x.shape), h_0=tuple(h_n.shape), output=tuple(output.shape), h_n=tuple(h_n.shape))


def _width(text: str) -> int:
    """等幅フォントでの表示幅 (全角文字は 2)。"""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def shape_table(
    input_size: int,
    hidden_size: int,
    seq_len: int,
    batch_size: int,
    num_layers: Sequence[int] = (1, 2),
    bidirectional: Sequence[bool] = (False, True),
    batch_first: Sequence[bool] = (False, True),
) -> str:
    """引数のすべての組み合わせについて、式で求めた output と h_n の形と、実物との一致を表にした文字列。

    >>> print(shape_table(3, 4, 5, 2, num_layers=(1,), bidirectional=(False,), batch_first=(False, True)))
    num_layers  bidirectional  batch_first  output     h_n        nn.RNN と一致
    1           False          False        (5, 2, 4)  (1, 2, 4)  True
    1           False          True         (2, 5, 4)  (1, 2, 4)  True

    各行の「nn.RNN と一致」は ``measured_rnn_shapes`` で実際に測った形と式の形が同じかどうかです。
    """
    header = ["num_layers", "bidirectional", "batch_first", "output", "h_n", "nn.RNN と一致"]
    rows = []
    for L, bi, bf in itertools.product(num_layers, bidirectional, batch_first):
        formula = rnn_shapes(input_size, hidden_size, seq_len, batch_size, L, bi, bf)
        measured = measured_rnn_shapes(input_size, hidden_size, seq_len, batch_size, L, bi, bf)
        agree = formula.output == measured.output and formula.h_n == measured.h_n
        rows.append([str(L), str(bi), str(bf), str(formula.output), str(formula.h_n), str(agree)])
    widths = [max(_width(row[i]) for row in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in [header] + rows]
    return "\n".join(lines)


# 図の色: 順方向・逆方向・入力・出力。色だけに頼らず、箱の中の矢印 (→ / ←) でも区別できる
_COLORS = {"fwd": "#fde2c4", "bwd": "#dbe9f6", "x": "#eeeeee", "out": "#d9f0d3", "final": "#c0392b"}


def _box(ax: Axes, center: tuple[float, float], text: str, color: str, edge: str = "#333333", lw: float = 1.0) -> None:
    cx, cy = center
    w, h = 0.62, 0.5
    ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.06",
                                facecolor=color, edgecolor=edge, linewidth=lw))
    ax.text(cx, cy, text, ha="center", va="center", fontsize=8)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], color: str = "#333333") -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, linewidth=1.0, color=color))


def plot_rnn_layout(num_layers: int = 2, bidirectional: bool = True, T: int = 4, ax: Axes | None = None) -> Axes:
    """多層・双方向の ``nn.RNN`` を時間方向に展開し、output と h_n がどの箱から来るかを描く。

    >>> import matplotlib.pyplot as plt
    >>> ax = plot_rnn_layout(num_layers=2, bidirectional=True, T=3)
    >>> sorted(t.get_text() for t in ax.texts if t.get_text().startswith("h_n"))
    ['h_n[0]', 'h_n[1]', 'h_n[2]', 'h_n[3]']
    >>> plt.close(ax.figure)

    下から入力 x_t、層ごとに順方向 (→) と逆方向 (←) の行、いちばん上が output[t]。
    赤い枠の箱が h_n に入る最後の隠れ状態です: 順方向は右端 (t = T−1)、逆方向は左端 (t = 0)。
    """
    L = check_int("num_layers", num_layers, 1)
    if L > 4:
        raise ValueError(f"num_layers は 4 以下にしてください (図が読めなくなります。{L} が渡されました)。")
    T = check_int("T", T, 1)
    if T > 8:
        raise ValueError(f"T は 8 以下にしてください (図が読めなくなります。{T} が渡されました)。")
    K = 2 if _check_bool("bidirectional", bidirectional) else 1
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(1.1 * T + 2.6, 0.62 * (L * K + 2) + 0.9), layout="constrained")
    gap = 0.45  # 層と層のあいだの余白
    y_of = {}  # (層, 方向) → 行の高さ
    y = 1.0
    for layer in range(L):
        for k in range(K):
            y_of[layer, k] = y
            y += 0.75
        y += gap
    y_out = y - gap + 0.5

    for t in range(T):
        _box(ax, (t, 0.0), f"$x_{{{t}}}$", _COLORS["x"])
        _arrow(ax, (t, 0.27), (t, y_of[0, 0] - 0.38))  # x_t は層 0 の両方向に入る
    for layer in range(L):
        bottom, top = y_of[layer, 0] - 0.38, y_of[layer, K - 1] + 0.38
        ax.add_patch(Rectangle((-0.5, bottom), T, top - bottom, facecolor="none", edgecolor="#999999",
                               linestyle="--", linewidth=0.8))
        ax.text(T + 0.6, (bottom + top) / 2, f"層 {layer}", ha="left", va="center", fontsize=9)
        if layer > 0:  # 下の層の出力 (両方向を連結) が上の層の入力
            for t in range(T):
                _arrow(ax, (t, y_of[layer - 1, K - 1] + 0.38), (t, y_of[layer, 0] - 0.38))
        for k in range(K):
            row_y = y_of[layer, k]
            final_t = T - 1 if k == 0 else 0  # 順方向は右端、逆方向は左端で終わる
            for t in range(T):
                final = t == final_t
                _box(ax, (t, row_y), "→" if k == 0 else "←", _COLORS["fwd" if k == 0 else "bwd"],
                     edge=_COLORS["final"] if final else "#333333", lw=2.2 if final else 1.0)
                if t > 0:  # 時間方向の再帰 (順方向は左→右、逆方向は右→左)
                    start, end = ((t - 1 + 0.31, row_y), (t - 0.31, row_y)) if k == 0 else ((t - 0.31, row_y), (t - 1 + 0.31, row_y))
                    _arrow(ax, start, end)
            index = layer * K + k  # h_n[l·K + k]
            side = (T - 1 + 0.55, "left") if k == 0 else (-0.55, "right")  # 最後の箱の外側に
            ax.text(side[0], row_y, f"h_n[{index}]", ha=side[1], va="center", fontsize=8, color=_COLORS["final"])
    top_rows = [y_of[L - 1, k] for k in range(K)]
    for t in range(T):
        _arrow(ax, (t, top_rows[-1] + 0.38), (t, y_out - 0.27))
        _box(ax, (t, y_out), f"out[{t}]", _COLORS["out"])
    concat = "[→ ; ←] を連結 (2H)" if K == 2 else "最上層の h_t (H)"
    ax.text(T - 1 + 0.4, y_out, f"output: {concat}", ha="left", va="center", fontsize=8)
    ax.set_xlim(-1.4, T + 1.3)
    ax.set_ylim(-0.4, y_out + 0.45)
    ax.axis("off")
    direction = "双方向" if K == 2 else "単方向"
    ax.set_title(f"nn.RNN の展開図 (num_layers = {L}、{direction}、T = {T})", fontsize=10)
    return ax
