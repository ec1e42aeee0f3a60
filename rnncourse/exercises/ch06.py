"""第6章 (LSTM と GRU) の演習の判定器。

    >>> from rnncourse.exercises import ch06
    >>> bool(ch06.q1.evaluate(ch06.q1.expected))
    True
    >>> ch06.q4.evaluate(...).status.value
    'not_attempted'

問題:

- q1 ★ パラメータ数 (``n_params``): ``nn.LSTM(32, 64)`` と ``nn.GRU(32, 64)``
- q2 ★★ パラメータ数をそろえる隠れ状態の大きさ (``H_matched``): ``nn.RNN(10, 128)`` に合わせた LSTM と GRU の H
- q3 ★★ 忘却ゲートのバイアスと記憶の残り方 (``b_needed``): σ(b)^100 ≥ 0.01 となる最小の b
- q4 ★★ ``lstm_step_forward`` の実装 (模範解答は ``rnncourse.nn.lstm.lstm_step_forward``)
- q5 ★★★ PyTorch とまったく同じ ``gru_step_forward`` の実装 (模範解答は ``rnncourse.nn.gru.gru_step_forward``)
- q6 ★★★ 実験: 長期記憶タスクを短く学習し、5 つの種すべてで解ける最小の忘却ゲートのバイアス (``b_min``)
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import Any

import numpy as np

from rnncourse.nn.activations import sigmoid
from rnncourse.models.counting import recurrent_param_count
from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.labs.gate_plots import matching_hidden_size, memory_accuracy
from rnncourse.nn.gru import gru_step_forward
from rnncourse.nn.lstm import lstm_step_forward
from rnncourse.seeding import torch_defaults

# 問題だけを公開する: forget_bias_accuracies は判定器だけが使う (採点の箱の中の代わりのモジュールには置かない)
__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


# ---------------------------------------------------------------- q1 パラメータ数
Q1_D, Q1_H = 32, 64
_Q1_BLOCK = Q1_H * Q1_D + Q1_H * Q1_H + 2 * Q1_H  # 1 ゲート分: W_ih の H 行 + W_hh の H 行 + バイアス 2 本
_Q1_EXPECTED = (recurrent_param_count("lstm", Q1_D, Q1_H), recurrent_param_count("gru", Q1_D, Q1_H))


def _q1_with(block: int, extra: int = 0) -> tuple[int, int]:
    return (4 * block + extra, 3 * block + extra)


q1 = ValueQuestion(
    "演習 1",
    answer_name="n_params",
    expected=_Q1_EXPECTED,
    hints=(
        "素の RNN の 1 層は H·D + H·H + 2H 個 (バイアスは bias_ih と bias_hh の 2 本)。LSTM と GRU は、これがゲートの数だけ縦に積まれています。",
        "LSTM はゲートが i, f, g, o の 4 つ、GRU は r, z, n の 3 つなので、4·(H·D + H² + 2H) と 3·(H·D + H² + 2H) です。",
    ),
    answer=(
        "weight_ih_l0 が (kH, D)、weight_hh_l0 が (kH, H)、バイアスが 2 本の (kH,) で、k は LSTM で 4、GRU で 3 です。\n"
        "```\n"
        "D, H = 32, 64\n"
        "block = H * D + H * H + 2 * H     # 素の RNN 1 層分 = 1 ゲート分\n"
        f"n_params = (4 * block, 3 * block)  # = {_Q1_EXPECTED}\n"
        "# 確かめ: sum(p.numel() for p in torch.nn.LSTM(32, 64).parameters())\n"
        "```"
    ),
    mistakes=(
        (_q1_with(Q1_H * Q1_D + Q1_H * Q1_H + Q1_H),
         "バイアスを 1 本しか数えていませんか。PyTorch は bias_ih と bias_hh の 2 本を持ちます (どちらも (kH,))。"),
        (_q1_with(Q1_H * Q1_D + Q1_H * Q1_H), "バイアスを数え忘れていませんか。"),
        (_q1_with(Q1_H * Q1_D + Q1_H * Q1_H, 2 * Q1_H),
         "バイアスをゲートの数だけ掛け忘れていませんか。バイアスも (kH,) で、ゲートごとに H 個ずつあります。"),
        (_Q1_EXPECTED[::-1], "LSTM と GRU のゲートの数を取り違えていませんか。LSTM は 4 つ (i, f, g, o)、GRU は 3 つ (r, z, n) です。"),
        ((_Q1_BLOCK, _Q1_BLOCK), "ゲートの数を掛け忘れていませんか。それは素の RNN のパラメータ数です。"),
    ),
)


# ---------------------------------------------------------------- q2 パラメータ数をそろえる H
Q2_D, Q2_H_RNN = 10, 128
Q2_BUDGET = recurrent_param_count("rnn", Q2_D, Q2_H_RNN)
_Q2_EXPECTED = (matching_hidden_size("lstm", Q2_BUDGET, Q2_D), matching_hidden_size("gru", Q2_BUDGET, Q2_D))


def _real_root(k: int) -> float:
    """k·(H² + (D + 2)·H) = 予算 の正の実数解 H。"""
    b = Q2_D + 2
    return (-b + math.sqrt(b * b + 4 * Q2_BUDGET / k)) / 2


q2 = ValueQuestion(
    "演習 2",
    answer_name="H_matched",
    expected=_Q2_EXPECTED,
    hints=(
        f"まず nn.RNN({Q2_D}, {Q2_H_RNN}) のパラメータ数を求めます。LSTM は 4·(H·D + H² + 2H)、GRU は 3·(H·D + H² + 2H) です。"
        "H の 2 次式なので、H を 4 や √4 で割るだけでは合いません。",
        "H = 1, 2, 3, … と順に数を計算して、RNN のパラメータ数にいちばん近い H を探します (2 次方程式を解いて、前後の整数を比べても構いません)。"
        "rnncourse.models.counting.recurrent_param_count で確かめられます。",
    ),
    answer=(
        f"nn.RNN({Q2_D}, {Q2_H_RNN}) のパラメータ数は {Q2_BUDGET} 個。LSTM は 4(H² + 12H)、GRU は 3(H² + 12H) なので、"
        f"それぞれ {Q2_BUDGET} にいちばん近くなる整数 H を探します (rnncourse.labs.gate_plots.matching_hidden_size と同じ)。\n"
        "```\n"
        "from rnncourse.models.counting import recurrent_param_count\n"
        f"budget = recurrent_param_count('rnn', {Q2_D}, {Q2_H_RNN})\n"
        "def closest(cell):\n"
        f"    return min(range(1, 200), key=lambda H: abs(recurrent_param_count(cell, {Q2_D}, H) - budget))\n"
        f"H_matched = (closest('lstm'), closest('gru'))  # = {_Q2_EXPECTED}\n"
        "```\n"
        "H を半分にしても (LSTM)、パラメータ数は 4 分の 1 にはなりません。D·H と 2H の項があるからです。"
    ),
    mistakes=(
        ((round(Q2_H_RNN / 2), round(Q2_H_RNN / math.sqrt(3))),
         "H を √4 = 2 や √3 で割っただけにしていませんか。パラメータ数には H² だけでなく D·H と 2H の項もあるので、"
         "実際に数えて比べる必要があります。"),
        ((round(Q2_H_RNN / 4), round(Q2_H_RNN / 3)),
         "H をゲートの数 (4 や 3) で割っていませんか。パラメータ数はおよそ H² で増えるので、H を 4 で割るとパラメータ数は 16 分の 1 近くまで減ります。"),
        ((math.floor(_real_root(4)), math.floor(_real_root(3))),
         "2 次方程式の解を切り捨てていませんか。前後の整数のうち、パラメータ数が予算に近いほうを選びます。"),
        ((math.ceil(_real_root(4)), math.ceil(_real_root(3))),
         "2 次方程式の解を切り上げていませんか。前後の整数のうち、パラメータ数が予算に近いほうを選びます。"),
    ),
)


# ---------------------------------------------------------------- q3 忘却ゲートのバイアスと記憶の残り方
Q3_STEPS, Q3_KEEP = 100, 0.01
_Q3_F = Q3_KEEP ** (1 / Q3_STEPS)  # f^100 = 0.01 となる f
_Q3_EXPECTED = math.log(_Q3_F / (1 - _Q3_F))  # σ(b) = f の逆: b = ln(f / (1 − f))

q3 = ValueQuestion(
    "演習 3",
    answer_name="b_needed",
    expected=_Q3_EXPECTED,
    rtol=2e-3,
    hints=(
        "忘却ゲートが毎時刻 f = σ(b) のままなら、100 時刻後に残る割合は f^100 です。まず f^100 = 0.01 となる f を求めます。",
        "f = 0.01^(1/100)。次に σ(b) = f を b について解きます: b = ln(f / (1 − f))。",
    ),
    answer=(
        "100 時刻のあいだに記憶に掛かるのは f^100 なので、f^100 ≥ 0.01 から f ≥ 0.01^(1/100) ≈ "
        f"{_Q3_F:.4f}。σ(b) = f の逆関数 (ロジット) b = ln(f / (1 − f)) で、b ≥ {_Q3_EXPECTED:.3f} です。\n"
        "```\n"
        "f = 0.01 ** (1 / 100)\n"
        f"b_needed = np.log(f / (1 - f))  # ≈ {_Q3_EXPECTED:.3f}\n"
        "print(sigmoid(b_needed) ** 100)  # 0.01 になることを確かめる\n"
        "```\n"
        "本文で使ったバイアス 2 (f ≈ 0.88) では、100 時刻後にはほとんど残りません。長い記憶を最初から保つには、"
        "覚えたい長さに応じてバイアスを大きくする必要があります。"
    ),
    mistakes=(
        (_Q3_F, "ゲートの値 f を答えていませんか。答えるのは σ(b) = f となるバイアス b です (b = ln(f / (1 − f)))。"),
        (math.log(_Q3_F), "σ の逆関数を ln(f) としていませんか。σ(b) = f を解くと b = ln(f / (1 − f)) です。"),
        (math.log(0.99 / 0.01),
         "「毎時刻 1% ずつ失う」(f = 0.99) と読んでいませんか。問題は「100 時刻後に 1% 残る」(f^100 = 0.01) です。"),
        (-_Q3_EXPECTED, "符号が逆になっていませんか。f は 1 に近い (0.5 より大きい) ので、b は正です。"),
    ),
)


# ---------------------------------------------------------------- q4 lstm_step_forward
def _lstm_args(rng: np.random.Generator, N: int, D: int, H: int, zero_x: bool = False, zero_state: bool = False):
    x_t = np.zeros((N, D)) if zero_x else rng.normal(size=(N, D))
    h_prev = np.zeros((N, H)) if zero_state else np.tanh(rng.normal(size=(N, H)))
    c_prev = np.zeros((N, H)) if zero_state else rng.normal(size=(N, H))
    W_ih = rng.normal(size=(4 * H, D)) * 0.7  # ゲートごとに違う重み (順を間違えると値が変わる)
    W_hh = rng.normal(size=(4 * H, H)) * 0.7
    b = rng.normal(size=4 * H) * 0.5  # 0 でないバイアス
    return (x_t, h_prev, c_prev, W_ih, W_hh, b)


def _q4_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_lstm_args(rng, 3, 4, 5), "N = 3, D = 4, H = 5 の場合"),
        Case(_lstm_args(rng, 2, 3, 2), "N = 2, D = 3, H = 2 の場合"),
        Case(_lstm_args(rng, 1, 2, 3), "N = 1 の場合"),
        Case(_lstm_args(rng, 2, 3, 1), "H = 1 の場合"),
        Case(_lstm_args(rng, 2, 3, 4, zero_x=True), "入力 x_t が 0 の場合"),
        Case(_lstm_args(rng, 2, 3, 4, zero_state=True), "h_prev と c_prev が 0 (最初の時刻) の場合"),
    )


_Q4_CASES = _q4_cases(np.random.default_rng(2026))


def _lstm_pre(x_t, h_prev, W_ih, W_hh, b):
    return np.split(x_t @ W_ih.T + h_prev @ W_hh.T + b, 4, axis=-1)


def _lstm_ifog(x_t, h_prev, c_prev, W_ih, W_hh, b):
    a_i, a_f, a_o, a_g = _lstm_pre(x_t, h_prev, W_ih, W_hh, b)  # 順を i, f, o, g と読んでしまう
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_t), c_t, None


def _lstm_figo(x_t, h_prev, c_prev, W_ih, W_hh, b):
    a_f, a_i, a_g, a_o = _lstm_pre(x_t, h_prev, W_ih, W_hh, b)  # i と f を取り違える
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_t), c_t, None


def _lstm_tanh_forget(x_t, h_prev, c_prev, W_ih, W_hh, b):
    a_i, a_f, a_g, a_o = _lstm_pre(x_t, h_prev, W_ih, W_hh, b)
    c_t = np.tanh(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)  # 忘却ゲートに tanh
    return sigmoid(a_o) * np.tanh(c_t), c_t, None


def _lstm_sigmoid_candidate(x_t, h_prev, c_prev, W_ih, W_hh, b):
    a_i, a_f, a_g, a_o = _lstm_pre(x_t, h_prev, W_ih, W_hh, b)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * sigmoid(a_g)  # 候補にシグモイド
    return sigmoid(a_o) * np.tanh(c_t), c_t, None


def _lstm_no_forget(x_t, h_prev, c_prev, W_ih, W_hh, b):
    a_i, a_f, a_g, a_o = _lstm_pre(x_t, h_prev, W_ih, W_hh, b)
    c_t = sigmoid(a_i) * np.tanh(a_g)  # f ⊙ c_prev の項がない
    return sigmoid(a_o) * np.tanh(c_t), c_t, None


def _lstm_no_tanh_c(x_t, h_prev, c_prev, W_ih, W_hh, b):
    a_i, a_f, a_g, a_o = _lstm_pre(x_t, h_prev, W_ih, W_hh, b)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * c_t, c_t, None  # tanh(c_t) ではなく c_t


def _lstm_forgot_recurrence(x_t, h_prev, c_prev, W_ih, W_hh, b):
    return lstm_step_forward(x_t, np.zeros_like(h_prev), c_prev, W_ih, W_hh, b)[:2] + (None,)


q4 = FunctionQuestion(
    "演習 4",
    answer_name="lstm_step_forward",
    reference=lstm_step_forward,
    reference_name="rnncourse.nn.lstm.lstm_step_forward",
    cases=_Q4_CASES,
    draw_cases=_q4_cases,
    output_names=("h_t", "c_t", "cache"),
    compare_outputs=(0, 1),
    hints=(
        "a_t = x_t W_ihᵀ + h_{t−1} W_hhᵀ + b を 1 回で計算し、np.split(a_t, 4, axis=-1) で 4 つに分けます。"
        "PyTorch の順は i, f, g, o です。σ は rnncourse.nn.activations.sigmoid か 1 / (1 + np.exp(−a)) で。",
        "i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)、c_t = f * c_prev + i * g、h_t = o * np.tanh(c_t)。"
        "return h_t, c_t, cache (cache は判定では比べません)。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.lstm.lstm_step_forward です "
        "(show_source(rnncourse.nn.lstm.lstm_step_forward) と show_source(rnncourse.nn.lstm._lstm_cell) で全体を見られます)。"
        "中心の部分は次のとおりです。\n"
        "```\n"
        "a_t = x_t @ W_ih.T + h_prev @ W_hh.T + b          # (N, 4H)\n"
        "a_i, a_f, a_g, a_o = np.split(a_t, 4, axis=-1)     # PyTorch の順 i, f, g, o\n"
        "i_t, f_t, o_t = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)\n"
        "g_t = np.tanh(a_g)\n"
        "c_t = f_t * c_prev + i_t * g_t                     # 残す分 + 書き込む分\n"
        "h_t = o_t * np.tanh(c_t)                           # 見せる分\n"
        "return h_t, c_t, (i_t, f_t, g_t, o_t)\n"
        "```"
    ),
    mistakes=(
        (_lstm_ifog, "ゲートの順を i, f, o, g としていませんか。PyTorch の積み方は i, f, g, o です (3 番目が候補 g)。"),
        (_lstm_figo, "入力ゲートと忘却ゲートを取り違えていませんか。PyTorch の順は i, f, g, o (最初が入力ゲート) です。"),
        (_lstm_tanh_forget, "忘却ゲートに tanh を使っていませんか。ゲート (i, f, o) はシグモイドで、tanh は候補 g だけです。"),
        (_lstm_sigmoid_candidate, "候補 g にシグモイドを使っていませんか。g_t = tanh(a_g) です (値域 (−1, 1))。"),
        (_lstm_no_forget, "c_t に f_t ⊙ c_prev の項を入れ忘れていませんか。c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t です。"),
        (_lstm_no_tanh_c, "h_t = o_t ⊙ c_t としていませんか。h_t = o_t ⊙ tanh(c_t) です。"),
        (_lstm_forgot_recurrence, "h_prev @ W_hh.T の項を忘れていませんか。ゲートは x_t と h_{t−1} の両方から計算します。"),
    ),
)


# ---------------------------------------------------------------- q5 gru_step_forward (PyTorch と同じ)
def _gru_args(rng: np.random.Generator, N: int, D: int, H: int, zero_x: bool = False, zero_h: bool = False):
    x_t = np.zeros((N, D)) if zero_x else rng.normal(size=(N, D))
    h_prev = np.zeros((N, H)) if zero_h else np.tanh(rng.normal(size=(N, H)))
    W_ih = rng.normal(size=(3 * H, D)) * 0.7
    W_hh = rng.normal(size=(3 * H, H)) * 0.7
    b_ih = rng.normal(size=3 * H) * 0.5
    b_hh = rng.normal(size=3 * H) * 0.8  # b_hn が 0 でないと r の掛け方の違いが見えない
    return (x_t, h_prev, W_ih, W_hh, b_ih, b_hh)


def _q5_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_gru_args(rng, 3, 4, 5), "N = 3, D = 4, H = 5 の場合"),
        Case(_gru_args(rng, 2, 3, 2), "N = 2, D = 3, H = 2 の場合"),
        Case(_gru_args(rng, 1, 2, 3), "N = 1 の場合"),
        Case(_gru_args(rng, 2, 3, 1), "H = 1 の場合"),
        Case(_gru_args(rng, 2, 3, 4, zero_x=True), "入力 x_t が 0 の場合"),
        Case(_gru_args(rng, 2, 3, 4, zero_h=True), "h_prev が 0 (最初の時刻) の場合"),
    )


_Q5_CASES = _q5_cases(np.random.default_rng(2027))


def _gru_parts(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    gi = np.split(x_t @ W_ih.T + b_ih, 3, axis=-1)
    gh = np.split(h_prev @ W_hh.T + b_hh, 3, axis=-1)
    return gi, gh


def _gru_bias_outside_reset(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    (gi_r, gi_z, gi_n), (gh_r, gh_z, _) = _gru_parts(x_t, h_prev, W_ih, W_hh, b_ih, b_hh)
    r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
    H = h_prev.shape[1]
    n = np.tanh(gi_n + r * (h_prev @ W_hh[2 * H :].T) + b_hh[2 * H :])  # b_hn を r の外で足す
    return (1 - z) * n + z * h_prev, None


def _gru_reset_before_matmul(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    (gi_r, gi_z, gi_n), (gh_r, gh_z, _) = _gru_parts(x_t, h_prev, W_ih, W_hh, b_ih, b_hh)
    r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
    H = h_prev.shape[1]
    n = np.tanh(gi_n + (r * h_prev) @ W_hh[2 * H :].T + b_hh[2 * H :])  # r を先に h_{t−1} に掛ける
    return (1 - z) * n + z * h_prev, None


def _gru_swapped_update(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    (gi_r, gi_z, gi_n), (gh_r, gh_z, gh_n) = _gru_parts(x_t, h_prev, W_ih, W_hh, b_ih, b_hh)
    r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    return z * n + (1 - z) * h_prev, None  # z と 1 − z が逆


def _gru_order_zrn(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    (gi_z, gi_r, gi_n), (gh_z, gh_r, gh_n) = _gru_parts(x_t, h_prev, W_ih, W_hh, b_ih, b_hh)  # z, r, n と読む
    r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    return (1 - z) * n + z * h_prev, None


def _gru_no_reset(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    (gi_r, gi_z, gi_n), (gh_r, gh_z, gh_n) = _gru_parts(x_t, h_prev, W_ih, W_hh, b_ih, b_hh)
    z = sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + gh_n)  # r を掛け忘れる
    return (1 - z) * n + z * h_prev, None


q5 = FunctionQuestion(
    "演習 5",
    answer_name="gru_step_forward",
    reference=gru_step_forward,
    reference_name="rnncourse.nn.gru.gru_step_forward",
    cases=_Q5_CASES,
    draw_cases=_q5_cases,
    output_names=("h_t", "cache"),
    compare_outputs=(0,),
    hints=(
        "gi = x_t W_ihᵀ + b_ih と gh = h_{t−1} W_hhᵀ + b_hh をそれぞれ np.split(…, 3, axis=-1) で r, z, n の 3 つに分けます。"
        "r と z は gi と gh の和のシグモイドですが、n だけは r_t を gh の n の部分 (h_{t−1} W_hnᵀ + b_hn) に掛けてから足します。",
        "r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r * gh_n), h_t = (1 − z) * n + z * h_prev。"
        "return h_t, cache (cache は判定では比べません)。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.gru.gru_step_forward です "
        "(show_source(rnncourse.nn.gru.gru_step_forward) と show_source(rnncourse.nn.gru._gru_cell) で全体を見られます)。"
        "中心の部分は次のとおりです。\n"
        "```\n"
        "gi_r, gi_z, gi_n = np.split(x_t @ W_ih.T + b_ih, 3, axis=-1)     # PyTorch の順 r, z, n\n"
        "gh_r, gh_z, gh_n = np.split(h_prev @ W_hh.T + b_hh, 3, axis=-1)\n"
        "r_t = sigmoid(gi_r + gh_r)\n"
        "z_t = sigmoid(gi_z + gh_z)\n"
        "n_t = np.tanh(gi_n + r_t * gh_n)      # r_t は h_{t-1} W_hnᵀ + b_hn の全体に掛かる\n"
        "h_t = (1 - z_t) * n_t + z_t * h_prev  # z_t ≈ 1 なら前の状態を残す\n"
        "return h_t, (r_t, z_t, n_t)\n"
        "```"
    ),
    mistakes=(
        (_gru_bias_outside_reset,
         "r_t を h_{t−1} W_hnᵀ だけに掛け、b_hn を r_t の外で足していませんか (b_ih と b_hh を 1 本にまとめても同じ間違いになります)。"
         "PyTorch は r_t ⊙ (h_{t−1} W_hnᵀ + b_hn) です。"),
        (_gru_reset_before_matmul,
         "r_t を先に h_{t−1} に掛けてから W_hn を掛けていませんか (論文の元の形)。PyTorch は r_t ⊙ (h_{t−1} W_hnᵀ + b_hn) です。"),
        (_gru_swapped_update,
         "z_t と 1 − z_t を逆にしていませんか。PyTorch では h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1} (z_t ≈ 1 で前の状態を残す) です。"),
        (_gru_order_zrn, "ゲートの順を z, r, n としていませんか。PyTorch の積み方は r, z, n です。"),
        (_gru_no_reset, "リセットゲート r_t を掛け忘れていませんか。n_t = tanh(gi_n + r_t ⊙ gh_n) です。"),
    ),
)


# ---------------------------------------------------------------- q6 実験: 忘却ゲートのバイアス
Q6_BIASES = (0.0, 1.0, 2.0, 3.0)
Q6_SEEDS = (0, 1, 2, 3, 4)
Q6_SETTINGS = {"T": 20, "steps": 40, "batch_size": 32}  # 第4章と同じ短い学習
Q6_SOLVED = 0.9


@functools.lru_cache(maxsize=1)
def forget_bias_accuracies() -> dict[float, tuple[float, ...]]:
    """演習 6 の実験: 忘却ゲートのバイアスごとの、5 つの種でのテストの正解率。

    >>> table = forget_bias_accuracies()  # doctest: +SKIP
    >>> sorted(table)  # doctest: +SKIP
    [0.0, 1.0, 2.0, 3.0]

    ``rnncourse.labs.gate_plots.memory_accuracy("lstm", keep_bias=b, seed=s, T=20, steps=40, batch_size=32)`` を
    b ∈ {0, 1, 2, 3}、s ∈ {0, …, 4} で測ります (判定器が答えと比べるために使い、結果は一度だけ計算して覚えておきます)。
    学習者のノートブックと同じ条件 (倍精度、1 スレッド) で計算するので、どこで判定しても同じ表になります。
    """
    with torch_defaults("float64", torch_threads=1):
        return {b: tuple(memory_accuracy("lstm", keep_bias=b, seed=s, **Q6_SETTINGS) for s in Q6_SEEDS) for b in Q6_BIASES}


def _q6_expected() -> float | None:
    solved = [b for b, acc in forget_bias_accuracies().items() if min(acc) >= Q6_SOLVED]
    return min(solved) if solved else None


def _q6_rule(value: Any) -> str | None:
    if value is None:
        return "None が渡されました。バイアス (数) を b_min に代入してください。"
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"b_min はバイアスの値 (1 つの数) のはずですが、{type(value).__name__} が渡されました。"
    value = float(value)
    choices = ", ".join(f"{b:g}" for b in Q6_BIASES)
    if not any(math.isclose(value, b) for b in Q6_BIASES):
        return f"b_min は調べたバイアス {choices} のどれかで答えてください ({value:g} が渡されました)。"
    table = forget_bias_accuracies()
    expected = _q6_expected()
    acc = table[min(Q6_BIASES, key=lambda b: abs(b - value))]
    if expected is not None and math.isclose(value, expected):
        return None
    if min(acc) < Q6_SOLVED:
        worst = int(np.argmin(acc))
        return (
            f"b = {value:g} では乱数の種 {Q6_SEEDS[worst]} で解けていません (正解率が {Q6_SOLVED} に届きません。"
            f"{len(Q6_SEEDS)} つの種すべてで解けてはいません)。もっと大きなバイアスを調べてください。"
        )
    return f"b = {value:g} でも {len(Q6_SEEDS)} つの種すべてで解けますが、それより小さいバイアスでも解けます。表の中で条件を満たす最小の b を探してください。"


q6 = RuleQuestion(
    "演習 6",
    answer_name="b_min",
    rule=_q6_rule,
    hints=(
        "memory_accuracy('lstm', T=20, keep_bias=b, seed=s, steps=40, batch_size=32) を b = 0, 1, 2, 3 と s = 0, 1, 2, 3, 4 の"
        "すべての組で計算し、b ごとに 5 つの正解率を表にします。",
        "表の中で、5 つの種の正解率がすべて 0.9 以上になる b のうち、いちばん小さいものが答えです "
        "(例: min(b for b, acc in table.items() if min(acc) >= 0.9))。",
    ),
    answer=(
        "バイアス 0 (PyTorch の既定とほぼ同じ、f ≈ 0.5) では、短い学習ではどの種でもチャンスレベル付近にとどまります。"
        "バイアスを大きくするほど最初から記憶と勾配が長く残り (f = σ(b))、40 ステップの学習でも最初の入力を覚えられるようになります。"
        "この実験では 5 つの種すべてで解けるのは b = 2 からです (b = 1 では解けない種が残ります)。\n"
        "```\n"
        "table = {b: [memory_accuracy('lstm', T=20, keep_bias=b, seed=s, steps=40, batch_size=32) for s in range(5)]\n"
        "         for b in (0.0, 1.0, 2.0, 3.0)}\n"
        "b_min = min(b for b, acc in table.items() if min(acc) >= 0.9)\n"
        "```\n"
        "正解は、判定器が同じ実験をもう一度行った結果の表から決めます。"
    ),
)
