"""第7章の演習の判定器に固有のこと。すべての章に共通する確認 (ヒント・未回答・変な入力・模範解答・
よくある間違い) は test_all_chapters.py にあります。"""

import doctest
import math

import numpy as np
import pytest

from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch07
from rnncourse.models.language_model import bits_per_char, perplexity_from_losses, temperature_probs
from rnncourse.data.text import CharVocab, load_corpus, stream_batches, train_val_test_split_text

from .test_all_chapters import is_japanese

FUNCTION_QUESTIONS = [ch07.q2, ch07.q3, ch07.q4, ch07.q6]


def test_question_kinds():
    kinds = {name: type(getattr(ch07, name)) for name in ch07.__all__ if name.startswith("q")}
    assert kinds == {"q1": ValueQuestion, "q2": FunctionQuestion, "q3": FunctionQuestion, "q4": FunctionQuestion,
                     "q5": RuleQuestion, "q6": FunctionQuestion}


# ------------------------------------------------------------------ 値の問題
def test_uniform_perplexity_is_the_vocabulary_size():
    V = CharVocab.from_text(load_corpus()).size
    assert ch07.q1.expected == V
    assert ch07.q1.evaluate(math.exp(math.log(V)))  # 丸め誤差は許す
    assert ch07.q1.evaluate(V)  # 整数でもよい
    assert not ch07.q1.evaluate(str(V))  # 文字列の "931" は不正解


# ------------------------------------------------------------------ 関数の問題
def test_function_questions_use_package_references():
    assert ch07.q2.reference is bits_per_char
    assert ch07.q3.reference is perplexity_from_losses
    assert ch07.q4.reference is temperature_probs
    ids = np.arange(40)
    got = ch07.q6.reference(ids, 3, 4)
    assert isinstance(got, list)
    for (x, y), (ex, ey) in zip(got, stream_batches(ids, 3, 4)):
        np.testing.assert_array_equal(x, ex)
        np.testing.assert_array_equal(y, ey)
    labels = " ".join(c.label for q in FUNCTION_QUESTIONS for c in q.cases)
    assert "N = 1" in labels and "K = 1" in labels and "V = 1" in labels and "seq_len = 1" in labels


def _model_bpc(loss):
    return loss / math.log(2)


def _model_perplexity(losses, counts):
    return math.exp(float(np.dot(losses, counts) / np.sum(counts)))


def _model_temperature(logits, temperature):
    z = logits / temperature
    z = z - np.max(z, axis=-1, keepdims=True)
    return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)


def _model_streams(ids, batch_size, seq_len):
    L = len(ids) // batch_size
    streams = ids[: batch_size * L].reshape(batch_size, L)
    return [(streams[:, s : s + seq_len], streams[:, s + 1 : s + 1 + seq_len])
            for s in range(0, (L - 1) // seq_len * seq_len, seq_len)]


@pytest.mark.parametrize(
    "q, model",
    [(ch07.q2, _model_bpc), (ch07.q3, _model_perplexity), (ch07.q4, _model_temperature), (ch07.q6, _model_streams)],
    ids=["q2", "q3", "q4", "q6"],
)
def test_learner_style_answers_pass(q, model):
    assert q.evaluate(model)


def test_temperature_overflow_case_is_labelled():
    def no_max(logits, temperature):
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(logits / temperature)
            return e / e.sum(axis=-1, keepdims=True)

    result = ch07.q4.evaluate(no_max)
    assert not result and "709" in result.message and "最大値" in result.message


def test_streams_returning_a_generator_is_explained():
    result = ch07.q6.evaluate(lambda ids, n, s: stream_batches(ids, n, s))
    assert not result and is_japanese(result.message)


# ------------------------------------------------------------------ 実験の問題
def test_experiment_entropies_grow_with_temperature():
    H = ch07.bigram_entropies()
    values = [H[t] for t in ch07.Q5_TEMPERATURES]
    assert all(a < b for a, b in zip(values, values[1:]))
    assert values[-1] < math.log2(CharVocab.from_text(load_corpus()).size)


def test_experiment_uses_the_chapter_split():
    # 本文 (7.1 節) と同じ 3 つの分け方の訓練用・検証用テキストで測る (テスト用は使わない)
    train, val, _ = train_val_test_split_text(load_corpus(), val_fraction=0.1, test_fraction=0.1)
    assert ch07._TRAIN_TEXT == train and ch07._VAL_TEXT == val


@pytest.mark.parametrize("answer", ["増える", "増加する", " エントロピーは大きくなる "])
def test_experiment_accepts_the_conclusion(answer):
    assert ch07.q5.evaluate(answer)


@pytest.mark.parametrize("answer, word", [("減る", "逆です"), ("変わらない", "変わらない"), ("わからない", "どれか")])
def test_experiment_rejects_wrong_conclusions(answer, word):
    result = ch07.q5.evaluate(answer)
    assert result.status is Status.INCORRECT and word in result.message


@pytest.mark.parametrize("bad", [1.5, ["増える"]], ids=["num", "list"])
def test_experiment_bad_inputs_are_falsy(bad):
    result = ch07.q5.evaluate(bad)
    assert not result and is_japanese(result.message)


def test_doctests():
    assert doctest.testmod(ch07).failed == 0
