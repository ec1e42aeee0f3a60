"""採点の箱の中に見せるパッケージの「差し替え」を作る: 答えを写せるものを箱の中に置かないために。

- 判定器 ``rnncourse/exercises/chNN.py`` は、期待値・模範解答・テストケース・判定規則を持たない代わりの
  モジュール (:func:`checker_stub`) に差し替える。``__all__`` の問題でない名前 (演習のノートが使う道具、
  ``ch02.impulse_final_norm``) はそのまま残し、問題 ``q1`` … は
  :class:`~rnncourse.exercises.unavailable.UnavailableQuestion` になる。判定器だけが使う関数 (実験の表など) は
  ``__all__`` に入れない決まりなので (``rnncourse.exercises``)、代わりのモジュールには残らない。
- 関数の答えを呼ぶ箱 (``judge``) では、さらに模範解答の関数 (``FunctionQuestion.reference_name``) の本体を
  「呼ばれたら記録して止まる」ものに差し替える (:func:`tripwire_source`)。
- どちらの箱でも、パッケージの ``__pycache__`` (元のモジュールのバイトコード) は空のフォルダで隠す。

    >>> src = "def f(x):\\n    '''説明'''\\n    return x + 1\\n"
    >>> print(tripwire_source(src, "m", {"f"}))
    def f(x):
        \"\"\"説明\"\"\"
        raise __import__('rnncourse.exercises.unavailable', fromlist=['reference_called']).reference_called('m.f')
"""

from __future__ import annotations

import ast
import importlib
import os
from pathlib import Path
from typing import Iterable

from rnncourse.exercises.questions import FunctionQuestion, Question

__all__ = ["checker_stub", "tripwire_source", "resolve_reference", "build_views", "Views"]

_TRIP = "raise __import__('rnncourse.exercises.unavailable', fromlist=['reference_called']).reference_called({name!r})"


def resolve_reference(name: str) -> tuple[str, str]:
    """``"rnncourse.text.CharVocab.encode"`` → (モジュール ``rnncourse.text``, 修飾名 ``CharVocab.encode``)。"""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        return module, ".".join(parts[cut:])
    raise ValueError(f"模範解答の名前 {name!r} のモジュールが見つかりません。")


class _Tripwire(ast.NodeTransformer):
    def __init__(self, module: str, qualnames: set[str]) -> None:
        self.module, self.qualnames, self.stack, self.found = module, qualnames, [], set()

    def _visit_scope(self, node):  # type: ignore[no-untyped-def]
        self.stack.append(node.name)
        qualname = ".".join(self.stack)
        self.generic_visit(node)
        self.stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and qualname in self.qualnames:
            self.found.add(qualname)
            docstring = ast.get_docstring(node, clean=False)
            body = [ast.Expr(ast.Constant(docstring))] if docstring is not None else []
            node.body = body + ast.parse(_TRIP.format(name=f"{self.module}.{qualname}")).body
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope


def tripwire_source(source: str, module: str, qualnames: set[str]) -> str:
    """``source`` (モジュール ``module`` のソース) の関数 ``qualnames`` の本体を、呼ばれたら記録して止まるものにする。"""
    tree = ast.parse(source)
    transformer = _Tripwire(module, set(qualnames))
    tree = transformer.visit(tree)
    missing = set(qualnames) - transformer.found
    if missing:
        raise ValueError(f"{module} に関数 {sorted(missing)} がありません。")
    return ast.unparse(ast.fix_missing_locations(tree))


def _defined_names(statement: ast.stmt) -> set[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}


