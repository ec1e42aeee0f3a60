"""採点結果の書き出し: CSV (1 行 = 1 提出物 × 1 問)、学習者ごとのフィードバック (Markdown)、章ごとの集計表。

    >>> rows = [Row("a.ipynb", "02", "演習 1", "correct", "[演習 1] 正解です。")]
    >>> print(summary_table(rows))
    章  問題      正解  提出数
    02  演習 1       1       1

提出物の名前やメッセージは学習者が決められる文字列なので、CSV では表計算ソフトが式として読む
セル (``=`` ``+`` ``-`` ``@`` タブ・改行で始まるもの) の頭に ``'`` を付け、Markdown では記号を
エスケープして、見出しや HTML として解釈されないようにします。ファイルはすべて一度に置き換えます。
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from rnncourse.classroom.grading.files import write_atomically

__all__ = ["Row", "COLUMNS", "STATUSES", "student_of", "with_scores", "write_report", "write_feedback", "summary_table", "csv_cell", "markdown_text"]

#: status 列に現れる値。
STATUSES = ("correct", "incorrect", "not_attempted", "error", "timeout", "invalid")

_STATUS_JA = {
    "correct": "正解",
    "incorrect": "不正解",
    "not_attempted": "未回答",
    "error": "エラー",
    "timeout": "時間切れ",
    "invalid": "採点できない提出物",
}


@dataclass(frozen=True)
class Row:
    """採点レポートの 1 行。``chapter`` は章 ("02" など、分からなければ ``-``)、
    ``question`` は問題名 (提出物そのものが読めないときは ``-``)。

    ``student`` は nbgrader の ``submitted/<学習者>/<課題>/`` に置かれた提出物ならその学習者の名前 (ほかは空)、
    ``points`` は得点 (正解なら配点、ほかは 0)、``max_points`` はその問題の配点です (:func:`with_scores` が埋める)。
    """

    submission: str
    chapter: str
    question: str
    status: str
    message: str
    student: str = ""
    points: int = 0
    max_points: int = 0


#: CSV の列の順 (表計算ソフトや LMS で学習者ごとに集計しやすいように、学習者と得点を前に置く)。
COLUMNS = ("student", "submission", "chapter", "question", "status", "points", "max_points", "message")


def student_of(submission: str) -> str:
    """nbgrader の ``submitted/<学習者>/<課題>/…/ノート.ipynb`` から学習者の名前を取り出す (その形でなければ空)。

    >>> student_of("course/submitted/alice/ch02/02_forward_pass.ipynb"), student_of("report/bob.ipynb")
    ('alice', '')
    """
    parts = Path(submission).parts
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] == "submitted" and len(parts) - index >= 4:  # submitted / 学習者 / 課題 / … / ノート
            return parts[index + 1]
    return ""


def with_scores(row: Row, points_of: dict[tuple[str, str], int]) -> Row:
    """``row`` に学習者の名前と得点を入れた行を返す。``points_of`` は (章, 問題名) → 配点。"""
    maximum = points_of.get((row.chapter, row.question), 0)
    return replace(
        row, student=student_of(row.submission), points=maximum if row.status == "correct" else 0, max_points=maximum
    )


def csv_cell(text: str) -> str:
    """表計算ソフトが式として読むセルを、ただの文字列にする。

    >>> csv_cell("=1+1"), csv_cell("-3"), csv_cell("演習 1")
    ("'=1+1", "'-3", '演習 1')
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else text


def write_report(rows: list[Row], path: str | Path) -> None:
    """CSV を一度に書く (UTF-8 BOM 付き: Excel で開いても日本語が化けないように)。列は :data:`COLUMNS` の順。"""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([csv_cell(str(getattr(row, column))) for column in COLUMNS] for row in rows)
    write_atomically(path, buffer.getvalue(), encoding="utf-8-sig")


def markdown_text(text: str) -> str:
    """Markdown の中で、そのまま文字として表示される形にする (見出し・表・HTML・リンクにならない)。

    >>> markdown_text("# 正解 <b>6</b>")
    '\\\\# 正解 &lt;b&gt;6&lt;/b&gt;'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"([\\`*_\[\]|~#])", r"\\\1", text)
    text = re.sub(r"^(\s*)([+\-=])", r"\1\\\2", text, flags=re.M)  # 行頭の箇条書き・見出しの下線
    return re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", text, flags=re.M)  # 行頭の番号付きの箇条書き


def _feedback_text(submission: str, rows: list[Row]) -> str:
    correct = sum(row.status == "correct" for row in rows if row.question != "-")
    total = sum(row.question != "-" for row in rows)
    chapter = rows[0].chapter if rows else "-"
    lines = [
        f"# 採点結果: {markdown_text(submission)}", "", f"第 {markdown_text(chapter)} 章、正解 {correct} / {total} 問", "",
        "| 問題 | 結果 |", "| --- | --- |",
    ]
    lines += [f"| {markdown_text(row.question)} | {_STATUS_JA.get(row.status, row.status)} |" for row in rows]
    lines += ["", "## 詳しいフィードバック", ""]
    for row in rows:
        message = "  \n".join(markdown_text(line) for line in row.message.splitlines())
        lines += [f"### {markdown_text(row.question)} ({_STATUS_JA.get(row.status, row.status)})", "", message, ""]
    return "\n".join(lines)


def _stem(submission: str) -> str:
    return re.sub(r"[^\w.-]+", "_", str(Path(submission).with_suffix(""))).strip("._")[:150] or "submission"


def write_feedback(rows: list[Row], folder: str | Path) -> list[Path]:
    """提出物ごとに ``folder/<提出物の名前>.md`` を書き、書いたパスを返す。

    一時フォルダに全部書いてから ``folder`` と入れ替えるので、途中の状態は見えません (前の ``folder`` は消えます)。
    """
    folder = Path(folder)
    by_submission: dict[str, list[Row]] = {}
    for row in rows:
        by_submission.setdefault(row.submission, []).append(row)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    names: list[str] = []
    try:
        for submission, own in by_submission.items():
            stem, name, number = _stem(submission), "", 1
            name = f"{stem}.md"
            while name in names:  # 別のフォルダの同じ名前の提出物
                number += 1
                name = f"{stem}_{number}.md"
            (staging / name).write_text(_feedback_text(submission, own), encoding="utf-8")
            names.append(name)
        os.chmod(staging, 0o755)
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / "x")
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [folder / name for name in names]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def summary_table(rows: list[Row]) -> str:
    """章・問題ごとの正解数と提出数の表 (等幅フォントで揃う文字列)。章ごとにまとめ、章の順に並べる。"""
    questions: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        if row.question == "-":
            continue
        counts = questions.setdefault((row.chapter, row.question), [0, 0])
        counts[0] += row.status == "correct"
        counts[1] += 1
    order = sorted(questions, key=lambda key: key[0])  # 章の順 (同じ章の中は最初に現れた順のまま)
    name_width = max([_width("問題"), *(_width(q) for _, q in questions)]) + 2
    chapter_width = max([_width("章"), *(_width(c) for c, _ in questions)]) + 2
    lines = [_pad("章", chapter_width) + _pad("問題", name_width) + _pad("正解", 6, True) + _pad("提出数", 8, True)]
    for chapter, question in order:
        correct, total = questions[(chapter, question)]
        lines.append(
            _pad(chapter, chapter_width) + _pad(question, name_width) + _pad(str(correct), 6, True) + _pad(str(total), 8, True)
        )
    return "\n".join(lines)
