"""ノートブックの置き方と保存された出力の約束ごとを確かめる (中身の再実行は nbval が行う)。"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("notebooks", "exercises", "solutions")
NOTEBOOKS = sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))
NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
MARKER = re.compile(r"^\s*#\s*(NBVAL_IGNORE_OUTPUT|NBVAL_SKIP)\b", re.M)  # nbval の比べない印
TAGS = {"nbval-ignore-output", "nbval-skip"}


def code_cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def test_introduction_exists():
    assert (ROOT / "notebooks" / "00_introduction.ipynb").is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_name_is_ascii_and_numbered(path):
    assert NAME.match(path.name), f"{path.name}: 名前は NN_英小文字.ipynb にしてください"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_outputs_come_from_one_clean_run(path):
    counts = [c.get("execution_count") for c in code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: 出力が新しいカーネルでの一回の実行から作られていません。"
        " python -m rnncourse.classroom.execute で作り直してください。"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_unexpected_errors_and_no_svg(path):
    for cell in code_cells(path):
        tags = set(cell.get("metadata", {}).get("tags", []))
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                assert "raises-exception" in tags, f"{path.name}: エラー出力のあるセルがあります"
            assert "image/svg+xml" not in output.get("data", {}), f"{path.name}: SVG の図は毎回 id が変わります"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_cell_is_exempt_from_nbval(path):
    """どのセルも nbval が比べる: 比べない印 (コメント) もタグも使わない (ウィジェットは viz.widgets.explorer で作る)。"""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "code":
            assert not MARKER.search(source), f"{path.name} のセル {index}: nbval のマーカーは使いません:\n{source}"
        assert not tags & TAGS, f"{path.name} のセル {index}: nbval のタグ {sorted(tags & TAGS)} は使いません:\n{source}"


def test_exercise_and_solution_names_match_chapters():
    chapters = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    for folder in ("exercises", "solutions"):
        for path in (ROOT / folder).glob("*.ipynb"):
            assert path.name in chapters, f"{folder}/{path.name} に対応する notebooks/{path.name} がありません"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_saved_widgets_carry_their_state(path):
    """出力に保存したウィジェットは、ノートブックを開いただけで表示できるよう状態も保存されている。"""
    nb = json.loads(path.read_text(encoding="utf-8"))
    views = [
        output["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
        for cell in nb["cells"] if cell["cell_type"] == "code"
        for output in cell.get("outputs", []) if "application/vnd.jupyter.widget-view+json" in output.get("data", {})
    ]
    if not views:
        return
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    missing = [model_id for model_id in views if model_id not in state]
    assert not missing, (
        f"{path.name}: ウィジェットの状態が保存されていません ({len(missing)} 個)。"
        " python -m rnncourse.classroom.execute で作り直してください。"
    )
