"""第4章の演習の判定器: 模範解答は正解、よくある間違いは原因つきの不正解、未回答と変な入力は偽。"""

import math

import numpy as np
import pytest

from rnncourse.clipping import clip_grad_norm
from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch04
from rnncourse.gradient_flow import hidden_gradient_norms, step_jacobian
from rnncourse.rnn import rnn_forward

VALUE_QUESTIONS = [ch04.q1, ch04.q2]
FUNCTION_QUESTIONS = [ch04.q3, ch04.q4, ch04.q5]
ALL = [ch04.q1, ch04.q2, ch04.q3, ch04.q4, ch04.q5, ch04.q6]


def _ids(questions):
    return [q.name for q in questions]


def _is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def test_module_lists_at_least_five_questions():
    assert [name for name in ch04.__all__ if name.startswith("q")] == ["q1", "q2", "q3", "q4", "q5", "q6"]


@pytest.mark.parametrize("q", ALL, ids=_ids(ALL))
def test_every_question_is_documented(q):
    assert q.answer_name and len(q.hints) >= 2 and q.answer
    assert all(_is_japanese(h) for h in q.hints) and _is_japanese(q.answer)
    if not isinstance(q, RuleQuestion):
        assert len(q.mistakes) >= 2


def test_question_types():
    assert all(isinstance(q, ValueQuestion) for q in VALUE_QUESTIONS)
    assert all(isinstance(q, FunctionQuestion) for q in FUNCTION_QUESTIONS)
    assert isinstance(ch04.q6, RuleQuestion)


# ------------------------------------------------------------------ 値の問題
def test_expected_values_follow_the_formulas():
    h, grad = 0.5, 1.0
    for _ in range(3):  # ∂h_3/∂h_0 = Π w (1 − h_t²)
        h = math.tanh(1.5 * h)
        grad *= 1.5 * (1 - h**2)
    assert ch04.q1.expected == pytest.approx(grad, rel=1e-12)
    assert grad < 1 < 1.5**3  # w > 1 でも飽和で 1 より小さい (問題文の主張)
    rho = math.sqrt(0.6**2 + 0.6**2)  # 固有値 0.6 ± 0.6i
    assert ch04.q2.expected == pytest.approx((rho, math.log10(rho)), rel=1e-12)
    assert np.linalg.norm(ch04.Q2_W, 2) > 1 > rho  # 2-ノルムとスペクトル半径で結論が逆になる行列


@pytest.mark.parametrize("q", VALUE_QUESTIONS, ids=_ids(VALUE_QUESTIONS))
def test_value_model_answer_passes(q):
    assert q.evaluate(q.expected)


def test_rounded_answers_are_accepted():
    rho, slope = ch04.q2.expected
    assert ch04.q2.evaluate((round(rho, 4), round(slope, 4)))
    assert ch04.q2.evaluate([np.float64(rho), np.float64(slope)])
    assert ch04.q1.evaluate(round(ch04.q1.expected, 5))


@pytest.mark.parametrize(
    "q, wrong, cause", [(q, w, c) for q in VALUE_QUESTIONS for w, c in q.mistakes],
    ids=[f"{q.name}-{i}" for q in VALUE_QUESTIONS for i in range(len(q.mistakes))],
)
def test_value_mistakes_name_their_cause(q, wrong, cause):
    result = q.evaluate(wrong)
    assert result.status is Status.INCORRECT and not result
    assert cause in result.message


@pytest.mark.parametrize("q", [*VALUE_QUESTIONS, ch04.q6], ids=_ids([*VALUE_QUESTIONS, ch04.q6]))
@pytest.mark.parametrize("bad", [None, "12", len, 3.5, np.zeros((2, 3))], ids=["None", "str", "func", "num", "array"])
def test_bad_values_are_falsy(q, bad):
    result = q.evaluate(bad)
    assert not result and result.status is Status.INCORRECT
    assert _is_japanese(result.message)


