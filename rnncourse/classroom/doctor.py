"""講座を動かす環境の診断 (``rnncourse doctor`` の中身)。

調べる (probe_*) 関数と、その結果を判定する (check_*) 純粋な関数に分かれています。
判定の結果はどれも :class:`CheckResult` で、:func:`print_report` が日本語で表示します::

    >>> result = check_package("NumPy", None, "ModuleNotFoundError: No module named 'numpy'", "1.26")
    >>> result.ok, result.required
    (False, True)
    >>> print(result.fix)
    リポジトリの一番上で仮想環境を有効にしてから実行: python -m pip install -c constraints.txt -e ".[dev]"

``print_report(run_checks())`` が全部の診断を実行して表示し、終了コード
(学習に必要なものがすべてそろっていれば 0、足りなければ 1) を返します。
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import warnings
from dataclasses import dataclass
from importlib import metadata
from typing import Sequence, TextIO

__all__ = [
    "CheckResult",
    "INSTALL_COMMAND",
    "MINIMUM_VERSIONS",
    "PINNED_VERSIONS",
    "probe_python_version",
    "probe_module",
    "probe_japanese_font",
    "probe_kernel_argv",
    "check_python",
    "check_package",
    "check_pinned_version",
    "check_japanese_font",
    "check_jupyter_kernel",
    "run_checks",
    "print_report",
]

#: README の 1 つ目のコマンドの pip の部分 (リポジトリの一番上で、仮想環境を有効にしてから実行する)。
INSTALL_COMMAND = 'python -m pip install -c constraints.txt -e ".[dev]"'
INSTALL_FIX = f"リポジトリの一番上で仮想環境を有効にしてから実行: {INSTALL_COMMAND}"

#: pyproject.toml の下限 (tests/test_doctor.py が pyproject.toml と一致することを確かめる)。
MINIMUM_VERSIONS: dict[str, str] = {
    "python": "3.10",
    "numpy": "1.26",
    "torch": "2.2",
    "matplotlib": "3.8",
    "matplotlib-fontja": "1.0",
    "ipywidgets": "8.0",
    "ipykernel": "6.29",
    "jupyterlab": "4.0",
}

#: constraints.txt の固定版。保存されたノートブックの出力はこの版で作られている。
PINNED_VERSIONS: dict[str, str] = {
    "torch": "2.13.0",
    "numpy": "2.4.*",
    "matplotlib": "3.11.*",
}

# 日本語フォントの確認に描く文字列 (ひらがな・カタカナ・漢字を含める)
_FONT_SAMPLE = "日本語のテスト・カナ"


@dataclass(frozen=True)
class CheckResult:
    """診断 1 項目の結果。

    ``required`` が False の項目は、失敗しても警告 ([注意]) を出すだけで終了コードに影響しません。
    """

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


# ---------------------------------------------------------------------------
# 版番号の小さな道具 (packaging に頼らない: matplotlib が無い環境でも動かすため)
# ---------------------------------------------------------------------------


def _release(version: str) -> tuple[int, ...]:
    """``"2.13.0+cpu"`` → ``(2, 13, 0)``。先頭の数字の並びだけを見る。"""
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", version)
    if match is None:
        return ()
    return tuple(int(part) for part in match.group(1).split("."))


def _at_least(version: str, minimum: str) -> bool:
    have, need = _release(version), _release(minimum)
    width = max(len(have), len(need))
    return have + (0,) * (width - len(have)) >= need + (0,) * (width - len(need))


def _matches_pin(version: str, pin: str) -> bool:
    """``pin`` は ``"2.13.0"`` (完全一致、ローカル版 +cpu などは無視) か ``"2.4.*"`` (前方一致)。"""
    have = _release(version)
    if pin.endswith(".*"):
        prefix = _release(pin[:-2])
        return have[: len(prefix)] == prefix
    need = _release(pin)
    width = max(len(have), len(need))
    return have + (0,) * (width - len(have)) == need + (0,) * (width - len(need))


# ---------------------------------------------------------------------------
# 調べる関数 (環境に触れるのはここだけ。テストではこれらを差し替える)
# ---------------------------------------------------------------------------


def probe_python_version() -> tuple[int, int, int]:
    """実行中の Python の版 (major, minor, micro)。"""
    return tuple(sys.version_info[:3])  # type: ignore[return-value]


def probe_module(module: str, distribution: str | None = None) -> tuple[str | None, str]:
    """``module`` をインポートして (版番号, "") を返す。できなければ (None, エラーの説明)。

    版番号はモジュールの ``__version__``、無ければ配布物 ``distribution`` のメタデータから取ります。
    """
    try:
        imported = importlib.import_module(module)
    except Exception as error:  # ImportError のほか、torch の DLL 読み込み失敗 (OSError) なども
        return None, f"{type(error).__name__}: {error}"
    version = getattr(imported, "__version__", None)
    if not isinstance(version, str):
        try:
            version = metadata.version(distribution or module)
        except metadata.PackageNotFoundError:
            version = "版不明"
    return version, ""


def probe_japanese_font() -> tuple[bool, str]:
    """matplotlib_fontja を読み込み、日本語を描いて字形の欠け (豆腐) が出ないかを調べる。

    戻り値は (日本語が描けるか, 説明)。説明には使われたフォントの名前か、欠けた文字を書く。
    """
    try:
        import matplotlib
        import matplotlib_fontja  # noqa: F401  (日本語フォントを登録し rcParams を設定する)
        from matplotlib import font_manager
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except Exception as error:
        return False, f"インポートできません ({type(error).__name__}: {error})"

    family = matplotlib.rcParams["font.family"]
    try:
        path = font_manager.findfont(font_manager.FontProperties(family=family))
        font_name = font_manager.get_font(path).family_name
    except Exception as error:
        return False, f"フォントを探せません ({type(error).__name__}: {error})"

    # pyplot を使わずに描く (バックエンドや開いている図に影響しない)
    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    figure.text(0.1, 0.5, _FONT_SAMPLE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.canvas.draw()
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if missing:
        return False, f"フォント {font_name} には日本語の字形がありません ({len(missing)} 文字が欠けました)"
    return True, f"{font_name} ({os.path.basename(path)})"


def probe_kernel_argv(name: str = "python3") -> tuple[list[str] | None, str]:
    """Jupyter のカーネル ``name`` の起動コマンド (argv) を返す。見つからなければ (None, 理由)。"""
    try:
        from jupyter_client.kernelspec import KernelSpecManager
    except Exception as error:
        return None, f"jupyter_client をインポートできません ({type(error).__name__}: {error})"
    try:
        manager = KernelSpecManager()
        specs = manager.find_kernel_specs()
        if name not in specs:
            found = ", ".join(sorted(specs)) or "なし"
            return None, f"カーネル {name} がありません (見つかったカーネル: {found})"
        return list(manager.get_kernel_spec(name).argv), ""
    except Exception as error:
        return None, f"カーネルの一覧を読めません ({type(error).__name__}: {error})"


# ---------------------------------------------------------------------------
# 判定する関数 (純粋: 調べた結果だけから CheckResult を作る)
# ---------------------------------------------------------------------------


def check_python(version: Sequence[int], minimum: str = MINIMUM_VERSIONS["python"]) -> CheckResult:
    """Python の版が下限以上か。"""
    text = ".".join(str(part) for part in version)
    if _at_least(text, minimum):
        return CheckResult("Python", True, f"{text} ({minimum} 以上が必要)")
    return CheckResult(
        "Python",
        False,
        f"{text} は古すぎます ({minimum} 以上が必要)",
        f"Python {minimum} 以上を入れ、その python3 で仮想環境を作り直してください "
        f"(例: python3.11 -m venv .venv)。そのあと {INSTALL_COMMAND}",
    )


def check_package(
    name: str,
    version: str | None,
    error: str = "",
    minimum: str | None = None,
    *,
    required: bool = True,
    purpose: str = "",
    fix: str = INSTALL_FIX,
) -> CheckResult:
    """パッケージ ``name`` がインポートでき、版が ``minimum`` 以上か。

    ``version`` が None ならインポートできなかったことを表し、``error`` にその理由を書きます。
    """
    suffix = f" ({purpose})" if purpose else ""
    if version is None:
        reason = f": {error}" if error else ""
        return CheckResult(name, False, f"インポートできません{reason}{suffix}", fix, required)
    if minimum is not None and version != "版不明" and not _at_least(version, minimum):
        return CheckResult(
            name, False, f"{version} は古すぎます ({minimum} 以上が必要){suffix}", fix, required
        )
    return CheckResult(name, True, f"{version}{suffix}", "", required)


def check_pinned_version(name: str, version: str | None, pin: str) -> CheckResult:
    """constraints.txt の固定版と同じか (違っても警告だけ)。"""
    label = f"{name} の版 (constraints.txt)"
    if version is None:
        return CheckResult(label, True, "未インストールのため比べません", "", False)
    shown_pin = pin.replace(".*", ".x")
    if _matches_pin(version, pin):
        return CheckResult(label, True, f"{version} は固定版 {shown_pin} と一致", "", False)
    return CheckResult(
        label,
        False,
        f"{version} は constraints.txt の {shown_pin} と違います。保存されたノートブックの出力は "
        f"{shown_pin} で作られているので、数値の表示が少し違ったり nbval のテストが失敗したりすることがあります",
        f"揃えるには {INSTALL_FIX}",
        False,
    )


def check_japanese_font(ok: bool, detail: str, fontja_version: str | None) -> CheckResult:
    """matplotlib で日本語が表示できるか。"""
    name = "日本語フォント (matplotlib)"
    if ok:
        return CheckResult(name, True, f"日本語を表示できます: {detail}")
    if fontja_version is None:
        fix = f"matplotlib-fontja が入っていません。{INSTALL_FIX}"
    else:
        fix = (
            "matplotlib-fontja を入れ直し (python -m pip install --force-reinstall matplotlib-fontja)、"
            "matplotlib のフォントキャッシュ (python -c \"import matplotlib; print(matplotlib.get_cachedir())\" "
            "で表示されるフォルダの fontlist-*.json) を消してから、もう一度試してください"
        )
    return CheckResult(name, False, f"日本語が表示できません: {detail}", fix)


def check_jupyter_kernel(
    argv: list[str] | None,
    reason: str,
    ipykernel_version: str | None,
    executable: str,
) -> list[CheckResult]:
    """Jupyter の python3 カーネルがあり、ipykernel が入っているか。

    カーネルが別の Python (この仮想環境の外) を指していれば、警告を 1 つ加えます。
    """
    name = "Jupyter カーネル (python3)"
    kernel_fix = f"{INSTALL_FIX} (ipykernel が入ります)。それでも無ければ: python -m ipykernel install --sys-prefix"
    if ipykernel_version is None:
        return [CheckResult(name, False, "ipykernel をインポートできません", kernel_fix)]
    if argv is None:
        return [CheckResult(name, False, reason or "カーネルが見つかりません", kernel_fix)]
    results = [CheckResult(name, True, f"あります (ipykernel {ipykernel_version})")]
    program = argv[0] if argv else ""
    if os.path.isabs(program) and os.path.normcase(os.path.abspath(program)) != os.path.normcase(
        os.path.abspath(executable)
    ):
        results.append(
            CheckResult(
                "カーネルの Python",
                False,
                f"python3 カーネルは {program} を使いますが、この診断は {executable} で動いています。"
                "ノートブックから rnncourse が見つからないことがあります",
                "この仮想環境を有効にしてから: python -m ipykernel install --sys-prefix "
                "(jupyter kernelspec list でカーネルの場所を確かめられます)",
                False,
            )
        )
    return results


# ---------------------------------------------------------------------------
# 全体
# ---------------------------------------------------------------------------

# (表示名, インポート名, 配布物名, 必須か, 用途)
_PACKAGES: tuple[tuple[str, str, str, bool, str], ...] = (
    ("NumPy", "numpy", "numpy", True, ""),
    ("PyTorch", "torch", "torch", True, ""),
    ("matplotlib", "matplotlib", "matplotlib", True, ""),
    ("ipywidgets", "ipywidgets", "ipywidgets", True, "ノートブックのスライダーなど"),
    ("JupyterLab", "jupyterlab", "jupyterlab", False, "jupyter lab で講座を開く場合に必要"),
)
_LABELS = {module: label for label, module, *_ in _PACKAGES}


def run_checks() -> list[CheckResult]:
    """すべての診断を実行して結果の一覧を返す。環境を調べるのはこのモジュールの ``probe_*`` 関数です。"""
    results = [check_python(probe_python_version())]
    versions: dict[str, str | None] = {}
    for label, module, dist, required, purpose in _PACKAGES:
        version, error = probe_module(module, dist)
        versions[module] = version
        results.append(
            check_package(
                label, version, error, MINIMUM_VERSIONS[dist], required=required, purpose=purpose
            )
        )
    for module, pin in PINNED_VERSIONS.items():
        results.append(check_pinned_version(_LABELS[module], versions[module], pin))

    fontja_version, _ = probe_module("matplotlib_fontja", "matplotlib-fontja")
    font_ok, font_detail = probe_japanese_font()
    results.append(check_japanese_font(font_ok, font_detail, fontja_version))

    ipykernel_version, _ = probe_module("ipykernel", "ipykernel")
    argv, reason = probe_kernel_argv()
    results.extend(check_jupyter_kernel(argv, reason, ipykernel_version, sys.executable))
    return results


def print_report(results: Sequence[CheckResult], file: TextIO | None = None) -> int:
    """診断結果を日本語で表示し、終了コード (必須の項目がすべて OK なら 0、そうでなければ 1) を返す。"""
    out = file if file is not None else sys.stdout
    print("rnncourse doctor: 講座を動かす環境を診断します", file=out)
    print(f"  (Python: {sys.executable})", file=out)
    for result in results:
        mark = "[OK]" if result.ok else ("[NG]" if result.required else "[注意]")
        print(f"{mark} {result.name}: {result.detail}", file=out)
        if not result.ok and result.fix:
            print(f"       直し方: {result.fix}", file=out)
    failures = [r for r in results if r.required and not r.ok]
    warnings_ = [r for r in results if not r.required and not r.ok]
    print(file=out)
    if failures:
        names = "、".join(r.name for r in failures)
        print(f"結果: 学習に必要なものが {len(failures)} 件足りません ({names})。上の「直し方」を試してください。", file=out)
        return 1
    if warnings_:
        print(f"結果: 学習に必要なものはそろっています (注意 {len(warnings_)} 件)。", file=out)
    else:
        print("結果: すべてそろっています。notebooks/00_introduction.ipynb から始めてください。", file=out)
    return 0
