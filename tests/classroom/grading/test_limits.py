"""制限時間 (``--timeout``) が答えの取り出しまで含めた 1 提出物の採点全体を縛ること、と ``--no-sandbox`` が
それでも守ること (採点の入力は新しい・制限時間・メモリ・採点側が止まらない・報告の無害化)。"""

from __future__ import annotations

import csv
import time

import nbformat
import pytest

from rnncourse.classroom.cli import main
from rnncourse.classroom.grading import GradingLimits, grade_all
from rnncourse.classroom.grading.batch import GRACE_S
from rnncourse.classroom.grading.sandbox import unavailable_reason
from tests.classroom.grading import attacks

from rnncourse.exercises import ch02

TIMEOUT = 20


def _write(folder, named):
    paths = []
    for name, nb in named:
        paths.append(folder / f"{name}.ipynb")
        nbformat.write(nb, paths[-1])
    return paths


def _slow_cells():
    return attacks.with_cells(attacks.exercise(), *["import time\ntime.sleep(8)"] * 4)


def _slow_extraction():
    # 関数を運ぶ (pickle する) ときに終わらない答え: 取り出しは採点全体の制限時間の中
    return attacks.small(
        "class Forever:\n"
        "    def __call__(self, *args):\n"
        "        return None\n"
        "    def __reduce__(self):\n"
        "        while True:\n"
        "            pass\n"
        "rnn_forward = Forever()"
    )


@pytest.mark.skipif(unavailable_reason() is not None, reason="bwrap が使えません")
def test_timeout_bounds_the_whole_submission_including_extraction(tmp_path):
    paths = _write(tmp_path, [("slow_cells", _slow_cells()), ("slow_extraction", _slow_extraction())])
    started = time.monotonic()
    rows = grade_all(paths, limits=GradingLimits(cell_timeout=10, notebook_timeout=TIMEOUT, memory_mb=1500), jobs=2)
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT + GRACE_S + 10, elapsed
    for path in paths:
        own = [r for r in rows if r.submission == str(path)]
        assert [r.status for r in own] == ["timeout"] * 6, own[0].message
        assert f"{TIMEOUT} 秒" in own[0].message


def test_no_sandbox_still_draws_fresh_inputs_bounds_time_and_survives_a_killed_worker(tmp_path, capsys):
    named = [
        ("correct", attacks.solution()),
        ("lookup", attacks.lookup_table_submission(ch02.q4)),
        ("copysrc", attacks.copied_reference_submission()),
        ("unbreakable", attacks.with_cells(
            attacks.exercise(),
            "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
        )),
        # 箱がないので、カーネルの親 (補助プロセス) は殺せる。それでもほかの提出物は採点される
        ("kill_parent", attacks.with_cells(attacks.exercise(), "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")),
        ("=cmd", attacks.exercise()),
    ]
    paths = _write(tmp_path, named)
    out = tmp_path / "report.csv"
    argv = ["grade", *map(str, paths), "--out", str(out), "--timeout", "60", "--cell-timeout", "10", "--jobs", "2",
            "--memory-mb", "1500", "--no-sandbox"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "--no-sandbox" in captured.err and "守られないもの" in captured.err
    by_name = {}
    with open(out, encoding="utf-8-sig", newline="") as file:
        for row in csv.DictReader(file):
            by_name.setdefault(row["submission"].rsplit("/", 1)[-1], []).append(row["status"])
    assert by_name["correct.ipynb"] == ["correct"] * 6
    assert by_name["lookup.ipynb"][3] == "incorrect"
    assert by_name["copysrc.ipynb"][3:5] == ["incorrect", "incorrect"]  # 模範解答の写し (指紋は箱なしでも比べる)
    assert by_name["unbreakable.ipynb"] == ["timeout"] * 6
    assert set(by_name["kill_parent.ipynb"]) == {"error"}
    assert by_name["=cmd.ipynb"] == ["not_attempted"] * 6


def test_the_readme_states_the_limits_the_code_sets():
    """README の講師の節の数 (猶予、/tmp と 1 ファイルの大きさ、補助プロセスのメモリ) がコードと合っている。"""
    from rnncourse.classroom.grading.batch import GRACE_S
    from rnncourse.classroom.grading.execution import KERNEL_TMP_MB
    from rnncourse.classroom.grading.judge import JUDGE_TMP_MB
    from rnncourse.classroom.grading.kernel import MAX_FILE_MB
    from rnncourse.classroom.grading.worker import WORKER_MEMORY_MB

    readme = (attacks.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### 採点する"):readme.index("### 教室の規模で使う")]
    assert f"`--timeout` の {GRACE_S:g} 秒後" in section and f"`--timeout` + {GRACE_S:g} 秒" in section
    assert f"カーネルの箱で `--memory-mb` と {KERNEL_TMP_MB} MB" in section
    assert f"関数を呼ぶ箱で `--memory-mb` と {JUDGE_TMP_MB} MB" in section
    assert f"1 つ {MAX_FILE_MB} MB まで" in section and f"({WORKER_MEMORY_MB} MB)" in section
    assert "プロセス 1 つごと" in section and "プロセスの数には上限がありません" in section
