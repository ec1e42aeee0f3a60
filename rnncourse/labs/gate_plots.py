"""第 6 章 (LSTM と GRU) の図と小さな実験: ゲートの時間変化、棒グラフ、平均とばらつき、勾配の流れ、記憶タスク。

    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from rnncourse.nn.lstm import lstm_forward, lstm_gates
    >>> rng = np.random.default_rng(0)
    >>> N, T, D, H = 1, 6, 1, 3
    >>> W_ih, W_hh, b = rng.normal(size=(4 * H, D)), rng.normal(size=(4 * H, H)), np.zeros(4 * H)
    >>> h, cache = lstm_forward(rng.normal(size=(N, T, D)), np.zeros((N, H)), np.zeros((N, H)), W_ih, W_hh, b)
    >>> fig = plot_gate_activations(lstm_gates(cache))
    >>> len(fig.axes) >= 5
    True
    >>> plt.close(fig)

- ``plot_gate_activations``: ゲートごとのヒートマップ (横軸が時刻、縦軸がユニット) を縦に並べる。
- ``plot_grouped_bars``: グループ (設定) ごとに系列 (セルの種類) の棒を並べる。
- ``plot_mean_spread``: 何回か (乱数の種を変えて) 測った値の平均の線、最小〜最大の帯、1 回ずつの点。
- ``gradient_norms_by_lag``: RNN / LSTM / GRU の NumPy 参照実装で ‖∂L/∂h_{T−k}‖ を k ごとに求める。
- ``matching_hidden_size``: パラメータ数がいちばん近くなる隠れ状態の次元。
- ``open_keep_gate``, ``memory_accuracy``, ``memory_sweep``, ``learning_rate_search``, ``best_learning_rate``:
  長期記憶タスクの比較実験 (学習率は検証データで選び、結果はテストデータで測る)。

時刻の添字は配列と同じ t = 0 … T−1 です。
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

import rnncourse.viz.plots  # noqa: F401  (日本語フォント)
from rnncourse.models.counting import GATES, recurrent_param_count
from rnncourse.nn.gru import gru_forward, gru_step_backward, gru_step_forward
from rnncourse.nn.lstm import lstm_forward, lstm_step_backward, lstm_step_forward
from rnncourse.viz.plots import FIGSIZE
from rnncourse.nn.rnn import rnn_forward, rnn_step_backward, rnn_step_forward
from rnncourse.shapes import Dims, ShapeError, as_float_array, check_int

__all__ = [
    "GATE_LABELS",
    "plot_gate_activations",
    "plot_grouped_bars",
    "plot_mean_spread",
    "gradient_norms_by_lag",
    "matching_hidden_size",
    "open_keep_gate",
    "memory_accuracy",
    "memory_sweep",
    "learning_rate_search",
    "best_learning_rate",
]

#: ゲートや状態の名前 (``lstm_gates`` / ``gru_gates`` の辞書のキー) → 図に書く日本語の名前。
GATE_LABELS = {
    "i": "入力ゲート $i_t$",
    "f": "忘却ゲート $f_t$",
    "g": "書き込み候補 $g_t$",
    "o": "出力ゲート $o_t$",
    "c": "セル状態 $c_t$",
    "r": "リセットゲート $r_t$",
    "z": "更新ゲート $z_t$",
    "n": "新しい候補 $n_t$",
    "h": "隠れ状態 $h_t$",
}
_SIGMOID = frozenset("ifozr")  # 値域 (0, 1) のゲート
_TANH = frozenset("gnh")  # 値域 (−1, 1)

# 各セルが受け取る重みの名前 (rnncourse.models.interop の *_weights_from_torch が返す順)
_WEIGHT_NAMES = {
    "rnn": ("W_xh", "W_hh", "b_h"),
    "lstm": ("W_ih", "W_hh", "b"),
    "gru": ("W_ih", "W_hh", "b_ih", "b_hh"),
}


def _check_cell(cell: object) -> str:
    if cell not in GATES:
        raise ValueError(f"cell は {', '.join(repr(c) for c in GATES)} のどれかにしてください ({cell!r} が渡されました)。")
    return str(cell)


def _check_mapping(name: str, value: object) -> Mapping:
    if not isinstance(value, Mapping) or not value:
        raise TypeError(
            f"引数 {name} には「名前 → 値」の辞書を 1 つ以上の項目で渡してください ({type(value).__name__} が渡されました)。"
        )
    return value


def _series_2d(name: str, value: object) -> np.ndarray:
    """ゲートの値を (T, H) にする。(1, T, H) は先頭の軸を落とし、(T,) は (T, 1) にする。"""
    array = as_float_array(name, value)
    if array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.size == 0:
        raise ShapeError(
            f"引数 {name} の形は (T, H) か (1, T, H) のはずですが、{tuple(array.shape)} が渡されました。"
            f"バッチから 1 系列を選んでください (例: gates['f'][0])。"
        )
    return array


# --- 図 ------------------------------------------------------------------------------------------


def plot_gate_activations(
    gates: Mapping[str, np.ndarray],
    x: np.ndarray | None = None,
    title: str | None = None,
    x_labels: Sequence[str] | None = None,
) -> Figure:
    """ゲート (と状態) の値を、1 つずつヒートマップにして縦に並べた図を作る。

    >>> gates = {"f": np.full((8, 2), 0.9), "c": np.linspace(-1, 1, 16).reshape(8, 2)}
    >>> fig = plot_gate_activations(gates, x=np.arange(8.0))
    >>> [ax.get_ylabel() for ax in fig.axes[:3]]
    ['入力 $x_t$', '忘却ゲート $f_t$', 'セル状態 $c_t$']
    >>> plt.close(fig)

    形: ``gates`` の各値は (T, H) か (1, T, H) (``lstm_gates(cache)`` / ``gru_gates(cache)`` の辞書をそのまま
    渡せます)。``x`` (省略可) は (T,), (T, D), (1, T, D) の入力で、いちばん上に折れ線で描きます
    (``x_labels`` に D 個の名前を渡すと凡例を付けます)。
    横軸が時刻 t、縦軸が隠れユニット。シグモイドのゲート (i, f, o, r, z) は 0 (閉) 〜 1 (開) を
    黄緑〜紺の色で、tanh の値 (g, n, h) は −1〜1、セル状態 c は 0 を中心に青〜赤で描きます。
    """
    gates = _check_mapping("gates", gates)
    arrays = {str(name): _series_2d(f"gates[{name!r}]", value) for name, value in gates.items()}
    T = next(iter(arrays.values())).shape[0]
    for name, array in arrays.items():
        if array.shape[0] != T:
            raise ShapeError(f"gates の時刻の数がそろっていません ({name!r} は T = {array.shape[0]}、ほかは T = {T})。")
    rows = len(arrays) + (x is not None)
    fig, axes = plt.subplots(rows, 1, figsize=(FIGSIZE[0], 0.7 * rows + 0.9), sharex=True, layout="constrained",
                             squeeze=False)
    axes = list(axes[:, 0])
    t = np.arange(T)
    if x is not None:
        x_2d = _series_2d("x", x)
        if x_2d.shape[0] != T:
            raise ShapeError(f"x の時刻の数 T = {x_2d.shape[0]} がゲートの T = {T} と違います。")
        ax = axes.pop(0)
        if x_labels is not None and len(x_labels) != x_2d.shape[1]:
            raise ValueError(f"x_labels には入力の次元 D = {x_2d.shape[1]} 個の名前を渡してください ({len(x_labels)} 個でした)。")
        lines = ax.plot(t, x_2d, marker=".", linewidth=1)
        ax.axhline(0.0, color="#999999", linewidth=0.6)
        if x_labels is not None:
            for line, label in zip(lines, x_labels):
                line.set_label(str(label))
            ax.legend(loc="upper right", ncol=len(lines), fontsize=7, framealpha=0.8)
            low, high = float(x_2d.min()), float(x_2d.max())
            span = max(high - low, 1e-12)
            ax.set_ylim(low - 0.1 * span, high + 0.6 * span)  # 凡例が線に重ならないよう上に余白
        ax.set_ylabel("入力 $x_t$", rotation=0, ha="right", va="center")
        ax.set_xlim(-0.5, T - 0.5)
    for ax, (name, array) in zip(axes, arrays.items()):
        if name in _SIGMOID:
            cmap, vmin, vmax = "viridis", 0.0, 1.0
        else:
            limit = 1.0 if name in _TANH else max(float(np.max(np.abs(array))), 1e-12)
            cmap, vmin, vmax = "RdBu_r", -limit, limit
        H = array.shape[1]
        image = ax.imshow(array.T, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest",
                          extent=(-0.5, T - 0.5, H - 0.5, -0.5))
        fig.colorbar(image, ax=ax, pad=0.01, aspect=8)
        ax.set_ylabel(GATE_LABELS.get(name, name), rotation=0, ha="right", va="center")
        if H <= 4:
            ax.set_yticks(range(H))  # ユニットの番号だけ (H = 1 なら 0 だけ)
        else:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
    axes[-1].set_xlabel("時刻 $t$")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        fig.suptitle(title)
    return fig


def plot_grouped_bars(
    values: Mapping[str, Sequence[float] | np.ndarray],
    groups: Sequence[str],
    ax: Axes | None = None,
    ylabel: str = "",
    annotate: bool = True,
) -> Axes:
    """グループごとに、系列の棒を横に並べて描く (たとえばグループ = 設定、系列 = セルの種類)。

    >>> ax = plot_grouped_bars({"RNN": [304, 928], "LSTM": [1216, 952]}, ["同じ H", "同じパラメータ数"])
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['同じ H', '同じパラメータ数']
    >>> plt.close(ax.figure)

    形: ``values`` の各値は長さ G (= ``len(groups)``) の 1 次元配列。``annotate=True`` なら棒の上に値を書きます
    (整数なら 3 桁区切り、そうでなければ小数 3 桁)。
    """
    values = _check_mapping("values", values)
    groups = [str(g) for g in groups]
    if not groups:
        raise ValueError("引数 groups が空です。グループの名前を 1 つ以上渡してください。")
    ax = ax if ax is not None else plt.subplots(figsize=FIGSIZE, layout="constrained")[1]
    width = 0.8 / len(values)
    positions = np.arange(len(groups))
    for i, (label, series) in enumerate(values.items()):
        bars = as_float_array(f"values[{label!r}]", series)
        if bars.shape != (len(groups),):
            raise ShapeError(
                f"引数 values の {label!r} の形は (G,) = ({len(groups)},) のはずですが、{tuple(bars.shape)} が渡されました。"
            )
        rects = ax.bar(positions + (i - (len(values) - 1) / 2) * width, bars, width, label=str(label))
        if annotate:
            texts = [f"{v:,.0f}" if float(v).is_integer() else f"{v:.3f}" for v in bars]
            ax.bar_label(rects, labels=texts, fontsize=8, padding=2)
    ax.set_xticks(positions, groups)
    ax.set_ylabel(ylabel)
    ax.margins(y=0.15)
    ax.legend()
    return ax


def plot_mean_spread(
    x_values: Sequence[float] | np.ndarray,
    runs: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    xlabel: str = "系列の長さ $T$",
    ylabel: str = "テストの正解率",
    chance: float | None = None,
) -> Axes:
    """何回か測った値を、平均の折れ線・最小〜最大の帯・1 回ずつの点で描く。

    >>> runs = {"RNN": [[1.0, 1.0, 0.99], [0.5, 1.0, 0.52]]}
    >>> ax = plot_mean_spread([10, 100], runs, chance=0.5)
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['RNN (平均)', 'チャンスレベル']
    >>> plt.close(ax.figure)

    形: ``x_values`` (K,)、``runs`` の各値は (K, S) (K 個の設定 × S 個の乱数の種)。
    種の数が少ないときは標準偏差より最小〜最大の幅のほうが正直なので、帯は最小〜最大です。
    点は系列ごとに少しずつ横にずらして重なりを避けます。``chance`` を与えるとチャンスレベルの水準を破線で引きます。
    """
    runs = _check_mapping("runs", runs)
    xs = as_float_array("x_values", x_values)
    if xs.ndim != 1 or xs.size == 0:
        raise ShapeError(f"引数 x_values は長さ 1 以上の 1 次元配列のはずですが、形 {tuple(xs.shape)} が渡されました。")
    ax = ax if ax is not None else plt.subplots(figsize=FIGSIZE, layout="constrained")[1]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    positions = np.arange(xs.size)  # 長さは等間隔に並べる (T = 10, 30, 100 を見やすく)
    for i, (label, values) in enumerate(runs.items()):
        array = as_float_array(f"runs[{label!r}]", values)
        if array.ndim != 2 or array.shape[0] != xs.size or array.shape[1] == 0:
            raise ShapeError(
                f"引数 runs の {label!r} の形は (K, S) = ({xs.size}, S) のはずですが、{tuple(array.shape)} が渡されました。"
            )
        color = colors[i % len(colors)]
        offset = (i - (len(runs) - 1) / 2) * 0.06
        ax.plot(positions + offset, array.mean(axis=1), marker="o", color=color, label=f"{label} (平均)")
        ax.fill_between(positions + offset, array.min(axis=1), array.max(axis=1), color=color, alpha=0.15)
        for k in range(xs.size):
            ax.scatter(np.full(array.shape[1], positions[k] + offset), array[k], s=12, color=color, alpha=0.6,
                       edgecolors="none")
    if chance is not None:
        ax.axhline(chance, color="#777777", linestyle="--", linewidth=1, label="チャンスレベル")
    ax.set_xticks(positions, [f"{v:g}" for v in xs])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


# --- 勾配の流れ ----------------------------------------------------------------------------------


def gradient_norms_by_lag(
    cell: str, x: np.ndarray, weights: Sequence[np.ndarray], dh_last: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """最後の時刻だけに損失があるとき、‖∂L/∂h_{T−1−k}‖ を k = 0 … T−1 について NumPy の参照実装で求める。

    >>> rng = np.random.default_rng(0)
    >>> H = 3
    >>> weights = (rng.normal(size=(4 * H, 1)), rng.normal(size=(4 * H, H)), np.zeros(4 * H))
    >>> norms = gradient_norms_by_lag("lstm", rng.normal(size=(1, 5, 1)), weights)
    >>> sorted(norms), norms["h"].shape, float(norms["h"][0]), float(norms["c"][0])
    (['c', 'h'], (5,), 1.0, 0.0)

    ``cell`` は "rnn" / "lstm" / "gru"、``weights`` はそのセルの重みを ``rnncourse.models.interop`` の
    ``*_weights_from_torch`` と同じ順に並べたもの: RNN (W_xh, W_hh, b_h)、LSTM (W_ih, W_hh, b)、
    GRU (W_ih, W_hh, b_ih, b_hh)。初期状態は 0。
    形: x (N, T, D)、dh_last (N, H) (省略するとすべての成分が等しいノルム 1 の勾配 ∂L/∂h_{T−1})。
    戻り値は {"h": (T,)} (LSTM では {"h": (T,), "c": (T,)})。``norms["h"][k]`` が ‖∂L/∂h[:, T−1−k]‖
    (フロベニウスノルム)、LSTM の ``norms["c"][k]`` が ‖∂L/∂c[:, T−1−k]‖ です。
    順伝播を一度したあと、1 時刻分の逆伝播 (``*_step_backward``) を後ろから順に当てます。
    """
    cell = _check_cell(cell)
    names = _WEIGHT_NAMES[cell]
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence) or len(weights) != len(names):
        raise TypeError(
            f"引数 weights には {cell} の重み ({', '.join(names)}) の {len(names)} つを順に並べたタプルを渡してください。"
        )
    dims = Dims()
    x = dims.check("x", x, ("N", "T", "D"))
    dims.at_least("T", 1)
    N, T = dims["N"], dims["T"]
    W_hh = as_float_array(names[1], weights[1])
    if W_hh.ndim != 2:
        raise ShapeError(f"weights の 2 番目 {names[1]} は 2 次元の配列のはずですが、形 {tuple(W_hh.shape)} が渡されました。")
    H = W_hh.shape[1]
    h0 = np.zeros((N, H))
    if dh_last is None:
        dh = np.full((N, H), 1.0 / math.sqrt(N * H))  # ‖∂L/∂h_{T−1}‖ = 1 のそろった向き
    else:
        dh = Dims(N=N, H=H).check("dh_last", dh_last, ("N", "H"))

    norms_h, norms_c = np.empty(T), np.empty(T)
    if cell == "rnn":
        h, _ = rnn_forward(x, h0, *weights)
        h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # 各時刻の h_{t−1}
        for k in range(T):
            t = T - 1 - k
            norms_h[k] = np.linalg.norm(dh)  # ‖∂L/∂h_t‖
            _, step_cache = rnn_step_forward(x[:, t], h_prev[:, t], *weights)
            _, dh, *_ = rnn_step_backward(dh, step_cache)  # ∂L/∂h_{t−1}
        return {"h": norms_h}
    if cell == "lstm":
        h, cache = lstm_forward(x, h0, h0, *weights)
        h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
        c_prev = np.concatenate([h0[:, None], cache.c[:, :-1]], axis=1)  # 各時刻の c_{t−1}
        dc = np.zeros((N, H))  # c_{T−1} は損失に直接は効かない
        for k in range(T):
            t = T - 1 - k
            norms_h[k], norms_c[k] = np.linalg.norm(dh), np.linalg.norm(dc)
            _, _, step_cache = lstm_step_forward(x[:, t], h_prev[:, t], c_prev[:, t], *weights)
            _, dh, dc, *_ = lstm_step_backward(dh, dc, step_cache)  # ∂L/∂h_{t−1}, ∂L/∂c_{t−1}
        return {"h": norms_h, "c": norms_c}
    h, _ = gru_forward(x, h0, *weights)
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    for k in range(T):
        t = T - 1 - k
        norms_h[k] = np.linalg.norm(dh)
        _, step_cache = gru_step_forward(x[:, t], h_prev[:, t], *weights)
        _, dh, *_ = gru_step_backward(dh, step_cache)
    return {"h": norms_h}


# --- パラメータ数をそろえる ----------------------------------------------------------------------


def matching_hidden_size(cell: str, n_params: int, input_size: int = 1) -> int:
    """1 層の ``cell`` のパラメータ数が ``n_params`` にいちばん近くなる隠れ状態の次元 H (同じ近さなら小さいほう)。

    >>> n = recurrent_param_count("gru", 1, 16)
    >>> n, matching_hidden_size("rnn", n), matching_hidden_size("lstm", n)
    (912, 29, 14)

    パラメータ数は k·H·(D + H) + 2·k·H (k = 1, 4, 3、``rnncourse.models.counting.recurrent_param_count``)。
    H について単調に増えるので、H = 1, 2, … と順に数えて目標を越えたところで止めます。
    """
    cell = _check_cell(cell)
    target = check_int("n_params", n_params, 1)
    D = check_int("input_size", input_size, 1)
    H = 1
    while recurrent_param_count(cell, D, H + 1) < target:
        H += 1
    below, above = recurrent_param_count(cell, D, H), recurrent_param_count(cell, D, H + 1)
    return H if abs(target - below) <= abs(above - target) else H + 1


# --- 長期記憶タスクの実験 (PyTorch) -----------------------------------------------------------------


def open_keep_gate(module: Any, bias: float) -> Any:
    """``nn.LSTM`` の忘却ゲート f、``nn.GRU`` の更新ゲート z のバイアスを ``bias`` にして (その場で書き換えて) 返す。

    >>> import torch
    >>> lstm = open_keep_gate(torch.nn.LSTM(1, 2), 2.0)
    >>> (lstm.bias_ih_l0 + lstm.bias_hh_l0)[2:4].tolist()
    [2.0, 2.0]

    どちらも「1 に近いほど前の状態を保つ」ゲートで、PyTorch の積み方では 2 番目のブロック [H:2H]
    (LSTM は i, f, g, o、GRU は r, z, n の順) です。2 つのバイアスの和が ``bias`` になるよう
    bias_ih を ``bias``、bias_hh を 0 にします。bias = 2 なら最初から σ(2) ≈ 0.88 の割合で前の状態を残します。
    """
    import torch
    from torch import nn

    if not isinstance(module, (nn.LSTM, nn.GRU)) or module.num_layers != 1 or module.bidirectional:
        raise TypeError(f"1 層・単方向の torch.nn.LSTM か torch.nn.GRU を渡してください ({type(module).__name__} が渡されました)。")
    if not module.bias:
        raise ValueError("bias=False のモジュールにはゲートのバイアスがありません。")
    if isinstance(bias, bool) or not isinstance(bias, (int, float)) or not math.isfinite(bias):
        raise ValueError(f"引数 bias は有限の数にしてください ({bias!r} が渡されました)。")
    H = module.hidden_size
    with torch.no_grad():
        module.bias_ih_l0[H : 2 * H] = float(bias)  # b_f (LSTM) / b_iz (GRU)
        module.bias_hh_l0[H : 2 * H] = 0.0
    return module


def memory_accuracy(
    cell: str,
    T: int,
    seed: int = 0,
    hidden_size: int = 16,
    keep_bias: float | None = None,
    orthogonal: bool = False,
    steps: int = 150,
    n_train: int = 256,
    n_test: int = 512,
    lr: float = 0.01,
    noise: float = 0.5,
    clip: float | None = 1.0,
    batch_size: int | None = None,
    stop_loss: float | None = None,
    evaluate_on: str = "test",
) -> float:
    """長期記憶タスク (最初の ±1 を T 時刻後に答える) を学習し、新しいデータでの正解率を返す。

    >>> acc = memory_accuracy("lstm", T=5, hidden_size=4, keep_bias=2.0, steps=30)
    >>> 0.0 <= acc <= 1.0
    True

    ``rnncourse.labs.experiments.memory_task_accuracy`` に、次の 2 つを足したものです。

    - ``keep_bias``: LSTM / GRU の保持側のゲートのバイアスを最初にこの値にする (``open_keep_gate``)。
      None なら PyTorch の既定の初期化のまま。RNN では無視します。
    - ``orthogonal``: 素の RNN の再帰の重み W_hh を直交行列で初期化する (第 4 章の対策)。RNN だけに使えます。
    - ``evaluate_on``: "test" (テストデータ) か "validation" (検証データ、設定を選ぶとき)。
    - ``stop_loss``: そのステップの (ミニバッチの) 損失がこれより小さくなったら、そこで学習を打ち切る
      (解けた学習を早く終えて、実験全体の時間を短くするため)。None なら必ず ``steps`` 回。

    ``keep_bias=None, stop_loss=None`` なら ``memory_task_accuracy`` とまったく同じ値になります。
    """
    from rnncourse.labs.experiments import memory_task_accuracy
    from rnncourse.models.torch_models import SequenceClassifier

    import torch

    cell = _check_cell(cell)
    steps = check_int("steps", steps, 1)
    if orthogonal and cell != "rnn":
        raise ValueError("orthogonal=True は素の RNN (cell='rnn') だけに使えます。LSTM / GRU には keep_bias を使ってください。")

    def make_model() -> Any:
        model = SequenceClassifier(1, hidden_size, 2, cell=cell)
        if keep_bias is not None and cell != "rnn":
            open_keep_gate(model.rnn, keep_bias)
        if orthogonal:
            with torch.no_grad():
                torch.nn.init.orthogonal_(model.rnn.weight_hh_l0)  # W_hh を直交行列に (固有値の絶対値がすべて 1)
        return model

    return memory_task_accuracy(
        cell, T, seed=seed, hidden_size=hidden_size, steps=steps, n_train=n_train, n_test=n_test, lr=lr,
        noise=noise, clip=clip, batch_size=batch_size, make_model=make_model, stop_loss=stop_loss, evaluate_on=evaluate_on,
    )


def memory_sweep(
    models: Mapping[str, Mapping[str, Any]],
    lengths: Sequence[int],
    seeds: Sequence[int],
    progress: Any = None,
    workers: int | None = None,
    **kwargs: Any,
) -> dict[str, np.ndarray]:
    """いくつかのモデル × 系列の長さ × 乱数の種で ``memory_accuracy`` を測り、正解率の表を返す。

    >>> table = memory_sweep({"RNN": {"cell": "rnn", "hidden_size": 4}}, lengths=[3, 5], seeds=[0, 1], steps=5, workers=1)
    >>> table["RNN"].shape
    (2, 2)

    ``models`` は「図の名前 → ``memory_accuracy`` の引数 (cell, hidden_size, keep_bias, lr など)」の辞書。
    ``kwargs`` (steps, stop_loss など) はすべてのモデルに共通に渡します。
    戻り値は「図の名前 → 形 (len(lengths), len(seeds)) の正解率」で、``plot_mean_spread`` にそのまま渡せます。
    1 回ずつの学習は ``rnncourse.labs.parallel.run_all`` で ``workers`` 個のプロセスに分けて計算します
    (結果は workers によらず同じ)。``progress`` には 1 回終わるごとに進み具合を知らせます。
    """
    from rnncourse.labs.parallel import run_all

    models = _check_mapping("models", models)
    lengths, seeds = list(lengths), list(seeds)
    calls = [dict(T=T, seed=seed, **options, **kwargs) for options in models.values() for T in lengths for seed in seeds]
    accuracies = np.array(run_all(memory_accuracy, calls, workers=workers, progress=progress), dtype=float)
    return dict(zip(models, accuracies.reshape(len(models), len(lengths), len(seeds))))


def learning_rate_search(
    models: Mapping[str, Mapping[str, Any]],
    learning_rates: Sequence[float],
    T: int,
    seeds: Sequence[int],
    progress: Any = None,
    workers: int | None = None,
    **kwargs: Any,
) -> dict[str, dict[float, int]]:
    """モデルごとに、学習率を変えて長期記憶タスクを学習し、**検証データ** で解けた種の数を数える。

    >>> counts = learning_rate_search({"RNN": {"cell": "rnn", "hidden_size": 4}}, [0.01, 0.1], T=3, seeds=[0],
    ...                               steps=5, workers=1)
    >>> sorted(counts["RNN"])
    [0.01, 0.1]

    戻り値は「図の名前 → {学習率: 解けた種の数}」。``best_learning_rate`` で 1 つ選べます。
    評価は ``evaluate_on="validation"`` (テストデータとは別のデータ) で行います。
    """
    from rnncourse.labs.experiments import solved_count
    from rnncourse.labs.parallel import run_all

    models = _check_mapping("models", models)
    rates, seeds = [float(lr) for lr in learning_rates], list(seeds)
    calls = [dict(T=T, seed=seed, lr=lr, evaluate_on="validation", **options, **kwargs)
             for options in models.values() for lr in rates for seed in seeds]
    accuracies = np.array(run_all(memory_accuracy, calls, workers=workers, progress=progress), dtype=float)
    table = accuracies.reshape(len(models), len(rates), len(seeds))
    return {label: {lr: solved_count(row) for lr, row in zip(rates, rows)} for label, rows in zip(models, table)}


def best_learning_rate(solved_by_rate: Mapping[float, int]) -> float:
    """解けた種がいちばん多い学習率。同じ数なら大きいほう (早く学習が終わる) を選ぶ。

    >>> best_learning_rate({0.003: 3, 0.01: 3, 0.03: 1})
    0.01

    解けた種の数は整数なので、計算の丸め方が少し違う機械でも同じ学習率が選ばれます
    (正解率の平均で選ぶと、解けなかった回の 0.5 前後の値の揺れで選択が変わりかねません)。
    """
    if not isinstance(solved_by_rate, Mapping) or not solved_by_rate:
        raise ValueError("引数 solved_by_rate には {学習率: 解けた種の数} の空でない辞書を渡してください。")
    return max(solved_by_rate, key=lambda lr: (solved_by_rate[lr], lr))
