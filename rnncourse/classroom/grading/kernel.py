"""採点用のカーネル: メモリと書き込みの上限を付け、親が死んだら自分も死ぬようにしてから ipykernel を起動する。

    python -m rnncourse.classroom.grading.kernel --memory-mb 2048 -f CONNECTION_FILE

上限を超える確保は学習者のコードの中で MemoryError になり、カーネルごと落ちて他の提出物を
巻き込むことがありません (Linux などの POSIX のみ。Windows では上限なしで起動します)。
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["limit_memory", "die_with_parent", "main"]

#: 1 つのファイルに書ける大きさの上限 (ディスクを埋め尽くさないように)。
MAX_FILE_MB = 256


def limit_memory(megabytes: int) -> None:
    """このプロセス (と子) の仮想メモリと、書けるファイルの大きさに上限を付ける。"""
    try:
        import resource
    except ImportError:  # Windows
        return
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    size = MAX_FILE_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def die_with_parent() -> None:
    """親 (採点のプロセス) が死んだら SIGKILL を受けるようにする (Linux のみ)。"""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--memory-mb", type=int, default=0)
    known, rest = parser.parse_known_args()
    die_with_parent()
    if known.memory_mb > 0:
        limit_memory(known.memory_mb)
    sys.argv = [sys.argv[0], *rest]
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
