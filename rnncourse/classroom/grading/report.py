"""採点結果の書き出し: CSV (1 行 = 1 提出物 × 1 問)、学習者ごとのフィードバック (Markdown)、集計表。

    >>> rows = [Row("a.ipynb", "演習 1", "correct", "[演習 1] 正解です。")]
    >>> print(summary_table(rows))
    問題      正解  提出数
    演習 1       1       1
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import astuple, dataclass, fields
from pathlib import Path

__all__ = ["Row", "STATUSES", "write_report", "write_feedback", "summary_table"]

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
    """採点レポートの 1 行。``question`` は問題名 (提出物そのものが読めないときは ``-``)。"""

    submission: str
    question: str
    status: str
    message: str


def write_report(rows: list[Row], path: str | Path) -> None:
    """CSV を書く (UTF-8 BOM 付き: Excel で開いても日本語が化けないように)。"""
    with open(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([f.name for f in fields(Row)])
        writer.writerows(astuple(row) for row in rows)


def _feedback_text(submission: str, rows: list[Row]) -> str:
    correct = sum(row.status == "correct" for row in rows if row.question != "-")
    total = sum(row.question != "-" for row in rows)
    lines = [f"# 採点結果: {submission}", "", f"正解 {correct} / {total} 問", "", "| 問題 | 結果 |", "| --- | --- |"]
    lines += [f"| {row.question} | {_STATUS_JA.get(row.status, row.status)} |" for row in rows]
    lines += ["", "## 詳しいフィードバック", ""]
    for row in rows:
        message = row.message.replace("\n", "  \n")
        lines += [f"### {row.question} ({_STATUS_JA.get(row.status, row.status)})", "", message, ""]
    return "\n".join(lines)


def write_feedback(rows: list[Row], folder: str | Path) -> list[Path]:
    """提出物ごとに ``folder/<提出物の名前>.md`` を書き、書いたパスを返す。"""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_submission: dict[str, list[Row]] = {}
    for row in rows:
        by_submission.setdefault(row.submission, []).append(row)
    written: list[Path] = []
    for submission, own in by_submission.items():
        stem = re.sub(r"[^\w.-]+", "_", str(Path(submission).with_suffix(""))).strip("._") or "submission"
        target, number = folder / f"{stem}.md", 1
        while target in written:  # 別のフォルダの同じ名前の提出物
            number += 1
            target = folder / f"{stem}_{number}.md"
        target.write_text(_feedback_text(submission, own), encoding="utf-8")
        written.append(target)
    return written


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def summary_table(rows: list[Row]) -> str:
    """問題ごとの正解数と提出数の表 (等幅フォントで揃う文字列)。"""
    questions: dict[str, list[int]] = {}
    for row in rows:
        if row.question == "-":
            continue
        counts = questions.setdefault(row.question, [0, 0])
        counts[0] += row.status == "correct"
        counts[1] += 1
    name_width = max([_width("問題"), *(_width(q) for q in questions)]) + 2
    lines = [_pad("問題", name_width) + _pad("正解", 6, True) + _pad("提出数", 8, True)]
    for question, (correct, total) in questions.items():
        lines.append(_pad(question, name_width) + _pad(str(correct), 6, True) + _pad(str(total), 8, True))
    return "\n".join(lines)
