"""nbgrader で講座の演習を配り・集め・成績表に載せるための設定 (講師向け)。

    python -m rnncourse.classroom.nbgrader_setup COURSE_DIR           # すべての章
    python -m rnncourse.classroom.nbgrader_setup COURSE_DIR --chapter 02

``COURSE_DIR`` に nbgrader の講座のフォルダを作ります: ``nbgrader_config.py`` と、各章の課題の原本
``source/chNN/NN_name.ipynb`` (``solutions/`` の複製。解答セル・配点つきの採点セル・隠しテストを含む)。
あとは nbgrader のいつもの手順です (``nbgrader generate_assignment ch02`` → 配布 → 回収 → ``nbgrader autograde ch02``)。

``nbgrader_config.py`` は :func:`configure` を呼びます。nbgrader の既定では、解答の領域はすべて
``raise NotImplementedError()`` になり、字下げのない答え (``shapes = ...``) のセルが学習者の環境でエラーになります。
:class:`ExerciseStubs` は、それを ``rnncourse build-exercises`` と同じ空欄 (関数の中は ``raise NotImplementedError()``、
字下げのない領域は ``shapes = ...``) にするので、nbgrader が配るノートも、答えを書く前に上から実行してエラーになりません。
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from nbgrader.preprocessors import ClearSolutions

from rnncourse.classroom.build import clear_solutions, solution_regions

__all__ = ["ExerciseStubs", "configure", "CONFIG_TEXT", "write_course", "main"]

#: ``nbgrader_config.py`` の中身 (``{course_id}`` を埋める)。
CONFIG_TEXT = '''# nbgrader の設定 (python -m rnncourse.classroom.nbgrader_setup が作ったもの)
from rnncourse.classroom.nbgrader_setup import configure

c = get_config()  # noqa: F821 (nbgrader が用意する)
c.CourseDirectory.course_id = "{course_id}"
configure(c)
'''


class ExerciseStubs(ClearSolutions):
    """nbgrader の ClearSolutions の代わり: 解答の領域を ``rnncourse build-exercises`` と同じ空欄にする。"""

    def _replace_solution_region(self, cell: Any, language: str) -> bool:
        if cell.cell_type != "code" or language != "python":
            return super()._replace_solution_region(cell, language)
        if not solution_regions(cell.source):
            return False
        cell.source = clear_solutions(cell.source)
        return True


def configure(c: Any, cell_timeout: int = 300) -> None:
    """nbgrader の設定 ``c`` (``get_config()``) に、講座の演習のための設定を加える。

    - ``generate_assignment`` の ClearSolutions を :class:`ExerciseStubs` に置き換える (配るノートが答えなしで動く)。
    - 自動採点で 1 セルに許す時間を ``cell_timeout`` 秒にする (実験を判定する問題があるため。nbgrader の既定は 30 秒)。
    """
    from nbgrader.converters import GenerateAssignment

    default = GenerateAssignment.class_traits()["preprocessors"].default()
    c.GenerateAssignment.preprocessors = [ExerciseStubs if step is ClearSolutions else step for step in default]
    c.Execute.timeout = cell_timeout


def write_course(course_dir: str | Path, source: str | Path = ".", chapter: str | None = None, course_id: str = "rnncourse") -> list[Path]:
    """``course_dir`` に ``nbgrader_config.py`` と課題の原本 ``source/chNN/`` を書き、書いたノートブックを返す。"""
    solutions = sorted(Path(source, "solutions").glob("*.ipynb"))
    if chapter is not None:
        solutions = [path for path in solutions if path.name.startswith(f"{chapter}_")]
    if not solutions:
        raise FileNotFoundError(f"{Path(source, 'solutions').resolve()} に{'第 ' + chapter + ' 章の' if chapter else ''}解答のノートブックがありません。")
    course = Path(course_dir)
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG_TEXT.format(course_id=course_id), encoding="utf-8")
    written = []
    for path in solutions:
        target = course / "source" / f"ch{path.name[:2]}" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.classroom.nbgrader_setup",
        description="nbgrader の講座のフォルダ (nbgrader_config.py と課題の原本 source/chNN/) を作ります。",
    )
    parser.add_argument("course_dir", metavar="COURSE_DIR", help="nbgrader の講座のフォルダ")
    parser.add_argument("--chapter", help="この章 (例 02) だけ")
    parser.add_argument("--source", default=".", help="講座のリポジトリ (既定はカレントディレクトリ)")
    parser.add_argument("--course-id", default="rnncourse", help="nbgrader の course_id (既定 rnncourse)")
    args = parser.parse_args(argv)
    if args.chapter is not None and not re.fullmatch(r"\d\d", args.chapter):
        print(f"エラー: --chapter は 2 桁の数字で指定してください (例 02)。{args.chapter!r} が指定されました。", file=sys.stderr)
        return 2
    try:
        written = write_course(args.course_dir, args.source, args.chapter, args.course_id)
    except FileNotFoundError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"[原本] {path}")
    print(f"次は: cd {args.course_dir} && nbgrader generate_assignment {written[0].parent.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
