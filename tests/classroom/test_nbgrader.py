"""nbgrader で講座の演習を採点する: 採点セル (配点・隠しテスト)、配るノートが答えなしで動くこと、正確な得点。

一時フォルダに nbgrader の講座を作り (第2章)、``generate_assignment`` → 4 人の提出 (全問正解・白紙・半分・判定器を
書き換えたもの) → ``autograde`` → ``export`` の得点を確かめます。判定器の書き換えに nbgrader がだまされること
(README の「nbgrader が守らないもの」) と、``rnncourse grade`` がだまされないこと、その CSV の student 列も確かめます。
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from rnncourse.classroom.build import exercise_from_solution, strip_hidden_tests
from rnncourse.classroom.gradecells import add_grade_cells, stale_notebooks
from rnncourse.classroom.nbgrader_setup import write_course

ROOT = Path(__file__).resolve().parents[2]
NAME = "02_forward_pass.ipynb"

#: nbgrader が出す、害のない警告 (README)。隠しテストを消したあとの判定セルの checksum は原本のものと違うので、
#: autograde は毎回「変わった」と言う (セルの中身は原本のもので上書きされる)。
HARMLESS = ("Attribute 'checksum' for cell", "Kernel is running over TCP without encryption")

TAMPER = """
from rnncourse.exercises import questions as _q
from rnncourse.exercises.feedback import CheckResult, Status
for _kind in (_q.ValueQuestion, _q.FunctionQuestion, _q.RuleQuestion):
    _kind.evaluate = lambda self, value: CheckResult(self.name, Status.CORRECT, "")
"""


def _nbgrader(course: Path, *args: str) -> str:
    """nbgrader のコマンドを講座のフォルダで実行し、害のない警告を除いたログを返す (失敗ならログごと止める)。"""
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    log = "\n".join(line for line in (result.stdout + result.stderr).splitlines() if not any(h in line for h in HARMLESS))
    assert result.returncode == 0, log
    assert "ERROR" not in log, log
    return log


def _submission(release, answers: dict[str, str], solved: set[str], tamper: bool = False):
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta["grade_id"] in solved:
            cell.source = answers[meta["grade_id"]]
        if tamper and meta.get("grade_id") == "ch02_q1":
            cell.source += "\n" + TAMPER
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    (source,) = write_course(course, ROOT, chapter="02")
    original = nbformat.read(source, as_version=4)
    nbformat.write(add_grade_cells(original, NAME), source)  # 付いていれば何も変わらない
    started = time.perf_counter()
    _nbgrader(course, "generate_assignment", "ch02", "--force")
    release = nbformat.read(course / "release" / "ch02" / NAME, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in original.cells if c.metadata.get("nbgrader", {}).get("solution")}
    everything, half = set(answers), {"ch02_q1", "ch02_q2", "ch02_q3"}
    for student, nb in {
        "solved": _submission(release, answers, everything),
        "blank": _submission(release, answers, set()),
        "half": _submission(release, answers, half),
        "tampered": _submission(release, answers, set(), tamper=True),
    }.items():
        folder = course / "submitted" / student / "ch02"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NAME)
    _nbgrader(course, "autograde", "ch02", "--force")
    _nbgrader(course, "export", "--to", str(course / "grades.csv"))
    print(f"nbgrader (generate_assignment, autograde 4 件, export): {time.perf_counter() - started:.1f} 秒")
    with open(course / "grades.csv", encoding="utf-8", newline="") as file:
        grades = {row["student_id"]: row for row in csv.DictReader(file)}
    return {"dir": course, "release": release, "grades": grades, "source": nbformat.read(source, as_version=4)}


def test_every_question_has_a_grade_cell_with_points_and_its_own_id(course):
    cells = [c for c in course["source"].cells if c.metadata.get("nbgrader", {}).get("grade")]
    solutions = [c for c in course["source"].cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert len(cells) == len(solutions) == 6
    ids = [c.metadata["nbgrader"]["grade_id"] for c in cells]
    assert ids == [f"ch02_q{k}_check" for k in range(1, 7)] and len(set(ids)) == len(ids)
    for number, cell in enumerate(cells, start=1):
        assert cell.metadata["nbgrader"]["points"] == 1 and cell.metadata["nbgrader"]["locked"]
        assert f"assert ch02.q{number}.evaluate(" in cell.source and "### BEGIN HIDDEN TESTS" in cell.source


def test_exported_scores_are_exact(course):
    scores = {student: (float(row["score"]), float(row["max_score"])) for student, row in course["grades"].items()}
    assert scores == {"solved": (6.0, 6.0), "blank": (0.0, 6.0), "half": (3.0, 6.0), "tampered": (6.0, 6.0)}


def test_nbgrader_release_runs_unanswered_without_errors(course):
    from nbclient import NotebookClient

    release = course["release"]
    assert "NotImplementedError" not in "".join(
        c.source for c in release.cells if c.metadata.get("nbgrader", {}).get("solution") and not c.source.startswith("def ")
    )
    assert all("HIDDEN TESTS" not in c.source for c in release.cells)
    nb = copy.deepcopy(release)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(course["dir"])}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == [], [(o.ename, o.evalue) for o in errors]
    shown = "".join(str(o.get("data", {}).get("text/plain", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert shown.count("まだ解答されていません") == 6


def test_nbgrader_is_fooled_by_a_rewritten_checker_but_rnncourse_grade_is_not(course, tmp_path):
    from rnncourse.classroom.grading import batch
    from rnncourse.classroom.grading.sandbox import unavailable_reason
    from rnncourse.classroom.grading.submission import GradingLimits

    assert course["grades"]["tampered"]["score"] == "6.0"  # nbgrader の採点は学習者のカーネルの中
    if unavailable_reason() is not None:
        pytest.skip(f"bubblewrap で箱を作れません: {unavailable_reason()}")
    paths = [course["dir"] / "submitted" / s / "ch02" / NAME for s in ("solved", "tampered")]
    rows = batch.grade_all(paths, limits=GradingLimits(notebook_timeout=240), jobs=2)
    points = {}
    for row in rows:
        points[row.student] = points.get(row.student, 0) + row.points
    assert points == {"solved": 6, "tampered": 0}
    assert {row.max_points for row in rows} == {1}


def test_exercises_keep_grade_metadata_but_not_hidden_tests():
    solution = add_grade_cells(nbformat.read(ROOT / "solutions" / NAME, as_version=4), NAME)
    exercise = exercise_from_solution(solution, NAME)
    graded = [c for c in exercise.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) == 6 and all(c.metadata["nbgrader"]["points"] == 1 for c in graded)
    assert all("HIDDEN" not in c.source and "evaluate" not in c.source for c in exercise.cells)
    assert [c.source for c in graded] == [strip_hidden_tests(c.source) for c in solution.cells if c.metadata.get("nbgrader", {}).get("grade")]


def test_grade_cells_are_idempotent():
    solution = nbformat.read(ROOT / "solutions" / NAME, as_version=4)
    once = add_grade_cells(solution, NAME)
    assert [c.source for c in add_grade_cells(once, NAME).cells] == [c.source for c in once.cells]


def test_every_solution_notebook_has_its_grade_cells():
    stale = stale_notebooks(sorted((ROOT / "solutions").glob("*.ipynb")))
    assert stale == [], (
        f"採点セル (配点と隠しテスト) がない・古い解答: {stale}。"
        "python -m rnncourse.classroom.gradecells && rnncourse build-exercises で付け直してください。"
    )
