"""rnncourse.nn.optim: torch.optim.SGD / Adam と 5 ステップ同じ値になること、引数の検査。"""

import numpy as np
import pytest
import torch

from rnncourse.nn.gradcheck import rel_error
from rnncourse.nn.optim import SGD, Adam
from rnncourse.shapes import ShapeError


def _setup(seed=0):
    rng = np.random.default_rng(seed)
    params = {"W_xh": rng.normal(size=(4, 3)), "W_hh": rng.normal(size=(4, 4)), "b_h": rng.normal(size=4)}
    grads = [{k: rng.normal(size=v.shape) for k, v in params.items()} for _ in range(5)]
    return params, grads


def _run_both(make_ours, make_torch, seed=0):
    """同じパラメータ・同じ勾配の列で NumPy 版と torch 版を 5 ステップずつ進め、毎回比べる。"""
    params, grads = _setup(seed)
    tparams = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    ours, theirs = make_ours(params), make_torch(list(tparams.values()))
    for g in grads:
        ours.step(g)
        for k, p in tparams.items():
            p.grad = torch.tensor(g[k])
        theirs.step()
        for k in params:
            assert rel_error(params[k], tparams[k].detach().numpy()) < 1e-12


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_sgd_matches_torch(momentum):
    _run_both(lambda p: SGD(p, lr=0.1, momentum=momentum), lambda p: torch.optim.SGD(p, lr=0.1, momentum=momentum))


@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.05}, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}])
def test_adam_matches_torch(kwargs):
    _run_both(lambda p: Adam(p, **kwargs), lambda p: torch.optim.Adam(p, **kwargs), seed=1)


def test_updates_in_place():
    W = np.ones((2, 2))
    params = {"W": W}
    for opt in (SGD(params, lr=0.5, momentum=0.9), Adam(params)):
        before = W.copy()
        opt.step({"W": np.ones((2, 2))})
        assert params["W"] is W
        assert np.all(W < before)


def test_float32_params_stay_float32():
    params = {"W": np.ones(3, dtype=np.float32)}
    SGD(params, lr=0.1, momentum=0.9).step({"W": np.ones(3)})
    Adam(params).step({"W": np.ones(3)})
    assert params["W"].dtype == np.float32


def test_grad_keys_and_shapes_are_checked():
    params = {"W": np.ones((2, 3)), "b": np.ones(2)}
    opt = SGD(params, lr=0.1)
    with pytest.raises(ValueError, match=r"引数 grads にキー 'b' がありません"):
        opt.step({"W": np.ones((2, 3))})
    with pytest.raises(ValueError, match=r"params にないキー 'c'"):
        opt.step({"W": np.ones((2, 3)), "b": np.ones(2), "c": np.ones(1)})
    with pytest.raises(ShapeError, match=r"引数 grads\['W'\] の形は \(2, 3\) のはずですが、\(3, 2\)"):
        opt.step({"W": np.ones((3, 2)), "b": np.ones(2)})
    with pytest.raises(TypeError, match=r"引数 grads\['b'\] に PyTorch"):
        opt.step({"W": np.ones((2, 3)), "b": torch.ones(2)})
    with pytest.raises(TypeError, match="引数 grads は params と同じキー"):
        opt.step([np.ones((2, 3)), np.ones(2)])
    assert np.all(params["W"] == 1)  # 失敗した step は何も書き換えない


def test_replaced_parameter_is_detected():
    params = {"W": np.ones(2)}
    opt = Adam(params)
    params["W"] = params["W"] - 1.0  # その場での更新ではない
    with pytest.raises(ValueError, match="差し替えられています"):
        opt.step({"W": np.ones(2)})


def test_params_are_checked():
    with pytest.raises(TypeError, match="引数 params はパラメータの辞書"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="空の辞書"):
        Adam({})
    with pytest.raises(TypeError, match=r"params\['W'\] は浮動小数点の NumPy 配列.*list"):
        SGD({"W": [1.0, 2.0]}, lr=0.1)
    with pytest.raises(TypeError, match=r"params\['W'\].*dtype=int64"):
        SGD({"W": np.ones(2, dtype=np.int64)}, lr=0.1)
    with pytest.raises(TypeError, match=r"params\['W'\].*Tensor"):
        Adam({"W": torch.ones(2)})
    frozen = np.ones(2)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="書き込み禁止"):
        SGD({"W": frozen}, lr=0.1)


def test_hyperparameters_are_checked():
    params = {"W": np.ones(2)}
    with pytest.raises(ValueError, match="引数 lr は 0.0 以上"):
        SGD(params, lr=-0.1)
    with pytest.raises(ValueError, match="引数 momentum は 0.0 以上 1.0 未満"):
        SGD(params, lr=0.1, momentum=1.0)
    with pytest.raises(TypeError, match="引数 lr は数"):
        Adam(params, lr="0.1")
    with pytest.raises(ValueError, match=r"引数 betas\[1\]"):
        Adam(params, betas=(0.9, 1.5))
    with pytest.raises(TypeError, match="引数 betas は 2 つの数の組"):
        Adam(params, betas=0.9)
    with pytest.raises(ValueError, match="引数 eps"):
        Adam(params, eps=float("nan"))
