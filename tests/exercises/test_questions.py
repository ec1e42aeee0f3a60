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
