"""第9章 (符号化器–復号化器と注意機構) の演習の判定器。

    >>> from rnncourse.exercises import ch09
    >>> bool(ch09.q1.evaluate(ch09.q1.expected))
    True
    >>> ch09.q3.evaluate(...).status.value
    'not_attempted'

問題:

- q1 ★ 符号化器と復号化器を通る形 (``shapes``): h, s, α, ロジット
- q2 ★ パラメータ数 (``n_params``): 注意なしと注意ありの ``Seq2Seq``
- q3 ★★ ``attention_forward`` の実装 (模範解答は ``rnncourse.nn.attention.attention_forward``)
- q4 ★★ ``table_decode`` の実装: 教師強制と自由に走らせる場合 (模範解答は ``rnncourse.labs.seq2seq_lab.table_decode``)
- q5 ★★ 注意の重みを読む (``looked_at``): 学習したモデルが 0 を書くときにいちばん強く見ている入力の文字
- q6 ★★★ 長さの実験 ``length_bin_table`` の実装 (模範解答は ``rnncourse.labs.seq2seq_lab.length_bin_table``)
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.labs.seq2seq_lab import (
    DIGIT_CHARS, KANJI_CHARS, kanji_task, length_bin_table, table_decode, train_run, trained_model,
)
from rnncourse.models.seq2seq import BOS, EOS, translate
from rnncourse.nn.attention import attention_forward
from rnncourse.seeding import torch_defaults

# 問題だけを公開する: reference_alignment は判定器だけが使う (採点の箱の中の代わりのモジュールには置かない)
__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


# ---------------------------------------------------------------- q1 形
Q1 = {"N": 4, "T": 9, "U": 6, "E": 32, "H": 48, "V_src": len(KANJI_CHARS) + 3, "V_tgt": len(DIGIT_CHARS) + 3}


def _q1_shapes(N: int, T: int, U1: int, H: int, V: int) -> tuple[tuple[int, ...], ...]:
    return ((N, T, H), (N, U1, H), (N, U1, T), (N, U1, V))


_N, _T, _U, _E, _H = (Q1[k] for k in ("N", "T", "U", "E", "H"))
_Q1_EXPECTED = _q1_shapes(_N, _T, _U + 1, _H, Q1["V_tgt"])

q1 = ValueQuestion(
    "演習 1",
    answer_name="shapes",
    expected=_Q1_EXPECTED,
    hints=(
        "符号化器は入力の全時刻の隠れ状態 h (N, T, H) を返します。復号化器には <bos> y_1 … y_U の U + 1 個を入れるので、"
        "復号化器の隠れ状態 s、注意の重み α、ロジットの時刻の数はどれも U + 1 です。",
        "α は出力の各時刻 (U + 1) について入力の各時刻 (T) への重みなので (N, U + 1, T)。ロジットは出力の辞書の大きさ "
        "V_tgt (数字 10 個 + 特別な記号 3 個) の (N, U + 1, V_tgt) です。",
    ),
    answer=(
        "埋め込みの大きさ E は GRU の中で H に変わるので、外に出てくる形には現れません。\n"
        "```\n"
        f"N, T, U, H = {_N}, {_T}, {_U}, {_H}\n"
        f"V_tgt = {Q1['V_tgt']}            # 数字 10 個 + <pad>, <bos>, <eos>\n"
        "shapes = ((N, T, H),          # h: 符号化器の全時刻の隠れ状態\n"
        "          (N, U + 1, H),      # s: 復号化器の隠れ状態 (<bos> y_1 … y_U を入れる)\n"
        "          (N, U + 1, T),      # α: 出力の各時刻 × 入力の各時刻\n"
        "          (N, U + 1, V_tgt))  # ロジット: y_1 … y_U <eos> の予測\n"
        f"# = {_Q1_EXPECTED}\n"
        "```\n"
        "確かめ: Seq2Seq(17, 13, 32, 48, attention=True) に (4, 9) の入力と (4, 7) の target_in を入れ、"
        "model.encode(...) と model(...) の戻り値の .shape を見ます。"
    ),
    mistakes=(
        (_q1_shapes(_N, _T, _U, _H, Q1["V_tgt"]),
         "復号化器の時刻の数を U にしていませんか。<bos> を入れる時刻と <eos> を出す時刻があるので U + 1 です。"),
        (((_N, _T, _H), (_N, _U + 1, _H), (_N, _T, _U + 1), (_N, _U + 1, Q1["V_tgt"])),
         "α の軸の順を逆にしていませんか。α[n, t, i] は出力の時刻 t に入力の時刻 i へ向ける重みで、(N, U + 1, T) です。"),
        (_q1_shapes(_N, _T, _U + 1, _E, Q1["V_tgt"]),
         "隠れ状態の大きさを埋め込みの大きさ E にしていませんか。GRU の出力は H 次元です。"),
        (_q1_shapes(_N, _T, _U + 1, _H, Q1["V_src"]),
         "ロジットの大きさを入力の辞書 (漢数字) の大きさにしていませんか。予測するのは出力の文字 (数字) です。"),
        (_q1_shapes(_N, _T, _U + 1, _H, len(DIGIT_CHARS)),
         "出力の辞書に特別な記号 (<pad>, <bos>, <eos>) を数え忘れていませんか。<eos> も予測します。"),
    ),
)


# ---------------------------------------------------------------- q2 パラメータ数
Q2 = {"V_src": len(KANJI_CHARS) + 3, "V_tgt": len(DIGIT_CHARS) + 3, "E": 32, "H": 48}


def _q2_count(gru_biases: int = 2, out_in: int = 2, attention_extra: int = 0) -> tuple[int, int]:
    V_src, V_tgt, E, H = Q2["V_src"], Q2["V_tgt"], Q2["E"], Q2["H"]
    embeddings = V_src * E + V_tgt * E
    gru = 3 * (H * E + H * H + gru_biases * H)  # r, z, n の 3 つ分
    out = out_in * H * V_tgt + V_tgt
    total = embeddings + 2 * gru + out
    return (total, total + attention_extra)


_Q2_EXPECTED = _q2_count()

q2 = ValueQuestion(
    "演習 2",
    answer_name="n_params",
    expected=_Q2_EXPECTED,
    hints=(
        "部品は 5 つ: 入力の埋め込み (V_src, E)、出力の埋め込み (V_tgt, E)、符号化器の GRU、復号化器の GRU、"
        "出力層 W_out [s_t; c_t] + b_out。GRU は 3·(H·E + H·H + 2H) 個です (第6章)。",
        "出力層の入力は s_t と c_t をつないだ 2H 次元なので (V_tgt, 2H) + (V_tgt,)。注意なしでも c_t = h_T をつなぐので同じ形です。"
        "内積注意には重みがありません。",
    ),
    answer=(
        "注意の有無で変わるのは c_t の作り方だけで、パラメータは同じです (だから公平に比べられます)。\n"
        "```\n"
        f"V_src, V_tgt, E, H = {Q2['V_src']}, {Q2['V_tgt']}, {Q2['E']}, {Q2['H']}\n"
        "embeddings = V_src * E + V_tgt * E\n"
        "gru = 3 * (H * E + H * H + 2 * H)        # 符号化器と復号化器で 1 つずつ\n"
        "out = V_tgt * 2 * H + V_tgt               # W_out (V_tgt, 2H) と b_out\n"
        "n = embeddings + 2 * gru + out\n"
        f"n_params = (n, n)                         # = {_Q2_EXPECTED}\n"
        "# 確かめ: sum(p.numel() for p in Seq2Seq(17, 13, 32, 48, attention=False).parameters())\n"
        "```"
    ),
    mistakes=(
        (_q2_count(attention_extra=Q2["H"] * Q2["H"]),
         "注意に重み (H × H の行列など) を足していませんか。この章の内積注意 h_i · s_t / √H には重みがありません。"),
        (_q2_count(out_in=1),
         "出力層の入力を H 次元にしていませんか。s_t と c_t をつないだ [s_t; c_t] は 2H 次元です (注意なしでも c_t = h_T をつなぎます)。"),
        (_q2_count(gru_biases=1),
         "GRU のバイアスを 1 本しか数えていませんか。PyTorch の GRU は bias_ih と bias_hh の 2 本を持ちます。"),
        ((_Q2_EXPECTED[0] - Q2["V_src"] * Q2["E"] - Q2["V_tgt"] * Q2["E"],) * 2,
         "埋め込み (入力と出力の 2 つ) を数え忘れていませんか。"),
    ),
)


# ---------------------------------------------------------------- q3 attention_forward
def _attention_args(rng: np.random.Generator, N: int, T: int, H: int, lengths: Any = None, scale: float = 1.0):
    s = scale * rng.normal(size=(N, H))
    h = scale * rng.normal(size=(N, T, H))
    lengths = rng.integers(1, T + 1, size=N) if lengths is None else np.asarray(lengths)
    mask = np.arange(T)[None, :] < lengths[:, None]
    return (s, h, mask)


def _large_scores(rng: np.random.Generator):
    """h_i が s とほぼ同じ向きで大きく、スコアが千を超える例 (最大値を引かないと exp があふれる)。"""
    N, T, H = 2, 4, 16
    s = 30.0 * rng.normal(size=(N, H))
    h = s[:, None, :] * rng.uniform(0.5, 1.5, size=(N, T, 1)) + rng.normal(size=(N, T, H))
    mask = np.array([[True] * T, [True, True, False, False]])
    return (s, h, mask)


def _q3_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_attention_args(rng, 3, 5, 4, lengths=[5, 3, 1]), "N = 3, T = 5, H = 4、長さ 5, 3, 1 の場合"),
        Case(_attention_args(rng, 2, 4, 6), "N = 2, T = 4, H = 6 の場合"),
        Case(_attention_args(rng, 1, 6, 3, lengths=[6]), "N = 1、詰め物なしの場合"),
        Case(_attention_args(rng, 2, 1, 3, lengths=[1, 1]), "T = 1 の場合"),
        Case(_attention_args(rng, 2, 3, 1), "H = 1 の場合"),
        Case(_large_scores(rng), "スコアが大きい (千を超える) 場合"),
    )


_Q3_CASES = _q3_cases(np.random.default_rng(2029))


def _softmax_masked(e: np.ndarray, mask: np.ndarray) -> np.ndarray:
    e = np.where(mask, e, -np.inf)
    w = np.exp(e - e.max(axis=1, keepdims=True))
    return w / w.sum(axis=1, keepdims=True)


def _attention_scaled_by(s, h, mask, divisor):
    alpha = _softmax_masked(np.einsum("nth,nh->nt", h, s) / divisor, mask)
    return np.einsum("nt,nth->nh", alpha, h), alpha, None


def _attention_no_scale(s, h, mask):
    return _attention_scaled_by(s, h, mask, 1.0)


def _attention_scale_H(s, h, mask):
    return _attention_scaled_by(s, h, mask, s.shape[1])


def _attention_ignores_mask(s, h, mask):
    return attention_forward(s, h)[:2] + (None,)


def _attention_mask_after_softmax(s, h, mask):
    e = np.einsum("nth,nh->nt", h, s) / math.sqrt(s.shape[1])
    w = np.exp(e - e.max(axis=1, keepdims=True))
    alpha = w / w.sum(axis=1, keepdims=True) * mask  # 詰め物を 0 にしたが、和が 1 に戻っていない
    return np.einsum("nt,nth->nh", alpha, h), alpha, None


def _attention_sum_not_mean(s, h, mask):
    _, alpha, _ = attention_forward(s, h, mask)
    return (h * mask[:, :, None]).sum(axis=1), alpha, None  # c に α を掛け忘れる


q3 = FunctionQuestion(
    "演習 3",
    answer_name="attention_forward",
    reference=attention_forward,
    reference_name="rnncourse.nn.attention.attention_forward",
    cases=_Q3_CASES,
    draw_cases=_q3_cases,
    output_names=("c", "alpha", "cache"),
    compare_outputs=(0, 1),
    hints=(
        "スコア e (N, T) は h の各時刻と s の内積を √H で割ったもの: np.einsum('nth,nh->nt', h, s) / np.sqrt(H)。"
        "詰め物の時刻 (mask が False) は np.where(mask, e, -np.inf) で −∞ にします。",
        "softmax は入力の時刻の軸 (axis=1) で。exp があふれないよう、先に各行の最大値を引きます。"
        "c = Σ_i α_i h_i は np.einsum('nt,nth->nh', alpha, h)。return c, alpha, cache (cache は比べません)。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.nn.attention.attention_forward です "
        "(show_source(attention_forward) で全体を見られます)。中心の部分は次のとおりです。\n"
        "```\n"
        "H = s.shape[1]\n"
        "e = np.einsum('nth,nh->nt', h, s) / np.sqrt(H)     # e_i = h_i · s / √H\n"
        "e = np.where(mask, e, -np.inf)                      # 詰め物の時刻は α_i = 0\n"
        "w = np.exp(e - e.max(axis=1, keepdims=True))        # 最大値を引いてあふれを防ぐ\n"
        "alpha = w / w.sum(axis=1, keepdims=True)            # 入力の時刻についての softmax\n"
        "c = np.einsum('nt,nth->nh', alpha, h)               # c = Σ_i α_i h_i\n"
        "return c, alpha, (s, h, alpha)\n"
        "```"
    ),
    mistakes=(
        (_attention_no_scale, "スコアを √H で割り忘れていませんか。e_i = h_i · s / √H です。"),
        (_attention_scale_H, "スコアを H で割っていませんか。割るのは √H です。"),
        (_attention_ignores_mask, "mask を使っていないのではありませんか。詰め物の時刻 (mask が False) は e_i = −∞ にして α_i = 0 にします。"),
        (_attention_mask_after_softmax,
         "softmax の後で詰め物の時刻を 0 にしていませんか。それでは α の和が 1 になりません。softmax の前に e_i = −∞ にします。"),
        (_attention_sum_not_mean, "c を h_i の (重みなしの) 和にしていませんか。c = Σ_i α_i h_i です。"),
    ),
)


# ---------------------------------------------------------------- q4 教師強制と自由に走らせる復号
_V_TGT = len(DIGIT_CHARS) + 3
_FIRST_DIGIT = 3  # 数字 "0" の ID (0, 1, 2 は <pad>, <bos>, <eos>)


def _table_args(rng: np.random.Generator, U: int, errors: int) -> tuple[np.ndarray, np.ndarray]:
    """正解 target (U 桁の数) と、正解の並びをほぼ覚えた表 (errors 個の項目をわざと違う記号に)。"""
    digits = rng.integers(0, 10, size=U)
    digits[0] = rng.integers(1, 10)
    target = digits + _FIRST_DIGIT
    table = rng.integers(_FIRST_DIGIT, _V_TGT, size=_V_TGT)
    table[np.concatenate([[BOS], target[:-1]])] = target  # 直前の正解 → 次の正解 (同じ数字が 2 回あれば後のほうが残る)
    table[EOS] = EOS
    for key in rng.choice(np.concatenate([[BOS], np.unique(target)]), size=errors, replace=False):
        table[key] = _FIRST_DIGIT + (table[key] - _FIRST_DIGIT + rng.integers(1, 10)) % 10  # 違う数字にする
    return (table, target)


def _q4_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_table_args(rng, 6, 1), "U = 6、表の 1 か所が違う場合"),
        Case(_table_args(rng, 8, 2), "U = 8、表の 2 か所が違う場合"),
        Case(_table_args(rng, 4, 0), "U = 4、表が (ほぼ) 正しい場合"),
        Case(_table_args(rng, 1, 1), "U = 1 (最初の記号だけ) の場合"),
        Case(_table_args(rng, 7, 1), "U = 7 の場合"),
    )


_Q4_CASES = _q4_cases(np.random.default_rng(2030))


def _both_free(table, target):
    _, free = table_decode(table, target)
    return free, free


def _both_teacher(table, target):
    teacher, _ = table_decode(table, target)
    return teacher, teacher


def _teacher_without_shift(table, target):
    _, free = table_decode(table, target)
    return np.asarray(table)[np.asarray(target)], free  # 入力に y_t そのもの (1 つずらし忘れ)


def _free_starts_from_answer(table, target):
    teacher, _ = table_decode(table, target)
    table, target = np.asarray(table), np.asarray(target)
    free, previous = np.empty_like(target), target[0]  # <bos> ではなく正解の最初の記号から始める
    for t in range(len(target)):
        previous = table[previous]
        free[t] = previous
    return teacher, free


q4 = FunctionQuestion(
    "演習 4",
    answer_name="table_decode",
    reference=table_decode,
    reference_name="rnncourse.labs.seq2seq_lab.table_decode",
    cases=_Q4_CASES,
    draw_cases=_q4_cases,
    output_names=("teacher", "free"),
    hints=(
        "教師強制では、時刻 t の入力は正解の前の記号です: 入力の列は <bos>, y_1, …, y_{U−1}。"
        "それぞれを table で引けば出力になります (np.concatenate([[BOS], target[:-1]]) で入力の列を作り、table[その列])。",
        "自由に走らせるときは、previous = BOS から始めて、U 回 previous = table[previous] をくり返し、出した記号を順に並べます。"
        "return teacher, free (どちらも形 (U,) の整数の配列)。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.labs.seq2seq_lab.table_decode です。\n"
        "```\n"
        "teacher = table[np.concatenate([[BOS], target[:-1]])]   # 入力は正解の前の記号\n"
        "free = np.empty_like(target)\n"
        "previous = BOS\n"
        "for t in range(len(target)):\n"
        "    previous = table[previous]                         # 入力は自分が前に出した記号\n"
        "    free[t] = previous\n"
        "return teacher, free\n"
        "```\n"
        "教師強制では、ある時刻で間違えても次の時刻には正解が入るので、誤りは表の違う項目の数だけにとどまります。"
        "自由に走らせると、1 度間違えた記号が次の入力になり、その後がずれていきます (本文の 9.6 節)。"
    ),
    mistakes=(
        (_both_free, "教師強制の出力も、自分の出力を次の入力にして作っていませんか。教師強制では入力は正解の前の記号です。"),
        (_both_teacher, "自由に走らせるほうも、正解を入力にしていませんか。テストのときは正解が分からないので、自分の出力を次の入力にします。"),
        (_teacher_without_shift,
         "教師強制の入力を y_1, …, y_U (正解そのもの) にしていませんか。時刻 t の入力は 1 つ前の y_{t−1} (最初は <bos>) です。"),
        (_free_starts_from_answer, "自由に走らせるとき、正解の最初の記号から始めていませんか。最初の入力は <bos> です。"),
    ),
)


# ---------------------------------------------------------------- q5 注意の重みを読む
Q5_INPUT = "三千二十万四百五"
Q5_RUN = {"attention": True, "lr": 0.01, "seed": 0}  # 本文で検証データから選んだ学習率と、最初の乱数の種


@functools.lru_cache(maxsize=1)
def reference_alignment() -> tuple[str, np.ndarray]:
    """演習 5 のモデル (本文と同じ ``train_run(attention=True, lr=0.01, seed=0)``) で Q5_INPUT を変換した (出力, α)。

    >>> output, alpha = reference_alignment()  # doctest: +SKIP
    >>> alpha.shape  # doctest: +SKIP
    (9, 8)

    学習者のノートブックと同じ条件 (倍精度、1 スレッド) で学習するので、どこで判定しても同じ重みになります
    (判定器が答えと比べるために使い、一度だけ計算して覚えておきます)。
    """
    with torch_defaults("float64", torch_threads=1):
        model = trained_model(train_run(**Q5_RUN))
        task = kanji_task()
        result = translate(model, [Q5_INPUT], task.source_vocab, task.target_vocab, task.max_length)
    return result.outputs[0], result.alphas[0]


def _q5_expected() -> str:
    _, alpha = reference_alignment()
    return "".join(Q5_INPUT[i] for i in alpha.argmax(axis=1))


def _q5_rule(value: Any) -> str | None:
    if isinstance(value, (list, tuple)) and all(isinstance(c, str) for c in value):
        value = "".join(value)
    if not isinstance(value, str):
        return f"looked_at は入力の文字を並べた文字列のはずですが、{type(value).__name__} が渡されました。"
    expected = _q5_expected()
    output, _ = reference_alignment()
    if value == expected:
        return None
    if value == expected[:-1]:
        return f"<eos> を出す時刻 (α の最後の行) を忘れていませんか。looked_at は {len(expected)} 文字のはずです。"
    if len(value) != len(expected):
        return (
            f"looked_at は {len(expected)} 文字 (出力 {output!r} の {len(output)} 文字と <eos> の時刻に 1 文字ずつ) のはずですが、"
            f"{len(value)} 文字でした。α の行 (出力の時刻) ごとに、重みがいちばん大きい列 (入力の文字) を選びます。"
        )
    strangers = [c for c in value if c not in Q5_INPUT]
    if strangers:
        return f"文字 {strangers[0]!r} は入力 {Q5_INPUT!r} にありません。入力の文字から選んでください。"
    wrong = [t for t, (a, b) in enumerate(zip(value, expected)) if a != b]
    return (
        f"{len(wrong)} か所が違います (最初は出力の {wrong[0] + 1} 行目)。alpha.argmax(axis=1) で各行の最大の列を選び、"
        "その位置の入力の文字を並べてください。"
    )


q5 = RuleQuestion(
    "演習 5",
    answer_name="looked_at",
    rule=_q5_rule,
    hints=(
        "translate(model, [x], ...) の alphas[0] が α (形 (出力の文字数 + 1, 入力の文字数)) です。行が出力の時刻"
        " (最後の行は <eos> を出す時刻)、列が入力の文字です。",
        "各行でいちばん大きい列は alpha.argmax(axis=1)。その位置の入力の文字を順に並べます: "
        "''.join(x[i] for i in alpha.argmax(axis=1))。",
    ),
    answer=(
        "```\n"
        f"x = {Q5_INPUT!r}\n"
        "result = translate(model, [x], task.source_vocab, task.target_vocab, task.max_length)\n"
        "alpha = result.alphas[0]                    # (出力の文字数 + 1, 入力の文字数)\n"
        "looked_at = ''.join(x[i] for i in alpha.argmax(axis=1))\n"
        "```\n"
        "読み取れること: 数字を書く時刻に重みがいちばん大きいのが、その数字の漢字ではなく、すぐ後ろの位の文字の"
        "こともあります (「3」を書くときの「千」、「4」を書くときの「百」)。符号化器は左から読む GRU なので、h_i は"
        " x_1 … x_i をまとめたもので、「千」の位置の h_i は「三千」を読み終えた状態です。"
        "注意の重みは「どの文字を見たか」ではなく「どの時刻の隠れ状態を使ったか」です。"
        "入力にない位の 0 を書く時刻には、見るべき文字がないので、重みは位の文字 (万・百) に分かれます。"
    ),
)


# ---------------------------------------------------------------- q6 長さの実験
Q6_BINS = ((1, 4), (5, 8), (9, 12), (13, 15))


def _length_args(rng: np.random.Generator, n: int, bins=Q6_BINS, wrong: float = 0.3):
    from rnncourse.data.conversions import int_to_kanji

    sources, predictions, targets = [], [], []
    for i in range(n):
        low, high = bins[i % len(bins)]  # どの区間にも例がある
        while True:
            value = int(rng.integers(1, 10**8))
            text = int_to_kanji(value)
            if low <= len(text) <= high:
                break
        answer = str(value)
        guess = answer if rng.random() > wrong else str(value + int(rng.integers(1, 9)) * 10 ** int(rng.integers(0, len(answer))))
        sources.append(text)
        targets.append(answer)
        predictions.append(guess)
    return (sources, predictions, targets, [list(b) for b in bins])


def _q6_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_length_args(rng, 12), "12 例、区間 (1, 4), (5, 8), (9, 12), (13, 15) の場合"),
        Case(_length_args(rng, 9, bins=((1, 7), (8, 15))), "区間が 2 つの場合"),
        Case(_length_args(rng, 8, bins=((1, 5), (6, 6), (7, 15))), "幅 1 の区間 (6, 6) がある場合"),
        Case(_length_args(rng, 5, wrong=0.0), "すべて正解の場合"),
    )


_Q6_CASES = _q6_cases(np.random.default_rng(2031))


def _bins_half_open(sources, predictions, targets, bins):
    table = []
    for low, high in bins:
        hits = [p == t for x, p, t in zip(sources, predictions, targets) if low <= len(x) < high]
        table.append((len(hits), sum(hits) / len(hits) if hits else 0.0))
    return table


def _bins_char_accuracy(sources, predictions, targets, bins):
    table = []
    for low, high in bins:
        rows = [(p, t) for x, p, t in zip(sources, predictions, targets) if low <= len(x) <= high]
        hits = sum(sum(a == b for a, b in zip(p, t)) for p, t in rows)  # 文字ごとに数えてしまう
        table.append((len(rows), hits / sum(len(t) for _, t in rows)))
    return table


def _bins_counting_hits(sources, predictions, targets, bins):
    return [(n, round(acc * n)) for n, acc in length_bin_table(sources, predictions, targets, bins)]


q6 = FunctionQuestion(
    "演習 6",
    answer_name="length_bin_table",
    reference=length_bin_table,
    reference_name="rnncourse.labs.seq2seq_lab.length_bin_table",
    cases=_Q6_CASES,
    draw_cases=_q6_cases,
    hints=(
        "区間 (low, high) ごとに、入力の長さ len(x) が low 以上 high 以下 (両端を含む) の例だけを集め、"
        "その中で出力が正解と完全に一致した割合を求めます。",
        "for low, high in bins: hits = [p == t for x, p, t in zip(sources, predictions, targets) if low <= len(x) <= high]、"
        "table.append((len(hits), sum(hits) / len(hits)))。区間の順に並べたリストを返します。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.labs.seq2seq_lab.length_bin_table です。\n"
        "```\n"
        "table = []\n"
        "for low, high in bins:\n"
        "    hits = [p == t for x, p, t in zip(sources, predictions, targets) if low <= len(x) <= high]\n"
        "    table.append((len(hits), sum(hits) / len(hits)))\n"
        "return table\n"
        "```\n"
        "長さで分けるのは入力 (漢数字) の文字数です。注意なしのモデルでは、入力が長いほど最後の隠れ状態 1 つに"
        "詰め込む情報が増えます。"
    ),
    mistakes=(
        (_bins_half_open, "区間の右端を含めていませんか (low <= len(x) < high)。区間は両端を含みます (low <= len(x) <= high)。"),
        (_bins_char_accuracy, "文字の正解率 (合っている文字の割合) を求めていませんか。完全一致率は、出力が正解と 1 文字も違わない例の割合です。"),
        (_bins_counting_hits, "正解した例の数を返していませんか。返すのは (例の数, 完全一致率) です。"),
    ),
)
