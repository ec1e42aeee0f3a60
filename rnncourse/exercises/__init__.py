"""演習の判定器。章ごとのモジュール ``ch01`` … ``ch09`` に問題 ``q1``, ``q2``, … があります::

    from rnncourse.exercises import ch02
    ch02.q1.check(answer)   # 判定して表示。正解のときだけ真を返す
    ch02.q1.hint()          # ヒント (hint(2) でより詳しく)
    ch02.q1.solution()      # 模範解答と解説
"""

from rnncourse.exercises.feedback import CheckResult, Status
from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion

__all__ = ["CheckResult", "Status", "Case", "FunctionQuestion", "RuleQuestion", "ValueQuestion"]
