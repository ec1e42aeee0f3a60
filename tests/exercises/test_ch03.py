"""第3章の演習の判定器に固有のこと。すべての章に共通する確認 (ヒント・未回答・変な入力・模範解答・
よくある間違い) は test_all_chapters.py にあります。"""

import numpy as np
import pytest

from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch03
from rnncourse.nn.gradcheck import rel_error
from rnncourse.nn.rnn import rnn_backward, rnn_step_backward
from rnncourse.data.tasks import lag_task
from rnncourse.labs.tbptt import init_regressor_params, tbptt_loss_and_grads, train_tbptt

from .test_all_chapters import is_japanese

FUNCTION_QUESTIONS = [ch03.q2, ch03.q4, ch03.q5]


def test_question_kinds():
    kinds = {name: type(getattr(ch03, name)) for name in ch03.__all__ if name.startswith("q")}
    assert kinds == {"q1": ValueQuestion, "q2": FunctionQuestion, "q3": ValueQuestion, "q4": FunctionQuestion,
                     "q5": FunctionQuestion, "q6": RuleQuestion}


# ------------------------------------------------------------------ 値の問題
def test_expected_values_agree_with_package():
    N, D, H = ch03.Q1_N, ch03.Q1_D, ch03.Q1_H
    assert ch03.q1.expected == ((N, D), (N, H), (H, D), (H, H), (H,))
    # 打ち切り BPTT を実際に回して数えた値と一致する (T を小さくした同じ形の問題で)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(3, 23, 1)), rng.normal(size=(3, 23, 1))
    _, _, info = tbptt_loss_and_grads(init_regressor_params(1, 2), x, y, K=5)
    assert (info.stored_hidden, info.chunks, info.max_connected_lag) == (3 * 5 * 2, 5, 4)
    assert ch03.q3.expected == (32 * 50 * 128, 20, 49)


# ------------------------------------------------------------------ 関数の問題
def test_function_questions_use_package_references():
    assert ch03.q2.reference is rel_error
    assert ch03.q4.reference is rnn_step_backward and ch03.q5.reference is rnn_backward
    labels = " ".join(c.label for q in FUNCTION_QUESTIONS for c in q.cases)
    assert "T = 1" in labels and "N = 1" in labels and "0 の場合" in labels


def _model_rel_error(a, b):  # 学習者が書く模範解答
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


def _model_step_backward(dh_t, cache):
    x_t, h_prev, W_xh, W_hh, h_t = cache
    da = dh_t * (1 - h_t**2)
    return da @ W_xh, da @ W_hh, da.T @ x_t, da.T @ h_prev, da.sum(axis=0)


def _model_backward(dh, cache):  # パッケージの 1 時刻分を使う書き方
    x, h0, W_xh, W_hh, h = cache
    dx, grads, dh_next = np.zeros_like(x), [np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(h.shape[2])], 0
    for t in reversed(range(h.shape[1])):
        h_prev = h0 if t == 0 else h[:, t - 1]
        dx[:, t], dh_next, *step = rnn_step_backward(dh[:, t] + dh_next, (x[:, t], h_prev, W_xh, W_hh, h[:, t]))
        grads = [g + s for g, s in zip(grads, step)]
    return (dx, dh_next, *grads)


@pytest.mark.parametrize(
    "q, model", [(ch03.q2, _model_rel_error), (ch03.q4, _model_step_backward), (ch03.q5, _model_backward)],
    ids=["q2", "q4", "q5"],
)
def test_learner_style_answers_pass(q, model):
    assert q.evaluate(model)


def test_t1_case_cannot_tell_recurrence_bugs_apart():
    """T = 1 では時間方向のバグが現れない (だから T ≥ 2 のケースを先に置いている)。"""
    t1_case = next(c for c in ch03.q5.cases if c.label.startswith("T = 1"))
    expected = rnn_backward(*t1_case.args)
    for wrong, _ in ch03.q5.mistakes:
        if wrong.__name__ in ("_backward_no_future", "_backward_overwrite", "_backward_forward_order",
                              "_backward_last_hidden"):
            assert all(np.allclose(a, b) for a, b in zip(wrong(*t1_case.args), expected))
    assert ch03.q5.cases[0].args[1].h.shape[1] >= 2


@pytest.mark.parametrize("q", [ch03.q4, ch03.q5], ids=["q4", "q5"])
def test_wrong_gradient_shapes_are_explained(q):
    result = q.evaluate(lambda *args: tuple(np.zeros((1, 1)) for _ in range(5)))
    assert result.status is Status.INCORRECT and "形は" in result.message


@pytest.mark.parametrize("bad", [lambda a, b: np.abs(a - b), lambda a, b: "0"], ids=["array", "str"])
def test_rel_error_must_return_one_number(bad):
    result = ch03.q2.evaluate(bad)
    assert not result and result.status is Status.INCORRECT
    assert is_japanese(result.message)


# ------------------------------------------------------------------ 実験の問題
def test_experiment_boundary_matches_a_short_run():
    """K = 4: ラグ 3 は学べ、ラグ 4 は学べない (ノートブックと同じ条件)。"""
    ratios = {}
    for lag in (3, 4):
        x, y = lag_task(64, T=12, lag=lag, seed=0)
        _, losses = train_tbptt(x, y, ch03.Q6_K, hidden_size=16, steps=100, lr=0.02, seed=0, recurrent_scale=0.0)
        ratios[lag] = losses[-1] / ((12 - lag) / 12)
    assert ratios[3] < ch03.Q6_THRESHOLD < 0.5 < ratios[4]


@pytest.mark.parametrize("answer", [3, 3.0, np.int64(3), np.array(3)])
def test_experiment_accepts_k_minus_one(answer):
    assert ch03.q6.evaluate(answer)


@pytest.mark.parametrize(
    "answer, words",
    [(4, "境目"), (5, "届きません"), (2, "より長いラグ"), (1, "より長いラグ"), (9, "この中から"),
     (3.5, "整数"), (float("nan"), "整数"), (True, "1 つの整数"), ("3", "1 つの整数"), (None, "None")],
)
def test_experiment_wrong_answers_explain(answer, words):
    result = ch03.q6.evaluate(answer)
    assert result.status is Status.INCORRECT and words in result.message
