"""``torch.nn.RNN/LSTM/GRU`` と NumPy 参照実装のあいだで重みを写す。

参照実装は PyTorch と同じ重みの形なので、写すのは転置なしのコピーだけです::

    >>> import torch
    >>> rnn = torch.nn.RNN(3, 4, batch_first=True)
    >>> W_xh, W_hh, b_h = rnn_weights_from_torch(rnn)
    >>> W_xh.shape, W_hh.shape, b_h.shape
    ((4, 3), (4, 4), (4,))

素の RNN と LSTM では PyTorch の 2 つのバイアス (bias_ih と bias_hh) は足し合わせて 1 つにします
(式の中で常に和として現れるため)。GRU では b_hn が r_t に掛かるので 2 つのまま返します。
対応するのは 1 層・単方向のモジュールです。
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "rnn_weights_from_torch",
    "lstm_weights_from_torch",
    "gru_weights_from_torch",
    "load_weights_into_torch",
]


def _check_module(module, kind: str) -> None:
    import torch

    expected = getattr(torch.nn, kind)
    if not isinstance(module, expected):
        raise TypeError(f"torch.nn.{kind} のインスタンスを渡してください ({type(module).__name__} が渡されました)。")
    if module.num_layers != 1 or module.bidirectional:
        raise ValueError(
            f"参照実装と対応するのは 1 層・単方向の torch.nn.{kind} だけです "
            f"(num_layers={module.num_layers}, bidirectional={module.bidirectional})。"
        )


def _numpy(tensor, dtype) -> np.ndarray:
    return tensor.detach().cpu().numpy().astype(dtype, copy=True)


def _bias(module, name: str, hidden: int, dtype) -> np.ndarray:
    bias = getattr(module, name, None)
    return np.zeros(hidden, dtype=dtype) if bias is None else _numpy(bias, dtype)


def rnn_weights_from_torch(module, dtype=np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``torch.nn.RNN`` (tanh) から (W_xh (H, D), W_hh (H, H), b_h (H,)) を取り出す。"""
    _check_module(module, "RNN")
    if module.nonlinearity != "tanh":
        raise ValueError(f"参照実装の RNN は tanh です (nonlinearity={module.nonlinearity!r} が渡されました)。")
    H = module.hidden_size
    b_h = _bias(module, "bias_ih_l0", H, dtype) + _bias(module, "bias_hh_l0", H, dtype)
    return _numpy(module.weight_ih_l0, dtype), _numpy(module.weight_hh_l0, dtype), b_h


def lstm_weights_from_torch(module, dtype=np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``torch.nn.LSTM`` から (W_ih (4H, D), W_hh (4H, H), b (4H,)) を取り出す。ゲート順は i, f, g, o。"""
    _check_module(module, "LSTM")
    if module.proj_size:
        raise ValueError("proj_size を使う LSTM は参照実装と対応しません。")
    H4 = 4 * module.hidden_size
    b = _bias(module, "bias_ih_l0", H4, dtype) + _bias(module, "bias_hh_l0", H4, dtype)
    return _numpy(module.weight_ih_l0, dtype), _numpy(module.weight_hh_l0, dtype), b


def gru_weights_from_torch(
    module, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``torch.nn.GRU`` から (W_ih (3H, D), W_hh (3H, H), b_ih (3H,), b_hh (3H,)) を取り出す。順は r, z, n。"""
    _check_module(module, "GRU")
    H3 = 3 * module.hidden_size
    return (
        _numpy(module.weight_ih_l0, dtype),
        _numpy(module.weight_hh_l0, dtype),
        _bias(module, "bias_ih_l0", H3, dtype),
        _bias(module, "bias_hh_l0", H3, dtype),
    )


def load_weights_into_torch(module, W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray, b_hh=None) -> None:
    """NumPy の重みを 1 層・単方向の ``torch.nn.RNN/LSTM/GRU`` に書き込む。

    ``b_hh`` を省くと、``b_ih`` を bias_ih に入れ bias_hh を 0 にします (RNN と LSTM の b_h, b 用)。
    """
    import torch

    kind = next((k for k in ("RNN", "LSTM", "GRU") if isinstance(module, getattr(torch.nn, k))), None)
    if kind is None:
        raise TypeError(f"torch.nn.RNN / LSTM / GRU を渡してください ({type(module).__name__} が渡されました)。")
    _check_module(module, kind)
    b_hh = np.zeros_like(b_ih) if b_hh is None else b_hh
    with torch.no_grad():
        for name, value in [("weight_ih_l0", W_ih), ("weight_hh_l0", W_hh), ("bias_ih_l0", b_ih), ("bias_hh_l0", b_hh)]:
            target = getattr(module, name, None)
            value = np.asarray(value)
            if target is None:  # bias=False のモジュール
                if np.any(value != 0):
                    raise ValueError(f"このモジュールは bias=False なので、0 でない {name} は書き込めません。")
                continue
            if tuple(value.shape) != tuple(target.shape):
                raise ValueError(
                    f"{name} の形は {tuple(target.shape)} のはずですが、{tuple(value.shape)} が渡されました。"
                )
            target.copy_(torch.as_tensor(value, dtype=target.dtype))
