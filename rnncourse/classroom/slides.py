"""各章をスライド (reveal.js) にする: セルのスライドの印を付ける道具と、外から何も読まないスライドの書き出し。

    python -m rnncourse.classroom.slides --annotate       # notebooks/*.ipynb に印を付ける (何度実行しても同じ)
    python -m rnncourse.classroom.slides --check          # 印が無い・古いノートブックがあれば 1 で終わる
    python -m rnncourse.classroom.slides _slides           # _slides/NN_name.slides.html を書き出す (すべての章)
    python -m rnncourse.classroom.slides _slides notebooks/02_forward_pass.ipynb

印 (``metadata.slideshow.slide_type``) はセルの中身から決めます (:func:`slide_type`)::

    >>> import nbformat
    >>> slide_type(nbformat.v4.new_markdown_cell("## 2.1 順伝播"))
    'slide'
    >>> slide_type(nbformat.v4.new_code_cell("x = 1"))
    '-'

- 見出し (``#`` と ``##``) の Markdown のセルは新しいスライド、``###`` 以下と長い Markdown は下へ続くスライド (subslide)。
- 図や長い出力 (:data:`LONG_OUTPUT_LINES` 行より多い) のあるコードのセルは、下へ続くスライドにする。
- 出力がウィジェット (スライダーや入力欄の ``Explorer``) だけのセルは飛ばす (``skip``)。静的なスライドでは動かないので、
  隣の「既定値で呼ぶ」セルの図を見せる。
- ほかのセルは前のスライドに続ける (``-``)。ただし、続けると 1 枚が :data:`SLIDE_LINES` 行 (セルのソースと出力の行、
  図は :data:`LONG_OUTPUT_LINES` + 1 行と数える) を超えるときは、そのセルから下へ続くスライドにする (:func:`annotate`)。

書き出すスライドは、reveal.js・require.js・jQuery・MathJax 3・ウィジェットの描画を ``_static/vendor/`` (ウェブサイトと
同じ ``docs/_static/vendor/`` の複製) から読みます。テンプレートは ``docs/_templates/rnncourse_reveal/``。
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Sequence

__all__ = [
    "LONG_OUTPUT_LINES", "LONG_MARKDOWN_LINES", "SLIDE_LINES", "slide_type", "annotate", "stale_notebooks", "export_slides",
    "main",
]

#: これより多い行の出力は、下へ続く別のスライドにする。
LONG_OUTPUT_LINES = 12
#: これより多い行の Markdown (見出しのないもの) は、下へ続く別のスライドにする。
LONG_MARKDOWN_LINES = 14
#: 1 枚のスライドに収める行の目安。前のスライドに続けるとこれを超えるセルは、下へ続く別のスライドから始める。
SLIDE_LINES = 30
_WIDGET = "application/vnd.jupyter.widget-view+json"
#: スライドが読むもの (docs/_static/vendor/ の中のフォルダ)
_VENDOR_PARTS = ("reveal.js", "requirejs", "jquery", "mathjax", "html-manager", "licenses")


def _output_lines(output: Any) -> int:
    if output.get("output_type") == "stream":
        return len(str(output.get("text", "")).splitlines())
    data = output.get("data", {})
    if any(kind.startswith("image/") for kind in data):
        return LONG_OUTPUT_LINES + 1  # 図は 1 枚で画面の大半を使う
    text = data.get("text/plain", output.get("evalue", ""))
    return len(str(text).splitlines())


def _cell_lines(cell: Any) -> int:
    """スライドの上でセルが使う行の数の目安 (ソースの行と出力の行)。"""
    lines = len(str(cell.get("source", "")).splitlines())
    if cell.get("cell_type") == "code":
        lines += sum(_output_lines(output) for output in cell.get("outputs", []))
    return lines


def slide_type(cell: Any) -> str:
    """セル 1 つのスライドの印 (``slide``・``subslide``・``skip``・``-``)。"""
    source = cell.get("source", "")
    if cell.get("cell_type") == "markdown":
        heading = re.match(r"\s*(#+)\s", source)
        if heading:
            return "slide" if len(heading.group(1)) <= 2 else "subslide"
        return "subslide" if len(source.splitlines()) > LONG_MARKDOWN_LINES else "-"
    if cell.get("cell_type") != "code":
        return "-"
    outputs = cell.get("outputs", [])
    if outputs and all(_WIDGET in output.get("data", {}) for output in outputs):
        return "skip"
    if sum(_output_lines(output) for output in outputs) > LONG_OUTPUT_LINES:
        return "subslide"
    return "-"


def annotate(nb: Any) -> Any:
    """ノートブック (nbformat の NotebookNode) の各セルに ``metadata.slideshow.slide_type`` を付けた複製を返す。

    最初のセルは必ず新しいスライドです。続けるセル (``-``) で 1 枚が :data:`SLIDE_LINES` 行を超えるなら、
    そのセルから下へ続くスライドにします (長い節が 1 枚の縦に長いスライドにならないように)。
    ほかの ``slideshow`` の値 (手で付けた ``notes`` など) は残します。

        >>> import nbformat
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## 節")]
        ...                                  + [nbformat.v4.new_code_cell("\\n".join(["x = 1"] * 12)) for _ in range(3)])
        >>> [cell.metadata["slideshow"]["slide_type"] for cell in annotate(nb).cells]
        ['slide', '-', '-', 'subslide']
    """
    result = copy.deepcopy(nb)
    used = 0  # 今のスライドに入っている行
    for index, cell in enumerate(result.cells):
        kind = "slide" if index == 0 else slide_type(cell)
        lines = _cell_lines(cell)
        if kind == "-" and used > 0 and used + lines > SLIDE_LINES:
            kind = "subslide"
        if kind in ("slide", "subslide"):
            used = lines
        elif kind == "-":
            used += lines
        cell.metadata.setdefault("slideshow", {})["slide_type"] = kind
    return result


def _types(nb: Any) -> list[Any]:
    return [cell.get("metadata", {}).get("slideshow", {}).get("slide_type") for cell in nb.cells]


def stale_notebooks(paths: Sequence[Path]) -> list[str]:
    """スライドの印が無い・中身と合わないノートブックの名前。"""
    import nbformat

    return [path.name for path in paths if _types(annotate(nbformat.read(path, as_version=4))) != _types(nbformat.read(path, as_version=4))]


def _vendor(source: Path) -> Path:
    vendor = source / "docs" / "_static" / "vendor"
    if not vendor.is_dir():
        raise FileNotFoundError(f"{vendor} がありません。--source に講座のリポジトリを指定してください。")
    return vendor


def export_slides(notebooks: Sequence[str | Path], outdir: str | Path, source: str | Path = ".") -> list[Path]:
    """``notebooks`` を ``outdir/NN_name.slides.html`` に書き出し、必要な JavaScript・CSS・フォントを
    ``outdir/_static/vendor/`` に置く。書いたスライドのパスを返す。

    ノートブックに印が無くても、書き出すときに :func:`annotate` で付けます (ファイルは書き換えません)。
    """
    import nbformat
    from nbconvert import SlidesExporter

    source, outdir = Path(source).resolve(), Path(outdir)
    vendor = _vendor(source)
    outdir.mkdir(parents=True, exist_ok=True)
    for part in _VENDOR_PARTS:
        shutil.copytree(vendor / part, outdir / "_static" / "vendor" / part, dirs_exist_ok=True)
    prefix = "_static/vendor"
    exporter = SlidesExporter(
        template_name="rnncourse_reveal",
        extra_template_basedirs=[str(source / "docs" / "_templates")],
        reveal_url_prefix=f"{prefix}/reveal.js",
        reveal_theme="white",
        reveal_transition="none",
        reveal_width="1280",
        reveal_height="800",
        require_js_url=f"{prefix}/requirejs/require.js",
        jquery_url=f"{prefix}/jquery/jquery.min.js",
        mathjax_url=f"{prefix}/mathjax/tex-chtml-full.js",
        widget_renderer_url=f"{prefix}/html-manager/embed-amd.js",
        font_awesome_url="",
    )
    exporter.mermaid_js_url = ""  # 設定の項目ではないので直接 (テンプレートでも読まない)
    written = []
    for notebook in notebooks:
        path = Path(notebook)
        nb = annotate(nbformat.read(path, as_version=4))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        target = outdir / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.classroom.slides",
        description="章のノートブックをスライド (reveal.js、外から何も読まない) にします。"
        "--annotate でノートブックにスライドの印を付けます。",
    )
    parser.add_argument("outdir", nargs="?", metavar="OUTDIR", help="スライドの書き出し先")
    parser.add_argument("notebooks", nargs="*", type=Path, help="ノートブック (既定は notebooks/*.ipynb)")
    parser.add_argument("--annotate", action="store_true", help="ノートブックにスライドの印を付けて保存します")
    parser.add_argument("--check", action="store_true", help="印が無い・古いノートブックがあれば 1 で終わります")
    parser.add_argument("--source", default=".", help="講座のリポジトリ (既定はカレントディレクトリ)")
    args = parser.parse_args(argv)
    import nbformat

    notebooks = list(args.notebooks)
    if args.annotate or args.check:
        notebooks = ([Path(args.outdir)] if args.outdir else []) + notebooks  # OUTDIR はとらない
    paths = notebooks or sorted(Path(args.source, "notebooks").glob("*.ipynb"))
    if not paths:
        print("ノートブックがありません (notebooks/*.ipynb)。", file=sys.stderr)
        return 2
    if args.check:
        stale = stale_notebooks(paths)
        for name in stale:
            print(f"[古い] {name}: python -m rnncourse.classroom.slides --annotate で印を付けてください。")
        return 1 if stale else 0
    if args.annotate:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            marked = annotate(nb)
            if _types(marked) != _types(nb):
                nbformat.write(marked, path)
                print(f"[更新] {path}")
            else:
                print(f"[そのまま] {path}")
        return 0
    if not args.outdir:
        parser.print_usage(sys.stderr)
        print("エラー: 書き出し先 OUTDIR を指定してください。", file=sys.stderr)
        return 2
    try:
        written = export_slides(paths, args.outdir, source=args.source)
    except FileNotFoundError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"[スライド] {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
