"""NumPy のパラメータの辞書を更新する小さなオプティマイザ (SGD とモーメンタム、Adam)。

``torch.optim.SGD`` / ``torch.optim.Adam`` (weight_decay などの追加機能なし) と 1 ステップずつ同じ値になります。

パラメータは ``{"W_xh": W_xh, ...}`` の辞書で渡し、``step(grads)`` に同じキーの勾配の辞書を渡します。
**更新はパラメータの配列そのものをその場で書き換えます** (``W -= ...``)。新しい配列は作らないので、
辞書の外で同じ配列を持っている変数からも更新後の値が見えます。

    >>> import numpy as np
    >>> params = {"w": np.array([1.0, -2.0])}
    >>> opt = SGD(params, lr=0.1)
    >>> opt.step({"w": np.array([10.0, 10.0])})
    >>> params["w"]
    array([ 0., -3.])
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from rnncourse.shapes import Dims

__all__ = ["SGD", "Adam"]


def _check_number(name: str, value: Any, low: float, high: float | None = None, high_open: bool = True) -> float:
    """ハイパーパラメータが low ≤ value (< high) の数であることを確かめる。"""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"引数 {name} は数のはずですが、{type(value).__name__} が渡されました。")
    value = float(value)
    if high is None:
        ok, text = math.isfinite(value) and value >= low, f"{low} 以上の有限な数"
    else:
        ok, text = low <= value < high, f"{low} 以上 {high} 未満の数"
    if not ok:
        raise ValueError(f"引数 {name} は {text}のはずですが、{value!r} が渡されました。")
    return value


def _check_params(params: Any) -> dict[str, np.ndarray]:
    """params が {名前: 浮動小数点の NumPy 配列} の空でない辞書であることを確かめる。"""
    if not isinstance(params, Mapping):
        raise TypeError(
            f"引数 params はパラメータの辞書 (例: {{'W_xh': W_xh, 'b_h': b_h}}) のはずですが、"
            f"{type(params).__name__} が渡されました。"
        )
    if len(params) == 0:
        raise ValueError("引数 params が空の辞書です。更新するパラメータを 1 つ以上渡してください。")
    for key, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            kind = type(value).__name__ if not isinstance(value, np.ndarray) else f"dtype={value.dtype} の配列"
            raise TypeError(
                f"params[{key!r}] は浮動小数点の NumPy 配列のはずですが、{kind} が渡されました"
                f" (その場で書き換えるので、リストや PyTorch のテンソルは使えません)。"
            )
        if not value.flags.writeable:
            raise ValueError(f"params[{key!r}] は書き込み禁止の配列です。その場で更新できません ({key}.copy() を渡してください)。")
    return params  # type: ignore[return-value]


class _Optimizer:
    """SGD と Adam に共通の部分: パラメータの辞書を覚え、step に渡された勾配を確かめる。"""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = _check_params(params)
        self._arrays = dict(params)  # 作ったときの配列 (差し替えを見つけるため)

    def _check_grads(self, grads: Any) -> dict[str, np.ndarray]:
        if not isinstance(grads, Mapping):
            raise TypeError(
                f"引数 grads は params と同じキーを持つ勾配の辞書のはずですが、{type(grads).__name__} が渡されました。"
            )
        missing = [key for key in self.params if key not in grads]
        extra = [key for key in grads if key not in self.params]
        if missing:
            raise ValueError(f"引数 grads にキー {', '.join(map(repr, missing))} がありません (params のキーは {list(self.params)})。")
        if extra:
            raise ValueError(f"引数 grads に params にないキー {', '.join(map(repr, extra))} があります (params のキーは {list(self.params)})。")
        checked = {}
        for key, param in self.params.items():
            if key not in self._arrays or param is not self._arrays[key]:
                raise ValueError(
                    f"params[{key!r}] がオプティマイザを作った後で別の配列に差し替えられています。"
                    f"パラメータはその場で更新してください (例: {key} -= ... や {key}[...] = ...)。"
                )
            checked[key] = Dims().check(f"grads[{key!r}]", grads[key], param.shape)
        return checked


class SGD(_Optimizer):
    """確率的勾配降下法 (モーメンタム付きも可)。``torch.optim.SGD(params, lr, momentum)`` と同じ更新。

    >>> params = {"w": np.array([1.0])}
    >>> opt = SGD(params, lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.step({"w": np.array([1.0])})
    >>> params["w"]  # 1 − 0.1·1 − 0.1·(0.9·1 + 1)
    array([0.71])

    形: params は {名前: 配列}、step の grads は同じキーと同じ形の {名前: 配列}。

    式 (g_t は勾配、μ は momentum、η は lr)::

        μ = 0 のとき:  θ ← θ − η g_t
        μ > 0 のとき:  v_1 = g_1,  v_t = μ v_{t−1} + g_t,  θ ← θ − η v_t

    初回の v_1 = g_1 は PyTorch と同じ決め方です (0 から始める流儀とは 1 ステップ目が違います)。
    """

    def __init__(self, params: dict[str, np.ndarray], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params)
        self.lr = _check_number("lr", lr, 0.0)
        self.momentum = _check_number("momentum", momentum, 0.0, 1.0)
        self.velocity: dict[str, np.ndarray] = {}  # 各パラメータの v_{t−1} (momentum > 0 のときだけ使う)

    def step(self, grads: dict[str, np.ndarray]) -> None:
        """勾配 ``grads`` で全パラメータを 1 回更新する (その場で書き換え、戻り値なし)。"""
        grads = self._check_grads(grads)
        for key, param in self.params.items():
            g = grads[key]
            if self.momentum:
                if key not in self.velocity:
                    v = g.copy()  # v_1 = g_1
                else:
                    v = self.momentum * self.velocity[key] + g  # v_t = μ v_{t−1} + g_t
                self.velocity[key] = v
                g = v
            param -= self.lr * g  # θ ← θ − η g_t (または θ − η v_t)


class Adam(_Optimizer):
    """Adam。``torch.optim.Adam(params, lr, betas, eps)`` と同じ更新。

    >>> params = {"w": np.array([1.0, 1.0])}
    >>> opt = Adam(params, lr=0.1)
    >>> opt.step({"w": np.array([5.0, -0.01])})
    >>> np.round(params["w"], 6)  # 1 ステップ目は勾配の大きさによらずほぼ lr だけ動く
    array([0.9, 1.1])

    形: params は {名前: 配列}、step の grads は同じキーと同じ形の {名前: 配列}。

    式 (g_t は勾配、t は 1 から数えるステップ数、η は lr、(β₁, β₂) は betas、ε は eps)::

        m_t = β₁ m_{t−1} + (1 − β₁) g_t         (勾配の移動平均、m_0 = 0)
        v_t = β₂ v_{t−1} + (1 − β₂) g_t²        (勾配の 2 乗の移動平均、v_0 = 0)
        m̂_t = m_t / (1 − β₁ᵗ),  v̂_t = v_t / (1 − β₂ᵗ)   (0 から始めた偏りの補正)
        θ ← θ − η m̂_t / (sqrt(v̂_t) + ε)
    """

    def __init__(
        self,
        params: dict[str, np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params)
        self.lr = _check_number("lr", lr, 0.0)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"引数 betas は 2 つの数の組 (β₁, β₂) のはずですが、{betas!r} が渡されました。")
        self.betas = (_check_number("betas[0]", betas[0], 0.0, 1.0), _check_number("betas[1]", betas[1], 0.0, 1.0))
        self.eps = _check_number("eps", eps, 0.0)
        self.t = 0  # これまでのステップ数
        self.m = {key: np.zeros_like(p) for key, p in self.params.items()}  # m_0 = 0
        self.v = {key: np.zeros_like(p) for key, p in self.params.items()}  # v_0 = 0

    def step(self, grads: dict[str, np.ndarray]) -> None:
        """勾配 ``grads`` で全パラメータを 1 回更新する (その場で書き換え、戻り値なし)。"""
        grads = self._check_grads(grads)
        beta1, beta2 = self.betas
        self.t += 1
        for key, param in self.params.items():
            g = grads[key]
            self.m[key] = beta1 * self.m[key] + (1 - beta1) * g  # m_t = β₁ m_{t−1} + (1 − β₁) g_t
            self.v[key] = beta2 * self.v[key] + (1 - beta2) * g**2  # v_t = β₂ v_{t−1} + (1 − β₂) g_t²
            m_hat = self.m[key] / (1 - beta1**self.t)  # m̂_t = m_t / (1 − β₁ᵗ)
            v_hat = self.v[key] / (1 - beta2**self.t)  # v̂_t = v_t / (1 − β₂ᵗ)
            param -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)  # θ ← θ − η m̂_t / (sqrt(v̂_t) + ε)
