"""LSTM (長短期記憶) の NumPy 参照実装。順伝播と BPTT による逆伝播。

式 (行ベクトル、バッチ先頭。ゲートの順 i, f, g, o と重みの形は ``torch.nn.LSTM`` と同じ)::

    a_t = x_t W_ihᵀ + h_{t-1} W_hhᵀ + b        (N, 4H) を 4 つに分けて a_i, a_f, a_g, a_o
    i_t = σ(a_i)        入力ゲート
    f_t = σ(a_f)        忘却ゲート
    g_t = tanh(a_g)     セルへの書き込み候補
    o_t = σ(a_o)        出力ゲート
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)

``torch.nn.LSTM`` の ``weight_ih_l0`` が ``W_ih`` (4H, D)、``weight_hh_l0`` が ``W_hh`` (4H, H)、
``bias_ih_l0 + bias_hh_l0`` が ``b`` (4H,) に当たります (``rnncourse.models.interop.lstm_weights_from_torch``)。

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> N, T, D, H = 2, 5, 3, 4
    >>> x, h0, c0 = rng.normal(size=(N, T, D)), np.zeros((N, H)), np.zeros((N, H))
    >>> W_ih, W_hh, b = rng.normal(size=(4 * H, D)), rng.normal(size=(4 * H, H)), np.zeros(4 * H)
    >>> h, cache = lstm_forward(x, h0, c0, W_ih, W_hh, b)
    >>> h.shape
    (2, 5, 4)
    >>> dx, dh0, dc0, dW_ih, dW_hh, db = lstm_backward(np.ones_like(h), cache)
    >>> dx.shape, dc0.shape, dW_hh.shape, db.shape
    ((2, 5, 3), (2, 4), (16, 4), (16,))
    >>> sorted(lstm_gates(cache))
    ['c', 'f', 'g', 'i', 'o']
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from rnncourse.nn.activations import sigmoid
from rnncourse.shapes import Dims
from rnncourse.nn.timewise import timewise_matmul

__all__ = ["lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward", "lstm_gates"]


class LSTMStepCache(NamedTuple):
    x_t: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    W_ih: np.ndarray
    W_hh: np.ndarray
    i_t: np.ndarray
    f_t: np.ndarray
    g_t: np.ndarray
    o_t: np.ndarray
    c_t: np.ndarray


class LSTMCache(NamedTuple):
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    W_ih: np.ndarray
    W_hh: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray


def _check_inputs(dims: Dims, W_ih: Any, W_hh: Any, b: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    W_ih = dims.check_stacked("W_ih", W_ih, ("D",), "ifgo", "LSTM")
    W_hh = dims.check_stacked("W_hh", W_hh, ("H",), "ifgo", "LSTM")
    b = dims.check_stacked("b", b, (), "ifgo", "LSTM")
    return W_ih, W_hh, b


def _lstm_cell(a_t: np.ndarray, c_prev: np.ndarray) -> tuple[np.ndarray, ...]:
    """前活性 a_t (N, 4H) と c_{t-1} から (i_t, f_t, g_t, o_t, c_t, h_t)。"""
    a_i, a_f, a_g, a_o = np.split(a_t, 4, axis=-1)
    i_t = sigmoid(a_i)  # i_t = σ(a_i)
    f_t = sigmoid(a_f)  # f_t = σ(a_f)
    g_t = np.tanh(a_g)  # g_t = tanh(a_g)
    o_t = sigmoid(a_o)  # o_t = σ(a_o)
    c_t = f_t * c_prev + i_t * g_t  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t * np.tanh(c_t)  # h_t = o_t ⊙ tanh(c_t)
    return i_t, f_t, g_t, o_t, c_t, h_t


def _lstm_cell_backward(
    dh_t: np.ndarray,
    dc_t: np.ndarray,
    c_prev: np.ndarray,
    i_t: np.ndarray,
    f_t: np.ndarray,
    g_t: np.ndarray,
    o_t: np.ndarray,
    c_t: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """_lstm_cell を逆にたどり (da_t (N, 4H), dc_prev (N, H)) を返す。順伝播の式を見出しに、その微分を各行の右に書く。"""
    tanh_c_t = np.tanh(c_t)
    # h_t = o_t ⊙ tanh(c_t)
    do_t = dh_t * tanh_c_t  # ∂h_t/∂o_t = tanh(c_t)
    dc_t = dc_t + dh_t * o_t * (1 - tanh_c_t**2)  # ∂h_t/∂c_t = o_t ⊙ (1 − tanh²(c_t))、未来からの dc_t に足す
    # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    df_t = dc_t * c_prev  # ∂c_t/∂f_t = c_{t-1}
    dc_prev = dc_t * f_t  # ∂c_t/∂c_{t-1} = f_t  (足し算と要素積だけの「近道」)
    di_t = dc_t * g_t  # ∂c_t/∂i_t = g_t
    dg_t = dc_t * i_t  # ∂c_t/∂g_t = i_t
    # i_t = σ(a_i), f_t = σ(a_f), g_t = tanh(a_g), o_t = σ(a_o)
    da_i = di_t * i_t * (1 - i_t)  # σ′(a) = σ(a)(1 − σ(a))
    da_f = df_t * f_t * (1 - f_t)
    da_g = dg_t * (1 - g_t**2)  # tanh′(a) = 1 − tanh²(a)
    da_o = do_t * o_t * (1 - o_t)
    da_t = np.concatenate([da_i, da_f, da_g, da_o], axis=-1)  # ゲート順 i, f, g, o に並べ直す
    return da_t, dc_prev


def lstm_step_forward(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, LSTMStepCache]:
    """LSTM の 1 時刻分の順伝播 (``torch.nn.LSTMCell`` と同じ計算)。

    >>> h_t, c_t, cache = lstm_step_forward(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((2, 4)),
    ...                                     np.zeros((16, 3)), np.zeros((16, 4)), np.zeros(16))
    >>> h_t.shape, c_t.shape
    ((2, 4), (2, 4))

    形: x_t (N, D), h_prev (N, H), c_prev (N, H), W_ih (4H, D), W_hh (4H, H), b (4H,)
    → h_t (N, H), c_t (N, H)。
    """
    dims = Dims()
    x_t = dims.check("x_t", x_t, ("N", "D"))
    h_prev = dims.check("h_prev", h_prev, ("N", "H"))
    c_prev = dims.check("c_prev", c_prev, ("N", "H"))
    W_ih, W_hh, b = _check_inputs(dims, W_ih, W_hh, b)

    a_t = x_t @ W_ih.T + h_prev @ W_hh.T + b  # a_t = x_t W_ihᵀ + h_{t-1} W_hhᵀ + b
    i_t, f_t, g_t, o_t, c_t, h_t = _lstm_cell(a_t, c_prev)
    return h_t, c_t, LSTMStepCache(x_t, h_prev, c_prev, W_ih, W_hh, i_t, f_t, g_t, o_t, c_t)


def lstm_step_backward(
    dh_t: np.ndarray, dc_t: np.ndarray, cache: LSTMStepCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """LSTM の 1 時刻分の逆伝播。

    ``dh_t``, ``dc_t`` (N, H) は損失 L の h_t, c_t に関する勾配 ∂L/∂h_t, ∂L/∂c_t。
    戻り値は (dx_t (N, D), dh_prev (N, H), dc_prev (N, H), dW_ih (4H, D), dW_hh (4H, H), db (4H,))。

    >>> h_t, c_t, cache = lstm_step_forward(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((2, 4)),
    ...                                     np.zeros((16, 3)), np.zeros((16, 4)), np.zeros(16))
    >>> [g.shape for g in lstm_step_backward(np.ones((2, 4)), np.zeros((2, 4)), cache)]
    [(2, 3), (2, 4), (2, 4), (16, 3), (16, 4), (16,)]
    """
    if not isinstance(cache, LSTMStepCache):
        raise TypeError(
            f"引数 cache には lstm_step_forward が返した cache を渡してください ({type(cache).__name__} が渡されました)。"
        )
    x_t, h_prev, c_prev, W_ih, W_hh, i_t, f_t, g_t, o_t, c_t = cache
    dims = Dims()
    dims.check("cache.c_t", c_t, ("N", "H"))
    dh_t = dims.check("dh_t", dh_t, ("N", "H"))
    dc_t = dims.check("dc_t", dc_t, ("N", "H"))

    da_t, dc_prev = _lstm_cell_backward(dh_t, dc_t, c_prev, i_t, f_t, g_t, o_t, c_t)
    # a_t = x_t W_ihᵀ + h_{t-1} W_hhᵀ + b
    dx_t = da_t @ W_ih  # ∂L/∂x_t = da_t W_ih
    dh_prev = da_t @ W_hh  # ∂L/∂h_{t-1} = da_t W_hh
    dW_ih = da_t.T @ x_t  # ∂L/∂W_ih = da_tᵀ x_t
    dW_hh = da_t.T @ h_prev  # ∂L/∂W_hh = da_tᵀ h_{t-1}
    db = da_t.sum(axis=0)  # ∂L/∂b = Σ_n da_t
    return dx_t, dh_prev, dc_prev, dW_ih, dW_hh, db


def lstm_forward(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, LSTMCache]:
    """系列全体の順伝播。全時刻の隠れ状態を返す (``torch.nn.LSTM(batch_first=True)`` の出力と同じ)。

    形: x (N, T, D), h0 (N, H), c0 (N, H), W_ih (4H, D), W_hh (4H, H), b (4H,) → h (N, T, H)。
    ``h[:, t]`` が h_t (t = 0 … T−1)。セル状態やゲートの値は ``lstm_gates(cache)`` で取り出せます。

    各時刻の式は ``lstm_step_forward`` と同じです。速さのために、入力の射影は全時刻まとめて 1 回の行列積で求め、
    配列は時刻を先頭の軸に置いて (T, N, ·) 持ちます (時刻 t の切り出しが連続したメモリになる)。
    返す h と cache の配列は、その転置のビュー (N, T, ·) です。
    """
    dims = Dims()
    x = dims.check("x", x, ("N", "T", "D"))
    dims.at_least("T", 1)
    h0 = dims.check("h0", h0, ("N", "H"))
    c0 = dims.check("c0", c0, ("N", "H"))
    W_ih, W_hh, b = _check_inputs(dims, W_ih, W_hh, b)

    N, T, H = dims["N"], dims["T"], dims["H"]
    dtype = np.result_type(x, h0, c0, W_ih, W_hh, b)  # 入力のうち最も精度の高い型 (float32 だけなら float32)
    x, h0, c0, W_ih, W_hh, b = (a.astype(dtype, copy=False) for a in (x, h0, c0, W_ih, W_hh, b))

    # gates[t] (N, 4H) の列はゲートの順 i, f, g, o。まず a_t の入力側の項を入れ、ループの中で a_t を仕上げて、
    # その場でゲートの値に置き換える。
    gates = timewise_matmul(x.transpose(1, 0, 2), W_ih.T)  # 全時刻の x_t W_ihᵀ を一度の行列積で (T, N, 4H)
    gates += b
    hs = np.empty((T + 1, N, H), dtype=dtype)  # hs[t + 1] = h_t。hs[0] = h_0 なので h_{t-1} は hs[t]
    cs = np.empty((T + 1, N, H), dtype=dtype)  # cs[t + 1] = c_t。cs[0] = c_0 なので c_{t-1} は cs[t]
    hs[0], cs[0] = h0, c0
    hW = np.empty((N, 4 * H), dtype=dtype)  # h_{t-1} W_hhᵀ の置き場 (時刻ごとに使い回す)
    for t in range(T):  # 再帰の部分だけが時刻のループ
        a_t = gates[t]
        a_t += np.matmul(hs[t], W_hh.T, out=hW)  # a_t = x_t W_ihᵀ + b + h_{t-1} W_hhᵀ
        # ゲートごとの列のビュー (np.split と同じだが呼ぶ手間が小さい)。この時点の中身は a_i, a_f, a_g, a_o
        i_t, f_t, g_t, o_t = a_t[:, :H], a_t[:, H : 2 * H], a_t[:, 2 * H : 3 * H], a_t[:, 3 * H :]
        a_t[:, : 2 * H] = sigmoid(a_t[:, : 2 * H])  # i_t = σ(a_i), f_t = σ(a_f)  (隣り合う 2 つの列をまとめて)
        np.tanh(g_t, out=g_t)  # g_t = tanh(a_g)
        o_t[:] = sigmoid(o_t)  # o_t = σ(a_o)
        # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t  (cs[t + 1] に直接書く)
        c_t = np.multiply(f_t, cs[t], out=cs[t + 1])
        c_t += i_t * g_t
        # h_t = o_t ⊙ tanh(c_t)  (hs[t + 1] に直接書く)
        h_t = np.tanh(c_t, out=hs[t + 1])
        h_t *= o_t

    i, f, g, o = (gate.transpose(1, 0, 2) for gate in np.split(gates, 4, axis=2))  # ゲートごとの (N, T, H) のビュー
    h, c = hs[1:].transpose(1, 0, 2), cs[1:].transpose(1, 0, 2)
    return h, LSTMCache(x, h0, c0, W_ih, W_hh, i, f, g, o, c, h)


def lstm_backward(
    dh: np.ndarray, cache: LSTMCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """系列全体の逆伝播 (打ち切らない BPTT)。

    ``dh`` (N, T, H) は各時刻の隠れ状態に上流から届く勾配 (出力層からの ∂L/∂h_t)。
    セル状態 c_t には上流から勾配は届かず、時刻 t+1 からの再帰を通る分だけです。
    戻り値は (dx (N, T, D), dh0 (N, H), dc0 (N, H), dW_ih (4H, D), dW_hh (4H, H), db (4H,))。
    """
    if not isinstance(cache, LSTMCache):
        raise TypeError(
            f"引数 cache には lstm_forward が返した cache を渡してください ({type(cache).__name__} が渡されました)。"
        )
    x, h0, c0, W_ih, W_hh, i, f, g, o, c, h = cache
    dims = Dims()
    dims.check("cache.h", h, ("N", "T", "H"))
    dh = dims.check("dh", dh, ("N", "T", "H"))
    N, T, H = h.shape

    c_prev = np.concatenate([c0[:, None, :], c[:, :-1]], axis=1)  # 各時刻の c_{t-1}
    da = np.empty((N, T, 4 * H), dtype=np.result_type(dh, h))
    dh_next = np.zeros_like(h0)  # ∂L/∂h_t のうち、未来の時刻 t+1 から届く分
    dc_next = np.zeros_like(c0)  # ∂L/∂c_t (未来から届く分だけ)
    for t in reversed(range(T)):
        dh_t = dh[:, t] + dh_next  # 出力層からの分 + 未来からの分
        da[:, t], dc_next = _lstm_cell_backward(
            dh_t, dc_next, c_prev[:, t], i[:, t], f[:, t], g[:, t], o[:, t], c[:, t]
        )
        dh_next = da[:, t] @ W_hh  # ∂L/∂h_{t-1} への寄与 da_t W_hh

    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)  # 各時刻の h_{t-1}
    da_flat = da.reshape(N * T, 4 * H)
    dx = timewise_matmul(da, W_ih)  # ∂L/∂x_t = da_t W_ih (全時刻まとめて)
    dW_ih = da_flat.T @ x.reshape(N * T, -1)  # Σ_t da_tᵀ x_t
    dW_hh = da_flat.T @ h_prev.reshape(N * T, H)  # Σ_t da_tᵀ h_{t-1}
    db = da_flat.sum(axis=0)  # Σ_t Σ_n da_t
    return dx, dh_next, dc_next, dW_ih, dW_hh, db


def lstm_gates(cache: LSTMCache) -> dict[str, np.ndarray]:
    """``lstm_forward`` の cache から、全時刻のゲートとセル状態を図にしやすい形で取り出す。

    戻り値は辞書 {"i": i, "f": f, "g": g, "o": o, "c": c}、どれも形 (N, T, H) の配列 (コピー)。
    ``gates["f"][0, t]`` がサンプル 0 の時刻 t の忘却ゲート f_t です。
    """
    if not isinstance(cache, LSTMCache):
        raise TypeError(
            f"引数 cache には lstm_forward が返した cache を渡してください ({type(cache).__name__} が渡されました)。"
        )
    return {name: getattr(cache, name).copy() for name in ("i", "f", "g", "o", "c")}
