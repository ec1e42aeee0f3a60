"""学習者に配る一式 (``rnncourse release``) を作る: 本文と演習のノートブック、学習者向けの README。

    release("bundle", source=".", chapter="03")   # 第3章だけを bundle/ に

模範解答 (``solutions/``) は入れません。一式の一番上に目印のファイル ``.rnncourse-student`` を置くので、
その中で開いた演習では ``solution()`` が「この配布版では模範解答は見られません」と答えます。
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from rnncourse.exercises.feedback import STUDENT_MARKER

__all__ = ["ReleaseError", "release"]

_STUDENT_README = """# RNN 講座 (学習者用)

このフォルダには、講座の本文 (`notebooks/`) と演習 (`exercises/`) が入っています。

## 始め方

1. 先生の指示に従って `rnncourse` パッケージが入った環境を用意します
   (例: 講座のリポジトリで `python -m pip install -c constraints.txt -e ".[dev]"`)。
2. このフォルダで `jupyter trust notebooks/*.ipynb exercises/*.ipynb` を一度だけ実行します。保存されているスライダーや
   進捗バーなどの部品を、開いただけで (セルを実行する前に) 表示するためです (JupyterLab は信頼したノートブックの部品だけを表示します)。
3. このフォルダで `jupyter lab` を実行し、`notebooks/` の本文から読み始めます。
4. 演習は `exercises/` のノートブックです。答えを書いたら、すぐ下のセルの
   `chNN.qK.check(...)` を実行して確かめます。`hint(1)`、`hint(2)` でヒントが見られます。

## 提出

答えを書き込んだ `exercises/` のノートブックを、ファイル名を変えずに提出してください。
採点は、ノートを新しいカーネルで上から順に実行して行います。提出前に
「カーネルを再起動してすべてのセルを実行」して、エラーなく最後まで動くことを確かめましょう。
"""


class ReleaseError(ValueError):
    """配布物を作れない (出力先が空でない、元のフォルダが見つからないなど)。"""


def _chapter_files(folder: Path, chapter: str | None) -> list[Path]:
    files = sorted(folder.glob("*.ipynb"))
    if chapter is None:
        return files
    return [p for p in files if p.name.startswith(f"{chapter}_")]


def release(outdir: str | Path, source: str | Path = ".", chapter: str | None = None, force: bool = False) -> list[Path]:
    """``source`` (講座のリポジトリ) から ``outdir`` に学習者用の一式を書き、書いたファイルを返す。

    ``chapter`` ("03" など) を与えるとその章だけ (と目次 00_introduction)。``outdir`` が空でなければ
    ``force=True`` のときだけ書き込みます (同じ名前のファイルは上書きし、ほかのファイルは残します)。
    """
    source, outdir = Path(source), Path(outdir)
    if chapter is not None and not re.fullmatch(r"\d\d", chapter):
        raise ReleaseError(f"章は 2 桁の数字で指定してください (例 03)。{chapter!r} が指定されました。")
    for folder in ("notebooks", "exercises"):
        if not (source / folder).is_dir():
            raise ReleaseError(f"{source.resolve()} に {folder}/ がありません。講座のリポジトリの一番上で実行してください。")
    if outdir.exists() and not outdir.is_dir():
        raise ReleaseError(f"{outdir} はフォルダではありません。")
    if outdir.exists() and any(outdir.iterdir()) and not force:
        raise ReleaseError(f"{outdir} は空ではありません。上書きしてよければ --force を付けてください。")
    notebooks = _chapter_files(source / "notebooks", chapter)
    exercises = _chapter_files(source / "exercises", chapter)
    if chapter is not None:
        notebooks = sorted(set(notebooks) | set(_chapter_files(source / "notebooks", "00")))
        if not exercises:
            raise ReleaseError(f"第 {chapter} 章の演習 (exercises/{chapter}_*.ipynb) がありません。")
    written = []
    for folder, files in (("notebooks", notebooks), ("exercises", exercises)):
        (outdir / folder).mkdir(parents=True, exist_ok=True)
        for path in files:
            target = outdir / folder / path.name
            shutil.copyfile(path, target)
            written.append(target)
    (outdir / "README.md").write_text(_STUDENT_README, encoding="utf-8")
    (outdir / STUDENT_MARKER).write_text("この一式は学習者用です (rnncourse release)。\n", encoding="utf-8")
    return written + [outdir / "README.md", outdir / STUDENT_MARKER]
