"""第1章の演習の判定器: 模範解答は正解、よくある間違いは原因つきの不正解、未回答と変な入力は偽。"""

import numpy as np
import pytest

from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch01
from rnncourse.padding import length_mask, pad_sequences
from rnncourse.text import CharVocab
from rnncourse.timeseries import naive_forecast_mse, noisy_sine, sliding_windows, train_test_split_series

VALUE_QUESTIONS = [ch01.q1, ch01.q2, ch01.q6]
FUNCTION_QUESTIONS = [ch01.q3, ch01.q4, ch01.q5]
ALL = [ch01.q1, ch01.q2, ch01.q3, ch01.q4, ch01.q5, ch01.q6, ch01.q7]


def _ids(questions):
    return [q.name for q in questions]


def _is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def test_module_lists_at_least_five_questions():
    assert [name for name in ch01.__all__ if name.startswith("q")] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]


@pytest.mark.parametrize("q", ALL, ids=_ids(ALL))
def test_every_question_is_documented(q):
    assert q.answer_name and len(q.hints) >= 2 and q.answer
    assert all(_is_japanese(h) for h in q.hints) and _is_japanese(q.answer)
    if not isinstance(q, RuleQuestion):
        assert len(q.mistakes) >= 2


def test_question_types():
    assert all(isinstance(q, ValueQuestion) for q in VALUE_QUESTIONS)
    assert all(isinstance(q, FunctionQuestion) for q in FUNCTION_QUESTIONS)
    assert isinstance(ch01.q7, RuleQuestion)


# ------------------------------------------------------------------ 値の問題
def test_expected_values_follow_from_package_functions():
    assert ch01.q1.expected == ((8, 2), (8, 9, 1000))
    train, test = train_test_split_series(np.arange(500.0), test_fraction=0.2)
    assert ch01.q2.expected == len(sliding_windows(train, 20, horizon=3)[0]) == 400 - 20 - 3 + 1
    _, test = train_test_split_series(noisy_sine(300, noise=0.2, seed=1), test_fraction=0.25)
    assert ch01.q6.expected == naive_forecast_mse(*sliding_windows(test, 10))


@pytest.mark.parametrize("q", VALUE_QUESTIONS, ids=_ids(VALUE_QUESTIONS))
def test_value_model_answer_passes(q):
    assert q.evaluate(q.expected)


def test_value_answers_in_other_forms_pass():
    assert ch01.q1.evaluate([[8, 2], [8, 9, 1000]])
    assert ch01.q2.evaluate(np.int64(378)) and ch01.q2.evaluate(378.0)
    assert ch01.q6.evaluate(np.float64(ch01.q6.expected))


@pytest.mark.parametrize(
    "q, wrong, cause", [(q, w, c) for q in VALUE_QUESTIONS for w, c in q.mistakes],
    ids=[f"{q.name}-{i}" for q in VALUE_QUESTIONS for i in range(len(q.mistakes))],
)
def test_value_mistakes_name_their_cause(q, wrong, cause):
    result = q.evaluate(wrong)
    assert result.status is Status.INCORRECT and not result
    assert cause in result.message


@pytest.mark.parametrize("q", VALUE_QUESTIONS, ids=_ids(VALUE_QUESTIONS))
@pytest.mark.parametrize("bad", [None, "12", len, 3.5, np.zeros((2, 3))], ids=["None", "str", "func", "num", "array"])
def test_value_bad_inputs_are_falsy(q, bad):
    result = q.evaluate(bad)
    assert not result and result.status is Status.INCORRECT
    assert _is_japanese(result.message)


@pytest.mark.parametrize("q", [*VALUE_QUESTIONS, ch01.q7], ids=_ids([*VALUE_QUESTIONS, ch01.q7]))
def test_value_starter_is_not_attempted(q):
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------ 関数の問題
def test_function_questions_use_package_references():
    assert ch01.q3.reference is sliding_windows and ch01.q4.reference is length_mask
    text = "犬が猫を追う。"
    np.testing.assert_array_equal(ch01.q5.reference(text), CharVocab.from_text(text).encode(text))
    labels = " ".join(c.label for q in FUNCTION_QUESTIONS for c in q.cases)
    assert "T = 1" in labels and "N = 1" in labels and "0 の場合" in labels


