"""``solutions/`` (原本) から ``exercises/`` (学習者用) を作る。

解答のコードは nbgrader と同じ目印で囲みます::

    def rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h):
        ### BEGIN SOLUTION
        h_t = np.tanh(x_t @ W_xh.T + h_prev @ W_hh.T + b_h)
        ### END SOLUTION
        return h_t

目印の間は次のように置き換わります (変換はそれぞれ小さな関数 1 つ)。

- 関数の中など字下げされた領域: ``raise NotImplementedError()`` (判定器は「未回答」と表示)
- 字下げのない領域: そこで代入される変数ごとに ``name = ...`` (判定器は「未回答」と表示)

nbgrader の隠しテスト (``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS``、採点セルに
``python -m rnncourse.classroom.gradecells`` が付けるもの) は、目印の行ごと取り除きます。nbgrader の印
(``metadata.nbgrader``: 配点と grade_id) は残すので、演習をそのまま nbgrader の課題にも使えます。

目印の対応が壊れているときは、ノートブックとセルの番号を挙げて ``MarkerError`` を送出します。
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Sequence

__all__ = [
    "MarkerError",
    "BEGIN",
    "END",
    "HIDDEN_BEGIN",
    "HIDDEN_END",
    "strip_hidden_tests",
    "solution_regions",
    "clear_solutions",
    "exercise_from_solution",
    "build_exercises",
]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
_MARKER = re.compile(r"^(\s*)(### (BEGIN|END) SOLUTION)\s*$")
STUB_COMMENT = "# ここにコードを書いてください"
VALUE_COMMENT = "# ここに答えを書いてください"


class MarkerError(ValueError):
    """解答の目印 (### BEGIN SOLUTION / ### END SOLUTION) の書き方が壊れている。"""


def solution_regions(source: str, where: str = "セル") -> list[tuple[int, int, str]]:
    """目印で囲まれた領域を (BEGIN の行番号, END の行番号, 字下げ) の並びで返す (0 始まり)。"""
    regions, begin = [], None
    for number, line in enumerate(source.splitlines()):
        match = _MARKER.match(line)
        if not match:
            if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
                raise MarkerError(f"{where} の {number + 1} 行目: 目印は `{BEGIN}` / `{END}` だけを 1 行に書いてください: {line.strip()!r}")
            continue
        indent, kind = match.group(1), match.group(3)
        if kind == "BEGIN":
            if begin is not None:
                raise MarkerError(f"{where} の {number + 1} 行目: {BEGIN} が閉じられる前に、もう一度 {BEGIN} があります。")
            begin = (number, indent)
        else:
            if begin is None:
                raise MarkerError(f"{where} の {number + 1} 行目: 対応する {BEGIN} のない {END} があります。")
            if indent != begin[1]:
                raise MarkerError(f"{where} の {number + 1} 行目: {END} の字下げが {BEGIN} と揃っていません。")
            regions.append((begin[0], number, indent))
            begin = None
    if begin is not None:
        raise MarkerError(f"{where} の {begin[0] + 1} 行目: {BEGIN} に対応する {END} がありません。")
    return regions


def strip_hidden_tests(source: str, where: str = "セル") -> str:
    """``### BEGIN HIDDEN TESTS`` から ``### END HIDDEN TESTS`` まで (目印の行を含む) を取り除いたソースを返す。

    >>> strip_hidden_tests("ch02.q1.check(x)\\n### BEGIN HIDDEN TESTS\\nassert ch02.q1.evaluate(x)\\n### END HIDDEN TESTS")
    'ch02.q1.check(x)'
    """
    if "HIDDEN TESTS" not in source:
        return source
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == HIDDEN_BEGIN:
            if inside:
                raise MarkerError(f"{where} の {number} 行目: {HIDDEN_BEGIN} が閉じられる前に、もう一度あります。")
            inside = True
        elif marker == HIDDEN_END:
            if not inside:
                raise MarkerError(f"{where} の {number} 行目: 対応する {HIDDEN_BEGIN} のない {HIDDEN_END} があります。")
            inside = False
        elif not inside:
            if "HIDDEN TESTS" in line:
                raise MarkerError(f"{where} の {number} 行目: 目印は `{HIDDEN_BEGIN}` / `{HIDDEN_END}` だけを 1 行に書いてください。")
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: {HIDDEN_BEGIN} に対応する {HIDDEN_END} がありません。")
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def _assigned_names(code: str, where: str) -> list[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise MarkerError(f"{where}: 解答の領域が Python として読めません ({error.msg}, {error.lineno} 行目)。") from None
    names: list[str] = []
    for node in tree.body:  # 字下げのない代入だけ (for 文の変数などは答えではない)
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name) and leaf.id not in names:
                    names.append(leaf.id)
    if not names:
        raise MarkerError(
            f"{where}: 字下げのない解答の領域では、答えの変数に代入してください (学習者用には `変数 = ...` が残ります)。"
        )
    return names


def _stub(body: list[str], indent: str, where: str) -> list[str]:
    if indent:
        return [f"{indent}{STUB_COMMENT}", f"{indent}raise NotImplementedError()"]
    return [f"{name} = ...  {VALUE_COMMENT}" for name in _assigned_names("\n".join(body), where)]


def clear_solutions(source: str, where: str = "セル") -> str:
    """目印で囲まれた領域を学習者用の空欄に置き換えたソースを返す。目印がなければそのまま。"""
    regions = solution_regions(source, where)
    if not regions:
        return source
    lines, out, position = source.splitlines(), [], 0
    for begin, end, indent in regions:
        out += lines[position:begin]
        out += _stub(lines[begin + 1 : end], indent, where)
        position = end + 1
    out += lines[position:]
    return "\n".join(out)


def _is_solution_cell(cell) -> bool:
    return cell.get("metadata", {}).get("nbgrader", {}).get("solution", False)


def exercise_from_solution(nb, name: str = "ノートブック"):
    """解答つきノートブック (nbformat の NotebookNode) から、出力を消した学習者用の複製を作る。

    目印を含むセルは nbgrader の解答セル (``metadata.nbgrader.solution = true``) でなければなりません。
    """
    import copy

    exercise = copy.deepcopy(nb)
    for index, cell in enumerate(exercise.cells, start=1):
        where = f"{name} のセル {index}"
        has_markers = bool(solution_regions(cell.source, where))
        if has_markers and cell.cell_type != "code":
            raise MarkerError(f"{where}: 解答の目印はコードセルにだけ書けます。")
        if has_markers and not _is_solution_cell(cell):
            raise MarkerError(f"{where}: 目印を含むセルには metadata.nbgrader.solution = true を付けてください。")
        if _is_solution_cell(cell) and not has_markers:
            raise MarkerError(f"{where}: nbgrader の解答セルなのに {BEGIN} / {END} がありません。")
        if cell.cell_type == "code":
            cell.source = clear_solutions(strip_hidden_tests(cell.source, where), where)
            cell.outputs = []
            cell.execution_count = None
    exercise.metadata.pop("widgets", None)
    return exercise


def _cells_signature(nb) -> list[tuple[str, str, dict]]:
    return [(cell.cell_type, cell.source, dict(cell.get("metadata", {}))) for cell in nb.cells]


def build_exercises(
    solutions_dir: str | Path,
    exercises_dir: str | Path,
    check: bool = False,
    execute: bool = True,
    names: Sequence[str] | None = None,
) -> list[str]:
    """``solutions_dir`` の各ノートブックから ``exercises_dir`` に学習者用を作る。

    ``check=True`` のときは何も書かず、作り直すと中身 (セルのソースとメタデータ) が変わる
    ノートブックの名前を返します (空なら最新)。そうでなければ書き出したノートブックの名前を返します。
    ``execute=True`` なら書き出した後に実行して出力を保存します (判定器は「未回答」を表示)。
    ``names`` (例 ``["02_forward_pass.ipynb"]``) を与えるとそのノートブックだけを扱います。
    """
    import nbformat

    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    sources = sorted(solutions_dir.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"{solutions_dir} に解答のノートブック (*.ipynb) がありません。")
    if names is not None:
        unknown = sorted(set(names) - {p.name for p in sources})
        if unknown:
            raise FileNotFoundError(f"{solutions_dir} に {', '.join(unknown)} がありません。")
        sources = [p for p in sources if p.name in names]
    changed = []
    for source in sources:
        exercise = exercise_from_solution(nbformat.read(source, as_version=4), f"{source.parent.name}/{source.name}")
        target = exercises_dir / source.name
        current = nbformat.read(target, as_version=4) if target.exists() else None
        if check:
            if current is None or _cells_signature(current) != _cells_signature(exercise):
                changed.append(source.name)
            continue
        exercises_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(exercise, target)
        if execute:
            from rnncourse.classroom.execute import execute_notebook

            execute_notebook(target)
        changed.append(source.name)
    if check and names is None:
        orphans = sorted({p.name for p in exercises_dir.glob("*.ipynb")} - {p.name for p in sources})
        changed += [f"{name} (対応する解答がありません)" for name in orphans]
    return changed
