"""採点の箱の中で、判定器と模範解答の代わりに置かれるもの。

``rnncourse grade`` は提出物を箱の中で実行するとき、``rnncourse.exercises.chNN`` を、期待値・模範解答・
テストケースを持たない代わりのモジュールに差し替えます。その問題は ``UnavailableQuestion`` で、
``check`` などを呼ぶと「採点中は使えません」と答えるだけです::

    >>> q = UnavailableQuestion("演習 1", "shapes")
    >>> bool(q.check(12))
    [演習 1] 採点中なので、ここでは答えを確かめられません (答えは採点のプロセスが判定します)。
    False

学習者が自分のノートで使うときは、本物の判定器がそのまま使えます (このモジュールは使われません)。
"""

from __future__ import annotations

from typing import Any

from rnncourse.exercises.feedback import CheckResult, Status, _emit

__all__ = ["UnavailableQuestion", "ReferenceUsed", "reference_called", "REFERENCE_CALLS"]

_MESSAGE = "採点中なので、ここでは答えを確かめられません (答えは採点のプロセスが判定します)。"


class UnavailableQuestion:
    """採点の箱の中の問題: 名前と答えの変数名だけを持つ。"""

    def __init__(self, name: str, answer_name: str) -> None:
        self.name, self.answer_name = name, answer_name

    def __repr__(self) -> str:
        return f"UnavailableQuestion({self.name!r})"

    def _say(self, what: str) -> None:
        plain = f"[{self.name}] {what}"
        _emit(plain, "<p>" + plain.replace("&", "&amp;").replace("<", "&lt;") + "</p>", "#5f6368")

    def check(self, value: Any = None) -> CheckResult:
        self._say(_MESSAGE)
        return CheckResult(self.name, Status.NOT_ATTEMPTED, _MESSAGE)

    def evaluate(self, value: Any = None) -> CheckResult:
        return CheckResult(self.name, Status.NOT_ATTEMPTED, _MESSAGE)

    def hint(self, level: int = 1) -> None:
        self._say("採点中なので、ヒントは表示しません。")

    def solution(self) -> None:
        self._say("採点中なので、模範解答は表示しません。")


class ReferenceUsed(BaseException):
    """採点で、学習者の関数が模範解答の関数を呼んだ (BaseException: ``except Exception`` で飲み込ませない)。"""


#: 採点の箱の中で呼ばれた模範解答の名前 (呼ばれた順)。
REFERENCE_CALLS: list[str] = []


def reference_called(name: str) -> ReferenceUsed:
    """模範解答 ``name`` の代わりの本体から呼ばれる。記録して、送出する例外を返す。"""
    REFERENCE_CALLS.append(name)
    return ReferenceUsed(f"{name} は模範解答なので、採点では使えません。")
