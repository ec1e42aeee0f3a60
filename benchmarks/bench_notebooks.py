"""各ノートブックを新しいカーネルで上から実行し、カーネルの起動を含めた時間を測る。

    python benchmarks/bench_notebooks.py                   # notebooks/ exercises/ solutions/ のすべて
    python benchmarks/bench_notebooks.py notebooks/03_bptt.ipynb --repeat 3

講座の約束は「どのノートブックも 2 コアのノートパソコンで 60 秒以内」です。ファイルは書き換えません
(実行結果は捨てます)。他の重い処理が動いていない状態で測ってください。
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_SECONDS = 60.0


def run_once(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # カーネルの起動から終了まで
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ノートブックの実行時間 (カーネルの起動を含む) を測ります。")
    parser.add_argument("notebooks", nargs="*", type=Path, help="測るノートブック (省略するとすべて)")
    parser.add_argument("--repeat", type=int, default=1, help="1 冊あたりの実行回数 (中央値を表示、既定 1)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(
        p for folder in ("notebooks", "exercises", "solutions") for p in (ROOT / folder).glob("*.ipynb")
    )
    print(f"CPU コア: {os.cpu_count()}、制限: {LIMIT_SECONDS:.0f} 秒、各 {args.repeat} 回の中央値")
    over = 0
    for path in paths:
        median = statistics.median(run_once(path) for _ in range(args.repeat))
        mark = "OK" if median <= LIMIT_SECONDS else "超過"
        over += median > LIMIT_SECONDS
        name = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        print(f"[{mark}] {median:6.1f} 秒  {name}", flush=True)
    print("すべて制限内です。" if not over else f"{over} 冊が {LIMIT_SECONDS:.0f} 秒を超えました。")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
