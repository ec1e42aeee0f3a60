"""NumPy 参照実装の順伝播と逆伝播で、どの行に時間がかかっているかを行ごとに測る (line_profiler を使う)。

    python -m pip install line_profiler              # 初回だけ (講座の依存には入れていない計測用の道具)
    python benchmarks/profile_rnn.py --cell lstm --threads 1
    python benchmarks/profile_rnn.py --cell gru --lines  # line_profiler の全行の表も出す

大きさと dtype は bench_rnn.py と同じ (N=32, T=100, D=128, H=256, float32)。順伝播 + 逆伝播を何回か
行い、1 回あたりの時間を関数ごとに、行列積の行 (``@``・``matmul`` を含む行) とそれ以外に分けて表示します。
行ごとの計測には少し手間がかかるので、合計は bench_rnn.py の値より少し大きくなります。
"""

from __future__ import annotations

import argparse
import linecache
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_rnn を import するため
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # リポジトリから直接実行できるように

# セルごとに、行ごとに測る関数 (モジュール名, 関数名)
TARGETS = {
    "rnn": ("rnncourse.nn.rnn", ["rnn_forward", "rnn_backward"]),
    "lstm": ("rnncourse.nn.lstm", ["lstm_forward", "lstm_backward"]),
    "gru": ("rnncourse.nn.gru", ["gru_forward", "gru_backward"]),
    "attention": ("rnncourse.nn.attention", ["attention_forward", "attention_backward"]),
}


def is_matrix_product(source: str) -> bool:
    code = source.split("#", 1)[0]  # コメントの中の記号は数えない
    return "@" in code or "matmul" in code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="NumPy 参照実装の順伝播と逆伝播を行ごとに測ります。")
    parser.add_argument("--cell", choices=list(TARGETS), default="lstm", help="測るセル (既定: lstm)")
    parser.add_argument("--threads", default="1", help="NumPy (BLAS) のスレッド数。整数か default (既定: 1)")
    parser.add_argument("--repeat", type=int, default=10, help="順伝播 + 逆伝播の回数 (既定 10)")
    parser.add_argument("--top", type=int, default=10, help="時間のかかった行をいくつ表示するか (既定 10)")
    parser.add_argument("--lines", action="store_true", help="line_profiler の全行の表も表示する")
    args = parser.parse_args(argv)
    if args.threads != "default":
        if not (args.threads.isdigit() and int(args.threads) >= 1):
            parser.error(f"--threads には 1 以上の整数か default を書いてください ({args.threads!r} が渡されました)。")
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = args.threads
    try:
        from line_profiler import LineProfiler
    except ImportError:
        print("line_profiler がありません。python -m pip install line_profiler で入れてください。", file=sys.stderr)
        return 1
    import importlib

    from bench_rnn import CASES, SIZES

    module_name, function_names = TARGETS[args.cell]
    module = importlib.import_module(module_name)
    profiler = LineProfiler()
    for name in function_names:
        profiler.add_function(getattr(module, name))

    case = CASES[args.cell](**SIZES)
    case.numpy_step()  # 空回し
    profiler.enable_by_count()
    for _ in range(args.repeat):
        case.numpy_step()
    profiler.disable_by_count()

    stats = profiler.get_stats()
    per_run_ms = stats.unit * 1e3 / args.repeat
    label = "ライブラリの既定" if args.threads == "default" else args.threads
    load = "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else "不明"
    print(f"{case.title} ({case.numpy_name}, float32, {', '.join(f'{k}={v}' for k, v in SIZES.items())})")
    print(f"スレッド数: {label}、{args.repeat} 回の平均 (1 回あたり)、負荷 (1 / 5 / 15 分の平均): {load}")
    lines = []
    for (filename, _, function), timings in sorted(stats.timings.items(), key=lambda item: item[0][1]):
        total = sum(t for _, _, t in timings) * per_run_ms
        matrix = sum(t for lineno, _, t in timings if is_matrix_product(linecache.getline(filename, lineno)))
        matrix *= per_run_ms
        print(f"  {function:<14} {total:7.1f} ms  うち行列積の行 {matrix:6.1f} ms ({matrix / total:4.0%})、"
              f"それ以外 {total - matrix:5.1f} ms")  # fmt: skip
        for lineno, hits, t in timings:
            lines.append((t * per_run_ms, hits / args.repeat, Path(filename).name, lineno))
    print(f"時間のかかった行 (上位 {args.top}、1 回あたりの ms と実行回数):")
    for ms, hits, filename, lineno in sorted(lines, reverse=True)[: args.top]:
        source = linecache.getline(str(Path(module.__file__).parent / filename), lineno).strip()
        print(f"  {ms:6.1f} ms {hits:5.0f} 回  {filename}:{lineno}  {source[:90]}")
    if args.lines:
        profiler.print_stats(output_unit=1e-3, stripzeros=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
