import dataclasses
import re

import numpy as np
import pytest

from rnncourse.exercises import Case, FunctionQuestion, RuleQuestion, Status, ValueQuestion
from rnncourse.exercises.questions import compare


def reference(x, W):
    return x @ W.T, x.sum()


def transposed(x, W):
    return x @ W, x.sum()


RNG = np.random.default_rng(0)
Q = FunctionQuestion(
    "問9",
    reference=reference,
    cases=(Case((RNG.normal(size=(2, 3)), RNG.normal(size=(3, 3))), "N = 2 の場合"),),
    output_names=("y", "s"),
    mistakes=((transposed, "W を転置し忘れていませんか。"),),
    hints=("一段目", "二段目"),
    answer="模範解答です。",
    timeout=0.5,
)


def starter(x, W):
    raise NotImplementedError()


def loops_forever(x, W):
    while True:
        pass


def swallows_everything(x, W):
    while True:
        try:
            pass
        except Exception:
            pass


def raises(x, W):
    return x @ W.T @ np.ones((5, 5))


@pytest.mark.parametrize(
    "answer, status, words",
    [
        (reference, Status.CORRECT, "すべて"),
        (starter, Status.NOT_ATTEMPTED, "NotImplementedError"),
        (..., Status.NOT_ATTEMPTED, "定義"),
        (transposed, Status.INCORRECT, "転置し忘れて"),
        (lambda x, W: (x @ W.T, None), Status.INCORRECT, "None"),
        (lambda x, W: None, Status.INCORRECT, "return"),
        (lambda x, W: (x @ W.T,), Status.INCORRECT, "2 個の組"),
        (lambda x, W: ((x @ W.T)[:1], x.sum()), Status.INCORRECT, "形は (2, 3)"),
        (lambda x, W: "y", Status.INCORRECT, "組のはず"),
        (None, Status.INCORRECT, "None"),
        ("reference", Status.INCORRECT, "関数を渡して"),
        (3, Status.INCORRECT, "関数を渡して"),
        (raises, Status.ERROR, "ValueError"),
        (loops_forever, Status.ERROR, "無限ループ"),
        (swallows_everything, Status.ERROR, "無限ループ"),
    ],
)
def test_function_question_outcomes(answer, status, words, capsys):
    result = Q.check(answer)
    assert result.status is status
    assert bool(result) is (status is Status.CORRECT)
    assert words in result.message
    assert result.text() in capsys.readouterr().out  # check() は表示もする


def test_error_names_learner_line():
    result = Q.evaluate(raises)
    assert "あなたのコードの" in result.message and "行目" in result.message
    assert "Traceback" not in result.message


def test_learner_cannot_change_the_cases():
    def mutates(x, W):
        x[:] = 0
        return reference(x, W)

    assert Q.evaluate(mutates).status is Status.INCORRECT
    assert Q.evaluate(reference).status is Status.CORRECT


@pytest.mark.parametrize(
    "answer, status",
    [(28, Status.CORRECT), (28.0, Status.CORRECT), (np.int64(28), Status.CORRECT), (27, Status.INCORRECT),
     (..., Status.NOT_ATTEMPTED), (None, Status.INCORRECT), ("28", Status.INCORRECT), (True, Status.INCORRECT),
     (len, Status.INCORRECT), ([28], Status.INCORRECT)],
)
def test_value_question_outcomes(answer, status):
    q = ValueQuestion("問1", expected=28, mistakes=((24, "バイアスを忘れていませんか。"),))
    assert q.evaluate(answer).status is status


def test_value_question_names_likely_cause():
    q = ValueQuestion("問1", expected=28, mistakes=((24, "バイアスを忘れていませんか。"),))
    assert "バイアス" in q.evaluate(24).message


def test_rule_question():
    q = RuleQuestion("問5", rule=lambda v: None if 10 <= v <= 20 else "10 から 20 の間のはずです。")
    assert q.evaluate(15) and not q.evaluate(30) and q.evaluate(...).status is Status.NOT_ATTEMPTED


def test_checker_bug_is_reported_not_raised(capsys):
    q = RuleQuestion("問5", rule=lambda v: 1 / 0)
    assert q.check(1).status is Status.ERROR
    assert "判定中に予期しないエラー" in capsys.readouterr().out


def test_hints_are_tiered(capsys):
    Q.hint()
    Q.hint(2)
    Q.hint(3)
    Q.hint("a")
    out = capsys.readouterr().out
    assert "ヒント 1/2: 一段目" in out and "hint(2)" in out and "ヒント 2/2: 二段目" in out
    assert out.count("hint(1) から hint(2) まで") == 2


