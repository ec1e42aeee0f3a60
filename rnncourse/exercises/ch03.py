"""第3章 (BPTT) の演習の判定器。

    >>> from rnncourse.exercises import ch03
    >>> bool(ch03.q3.evaluate(ch03.q3.expected))
    True
    >>> ch03.q4.evaluate(...).status.value
    'not_attempted'

問題:

- q1 ★ 勾配の形 (``grad_shapes``): 1 時刻分の逆伝播が返す 5 つの勾配の形
- q2 ★ 相対誤差 ``rel_error`` の実装 (模範解答は ``rnncourse.nn.gradcheck.rel_error``)
- q3 ★★ 打ち切り BPTT の数え上げ (``tbptt_counts``): 保持する隠れ状態・チャンクの数・勾配でつながる最大の時刻差
- q4 ★★ ``rnn_step_backward`` の実装 (模範解答は ``rnncourse.nn.rnn.rnn_step_backward``)
- q5 ★★★ 時間をさかのぼる再帰 ``rnn_backward`` の実装 (模範解答は ``rnncourse.nn.rnn.rnn_backward``)
- q6 ★★★ 実験: 打ち切りの長さ K = 4 で学べる最大のラグ (``max_lag_learned``)
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from rnncourse.models.counting import activation_count
from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.nn.gradcheck import rel_error
from rnncourse.nn.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from rnncourse.labs.tbptt import tbptt_chunks

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


# ---------------------------------------------------------------- q1 勾配の形
Q1_N, Q1_D, Q1_H = 4, 3, 5


def _q1_expected() -> tuple[tuple[int, ...], ...]:
    """参照実装に 0 の配列を通して、5 つの勾配の形を数える。"""
    _, cache = rnn_step_forward(
        np.zeros((Q1_N, Q1_D)), np.zeros((Q1_N, Q1_H)), np.zeros((Q1_H, Q1_D)), np.zeros((Q1_H, Q1_H)), np.zeros(Q1_H)
    )
    return tuple(g.shape for g in rnn_step_backward(np.zeros((Q1_N, Q1_H)), cache))


_Q1_EXPECTED = _q1_expected()  # ((N, D), (N, H), (H, D), (H, H), (H,))


def _q1_variant(**changes: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    names = ("dx_t", "dh_prev", "dW_xh", "dW_hh", "db_h")
    return tuple(changes.get(name, shape) for name, shape in zip(names, _Q1_EXPECTED))


q1 = ValueQuestion(
    "演習 1",
    answer_name="grad_shapes",
    expected=_Q1_EXPECTED,
    hints=(
        "勾配は元の変数と同じ形です。x_t は (N, D)、h_prev は (N, H)、W_xh は (H, D)、W_hh は (H, H)、b_h は (H,) でした。",
        "数を当てはめると ((4, 3), (4, 5), (5, 3), (5, 5), (5,)) の形の組になります。"
        "db_h はバッチ方向に和を取るので N の軸は残りません。",
    ),
    answer=(
        "勾配は必ず元の変数と同じ形になります (損失をその変数の各成分で微分したものだから)。"
        "dW_xh = da_tᵀ x_t は (H, N)(N, D) → (H, D)、db_h = Σ_n da_t は (H,) です。\n"
        "```\n"
        "N, D, H = 4, 3, 5\n"
        "grad_shapes = ((N, D), (N, H), (H, D), (H, H), (H,))  # dx_t, dh_prev, dW_xh, dW_hh, db_h\n"
        "```"
    ),
    mistakes=(
        (_q1_variant(dW_xh=(Q1_D, Q1_H)),
         "dW_xh を (D, H) にしていませんか。重み W_xh は (H, D) なので、その勾配も (H, D) です (da_t.T @ x_t)。"),
        (_q1_variant(db_h=(Q1_N, Q1_H)),
         "db_h を (N, H) にしていませんか。バイアスは全部の例に同じものを足すので、勾配はバッチ方向の和で (H,) です。"),
        (_q1_variant(dx_t=(Q1_N, Q1_H)),
         "dx_t を (N, H) にしていませんか。入力 x_t は (N, D) なので、その勾配も (N, D) です (da_t @ W_xh)。"),
    ),
)


# ---------------------------------------------------------------- q2 相対誤差
def _q2_cases(rng: np.random.Generator | None = None) -> tuple[Case, ...]:
    rng = np.random.default_rng(303) if rng is None else rng
    a = rng.normal(size=(3, 4))
    b = a + 1e-3 * rng.normal(size=(3, 4))  # 近い 2 つの勾配
    c = rng.normal(size=5)
    return (
        Case((a, b), "近い 2 つの配列 (3, 4) の場合"),
        Case((c, -c), "符号が逆の 2 つの配列の場合"),
        Case((a.copy(), a.copy()), "まったく同じ配列の場合"),
        Case((np.zeros((2, 2)), np.zeros((2, 2))), "どちらも 0 の場合 (分母の下限 1e-8)"),
        Case((np.array([2.0]), np.array([1.0])), "要素が 1 つの場合"),
    )


def _rel_abs_error(a, b):
    return float(np.max(np.abs(a - b)))


def _rel_mean(a, b):
    return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def _rel_abs_of_sum(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))))


def _rel_to_first(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a))))


q2 = FunctionQuestion(
    "演習 2",
    answer_name="rel_error",
    reference=rel_error,
    reference_name="rnncourse.nn.gradcheck.rel_error",
    cases=_q2_cases(),
    draw_cases=_q2_cases,
    hints=(
        "要素ごとに |a − b| を |a| + |b| で割り、その最大値を返します。0 で割らないよう、分母は 1e-8 より小さくしません。",
        "np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))) を float にして返します。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.gradcheck.rel_error です "
        "(show_source(rnncourse.nn.gradcheck.rel_error) で全体を見られます)。中心の 1 行は次のとおりです。\n"
        "```\n"
        "return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))\n"
        "```\n"
        "差を大きさで割るので、勾配が大きくても小さくても同じ目安 (float64 で 1e-7 未満なら正しい) で比べられます。"
        "平均ではなく最大を取るのは、1 か所だけの間違いも見逃さないためです。"
    ),
    mistakes=(
        (_rel_abs_error, "差 |a − b| をそのまま返していませんか。|a| + |b| で割って相対的な大きさにします。"),
        (_rel_mean, "平均を取っていませんか。1 か所の間違いも見逃さないよう、最大値 (np.max) を取ります。"),
        (_rel_abs_of_sum, "分母を |a + b| にしていませんか。符号が逆だと 0 になってしまうので |a| + |b| です。"),
        (_rel_to_first, "a の大きさだけで割っていませんか。分母は |a| + |b| です (a と b を入れ替えても同じ値になるように)。"),
    ),
)


# ---------------------------------------------------------------- q3 打ち切り BPTT の数え上げ
Q3_N, Q3_T, Q3_H, Q3_K = 32, 1000, 128, 50
_Q3_STORED = activation_count(Q3_N, Q3_K, Q3_H)  # 1 チャンク分の N·K·H
_Q3_CHUNKS = len(tbptt_chunks(Q3_T, Q3_K))  # ⌈T / K⌉
_Q3_MAX_LAG = max(end - start for start, end in tbptt_chunks(Q3_T, Q3_K)) - 1  # 同じチャンクの中の最大の時刻差
_Q3_EXPECTED = (_Q3_STORED, _Q3_CHUNKS, _Q3_MAX_LAG)

q3 = ValueQuestion(
    "演習 3",
    answer_name="tbptt_counts",
    expected=_Q3_EXPECTED,
    hints=(
        "逆伝播のために持つのは 1 チャンク分の隠れ状態だけです。チャンクは長さ K で、系列を ⌈T / K⌉ 個に区切ります。"
        "勾配は同じチャンクの中でしかつながりません。",
        "(N·K·H, ⌈T / K⌉, K − 1) です。チャンクの中の最初と最後の時刻の差は K − 1 です。",
    ),
    answer=(
        "隠れ状態は引き継いだ値を除いて 1 チャンク分 (N·K·H 個) だけ持てば足ります。"
        "チャンクの数 (1 チャンクごとに更新するなら更新の回数) は ⌈T / K⌉、"
        "同じチャンクに入る入力 x_s と損失 ℓ_t の時刻差 t − s は最大 K − 1 です。\n"
        "```\n"
        "N, T, H, K = 32, 1000, 128, 50\n"
        "tbptt_counts = (N * K * H, math.ceil(T / K), K - 1)\n"
        f"# = {_Q3_EXPECTED}\n"
        "```"
    ),
    mistakes=(
        ((activation_count(Q3_N, Q3_T, Q3_H), _Q3_CHUNKS, _Q3_MAX_LAG),
         "保持する隠れ状態を N·T·H (打ち切らない BPTT の値) にしていませんか。一度に持つのは 1 チャンク分の N·K·H です。"),
        ((_Q3_STORED, _Q3_CHUNKS, Q3_K),
         "最大の時刻差を K にしていませんか。長さ K のチャンクの最初と最後の時刻の差は K − 1 です。"),
        ((Q3_K * Q3_H, _Q3_CHUNKS, _Q3_MAX_LAG),
         "バッチの大きさ N を掛け忘れていませんか。N 本の系列それぞれの隠れ状態を持ちます。"),
        ((_Q3_STORED, Q3_K, _Q3_MAX_LAG),
         "チャンクの数を K にしていませんか。長さ T の系列を長さ K で区切るので ⌈T / K⌉ 個です。"),
    ),
)


# ---------------------------------------------------------------- q4 rnn_step_backward
def _step_backward_args(rng: np.random.Generator, N: int, D: int, H: int, zero_x: bool = False, zero_h: bool = False):
    x_t = np.zeros((N, D)) if zero_x else rng.normal(size=(N, D))
    h_prev = np.zeros((N, H)) if zero_h else np.tanh(rng.normal(size=(N, H)))
    W_xh = rng.normal(size=(H, D)) * 0.6
    W_hh = rng.normal(size=(H, H)) * 0.6  # 非対称なので転置すると値が変わる
    b_h = rng.normal(size=H) * 0.5
    _, cache = rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h)
    dh_t = rng.normal(size=(N, H))
    return (dh_t, cache)


def _q4_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_step_backward_args(rng, 3, 2, 4), "N = 3, D = 2, H = 4 の場合"),
        Case(_step_backward_args(rng, 2, 3, 3), "N = 2, D = H = 3 の場合"),
        Case(_step_backward_args(rng, 1, 2, 3), "N = 1 の場合"),
        Case(_step_backward_args(rng, 2, 3, 4, zero_x=True), "入力 x_t が 0 の場合"),
        Case(_step_backward_args(rng, 2, 3, 4, zero_h=True), "h_prev が 0 (最初の時刻) の場合"),
    )


_Q4_CASES = _q4_cases(np.random.default_rng(3030))


def _step_tanh_at_h_prev(dh_t, cache):
    x_t, h_prev, W_xh, W_hh, h_t = cache
    da = dh_t * (1 - h_prev**2)  # tanh′ を入力側の h_{t-1} で計算してしまう
    return da @ W_xh, da @ W_hh, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


def _step_dW_xh_transposed(dh_t, cache):
    dx, dh_prev, dW_xh, dW_hh, db = rnn_step_backward(dh_t, cache)
    return dx, dh_prev, dW_xh.T, dW_hh, db  # x_t.T @ da_t (D, H) にしてしまう


def _step_dh_prev_transposed(dh_t, cache):
    x_t, h_prev, W_xh, W_hh, h_t = cache
    da = dh_t * (1 - h_t**2)
    return da @ W_xh, da @ W_hh.T, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)  # 順伝播と同じく .T を付けてしまう


def _step_db_not_summed(dh_t, cache):
    x_t, h_prev, W_xh, W_hh, h_t = cache
    da = dh_t * (1 - h_t**2)
    return da @ W_xh, da @ W_hh, da.T @ x_t, da.T @ h_prev, da  # バッチ方向の和を取り忘れる


def _step_no_tanh_derivative(dh_t, cache):
    x_t, h_prev, W_xh, W_hh, h_t = cache
    da = dh_t  # tanh′ を掛け忘れる
    return da @ W_xh, da @ W_hh, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


q4 = FunctionQuestion(
    "演習 4",
    answer_name="rnn_step_backward",
    reference=rnn_step_backward,
    reference_name="rnncourse.nn.rnn.rnn_step_backward",
    cases=_Q4_CASES,
    draw_cases=_q4_cases,
    output_names=("dx_t", "dh_prev", "dW_xh", "dW_hh", "db_h"),
    hints=(
        "まず da_t = ∂L/∂a_t を求めます。tanh′(a_t) = 1 − tanh²(a_t) = 1 − h_t² で、使うのはこの時刻の出力 h_t です。"
        "残りの 5 つは a_t = x_t W_xhᵀ + h_{t−1} W_hhᵀ + b_h を微分したもので、勾配は元の変数と同じ形になります。",
        "順に da_t = dh_t * (1 - h_t**2)、dx_t = da_t @ W_xh、dh_prev = da_t @ W_hh、dW_xh = da_t.T @ x_t、"
        "dW_hh = da_t.T @ h_prev、db_h = da_t.sum(axis=0) を計算し、この順の組で返します。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.rnn.rnn_step_backward です "
        "(show_source(rnncourse.nn.rnn.rnn_step_backward) で全体を見られます)。中心の 6 行は次のとおりです。\n"
        "```\n"
        "x_t, h_prev, W_xh, W_hh, h_t = cache\n"
        "da_t = dh_t * (1 - h_t**2)  # ∂L/∂a_t = ∂L/∂h_t ⊙ (1 − h_t²)\n"
        "dx_t = da_t @ W_xh          # (N, H)(H, D) → (N, D)\n"
        "dh_prev = da_t @ W_hh       # (N, H)(H, H) → (N, H)\n"
        "dW_xh = da_t.T @ x_t        # (H, N)(N, D) → (H, D)。バッチの和は行列積の中で取られる\n"
        "dW_hh = da_t.T @ h_prev     # (H, N)(N, H) → (H, H)\n"
        "db_h = da_t.sum(axis=0)     # (H,)\n"
        "return dx_t, dh_prev, dW_xh, dW_hh, db_h\n"
        "```"
    ),
    mistakes=(
        (_step_tanh_at_h_prev,
         "tanh′ を h_prev (入力側の h_{t−1}) で計算していませんか。a_t の tanh は h_t なので、1 − h_t² を使います。"),
        (_step_dW_xh_transposed,
         "dW_xh を x_t.T @ da_t (形 (D, H)) にしていませんか。W_xh は (H, D) なので da_t.T @ x_t です (転置の置き場所)。"),
        (_step_dh_prev_transposed,
         "dh_prev = da_t @ W_hh.T としていませんか。順伝播の h_prev @ W_hh.T を h_prev で微分すると、転置の取れた W_hh が掛かります。"),
        (_step_db_not_summed,
         "db_h を da_t のまま (N, H) で返していませんか。バイアスは全部の例に同じものを足すので、バッチ方向の和 da_t.sum(axis=0) です。"),
        (_step_no_tanh_derivative,
         "tanh の微分 (1 − h_t²) を掛け忘れていませんか。dh_t を a_t の勾配に直してから行列を掛けます。"),
    ),
)


# ---------------------------------------------------------------- q5 rnn_backward
def _backward_args(rng: np.random.Generator, N: int, T: int, D: int, H: int, zero_x: bool = False):
    x = np.zeros((N, T, D)) if zero_x else rng.normal(size=(N, T, D))
    h0 = np.tanh(rng.normal(size=(N, H)))  # 0 でない初期状態
    W_xh = rng.normal(size=(H, D)) * 0.6
    W_hh = rng.normal(size=(H, H)) * 0.6
    b_h = rng.normal(size=H) * 0.5
    _, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)
    dh = rng.normal(size=(N, T, H))
    return (dh, cache)


def _q5_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_backward_args(rng, 2, 4, 3, 4), "N = 2, T = 4 の場合"),
        Case(_backward_args(rng, 3, 1, 2, 3), "T = 1 の場合"),
        Case(_backward_args(rng, 1, 5, 2, 3), "N = 1 の場合"),
        Case(_backward_args(rng, 2, 3, 2, 3, zero_x=True), "入力 x が 0 の場合"),
    )


_Q5_CASES = _q5_cases(np.random.default_rng(3031))


def _loop_backward(dh, cache, *, future=True, accumulate=True, reverse=True, tanh_state="h_t", prev_state="h_prev"):
    """よくある間違いを切り替えられる、素直な時刻のループ (間違いの関数を作るための道具)。"""
    x, h0, W_xh, W_hh, h = cache
    N, T, H = h.shape
    dx = np.zeros_like(x)
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(H)
    dh_next = np.zeros_like(h0)
    for t in (reversed(range(T)) if reverse else range(T)):
        h_prev = h0 if t == 0 else h[:, t - 1]
        dh_t = dh[:, t] + (dh_next if future else 0.0)
        state = {"h_t": h[:, t], "h_last": h[:, -1]}[tanh_state]
        da = dh_t * (1 - state**2)
        dx[:, t] = da @ W_xh
        step = (da.T @ x[:, t], da.T @ ({"h_prev": h_prev, "h_t": h[:, t]}[prev_state]), da.sum(axis=0))
        if accumulate:
            dW_xh, dW_hh, db_h = dW_xh + step[0], dW_hh + step[1], db_h + step[2]
        else:
            dW_xh, dW_hh, db_h = step
        dh_next = da @ W_hh
    return dx, dh_next, dW_xh, dW_hh, db_h


def _backward_no_future(dh, cache):
    return _loop_backward(dh, cache, future=False)


def _backward_overwrite(dh, cache):
    return _loop_backward(dh, cache, accumulate=False)


def _backward_forward_order(dh, cache):
    return _loop_backward(dh, cache, reverse=False)


def _backward_last_hidden(dh, cache):
    return _loop_backward(dh, cache, tanh_state="h_last")


def _backward_h_t_for_W_hh(dh, cache):
    return _loop_backward(dh, cache, prev_state="h_t")


q5 = FunctionQuestion(
    "演習 5",
    answer_name="rnn_backward",
    reference=rnn_backward,
    reference_name="rnncourse.nn.rnn.rnn_backward",
    cases=_Q5_CASES,
    draw_cases=_q5_cases,
    output_names=("dx", "dh0", "dW_xh", "dW_hh", "db_h"),
    hints=(
        "t = T−1, T−2, …, 0 と時間を逆向きにたどり、各時刻で ∂L/∂h_t = dh[:, t] + (未来から戻ってくる分) を作って "
        "1 時刻分の逆伝播をします。重みの勾配は全時刻の分を足し合わせます。未来から戻ってくる分は、最後の時刻では 0 です。",
        "dh_next = 0 から始め、各時刻で da = (dh[:, t] + dh_next) * (1 - h[:, t]**2)、dx[:, t] = da @ W_xh、"
        "dW_xh += da.T @ x[:, t]、dW_hh += da.T @ h_prev (t = 0 では h0)、db_h += da.sum(axis=0)、dh_next = da @ W_hh。"
        "ループが終わったときの dh_next が dh0 です。パッケージの rnncourse.nn.rnn.rnn_step_backward に "
        "(x[:, t], h_prev, W_xh, W_hh, h[:, t]) を cache として渡して使っても構いません。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.rnn.rnn_backward です "
        "(show_source(rnncourse.nn.rnn.rnn_backward) で全体を見られます)。重みの勾配の和を最後に 1 回の行列積で取っていますが、"
        "素直に時刻のループで書くと次のとおりです。\n"
        "```\n"
        "x, h0, W_xh, W_hh, h = cache\n"
        "N, T, H = h.shape\n"
        "dx = np.zeros_like(x)\n"
        "dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(H)\n"
        "dh_next = np.zeros_like(h0)                  # 未来から戻ってくる分 (最後の時刻では 0)\n"
        "for t in reversed(range(T)):\n"
        "    h_prev = h0 if t == 0 else h[:, t - 1]\n"
        "    da = (dh[:, t] + dh_next) * (1 - h[:, t] ** 2)  # 出力から + 未来から、tanh′ は h_t で\n"
        "    dx[:, t] = da @ W_xh\n"
        "    dW_xh += da.T @ x[:, t]                  # 共有された重みの勾配は全時刻の和\n"
        "    dW_hh += da.T @ h_prev\n"
        "    db_h += da.sum(axis=0)\n"
        "    dh_next = da @ W_hh                      # 1 つ前の時刻へ\n"
        "return dx, dh_next, dW_xh, dW_hh, db_h       # dh_next はここで ∂L/∂h0\n"
        "```"
    ),
    mistakes=(
        (_backward_no_future,
         "未来から戻ってくる分 (dh_next) を足し忘れていませんか。∂L/∂h_t = dh[:, t] + ∂L/∂a_{t+1} W_hh です。"),
        (_backward_overwrite,
         "重みの勾配を時刻ごとに上書きしていませんか。全時刻で共有される重みの勾配は、各時刻の分の和 (+=) です。"),
        (_backward_forward_order,
         "時刻を前から (t = 0, 1, …) 回していませんか。未来からの勾配が要るので、t = T−1 から逆向きに回します。"),
        (_backward_last_hidden,
         "tanh′ に最後の隠れ状態 h[:, -1] を使っていませんか。各時刻の h[:, t] を使います。"),
        (_backward_h_t_for_W_hh,
         "dW_hh に h_t を使っていませんか。a_t に W_hh を掛けて入るのは 1 つ前の h_{t−1} (t = 0 では h0) です。"),
    ),
)


# ---------------------------------------------------------------- q6 実験: K = 4 で学べる最大のラグ
Q6_K, Q6_LAGS, Q6_THRESHOLD = 4, (1, 2, 3, 4, 5), 0.1
_Q6_EXPECTED = Q6_K - 1  # 長さ K のチャンクの中で勾配がつなぐ最大の時刻差


def _q6_rule(value: Any) -> str | None:
    if value is None:
        return "None が渡されました。学べた最大のラグ (整数) を max_lag_learned に代入してください。"
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"max_lag_learned はラグ L (1 つの整数) のはずですが、{type(value).__name__} が渡されました。"
    if not float(value).is_integer():
        return f"ラグは整数です ({value!r} が渡されました)。"
    value = int(value)
    if value == _Q6_EXPECTED:
        return None
    if value not in Q6_LAGS:
        return f"実験したラグは {', '.join(map(str, Q6_LAGS))} です。この中から答えてください ({value} が渡されました)。"
    if value == Q6_K:
        return (
            f"L = {value} = K はちょうど境目で、勾配は x_(t−L) が書き込まれた h_(t−L) まで届いたところで切られます。"
            "実験の表で、最後の損失 / 基準値が 0.1 未満になっているか確かめてください。"
        )
    if value > Q6_K:
        return f"L = {value} > K では、時刻 t の誤差は h_(t−L) にすら届きません。表をもう一度見てください。"
    return f"L = {value} より長いラグも学べています。損失 / 基準値が 0.1 未満のラグのうち最大のものを探してください。"


q6 = RuleQuestion(
    "演習 6",
    answer_name="max_lag_learned",
    rule=_q6_rule,
    hints=(
        "final_loss_ratio(L, K=4) を L = 1, 2, 3, 4, 5 で計算し、最後の損失 / 基準値が 0.1 未満 (学べた) になる最大の L を探します。",
        "長さ K のチャンクの中で、勾配でつながる入力と損失の時刻差は最大 K − 1 です。x_(t−L) と y_t が同じチャンクに入れば学べます。",
    ),
    answer=(
        "K = 4 では L = 1, 2, 3 は学べ (損失 / 基準値がほぼ 0)、L = 4, 5 は学べません。学べる最大のラグは K − 1 = 3 です。"
        "x_(t−L) と y_t が同じチャンクに入る (L ≤ K − 1) ときだけ、勾配が依存全体をつなぐからです。"
        "L = K は境目で、勾配は引き継いだ h_(t−L) まで届いても、x_(t−L) を書き込む W_xh までは届きません。\n"
        "```\n"
        "ratios = {lag: final_loss_ratio(lag, K=4) for lag in range(1, 6)}\n"
        "max_lag_learned = max(lag for lag, r in ratios.items() if r < 0.1)  # 3\n"
        "```"
    ),
)
