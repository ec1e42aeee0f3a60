"""rnncourse.viz.source: ソースの表示 (色付き HTML と、nbval が比べるプレーンテキスト)。"""

import ast
import inspect
import textwrap

import pytest
from IPython.core.formatters import DisplayFormatter

import rnncourse.seeding
from rnncourse.nn.rnn import rnn_forward
from rnncourse.shapes import Dims
from rnncourse.viz.source import SourceCode, show_source


def test_plain_text_is_the_source_itself():
    shown = show_source(rnn_forward)
    assert isinstance(shown, SourceCode)
    assert repr(shown) == inspect.getsource(rnn_forward).rstrip("\n")
    assert repr(shown).startswith("def rnn_forward(")


def test_jupyter_gets_highlighted_html_and_plain_text():
    data, _ = DisplayFormatter().format(show_source(rnn_forward))
    assert data["text/plain"] == inspect.getsource(rnn_forward).rstrip("\n")
    html = data["text/html"]
    assert "<span style=" in html  # インラインの色 (CSS を読み込まなくてよい)
    assert "rnncourse.nn.rnn.rnn_forward" in html
    assert "rnn_forward" in html and "rnn_step_forward" not in html


def test_output_is_deterministic_and_free_of_machine_paths():
    first, second = show_source(Dims), show_source(Dims)
    assert first._repr_html_() == second._repr_html_()
    assert repr(first) == repr(second)
    assert "/" + "work" not in first._repr_html_() and "site-packages" not in first._repr_html_()


def test_methods_are_dedented():
    code = repr(show_source(Dims.check))
    assert code.startswith("def check(")
    ast.parse(code)


def test_docstring_can_be_left_out_of_functions_classes_methods_and_modules():
    for obj in (rnn_forward, Dims, Dims.check, rnncourse.seeding):
        full = repr(show_source(obj))
        short = repr(show_source(obj, docstring=False))
        doc = inspect.getdoc(obj)
        assert doc.splitlines()[0] in full
        assert doc.splitlines()[0] not in short
        assert len(short) < len(full)
        ast.parse(short)
    assert "h = np.empty" in repr(show_source(rnn_forward, docstring=False))


def test_a_body_that_is_only_a_docstring_stays_valid_python():
    def only_doc():
        """説明だけ。"""

    code = repr(show_source(only_doc, docstring=False))
    assert code == "def only_doc():\n    ..."


def test_objects_without_docstring_are_unchanged():
    def no_doc(x):
        return x + 1

    assert repr(show_source(no_doc, docstring=False)) == repr(show_source(no_doc))
    assert repr(show_source(no_doc)) == textwrap.dedent(inspect.getsource(no_doc)).rstrip("\n")


@pytest.mark.parametrize("obj", [len, dict, 3])
def test_objects_without_source_give_a_japanese_error(obj):
    with pytest.raises(TypeError, match="ソースコードは表示できません"):
        show_source(obj)


def test_html_escapes_the_title():
    assert "&lt;b&gt;" in SourceCode("x = 1\n", "<b>")._repr_html_()
