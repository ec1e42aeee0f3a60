"""判定結果 (正解・不正解・未回答・エラー) を表示する、ただ 1 つの場所。

ノートブックの中では HTML (色付き) とプレーンテキストの両方を持つ出力として表示し、
それ以外 (スクリプトや採点) では標準出力に 1 行で書きます::

    >>> show(CheckResult("問1", Status.CORRECT, "値が一致しました。"))
    [問1] 正解です。値が一致しました。
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

__all__ = ["Status", "CheckResult", "show", "show_hint", "show_solution", "solutions_hidden"]

#: 配布版 (rnncourse release) のフォルダに置かれ、模範解答を隠す目印のファイル名。
STUDENT_MARKER = ".rnncourse-student"


class Status(str, Enum):
    """判定の種類。値は採点レポートの status 列にそのまま使う。"""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not_attempted"
    ERROR = "error"


_LABEL = {
    Status.CORRECT: "正解です。",
    Status.INCORRECT: "不正解です。",
    Status.NOT_ATTEMPTED: "まだ解答されていません。",
    Status.ERROR: "エラーが起きました。",
}
_COLOR = {
    Status.CORRECT: "#1b7f3b",
    Status.INCORRECT: "#b3261e",
    Status.NOT_ATTEMPTED: "#5f6368",
    Status.ERROR: "#b06000",
}


@dataclass(frozen=True)
class CheckResult:
    """1 問の判定結果。正解のときだけ真になるので ``if q1.check(x):`` のように使える。"""

    question: str
    status: Status
    message: str

    def __bool__(self) -> bool:
        return self.status is Status.CORRECT

    def text(self) -> str:
        return f"[{self.question}] {_LABEL[self.status]}{self.message}"

    def _ipython_display_(self) -> None:
        # check() が表示を済ませているので、セルの最後の式になっても二重に表示しない。
        pass


class _Rich:
    """HTML とプレーンテキストを併せ持つ表示用オブジェクト。"""

    def __init__(self, plain: str, rich: str) -> None:
        self.plain, self.rich = plain, rich

    def __repr__(self) -> str:
        return self.plain

    def _repr_html_(self) -> str:
        return self.rich


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _emit(plain: str, rich_body: str, color: str) -> None:
    if _in_notebook():
        from IPython.display import display

        rich = f'<div style="border-left: 4px solid {color}; padding: 4px 8px;">{rich_body}</div>'
        display(_Rich(plain, rich))
    else:
        print(plain)


def _paragraphs(text: str) -> str:
    """プレーンテキストを最低限の HTML にする (空行で段落、``` で囲んだ部分はコード)。"""
    parts, in_code, buffer = [], False, []
    for line in text.splitlines() + ["```" if text.count("```") % 2 else ""]:
        if line.strip().startswith("```"):
            if in_code:
                parts.append("<pre>" + html.escape("\n".join(buffer)) + "</pre>")
                buffer = []
            in_code = not in_code
            continue
        if in_code:
            buffer.append(line)
        elif line.strip():
            parts.append("<p>" + html.escape(line) + "</p>")
    return "".join(parts)


def show(result: CheckResult) -> None:
    """判定結果を表示する。"""
    label = html.escape(f"[{result.question}] {_LABEL[result.status]}")
    body = f"<b>{label}</b>" + _paragraphs(result.message)
    _emit(result.text(), body, _COLOR[result.status])


def show_hint(question: str, level: int, hints: tuple[str, ...]) -> None:
    """``level`` 段目のヒントを表示する (1 から数える)。範囲外なら何段まであるかを伝える。"""
    if not hints:
        plain = f"[{question}] この問題にはヒントがありません。"
    elif not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= len(hints):
        plain = f"[{question}] ヒントは hint(1) から hint({len(hints)}) までです ({level!r} が指定されました)。"
    else:
        plain = f"[{question}] ヒント {level}/{len(hints)}: {hints[level - 1]}"
        if level < len(hints):
            plain += f"\n(もっと詳しいヒントは hint({level + 1}))"
    _emit(plain, _paragraphs(plain), "#1a73e8")


def solutions_hidden() -> bool:
    """配布版の中で実行されているとき真。環境変数 RNNCOURSE_HIDE_SOLUTIONS=1 か、
    カレントディレクトリまたはその親にある目印ファイル ``.rnncourse-student`` で判断する。"""
    if os.environ.get("RNNCOURSE_HIDE_SOLUTIONS") == "1":
        return True
    here = Path.cwd()
    return any((folder / STUDENT_MARKER).exists() for folder in (here, *here.parents))


def show_solution(question: str, solution: str) -> None:
    """模範解答と解説を表示する。配布版では代わりに見られないことを伝える。"""
    if solutions_hidden():
        plain = f"[{question}] この配布版では模範解答は見られません。先生に確認してください。"
    else:
        plain = f"[{question}] 模範解答\n{solution.strip()}"
    _emit(plain, _paragraphs(plain), "#5f6368")
