"""nbgrader の採点セル: 各問題の判定セルに配点と隠しテストを付ける (著者向けの道具)。

    python -m rnncourse.classroom.gradecells            # solutions/*.ipynb のすべてに付ける (何度実行しても同じ)
    python -m rnncourse.classroom.gradecells --check    # 付いていないものがあれば 0 以外で終わる
    rnncourse build-exercises                           # そのあと演習を作り直す (隠しテストは消え、採点の印は残る)

解答セル (``metadata.nbgrader.grade_id = "ch02_q2"``) のあとの判定セル ``ch02.q2.check(n_params)`` を、nbgrader の
「自動採点のテスト」のセルにします。見える部分はそのままで、隠しテストが本物の判定器に尋ねます::

    >>> print(hidden_test("02", "q2", "n_params", "演習 2"))
    ### BEGIN HIDDEN TESTS
    # nbgrader の採点: 判定器が正解と判定したときだけ点になります (表示はしません)
    assert ch02.q2.evaluate(n_params), "演習 2 は正解ではありません。上の判定の表示を見てください。"
    ### END HIDDEN TESTS

``evaluate`` は ``check`` と同じ判定をして何も表示しないので、模範解答のノートの出力は変わりません。
配点は判定器の問題の ``points`` (既定 1)、採点セルの ``grade_id`` は ``ch02_q2_check`` です。
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import re
import sys
from pathlib import Path
from typing import Any

from rnncourse.classroom.build import HIDDEN_BEGIN, HIDDEN_END, MarkerError, strip_hidden_tests

__all__ = ["HIDDEN_BEGIN", "HIDDEN_END", "GradeCellError", "hidden_test", "add_grade_cells", "stale_notebooks", "main"]

_SOLUTION_ID = re.compile(r"ch(\d\d)_(q\d+)")


class GradeCellError(ValueError):
    """判定セルが見つからない・読めない (ノートブックとセルの番号を挙げる)。"""


def hidden_test(chapter: str, question: str, answer: str, name: str) -> str:
    """判定器に尋ねる隠しテスト (目印の行を含む)。"""
    return "\n".join(
        [
            HIDDEN_BEGIN,
            "# nbgrader の採点: 判定器が正解と判定したときだけ点になります (表示はしません)",
            f'assert ch{chapter}.{question}.evaluate({answer}), "{name} は正解ではありません。上の判定の表示を見てください。"',
            HIDDEN_END,
        ]
    )


def _check_argument(source: str, chapter: str, question: str) -> str | None:
    """セルの中の ``chNN.qK.check(答え)`` の答えの式 (ソースのまま)。無ければ None。"""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "check"
            and ast.unparse(node.func.value) == f"ch{chapter}.{question}"
            and len(node.args) == 1
            and not node.keywords
        ):
            return ast.get_source_segment(source, node.args[0])
    return None


def _question(chapter: str, question: str, where: str) -> Any:
    try:
        module = importlib.import_module(f"rnncourse.exercises.ch{chapter}")
    except ImportError:
        raise GradeCellError(f"{where}: 判定器 rnncourse.exercises.ch{chapter} がありません。") from None
    found = getattr(module, question, None)
    if found is None or not hasattr(found, "evaluate"):
        raise GradeCellError(f"{where}: rnncourse.exercises.ch{chapter} に問題 {question} がありません。")
    return found


def add_grade_cells(nb: Any, name: str = "ノートブック") -> Any:
    """解答つきノートブック (nbformat の NotebookNode) の各問題の判定セルを nbgrader の採点セルにした複製を返す。

    解答セルの ``grade_id`` (``chNN_qK``) ごとに、そのあとの最初の ``chNN.qK.check(答え)`` のセルを探し、
    隠しテストを付け直し (前のものは消す)、``metadata.nbgrader`` を配点つきの採点セルにします。何度呼んでも同じです。
    判定セルが無い・答えの式が読めないときは :class:`GradeCellError` を送出します。
    """
    result = copy.deepcopy(nb)
    cells = result.cells
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("solution"):
            continue
        where = f"{name} のセル {index + 1}"
        match = _SOLUTION_ID.fullmatch(str(meta.get("grade_id", "")))
        if match is None:
            raise GradeCellError(f"{where}: 解答セルの grade_id は chNN_qK の形にしてください ({meta.get('grade_id')!r})。")
        chapter, question = match.groups()
        target = None
        for later in range(index + 1, len(cells)):
            if cells[later].cell_type == "code" and _check_argument(
                strip_hidden_tests(cells[later].source, where), chapter, question
            ):
                target = cells[later]
                break
        if target is None:
            raise GradeCellError(f"{where}: このあとに判定セル ch{chapter}.{question}.check(答え) がありません。")
        visible = strip_hidden_tests(target.source, where)
        answer = _check_argument(visible, chapter, question)
        declared = _question(chapter, question, where)
        target.source = visible + "\n" + hidden_test(chapter, question, str(answer), declared.name)
        target.metadata["nbgrader"] = {
            "grade": True,
            "grade_id": f"ch{chapter}_{question}_check",
            "locked": True,
            "points": int(declared.points),
            "schema_version": 3,
            "solution": False,
        }
    return result


def _cells(nb: Any) -> list[tuple[str, str, Any]]:
    return [(cell.cell_type, cell.source, cell.get("metadata", {}).get("nbgrader")) for cell in nb.cells]


def stale_notebooks(paths: list[Path]) -> list[str]:
    """採点セルが付いていない・古い (判定器の配点が変わった など) ノートブックの名前。"""
    import nbformat

    stale = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if _cells(add_grade_cells(nb, path.name)) != _cells(nb):
            stale.append(path.name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.classroom.gradecells",
        description="solutions/ の各問題の判定セルに、nbgrader の配点と隠しテスト (本物の判定器に尋ねる) を付けます。"
        "出力は変わらないので、実行し直す必要はありません。そのあと rnncourse build-exercises で演習を作り直してください。",
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="解答のノートブック (既定は solutions/*.ipynb)")
    parser.add_argument("--check", action="store_true", help="書き換えずに、付いていないものがあれば 1 で終わります")
    args = parser.parse_args(argv)
    import nbformat

    paths = args.notebooks or sorted(Path("solutions").glob("*.ipynb"))
    if not paths:
        print("解答のノートブックがありません (solutions/*.ipynb)。", file=sys.stderr)
        return 2
    try:
        if args.check:
            stale = stale_notebooks(paths)
            for name in stale:
                print(f"[古い] {name}: python -m rnncourse.classroom.gradecells で採点セルを付けてください。")
            return 1 if stale else 0
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            graded = add_grade_cells(nb, path.name)
            if _cells(graded) != _cells(nb):
                nbformat.write(graded, path)
                print(f"[更新] {path}")
            else:
                print(f"[そのまま] {path}")
    except (GradeCellError, MarkerError) as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
