"""多くの提出物を (必要なら並列に) 採点する。結果の順序は並列の数によらず、提出物の指定順。

提出物ごとに使い捨ての補助プロセス (``worker``) を起動し、制限時間 (``--timeout``) を過ぎたら
プロセスごと止めます。補助プロセスが何で止まっても (カーネルからの大量のメッセージでメモリ上限を
超えた、など)、その提出物の行が ``error`` か ``timeout`` になるだけで、ほかの提出物の採点は続きます。
一時フォルダは最後に必ず消します。
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any, Sequence

from rnncourse.classroom.grading.files import read_limited
from rnncourse.classroom.grading.report import STATUSES, Row, with_scores
from rnncourse.classroom.grading.submission import GradingLimits

__all__ = ["grade_all", "grade_submission", "GRACE_S"]

#: 制限時間のあと、補助プロセスが片付けを終えるまで待つ秒数。
GRACE_S = 10.0
_MAX_RESULT_BYTES = 64 * 1024 * 1024


def _package_dir() -> Path:
    import rnncourse

    return Path(rnncourse.__file__).resolve().parent


def _row(data: Any, path: str, chapter: str) -> Row | None:
    if not isinstance(data, dict):
        return None
    values = [data.get(name) for name in ("submission", "chapter", "question", "status", "message")]
    if not all(isinstance(v, str) for v in values) or values[3] not in STATUSES:
        return None
    return Row(path, values[1][:10], values[2][:100], values[3], values[4][:20000])


def _rows_from(folder: Path, path: str, chapter: str | None, timed_out: bool, limits: GradingLimits) -> list[Row]:
    from rnncourse.classroom.grading.worker import PREPARED_NAME, RESULT_NAME

    result = read_limited(folder / RESULT_NAME, _MAX_RESULT_BYTES)
    crash = ""
    if result is not None:
        try:
            data = json.loads(result)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, list):
            rows = [_row(item, path, chapter or "-") for item in data]
            if rows and all(row is not None for row in rows):
                return rows  # type: ignore[return-value]
        if isinstance(data, dict) and isinstance(data.get("crash"), str):
            crash = data["crash"][:300]
    if timed_out:
        status, message = "timeout", f"採点全体の制限時間 {limits.notebook_timeout:g} 秒を超えたので止めました (答えの取り出しを含む)。"
    elif crash:
        status, message = "error", f"採点中にエラーが起きました ({crash})。"
    else:
        status = "error"
        message = "採点の補助プロセスが途中で止まりました (カーネルが大量の出力やメッセージを送り、メモリの上限を超えたなど)。"
    prepared = read_limited(folder / PREPARED_NAME, 1024 * 1024)
    try:
        info = json.loads(prepared) if prepared is not None else None
    except ValueError:
        info = None
    if isinstance(info, dict) and isinstance(info.get("questions"), list):
        found = str(info.get("chapter", chapter or "-"))
        return [Row(path, found, str(q), status, message) for q in info["questions"]]
    return [Row(path, chapter or "-", "-", status, message)]


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _grade_one(index: int, path: str, chapter: str | None, limits: GradingLimits, root: Path, views: Any) -> list[Row]:
    folder = root / f"s{index:05d}"
    folder.mkdir(mode=0o700)
    deadline = time.monotonic() + limits.notebook_timeout
    job = {
        "path": os.path.abspath(path),
        "display": path,
        "chapter": chapter,
        "limits": asdict(limits),
        "sandbox": views is not None,
        "views": views,
        "package_dir": str(_package_dir()),
        "deadline": deadline,
    }
    (folder / "job.json").write_text(json.dumps(job), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "rnncourse.classroom.grading.worker", str(folder / "job.json")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=folder, start_new_session=True,
    )
    timed_out = False
    try:
        process.wait(timeout=max(1.0, deadline + GRACE_S - time.monotonic()))
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        _kill_group(process)
    return _rows_from(folder, path, chapter, timed_out, limits)


def _real_directory(path: str) -> bool:
    """``path`` がシンボリックリンクでない本物のフォルダか (リンクはたどらない)。"""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _open_up(path: str) -> None:
    """本物のフォルダだけ、持ち主が読み書きできるようにする。シンボリックリンクは決してたどらない
    (提出物が作業フォルダに講師のファイルへのリンクを置いても、そのファイルの権限は変えない)。"""
    if _real_directory(path):
        try:
            os.chmod(path, stat.S_IRWXU)
        except OSError:
            pass


def _remove(root: Path) -> None:
    """一時フォルダを消す (提出物のコードが書き込み・読み取りの権限を外したフォルダがあっても)。

    権限を戻すのは ``root`` の中の本物のフォルダだけで、シンボリックリンクの先には何もしない。消すときもリンクは
    リンクそのものを消す (``shutil.rmtree`` はリンクの先のフォルダに入らない)。これを呼ぶのは箱の中のプロセスが
    すべて消えたあとなので、途中でフォルダがリンクにすり替わることはない。
    """
    todo = [str(root)]
    while todo:  # 先に、中のフォルダをすべて開けておく (読めないフォルダがあると rmtree はその中を消せない)
        folder = todo.pop()
        _open_up(folder)
        try:
            with os.scandir(folder) as entries:
                todo += [entry.path for entry in entries if entry.is_dir(follow_symlinks=False)]
        except OSError:
            pass

    def retry(function, name, info):  # type: ignore[no-untyped-def]
        _open_up(os.path.dirname(name))
        _open_up(name)
        if function in (os.unlink, os.remove, os.rmdir):  # どれもリンクの先には触れない
            try:
                function(name)
            except OSError:
                pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(root, onexc=retry)
    else:
        shutil.rmtree(root, onerror=retry)


def grade_all(
    paths: Sequence[str | Path],
    chapter: str | None = None,
    limits: GradingLimits = GradingLimits(),
    jobs: int = 1,
    sandbox: bool = True,
) -> list[Row]:
    """``paths`` を順に (``jobs`` > 1 なら並列に) 採点し、すべての行を提出物の指定順に並べて返す。

    ``sandbox=True`` (既定) なら各提出物を箱 (bubblewrap) の中で実行します。返るときには、
    すべてのカーネルと補助プロセスは止まり、一時フォルダは消えています。
    """
    from rnncourse.classroom.grading.views import build_views

    names = [str(Path(p)) for p in paths]
    root = Path(tempfile.mkdtemp(prefix="rnncourse-grade-"))
    try:
        views = None
        if sandbox:
            built = build_views(root / "views", _package_dir())
            views = {"kernel": built.kernel, "judge": built.judge}
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            results = list(pool.map(lambda item: _grade_one(item[0], item[1], chapter, limits, root, views), enumerate(names)))
    finally:
        _remove(root)
    rows = [row for own in results for row in own]
    points = _points({row.chapter for row in rows})
    return [with_scores(row, points) for row in rows]


def _points(chapters: set[str]) -> dict[tuple[str, str], int]:
    """(章, 問題名) → 配点 (判定器の ``points``)。判定器のない章は入れない (その行は 0 点)。"""
    from rnncourse.classroom.grading.submission import chapter_questions

    points: dict[tuple[str, str], int] = {}
    for chapter in set(chapters):
        try:
            questions = chapter_questions(chapter)
        except ImportError:
            continue
        points.update({(chapter, question.name): question.points for question in questions})
    return points


def grade_submission(
    path: str | Path, chapter: str | None = None, limits: GradingLimits = GradingLimits(), sandbox: bool = True
) -> list[Row]:
    """提出物 ``path`` を 1 つ採点して、問題ごとの行を返す。どんな提出物でも例外は送出しない。"""
    return grade_all([path], chapter=chapter, limits=limits, sandbox=sandbox)