def _used_names(statement: ast.stmt) -> set[str]:
    return {node.id for node in ast.walk(statement) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def checker_stub(module_name: str, tripwired: Iterable[str] = ()) -> str:
    """判定器のモジュール ``module_name`` の、採点の箱の中での代わりのソース。

    残すのは import 文と、``__all__`` のうち問題でない公開の道具 (とそれが使うモジュールの名前) だけ。
    ``tripwired`` に挙げた名前 (修飾名) のうち残した道具のものは、呼ばれたら記録して止まるものにする
    (残さないもの、たとえば ``__all__`` にない模範解答の関数は、そもそも箱の中にない)。
    """
    module = importlib.import_module(module_name)
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    tree = ast.parse(source)
    public = list(getattr(module, "__all__", ()))
    questions = [name for name in public if isinstance(getattr(module, name), Question)]
    tools = [name for name in public if name not in questions]
    body = tree.body
    definitions: dict[str, int] = {}
    for index, statement in enumerate(body):
        for name in _defined_names(statement):
            definitions.setdefault(name, index)
    keep: set[int] = set()
    todo = [definitions[name] for name in tools]
    while todo:
        index = todo.pop()
        if index in keep:
            continue
        keep.add(index)
        for name in _used_names(body[index]):
            if name in questions:
                raise ValueError(f"{module_name} の道具が問題 {name} を使っています。採点の箱に置けません。")
            if name in definitions and definitions[name] not in keep:
                todo.append(definitions[name])
    lines = [f'"""{module_name} の採点用の代わり: 期待値・模範解答・テストケースはここにはありません。"""']
    kept = []
    for index, statement in enumerate(body):
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            lines.append(ast.unparse(statement))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)) or index in keep:
            kept.append(statement)
    stub = ast.Module(body=kept, type_ignores=[])
    text = ast.unparse(stub)
    tripwired = {name for name in tripwired if name.split(".")[0] in tools}
    if tripwired:
        text = tripwire_source(text, module_name, tripwired)
    lines.append(text)
    lines.append("from rnncourse.exercises.unavailable import UnavailableQuestion as _UnavailableQuestion")
    for name in questions:
        question = getattr(module, name)
        lines.append(f"{name} = _UnavailableQuestion({question.name!r}, {question.answer_name!r})")
    lines.append(f"__all__ = {public!r}")
    return "\n".join(lines) + "\n"


class Views:
    """箱に重ねる差し替えファイルの (外の場所, 箱の中の場所) の並び。"""

    def __init__(self, kernel: list[tuple[str, str]], judge: dict[str, list[tuple[str, str]]]) -> None:
        self.kernel = kernel  # 学習者のノートを実行する箱
        self.judge = judge  # 章ごと: 関数の答えを呼ぶ箱


def _chapter_modules() -> list[str]:
    folder = Path(importlib.import_module("rnncourse.exercises").__file__ or "").parent
    return [f"rnncourse.exercises.{p.stem}" for p in sorted(folder.glob("ch[0-9][0-9].py"))]


def _references(module_name: str) -> dict[str, set[str]]:
    """章のモジュールの関数の問題の模範解答を、モジュールごとの修飾名の集合にまとめる。"""
    module = importlib.import_module(module_name)
    found: dict[str, set[str]] = {}
    for name in getattr(module, "__all__", ()):
        question = getattr(module, name)
        if isinstance(question, FunctionQuestion) and question.reference_name:
            where, qualname = resolve_reference(question.reference_name)
            found.setdefault(where, set()).add(qualname)
    return found


def build_views(folder: str | Path, package_dir: str | Path) -> Views:
    """``folder`` に差し替えのファイルを書き、箱に重ねる並びを返す。パッケージ ``package_dir`` の中の場所に重ねる。"""
    folder, package_dir = Path(folder), Path(os.path.realpath(package_dir))
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty"
    empty.mkdir(exist_ok=True)
    hidden = []
    for code_dir in sorted({p.parent for p in package_dir.rglob("*.py")}):
        cache = code_dir / "__pycache__"
        try:  # 今はなくても、採点の途中で Python が作るかもしれない場所も先に作って隠す
            cache.mkdir(exist_ok=True)
        except OSError:
            continue
        hidden.append((str(empty), str(cache)))

    def target(module_name: str) -> str:
        module = importlib.import_module(module_name)
        return os.path.realpath(module.__file__ or "")

    kernel = []
    for module_name in _chapter_modules():
        path = folder / "kernel" / f"{module_name}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text(checker_stub(module_name), encoding="utf-8")
        kernel.append((str(path), target(module_name)))
    judge: dict[str, list[tuple[str, str]]] = {}
    for chapter_module in _chapter_modules():
        chapter = chapter_module[-2:]
        references = _references(chapter_module)
        overlays = dict((t, s) for s, t in kernel)
        for module_name, qualnames in references.items():
            path = folder / f"judge{chapter}" / f"{module_name}.py"
            path.parent.mkdir(exist_ok=True)
            if module_name in _chapter_modules():
                text = checker_stub(module_name, qualnames)
            else:
                source = Path(target(module_name)).read_text(encoding="utf-8")
                text = tripwire_source(source, module_name, qualnames)
            path.write_text(text, encoding="utf-8")
            overlays[target(module_name)] = str(path)
        judge[chapter] = [(s, t) for t, s in overlays.items()] + hidden
    return Views(kernel + hidden, judge)
