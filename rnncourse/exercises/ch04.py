"""第4章 (勾配消失と勾配爆発) の演習の判定器。

    >>> from rnncourse.exercises import ch04
    >>> bool(ch04.q1.evaluate(ch04.q1.expected))
    True
    >>> ch04.q4.evaluate(...).status.value
    'not_attempted'

問題:

- q1 ★ 1 つの数の鎖の勾配 (``grad``): h_t = tanh(w h_{t−1}) を 3 時刻さかのぼる ∂h_3/∂h_0
- q2 ★ スペクトル半径と予想の傾き (``rho_and_slope``): 2×2 の行列の ρ と log₁₀ ρ
- q3 ★★ 1 時刻分のヤコビ行列 ``step_jacobian`` の実装 (模範解答は ``rnncourse.nn.jacobian.step_jacobian``)
- q4 ★★ 全体のノルムによるクリッピング ``clip_grad_norm`` の実装 (模範解答は ``rnncourse.nn.clipping.clip_grad_norm``)
- q5 ★★★ 勾配ノルムの列 ``gradient_norms`` の実装 (‖∂L/∂h_{T−k}‖, k = 0 … T)
- q6 ★★★ 実験: 素の RNN が長期記憶タスクをどの種でも解けなくなる系列長 (``T_none``)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from rnncourse.nn.clipping import clip_grad_norm
from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.nn.jacobian import (
    jacobian_products, predicted_slope, scalar_chain, spectral_radius, step_jacobian,
)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


# ---------------------------------------------------------------- q1 1 つの数の鎖
Q1_W, Q1_H0, Q1_T = 1.5, 0.5, 3


def _q1_states() -> np.ndarray:
    """h_0, h_1, …, h_T (入力なし)。"""
    h, _ = scalar_chain(Q1_W, np.zeros(Q1_T), h0=Q1_H0)
    return np.concatenate([[Q1_H0], h])


_Q1_H = _q1_states()
_Q1_EXPECTED = float(scalar_chain(Q1_W, np.zeros(Q1_T), h0=Q1_H0)[1][Q1_T])  # ∂h_T/∂h_0

q1 = ValueQuestion(
    "演習 1",
    answer_name="grad",
    expected=_Q1_EXPECTED,
    rtol=1e-4,
    hints=(
        "まず h_1, h_2, h_3 を順に計算します (h_t = tanh(1.5 h_{t−1})、h_0 = 0.5)。"
        "1 時刻分の微分は ∂h_t/∂h_{t−1} = w (1 − h_t²) で、使うのはその時刻の出力 h_t です。",
        "grad = Π_{t=1}^{3} 1.5 (1 − h_t²) です。h = [h_1, h_2, h_3] を配列にすれば np.prod(1.5 * (1 - h**2)) です。",
    ),
    answer=(
        "連鎖律で 1 時刻分の微分 w (1 − h_t²) を t = 1, 2, 3 について掛け合わせます。"
        "h は tanh の固定点 (約 0.86) に近づいて飽和するので、w = 1.5 > 1 でも 1 時刻あたりの倍率は 1 より小さくなります。\n"
        "```\n"
        "w, h_prev = 1.5, 0.5\n"
        "grad = 1.0\n"
        "for t in range(3):\n"
        "    h_prev = np.tanh(w * h_prev)      # h_t\n"
        "    grad *= w * (1 - h_prev**2)       # × ∂h_t/∂h_{t−1}\n"
        f"# grad ≈ {_Q1_EXPECTED:.6f}\n"
        "```"
    ),
    mistakes=(
        (Q1_W**Q1_T, "tanh の傾き 1 − h_t² を掛け忘れていませんか。w^3 になるのは h がずっと 0 のときだけです。"),
        (float(np.prod(Q1_W * (1 - _Q1_H[:-1] ** 2))),
         "tanh′ を 1 つ前の状態 h_{t−1} (h_0, h_1, h_2) で計算していませんか。∂h_t/∂h_{t−1} = w (1 − h_t²) はその時刻の出力 h_t を使います。"),
        (float(np.prod(1 - _Q1_H[1:] ** 2)), "重み w を掛け忘れていませんか。1 時刻分の微分は w (1 − h_t²) です。"),
        (float(np.prod(Q1_W * (1 - _Q1_H[1:]))), "tanh′ を 1 − h_t にしていませんか。tanh′(a) = 1 − tanh(a)² = 1 − h_t² です。"),
    ),
)


# ---------------------------------------------------------------- q2 スペクトル半径と予想の傾き
Q2_W = np.array([[0.6, 1.2], [-0.3, 0.6]])
_Q2_RHO = spectral_radius(Q2_W)  # 固有値 0.6 ± 0.6i → √0.72
_Q2_EXPECTED = (_Q2_RHO, predicted_slope(Q2_W))
_Q2_NORM = float(np.linalg.norm(Q2_W, 2))
_Q2_REAL = float(np.max(np.abs(np.linalg.eigvals(Q2_W).real)))

q2 = ValueQuestion(
    "演習 2",
    answer_name="rho_and_slope",
    expected=_Q2_EXPECTED,
    rtol=2e-3,
    hints=(
        "スペクトル半径は固有値の絶対値の最大です。この行列の固有値は複素数なので、np.linalg.eigvals で求めて np.abs を取ります。"
        "予想の傾きは 10 を底とする対数 log₁₀ ρ です。",
        "rho = np.max(np.abs(np.linalg.eigvals(W)))、slope = np.log10(rho) を (rho, slope) の組にします。",
    ),
    answer=(
        "固有値は 0.6 ± 0.6i (特性方程式 (0.6 − λ)² + 0.36 = 0) で、絶対値は √(0.36 + 0.36) = √0.72 ≈ 0.8485 です。"
        "ρ < 1 なので、入力がなければ勾配は k ステップで ρ^k に比例して消えます (片対数グラフの傾き log₁₀ ρ ≈ −0.0714)。"
        f"2-ノルム ‖W‖ ≈ {_Q2_NORM:.4f} は 1 より大きいので最初の数ステップは伸びることもありますが、長い目で見た傾きは ρ で決まります。\n"
        "```\n"
        "W = np.array([[0.6, 1.2], [-0.3, 0.6]])\n"
        "rho = float(np.max(np.abs(np.linalg.eigvals(W))))  # rnncourse.nn.jacobian.spectral_radius(W) と同じ\n"
        "rho_and_slope = (rho, np.log10(rho))\n"
        "```"
    ),
    mistakes=(
        ((_Q2_NORM, math.log10(_Q2_NORM)),
         "2-ノルム (最大の特異値、np.linalg.norm(W, 2)) を使っていませんか。スペクトル半径は固有値の絶対値の最大です。"),
        ((_Q2_REAL, math.log10(_Q2_REAL)),
         "固有値の実部だけを見ていませんか。固有値は複素数 0.6 ± 0.6i なので、絶対値 (np.abs) を取ります。"),
        ((_Q2_RHO, math.log(_Q2_RHO)), "傾きを自然対数 np.log で計算していませんか。片対数グラフの目盛りに合わせて log₁₀ (np.log10) です。"),
        ((float(np.max(np.abs(Q2_W))), math.log10(float(np.max(np.abs(Q2_W))))),
         "成分の絶対値の最大を使っていませんか。スペクトル半径は固有値から求めます。"),
    ),
)


# ---------------------------------------------------------------- q3 step_jacobian
def _q3_cases(rng: np.random.Generator | None = None) -> tuple[Case, ...]:
    rng = np.random.default_rng(404) if rng is None else rng
    return (
        Case((np.tanh(rng.normal(size=4)), rng.normal(size=(4, 4))), "H = 4 の場合"),
        Case((np.tanh(rng.normal(size=3)), rng.normal(size=(3, 3))), "H = 3 の場合"),
        Case((np.array([0.99, -0.95, 0.1]), rng.normal(size=(3, 3))), "飽和した成分 (|h| ≈ 1) がある場合"),
        Case((np.zeros(3), rng.normal(size=(3, 3))), "h_t = 0 の場合 (W_hh そのもの)"),
        Case((np.array([0.5]), np.array([[1.5]])), "H = 1 の場合"),
    )


def _jac_columns(h_t, W_hh):
    return W_hh * (1 - h_t**2)[None, :]  # W_hh diag(1 − h²): 列を掛けてしまう


def _jac_no_tanh(h_t, W_hh):
    return W_hh.copy()


def _jac_one_minus_h(h_t, W_hh):
    return (1 - h_t)[:, None] * W_hh


def _jac_transposed(h_t, W_hh):
    return (1 - h_t**2)[:, None] * W_hh.T


q3 = FunctionQuestion(
    "演習 3",
    answer_name="step_jacobian",
    reference=step_jacobian,
    reference_name="rnncourse.nn.jacobian.step_jacobian",
    cases=_q3_cases(),
    draw_cases=_q3_cases,
    hints=(
        "(i, j) 成分は ∂h_{t,i}/∂h_{t−1,j} = (1 − h_{t,i}²) W_hh[i, j] です。i 行目全体に同じ数 1 − h_{t,i}² を掛けます。",
        "np.diag(1 - h_t**2) @ W_hh、またはブロードキャストで (1 - h_t**2)[:, None] * W_hh です。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.jacobian.step_jacobian です "
        "(show_source(rnncourse.nn.jacobian.step_jacobian) で全体を見られます)。中心の 1 行は次のとおりです。\n"
        "```\n"
        "return (1 - h_t**2)[:, None] * W_hh  # diag(1 − h_t²) W_hh: i 行目を 1 − h_{t,i}² 倍\n"
        "```\n"
        "np.diag(1 - h_t**2) @ W_hh でも同じです。diag が左から掛かるので、変わるのは行です。"
    ),
    mistakes=(
        (_jac_columns, "diag(1 − h_t²) を右から掛けて、列を変えていませんか。h_t の i 番目の成分の微分なので、i 行目に掛けます。"),
        (_jac_transposed, "W_hh を転置していませんか。列ベクトルの式 h_t = tanh(W_hh h_{t−1} + …) を微分すると W_hh そのものが出ます。"),
        (_jac_one_minus_h, "tanh′ を 1 − h_t にしていませんか。tanh′ = 1 − h_t² です。"),
        (_jac_no_tanh, "tanh の傾き diag(1 − h_t²) を掛け忘れていませんか。W_hh だけになるのは h_t = 0 のときです。"),
    ),
)


# ---------------------------------------------------------------- q4 clip_grad_norm
def _q4_cases(rng: np.random.Generator | None = None) -> tuple[Case, ...]:
    rng = np.random.default_rng(4040) if rng is None else rng
    big = [rng.normal(size=(4, 3)) * 3, rng.normal(size=(4, 4)) * 3, rng.normal(size=4) * 3]
    small = [rng.normal(size=(2, 3)) * 0.1, rng.normal(size=3) * 0.1]
    spread = [np.full((2, 2), 0.4), np.full(3, 0.45), np.array([[0.5, -0.5]])]  # どの配列も 1 未満、全体は 1 超
    return (
        Case((big, 5.0), "大きな勾配 (3 つの配列) を max_norm = 5 に縮める場合"),
        Case((spread, 1.0), "どの配列も 1 本ずつなら max_norm 以下だが、全体では超える場合"),
        Case((small, 1.0), "全体のノルムが max_norm より小さい場合 (縮めない)"),
        Case(([np.array([6.0, 8.0])], 5.0), "配列が 1 つの場合"),
        Case(([np.zeros((2, 2)), np.zeros(2)], 1.0), "勾配が 0 の場合"),
    )


def _global_norm(grads) -> float:
    return math.sqrt(sum(float(np.sum(g**2)) for g in grads))


def _clip_per_array(grads, max_norm):
    out = []
    for g in grads:
        n = float(np.linalg.norm(g))
        out.append(g * (max_norm / n) if n > max_norm else g.copy())  # 配列ごとに縮めてしまう
    return out, _global_norm(grads)


def _clip_always(grads, max_norm):
    total = _global_norm(grads)
    scale = max_norm / (total + 1e-6)
    return [g * scale for g in grads], total  # 小さな勾配まで伸ばしてしまう


def _clip_by_value(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads], _global_norm(grads)


def _clip_norm_after(grads, max_norm):
    clipped, _ = clip_grad_norm(grads, max_norm)
    return clipped, _global_norm(clipped)  # 縮めた後のノルムを返してしまう


def _clip_sum_of_norms(grads, max_norm):
    total = sum(float(np.linalg.norm(g)) for g in grads)  # ノルムの和 (√(二乗の和) ではない)
    scale = max_norm / (total + 1e-6)
    return ([g * scale for g in grads] if scale < 1 else [g.copy() for g in grads]), total


q4 = FunctionQuestion(
    "演習 4",
    answer_name="clip_grad_norm",
    reference=clip_grad_norm,
    reference_name="rnncourse.nn.clipping.clip_grad_norm",
    cases=_q4_cases(),
    draw_cases=_q4_cases,
    output_names=("clipped", "total_norm"),
    rtol=1e-5,
    hints=(
        "まず全部の配列をつないだ 1 本のベクトルの長さ ‖g‖ = √(Σ_i Σ_j g_ij²) を求めます。"
        "それが max_norm を超えたときだけ、全部の配列に同じ倍率 max_norm / ‖g‖ を掛けます。",
        "total_norm = np.sqrt(sum(np.sum(g**2) for g in grads))、scale = max_norm / (total_norm + 1e-6)、"
        "scale < 1 なら [g * scale for g in grads]、そうでなければ [g.copy() for g in grads] を返します。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.clipping.clip_grad_norm です "
        "(show_source(rnncourse.nn.clipping.clip_grad_norm) で全体を見られます。辞書にも対応しています)。"
        "配列のリストだけを扱うなら次のとおりです。\n"
        "```\n"
        "total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))  # 全体を 1 本のベクトルとみたノルム\n"
        "scale = max_norm / (total_norm + 1e-6)                         # torch.nn.utils.clip_grad_norm_ と同じ式\n"
        "if scale < 1:                                                  # 大きすぎるときだけ縮める\n"
        "    return [g * scale for g in grads], total_norm\n"
        "return [g.copy() for g in grads], total_norm\n"
        "```\n"
        "全部の配列に同じ倍率を掛けるので、勾配の向きは変わりません。"
    ),
    mistakes=(
        (_clip_per_array,
         "配列ごとにノルムを測って縮めていませんか。全部の配列をつないだ 1 本のベクトルのノルムで、全体を同じ倍率で縮めます。"),
        (_clip_always,
         "‖g‖ が max_norm 以下のときまで掛けていませんか。縮めるのは大きすぎるときだけで、小さな勾配はそのまま返します。"),
        (_clip_by_value,
         "各成分を [−max_norm, max_norm] に切り詰めていませんか。それは値のクリッピングで、勾配の向きが変わります。"),
        (_clip_norm_after, "total_norm に縮めた後のノルムを返していませんか。返すのは縮める前の ‖g‖ です。"),
        (_clip_sum_of_norms,
         "配列ごとのノルムを足していませんか。全体のノルムは √(すべての成分の二乗の和) です (ノルムの和より小さくなります)。"),
    ),
)


# ---------------------------------------------------------------- q5 gradient_norms
def _gradient_norms(h: np.ndarray, W_hh: np.ndarray, dh_last: np.ndarray) -> np.ndarray:
    """模範解答: ‖dh_last · ∂h_T/∂h_{T−k}‖ を k = 0 … T について (jacobian_products を使う)。"""
    P = jacobian_products(h, W_hh)  # (T + 1, H, H)
    return np.linalg.norm(dh_last @ P, axis=-1)  # (T + 1,)


def _q5_args(rng: np.random.Generator, T: int, H: int, zero_h: bool = False):
    h = np.zeros((T, H)) if zero_h else np.tanh(1.5 * rng.normal(size=(T, H)))
    W_hh = rng.normal(size=(H, H)) / np.sqrt(H) * 1.3  # 非対称なので転置すると値が変わる
    return (h, W_hh, rng.normal(size=H))


def _q5_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_q5_args(rng, 6, 3), "T = 6, H = 3 の場合"),
        Case(_q5_args(rng, 4, 5), "T = 4, H = 5 の場合"),
        Case(_q5_args(rng, 1, 3), "T = 1 の場合"),
        Case(_q5_args(rng, 5, 1), "H = 1 の場合"),
        Case(_q5_args(rng, 5, 3, zero_h=True), "隠れ状態がすべて 0 の場合 (tanh′ = 1)"),
    )


_Q5_CASES = _q5_cases(np.random.default_rng(4004))


def _norms_loop(h, W_hh, dh_last, state_offset=0, transpose=False, use_tanh=True):
    T = h.shape[0]
    W = W_hh.T if transpose else W_hh
    dh = dh_last.copy()
    norms = [np.linalg.norm(dh)]
    for k in range(1, T + 1):
        index = T - k - state_offset  # 正しくは h_{T−k+1} = h[T − k]
        state = h[index] if index >= 0 else np.zeros_like(dh)
        dh = (dh * (1 - state**2) if use_tanh else dh) @ W
        norms.append(np.linalg.norm(dh))
    return np.array(norms)


def _norms_wrong_state(h, W_hh, dh_last):
    return _norms_loop(h, W_hh, dh_last, state_offset=1)  # tanh′ を 1 つ前の状態 h_{T−k} で


def _norms_transposed(h, W_hh, dh_last):
    return _norms_loop(h, W_hh, dh_last, transpose=True)


def _norms_no_tanh(h, W_hh, dh_last):
    return _norms_loop(h, W_hh, dh_last, use_tanh=False)


def _norms_forgot_h0(h, W_hh, dh_last):
    return _gradient_norms(h, W_hh, dh_last)[:-1]  # k = T (h_0) の分がない


q5 = FunctionQuestion(
    "演習 5",
    answer_name="gradient_norms",
    reference=_gradient_norms,
    reference_name="rnncourse.nn.jacobian.jacobian_products",
    cases=_Q5_CASES,
    draw_cases=_q5_cases,
    hints=(
        "dh = dh_last から始め、k = 1, …, T の順に 1 時刻ずつさかのぼります。1 時刻分は行ベクトルの勾配に J_t を右から掛ける計算 "
        "dh ← (dh ⊙ (1 − h_t²)) W_hh で、t = T, T−1, …, 1 (配列では h[T−1], h[T−2], …, h[0]) の順です。"
        "さかのぼる前 (k = 0) のノルムも含め、T + 1 個のノルムを返します。",
        "norms = [np.linalg.norm(dh_last)]; dh = dh_last; for t in reversed(range(T)): dh = (dh * (1 - h[t]**2)) @ W_hh; "
        "norms.append(np.linalg.norm(dh))。最後に np.array(norms) を返します。",
    ),
    answer=(
        "行ベクトルの勾配 ∂L/∂h_t に、1 時刻分のヤコビ行列 J_t = diag(1 − h_t²) W_hh を右から掛けると ∂L/∂h_{t−1} になります "
        "(rnn_step_backward の dh_prev と同じ計算)。これを最後の時刻から順に T 回繰り返します。\n"
        "```\n"
        "T = h.shape[0]\n"
        "dh = dh_last\n"
        "norms = [np.linalg.norm(dh)]                 # k = 0: ‖∂L/∂h_T‖\n"
        "for t in reversed(range(T)):                 # h[t] は h_{t+1}\n"
        "    dh = (dh * (1 - h[t] ** 2)) @ W_hh       # ∂L/∂h_t = ∂L/∂h_{t+1} · diag(1 − h_{t+1}²) W_hh\n"
        "    norms.append(np.linalg.norm(dh))\n"
        "return np.array(norms)                       # (T + 1,)、最後が ‖∂L/∂h_0‖\n"
        "```\n"
        "パッケージの rnncourse.nn.jacobian.jacobian_products で積 ∂h_T/∂h_{T−k} を作り、"
        "np.linalg.norm(dh_last @ P, axis=-1) としても同じ値になります。"
    ),
    mistakes=(
        (_norms_wrong_state,
         "tanh′ を 1 つ前の状態で計算していませんか。h_t → h_{t−1} とさかのぼるときに掛けるのは 1 − h_t² (その時刻の出力) です。"),
        (_norms_transposed,
         "W_hh を転置して掛けていませんか。行ベクトルの勾配には J_t = diag(1 − h_t²) W_hh をそのまま右から掛けます (dh @ W_hh)。"),
        (_norms_no_tanh, "tanh の傾き 1 − h_t² を掛け忘れていませんか。"),
        (_norms_forgot_h0,
         "k = T (初期状態 h_0) の分を忘れていませんか。k = 0 … T の T + 1 個のノルムを返します。"),
    ),
)


# ---------------------------------------------------------------- q6 実験: 解けた種が 0 になる T
Q6_LENGTHS = (5, 10, 20, 40)
Q6_SEEDS = (0, 1, 2, 3, 4)
Q6_SETTINGS = {"steps": 40, "batch_size": 32}
# 上の条件で memory_task_accuracy("rnn", T, seed=s, **Q6_SETTINGS) の 5 つの種のうち解けた (正解率 0.9 以上) 数は
# T = 5, 10 で 5、T = 20 で 2、T = 40 で 0 (倍精度・1 スレッドで、どの CPU でも同じ。solutions/04 の実行と
# 別の数値計算の道筋での再実行 (python -m rnncourse.classroom.numeric_path) で確かめている)。
_Q6_EXPECTED = 40


def _q6_rule(value: Any) -> str | None:
    if value is None:
        return "None が渡されました。解けた種が初めて 0 になる系列長 (整数) を T_none に代入してください。"
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"T_none は系列長 T (1 つの整数) のはずですが、{type(value).__name__} が渡されました。"
    if not float(value).is_integer():
        return f"系列長は整数です ({value!r} が渡されました)。"
    value = int(value)
    if value == _Q6_EXPECTED:
        return None
    if value not in Q6_LENGTHS:
        return f"実験した系列長は {', '.join(map(str, Q6_LENGTHS))} です。この中から答えてください ({value} が渡されました)。"
    if value < _Q6_EXPECTED:
        return (
            f"T = {value} ではまだ解けた種があります。実験の表で、解けた種が 0 になる最初の (最も短い) T を探してください。"
        )
    return "もっと短い系列長で、すでに解けた種が 0 になっています。表をもう一度見てください。"


q6 = RuleQuestion(
    "演習 6",
    answer_name="T_none",
    rule=_q6_rule,
    hints=(
        "solved_seeds(T) を T = 5, 10, 20, 40 で計算し、表にします。解けた種が 0 になる T のうち、最も短いものが答えです。",
        "results = {T: solved_seeds(T) for T in (5, 10, 20, 40)} とし、"
        "T_none = min(T for T, n in results.items() if n == 0) です。",
    ),
    answer=(
        "この条件 (H = 16、ミニバッチ 32 で 40 ステップ、乱数の種 0〜4) では、T = 5, 10 はすべての種で解け、T = 20 では解けない種が"
        "出はじめ、T = 40 ではどの種も解けません。PyTorch の既定の初期化の W_hh はスペクトル半径が約 0.56 なので、"
        "x_1 に届く勾配の目安 ρ^40 はおよそ 10^−10 まで小さくなり、この短い学習では x_1 という手がかりにたどり着けないからです。"
        "解けないのはこの学習の量での話で、本文 4.6 節の長い学習では T = 40 は 5 つの種すべてで解けました (T = 80 は 1 つの種だけ)。\n"
        "```\n"
        "results = {T: solved_seeds(T) for T in (5, 10, 20, 40)}\n"
        "T_none = min(T for T, n in results.items() if n == 0)  # 40\n"
        "```"
    ),
)
