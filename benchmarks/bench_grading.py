"""採点の箱 (bubblewrap) のコストを測る: 同じ提出物 N 件を、箱ありと箱なしで交互に採点する。

    python benchmarks/bench_grading.py --count 10 --repeat 2

提出物は solutions/02_forward_pass.ipynb の複製 (全問正解) です。1 件あたりの時間 (採点全体の時間 / N) を、
箱あり・箱なしそれぞれの繰り返しの中央値で表示します。並列数は --jobs (既定 1)。
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rnncourse.classroom.grading import GradingLimits, grade_all

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="提出物の数 (既定 10)")
    parser.add_argument("--repeat", type=int, default=2, help="繰り返しの回数 (既定 2)")
    parser.add_argument("--jobs", type=int, default=1, help="並列数 (既定 1)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        paths = []
        for i in range(args.count):
            paths.append(folder / f"student{i:02d}.ipynb")
            shutil.copy(ROOT / "solutions" / "02_forward_pass.ipynb", paths[-1])
        limits = GradingLimits(cell_timeout=60, notebook_timeout=300, memory_mb=2000)
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.repeat):
            for sandbox in (True, False):
                started = time.perf_counter()
                rows = grade_all(paths, limits=limits, jobs=args.jobs, sandbox=sandbox)
                times[sandbox].append((time.perf_counter() - started) / args.count)
                assert {row.status for row in rows} == {"correct"}, {row.message for row in rows}
        with_box, without = statistics.median(times[True]), statistics.median(times[False])
        print(f"提出物 {args.count} 件 × {args.repeat} 回、並列 {args.jobs}")
        print(f"箱あり: 1 件 {with_box:.2f} 秒 (各回 {', '.join(f'{t:.2f}' for t in times[True])})")
        print(f"箱なし: 1 件 {without:.2f} 秒 (各回 {', '.join(f'{t:.2f}' for t in times[False])})")
        print(f"箱のコスト: 1 件あたり {with_box - without:+.2f} 秒 ({with_box / without:.2f} 倍)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
