"""提出物 1 つの読み取りと判定 (カーネルの外、採点側で行う部分)。

- :func:`read_submission`: ノートブックを上限つきで読み、章を決める (メタデータと中身が食い違えば ``invalid``)。
- :func:`judge_answers`: 学習者のカーネルから運ばれた答え (データ) と、箱の中で関数を呼んだ結果を、
  本物の判定器 (``rnncourse.exercises.chNN``) で判定する。

提出物のコードはここでは一切実行しません。実行は :mod:`rnncourse.classroom.grading.worker` が箱の中で行います。
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnncourse.exercises.feedback import CheckResult, Status
from rnncourse.exercises.learner_code import LearnerCall
from rnncourse.exercises.questions import Case, FunctionQuestion, Question
from rnncourse.classroom.grading import codec
from rnncourse.classroom.grading.report import Row

__all__ = ["GradingLimits", "Submission", "read_submission", "detect_chapter", "chapter_questions", "judge_answers"]

_CHAPTER_IMPORT = re.compile(r"(?:from\s+rnncourse\.exercises\s+import\s+ch(\d\d)\b|rnncourse\.exercises\.ch(\d\d)\b)")


@dataclass(frozen=True)
class GradingLimits:
    """採点の上限。時間は秒。``notebook_timeout`` は 1 提出物の採点全体 (答えの取り出しと関数の呼び出しを含む)。"""

    cell_timeout: float = 60.0
    notebook_timeout: float = 300.0
    memory_mb: int = 4096
    max_file_mb: float = 50.0


@dataclass(frozen=True)
class Submission:
    """読めた提出物: ノートブック、章、問題。読めなければ ``rows`` に理由の行が入る。"""

    path: str
    nb: Any = None
    chapter: str = "-"
    questions: tuple[Question, ...] = ()
    rows: tuple[Row, ...] = ()


def chapter_questions(chapter: str) -> list[Question]:
    """章 ``chapter`` ("02" など) の判定器の問題を順に返す。"""
    if not re.fullmatch(r"\d\d", chapter):
        raise ImportError(chapter)
    module = importlib.import_module(f"rnncourse.exercises.ch{chapter}")
    values = (getattr(module, name) for name in getattr(module, "__all__", ()))
    return [value for value in values if isinstance(value, Question)]


def _source(cell: Any) -> str:
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    return source if isinstance(source, str) else ""


def detect_chapter(nb: Any) -> tuple[str | None, str | None]:
    """(メタデータ ``rnncourse.chapter`` の章, 判定器の import 文から読んだ章)。どちらも無ければ None。"""
    metadata = nb.get("metadata", {}).get("rnncourse", {}) if isinstance(nb.get("metadata"), dict) else {}
    declared = metadata.get("chapter") if isinstance(metadata, dict) else None
    declared = declared if isinstance(declared, str) and re.fullmatch(r"\d\d", declared) else None
    used: str | None = None
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        match = _CHAPTER_IMPORT.search(_source(cell))
        if match:
            used = match.group(1) or match.group(2)
            break
    return declared, used


def _rows(submission: Submission, status: str, message: str) -> tuple[Row, ...]:
    return tuple(Row(submission.path, submission.chapter, q.name, status, message) for q in submission.questions)


def read_submission(path: str | Path, chapter: str | None, limits: GradingLimits) -> Submission:
    """提出物を読み、章と問題を決める。読めない・章が合わないときは理由の行を持つ ``Submission``。"""
    import nbformat

    path = Path(path)
    name = str(path)
    expected = chapter or "-"
    if not path.is_file():
        return Submission(name, chapter=expected, rows=(Row(name, expected, "-", "invalid", "ファイルがありません。"),))
    try:
        if path.stat().st_size > limits.max_file_mb * 1024 * 1024:
            message = f"ファイルが大きすぎます ({limits.max_file_mb:g} MB まで)。"
            return Submission(name, chapter=expected, rows=(Row(name, expected, "-", "invalid", message),))
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(nb)
    except (OSError, UnicodeDecodeError) as error:
        message = f"ファイルを読めません ({type(error).__name__})。"
        return Submission(name, chapter=expected, rows=(Row(name, expected, "-", "invalid", message),))
    except Exception:
        message = "ノートブック (.ipynb) として読めません。壊れた JSON ではありませんか。"
        return Submission(name, chapter=expected, rows=(Row(name, expected, "-", "invalid", message),))
    declared, used = detect_chapter(nb)
    found = declared or used
    target = chapter or found
    if target is None:
        message = "どの章の演習か分かりません (from rnncourse.exercises import chNN がありません)。"
        return Submission(name, chapter="-", rows=(Row(name, "-", "-", "invalid", message),))
    try:
        questions = tuple(chapter_questions(target))
    except ImportError:
        return Submission(name, chapter=target, rows=(Row(name, target, "-", "invalid", f"第 {target} 章の判定器がありません。"),))
    submission = Submission(name, nb, target, questions)
    if declared and used and declared != used:
        message = (
            f"メタデータでは第 {declared} 章ですが、中身は第 {used} 章の判定器を使っています。"
            "どちらの章の演習か決められないので採点しません。配られたノートに答えを書いて提出してください。"
        )
        return Submission(name, nb, target, questions, _rows(submission, "invalid", message))
    if found != target:
        what = f"第 {found} 章" if found else "どの章か分からない"
        message = f"{what}のノートブックです。第 {target} 章の演習を提出してください。"
        return Submission(name, nb, target, questions, _rows(submission, "invalid", message))
    return submission


_REFERENCE_MESSAGE = (
    "答えの関数が、パッケージの模範解答 {name} そのものか、それを呼んでいます。"
    "採点では模範解答を使った答えは点になりません。自分で実装してください。"
)


_COPY_MESSAGE = (
    "答えの関数は、パッケージの模範解答 {name} のコードを写したもの (inspect.getsource から exec した関数や、"
    "__code__ から作った関数) か、それを使っています。"
    "採点では模範解答を写した答えは点になりません。自分で実装してください。"
)
_HELPER_COPY_MESSAGE = (
    "答えの関数は、模範解答 {used_by} の中で使われているパッケージの関数 {name} のコードを写したもの "
    "(inspect.getsource から exec した関数や、__code__ から作った関数) か、それを使っています。"
    "採点では模範解答を写した答えは点になりません。自分で実装してください。"
)


def _judge_function(question: FunctionQuestion, answer: dict[str, Any], cases: tuple[Case, ...]) -> CheckResult:
    if answer.get("reference"):
        name = str(answer["reference"])[:200]
        if answer.get("copied") and answer.get("used_by"):
            message = _HELPER_COPY_MESSAGE.format(name=name, used_by=str(answer["used_by"])[:200])
        elif answer.get("copied"):
            message = _COPY_MESSAGE.format(name=name)
        else:
            message = _REFERENCE_MESSAGE.format(name=name)
        return CheckResult(question.name, Status.INCORRECT, message)
    if "error" in answer:
        return CheckResult(question.name, Status.ERROR, str(answer["error"])[:2000])
    raw_calls = answer.get("calls")
    if not isinstance(raw_calls, list):
        return CheckResult(question.name, Status.ERROR, "関数を呼んだ結果を受け取れませんでした。")
    calls = []
    for raw in raw_calls[: len(cases)]:
        raw = raw if isinstance(raw, dict) else {}
        error = raw.get("error")
        calls.append(
            LearnerCall(
                value=codec.decode(raw.get("value")),
                error=None if error is None else str(error)[:2000],
                not_implemented=bool(raw.get("not_implemented")),
                timed_out=bool(raw.get("timed_out")),
                elapsed=float(raw["elapsed"]) if isinstance(raw.get("elapsed"), (int, float)) else None,
            )
        )
    if len(calls) < len(cases) and not any(c.error or c.not_implemented or c.timed_out for c in calls):
        return CheckResult(question.name, Status.ERROR, "すべてのテストケースを実行する前に止まりました。")
    return question.judge(calls, cases=cases)


def _judge_one(question: Question, answer: dict[str, Any], cases: tuple[Case, ...] | None) -> CheckResult:
    if answer.get("missing"):
        return CheckResult(
            question.name, Status.NOT_ATTEMPTED, f"答えの {question.answer_name} が定義されていません (セルを消していませんか)。"
        )
    if isinstance(question, FunctionQuestion):
        if "value" in answer:  # 関数でない値
            early = question.precheck(codec.decode(answer.get("value")))
            return early or CheckResult(question.name, Status.ERROR, "関数を取り出せませんでした。")
        return _judge_function(question, answer, cases or question.cases)
    if "error" in answer:
        return CheckResult(question.name, Status.ERROR, str(answer["error"])[:2000])
    if "value" not in answer:
        return CheckResult(question.name, Status.ERROR, "答えを取り出せませんでした。")
    return question.evaluate(codec.decode(answer.get("value")))


def judge_answers(
    submission: Submission,
    answers: Any,
    cases: dict[int, tuple[Case, ...]],
    note: str = "",
) -> list[Row]:
    """運ばれた答え (問題と同じ順のリスト) を判定して行にする。``cases`` は関数の問題の番号 → 採点に使った入力。"""
    questions = submission.questions
    if not isinstance(answers, list) or len(answers) != len(questions):
        return list(_rows(submission, "error", "取り出した答えの形が正しくありません。"))
    rows = []
    for index, (question, answer) in enumerate(zip(questions, answers)):
        try:
            result = _judge_one(question, answer if isinstance(answer, dict) else {}, cases.get(index))
        except Exception as error:  # 判定器の不具合や、おかしな形の答えでも一括採点は止めない
            result = CheckResult(question.name, Status.ERROR, f"判定中に予期しないエラーが起きました ({type(error).__name__})。")
        message = result.text() + (f"\n{note}" if note else "")
        rows.append(Row(submission.path, submission.chapter, question.name, result.status.value, message))
    return rows
