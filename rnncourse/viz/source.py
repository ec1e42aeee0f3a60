"""パッケージの関数やクラスのソースコードを、ノートブックの中で色付きで見せる。

    >>> from rnncourse.nn.rnn import rnn_step_forward
    >>> src = show_source(rnn_step_forward, docstring=False)
    >>> print(repr(src).splitlines()[0])
    def rnn_step_forward(

セルの最後の式にすると、Jupyter では色付きの HTML で、テキストしか扱えない場所 (nbval の比較、
ターミナル) ではソースそのままのテキストで表示されます。どちらも実行のたびに同じ内容です。
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

__all__ = ["SourceCode", "show_source"]


class SourceCode:
    """ソースコードの表示用オブジェクト。HTML (色付き) とプレーンテキストの 2 つの表現を持つ。

    >>> SourceCode("x = 1\\n", "例")
    x = 1
    """

    def __init__(self, code: str, name: str) -> None:
        self.code = code
        self.name = name

    def __repr__(self) -> str:
        # text/plain の表現: 末尾の改行を除いたソースそのもの (nbval はこれを比べる)
        return self.code.rstrip("\n")

    def _repr_html_(self) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        # noclasses=True: CSS を別に読み込まなくても、色がインラインの style で付く
        formatter = HtmlFormatter(noclasses=True, nobackground=False, style="default")
        body = highlight(self.code, PythonLexer(), formatter)
        title = self.name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<div><div style="font-size:90%;color:#555;">{title} のソース</div>{body}</div>'


def _qualified_name(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__name__
    return f"{module}.{name}" if module and module != name else str(name)


def _without_docstring(code: str, is_module: bool) -> str:
    """関数・クラス・モジュールの先頭の docstring の行を取り除く。"""
    tree = ast.parse(code)
    body = tree.body if is_module else tree.body[0].body
    if not (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        return code
    lines = code.splitlines(keepends=True)
    start, end = body[0].lineno - 1, body[0].end_lineno  # 1 始まり → 0 始まりの半開区間
    if len(body) == 1:  # docstring だけの本体は ... に置き換えて文法を保つ
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        return "".join(lines[:start] + [indent + "...\n"] + lines[end:])
    return "".join(lines[:start] + lines[end:])


def show_source(obj: Any, docstring: bool = True) -> SourceCode:
    """``obj`` (関数・クラス・メソッド・モジュール) のソースコードを表示用のオブジェクトにして返す。

    >>> from rnncourse.nn.rnn import rnn_forward
    >>> show_source(rnn_forward)  # doctest: +SKIP

    ``docstring=False`` のとき、説明文 (docstring) を除いたコードだけを見せます。
    組み込み関数 (``len`` など) や、ノートブックのセルで定義したものにはソースファイルがないので
    TypeError になります。
    """
    name = _qualified_name(obj)
    try:
        code = inspect.getsource(obj)
    except (TypeError, OSError):
        raise TypeError(
            f"{name} のソースコードは表示できません。組み込み関数や C で書かれたもの、"
            "ノートブックの中で定義したものにはソースファイルがありません。"
            "rnncourse の関数やクラスを渡してください。"
        ) from None
    code = textwrap.dedent(code)  # メソッドの字下げをそろえる
    if not docstring:
        code = _without_docstring(code, inspect.ismodule(obj))
    return SourceCode(code, name)
