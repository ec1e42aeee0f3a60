"""関数のコードの指紋: 模範解答の「写し」を見分ける。

``views`` の差し替えは、模範解答の関数そのもの (とそれを呼ぶ答え) を見分けますが、学習者のカーネルでは
パッケージのソースが読めるので、``exec(inspect.getsource(rnn_forward), globals())`` や
``types.FunctionType(rnn_forward.__code__, globals())`` で、模範解答と同じコードを持つ別の関数を作れます。
それを、コードの指紋で見分けます。

- 指紋 (:func:`code_fingerprint`) は、バイトコードの命令の並び (定数は値で、入れ子のコードはその指紋で、名前は
  名前で、飛び先は命令の番号で)・変数名・引数の数から作ります。ファイル名・行番号・関数名 (修飾名)・説明文
  (docstring) は使わず、コンパイルする場所で変わる違い (行番号のための NOP、3.11 の LOAD_METHOD と LOAD_ATTR) は
  ならすので、ノートで exec した写しも、関数の名前を変えた写しも、``__code__`` から作った関数も同じ指紋になります。
  変数名を変えたり 1 行足したりした写し (手で打ち直したもの) は別の指紋になり、見分けられません。
- 模範解答の側の表 (:func:`reference_table`) は、採点の箱の外 (補助プロセス) で、本物のパッケージから作ります。
  その章の問題の模範解答 (``reference`` と ``reference_name`` の関数) と、それが直接呼ぶパッケージの中の関数
  (補助関数) の指紋です。
- 学習者の側 (:func:`find_copy`) は、関数の答えを箱の中で元に戻したあと、呼ぶ前に、その関数から
  たどれる関数 (自分のコードと入れ子のコード、クロージャ、使っている大域変数・属性、既定値、``functools.partial``
  など) の指紋を調べます。補助関数は、パッケージのものを import して使うのは構いません (箱の中で、学習者のコードが
  動く前に本物を探しておき、それと同じオブジェクトなら写しとは見なしません)。写したものだけを見分けます。

    >>> import types
    >>> def f(x):
    ...     '''説明'''
    ...     return x + 1
    >>> g = types.FunctionType(f.__code__, {}, "other")
    >>> namespace = {}
    >>> exec("def h(x):\\n    return x + 1\\n", namespace)
    >>> code_fingerprint(f.__code__) == code_fingerprint(g.__code__) == code_fingerprint(namespace["h"].__code__)
    True
    >>> exec("def k(y):\\n    return y + 1\\n", namespace)    # 変数名を変えると別の指紋
    >>> code_fingerprint(namespace["k"].__code__) == code_fingerprint(f.__code__)
    False
"""

from __future__ import annotations

import dis
import functools
import hashlib
import importlib
import inspect
import types
from collections import deque
from typing import Any, Iterable, Iterator

__all__ = ["code_fingerprint", "reachable_functions", "reference_table", "own_functions", "find_copy", "resolve", "MAX_OBJECTS"]

#: 学習者の関数からたどるオブジェクトの数の上限 (これより先は調べない)。
MAX_OBJECTS = 5000
#: 入れ物 (リスト・辞書など) 1 つから見る要素の数の上限。
_MAX_ITEMS = 1000

# 学習者のオブジェクトを調べるときは、学習者のコードが動かない道具だけを使う: isinstance (__class__ を偽れる)、
# getattr (プロパティや __getattr__)、repr は使わず、型そのものと C で書かれた記述子だけを見る。
_FunctionType, _CodeType, _MethodType, _ModuleType = types.FunctionType, types.CodeType, types.MethodType, types.ModuleType
_dict_get = dict.get
_type_dict = type.__dict__["__dict__"].__get__  # 型の属性の辞書 (メタクラスの細工を通さない)
_type_mro = type.__dict__["__mro__"].__get__
_SAFE_DESCRIPTORS = (types.GetSetDescriptorType, types.MemberDescriptorType)
_PLAIN = (str, bytes, float, complex, type(None), type(Ellipsis))


