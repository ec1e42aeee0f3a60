"""多くの提出物を (必要なら並列に) 採点する。結果の順序は並列の数によらず、提出物の指定順。"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Sequence

from rnncourse.classroom.grading.report import Row
from rnncourse.classroom.grading.submission import GradingLimits, grade_submission

__all__ = ["grade_all"]


def grade_all(
    paths: Sequence[str | Path], chapter: str | None = None, limits: GradingLimits = GradingLimits(), jobs: int = 1
) -> list[Row]:
    """``paths`` を順に (``jobs`` > 1 なら並列に) 採点し、すべての行を提出物の指定順に並べて返す。"""
    grade = partial(grade_submission, chapter=chapter, limits=limits)
    if jobs <= 1 or len(paths) <= 1:
        results = [grade(path) for path in paths]
    else:
        # 採点のプロセスはカーネルを起動するので fork ではなく spawn で作る
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(grade, paths))
    return [row for rows in results for row in rows]
