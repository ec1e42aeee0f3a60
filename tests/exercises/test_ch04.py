"""第4章の演習の判定器に固有のこと。すべての章に共通する確認 (ヒント・未回答・変な入力・模範解答・
よくある間違い) は test_all_chapters.py にあります。"""

import math

import numpy as np
import pytest

from rnncourse.nn.clipping import clip_grad_norm
from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch04
from rnncourse.nn.jacobian import hidden_gradient_norms, step_jacobian
from rnncourse.nn.rnn import rnn_forward

FUNCTION_QUESTIONS = [ch04.q3, ch04.q4, ch04.q5]


def test_question_kinds():
    kinds = {name: type(getattr(ch04, name)) for name in ch04.__all__ if name.startswith("q")}
    assert kinds == {"q1": ValueQuestion, "q2": ValueQuestion, "q3": FunctionQuestion, "q4": FunctionQuestion,
                     "q5": FunctionQuestion, "q6": RuleQuestion}


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


def test_rounded_answers_are_accepted():
    rho, slope = ch04.q2.expected
    assert ch04.q2.evaluate((round(rho, 4), round(slope, 4)))
    assert ch04.q2.evaluate([np.float64(rho), np.float64(slope)])
    assert ch04.q1.evaluate(round(ch04.q1.expected, 5))


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
def test_learner_style_answers_pass(q, model):
    assert q.evaluate(model)


def test_clip_does_not_modify_the_learners_input():
    grads = [np.array([3.0, 4.0])]
    ch04.q4.reference(grads, 1.0)
    np.testing.assert_array_equal(grads[0], [3.0, 4.0])


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
    [(20, "まだ解けた種があります"), (5, "まだ解けた種があります"), (80, "この中から"), (30, "この中から"),
     (40.5, "整数"), (float("nan"), "整数"), (True, "1 つの整数"), ("40", "1 つの整数"), (None, "None")],
)
def test_experiment_wrong_answers_explain(answer, words):
    result = ch04.q6.evaluate(answer)
    assert result.status is Status.INCORRECT and words in result.message
