"""採点用のカーネル: メモリの上限を付けてから ipykernel を起動する。

    python -m rnncourse.classroom.grading.kernel --memory-mb 2048 -f CONNECTION_FILE

上限を超える確保は学習者のコードの中で MemoryError になり、カーネルごと落ちて他の提出物を
巻き込むことがありません (Linux などの POSIX のみ。Windows では上限なしで起動します)。
"""

from __future__ import annotations

import argparse
import sys


def limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:  # Windows
        return
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--memory-mb", type=int, default=0)
    known, rest = parser.parse_known_args()
    if known.memory_mb > 0:
        limit_memory(known.memory_mb)
    sys.argv = [sys.argv[0], *rest]
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
