"""第7章 (文字レベル言語モデル) の演習の判定器。

    >>> from rnncourse.exercises import ch07
    >>> bool(ch07.q1.evaluate(ch07.q1.expected))
    True
    >>> ch07.q4.evaluate(...).status.value
    'not_attempted'

問題:

- q1 ★ 一様分布のパープレキシティ (``uniform_perplexity``): 同梱コーパスの語彙 V で
- q2 ★ ``bits_per_char`` の実装: 損失 (nats) を bits per character に直す
- q3 ★★ ``perplexity_from_losses`` の実装: チャンクごとの平均損失と文字数から全体のパープレキシティ
- q4 ★★ ``temperature_probs`` の実装: 温度付き softmax (最大値を引いてあふれを防ぐ)
- q5 ★★ 実験 (``trend``): バイグラムのモデルで、温度を上げると次の文字の分布の平均エントロピーはどうなるか
- q6 ★★★ ``make_stream_batches`` の実装: 打ち切り BPTT のための並列ストリームのミニバッチ
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.models.language_model import (
    bigram_probs, bits_per_char, choose_add_k, entropy_bits, perplexity_from_losses, temperature_probs,
)
from rnncourse.data.text import CharVocab, load_corpus, stream_batches, train_val_test_split_text

# 問題だけを公開する: bigram_entropies は判定器だけが使う (採点の箱の中の代わりのモジュールには置かない)
__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


# ---------------------------------------------------------------- q1 一様分布のパープレキシティ
_TEXT = load_corpus()
_TRAIN_TEXT, _VAL_TEXT, _TEST_TEXT = train_val_test_split_text(_TEXT, val_fraction=0.1, test_fraction=0.1)  # 本文と同じ分け方
_V = CharVocab.from_text(_TEXT).size  # 分ける前のテキスト全体の辞書
_V_TRAIN_ONLY = CharVocab.from_text(_TRAIN_TEXT).size

q1 = ValueQuestion(
    "演習 1",
    answer_name="uniform_perplexity",
    expected=float(_V),
    hints=(
        "一様分布はどの文字にも確率 1/V を付けます。1 文字あたりの損失は −log(1/V) = log V です。"
        "パープレキシティはその exp です。",
        "exp(log V) = V なので、答えは語彙の大きさ V そのものです。"
        "辞書は CharVocab.from_text(load_corpus()) (分ける前の全体) から作り、vocab.size を使います。",
    ),
    answer=(
        "一様分布の損失は ℓ = −log(1/V) = log V で、パープレキシティは exp(ℓ) = V です。"
        "どの検証用テキストで測っても同じ値になります。\n"
        "```\n"
        "vocab = CharVocab.from_text(load_corpus())\n"
        "uniform_perplexity = math.exp(math.log(vocab.size))  # = vocab.size\n"
        f"# = {_V}\n"
        "```"
    ),
    mistakes=(
        (math.log(_V), "損失 log V (nats) を答えていませんか。パープレキシティはその exp で、V になります。"),
        (math.log2(_V), "bits per character (log₂ V) を答えていませんか。パープレキシティは exp(損失) です。"),
        (1.0 / _V, "1 文字の確率 1/V を答えていませんか。パープレキシティはその逆数に当たる V です。"),
        (float(_V_TRAIN_ONLY),
         "訓練用テキストだけから辞書を作っていませんか。辞書は分ける前のテキスト全体から作ります (CharVocab.from_text(text))。"),
    ),
)


# ---------------------------------------------------------------- q2 bits per character
_Q2_CASES = (
    Case((math.log(2.0),), "損失が log 2 (= 1 bit) の場合"),
    Case((3.637,), "損失が 3.637 nats の場合"),
    Case((math.log(931.0),), "一様分布の損失 log 931 の場合"),
    Case((0.0,), "損失が 0 (完全に当たる) の場合"),
)


def _q2_draw(rng: np.random.Generator) -> tuple[Case, ...]:
    """採点用: 公開のケースと同じ種類の、新しい損失の値。"""
    V = int(rng.integers(20, 2000))
    return (
        Case((float(rng.uniform(0.2, 1.5)),), "小さな損失の場合"),
        Case((float(rng.uniform(2.0, 5.0)),), "学習途中くらいの損失の場合"),
        Case((math.log(V),), f"一様分布の損失 log {V} の場合"),
        Case((0.0,), "損失が 0 (完全に当たる) の場合"),
    )


def _bpc_multiplied(loss):
    return loss * math.log(2)


def _bpc_log2_of_loss(loss):
    with np.errstate(divide="ignore"):
        return float(np.log2(loss))


def _bpc_perplexity(loss):
    return math.exp(loss)


def _bpc_log10(loss):
    return loss / math.log(10)


q2 = FunctionQuestion(
    "演習 2",
    answer_name="bits_per_char",
    reference=bits_per_char,
    reference_name="rnncourse.models.language_model.bits_per_char",
    cases=_Q2_CASES,
    draw_cases=_q2_draw,
    hints=(
        "損失 ℓ は自然対数 (底 e) で測った −log p の平均です。底を 2 に変える公式 log₂ x = ln x / ln 2 を使います。",
        "return loss / math.log(2)。損失そのものに log₂ を掛けるのではなく、底の変換なので ln 2 で割るだけです。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.models.language_model.bits_per_char です。"
        "−log₂ p = −ln p / ln 2 なので、平均を取った損失も ln 2 で割るだけです。\n"
        "```\n"
        "def bits_per_char(loss):\n"
        "    return loss / math.log(2)\n"
        "```"
    ),
    mistakes=(
        (_bpc_multiplied, "ln 2 で割るところを掛けていませんか。log₂ x = ln x / ln 2 です。"),
        (_bpc_log2_of_loss, "損失そのものの log₂ を取っていませんか。損失はすでに対数の平均なので、底を変える (ln 2 で割る) だけです。"),
        (_bpc_perplexity, "exp(損失) (パープレキシティ) を返していませんか。bpc は損失を ln 2 で割ったものです。"),
        (_bpc_log10, "ln 10 で割っていませんか。bit は底 2 なので ln 2 で割ります。"),
    ),
)


# ---------------------------------------------------------------- q3 チャンクの損失からパープレキシティ
_Q3_CASES = (
    Case((np.array([4.2, 3.9, 3.5, 2.0]), np.array([256, 256, 256, 17])), "最後のチャンクが短い場合"),
    Case((np.array([3.2, 2.8, 4.1]), np.array([10, 30, 5])), "チャンクの文字数がまちまちな場合"),
    Case((np.array([3.7]), np.array([100])), "チャンクが 1 つ (K = 1) の場合"),
    Case((np.array([1.0, 2.0]), np.array([3, 3])), "文字数が等しい場合"),
)


def _q3_draw(rng: np.random.Generator) -> tuple[Case, ...]:
    """採点用: 公開のケースと同じ種類の、新しい損失と文字数。"""
    K = int(rng.integers(3, 6))
    full = int(rng.integers(50, 300))
    counts_short = np.array([full] * (K - 1) + [int(rng.integers(1, full))])
    counts_mixed = rng.integers(1, 60, size=K)
    same = int(rng.integers(2, 20))
    return (
        Case((rng.uniform(1.5, 4.5, size=K), counts_short), "最後のチャンクが短い場合"),
        Case((rng.uniform(1.5, 4.5, size=K), counts_mixed), "チャンクの文字数がまちまちな場合"),
        Case((rng.uniform(1.5, 4.5, size=1), np.array([int(rng.integers(10, 200))])), "チャンクが 1 つ (K = 1) の場合"),
        Case((rng.uniform(0.5, 3.0, size=2), np.array([same, same])), "文字数が等しい場合"),
    )


def _ppl_mean_of_perplexities(losses, counts):
    return float(np.sum(counts * np.exp(losses)) / np.sum(counts))


def _ppl_unweighted(losses, counts):
    return float(np.exp(np.mean(losses)))


def _ppl_sum_not_mean(losses, counts):
    with np.errstate(over="ignore"):
        return float(np.exp(np.sum(counts * losses)))


def _ppl_base2(losses, counts):
    return float(2.0 ** (np.sum(counts * losses) / np.sum(counts)))


q3 = FunctionQuestion(
    "演習 3",
    answer_name="perplexity_from_losses",
    reference=perplexity_from_losses,
    reference_name="rnncourse.models.language_model.perplexity_from_losses",
    cases=_Q3_CASES,
    draw_cases=_q3_draw,
    hints=(
        "各チャンクの損失は、そのチャンクの文字の平均です。全体の平均損失は、文字数で重み付けした平均 Σ c_i ℓ_i / Σ c_i になります。"
        "exp はその後で 1 回だけ取ります。",
        "mean_loss = np.sum(counts * losses) / np.sum(counts); return math.exp(mean_loss)。"
        "チャンクごとのパープレキシティを平均したり、文字数を無視して平均したりすると値が変わります。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.models.language_model.perplexity_from_losses です。"
        "チャンク i の平均損失 ℓ_i は c_i 文字の平均なので、全文字の平均は Σ c_i ℓ_i / Σ c_i です。"
        "パープレキシティは全体の平均損失の exp で、exp の平均ではありません (exp は凸なので、exp の平均の方が大きくなります)。\n"
        "```\n"
        "def perplexity_from_losses(losses, counts):\n"
        "    mean_loss = np.sum(counts * losses) / np.sum(counts)  # 文字数で重み付けした平均\n"
        "    return math.exp(mean_loss)\n"
        "```"
    ),
    mistakes=(
        (_ppl_mean_of_perplexities,
         "チャンクごとのパープレキシティ exp(ℓ_i) を平均していませんか。先に損失を平均し、exp は最後に 1 回だけ取ります。"),
        (_ppl_unweighted, "文字数で重み付けせずに損失を平均していませんか。短いチャンクも長いチャンクと同じ重みになってしまいます。"),
        (_ppl_sum_not_mean, "Σ c_i ℓ_i を文字数の合計で割り忘れていませんか。1 文字あたりの平均損失の exp を取ります。"),
        (_ppl_base2, "2 の累乗を取っていませんか。損失は自然対数 (nats) なので exp (e の累乗) を取ります。"),
    ),
)


# ---------------------------------------------------------------- q4 温度付き softmax
def _q4_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    return (
        Case((rng.normal(size=6) * 2, 0.5), "V = 6, τ = 0.5 の場合"),
        Case((rng.normal(size=5) * 2, 2.0), "V = 5, τ = 2.0 の場合"),
        Case((rng.normal(size=(3, 4)) * 2, 0.7), "バッチ (3, 4), τ = 0.7 の場合"),
        Case((rng.normal(size=4), 1.0), "τ = 1 (ふつうの softmax) の場合"),
        Case((np.array([708.0, 708.5, 709.0, 709.5]), 1.0), "ロジットが 709 前後の大きな値の場合"),
        Case((np.array([2.5]), 0.8), "V = 1 の場合"),
    )


_Q4_CASES = _q4_cases(np.random.default_rng(707))


def _temp_multiplied(logits, temperature):
    z = logits * temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _temp_not_normalised(logits, temperature):
    z = logits / temperature
    return np.exp(z - z.max(axis=-1, keepdims=True))


def _temp_ignored(logits, temperature):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _temp_no_max(logits, temperature):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(logits / temperature)
        return e / e.sum(axis=-1, keepdims=True)


def _temp_global_sum(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


q4 = FunctionQuestion(
    "演習 4",
    answer_name="temperature_probs",
    reference=temperature_probs,
    reference_name="rnncourse.models.language_model.temperature_probs",
    cases=_Q4_CASES,
    draw_cases=_q4_cases,
    hints=(
        "p_v = exp(s_v / τ) / Σ_u exp(s_u / τ) です。温度 τ ではスコアを割ります。"
        "exp の前に、最後の軸の最大値を引くとあふれません (softmax の値は変わりません)。",
        "z = logits / temperature; z = z - z.max(axis=-1, keepdims=True); e = np.exp(z); "
        "return e / e.sum(axis=-1, keepdims=True)。axis=-1 と keepdims=True で、バッチ (N, V) でも各行ごとに正規化できます。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.models.language_model.temperature_probs です "
        "(show_source(temperature_probs) で全体を見られます)。中心は次の 4 行です。\n"
        "```\n"
        "z = logits / temperature                 # s_v / τ\n"
        "z = z - z.max(axis=-1, keepdims=True)    # 最大値を引く (あふれ防止)\n"
        "e = np.exp(z)\n"
        "return e / e.sum(axis=-1, keepdims=True) # 和を 1 に\n"
        "```"
    ),
    mistakes=(
        (_temp_multiplied, "温度で割るところを掛けていませんか。τ < 1 で分布が尖るのは s / τ だからです。"),
        (_temp_not_normalised, "exp を取ったあと、和で割って正規化し忘れていませんか。確率の和は 1 になるはずです。"),
        (_temp_ignored, "温度を使い忘れていませんか。τ ≠ 1 ではふつうの softmax と違う値になります。"),
        (_temp_no_max,
         "最大値を引かずに exp を取っていませんか。大きなロジットでは exp の和があふれて (inf)、確率が 0 や nan になります。"),
        (_temp_global_sum,
         "バッチ全体で 1 つの和を取っていませんか。各行 (最後の軸) ごとに e.sum(axis=-1, keepdims=True) で割ります。"),
    ),
)


# ---------------------------------------------------------------- q5 実験: 温度とエントロピー
Q5_TEMPERATURES = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0)


@functools.lru_cache(maxsize=1)
def bigram_entropies() -> dict[float, float]:
    """同梱コーパスのバイグラム (add-k、k は本文と同じく ``choose_add_k`` で訓練テキストから選ぶ) で、検証用テキストの各位置の次の文字の分布を温度 τ で変えたときの
    平均エントロピー (bits) を、``Q5_TEMPERATURES`` の各 τ について返す。テキストは本文と同じく位置で 3 つに分け
    (``train_val_test_split_text``、検証用とテスト用が 10% ずつ)、訓練用と検証用を使う (テスト用は使わない)。

    >>> H = bigram_entropies()
    >>> H[0.5] < H[2.0]
    True

    ロジットは s = log P[直前の文字] (バイグラムの確率の対数) とし、p_τ = ``temperature_probs(s, τ)``、
    H = ``entropy_bits(p_τ)`` を検証用テキストの 2 文字目以降の全位置で平均します。
    """
    vocab = CharVocab.from_text(_TEXT)
    train_ids = vocab.encode(_TRAIN_TEXT)
    k, _ = choose_add_k(train_ids, vocab.size)
    P = bigram_probs(train_ids, vocab.size, k=k)
    logits = np.log(P[vocab.encode(_VAL_TEXT)[:-1]])  # (L−1, V) 各位置の直前の文字の行
    return {tau: float(np.mean(entropy_bits(temperature_probs(logits, tau)))) for tau in Q5_TEMPERATURES}


_UP, _DOWN, _SAME = ("増える", "増加", "大きく", "上が", "高く"), ("減る", "減少", "小さく", "下が", "低く"), ("変わらない", "同じ", "一定")


def _q5_rule(value: Any) -> str | None:
    if value is None:
        return "None が渡されました。結論を文字列 (「増える」「減る」「変わらない」のどれか) で trend に代入してください。"
    if not isinstance(value, str):
        return f"trend は文字列 (「増える」「減る」「変わらない」のどれか) のはずですが、{type(value).__name__} が渡されました。"
    text = value.strip()
    H = bigram_entropies()
    low, high = H[Q5_TEMPERATURES[0]], H[Q5_TEMPERATURES[-1]]
    if any(word in text for word in _SAME):
        return (f"変わらないでしょうか。τ = {Q5_TEMPERATURES[0]} では {low:.2f} bits、"
                f"τ = {Q5_TEMPERATURES[-1]} では {high:.2f} bits でした。表をもう一度見てください。")
    if any(word in text for word in _DOWN):
        return (f"逆です。τ = {Q5_TEMPERATURES[0]} の平均エントロピーは {low:.2f} bits、"
                f"τ = {Q5_TEMPERATURES[-1]} では {high:.2f} bits です。s / τ の τ が大きいほどスコアの差が縮み、分布は平らになります。")
    if any(word in text for word in _UP):
        return None
    return f"「増える」「減る」「変わらない」のどれかで答えてください ({value!r} が渡されました)。"


q5 = RuleQuestion(
    "演習 5",
    answer_name="trend",
    rule=_q5_rule,
    hints=(
        "表の τ を小さい順に見て、平均エントロピーが大きくなっているか小さくなっているかを見ます。"
        "エントロピーは分布の広がり (迷いの大きさ) の尺度です。",
        "s / τ は τ が大きいほどスコアの差を縮めるので、分布は一様分布 (エントロピー log₂ V) に近づきます。"
        "τ → 0 では 1 文字に確率が集まり (エントロピー 0) ます。",
    ),
    answer=(
        "温度を上げると平均エントロピーは増えます。τ → 0 で 0 bits (貪欲法と同じ 1 文字だけ)、τ → ∞ で一様分布の log₂ V に近づきます。"
        "τ = 1 がモデル (ここではバイグラム) の分布そのものです。\n"
        "```\n"
        "logits = np.log(P_bigram[val_ids[:-1]])\n"
        "entropies = {tau: float(np.mean(entropy_bits(temperature_probs(logits, tau))))\n"
        f"             for tau in {Q5_TEMPERATURES}}}\n"
        "trend = \"増える\"\n"
        "```"
    ),
)


# ---------------------------------------------------------------- q6 並列ストリームのバッチ
def _stream_batches_list(ids, batch_size, seq_len):
    return list(stream_batches(ids, batch_size, seq_len))


_Q6_CASES = (
    Case((np.arange(24), 2, 4), "長さ 24、N = 2、seq_len = 4 (各ストリーム 12 文字) の場合"),
    Case((np.arange(22), 2, 4), "長さ 22 (割り切れない末尾がある)、N = 2 の場合"),
    Case((np.arange(100) % 37, 4, 6), "長さ 100、N = 4、seq_len = 6 の場合"),
    Case((np.arange(11), 1, 5), "N = 1 (ストリーム 1 本) の場合"),
    Case((np.arange(30) * 3 % 17, 3, 1), "seq_len = 1 の場合"),
)


def _q6_draw(rng: np.random.Generator) -> tuple[Case, ...]:
    """採点用: 公開のケースと同じ種類の、新しい ID の列 (長さも少し変える)。"""

    def ids(length: int) -> np.ndarray:
        return rng.integers(0, 50, size=length)

    N, S = int(rng.integers(2, 4)), int(rng.integers(3, 6))
    return (
        Case((ids(N * (S * int(rng.integers(2, 4)) + 1)), N, S), f"長さ {N} の倍数、N = {N}、seq_len = {S} の場合"),
        Case((ids(N * (2 * S + 1) + 1 + int(rng.integers(0, N - 1))), N, S), "割り切れない末尾がある場合"),
        Case((ids(int(rng.integers(80, 120))), 4, int(rng.integers(4, 8))), "長めの列、N = 4 の場合"),
        Case((ids(int(rng.integers(8, 15))), 1, int(rng.integers(3, 6))), "N = 1 (ストリーム 1 本) の場合"),
        Case((ids(int(rng.integers(20, 35))), 3, 1), "seq_len = 1 の場合"),
    )


def _streams_interleaved(ids, batch_size, seq_len):
    L = len(ids) // batch_size
    streams = ids[: batch_size * L].reshape(L, batch_size).T  # 1 文字ずつ交互に配ってしまう
    return [(streams[:, s : s + seq_len], streams[:, s + 1 : s + seq_len + 1]) for s in range(0, (L - 1) // seq_len * seq_len, seq_len)]


def _streams_unshifted(ids, batch_size, seq_len):
    return [(x, x.copy()) for x, _ in stream_batches(ids, batch_size, seq_len)]


def _streams_too_many_chunks(ids, batch_size, seq_len):
    L = len(ids) // batch_size
    streams = ids[: batch_size * L].reshape(batch_size, L)
    return [(streams[:, s : s + seq_len], streams[:, s + 1 : s + seq_len + 1]) for s in range(0, L // seq_len * seq_len, seq_len)]


def _streams_consecutive_blocks(ids, batch_size, seq_len):
    N, S = batch_size, seq_len
    L = len(ids) // N
    out = []
    for k in range((L - 1) // S):  # 同じ数のチャンクを、テキストの先頭から N·S 文字ずつ切り出してしまう
        block = ids[k * N * S : (k + 1) * N * S + 1]
        x = block[:-1].reshape(N, S)
        y = block[1:].reshape(N, S)
        out.append((x, y))
    return out


q6 = FunctionQuestion(
    "演習 6",
    answer_name="make_stream_batches",
    reference=_stream_batches_list,
    reference_name="rnncourse.data.text.stream_batches",
    cases=_Q6_CASES,
    draw_cases=_q6_draw,
    hints=(
        "L = len(ids) // batch_size とし、ids[:batch_size * L] を (batch_size, L) に並べます (行 n がテキストの n·L 文字目からの連続した部分)。"
        "目標 y は x を 1 文字先にずらしたものなので、各行で入力に使えるのは L − 1 文字です。",
        "streams = ids[:N * L].reshape(N, L); チャンク数は (L − 1) // seq_len; "
        "k 番目は x = streams[:, k*S:(k+1)*S], y = streams[:, k*S+1:(k+1)*S+1]。(x, y) をリストに集めて返します。",
    ),
    answer=(
        "模範解答はパッケージの rnncourse.data.text.stream_batches を list(...) で包んだものです "
        "(show_source(stream_batches) で全体を見られます)。\n"
        "```\n"
        "def make_stream_batches(ids, batch_size, seq_len):\n"
        "    N, S = batch_size, seq_len\n"
        "    L = len(ids) // N                       # 1 本のストリームの長さ\n"
        "    streams = ids[: N * L].reshape(N, L)    # 行 n = テキストの n·L 文字目から\n"
        "    batches = []\n"
        "    for k in range((L - 1) // S):           # y の分 1 文字残す\n"
        "        x = streams[:, k * S : (k + 1) * S]\n"
        "        y = streams[:, k * S + 1 : (k + 1) * S + 1]\n"
        "        batches.append((x, y))\n"
        "    return batches\n"
        "```\n"
        "行 n はいつも同じストリームの続きなので、k 番目のチャンクの最後の隠れ状態を k+1 番目の初期状態に使えます。"
    ),
    mistakes=(
        (_streams_interleaved,
         "reshape(L, N).T のように、文字を 1 つずつ交互にストリームへ配っていませんか。各ストリームはテキストの連続した部分 "
         "(reshape(N, L)) です。"),
        (_streams_unshifted, "y を x と同じにしていませんか。目標 y は x を 1 文字先にずらしたもの (次の文字) です。"),
        (_streams_too_many_chunks,
         "チャンク数を L // seq_len にしていませんか。y は 1 文字先まで使うので、(L − 1) // seq_len です。"),
        (_streams_consecutive_blocks,
         "テキストの先頭から N·seq_len 文字ずつ切ってミニバッチにしていませんか。それでは次のミニバッチの行 n が前の行 n の続きにならず、"
         "隠れ状態を引き継げません。先に N 本のストリームに切ります。"),
    ),
)
