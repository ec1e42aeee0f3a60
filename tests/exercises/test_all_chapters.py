"""すべての章の判定器と解答ノートが、講座の約束を守っていることを確かめる (章ごとのテストに共通する部分)。

- 5 問以上、q1..qn の順、答えの変数名、日本語の段階的なヒントと解説、よくある間違い 2 つ以上
- 未回答 (``...`` や NotImplementedError を送出する関数) は not_attempted
- 変な入力 (None・文字列・数・関数・例外を送出する関数・形の違う配列) は偽で、日本語の説明つき
- 模範解答は正解、よくある間違いはそれぞれ原因つきの不正解
- 解答ノートに、答えの変数名でチェックするセルがある

章に固有のこと (期待値がパッケージの関数と一致する、章に特有の間違いや端の場合、実験の規則) は
tests/exercises/test_chNN.py に置きます。
"""

import copy
import importlib
import json
import numbers
import re
from pathlib import Path

import numpy as np
import pytest

from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion
from rnncourse.exercises.learner_code import call_learner_function
from rnncourse.classroom.grading.submission import chapter_questions

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
CHAPTERS = [path.name[:2] for path in SOLUTIONS]


def _attribute_name(chapter: str, question) -> str:
    module = importlib.import_module(f"rnncourse.exercises.ch{chapter}")
    return next(name for name in module.__all__ if getattr(module, name) is question)


def _questions(*kinds):
    """(章, 問題) の組と、"ch02-q4" のような id。"""
    pairs = [(ch, q) for ch in CHAPTERS for q in chapter_questions(ch) if not kinds or isinstance(q, kinds)]
    return pairs, [f"ch{ch}-{_attribute_name(ch, q)}" for ch, q in pairs]


ALL, ALL_IDS = _questions()
VALUES, VALUE_IDS = _questions(ValueQuestion)
FUNCTIONS, FUNCTION_IDS = _questions(FunctionQuestion)
ANSWERED_BY_VALUE, ANSWERED_BY_VALUE_IDS = _questions(ValueQuestion, RuleQuestion)
MISTAKES = [(ch, q, wrong, cause) for ch, q in [*VALUES, *FUNCTIONS] for wrong, cause in q.mistakes]
MISTAKE_IDS = [f"ch{ch}-{_attribute_name(ch, q)}-{i}" for ch, q in [*VALUES, *FUNCTIONS] for i in range(len(q.mistakes))]


def is_japanese(text: str) -> bool:
    """ひらがな・カタカナ・漢字を 1 文字でも含めば真 (判定の説明が日本語かどうか)。"""
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


