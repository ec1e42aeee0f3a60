"""``rnncourse grade`` のコマンドとしての振る舞い: 並列でも同じ表、フィードバック、集計、終了コード。"""

import csv
import shutil
from pathlib import Path

import pytest

from rnncourse.classroom.cli import main

ROOT = Path(__file__).resolve().parents[3]
NAME = "02_forward_pass.ipynb"


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    shutil.copy(ROOT / "solutions" / NAME, folder / "alice.ipynb")
    shutil.copy(ROOT / "exercises" / NAME, folder / "bob.ipynb")
    (folder / "carol.ipynb").write_text("壊れたファイル", encoding="utf-8")
    return [str(folder / n) for n in ("alice.ipynb", "bob.ipynb", "carol.ipynb")]


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_report_is_the_same_with_one_or_two_jobs(submissions, tmp_path, capsys):
    assert main(["grade", *submissions, "--out", str(tmp_path / "one.csv"), "--timeout", "120"]) == 0
    printed = capsys.readouterr().out
    assert main(["grade", *submissions, "--out", str(tmp_path / "two.csv"), "--jobs", "2", "--timeout", "120"]) == 0
    one, two = read(tmp_path / "one.csv"), read(tmp_path / "two.csv")
    assert one == two
    assert list(one[0]) == ["student", "submission", "chapter", "question", "status", "points", "max_points", "message"]
    by_student, points = {}, {}
    for row in one:
        by_student.setdefault(Path(row["submission"]).stem, []).append(row["status"])
        points.setdefault(Path(row["submission"]).stem, []).append((row["points"], row["max_points"]))
    assert by_student == {"alice": ["correct"] * 6, "bob": ["not_attempted"] * 6, "carol": ["invalid"]}
    assert points == {"alice": [("1", "1")] * 6, "bob": [("0", "1")] * 6, "carol": [("0", "0")]}
    assert {row["student"] for row in one} == {""}  # nbgrader の submitted/<学習者>/<課題>/ の形ではない
    assert "演習 1" in printed and "正解" in printed
    feedback = (tmp_path / "one_feedback")
    assert sorted(p.name for p in feedback.iterdir()) == sorted(
        f"{s.strip('/').replace('/', '_')[:-6]}.md" for s in submissions
    )
    alice = next(feedback.glob("*alice.md")).read_text(encoding="utf-8")
    assert "正解 6 / 6 問" in alice


@pytest.mark.parametrize(
    "argv",
    [["grade"], ["grade", "a.ipynb"], ["grade", "a.ipynb", "--out", "r.csv", "--jobs", "0"],
     ["grade", "a.ipynb", "--out", "no/such/folder/r.csv"]],
)
def test_usage_errors_exit_2_in_japanese(argv, capsys):
    assert main(argv) == 2
    assert "エラー" in capsys.readouterr().err


def test_grade_refuses_without_bwrap_and_says_how_to_install(monkeypatch, tmp_path, capsys):
    from rnncourse.classroom.grading import sandbox

    monkeypatch.setattr(sandbox, "unavailable_reason", lambda: "bubblewrap (コマンド bwrap) が見つかりません。")
    assert main(["grade", "a.ipynb", "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "apt-get install bubblewrap" in err and "--no-sandbox" in err
    assert not (tmp_path / "r.csv").exists()


def test_chapter_must_be_two_digits(tmp_path, capsys):
    assert main(["grade", "a.ipynb", "--out", str(tmp_path / "r.csv"), "--chapter", "2"]) == 2
    assert "2 桁" in capsys.readouterr().err


def _remove_as_an_ordinary_user(root: Path) -> None:
    """``batch._remove(root)`` を、権限の検査を受ける利用者として実行する。root で動くテストでは権限の検査が
    効かない (フォルダの書き込み禁止を無視して消せてしまい、後始末の再試行の道を通らない) ので、権限
    (capabilities) をすべて落とした箱の中で実行する。"""
    import os
    import subprocess
    import sys

    from rnncourse.classroom.grading import batch, sandbox

    if os.geteuid() != 0:
        batch._remove(root)
        return
    if sandbox.unavailable_reason() is not None:
        pytest.skip(f"root で動いていて、権限を落とす箱 (bwrap) も使えません: {sandbox.unavailable_reason()}")
    package_dir = Path(batch.__file__).resolve().parents[2]
    layout = sandbox.python_layout(package_dir, root.parent / "etc").plus(writable=[(str(root.parent), str(root.parent))])
    code = f"from pathlib import Path\nfrom rnncourse.classroom.grading.batch import _remove\n_remove(Path({str(root)!r}))"
    done = subprocess.run(sandbox.wrap([sys.executable, "-c", code], layout, chdir="/tmp"), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_cleanup_never_follows_links_out_of_the_work_folder(tmp_path):
    """提出物が作業フォルダに講師のファイル (とフォルダ) へのリンクを置き、そのフォルダの書き込みや読み取りの
    権限を外しても、後始末はリンクの先の権限を変えず、一時フォルダはすべて消える。"""
    import os
    import stat

    victim = tmp_path / "teacher" / "grades.csv"
    victim.parent.mkdir()
    victim.write_text("秘密", encoding="utf-8")
    victim.chmod(0o600)
    victim.parent.chmod(0o750)
    root = tmp_path / "rnncourse-grade-x"
    locked = root / "s00000" / "work" / "D"
    locked.mkdir(parents=True)
    (locked / "L").symlink_to(victim)
    (locked / "T").symlink_to(victim.parent)
    (locked / "file").write_text("x", encoding="utf-8")
    unreadable = root / "s00000" / "work" / "E"
    (unreadable / "inner").mkdir(parents=True)
    (unreadable / "inner" / "L").symlink_to(victim)
    (unreadable / "inner").chmod(0o500)
    unreadable.chmod(0o000)
    locked.chmod(0o500)
    try:
        _remove_as_an_ordinary_user(root)
    finally:
        for path in (locked, unreadable, unreadable / "inner"):  # テストが失敗したときに片付けられるように
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, 0o700)
    assert not root.exists()
    assert stat.S_IMODE(victim.stat().st_mode) == 0o600
    assert stat.S_IMODE(victim.parent.stat().st_mode) == 0o750
    assert victim.read_text(encoding="utf-8") == "秘密"
