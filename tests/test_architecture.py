"""パッケージの層 (pyproject.toml の [tool.importlinter]) が守られていることを import-linter で確かめる。

層を破る import を書くと、このテストが「どのモジュールのどの行が、どの層を import したか」を示して失敗します。
層の決まりは README の「パッケージの組み立て」にあります。
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rnncourse import _moved

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("nn", "data", "models", "viz", "labs", "exercises", "classroom")


def test_import_contracts_are_kept(capsys, monkeypatch):
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


def test_the_folder_tree_shows_the_layers():
    package = ROOT / "rnncourse"
    loose = sorted(p.name for p in package.glob("*.py") if p.name not in {"__init__.py", "shapes.py", "seeding.py", "_moved.py"})
    assert loose == [], f"rnncourse/ の直下には土台 (shapes, seeding) だけを置き、ほかは層のフォルダへ: {loose}"
    for layer in LAYERS:
        assert (package / layer / "__init__.py").is_file(), f"rnncourse/{layer}/__init__.py がありません"


@pytest.mark.parametrize("layer", [layer for layer in LAYERS if layer != "exercises"])
def test_every_layer_declares_what_it_exports(layer):
    import importlib

    module = importlib.import_module(f"rnncourse.{layer}")
    assert module.__all__, f"rnncourse.{layer} の __all__ が空です"
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == [], f"rnncourse.{layer}.__all__ にあるのに定義されていない名前: {missing}"


def test_tests_mirror_the_package_layout():
    for layer in LAYERS:
        assert (ROOT / "tests" / layer).is_dir(), f"tests/{layer}/ がありません (テストはパッケージと同じ構成にします)"


def _run(code: str, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": ""}
    return subprocess.run([sys.executable, *flags, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("old, new", sorted(_moved.MOVED.items()))
def test_old_module_paths_still_import_for_one_release(old, new):
    import importlib

    renamed = {"rnncourse.rnn_shapes": "rnn_layout"}  # 関数と同じ名前のモジュールは改名した
    assert renamed.get(old, old.rsplit(".", 1)[1]) == new.rsplit(".", 1)[1]
    assert new.split(".")[1] in LAYERS
    importlib.import_module(new)


def test_no_layer_exports_a_name_that_is_also_one_of_its_modules():
    """遅延読み込みの層で、公開する名前とモジュールの名前が同じだと、モジュールが先に読まれたときに名前が隠れる。"""
    import importlib
    import pkgutil

    for layer in LAYERS:
        package = importlib.import_module(f"rnncourse.{layer}")
        modules = {info.name for info in pkgutil.iter_modules(package.__path__)}
        assert not modules & set(getattr(package, "__all__", ())), f"rnncourse.{layer}: {modules & set(package.__all__)}"


def test_old_module_path_warns_with_the_new_path_and_is_the_same_module():
    result = _run(
        """
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from rnncourse.rnn import rnn_forward
            import rnncourse.lstm as old
        import rnncourse.nn.rnn, rnncourse.nn.lstm
        assert rnn_forward is rnncourse.nn.rnn.rnn_forward
        assert old is rnncourse.nn.lstm
        print([str(w.message) for w in caught if w.category is DeprecationWarning])
        """
    )
    assert result.returncode == 0, result.stderr
    assert "rnncourse.rnn は rnncourse.nn.rnn に移りました" in result.stdout
    assert "rnncourse.lstm は rnncourse.nn.lstm に移りました" in result.stdout


# 0.1 版の rnncourse.gradient_flow の __all__ (2 つの層に分かれたモジュール)
OLD_GRADIENT_FLOW = (
    "recurrent_matrix spectral_radius rescale_spectral_radius scalar_chain step_jacobian jacobian_products "
    "hidden_gradient_norms predicted_slope measured_slope state_gradient_norms REMEDIES remedy_classifier "
    "remedy_memory_accuracy train_sgd"
).split()


def test_a_split_module_keeps_every_old_public_name_at_its_old_path():
    result = _run(
        f"""
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from rnncourse.gradient_flow import {", ".join(OLD_GRADIENT_FLOW)}
        import rnncourse.nn.jacobian, rnncourse.labs.gradient_flow
        assert hidden_gradient_norms is rnncourse.nn.jacobian.hidden_gradient_norms
        assert train_sgd is rnncourse.labs.gradient_flow.train_sgd
        print([str(w.message) for w in caught if w.category is DeprecationWarning])
        """
    )
    assert result.returncode == 0, result.stderr
    assert "rnncourse.gradient_flow は rnncourse.labs.gradient_flow と rnncourse.nn.jacobian に移りました" in result.stdout


def test_old_module_path_fails_loudly_when_deprecations_are_errors():
    result = _run("import rnncourse.lstm", "-W", "error::DeprecationWarning")
    assert result.returncode != 0 and "rnncourse.nn.lstm" in result.stderr
