"""第6章の演習の判定器: 模範解答は正解、よくある間違いは原因つきの不正解、未回答と変な入力は偽。"""

import math

import numpy as np
import pytest
import torch

from rnncourse.activations import sigmoid
from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch06
from rnncourse.gru import gru_step_forward
from rnncourse.lstm import lstm_step_forward

VALUE_QUESTIONS = [ch06.q1, ch06.q2, ch06.q3]
FUNCTION_QUESTIONS = [ch06.q4, ch06.q5]
ALL = [ch06.q1, ch06.q2, ch06.q3, ch06.q4, ch06.q5, ch06.q6]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """演習 6 の実験を速く、毎回同じにする (ノートブックの reproducible と同じ 1 スレッド)。"""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _ids(questions):
    return [q.name for q in questions]


def _is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def test_module_lists_six_questions():
    assert [name for name in ch06.__all__ if name.startswith("q")] == ["q1", "q2", "q3", "q4", "q5", "q6"]


@pytest.mark.parametrize("q", ALL, ids=_ids(ALL))
def test_every_question_is_documented(q):
    assert q.answer_name and len(q.hints) >= 2 and q.answer
    assert all(_is_japanese(h) for h in q.hints) and _is_japanese(q.answer)
    if not isinstance(q, RuleQuestion):
        assert len(q.mistakes) >= 2


# ------------------------------------------------------------------ 値の問題
def test_expected_values_agree_with_torch_and_formulas():
    n_lstm = sum(p.numel() for p in torch.nn.LSTM(32, 64).parameters())
    n_gru = sum(p.numel() for p in torch.nn.GRU(32, 64).parameters())
    assert ch06.q1.expected == (n_lstm, n_gru)

    budget = sum(p.numel() for p in torch.nn.RNN(10, 128).parameters())

    def count(kind, H):
        return sum(p.numel() for p in getattr(torch.nn, kind)(10, H).parameters())

    for kind, H in zip(("LSTM", "GRU"), ch06.q2.expected):
        assert abs(count(kind, H) - budget) <= min(abs(count(kind, H - 1) - budget), abs(count(kind, H + 1) - budget))

    b = ch06.q3.expected
    assert sigmoid(np.array(b)) ** 100 == pytest.approx(0.01)


@pytest.mark.parametrize("q", VALUE_QUESTIONS, ids=_ids(VALUE_QUESTIONS))
def test_value_model_answer_passes(q):
    assert q.evaluate(q.expected)


def test_q3_accepts_a_rounded_answer_and_numpy_scalars():
    assert ch06.q3.evaluate(3.055) and ch06.q3.evaluate(np.float64(ch06.q3.expected))
    assert not ch06.q3.evaluate(3.0)


@pytest.mark.parametrize(
    "q, wrong, cause", [(q, w, c) for q in VALUE_QUESTIONS for w, c in q.mistakes],
    ids=[f"{q.name}-{i}" for q in VALUE_QUESTIONS for i in range(len(q.mistakes))],
)
def test_value_mistakes_name_their_cause(q, wrong, cause):
    result = q.evaluate(wrong)
    assert result.status is Status.INCORRECT and not result
    assert cause in result.message


@pytest.mark.parametrize("q", VALUE_QUESTIONS, ids=_ids(VALUE_QUESTIONS))
@pytest.mark.parametrize("bad", [None, "12", len, (1, 2, 3), np.zeros((2, 3))],
                         ids=["None", "str", "func", "tuple3", "array"])
def test_value_bad_inputs_are_falsy(q, bad):
    result = q.evaluate(bad)
    assert not result and result.status is Status.INCORRECT
    assert _is_japanese(result.message)


@pytest.mark.parametrize("q", ALL, ids=_ids(ALL))
def test_starter_value_is_not_attempted(q):
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------ 関数の問題
def test_function_questions_use_package_references_and_edge_cases():
    assert ch06.q4.reference is lstm_step_forward and ch06.q5.reference is gru_step_forward
    for q in FUNCTION_QUESTIONS:
        labels = " ".join(c.label for c in q.cases)
        assert "N = 1" in labels and "H = 1" in labels and "0 の場合" in labels and "最初の時刻" in labels


def _model_lstm(x_t, h_prev, c_prev, W_ih, W_hh, b):  # 学習者が書く模範解答
    a_i, a_f, a_g, a_o = np.split(x_t @ W_ih.T + h_prev @ W_hh.T + b, 4, axis=-1)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c_t), c_t, None


