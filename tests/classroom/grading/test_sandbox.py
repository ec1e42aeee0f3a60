"""箱のコマンド、箱の中の判定器の代わり、模範解答の差し替え、報告の無害化 (カーネルを起動しない部分)。"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnncourse.exercises.unavailable import REFERENCE_CALLS, ReferenceUsed, UnavailableQuestion
from rnncourse.classroom.grading import sandbox
from rnncourse.classroom.grading.report import Row, csv_cell, markdown_text, summary_table, write_feedback
from rnncourse.classroom.grading.views import build_views, checker_stub, tripwire_source

ROOT = Path(__file__).resolve().parents[3]
CHAPTERS = [f"rnncourse.exercises.{p.stem}" for p in sorted((ROOT / "rnncourse" / "exercises").glob("ch[0-9][0-9].py"))]


def test_sandbox_argv_isolates_everything():
    argv = sandbox.wrap(["python"], sandbox.Layout(read_only=(("/usr", "/usr"),), env={"A": "1"}), chdir="/tmp")
    for flag in ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in argv
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert argv[-2:] == ["--", "python"]


def test_layout_shows_the_python_and_the_package_but_not_the_repository(tmp_path):
    layout = sandbox.python_layout(ROOT / "rnncourse", tmp_path)
    targets = [target for _, target in layout.read_only]
    assert str((ROOT / "rnncourse").resolve()) in targets
    assert str(ROOT) not in targets and not any(t.startswith(str(ROOT / "solutions")) for t in targets)
    assert "HOME" in layout.env and not any(name.startswith("RNNCOURSE_TEST") for name in layout.env)


@pytest.mark.skipif(sandbox.unavailable_reason() is not None, reason="bwrap が使えません")
def test_inside_the_box_the_repository_and_environment_are_out_of_sight(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCOURSE_TEST_SECRET", "見えてはいけない")
    layout = sandbox.python_layout(ROOT / "rnncourse", tmp_path)
    code = (
        "import os, json; print(json.dumps([os.path.exists(p) for p in "
        f"({str(ROOT / 'solutions')!r}, {str(ROOT / 'README.md')!r}, {str(tmp_path)!r})] + "
        "['RNNCOURSE_TEST_SECRET' in os.environ, os.getpid()]))"
    )
    done = subprocess.run(sandbox.wrap([sys.executable, "-c", code], layout, chdir="/tmp"), capture_output=True, text=True)
    assert done.stdout.strip() == "[false, false, false, false, 2]", done.stderr


@pytest.mark.skipif(sandbox.unavailable_reason() is not None, reason="bwrap が使えません")
def test_inside_the_box_the_graders_own_package_is_imported(tmp_path):
    import rnncourse

    package_dir = Path(rnncourse.__file__).resolve().parent
    layout = sandbox.python_layout(package_dir, tmp_path)
    code = "import rnncourse; print(rnncourse.__file__)"
    done = subprocess.run(sandbox.wrap([sys.executable, "-c", code], layout, chdir="/tmp"), capture_output=True, text=True)
    assert done.stdout.strip() == str(package_dir / "__init__.py"), done.stderr


def test_ci_stops_when_the_sandbox_cannot_run():
    """bwrap があってもユーザー名前空間が無効な機械では、箱のテストはすべて skip になる。CI はそれを黙って通さず、
    環境を作った直後 (pytest の前) に、箱が使えない理由を示して失敗する。"""
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    check = next(i for i, line in enumerate(lines) if "unavailable_reason" in line and line.startswith("python -c"))
    setup = next(i for i, line in enumerate(lines) if "pip install" in line and "constraints.txt" in line)
    tests = next(i for i, line in enumerate(lines) if line.strip() == "python -m pytest")
    assert setup < check < tests
    code = lines[check].split("'")[1]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == (0 if sandbox.unavailable_reason() is None else 1), done.stderr


@pytest.mark.parametrize("name", CHAPTERS)
def test_checker_stubs_hold_no_answers_and_keep_the_tools(name):
    source = checker_stub(name)
    real = importlib.import_module(name)
    namespace: dict = {}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    for attribute in real.__all__:
        value = namespace[attribute]
        if hasattr(getattr(real, attribute), "answer_name"):
            assert isinstance(value, UnavailableQuestion)
            assert not any(hasattr(value, a) for a in ("expected", "reference", "cases", "rule", "answer", "hints"))
        else:
            assert callable(value)
    for secret in ("expected=", "cases=", "reference=", "rule=", "mistakes=", "BEGIN SOLUTION"):
        assert secret not in source, secret


def test_every_chapter_is_covered():
    assert CHAPTERS == [f"rnncourse.exercises.ch{n:02d}" for n in range(1, len(CHAPTERS) + 1)] and len(CHAPTERS) >= 9


def _decision_names(module) -> set[str]:
    """章のモジュールで定義された名前のうち、問題の判定に使われるもの (期待値・模範解答・テストケース・判定規則と、
    それらの関数が大域変数としてたどるもの)。"""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    defined = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            defined |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    questions = [getattr(module, n) for n in module.__all__ if hasattr(getattr(module, n), "answer_name")]
    values = []
    for q in questions:
        values += [getattr(q, a, None) for a in ("expected", "reference", "cases", "rule", "draw_cases", "answer")]
        values += [wrong for wrong, _ in getattr(q, "mistakes", ())]
    found = {name for name in defined if any(getattr(module, name, None) is v for v in values if v is not None)}
    todo = [v for v in values if callable(v)]
    seen = set()
    while todo:
        function = inspect.unwrap(todo.pop())
        code = getattr(function, "__code__", None)
        if code is None or id(function) in seen or getattr(function, "__module__", None) != module.__name__:
            continue
        seen.add(id(function))
        codes = [code]
        while codes:
            current = codes.pop()
            codes += [c for c in current.co_consts if hasattr(c, "co_names")]
            for name in current.co_names:
                if name in defined:
                    found.add(name)
                    todo.append(getattr(module, name))
    return found


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_stub_exposes_an_expected_value_reference_or_oracle(name):
    """代わりのモジュールに残るのは、演習のノートが使う道具だけ。判定に使う名前 (期待値・模範解答・実験の表
    ``phenomenon_accuracies``・``reference_alignment`` など) は、ノートが学習者に使わせる道具でない限り残らない。"""
    real = importlib.import_module(name)
    namespace: dict = {}
    exec(compile(checker_stub(name), f"<{name}>", "exec"), namespace)
    chapter = name[-2:]
    notebook = next((ROOT / "exercises").glob(f"{chapter}_*.ipynb")).read_text(encoding="utf-8")
    tools = [n for n in real.__all__ if not hasattr(getattr(real, n), "answer_name")]
    for tool in tools:  # 公開するのは、演習のノートが使う道具だけ (判定器だけが使う関数は __all__ に入れない)
        assert re.search(rf"\b{tool}\b", notebook), f"{name}.{tool} は演習のノートが使わないので __all__ に入れません"
    leaked = (_decision_names(real) & set(namespace)) - set(tools)
    assert leaked == set(), f"{name} の代わりのモジュールに、判定に使う名前が残っています: {sorted(leaked)}"


def test_the_chapter_8_and_9_oracles_are_not_in_the_box():
    for name, oracles in (("rnncourse.exercises.ch08", ("phenomenon_accuracies", "Q5_RUNS")),
                          ("rnncourse.exercises.ch09", ("reference_alignment", "Q5_INPUT", "Q5_RUN"))):
        source = checker_stub(name)
        for oracle in oracles:
            assert oracle not in source, (name, oracle)


def test_unavailable_question_says_so_in_japanese(capsys):
    result = UnavailableQuestion("演習 1", "shapes").check(1)
    assert not result and "採点中" in capsys.readouterr().out


def test_tripwired_reference_records_and_stops():
    source = "def ref(x):\n    return x + 1\n\nclass V:\n    def encode(self, t):\n        return t\n"
    namespace: dict = {}
    exec(tripwire_source(source, "m", {"ref", "V.encode"}), namespace)
    REFERENCE_CALLS.clear()
    with pytest.raises(ReferenceUsed):
        namespace["ref"](1)
    with pytest.raises(ReferenceUsed):
        namespace["V"]().encode("a")
    assert REFERENCE_CALLS == ["m.ref", "m.V.encode"]
    REFERENCE_CALLS.clear()


def test_views_cover_every_chapter_and_hide_bytecode(tmp_path):
    views = build_views(tmp_path, ROOT / "rnncourse")
    kernel_targets = {target for _, target in views.kernel}
    for name in CHAPTERS:
        assert os.path.realpath(importlib.import_module(name).__file__) in kernel_targets
    assert any(target.endswith("exercises/__pycache__") for target in kernel_targets)
    judge_02 = {target for _, target in views.judge["02"]}
    assert os.path.realpath(importlib.import_module("rnncourse.nn.rnn").__file__) in judge_02


def test_csv_cells_that_start_a_formula_are_neutralised():
    assert [csv_cell(t) for t in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "普通")] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "普通"
    ]


def test_markdown_text_shows_student_text_as_text():
    text = markdown_text("# 見出し\n- 箇条書き\n1. 番号\n<b>太字</b> | 表 | [リンク](x)")
    assert "<b>" not in text and text.startswith("\\#") and "\n\\- " in text and "\n1\\." in text
    assert "\\|" in text and "\\[" in text


def test_summary_groups_by_chapter():
    rows = [Row("a", "02", "演習 1", "correct", ""), Row("b", "01", "演習 1", "incorrect", ""),
            Row("c", "02", "演習 1", "incorrect", "")]
    lines = summary_table(rows).splitlines()
    assert [line.split() for line in lines[1:]] == [["01", "演習", "1", "0", "1"], ["02", "演習", "1", "1", "2"]]


def test_feedback_folder_is_replaced_as_a_whole(tmp_path):
    folder = tmp_path / "report_feedback"
    folder.mkdir()
    (folder / "old.md").write_text("古い", encoding="utf-8")
    written = write_feedback([Row("new.ipynb", "02", "演習 1", "correct", "")], folder)
    assert [p.name for p in written] == ["new.md"] and sorted(p.name for p in folder.iterdir()) == ["new.md"]
    assert [p.name for p in tmp_path.iterdir()] == ["report_feedback"]  # 一時フォルダは残らない
