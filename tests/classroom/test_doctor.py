"""rnncourse.classroom.doctor: 足りないものが失敗 ([NG]) と直し方になり、終了コードに表れること。

環境を調べる probe_* 関数を差し替えて、どの環境でも同じ結果になるようにする (速い)。
"""

import io
import re
from pathlib import Path

import pytest

from rnncourse.classroom import doctor
from rnncourse.classroom.doctor import (
    INSTALL_COMMAND, CheckResult, check_japanese_font, check_jupyter_kernel, check_package,
    check_pinned_version, check_python, print_report, run_checks,
)

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]

GOOD_VERSIONS = {
    "numpy": "2.4.6",
    "torch": "2.13.0+cpu",
    "matplotlib": "3.11.2",
    "ipywidgets": "8.1.9",
    "jupyterlab": "4.6.6",
    "matplotlib_fontja": "1.1.0",
    "ipykernel": "7.4.0",
}


@pytest.fixture
def fake_env(monkeypatch):
    """すべてそろった環境を装い、個々のテストが一部を壊せるようにする。"""
    versions = dict(GOOD_VERSIONS)
    state = {"versions": versions, "font": (True, "IPAexGothic (ipaexg.ttf)"), "kernel": (["python", "-m", "ipykernel_launcher"], "")}

    def fake_module(module, distribution=None):
        version = state["versions"].get(module)
        return (version, "") if version else (None, f"ModuleNotFoundError: No module named '{module}'")

    monkeypatch.setattr(doctor, "probe_python_version", lambda: (3, 11, 7))
    monkeypatch.setattr(doctor, "probe_module", fake_module)
    monkeypatch.setattr(doctor, "probe_japanese_font", lambda: state["font"])
    monkeypatch.setattr(doctor, "probe_kernel_argv", lambda name="python3": state["kernel"])
    return state


def report(results):
    out = io.StringIO()
    code = print_report(results, file=out)
    return code, out.getvalue()


def by_name(results, name):
    (result,) = [r for r in results if r.name == name]
    return result


def test_everything_present_passes(fake_env):
    code, text = report(run_checks())
    assert code == 0
    assert "[NG]" not in text and "[注意]" not in text
    assert "すべてそろっています" in text


@pytest.mark.parametrize("module, label", [("torch", "PyTorch"), ("numpy", "NumPy"), ("ipywidgets", "ipywidgets")])
def test_missing_package_fails_with_fix(fake_env, module, label):
    del fake_env["versions"][module]
    results = run_checks()
    failed = by_name(results, label)
    assert not failed.ok and failed.required
    assert "インポートできません" in failed.detail and INSTALL_COMMAND in failed.fix
    code, text = report(results)
    assert code == 1
    assert f"[NG] {label}:" in text and "直し方:" in text and INSTALL_COMMAND in text
    assert "足りません" in text


def test_missing_jupyterlab_only_warns(fake_env):
    del fake_env["versions"]["jupyterlab"]
    code, text = report(run_checks())
    assert code == 0
    assert "[注意] JupyterLab" in text


def test_missing_japanese_font_fails(fake_env):
    fake_env["font"] = (False, "フォント DejaVu Sans には日本語の字形がありません (10 文字が欠けました)")
    results = run_checks()
    font = by_name(results, "日本語フォント (matplotlib)")
    assert not font.ok and "force-reinstall matplotlib-fontja" in font.fix
    assert report(results)[0] == 1


def test_missing_fontja_suggests_install(fake_env):
    del fake_env["versions"]["matplotlib_fontja"]
    fake_env["font"] = (False, "インポートできません")
    font = by_name(run_checks(), "日本語フォント (matplotlib)")
    assert not font.ok and "matplotlib-fontja" in font.fix and INSTALL_COMMAND in font.fix


def test_missing_kernel_fails(fake_env):
    fake_env["kernel"] = (None, "カーネル python3 がありません (見つかったカーネル: なし)")
    results = run_checks()
    kernel = by_name(results, "Jupyter カーネル (python3)")
    assert not kernel.ok and "ipykernel install" in kernel.fix
    assert report(results)[0] == 1


def test_missing_ipykernel_fails(fake_env):
    del fake_env["versions"]["ipykernel"]
    kernel = by_name(run_checks(), "Jupyter カーネル (python3)")
    assert not kernel.ok and "ipykernel" in kernel.detail


def test_kernel_of_another_python_only_warns():
    results = check_jupyter_kernel(["/usr/bin/python3", "-m", "ipykernel_launcher"], "", "7.4.0", "/work/.venv/bin/python")
    assert [r.ok for r in results] == [True, False]
    assert not results[1].required and "--sys-prefix" in results[1].fix


def test_other_torch_version_only_warns(fake_env):
    fake_env["versions"]["torch"] = "2.12.1"
    results = run_checks()
    pin = by_name(results, "PyTorch の版 (constraints.txt)")
    assert not pin.ok and not pin.required and "2.13.0" in pin.detail
    code, text = report(results)
    assert code == 0 and "[注意] PyTorch の版" in text


def test_old_python_fails():
    assert not check_python((3, 9, 18)).ok
    assert "3.10" in check_python((3, 9, 18)).fix
    assert check_python((3, 10, 0)).ok and check_python((3, 13, 1)).ok


def test_version_comparisons():
    assert check_package("NumPy", "1.26.0", minimum="1.26").ok
    assert check_package("NumPy", "2.0.0rc1", minimum="1.26").ok
    assert not check_package("NumPy", "1.25.2", minimum="1.26").ok
    assert not check_package("PyTorch", "1.13.1", minimum="2.2").ok
    assert check_pinned_version("PyTorch", "2.13.0+cpu", "2.13.0").ok
    assert check_pinned_version("PyTorch", "2.13.0", "2.13.0").ok
    assert not check_pinned_version("PyTorch", "2.13.1", "2.13.0").ok
    assert check_pinned_version("NumPy", "2.4.6", "2.4.*").ok
    assert not check_pinned_version("NumPy", "2.40.0", "2.4.*").ok
    assert check_pinned_version("NumPy", None, "2.4.*").ok  # 入っていなければ比べない (別の項目が [NG] になる)


def test_results_are_plain_dataclasses():
    result = check_japanese_font(True, "IPAexGothic (ipaexg.ttf)", "1.1.0")
    assert isinstance(result, CheckResult) and result.ok and result.fix == ""


def test_tables_agree_with_pyproject_and_constraints():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lower = {}
    for text in project["dependencies"] + [d for deps in project["optional-dependencies"].values() for d in deps]:
        requirement = Requirement(text)
        for spec in requirement.specifier:
            if spec.operator == ">=":
                lower[requirement.name] = spec.version
    lower["python"] = project["requires-python"].removeprefix(">=")
    for name, minimum in doctor.MINIMUM_VERSIONS.items():
        assert lower[name] == minimum, f"doctor の下限 {name}>={minimum} が pyproject.toml ({lower[name]}) と違います"

    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = re.split(r"==", line)
            pins[name.strip()] = version.strip()
    assert {"torch", "numpy", "matplotlib"} <= set(doctor.PINNED_VERSIONS)
    for name, version in doctor.PINNED_VERSIONS.items():
        assert pins.get(name) == version, f"doctor の {name}=={version} が constraints.txt ({pins.get(name)}) と違います"
