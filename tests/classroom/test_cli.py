"""コマンド rnncourse (rnncourse.classroom.cli.main) の終了コードと日本語の出力。"""

import argparse

import pytest

from rnncourse import __version__
from rnncourse.classroom import cli, doctor

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def test_doctor_passes_in_this_environment(capsys):
    code = cli.main(["doctor"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "講座を動かす環境を診断します" in out
    assert "[OK] PyTorch" in out and "[OK] 日本語フォント" in out and "[NG]" not in out


def test_doctor_exit_code_reflects_failures(monkeypatch, capsys):
    failing = doctor.CheckResult("PyTorch", False, "インポートできません", doctor.INSTALL_FIX)
    monkeypatch.setattr(doctor, "run_checks", lambda: [failing])
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "[NG] PyTorch" in out and "直し方" in out


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"rnncourse {__version__}"


def test_help_is_japanese(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("使い方: rnncourse")
    assert "サブコマンド" in out and "doctor" in out and "診断" in out
    assert "usage:" not in out and "show this help" not in out and "options:" not in out


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], "次の引数が必要です"),
        (["grade-everything"], "は選べません"),
        (["doctor", "--verbose"], "知らない引数です"),
    ],
)
def test_usage_errors_exit_2_in_japanese(capsys, argv, expected):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "使い方: rnncourse" in captured.err and "エラー:" in captured.err and expected in captured.err


def test_every_subcommand_has_a_handler():
    parser = cli.build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert "doctor" in subparsers.choices
    for name, sub in subparsers.choices.items():
        assert callable(sub.get_default("handler")), name


def test_console_script_is_declared():
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["rnncourse"] == "rnncourse.classroom.cli:main"
