"""第2章の演習の判定器: 模範解答は正解、よくある間違いは原因つきの不正解、未回答と変な入力は偽。"""

import numpy as np
import pytest
import torch

from rnncourse.counting import activation_count
from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch02
from rnncourse.rnn import rnn_forward, rnn_step_forward

VALUE_QUESTIONS = [ch02.q1, ch02.q2, ch02.q3]
FUNCTION_QUESTIONS = [ch02.q4, ch02.q5]
ALL = [ch02.q1, ch02.q2, ch02.q3, ch02.q4, ch02.q5, ch02.q6]


def _ids(questions):
    return [q.name for q in questions]


def _is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def test_module_lists_at_least_five_questions():
    assert [name for name in ch02.__all__ if name.startswith("q")] == ["q1", "q2", "q3", "q4", "q5", "q6"]


@pytest.mark.parametrize("q", ALL, ids=_ids(ALL))
def test_every_question_is_documented(q):
    assert q.answer_name and len(q.hints) >= 2 and q.answer
    assert all(_is_japanese(h) for h in q.hints) and _is_japanese(q.answer)
    if not isinstance(q, RuleQuestion):
        assert len(q.mistakes) >= 2


# ------------------------------------------------------------------ 値の問題
def test_expected_values_agree_with_torch():
    rnn, linear = torch.nn.RNN(20, 64, batch_first=True), torch.nn.Linear(64, 30)
    assert ch02.q2.expected == sum(p.numel() for p in [*rnn.parameters(), *linear.parameters()])
    assert ch02.q3.expected == activation_count(64, 200, 512) * 4
    h, _ = rnn_forward(np.zeros((4, 7, 3)), np.zeros((4, 5)), np.zeros((5, 3)), np.zeros((5, 5)), np.zeros(5))
    assert ch02.q1.expected[0] == h.shape


@pytest.mark.parametrize("q", VALUE_QUESTIONS, ids=_ids(VALUE_QUESTIONS))
def test_value_model_answer_passes(q):
    assert q.evaluate(q.expected)


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


@pytest.mark.parametrize("q", [*VALUE_QUESTIONS, ch02.q6], ids=_ids([*VALUE_QUESTIONS, ch02.q6]))
def test_value_starter_is_not_attempted(q):
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------ 関数の問題
def test_function_questions_use_package_references():
    assert ch02.q4.reference is rnn_step_forward and ch02.q5.reference is rnn_forward
    labels = " ".join(c.label for q in FUNCTION_QUESTIONS for c in q.cases)
    assert "T = 1" in labels and "N = 1" in labels and "0 の場合" in labels


def _model_step(x_t, h_prev, W_xh, W_hh, b_h):  # 学習者が書く模範解答
    h_t = np.tanh(x_t @ W_xh.T + h_prev @ W_hh.T + b_h)
    return h_t, (x_t, h_prev, W_xh, W_hh, h_t)


def _model_forward(x, h0, W_xh, W_hh, b_h):
    h, h_prev = np.empty((x.shape[0], x.shape[1], h0.shape[1])), h0
    for t in range(x.shape[1]):
        h_prev = np.tanh(x[:, t] @ W_xh.T + h_prev @ W_hh.T + b_h)
        h[:, t] = h_prev
    return h, None


@pytest.mark.parametrize("q, model", [(ch02.q4, _model_step), (ch02.q5, _model_forward)], ids=["q4", "q5"])
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
    return np.zeros((1, 1)), None


@pytest.mark.parametrize("q", FUNCTION_QUESTIONS, ids=_ids(FUNCTION_QUESTIONS))
def test_function_starter_and_bad_inputs(q):
    assert q.evaluate(_starter).status is Status.NOT_ATTEMPTED
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED
    for bad, status in [(None, Status.INCORRECT), ("rnn", Status.INCORRECT), (3, Status.INCORRECT),
                        (_raises, Status.ERROR), (_wrong_shape, Status.INCORRECT),
                        (lambda *args: np.zeros((1, 1)), Status.INCORRECT)]:
        result = q.evaluate(bad)
        assert not result and result.status is status, bad
        assert _is_japanese(result.message)
    assert "形は" in q.evaluate(_wrong_shape).message
    assert "組のはず" in q.evaluate(lambda *args: np.zeros((1, 1))).message


# ------------------------------------------------------------------ 実験の問題
def test_experiment_boundary_is_near_one():
    assert ch02.impulse_final_norm(0.9) < ch02.Q6_THRESHOLD <= ch02.impulse_final_norm(1.0)
    assert ch02.impulse_final_norm(0.5, T=ch02.Q6_T, H=ch02.Q6_H) == ch02.impulse_final_norm(0.5)


@pytest.mark.parametrize("answer", [1.0, 1, 0.9, 1.1, np.float64(1.0), np.array(1.0)])
def test_experiment_accepts_the_boundary(answer):
    assert ch02.q6.evaluate(answer)


@pytest.mark.parametrize(
    "answer, words",
    [(0.5, "ほぼ消えて"), (0.8, "ほぼ消えて"), (2.0, "飽和"), (1.5, "小さい倍率でも残ります"),
     (None, "None"), ("1.0", "1 つの数"), (True, "1 つの数"), (-1.0, "正の数"), (float("nan"), "正の数"),
     (len, "1 つの数")],
)
def test_experiment_wrong_answers_explain(answer, words):
    result = ch02.q6.evaluate(answer)
    assert result.status is Status.INCORRECT and words in result.message


def test_question_types():
    assert all(isinstance(q, ValueQuestion) for q in VALUE_QUESTIONS)
    assert all(isinstance(q, FunctionQuestion) for q in FUNCTION_QUESTIONS)
    assert isinstance(ch02.q6, RuleQuestion)