@pytest.mark.parametrize("q", [*VALUE_QUESTIONS, ch04.q6], ids=_ids([*VALUE_QUESTIONS, ch04.q6]))
def test_value_starter_is_not_attempted(q):
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------ 関数の問題
def test_function_questions_use_package_references():
    assert ch04.q3.reference is step_jacobian and ch04.q4.reference is clip_grad_norm
    labels = " ".join(c.label for q in FUNCTION_QUESTIONS for c in q.cases)
    assert "T = 1" in labels and "H = 1" in labels and "0 の場合" in labels


def test_gradient_norms_reference_agrees_with_bptt():
    """q5 の模範解答は、rnn_step_backward を当てる hidden_gradient_norms と同じ値を出す。"""
    rng = np.random.default_rng(0)
    T, D, H = 7, 2, 4
    W_xh, W_hh, b_h = rng.normal(size=(H, D)), rng.normal(size=(H, H)) / 2, rng.normal(size=H)
    x, h0, g = rng.normal(size=(1, T, D)), np.zeros((1, H)), rng.normal(size=(1, H))
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    norms = ch04.q5.reference(h[0], W_hh, g[0])
    assert norms.shape == (T + 1,)
    np.testing.assert_allclose(norms[:T], hidden_gradient_norms(W_hh, W_xh, b_h, x, h0, dh_last=g), rtol=1e-12)


def _model_step_jacobian(h_t, W_hh):  # 学習者が書く模範解答
    return np.diag(1 - h_t**2) @ W_hh


def _model_clip(grads, max_norm):
    total = math.sqrt(sum(float((g**2).sum()) for g in grads))
    if total > max_norm:  # eps なしの書き方も受け付ける
        return [g * (max_norm / total) for g in grads], total
    return list(grads), total


def _model_gradient_norms(h, W_hh, dh_last):
    dh, norms = dh_last, [np.linalg.norm(dh_last)]
    for t in range(h.shape[0] - 1, -1, -1):
        dh = dh @ np.diag(1 - h[t] ** 2) @ W_hh
        norms.append(np.linalg.norm(dh))
    return np.array(norms)


@pytest.mark.parametrize(
    "q, model",
    [(ch04.q3, _model_step_jacobian), (ch04.q4, _model_clip), (ch04.q5, _model_gradient_norms)],
    ids=["q3", "q4", "q5"],
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


def test_clip_does_not_modify_the_learners_input():
    grads = [np.array([3.0, 4.0])]
    ch04.q4.reference(grads, 1.0)
    np.testing.assert_array_equal(grads[0], [3.0, 4.0])


def _starter(*args):
    raise NotImplementedError()


def _raises(*args):
    raise ValueError("わざと")


@pytest.mark.parametrize("q", FUNCTION_QUESTIONS, ids=_ids(FUNCTION_QUESTIONS))
def test_function_starter_and_bad_inputs(q):
    assert q.evaluate(_starter).status is Status.NOT_ATTEMPTED
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED
    for bad, status in [(None, Status.INCORRECT), ("step_jacobian", Status.INCORRECT), (3, Status.INCORRECT),
                        (_raises, Status.ERROR), (lambda *args: np.zeros((1, 1)), Status.INCORRECT)]:
        result = q.evaluate(bad)
        assert not result and result.status is status, bad
        assert _is_japanese(result.message)


def test_wrong_shapes_are_explained():
    assert "形は" in ch04.q3.evaluate(lambda h_t, W_hh: np.zeros((1, 1))).message
    assert "形は" in ch04.q5.evaluate(lambda h, W_hh, dh_last: np.zeros(2)).message
    assert "組のはず" in ch04.q4.evaluate(lambda grads, max_norm: np.zeros(2)).message


# ------------------------------------------------------------------ 実験の問題
@pytest.mark.parametrize("answer", [40, 40.0, np.int64(40), np.array(40)])
def test_experiment_accepts_the_measured_length(answer):
    assert ch04.q6.evaluate(answer)


@pytest.mark.parametrize(
    "answer, words",
    [(20, "まだ 0.6 以上"), (5, "まだ 0.6 以上"), (80, "この中から"), (30, "この中から"),
     (40.5, "整数"), (float("nan"), "整数"), (True, "1 つの整数"), ("40", "1 つの整数"), (None, "None")],
)
def test_experiment_wrong_answers_explain(answer, words):
    result = ch04.q6.evaluate(answer)
    assert result.status is Status.INCORRECT and words in result.message
