"""採点を破ろうとする提出物 (issue 10 の攻撃) を、第2章のノートから作る道具。

どの攻撃も「成功したら演習 2 (n_params) が正解になる」形の探り (probe) にしてあります: 箱の中で
攻撃が成功したかどうかを、採点の行だけで外から確かめられるように。
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[3]
NAME = "02_forward_pass.ipynb"
#: 第2章の演習 2 の正解 (探りの印に使う)。箱の外の、本物の判定器から。
N_PARAMS = int(__import__("rnncourse.exercises.ch02", fromlist=["q2"]).q2.expected)


def solution():
    return nbformat.read(ROOT / "solutions" / NAME, as_version=4)


def exercise():
    return nbformat.read(ROOT / "exercises" / NAME, as_version=4)


def with_cells(nb, *sources, at=None):
    nb = copy.deepcopy(nb)
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    position = len(nb.cells) if at is None else at
    nb.cells[position:position] = cells
    return nb


def replace(nb, old, new):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.source = cell.source.replace(old, new)
    return nb


def import_index(nb):
    return next(i for i, c in enumerate(nb.cells) if "from rnncourse.exercises import ch02" in c.source) + 1


def small(*sources):
    """第2章の判定器を import するだけの小さなノートに ``sources`` のセルを足す (カーネルの起動だけで済む)。"""
    nb = nbformat.v4.new_notebook()
    nb.metadata["rnncourse"] = {"chapter": "02"}
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nfrom rnncourse.exercises import ch02")]
    return with_cells(nb, *sources)


def probe(condition: str, setup: str = ""):
    """``condition`` (式) が箱の中で真なら演習 2 が正解になるノート。"""
    return small(setup, f"n_params = {N_PARAMS} if ({condition}) else -1")


def lookup_table_submission(question) -> nbformat.NotebookNode:
    """公開のテストケースの入力 → 模範解答の出力を表にして引くだけの「答え」(関数の問題 ``question``)。"""
    table = []
    for case in question.cases:
        output = question.reference(*copy.deepcopy(case.args))
        first = output[0] if isinstance(output, tuple) else output
        table.append([case.args[0].tolist(), first.tolist()])
    source = (
        f"_TABLE = {json.dumps(table)}\n"
        f"def {question.answer_name}(*args):\n"
        "    for key, value in _TABLE:\n"
        "        if np.array_equal(np.asarray(key), args[0]):\n"
        "            return np.asarray(value), None\n"
        "    return np.zeros(1), None\n"
    )
    return small(source)


def copied_reference_submission(swapped: bool = False) -> nbformat.NotebookNode:
    """模範解答の写しを答えにするノート: 演習 4 は ``exec(inspect.getsource(...), globals())``、演習 5 は
    ``types.FunctionType(模範解答.__code__, globals())`` (``swapped`` なら逆)。学習者のノートではどちらも正しく動く。"""
    by_source = "exec(inspect.getsource(R.{name}), globals())"
    by_code = "{name} = types.FunctionType(R.{name}.__code__, globals(), {name!r})"
    step, forward = (by_code, by_source) if swapped else (by_source, by_code)
    return small(
        "import inspect, types\n"
        "import rnncourse.nn.rnn as R\n"
        "from rnncourse.nn.rnn import Dims, RNNCache, RNNStepCache, timewise_matmul",
        step.format(name="rnn_step_forward") + "\n" + forward.format(name="rnn_forward"),
    )
