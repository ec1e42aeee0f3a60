"""GRU (ゲート付き再帰ユニット) の NumPy 参照実装。順伝播と BPTT による逆伝播。

式 (行ベクトル、バッチ先頭。``torch.nn.GRU`` とまったく同じ計算。ゲートの順は r, z, n)::

    r_t = σ(x_t W_irᵀ + b_ir + h_{t-1} W_hrᵀ + b_hr)          リセットゲート
    z_t = σ(x_t W_izᵀ + b_iz + h_{t-1} W_hzᵀ + b_hz)          更新ゲート
    n_t = tanh(x_t W_inᵀ + b_in + r_t ⊙ (h_{t-1} W_hnᵀ + b_hn))  新しい状態の候補
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}

``W_ih`` (3H, D) は W_ir, W_iz, W_in を、``W_hh`` (3H, H) は W_hr, W_hz, W_hn を縦に積んだもので、
``torch.nn.GRU`` の ``weight_ih_l0``, ``weight_hh_l0`` に当たります。b_hn が r_t に掛かるので、
バイアスは LSTM と違って ``b_ih`` (3H,) と ``b_hh`` (3H,) の 2 つのままです
(``rnncourse.models.interop.gru_weights_from_torch``)。

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> N, T, D, H = 2, 5, 3, 4
    >>> x, h0 = rng.normal(size=(N, T, D)), np.zeros((N, H))
    >>> W_ih, W_hh = rng.normal(size=(3 * H, D)), rng.normal(size=(3 * H, H))
    >>> b_ih, b_hh = np.zeros(3 * H), np.zeros(3 * H)
    >>> h, cache = gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    >>> h.shape
    (2, 5, 4)
    >>> dx, dh0, dW_ih, dW_hh, db_ih, db_hh = gru_backward(np.ones_like(h), cache)
    >>> dx.shape, dW_hh.shape, db_hh.shape
    ((2, 5, 3), (12, 4), (12,))
    >>> sorted(gru_gates(cache))
    ['n', 'r', 'z']
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from rnncourse.nn.activations import sigmoid
from rnncourse.shapes import Dims
from rnncourse.nn.timewise import timewise_matmul

__all__ = ["gru_step_forward", "gru_step_backward", "gru_forward", "gru_backward", "gru_gates"]


class GRUStepCache(NamedTuple):
    x_t: np.ndarray
    h_prev: np.ndarray
    W_ih: np.ndarray
    W_hh: np.ndarray
    r_t: np.ndarray
    z_t: np.ndarray
    n_t: np.ndarray
    hn_t: np.ndarray  # h_{t-1} W_hnᵀ + b_hn (r_t が掛かる前)


class GRUCache(NamedTuple):
    x: np.ndarray
    h0: np.ndarray
    W_ih: np.ndarray
    W_hh: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    hn: np.ndarray
    h: np.ndarray


def _check_inputs(
    dims: Dims, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    W_ih = dims.check_stacked("W_ih", W_ih, ("D",), "rzn", "GRU")
    W_hh = dims.check_stacked("W_hh", W_hh, ("H",), "rzn", "GRU")
    b_ih = dims.check_stacked("b_ih", b_ih, (), "rzn", "GRU")
    b_hh = dims.check_stacked("b_hh", b_hh, (), "rzn", "GRU")
    return W_ih, W_hh, b_ih, b_hh


def _gru_cell(gi_t: np.ndarray, gh_t: np.ndarray, h_prev: np.ndarray) -> tuple[np.ndarray, ...]:
    """gi_t = x_t W_ihᵀ + b_ih と gh_t = h_{t-1} W_hhᵀ + b_hh (どちらも (N, 3H)) から (r_t, z_t, n_t, hn_t, h_t)。"""
    gi_r, gi_z, gi_n = np.split(gi_t, 3, axis=-1)
    gh_r, gh_z, hn_t = np.split(gh_t, 3, axis=-1)  # hn_t = h_{t-1} W_hnᵀ + b_hn
    r_t = sigmoid(gi_r + gh_r)  # r_t = σ(x_t W_irᵀ + b_ir + h_{t-1} W_hrᵀ + b_hr)
    z_t = sigmoid(gi_z + gh_z)  # z_t = σ(x_t W_izᵀ + b_iz + h_{t-1} W_hzᵀ + b_hz)
    n_t = np.tanh(gi_n + r_t * hn_t)  # n_t = tanh(x_t W_inᵀ + b_in + r_t ⊙ hn_t)
    h_t = (1 - z_t) * n_t + z_t * h_prev  # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}
    return r_t, z_t, n_t, hn_t, h_t


def _gru_cell_backward(
    dh_t: np.ndarray,
    h_prev: np.ndarray,
    r_t: np.ndarray,
    z_t: np.ndarray,
    n_t: np.ndarray,
    hn_t: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_gru_cell を逆にたどり (dgi_t (N, 3H), dgh_t (N, 3H), h_{t-1} への直接の勾配 (N, H)) を返す。

    順伝播の式を見出しに、その微分を各行の右に書きます。

    h_{t-1} への勾配は、ここで返す直接の分 (z_t ⊙ h_{t-1} の項) と dgh_t W_hh の和になります。
    """
    # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}
    dn_t = dh_t * (1 - z_t)  # ∂h_t/∂n_t = 1 − z_t
    dz_t = dh_t * (h_prev - n_t)  # ∂h_t/∂z_t = h_{t-1} − n_t
    dh_prev = dh_t * z_t  # ∂h_t/∂h_{t-1} = z_t  (行列を通らない「近道」)
    # n_t = tanh(a_n),  a_n = x_t W_inᵀ + b_in + r_t ⊙ hn_t
    da_n = dn_t * (1 - n_t**2)  # tanh′(a) = 1 − tanh²(a)
    dr_t = da_n * hn_t  # ∂a_n/∂r_t = hn_t
    dhn_t = da_n * r_t  # ∂a_n/∂hn_t = r_t
    # r_t = σ(a_r), z_t = σ(a_z)
    da_r = dr_t * r_t * (1 - r_t)  # σ′(a) = σ(a)(1 − σ(a))
    da_z = dz_t * z_t * (1 - z_t)
    # a_r と a_z は gi と gh の単純な和。n だけは gh 側に r_t が掛かっている
    dgi_t = np.concatenate([da_r, da_z, da_n], axis=-1)
    dgh_t = np.concatenate([da_r, da_z, dhn_t], axis=-1)
    return dgi_t, dgh_t, dh_prev


