"""第3章の演習の判定器: 模範解答は正解、よくある間違いは原因つきの不正解、未回答と変な入力は偽。"""

import numpy as np
import pytest

from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch03
from rnncourse.gradcheck import rel_error
from rnncourse.rnn import rnn_backward, rnn_step_backward
from rnncourse.tasks import lag_task
from rnncourse.tbptt import init_regressor_params, tbptt_loss_and_grads, train_tbptt

VALUE_QUESTIONS = [ch03.q1, ch03.q3]
FUNCTION_QUESTIONS = [ch03.q2, ch03.q4, ch03.q5]
ALL = [ch03.q1, ch03.q2, ch03.q3, ch03.q4, ch03.q5, ch03.q6]


def _ids(questions):
    return [q.name for q in questions]


def _is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def test_module_lists_at_least_five_questions():
    assert [name for name in ch03.__all__ if name.startswith("q")] == ["q1", "q2", "q3", "q4", "q5", "q6"]


@pytest.mark.parametrize("q", ALL, ids=_ids(ALL))
def test_every_question_is_documented(q):
    assert q.answer_name and len(q.hints) >= 2 and q.answer
    assert all(_is_japanese(h) for h in q.hints) and _is_japanese(q.answer)
    if not isinstance(q, RuleQuestion):
        assert len(q.mistakes) >= 2


def test_question_types():
    assert all(isinstance(q, ValueQuestion) for q in VALUE_QUESTIONS)
    assert all(isinstance(q, FunctionQuestion) for q in FUNCTION_QUESTIONS)
    assert isinstance(ch03.q6, RuleQuestion)


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


@pytest.mark.parametrize("q", VALUE_QUESTIONS, ids=_ids(VALUE_QUESTIONS))
def test_value_model_answer_passes(q):
    assert q.evaluate(q.expected)
    assert q.evaluate(list(q.expected))  # リストで答えても同じ


@pytest.mark.parametrize(
    "q, wrong, cause", [(q, w, c) for q in VALUE_QUESTIONS for w, c in q.mistakes],
    ids=[f"{q.name}-{i}" for q in VALUE_QUESTIONS for i in range(len(q.mistakes))],
)
def test_value_mistakes_name_their_cause(q, wrong, cause):
    result = q.evaluate(wrong)
    assert result.status is Status.INCORRECT and not result
    assert cause in result.message


@pytest.mark.parametrize("q", [*VALUE_QUESTIONS, ch03.q6], ids=_ids([*VALUE_QUESTIONS, ch03.q6]))
@pytest.mark.parametrize("bad", [None, "12", len, 3.5, np.zeros((2, 3))], ids=["None", "str", "func", "num", "array"])
def test_bad_values_are_falsy(q, bad):
    result = q.evaluate(bad)
    assert not result and result.status is Status.INCORRECT
    assert _is_japanese(result.message)


@pytest.mark.parametrize("q", [*VALUE_QUESTIONS, ch03.q6], ids=_ids([*VALUE_QUESTIONS, ch03.q6]))
def test_value_starter_is_not_attempted(q):
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED


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


def test_t1_case_cannot_tell_recurrence_bugs_apart():
    """T = 1 では時間方向のバグが現れない (だから T ≥ 2 のケースを先に置いている)。"""
    t1_case = next(c for c in ch03.q5.cases if c.label.startswith("T = 1"))
    expected = rnn_backward(*t1_case.args)
    for wrong, _ in ch03.q5.mistakes:
        if wrong.__name__ in ("_backward_no_future", "_backward_overwrite", "_backward_forward_order",
                              "_backward_last_hidden"):
            assert all(np.allclose(a, b) for a, b in zip(wrong(*t1_case.args), expected))
    assert ch03.q5.cases[0].args[1].h.shape[1] >= 2


def _starter(*args):
    raise NotImplementedError()


def _raises(*args):
    raise ValueError("わざと")


def _wrong_shape(*args):
    return tuple(np.zeros((1, 1)) for _ in range(5))


@pytest.mark.parametrize("q", [ch03.q4, ch03.q5], ids=["q4", "q5"])
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


def test_rel_error_starter_and_bad_inputs():
    q = ch03.q2
    assert q.evaluate(_starter).status is Status.NOT_ATTEMPTED
    for bad, status in [(None, Status.INCORRECT), ("rel", Status.INCORRECT), (_raises, Status.ERROR),
                        (lambda a, b: np.abs(a - b), Status.INCORRECT), (lambda a, b: "0", Status.INCORRECT)]:
        result = q.evaluate(bad)
        assert not result and result.status is status, bad
        assert _is_japanese(result.message)


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
