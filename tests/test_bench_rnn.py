"""benchmarks/bench_rnn.py: 比べる組 (3 種類のセルと注意) がそろっていて、NumPy と PyTorch が同じ計算をしていること。

速さそのものはテストしません (機械によるので、数字は benchmarks/README.md に計測として書きます)。
"""

import importlib.util
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_rnn.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_rnn", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclass は自分のモジュールを sys.modules から引く
    spec.loader.exec_module(module)
    return module


def test_every_cell_is_compared(bench):
    assert list(bench.CASES) == ["rnn", "lstm", "gru", "attention"]
    assert bench.SIZES == {"N": 32, "T": 100, "D": 128, "H": 256}


def test_numpy_and_torch_compute_the_same_thing(bench):
    results = bench.measure(list(bench.CASES), repeat=2, warmup=0, sizes={"N": 3, "T": 4, "D": 5, "H": 6})
    assert [r["title"] for r in results] == ["RNN", "LSTM", "GRU", "注意"]
    for r in results:
        assert r["error"] < 1e-5, r["title"]  # float32 の丸め誤差の範囲
        assert r["numpy_ms"] > 0 and r["torch_ms"] > 0 and r["ratio"] == pytest.approx(r["numpy_ms"] / r["torch_ms"])


def test_every_value_is_compared(bench):
    """NumPy 側が返す値 (h と全部の勾配) を PyTorch 側もすべて返す。比べ漏れがあれば max_relative_error が KeyError。"""
    for make in bench.CASES.values():
        case = make(N=2, T=3, D=2, H=3)
        ours, theirs = case.numpy_step(), case.torch_step()
        assert set(ours) == set(theirs)
        assert {"h", "dx", "dh0", "dW_ih", "dW_hh"} <= set(ours) or {"c", "ds", "dh"} == set(ours)


@pytest.mark.parametrize("argv, message", [
    (["--threads", "0"], "1 以上の整数か default"),
    (["--threads", "two"], "'two' が渡されました"),
    (["--repeat", "0"], "--repeat は 1 以上"),
])  # fmt: skip
def test_bad_arguments_are_explained(bench, capsys, argv, message):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert message in capsys.readouterr().err


def test_defaults_measure_both_thread_settings(bench):
    args = bench.parse_args([])
    assert args.threads == ["1", "default"] and args.cell == "all"
