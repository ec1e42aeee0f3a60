"""第 4 章の実験: PyTorch のモデルで勾配の届き方を測り、勾配消失への対策を比べる。

NumPy の参照実装でヤコビ行列の積を計算する関数 (``hidden_gradient_norms`` など) は
``rnncourse.nn.jacobian`` にあります。ここは PyTorch の再帰層を使う側です。
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from rnncourse.shapes import check_int

if TYPE_CHECKING:  # PyTorch は使う関数の中で読み込む
    import torch
    from torch import nn

    from rnncourse.models.torch_models import SequenceClassifier

__all__ = ["state_gradient_norms", "REMEDIES", "remedy_classifier", "remedy_memory_accuracy", "train_sgd"]


def state_gradient_norms(rnn: nn.Module, x: np.ndarray | torch.Tensor) -> np.ndarray:
    """PyTorch の再帰層 (``nn.RNN`` / ``nn.GRU`` / ``nn.LSTM``、batch_first) で ‖∂L/∂s_{T−k}‖ を自動微分で測る。

    >>> from rnncourse.models.torch_models import make_recurrent
    >>> rnn = make_recurrent("rnn", 1, 4)
    >>> norms = state_gradient_norms(rnn, np.zeros((1, 6, 1)))
    >>> norms.shape, round(float(norms[0]), 6)
    ((6,), 1.0)

    形: x (N, T, D) → (T,)。s_t は時刻 t の状態で、RNN と GRU では h_t、LSTM では (h_t, c_t) をつないだもの。
    L = Σ_n u · h_T (u はすべての成分が等しい長さ 1/√N のベクトル。``hidden_gradient_norms`` の既定と同じ) とし、
    1 時刻ずつ層を呼んで各状態の勾配を残し、``norms[k]`` = ‖∂L/∂s_{T−k}‖ を返します (k = 0 が最後)。
    LSTM の c_T は L に直接は効かないので、k = 0 の値は 1 です。
    """
    import torch
    from torch import nn

    if not isinstance(rnn, (nn.RNN, nn.GRU, nn.LSTM)) or not rnn.batch_first or rnn.num_layers != 1:
        raise TypeError("引数 rnn には batch_first=True の 1 層の nn.RNN / nn.GRU / nn.LSTM を渡してください。")
    dtype = rnn.weight_hh_l0.dtype  # 入力と状態をモデルの重みと同じ型に
    x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x, dtype=dtype)
    if x.dim() != 3 or x.shape[1] < 1 or x.shape[2] != rnn.input_size:
        raise ValueError(f"引数 x の形は (N, T, {rnn.input_size}) にしてください ({tuple(x.shape)} が渡されました)。")
    N, T, _ = x.shape
    H = rnn.hidden_size
    zeros = torch.zeros(1, N, H, dtype=dtype)
    state = (zeros, zeros.clone()) if isinstance(rnn, nn.LSTM) else zeros
    states = []
    for t in range(T):  # 1 時刻ずつ進め、各時刻の状態を計算グラフの途中の値として残す
        _, state = rnn(x[:, t : t + 1], state)
        parts = state if isinstance(state, tuple) else (state,)
        for part in parts:
            part.retain_grad()
        states.append(parts)
    h_T = states[-1][0]
    u = torch.full((1, N, H), 1.0 / math.sqrt(N * H), dtype=dtype)  # ‖∂L/∂h_T‖ = 1
    (h_T * u).sum().backward()  # L = Σ u ⊙ h_T
    norms = np.empty(T)
    for k in range(T):
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in states[T - 1 - k]]
        norms[k] = math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads))  # ‖∂L/∂s_{T−k}‖
    return norms


REMEDIES = ("tanh_default", "tanh_orthogonal", "relu_identity", "lstm", "lstm_forget_bias", "gru")
FORGET_BIAS = 2.0  # "lstm_forget_bias" の忘却ゲートのバイアス (f = σ(2) ≈ 0.88 から始まる)


def remedy_classifier(remedy: str, hidden_size: int = 16, input_size: int = 1, num_classes: int = 2) -> SequenceClassifier:
    """勾配消失への対策を 1 つ施した ``SequenceClassifier`` を作る (乱数は呼ぶ前に torch.manual_seed で固定)。

    >>> import torch
    >>> model = remedy_classifier("relu_identity", hidden_size=4)
    >>> model.rnn.nonlinearity, bool(torch.equal(model.rnn.weight_hh_l0, torch.eye(4)))
    ('relu', True)

    ``remedy`` は次のどれか:

    - ``"tanh_default"``: 対策なし。PyTorch の既定 (各重みが一様分布 U(−1/√H, 1/√H))。
    - ``"tanh_orthogonal"``: W_hh を乱数の直交行列で初期化 (固有値の絶対値がすべて 1、‖W_hh v‖ = ‖v‖)。
    - ``"relu_identity"``: 活性化を ReLU にし、W_hh = I、バイアス 0 で初期化 (IRNN。Le ら 2015)。
      正の領域では ReLU′ = 1 なので、最初は勾配がそのまま過去へ届きます。
    - ``"lstm"``, ``"gru"``: ゲート付きの再帰層 (第 6 章)。PyTorch の既定の初期化 (ゲートのバイアスもほぼ 0)。
    - ``"lstm_forget_bias"``: LSTM の忘却ゲートのバイアスを ``FORGET_BIAS`` (= 2) にしたもの。
      最初から f_t ≈ σ(2) ≈ 0.88 なので、記憶セル c_t が 1 時刻で減る割合が小さい。
    """
    import torch
    from torch import nn

    from rnncourse.models.torch_models import SequenceClassifier, make_recurrent

    if remedy not in REMEDIES:
        raise ValueError(f"remedy は {', '.join(repr(r) for r in REMEDIES)} のどれかにしてください ({remedy!r} が渡されました)。")
    if remedy in ("lstm", "lstm_forget_bias", "gru"):
        model = SequenceClassifier(input_size, hidden_size, num_classes, cell="gru" if remedy == "gru" else "lstm")
        if remedy == "lstm_forget_bias":
            with torch.no_grad():  # PyTorch の LSTM のバイアスは (i, f, g, o) の順に H 個ずつ、2 つの和
                model.rnn.bias_ih_l0[hidden_size : 2 * hidden_size] = FORGET_BIAS
                model.rnn.bias_hh_l0[hidden_size : 2 * hidden_size] = 0.0  # b_f = b_ih + b_hh = 2
        return model
    model = SequenceClassifier(input_size, hidden_size, num_classes, cell="rnn")
    with torch.no_grad():
        if remedy == "tanh_orthogonal":
            nn.init.orthogonal_(model.rnn.weight_hh_l0)  # W_hh を直交行列に
        elif remedy == "relu_identity":
            model.rnn = make_recurrent("rnn", input_size, hidden_size, nonlinearity="relu")
            model.rnn.weight_hh_l0.copy_(torch.eye(hidden_size))  # W_hh = I
            model.rnn.bias_hh_l0.zero_()
            model.rnn.bias_ih_l0.zero_()  # b_h = 0
    return model


def train_sgd(
    model: nn.Module,
    x: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor,
    steps: int,
    lr: float,
    clip_norm: float | None = None,
    clip_value: float | None = None,
    progress=None,
) -> tuple[list[float], list[float]]:
    """``model`` を全バッチの確率的勾配降下法 (SGD、運動量なし) で学習し、各ステップの損失と勾配ノルムを返す。

    ``clip_norm`` を与えると ``torch.nn.utils.clip_grad_norm_`` (全パラメータをまとめたノルムで縮める)、
    ``clip_value`` を与えると ``torch.nn.utils.clip_grad_value_`` (要素ごとに切り詰める) を使います。
    SGD は更新量 = 学習率 × 勾配なので、勾配が爆発するとそのまま重みが大きく飛びます
    (Adam は勾配の大きさで割るので、爆発が見えにくい)。
    戻り値の勾配ノルムはクリップする前の ‖g‖ (全パラメータをつないだベクトルの長さ)。
    損失が nan / inf になったら、残りのステップは nan で埋めて止めます。
    形: x (N, T, D), y (N,) の整数ラベル。
    """
    import torch
    from torch import nn

    steps = check_int("steps", steps, 1)
    x_t = torch.as_tensor(x, dtype=next(model.parameters()).dtype)
    y_t = torch.as_tensor(y, dtype=torch.long)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses: list[float] = []
    norms: list[float] = []
    model.train()
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x_t), y_t)
        if not torch.isfinite(loss):
            losses += [math.nan] * (steps - step + 1)
            norms += [math.nan] * (steps - step + 1)
            break
        loss.backward()
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        norms.append(float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads))))  # クリップ前の ‖g‖
        if clip_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip_norm)  # ‖g‖ > clip_norm なら g ← g · clip_norm/‖g‖
        if clip_value is not None:
            nn.utils.clip_grad_value_(model.parameters(), clip_value)  # g ← min(max(g, −c), c)
        optimizer.step()
        losses.append(loss.item())
        if progress is not None:
            progress.update(step, loss=losses[-1])
    return losses, norms


def remedy_memory_accuracy(
    remedy: str,
    T: int,
    seed: int = 0,
    hidden_size: int = 16,
    steps: int = 200,
    n_train: int = 256,
    n_test: int = 512,
    lr: float = 0.01,
    noise: float = 0.5,
    clip: float | None = 1.0,
    batch_size: int | None = None,
) -> float:
    """長期記憶タスクを ``remedy_classifier(remedy)`` のモデルで学習し、新しいデータでの正解率を返す。

    >>> acc = remedy_memory_accuracy("tanh_orthogonal", T=5, steps=20, hidden_size=8)
    >>> 0.0 <= acc <= 1.0
    True

    作り方と学習は ``rnncourse.labs.experiments.memory_task_accuracy`` と同じ (Adam、全バッチ、
    テストデータは seed + 10000) で、違いはモデルの作り方だけです。``remedy="tanh_default"`` なら
    ``memory_task_accuracy("rnn", ...)`` とまったく同じ値になります。0.5 前後ならチャンスレベル。
    """
    from rnncourse.labs.experiments import memory_task_accuracy

    return memory_task_accuracy(
        "rnn", T, seed=seed, hidden_size=hidden_size, steps=steps, n_train=n_train, n_test=n_test, lr=lr,
        noise=noise, clip=clip, batch_size=batch_size, make_model=lambda: remedy_classifier(remedy, hidden_size=hidden_size),
    )
