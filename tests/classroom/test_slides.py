"""章のスライド (rnncourse.classroom.slides): セルの印、外から何も読まない書き出し、本物のブラウザでの表示。"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import nbformat
import pytest

from rnncourse.classroom import slides
from rnncourse.classroom.site import find_problems

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHAPTER = ROOT / "notebooks" / "02_forward_pass.ipynb"


def _code(outputs):
    cell = nbformat.v4.new_code_cell("f()")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def test_headings_start_slides_and_long_outputs_become_subslides():
    assert slides.slide_type(nbformat.v4.new_markdown_cell("# 第2章 順伝播")) == "slide"
    assert slides.slide_type(nbformat.v4.new_markdown_cell("## 2.1 隠れ状態\n\n本文")) == "slide"
    assert slides.slide_type(nbformat.v4.new_markdown_cell("### 細かい話")) == "subslide"
    assert slides.slide_type(nbformat.v4.new_markdown_cell("短い説明")) == "-"
    assert slides.slide_type(nbformat.v4.new_markdown_cell("\n".join(["行"] * 30))) == "subslide"
    assert slides.slide_type(_code([{"output_type": "stream", "name": "stdout", "text": "1\n2\n"}])) == "-"
    assert slides.slide_type(_code([{"output_type": "stream", "name": "stdout", "text": "x\n" * 40}])) == "subslide"
    figure = {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}, "metadata": {}}
    assert slides.slide_type(_code([figure])) == "subslide"
    widget = {"output_type": "display_data", "metadata": {},
              "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "a", "version_major": 2, "version_minor": 0},
                       "text/plain": "interactive(...)"}}
    assert slides.slide_type(_code([widget])) == "skip"
    assert slides.slide_type(_code([widget, {"output_type": "stream", "name": "stdout", "text": "損失 0.1\n"}])) == "-"


def test_annotate_is_idempotent_and_keeps_other_slideshow_values():
    nb = nbformat.read(CHAPTER, as_version=4)
    nb.cells[1].metadata["slideshow"] = {"slide_type": "fragment", "notes": "話すこと"}
    once = slides.annotate(nb)
    assert once.cells[0].metadata["slideshow"]["slide_type"] == "slide"
    assert once.cells[1].metadata["slideshow"]["notes"] == "話すこと"
    assert slides._types(slides.annotate(once)) == slides._types(once)
    assert [c.source for c in once.cells] == [c.source for c in nb.cells]


def test_every_chapter_has_slide_metadata():
    stale = slides.stale_notebooks(sorted((ROOT / "notebooks").glob("*.ipynb")))
    assert stale == [], f"スライドの印がない・古い章: {stale}。python -m rnncourse.classroom.slides --annotate で付けてください。"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("slides")
    (written,) = slides.export_slides([CHAPTER], out, source=ROOT)
    assert written.name == "02_forward_pass.slides.html"
    return out


def test_exported_slides_load_nothing_from_outside(exported):
    assert find_problems(exported) == []
    html = (exported / "02_forward_pass.slides.html").read_text(encoding="utf-8")
    assert "unpkg.com" not in html and "cdnjs" not in html and "MathJax.Hub.Rerender" not in html
    assert html.count('<section') > 10


def test_slides_show_in_a_real_browser(exported):
    if not CHROMIUM.is_file():
        pytest.skip("/usr/bin/chromium がありません (Debian / Ubuntu: sudo apt-get install chromium)。ブラウザでの確認を飛ばします。")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright がありません (pip install -e '.[dev]')。ブラウザでの確認を飛ばします。")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(exported)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    outside, errors = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
            )
            try:
                page = browser.new_page()
                page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:", "blob:")) else None)
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.goto(f"{base}/02_forward_pass.slides.html")
                page.wait_for_selector(".reveal.ready", timeout=30000)  # reveal.js が始まった
                page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30000)
                page.evaluate("() => MathJax.startup.promise")
                sections = page.locator(".reveal .slides > section").count()
                formulas = page.locator("mjx-container").count()
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert sections > 10 and formulas > 100, (sections, formulas)
    assert outside == [] and errors == [], (outside, errors)
