"""引数の型と形を調べ、間違いを日本語で説明する小さな道具。

参照実装 (rnn, lstm, gru, layers) はどれも最初にこれで引数を調べます::

    >>> import numpy as np
    >>> dims = Dims()
    >>> x_t = dims.check("x_t", np.zeros((2, 3)), ("N", "D"))
    >>> dims["N"], dims["D"]
    (2, 3)
    >>> dims.check("W_xh", np.zeros((3, 4)), ("H", "D"))
    Traceback (most recent call last):
    ...
    rnncourse.shapes.ShapeError: 引数 W_xh の形は (H, D) = (?, 3) のはずですが、(3, 4) が渡されました。D = 3 は x_t から決まっています。

記号 (``"N"`` など) は最初に現れた引数で値が決まり、以後の引数はその値と比べられます。
整数を書けばその長さそのものを要求します (``("H4", ...)`` のような式は使わず、呼ぶ側で
``dims.check(..., (4 * H, D))`` と書きます)。
"""

from __future__ import annotations

import numbers
from typing import Any, Mapping, Sequence, Union

import numpy as np

__all__ = ["ShapeError", "Dims", "as_array", "as_float_array", "check_int", "check_param_dict"]

Dim = Union[str, int]


class ShapeError(ValueError):
    """配列の形 (shape) が期待と違うときに送出される例外。"""


def as_array(name: str, value: Any, wanted: str = "NumPy 配列") -> np.ndarray:
    """``value`` を NumPy 配列にして返す。None・文字列・テンソル・関数などは日本語の TypeError。

    ``wanted`` はメッセージで「何を渡すべきか」を言う言葉 (例 "クラス番号の整数配列")。

    >>> as_array("y", [0, 2]).tolist()
    [0, 2]
    """
    if value is None:
        raise TypeError(f"引数 {name} が None です。{wanted}を渡してください。")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"引数 {name} に文字列 {value!r} が渡されました。{wanted}を渡してください。")
    if type(value).__module__.startswith("torch"):
        raise TypeError(
            f"引数 {name} に PyTorch のテンソルが渡されました。"
            f"NumPy 配列に変換してください (例: {name}.detach().numpy())。"
        )
    if callable(value):
        raise TypeError(f"引数 {name} に関数 {getattr(value, '__name__', value)!r} が渡されました。{wanted}を渡してください。")
    try:
        return np.asarray(value)
    except Exception as error:  # ragged lists and other odd objects
        raise TypeError(f"引数 {name} を NumPy 配列に変換できません ({error})。") from None


def as_float_array(name: str, value: Any) -> np.ndarray:
    """``value`` を浮動小数点の NumPy 配列にして返す。配列にできなければ日本語の TypeError。

    >>> as_float_array("x", [[1, 2]]).dtype
    dtype('float64')
    """
    array = as_array(name, value)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(
            f"引数 {name} は数値の配列であるべきですが、dtype={array.dtype} の値が渡されました。"
        )
    return array


