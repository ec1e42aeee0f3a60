"""issue 10 の攻撃を、箱 (bubblewrap) つきの採点がすべて防ぐことを確かめる。

攻撃の提出物はまとめて 1 度だけ (``--jobs 2`` で) 採点し、各テストはその行と、採点のあとの
機械の状態 (ファイル・プロセス・一時フォルダ) を見ます。攻撃が箱の中で成功したかどうかは、
「成功したら演習 2 が正解になる」探り (``attacks.probe``) で外から確かめます。
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from rnncourse.exercises import ch02
from rnncourse.exercises import questions as questions_module
from rnncourse.classroom.grading import GradingLimits, grade_all, summary_table, write_feedback, write_report
from rnncourse.classroom.grading.sandbox import unavailable_reason
from tests.classroom.grading import attacks

pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=f"bwrap が使えません: {unavailable_reason()}")

LIMITS = GradingLimits(cell_timeout=20, notebook_timeout=120, memory_mb=3000)
MARKER = "rnncourse-test-detached-7f3a"
SECRET = "rnncourse-test-secret-91c2"


def _submissions(folder: Path):
    classmate = folder / "classmate.ipynb"
    yield "classmate", attacks.solution()
    yield "starter", attacks.exercise()
    # 1. 写す: 期待値・模範解答・判定規則を使う
    yield "copy", attacks.with_cells(
        attacks.exercise(),
        "import rnncourse.rnn\n"
        "for q in (ch02.q1, ch02.q2, ch02.q3):\n"
        "    try:\n"
        "        globals()[q.answer_name] = q.expected\n"
        "    except AttributeError:\n"
        "        pass\n"
        "try:\n"
        "    rnn_step_forward = ch02.q4.reference\n"
        "except AttributeError:\n"
        "    pass\n"
        "rnn_forward = rnncourse.rnn.rnn_forward\n"
        "for c in np.round(np.arange(0.5, 2.01, 0.1), 1):\n"
        "    if ch02.q6.evaluate(float(c)):\n"
        "        rho_star = float(c)\n"
        "        break",
    )
    yield "wraps", attacks.small(
        "import rnncourse.nn.rnn as R\n"
        "def rnn_step_forward(*args):\n"
        "    return R.rnn_step_forward(*args)",
        "from rnncourse.nn.rnn import rnn_forward as _forward\n"
        "def rnn_forward(x, h0, W_xh, W_hh, b_h):\n"
        "    h, cache = _forward(x, h0, W_xh, W_hh, b_h)\n"
        "    return h, cache",
    )
    yield "lookup", attacks.lookup_table_submission(ch02.q4)
    # 模範解答のソースやコードを写す: inspect.getsource を exec したもの、__code__ から作った関数 (両方の問題で両方)
    yield "copysrc", attacks.copied_reference_submission()
    yield "copysrc_swapped", attacks.copied_reference_submission(swapped=True)
    # 2. 答えのファイルを偽る: post_run_cell のフックと、globals という名前の関数
    yield "forge_hook", attacks.with_cells(
        attacks.exercise(),
        "import base64, glob, json, os\n"
        "def _forge(result=None):\n"
        "    import cloudpickle, rnncourse.nn.rnn as R\n"
        "    from rnncourse.classroom.grading import codec\n"
        "    values = [codec.encode(getattr(q, 'expected', None)) for q in (ch02.q1, ch02.q2, ch02.q3)]\n"
        "    funcs = [base64.b64encode(cloudpickle.dumps(f)).decode() for f in (R.rnn_step_forward, R.rnn_forward)]\n"
        "    answers = [{'value': v} for v in values] + [{'function': f} for f in funcs] + [{'value': None}]\n"
        "    for path in glob.glob('/submission/.rnncourse-*') + glob.glob('/tmp/**/*.json', recursive=True):\n"
        "        with open(path, 'w') as f:\n"
        "            json.dump(answers, f)\n"
        "get_ipython().events.register('post_run_cell', _forge)",
    )
    yield "globals", attacks.with_cells(
        attacks.exercise(),
        "import rnncourse.nn.rnn\n"
        "def globals():\n"
        "    return {'shapes': getattr(ch02.q1, 'expected', None), 'rnn_forward': rnncourse.nn.rnn.rnn_forward}",
    )
    # 3. 採点側のパッケージを書き換える
    yield "write_package", attacks.probe(
        "ok",
        f"import rnncourse.exercises.questions as Q\n"
        f"try:\n"
        f"    with open(Q.__file__, 'a') as f:\n"
        f"        f.write('\\n# 改ざん\\n')\n"
        f"    ok = True\n"
        f"except OSError:\n"
        f"    ok = False",
    )
    # 4. 祖先のプロセスから --out やほかの提出物を知り、採点のあとまで残るプロセスを置く
    yield "ancestors", attacks.probe(
        "seen",
        "import os\n"
        "seen = False\n"
        "for p in os.listdir('/proc'):\n"
        "    if p.isdigit():\n"
        "        try:\n"
        "            line = open(f'/proc/{p}/cmdline', 'rb').read()\n"
        "        except OSError:\n"
        "            continue\n"
        "        seen = seen or b'pytest' in line or b'grading.worker' in line or b'classmate' in line",
    )
    yield "detached", attacks.probe(
        "False",
        "import os, subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(0.2)', '{MARKER}'],\n"
        "                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        f"    os.execv(sys.executable, [sys.executable, '-c', 'import time\\nwhile True: time.sleep(0.2)', '{MARKER}'])",
    )
    # 5. ほかの提出物・その答え・元のファイル・講師の環境変数
    yield "others", attacks.probe(
        "seen",
        "import glob, os\n"
        f"seen = os.path.exists({str(classmate)!r}) or len(glob.glob('/tmp/**/rnncourse-grade-*/s*', recursive=True)) > 1\n"
        "for path in glob.glob('/tmp/**/work/*', recursive=True) + glob.glob('/tmp/**/*.ipynb', recursive=True):\n"
        "    try:\n"
        "        open(path, 'w').close()\n"
        "    except OSError:\n"
        "        pass\n"
        f"try:\n"
        f"    open({str(classmate)!r}, 'w').close()\n"
        f"except OSError:\n"
        f"    pass",
    )
    yield "environment", attacks.probe(
        f"any({SECRET!r} in v for v in os.environ.values()) or len(socket.if_nameindex()) > 1",
        "import os, socket",
    )
    # 後始末に講師のファイルの権限を変えさせる: 作業フォルダに講師のファイルへのリンクを置き、フォルダを書き込み禁止にする
    yield "cleanup_link", attacks.small(
        "import os\n"
        "os.makedirs('/submission/D', exist_ok=True)\n"
        f"os.symlink({str(folder / 'teacher_secret.txt')!r}, '/submission/D/L')\n"
        f"os.symlink({str(folder)!r}, '/submission/D/T')\n"
        "os.chmod('/submission/D', 0o500)\n"
        "os.chmod('/submission', 0o500)"
    )
    # 6. 採点を止める
    yield "kill_parent", attacks.with_cells(attacks.solution(), "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    yield "kill_all", attacks.with_cells(attacks.exercise(), "import os, signal\nos.kill(-1, signal.SIGKILL)")
    # 7. 採点側のメモリを使わせる
    yield "comm_flood", attacks.with_cells(
        attacks.solution(),
        "from ipykernel.comm import Comm\n"
        "comm = Comm(target_name='flood')\n"
        "blob = 'x' * (4 * 1024 * 1024)\n"
        "for i in range(150):\n"
        "    comm.send({'d': blob})",
    )
    yield "big_answers", attacks.with_cells(
        attacks.solution(), "shapes = [np.ones(999_999) for _ in range(20)]"
    )
    # 8. 報告を汚す
    yield "=1+1", attacks.exercise()
    yield "injection", attacks.small(
        "def rnn_step_forward(*args):\n"
        "    raise ValueError('\\n# 採点結果: 正解 6 / 6 問\\n<script>alert(1)</script> | x |')"
    )
    mixed = attacks.solution()
    mixed.metadata["rnncourse"] = {"chapter": "01"}
    yield "metadata_mismatch", mixed
    yield "chapter1", nbformat.read(attacks.ROOT / "solutions" / "01_sequence_data.ipynb", as_version=4)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    teacher_file = folder / "teacher_secret.txt"
    teacher_file.write_text("講師のファイル", encoding="utf-8")
    teacher_file.chmod(0o600)
    folder.chmod(0o750)
    paths = {}
    for name, nb in _submissions(folder):
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(nb, paths[name])
    digests = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in paths.items()}
    package_digest = hashlib.sha256(Path(questions_module.__file__).read_bytes()).hexdigest()
    temp_root = Path(tempfile.mkdtemp(prefix="rg", dir="/tmp"))  # 短い場所 (Unix ソケットの名前の長さの上限)
    saved_tempdir, tempfile.tempdir = tempfile.tempdir, str(temp_root)
    os.environ["RNNCOURSE_TEST_SECRET"] = SECRET
    memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        rows = grade_all(list(paths.values()), limits=LIMITS, jobs=2)
    finally:
        tempfile.tempdir = saved_tempdir
        del os.environ["RNNCOURSE_TEST_SECRET"]
    memory_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    left_over = list(temp_root.iterdir())
    shutil.rmtree(temp_root, ignore_errors=True)
    by_name = {name: [r for r in rows if r.submission == str(p)] for name, p in paths.items()}
    return {
        "rows": rows, "by_name": by_name, "paths": paths, "digests": digests, "package_digest": package_digest,
        "left_over": left_over, "memory_growth_kb": memory_after - memory_before, "folder": folder,
    }


def statuses(graded, name):
    return [row.status for row in graded["by_name"][name]]


def test_honest_submissions_are_graded_normally(graded):
    assert statuses(graded, "classmate") == ["correct"] * 6
    assert statuses(graded, "starter") == ["not_attempted"] * 6


def test_expected_values_references_and_rules_cannot_be_copied(graded):
    rows = graded["by_name"]["copy"]
    assert "correct" not in [r.status for r in rows]
    assert rows[4].status == "incorrect" and "rnncourse.nn.rnn.rnn_forward" in rows[4].message  # 古い名前から取っても
    assert "模範解答" in rows[4].message


def test_wrapping_the_reference_earns_no_credit(graded):
    rows = graded["by_name"]["wraps"]
    assert [r.status for r in rows[3:5]] == ["incorrect", "incorrect"]
    assert "rnncourse.nn.rnn.rnn_step_forward" in rows[3].message and "rnncourse.nn.rnn.rnn_forward" in rows[4].message


@pytest.mark.parametrize("name", ["copysrc", "copysrc_swapped"])
def test_copying_the_reference_source_or_code_earns_no_credit(graded, name):
    rows = graded["by_name"][name]
    assert [r.status for r in rows[3:5]] == ["incorrect", "incorrect"], [r.message for r in rows[3:5]]
    for row, reference in zip(rows[3:5], ("rnncourse.nn.rnn.rnn_step_forward", "rnncourse.nn.rnn.rnn_forward")):
        assert reference in row.message and "写した" in row.message and "模範解答" in row.message, row.message


@pytest.mark.parametrize("name", ["copysrc", "copysrc_swapped"])
def test_the_copies_work_where_the_learner_checks_them(graded, name):
    """写しは学習者のノートでは正しく動く (採点で点にならないのは、写しと見分けたから)。"""
    namespace: dict = {}
    for cell in nbformat.read(graded["paths"][name], as_version=4).cells:
        exec(cell.source, namespace)
    assert ch02.q4.evaluate(namespace["rnn_step_forward"]) and ch02.q5.evaluate(namespace["rnn_forward"])


def test_a_lookup_table_of_the_visible_cases_passes_only_the_visible_cases(graded):
    namespace = {"np": __import__("numpy")}
    exec(nbformat.read(graded["paths"]["lookup"], as_version=4).cells[-1].source, namespace)
    assert ch02.q4.evaluate(namespace["rnn_step_forward"])  # 学習者のノートでは公開のケースで通る
    assert graded["by_name"]["lookup"][3].status == "incorrect"  # 採点の入力は新しい


@pytest.mark.parametrize("name", ["forge_hook", "globals"])
def test_forged_answers_earn_nothing(graded, name):
    assert "correct" not in statuses(graded, name)


def test_the_package_cannot_be_changed(graded):
    assert statuses(graded, "write_package")[1] == "incorrect"
    assert hashlib.sha256(Path(questions_module.__file__).read_bytes()).hexdigest() == graded["package_digest"]


@pytest.mark.parametrize("name", ["ancestors", "others", "environment"])
def test_the_grader_other_submissions_secrets_and_network_are_out_of_sight(graded, name):
    assert statuses(graded, name)[1] == "incorrect", graded["by_name"][name][1].message


def test_nothing_of_a_submission_outlives_its_grading(graded):
    time.sleep(0.5)
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if MARKER.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                survivors.append(pid)
        except OSError:
            pass
    assert survivors == []
    assert statuses(graded, "detached")[1] == "incorrect"


def test_other_students_files_and_rows_are_untouched(graded):
    for name, path in graded["paths"].items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == graded["digests"][name], name


def test_killing_the_parent_costs_only_that_submission(graded):
    assert statuses(graded, "kill_parent") == ["correct"] * 6  # 箱の中の「親」は箱の init で、殺せない
    assert statuses(graded, "kill_all") == ["not_attempted"] * 6  # kill(-1) は箱の中のほかのプロセスにしか届かない


def test_floods_do_not_grow_the_grader(graded):
    assert graded["memory_growth_kb"] < 300 * 1024
    assert set(statuses(graded, "comm_flood")) <= {"correct", "error"}
    rows = graded["by_name"]["big_answers"]
    assert rows[0].status == "error" and "大きすぎ" in rows[0].message
    assert [r.status for r in rows[1:]] == ["correct"] * 5


def test_temporary_folders_are_removed(graded):
    assert graded["left_over"] == []


def test_cleanup_does_not_follow_a_submissions_links(graded):
    """作業フォルダに置かれた講師のファイル (とフォルダ) へのリンクは、後始末でたどらない (権限を変えない)。
    root で動くと権限の検査がないので後始末の再試行を通らない: その道は test_batch.py が権限を落として確かめる。"""
    import stat

    assert stat.S_IMODE((graded["folder"] / "teacher_secret.txt").stat().st_mode) == 0o600
    assert stat.S_IMODE(graded["folder"].stat().st_mode) == 0o750


def test_rows_name_their_chapter_and_the_summary_groups_by_chapter(graded):
    assert {r.chapter for r in graded["by_name"]["chapter1"]} == {"01"}
    assert statuses(graded, "chapter1") == ["correct"] * 7
    table = summary_table(graded["rows"]).splitlines()
    assert table[0].split() == ["章", "問題", "正解", "提出数"]
    chapters = [line.split()[0] for line in table[1:]]
    assert chapters == sorted(chapters) and chapters[:7] == ["01"] * 7


def test_metadata_and_content_disagreeing_is_invalid(graded):
    rows = graded["by_name"]["metadata_mismatch"]
    assert {r.status for r in rows} == {"invalid"} and "第 01 章" in rows[0].message and "第 02 章" in rows[0].message


def test_report_cells_and_feedback_are_neutralised(graded, tmp_path):
    write_report(graded["rows"], tmp_path / "report.csv")
    text = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert "'" + str(graded["paths"]["=1+1"]) not in text  # 絶対パスは = で始まらない
    rows = [r for r in graded["rows"] if Path(r.submission).name == "=1+1.ipynb"]
    write_report([r.__class__("=1+1.ipynb", *list(r.__dict__.values())[1:]) for r in rows], tmp_path / "formula.csv")
    lines = (tmp_path / "formula.csv").read_text(encoding="utf-8-sig").splitlines()
    assert all(line.startswith(",'=1+1.ipynb,") for line in lines[1:])  # student 列 (空) の次が submission 列
    written = write_feedback(graded["by_name"]["injection"], tmp_path / "feedback")
    feedback = written[0].read_text(encoding="utf-8")
    assert "<script>" not in feedback and "&lt;script&gt;" in feedback
    assert [line for line in feedback.splitlines() if line.startswith("# ")] == [feedback.splitlines()[0]]
    assert "\\# 採点結果" in feedback and "\\| x \\|" in feedback
