"""パラメータ数と活性の記憶量を数える式 (PyTorch の数え方に合わせる)。

    >>> recurrent_param_count("rnn", input_size=3, hidden_size=4)
    36
    >>> import torch
    >>> sum(p.numel() for p in torch.nn.RNN(3, 4).parameters())
    36

素の RNN 1 層・1 方向は W_ih (H, D)、W_hh (H, H)、bias_ih (H,)、bias_hh (H,) で H·D + H·H + 2H 個。
LSTM はゲート 4 つ分、GRU は 3 つ分なので、それぞれ 4 倍・3 倍になります。
"""

from __future__ import annotations

from rnncourse.shapes import check_int

__all__ = ["GATES", "recurrent_param_count", "activation_count"]

#: セルの種類ごとに、W_ih などを縦に積むブロックの数 (ゲートの数)。
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def recurrent_param_count(
    cell: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    bias: bool = True,
) -> int:
    """``torch.nn.RNN/LSTM/GRU`` のパラメータ数を式で求める (``sum(p.numel() for p in m.parameters())`` と同じ)。

    1 層・1 方向あたり k·H·(D_in + H) + 2·k·H (k はゲート数、バイアスは bias_ih と bias_hh の 2 本)。
    2 層目以降の入力の次元 D_in は H × 方向の数です。
    """
    if cell not in GATES:
        raise ValueError(f"cell は {', '.join(repr(c) for c in GATES)} のどれかにしてください ({cell!r} が渡されました)。")
    D = check_int("input_size", input_size, 1)
    H = check_int("hidden_size", hidden_size, 1)
    layers = check_int("num_layers", num_layers, 1)
    k, directions = GATES[cell], 2 if bidirectional else 1
    total = 0
    for layer in range(layers):
        D_in = D if layer == 0 else H * directions
        per_direction = k * H * D_in + k * H * H + (2 * k * H if bias else 0)  # W_ih, W_hh, bias_ih + bias_hh
        total += directions * per_direction
    return total


def activation_count(batch_size: int, seq_len: int, hidden_size: int) -> int:
    """順伝播で逆伝播のために保持する隠れ状態の個数 N·T·H (float32 なら 4 バイトずつ)。

    >>> activation_count(32, 100, 256) * 4 / 2**20  # MiB
    3.125
    """
    N = check_int("batch_size", batch_size, 1)
    T = check_int("seq_len", seq_len, 1)
    H = check_int("hidden_size", hidden_size, 1)
    return N * T * H
