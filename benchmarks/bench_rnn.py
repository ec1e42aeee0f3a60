"""NumPy 参照実装 (RNN, LSTM, GRU と注意の 1 ステップ) と PyTorch の速さを CPU で比べる。

    python benchmarks/bench_rnn.py                       # 既定: すべての組、1 スレッドとライブラリの既定の両方
    python benchmarks/bench_rnn.py --cell lstm --threads 1
    python benchmarks/bench_rnn.py --threads default --repeat 50

順伝播 + 逆伝播 (BPTT) 1 回を 1 試行とし、NumPy と PyTorch を 1 つのプロセスの中で交互に
(順番も 1 回ごとに入れ替え、セルの種類もまたいで) 測ります。機械の混み具合の変化が両方に同じように
効くようにするためです。大きさは N=32, T=100, D=128, H=256, float32。結果は中央値とその比 NumPy / PyTorch です。
BLAS のスレッド数は numpy を import する前に環境変数で決めるしかないので、スレッド数の設定ごとに
このスクリプト自身を別のプロセスで起動します。

注意の 1 ステップ (``rnncourse.nn.attention``) は ``torch.nn.functional.scaled_dot_product_attention`` と比べます
(問い合わせは N 個、符号化器の時刻は T、隠れ状態は H 次元)。比べる組を増やすときは、下の ``rnn_case`` などと
同じ形の関数を書き、``CASES`` に登録するだけです (「比べる組を足すところ」を参照)。
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

SIZES = {"N": 32, "T": 100, "D": 128, "H": 256}
GOAL = 1.0  # NumPy / PyTorch の目標 (これ以下)
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # リポジトリから直接実行できるように


@dataclass
class Case:
    """比べる 1 組。2 つの関数はどちらも順伝播 + 逆伝播を 1 回行い、比べる値の辞書を返す。"""

    title: str  # 表に出す名前 ("LSTM")
    numpy_name: str  # "rnncourse.nn.lstm"
    torch_name: str  # "torch.nn.LSTM"
    numpy_step: Callable[[], dict[str, Any]]
    torch_step: Callable[[], dict[str, Any]]


def _torch_inputs(torch: Any, *arrays: Any) -> list[Any]:
    """NumPy 配列を勾配を求める PyTorch のテンソルに (NumPy 側と同じ値の別のコピー)。"""
    return [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]


def _zero_grads(tensors: Any) -> None:
    for tensor in tensors:
        tensor.grad = None


def rnn_case(N: int, T: int, D: int, H: int) -> Case:
    import numpy as np
    import torch

    from rnncourse.models.interop import rnn_weights_from_torch
    from rnncourse.nn.rnn import rnn_backward, rnn_forward

    rng = np.random.default_rng(0)
    module = torch.nn.RNN(D, H, batch_first=True)  # tanh
    W_xh, W_hh, b_h = rnn_weights_from_torch(module, dtype=np.float32)
    x, h0, dh = (rng.standard_normal(s, dtype=np.float32) for s in ((N, T, D), (N, H), (N, T, H)))
    x_t, h0_t = _torch_inputs(torch, x, h0)
    dh_t = torch.from_numpy(dh.copy())  # 上流から届く ∂L/∂h_t

    def numpy_step() -> dict[str, Any]:
        h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)
        dx, dh0, dW_xh, dW_hh, db_h = rnn_backward(dh, cache)
        return {"h": h, "dx": dx, "dh0": dh0, "dW_ih": dW_xh, "dW_hh": dW_hh, "db": db_h}

    def torch_step() -> dict[str, Any]:
        _zero_grads((x_t, h0_t, *module.parameters()))
        out, _ = module(x_t, h0_t[None])  # torch は h0 を (層の数, N, H) で受け取る
        out.backward(dh_t)
        return {"h": out, "dx": x_t.grad, "dh0": h0_t.grad, "dW_ih": module.weight_ih_l0.grad,
                "dW_hh": module.weight_hh_l0.grad, "db": module.bias_ih_l0.grad}  # fmt: skip

    return Case("RNN", "rnncourse.nn.rnn", "torch.nn.RNN", numpy_step, torch_step)


def lstm_case(N: int, T: int, D: int, H: int) -> Case:
    import numpy as np
    import torch

    from rnncourse.models.interop import lstm_weights_from_torch
    from rnncourse.nn.lstm import lstm_backward, lstm_forward

    rng = np.random.default_rng(1)
    module = torch.nn.LSTM(D, H, batch_first=True)
    W_ih, W_hh, b = lstm_weights_from_torch(module, dtype=np.float32)
    x, h0, c0, dh = (rng.standard_normal(s, dtype=np.float32) for s in ((N, T, D), (N, H), (N, H), (N, T, H)))
    x_t, h0_t, c0_t = _torch_inputs(torch, x, h0, c0)
    dh_t = torch.from_numpy(dh.copy())

    def numpy_step() -> dict[str, Any]:
        h, cache = lstm_forward(x, h0, c0, W_ih, W_hh, b)
        dx, dh0, dc0, dW_ih, dW_hh, db = lstm_backward(dh, cache)
        return {"h": h, "dx": dx, "dh0": dh0, "dc0": dc0, "dW_ih": dW_ih, "dW_hh": dW_hh, "db": db}

    def torch_step() -> dict[str, Any]:
        _zero_grads((x_t, h0_t, c0_t, *module.parameters()))
        out, _ = module(x_t, (h0_t[None], c0_t[None]))
        out.backward(dh_t)
        return {"h": out, "dx": x_t.grad, "dh0": h0_t.grad, "dc0": c0_t.grad, "dW_ih": module.weight_ih_l0.grad,
                "dW_hh": module.weight_hh_l0.grad, "db": module.bias_ih_l0.grad}  # fmt: skip

    return Case("LSTM", "rnncourse.nn.lstm", "torch.nn.LSTM", numpy_step, torch_step)


def gru_case(N: int, T: int, D: int, H: int) -> Case:
    import numpy as np
    import torch

    from rnncourse.models.interop import gru_weights_from_torch
    from rnncourse.nn.gru import gru_backward, gru_forward

    rng = np.random.default_rng(2)
    module = torch.nn.GRU(D, H, batch_first=True)
    W_ih, W_hh, b_ih, b_hh = gru_weights_from_torch(module, dtype=np.float32)
    x, h0, dh = (rng.standard_normal(s, dtype=np.float32) for s in ((N, T, D), (N, H), (N, T, H)))
    x_t, h0_t = _torch_inputs(torch, x, h0)
    dh_t = torch.from_numpy(dh.copy())

    def numpy_step() -> dict[str, Any]:
        h, cache = gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
        dx, dh0, dW_ih, dW_hh, db_ih, db_hh = gru_backward(dh, cache)
        return {"h": h, "dx": dx, "dh0": dh0, "dW_ih": dW_ih, "dW_hh": dW_hh, "db_ih": db_ih, "db_hh": db_hh}

    def torch_step() -> dict[str, Any]:
        _zero_grads((x_t, h0_t, *module.parameters()))
        out, _ = module(x_t, h0_t[None])
        out.backward(dh_t)
        return {"h": out, "dx": x_t.grad, "dh0": h0_t.grad, "dW_ih": module.weight_ih_l0.grad,
                "dW_hh": module.weight_hh_l0.grad, "db_ih": module.bias_ih_l0.grad,
                "db_hh": module.bias_hh_l0.grad}  # fmt: skip

    return Case("GRU", "rnncourse.nn.gru", "torch.nn.GRU", numpy_step, torch_step)


def attention_case(N: int, T: int, D: int, H: int) -> Case:
    """注意の 1 ステップ: 問い合わせ s (N, H) と符号化器の隠れ状態 h (N, T, H) から文脈ベクトル c (D は使わない)。"""
    import numpy as np
    import torch

    from rnncourse.nn.attention import attention_backward, attention_forward

    rng = np.random.default_rng(3)
    s, h, dc = (rng.standard_normal(shape, dtype=np.float32) for shape in ((N, H), (N, T, H), (N, H)))
    lengths = rng.integers(T // 2, T + 1, size=N)
    mask = np.arange(T)[None, :] < lengths[:, None]  # 例ごとに長さが違い、末尾が詰め物
    s_t, h_t = _torch_inputs(torch, s, h)
    mask_t, dc_t = torch.from_numpy(mask[:, None, :].copy()), torch.from_numpy(dc.copy())

    def numpy_step() -> dict[str, Any]:
        c, _, cache = attention_forward(s, h, mask)
        ds, dh = attention_backward(dc, cache)
        return {"c": c, "ds": ds, "dh": dh}

    def torch_step() -> dict[str, Any]:
        _zero_grads((s_t, h_t))
        # q = s、k = v = h (bool のマスクは True の時刻に注意を向ける)
        c = torch.nn.functional.scaled_dot_product_attention(s_t[:, None, :], h_t, h_t, attn_mask=mask_t)[:, 0]
        c.backward(dc_t)
        return {"c": c, "ds": s_t.grad, "dh": h_t.grad}

    return Case("注意", "rnncourse.nn.attention", "scaled_dot_product_attention", numpy_step, torch_step)


# --- 比べる組を足すところ -------------------------------------------------------------------
# 同じ形の関数 name_case(N, T, D, H) を書き (NumPy の順伝播 + 逆伝播 1 回と、同じ計算の PyTorch 版 1 回。
# どちらも比べる値の辞書を返す)、ここに加えます。--cell の選択肢と表には自動で加わります。
CASES: dict[str, Callable[[int, int, int, int], Case]] = {
    "rnn": rnn_case,
    "lstm": lstm_case,
    "gru": gru_case,
    "attention": attention_case,
}


def max_relative_error(ours: dict[str, Any], theirs: dict[str, Any]) -> float:
    """同じ名前の値どうしの max|a − b| / max|b| のうち最大のもの (float32 なので 1e-6 程度になる)。"""
    import numpy as np

    worst = 0.0
    for name, a in ours.items():
        b = theirs[name].detach().numpy().reshape(a.shape)
        worst = max(worst, float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-12)))
    return worst


def measure(cells: list[str], repeat: int, warmup: int, sizes: dict[str, int]) -> list[dict[str, Any]]:
    """選んだセルを同じプロセスの中で交互に測り、セルごとの結果 (ミリ秒の中央値など) を返す。"""
    cases = [CASES[cell](**sizes) for cell in cells]
    errors = [max_relative_error(case.numpy_step(), case.torch_step()) for case in cases]  # 同じ計算か確かめる
    for _ in range(warmup):
        for case in cases:
            case.numpy_step()
            case.torch_step()
    times: list[dict[str, list[float]]] = [{"numpy": [], "torch": []} for _ in cases]
    for i in range(repeat):
        order = ("numpy", "torch") if i % 2 == 0 else ("torch", "numpy")
        for case, case_times in zip(cases, times):
            for side in order:
                step = case.numpy_step if side == "numpy" else case.torch_step
                start = time.perf_counter()
                step()
                case_times[side].append(time.perf_counter() - start)
    results = []
    for case, case_times, error in zip(cases, times, errors):
        t_np, t_torch = statistics.median(case_times["numpy"]), statistics.median(case_times["torch"])
        paired = sorted(a / b for a, b in zip(case_times["numpy"], case_times["torch"]))  # 同じ回どうしの比
        quartiles = statistics.quantiles(paired, n=4) if len(paired) > 1 else [paired[0]] * 3
        results.append({"title": case.title, "numpy_name": case.numpy_name, "torch_name": case.torch_name,
                        "numpy_ms": t_np * 1e3, "torch_ms": t_torch * 1e3, "ratio": t_np / t_torch,
                        "paired_q1": quartiles[0], "paired_q3": quartiles[2], "error": error})  # fmt: skip
    return results


def load_average() -> str:
    try:
        return "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())
    except OSError:  # Windows には無い
        return "不明"


def report(threads: str, results: list[dict[str, Any]], repeat: int, warmup: int, load_before: str) -> None:
    import numpy as np
    import torch

    label = "ライブラリの既定" if threads == "default" else threads
    size_text = ", ".join(f"{k}={v}" for k, v in SIZES.items())
    print(f"順伝播 + 逆伝播 (CPU, float32, {size_text})")
    print(f"スレッド数: {label} (PyTorch: {torch.get_num_threads()}, CPU コア: {os.cpu_count()})")
    print(f"NumPy {np.__version__} / PyTorch {torch.__version__}")
    print(f"負荷 (1 / 5 / 15 分の平均): 計測前 {load_before}、計測後 {load_average()}")
    print(f"{repeat} 回ずつ交互に計測 (空回し {warmup} 回) した中央値と比 NumPy / PyTorch (目標 {GOAL} 以下):")
    for r in results:
        verdict = "達成" if r["ratio"] <= GOAL else "未達"
        print(
            f"  {r['title']:<5} NumPy {r['numpy_ms']:7.1f} ms  PyTorch {r['torch_ms']:7.1f} ms"
            f"  比 {r['ratio']:.2f} {verdict}"
            f"  (同じ回どうしの比の四分位 {r['paired_q1']:.2f}〜{r['paired_q3']:.2f}、最大の相対誤差 {r['error']:.1e})"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="NumPy 参照実装と torch.nn の順伝播 + 逆伝播の速さを比べます。")
    parser.add_argument("--cell", choices=[*CASES, "all"], default="all", help="比べるセル (既定: all)")
    parser.add_argument(
        "--threads",
        nargs="+",
        default=["1", "default"],
        help="NumPy (BLAS) と PyTorch のスレッド数。整数か default (ライブラリの既定)。複数書くと順に測る (既定: 1 default)",
    )
    parser.add_argument("--repeat", type=int, default=30, help="計測の回数 (それぞれ、既定 30)")
    parser.add_argument("--warmup", type=int, default=3, help="計測前の空回しの回数 (それぞれ、既定 3)")
    parser.add_argument("--json", dest="json_path", help=argparse.SUPPRESS)  # 子プロセスが結果を書く先
    args = parser.parse_args(argv)
    for value in args.threads:
        if value != "default" and not (value.isdigit() and int(value) >= 1):
            parser.error(f"--threads には 1 以上の整数か default を書いてください ({value!r} が渡されました)。")
    if args.repeat < 1 or args.warmup < 0:
        parser.error(f"--repeat は 1 以上、--warmup は 0 以上です ({args.repeat}, {args.warmup} が渡されました)。")
    return args


def run_one(args: argparse.Namespace) -> int:
    """スレッド数の設定 1 つ分をこのプロセスで測る (BLAS のスレッド数は numpy の import 前に決める)。"""
    (threads,) = args.threads
    if threads != "default":
        for name in THREAD_ENV:
            os.environ[name] = threads
    import torch

    if threads != "default":
        torch.set_num_threads(int(threads))
    torch.manual_seed(0)
    cells = list(CASES) if args.cell == "all" else [args.cell]
    load_before = load_average()
    results = measure(cells, args.repeat, args.warmup, SIZES)
    report(threads, results, args.repeat, args.warmup, load_before)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps({"threads": threads, "results": results}), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if len(args.threads) == 1:
        return run_one(args)
    # スレッド数の設定ごとに新しいプロセスで測り、最後に比だけを並べる
    summary = []
    with tempfile.TemporaryDirectory() as folder:
        for threads in args.threads:
            path = Path(folder) / f"{threads}.json"
            command = [sys.executable, __file__, "--cell", args.cell, "--threads", threads,
                       "--repeat", str(args.repeat), "--warmup", str(args.warmup), "--json", str(path)]  # fmt: skip
            status = subprocess.run(command).returncode
            if status != 0:
                return status
            summary.append(json.loads(path.read_text(encoding="utf-8")))
            print()
    print("比 NumPy / PyTorch のまとめ:")
    for run in summary:
        label = "既定" if run["threads"] == "default" else run["threads"]
        ratios = ", ".join(f"{r['title']} {r['ratio']:.2f}" for r in run["results"])
        print(f"  スレッド {label}: {ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
