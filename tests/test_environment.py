"""environment.yml (conda / Binder)・pyproject.toml・constraints.txt が食い違わないことを確かめる。"""

import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def constraints() -> dict[str, Requirement]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    reqs = [Requirement(line.split("#", 1)[0]) for line in lines if line.split("#", 1)[0].strip()]
    return {canonicalize_name(r.name): r for r in reqs}


def conda_packages(environment: dict) -> list[str]:
    return [dep for dep in environment["dependencies"] if isinstance(dep, str)]


def pip_lines(environment: dict) -> list[str]:
    sections = [dep["pip"] for dep in environment["dependencies"] if isinstance(dep, dict) and "pip" in dep]
    assert len(sections) == 1, "environment.yml には pip: の節がちょうど 1 つ必要です"
    return [line.strip() for line in sections[0]]


def project_dependencies(pyproject: dict) -> dict[str, list[Requirement]]:
    project = pyproject["project"]
    groups = {"runtime": [Requirement(d) for d in project["dependencies"]]}
    for extra, deps in project.get("optional-dependencies", {}).items():
        groups[extra] = [Requirement(d) for d in deps]
    return groups


def installed_extras(lines: list[str]) -> set[str] | None:
    """pip の行のうちプロジェクト自身 (``.`` / ``-e .[dev]``) を入れる行から extra を取り出す。無ければ None。"""
    for line in lines:
        target = re.sub(r"^(-e|--editable)\s+", "", line)
        match = re.fullmatch(r"\.(?:\[([\w,\s-]+)\])?", target)
        if match:
            return {e.strip() for e in (match.group(1) or "").split(",") if e.strip()}
    return None


def test_environment_basics(environment):
    assert environment["name"] == "rnncourse"
    assert environment["channels"] == ["conda-forge"]
    packages = conda_packages(environment)
    assert "pip" in packages
    assert "python=3.11" in packages


def test_pip_section_installs_project_with_dev_extra_and_constraints(environment):
    lines = pip_lines(environment)
    assert "-c constraints.txt" in lines
    assert installed_extras(lines) == {"dev"}
    # 依存の一覧は pyproject.toml だけに置く: pip の行はオプションとプロジェクト自身だけ
    for line in lines:
        assert line.startswith("-") or installed_extras([line]) is not None, line
    # conda は pip の行を 1 行ずつ requirements ファイルに書くので、1 行に 1 つのオプション
    for line in lines:
        assert line.count(" -") == 0, f"1 行に複数のオプションがあります: {line}"


def test_every_pyproject_dependency_is_covered(pyproject, environment):
    extras = installed_extras(pip_lines(environment)) or set()
    conda_names = {canonicalize_name(re.split(r"[=<>!~ ]", p, maxsplit=1)[0]) for p in conda_packages(environment)}
    groups = project_dependencies(pyproject)
    for group, requirements in groups.items():
        via_pip = installed_extras(pip_lines(environment)) is not None and (group == "runtime" or group in extras)
        for requirement in requirements:
            assert via_pip or canonicalize_name(requirement.name) in conda_names, (
                f"{group} の依存 {requirement} が environment.yml で入りません"
            )


def test_conda_python_satisfies_requires_python(pyproject, environment):
    (python,) = [p for p in conda_packages(environment) if re.match(r"python\s*[=<>]", p)]
    version = Version(re.sub(r"^python\s*=+\s*", "", python))
    assert version in SpecifierSet(pyproject["project"]["requires-python"])


def test_constraints_pin_torch(constraints):
    assert str(constraints["torch"].specifier) == "==2.13.0"
    for name in ("numpy", "matplotlib"):
        assert name in constraints


def test_pyproject_uses_lower_bounds_not_pins(pyproject):
    for group, requirements in project_dependencies(pyproject).items():
        for requirement in requirements:
            operators = {spec.operator for spec in requirement.specifier}
            assert not operators & {"==", "===", "~="}, f"{group}: {requirement} は版を固定しています (下限 >= だけに)"
            assert ">=" in operators, f"{group}: {requirement} に下限 (>=) がありません"


def test_constraints_respect_pyproject_lower_bounds(pyproject, constraints):
    # 固定版が pyproject の下限を満たさなければ、README のコマンドは解決できない
    for requirements in project_dependencies(pyproject).values():
        for requirement in requirements:
            pin = constraints.get(canonicalize_name(requirement.name))
            if pin is None:
                continue
            pinned = str(pin.specifier).lstrip("=").replace(".*", "")
            assert Version(pinned) in requirement.specifier, f"{pin} は {requirement} を満たしません"
