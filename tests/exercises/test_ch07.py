"""第7章の演習の判定器: 模範解答は正解、よくある間違いは原因つきの不正解、未回答と変な入力は偽。"""

import doctest
import math

import numpy as np
import pytest

from rnncourse.exercises import RuleQuestion, Status, ch07
from rnncourse.language_model import bits_per_char, perplexity_from_losses, temperature_probs
from rnncourse.text import CharVocab, load_corpus, stream_batches

VALUE_QUESTIONS = [ch07.q1]
FUNCTION_QUESTIONS = [ch07.q2, ch07.q3, ch07.q4, ch07.q6]
ALL = [ch07.q1, ch07.q2, ch07.q3, ch07.q4, ch07.q5, ch07.q6]


def _ids(questions):
    return [q.name for q in questions]


def _is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def test_module_lists_at_least_five_questions():
    assert [name for name in ch07.__all__ if name.startswith("q")] == ["q1", "q2", "q3", "q4", "q5", "q6"]


@pytest.mark.parametrize("q", ALL, ids=_ids(ALL))
def test_every_question_is_documented(q):
    assert q.answer_name and len(q.hints) >= 2 and q.answer
    assert all(_is_japanese(h) for h in q.hints) and _is_japanese(q.answer)
    if not isinstance(q, RuleQuestion):
        assert len(q.mistakes) >= 2


# ------------------------------------------------------------------ 値の問題
def test_uniform_perplexity_is_the_vocabulary_size():
    V = CharVocab.from_text(load_corpus()).size
    assert ch07.q1.expected == V
    assert ch07.q1.evaluate(math.exp(math.log(V)))  # 丸め誤差は許す
    assert ch07.q1.evaluate(V)  # 整数でもよい


@pytest.mark.parametrize(
    "wrong, cause", ch07.q1.mistakes, ids=[f"q1-{i}" for i in range(len(ch07.q1.mistakes))]
)
def test_value_mistakes_name_their_cause(wrong, cause):
    result = ch07.q1.evaluate(wrong)
    assert result.status is Status.INCORRECT and not result
    assert cause in result.message


@pytest.mark.parametrize("bad", [None, "931", len, 3.5, np.zeros((2, 3))], ids=["None", "str", "func", "num", "array"])
def test_value_bad_inputs_are_falsy(bad):
    result = ch07.q1.evaluate(bad)
    assert not result and result.status is Status.INCORRECT
    assert _is_japanese(result.message)


@pytest.mark.parametrize("q", [ch07.q1, ch07.q5], ids=["q1", "q5"])
def test_value_starter_is_not_attempted(q):
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED


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
def test_function_model_answers_pass(q, model):
    assert q.evaluate(q.reference) and q.evaluate(model)


@pytest.mark.parametrize(
    "q, wrong, cause", [(q, w, c) for q in FUNCTION_QUESTIONS for w, c in q.mistakes],
    ids=[f"{q.name}-{w.__name__}" for q in FUNCTION_QUESTIONS for w, _ in q.mistakes],
)
def test_function_mistakes_name_their_cause(q, wrong, cause):
    with np.errstate(all="ignore"):
        result = q.evaluate(wrong)
    assert result.status is Status.INCORRECT and not result
    assert cause in result.message


def _starter(*args):
    raise NotImplementedError()


def _raises(*args):
    raise ValueError("わざと")


def _wrong_shape(*args):
    return np.zeros((1, 1))


@pytest.mark.parametrize("q", FUNCTION_QUESTIONS, ids=_ids(FUNCTION_QUESTIONS))
def test_function_starter_is_not_attempted(q):
    assert q.evaluate(_starter).status is Status.NOT_ATTEMPTED
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED


@pytest.mark.parametrize("q", FUNCTION_QUESTIONS, ids=_ids(FUNCTION_QUESTIONS))
@pytest.mark.parametrize("bad", [None, "bits_per_char", 3, _raises, _wrong_shape], ids=["None", "str", "num", "raises", "shape"])
def test_function_bad_inputs_are_falsy(q, bad):
    result = q.evaluate(bad)
    assert not result and result.status in (Status.INCORRECT, Status.ERROR)
    assert _is_japanese(result.message)


def test_temperature_overflow_case_is_labelled():
    def no_max(logits, temperature):
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(logits / temperature)
            return e / e.sum(axis=-1, keepdims=True)

    result = ch07.q4.evaluate(no_max)
    assert not result and "709" in result.message and "最大値" in result.message


def test_streams_returning_a_generator_is_explained():
    result = ch07.q6.evaluate(lambda ids, n, s: stream_batches(ids, n, s))
    assert not result and _is_japanese(result.message)


# ------------------------------------------------------------------ 実験の問題
def test_experiment_entropies_grow_with_temperature():
    H = ch07.bigram_entropies()
    values = [H[t] for t in ch07.Q5_TEMPERATURES]
    assert all(a < b for a, b in zip(values, values[1:]))
    assert values[-1] < math.log2(CharVocab.from_text(load_corpus()).size)


@pytest.mark.parametrize("answer", ["増える", "増加する", " エントロピーは大きくなる "])
def test_experiment_accepts_the_conclusion(answer):
    assert ch07.q5.evaluate(answer)


@pytest.mark.parametrize("answer, word", [("減る", "逆です"), ("変わらない", "変わらない"), ("わからない", "どれか")])
def test_experiment_rejects_wrong_conclusions(answer, word):
    result = ch07.q5.evaluate(answer)
    assert result.status is Status.INCORRECT and word in result.message


@pytest.mark.parametrize("bad", [None, 1.5, ["増える"], len], ids=["None", "num", "list", "func"])
def test_experiment_bad_inputs_are_falsy(bad):
    result = ch07.q5.evaluate(bad)
    assert not result and _is_japanese(result.message)


def test_doctests():
    assert doctest.testmod(ch07).failed == 0