def test_solution_shown_unless_hidden(capsys, monkeypatch, tmp_path):
    Q.solution()
    assert "模範解答です。" in capsys.readouterr().out
    monkeypatch.setenv("RNNCOURSE_HIDE_SOLUTIONS", "1")
    Q.solution()
    out = capsys.readouterr().out
    assert "見られません" in out and "模範解答です。" not in out
    monkeypatch.delenv("RNNCOURSE_HIDE_SOLUTIONS")
    (tmp_path / ".rnncourse-student").write_text("")
    (tmp_path / "exercises").mkdir()
    monkeypatch.chdir(tmp_path / "exercises")
    Q.solution()
    assert "見られません" in capsys.readouterr().out


@pytest.mark.parametrize(
    "expected, got, words",
    [
        (np.zeros((2, 3)), np.zeros((3, 2)), "形は (2, 3)"),
        (np.zeros((2, 3)), [[0, 0, 0]], "NumPy 配列のはず"),
        (np.zeros(2), np.array([np.nan, 0]), "nan"),
        (np.zeros(2), np.array(["a", "b"]), "数値の配列"),
        ((2, 3), (2, 4), "2 番目"),
        ("tanh", "relu", "違います"),
        (True, 1, "True か False"),
    ],
)
def test_compare_messages(expected, got, words):
    assert words in compare(expected, got)


def test_compare_accepts_equal_values():
    assert compare(np.ones((2, 2)), np.ones((2, 2)) + 1e-12) is None
    assert compare((2, 3), [2, 3]) is None


# ------------------------------------------------------------------ 学習者の関数がおかしなことをしても、読める日本語で偽
class _Unprintable:
    def __repr__(self):
        raise RuntimeError("repr")

    __str__ = __repr__


class _Custom(BaseException):
    pass


class _BadMessage(Exception):
    def __str__(self):
        raise RuntimeError("str")


def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def _raise(error):
    def function(x, W):
        raise error

    return function


@pytest.mark.parametrize(
    "answer, status, words",
    [
        (_raise(KeyboardInterrupt()), Status.ERROR, "KeyboardInterrupt"),
        (_raise(_Custom("独自")), Status.ERROR, "_Custom"),
        (_raise(SystemExit(3)), Status.ERROR, "SystemExit"),
        (_raise(_BadMessage()), Status.ERROR, "_BadMessage"),
        (lambda x, W: (x @ W.T + 0j, x.sum()), Status.INCORRECT, "complex"),
        (lambda x, W: (x @ W.T, complex(1, 2)), Status.INCORRECT, "複素数"),
        (lambda x, W: (_Unprintable(), x.sum()), Status.INCORRECT, "配列のはず"),
        (lambda x, W: (x @ W.T, _Unprintable()), Status.INCORRECT, "表示できません"),
        (lambda x, W: (x @ W.T, _nested(100_000)), Status.INCORRECT, "list"),
        (lambda x, W: _nested(100_000), Status.INCORRECT, "組のはず"),
    ],
)
def test_hostile_learner_functions_get_a_japanese_message(answer, status, words, capsys):
    # 10 万段の入れ子は、混んだ機械ではごみ集めだけで Q の 0.5 秒を超えることがある (CI で見た)。ここで確かめるのは
    # 時間切れではなく戻り値の扱いなので、制限時間に余裕を持たせる。
    result = dataclasses.replace(Q, timeout=10.0).check(answer)
    out = capsys.readouterr().out
    assert result.status is status and not result, result.text()
    assert words in result.message and "Traceback" not in out and out.startswith("[問9]")


def test_hostile_values_get_a_japanese_message(capsys):
    for value in (_Unprintable(), complex(1, 2), _nested(100_000)):
        result = ValueQuestion("問1", expected=12).check(value)
        out = capsys.readouterr().out
        assert not result and "Traceback" not in out and out.startswith("[問1]")


def test_a_c_level_call_that_overruns_says_how_long_it_really_ran(capsys):
    slow = FunctionQuestion("問8", reference=lambda n: n, cases=(Case((2 * 10**8,)),), timeout=0.2)
    result = slow.check(lambda n: sum(range(n)))  # C の中の 1 回の呼び出しは SIGALRM で止まらない
    assert result.status is Status.ERROR and not result
    seconds = float(re.search(r"止められたのは ([\d.]+) 秒後", result.message).group(1))
    assert seconds > 1.2 and "0.2 秒" in result.message and "C で書かれた" in result.message
