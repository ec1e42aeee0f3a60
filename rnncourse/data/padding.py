"""長さの違う系列をまとめる: パディング、長さのマスク、長さがばらばらの例の生成。

ミニバッチは (N, T, D) の箱なので、短い系列は末尾を pad_value で埋めて最長の長さ T_max に揃えます::

    >>> seqs = [np.ones((3, 2)), np.ones((1, 2)), np.ones((2, 2))]
    >>> padded, lengths = pad_sequences(seqs)
    >>> padded.shape, lengths
    ((3, 3, 2), array([3, 1, 2]))
    >>> length_mask(lengths).astype(int)
    array([[1, 1, 1],
           [1, 0, 0],
           [1, 1, 0]])

埋めた部分は本物のデータではないので、損失や平均はマスクが True の位置だけで計算します
(PyTorch では ``torch.nn.utils.rnn.pack_padded_sequence`` に lengths を渡します)。
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Optional

import numpy as np

from rnncourse.shapes import Dims, ShapeError, check_int

__all__ = ["pad_sequences", "length_mask", "masked_mean", "random_length_sequences"]


def pad_sequences(seqs: Sequence[Any], pad_value: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """長さの違う系列を末尾で埋めて 1 つの配列にし、元の長さと一緒に返す。

    >>> padded, lengths = pad_sequences([np.array([1, 2, 3]), np.array([4])], pad_value=-1)
    >>> padded
    array([[ 1,  2,  3],
           [ 4, -1, -1]])
    >>> lengths
    array([3, 1])

    各系列は (T_i,) でも (T_i, D) でもよい (ただし全部同じ次元数で、D も同じ)。
    dtype は系列の dtype を保ちます (整数の ID 列は整数のまま)。pad_value がその dtype で
    表せないとき (整数の系列に 0.5 など) はエラーになります。

    形: [(T_i, ...)] × N → padded (N, T_max, ...), lengths (N,) int64。padded[n, lengths[n]:] が埋めた部分。
    """
    if isinstance(seqs, np.ndarray) or not isinstance(seqs, Sequence) or isinstance(seqs, (str, bytes)):
        raise TypeError(
            f"引数 seqs は配列のリスト [(T_1, ...), (T_2, ...), …] であるべきですが、{type(seqs).__name__} が渡されました。"
            f" (すでに 1 つの配列ならパディングは不要です)"
        )
    if len(seqs) == 0:
        raise ValueError("引数 seqs が空のリストです。少なくとも 1 つの系列を渡してください。")
    arrays = []
    for i, seq in enumerate(seqs):
        array = np.asarray(seq)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"seqs[{i}] は数値の配列であるべきですが、dtype={array.dtype} が渡されました。")
        if array.ndim not in (1, 2):
            raise ShapeError(
                f"seqs[{i}] は (T_i,) か (T_i, D) の形のはずですが、{array.ndim} 次元の形 {tuple(array.shape)} が渡されました。"
            )
        if arrays and array.shape[1:] != arrays[0].shape[1:]:
            raise ShapeError(
                f"seqs[{i}] の形 {tuple(array.shape)} は seqs[0] の形 {tuple(arrays[0].shape)} と、"
                f"時刻の軸 (軸 0) 以外が一致しません。"
            )
        arrays.append(array)
    dtype = np.result_type(*arrays)
    if isinstance(pad_value, bool) or not isinstance(pad_value, numbers.Real):
        raise TypeError(f"引数 pad_value は数値であるべきですが、{pad_value!r} が渡されました。")
    representable = dtype.kind == "f" or (
        np.isfinite(pad_value) and np.asarray(pad_value).astype(dtype) == pad_value  # 整数・bool の系列は値が変わらないこと
    )
    if not representable:
        raise ValueError(
            f"pad_value = {pad_value!r} は系列の dtype {dtype} では表せません。"
            f"系列を float にするか、{dtype} で表せる値を使ってください。"
        )
    lengths = np.array([a.shape[0] for a in arrays], dtype=np.int64)
    T_max = int(lengths.max())
    padded = np.full((len(arrays), T_max) + arrays[0].shape[1:], pad_value, dtype=dtype)
    for n, array in enumerate(arrays):
        padded[n, : array.shape[0]] = array  # 前詰めでコピーし、残り (末尾) は pad_value のまま
    return padded, lengths


def length_mask(lengths: Any, T_max: Optional[int] = None) -> np.ndarray:
    """長さ lengths[n] までの時刻が True の真偽値マスクを作る。

    >>> length_mask(np.array([2, 0, 3]), T_max=4)
    array([[ True,  True, False, False],
           [False, False, False, False],
           [ True,  True,  True, False]])

    mask[n, t] = (t < lengths[n])。T_max を省略すると max(lengths)。

    形: lengths (N,) → mask (N, T_max) bool。
    """
    array = np.asarray(lengths)
    if array.ndim != 1:
        raise ShapeError(
            f"引数 lengths は 1 次元の配列 (N,) のはずですが、{array.ndim} 次元の形 {tuple(array.shape)} が渡されました。"
        )
    if array.size and array.dtype.kind not in "iu":
        raise TypeError(f"引数 lengths は整数の配列であるべきですが、dtype={array.dtype} が渡されました。")
    if np.any(array < 0):
        raise ValueError(f"引数 lengths に負の長さ {int(array.min())} があります。長さは 0 以上のはずです。")
    longest = int(array.max()) if array.size else 0
    if T_max is None:
        T_max = longest
    T_max = check_int("T_max", T_max, 0)
    if T_max < longest:
        raise ValueError(f"T_max = {T_max} は最長の系列の長さ {longest} より短くなっています。T_max ≥ {longest} にしてください。")
    return np.arange(T_max)[None, :] < array[:, None]  # mask[n, t] = t < lengths[n]


def masked_mean(h: np.ndarray, lengths: Any) -> np.ndarray:
    """詰め物の時刻を除いて、各系列の値 (隠れ状態など) を時間方向に平均する。

    >>> h = np.arange(12.0).reshape(2, 3, 2)   # (N, T, H) = (2, 3, 2)
    >>> masked_mean(h, np.array([3, 1]))
    array([[2., 3.],
           [6., 7.]])

    式: m_{n,t} = [t < lengths_n]、  h̄_n = Σ_t m_{n,t} h_{n,t} / Σ_t m_{n,t}。
    多対一のモデルで、最後の隠れ状態の代わりに全時刻の隠れ状態の平均を読むとき (mean pooling) に使います。
    ``h.mean(axis=1)`` では、短い系列ほど詰め物の位置の値が混ざります。

    形: h (N, T, H), lengths (N,) → (N, H)。lengths はどれも 1 以上 T 以下。
    """
    dims = Dims()
    h = dims.check("h", h, ("N", "T", "H"))
    lengths = np.asarray(lengths)
    if lengths.shape != (h.shape[0],):
        raise ShapeError(f"引数 lengths の形は (N,) = ({h.shape[0]},) のはずですが、{lengths.shape} が渡されました。")
    if lengths.dtype.kind not in "iu":
        raise TypeError(f"引数 lengths は整数の配列であるべきですが、dtype={lengths.dtype} が渡されました。")
    if np.any(lengths < 1) or np.any(lengths > h.shape[1]):
        raise ValueError(f"lengths はどれも 1 以上 T = {h.shape[1]} 以下のはずですが、{lengths.tolist()} が渡されました。")
    mask = length_mask(lengths, h.shape[1])[:, :, None]  # m (N, T, 1)
    return (h * mask).sum(axis=1) / mask.sum(axis=1)  # Σ_t m h / Σ_t m


def random_length_sequences(
    n: int, min_len: int, max_len: int, dim: int = 1, seed: int = 0
) -> list[np.ndarray]:
    """長さがばらばらのランダムな系列を n 本作る (パディングや長さの分布の図のため)。

    >>> seqs = random_length_sequences(3, min_len=2, max_len=5, dim=2, seed=0)
    >>> [s.shape for s in seqs]
    [(5, 2), (4, 2), (4, 2)]

    長さ T_i は min_len 以上 max_len 以下の整数から一様に選び、値は標準正規分布 N(0, 1)。
    ``np.random.default_rng(seed)`` を使うので、同じ seed なら毎回同じ系列です。

    形: 戻り値は長さ n のリストで、i 番目は (T_i, dim) float64。
    """
    n = check_int("n", n, 1)
    min_len = check_int("min_len", min_len, 1)
    max_len = check_int("max_len", max_len, 1)
    dim = check_int("dim", dim, 1)
    if max_len < min_len:
        raise ValueError(f"max_len = {max_len} が min_len = {min_len} より小さくなっています。min_len ≤ max_len にしてください。")
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_len, max_len, endpoint=True, size=n)  # T_i ~ 一様 {min_len, …, max_len}
    return [rng.standard_normal((int(T_i), dim)) for T_i in lengths]
