"""提出物のノートを、箱の中の新しいカーネルで上から順に実行し、最後に答えをファイルに書き出させる。

- カーネルは ``sandbox.wrap`` した ``python -m rnncourse.classroom.grading.kernel`` (箱を使わないときはそのまま)。
  採点側とは Unix ソケット (``transport="ipc"``) で話す。ソケットと接続ファイルのフォルダは、
  箱の中の同じ場所に見せる。
- セルごとと全体 (``deadline``) の制限時間つき。エラーのセルがあっても続ける。出力は保存しない。
- 最後のセルで、各問題の答えの変数を取り出す: 値は JSON (``codec``)、関数は cloudpickle のバイト列。
  関数はここでは呼ばない (採点の入力はカーネルに渡さない。呼ぶのは ``judge`` の箱)。
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnncourse.exercises.questions import FunctionQuestion, Question
from rnncourse.classroom.grading import sandbox

__all__ = ["KernelBox", "run_notebook", "ANSWERS_NAME", "MAX_FUNCTION_BYTES", "KERNEL_TMP_MB"]

KERNEL_NAME = "rnncourse-grader"
#: 答えのファイルの名前 (作業フォルダの中)。
ANSWERS_NAME = ".rnncourse-answers.json"
#: 関数 1 つを運ぶバイト列の上限。
MAX_FUNCTION_BYTES = 4 * 1024 * 1024
#: 箱の中の作業フォルダの場所。
WORKDIR_IN_BOX = "/submission"
#: カーネルの箱の自分専用の /tmp (tmpfs) の大きさの上限 (MB)。--memory-mb がこれより小さければそちら。
KERNEL_TMP_MB = 1024


@dataclass(frozen=True)
class KernelBox:
    """カーネルを入れる箱。``layout`` が None なら箱なし (``--no-sandbox``)。"""

    layout: sandbox.Layout | None
    memory_mb: int


_EXTRACT = '''
def _rnncourse_extract(spec, out_path, limit):
    import base64, json, sys
    from rnncourse.classroom.grading import codec
    namespace = sys.modules["__main__"].__dict__
    answers = []
    for q in spec:
        if q["answer_name"] not in namespace:
            answers.append({"missing": True})
            continue
        value = namespace[q["answer_name"]]
        if q["kind"] == "function" and callable(value):
            try:
                import cloudpickle
                data = cloudpickle.dumps(value)
            except BaseException as error:
                answers.append({"error": "関数を採点のプロセスへ運べませんでした (" + type(error).__name__ + ")。"})
                continue
            if len(data) > limit:
                answers.append({"error": "関数 (と、それが使う大域変数) が大きすぎて運べません。"})
            else:
                answers.append({"function": base64.b64encode(data).decode("ascii")})
        else:
            try:
                answers.append({"value": codec.encode(value)})
            except codec.TooLarge as error:
                answers.append({"error": "答えの値が大きすぎて運べません (" + str(error) + ")。"})
            except BaseException as error:
                answers.append({"error": "答えを取り出せませんでした (" + type(error).__name__ + ")。"})
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(answers, f)

_rnncourse_extract(__SPEC__, __OUT__, __LIMIT__)
del _rnncourse_extract
'''


def _kernelspec(folder: Path, box: KernelBox, workdir: Path, conn: Path) -> Path:
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "rnncourse.classroom.grading.kernel", "--memory-mb", str(box.memory_mb), "-f", "{connection_file}"]
    env: dict[str, str] = {}
    if box.layout is not None:
        layout = box.layout.plus(writable=[(str(conn), str(conn)), (str(workdir), WORKDIR_IN_BOX)])
        argv = sandbox.wrap(argv, layout, chdir=WORKDIR_IN_BOX, tmp_mb=min(box.memory_mb, KERNEL_TMP_MB))
    else:
        env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    spec = {
        "argv": argv,
        "display_name": "rnncourse grader",
        "language": "python",
        "env": env,
        "interrupt_mode": "message",  # 箱の外から箱の中のプロセスにシグナルは届かないので、メッセージで中断する
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return folder / "kernels"


def _client(nb: Any, workdir: Path, kernels: Path, conn: Path, cell_timeout: float):
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient
    from traitlets import default

    class GraderKernelManager(AsyncKernelManager):
        """一時フォルダのカーネル定義だけを見て、Unix ソケットで話すカーネルマネージャ。"""

        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):  # type: ignore[no-untyped-def]
            return KernelSpecManager(kernel_dirs=[str(kernels)])

        @default("transport")
        def _transport_default(self):  # type: ignore[no-untyped-def]
            return "ipc"

        @default("ip")
        def _ip_default(self):  # type: ignore[no-untyped-def]
            return str(conn / "kernel")

        @default("connection_file")
        def _connection_file_default(self):  # type: ignore[no-untyped-def]
            return str(conn / "kernel.json")

    class QuietClient(NotebookClient):
        """出力を保存しない (メガバイト単位の出力でも採点側のメモリを使わない)。"""

        def output(self, outs, msg, display_id, cell_index):  # type: ignore[no-untyped-def]
            return None

        def handle_comm_msg(self, outs, msg, cell_index):  # type: ignore[no-untyped-def]
            return None  # ウィジェットの状態を覚えない (大量の comm メッセージでも採点側のメモリは増えない)

    return QuietClient(
        nb,
        kernel_name=KERNEL_NAME,
        kernel_manager_class=GraderKernelManager,
        timeout=int(cell_timeout),
        allow_errors=True,
        interrupt_on_timeout=True,  # 時間切れのセルは中断して次へ (中断を無視するセルは全体の制限時間で止まる)
        error_on_timeout={"ename": "TimeoutError", "evalue": "制限時間を超えました", "traceback": []},
        record_timing=False,
        store_widget_state=False,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(workdir)}},
    )


def _spec(questions: list[Question]) -> list[dict[str, str]]:
    return [
        {"answer_name": q.answer_name, "kind": "function" if isinstance(q, FunctionQuestion) else "value"}
        for q in questions
    ]


def _responds(client, seconds: int = 5) -> bool:
    """中断のあと、カーネルが新しいセル (何もしない) を ``seconds`` 秒以内に実行できるか。"""
    import nbformat

    client.nb.cells.append(nbformat.v4.new_code_cell("pass"))
    client.timeout = seconds
    started = time.monotonic()
    try:
        client.execute_cell(client.nb.cells[-1], len(client.nb.cells) - 1, store_history=False)
    finally:
        client.nb.cells.pop()
    return time.monotonic() - started < seconds


def run_notebook(
    nb: Any, questions: list[Question], box: KernelBox, folder: Path, cell_timeout: float, deadline: float,
    total: float,
) -> tuple[tuple[str, str] | None, list[int], Path]:
    """セルを順に実行し、最後に答えを書き出させる。

    戻り値は (失敗なら (status, message)、制限時間で中断したセルの番号、答えのファイルの場所)。
    返るときにはカーネルは止まっている (箱なら箱ごと、中のプロセスはすべて消えている)。
    """
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    workdir, conn = folder / "work", folder / "conn"
    workdir.mkdir()
    conn.mkdir(mode=0o700)
    kernels = _kernelspec(folder, box, workdir, conn)
    client = _client(nb, workdir, kernels, conn, cell_timeout)
    answers_path = workdir / ANSWERS_NAME
    out_path = f"{WORKDIR_IN_BOX}/{ANSWERS_NAME}" if box.layout is not None else str(answers_path)
    interrupted: list[int] = []
    over = ("timeout", f"採点全体の制限時間 {total:g} 秒を超えました (答えの取り出しを含む)。")
    extraction_over = ("timeout", f"答えを取り出す処理が、採点全体の制限時間 {total:g} 秒の中で終わりませんでした。")

    def remaining() -> float:
        return deadline - time.monotonic()

    with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            if cell.get("cell_type") != "code":
                continue
            if remaining() <= 1:
                return over, interrupted, answers_path
            client.timeout = int(max(1, min(cell_timeout, remaining())))
            started = time.monotonic()
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                message = f"セル {index + 1} の実行中にカーネルが止まりました (メモリの使いすぎや os._exit など)。"
                return ("error", message), interrupted, answers_path
            except CellTimeoutError:
                if remaining() <= 1:
                    return over, interrupted, answers_path
                message = f"セル {index + 1} が制限時間 {client.timeout} 秒以内に終わらず、中断もできませんでした (無限ループ?)。"
                return ("timeout", message), interrupted, answers_path
            if time.monotonic() - started >= client.timeout:
                interrupted.append(index + 1)
            if remaining() <= 1:
                return over, interrupted, answers_path
        if interrupted and not _responds(client, int(max(1, min(5, remaining())))):
            cells = ", ".join(str(i) for i in interrupted)
            return ("timeout", f"セル {cells} が制限時間を超え、中断しても止まりませんでした (無限ループ?)。"), interrupted, answers_path
        code = _EXTRACT.replace("__SPEC__", repr(_spec(questions))).replace("__OUT__", repr(out_path))
        code = code.replace("__LIMIT__", str(MAX_FUNCTION_BYTES))
        client.timeout = int(max(1, remaining()))
        nb.cells.append(nbformat.v4.new_code_cell(code))  # 採点用の複製 (メモリ上) にだけ足す
        started = time.monotonic()
        try:
            client.execute_cell(nb.cells[-1], len(nb.cells) - 1, store_history=False)
        except DeadKernelError:
            return ("error", "答えを取り出している間にカーネルが止まりました。"), interrupted, answers_path
        except CellTimeoutError:
            return extraction_over, interrupted, answers_path
        if time.monotonic() - started >= client.timeout:
            return extraction_over, interrupted, answers_path
    return None, interrupted, answers_path
