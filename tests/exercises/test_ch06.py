"""第6章の演習の判定器に固有のこと。すべての章に共通する確認 (ヒント・未回答・変な入力・模範解答・
よくある間違い) は test_all_chapters.py にあります。"""

import math

import numpy as np
import pytest
import torch

from rnncourse.nn.activations import sigmoid
from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch06
from rnncourse.nn.gru import gru_step_forward
from rnncourse.nn.lstm import lstm_step_forward

from .test_all_chapters import is_japanese

FUNCTION_QUESTIONS = [ch06.q4, ch06.q5]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """演習 6 の実験を速く、毎回同じにする (ノートブックの reproducible と同じ 1 スレッド)。"""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_question_kinds():
    kinds = {name: type(getattr(ch06, name)) for name in ch06.__all__ if name.startswith("q")}
    assert kinds == {"q1": ValueQuestion, "q2": ValueQuestion, "q3": ValueQuestion, "q4": FunctionQuestion,
                     "q5": FunctionQuestion, "q6": RuleQuestion}


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
    assert math.isclose(b, 3.0549, abs_tol=1e-4)


def test_q3_accepts_a_rounded_answer_and_numpy_scalars():
    assert ch06.q3.evaluate(3.055) and ch06.q3.evaluate(np.float64(ch06.q3.expected))
    assert not ch06.q3.evaluate(3.0)


@pytest.mark.parametrize("q", [ch06.q1, ch06.q2, ch06.q3], ids=["q1", "q2", "q3"])
def test_value_of_the_wrong_length_is_falsy(q):
    result = q.evaluate((1, 2, 3))  # q1, q2 は 2 つ組、q3 は 1 つの数
    assert not result and result.status is Status.INCORRECT
    assert is_japanese(result.message)


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
def test_learner_style_answers_pass(q, model):
    assert q.evaluate(model)


def test_model_answers_match_torch_cells():
    rng = np.random.default_rng(0)
    x_t, h_prev, c_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    lstm = torch.nn.LSTMCell(3, 4).double()
    h, c = lstm(torch.from_numpy(x_t), (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))
    b = (lstm.bias_ih + lstm.bias_hh).detach().numpy()
    ours = _model_lstm(x_t, h_prev, c_prev, lstm.weight_ih.detach().numpy(), lstm.weight_hh.detach().numpy(), b)
    np.testing.assert_allclose(ours[0], h.detach().numpy())
    np.testing.assert_allclose(ours[1], c.detach().numpy())
    gru = torch.nn.GRUCell(3, 4).double()
    with torch.no_grad():
        gru.bias_hh.normal_()  # b_hn が 0 でないときの r の掛け方まで確かめる
    h = gru(torch.from_numpy(x_t), torch.from_numpy(h_prev))
    weights = [p.detach().numpy() for p in (gru.weight_ih, gru.weight_hh, gru.bias_ih, gru.bias_hh)]
    np.testing.assert_allclose(_model_gru(x_t, h_prev, *weights)[0], h.detach().numpy())


def test_wrong_shapes_are_explained():
    assert "形は" in ch06.q4.evaluate(lambda *args: (np.zeros((1, 1)),) * 3).message
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