def check_int(name: str, value: object, minimum: int) -> int:
    """``value`` が ``minimum`` 以上の整数であることを確かめて int で返す (bool は整数として認めない)。

    >>> check_int("T", 5, 1)
    5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"引数 {name} は整数であるべきですが、{value!r} ({type(value).__name__}) が渡されました。")
    if value < minimum:
        raise ValueError(f"引数 {name} は {minimum} 以上の整数であるべきですが、{value} が渡されました。")
    return int(value)


class Dims:
    """記号の付いた次元 (N, T, D, H …) を覚え、各引数の形を照合する。"""

    def __init__(self, **known: int) -> None:
        self._value: dict[str, int] = dict(known)
        self._source: dict[str, str] = {key: "呼び出し側の指定" for key in known}

    def __getitem__(self, symbol: str) -> int:
        return self._value[symbol]

    def _describe(self, spec: Sequence[Dim], known: dict[str, int]) -> str:
        names = ", ".join(str(s) for s in spec)
        values = ", ".join(str(known.get(s, "?")) if isinstance(s, str) else str(s) for s in spec)
        if names == values:
            return f"({names})"
        return f"({names}) = ({values})"

    def check(self, name: str, value: Any, spec: Sequence[Dim]) -> np.ndarray:
        """``value`` を配列にし、形が ``spec`` に合うことを確かめて返す。"""
        array = as_float_array(name, value)
        before = dict(self._value)  # 失敗したときの説明は、この引数を見る前に分かっていた値で書く
        if array.ndim != len(spec):
            raise ShapeError(
                f"引数 {name} は {len(spec)} 次元の配列 {self._describe(spec, before)} のはずですが、"
                f"{array.ndim} 次元の形 {tuple(array.shape)} が渡されました。"
            )
        for axis, (symbol, size) in enumerate(zip(spec, array.shape)):
            if isinstance(symbol, int):
                if size != symbol:
                    raise ShapeError(
                        f"引数 {name} の形は {self._describe(spec, before)} のはずですが、{tuple(array.shape)} が渡されました"
                        f" (軸 {axis} の長さは {symbol} であるべきです)。"
                    )
            elif symbol in self._value:
                if size != self._value[symbol]:
                    raise ShapeError(
                        f"引数 {name} の形は {self._describe(spec, before)} のはずですが、{tuple(array.shape)} が渡されました。"
                        f"{symbol} = {self._value[symbol]} は {self._source[symbol]} から決まっています。"
                    )
            else:
                self._value[symbol] = int(size)
                self._source[symbol] = name
        return array

    def check_stacked(self, name: str, value: Any, spec: Sequence[str], gates: str, model: str) -> np.ndarray:
        """ゲートの分を縦に積んだ重み・バイアス (先頭の軸が k·H、k = len(gates)) を調べる。

        ``gates`` はゲート名を並べた文字列 (LSTM なら ``"ifgo"``)。H と ``spec`` の記号は既に決まっていること。
        """
        k, H = len(gates), self._value["H"]
        try:
            return self.check(name, value, (k * H, *spec))
        except ShapeError as error:
            names = "(" + ", ".join((f"{k}H", *spec)) + ("" if spec else ",") + ")"
            values = str((k * H, *(self._value[s] for s in spec)))
            raise ShapeError(
                f"{error}{model} の {name} は {k} つのゲート {', '.join(gates)} の分を縦に積んだもので、"
                f"形は {names} = {values} です (H = {H})。"
            ) from None

    def at_least(self, symbol: str, minimum: int = 1) -> int:
        """既に決まった次元 ``symbol`` が ``minimum`` 以上であることを確かめて返す (T = 0 の系列などを断る)。"""
        if self._value[symbol] < minimum:
            raise ShapeError(
                f"引数 {self._source[symbol]} の {symbol} が {self._value[symbol]} です。"
                f"{symbol} は {minimum} 以上にしてください。"
            )
        return self._value[symbol]


def check_param_dict(params: Any, spec: Mapping[str, Sequence[Dim]], name: str = "params") -> Dims:
    """パラメータの辞書 ``params`` が ``spec`` のキーをすべて持ち、各配列の形が合うことを確かめる。

    >>> dims = check_param_dict({"W": np.zeros((2, 3)), "b": np.zeros(2)}, {"W": ("H", "D"), "b": ("H",)})
    >>> dims["H"], dims["D"]
    (2, 3)

    戻り値は各記号の値を覚えた ``Dims``。誤りは引数名 (``params['W']`` など) を挙げた日本語の例外になります。
    """
    keys = ", ".join(spec)
    if not isinstance(params, dict):
        raise TypeError(f"引数 {name} はパラメータの辞書 (キー {keys}) のはずですが、{type(params).__name__} が渡されました。")
    missing = [key for key in spec if key not in params]
    if missing:
        raise ValueError(f"引数 {name} にキー {', '.join(missing)} がありません (必要なキーは {keys})。")
    dims = Dims()
    for key, shape in spec.items():
        dims.check(f"{name}['{key}']", params[key], shape)
    return dims