# ------------------------------------------------------------------ 章ごとの約束
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_checker_module_declares_at_least_five_questions(chapter):
    questions = chapter_questions(chapter)
    assert len(questions) >= 5
    assert len({q.name for q in questions}) == len(questions), "問題名が重複しています"
    names = [_attribute_name(chapter, q) for q in questions]
    assert names == [f"q{i}" for i in range(1, len(questions) + 1)], names


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_solution_checks_every_question_with_its_answer_name(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    chapter = path.name[:2]
    assert nb["metadata"].get("rnncourse", {}).get("chapter") == chapter
    sources = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    module = importlib.import_module(f"rnncourse.exercises.ch{chapter}")
    for name in module.__all__:
        q = getattr(module, name)
        if not hasattr(q, "answer_name"):
            continue
        pattern = rf"ch{chapter}\.{name}\.check\({re.escape(q.answer_name)}\)"
        assert re.search(pattern, sources), f"{path.name}: ch{chapter}.{name}.check({q.answer_name}) のセルがありません"


# ------------------------------------------------------------------ すべての問題
@pytest.mark.parametrize("chapter, q", ALL, ids=ALL_IDS)
def test_every_question_is_documented_in_japanese(chapter, q):
    assert isinstance(q, (ValueQuestion, FunctionQuestion, RuleQuestion))
    assert q.answer_name.isidentifier(), f"{q.name}: answer_name がありません"
    assert len(q.hints) >= 2, f"{q.name}: ヒントは 2 段以上"
    assert all(is_japanese(h) for h in q.hints), f"{q.name}: ヒントが日本語ではありません"
    assert q.answer.strip() and is_japanese(q.answer), f"{q.name}: 模範解答の説明 (日本語) がありません"
    if not isinstance(q, RuleQuestion):
        assert len(q.mistakes) >= 2, f"{q.name}: よくある間違いを 2 つ以上"


@pytest.mark.parametrize("chapter, q, wrong, cause", MISTAKES, ids=MISTAKE_IDS)
def test_mistakes_fail_with_their_cause(chapter, q, wrong, cause):
    with np.errstate(all="ignore"):  # 間違った関数の途中のオーバーフロー警告は結果に関係ない
        result = q.evaluate(wrong)
    assert result.status is Status.INCORRECT and not result, result.text()
    assert cause in result.message, f"{q.name}: 原因が表示されません: {result.text()}"


# ------------------------------------------------------------------ 値で答える問題 (ValueQuestion と RuleQuestion)
@pytest.mark.parametrize("chapter, q", ANSWERED_BY_VALUE, ids=ANSWERED_BY_VALUE_IDS)
def test_value_starter_is_not_attempted(chapter, q):
    result = q.evaluate(...)
    assert result.status is Status.NOT_ATTEMPTED and not result
    assert is_japanese(result.message)


@pytest.mark.parametrize("chapter, q", ANSWERED_BY_VALUE, ids=ANSWERED_BY_VALUE_IDS)
@pytest.mark.parametrize(
    "bad", [None, "文字列", len, 3.5, np.zeros((2, 3))], ids=["None", "str", "func", "num", "array"]
)
def test_bad_values_are_falsy_with_japanese_message(chapter, q, bad):
    result = q.evaluate(bad)
    assert not result and result.status is Status.INCORRECT, result.text()
    assert is_japanese(result.message)


@pytest.mark.parametrize("chapter, q", VALUES, ids=VALUE_IDS)
def test_value_model_answer_passes(chapter, q):
    assert q.evaluate(q.expected)
    if isinstance(q.expected, tuple):
        assert q.evaluate(list(q.expected)), "リストで答えても同じ"
    if not isinstance(q.expected, str):  # 正しい値を文字列で書いたものは不正解 ("931" など)
        result = q.evaluate(str(q.expected))
        assert not result and is_japanese(result.message)


# ------------------------------------------------------------------ 関数を実装する問題
def _starter(*args):
    raise NotImplementedError()


def _raises(*args):
    raise ValueError("わざと")


def _returns_none(*args):
    return None


def _returns_small_array(*args):
    return np.zeros((1, 1))


def _with_extra_axis(value):
    """配列には軸を 1 つ足し、数は長さ 2 の配列にする (値は正しく形だけが違う答え)。"""
    if isinstance(value, np.ndarray):
        return value[..., None]
    if isinstance(value, tuple):
        return tuple(_with_extra_axis(v) for v in value)
    if isinstance(value, list):
        return [_with_extra_axis(v) for v in value]
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return np.array([value, value])
    return value


@pytest.mark.parametrize("chapter, q", FUNCTIONS, ids=FUNCTION_IDS)
def test_function_model_answer_passes(chapter, q):
    result = q.evaluate(q.reference)
    assert result and result.status is Status.CORRECT, result.text()


@pytest.mark.parametrize("chapter, q", FUNCTIONS, ids=FUNCTION_IDS)
def test_function_starter_is_not_attempted(chapter, q):
    for starter in (_starter, ...):
        result = q.evaluate(starter)
        assert result.status is Status.NOT_ATTEMPTED and not result
        assert is_japanese(result.message)


@pytest.mark.parametrize("chapter, q", FUNCTIONS, ids=FUNCTION_IDS)
@pytest.mark.parametrize(
    "bad", [None, "文字列", 3, _returns_none, _returns_small_array], ids=["None", "str", "num", "none", "array"]
)
def test_function_bad_inputs_are_falsy_with_japanese_message(chapter, q, bad):
    result = q.evaluate(bad)
    assert not result and result.status is Status.INCORRECT, result.text()
    assert is_japanese(result.message)
    if bad is _returns_none:
        assert "return" in result.message
    if bad is _returns_small_array and q.output_names:
        assert "組のはず" in result.message  # (h_t, cache) のような組を返していない


@pytest.mark.parametrize("chapter, q", FUNCTIONS, ids=FUNCTION_IDS)
def test_function_that_raises_names_the_error_and_line(chapter, q):
    result = q.evaluate(_raises)
    assert not result and result.status is Status.ERROR
    assert "ValueError" in result.message and "行目" in result.message and is_japanese(result.message)


@pytest.mark.parametrize("chapter, q", FUNCTIONS, ids=FUNCTION_IDS)
def test_function_returning_the_wrong_shape_is_explained(chapter, q):
    def wrong_shape(*args):
        return _with_extra_axis(q.reference(*args))

    result = q.evaluate(wrong_shape)
    assert not result and result.status is Status.INCORRECT, result.text()
    assert "形" in result.message and is_japanese(result.message)


# ------------------------------------------------------------------ 採点のときに作る入力と、模範解答の名前
@pytest.mark.parametrize("chapter, q", FUNCTIONS, ids=FUNCTION_IDS)
def test_grading_draws_fresh_cases_of_the_same_kinds(chapter, q):
    first, second = q.draw_cases(np.random.default_rng(1)), q.draw_cases(np.random.default_rng(2))
    assert len(first) == len(second) == len(q.cases)
    assert [repr(c.args) for c in first] != [repr(c.args) for c in second], "採点のたびに違う入力"
    assert [repr(c.args) for c in first] != [repr(c.args) for c in q.cases], "公開のケースとは違う入力"
    calls = [call_learner_function(q.reference, copy.deepcopy(c.args)) for c in first]
    assert q.judge(calls, cases=first)
    for wrong, cause in q.mistakes:  # よくある間違いは、採点の入力でも見つかる
        calls = [call_learner_function(wrong, copy.deepcopy(c.args)) for c in first]
        assert not q.judge(calls, cases=first), cause


@pytest.mark.parametrize("chapter, q", FUNCTIONS, ids=FUNCTION_IDS)
def test_the_package_reference_is_named(chapter, q):
    if not q.reference_name:  # パッケージに無い 1 行の模範解答 (第5章 演習 5) だけ
        assert (chapter, q.answer_name) == ("05", "last_hidden")
        return
    module, _, qualname = q.reference_name.partition(".")
    target = importlib.import_module(module)
    for part in qualname.split("."):  # モジュールは import し、その中は属性としてたどる
        module = f"{module}.{part}"
        try:
            target = importlib.import_module(module)
        except ImportError:
            target = getattr(target, part)
    assert callable(target)
