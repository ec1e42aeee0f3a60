"""採点側が、提出物のコードが書けた場所からファイルを読むとき・採点表を書くときの安全な読み書き。

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomically(folder / "a.txt", "あ")
    >>> read_limited(folder / "a.txt", 10)
    b'\\xe3\\x81\\x82'
    >>> read_limited(folder / "a.txt", 2) is None   # 上限を超えるものは読まない
    True
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

__all__ = ["read_limited", "write_atomically"]


def read_limited(path: str | Path, max_bytes: int) -> bytes | None:
    """``path`` がふつうのファイル (シンボリックリンクでない) で ``max_bytes`` 以下なら中身、そうでなければ None。"""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(max_bytes + 1)
        return data if len(data) <= max_bytes else None
    finally:
        os.close(fd)


def write_atomically(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """``path`` を一度に書き換える (書きかけのファイルが見えない: 同じフォルダの一時ファイルから置き換える)。"""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
