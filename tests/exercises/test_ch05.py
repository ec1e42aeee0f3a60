"""第5章の演習の判定器: 模範解答は正解、よくある間違いは原因つきの不正解、未回答と変な入力は偽。"""

import numpy as np
import pytest
import torch

from rnncourse.counting import recurrent_param_count
from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch05

VALUE_QUESTIONS = [ch05.q1, ch05.q2, ch05.q3, ch05.q6]
FUNCTION_QUESTIONS = [ch05.q4, ch05.q5]
ALL = [ch05.q1, ch05.q2, ch05.q3, ch05.q4, ch05.q5, ch05.q6, ch05.q7]


def _ids(questions):
    return [q.name for q in questions]


def _is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def test_module_lists_at_least_five_questions():
    assert [name for name in ch05.__all__ if name.startswith("q")] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]


@pytest.mark.parametrize("q", ALL, ids=_ids(ALL))
def test_every_question_is_documented(q):
    assert q.answer_name and len(q.hints) >= 2 and q.answer
    assert all(_is_japanese(h) for h in q.hints) and _is_japanese(q.answer)
    if not isinstance(q, RuleQuestion):
        assert len(q.mistakes) >= 2


def test_question_types():
    assert all(isinstance(q, ValueQuestion) for q in VALUE_QUESTIONS)
    assert all(isinstance(q, FunctionQuestion) for q in FUNCTION_QUESTIONS)
    assert isinstance(ch05.q7, RuleQuestion)


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


@pytest.mark.parametrize("q", VALUE_QUESTIONS, ids=_ids(VALUE_QUESTIONS))
def test_value_model_answer_passes(q):
    assert q.evaluate(q.expected)


def test_value_answers_in_other_forms_pass():
    assert ch05.q1.evaluate([list(ch05.q1.expected[0]), torch.Size(ch05.q1.expected[1])])
    assert ch05.q2.evaluate(np.int64(ch05.q2.expected)) and ch05.q2.evaluate(float(ch05.q2.expected))
    assert ch05.q3.evaluate([4, 0]) and ch05.q6.evaluate(3 / 4) and ch05.q6.evaluate(np.float64(0.751))


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


@pytest.mark.parametrize("q", [*VALUE_QUESTIONS, ch05.q7], ids=_ids([*VALUE_QUESTIONS, ch05.q7]))
def test_value_starter_is_not_attempted(q):
    assert q.evaluate(...).status is Status.NOT_ATTEMPTED


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
def test_function_model_answers_pass(q, model):
    assert q.evaluate(q.reference) and q.evaluate(model)


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
    for bad, status in [(None, Status.INCORRECT), ("rnn_cell_loop", Status.INCORRECT), (3, Status.INCORRECT),
                        (_raises, Status.ERROR), (_wrong_shape, Status.INCORRECT), (lambda *args: None, Status.INCORRECT)]:
        result = q.evaluate(bad)
        assert not result and result.status is status, bad
        assert _is_japanese(result.message)


def test_function_specific_messages():
    assert "組のはず" in ch05.q4.evaluate(_wrong_shape).message  # (output, h_n) の組を返していない
    torch_answer = lambda *args: tuple(torch.from_numpy(a) for a in _model_loop(*args))  # noqa: E731
    assert "PyTorch のテンソル" in ch05.q4.evaluate(torch_answer).message
    assert "形は" in ch05.q5.evaluate(_wrong_shape).message
    assert "return" in ch05.q5.evaluate(lambda *args: None).message


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
