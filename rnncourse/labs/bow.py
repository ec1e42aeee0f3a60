"""Bag-of-words (語の袋) 表現: 系列を「どの記号が何回現れたか」の数え上げにする。

順番を捨てた表現なので、同じ記号を並べ替えただけの 2 つの系列は同じベクトルになります::

    >>> import numpy as np
    >>> a = np.array([0, 1, 2, 1])   # 例えば「犬 が 猫 を」の ID 列
    >>> b = np.array([2, 1, 0, 1])   # 「猫 が 犬 を」
    >>> bag_of_words(a, size=3)
    array([1., 2., 1.])
    >>> bool(np.array_equal(bag_of_words(a, 3), bag_of_words(b, 3)))
    True

全結合層 (順伝播型ネットワーク) にこのベクトルを入れると、系列の長さによらず入力の次元は語彙サイズ V に
固定されますが、並び順の違いはネットワークに届きません。RNN の隠れ状態と比べるための道具です。
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from rnncourse.shapes import ShapeError, check_int

__all__ = ["bag_of_words"]


def _integer_array(name: str, value: Any) -> np.ndarray:
    """``value`` を整数の配列にする。整数でなければ日本語の TypeError。"""
    if value is None or isinstance(value, (str, bytes)) or callable(value):
        raise TypeError(f"引数 {name} は整数の ID の配列であるべきですが、{value!r} が渡されました。")
    array = np.asarray(value)
    if array.size == 0 and array.dtype.kind == "f":  # np.asarray([]) は float になる。空の系列は認める
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise TypeError(f"引数 {name} は整数の配列であるべきですが、dtype={array.dtype} の値が渡されました。")
    return array


def bag_of_words(ids: Any, size: int, lengths: Optional[Any] = None) -> np.ndarray:
    """ID 列を、各 ID が現れた回数のベクトル (float64) にする。並び順の情報は捨てる。

    >>> bag_of_words(np.array([[0, 2, 2], [1, 1, 0]]), size=3)
    array([[1., 0., 2.],
           [1., 2., 0.]])
    >>> bag_of_words(np.array([[0, 2, 2], [1, 0, 0]]), size=3, lengths=np.array([3, 1]))
    array([[1., 0., 2.],
           [0., 1., 0.]])

    式: c[v] = Σ_t [ids[t] = v]  (v = 0 … size−1)。
    ``lengths`` (N,) を渡すと、パディングした行 n の先頭 lengths[n] 個だけを数えます
    (``pad_sequences`` で埋めた部分を数えないため)。

    形: ids (T,) → (size,)、ids (N, T) → (N, size)。lengths は ids が 2 次元のときだけ使えます。
    """
    size = check_int("size", size, 1)
    array = _integer_array("ids", ids)
    if array.ndim not in (1, 2):
        raise ShapeError(
            f"引数 ids は (T,) か (N, T) の形のはずですが、{array.ndim} 次元の形 {tuple(array.shape)} が渡されました。"
        )
    single = array.ndim == 1
    batch = array[None, :] if single else array  # (N, T)
    N, T = batch.shape
    if lengths is None:
        mask = np.ones((N, T), dtype=bool)
    else:
        if single:
            raise ValueError("lengths はパディングしたバッチ ids (N, T) にだけ使えます。1 本の系列なら省略してください。")
        lengths = _integer_array("lengths", lengths)
        if lengths.shape != (N,):
            raise ShapeError(f"引数 lengths の形は (N,) = ({N},) のはずですが、{tuple(lengths.shape)} が渡されました。")
        if np.any((lengths < 0) | (lengths > T)):
            raise ValueError(f"引数 lengths の値は 0 以上 T = {T} 以下のはずですが、{lengths.tolist()} が渡されました。")
        mask = np.arange(T)[None, :] < lengths[:, None]  # パディングでない位置だけ True
    counted = batch[mask]
    if np.any((counted < 0) | (counted >= size)):
        bad = int(counted[(counted < 0) | (counted >= size)][0])
        raise IndexError(f"ids に範囲外の ID {bad} があります。ID は 0 以上 size − 1 = {size - 1} 以下のはずです。")
    rows = np.broadcast_to(np.arange(N)[:, None], (N, T))[mask]
    counts = np.bincount(rows * size + counted, minlength=N * size)  # 行 n・ID v の回数を 1 本の bincount で
    counts = counts.reshape(N, size).astype(np.float64)  # c[n, v] = Σ_t [ids[n, t] = v]
    return counts[0] if single else counts
