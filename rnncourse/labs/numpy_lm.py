"""NumPy だけで作る文字レベル言語モデル。部品はすべて rnncourse の参照実装です。

    入力:   e_t = W_embed[x_t]  (埋め込み)    または  e_t = onehot(x_t)  (one-hot)
    再帰層: h_t = tanh(e_t W_xhᵀ + h_{t−1} W_hhᵀ + b_ih + b_hh)          (rnn_forward / rnn_backward)
    出力層: s_{t+1} = h_t W_hyᵀ + b_y  (次の文字 x_{t+1} のスコア)        (temporal_affine_forward / backward)
    損失:   ℓ = −(1/NT) Σ_{n,t} log softmax(s_{n,t+1})[y_{n,t}]  (y_{n,t} = x_{n,t+1})  (temporal_softmax_cross_entropy)
    更新:   Adam、勾配のノルムのクリッピング                              (rnncourse.nn.optim, rnncourse.nn.clipping)

パラメータの名前と形は ``rnncourse.models.language_model.CharLanguageModel(cell="rnn")`` と同じ並びなので、
PyTorch のモデルの重みを写して (``numpy_lm_params_from_torch``) 同じ学習を並べて比べられます。

    >>> import numpy as np
    >>> params = init_numpy_lm(vocab_size=6, hidden_size=4, embed_size=3, rng=np.random.default_rng(0))
    >>> sorted(params)
    ['W_embed', 'W_hh', 'W_hy', 'W_xh', 'b_hh', 'b_ih', 'b_y']
    >>> x = np.array([[0, 1, 2], [3, 4, 5]])          # (N, T) の文字 ID
    >>> y = np.array([[1, 2, 3], [4, 5, 0]])          # 1 つ先の文字
    >>> loss, grads, h_last = numpy_lm_loss(params, x, y, np.zeros((2, 4)))
    >>> grads["W_embed"].shape, h_last.shape
    ((6, 3), (2, 4))
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from rnncourse.nn.affine import temporal_affine_backward, temporal_affine_forward
from rnncourse.nn.clipping import clip_grad_norm
from rnncourse.nn.losses import temporal_softmax_cross_entropy
from rnncourse.nn.optim import Adam
from rnncourse.nn.rnn import rnn_backward, rnn_forward
from rnncourse.shapes import Dims, ShapeError, check_int
from rnncourse.data.text import one_hot, stream_batches, stream_layout

__all__ = [
    "init_numpy_lm",
    "numpy_lm_params_from_torch",
    "LossResult",
    "numpy_lm_loss",
    "numpy_lm_evaluate",
    "train_numpy_lm",
]

_RNN_KEYS = ("W_xh", "W_hh", "b_ih", "b_hh", "W_hy", "b_y")


def init_numpy_lm(
    vocab_size: int,
    hidden_size: int,
    embed_size: int | None = None,
    rng: np.random.Generator | None = None,
    dtype: type = np.float64,
) -> dict[str, np.ndarray]:
    """PyTorch の既定と同じ分布でパラメータを作る。``embed_size=None`` なら one-hot 入力 (埋め込みなし)。

    >>> p = init_numpy_lm(10, 8, rng=np.random.default_rng(0))    # one-hot 入力
    >>> p["W_xh"].shape, "W_embed" in p
    ((8, 10), False)

    形: W_embed (V, E) (埋め込みのときだけ)、W_xh (H, E) (one-hot なら (H, V))、W_hh (H, H)、
    b_ih (H,)、b_hh (H,)、W_hy (V, H)、b_y (V,)。
    分布: 埋め込みは標準正規分布 (``nn.Embedding``)、それ以外は一様分布 U(−1/√H, 1/√H)
    (``nn.RNN`` と、入力が H 次元の ``nn.Linear``)。
    バイアスを b_ih と b_hh の 2 本持つのは PyTorch と同じにするためです (式の中では和 b_ih + b_hh だけが効きます)。
    """
    V = check_int("vocab_size", vocab_size, 1)
    H = check_int("hidden_size", hidden_size, 1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("引数 rng には np.random.default_rng(種) を渡してください (初期値を再現するため)。")
    bound = 1.0 / math.sqrt(H)
    params: dict[str, np.ndarray] = {}
    if embed_size is None:
        D = V  # one-hot の次元は語彙の大きさ
    else:
        D = check_int("embed_size", embed_size, 1)
        params["W_embed"] = rng.standard_normal((V, D))
    params["W_xh"] = rng.uniform(-bound, bound, (H, D))
    params["W_hh"] = rng.uniform(-bound, bound, (H, H))
    params["b_ih"] = rng.uniform(-bound, bound, H)
    params["b_hh"] = rng.uniform(-bound, bound, H)
    params["W_hy"] = rng.uniform(-bound, bound, (V, H))
    params["b_y"] = rng.uniform(-bound, bound, V)
    return {key: value.astype(dtype) for key, value in params.items()}


def numpy_lm_params_from_torch(model, dtype: type = np.float64) -> dict[str, np.ndarray]:
    """``CharLanguageModel(cell="rnn")`` の重みを、この NumPy モデルのパラメータの辞書に写す (コピー)。

    >>> from rnncourse.models.language_model import CharLanguageModel
    >>> params = numpy_lm_params_from_torch(CharLanguageModel(12, 5, 7, cell="rnn"))
    >>> params["W_embed"].shape, params["W_xh"].shape, params["W_hy"].shape
    ((12, 5), (7, 5), (12, 7))
    """
    from rnncourse.models.language_model import CharLanguageModel

    if not isinstance(model, CharLanguageModel) or model.cell != "rnn":
        raise TypeError("引数 model には CharLanguageModel(..., cell='rnn') を渡してください (NumPy 版は素の RNN です)。")
    rnn = model.rnn
    tensors = {
        "W_embed": model.embedding.weight, "W_xh": rnn.weight_ih_l0, "W_hh": rnn.weight_hh_l0,
        "b_ih": rnn.bias_ih_l0, "b_hh": rnn.bias_hh_l0, "W_hy": model.fc.weight, "b_y": model.fc.bias,
    }
    return {key: t.detach().cpu().numpy().astype(dtype, copy=True) for key, t in tensors.items()}


def _check_params(params: object) -> tuple[dict[str, np.ndarray], bool]:
    if not isinstance(params, dict):
        raise TypeError(f"引数 params はパラメータの辞書のはずですが、{type(params).__name__} が渡されました。")
    missing = [key for key in _RNN_KEYS if key not in params]
    if missing:
        raise ValueError(f"引数 params にキー {', '.join(map(repr, missing))} がありません (init_numpy_lm で作ってください)。")
    return params, "W_embed" in params


class LossResult(NamedTuple):
    """``numpy_lm_loss`` の結果。"""

    loss: float  # 1 文字あたりの平均損失 (nats)
    grads: dict[str, np.ndarray]  # params と同じキー・同じ形の勾配
    h_last: np.ndarray  # (N, H) 最後の時刻の隠れ状態 (次のチャンクの h0 に使う)


def _inputs(params: dict[str, np.ndarray], x: np.ndarray, embedded: bool) -> np.ndarray:
    if embedded:
        return params["W_embed"][x]  # e_t = W_embed[x_t]  (N, T, E)
    return one_hot(x, params["W_hy"].shape[0])  # e_t = onehot(x_t)  (N, T, V)


def _check_ids(x: object, y: object, V: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    for name, ids in (("x", x), ("y", y)):
        if ids.ndim != 2 or (ids.size and ids.dtype.kind not in "iu"):
            raise ShapeError(f"引数 {name} は文字 ID の整数配列 (N, T) のはずですが、形 {ids.shape}、dtype={ids.dtype} が渡されました。")
        if ids.size and (ids.min() < 0 or ids.max() >= V):
            raise IndexError(f"引数 {name} に範囲外の ID があります。ID は 0 以上 {V - 1} 以下のはずです。")
    if x.shape != y.shape:
        raise ShapeError(f"引数 y の形は x と同じ {x.shape} のはずですが、{y.shape} が渡されました。")
    return x, y


def numpy_lm_loss(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, h0: np.ndarray) -> LossResult:
    """1 つのチャンクの損失と、全パラメータの勾配を求める (順伝播 → 逆伝播)。

    形: x (N, T) 入力の文字 ID、y (N, T) 目標 (x を 1 つずらしたもの)、h0 (N, H) 初期状態
    → LossResult(loss (float), grads {名前: 勾配}, h_last (N, H))。
    勾配は h0 の手前へは流しません (打ち切り BPTT。NumPy の配列には計算グラフがないので、
    PyTorch の detach に当たる操作は不要です)。
    """
    params, embedded = _check_params(params)
    x, y = _check_ids(x, y, params["W_hy"].shape[0])
    H = params["W_hh"].shape[0]
    h0 = Dims(N=x.shape[0], H=H).check("h0", h0, ("N", "H"))

    e = _inputs(params, x, embedded)
    b_h = params["b_ih"] + params["b_hh"]  # 式に現れるのは 2 本のバイアスの和だけ
    h, rnn_cache = rnn_forward(e, h0, params["W_xh"], params["W_hh"], b_h)  # h (N, T, H)
    N, T, _ = h.shape
    # 出力層と損失は時刻ごとに独立なので、N 本の系列を長さ N·T の 1 本 (1, N·T, ·) として渡す
    # (値は同じ。NumPy は 3 次元 @ 2 次元の行列積が遅いので、1 回の大きな行列積にする)
    scores, affine_cache = temporal_affine_forward(h.reshape(1, N * T, H), params["W_hy"], params["b_y"])  # s
    loss, dscores = temporal_softmax_cross_entropy(scores, y.reshape(1, N * T))  # ℓ と ∂ℓ/∂s (全位置の平均)

    dh, dW_hy, db_y = temporal_affine_backward(dscores, affine_cache)  # ∂ℓ/∂h_t (出力層から)
    de, _dh0, dW_xh, dW_hh, db_h = rnn_backward(dh.reshape(N, T, H), rnn_cache)  # BPTT (チャンクの中だけ)
    grads = {"W_xh": dW_xh, "W_hh": dW_hh, "b_ih": db_h, "b_hh": db_h.copy(), "W_hy": dW_hy, "b_y": db_y}
    if embedded:
        dW_embed = np.zeros_like(params["W_embed"])
        np.add.at(dW_embed, x, de)  # 同じ文字が何度現れても、その行に足し込む
        grads = {"W_embed": dW_embed, **grads}
    return LossResult(loss, {key: grads[key] for key in params}, h[:, -1])


def numpy_lm_evaluate(params: dict[str, np.ndarray], ids: np.ndarray, seq_len: int = 256) -> float:
    """テキスト ``ids`` の 2 文字目以降を予測した 1 文字あたりの損失 (nats)。

    ``rnncourse.models.language_model.evaluate_loss`` と同じく、1 本のストリームとして ``seq_len`` 文字ずつ読み、
    隠れ状態を引き継ぎます。形: ids (L,) (L ≥ 2) → float。
    """
    params, embedded = _check_params(params)
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.shape[0] < 2:
        raise ShapeError(f"引数 ids は長さ 2 以上の 1 次元の ID 列のはずですが、形 {ids.shape} が渡されました。")
    seq_len = check_int("seq_len", seq_len, 1)
    h = np.zeros((1, params["W_hh"].shape[0]), dtype=params["W_hh"].dtype)
    total, count = 0.0, 0
    b_h = params["b_ih"] + params["b_hh"]
    for start in range(0, ids.shape[0] - 1, seq_len):
        x = ids[None, start : start + seq_len]
        y = ids[None, start + 1 : start + seq_len + 1]
        x = x[:, : y.shape[1]]
        hs, _ = rnn_forward(_inputs(params, x, embedded), h, params["W_xh"], params["W_hh"], b_h)
        scores, _ = temporal_affine_forward(hs, params["W_hy"], params["b_y"])
        loss, _ = temporal_softmax_cross_entropy(scores, y)
        total += loss * y.size  # 文字数で重み付け
        count += y.size
        h = hs[:, -1]
    return total / count


def train_numpy_lm(
    params: dict[str, np.ndarray],
    train_ids: np.ndarray,
    batch_size: int = 32,
    seq_len: int = 32,
    epochs: int = 1,
    lr: float = 3e-3,
    clip: float | None = 1.0,
    max_steps: int | None = None,
    progress=None,
) -> list[float]:
    """打ち切り BPTT と Adam で ``params`` をその場で更新し、各ステップの損失を返す。

    >>> params = init_numpy_lm(5, 8, embed_size=4, rng=np.random.default_rng(0))
    >>> losses = train_numpy_lm(params, np.arange(100) % 5, batch_size=4, seq_len=6, epochs=2)
    >>> len(losses), losses[-1] < losses[0]
    (8, True)

    手順は ``rnncourse.models.language_model.train_language_model`` と同じです: エポックの初めに h = 0、
    ``stream_batches`` のチャンクを順に読み、最後の隠れ状態を次のチャンクの h0 にし、
    勾配のノルムを ``clip`` に切り詰めてから Adam で更新します。
    """
    params, _ = _check_params(params)
    epochs = check_int("epochs", epochs, 1)
    layout = stream_layout(len(train_ids), batch_size, seq_len)
    total = epochs * layout.num_chunks if max_steps is None else check_int("max_steps", max_steps, 1)
    optimizer = Adam(params, lr=lr)
    H = params["W_hh"].shape[0]
    losses: list[float] = []
    for _ in range(epochs):
        h = np.zeros((batch_size, H), dtype=params["W_hh"].dtype)  # エポックの初めは h_0 = 0
        for x, y in stream_batches(train_ids, batch_size, seq_len):
            if len(losses) >= total:
                break
            loss, grads, h = numpy_lm_loss(params, x, y, h)  # h は次のチャンクの h0
            if clip is not None:
                grads, _norm = clip_grad_norm(grads, clip)
            optimizer.step(grads)
            losses.append(loss)
            if progress is not None:
                progress.update(len(losses), loss=loss)
        if len(losses) >= total:
            break
    return losses
