"""提出されたノートブック 1 つを採点する。

1. 元のファイルは読むだけ。一時フォルダの複製を、メモリ上限つきの新しいカーネルで上から順に実行する
   (セルごとと全体の制限時間つき。エラーのセルがあっても続ける。出力は保存しない)。
2. 最後に、各問題の答えの変数を取り出すセルを実行する。関数の答えは、採点側が決めたテストケースで
   その場で呼び、戻り値だけを JSON (``codec``) でファイルに書き出す。
3. 採点側のプロセスで、本物の判定器 (``rnncourse.exercises.chNN``) が判定する。

提出物の中で ``check`` や ``rnncourse`` や NumPy を書き換えても、それは学習者のカーネルの中だけの
ことで、判定は採点側のきれいなプロセスで行うので成績は変わりません。
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnncourse.exercises.feedback import CheckResult, Status
from rnncourse.exercises.learner_code import LearnerCall
from rnncourse.exercises.questions import FunctionQuestion, Question
from rnncourse.classroom.grading import codec
from rnncourse.classroom.grading.report import Row

__all__ = ["GradingLimits", "grade_submission", "detect_chapter", "chapter_questions"]

KERNEL_NAME = "rnncourse-grader"
_CHAPTER_IMPORT = re.compile(r"from\s+rnncourse\.exercises\s+import\s+ch(\d\d)\b")


@dataclass(frozen=True)
class GradingLimits:
    """採点の上限。時間は秒。"""

    cell_timeout: float = 60.0
    notebook_timeout: float = 300.0
    memory_mb: int = 4096
    max_file_mb: float = 50.0


def chapter_questions(chapter: str) -> list[Question]:
    """章 ``chapter`` ("02" など) の判定器の問題を順に返す。"""
    module = importlib.import_module(f"rnncourse.exercises.ch{chapter}")
    values = (getattr(module, name) for name in getattr(module, "__all__", ()))
    return [value for value in values if isinstance(value, Question)]


def detect_chapter(nb: Any) -> str | None:
    """ノートブックの章を、メタデータ ``rnncourse.chapter``、なければ判定器の import 文から読む。"""
    chapter = nb.get("metadata", {}).get("rnncourse", {}).get("chapter")
    if isinstance(chapter, str) and re.fullmatch(r"\d\d", chapter):
        return chapter
    for cell in nb.get("cells", []):
        match = _CHAPTER_IMPORT.search(cell.get("source", "") if isinstance(cell.get("source"), str) else "")
        if match:
            return match.group(1)
    return None


def _rows(submission: str, questions: list[Question], status: str, message: str) -> list[Row]:
    return [Row(submission, q.name, status, message) for q in questions]


def _question_spec(question: Question) -> dict[str, Any]:
    spec: dict[str, Any] = {"answer_name": question.answer_name, "kind": "value"}
    if isinstance(question, FunctionQuestion):
        spec.update(kind="function", timeout=question.timeout, cases=[codec.encode(c.args) for c in question.cases])
    return spec


_EXTRACT = '''
def _rnncourse_extract(spec, out_path):
    import json
    from rnncourse.classroom.grading import codec
    from rnncourse.exercises.learner_code import call_learner_function
    answers = []
    for q in spec:
        namespace = globals()
        if q["answer_name"] not in namespace:
            answers.append({{"missing": True}})
            continue
        value = namespace[q["answer_name"]]
        if q["kind"] == "function" and callable(value):
            calls = []
            for args in q["cases"]:
                call = call_learner_function(value, tuple(codec.decode(args)), timeout=q["timeout"])
                calls.append({{"value": codec.encode(call.value), "error": call.error,
                              "not_implemented": call.not_implemented, "timed_out": call.timed_out}})
                if call.error is not None or call.not_implemented or call.timed_out:
                    break
            answers.append({{"calls": calls}})
        else:
            answers.append({{"value": codec.encode(value)}})
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(answers, f)

_rnncourse_extract(json.loads({spec!r}), {out_path!r})
'''


def _judge(question: Question, answer: dict[str, Any]) -> CheckResult:
    if answer.get("missing"):
        return CheckResult(
            question.name, Status.NOT_ATTEMPTED, f"答えの {question.answer_name} が定義されていません (セルを消していませんか)。"
        )
    if "calls" in answer and isinstance(question, FunctionQuestion):
        calls = [
            LearnerCall(
                value=codec.decode(c.get("value")),
                error=c.get("error"),
                not_implemented=bool(c.get("not_implemented")),
                timed_out=bool(c.get("timed_out")),
            )
            for c in answer["calls"]
        ]
        if len(calls) < len(question.cases) and not any(c.error or c.not_implemented or c.timed_out for c in calls):
            return CheckResult(question.name, Status.ERROR, "すべてのテストケースを実行する前に止まりました。")
        return question.judge(calls)
    value = codec.decode(answer.get("value"))
    if isinstance(question, FunctionQuestion):
        early = question.precheck(value)
        return early if early is not None else CheckResult(question.name, Status.ERROR, "関数を取り出せませんでした。")
    return question.evaluate(value)


def _write_kernelspec(folder: Path, memory_mb: int) -> Path:
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "rnncourse.classroom.grading.kernel", "--memory-mb", str(memory_mb), "-f", "{connection_file}"]
    env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    spec = {"argv": argv, "display_name": "rnncourse grader", "language": "python", "env": env}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return folder / "kernels"


def _client(nb: Any, workdir: Path, kernels: Path, limits: GradingLimits):
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient
    from traitlets import default

    class GraderKernelManager(AsyncKernelManager):
        """一時フォルダのカーネル定義 (メモリ上限つき) だけを見るカーネルマネージャ。"""

        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):  # type: ignore[no-untyped-def]
            return KernelSpecManager(kernel_dirs=[str(kernels)])

    class QuietClient(NotebookClient):
        """出力を保存しない (メガバイト単位の出力でも採点側のメモリを使わない)。"""

        def output(self, outs, msg, display_id, cell_index):  # type: ignore[no-untyped-def]
            return None

    return QuietClient(
        nb,
        kernel_name=KERNEL_NAME,
        kernel_manager_class=GraderKernelManager,
        timeout=int(limits.cell_timeout),
        allow_errors=True,
        interrupt_on_timeout=True,  # 時間切れのセルは中断して次へ (中断を無視するセルは全体の制限時間で止まる)
        error_on_timeout={"ename": "TimeoutError", "evalue": "制限時間を超えました", "traceback": []},
        record_timing=False,
        store_widget_state=True,  # False だと Output ウィジェットで nbclient 0.11 が KeyError になる
        resources={"metadata": {"path": str(workdir)}},
    )


def _execute(
    client, nb: Any, questions: list[Question], limits: GradingLimits, answers_path: Path, interrupted: list[int]
) -> tuple[str, str] | None:
    """セルを順に実行し、最後に答えを ``answers_path`` に書き出させる。失敗したら (status, message)。

    制限時間で中断したセルの番号 (1 始まり) は ``interrupted`` に足す。
    """
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    deadline = time.monotonic() + limits.notebook_timeout
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.get("cell_type") != "code":
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 1:
                return "timeout", f"ノート全体の制限時間 {limits.notebook_timeout:g} 秒を超えました。"
            client.timeout = int(max(1, min(limits.cell_timeout, remaining)))
            started = time.monotonic()
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                return "error", f"セル {index + 1} の実行中にカーネルが止まりました (メモリの使いすぎや os._exit など)。"
            except CellTimeoutError:
                return "timeout", f"セル {index + 1} が制限時間 {client.timeout} 秒以内に終わりませんでした (無限ループ?)。"
            if time.monotonic() - started >= client.timeout:
                interrupted.append(index + 1)
            if deadline - time.monotonic() <= 1:
                return "timeout", f"ノート全体の制限時間 {limits.notebook_timeout:g} 秒を超えました (セル {index + 1} まで実行)。"
        if interrupted and not _responds(client):
            cells = ", ".join(str(i) for i in interrupted)
            return "timeout", f"セル {cells} が制限時間を超え、中断しても止まりませんでした (無限ループ?)。"
        spec = [_question_spec(q) for q in questions]
        extract = "import json\n" + _EXTRACT.format(spec=json.dumps(spec), out_path=str(answers_path))
        budget = sum(q.timeout * max(1, len(q.cases)) for q in questions if isinstance(q, FunctionQuestion))
        client.timeout = int(budget + 30)
        nb.cells.append(nbformat.v4.new_code_cell(extract))  # 採点用の複製 (メモリ上) にだけ足す
        started = time.monotonic()
        try:
            client.execute_cell(nb.cells[-1], len(nb.cells) - 1, store_history=False)
        except DeadKernelError:
            return "error", "答えを取り出している間にカーネルが止まりました。"
        except CellTimeoutError:
            return "timeout", "答えを取り出す処理が制限時間内に終わりませんでした。"
        if time.monotonic() - started >= client.timeout:
            return "timeout", "答えを取り出す処理が制限時間内に終わりませんでした。"
    return None


def _responds(client, seconds: int = 5) -> bool:
    """中断のあと、カーネルが新しいセル (何もしない) を ``seconds`` 秒以内に実行できるか。"""
    import nbformat

    client.nb.cells.append(nbformat.v4.new_code_cell("pass"))
    client.timeout = seconds
    started = time.monotonic()
    client.execute_cell(client.nb.cells[-1], len(client.nb.cells) - 1, store_history=False)
    client.nb.cells.pop()
    return time.monotonic() - started < seconds


def _run(nb: Any, questions: list[Question], limits: GradingLimits, submission: str) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="rnncourse-grade-") as tmp:
        workdir = Path(tmp) / "work"
        workdir.mkdir()
        kernels = _write_kernelspec(Path(tmp), limits.memory_mb)
        answers_path = Path(tmp) / "answers.json"
        client = _client(nb, workdir, kernels, limits)
        interrupted: list[int] = []
        failure = _execute(client, nb, questions, limits, answers_path, interrupted)  # 終わるとカーネルは止まる
        if failure is not None:
            return _rows(submission, questions, *failure)
        try:
            answers = json.loads(answers_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return _rows(
                submission, questions, "error",
                "答えを取り出せませんでした (ノートの中で組み込み関数や json などを書き換えていませんか)。",
            )
    if not isinstance(answers, list) or len(answers) != len(questions):
        return _rows(submission, questions, "error", "取り出した答えの形が正しくありません。")
    rows = []
    for question, answer in zip(questions, answers):
        try:
            result = _judge(question, answer if isinstance(answer, dict) else {})
        except Exception as error:  # 判定器の不具合でも一括採点は止めない
            result = CheckResult(question.name, Status.ERROR, f"判定中に予期しないエラーが起きました ({type(error).__name__})。")
        message = result.text()
        if interrupted:
            cells = ", ".join(str(i) for i in interrupted)
            message += f"\n(注意: セル {cells} は制限時間 {limits.cell_timeout:g} 秒を超えたので中断しました。)"
        rows.append(Row(submission, question.name, result.status.value, message))
    return rows


def grade_submission(path: str | Path, chapter: str | None = None, limits: GradingLimits = GradingLimits()) -> list[Row]:
    """提出物 ``path`` を採点して、問題ごとの行を返す。どんな提出物でも例外は送出しない。

    ``chapter`` ("02" など) を与えると、別の章のノートブックは ``invalid`` になります。
    """
    import nbformat

    path = Path(path)
    submission = str(path)
    if not path.is_file():
        return [Row(submission, "-", "invalid", "ファイルがありません。")]
    try:
        if path.stat().st_size > limits.max_file_mb * 1024 * 1024:
            return [Row(submission, "-", "invalid", f"ファイルが大きすぎます ({limits.max_file_mb:g} MB まで)。")]
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(nb)
    except (OSError, UnicodeDecodeError) as error:
        return [Row(submission, "-", "invalid", f"ファイルを読めません ({type(error).__name__})。")]
    except Exception:
        return [Row(submission, "-", "invalid", "ノートブック (.ipynb) として読めません。壊れた JSON ではありませんか。")]
    found = detect_chapter(nb)
    expected = chapter or found
    if expected is None:
        return [Row(submission, "-", "invalid", "どの章の演習か分かりません (from rnncourse.exercises import chNN がありません)。")]
    try:
        questions = chapter_questions(expected)
    except ImportError:
        return [Row(submission, "-", "invalid", f"第 {expected} 章の判定器がありません。")]
    if found != expected:
        what = f"第 {found} 章" if found else "どの章か分からない"
        return _rows(submission, questions, "invalid", f"{what}のノートブックです。第 {expected} 章の演習を提出してください。")
    try:
        return _run(nb, questions, limits, submission)
    except Exception as error:  # カーネルが起動しないなど。他の提出物の採点は続ける
        return _rows(submission, questions, "error", f"採点中にエラーが起きました ({type(error).__name__}: {error})。")
