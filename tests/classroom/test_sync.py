"""exercises/ が solutions/ から作り直したものと一致していること (CI が同期を保証する)。"""

from pathlib import Path

from rnncourse.classroom.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_exercises_are_built_from_solutions(capsys):
    if not any((ROOT / "solutions").glob("*.ipynb")):
        assert not any((ROOT / "exercises").glob("*.ipynb")), "解答のない演習があります"
        return
    code = main(["build-exercises", "--check", "--solutions", str(ROOT / "solutions"), "--exercises", str(ROOT / "exercises")])
    assert code == 0, capsys.readouterr().out
