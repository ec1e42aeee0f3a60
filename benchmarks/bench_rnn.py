"""NumPy 参照実装 (rnncourse.nn.rnn) と torch.nn.RNN の速さを CPU で比べる。

    python benchmarks/bench_rnn.py                 # 既定: 30 回ずつ、スレッド数はライブラリの既定
    python benchmarks/bench_rnn.py --threads 1     # NumPy (BLAS) と PyTorch を 1 スレッドに揃える

順伝播 + 逆伝播 (BPTT) 1 回を 1 試行とし、NumPy と PyTorch を 1 つのプロセスの中で交互に
(順番も 1 回ごとに入れ替えて) 測ります。機械の混み具合の変化が両方に同じように効くようにするためです。
大きさは N=32, T=100, D=128, H=256, float32。結果は中央値とその比 NumPy / PyTorch です。
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

N, T, D, H = 32, 100, 128, 256
GOAL = 1.25  # NumPy / PyTorch の目標 (これ以下)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="rnncourse.nn.rnn と torch.nn.RNN の順伝播 + 逆伝播の速さを比べます。")
    parser.add_argument("--repeat", type=int, default=30, help="計測の回数 (それぞれ、既定 30)")
    parser.add_argument("--warmup", type=int, default=3, help="計測前の空回しの回数 (それぞれ、既定 3)")
    parser.add_argument(
        "--threads", type=int, default=None, help="NumPy (BLAS) と PyTorch のスレッド数 (既定: ライブラリに任せる)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.threads is not None:
        # BLAS のスレッド数は numpy を import する前に環境変数で決める
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.threads)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # リポジトリから直接実行できるように

    import numpy as np
    import torch

    from rnncourse.models.interop import rnn_weights_from_torch
    from rnncourse.nn.rnn import rnn_backward, rnn_forward

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    rnn = torch.nn.RNN(D, H, batch_first=True)  # tanh
    W_xh, W_hh, b_h = rnn_weights_from_torch(rnn, dtype=np.float32)
    x = rng.standard_normal((N, T, D), dtype=np.float32)
    h0 = rng.standard_normal((N, H), dtype=np.float32)
    dh = rng.standard_normal((N, T, H), dtype=np.float32)  # 上流から届く ∂L/∂h_t
    x_t = torch.from_numpy(x.copy()).requires_grad_()
    h0_t = torch.from_numpy(h0.copy()[None]).requires_grad_()  # torch は (層の数, N, H)
    dh_t = torch.from_numpy(dh.copy())

    def numpy_step():
        h, cache = rnn_forward(x, h0, W_xh, W_hh, b_h)
        return h, rnn_backward(dh, cache)

    def torch_step():
        for tensor in (x_t, h0_t, *rnn.parameters()):
            tensor.grad = None
        out, _ = rnn(x_t, h0_t)
        out.backward(dh_t)
        return out

    # 同じ計算をしていることを一度だけ確かめる
    h, (dx, dh0, dW_xh, dW_hh, db_h) = numpy_step()
    out = torch_step()
    pairs = [
        ("h", h, out),
        ("dx", dx, x_t.grad),
        ("dh0", dh0, h0_t.grad[0]),
        ("dW_xh", dW_xh, rnn.weight_ih_l0.grad),
        ("dW_hh", dW_hh, rnn.weight_hh_l0.grad),
        ("db_h", db_h, rnn.bias_ih_l0.grad),
    ]
    worst = max(
        float(np.max(np.abs(a - b.detach().numpy())) / (np.max(np.abs(b.detach().numpy())) + 1e-12)) for _, a, b in pairs
    )

    for _ in range(args.warmup):
        numpy_step()
        torch_step()
    times: dict[str, list[float]] = {"numpy": [], "torch": []}
    steps = {"numpy": numpy_step, "torch": torch_step}
    for i in range(args.repeat):
        order = ("numpy", "torch") if i % 2 == 0 else ("torch", "numpy")
        for name in order:
            start = time.perf_counter()
            steps[name]()
            times[name].append(time.perf_counter() - start)

    t_np, t_torch = statistics.median(times["numpy"]), statistics.median(times["torch"])
    ratio = t_np / t_torch
    threads = "ライブラリの既定" if args.threads is None else str(args.threads)
    print(f"RNN の順伝播 + 逆伝播 (CPU, float32, N={N}, T={T}, D={D}, H={H})")
    print(f"スレッド数: {threads} (PyTorch: {torch.get_num_threads()}, CPU コア: {os.cpu_count()})")
    print(f"NumPy {np.__version__} / PyTorch {torch.__version__}、最大の相対誤差 {worst:.1e}")
    print(f"{args.repeat} 回ずつ交互に計測 (空回し {args.warmup} 回) した中央値:")
    print(f"  NumPy   (rnncourse.nn.rnn): {t_np * 1e3:8.2f} ms")
    print(f"  PyTorch (torch.nn.RNN) : {t_torch * 1e3:8.2f} ms")
    verdict = "達成" if ratio <= GOAL else "未達"
    print(f"  比 NumPy / PyTorch     : {ratio:8.2f}  (目標 {GOAL} 以下: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
