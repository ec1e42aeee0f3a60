"""学習者のカーネルと採点プロセスのあいだで値を運ぶ、JSON だけを使う符号化。

    >>> import numpy as np
    >>> decode(encode((1, 2.5, np.arange(3), "あ", None)))
    (1, 2.5, array([0, 1, 2]), 'あ', None)

pickle と違い、復号しても提出物のコードは採点側で一切実行されません。数値配列・数・文字列・
真偽値・None・タプル・リスト・辞書・``...`` はそのまま運び、それ以外 (関数やテンソルなど) は
型の名前だけを運んで、同じ名前の「中身のない」オブジェクトに戻します。
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["encode", "decode", "Opaque", "TooLarge", "MAX_ARRAY_SIZE", "MAX_DEPTH"]

#: 1 つの値で運べる要素 (配列の要素・リストの要素など) の数の上限 (巨大な答えで採点が止まらないように)。
MAX_ARRAY_SIZE = 1_000_000
#: 入れ子の深さの上限。
MAX_DEPTH = 20


class TooLarge(ValueError):
    """値が大きすぎて運べない (要素が合わせて ``MAX_ARRAY_SIZE`` 個を超える)。"""


class Opaque:
    """運べなかった値の代わり。元の型の名前を持ち、呼ぶこともできる (関数の代わりのとき)。"""

    def __init__(self, description: str = "") -> None:
        self.description = description

    def __repr__(self) -> str:
        return self.description or type(self).__name__


class _OpaqueFunction(Opaque):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("採点のために運ばれた関数の代わりなので、呼び出せません。")


def _opaque(type_name: str, description: str, is_callable: bool) -> Opaque:
    base = _OpaqueFunction if is_callable else Opaque
    name = type_name if type_name.isidentifier() else "object"
    return type(name, (base,), {})(description)


def encode(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """``value`` を JSON にできる形に変える。要素が合わせて ``MAX_ARRAY_SIZE`` 個を超えれば ``TooLarge``。"""
    budget = [MAX_ARRAY_SIZE] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLarge(f"要素が合わせて {MAX_ARRAY_SIZE} 個を超えます。")
    if depth > MAX_DEPTH:
        return {"__opaque__": "object", "description": "深すぎる入れ子", "callable": False}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if isinstance(value, float) else int(value)
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"__scalar__": value.item(), "dtype": value.dtype.str}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        budget[0] -= value.size
        if budget[0] < 0:
            raise TooLarge(f"配列の要素が合わせて {MAX_ARRAY_SIZE} 個を超えます。")
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1, budget) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1, budget) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, depth + 1, budget), encode(v, depth + 1, budget)] for k, v in value.items()]}
    description = f"{type(value).__name__} のオブジェクト"
    return {"__opaque__": type(value).__name__, "description": description, "callable": callable(value)}


def decode(data: Any) -> Any:
    """``encode`` の逆。知らない形のものは Opaque にする。"""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__ndarray__" in data:
        dtype = np.dtype(data["dtype"])
        if dtype.kind not in "biuf":
            return _opaque("ndarray", "数値でない配列", False)
        return np.array(data["__ndarray__"], dtype=dtype).reshape(data["shape"])
    if "__scalar__" in data:
        return np.dtype(data["dtype"]).type(data["__scalar__"])
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        return {_hashable(decode(k)): decode(v) for k, v in data["__dict__"]}
    if "__ellipsis__" in data:
        return Ellipsis
    if "__opaque__" in data:
        return _opaque(str(data["__opaque__"]), str(data.get("description", "")), bool(data.get("callable")))
    return _opaque("dict", "知らない形の値", False)


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        return repr(key)
    return key
