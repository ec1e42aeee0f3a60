"""提出されたノートブックの一括採点 (``rnncourse grade``)。

- ``sandbox``: 提出物のコードを閉じ込める箱 (bubblewrap) のコマンドを組み立てる
- ``views``: 箱の中で判定器・模範解答を差し替えるファイルを作る (答えを写せるものを置かない)
- ``kernel``: メモリ上限つきで学習者のカーネルを起動する
- ``execution``: 箱の中のカーネルでノートを実行し、答えを書き出させる
- ``judge``: 関数の答えを、採点のときに作った入力で、模範解答を隠した別の箱の中で呼ぶ
- ``fingerprint``: コードの指紋で、模範解答の写し (``inspect.getsource`` を exec したものなど) を見分ける
- ``codec``: 学習者のカーネルから採点側へ答えを運ぶ JSON (pickle を採点側で開かない)
- ``submission``: 提出物の読み取り (章の確認) と、運ばれた答えの判定
- ``worker``: 提出物 1 つを採点する、メモリ上限つきの使い捨ての補助プロセス
- ``batch``: 多くの提出物を並列に採点し、制限時間で補助プロセスごと止める
- ``report``: CSV・学習者ごとのフィードバック・集計表 (無害化して、一度に書く)
- ``files``: 提出物が書けた場所からの上限つきの読み取りと、ファイルの一括の置き換え
"""

from rnncourse.classroom.grading.batch import grade_all, grade_submission
from rnncourse.classroom.grading.report import Row, summary_table, write_feedback, write_report
from rnncourse.classroom.grading.submission import GradingLimits

__all__ = ["Row", "GradingLimits", "grade_all", "grade_submission", "write_report", "write_feedback", "summary_table"]
