"""第1章の演習の判定器に固有のこと。すべての章に共通する確認 (ヒント・未回答・変な入力・模範解答・
よくある間違い) は test_all_chapters.py にあります。"""

import numpy as np
import pytest

from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch01
from rnncourse.data.padding import length_mask, pad_sequences
from rnncourse.data.text import CharVocab
from rnncourse.data.timeseries import naive_forecast_mse, noisy_sine, sliding_windows, train_test_split_series

FUNCTION_QUESTIONS = [ch01.q3, ch01.q4, ch01.q5]


def test_question_kinds():
    kinds = {name: type(getattr(ch01, name)) for name in ch01.__all__ if name.startswith("q")}
    assert kinds == {"q1": ValueQuestion, "q2": ValueQuestion, "q3": FunctionQuestion, "q4": FunctionQuestion,
                     "q5": FunctionQuestion, "q6": ValueQuestion, "q7": RuleQuestion}


# ------------------------------------------------------------------ 値の問題
def test_expected_values_follow_from_package_functions():
    assert ch01.q1.expected == ((8, 2), (8, 9, 1000))
    train, test = train_test_split_series(np.arange(500.0), test_fraction=0.2)
    assert ch01.q2.expected == len(sliding_windows(train, 20, horizon=3)[0]) == 400 - 20 - 3 + 1
    _, test = train_test_split_series(noisy_sine(300, noise=0.2, seed=1), test_fraction=0.25)
    assert ch01.q6.expected == naive_forecast_mse(*sliding_windows(test, 10))


def test_value_answers_in_other_forms_pass():
    assert ch01.q1.evaluate([[8, 2], [8, 9, 1000]])
    assert ch01.q2.evaluate(np.int64(378)) and ch01.q2.evaluate(378.0)
    assert ch01.q6.evaluate(np.float64(ch01.q6.expected))


# ------------------------------------------------------------------ 関数の問題
def test_function_questions_use_package_references():
    assert ch01.q3.reference is sliding_windows and ch01.q4.reference is length_mask
    text = "犬が猫を追う。"
    np.testing.assert_array_equal(ch01.q5.reference(text), CharVocab.from_text(text).encode(text))
    labels = " ".join(c.label for q in FUNCTION_QUESTIONS for c in q.cases)
    assert "T = 1" in labels and "N = 1" in labels and "0 の場合" in labels


def _model_windows(series, window, horizon=1):  # 学習者が書く模範解答
    M = len(series) - window - horizon + 1
    X = np.stack([series[i : i + window] for i in range(M)])[:, :, None]
    y = np.stack([series[i + window : i + window + horizon] for i in range(M)])
    return X, y


def _model_mask(lengths, T_max):
    return (np.arange(T_max)[None, :] < lengths[:, None]).astype(int)  # 0/1 の整数でも正解


def _model_encode(text):
    chars = sorted(set(text))
    return np.array([chars.index(c) for c in text])


@pytest.mark.parametrize(
    "q, model", [(ch01.q3, _model_windows), (ch01.q4, _model_mask), (ch01.q5, _model_encode)], ids=["q3", "q4", "q5"]
)
def test_learner_style_answers_pass(q, model):
    assert q.evaluate(model)


def test_function_specific_messages():
    assert "形は" in ch01.q4.evaluate(lambda *args: np.zeros((1, 1))).message
    assert "NumPy 配列のはず" in ch01.q5.evaluate(lambda text: [0] * len(text)).message


def test_mask_checker_agrees_with_padding():
    seqs = [np.ones(3), np.ones(1), np.ones(2)]
    _, lengths = pad_sequences(seqs)
    np.testing.assert_array_equal(ch01.q4.reference(lengths, 3), [[1, 1, 1], [1, 0, 0], [1, 1, 0]])


# ------------------------------------------------------------------ 実験の問題
def test_experiment_crossover_is_where_mean_first_wins():
    wins = [noise for noise in ch01.Q7_NOISE_LEVELS if ch01.baseline_mses(noise)[1] < ch01.baseline_mses(noise)[0]]
    assert wins and wins[0] > 0.1  # 本文の条件 (noise = 0.1) では素朴な予測が勝つ
    assert all(noise in wins for noise in ch01.Q7_NOISE_LEVELS if noise >= wins[0])  # 一度逆転したら戻らない
    naive, mean = ch01.baseline_mses(0.1)
    assert naive < mean
    assert ch01.q7.evaluate(wins[0])


@pytest.mark.parametrize("convert", [float, np.float64, np.array, lambda v: round(v, 1) + 1e-12])
def test_experiment_accepts_the_crossover_in_any_numeric_form(convert):
    crossover = next(n for n in ch01.Q7_NOISE_LEVELS if ch01.baseline_mses(n)[1] < ch01.baseline_mses(n)[0])
    assert ch01.q7.evaluate(convert(crossover))


@pytest.mark.parametrize(
    "answer, words",
    [(0.1, "まだ素朴な予測のほうが良い"), (0.7, "まだ素朴な予測のほうが良い"), (1.0, "それより小さいノイズ"),
     (0.9, "それより小さいノイズ"), (0.85, "どれでもありません"), (None, "None"), ("0.8", "数"), (True, "数"),
     (len, "数"), (float("nan"), "どれでもありません")],
)
def test_experiment_wrong_answers_explain(answer, words):
    result = ch01.q7.evaluate(answer)
    assert result.status is Status.INCORRECT and not result and words in result.message
