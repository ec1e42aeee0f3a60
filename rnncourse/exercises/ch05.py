"""第5章 (PyTorch の RNN) の演習の判定器。

    >>> from rnncourse.exercises import ch05
    >>> bool(ch05.q2.evaluate(ch05.q2.expected))
    True
    >>> ch05.q4.evaluate(...).status.value
    'not_attempted'

問題:

- q1 ★ 形 (``shapes``): 3 層・双方向・batch_first の ``nn.RNN`` の output と h_n の形
- q2 ★ パラメータ数 (``n_params``): 2 層・双方向の ``nn.RNN``
- q3 ★★ h_n の並び (``positions``): 最上層・順方向の h_n の番号と、最上層・逆方向の最後の状態が output のどの時刻にあるか
- q4 ★★ ``rnn_cell_loop`` の実装: 1 時刻ずつのループで ``nn.RNN`` (batch_first) と同じ (output, h_n) を返す
- q5 ★★ ``last_hidden`` の実装: 詰め物ごと流した output から、各系列の本物の最後の隠れ状態を取り出す
- q6 ★★★ 理論 (``best_unidirectional``): y_t = [x_t + x_{t+1} > 0] を x_0 … x_t だけから当てる最良の正解率
- q7 ★★★ 実験 (``accuracies``): 同じ課題で単方向と双方向の RNN を学習し、テストデータでの正解率を比べる
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from rnncourse.models.counting import recurrent_param_count
from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.labs.rnn_layout import rnn_shapes

# 問題だけを公開する: torch_rnn_forward は判定器だけが使う (採点の箱の中の代わりのモジュールには置かない)
__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]


# ---------------------------------------------------------------- q1 形
Q1_N, Q1_T, Q1_D, Q1_H, Q1_L = 4, 9, 5, 7, 3
_Q1 = rnn_shapes(Q1_D, Q1_H, seq_len=Q1_T, batch_size=Q1_N, num_layers=Q1_L, bidirectional=True, batch_first=True)
_Q1_EXPECTED = (_Q1.output, _Q1.h_n)  # ((4, 9, 14), (6, 4, 7))

q1 = ValueQuestion(
    "演習 1",
    answer_name="shapes",
    expected=_Q1_EXPECTED,
    hints=(
        "output は最上層の全時刻の隠れ状態、h_n は全層・全方向の最後の隠れ状態です。batch_first が入れ替えるのはどちらの形でしょうか。",
        "output は (N, T, 2H)、h_n は (層の数 × 2, N, H) です。batch_first=True でも h_n の先頭は層×方向のままです。",
    ),
    answer=(
        "output は最上層の全時刻で、双方向なので順方向と逆方向を連結して 2H = 14 次元。batch_first=True なので (N, T, 2H)。"
        "h_n は 3 層 × 2 方向 = 6 個の最後の隠れ状態で、batch_first に関係なく (L·2, N, H) です。\n"
        "```\n"
        "N, T, D, H, L = 4, 9, 5, 7, 3\n"
        "shapes = ((N, T, 2 * H), (L * 2, N, H))  # ((4, 9, 14), (6, 4, 7))\n"
        "```"
    ),
    mistakes=(
        ((_Q1.output, (Q1_N, Q1_L * 2, Q1_H)),
         "h_n にも batch_first を当てはめていませんか。batch_first が変えるのは入力と output だけで、h_n はいつも (層×方向, N, H) です。"),
        (((Q1_N, Q1_T, Q1_H), _Q1.h_n),
         "双方向では output の最後の軸が順方向と逆方向の連結で 2H になります。"),
        ((_Q1.output, (Q1_L, Q1_N, Q1_H)),
         "h_n の先頭の軸は層の数ではなく、層の数 × 方向の数です (双方向なら各層に 2 つ)。"),
        ((_Q1.output, (Q1_L * 2, Q1_N, 2 * Q1_H)),
         "h_n の各要素は 1 つの方向の隠れ状態なので、最後の軸は 2H ではなく H です。"),
        (((Q1_T, Q1_N, 2 * Q1_H), _Q1.h_n),
         "batch_first=True なので output は (N, T, ·) の順です (既定の batch_first=False なら (T, N, ·))。"),
        (((Q1_N, Q1_T, Q1_L * 2 * Q1_H), _Q1.h_n),
         "output に全層の隠れ状態を並べていませんか。output は最上層だけです (下の層の最後の状態は h_n に入ります)。"),
    ),
)


# ---------------------------------------------------------------- q2 パラメータ数
Q2_D, Q2_H, Q2_L = 10, 32, 2
_Q2_EXPECTED = recurrent_param_count("rnn", Q2_D, Q2_H, num_layers=Q2_L, bidirectional=True)
_Q2_ONE_BIAS = _Q2_EXPECTED - Q2_L * 2 * Q2_H  # 各層・各方向でバイアス 1 本分 (H 個) 少ない
_Q2_LAYER1_FROM_D = 2 * recurrent_param_count("rnn", Q2_D, Q2_H, bidirectional=True)  # 2 層目も入力 D とした
_Q2_LAYER1_FROM_H = recurrent_param_count("rnn", Q2_D, Q2_H, bidirectional=True) + recurrent_param_count(
    "rnn", Q2_H, Q2_H, bidirectional=True
)  # 2 層目の入力を H とした (片方向分しか連結しない)

q2 = ValueQuestion(
    "演習 2",
    answer_name="n_params",
    expected=_Q2_EXPECTED,
    hints=(
        "層・方向ごとに weight_ih (H, D_in)、weight_hh (H, H)、bias_ih (H,)、bias_hh (H,) があります。"
        "2 層目の入力の次元 D_in は何でしょうか。",
        "1 層目は D_in = D = 10、2 層目は下の層の両方向を連結した D_in = 2H = 64。各層で 2 方向分を足します: "
        "2·(H·D_in + H·H + 2H) を層ごとに計算して合計します。",
    ),
    answer=(
        "層・方向ごとに H·D_in + H² + 2H 個 (PyTorch はバイアスが 2 本)。1 層目は D_in = D、2 層目は両方向の連結で D_in = 2H。\n"
        "```\n"
        "D, H = 10, 32\n"
        "layer0 = 2 * (H * D + H * H + 2 * H)        # 2816\n"
        "layer1 = 2 * (H * (2 * H) + H * H + 2 * H)  # 6272\n"
        "n_params = layer0 + layer1                 # 9088\n"
        "# 確かめ: sum(p.numel() for p in nn.RNN(10, 32, num_layers=2, bidirectional=True).parameters())\n"
        "```"
    ),
    mistakes=(
        (_Q2_ONE_BIAS, "バイアスを 1 本しか数えていませんか。PyTorch は bias_ih と bias_hh の 2 本を持ちます。"),
        (_Q2_LAYER1_FROM_D, "2 層目の入力を D (= 10) 次元にしていませんか。2 層目の入力は 1 層目の出力で、双方向なら 2H 次元です。"),
        (_Q2_LAYER1_FROM_H, "2 層目の入力を H 次元にしていませんか。1 層目の順方向と逆方向を連結した 2H 次元が入力です。"),
        (recurrent_param_count("rnn", Q2_D, Q2_H, num_layers=Q2_L),
         "双方向 (bidirectional=True) の分を数え忘れていませんか。各層に順方向と逆方向の重みが別々にあります。"),
        (recurrent_param_count("rnn", Q2_D, Q2_H, bidirectional=True),
         "1 層分だけ数えていませんか。num_layers=2 なので 2 層目の重みもあります。"),
    ),
)


# ---------------------------------------------------------------- q3 h_n の並び
Q3_L, Q3_T = 3, 6
_Q3_EXPECTED = ((Q3_L - 1) * 2 + 0, 0)  # h_n[l·2 + k] (k = 0 が順方向)、逆方向は t = 0 で読み終わる

q3 = ValueQuestion(
    "演習 3",
    answer_name="positions",
    expected=_Q3_EXPECTED,
    hints=(
        "h_n は (層, 方向) の順に並び、h_n[l·K + k] が層 l・方向 k (k = 0 が順方向) です。"
        "逆方向の RNN は系列をどちらの端から読み始め、どちらの端で読み終わるでしょうか。",
        "3 層・双方向なら h_n は [層0→, 層0←, 層1→, 層1←, 層2→, 層2←] の 6 個です。逆方向は t = T−1 から読み始めて t = 0 で終わります。",
    ),
    answer=(
        "h_n[l·2 + k] が層 l・方向 k なので、最上層 (l = 2) の順方向は h_n[4]、逆方向は h_n[5]。"
        "逆方向は右端から読み始めて t = 0 で読み終わるので、h_n[5] は output[:, 0, H:] と一致します。\n"
        "```\n"
        "positions = (4, 0)\n"
        "# 確かめ: rnn = nn.RNN(3, H, num_layers=3, bidirectional=True, batch_first=True)\n"
        "#         output, h_n = rnn(torch.randn(2, 6, 3))\n"
        "#         torch.allclose(h_n[4], output[:, -1, :H]), torch.allclose(h_n[5], output[:, 0, H:])\n"
        "```"
    ),
    mistakes=(
        ((_Q3_EXPECTED[0], Q3_T - 1),
         "逆方向の最後の隠れ状態を最後の時刻 t = T−1 に探していませんか。逆方向は t = T−1 から読み始め、t = 0 で読み終わります。"),
        ((Q3_L - 1, 0),
         "h_n を [全層の順方向, 全層の逆方向] の順だと考えていませんか。PyTorch は層ごとに [順方向, 逆方向] を並べます (h_n[l·2 + k])。"),
        ((0, 0), "h_n[0] は最下層 (層 0) の順方向です。最上層は後ろのほうにあります。"),
        ((_Q3_EXPECTED[0] + 1, 0), "h_n[5] は最上層の逆方向です。順方向は各層の最初 (k = 0) です。"),
    ),
)


# ---------------------------------------------------------------- q4 RNNCell のループ
def torch_rnn_forward(
    x: np.ndarray, h0: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """模範解答: 重みを写した ``torch.nn.RNN(D, H, batch_first=True)`` (float64) の (output, h_n) を NumPy で返す。

    形: x (N, T, D), h0 (N, H), W_ih (H, D), W_hh (H, H), b_ih (H,), b_hh (H,) → output (N, T, H), h_n (1, N, H)。
    """
    import torch

    from rnncourse.models.interop import load_weights_into_torch

    N, T, D = x.shape
    H = W_hh.shape[0]
    rnn = torch.nn.RNN(D, H, batch_first=True, dtype=torch.float64)
    load_weights_into_torch(rnn, W_ih, W_hh, b_ih, b_hh)
    with torch.no_grad():
        output, h_n = rnn(torch.from_numpy(np.asarray(x, dtype=np.float64)), torch.from_numpy(h0[None].astype(np.float64)))
    return output.numpy(), h_n.numpy()


def _loop_args(rng: np.random.Generator, N: int, T: int, D: int, H: int, zero_x: bool = False) -> tuple:
    x = np.zeros((N, T, D)) if zero_x else rng.normal(size=(N, T, D))
    return (
        x, rng.normal(size=(N, H)) * 0.5, rng.normal(size=(H, D)) * 0.5, rng.normal(size=(H, H)) * 0.5,
        rng.normal(size=H) * 0.5, rng.normal(size=H) * 0.5,
    )


def _q4_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_loop_args(rng, 2, 5, 3, 4), "N = 2, T = 5, D = 3, H = 4 の場合"),
        Case(_loop_args(rng, 3, 1, 2, 4), "T = 1 の場合"),
        Case(_loop_args(rng, 1, 4, 3, 2), "N = 1 の場合"),
        Case(_loop_args(rng, 2, 4, 3, 4, zero_x=True), "入力 x がすべて 0 の場合 (h0 は 0 でない)"),
    )


_Q4_CASES = _q4_cases(np.random.default_rng(50504))


def _loop_forgot_b_hh(x, h0, W_ih, W_hh, b_ih, b_hh):
    return torch_rnn_forward(x, h0, W_ih, W_hh, b_ih, np.zeros_like(b_hh))


def _loop_transposed_W_hh(x, h0, W_ih, W_hh, b_ih, b_hh):
    return torch_rnn_forward(x, h0, W_ih, W_hh.T, b_ih, b_hh)


def _loop_forgot_recurrence(x, h0, W_ih, W_hh, b_ih, b_hh):
    states = [np.tanh(x[:, t] @ W_ih.T + b_ih + h0 @ W_hh.T + b_hh) for t in range(x.shape[1])]  # h0 を使い続ける
    output = np.stack(states, axis=1)
    return output, output[:, -1][None]


def _loop_h_n_without_layer_axis(x, h0, W_ih, W_hh, b_ih, b_hh):
    output, h_n = torch_rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    return output, h_n[0]


def _loop_stores_previous_state(x, h0, W_ih, W_hh, b_ih, b_hh):
    output, h_n = torch_rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    shifted = np.concatenate([h0[:, None], output[:, :-1]], axis=1)  # 更新する前の h_{t-1} を記録
    return shifted, h_n


q4 = FunctionQuestion(
    "演習 4",
    answer_name="rnn_cell_loop",
    reference=torch_rnn_forward,
    reference_name="rnncourse.exercises.ch05.torch_rnn_forward",
    cases=_Q4_CASES,
    draw_cases=_q4_cases,
    output_names=("output", "h_n"),
    hints=(
        "h = h0 から始めて、t = 0, 1, …, T−1 の順に h = tanh(x[:, t] @ W_ihᵀ + b_ih + h @ W_hhᵀ + b_hh) と更新し、"
        "各時刻の h をリストにためます。",
        "output = np.stack(states, axis=1) で (N, T, H)。h_n は層×方向の軸を先頭に付けて h[None] (形 (1, N, H)) です。",
    ),
    answer=(
        "nn.RNNCell を 1 時刻ずつ呼ぶのと同じ計算を NumPy で書きます。PyTorch のバイアスは 2 本です。"
        "判定の模範解答は、重みを写した torch.nn.RNN そのもの (rnncourse.exercises.ch05.torch_rnn_forward) です。\n"
        "```\n"
        "def rnn_cell_loop(x, h0, W_ih, W_hh, b_ih, b_hh):\n"
        "    h = h0\n"
        "    states = []\n"
        "    for t in range(x.shape[1]):\n"
        "        h = np.tanh(x[:, t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)  # h_t\n"
        "        states.append(h)\n"
        "    return np.stack(states, axis=1), h[None]  # output (N, T, H), h_n (1, N, H)\n"
        "```"
    ),
    mistakes=(
        (_loop_forgot_b_hh, "bias_hh を足し忘れていませんか。PyTorch の RNN はバイアスを 2 本 (b_ih と b_hh) 持ちます。"),
        (_loop_transposed_W_hh, "h @ W_hh と転置を忘れていませんか。PyTorch の重みは (出力, 入力) の形なので h @ W_hh.T です。"),
        (_loop_forgot_recurrence, "各時刻で h0 を使い続けていませんか。更新した h を次の時刻の h_{t−1} に使います。"),
        (_loop_h_n_without_layer_axis, "h_n の先頭の軸 (層×方向、ここでは 1) を付け忘れていませんか。h_n は (1, N, H) です。"),
        (_loop_stores_previous_state, "更新する前の h を記録していませんか。output[:, t] は更新した後の h_t で、h0 は含みません。"),
    ),
)


# ---------------------------------------------------------------- q5 本物の最後の隠れ状態
def _last_hidden_reference(output: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """output (N, T, H) と lengths (N,) から、各系列の本物の最後の隠れ状態 output[n, lengths[n] − 1] (N, H)。"""
    return output[np.arange(output.shape[0]), lengths - 1]


def _last_args(rng: np.random.Generator, lengths: list[int], T: int, H: int) -> tuple:
    return rng.normal(size=(len(lengths), T, H)), np.array(lengths, dtype=np.int64)


def _q5_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_last_args(rng, [3, 1, 4, 2], 6, 3), "長さ (3, 1, 4, 2)、T = 6 の場合"),
        Case(_last_args(rng, [5, 2, 5], 5, 4), "いちばん長い系列に詰め物がない場合"),
        Case(_last_args(rng, [1, 1], 1, 2), "T = 1 の場合"),
        Case(_last_args(rng, [2], 4, 3), "N = 1 の場合"),
    )


_Q5_CASES = _q5_cases(np.random.default_rng(50505))


def _last_padded_step(output, lengths):
    return output[:, -1]


def _last_off_by_one(output, lengths):
    return output[np.arange(output.shape[0]), np.minimum(lengths, output.shape[1] - 1)]


def _last_without_arange(output, lengths):
    return output[:, lengths - 1]


q5 = FunctionQuestion(
    "演習 5",
    answer_name="last_hidden",
    reference=_last_hidden_reference,
    cases=_Q5_CASES,
    draw_cases=_q5_cases,
    hints=(
        "系列 n の本物のデータは時刻 0 … lengths[n] − 1 です。その最後の時刻の output を系列ごとに取り出します。",
        "NumPy の高度な添字で output[np.arange(N), lengths − 1] と書くと、(N, H) が一度に取り出せます。",
    ),
    answer=(
        "単方向の RNN では、末尾の詰め物はそれより前の時刻の output に影響しません。"
        "なので系列 n の時刻 lengths[n] − 1 の output が、pack_padded_sequence で得られる h_n と同じ値です。\n"
        "```\n"
        "def last_hidden(output, lengths):\n"
        "    N = output.shape[0]\n"
        "    return output[np.arange(N), lengths - 1]  # (N, H)\n"
        "```"
    ),
    mistakes=(
        (_last_padded_step, "output[:, -1] は詰め物まで読んだ後の状態です。短い系列では本物の最後の時刻 lengths[n] − 1 を使います。"),
        (_last_off_by_one, "時刻 lengths[n] を使っていませんか。時刻は 0 から数えるので、本物の最後は lengths[n] − 1 です。"),
        (_last_without_arange, "output[:, lengths − 1] だと全系列 × 全長さの組み合わせ (N, N, H) になります。"
                               "系列の番号 np.arange(N) と組にして添字を付けます。"),
    ),
)


# ---------------------------------------------------------------- q6 単方向の上限 (理論)
Q6_EXPECTED = 0.75  # P([x_t > 0] = [x_t + x_{t+1} > 0]) = 1 − P(逆符号の x_{t+1} が |x_t| を越える) = 3/4

q6 = ValueQuestion(
    "演習 6",
    answer_name="best_unidirectional",
    expected=Q6_EXPECTED,
    atol=0.01,  # モンテカルロで確かめた値 (小数第 2 位まで) も正解にする
    rtol=0.0,
    hints=(
        "x_{t+1} は x_0 … x_t と独立なので、時刻 t までを見ても x_{t+1} については何もわかりません。"
        "最良の規則は「x_t + x_{t+1} > 0 となる確率が 1/2 を越えるとき 1」で、それは x_t > 0 と同じです。",
        "x_t > 0 と答えて外れるのは、x_{t+1} が x_t と逆の符号で、しかも |x_{t+1}| > |x_t| のときです。"
        "対称性から |x_{t+1}| > |x_t| となる確率は 1/2、逆符号の確率も 1/2 です (NumPy で 10⁶ 個の乱数で確かめても構いません)。",
    ),
    answer=(
        "最良の規則は ŷ_t = [x_t > 0]。外れるのは x_{t+1} が逆符号 (確率 1/2) かつ |x_{t+1}| > |x_t| (確率 1/2、独立) のときで、"
        "その確率は 1/4。よって正解率の上限は 3/4 です。本文のテストデータでの値は最後の時刻 (x_T = 0 で必ず当たる) の分だけ少し高くなります。\n"
        "```\n"
        "best_unidirectional = 0.75\n"
        "# 確かめ: x = np.random.default_rng(0).standard_normal((2, 10**6))\n"
        "#         np.mean((x[0] > 0) == (x[0] + x[1] > 0))  # 約 0.75\n"
        "```"
    ),
    mistakes=(
        (0.5, "x_{t+1} が見えなくても x_t は見えています。x_t の符号で答えればチャンスレベル (0.5) よりよく当たります。"),
        (1.0, "単方向の RNN は時刻 t で x_{t+1} を見ていません。x_{t+1} の符号が x_t と逆で絶対値が大きいと外れます。"),
        (2 / 3, "外れる確率を 1/3 にしていませんか。逆符号 (1/2) かつ |x_{t+1}| > |x_t| (1/2) なので 1/4 です。"),
    ),
)


# ---------------------------------------------------------------- q7 実験: 単方向と双方向
Q7_UNIDIRECTIONAL_MAX = 0.85  # 理論上限 0.75 (最後の時刻の分を足しても 0.8 未満) に余裕を持たせた上限
Q7_BIDIRECTIONAL_MIN = 0.9
Q7_MIN_GAP = 0.1


def _is_probability(value: Any) -> bool:
    return isinstance(value, (numbers.Real, np.floating)) and not isinstance(value, (bool, np.bool_)) and 0.0 <= float(value) <= 1.0


def _q7_rule(value: Any) -> str | None:
    if value is None:
        return "答えが None です。(単方向の正解率, 双方向の正解率) の組を代入してください。"
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return f"答えは (単方向の正解率, 双方向の正解率) の 2 つの数の組のはずですが、{type(value).__name__} でした。"
    if not all(_is_probability(v) for v in value):
        return "正解率はどちらも 0 以上 1 以下の数 (例 0.76) で答えてください (パーセントではなく割合、テンソルなら .item())。"
    uni, bi = float(value[0]), float(value[1])
    if uni > bi:
        return "単方向のほうが高くなっています。順番が (単方向, 双方向) になっているか確かめてください。"
    if uni > Q7_UNIDIRECTIONAL_MAX:
        return (
            f"単方向の正解率 {uni:.3f} は、未来を見られないモデルの上限 (演習 6) より高すぎます。"
            "テストデータで測ったか、bidirectional=False で作ったかを確かめてください。"
        )
    if bi < Q7_BIDIRECTIONAL_MIN:
        return (
            f"双方向の正解率 {bi:.3f} がまだ低いようです。bidirectional=True で作ったか、学習のステップ数 (150 程度) が"
            "足りているかを確かめてください。"
        )
    if bi - uni < Q7_MIN_GAP:
        return "単方向と双方向の差が小さすぎます。同じデータ・同じステップ数で学習したか確かめてください。"
    return None


q7 = RuleQuestion(
    "演習 7",
    answer_name="accuracies",
    rule=_q7_rule,
    hints=(
        "SequenceTagger(1, 16, 2, bidirectional=False) と bidirectional=True の 2 つを作り、それぞれ train_classifier で "
        "学習してから accuracy でテストデータの正解率を測ります。torch.manual_seed(0) を作る前に呼ぶと結果が毎回同じになります。",
        "train_classifier(model, x_train, y_train, steps=150, batch_size=64, clip=1.0) のあと accuracy(model, x_test, y_test)。"
        "accuracies = (単方向の正解率, 双方向の正解率) の順に代入します。",
    ),
    answer=(
        "単方向は演習 6 の上限 (約 0.75) の近くにとどまり、双方向は x_{t+1} を逆方向の RNN から受け取れるので 1 に近づきます。"
        "足りないのは表現力ではなく情報なので、単方向のまま層や H を増やしても上限は越えられません。\n"
        "```\n"
        "def train_and_score(bidirectional):\n"
        "    torch.manual_seed(0)\n"
        "    model = SequenceTagger(1, 16, 2, bidirectional=bidirectional)\n"
        "    train_classifier(model, x_train, y_train, steps=150, batch_size=64, clip=1.0)\n"
        "    return accuracy(model, x_test, y_test)\n"
        "\n"
        "accuracies = (train_and_score(False), train_and_score(True))\n"
        "```"
    ),
)
