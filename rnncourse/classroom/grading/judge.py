"""関数の答えを、採点のときに作った入力で呼ぶ。学習者のカーネルとは別の、新しい箱の中で。

    python -m rnncourse.classroom.grading.judge --memory-mb 2048 IN.json OUT.json

この箱では、その章の模範解答の関数の本体が「呼ばれたら記録して止まる」ものに差し替えてあり
(``views``)、判定器も期待値を持たない代わりのものです。学習者のカーネルで何をしても、ここには
cloudpickle で運ばれた関数 (とそれが使う値) しか来ません。採点の入力はこの箱にだけ渡します。
関数を呼ぶ前に、その関数からたどれるコードが模範解答 (とそれが使う補助関数) の写しでないかを、
箱の外で作った指紋の表 (``fingerprint.reference_table``) と比べて確かめます。

入力 IN.json: ``[{"function": base64, "cases": [codec の引数, ...], "timeout": 秒, "copies": 指紋の表}, ...]``
出力 OUT.json: 関数ごとに ``{"calls": [...]}``、``{"reference": 名前}`` (写しなら ``"copied": true`` と、補助関数なら
``"used_by"`` も)、``{"error": 説明}`` のどれか。
1 つ判定するごとに書き直すので、途中で止められてもそこまでの結果は残ります。
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rnncourse.classroom.grading import codec, fingerprint, sandbox
from rnncourse.classroom.grading.files import read_limited

__all__ = ["call_functions", "main", "JUDGE_TMP_MB"]

#: 出力ファイルの大きさの上限。
MAX_OUTPUT_BYTES = 32 * 1024 * 1024
#: 関数を呼ぶ箱の自分専用の /tmp (tmpfs) の大きさの上限 (MB)。--memory-mb がこれより小さければそちら。
JUDGE_TMP_MB = 512
_IN_BOX = "/judge"


def _call_all(item: dict[str, Any]) -> dict[str, Any]:
    import pickle

    from rnncourse.exercises import unavailable
    from rnncourse.exercises.learner_code import call_learner_function

    timeout = float(item.get("timeout", 5.0))
    table = item.get("copies") if isinstance(item.get("copies"), dict) else {}
    own = fingerprint.own_functions(table)  # パッケージの関数を、学習者のコードが動く前に探しておく
    unavailable.REFERENCE_CALLS.clear()
    loaded = call_learner_function(pickle.loads, (base64.b64decode(item["function"]),), timeout=timeout)
    if unavailable.REFERENCE_CALLS:
        return {"reference": unavailable.REFERENCE_CALLS[0]}
    if loaded.error is not None or loaded.timed_out or loaded.not_implemented or not callable(loaded.value):
        return {"error": "運ばれた関数を元に戻せませんでした (関数の外の値に頼っていませんか)。"}
    found = call_learner_function(fingerprint.find_copy, (loaded.value, table, own), timeout=timeout)
    if unavailable.REFERENCE_CALLS:
        return {"reference": unavailable.REFERENCE_CALLS[0]}
    if found.error is not None or found.timed_out or found.not_implemented:
        return {"error": "答えの関数を調べられませんでした (模範解答の写しかどうかを確かめられません)。"}
    if found.value:
        return dict(found.value)
    calls = []
    for args in item["cases"]:
        unavailable.REFERENCE_CALLS.clear()
        call = call_learner_function(loaded.value, tuple(codec.decode(args)), timeout=timeout)
        if unavailable.REFERENCE_CALLS:
            return {"reference": unavailable.REFERENCE_CALLS[0]}
        try:
            value = codec.encode(call.value)
        except codec.TooLarge:
            value = {"__opaque__": "object", "description": "大きすぎて運べない戻り値", "callable": False}
        calls.append(
            {"value": value, "error": call.error, "not_implemented": call.not_implemented,
             "timed_out": call.timed_out, "elapsed": call.elapsed}
        )
        if call.error is not None or call.not_implemented or call.timed_out:
            break
    return {"calls": calls}


def main(argv: list[str] | None = None) -> int:
    """箱の中の入口。"""
    args = sys.argv[1:] if argv is None else argv
    memory_mb = 0
    if args[:1] == ["--memory-mb"]:
        memory_mb, args = int(args[1]), args[2:]
    from rnncourse.classroom.grading.kernel import die_with_parent, limit_memory

    die_with_parent()
    if memory_mb > 0:
        limit_memory(memory_mb)
    source, target = Path(args[0]), Path(args[1])
    items = json.loads(source.read_text(encoding="utf-8"))
    results: list[dict[str, Any]] = []
    for item in items:
        try:
            results.append(_call_all(item))
        except BaseException as error:  # 採点側のコードは学習者の例外で止めない
            results.append({"error": f"関数を呼べませんでした ({type(error).__name__})。"})
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(results), encoding="utf-8")
        os.replace(temporary, target)
    return 0


def call_functions(
    items: list[dict[str, Any]], layout: sandbox.Layout | None, folder: Path, memory_mb: int, deadline: float
) -> list[dict[str, Any]] | None:
    """``items`` の関数を箱 (``layout``、None なら箱なし) の中で呼び、関数ごとの結果を返す。

    時間切れなどで結果が足りないときは、結果のある分だけのリスト。箱が動かなければ None。
    """
    folder.mkdir()
    (folder / "in.json").write_text(json.dumps(items), encoding="utf-8")
    inside = _IN_BOX if layout is not None else str(folder)
    argv = [sys.executable, "-m", "rnncourse.classroom.grading.judge", "--memory-mb", str(memory_mb),
            f"{inside}/in.json", f"{inside}/out.json"]
    if layout is not None:
        work = folder / "tmp"
        work.mkdir()
        argv = sandbox.wrap(argv, layout.plus(writable=[(str(folder), _IN_BOX)]), chdir="/tmp", tmp_mb=min(memory_mb, JUDGE_TMP_MB))
        cwd = None
    else:
        cwd = str(folder)
    process = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
        start_new_session=True,
    )
    try:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        pass
    finally:
        _kill(process)
    data = read_limited(folder / "out.json", MAX_OUTPUT_BYTES)
    if data is None:
        return []
    try:
        results = json.loads(data)
    except (ValueError, RecursionError):
        return []
    return results if isinstance(results, list) else []


def _kill(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    process.wait()


if __name__ == "__main__":
    raise SystemExit(main())
