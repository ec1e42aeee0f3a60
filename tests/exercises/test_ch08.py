"""第8章の演習の判定器に固有のこと。すべての章に共通する確認 (ヒント・未回答・変な入力・模範解答・
よくある間違い) は test_all_chapters.py にあります。"""

import subprocess
import sys

import numpy as np
import pytest
import torch

from rnncourse.data.padding import masked_mean
from rnncourse.data.timeseries import linear_rollout, naive_forecast_mse, naive_mse_by_horizon
from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch08
from rnncourse.models.text_classifier import TextClassifier

from .test_all_chapters import is_japanese


def test_question_kinds():
    kinds = {name: type(getattr(ch08, name)) for name in ch08.__all__ if name.startswith("q")}
    assert kinds == {"q1": ValueQuestion, "q2": FunctionQuestion, "q3": FunctionQuestion, "q4": FunctionQuestion,
                     "q5": RuleQuestion}


def test_importing_the_checker_does_not_import_torch():
    code = "import sys, rnncourse.exercises.ch08 as c; c.q2.evaluate(c.q2.reference); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


# ------------------------------------------------------------------ 値の問題
def test_q1_expected_is_what_pytorch_counts():
    model = TextClassifier(402, embedding_dim=8, hidden_size=64, cell="lstm", num_classes=2)
    assert ch08.q1.expected == sum(p.numel() for p in model.parameters()) == 22290
    assert not ch08.q1.evaluate(22290 - 402 * 8)


# ------------------------------------------------------------------ 関数の問題
def test_function_questions_use_package_references_and_edge_cases():
    assert (ch08.q2.reference, ch08.q3.reference, ch08.q4.reference) == (masked_mean, naive_mse_by_horizon, linear_rollout)
    labels = {q.name: " ".join(c.label for c in q.cases) for q in (ch08.q2, ch08.q3, ch08.q4)}
    assert "長さ 1" in labels["演習 2"] and "詰め物がない" in labels["演習 2"] and "N = 1" in labels["演習 2"]
    assert "horizon = 1" in labels["演習 3"] and "M = 1" in labels["演習 3"]
    assert "T より長い" in labels["演習 4"] and "T = 1" in labels["演習 4"] and "horizon = 1" in labels["演習 4"]


def test_q2_cases_contain_padding_that_changes_the_plain_mean():
    for case in ch08.q2.cases:
        h, lengths = case.args
        assert 1 <= lengths.min() and lengths.max() <= h.shape[1]
    assert sum(case.args[1].min() < case.args[0].shape[1] for case in ch08.q2.cases) >= 3  # 詰め物のあるケース
    h, lengths = ch08.q2.cases[0].args
    assert not np.allclose(masked_mean(h, lengths), h.mean(axis=1))


def test_q3_reference_averages_to_chapter_one():
    for case in ch08.q3.cases:
        X, y = case.args
        assert naive_mse_by_horizon(X, y).mean() == pytest.approx(naive_forecast_mse(X, y))


def _learner_rollout(windows, w, b, horizon):  # 学習者が書く模範解答
    window, out = windows[:, :, 0].copy(), []
    for _ in range(horizon):
        y_hat = window @ w + b
        out.append(y_hat)
        window = np.concatenate([window[:, 1:], y_hat[:, None]], axis=1)
    return np.stack(out, axis=1)


def _learner_masked_mean(h, lengths):
    m = (np.arange(h.shape[1])[None, :] < lengths[:, None])[:, :, None]
    return (h * m).sum(axis=1) / m.sum(axis=1)


def test_hand_written_answers_pass():
    assert ch08.q2.evaluate(_learner_masked_mean)
    assert ch08.q4.evaluate(_learner_rollout)
    assert ch08.q3.evaluate(lambda X, y: ((y - X[:, -1, :]) ** 2).mean(axis=0))


def test_rollout_that_returns_a_list_is_explained():
    result = ch08.q4.evaluate(lambda windows, w, b, horizon: _learner_rollout(windows, w, b, horizon).tolist())
    assert not result and "NumPy 配列" in result.message


# ------------------------------------------------------------------ 実験の問題
@pytest.fixture(scope="module")
def table():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield ch08.phenomenon_accuracies()
    torch.set_num_threads(threads)


def test_q5_table_has_a_clear_answer(table):
    assert set(table) == {"bag", "bag2"}
    for key, expected in (("bag", "negation"), ("bag2", "contrast")):
        accuracies = sorted(table[key].values())
        assert min(table[key], key=table[key].get) == expected
        assert accuracies[1] - accuracies[0] >= 3 / 120  # 2 番目に低い現象と、文 3 つ分以上離れている


def test_q5_accepts_english_or_japanese_names(table):
    assert ch08.q5.evaluate(("negation", "contrast"))
    assert ch08.q5.evaluate(["否定", "逆接"])
    assert ch08.q5.evaluate((" negation", "contrast "))


@pytest.mark.parametrize("answer, words", [
    (("contrast", "contrast"), "文字の袋の contrast"),
    (("negation", "negation"), "文字 + 2 文字の袋の negation"),
    (("negation", "皮肉"), "現象の名前ではありません"),
    (("negation",), "2 つの組"),
    ("negation", "2 つの組"),
])
def test_q5_wrong_answers_are_explained(table, answer, words):
    result = ch08.q5.evaluate(answer)
    assert not result and result.status is Status.INCORRECT
    assert words in result.message and is_japanese(result.message)
