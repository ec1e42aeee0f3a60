"""rnncourse.nn.clipping: torch.nn.utils.clip_grad_norm_ / clip_grad_value_ との一致、入力を書き換えないこと。"""

import numpy as np
import pytest
import torch

from rnncourse.nn.clipping import clip_grad_norm, clip_grad_value
from rnncourse.nn.gradcheck import rel_error


def _torch_clip_norm(arrays, max_norm):
    params = [torch.zeros(a.shape, dtype=torch.float64, requires_grad=True) for a in arrays]
    for p, a in zip(params, arrays):
        p.grad = torch.tensor(a)
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], float(norm)


def _grads(scale, seed=0):
    rng = np.random.default_rng(seed)
    return {"W_xh": rng.normal(size=(4, 3)) * scale, "W_hh": rng.normal(size=(4, 4)) * scale, "b_h": rng.normal(size=4) * scale}


@pytest.mark.parametrize("scale, max_norm", [(10.0, 1.0), (0.01, 1.0), (1.0, 5.0), (3.0, 0.5)])
def test_clip_grad_norm_dict_matches_torch(scale, max_norm):
    grads = _grads(scale)
    before = {k: v.copy() for k, v in grads.items()}
    clipped, total_norm = clip_grad_norm(grads, max_norm)
    expected, expected_norm = _torch_clip_norm(list(grads.values()), max_norm)
    assert isinstance(clipped, dict) and list(clipped) == list(grads)
    assert isinstance(total_norm, float)
    assert abs(total_norm - expected_norm) < 1e-12 * expected_norm
    for ours, theirs in zip(clipped.values(), expected):
        assert rel_error(ours, theirs) < 1e-12
    for key in grads:  # 入力はそのまま、出力は別の配列
        assert np.array_equal(grads[key], before[key])
        assert clipped[key] is not grads[key]
        assert not np.shares_memory(clipped[key], grads[key])


def test_clip_grad_norm_list_and_tuple():
    arrays = list(_grads(10.0, seed=1).values())
    clipped, total_norm = clip_grad_norm(arrays, 2.0)
    assert isinstance(clipped, list) and len(clipped) == 3
    expected, expected_norm = _torch_clip_norm(arrays, 2.0)
    assert abs(total_norm - expected_norm) < 1e-10
    assert all(rel_error(a, b) < 1e-12 for a, b in zip(clipped, expected))
    clipped_t, _ = clip_grad_norm(tuple(arrays), 2.0)
    assert isinstance(clipped_t, tuple)
    new_norm = np.sqrt(sum(np.sum(g**2) for g in clipped))
    assert new_norm == pytest.approx(2.0, rel=1e-5)


def test_clip_grad_norm_known_values():
    clipped, total_norm = clip_grad_norm({"a": np.array([3.0]), "b": np.array([[4.0]])}, 1.0)
    assert total_norm == 5.0
    assert clipped["a"] == pytest.approx([0.6], rel=1e-5)
    assert clipped["b"] == pytest.approx(np.array([[0.8]]), rel=1e-5)
    same, norm = clip_grad_norm({"a": np.array([3.0])}, 3.0)  # s = 3 / (3 + 1e-6) < 1 なので僅かに縮む
    assert norm == 3.0 and same["a"][0] < 3.0
    untouched, _ = clip_grad_norm({"a": np.array([3.0])}, 10.0)
    assert untouched["a"][0] == 3.0


def test_clip_grad_norm_keeps_float32():
    clipped, _ = clip_grad_norm([np.full(3, 100.0, dtype=np.float32)], 1.0)
    assert clipped[0].dtype == np.float32


def test_clip_grad_value_matches_torch():
    grads = _grads(3.0, seed=2)
    before = {k: v.copy() for k, v in grads.items()}
    clipped = clip_grad_value(grads, 1.5)
    params = [torch.zeros(a.shape, dtype=torch.float64, requires_grad=True) for a in grads.values()]
    for p, a in zip(params, grads.values()):
        p.grad = torch.tensor(a)
    torch.nn.utils.clip_grad_value_(params, 1.5)
    for ours, p in zip(clipped.values(), params):
        assert np.array_equal(ours, p.grad.numpy())
    assert all(np.array_equal(grads[k], before[k]) for k in grads)
    assert isinstance(clip_grad_value(list(grads.values()), 1.0), list)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_bad_threshold(bad):
    with pytest.raises(ValueError, match="引数 max_norm は正の有限な数"):
        clip_grad_norm([np.ones(2)], bad)
    with pytest.raises(ValueError, match="引数 clip_value は正の有限な数"):
        clip_grad_value([np.ones(2)], bad)


def test_bad_containers_and_arrays():
    with pytest.raises(TypeError, match="引数 max_norm"):
        clip_grad_norm([np.ones(2)], "1.0")
    with pytest.raises(TypeError, match="引数 grads は勾配の辞書"):
        clip_grad_norm(np.ones(3), 1.0)
    with pytest.raises(TypeError, match=r"引数 grads\['W'\] に PyTorch"):
        clip_grad_norm({"W": torch.ones(2)}, 1.0)
    with pytest.raises(TypeError, match=r"引数 grads\[1\] が None"):
        clip_grad_value([np.ones(2), None], 1.0)
