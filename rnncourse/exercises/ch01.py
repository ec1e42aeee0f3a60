"""第1章 (系列データ) の演習の判定器。

    >>> from rnncourse.exercises import ch01
    >>> bool(ch01.q2.evaluate(ch01.q2.expected))
    True
    >>> ch01.q3.evaluate(...).status.value
    'not_attempted'

問題:

- q1 ★ タスクの出力の形 (``shapes``): 多対一と多対多・非同期
- q2 ★ スライディングウィンドウの数 (``n_windows``): 時間順に分けた後の訓練の窓 (horizon = 3)
- q3 ★★ スライディングウィンドウの実装 ``make_windows`` (模範解答は ``rnncourse.data.timeseries.sliding_windows``)
- q4 ★★ パディングのマスクの実装 ``make_mask`` (模範解答は ``rnncourse.data.padding.length_mask``)
- q5 ★★ 文字の ID 化 ``encode_chars`` (模範解答は ``CharVocab.from_text(text).encode(text)``)
- q6 ★★ 素朴な予測の基準値 (``naive_mse``) を自分で計算する
- q7 ★★★ 実験: ノイズを大きくすると、窓の平均の予測が素朴な予測に勝つのはいつか (``crossover_noise``)
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.data.padding import length_mask
from rnncourse.data.text import CharVocab
from rnncourse.data.timeseries import (
    mean_forecast_mse, naive_forecast_mse, noisy_sine, sliding_windows, train_test_split_series,
)

# 問題だけを公開する: baseline_mses は判定器だけが使う (採点の箱の中の代わりのモジュールには置かない)
__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]


# ---------------------------------------------------------------- q1 タスクの出力の形
Q1_N, Q1_T_IN, Q1_T_OUT, Q1_D, Q1_H, Q1_C, Q1_V = 8, 12, 9, 50, 32, 2, 1000
_Q1_EXPECTED = ((Q1_N, Q1_C), (Q1_N, Q1_T_OUT, Q1_V))

q1 = ValueQuestion(
    "演習 1",
    answer_name="shapes",
    expected=_Q1_EXPECTED,
    hints=(
        "多対一は系列を読み終えた最後の隠れ状態 h[:, -1] (N, H) だけに出力層を掛けます。"
        "非同期の多対多は、復号化器が出力の長さ T_out だけ時刻を進めます。",
        "多対一の出力は (N, C)、非同期の出力は (N, T_out, V) です。隠れ状態の次元 H や入力の長さ T_in は出力の形に残りません。",
    ),
    answer=(
        "多対一 (感情分析) は最後の隠れ状態 (N, H) に出力層 W_hy (C, H) を掛けるので (N, C)。"
        "非同期の多対多 (翻訳) は、符号化器が T_in 時刻読んだ要約 h_enc[:, -1] から復号化器が T_out 時刻進み、"
        "各時刻に語彙 V 個のスコアを出すので (N, T_out, V) です。\n"
        "```\n"
        "N, T_in, T_out, D, H, C, V = 8, 12, 9, 50, 32, 2, 1000\n"
        "shapes = ((N, C), (N, T_out, V))  # ((8, 2), (8, 9, 1000))\n"
        "```"
    ),
    mistakes=(
        (((Q1_N, Q1_T_IN, Q1_C), (Q1_N, Q1_T_OUT, Q1_V)),
         "多対一なのに全時刻で出力していませんか。出力は系列全体に 1 つ (最後の隠れ状態から) です。"),
        (((Q1_N, Q1_C), (Q1_N, Q1_T_IN, Q1_V)),
         "非同期の出力の長さを入力の長さ T_in にしていませんか。翻訳では出力の文の長さ T_out は入力と別です。"),
        (((Q1_N, Q1_H), (Q1_N, Q1_T_OUT, Q1_H)),
         "隠れ状態の次元 H を答えていませんか。出力層を掛けると最後の次元はクラス数 C や語彙サイズ V になります。"),
        (((Q1_C, Q1_N), (Q1_T_OUT, Q1_N, Q1_V)),
         "軸の順番が逆になっていませんか。この講座はバッチ先頭 (N が最初の軸) です。"),
    ),
)


# ---------------------------------------------------------------- q2 窓の数
Q2_T, Q2_TEST_FRACTION, Q2_WINDOW, Q2_HORIZON = 500, 0.2, 20, 3
_Q2_TRAIN, _ = train_test_split_series(np.zeros(Q2_T), test_fraction=Q2_TEST_FRACTION)
_Q2_T_TRAIN = len(_Q2_TRAIN)
_Q2_EXPECTED = sliding_windows(_Q2_TRAIN, Q2_WINDOW, Q2_HORIZON)[0].shape[0]  # T_train − window − horizon + 1

q2 = ValueQuestion(
    "演習 2",
    answer_name="n_windows",
    expected=_Q2_EXPECTED,
    hints=(
        "まず時間順に分けた訓練の系列の長さ (前の 80%) を求めます。窓はその中だけで作ります。",
        "長さ T の系列から作れる例の数は M = T − window − horizon + 1 です。T には訓練の長さを入れます。",
    ),
    answer=(
        "訓練の系列は 500 − round(500 × 0.2) = 400 時刻。i 番目の例は入力 series[i : i+20] と目標 series[i+20 : i+23] を使うので、"
        "最後の例は i + 23 ≤ 400、つまり i = 0 … 377 の 378 個です。\n"
        "```\n"
        "T_train = 500 - round(500 * 0.2)  # 400\n"
        "n_windows = T_train - 20 - 3 + 1   # 378\n"
        "# 確かめ: sliding_windows(train_series, 20, horizon=3)[0].shape[0]\n"
        "```"
    ),
    mistakes=(
        (_Q2_T_TRAIN - Q2_WINDOW, "horizon を無視していませんか。目標は窓の直後の 3 個なので、その分だけ例が減ります。"),
        (_Q2_T_TRAIN - Q2_WINDOW - Q2_HORIZON,
         "最後の +1 を忘れていませんか。i = 0 から数えるので、例の数は T − window − horizon + 1 です。"),
        (Q2_T - Q2_WINDOW - Q2_HORIZON + 1,
         "分ける前の系列全体 (500 時刻) で数えていませんか。窓は時間順に分けた後の訓練の系列 (400 時刻) から作ります。"),
        (_Q2_T_TRAIN - Q2_WINDOW + 1, "horizon を 1 として数えていませんか。この問題の horizon は 3 です。"),
    ),
)


# ---------------------------------------------------------------- q3 スライディングウィンドウの実装
def _q3_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case((rng.normal(size=10), 3, 1), "T = 10, window = 3, horizon = 1 の場合"),
        Case((rng.normal(size=12), 4, 2), "horizon = 2 の場合"),
        Case((rng.normal(size=5), 3, 2), "窓が 1 つしか作れない (T = window + horizon) 場合"),
        Case((rng.normal(size=6), 1, 1), "window = 1 の場合"),
        Case((np.zeros(8), 3, 1), "値がすべて 0 の場合"),
    )


_Q3_CASES = _q3_cases(np.random.default_rng(101))


def _windows_no_feature_axis(series, window, horizon=1):
    X, y = sliding_windows(series, window, horizon)
    return X[:, :, 0], y


def _windows_drop_last(series, window, horizon=1):
    X, y = sliding_windows(series, window, horizon)
    return X[:-1], y[:-1]


def _windows_target_overlaps(series, window, horizon=1):
    M = len(series) - window - horizon + 1
    X = np.stack([series[i : i + window] for i in range(M)])[:, :, None]
    y = np.stack([series[i + window - 1 : i + window - 1 + horizon] for i in range(M)])
    return X, y


def _windows_flat_target(series, window, horizon=1):
    X, y = sliding_windows(series, window, horizon)
    return X, y[:, 0]


q3 = FunctionQuestion(
    "演習 3",
    answer_name="make_windows",
    reference=sliding_windows,
    reference_name="rnncourse.data.timeseries.sliding_windows",
    cases=_Q3_CASES,
    draw_cases=_q3_cases,
    output_names=("X", "y"),
    hints=(
        "i 番目の例は 入力 series[i : i+window] と、その直後の目標 series[i+window : i+window+horizon] です。"
        "例の数は M = T − window − horizon + 1。",
        "X = np.stack([series[i:i+window] for i in range(M)])[:, :, None] で (M, window, 1)、"
        "y = np.stack([series[i+window:i+window+horizon] for i in range(M)]) で (M, horizon) になります。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.data.timeseries.sliding_windows です "
        "(show_source(rnncourse.data.timeseries.sliding_windows) で見られます。そちらは sliding_window_view でコピーを減らしています)。"
        "ループで書くと次のとおりです。\n"
        "```\n"
        "def make_windows(series, window, horizon=1):\n"
        "    M = len(series) - window - horizon + 1  # 作れる例の数\n"
        "    X = np.stack([series[i:i + window] for i in range(M)])[:, :, None]           # (M, window, 1)\n"
        "    y = np.stack([series[i + window:i + window + horizon] for i in range(M)])    # (M, horizon)\n"
        "    return X, y\n"
        "```\n"
        "X の最後の軸 (D = 1) は、RNN の入力 (N, T, D) の形に合わせるためのものです。"
    ),
    mistakes=(
        (_windows_no_feature_axis,
         "X に特徴の軸 (D = 1) を付け忘れていませんか。RNN の入力にするため X は (M, window, 1) にします ([:, :, None])。"),
        (_windows_drop_last,
         "最後の窓を落としていませんか。例の数は T − window − horizon + 1 個です (range の終わりの +1)。"),
        (_windows_target_overlaps,
         "目標を 1 時刻前から取っていませんか。目標は窓の直後 series[i + window] から始まります (窓の最後の値は入力側)。"),
        (_windows_flat_target,
         "y を 1 次元 (M,) にしていませんか。horizon 個の目標を並べた (M, horizon) の形で返します。"),
    ),
)


# ---------------------------------------------------------------- q4 パディングのマスク
_Q4_CASES = (
    Case((np.array([3, 1, 2]), 3), "lengths = [3, 1, 2]、T_max = 3 の場合"),
    Case((np.array([2, 0, 4, 1]), 6), "長さ 0 の系列があり、T_max が最長より長い場合"),
    Case((np.array([4]), 4), "N = 1 の場合"),
    Case((np.array([1, 1]), 1), "T_max = 1 の場合"),
)


def _q4_draw(rng: np.random.Generator) -> tuple[Case, ...]:
    """採点用: 公開のケースと同じ種類の、新しい長さの組。"""
    T_max = int(rng.integers(3, 7))
    lengths = rng.integers(1, T_max + 1, size=int(rng.integers(3, 6)))
    lengths[rng.integers(len(lengths))] = T_max  # いちばん長い系列がちょうど T_max
    with_zero = rng.integers(1, 5, size=int(rng.integers(3, 6)))
    with_zero[rng.integers(len(with_zero))] = 0
    single = int(rng.integers(1, 7))
    return (
        Case((lengths, T_max), f"lengths = {lengths.tolist()}、T_max = {T_max} の場合"),
        Case((with_zero, int(with_zero.max()) + int(rng.integers(1, 4))), "長さ 0 の系列があり、T_max が最長より長い場合"),
        Case((np.array([single]), single), "N = 1 の場合"),
        Case((np.ones(int(rng.integers(2, 5)), dtype=np.int64), 1), "T_max = 1 の場合"),
    )


def _mask_off_by_one(lengths, T_max):
    return np.arange(T_max)[None, :] <= lengths[:, None]


def _mask_transposed(lengths, T_max):
    return length_mask(lengths, T_max).T


def _mask_left_padded(lengths, T_max):
    return np.arange(T_max)[None, :] >= (T_max - lengths)[:, None]


def _mask_ignores_T_max(lengths, T_max):
    return length_mask(lengths)


q4 = FunctionQuestion(
    "演習 4",
    answer_name="make_mask",
    reference=length_mask,
    reference_name="rnncourse.data.padding.length_mask",
    cases=_Q4_CASES,
    draw_cases=_q4_draw,
    hints=(
        "mask[n, t] は「時刻 t が n 番目の系列の本物の部分か」。パディングは末尾なので、先頭から lengths[n] 個が True です。",
        "np.arange(T_max)[None, :] (1, T_max) と lengths[:, None] (N, 1) を比べると、ブロードキャストで (N, T_max) になります。"
        "比較は < です。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.data.padding.length_mask です (show_source(rnncourse.data.padding.length_mask) で見られます)。"
        "中心は 1 行です。\n"
        "```\n"
        "def make_mask(lengths, T_max):\n"
        "    return np.arange(T_max)[None, :] < lengths[:, None]  # mask[n, t] = t < lengths[n]\n"
        "```\n"
        "時刻は 0 から数えるので、長さ 3 の系列の本物の位置は t = 0, 1, 2 (t < 3) です。"
    ),
    mistakes=(
        (_mask_off_by_one,
         "比較を ≤ にしていませんか。時刻は 0 から数えるので、長さ L の系列の本物の位置は t = 0 … L−1 (t < L) です。"),
        (_mask_transposed, "形が (T_max, N) になっていませんか。行がバッチの系列 n、列が時刻 t の (N, T_max) です。"),
        (_mask_left_padded,
         "末尾の lengths[n] 個を True にしていませんか。pad_sequences は末尾を埋めるので、本物は先頭から lengths[n] 個です。"),
        (_mask_ignores_T_max,
         "T_max を使わず最長の長さで作っていませんか。列の数は引数の T_max にします (バッチの箱の大きさに合わせるため)。"),
    ),
)


# ---------------------------------------------------------------- q5 文字の ID 化
def _encode_reference(text: str) -> np.ndarray:
    """模範解答: 同梱の CharVocab と同じ (sorted(set(text)) の順の番号)。"""
    return CharVocab.from_text(text).encode(text)


_Q5_CASES = (
    Case(("banana",), "'banana' の場合"),
    Case(("犬が猫を追う。\n猫が犬を追う。",), "改行と繰り返しを含む日本語の場合"),
    Case(("冬の海は、夏とはまったく違う顔をしている。",), "本文の文の場合"),
    Case(("ん",), "T = 1 (1 文字だけ) の場合"),
)


def _q5_draw(rng: np.random.Generator) -> tuple[Case, ...]:
    """採点用: 公開のケースと同じ種類の、新しい文字列 (ひらがな・漢字・記号・英字を混ぜる)。"""
    alphabet = list("あいうえおかきくけこさしすせそ犬猫海空山川、。abcxyz")

    def text(length: int) -> str:
        return "".join(rng.choice(alphabet, size=length))

    repeated = text(int(rng.integers(2, 5)))
    return (
        Case((text(int(rng.integers(5, 9))) + repeated + repeated,), "繰り返しを含む文字列の場合"),
        Case((repeated + "\n" + text(int(rng.integers(4, 10))) + "\n" + repeated,), "改行と繰り返しを含む場合"),
        Case((text(int(rng.integers(15, 30))),), "長めの文字列の場合"),
        Case((str(rng.choice(alphabet)),), "T = 1 (1 文字だけ) の場合"),
    )


def _encode_first_appearance(text):
    index = {c: i for i, c in enumerate(dict.fromkeys(text))}
    return np.array([index[c] for c in text], dtype=np.int64)


def _encode_one_based(text):
    return _encode_reference(text) + 1


def _encode_codepoints(text):
    return np.array([ord(c) for c in text], dtype=np.int64)


q5 = FunctionQuestion(
    "演習 5",
    answer_name="encode_chars",
    reference=_encode_reference,
    reference_name="rnncourse.data.text.CharVocab.encode",
    cases=_Q5_CASES,
    draw_cases=_q5_draw,
    hints=(
        "辞書は、テキストに現れる文字を重複なしにコードポイント順に並べたもの chars = sorted(set(text)) です。"
        "文字 chars[i] の ID が i です。",
        "index = {c: i for i, c in enumerate(chars)} を作り、np.array([index[c] for c in text]) を返します。"
        "CharVocab.from_text(text).encode(text) と同じ結果になるはずです。",
    ),
    answer=(
        "模範解答はパッケージの CharVocab と同じ規則です (CharVocab.from_text(text).encode(text))。\n"
        "```\n"
        "def encode_chars(text):\n"
        "    chars = sorted(set(text))                        # コードポイント順の辞書 (毎回同じ順)\n"
        "    index = {c: i for i, c in enumerate(chars)}      # 文字 → ID\n"
        "    return np.array([index[c] for c in text], dtype=np.int64)\n"
        "```\n"
        "set の並びは実行のたびに変わることがあるので、必ず sorted で順番を決めます。"
        "元に戻すには ''.join(chars[i] for i in ids) (CharVocab.decode) を使います。"
    ),
    mistakes=(
        (_encode_first_appearance,
         "現れた順に番号を付けていませんか。辞書は sorted(set(text)) のコードポイント順です (同じ文字の集まりなら同じ辞書になる)。"),
        (_encode_one_based, "ID を 1 から数えていませんか。ID は 0 … V−1 です (chars[0] の ID が 0)。"),
        (_encode_codepoints,
         "ord(c) (文字コード) をそのまま ID にしていませんか。ID は辞書の中の番号 0 … V−1 です "
         "(one-hot の長さを V にするため)。"),
    ),
)


# ---------------------------------------------------------------- q6 素朴な予測の基準値
Q6_N_STEPS, Q6_NOISE, Q6_SEED, Q6_TEST_FRACTION, Q6_WINDOW = 300, 0.2, 1, 0.25, 10
_Q6_SERIES = noisy_sine(Q6_N_STEPS, noise=Q6_NOISE, seed=Q6_SEED)
_Q6_TRAIN, _Q6_TEST = train_test_split_series(_Q6_SERIES, test_fraction=Q6_TEST_FRACTION)
_Q6_X, _Q6_Y = sliding_windows(_Q6_TEST, Q6_WINDOW)
_Q6_EXPECTED = naive_forecast_mse(_Q6_X, _Q6_Y)

q6 = ValueQuestion(
    "演習 6",
    answer_name="naive_mse",
    expected=_Q6_EXPECTED,
    hints=(
        "テストの系列 (後ろの 25%) から window = 10 の窓を作り、各窓の最後の値 X[:, -1, 0] をそのまま次の値の予測にします。",
        "naive_mse = np.mean((y_test[:, 0] - X_test[:, -1, 0]) ** 2)。naive_forecast_mse(X_test, y_test) で答え合わせできます。",
    ),
    answer=(
        "素朴な予測は ŷ_{t+1} = x_t (窓の最後の値)。テストの窓の平均二乗誤差を取ります。\n"
        "```\n"
        "series6 = noisy_sine(300, noise=0.2, seed=1)\n"
        "train_part, test_part = train_test_split_series(series6, test_fraction=0.25)\n"
        "X_test6, y_test6 = sliding_windows(test_part, window=10)\n"
        "naive_mse = np.mean((y_test6[:, 0] - X_test6[:, -1, 0]) ** 2)\n"
        f"# = {_Q6_EXPECTED:.4f} (naive_forecast_mse(X_test6, y_test6) と同じ)\n"
        "```"
    ),
    mistakes=(
        (mean_forecast_mse(_Q6_X, _Q6_Y),
         "窓の平均を予測にしていませんか。素朴な予測は窓の最後の値 X[:, -1, 0] をそのまま使います。"),
        (float(np.mean((_Q6_Y[:, 0] - _Q6_X[:, 0, 0]) ** 2)),
         "窓の最初の値 X[:, 0, 0] を使っていませんか。直前の値は窓の最後 X[:, -1, 0] です。"),
        (float(np.sqrt(_Q6_EXPECTED)), "平方根を取っていませんか (それは RMSE)。答えは二乗誤差の平均 (MSE) です。"),
        (naive_forecast_mse(*sliding_windows(_Q6_TRAIN, Q6_WINDOW)),
         "訓練の系列で計算していませんか。基準値はテストの系列 (後ろの 25%) の窓で測ります。"),
        (float(np.mean(np.diff(_Q6_TEST) ** 2)),
         "テストの系列全体の隣どうしの差で計算していませんか。窓を作ると、テストの最初の window 個は予測の対象 (目標) になりません。"),
    ),
)


# ---------------------------------------------------------------- q7 実験: ノイズと基準値
Q7_NOISE_LEVELS = tuple(round(0.1 * k, 1) for k in range(11))  # 0.0, 0.1, …, 1.0
Q7_N_STEPS, Q7_WINDOW, Q7_TEST_FRACTION = 500, 20, 0.2


def baseline_mses(noise: float) -> tuple[float, float]:
    """noisy_sine(500, noise=noise, seed=0) のテストの窓 (window = 20) での (素朴な予測の MSE, 窓の平均の MSE)。

    >>> naive, mean = baseline_mses(0.1)
    >>> naive < mean
    True
    """
    _, test = train_test_split_series(noisy_sine(Q7_N_STEPS, noise=noise, seed=0), test_fraction=Q7_TEST_FRACTION)
    X, y = sliding_windows(test, Q7_WINDOW)
    return naive_forecast_mse(X, y), mean_forecast_mse(X, y)


_Q7_MSES = {noise: baseline_mses(noise) for noise in Q7_NOISE_LEVELS}
_Q7_EXPECTED = min(noise for noise, (naive, mean) in _Q7_MSES.items() if mean < naive)


def _q7_rule(value: Any) -> str | None:
    if value is None:
        return "crossover_noise が None です。ノイズの標準偏差 (noise_levels のどれか 1 つの数) を代入してください。"
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"crossover_noise はノイズの標準偏差 (0.0 〜 1.0 の数) のはずですが、{type(value).__name__} が渡されました。"
    matches = [noise for noise in Q7_NOISE_LEVELS if np.isclose(float(value), noise)]
    if not matches:
        return f"{value!r} は調べたノイズの値 noise_levels = {list(Q7_NOISE_LEVELS)} のどれでもありません。その中から選んでください。"
    noise = matches[0]
    naive, mean = _Q7_MSES[noise]
    if noise == _Q7_EXPECTED:
        return None
    if noise < _Q7_EXPECTED:
        return (
            f"noise = {noise} ではまだ素朴な予測のほうが良い (素朴 {naive:.4f} < 窓の平均 {mean:.4f}) です。"
            "窓の平均の MSE が素朴な予測の MSE を初めて下回るノイズを探してください。"
        )
    return (
        f"noise = {noise} では確かに窓の平均が勝っています (窓の平均 {mean:.4f} < 素朴 {naive:.4f}) が、"
        "それより小さいノイズで既に逆転しています。逆転する最小のノイズを答えてください。"
    )


q7 = RuleQuestion(
    "演習 7",
    answer_name="crossover_noise",
    rule=_q7_rule,
    hints=(
        "noise_levels の各値で noisy_sine(500, noise=noise, seed=0) を作り、本文と同じく test_fraction = 0.2、window = 20 の"
        "テストの窓で naive_forecast_mse と mean_forecast_mse を計算して表にします。",
        "表を上から見て、mean_forecast_mse < naive_forecast_mse になる最初の (最小の) noise が答えです。"
        "素朴な予測の誤差はノイズを 2 回 (x_t と x_{t+1}) 拾い、ノイズの分散 σ² の約 2 倍で増えます。",
    ),
    answer=(
        "ノイズを大きくすると、素朴な予測の MSE は約 2σ² + (波の 1 時刻の変化) で急に増えます。予測に使う x_t と正解 x_{t+1} の"
        "両方にノイズが乗るからです。窓の平均は 20 個の値でノイズを均すので、σ² の増え方は約 (1 + 1/20) 倍で済みます。"
        f"そのため、ある程度ノイズが大きくなると (この設定では noise = {_Q7_EXPECTED}) 窓の平均のほうが良くなります。"
        "「直前の値」の基準値が強いのは、ノイズが小さく隣どうしの値がよく似ているときだけです。\n"
        "```\n"
        "def test_mses(noise):\n"
        "    _, test = train_test_split_series(noisy_sine(500, noise=noise, seed=0), test_fraction=0.2)\n"
        "    X, y = sliding_windows(test, window=20)\n"
        "    return naive_forecast_mse(X, y), mean_forecast_mse(X, y)\n"
        "\n"
        "mses = {noise: test_mses(noise) for noise in noise_levels}\n"
        "crossover_noise = min(noise for noise, (naive, mean) in mses.items() if mean < naive)\n"
        f"# = {_Q7_EXPECTED}\n"
        "```"
    ),
)
