"""提出されたノートブックの一括採点 (``rnncourse grade``)。

- ``codec``: 学習者のカーネルから採点側へ答えを運ぶ JSON (pickle は使わない: 提出物のコードを採点側で実行しないため)
- ``kernel``: メモリ上限つきで学習者のカーネルを起動する
- ``submission``: 1 つの提出物を新しいカーネルで実行し、答えを取り出して本物の判定器で判定する
- ``report``: CSV・学習者ごとのフィードバック・集計表
"""

from rnncourse.classroom.grading.report import Row, write_feedback, write_report, summary_table
from rnncourse.classroom.grading.submission import GradingLimits, grade_submission

__all__ = ["Row", "GradingLimits", "grade_submission", "write_report", "write_feedback", "summary_table"]
