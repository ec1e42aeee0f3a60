"""第5章の演習の判定器に固有のこと。すべての章に共通する確認 (ヒント・未回答・変な入力・模範解答・
よくある間違い) は test_all_chapters.py にあります。"""

import numpy as np
import pytest
import torch

from rnncourse.models.counting import recurrent_param_count
from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch05

FUNCTION_QUESTIONS = [ch05.q4, ch05.q5]


def test_question_kinds():
    kinds = {name: type(getattr(ch05, name)) for name in ch05.__all__ if name.startswith("q")}
    assert kinds == {"q1": ValueQuestion, "q2": ValueQuestion, "q3": ValueQuestion, "q4": FunctionQuestion,
                     "q5": FunctionQuestion, "q6": ValueQuestion, "q7": RuleQuestion}


# ------------------------------------------------------------------ 値の問題
def test_expected_values_agree_with_torch():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(5, 7, num_layers=3, bidirectional=True, batch_first=True)
    output, h_n = rnn(torch.zeros(4, 9, 5))
    assert ch05.q1.expected == (tuple(output.shape), tuple(h_n.shape))
    rnn = torch.nn.RNN(10, 32, num_layers=2, bidirectional=True)
    assert ch05.q2.expected == sum(p.numel() for p in rnn.parameters()) == recurrent_param_count("rnn", 10, 32, 2, True)


def test_positions_agree_with_torch():
    torch.manual_seed(0)
    H = 4
    rnn = torch.nn.RNN(3, H, num_layers=3, bidirectional=True, batch_first=True)
    output, h_n = rnn(torch.randn(2, 6, 3))
    forward_index, backward_time = ch05.q3.expected
    assert torch.allclose(h_n[forward_index], output[:, -1, :H])
    assert torch.allclose(h_n[5], output[:, backward_time, H:])


def test_unidirectional_limit_matches_simulation():
    x = np.random.default_rng(0).standard_normal((2, 200_000))
    estimate = np.mean((x[0] > 0) == (x[0] + x[1] > 0))
    assert abs(estimate - ch05.q6.expected) < 0.005
    assert ch05.q6.evaluate(round(estimate, 3))  # シミュレーションの値も正解


def test_value_answers_in_other_forms_pass():
    assert ch05.q1.evaluate([list(ch05.q1.expected[0]), torch.Size(ch05.q1.expected[1])])
    assert ch05.q2.evaluate(np.int64(ch05.q2.expected)) and ch05.q2.evaluate(float(ch05.q2.expected))
    assert ch05.q3.evaluate([4, 0]) and ch05.q6.evaluate(3 / 4) and ch05.q6.evaluate(np.float64(0.751))


# ------------------------------------------------------------------ 関数の問題
def _model_loop(x, h0, W_ih, W_hh, b_ih, b_hh):  # 学習者が書く模範解答
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        states.append(h)
    return np.stack(states, axis=1), h[None]


def _model_loop_with_rnncell(x, h0, W_ih, W_hh, b_ih, b_hh):  # nn.RNNCell を使う解き方も正解
    cell = torch.nn.RNNCell(x.shape[2], h0.shape[1], dtype=torch.float64)
    with torch.no_grad():
        for name, value in [("weight_ih", W_ih), ("weight_hh", W_hh), ("bias_ih", b_ih), ("bias_hh", b_hh)]:
            getattr(cell, name).copy_(torch.from_numpy(value))
        h, states = torch.from_numpy(h0), []
        for t in range(x.shape[1]):
            h = cell(torch.from_numpy(x[:, t]), h)
            states.append(h)
    return torch.stack(states, dim=1).numpy(), h[None].numpy()


def _model_last(output, lengths):
    return np.stack([output[n, length - 1] for n, length in enumerate(lengths)])


@pytest.mark.parametrize(
    "q, model", [(ch05.q4, _model_loop), (ch05.q4, _model_loop_with_rnncell), (ch05.q5, _model_last)],
    ids=["q4-numpy", "q4-rnncell", "q5"],
)
def test_learner_style_answers_pass(q, model):
    assert q.evaluate(model)


def test_loop_reference_is_torch_rnn_and_cases_cover_edges():
    args = ch05.q4.cases[0].args
    output, h_n = ch05.torch_rnn_forward(*args)
    np.testing.assert_allclose(output, _model_loop(*args)[0], atol=1e-12)
    assert h_n.shape == (1,) + output.shape[::2]
    labels = " ".join(c.label for q in FUNCTION_QUESTIONS for c in q.cases)
    assert "T = 1" in labels and "N = 1" in labels and "0 の場合" in labels


def test_last_hidden_matches_pack_padded_sequence():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(1, 3, batch_first=True)
    lengths = np.array([4, 1, 3])
    x = torch.randn(3, 4, 1) * torch.from_numpy(lengths[:, None, None] > np.arange(4)[None, :, None])
    with torch.no_grad():
        output, _ = rnn(x)
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.from_numpy(lengths), batch_first=True, enforce_sorted=False)
        _, h_n = rnn(packed)
    np.testing.assert_allclose(ch05.q5.reference(output.numpy(), lengths), h_n[0].numpy(), atol=1e-6)


def test_function_specific_messages():
    torch_answer = lambda *args: tuple(torch.from_numpy(a) for a in _model_loop(*args))  # noqa: E731
    assert "PyTorch のテンソル" in ch05.q4.evaluate(torch_answer).message
    assert "形は" in ch05.q5.evaluate(lambda *args: np.zeros((1, 1))).message


# ------------------------------------------------------------------ 実験の問題
def test_experiment_accepts_measured_accuracies():
    # 解答ノートブックで測った値 (単方向 0.760、双方向 0.988) とその近く
    for answer in [(0.760, 0.988), [0.74, 0.93], (np.float64(0.78), np.float64(0.99))]:
        assert ch05.q7.evaluate(answer), answer


@pytest.mark.parametrize(
    "answer, words",
    [((0.988, 0.760), "順番"), ((0.95, 0.99), "上限"), ((0.76, 0.85), "まだ低い"), ((0.80, 0.88), "まだ低い"),
     ((76.0, 98.8), "割合"), ((True, 0.9), "0 以上 1 以下"), ((torch.tensor(0.76), 0.99), "0 以上 1 以下"),
     (None, "None"), (0.76, "組"), ("0.76, 0.98", "組"), ((0.76,), "組")],
)
def test_experiment_wrong_answers_explain(answer, words):
    result = ch05.q7.evaluate(answer)
    assert result.status is Status.INCORRECT and not result and words in result.message


def test_experiment_gap_rule():
    result = ch05.q7.evaluate((0.849, 0.9))
    assert not result and "差が小さすぎ" in result.message
