"""softmax、交差エントロピー損失 (1 時刻版・時系列版) と平均二乗誤差の NumPy 参照実装。

どの損失も ``(loss, 勾配)`` を返します。loss は Python の float、勾配はスコア (予測) と同じ形です。

式 (C 個のクラス、正解クラス番号 y_n)::

    p_{n,c} = exp(s_{n,c}) / Σ_k exp(s_{n,k})              (softmax)
    L = −(1/N) Σ_n log p_{n,y_n}                           (交差エントロピー、N 個の平均)
    ∂L/∂s_{n,c} = (p_{n,c} − [c = y_n]) / N

    >>> import numpy as np
    >>> scores = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    >>> loss, dscores = softmax_cross_entropy(scores, np.array([0, 2]))
    >>> round(loss, 4)
    0.6691
    >>> dscores.shape
    (2, 3)
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from rnncourse.shapes import Dims, ShapeError, as_array, as_float_array

__all__ = ["softmax", "softmax_cross_entropy", "temporal_softmax_cross_entropy", "mse_loss"]


def _as_labels(name: str, value: Any) -> np.ndarray:
    """正解ラベル (クラス番号) を整数の NumPy 配列にする。整数でなければ日本語の TypeError。"""
    labels = as_array(name, value, "クラス番号の整数配列")
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"引数 {name} はクラス番号の整数配列であるべきですが、dtype={labels.dtype} の値が渡されました"
            f" (小数の配列なら {name}.astype(np.int64) で整数にしてください)。"
        )
    return labels


def _check_label_range(name: str, labels: np.ndarray, C: int, symbol: str, where: np.ndarray | None = None) -> None:
    """labels (where が真の位置だけ) が 0 … C−1 に入っていることを確かめる。"""
    bad = (labels < 0) | (labels >= C)
    if where is not None:
        bad &= where
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        position = ", ".join(str(i) for i in index)
        raise ValueError(
            f"引数 {name} の値はクラス番号 0 … {C - 1} ({symbol} = {C}) の整数のはずですが、"
            f"{name}[{position}] = {int(labels[index])} が含まれています。"
        )


def _as_mask(name: str, value: Any, dims: Dims, spec: Sequence[str]) -> np.ndarray:
    """マスク (True/1 = 損失に数える位置) を形を確かめて bool 配列にする。"""
    mask = dims.check(name, value, spec)  # bool も 0.0/1.0 の配列になる
    is_01 = (mask == 0) | (mask == 1)
    if not is_01.all():
        bad = mask[~is_01][0]
        raise ValueError(f"引数 {name} は True/False (または 1/0) の配列のはずですが、値 {float(bad)} が含まれています。")
    return mask.astype(bool)


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """数値的に安定な softmax。``axis`` 方向の和が 1 になる確率を返す。

    >>> softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])

    形: scores は任意 (axis の長さ ≥ 1) → 同じ形。各要素から axis 方向の最大値を引いてから
    exp を取るので、大きなスコアでもあふれません (softmax の値は定数のずれで変わらない)。
    """
    scores = as_float_array("scores", scores)
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool) or not -scores.ndim <= axis < scores.ndim:
        raise ValueError(f"引数 axis は {-scores.ndim} 以上 {scores.ndim - 1} 以下の整数のはずですが、{axis!r} が渡されました。")
    if scores.shape[axis] == 0:
        raise ShapeError(f"引数 scores の軸 {axis} の長さが 0 です。softmax を取るクラスが 1 つ以上必要です。")
    shifted = scores - scores.max(axis=axis, keepdims=True)  # s − max_k s_k (あふれ防止)
    exp = np.exp(shifted)  # exp(s_c − max)
    return exp / exp.sum(axis=axis, keepdims=True)  # p_c = exp(s_c) / Σ_k exp(s_k)


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    """最後の軸の log softmax: log p_c = (s_c − max) − log Σ_k exp(s_k − max)。"""
    shifted = scores - scores.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_cross_entropy(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """softmax と交差エントロピーをまとめた損失 (N 個の平均) とそのスコアに関する勾配。

    >>> loss, dscores = softmax_cross_entropy(np.zeros((2, 4)), np.array([1, 3]))
    >>> round(loss, 4) == round(float(np.log(4)), 4)
    True

    形: scores (N, C) (softmax 前の値、ロジット), y (N,) (0 … C−1 の整数) → (loss (float), dscores (N, C))。
    ``torch.nn.functional.cross_entropy(scores, y)`` (reduction='mean') と同じ値です。
    """
    dims = Dims()
    scores = dims.check("scores", scores, ("N", "C"))
    labels = _as_labels("y", y)
    dims.check("y", labels, ("N",))
    N, C = scores.shape
    if N == 0:
        raise ValueError("引数 scores にデータが 1 つもありません (N = 0)。平均を取れません。")
    _check_label_range("y", labels, C, "C")

    log_p = _log_softmax(scores)  # log p_{n,c}
    loss = -log_p[np.arange(N), labels].sum() / N  # L = −(1/N) Σ_n log p_{n,y_n}
    dscores = np.exp(log_p)  # p_{n,c}
    dscores[np.arange(N), labels] -= 1  # p_{n,c} − [c = y_n]
    dscores /= N  # ∂L/∂s_{n,c} = (p_{n,c} − [c = y_n]) / N
    return float(loss), dscores


def temporal_softmax_cross_entropy(
    scores: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """全時刻の交差エントロピー損失を、マスクで選んだ位置だけで平均する。

    >>> scores = np.zeros((2, 3, 5))
    >>> y = np.array([[1, 2, 0], [4, 0, 0]])
    >>> mask = np.array([[True, True, True], [True, False, False]])  # 2 本目は長さ 1
    >>> loss, dscores = temporal_softmax_cross_entropy(scores, y, mask)
    >>> round(loss, 4) == round(float(np.log(5)), 4), dscores.shape
    (True, (2, 3, 5))

    形: scores (N, T, V), y (N, T) (0 … V−1 の整数), mask (N, T) (省略可) → (loss (float), dscores (N, T, V))。

    マスク m_{n,t} が True (1) の位置だけを数え、損失は

        L = −(1/K) Σ_{n,t} m_{n,t} log p_{n,t,y_{n,t}},   K = Σ_{n,t} m_{n,t} (数えた位置の個数)

    です。つまり「数えた位置の平均」で、``torch.nn.functional.cross_entropy(scores[mask], y[mask])``
    (reduction='mean') と同じ値になります (系列の数 N で割る流儀とは違うので注意)。
    マスクが False の位置の y は見ないので、パディング用の値 (例えば −1) が入っていても構いません。
    その位置の勾配は 0 です。mask を省くと全位置を数えます。
    """
    dims = Dims()
    scores = dims.check("scores", scores, ("N", "T", "V"))
    labels = _as_labels("y", y)
    dims.check("y", labels, ("N", "T"))
    N, T, V = scores.shape
    m = np.ones((N, T), dtype=bool) if mask is None else _as_mask("mask", mask, dims, ("N", "T"))
    K = int(m.sum())  # K = Σ m_{n,t}
    if K == 0:
        raise ValueError(
            "損失を数える位置が 1 つもありません (mask がすべて False か、N × T = 0 です)。平均を取れません。"
        )
    _check_label_range("y", labels, V, "V", where=m)
    safe_labels = np.where(m, labels, 0)  # 数えない位置のラベルは使わないので 0 に置き換える

    n, t = np.indices((N, T))  # 各位置の (n, t) 番号
    log_p = _log_softmax(scores)  # log p_{n,t,v}
    picked = log_p[n, t, safe_labels]  # log p_{n,t,y_{n,t}}
    loss = -(picked * m).sum() / K  # L = −(1/K) Σ m_{n,t} log p_{n,t,y_{n,t}}
    dscores = np.exp(log_p)  # p_{n,t,v}
    dscores[n, t, safe_labels] -= 1  # p_{n,t,v} − [v = y_{n,t}]
    dscores *= (m / K)[..., None].astype(dscores.dtype)  # ∂L/∂s_{n,t,v} = m_{n,t} (p_{n,t,v} − [v = y_{n,t}]) / K
    return float(loss), dscores


def mse_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """平均二乗誤差 (全要素の平均) とその予測に関する勾配。

    >>> loss, dpred = mse_loss(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    >>> loss, dpred
    (2.5, array([1., 2.]))

    形: pred は任意、target は pred と同じ形 → (loss (float), dpred (pred と同じ形))。
    ``torch.nn.functional.mse_loss(pred, target)`` (reduction='mean') と同じ値です。
    """
    pred = as_float_array("pred", pred)
    target = as_float_array("target", target)
    if target.shape != pred.shape:
        raise ShapeError(
            f"引数 target の形は pred と同じ {tuple(pred.shape)} のはずですが、{tuple(target.shape)} が渡されました。"
        )
    if pred.size == 0:
        raise ValueError("引数 pred の要素が 1 つもありません。平均を取れません。")

    diff = pred - target  # e = ŷ − y
    loss = np.mean(diff**2)  # L = (1/M) Σ e²  (M は要素数)
    dpred = 2 * diff / diff.size  # ∂L/∂ŷ = 2 e / M
    return float(loss), dpred
