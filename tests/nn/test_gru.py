"""rnncourse.nn.gru: torch.nn.GRU / GRUCell との一致、数値微分、dtype、引数の検査。"""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.nn.gru import gru_backward, gru_forward, gru_gates, gru_step_backward, gru_step_forward
from rnncourse.models.interop import gru_weights_from_torch
from rnncourse.shapes import ShapeError

TOL = 1e-7


def _randomize(module: torch.nn.Module, seed: int, scale: float = 0.6) -> torch.nn.Module:
    """既定の初期化より大きめの重みにして、ゲートが 0.5 付近に固まらないようにする。"""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0.0, scale, generator=generator)
    return module


def _compare_with_torch_gru(N: int, T: int, D: int, H: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    gru = _randomize(torch.nn.GRU(D, H, batch_first=True).double(), seed)
    W_ih, W_hh, b_ih, b_hh = gru_weights_from_torch(gru)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    dh = rng.normal(size=(N, T, H))

    h, cache = gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    dx, dh0, dW_ih, dW_hh, db_ih, db_hh = gru_backward(dh, cache)

    xt, h0t = (torch.tensor(a, requires_grad=True) for a in (x, h0))
    out, hT = gru(xt, h0t[None])
    (out * torch.tensor(dh)).sum().backward()

    assert rel_error(h, out.detach().numpy()) < TOL
    expected = {
        "dx": (dx, xt.grad),
        "dh0": (dh0, h0t.grad),
        "dW_ih": (dW_ih, gru.weight_ih_l0.grad),
        "dW_hh": (dW_hh, gru.weight_hh_l0.grad),
        "db_ih": (db_ih, gru.bias_ih_l0.grad),
        "db_hh": (db_hh, gru.bias_hh_l0.grad),
    }
    for name, (ours, theirs) in expected.items():
        assert ours.shape == tuple(theirs.shape), name
        assert rel_error(ours, theirs.numpy()) < TOL, name


@settings(max_examples=25, deadline=None, database=None)
@given(
    N=st.integers(1, 4),
    T=st.integers(1, 6),
    D=st.integers(1, 4),
    H=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_gru_matches_torch_random_shapes(N, T, D, H, seed):
    _compare_with_torch_gru(N, T, D, H, seed)


@pytest.mark.parametrize("N, T, D, H", [(3, 1, 2, 4), (1, 6, 3, 2), (1, 1, 1, 1)])
def test_gru_matches_torch_single_step_and_single_sample(N, T, D, H):
    _compare_with_torch_gru(N, T, D, H, seed=N * 1000 + T * 100 + D * 10 + H)


@pytest.mark.parametrize("N, D, H", [(1, 1, 1), (3, 4, 2), (2, 3, 5)])
def test_gru_step_matches_torch_gru_cell(N, D, H):
    rng = np.random.default_rng(N + D + H)
    cell = _randomize(torch.nn.GRUCell(D, H).double(), seed=N * D * H)
    W_ih, W_hh, b_ih, b_hh = (
        p.detach().numpy().copy() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    )
    x_t, h_prev, dh_t = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))

    h_t, cache = gru_step_forward(x_t, h_prev, W_ih, W_hh, b_ih, b_hh)
    grads = gru_step_backward(dh_t, cache)

    xt, ht = (torch.tensor(a, requires_grad=True) for a in (x_t, h_prev))
    h1 = cell(xt, ht)
    (h1 * torch.tensor(dh_t)).sum().backward()

    assert rel_error(h_t, h1.detach().numpy()) < TOL
    params = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    expected = (xt.grad, ht.grad, *(p.grad for p in params))
    names = ("dx_t", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")
    for name, ours, theirs in zip(names, grads, expected):
        assert rel_error(ours, theirs.numpy()) < TOL, name


def test_gru_forward_equals_repeated_step_forward():
    rng = np.random.default_rng(3)
    N, T, D, H = 2, 4, 3, 2
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    W_ih, W_hh = rng.normal(size=(3 * H, D)), rng.normal(size=(3 * H, H))
    b_ih, b_hh = rng.normal(size=3 * H), rng.normal(size=3 * H)
    h, _ = gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    h_t = h0
    for t in range(T):
        h_t, _ = gru_step_forward(x[:, t], h_t, W_ih, W_hh, b_ih, b_hh)
        assert rel_error(h[:, t], h_t) < 1e-12


def test_gru_biases_are_not_interchangeable():
    """b_hn は r_t に掛かるので、b_ih と b_hh の n の部分を入れ替えると結果が変わる (和にまとめられない)。"""
    rng = np.random.default_rng(6)
    N, T, D, H = 2, 3, 2, 2
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    W_ih, W_hh = rng.normal(size=(3 * H, D)), rng.normal(size=(3 * H, H))
    b_ih, b_hh = rng.normal(size=3 * H), rng.normal(size=3 * H)
    h, _ = gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    rz = slice(0, 2 * H)  # r と z の部分は和だけが効く
    b_ih_rz, b_hh_rz = b_ih.copy(), b_hh.copy()
    b_ih_rz[rz], b_hh_rz[rz] = b_ih[rz] + b_hh[rz], 0.0
    assert rel_error(gru_forward(x, h0, W_ih, W_hh, b_ih_rz, b_hh_rz)[0], h) < 1e-12
    assert rel_error(gru_forward(x, h0, W_ih, W_hh, b_ih + b_hh, np.zeros(3 * H))[0], h) > 1e-3


# --- 速い系列の関数 (gru_forward / gru_backward) と、1 時刻分の関数を時刻の順に呼んだものの一致 ---


def _loop_step_functions(x, h0, W_ih, W_hh, b_ih, b_hh, dh):
    """gru_step_forward を時刻の順に、gru_step_backward を逆順に呼び、系列の関数と同じ値を求める。"""
    T = x.shape[1]
    h_t, caches, hs = h0, [], []
    for t in range(T):
        h_t, step_cache = gru_step_forward(x[:, t], h_t, W_ih, W_hh, b_ih, b_hh)
        caches.append(step_cache)
        hs.append(h_t)
    forward = {name: np.stack([getattr(cache, f"{name}_t") for cache in caches], axis=1) for name in "rzn"}
    forward["h"] = np.stack(hs, axis=1)
    dx = np.empty_like(x)
    dW_ih, dW_hh, db_ih, db_hh = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros_like(b_ih), np.zeros_like(b_hh)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        dx[:, t], dh_next, dW_ih_t, dW_hh_t, db_ih_t, db_hh_t = gru_step_backward(dh[:, t] + dh_next, caches[t])
        dW_ih, dW_hh = dW_ih + dW_ih_t, dW_hh + dW_hh_t  # 重みは全時刻で共有、勾配は和
        db_ih, db_hh = db_ih + db_ih_t, db_hh + db_hh_t
    return forward, (dx, dh_next, dW_ih, dW_hh, db_ih, db_hh)


def _close(a, b, dtype):
    """float64 は要素ごとの相対誤差 1e-10。float32 は和の順の違いで 0 に近い要素の相対誤差が大きくなるので、
    配列の最大の大きさに対する差 1e-5 で比べる。"""
    if dtype == np.float64:
        return rel_error(a, b) < 1e-10
    return np.abs(a - b).max() <= 1e-5 * np.abs(b).max()


def _check_sequence_equals_steps(N, T, D, H, seed, dtype):
    rng = np.random.default_rng(seed)
    shapes = [(N, T, D), (N, H), (3 * H, D), (3 * H, H), (3 * H,), (3 * H,)]
    args = [(rng.normal(size=s) * (1.0 if k < 2 else 0.6)).astype(dtype) for k, s in enumerate(shapes)]
    dh = rng.normal(size=(N, T, H)).astype(dtype)

    h, cache = gru_forward(*args)
    grads = gru_backward(dh, cache)
    forward, step_grads = _loop_step_functions(*args, dh)

    assert _close(h, forward["h"], dtype)
    gates = gru_gates(cache)
    for name in "rzn":
        assert _close(gates[name], forward[name], dtype), name
    for name, ours, theirs in zip(("dx", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"), grads, step_grads):
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype == dtype, name
        assert _close(ours, theirs, dtype), name


@settings(max_examples=25, deadline=None, database=None)
@given(
    N=st.integers(1, 4),
    T=st.integers(1, 6),
    D=st.integers(1, 4),
    H=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_sequence_functions_equal_looping_step_functions(N, T, D, H, seed):
    _check_sequence_equals_steps(N, T, D, H, seed, np.float64)


def test_sequence_functions_equal_looping_step_functions_float32():
    # ベンチマークと同じ float32 の経路 (和の順が違うぶん、float32 の丸め誤差の範囲で一致する)
    _check_sequence_equals_steps(N=8, T=30, D=16, H=32, seed=7, dtype=np.float32)


def test_backward_does_not_depend_on_how_the_cache_is_stored():
    """gru_forward の cache は時刻を先頭に置いた配列のビュー。ふつうの (N, T, H) の配列で作った cache でも同じ勾配。"""
    rng = np.random.default_rng(8)
    N, T, D, H = 3, 5, 2, 4
    args = [rng.normal(size=s) for s in [(N, T, D), (N, H), (3 * H, D), (3 * H, H), (3 * H,), (3 * H,)]]
    dh = rng.normal(size=(N, T, H))
    h, cache = gru_forward(*args)
    copied = type(cache)(*(np.ascontiguousarray(a) for a in cache))
    assert not cache.hn.flags.c_contiguous and copied.hn.flags.c_contiguous
    for ours, theirs in zip(gru_backward(dh, cache), gru_backward(dh, copied)):
        assert rel_error(ours, theirs) < 1e-12


def test_mixed_precision_is_not_narrowed():
    rng = np.random.default_rng(9)
    N, T, D, H = 2, 3, 2, 3
    shapes = [(N, T, D), (N, H), (3 * H, D), (3 * H, H), (3 * H,)]
    args = [rng.normal(size=s).astype(np.float32) for s in shapes]
    h, cache = gru_forward(*args, rng.normal(size=3 * H))  # b_hh だけ float64
    assert h.dtype == np.float64
    assert [g.dtype for g in gru_backward(np.ones((N, T, H), np.float32), cache)] == [np.float64] * 6


# --- 数値微分 (中心差分) との比較 ---

STEP_ARGS = ("x_t", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh")
SEQ_ARGS = ("x", "h0", "W_ih", "W_hh", "b_ih", "b_hh")

# 中心差分の刻み。既定の 1e-6 では丸め誤差 (~1e-10) が小さな勾配成分 (~1e-3) の相対誤差を
# 1e-7 近くまで押し上げるので、打ち切り誤差とのつり合いのよい 1e-5 を使う。
# rel_error は成分ごとの最大値なので、乱数によってはたまたま 1e-5 程度の成分ができ、数値微分の
# 誤差 (~1e-11) だけで 1e-7 を超える (調べた 30 通りの乱数のうち 1〜2 通り)。乱数は固定している。
EPS = 1e-5
SEED = 0


def _small_args(rng, shapes):
    """小さな float64 の引数。重みとバイアス (W_ih 以降) は 0.5 倍してゲートの飽和を避ける。"""
    return [np.ascontiguousarray(rng.normal(size=s) * (1.0 if k < 2 else 0.5)) for k, s in enumerate(shapes)]


@pytest.mark.parametrize("index", range(6), ids=STEP_ARGS)
def test_gru_step_backward_numerical_gradient(index):
    rng = np.random.default_rng(SEED)
    N, D, H = 2, 3, 2
    args = _small_args(rng, [(N, D), (N, H), (3 * H, D), (3 * H, H), (3 * H,), (3 * H,)])
    dh_t = rng.normal(size=(N, H))

    _, cache = gru_step_forward(*args)
    analytic = gru_step_backward(dh_t, cache)[index]
    numeric = numerical_gradient(lambda _: gru_step_forward(*args)[0], args[index], dh_t, eps=EPS)
    assert rel_error(analytic, numeric) < TOL


@pytest.mark.parametrize("index", range(6), ids=SEQ_ARGS)
def test_gru_backward_numerical_gradient(index):
    rng = np.random.default_rng(SEED)
    N, T, D, H = 2, 3, 3, 2
    args = _small_args(rng, [(N, T, D), (N, H), (3 * H, D), (3 * H, H), (3 * H,), (3 * H,)])
    dh = rng.normal(size=(N, T, H))

    _, cache = gru_forward(*args)
    analytic = gru_backward(dh, cache)[index]
    numeric = numerical_gradient(lambda _: gru_forward(*args)[0], args[index], dh, eps=EPS)
    assert rel_error(analytic, numeric) < TOL


# --- dtype ---


def test_float32_stays_float32():
    rng = np.random.default_rng(4)
    N, T, D, H = 2, 3, 4, 5
    shapes = [(N, T, D), (N, H), (3 * H, D), (3 * H, H), (3 * H,), (3 * H,)]
    args64 = [rng.normal(size=s) for s in shapes]
    args32 = [a.astype(np.float32) for a in args64]
    dh = rng.normal(size=(N, T, H)).astype(np.float32)

    h, cache = gru_forward(*args32)
    assert h.dtype == np.float32
    assert all(g.dtype == np.float32 for g in gru_gates(cache).values())
    grads = gru_backward(dh, cache)
    assert [g.dtype for g in grads] == [np.float32] * 6
    # float32 でも float64 の結果とは丸め誤差の範囲で一致する
    h64, _ = gru_forward(*args64)
    assert np.allclose(h, h64, atol=1e-5)

    step_args = [args32[0][:, 0], *args32[1:]]
    h_t, step_cache = gru_step_forward(*step_args)
    assert h_t.dtype == np.float32
    step_grads = gru_step_backward(dh[:, 0], step_cache)
    assert [g.dtype for g in step_grads] == [np.float32] * 6


def test_large_pre_activations_do_not_overflow():
    N, T, D, H = 1, 2, 1, 1
    x = np.full((N, T, D), 1e4)
    W_ih = np.array([[-1.0], [1.0], [1.0]])
    with np.errstate(over="raise", invalid="raise"):
        h, cache = gru_forward(x, np.zeros((N, H)), W_ih, np.zeros((3, 1)), np.zeros(3), np.zeros(3))
    gates = gru_gates(cache)
    assert gates["r"][0, 0, 0] == 0.0 and gates["z"][0, 0, 0] == 1.0 and np.isfinite(h).all()


# --- ゲートの取り出し ---


def test_gru_gates_returns_gate_values_over_time():
    rng = np.random.default_rng(5)
    N, T, D, H = 2, 4, 3, 2
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    W_ih, W_hh = rng.normal(size=(3 * H, D)), rng.normal(size=(3 * H, H))
    b_ih, b_hh = rng.normal(size=3 * H), rng.normal(size=3 * H)
    h, cache = gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    gates = gru_gates(cache)

    assert sorted(gates) == ["n", "r", "z"]
    assert all(v.shape == (N, T, H) for v in gates.values())
    for name in "rz":
        assert ((gates[name] > 0) & (gates[name] < 1)).all()
    assert (np.abs(gates["n"]) < 1).all()
    z, n = gates["z"], gates["n"]
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    assert rel_error(h, (1 - z) * n + z * h_prev) < 1e-12  # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}
    z_before = cache.z.copy()
    gates["z"][:] = 0  # 返り値はコピーなので cache は変わらない
    assert np.array_equal(cache.z, z_before)


# --- 引数の検査 (日本語のメッセージ) ---


def _step_args(N=2, D=3, H=4):
    return {
        "x_t": np.zeros((N, D)),
        "h_prev": np.zeros((N, H)),
        "W_ih": np.zeros((3 * H, D)),
        "W_hh": np.zeros((3 * H, H)),
        "b_ih": np.zeros(3 * H),
        "b_hh": np.zeros(3 * H),
    }


def _seq_args(N=2, T=5, D=3, H=4):
    return {
        "x": np.zeros((N, T, D)),
        "h0": np.zeros((N, H)),
        "W_ih": np.zeros((3 * H, D)),
        "W_hh": np.zeros((3 * H, H)),
        "b_ih": np.zeros(3 * H),
        "b_hh": np.zeros(3 * H),
    }


def test_W_hh_without_the_3_gates_is_rejected():
    args = _step_args() | {"W_hh": np.zeros((4, 4))}  # (H, H) のまま渡した、よくある間違い
    with pytest.raises(ShapeError) as info:
        gru_step_forward(**args)
    message = str(info.value)
    assert "引数 W_hh" in message
    assert "(3H, H) = (12, 4)" in message
    assert "(4, 4) が渡されました" in message
    assert "r, z, n" in message


def test_W_ih_with_wrong_input_size_is_rejected():
    args = _seq_args() | {"W_ih": np.zeros((12, 5))}
    with pytest.raises(ShapeError, match=re.escape("(3H, D) = (12, 3)")) as info:
        gru_forward(**args)
    assert "引数 W_ih" in str(info.value) and "D = 3 は x から決まっています" in str(info.value)


def test_lstm_sized_bias_is_rejected():
    args = _seq_args() | {"b_hh": np.zeros(16)}  # LSTM 用の 4H 個のバイアスを渡した
    with pytest.raises(ShapeError, match=re.escape("引数 b_hh の形は")) as info:
        gru_forward(**args)
    assert "(3H,) = (12,)" in str(info.value) and "(16,) が渡されました" in str(info.value)


def test_x_with_wrong_rank_is_rejected():
    args = _seq_args() | {"x": np.zeros((2, 3))}  # (N, D) を gru_forward に渡した
    with pytest.raises(ShapeError) as info:
        gru_forward(**args)
    message = str(info.value)
    assert "引数 x は 3 次元の配列 (N, T, D)" in message
    assert "2 次元の形 (2, 3) が渡されました" in message


def test_h_prev_with_wrong_batch_size_is_rejected():
    args = _step_args() | {"h_prev": np.zeros((3, 4))}
    with pytest.raises(ShapeError, match=re.escape("引数 h_prev の形は (N, H) = (2, ?)")):
        gru_step_forward(**args)


@pytest.mark.parametrize("name", ["x", "h0", "W_ih", "W_hh", "b_ih", "b_hh"])
def test_none_is_rejected_with_type_error(name):
    args = _seq_args() | {name: None}
    with pytest.raises(TypeError, match=re.escape(f"引数 {name} が None です")):
        gru_forward(**args)


def test_torch_tensor_is_rejected_with_type_error():
    args = _step_args() | {"W_ih": torch.zeros(12, 3)}
    with pytest.raises(TypeError, match=re.escape("引数 W_ih に PyTorch のテンソル")):
        gru_step_forward(**args)


def test_backward_checks_upstream_gradient_shapes():
    h, cache = gru_forward(**_seq_args())
    with pytest.raises(ShapeError) as info:
        gru_backward(np.zeros((2, 5, 3)), cache)
    message = str(info.value)
    assert "引数 dh の形は (N, T, H) = (2, 5, 4)" in message and "H = 4 は cache.h から決まっています" in message
    with pytest.raises(TypeError, match="引数 dh が None"):
        gru_backward(None, cache)

    h_t, step_cache = gru_step_forward(**_step_args())
    with pytest.raises(ShapeError, match=re.escape("引数 dh_t は 2 次元の配列 (N, H) = (2, 4)")):
        gru_step_backward(np.zeros((1, 2, 4)), step_cache)
    with pytest.raises(ShapeError, match=re.escape("引数 dh_t の形は (N, H) = (2, 4)")):
        gru_step_backward(np.zeros((2, 3)), step_cache)


def test_wrong_cache_is_rejected():
    h, cache = gru_forward(**_seq_args())
    h_t, step_cache = gru_step_forward(**_step_args())
    with pytest.raises(TypeError, match="gru_forward が返した cache"):
        gru_backward(np.zeros_like(h), step_cache)
    with pytest.raises(TypeError, match="gru_step_forward が返した cache"):
        gru_step_backward(h_t, cache)
    with pytest.raises(TypeError, match="gru_forward が返した cache"):
        gru_gates(step_cache)
