"""第2章の演習の判定器に固有のこと。すべての章に共通する確認 (ヒント・未回答・変な入力・模範解答・
よくある間違い) は test_all_chapters.py にあります。"""

import numpy as np
import pytest
import torch

from rnncourse.models.counting import activation_count
from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch02
from rnncourse.nn.rnn import rnn_forward, rnn_step_forward

FUNCTION_QUESTIONS = [ch02.q4, ch02.q5]


def test_question_kinds():
    kinds = {name: type(getattr(ch02, name)) for name in ch02.__all__ if name.startswith("q")}
    assert kinds == {"q1": ValueQuestion, "q2": ValueQuestion, "q3": ValueQuestion, "q4": FunctionQuestion,
                     "q5": FunctionQuestion, "q6": RuleQuestion}


# ------------------------------------------------------------------ 値の問題
def test_expected_values_agree_with_torch():
    rnn, linear = torch.nn.RNN(20, 64, batch_first=True), torch.nn.Linear(64, 30)
    assert ch02.q2.expected == sum(p.numel() for p in [*rnn.parameters(), *linear.parameters()])
    assert ch02.q3.expected == activation_count(64, 200, 512) * 4
    h, _ = rnn_forward(np.zeros((4, 7, 3)), np.zeros((4, 5)), np.zeros((5, 3)), np.zeros((5, 5)), np.zeros(5))
    assert ch02.q1.expected[0] == h.shape


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
def test_learner_style_answers_pass(q, model):
    assert q.evaluate(model)


@pytest.mark.parametrize("q", FUNCTION_QUESTIONS, ids=["q4", "q5"])
def test_wrong_hidden_shape_is_explained(q):
    result = q.evaluate(lambda *args: (np.zeros((1, 1)), None))  # cache は比べないので h だけが違う
    assert result.status is Status.INCORRECT and "形は" in result.message


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
