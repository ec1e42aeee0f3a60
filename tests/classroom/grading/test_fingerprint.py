"""模範解答の写し (コードの指紋) の見分け: どの章の模範解答と補助関数の写しも見分け、本物の解答は見分けない。

カーネルは起動しません (箱の中での通し試験は test_attacks.py の copysrc)。
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from rnncourse.exercises.questions import FunctionQuestion
from rnncourse.classroom.grading import fingerprint
from rnncourse.classroom.grading.submission import chapter_questions

ROOT = Path(__file__).resolve().parents[3]
CHAPTERS = [path.name[:2] for path in sorted((ROOT / "solutions").glob("*.ipynb"))]


@functools.lru_cache(maxsize=None)
def table(chapter: str) -> dict:
    return fingerprint.reference_table(chapter_questions(chapter))


def _entries():
    for chapter in CHAPTERS:
        for kind in ("references", "helpers"):
            for entry in table(chapter)[kind]:
                yield pytest.param(chapter, entry, id=f"ch{chapter}-{entry['qualname']}")


def notebook_copy(function, **extra):
    """ノートのセルで ``exec(inspect.getsource(function), globals())`` したときの関数 (別の「ファイル」、別の行)。"""
    namespace = dict(function.__globals__, __name__="__main__", **extra)
    source = "\n\n\n# ノートのセル\n" + textwrap.dedent(inspect.getsource(function))
    exec(compile(source, "<ipython-input-7>", "exec"), namespace)
    return namespace[function.__name__]


def test_every_chapter_has_references_to_compare_with():
    for chapter in CHAPTERS:
        functions = [q for q in chapter_questions(chapter) if isinstance(q, FunctionQuestion)]
        assert len(table(chapter)["references"]) >= len(functions), chapter


@pytest.mark.parametrize("chapter, entry", list(_entries()))
def test_copies_of_every_reference_and_helper_are_found(chapter, entry):
    original = fingerprint.resolve(entry["module"], entry["qualname"])
    own = fingerprint.own_functions(table(chapter))
    by_source = notebook_copy(original)
    by_code = types.FunctionType(original.__code__, {"__name__": "__main__"}, "renamed")
    for copy in (by_source, by_code):
        found = fingerprint.find_copy(copy, table(chapter), own)
        assert found is not None and found["copied"] and found["reference"] == entry["name"], found
        assert found.get("used_by") == entry.get("used_by")


def _solution_functions(chapter):
    """solutions/ のノートの、関数の問題の答えを定義するセル (と import のセル) を実行した関数。"""
    path = next((ROOT / "solutions").glob(f"{chapter}_*.ipynb"))
    cells = ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    namespace = {"__name__": "__main__"}
    for cell in cells:
        if all(not line.strip() or line.startswith(("import ", "from ", " ", ")", "#")) for line in cell.splitlines()):
            exec(cell, namespace)
    for question in chapter_questions(chapter):
        if isinstance(question, FunctionQuestion):
            cell = next(c for c in cells if re.search(rf"^def {question.answer_name}\(", c, re.M))
            exec(cell, namespace)
            yield question, namespace[question.answer_name]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_genuine_solutions_are_not_copies(chapter):
    own = fingerprint.own_functions(table(chapter))
    for question, function in _solution_functions(chapter):
        assert fingerprint.find_copy(function, table(chapter), own) is None, question.name


def test_using_the_library_helpers_is_not_copying():
    """補助関数 (length_mask など) をパッケージから import して使うのは構わない。"""
    from rnncourse.data import length_mask

    def masked_mean(h, lengths):
        mask = length_mask(lengths, h.shape[1])
        return (h * mask[..., None]).sum(axis=1) / np.asarray(lengths)[:, None]

    own = fingerprint.own_functions(table("08"))
    assert fingerprint.find_copy(masked_mean, table("08"), own) is None
    copied = notebook_copy(length_mask)

    def masked_mean_with_a_copy(h, lengths):
        return (h * copied(lengths, h.shape[1])[..., None]).sum(axis=1)

    found = fingerprint.find_copy(masked_mean_with_a_copy, table("08"), own)
    assert found == {"reference": "rnncourse.data.padding.length_mask", "copied": True,
                     "used_by": "rnncourse.data.padding.masked_mean"}


def test_the_reference_itself_is_named_without_calling_it_a_copy():
    """箱なしで採点するときは模範解答の本体が差し替えられていないので、本物そのものもここで見分ける。"""
    from rnncourse.nn.rnn import rnn_forward

    found = fingerprint.find_copy(rnn_forward, table("02"), fingerprint.own_functions(table("02")))
    assert found == {"reference": "rnncourse.nn.rnn.rnn_forward"}


def test_copies_hidden_behind_other_objects_are_found():
    from rnncourse.nn.rnn import rnn_step_forward

    own = fingerprint.own_functions(table("02"))
    copy = notebook_copy(rnn_step_forward)

    class Holder:
        step = staticmethod(copy)

        def __call__(self, *args):
            return self.step(*args)

    def through_a_closure():
        def answer(*args):
            return copy(*args)
        return answer

    namespace = {"steps": [copy], "module": types.SimpleNamespace(step=copy)}
    exec("def by_list(*a):\n    return steps[0](*a)\ndef by_attribute(*a):\n    return module.step(*a)\n", namespace)
    nested = {}
    exec("def outer():\n" + textwrap.indent(textwrap.dedent(inspect.getsource(rnn_step_forward)), "    ")
         + "    return rnn_step_forward\n", dict(rnn_step_forward.__globals__), nested)
    candidates = [through_a_closure(), functools.partial(copy), Holder(), Holder().__call__, namespace["by_list"],
                  namespace["by_attribute"], nested["outer"]]
    for candidate in candidates:
        found = fingerprint.find_copy(candidate, table("02"), own)
        assert found and found["reference"] == "rnncourse.nn.rnn.rnn_step_forward", candidate


def test_a_retyped_copy_with_renamed_variables_is_not_found():
    """手で打ち直して変数名を変えた写しは見分けられない (README に書いてある限界)。"""
    from rnncourse.nn.rnn import rnn_step_forward

    source = textwrap.dedent(inspect.getsource(rnn_step_forward)).replace("a_t", "pre")
    namespace = dict(rnn_step_forward.__globals__)
    exec(source, namespace)
    own = fingerprint.own_functions(table("02"))
    assert fingerprint.find_copy(namespace["rnn_step_forward"], table("02"), own) is None


def test_looking_does_not_run_the_learners_code():
    ran = []

    class Trap:
        def __getattr__(self, name):
            ran.append(name)
            return None

        @property
        def step(self):
            ran.append("property")
            return None

    class FakeFunction:
        @property
        def __class__(self):
            ran.append("__class__")
            return types.FunctionType

    trap, fake = Trap(), FakeFunction()

    def answer(x):
        return trap.step(x) + trap.other(x) + fake(x)

    assert fingerprint.find_copy(answer, table("02"), set()) is None
    assert ran == []


def test_the_fingerprint_ignores_names_lines_and_docstrings_but_not_the_code():
    a, b, c, d = {}, {}, {}, {}
    exec("import numpy as np\ndef f(x):\n    '''説明'''\n    return np.tanh(x) + 1\n", a)
    exec("\n\n\ndef g(x):\n    return np.tanh(x) + 1\n", b)  # 別の行・名前、import のないセル (LOAD_METHOD になる)
    exec("def f(x):\n    return np.tanh(x) + 2\n", c)
    exec("def f(y):\n    return np.tanh(y) + 1\n", d)
    same = fingerprint.code_fingerprint(a["f"].__code__)
    assert fingerprint.code_fingerprint(b["g"].__code__) == same
    assert fingerprint.code_fingerprint(c["f"].__code__) != same
    assert fingerprint.code_fingerprint(d["f"].__code__) != same


def test_copies_reached_through_a_module_attribute_are_found():
    """採点の箱の中で、元に戻すときに模範解答のモジュールへ写しを置いても、名前でたどって見つける。"""
    import rnncourse.nn.rnn as R

    module = types.ModuleType("fake_rnn")
    module.rnn_forward = notebook_copy(R.rnn_forward)
    namespace = {"R": module}
    exec("def rnn_forward(*args):\n    return R.rnn_forward(*args)\n", namespace)
    found = fingerprint.find_copy(namespace["rnn_forward"], table("02"), fingerprint.own_functions(table("02")))
    assert found == {"reference": "rnncourse.nn.rnn.rnn_forward", "copied": True}