def gru_step_forward(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> tuple[np.ndarray, GRUStepCache]:
    """GRU の 1 時刻分の順伝播 (``torch.nn.GRUCell`` と同じ計算)。

    >>> h_t, cache = gru_step_forward(np.ones((2, 3)), np.zeros((2, 4)),
    ...                               np.zeros((12, 3)), np.zeros((12, 4)), np.zeros(12), np.zeros(12))
    >>> h_t.shape
    (2, 4)

    形: x_t (N, D), h_prev (N, H), W_ih (3H, D), W_hh (3H, H), b_ih (3H,), b_hh (3H,) → h_t (N, H)。
    """
    dims = Dims()
    x_t = dims.check("x_t", x_t, ("N", "D"))
    h_prev = dims.check("h_prev", h_prev, ("N", "H"))
    W_ih, W_hh, b_ih, b_hh = _check_inputs(dims, W_ih, W_hh, b_ih, b_hh)

    gi_t = x_t @ W_ih.T + b_ih  # gi_t = x_t W_ihᵀ + b_ih
    gh_t = h_prev @ W_hh.T + b_hh  # gh_t = h_{t-1} W_hhᵀ + b_hh
    r_t, z_t, n_t, hn_t, h_t = _gru_cell(gi_t, gh_t, h_prev)
    return h_t, GRUStepCache(x_t, h_prev, W_ih, W_hh, r_t, z_t, n_t, hn_t)


def gru_step_backward(
    dh_t: np.ndarray, cache: GRUStepCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """GRU の 1 時刻分の逆伝播。

    ``dh_t`` (N, H) は損失 L の h_t に関する勾配 ∂L/∂h_t。
    戻り値は (dx_t (N, D), dh_prev (N, H), dW_ih (3H, D), dW_hh (3H, H), db_ih (3H,), db_hh (3H,))。

    >>> h_t, cache = gru_step_forward(np.ones((2, 3)), np.zeros((2, 4)),
    ...                               np.zeros((12, 3)), np.zeros((12, 4)), np.zeros(12), np.zeros(12))
    >>> [g.shape for g in gru_step_backward(np.ones((2, 4)), cache)]
    [(2, 3), (2, 4), (12, 3), (12, 4), (12,), (12,)]
    """
    if not isinstance(cache, GRUStepCache):
        raise TypeError(
            f"引数 cache には gru_step_forward が返した cache を渡してください ({type(cache).__name__} が渡されました)。"
        )
    x_t, h_prev, W_ih, W_hh, r_t, z_t, n_t, hn_t = cache
    dims = Dims()
    dims.check("cache.h_prev", h_prev, ("N", "H"))
    dh_t = dims.check("dh_t", dh_t, ("N", "H"))

    dgi_t, dgh_t, dh_prev = _gru_cell_backward(dh_t, h_prev, r_t, z_t, n_t, hn_t)
    # gi_t = x_t W_ihᵀ + b_ih,  gh_t = h_{t-1} W_hhᵀ + b_hh
    dx_t = dgi_t @ W_ih  # ∂L/∂x_t = dgi_t W_ih
    dh_prev = dh_prev + dgh_t @ W_hh  # ∂L/∂h_{t-1} = dh_t ⊙ z_t + dgh_t W_hh
    dW_ih = dgi_t.T @ x_t  # ∂L/∂W_ih = dgi_tᵀ x_t
    dW_hh = dgh_t.T @ h_prev  # ∂L/∂W_hh = dgh_tᵀ h_{t-1}
    db_ih = dgi_t.sum(axis=0)  # ∂L/∂b_ih = Σ_n dgi_t
    db_hh = dgh_t.sum(axis=0)  # ∂L/∂b_hh = Σ_n dgh_t
    return dx_t, dh_prev, dW_ih, dW_hh, db_ih, db_hh


def gru_forward(
    x: np.ndarray,
    h0: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> tuple[np.ndarray, GRUCache]:
    """系列全体の順伝播。全時刻の隠れ状態を返す (``torch.nn.GRU(batch_first=True)`` の出力と同じ)。

    形: x (N, T, D), h0 (N, H), W_ih (3H, D), W_hh (3H, H), b_ih (3H,), b_hh (3H,) → h (N, T, H)。
    ``h[:, t]`` が h_t (t = 0 … T−1)。ゲートの値は ``gru_gates(cache)`` で取り出せます。

    各時刻の式は ``gru_step_forward`` と同じです。速さのために、入力の射影は全時刻まとめて 1 回の行列積で求め、
    配列は時刻を先頭の軸に置いて (T, N, ·) 持ちます (時刻 t の切り出しが連続したメモリになる)。
    返す h と cache の配列は、その転置のビュー (N, T, ·) です。
    """
    dims = Dims()
    x = dims.check("x", x, ("N", "T", "D"))
    dims.at_least("T", 1)
    h0 = dims.check("h0", h0, ("N", "H"))
    W_ih, W_hh, b_ih, b_hh = _check_inputs(dims, W_ih, W_hh, b_ih, b_hh)

    N, T, H = dims["N"], dims["T"], dims["H"]
    dtype = np.result_type(x, h0, W_ih, W_hh, b_ih, b_hh)  # 入力のうち最も精度の高い型 (float32 だけなら float32)
    x, h0, W_ih, W_hh, b_ih, b_hh = (a.astype(dtype, copy=False) for a in (x, h0, W_ih, W_hh, b_ih, b_hh))

    # gates[t] (N, 3H) の列はゲートの順 r, z, n。まず gi_t = x_t W_ihᵀ + b_ih (列ごとに gi_r, gi_z, gi_n) を入れ、
    # ループの中でその場でゲートの値 r_t, z_t, n_t に置き換える。
    gates = timewise_matmul(x.transpose(1, 0, 2), W_ih.T)  # 全時刻の x_t W_ihᵀ を一度の行列積で (T, N, 3H)
    gates += b_ih
    gh = np.empty((T, N, 3 * H), dtype=dtype)  # gh[t] = h_{t-1} W_hhᵀ + b_hh。n の列 hn_t は逆伝播でも使う
    hs = np.empty((T + 1, N, H), dtype=dtype)  # hs[t + 1] = h_t。hs[0] = h_0 なので h_{t-1} は hs[t]
    hs[0] = h0
    for t in range(T):  # 再帰の部分だけが時刻のループ
        # gh_t = h_{t-1} W_hhᵀ + b_hh  (gh[t] に直接書く)。その n の列が hn_t = h_{t-1} W_hnᵀ + b_hn
        gh_t = np.matmul(hs[t], W_hh.T, out=gh[t])
        gh_t += b_hh
        hn_t = gh_t[:, 2 * H :]
        # ゲートごとの列のビュー (np.split と同じだが呼ぶ手間が小さい)。この時点の中身は gi_r, gi_z, gi_n
        gates_t = gates[t]
        r_t, z_t, n_t = gates_t[:, :H], gates_t[:, H : 2 * H], gates_t[:, 2 * H :]
        # r_t = σ(gi_r + gh_r), z_t = σ(gi_z + gh_z)  (同じ形の式で列が隣り合うので、2 つまとめて)
        rz_t = gates_t[:, : 2 * H]
        rz_t += gh_t[:, : 2 * H]
        rz_t[:] = sigmoid(rz_t)
        # n_t = tanh(gi_n + r_t ⊙ hn_t)
        n_t += r_t * hn_t
        np.tanh(n_t, out=n_t)
        # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}  (hs[t + 1] に直接書く)
        np.add((1 - z_t) * n_t, z_t * hs[t], out=hs[t + 1])

    r, z, n = (gate.transpose(1, 0, 2) for gate in np.split(gates, 3, axis=2))  # ゲートごとの (N, T, H) のビュー
    hn = gh[:, :, 2 * H :].transpose(1, 0, 2)
    h = hs[1:].transpose(1, 0, 2)
    return h, GRUCache(x, h0, W_ih, W_hh, r, z, n, hn, h)


def gru_backward(
    dh: np.ndarray, cache: GRUCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """系列全体の逆伝播 (打ち切らない BPTT)。

    ``dh`` (N, T, H) は各時刻の隠れ状態に上流から届く勾配 (出力層からの ∂L/∂h_t)。
    戻り値は (dx (N, T, D), dh0 (N, H), dW_ih (3H, D), dW_hh (3H, H), db_ih (3H,), db_hh (3H,))。
    """
    if not isinstance(cache, GRUCache):
        raise TypeError(
            f"引数 cache には gru_forward が返した cache を渡してください ({type(cache).__name__} が渡されました)。"
        )
    x, h0, W_ih, W_hh, r, z, n, hn, h = cache
    dims = Dims()
    dims.check("cache.h", h, ("N", "T", "H"))
    dh = dims.check("dh", dh, ("N", "T", "H"))
    N, T, H = h.shape

    h_prev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)  # 各時刻の h_{t-1}
    dtype = np.result_type(dh, h)
    dgi = np.empty((N, T, 3 * H), dtype=dtype)  # ∂L/∂(x_t W_ihᵀ + b_ih)
    dgh = np.empty((N, T, 3 * H), dtype=dtype)  # ∂L/∂(h_{t-1} W_hhᵀ + b_hh)
    dh_next = np.zeros_like(h0)  # ∂L/∂h_t のうち、未来の時刻 t+1 から届く分
    for t in reversed(range(T)):
        dh_t = dh[:, t] + dh_next  # 出力層からの分 + 未来からの分
        dgi[:, t], dgh[:, t], dh_direct = _gru_cell_backward(
            dh_t, h_prev[:, t], r[:, t], z[:, t], n[:, t], hn[:, t]
        )
        dh_next = dh_direct + dgh[:, t] @ W_hh  # ∂L/∂h_{t-1} = dh_t ⊙ z_t + dgh_t W_hh

    dgi_flat = dgi.reshape(N * T, 3 * H)
    dgh_flat = dgh.reshape(N * T, 3 * H)
    dx = timewise_matmul(dgi, W_ih)  # ∂L/∂x_t = dgi_t W_ih (全時刻まとめて)
    dW_ih = dgi_flat.T @ x.reshape(N * T, -1)  # Σ_t dgi_tᵀ x_t
    dW_hh = dgh_flat.T @ h_prev.reshape(N * T, H)  # Σ_t dgh_tᵀ h_{t-1}
    db_ih = dgi_flat.sum(axis=0)  # Σ_t Σ_n dgi_t
    db_hh = dgh_flat.sum(axis=0)  # Σ_t Σ_n dgh_t
    return dx, dh_next, dW_ih, dW_hh, db_ih, db_hh


def gru_gates(cache: GRUCache) -> dict[str, np.ndarray]:
    """``gru_forward`` の cache から、全時刻のゲートの値を図にしやすい形で取り出す。

    戻り値は辞書 {"r": r, "z": z, "n": n}、どれも形 (N, T, H) の配列 (コピー)。
    ``gates["z"][0, t]`` がサンプル 0 の時刻 t の更新ゲート z_t です (1 に近いほど h_{t-1} をそのまま残す)。
    """
    if not isinstance(cache, GRUCache):
        raise TypeError(
            f"引数 cache には gru_forward が返した cache を渡してください ({type(cache).__name__} が渡されました)。"
        )
    return {name: getattr(cache, name).copy() for name in ("r", "z", "n")}
