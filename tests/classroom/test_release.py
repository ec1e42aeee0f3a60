import subprocess
import sys
from pathlib import Path

import pytest

from rnncourse.classroom.cli import main
from rnncourse.classroom.release import ReleaseError, release

ROOT = Path(__file__).resolve().parents[2]


def test_bundle_has_notebooks_exercises_readme_and_no_solutions(tmp_path):
    out = tmp_path / "bundle"
    release(out, source=ROOT)
    assert sorted(p.name for p in (out / "exercises").iterdir()) == sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert (out / "notebooks" / "00_introduction.ipynb").is_file()
    assert not (out / "solutions").exists()
    assert "学習者用" in (out / "README.md").read_text(encoding="utf-8")
    assert (out / ".rnncourse-student").is_file()


def test_one_chapter(tmp_path):
    out = tmp_path / "bundle"
    release(out, source=ROOT, chapter="02")
    assert [p.name for p in (out / "exercises").iterdir()] == ["02_forward_pass.ipynb"]
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["00_introduction.ipynb", "02_forward_pass.ipynb"]


def test_refuses_non_empty_outdir_unless_forced(tmp_path):
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "mine.txt").write_text("先生のメモ", encoding="utf-8")
    with pytest.raises(ReleaseError, match="--force"):
        release(out, source=ROOT)
    release(out, source=ROOT, force=True)
    assert (out / "mine.txt").read_text(encoding="utf-8") == "先生のメモ"


@pytest.mark.parametrize("chapter, words", [("3", "2 桁"), ("99", "演習")])
def test_bad_chapter(tmp_path, chapter, words):
    with pytest.raises(ReleaseError, match=words):
        release(tmp_path / "b", source=ROOT, chapter=chapter)


def test_wrong_source(tmp_path):
    with pytest.raises(ReleaseError, match="notebooks/"):
        release(tmp_path / "b", source=tmp_path)


def test_solution_is_hidden_inside_the_bundle(tmp_path):
    out = tmp_path / "bundle"
    release(out, source=ROOT, chapter="02")
    code = "from rnncourse.exercises import ch02; ch02.q1.solution(); ch02.q1.hint(1)"
    run = subprocess.run([sys.executable, "-c", code], cwd=out / "exercises", capture_output=True, text=True, check=True)
    assert "模範解答は見られません" in run.stdout and "ヒント 1/" in run.stdout
    outside = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "模範解答\n" in outside.stdout


def test_cli_release(tmp_path, capsys):
    assert main(["release", str(tmp_path / "b"), "--source", str(ROOT), "--chapter", "01"]) == 0
    assert "模範解答なし" in capsys.readouterr().out
    assert main(["release", str(tmp_path / "b"), "--source", str(ROOT)]) == 2
    assert "空ではありません" in capsys.readouterr().err
