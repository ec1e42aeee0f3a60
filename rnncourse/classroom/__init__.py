"""教師と著者の道具: コマンド ``rnncourse`` (配布・採点・診断・演習の生成) とノートブックの再実行。

    >>> from rnncourse.classroom import run_checks
    >>> all(result.name for result in run_checks())
    True

この層は ``rnncourse`` のどの部分も import できますが、ほかの層からは import されません。
``python -m rnncourse.classroom.execute`` のように直接実行するモジュールは、ここでは import しません。
"""

from rnncourse.classroom.doctor import run_checks

__all__ = [
    "run_checks",
]
