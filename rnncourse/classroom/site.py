"""講座のウェブサイト (静的な HTML) を作る: 本文 (``notebooks/``) と演習 (``exercises/``)、目次の最初のページ。

    python -m rnncourse.classroom.site _site            # _site/index.html を開く

ノートブックは保存した出力のまま表示します (ここでは実行しない)。模範解答 (``solutions/``) は含めません。
章はフォルダから見つけるので、新しい章のノートブックを置けば目次に加わります::

    >>> [page.docname for page in discover(".") if page.folder == "notebooks"][:2]
    ['notebooks/00_introduction', 'notebooks/01_sequence_data']

外から何も読み込みません。MathJax 3・ウィジェットの描画 (``@jupyter-widgets/html-manager``)・require.js は
``docs/_static/vendor/`` に置いたものをサイトの中から読みます (出どころと版は ``MANIFEST.json``)。
作ったあと :func:`find_problems` で、外 (``http(s)://``) から読むスクリプトやスタイルシート、サイトの中の壊れた
リンクがないことを確かめます。日本語の検索は :func:`search` で (ブラウザと同じ分かち書きで) 試せます。
"""

from __future__ import annotations

import argparse
import html.parser
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence
from urllib.parse import unquote, urlsplit

__all__ = ["Page", "SiteError", "discover", "index_text", "build_site", "find_problems", "search", "main"]

#: サイトに入れるフォルダ (順に目次の節になる)。solutions/ は入れない。
FOLDERS: tuple[tuple[str, str], ...] = (("notebooks", "本文"), ("exercises", "演習"))


class SiteError(RuntimeError):
    """サイトを作れなかった (警告・壊れたリンク・外から読む資源など)。"""


@dataclass(frozen=True)
class Page:
    """サイトの 1 ページになるノートブック。``docname`` は拡張子なしのパス (例 ``notebooks/02_forward_pass``)。"""

    folder: str
    path: Path
    title: str

    @property
    def docname(self) -> str:
        return f"{self.folder}/{self.path.stem}"


def _title(path: Path) -> str:
    """ノートブックの最初の見出し (``# 第2章 …``)。無ければファイル名。"""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if match:
                return match.group(1).strip()
    return path.stem


def discover(source: str | Path = ".") -> list[Page]:
    """``source`` (講座のリポジトリ) の ``notebooks/*.ipynb`` と ``exercises/*.ipynb`` を名前の順に返す。"""
    root = Path(source)
    pages = [
        Page(folder, path, _title(path))
        for folder, _ in FOLDERS
        for path in sorted((root / folder).glob("*.ipynb"))
    ]
    if not any(page.folder == "notebooks" for page in pages):
        raise SiteError(f"{root.resolve()} に notebooks/*.ipynb がありません。--source に講座のリポジトリを指定してください。")
    return pages


def index_text(pages: Sequence[Page]) -> str:
    """最初のページ (目次) の MyST Markdown。フォルダごとに 1 つの toctree を作る。"""
    lines = [
        "# rnncourse — 日本語で学ぶ再帰型ニューラルネットワーク",
        "",
        "系列データ、RNN の順伝播と逆伝播 (BPTT)、勾配消失、PyTorch の RNN、LSTM と GRU、文字レベル言語モデル、",
        "応用 (感情分類と時系列の予測)、符号化器–復号化器と注意機構を、NumPy で式どおりに実装しながら学ぶ講座です。",
        "このサイトは各章のノートブックを、保存した出力のまま表示しています。",
        "自分で動かすには、リポジトリの README の手順で環境を作り、JupyterLab で開いてください。",
        "",
    ]
    for folder, caption in FOLDERS:
        own = [page for page in pages if page.folder == folder]
        if not own:
            continue
        lines += ["```{toctree}", f":caption: {caption}", ":maxdepth: 1", ""]
        lines += [f"{page.title} <{page.docname}>" for page in own]
        lines += ["```", ""]
    return "\n".join(lines)


def _stage(pages: Sequence[Page], staging: Path) -> None:
    for page in pages:
        target = staging / page.folder / page.path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page.path, target)
    (staging / "index.md").write_text(index_text(pages), encoding="utf-8")


def build_site(outdir: str | Path, source: str | Path = ".", jobs: int = 1, quiet: bool = True) -> Path:
    """``source`` の講座から ``outdir`` にサイトを作り、``outdir`` を返す。

    警告が 1 つでもあれば (壊れた参照、読めないノートブックなど) :class:`SiteError` を送出します。
    作ったあと :func:`find_problems` で調べ、問題があればそれも :class:`SiteError` にします。
    """
    from sphinx.cmd.build import build_main

    source, outdir = Path(source).resolve(), Path(outdir).resolve()
    confdir = source / "docs"
    if not (confdir / "conf.py").is_file():
        raise SiteError(f"{confdir / 'conf.py'} がありません。--source に講座のリポジトリを指定してください。")
    pages = discover(source)
    with tempfile.TemporaryDirectory(prefix="rnncourse-site-") as tmp:
        staging = Path(tmp) / "src"
        _stage(pages, staging)
        args = ["-b", "html", "-W", "--keep-going", "-n", "-E", "-c", str(confdir), "-d", str(Path(tmp) / "doctrees")]
        args += ["-j", str(jobs)] if jobs > 1 else []
        args += ["-q"] if quiet else []
        code = build_main([*args, str(staging), str(outdir)])
    if code != 0:
        raise SiteError(f"sphinx-build が警告かエラーで止まりました (終了コード {code})。上に表示した警告を直してください。")
    problems = find_problems(outdir)
    if problems:
        raise SiteError("サイトに問題があります:\n" + "\n".join(f"- {problem}" for problem in problems))
    return outdir