def _constant(value: Any, memo: dict[int, tuple[Any, str]]) -> Any:
    kind = type(value)
    if kind is _CodeType:
        return ("code", code_fingerprint(value, memo))
    if kind is tuple:
        return ("tuple", tuple(_constant(v, memo) for v in value))
    if kind is frozenset:
        return ("frozenset", tuple(sorted(repr(_constant(v, memo)) for v in value)))
    if kind is bool:
        return ("bool", value is True)
    if kind is int:
        return ("int", hex(value))  # repr は大きな整数で ValueError になる
    if kind in _PLAIN:
        return (kind.__name__, repr(value))
    return ("other",)  # コンパイルしたコードには現れない (学習者が作ったコードの定数): 中は見ない


_JUMPS = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)
_CONSTANTS = frozenset(dis.hasconst)
_NAMED = frozenset(dis.hasname) | frozenset(dis.haslocal) | frozenset(dis.hasfree)
# 命令のうち、意味を変えずにコンパイルの事情で入ったり消えたりするもの (行番号のための NOP など)
_SKIPPED = frozenset({"NOP", "EXTENDED_ARG", "CACHE"})
# 同じ意味で、コンパイルする場所によって変わる命令: 3.11 では、同じファイルで import した名前の属性を呼ぶとき
# (np.tanh(x)) は LOAD_GLOBAL (NULL +) np → LOAD_ATTR、そうでないとき (ノートで exec したとき) は LOAD_GLOBAL np →
# LOAD_METHOD になる。どちらも (LOAD_GLOBAL 名前, LOAD_ATTR 名前) として比べる
_SAME = {"LOAD_METHOD": "LOAD_ATTR"}
_FLAGS = (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS | inspect.CO_GENERATOR | inspect.CO_COROUTINE
          | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE)


def _instructions(code: types.CodeType, memo: dict[int, tuple[Any, str]]) -> list[tuple[str, Any]]:
    """``code`` の命令の並び: 飛び先は (バイトの位置ではなく) 命令の番号、定数は値、名前は名前で表す。"""
    kept, index, pending = [], {}, []
    for instruction in dis.get_instructions(code):
        if instruction.opname in _SKIPPED:
            pending.append(instruction.offset)
            continue
        for offset in (*pending, instruction.offset):
            index[offset] = len(kept)
        pending = []
        kept.append(instruction)
    for offset in pending:
        index[offset] = len(kept)
    stream = []
    for instruction in kept:
        if instruction.opcode in _JUMPS:
            argument: Any = ("to", index.get(instruction.argval, -1))
        elif instruction.opcode in _CONSTANTS:
            argument = _constant(instruction.argval, memo)
        elif instruction.opcode in _NAMED:
            argument = str(instruction.argval)  # LOAD_GLOBAL の NULL の印は名前に含めない
        else:
            argument = instruction.arg
        stream.append((_SAME.get(instruction.opname, instruction.opname), argument))
    return stream


def _signature(code: types.CodeType) -> tuple[Any, ...]:
    return (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_flags & _FLAGS,
            code.co_varnames, code.co_freevars, code.co_cellvars)


