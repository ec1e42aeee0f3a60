"""演習の判定器。章ごとのモジュール ``ch01`` … ``ch09`` に問題 ``q1``, ``q2``, … があります::

    from rnncourse.exercises import ch02
    ch02.q1.check(answer)   # 判定して表示。正解のときだけ真を返す
    ch02.q1.hint()          # ヒント (hint(2) でより詳しく)
    ch02.q1.solution()      # 模範解答と解説

章のモジュールの ``__all__`` には、問題と、その章の演習のノートが使う道具 (``ch02.impulse_final_norm``) だけを
入れます。判定器だけが使う関数 (答えと比べる実験の表 ``ch08.phenomenon_accuracies``、模範解答の関数など) は
入れません: ``rnncourse grade`` の箱の中では、章のモジュールは ``__all__`` の道具だけを残した代わりのものになるので、
そこに入れたものは提出物から読めてしまいます (``tests/classroom/grading/test_sandbox.py`` が確かめます)。
"""

from rnncourse.exercises.feedback import CheckResult, Status
from rnncourse.exercises.questions import Case, FunctionQuestion, RuleQuestion, ValueQuestion

__all__ = ["CheckResult", "Status", "Case", "FunctionQuestion", "RuleQuestion", "ValueQuestion"]
