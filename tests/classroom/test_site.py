"""講座のウェブサイト (rnncourse.classroom.site): 警告なしで作れ、外から何も読まず、目次と日本語検索が働く。

サイトはこのモジュールで 1 度だけ作ります (2 コアで 10 秒ほど)。ブラウザ (Debian の chromium を PyPI の playwright で
動かす) の確認は、chromium が無い機械では理由を示して飛ばします。
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from rnncourse.classroom import site
from rnncourse.classroom.jasearch import split_query

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "docs" / "_static" / "vendor"
CHROMIUM = Path("/usr/bin/chromium")

# テーマと myst の、Sphinx の将来の版で消える API の予告 (サイトの中身には関係しない)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::PendingDeprecationWarning")

#: 講座の言葉 (複合語) で、必ずどこかのページに見つかるもの
COMPOUND_QUERIES = ("隠れ状態", "勾配消失", "乱数の種", "逆伝播")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "html"
    started = time.perf_counter()
    site.build_site(out, source=ROOT)
    print(f"サイトの作成: {time.perf_counter() - started:.1f} 秒")
    return out


def _index_links(out: Path) -> set[str]:
    parser = site._parse(out / "index.html")
    return {urllib.parse.urlsplit(link).path for link in parser.links}


def test_every_chapter_and_exercise_is_in_the_table_of_contents(built):
    links = _index_links(built)
    for folder in ("notebooks", "exercises"):
        notebooks = sorted((ROOT / folder).glob("*.ipynb"))
        assert notebooks, folder
        for notebook in notebooks:
            page = f"{folder}/{notebook.stem}.html"
            assert (built / page).is_file(), f"{page} が作られていません"
            assert page in links, f"{folder}/{notebook.name} が最初のページの目次にありません"


def test_solutions_are_not_published(built):
    assert not (built / "solutions").exists()
    assert not [p for p in built.rglob("*") if "solutions" in p.name or "BEGIN SOLUTION" in _text(p)]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() and path.suffix in (".html", ".js") else ""


def test_nothing_is_loaded_from_outside_and_no_internal_link_is_broken(built):
    assert site.find_problems(built) == []
    page = (built / "notebooks" / "02_forward_pass.html").read_text(encoding="utf-8")
    assert "_static/vendor/mathjax/tex-chtml-full.js" in page
    assert '<html lang="ja"' in page
    widgets = (built / "notebooks" / "04_vanishing_gradients.html").read_text(encoding="utf-8")
    assert "_static/vendor/html-manager/embed-amd.js" in widgets  # 保存したウィジェットの状態を描く


@pytest.mark.parametrize("query", COMPOUND_QUERIES)
def test_compound_japanese_queries_find_their_pages(built, query):
    assert site.search(built, query), f"検索語「{query}」で何も見つかりません"


def test_search_splits_the_query_like_the_index():
    assert split_query("隠れ状態") == ["隠れ", "状態"]
    assert split_query("勾配消失") == ["勾配", "消失"]
    assert split_query("LSTM と GRU") == ["lstm", "gru"]


def test_vanishing_gradients_chapter_is_found_by_its_own_term(built):
    assert "notebooks/04_vanishing_gradients" in site.search(built, "勾配消失")


def test_find_problems_reports_remote_assets_and_broken_links(tmp_path):
    (tmp_path / "a.html").write_text(
        '<html><head><script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//cdn.example/y.css"></head>'
        '<body><h1 id="top">t</h1><a href="b.html">b</a><a href="a.html#nowhere">n</a><a href="#top">ok</a>'
        '<a href="https://example.org/">外へのリンクはよい</a></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "s.css").write_text("@import url(https://fonts.example/css);", encoding="utf-8")
    problems = "\n".join(site.find_problems(tmp_path))
    assert "https://cdn.example/x.js" in problems and "//cdn.example/y.css" in problems
    assert "リンク先がありません: b.html" in problems
    assert "リンク先の見出しがありません: a.html#nowhere" in problems
    assert "https://fonts.example/css" in problems
    assert "example.org" not in problems and "#top" not in problems


def test_a_warning_stops_the_build(tmp_path):
    source = tmp_path / "course"
    shutil.copytree(ROOT / "docs", source / "docs", ignore=shutil.ignore_patterns("vendor"))
    (source / "notebooks").mkdir()
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 第1章\n\n[模範解答](../solutions/01.ipynb)")])
    nbformat.write(nb, source / "notebooks" / "01_x.ipynb")
    with pytest.raises(site.SiteError, match="警告"):
        site.build_site(tmp_path / "out", source=source)


def test_vendored_files_match_their_manifest():
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))
    files = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    assert files == set(manifest), "docs/_static/vendor/ と MANIFEST.json が食い違っています (docs/update_vendor.py)"
    for name, entry in manifest.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == entry["sha256"], name
        assert entry["license"] and "@" in entry["package"]


# ---------------------------------------------------------------------------
# 本物のブラウザ (headless chromium)
# ---------------------------------------------------------------------------


def _browser_or_skip():
    if not CHROMIUM.is_file():
        pytest.skip("/usr/bin/chromium がありません (Debian / Ubuntu: sudo apt-get install chromium)。ブラウザでの確認を飛ばします。")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright がありません (pip install -e '.[dev]')。ブラウザでの確認を飛ばします。")
    return sync_playwright


@pytest.fixture()
def served(built):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(built)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_real_browser_renders_formulas_widgets_and_finds_compound_words(served):
    sync_playwright = _browser_or_skip()
    outside, missing, errors = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
                  "--no-first-run", "--disable-extensions"],
        )
        try:
            page = browser.new_page()
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((served, "data:", "blob:")) else None)
            page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{served}/notebooks/02_forward_pass.html")
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30000)
            page.evaluate("() => MathJax.startup.promise")
            formulas = page.locator("mjx-container").count()
            page.goto(f"{served}/notebooks/04_vanishing_gradients.html")
            page.wait_for_selector(".widget-slider", timeout=30000)  # 保存したスライダーが静的に描かれる
            page.wait_for_selector(".widget-output img", timeout=30000)  # 出力欄の状態に入れた最初の図も描かれる
            widget_figures = page.locator(".widget-output img").count()
            page.goto(f"{served}/search.html?q=" + urllib.parse.quote("隠れ状態"))
            page.wait_for_selector("#search-results ul li", timeout=30000)
            results = page.locator("#search-results ul li").count()
        finally:
            browser.close()
    assert formulas > 100, f"第2章で組まれた数式が {formulas} 個しかありません"
    assert widget_figures == 1, f"第4章のウィジェットの出力欄の図が {widget_figures} 個です (1 個のはず)"
    assert results >= 5, f"ブラウザの検索「隠れ状態」の結果が {results} 件です"
    assert outside == [], f"サイトの外へ読みに行きました: {outside}"
    assert missing == [], f"見つからない資源: {missing}"
    assert errors == [], f"ページの JavaScript のエラー: {errors}"
