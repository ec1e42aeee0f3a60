"""打ち切り BPTT (truncated BPTT) の NumPy 実装と、遅れ (lag) の再現タスクでの学習。

長さ T の系列を長さ K のチャンク (区間) に区切り、チャンクごとに

1. 前のチャンクの最後の隠れ状態を初期状態として順伝播し (隠れ状態の引き継ぎ)、
2. そのチャンクの損失の勾配を、チャンクの先頭までだけさかのぼらせる (勾配の打ち切り)

を繰り返します。順伝播で計算する隠れ状態は打ち切らない場合と同じで、違うのは勾配だけです。
逆伝播のために一度に持つ隠れ状態は N·T·H 個ではなく N·K·H 個で済みます。

モデル (多対多の回帰。行ベクトル、バッチ先頭)::

    h_t = tanh(x_t W_xhᵀ + h_{t-1} W_hhᵀ + b_h)      rnn_forward
    ŷ_t = h_t W_hyᵀ + b_y                            temporal_affine_forward
    L   = 全時刻・全要素の平均二乗誤差                mse_loss

    >>> from rnncourse.data.tasks import lag_task
    >>> x, y = lag_task(8, T=12, lag=2, seed=0)
    >>> params = init_regressor_params(input_size=1, hidden_size=4, output_size=1, seed=0)
    >>> loss, grads, info = tbptt_loss_and_grads(params, x, y, K=4)
    >>> info.chunks, info.stored_hidden, info.backward_steps
    (3, 128, 12)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from rnncourse.nn.affine import temporal_affine_backward, temporal_affine_forward
from rnncourse.nn.losses import mse_loss
from rnncourse.nn.optim import Adam
from rnncourse.nn.rnn import rnn_backward, rnn_forward
from rnncourse.shapes import Dims, check_int, check_param_dict

__all__ = [
    "PARAM_NAMES",
    "TBPTTInfo",
    "tbptt_chunks",
    "init_regressor_params",
    "regressor_predict",
    "tbptt_loss_and_grads",
    "train_tbptt",
    "lag_accuracy",
]

#: パラメータの辞書のキー (この順に並べる)。
PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


class TBPTTInfo(NamedTuple):
    """打ち切り BPTT 1 回分の数え上げ (実際に作った配列から数える)。"""

    chunks: int  # チャンクの数 ⌈T / K⌉
    stored_hidden: int  # 逆伝播のために一度に持った隠れ状態の要素数の最大値 (N·K·H)
    backward_steps: int  # 逆伝播で通った時刻の数の合計 (T)
    max_connected_lag: int  # 勾配でつながる「入力 x_s と損失 ℓ_t」の時刻差 t − s の最大値 (K − 1)


def tbptt_chunks(T: int, K: int) -> list[tuple[int, int]]:
    """長さ T の系列を長さ K のチャンクに区切った (start, end) の並び (最後のチャンクは短いことがある)。

    >>> tbptt_chunks(10, 4)
    [(0, 4), (4, 8), (8, 10)]

    チャンク [start, end) は配列の添字 start … end−1 の時刻。K ≥ T なら区切らない (1 つのチャンク)。
    """
    T = check_int("T", T, 1)
    K = check_int("K", K, 1)
    return [(start, min(start + K, T)) for start in range(0, T, K)]


def _check_params(params: Any) -> tuple[dict[str, np.ndarray], Dims]:
    spec = {"W_xh": ("H", "D"), "W_hh": ("H", "H"), "b_h": ("H",), "W_hy": ("M", "H"), "b_y": ("M",)}
    return params, check_param_dict(params, spec)


def init_regressor_params(
    input_size: int, hidden_size: int, output_size: int = 1, seed: int = 0, recurrent_scale: float = 1.0
) -> dict[str, np.ndarray]:
    """PyTorch の既定と同じ一様分布 U(−1/√H, 1/√H) で float64 のパラメータを作る。

    >>> {k: v.shape for k, v in init_regressor_params(1, 3).items()}
    {'W_xh': (3, 1), 'W_hh': (3, 3), 'b_h': (3,), 'W_hy': (1, 3), 'b_y': (1,)}
    >>> float(np.abs(init_regressor_params(1, 3, recurrent_scale=0.0)["W_hh"]).max())
    0.0

    形: W_xh (H, D), W_hh (H, H), b_h (H,), W_hy (M, H), b_y (M,)。M = output_size。
    ``recurrent_scale`` は W_hh だけに掛ける倍率です。0 にすると学習前の RNN は過去を何も覚えていません
    (h_t は x_t だけで決まる)。ランダムな W_hh は学習しなくても少し前の入力の痕跡を h_t に残すので、
    「勾配が届かないと記憶を作れない」ことを確かめる実験では 0 から始めます。
    """
    D = check_int("input_size", input_size, 1)
    H = check_int("hidden_size", hidden_size, 1)
    M = check_int("output_size", output_size, 1)
    if isinstance(recurrent_scale, bool) or not isinstance(recurrent_scale, (int, float)) or not np.isfinite(recurrent_scale):
        raise TypeError(f"引数 recurrent_scale は有限な数のはずですが、{recurrent_scale!r} が渡されました。")
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(H)
    shapes = {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,), "W_hy": (M, H), "b_y": (M,)}
    params = {name: rng.uniform(-bound, bound, size=shape) for name, shape in shapes.items()}
    params["W_hh"] *= float(recurrent_scale)  # 乱数の列は倍率によらず同じ (他の重みは変わらない)
    return params


def regressor_predict(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """全時刻の予測 ŷ_t (打ち切りと関係なく、系列全体を h_0 = 0 から順伝播)。形: x (N, T, D) → (N, T, M)。

    >>> regressor_predict(init_regressor_params(1, 3), np.zeros((2, 5, 1))).shape
    (2, 5, 1)
    """
    params, dims = _check_params(params)
    x = dims.check("x", x, ("N", "T", "D"))
    h, _ = rnn_forward(x, np.zeros((dims["N"], dims["H"])), params["W_xh"], params["W_hh"], params["b_h"])
    y_hat, _ = temporal_affine_forward(h, params["W_hy"], params["b_y"])
    return y_hat


def tbptt_loss_and_grads(
    params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, K: int
) -> tuple[float, dict[str, np.ndarray], TBPTTInfo]:
    """長さ K で打ち切った BPTT で、系列全体の損失 (平均二乗誤差) と勾配を求める。

    >>> params = init_regressor_params(1, 3)
    >>> x, y = np.ones((2, 6, 1)), np.zeros((2, 6, 1))
    >>> loss_full, grads_full, _ = tbptt_loss_and_grads(params, x, y, K=6)   # 打ち切らない
    >>> loss_cut, grads_cut, _ = tbptt_loss_and_grads(params, x, y, K=2)
    >>> bool(np.isclose(loss_full, loss_cut)), np.allclose(grads_full["W_hh"], grads_cut["W_hh"])
    (True, False)

    形: x (N, T, D), y (N, T, M) → (loss (float), {名前: params と同じ形の勾配}, TBPTTInfo)。

    各チャンクでは、前のチャンクの最後の隠れ状態を初期状態 h0 にして順伝播し (引き継ぎ)、
    そのチャンクの損失だけを逆伝播して勾配を足し込みます。``rnn_backward`` が返す h0 への勾配
    ∂L/∂h0 は前のチャンクへ渡さずに捨てます。これが勾配の打ち切りです (PyTorch では ``h.detach()``)。
    損失は全時刻の平均なので、K によらず打ち切らない場合と同じ値です。変わるのは勾配だけです。
    """
    params, dims = _check_params(params)
    x = dims.check("x", x, ("N", "T", "D"))
    y = dims.check("y", y, ("N", "T", "M"))
    N, T, H = dims["N"], dims["T"], dims["H"]
    chunks = tbptt_chunks(T, K)

    grads = {name: np.zeros_like(value) for name, value in params.items()}
    total_loss, stored, steps = 0.0, 0, 0
    h_carry = np.zeros((N, H))  # 引き継ぐ隠れ状態 (最初は h_0 = 0)
    for start, end in chunks:
        weight = (end - start) / T  # チャンクの平均を全体の平均に直す重み
        h, rnn_cache = rnn_forward(x[:, start:end], h_carry, params["W_xh"], params["W_hh"], params["b_h"])
        y_hat, affine_cache = temporal_affine_forward(h, params["W_hy"], params["b_y"])
        loss, dy_hat = mse_loss(y_hat, y[:, start:end])
        total_loss += weight * loss  # L = Σ_chunk (長さ/T) · L_chunk
        dh, dW_hy, db_y = temporal_affine_backward(weight * dy_hat, affine_cache)
        _, dh0, dW_xh, dW_hh, db_h = rnn_backward(dh, rnn_cache)  # チャンクの先頭までさかのぼる
        del dh0  # ∂L/∂h0 は前のチャンクへ渡さない (ここで勾配を打ち切る)
        for name, g in zip(PARAM_NAMES, (dW_xh, dW_hh, db_h, dW_hy, db_y)):
            grads[name] += g  # 重みは共有されているので、チャンクごとの勾配を足す
        stored = max(stored, rnn_cache.h.size)  # このチャンクの逆伝播で持っていた隠れ状態 (N·K·H)
        steps += end - start
        h_carry = h[:, -1].copy()  # 次のチャンクへ値だけを引き継ぐ (チャンクの h は手放せる)
    max_lag = max(end - start for start, end in chunks) - 1  # 同じチャンクの中の最大の時刻差
    return total_loss, grads, TBPTTInfo(len(chunks), stored, steps, max_lag)


def train_tbptt(
    x: np.ndarray,
    y: np.ndarray,
    K: int,
    hidden_size: int = 16,
    steps: int = 200,
    lr: float = 0.02,
    seed: int = 0,
    recurrent_scale: float = 1.0,
    progress: Any = None,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """打ち切りの長さ K で、全バッチ・Adam により ``steps`` 回学習し、(パラメータ, 各ステップの損失) を返す。

    >>> from rnncourse.data.tasks import lag_task
    >>> x, y = lag_task(16, T=10, lag=1, seed=0)
    >>> params, losses = train_tbptt(x, y, K=4, hidden_size=4, steps=5)
    >>> len(losses)
    5

    1 ステップで系列全体のチャンクをすべて処理し、勾配を足し合わせてから 1 回更新します。
    こうすると K を変えても更新の回数とデータは同じで、違うのは勾配を打ち切る場所だけになります。
    初期値は ``seed`` と ``recurrent_scale`` (W_hh の倍率、``init_regressor_params`` を参照) で決まり、
    K が違っても同じ初期値から始まります。
    """
    dims = Dims()
    x = dims.check("x", x, ("N", "T", "D"))
    y = dims.check("y", y, ("N", "T", "M"))
    steps = check_int("steps", steps, 1)
    params = init_regressor_params(dims["D"], hidden_size, dims["M"], seed=seed, recurrent_scale=recurrent_scale)
    optimizer = Adam(params, lr=lr)
    losses: list[float] = []
    for step in range(1, steps + 1):
        loss, grads, _ = tbptt_loss_and_grads(params, x, y, K)
        optimizer.step(grads)
        losses.append(loss)
        if progress is not None:
            progress.update(step, loss=loss)
    return params, losses


def lag_accuracy(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, lag: int) -> float:
    """``lag_task`` の正解率: 時刻 t ≥ lag で予測 ŷ_t の符号が目標 x_{t−lag} (= ±1) と一致する割合。

    >>> from rnncourse.data.tasks import lag_task
    >>> x, y = lag_task(4, T=6, lag=2, seed=0)
    >>> 0.0 <= lag_accuracy(init_regressor_params(1, 3), x, y, lag=2) <= 1.0
    True

    何も覚えていないモデルの正解率は 0.5 前後 (チャンスレベル) です。
    """
    lag = check_int("lag", lag, 0)
    y_hat = regressor_predict(params, x)
    y = Dims(N=y_hat.shape[0], T=y_hat.shape[1], M=y_hat.shape[2]).check("y", y, ("N", "T", "M"))
    if lag >= y.shape[1]:
        raise ValueError(f"lag = {lag} は系列の長さ T = {y.shape[1]} より小さくしてください。")
    return float(np.mean(np.sign(y_hat[:, lag:]) == y[:, lag:]))
