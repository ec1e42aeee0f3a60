"""第2章 (順伝播) の演習の判定器。

    >>> from rnncourse.exercises import ch02
    >>> bool(ch02.q2.evaluate(ch02.q2.expected))
    True
    >>> ch02.q1.evaluate(...).status.value
    'not_attempted'

問題:

- q1 ★ 形の表 (``shapes``): 隠れ状態・出力・W_xh の形
- q2 ★ パラメータ数 (``n_params``): ``torch.nn.RNN`` + 出力層 ``nn.Linear``。バイアスは 2 本
- q3 ★★ 活性の記憶量 (``n_bytes``): 逆伝播のために保持する隠れ状態のバイト数
- q4 ★★ ``rnn_step_forward`` の実装 (模範解答は ``rnncourse.nn.rnn.rnn_step_forward``)
- q5 ★★★ 順伝播のループ ``rnn_forward`` の実装 (模範解答は ``rnncourse.nn.rnn.rnn_forward``)
- q6 ★★★ 実験: W_hh の倍率 ρ を変え、最初の入力の影響が消えずに残る最小の ρ (``rho_star``)
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from rnncourse.models.counting import activation_count, recurrent_param_count
from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.nn.rnn import rnn_forward, rnn_step_forward
from rnncourse.nn.jacobian import recurrent_matrix

# impulse_final_norm は演習のノートが使う道具なので公開する (採点の箱の中の代わりのモジュールにも残る)
__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "impulse_final_norm"]


# ---------------------------------------------------------------- q1 形の表
Q1_N, Q1_T, Q1_D, Q1_H, Q1_V = 4, 7, 3, 5, 6
_Q1_EXPECTED = ((Q1_N, Q1_T, Q1_H), (Q1_N, Q1_T, Q1_V), (Q1_H, Q1_D))

q1 = ValueQuestion(
    "演習 1",
    answer_name="shapes",
    expected=_Q1_EXPECTED,
    hints=(
        "バッチ先頭 (batch-first) なので、系列全体の配列は (N, T, ·) の形です。重みは PyTorch と同じ (出力の次元, 入力の次元) です。",
        "h は (N, T, H)、y は (N, T, V)、W_xh は (H, D) です。数を当てはめてタプル 3 つの組にします。",
    ),
    answer=(
        "隠れ状態 h は全時刻分で (N, T, H)、出力 y は各時刻の h_t に W_hy (V, H) を掛けるので (N, T, V)、"
        "W_xh は torch.nn.RNN の weight_ih_l0 と同じ (H, D) です。\n"
        "```\n"
        "N, T, D, H, V = 4, 7, 3, 5, 6\n"
        "shapes = ((N, T, H), (N, T, V), (H, D))  # ((4, 7, 5), (4, 7, 6), (5, 3))\n"
        "```"
    ),
    mistakes=(
        (((Q1_N, Q1_T, Q1_H), (Q1_N, Q1_T, Q1_V), (Q1_D, Q1_H)),
         "W_xh を (D, H) にしていませんか。コードでは x_t @ W_xh.T と転置して掛けるので、W_xh 自体は (H, D) です。"),
        (((Q1_T, Q1_N, Q1_H), (Q1_T, Q1_N, Q1_V), (Q1_H, Q1_D)),
         "時刻を先頭の軸にしていませんか。この講座 (と batch_first=True の PyTorch) は (N, T, ·) の順です。"),
        (((Q1_N, Q1_T, Q1_H), (Q1_N, Q1_T, Q1_H), (Q1_H, Q1_D)),
         "y の最後の次元を H にしていませんか。出力層 W_hy (V, H) を掛けると最後の次元は V になります。"),
        (((Q1_N, Q1_H), (Q1_N, Q1_V), (Q1_H, Q1_D)),
         "1 時刻分の形を答えていませんか。h と y は全時刻分 (T の軸つき) です。"),
    ),
)


# ---------------------------------------------------------------- q2 パラメータ数
Q2_D, Q2_H, Q2_V, Q2_T = 20, 64, 30, 50
_Q2_RNN = recurrent_param_count("rnn", Q2_D, Q2_H)  # H·D + H² + 2H (bias_ih と bias_hh)
_Q2_LINEAR = Q2_V * Q2_H + Q2_V  # nn.Linear(H, V): W_hy と b_y
_Q2_EXPECTED = _Q2_RNN + _Q2_LINEAR

q2 = ValueQuestion(
    "演習 2",
    answer_name="n_params",
    expected=_Q2_EXPECTED,
    hints=(
        "RNN 層は weight_ih_l0 (H, D)、weight_hh_l0 (H, H) と、バイアスが 2 本あります。出力層 nn.Linear(H, V) も数えます。",
        "H·D + H·H + 2·H に V·H + V を足します。系列長 T はパラメータ数に関係しません (重みは全時刻で共有)。",
    ),
    answer=(
        "torch.nn.RNN は H·D + H² + 2H 個 (バイアスは bias_ih_l0 と bias_hh_l0 の 2 本)、"
        "nn.Linear(H, V) は V·H + V 個です。重みは全時刻で共有されるので T は関係しません。\n"
        "```\n"
        "D, H, V = 20, 64, 30\n"
        "n_params = (H * D + H * H + 2 * H) + (V * H + V)\n"
        f"# = {_Q2_RNN} + {_Q2_LINEAR} = {_Q2_EXPECTED}\n"
        "# 確かめ: sum(p.numel() for p in rnn.parameters()) + sum(p.numel() for p in linear.parameters())\n"
        "```"
    ),
    mistakes=(
        (_Q2_EXPECTED - Q2_H,
         "バイアスを 1 本しか数えていませんか。torch.nn.RNN は bias_ih_l0 と bias_hh_l0 の 2 本を持ちます。"),
        (_Q2_EXPECTED - 2 * Q2_H - Q2_V, "バイアス (RNN の 2 本と出力層の b_y) を数え忘れていませんか。"),
        (_Q2_EXPECTED - Q2_V, "出力層のバイアス b_y (V 個) を数え忘れていませんか。"),
        (_Q2_RNN, "出力層 nn.Linear(H, V) を数え忘れていませんか。"),
        (_Q2_EXPECTED * Q2_T,
         "系列長 T を掛けていませんか。RNN はすべての時刻で同じ重みを使う (パラメータ共有) ので、T によりません。"),
        (_Q2_EXPECTED - Q2_H * Q2_D + Q2_D * Q2_D,
         "weight_ih_l0 を (D, D) と数えていませんか。形は (H, D) です。"),
    ),
)


# ---------------------------------------------------------------- q3 活性の記憶量
Q3_N, Q3_T, Q3_H, Q3_BYTES = 64, 200, 512, 4  # float32
_Q3_EXPECTED = activation_count(Q3_N, Q3_T, Q3_H) * Q3_BYTES

q3 = ValueQuestion(
    "演習 3",
    answer_name="n_bytes",
    expected=_Q3_EXPECTED,
    hints=(
        "逆伝播 (BPTT) は全時刻の h_t を使うので、順伝播は (N, T, H) の配列を丸ごと保持します。float32 は 1 個 4 バイトです。",
        "N·T·H 個 × 4 バイトです (rnncourse.models.counting.activation_count(N, T, H) * 4)。",
    ),
    answer=(
        "逆伝播は tanh の微分 1 − h_t² と W_hh の勾配 (h_{t−1} を使う) のために全時刻の隠れ状態を必要とするので、"
        "N·T·H 個を保持します。float32 は 4 バイトです。\n"
        "```\n"
        "N, T, H = 64, 200, 512\n"
        "n_bytes = N * T * H * 4\n"
        f"# = {_Q3_EXPECTED} バイト = {_Q3_EXPECTED / 2**20:.1f} MiB\n"
        "```"
    ),
    mistakes=(
        (_Q3_EXPECTED // Q3_BYTES, "個数のまま答えていませんか。float32 は 1 個 4 バイトなので、4 を掛けてバイトにします。"),
        (_Q3_EXPECTED * 2, "float64 (8 バイト) で数えていませんか。問題は float32 (4 バイト) です。"),
        (Q3_N * Q3_H * Q3_BYTES,
         "最後の時刻の h_T だけを数えていませんか。逆伝播には全時刻の h_t が要るので、T 倍になります。"),
        (Q3_T * Q3_H * Q3_BYTES, "バッチの大きさ N を掛け忘れていませんか。N 本の系列それぞれの隠れ状態を保持します。"),
        (_Q3_EXPECTED * 8, "ビット数になっていませんか (1 バイト = 8 ビット)。答えはバイト数です。"),
    ),
)


# ---------------------------------------------------------------- q4 rnn_step_forward
def _step_args(rng: np.random.Generator, N: int, D: int, H: int, zero_x: bool = False, zero_h: bool = False):
    x_t = np.zeros((N, D)) if zero_x else rng.normal(size=(N, D))
    h_prev = np.zeros((N, H)) if zero_h else np.tanh(rng.normal(size=(N, H)))
    W_xh = rng.normal(size=(H, D)) * 0.6
    W_hh = rng.normal(size=(H, H)) * 0.6  # 非対称なので転置すると値が変わる
    b_h = rng.normal(size=H) * 0.5  # 0 でないバイアス (足し忘れが分かるように)
    return (x_t, h_prev, W_xh, W_hh, b_h)


def _q4_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_step_args(rng, 3, 4, 4), "N = 3, D = H = 4 の場合"),
        Case(_step_args(rng, 2, 3, 5), "N = 2, D = 3, H = 5 の場合"),
        Case(_step_args(rng, 1, 2, 3), "N = 1 の場合"),
        Case(_step_args(rng, 2, 3, 4, zero_x=True), "入力 x_t が 0 の場合"),
        Case(_step_args(rng, 2, 3, 4, zero_h=True), "h_prev が 0 (最初の時刻) の場合"),
    )


_Q4_CASES = _q4_cases(np.random.default_rng(2024))


def _step_forgot_bias(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh.T + h_prev @ W_hh.T), None


def _step_transposed_W_hh(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh.T + h_prev @ W_hh + b_h), None


def _step_transposed_W_xh(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh.T + b_h), None


def _step_sigmoid(x_t, h_prev, W_xh, W_hh, b_h):
    return 1.0 / (1.0 + np.exp(-(x_t @ W_xh.T + h_prev @ W_hh.T + b_h))), None


def _step_no_activation(x_t, h_prev, W_xh, W_hh, b_h):
    return x_t @ W_xh.T + h_prev @ W_hh.T + b_h, None


def _step_forgot_recurrence(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh.T + b_h), None


q4 = FunctionQuestion(
    "演習 4",
    answer_name="rnn_step_forward",
    reference=rnn_step_forward,
    reference_name="rnncourse.nn.rnn.rnn_step_forward",
    cases=_Q4_CASES,
    draw_cases=_q4_cases,
    output_names=("h_t", "cache"),
    compare_outputs=(0,),
    hints=(
        "行ベクトルの式 a_t = x_t W_xhᵀ + h_{t−1} W_hhᵀ + b_h、h_t = tanh(a_t) をそのまま書きます。"
        "W_xh は (H, D) なので、(N, D) の x_t には転置して右から掛けます。",
        "a_t = x_t @ W_xh.T + h_prev @ W_hh.T + b_h、h_t = np.tanh(a_t)。cache には逆伝播で使う値 "
        "(x_t, h_prev, W_xh, W_hh, h_t) をタプルで入れ、return h_t, cache で返します。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.rnn.rnn_step_forward です "
        "(show_source(rnncourse.nn.rnn.rnn_step_forward) で全体を見られます)。中心の 2 行は次のとおりです。\n"
        "```\n"
        "a_t = x_t @ W_xh.T + h_prev @ W_hh.T + b_h  # a_t = x_t W_xhᵀ + h_{t-1} W_hhᵀ + b_h\n"
        "h_t = np.tanh(a_t)                          # h_t = tanh(a_t)\n"
        "cache = (x_t, h_prev, W_xh, W_hh, h_t)\n"
        "return h_t, cache\n"
        "```"
    ),
    mistakes=(
        (_step_forgot_bias, "バイアス b_h を足し忘れていませんか。"),
        (_step_transposed_W_hh, "h_prev @ W_hh と、W_hh を転置せずに掛けていませんか。W_hh.T を掛けます。"),
        (_step_transposed_W_xh, "x_t @ W_xh と、W_xh を転置せずに掛けていませんか。W_xh は (H, D) なので W_xh.T を掛けます。"),
        (_step_sigmoid, "活性化関数にシグモイドを使っていませんか。素の RNN は tanh です (np.tanh)。"),
        (_step_no_activation, "tanh を掛け忘れていませんか。h_t = tanh(a_t) です。"),
        (_step_forgot_recurrence, "h_prev @ W_hh.T の項 (1 つ前の隠れ状態からの入力) を忘れていませんか。"),
    ),
)


# ---------------------------------------------------------------- q5 rnn_forward
def _forward_args(rng: np.random.Generator, N: int, T: int, D: int, H: int, zero_x: bool = False):
    x = np.zeros((N, T, D)) if zero_x else rng.normal(size=(N, T, D))
    h0 = np.tanh(rng.normal(size=(N, H)))  # 0 でない初期状態 (h0 の使い忘れが分かるように)
    W_xh = rng.normal(size=(H, D)) * 0.6
    W_hh = rng.normal(size=(H, H)) * 0.6
    b_h = rng.normal(size=H) * 0.5
    return (x, h0, W_xh, W_hh, b_h)


def _q5_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_forward_args(rng, 2, 5, 3, 4), "N = 2, T = 5 の場合"),
        Case(_forward_args(rng, 3, 1, 2, 3), "T = 1 の場合"),
        Case(_forward_args(rng, 1, 4, 3, 2), "N = 1 の場合"),
        Case(_forward_args(rng, 2, 3, 2, 3, zero_x=True), "入力 x が 0 の場合 (h0 とバイアスだけが効く)"),
    )


_Q5_CASES = _q5_cases(np.random.default_rng(2025))


def _forward_no_update(x, h0, W_xh, W_hh, b_h):
    h = np.tanh(x @ W_xh.T + (h0 @ W_hh.T)[:, None, :] + b_h)  # いつも h0 から計算してしまう
    return h, None


def _forward_shifted(x, h0, W_xh, W_hh, b_h):
    N, T, _ = x.shape
    h, h_prev = np.empty((N, T, h0.shape[1])), h0
    for t in range(T):
        h[:, t] = h_prev  # 更新する前の h_{t-1} を保存してしまう
        h_prev = np.tanh(x[:, t] @ W_xh.T + h_prev @ W_hh.T + b_h)
    return h, None


def _forward_last_only(x, h0, W_xh, W_hh, b_h):
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    return h[:, -1], None


def _forward_ignores_h0(x, h0, W_xh, W_hh, b_h):
    h, _ = rnn_forward(x, np.zeros_like(h0), W_xh, W_hh, b_h)
    return h, None


def _forward_forgot_bias(x, h0, W_xh, W_hh, b_h):
    h, _ = rnn_forward(x, h0, W_xh, W_hh, np.zeros_like(b_h))
    return h, None


q5 = FunctionQuestion(
    "演習 5",
    answer_name="rnn_forward",
    reference=rnn_forward,
    reference_name="rnncourse.nn.rnn.rnn_forward",
    cases=_Q5_CASES,
    draw_cases=_q5_cases,
    output_names=("h", "cache"),
    compare_outputs=(0,),
    hints=(
        "(N, T, H) の配列 h を用意し、h_prev = h0 から始めて t = 0, 1, …, T−1 の順に 1 時刻分の式を計算します。"
        "計算した h_t を h[:, t] に入れ、次の時刻のために h_prev を h_t に置き換えます。",
        "for t in range(T): h_prev = np.tanh(x[:, t] @ W_xh.T + h_prev @ W_hh.T + b_h); h[:, t] = h_prev。"
        "最後に return h, cache (cache は (x, h0, W_xh, W_hh, h) など) を返します。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.rnn.rnn_forward です "
        "(show_source(rnncourse.nn.rnn.rnn_forward) で全体を見られます)。時刻によらない x_t W_xhᵀ + b_h は"
        "全時刻まとめて 1 回の行列積で計算し、再帰の部分だけをループにしています。素直に書くと次のとおりです。\n"
        "```\n"
        "N, T, D = x.shape\n"
        "h = np.empty((N, T, h0.shape[1]))\n"
        "h_prev = h0\n"
        "for t in range(T):\n"
        "    h_prev = np.tanh(x[:, t] @ W_xh.T + h_prev @ W_hh.T + b_h)  # h_t\n"
        "    h[:, t] = h_prev\n"
        "cache = (x, h0, W_xh, W_hh, h)\n"
        "return h, cache\n"
        "```"
    ),
    mistakes=(
        (_forward_no_update, "h_prev を更新し忘れていませんか。どの時刻も h0 から計算していることになります。"),
        (_forward_shifted,
         "時刻が 1 つずれていませんか。h[:, t] には更新した後の h_t を入れます (更新前の h_{t−1} ではなく)。"),
        (_forward_last_only, "最後の隠れ状態だけを返していませんか。全時刻の h (N, T, H) を返します。"),
        (_forward_ignores_h0, "初期状態 h0 を使わず 0 から始めていませんか。最初の時刻の h_prev は h0 です。"),
        (_forward_forgot_bias, "バイアス b_h を足し忘れていませんか。"),
    ),
)


# ---------------------------------------------------------------- q6 実験: W_hh の倍率
Q6_H, Q6_T, Q6_THRESHOLD = 8, 200, 1e-3


def impulse_final_norm(scale: float, T: int = 200, H: int = 8, seed: int = 0) -> float:
    """W_hh のスペクトル半径を ``scale`` にした RNN に最初の時刻だけ入力 1 を与え、最後の隠れ状態のノルムを返す。

    >>> impulse_final_norm(0.5) < 1e-3 < impulse_final_norm(1.5)
    True

    隠れ状態 H = 8、入力 D = 1、h_0 = 0、b_h = 0、x (1, T, 1) は x[0, 0, 0] = 1 で残りは 0。
    W_hh = ``recurrent_matrix(H, scale, seed)``、W_xh (H, 1) は ``np.random.default_rng(seed + 1)`` の正規乱数。
    戻り値は ‖h[:, T−1]‖ (float)。
    """
    W_hh = recurrent_matrix(H, scale, seed)
    W_xh = np.random.default_rng(seed + 1).normal(size=(H, 1))
    x = np.zeros((1, T, 1))
    x[0, 0, 0] = 1.0  # 最初の時刻だけの入力
    h, _ = rnn_forward(x, np.zeros((1, H)), W_xh, W_hh, np.zeros(H))
    return float(np.linalg.norm(h[:, -1]))


_Q6_LOW, _Q6_HIGH = 0.9, 1.1  # 理論上の境目 ρ = 1 の前後 (格子の刻み 0.1 と閾値の選び方の幅)


def _q6_rule(value: Any) -> str | None:
    if value is None:
        return "None が渡されました。倍率 (数) を rho_star に代入してください。"
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"rho_star は倍率 (1 つの数) のはずですが、{type(value).__name__} が渡されました。"
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        return f"rho_star は正の数のはずです ({value!r} が渡されました)。"
    if _Q6_LOW <= value <= _Q6_HIGH:
        return None
    norm = impulse_final_norm(value)
    if value < _Q6_LOW:
        return (
            f"ρ = {value:g} では T = {Q6_T} 時刻後の ‖h‖ は {norm:.1e} で、入力の影響はほぼ消えています "
            f"(閾値 {Q6_THRESHOLD:g} と比べてください)。影響が残るのはもっと大きな倍率です。"
        )
    return (
        f"ρ = {value:g} でも影響は残りますが (‖h‖ = {norm:.2f})、それより小さい倍率でも残ります。"
        "表の中で ‖h‖ が閾値以上になる最小の倍率を探してください。"
        "値が ±1 近くに張り付く (飽和する) 倍率と混同していませんか。"
    )


q6 = RuleQuestion(
    "演習 6",
    answer_name="rho_star",
    rule=_q6_rule,
    hints=(
        "impulse_final_norm(ρ) を ρ = 0.5, 0.6, …, 2.0 で計算して表にし、‖h‖ ≥ 1e-3 になる最小の ρ を探します。",
        "0 の近くでは tanh(a) ≈ a なので、h_t ≈ W_hh^t W_xh x_0 で、大きさはおよそ ρ^t 倍になります。"
        "ρ < 1 なら ρ^200 はほぼ 0 (指数関数的に消える)、ρ > 1 なら伸びて tanh に押さえられます。境目は ρ = 1 の付近です。",
    ),
    answer=(
        "表を作ると、ρ ≤ 0.9 では ‖h_T‖ が 1e-3 より小さく (入力の影響が消える)、ρ = 1.0 から上では残ります。"
        "ちょうど ρ = 1 では指数関数的には縮みませんが、tanh の曲がり (tanh(a) ≈ a − a³/3) のぶん、T を長くすると少しずつ減り続けます。"
        "小さな値では tanh(a) ≈ a なので h_t ≈ W_hh^t W_xh x_0 となり、スペクトル半径 ρ の t 乗で縮むか伸びるかが決まります。"
        "ρ > 1 で伸びた値は tanh で ±1 の中に押さえられ、振動や飽和になります。\n"
        "```\n"
        "norms = {float(s): ch02.impulse_final_norm(s) for s in np.arange(0.5, 2.01, 0.1).round(1)}\n"
        "rho_star = min(s for s, n in norms.items() if n >= 1e-3)  # 1.0\n"
        "```\n"
        "0.9 から 1.1 の答えを正解とします (境目の理論値は 1。閾値や T の選び方で格子の 1 目盛りずれるため)。"
    ),
)
