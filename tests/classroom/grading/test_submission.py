"""``rnncourse grade`` の採点を、第2章の演習から作った提出物で確かめる (正解・誤り・改ざん・壊れた提出物)。

提出物は solutions/ と exercises/ の第2章のノートから、テストの中で作ります (原本と常に揃う)。
1 つ採点するごとにカーネルを起動するので、まとめて 1 度だけ採点して各テストで結果を見ます。
"""

from __future__ import annotations

import copy
import hashlib

import nbformat
import pytest

from rnncourse.classroom.grading import GradingLimits, grade_submission
from rnncourse.classroom.grading.batch import grade_all
from tests.classroom.grading.attacks import ROOT, NAME
from tests.classroom.grading.attacks import exercise as _exercise, import_index as _import_index
from tests.classroom.grading.attacks import replace as _replace, solution as _solution, with_cells as _with_cells

LIMITS = GradingLimits(cell_timeout=15, notebook_timeout=90, memory_mb=1500)  # 混んだ機械でも正しいセルは間に合う余裕


def _submissions():
    solution, exercise = _solution(), _exercise()
    after_import = _import_index(exercise)
    yield "correct", solution
    yield "starter", exercise
    yield "wrong_bias", _replace(
        solution, "n_params = (64 * 20 + 64 * 64 + 2 * 64)", "n_params = (64 * 20 + 64 * 64 + 64)"
    )
    yield "tampered", _with_cells(
        exercise,
        "from rnncourse.exercises.feedback import CheckResult, Status\n"
        "for q in (ch02.q1, ch02.q2, ch02.q3, ch02.q4, ch02.q5, ch02.q6):\n"
        "    object.__setattr__(q, 'check', lambda *a, **k: True)\n"
        "import rnncourse.exercises.questions as questions\n"
        "questions.compare = lambda *a, **k: None\n"
        "import numpy as np\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.isclose = lambda *a, **k: True\n"
        "print('[演習 1] 正解です。')",
        at=after_import,
    )
    yield "reordered", copy.deepcopy(solution)  # 並べ替えは下で
    yield "missing_cells", _replace(_replace(solution, "def rnn_forward(", "def other_forward("), "rho_star =", "other =")
    yield "loops", _with_cells(solution, "while True:\n    pass")
    yield "unbreakable", _with_cells(
        exercise, "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass"
    )
    yield "exits", _with_cells(exercise, "import os\nos._exit(1)", at=after_import)
    yield "segfault", _with_cells(exercise, "import ctypes\nctypes.string_at(0)", at=after_import)
    yield "memory", _with_cells(solution, "import numpy as np\nbig = np.ones((60000, 60000))")
    yield "big_output", _with_cells(solution, "for i in range(100000):\n    print('あ' * 40)")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    paths = {}
    for name, nb in _submissions():
        if name == "reordered":  # 演習 3 の解答セルを先頭へ、演習 1 の解答セルを最後へ
            first = next(i for i, c in enumerate(nb.cells) if c.source.startswith("### BEGIN SOLUTION\nshapes"))
            cell_q1 = nb.cells.pop(first)
            third = next(i for i, c in enumerate(nb.cells) if c.source.startswith("### BEGIN SOLUTION\nn_bytes"))
            nb.cells.insert(0, nb.cells.pop(third))
            nb.cells.append(cell_q1)
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(nb, paths[name])
    (folder / "broken.ipynb").write_text("{ これは JSON ではない", encoding="utf-8")
    paths["broken"] = folder / "broken.ipynb"
    other = nbformat.read(ROOT / "solutions" / "01_sequence_data.ipynb", as_version=4)
    nbformat.write(other, folder / "other_chapter.ipynb")
    paths["other_chapter"] = folder / "other_chapter.ipynb"
    digests = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in paths.items()}
    rows = grade_all(list(paths.values()), chapter="02", limits=LIMITS, jobs=2)
    by_name = {name: [r for r in rows if r.submission == str(p)] for name, p in paths.items()}
    return {"rows": by_name, "paths": paths, "digests": digests}


def statuses(graded, name):
    return [row.status for row in graded["rows"][name]]


def test_correct_submission_gets_full_marks(graded):
    assert statuses(graded, "correct") == ["correct"] * 6


def test_starter_is_not_attempted(graded):
    assert statuses(graded, "starter") == ["not_attempted"] * 6


def test_wrong_answer_is_incorrect_with_cause(graded):
    rows = graded["rows"]["wrong_bias"]
    assert [r.status for r in rows] == ["correct", "incorrect", "correct", "correct", "correct", "correct"]
    assert "バイアス" in rows[1].message


def test_tampering_does_not_award_credit(graded):
    assert "correct" not in statuses(graded, "tampered")


def test_reordered_cells_are_still_graded(graded):
    assert statuses(graded, "reordered") == ["correct"] * 6


def test_missing_cells_are_named(graded):
    rows = graded["rows"]["missing_cells"]
    assert [r.status for r in rows] == ["correct"] * 4 + ["not_attempted"] * 2
    assert "rnn_forward が定義されていません" in rows[4].message


def test_interrupted_loop_is_reported_and_rest_is_graded(graded):
    rows = graded["rows"]["loops"]
    assert [r.status for r in rows] == ["correct"] * 6
    assert all("中断しました" in r.message for r in rows)


def test_loop_that_ignores_interrupts_times_out(graded):
    assert statuses(graded, "unbreakable") == ["timeout"] * 6


@pytest.mark.parametrize("name", ["exits", "segfault"])
def test_dead_kernel_is_an_error(graded, name):
    rows = graded["rows"][name]
    assert [r.status for r in rows] == ["error"] * 6
    assert "カーネルが止まりました" in rows[0].message


def test_memory_hog_does_not_stop_grading(graded):
    assert statuses(graded, "memory") == ["correct"] * 6


def test_big_output_is_fine(graded):
    assert statuses(graded, "big_output") == ["correct"] * 6


def test_broken_and_foreign_notebooks_are_invalid(graded):
    assert statuses(graded, "broken") == ["invalid"]
    assert "JSON" in graded["rows"]["broken"][0].message
    assert set(statuses(graded, "other_chapter")) == {"invalid"}
    assert "第 01 章" in graded["rows"]["other_chapter"][0].message


def test_originals_are_never_modified(graded):
    for name, path in graded["paths"].items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == graded["digests"][name], name


def test_missing_file_is_invalid(tmp_path):
    rows = grade_submission(tmp_path / "none.ipynb", chapter="02", limits=LIMITS)
    assert [r.status for r in rows] == ["invalid"]


def test_rows_name_the_chapter(graded):
    assert {row.chapter for rows in graded["rows"].values() for row in rows} == {"02"}
