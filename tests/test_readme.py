"""README の冒頭の 2 コマンドと CI (.ci/run) が食い違わないことを確かめる。"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README に最初の bash コードブロックがありません"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands():
    commands = readme_commands()
    assert len(commands) == 2, commands
    assert "constraints.txt" in commands[0] and ".[dev]" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_commands_as_written():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in readme_commands():
        assert command in ci, f".ci/run に README のコマンドがそのまま書かれていません: {command}"


def test_pytest_runs_notebooks_strictly():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "--nbval " in pyproject or '--nbval"' in pyproject
    assert "--nbval-lax" not in pyproject
    assert "--nbval-current-env" in pyproject
    for folder in ("notebooks", "exercises", "solutions"):
        assert f'"{folder}"' in pyproject


def test_ci_reruns_every_notebook_on_another_numeric_path():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "python -m rnncourse.classroom.numeric_path"
    assert command in ci, ".ci/run が別の数値計算の道筋でノートブックを再実行していません"
    assert command in readme, "README の著者の節に、別の道筋での再実行のコマンドがありません"
