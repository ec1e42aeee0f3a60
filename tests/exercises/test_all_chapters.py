"""すべての章の判定器と解答ノートが、講座の約束 (5 問以上、段階的なヒント、よくある間違い 2 つ以上、
答えの変数名とチェックのセルの一致) を守っていることを確かめる。"""

import importlib
import json
import re
from pathlib import Path

import pytest

from rnncourse.exercises import FunctionQuestion, RuleQuestion, ValueQuestion
from rnncourse.grading.submission import chapter_questions

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def chapter_of(path: Path) -> str:
    return path.name[:2]


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_checker_module_declares_at_least_five_questions(path):
    questions = chapter_questions(chapter_of(path))
    assert len(questions) >= 5
    assert len({q.name for q in questions}) == len(questions), "問題名が重複しています"
    for q in questions:
        assert q.answer_name.isidentifier(), f"{q.name}: answer_name がありません"
        assert len(q.hints) >= 2, f"{q.name}: ヒントは 2 段以上"
        assert q.answer.strip(), f"{q.name}: 模範解答の説明がありません"
        if isinstance(q, (ValueQuestion, FunctionQuestion)):
            assert len(q.mistakes) >= 2, f"{q.name}: よくある間違いを 2 つ以上"
        assert isinstance(q, (ValueQuestion, FunctionQuestion, RuleQuestion))


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_solution_checks_every_question_with_its_answer_name(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    chapter = chapter_of(path)
    assert nb["metadata"].get("rnncourse", {}).get("chapter") == chapter
    sources = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    module = importlib.import_module(f"rnncourse.exercises.ch{chapter}")
    for name in module.__all__:
        q = getattr(module, name)
        if not hasattr(q, "answer_name"):
            continue
        pattern = rf"ch{chapter}\.{name}\.check\({re.escape(q.answer_name)}\)"
        assert re.search(pattern, sources), f"{path.name}: ch{chapter}.{name}.check({q.answer_name}) のセルがありません"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_mistakes_are_really_wrong(path):
    for q in chapter_questions(chapter_of(path)):
        if isinstance(q, ValueQuestion):
            for wrong, cause in q.mistakes:
                result = q.evaluate(wrong)
                assert not result and cause in result.message, f"{q.name}: {wrong!r}"
        elif isinstance(q, FunctionQuestion):
            assert q.evaluate(q.reference), f"{q.name}: 模範解答が通りません"
            for wrong, cause in q.mistakes:
                result = q.evaluate(wrong)
                assert result.status.value == "incorrect", f"{q.name}: {wrong.__name__} -> {result.text()}"
                assert cause in result.message, f"{q.name}: {wrong.__name__} の原因が表示されません"
