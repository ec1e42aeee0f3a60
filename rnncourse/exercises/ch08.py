"""第8章 (応用: 文の感情分類と時系列の予測) の演習の判定器。

    >>> from rnncourse.exercises import ch08
    >>> bool(ch08.q1.evaluate(ch08.q1.expected))
    True
    >>> ch08.q2.evaluate(...).status.value
    'not_attempted'

問題:

- q1 ★ 文の分類器のパラメータ数 (``n_params``): 埋め込み (V = 402, E = 8) + LSTM (H = 64) + 出力層 (2 クラス)
- q2 ★★ ``masked_mean`` の実装: 詰め物の時刻を除いた隠れ状態の平均 (模範解答は ``rnncourse.data.padding.masked_mean``)
- q3 ★★ ``naive_mse_by_horizon`` の実装: 素朴な予測の、先の時刻ごとの MSE (模範解答は ``rnncourse.data.timeseries``)
- q4 ★★★ ``linear_rollout`` の実装: 線形の予測器で自己回帰の多段予測 (模範解答は ``rnncourse.data.timeseries``)
- q5 ★★ 実験 (``hardest``): 文字の袋と文字 + 2 文字の袋が、それぞれいちばん苦手な現象
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from rnncourse.data.padding import masked_mean
from rnncourse.data.sentiment import PHENOMENA
from rnncourse.data.timeseries import linear_rollout, naive_mse_by_horizon
from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.models.counting import recurrent_param_count
from rnncourse.seeding import torch_defaults

# 問題だけを公開する: phenomenon_accuracies は判定器だけが使う (採点の箱の中の代わりのモジュールには置かない)
__all__ = ["q1", "q2", "q3", "q4", "q5"]


# ---------------------------------------------------------------- q1 分類器のパラメータ数
Q1_V, Q1_E, Q1_H, Q1_C = 402, 8, 64, 2
_Q1_EMBEDDING = Q1_V * Q1_E  # nn.Embedding(V, E) の重み (V, E)
_Q1_RECURRENT = recurrent_param_count("lstm", Q1_E, Q1_H)  # 4(H·E + H² + 2H)
_Q1_OUTPUT = Q1_H * Q1_C + Q1_C  # nn.Linear(H, C)
_Q1_EXPECTED = _Q1_EMBEDDING + _Q1_RECURRENT + _Q1_OUTPUT

q1 = ValueQuestion(
    "演習 1",
    answer_name="n_params",
    expected=_Q1_EXPECTED,
    hints=(
        "3 つの部分に分けて数えます: 埋め込み nn.Embedding(V, E) の重み (V, E)、再帰層 nn.LSTM(E, H)、出力層 nn.Linear(H, C)。",
        "埋め込みは V·E、LSTM は 4 つのゲートの分の 4(H·E + H² + 2H) (バイアスは bias_ih と bias_hh の 2 本)、"
        "出力層は H·C + C です。3 つを足します。",
    ),
    answer=(
        "埋め込みは文字ごとに長さ E のベクトルを 1 本持つので V·E、LSTM は第6章のとおり 4(H·E + H² + 2H)、"
        "出力層は重み (C, H) とバイアス (C,) です。\n"
        "```\n"
        "V, E, H, C = 402, 8, 64, 2\n"
        "n_params = V * E + 4 * (H * E + H * H + 2 * H) + (H * C + C)\n"
        f"# = {_Q1_EMBEDDING} + {_Q1_RECURRENT} + {_Q1_OUTPUT} = {_Q1_EXPECTED}\n"
        "# 確かめ: sum(p.numel() for p in TextClassifier(402, 8, 64, 'lstm').parameters())\n"
        "```\n"
        "埋め込みは one-hot ベクトルに (V, E) の行列を掛けるのと同じ計算なので、パラメータの数も V·E です。"
    ),
    mistakes=(
        (_Q1_RECURRENT + _Q1_OUTPUT, "埋め込み nn.Embedding(V, E) の V·E 個を数え忘れていませんか。"),
        (_Q1_EMBEDDING + 4 * (Q1_H * Q1_E + Q1_H * Q1_H + Q1_H) + _Q1_OUTPUT,
         "LSTM のバイアスを 1 本 (4H 個) にしていませんか。PyTorch は bias_ih と bias_hh の 2 本を持ちます。"),
        (_Q1_EMBEDDING + recurrent_param_count("gru", Q1_E, Q1_H) + _Q1_OUTPUT,
         "ゲートを 3 つ (GRU) で数えていませんか。LSTM は i, f, g, o の 4 つです。"),
        (_Q1_EMBEDDING + _Q1_RECURRENT, "出力層 nn.Linear(H, C) の H·C + C 個を数え忘れていませんか。"),
        (_Q1_EMBEDDING + recurrent_param_count("lstm", Q1_V, Q1_H) + _Q1_OUTPUT,
         "再帰層の入力の次元を V (one-hot) にしていませんか。埋め込みのあとなので、LSTM の入力は長さ E のベクトルです。"),
    ),
)


# ---------------------------------------------------------------- q2 masked_mean
def _q2_args(rng: np.random.Generator, N: int, T: int, H: int, lengths=None):
    h = rng.normal(size=(N, T, H))
    if lengths is None:
        lengths = rng.integers(1, T + 1, size=N)
        lengths[0] = T  # いちばん長い系列は詰め物なし
        lengths[-1] = max(1, min(lengths[-1], T - 1))  # 短い系列も必ず入れる
    return (h, np.asarray(lengths, dtype=np.int64))


def _q2_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_q2_args(rng, 4, 6, 3), "N = 4, T = 6, H = 3 の場合"),
        Case(_q2_args(rng, 3, 5, 2, lengths=[5, 1, 3]), "長さ 1 の系列がある場合"),
        Case(_q2_args(rng, 1, 4, 2, lengths=[2]), "N = 1 の場合"),
        Case(_q2_args(rng, 3, 7, 1), "H = 1 の場合"),
        Case(_q2_args(rng, 2, 4, 3, lengths=[4, 4]), "詰め物がない (どれも T の長さ) 場合"),
    )


_Q2_CASES = _q2_cases(np.random.default_rng(2081))


def _mm_all_steps(h, lengths):
    return h.mean(axis=1)  # 詰め物の時刻まで平均する


def _mm_divide_by_T(h, lengths):
    mask = np.arange(h.shape[1])[None, :] < lengths[:, None]
    return (h * mask[:, :, None]).sum(axis=1) / h.shape[1]  # 和は正しいが T で割る


def _mm_off_by_one(h, lengths):
    mask = np.arange(h.shape[1])[None, :] <= lengths[:, None]  # t ≤ lengths (1 時刻多い)
    return (h * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1)[:, None]


def _mm_last_hidden(h, lengths):
    return h[np.arange(h.shape[0]), lengths - 1]  # 平均ではなく最後の本物の時刻


q2 = FunctionQuestion(
    "演習 2",
    answer_name="masked_mean",
    reference=masked_mean,
    reference_name="rnncourse.data.padding.masked_mean",
    cases=_Q2_CASES,
    draw_cases=_q2_cases,
    hints=(
        "まずマスク m[n, t] = (t < lengths[n]) を作ります: np.arange(T)[None, :] < lengths[:, None] で (N, T) の真偽値。"
        "h (N, T, H) と掛けるには m[:, :, None] で軸を足します。",
        "h̄ = (h * m[:, :, None]).sum(axis=1) / m.sum(axis=1)[:, None]。分母は T ではなく、各系列の本物の時刻の数 lengths[n] です。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.data.padding.masked_mean です (show_source(masked_mean) で全体を見られます)。"
        "中心の部分は次のとおりです。\n"
        "```\n"
        "T = h.shape[1]\n"
        "m = np.arange(T)[None, :] < lengths[:, None]   # (N, T): 本物の時刻だけ True\n"
        "m = m[:, :, None]                               # (N, T, 1): h と掛けられる形に\n"
        "return (h * m).sum(axis=1) / m.sum(axis=1)      # Σ_t m h / Σ_t m  → (N, H)\n"
        "```\n"
        "h.mean(axis=1) では、短い系列ほど詰め物の位置の隠れ状態が平均に混ざります (第1章 1.5 節と同じ理由)。"
    ),
    mistakes=(
        (_mm_all_steps, "h.mean(axis=1) で詰め物の時刻まで平均していませんか。マスクが True の時刻だけを平均します。"),
        (_mm_divide_by_T, "和を T で割っていませんか。分母は各系列の本物の時刻の数 (lengths[n]) です。"),
        (_mm_off_by_one, "マスクを t ≤ lengths[n] としていませんか。時刻は 0 から数えるので、本物は t < lengths[n] です。"),
        (_mm_last_hidden, "最後の本物の時刻の隠れ状態 h[n, lengths[n] − 1] を返していませんか。答えるのは全時刻の平均です。"),
    ),
)


# ---------------------------------------------------------------- q3 naive_mse_by_horizon
def _q3_args(rng: np.random.Generator, M: int, window: int, horizon: int):
    series = np.cumsum(rng.normal(size=M + window + horizon - 1))  # なめらかでない系列 (どの値も違う)
    views = np.lib.stride_tricks.sliding_window_view(series, window + horizon)[:M]
    return (views[:, :window, None].copy(), views[:, window:].copy())


def _q3_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_q3_args(rng, 8, 5, 3), "M = 8, window = 5, horizon = 3 の場合"),
        Case(_q3_args(rng, 6, 4, 10), "horizon が window より長い場合"),
        Case(_q3_args(rng, 5, 3, 1), "horizon = 1 の場合"),
        Case(_q3_args(rng, 1, 4, 4), "窓が 1 つ (M = 1) の場合"),
        Case(_q3_args(rng, 7, 1, 2), "window = 1 の場合"),
    )


_Q3_CASES = _q3_cases(np.random.default_rng(2082))


def _nh_first_value(X, y):
    return np.mean((y - X[:, 0, 0][:, None]) ** 2, axis=0)  # 窓の最初の値を使う


def _nh_window_mean(X, y):
    return np.mean((y - X[:, :, 0].mean(axis=1)[:, None]) ** 2, axis=0)  # 窓の平均を使う


def _nh_wrong_axis(X, y):
    return np.mean((y - X[:, -1, 0][:, None]) ** 2, axis=1)  # 窓ごとに (k について) 平均する


def _nh_all_together(X, y):
    return float(np.mean((y - X[:, -1, 0][:, None]) ** 2))  # k を分けずに全体の平均


q3 = FunctionQuestion(
    "演習 3",
    answer_name="naive_mse_by_horizon",
    reference=naive_mse_by_horizon,
    reference_name="rnncourse.data.timeseries.naive_mse_by_horizon",
    cases=_Q3_CASES,
    draw_cases=_q3_cases,
    hints=(
        "素朴な予測は、どの k でも窓の最後の値 X[i, −1, 0] を答えます。X[:, -1, 0][:, None] とすると (M, 1) になり、y (M, horizon) から引けます。",
        "差の 2 乗 (M, horizon) を、窓 i について (axis=0 で) 平均すると、k ごとの MSE (horizon,) になります。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.data.timeseries.naive_mse_by_horizon です。\n"
        "```\n"
        "y_hat = X[:, -1, 0][:, None]             # (M, 1): 窓の最後の値がこの先も続く\n"
        "return np.mean((y - y_hat) ** 2, axis=0)  # 窓について平均 → (horizon,)\n"
        "```\n"
        "全部の k で平均すると、第1章の naive_forecast_mse(X, y) と同じ値になります。"
    ),
    mistakes=(
        (_nh_first_value, "窓の最初の値 X[:, 0, 0] を使っていませんか。素朴な予測は最後に見えた値 X[:, -1, 0] です。"),
        (_nh_window_mean, "窓の平均を使っていませんか。それは第1章のもう 1 つの基準 (mean_forecast_mse) です。"),
        (_nh_wrong_axis, "axis=1 (先の時刻 k について) で平均していませんか。k ごとの MSE は窓 i について (axis=0 で) 平均します。"),
        (_nh_all_together, "k を分けずに全体を平均していませんか (それは naive_forecast_mse)。k ごとに 1 つずつ、長さ horizon の配列を返します。"),
    ),
)


# ---------------------------------------------------------------- q4 linear_rollout
def _q4_args(rng: np.random.Generator, N: int, T: int, horizon: int):
    windows = rng.normal(size=(N, T, 1))
    w = rng.normal(size=T) * 0.4
    w[-1] += 0.5  # 直前の値の重みを大きめに (予測が発散しすぎない)
    return (windows, w, float(rng.normal()), horizon)


def _q4_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case(_q4_args(rng, 3, 4, 6), "N = 3, T = 4, horizon = 6 の場合"),
        Case(_q4_args(rng, 2, 5, 12), "horizon が T より長い (予測だけの窓になる) 場合"),
        Case(_q4_args(rng, 2, 3, 1), "horizon = 1 の場合"),
        Case(_q4_args(rng, 1, 6, 5), "N = 1 の場合"),
        Case(_q4_args(rng, 3, 1, 4), "T = 1 の場合"),
    )


_Q4_CASES = _q4_cases(np.random.default_rng(2083))


def _lr_no_feedback(windows, w, b, horizon):
    y_hat = windows[:, :, 0] @ w + b
    return np.repeat(y_hat[:, None], horizon, axis=1)  # 予測を窓に戻さない


def _lr_drop_newest(windows, w, b, horizon):
    window, out = windows[:, :, 0].copy(), []
    for _ in range(horizon):
        y_hat = window @ w + b
        out.append(y_hat)
        window = np.concatenate([y_hat[:, None], window[:, :-1]], axis=1)  # 先頭に足して最新を捨てる
    return np.stack(out, axis=1)


def _lr_reversed_weights(windows, w, b, horizon):
    return linear_rollout(windows, w[::-1].copy(), b, horizon)  # w[0] を最新の値に掛ける


def _lr_no_bias(windows, w, b, horizon):
    return linear_rollout(windows, w, 0.0, horizon)


q4 = FunctionQuestion(
    "演習 4",
    answer_name="linear_rollout",
    reference=linear_rollout,
    reference_name="rnncourse.data.timeseries.linear_rollout",
    cases=_Q4_CASES,
    draw_cases=_q4_cases,
    hints=(
        "窓 (N, T, 1) の値を window = windows[:, :, 0].copy() (N, T) にして、horizon 回くり返します。"
        "1 回ごとに y_hat = window @ w + b (N,) を予測として記録し、窓を 1 つずらします。",
        "ずらし方: window = np.concatenate([window[:, 1:], y_hat[:, None]], axis=1) (いちばん古い値を捨て、予測を末尾に足す)。"
        "記録した予測を np.stack(…, axis=1) で (N, horizon) にして返します。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.data.timeseries.linear_rollout です "
        "(中のループは autoregressive_forecast。show_source で見られます)。\n"
        "```\n"
        "window = windows[:, :, 0].copy()                      # (N, T)\n"
        "forecasts = []\n"
        "for _ in range(horizon):\n"
        "    y_hat = window @ w + b                             # 次の値 (N,)\n"
        "    forecasts.append(y_hat)\n"
        "    window = np.concatenate([window[:, 1:], y_hat[:, None]], axis=1)  # 古い値を捨て、予測を足す\n"
        "return np.stack(forecasts, axis=1)                    # (N, horizon)\n"
        "```\n"
        "本文の rollout も、予測器が RNN に変わるだけで同じループです。"
    ),
    mistakes=(
        (_lr_no_feedback, "予測を窓に戻していないので、どの k でも同じ値になっていませんか。予測した値を窓の末尾に足してから次を予測します。"),
        (_lr_drop_newest, "予測を窓の先頭に足し、最新の値を捨てていませんか。捨てるのはいちばん古い値 (先頭)、足すのは末尾です。"),
        (_lr_reversed_weights, "重みを逆の順に掛けていませんか。w[s] は窓の s 番目 (古い順) の値に掛かります (w[-1] が直前の値)。"),
        (_lr_no_bias, "切片 b を足し忘れていませんか。予測は ŷ = window @ w + b です。"),
    ),
)


# ---------------------------------------------------------------- q5 実験: 袋のモデルが苦手な現象
Q5_RUNS = {"bag": ("bag", 0.01, 3), "bag2": ("bag2", 0.01, 3)}  # (モデル, 学習率, 乱数の種)
_JAPANESE_NAMES = {"そのまま": "plain", "否定": "negation", "二重否定": "double_negation", "逆接": "contrast", "程度": "degree"}
_SHOWN = {value: key for key, value in _JAPANESE_NAMES.items()}


@functools.lru_cache(maxsize=1)
def phenomenon_accuracies() -> dict[str, dict[str, float]]:
    """演習 5 の実験: 文字の袋 ("bag") と文字 + 2 文字の袋 ("bag2") の、現象ごとのテストの正解率。

    >>> table = phenomenon_accuracies()  # doctest: +SKIP
    >>> sorted(table)  # doctest: +SKIP
    ['bag', 'bag2']

    ``sentiment_run(model, 0.01, seed=3)`` を学習し、``accuracy_by_phenomenon`` で現象ごとに分けます
    (判定器が答えと比べるために使い、結果は一度だけ計算して覚えておきます)。学習者のノートブックと同じ条件
    (倍精度、1 スレッド) で計算するので、どこで判定しても同じ表になります。
    """
    from rnncourse.labs.applications import accuracy_by_phenomenon, sentiment_run

    with torch_defaults("float64", torch_threads=1):
        return {key: accuracy_by_phenomenon(sentiment_run(*args).test_proba) for key, args in Q5_RUNS.items()}


def _phenomenon(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value if value in PHENOMENA else _JAPANESE_NAMES.get(value)
    return None


def _q5_rule(value: Any) -> str | None:
    if isinstance(value, list):
        value = tuple(value)
    if not isinstance(value, tuple) or len(value) != 2:
        return (
            "hardest は (文字の袋の答え, 文字 + 2 文字の袋の答え) の 2 つの組で答えてください "
            f"({type(value).__name__} が渡されました)。2 つの現象の名前の組にします。"
        )
    names = [_phenomenon(v) for v in value]
    for label, given, name in zip(("1 つ目", "2 つ目"), value, names):
        if name is None:
            return (f"{label}の {given!r} は現象の名前ではありません。{', '.join(PHENOMENA)} "
                    "(または そのまま、否定、二重否定、逆接、程度) のどれかで答えてください。")
    table = phenomenon_accuracies()
    for label, key, name in zip(("文字の袋", "文字 + 2 文字の袋"), ("bag", "bag2"), names):
        accuracies = table[key]
        worst = min(accuracies, key=accuracies.get)
        if name != worst:
            return (f"{label}の {name} ({_SHOWN[name]}) の正解率は {accuracies[name]:.3f} で、"
                    "それより低い現象があります。すべての現象の正解率を比べてください。")
    return None


q5 = RuleQuestion(
    "演習 5",
    answer_name="hardest",
    rule=_q5_rule,
    hints=(
        "run = sentiment_run('bag', 0.01, seed=3) で文字の袋を学習し、accuracy_by_phenomenon(run.test_proba) で"
        "現象ごとのテストの正解率の辞書を作ります。'bag2' (文字 + 2 文字の袋) でも同じことをします。",
        "辞書 acc の中でいちばん小さい値の現象は min(acc, key=acc.get) で求められます。"
        "hardest = (文字の袋の答え, 文字 + 2 文字の袋の答え) の組にします。",
    ),
    answer=(
        "文字の袋がいちばん苦手なのは**否定** (negation) です。「美味しくない」は「美味しい」の文字をすべて含むので、"
        "評価の語に引きずられてチャンスレベルより低くなります。隣り合う 2 文字 (「くな」「ない」) も数えると否定は大きく改善し、"
        "いちばん苦手な現象は**逆接** (contrast) に変わります。逆接の組の 2 文は同じ文字でできているので、"
        "すぐ隣の順番が見えても、2 つの節のどちらが後ろかは分からないのです。\n"
        "```\n"
        "hardest = []\n"
        "for model in ('bag', 'bag2'):\n"
        "    acc = accuracy_by_phenomenon(sentiment_run(model, 0.01, seed=3).test_proba)\n"
        "    hardest.append(min(acc, key=acc.get))\n"
        "hardest = tuple(hardest)   # ('negation', 'contrast')\n"
        "```\n"
        "正解は、判定器が同じ実験をもう一度行った結果から決めます。"
    ),
)