def _model_gru(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    gi_r, gi_z, gi_n = np.split(x_t @ W_ih.T + b_ih, 3, axis=-1)
    gh_r, gh_z, gh_n = np.split(h_prev @ W_hh.T + b_hh, 3, axis=-1)
    r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    return (1 - z) * n + z * h_prev, None


@pytest.mark.parametrize("q, model", [(ch06.q4, _model_lstm), (ch06.q5, _model_gru)], ids=["q4", "q5"])
def test_function_model_answers_pass(q, model):
    assert q.evaluate(q.reference) and q.evaluate(model)


def test_model_answers_match_torch_cells():
    rng = np.random.default_rng(0)
    x_t, h_prev, c_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    lstm = torch.nn.LSTMCell(3, 4).double()
    h, c = lstm(torch.from_numpy(x_t), (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))
    b = (lstm.bias_ih + lstm.bias_hh).detach().numpy()
    ours = _model_lstm(x_t, h_prev, c_prev, lstm.weight_ih.detach().numpy(), lstm.weight_hh.detach().numpy(), b)
    np.testing.assert_allclose(ours[0], h.detach().numpy()) and np.testing.assert_allclose(ours[1], c.detach().numpy())
    gru = torch.nn.GRUCell(3, 4).double()
    with torch.no_grad():
        gru.bias_hh.normal_()  # b_hn が 0 でないときの r の掛け方まで確かめる
    h = gru(torch.from_numpy(x_t), torch.from_numpy(h_prev))
    weights = [p.detach().numpy() for p in (gru.weight_ih, gru.weight_hh, gru.bias_ih, gru.bias_hh)]
    np.testing.assert_allclose(_model_gru(x_t, h_prev, *weights)[0], h.detach().numpy())


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
    return (np.zeros((1, 1)),) * 3


@pytest.mark.parametrize("q", FUNCTION_QUESTIONS, ids=_ids(FUNCTION_QUESTIONS))
def test_function_starter_and_bad_inputs(q):
    assert q.evaluate(_starter).status is Status.NOT_ATTEMPTED
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED
    for bad, status in [(None, Status.INCORRECT), ("lstm", Status.INCORRECT), (3, Status.INCORRECT),
                        (_raises, Status.ERROR), (lambda *args: np.zeros((1, 1)), Status.INCORRECT)]:
        result = q.evaluate(bad)
        assert not result and result.status is status, bad
        assert _is_japanese(result.message)
    assert "組のはず" in q.evaluate(lambda *args: np.zeros((1, 1))).message


def test_function_wrong_shapes_are_explained():
    assert "形は" in ch06.q4.evaluate(_wrong_shape).message
    assert "形は" in ch06.q5.evaluate(lambda *args: (np.zeros((1, 1)), None)).message


# ------------------------------------------------------------------ 実験の問題
def test_experiment_table_and_the_model_answer():
    table = ch06.forget_bias_accuracies()
    assert sorted(table) == list(ch06.Q6_BIASES) and all(len(acc) == len(ch06.Q6_SEEDS) for acc in table.values())
    assert max(table[0.0]) < 0.9  # 既定に近い f ≈ 0.5 では短い学習で解けない
    solved = [b for b, acc in table.items() if min(acc) >= 0.9]
    assert solved and ch06.q6.evaluate(min(solved))
    assert ch06.q6.evaluate(np.float64(min(solved))) and ch06.q6.evaluate(int(min(solved)))


def test_experiment_wrong_answers_explain():
    table = ch06.forget_bias_accuracies()
    best = min(b for b, acc in table.items() if min(acc) >= 0.9)
    too_small = [b for b in ch06.Q6_BIASES if b < best]
    too_large = [b for b in ch06.Q6_BIASES if b > best]
    for b in too_small:
        assert "届きません" in ch06.q6.evaluate(b).message
    for b in too_large:
        assert "それより小さい" in ch06.q6.evaluate(b).message
    for bad, words in [(None, "None"), ("2", "1 つの数"), (True, "1 つの数"), (len, "1 つの数"), (2.5, "どれか"),
                       (float("nan"), "どれか")]:
        result = ch06.q6.evaluate(bad)
        assert result.status is Status.INCORRECT and words in result.message, bad


def test_question_types():
    assert all(isinstance(q, ValueQuestion) for q in VALUE_QUESTIONS)
    assert all(isinstance(q, FunctionQuestion) for q in FUNCTION_QUESTIONS)
    assert isinstance(ch06.q6, RuleQuestion)
    assert math.isclose(ch06.q3.expected, 3.0549, abs_tol=1e-4)