def code_shape(code: types.CodeType) -> str:
    """指紋の前に比べる、安く求まる印 (引数の数・変数名など)。これが違えば指紋も違う。"""
    return hashlib.sha256(repr(_signature(code)).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def code_fingerprint(code: types.CodeType, memo: dict[int, tuple[Any, str]] | None = None) -> str:
    """コード ``code`` の指紋 (16 進の文字列)。ファイル名・行番号・名前・説明文によらない。

    ``memo`` (id → (コード, 指紋)) を渡すと、入れ子のコードの指紋を使い回す。
    """
    memo = {} if memo is None else memo
    if id(code) in memo:
        return memo[id(code)][1]
    parts = (_signature(code), _instructions(code, memo))
    fingerprint = hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()
    memo[id(code)] = (code, fingerprint)  # コードも持っておく (id が使い回されないように)
    return fingerprint


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    """``code`` と、その定数の中の入れ子のコード (内側の関数・内包表記など)。"""
    todo = [code]
    while todo:
        current = todo.pop()
        yield current
        todo.extend(c for c in current.co_consts if type(c) is _CodeType)


def _names(code: types.CodeType) -> frozenset[str]:
    return frozenset(name for c in _codes(code) for name in c.co_names if type(name) is str)


def _lookup(kind: type, name: str) -> Any:
    for klass in _type_mro(kind):
        mapping = _type_dict(klass)
        if name in mapping:
            return mapping[name]
    return None


def _attributes(owner: Any, names: Iterable[str]) -> Iterator[Any]:
    """``owner`` (モジュール・クラス・関数・ふつうのオブジェクト) の属性のうち、名前が ``names`` にあるもの。

    プロパティや ``__getattr__`` は呼ばず、属性の辞書だけを見る。
    """
    kind = type(owner)
    dicts: list[Any] = []
    if issubclass(kind, type):
        dicts = [_type_dict(klass) for klass in _type_mro(owner)]
    else:
        descriptor = _lookup(kind, "__dict__")
        if type(descriptor) in _SAFE_DESCRIPTORS:
            try:
                own = descriptor.__get__(owner, kind)
            except Exception:
                own = None
            if type(own) is dict:
                dicts.append(own)
        if not issubclass(kind, _ModuleType):
            dicts += [_type_dict(klass) for klass in _type_mro(kind)]
    for name in names:
        for mapping in dicts:
            value = _dict_get(mapping, name) if type(mapping) is dict else mapping.get(name)
            if value is not None:
                yield value
                break


def reachable_functions(root: Any, stop: set[int] = frozenset(), limit: int = MAX_OBJECTS) -> Iterator[types.FunctionType]:
    """``root`` から (呼び出しの中で使われうる道を) たどれる Python の関数を、近いものから順に返す。

    たどる道: 関数のクロージャ・既定値・コードが名前で使う大域変数と属性 (モジュール・クラス・関数・
    オブジェクトの、その名前の属性)、束縛メソッド、``functools.partial``、``staticmethod``・``classmethod``・
    ``property``、呼べるオブジェクトの ``__call__``、リスト・タプル・辞書などの要素。学習者のコードは呼ばない。
    ``stop`` (``id`` の集合) の関数は返すが、その先はたどらない。
    """
    seen: set[int] = set()
    keep: list[Any] = []  # 調べたものを生かしておく (id が使い回されないように)
    queue: deque[tuple[Any, frozenset[str]]] = deque([(root, frozenset({"__call__", "__wrapped__"}))])
    while queue and len(seen) < limit:
        obj, names = queue.popleft()
        if obj is None or id(obj) in seen:
            continue
        seen.add(id(obj))
        keep.append(obj)
        kind = type(obj)
        follow: list[Any] = []
        if kind is _FunctionType:
            yield obj
            if id(obj) in stop:
                continue
            names = _names(obj.__code__) | {"__call__", "__wrapped__"}
            for cell in obj.__closure__ or ():
                try:
                    follow.append(cell.cell_contents)
                except ValueError:  # まだ値のないセル
                    pass
            follow += list(obj.__defaults__ or ())
            follow += list(dict.values(obj.__kwdefaults__ or {}))
            globals_ = obj.__globals__
            follow += [_dict_get(globals_, name) for name in names]
            follow += list(_attributes(obj, names))
        elif kind is _MethodType:
            follow += [obj.__func__, obj.__self__]
        elif kind is functools.partial:
            follow += [obj.func, *obj.args, *dict.values(obj.keywords)]
        elif kind in (staticmethod, classmethod):
            follow.append(obj.__func__)
        elif kind is property:
            follow += [obj.fget, obj.fset, obj.fdel]
        elif kind in (list, tuple, set, frozenset):
            follow += [v for _, v in zip(range(_MAX_ITEMS), obj)]
        elif kind is dict:
            follow += [v for _, v in zip(range(_MAX_ITEMS), obj.values())]
        elif kind not in _PLAIN and kind not in (int, bool):
            follow += list(_attributes(obj, names))
            if not issubclass(kind, _ModuleType):  # self.step(...): メソッドが名前で使う属性も見る
                methods = [v.__func__ if type(v) in (staticmethod, classmethod) else v for v in follow]
                more = frozenset().union(*(_names(m.__code__) for m in methods if type(m) is _FunctionType))
                follow += list(_attributes(obj, more - names))
                names = names | more
        queue.extend((value, names) for value in follow if id(value) not in seen)


def resolve(module: str, qualname: str) -> Any:
    """モジュール ``module`` の ``qualname`` (``"CharVocab.encode"`` など) のオブジェクト。なければ None。"""
    try:
        value: Any = importlib.import_module(module)
        for part in qualname.split("."):
            value = inspect.getattr_static(value, part)
        return value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
    except Exception:
        return None


def reference_table(questions: Iterable[Any]) -> dict[str, Any]:
    """問題の並び (ふつうは 1 つの章の問題すべて) の模範解答と補助関数の指紋の表。採点の箱の外で作る。

    戻り値 (JSON にできる): ``{"references": [{"fingerprint", "module", "qualname", "name"}, ...],
    "helpers": [{"fingerprint", "module", "qualname", "name", "used_by"}, ...]}`` (どの項目にも ``"shape"`` も)。
    ``name`` は行に表示する名前 (模範解答は ``reference_name``)、``used_by`` はその補助関数を使う模範解答の名前。
    """
    from rnncourse.exercises.questions import FunctionQuestion
    from rnncourse.classroom.grading.views import resolve_reference

    references: dict[int, tuple[types.FunctionType, str]] = {}
    for question in questions:
        if not isinstance(question, FunctionQuestion):
            continue
        shown = question.reference_name or f"{question.reference.__module__}.{question.reference.__qualname__}"
        candidates = [question.reference]
        if question.reference_name:
            candidates.append(resolve(*resolve_reference(question.reference_name)))
        for candidate in candidates:
            for value in (candidate, inspect.unwrap(candidate) if callable(candidate) else None):
                if type(value) is _FunctionType and id(value) not in references:
                    references[id(value)] = (value, shown)
    table: dict[str, Any] = {"references": [], "helpers": []}
    for function, shown in references.values():
        table["references"].append(
            {"fingerprint": code_fingerprint(function.__code__), "shape": code_shape(function.__code__),
             "module": function.__module__,
             "qualname": function.__qualname__, "name": shown}
        )
    helpers: set[int] = set()
    for function, shown in references.values():
        for name in sorted(_names(function.__code__)):
            helper = _dict_get(function.__globals__, name)
            if (type(helper) is not _FunctionType or id(helper) in references or id(helper) in helpers
                    or not str(helper.__module__).startswith("rnncourse.")):
                continue
            helpers.add(id(helper))
            table["helpers"].append(
                {"fingerprint": code_fingerprint(helper.__code__), "shape": code_shape(helper.__code__),
                 "module": helper.__module__,
                 "qualname": helper.__qualname__, "name": f"{helper.__module__}.{helper.__qualname__}", "used_by": shown}
            )
    return table


def own_functions(table: dict[str, Any]) -> set[int]:
    """表の模範解答・補助関数の、今このプロセスにあるもの (箱の中では差し替えたもの) の ``id``。

    学習者のコードが動く前 (関数の答えを元に戻す前) に呼ぶ。
    """
    found = set()
    for entry in (*table.get("references", ()), *table.get("helpers", ())):
        value = resolve(str(entry.get("module", "")), str(entry.get("qualname", "")))
        if type(value) is _FunctionType:
            found.add(id(value))
    return found


def find_copy(function: Any, table: dict[str, Any], own: set[int]) -> dict[str, Any] | None:
    """``function`` からたどれる関数に、表 ``table`` の模範解答・補助関数の写しがあれば、その説明。なければ None。

    ``own`` は :func:`own_functions` の、パッケージのもの (箱の中では差し替えたもの) の ``id``。
    補助関数はパッケージのものを import して使うのは構わない (その先もたどらない)。
    戻り値: 写しなら ``{"reference": 名前, "copied": True}`` (補助関数なら ``"used_by"`` も)、
    模範解答そのもの (箱の外で採点するとき) なら ``{"reference": 名前}``。
    """
    references = {entry["fingerprint"]: entry for entry in table.get("references", ())}
    helpers = {entry["fingerprint"]: entry for entry in table.get("helpers", ())}
    shapes = {entry.get("shape") for entry in (*references.values(), *helpers.values())}
    memo: dict[int, tuple[Any, str]] = {}
    for found in reachable_functions(function, stop=own):
        for code in _codes(found.__code__):
            if code_shape(code) not in shapes:
                continue
            fingerprint = code_fingerprint(code, memo)
            if fingerprint in references:
                name = references[fingerprint]["name"]
                if id(found) in own and code is found.__code__:
                    return {"reference": name}
                return {"reference": name, "copied": True}
            if fingerprint in helpers and id(found) not in own:
                entry = helpers[fingerprint]
                return {"reference": entry["name"], "copied": True, "used_by": entry["used_by"]}
    return None