def _model_windows(series, window, horizon=1):  # 学習者が書く模範解答
    M = len(series) - window - horizon + 1
    X = np.stack([series[i : i + window] for i in range(M)])[:, :, None]
    y = np.stack([series[i + window : i + window + horizon] for i in range(M)])
    return X, y


def _model_mask(lengths, T_max):
    return (np.arange(T_max)[None, :] < lengths[:, None]).astype(int)  # 0/1 の整数でも正解


def _model_encode(text):
    chars = sorted(set(text))
    return np.array([chars.index(c) for c in text])


@pytest.mark.parametrize(
    "q, model", [(ch01.q3, _model_windows), (ch01.q4, _model_mask), (ch01.q5, _model_encode)], ids=["q3", "q4", "q5"]
)
def test_function_model_answers_pass(q, model):
    assert q.evaluate(q.reference) and q.evaluate(model)


@pytest.mark.parametrize(
    "q, wrong, cause", [(q, w, c) for q in FUNCTION_QUESTIONS for w, c in q.mistakes],
    ids=[f"{q.name}-{w.__name__}" for q in FUNCTION_QUESTIONS for w, _ in q.mistakes],
)
def test_function_mistakes_name_their_cause(q, wrong, cause):
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
def test_function_starter_and_bad_inputs(q):
    assert q.evaluate(_starter).status is Status.NOT_ATTEMPTED
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED
    for bad, status in [(None, Status.INCORRECT), ("make", Status.INCORRECT), (3, Status.INCORRECT),
                        (_raises, Status.ERROR), (_wrong_shape, Status.INCORRECT), (lambda *args: None, Status.INCORRECT)]:
        result = q.evaluate(bad)
        assert not result and result.status is status, bad
        assert _is_japanese(result.message)


def test_function_specific_messages():
    assert "組のはず" in ch01.q3.evaluate(_wrong_shape).message  # (X, y) の組を返していない
    assert "形は" in ch01.q4.evaluate(_wrong_shape).message
    assert "NumPy 配列のはず" in ch01.q5.evaluate(lambda text: [0] * len(text)).message
    assert "return" in ch01.q4.evaluate(lambda *args: None).message


def test_mask_checker_agrees_with_padding():
    seqs = [np.ones(3), np.ones(1), np.ones(2)]
    _, lengths = pad_sequences(seqs)
    np.testing.assert_array_equal(ch01.q4.reference(lengths, 3), [[1, 1, 1], [1, 0, 0], [1, 1, 0]])


# ------------------------------------------------------------------ 実験の問題
def test_experiment_crossover_is_where_mean_first_wins():
    wins = [noise for noise in ch01.Q7_NOISE_LEVELS if ch01.baseline_mses(noise)[1] < ch01.baseline_mses(noise)[0]]
    assert wins and wins[0] > 0.1  # 本文の条件 (noise = 0.1) では素朴な予測が勝つ
    assert all(noise in wins for noise in ch01.Q7_NOISE_LEVELS if noise >= wins[0])  # 一度逆転したら戻らない
    naive, mean = ch01.baseline_mses(0.1)
    assert naive < mean
    assert ch01.q7.evaluate(wins[0])


@pytest.mark.parametrize("convert", [float, np.float64, np.array, lambda v: round(v, 1) + 1e-12])
def test_experiment_accepts_the_crossover_in_any_numeric_form(convert):
    crossover = next(n for n in ch01.Q7_NOISE_LEVELS if ch01.baseline_mses(n)[1] < ch01.baseline_mses(n)[0])
    assert ch01.q7.evaluate(convert(crossover))


@pytest.mark.parametrize(
    "answer, words",
    [(0.1, "まだ素朴な予測のほうが良い"), (0.7, "まだ素朴な予測のほうが良い"), (1.0, "それより小さいノイズ"),
     (0.9, "それより小さいノイズ"), (0.85, "どれでもありません"), (None, "None"), ("0.8", "数"), (True, "数"),
     (len, "数"), (float("nan"), "どれでもありません")],
)
def test_experiment_wrong_answers_explain(answer, words):
    result = ch01.q7.evaluate(answer)
    assert result.status is Status.INCORRECT and not result and words in result.message