# ---------------------------------------------------------------------------
# 作ったサイトの検査
# ---------------------------------------------------------------------------


class _Links(html.parser.HTMLParser):
    """1 ページの id と、外へ読みに行く資源・リンクを集める。"""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.loads: list[str] = []  # <script src> と <link rel=stylesheet|preload|icon href> (読み込まれるもの)
        self.links: list[str] = []  # <a href> など (たどれるもの)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for key in ("id", "name"):
            if values.get(key) and (key == "id" or tag == "a"):
                self.ids.add(values[key])
        if tag in ("script", "img", "iframe", "source") and values.get("src"):
            self.loads.append(values["src"])
        elif tag == "link" and values.get("href"):
            rel = values.get("rel", "").lower()
            (self.loads if {"stylesheet", "preload", "icon", "modulepreload"} & set(rel.split()) else self.links).append(values["href"])
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^(https?:)?//", url.strip(), re.I))


def find_problems(outdir: str | Path) -> list[str]:
    """作ったサイトの問題を日本語の文の並びで返す (空なら問題なし)。

    - ``http(s)://`` や ``//`` から読み込む ``<script>``・スタイルシート・画像、CSS の ``@import``/``url()``
    - サイトの中のリンク・資源で、指す先のファイルや見出し (``#id``) が無いもの
    """
    outdir = Path(outdir)
    # _static/ の .html はテーマの部品 (テンプレートの断片) で、ページではない
    pages = sorted(page for page in outdir.rglob("*.html") if page.relative_to(outdir).parts[0] != "_static")
    parsed = {page: _parse(page) for page in pages}
    problems: list[str] = []
    for page, links in parsed.items():
        name = page.relative_to(outdir).as_posix()
        for url in links.loads:
            if _is_remote(url):
                problems.append(f"{name}: 外から読み込んでいます: {url}")
        for url in links.loads + links.links:
            if _is_remote(url) or re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
                continue  # 外へのリンク (読み込みではない) と mailto: / data: / javascript:
            parts = urlsplit(url)
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{name}: リンク先がありません: {url}")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if parts.fragment not in ids and unquote(parts.fragment) not in ids:  # ブラウザはどちらでも合わせる
                    problems.append(f"{name}: リンク先の見出しがありません: {url}")
    for css in sorted(outdir.rglob("*.css")):
        text = css.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"""(?:@import\s+|url\(\s*)["']?((?:https?:)?//[^"')\s]+)""", text, re.I):
            problems.append(f"{css.relative_to(outdir).as_posix()}: 外から読み込んでいます: {url}")
    return problems


def _search_index(outdir: Path) -> dict:
    text = (outdir / "searchindex.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"\s*Search\.setIndex\((.*)\)\s*;?\s*", text, re.S)
    if not match:
        raise SiteError(f"{outdir / 'searchindex.js'} の形が読めません。")
    return json.loads(match.group(1))


def search(outdir: str | Path, query: str) -> list[str]:
    """サイトの検索 (ブラウザ) と同じ規則で ``query`` を探し、見つかったページ (docname) を名前の順に返す。

    検索語は索引と同じ分かち書きで語に分けます (:func:`rnncourse.classroom.jasearch.split_query`、「隠れ状態」→
    「隠れ」「状態」)。ページが選ばれるのは、Sphinx の ``searchtools.js`` と同じく、すべての語を本文か見出しに含むとき
    (または、含む語の数が 3 文字以上の語の数と同じとき) です。
    """
    from rnncourse.classroom.jasearch import split_query

    index = _search_index(Path(outdir))
    words = set(split_query(query))
    if not words:
        return []
    matched: dict[int, set[str]] = {}
    for word in words:
        for table in ("terms", "titleterms"):
            entry = index[table].get(word, [])
            for doc in [entry] if isinstance(entry, int) else entry:
                matched.setdefault(doc, set()).add(word)
    long_words = sum(len(word) > 2 for word in words)
    return sorted(index["docnames"][doc] for doc, own in matched.items() if len(own) in (len(words), long_words))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.classroom.site",
        description="講座のウェブサイト (本文と演習、模範解答なし) を OUTDIR に作ります。外から何も読み込みません。",
    )
    parser.add_argument("outdir", metavar="OUTDIR", help="書き出し先のフォルダ (OUTDIR/index.html が最初のページ)")
    parser.add_argument("--source", default=".", help="講座のリポジトリ (既定はカレントディレクトリ)")
    parser.add_argument("--jobs", type=int, default=1, help="並列に読むプロセスの数 (既定 1)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        out = build_site(args.outdir, source=args.source, jobs=args.jobs, quiet=True)
    except SiteError as error:
        print(f"rnncourse site: エラー: {error}", file=sys.stderr)
        return 1
    pages = len(discover(args.source))
    print(f"{out}/index.html にサイトを作りました (ノートブック {pages} 冊、{time.perf_counter() - started:.1f} 秒)。")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
