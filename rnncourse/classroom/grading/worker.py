"""提出物 1 つを採点する、使い捨ての補助プロセス (採点側のプロセスとカーネルのあいだ)。

    python -m rnncourse.classroom.grading.worker JOB.json

1. ノートブックを上限つきで読み、章と問題を決める (``submission.read_submission``)。
2. 箱の中の新しいカーネルでノートを実行し、答えを書き出させる (``execution.run_notebook``)。
   返るときにはカーネルの箱は消えている。
3. 関数の答えを、今ここで作った入力で、模範解答を隠した別の箱の中で呼ぶ (``judge.call_functions``)。
   模範解答の写しを見分ける指紋の表 (``fingerprint.reference_table``) も、ここで本物のパッケージから作って渡す。
4. 本物の判定器で判定し、行を JSON で ``JOB`` のフォルダの ``result.json`` に書く。

このプロセスにはメモリの上限があり、カーネルが大量のメッセージを送ってきても、落ちるのはこのプロセス
だけです (採点側のプロセスはその提出物を ``error`` にして続けます)。
"""

from __future__ import annotations

import json
import secrets
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

__all__ = ["main", "WORKER_MEMORY_MB", "RESULT_NAME", "PREPARED_NAME"]

#: この補助プロセスの仮想メモリの上限 (MB)。
WORKER_MEMORY_MB = 3072
RESULT_NAME = "result.json"
PREPARED_NAME = "prepared.json"
#: 運ばれた答えのファイルの大きさの上限。
MAX_ANSWERS_BYTES = 64 * 1024 * 1024


def _limit_self(megabytes: int) -> None:
    try:
        import resource
    except ImportError:
        return
    # ソフトな上限だけ: カーネルや箱は自分で上限を付け直す (採点側のコードしか動かないプロセスなので十分)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (megabytes * 1024 * 1024, hard))


def _grade(job: dict[str, Any], folder: Path) -> list[dict[str, Any]]:
    import numpy as np

    from rnncourse.exercises.questions import FunctionQuestion
    from rnncourse.classroom.grading import codec, execution, fingerprint, judge, sandbox
    from rnncourse.classroom.grading.files import read_limited, write_atomically
    from rnncourse.classroom.grading.submission import GradingLimits, judge_answers, read_submission

    limits = GradingLimits(**job["limits"])
    deadline = float(job["deadline"])  # 採点側のプロセスが提出物ごとに決めた締め切り (time.monotonic)
    submission = read_submission(job["path"], job.get("chapter"), limits)
    if submission.rows or submission.nb is None:
        return [asdict(row) for row in submission.rows]
    prepared = {"chapter": submission.chapter, "questions": [q.name for q in submission.questions]}
    write_atomically(folder / PREPARED_NAME, json.dumps(prepared, ensure_ascii=False))

    def rows(status: str, message: str) -> list[dict[str, Any]]:
        return [
            {"submission": submission.path, "chapter": submission.chapter, "question": q.name, "status": status,
             "message": message}
            for q in submission.questions
        ]

    layout = kernel_layout = None
    if job["sandbox"]:
        layout = sandbox.python_layout(job["package_dir"], folder / "etc")
        kernel_layout = layout.plus(read_only=[tuple(pair) for pair in job["views"]["kernel"]])
    questions = list(submission.questions)
    box = execution.KernelBox(kernel_layout, limits.memory_mb)
    failure, interrupted, answers_path = execution.run_notebook(
        submission.nb, questions, box, folder, limits.cell_timeout, deadline, limits.notebook_timeout
    )
    if failure is not None:
        return rows(*failure)
    data = read_limited(answers_path, MAX_ANSWERS_BYTES)
    try:
        answers = json.loads(data) if data is not None else None
    except (ValueError, RecursionError):
        answers = None
    if not isinstance(answers, list) or len(answers) != len(questions):
        return rows("error", "答えを取り出せませんでした (ノートの中で組み込み関数や json などを書き換えていませんか)。")

    rng = np.random.default_rng(secrets.randbits(128))  # 採点のたびに新しい入力
    cases: dict[int, tuple] = {}
    items, where = [], []
    copies = fingerprint.reference_table(questions)  # 模範解答の写しを見分ける指紋 (箱の外の本物から)
    for index, (question, answer) in enumerate(zip(questions, answers)):
        if isinstance(question, FunctionQuestion):
            cases[index] = question.draw_cases(rng) if question.draw_cases is not None else question.cases
            if isinstance(answer, dict) and isinstance(answer.get("function"), str):
                items.append(
                    {"function": answer["function"], "cases": [codec.encode(c.args) for c in cases[index]],
                     "timeout": question.timeout, "copies": copies}
                )
                where.append(index)
    timed_out: set[int] = set()
    if items:
        judge_layout = None
        if layout is not None:
            judge_layout = layout.plus(read_only=[tuple(pair) for pair in job["views"]["judge"][submission.chapter]])
        results = judge.call_functions(items, judge_layout, folder / "judge", limits.memory_mb, deadline)
        for k, index in enumerate(where):
            if k < len(results) and isinstance(results[k], dict):
                answers[index] = {
                    key: results[k][key] for key in ("calls", "reference", "copied", "used_by", "error") if key in results[k]
                }
            else:
                timed_out.add(index)
    note = ""
    if interrupted:
        cells = ", ".join(str(i) for i in interrupted)
        note = f"(注意: セル {cells} は制限時間 {limits.cell_timeout:g} 秒を超えたので中断しました。)"
    graded = [asdict(row) for row in judge_answers(submission, answers, cases, note)]
    for index in timed_out:
        graded[index]["status"] = "timeout"
        graded[index]["message"] = f"採点全体の制限時間 {limits.notebook_timeout:g} 秒の中で、関数を呼び終えられませんでした。"
    return graded


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    job_path = Path(args[0])
    folder = job_path.parent
    _limit_self(WORKER_MEMORY_MB)
    from rnncourse.classroom.grading.files import write_atomically

    job = json.loads(job_path.read_text(encoding="utf-8"))
    try:
        result: Any = _grade(job, folder)
    except MemoryError:
        return 3
    except Exception as error:  # カーネルが起動しないなど。採点側のプロセスがこの提出物を error にする
        result = {"crash": f"{type(error).__name__}: {str(error)[:300]}"}
    write_atomically(folder / RESULT_NAME, json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
