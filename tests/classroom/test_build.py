import nbformat
import pytest

from rnncourse.classroom.build import MarkerError, build_exercises, clear_solutions, exercise_from_solution

FUNCTION_CELL = """def step(x):
    y = 2 * x
    ### BEGIN SOLUTION
    y = y + 1
    ### END SOLUTION
    return y"""

VALUE_CELL = """### BEGIN SOLUTION
n_params = 4 * 3 + 4 * 4
shape = (2, 3)
### END SOLUTION
print(n_params)"""


def solution_cell(source):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "q1", "schema_version": 3}
    return cell


def test_indented_region_becomes_not_implemented():
    out = clear_solutions(FUNCTION_CELL)
    assert "y = y + 1" not in out and "SOLUTION" not in out
    assert "    raise NotImplementedError()" in out
    assert out.splitlines()[-1] == "    return y"


def test_top_level_region_leaves_ellipsis_per_assigned_name():
    out = clear_solutions(VALUE_CELL)
    assert out.splitlines()[:2] == ["n_params = ...  # ここに答えを書いてください", "shape = ...  # ここに答えを書いてください"]
    assert out.splitlines()[-1] == "print(n_params)"


def test_cell_without_markers_is_unchanged():
    assert clear_solutions("x = 1\nprint(x)") == "x = 1\nprint(x)"


@pytest.mark.parametrize(
    "source, words",
    [
        ("### BEGIN SOLUTION\nx = 1", "END SOLUTION がありません"),
        ("x = 1\n### END SOLUTION", "BEGIN SOLUTION のない"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx=1\n### END SOLUTION", "もう一度"),
        ("def f():\n    ### BEGIN SOLUTION\n    x = 1\n### END SOLUTION", "字下げ"),
        ("x = 1  ### BEGIN SOLUTION", "1 行に"),
        ("### BEGIN SOLUTION\nprint(1)\n### END SOLUTION", "代入"),
    ],
)
def test_malformed_markers_fail_loudly_naming_the_cell(source, words):
    with pytest.raises(MarkerError, match=words) as info:
        clear_solutions(source, "02_forward_pass.ipynb のセル 3")
    assert "02_forward_pass.ipynb のセル 3" in str(info.value)


def test_markers_require_nbgrader_metadata_and_name_notebook_and_cell():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 演習"), nbformat.v4.new_code_cell(FUNCTION_CELL)])
    with pytest.raises(MarkerError, match="ch.ipynb のセル 2: .*nbgrader.solution"):
        exercise_from_solution(nb, "ch.ipynb")


def test_solution_cell_without_markers_fails():
    nb = nbformat.v4.new_notebook(cells=[solution_cell("x = 1")])
    with pytest.raises(MarkerError, match="セル 1"):
        exercise_from_solution(nb, "ch.ipynb")


def test_exercise_drops_outputs_and_keeps_solution_untouched():
    cell = solution_cell(FUNCTION_CELL)
    cell.outputs = [nbformat.v4.new_output("stream", text="3\n")]
    cell.execution_count = 1
    nb = nbformat.v4.new_notebook(cells=[cell])
    exercise = exercise_from_solution(nb)
    assert exercise.cells[0].outputs == [] and exercise.cells[0].execution_count is None
    assert "raise NotImplementedError()" in exercise.cells[0].source
    assert "y = y + 1" in nb.cells[0].source  # 原本は変えない
    assert exercise.cells[0].metadata["nbgrader"]["solution"] is True


def test_build_and_check(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[solution_cell(VALUE_CELL)]), solutions / "01_a.ipynb")
    assert build_exercises(solutions, exercises, check=True) == ["01_a.ipynb"]
    assert build_exercises(solutions, exercises, execute=False) == ["01_a.ipynb"]
    assert build_exercises(solutions, exercises, check=True) == []
    # 原本を変えると「古い」と判定される
    nb = nbformat.read(solutions / "01_a.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("追加"))
    nbformat.write(nb, solutions / "01_a.ipynb")
    assert build_exercises(solutions, exercises, check=True) == ["01_a.ipynb"]
    nbformat.write(nb, exercises / "99_orphan.ipynb")
    assert "99_orphan.ipynb (対応する解答がありません)" in build_exercises(solutions, exercises, check=True)


def test_loop_variables_are_not_answers():
    source = "### BEGIN SOLUTION\nbest = None\nfor k in range(3):\n    best = k\n### END SOLUTION"
    assert clear_solutions(source) == "best = ...  # ここに答えを書いてください"
