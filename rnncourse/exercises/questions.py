"""演習の問題をデータのように宣言するクラス。

値を答える問題::

    >>> q = ValueQuestion("問1", expected=12, hints=("H × D を数えます。",), answer="12 個です。")
    >>> bool(q.evaluate(12)), q.evaluate(...).status.value
    (True, 'not_attempted')

関数を実装する問題は、模範解答の関数 ``reference`` とテストケースの列 ``cases`` を持ち、
学習者の関数の出力を各ケースで模範解答と比べます。よくある間違いを ``mistakes`` に
(間違った関数, 原因の説明) として並べておくと、学習者の出力がそれと一致したとき原因を示します。

判定は ``evaluate`` (表示しない、純粋) と ``check`` (表示して結果を返す) に分かれています。
"""

from __future__ import annotations

import copy
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from rnncourse.exercises.feedback import CheckResult, Status, show, show_hint, show_solution
from rnncourse.exercises.learner_code import LearnerCall, call_learner_function

__all__ = ["Case", "Question", "ValueQuestion", "FunctionQuestion", "RuleQuestion", "compare"]


def _type_name(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"NumPy 配列 (形 {value.shape})"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    """実数 (複素数・真偽値は含めない)。"""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _short(value: Any) -> str:
    """値の短い表示。``__repr__`` が例外を送出する・深すぎる入れ子のものでも表示できる文字列を返す。"""
    try:
        if isinstance(value, np.ndarray):
            if value.size <= 8:
                return np.array2string(value, precision=4, suppress_small=True, separator=", ")
            return f"形 {value.shape} の配列"
        if isinstance(value, float):
            return f"{value:.6g}"
        text = repr(value)
        if not isinstance(text, str):
            raise TypeError
    except BaseException:  # __repr__ が例外を送出する、入れ子が深すぎる (RecursionError) など
        return f"{_type_name(value)} のオブジェクト (表示できません)"
    return text if len(text) <= 80 else text[:77] + "..."


def _subject(name: str) -> str:
    """文中の名前の後ろに、英数字で終わるときだけ空白を置く (「戻り値 h_t が」「答えが」)。"""
    return name + " " if name and name[-1].isascii() else name


def compare(expected: Any, got: Any, name: str = "答え", rtol: float = 1e-6, atol: float = 1e-8) -> str | None:
    """``got`` が ``expected`` と一致すれば None、違えば何が違うかを日本語で返す。

    数値・文字列・真偽値・タプル/リスト (要素ごと)・NumPy 配列 (型 → 形 → 値の順に確かめる) に対応。
    """
    if got is None and expected is not None:
        return f"{_subject(name)}が None です。"
    if isinstance(expected, np.ndarray):
        if type(got).__module__.startswith("torch"):
            return f"{_subject(name)}が PyTorch のテンソルです。NumPy 配列を返してください。"
        if not isinstance(got, np.ndarray):
            return f"{_subject(name)}は NumPy 配列のはずですが、{_type_name(got)} でした。"
        if got.shape != expected.shape:
            return f"{_subject(name)}の形は {expected.shape} のはずですが、{got.shape} でした。"
        if got.dtype.kind not in "biuf":
            return f"{_subject(name)}は数値の配列のはずですが、dtype={got.dtype} でした。"
        if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
            return f"{_subject(name)}に nan か inf が含まれています。"
        if not np.allclose(got, expected, rtol=rtol, atol=atol):
            error = float(np.max(np.abs(got.astype(np.float64) - expected)))
            detail = f"期待: {_short(expected)}、あなたの値: {_short(got)}" if expected.size <= 8 else f"最大の差 {error:.3g}"
            return f"{_subject(name)}の値が違います ({detail})。"
        return None
    if isinstance(expected, bool):
        if not isinstance(got, (bool, np.bool_)):
            return f"{_subject(name)}は True か False のはずですが、{_type_name(got)} でした。"
        return None if bool(got) == expected else f"{_subject(name)}が違います。"
    if _is_number(expected):
        if isinstance(got, np.ndarray) and got.size == 1:
            got = got.item()
        if isinstance(got, numbers.Complex) and not _is_number(got) and not isinstance(got, bool):
            return f"{_subject(name)}は実数のはずですが、複素数 ({_short(got)}) でした。"
        if not _is_number(got):
            return f"{_subject(name)}は数値のはずですが、{_type_name(got)} ({_short(got)}) でした。"
        if not np.isclose(float(got), float(expected), rtol=rtol, atol=atol):
            return f"{_subject(name)}が違います (あなたの値: {_short(got)})。"
        return None
    if isinstance(expected, str):
        if not isinstance(got, str):
            return f"{_subject(name)}は文字列のはずですが、{_type_name(got)} でした。"
        return None if got.strip() == expected.strip() else f"{_subject(name)}が違います (あなたの値: {_short(got)})。"
    if isinstance(expected, (tuple, list)):
        if isinstance(got, np.ndarray) or not isinstance(got, (tuple, list)):
            return f"{_subject(name)}は {len(expected)} 個の要素のタプルのはずですが、{_type_name(got)} でした。"
        if len(got) != len(expected):
            return f"{_subject(name)}は {len(expected)} 個の要素のはずですが、{len(got)} 個でした。"
        for index, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, f"{_subject(name)}の {index + 1} 番目", rtol, atol)
            if reason:
                return reason
        return None
    return None if got == expected else f"{_subject(name)}が違います (あなたの値: {_short(got)})。"


@dataclass(frozen=True)
class Question:
    """すべての問題に共通する部分: 名前、段階的なヒント、模範解答の説明。"""

    name: str
    answer_name: str = ""  # ノートブックで答えを入れる変数名・関数名 (採点で使う)
    hints: tuple[str, ...] = ()
    answer: str = ""  # 模範解答と解説 (``` で囲んだ部分はコードとして表示)
    points: int = 1  # 配点: nbgrader の採点セル (rnncourse.classroom.gradecells) と rnncourse grade の points 列

    def evaluate(self, value: Any) -> CheckResult:  # pragma: no cover - 各問題の種類が実装する
        raise NotImplementedError

    def check(self, value: Any) -> CheckResult:
        """答えを判定して結果を表示し、正解のときだけ真になる結果を返す。"""
        try:
            result = self.evaluate(value)
        except RecursionError:
            result = self._result(Status.ERROR, "答えの入れ子 (リストやタプルの中のリスト…) が深すぎて比べられません。")
        except BaseException as error:  # 答えの値が比較や表示で例外を送出しても、学習者のノートを止めない
            result = self._result(
                Status.ERROR,
                f"判定中に予期しないエラーが起きました ({type(error).__name__})。"
                "答えの値 (やその __eq__ や __repr__) が例外を送出していないか確かめてください。",
            )
        show(result)
        return result

    def hint(self, level: int = 1) -> None:
        """ヒントを表示する。``hint(1)`` から順に詳しくなる。"""
        show_hint(self.name, level, self.hints)

    def solution(self) -> None:
        """模範解答と解説を表示する。"""
        show_solution(self.name, self.answer)

    def _result(self, status: Status, message: str) -> CheckResult:
        return CheckResult(self.name, status, message)


_NOT_ATTEMPTED_VALUE = "答えの変数がまだ ... のままです。値を代入してから、もう一度実行してください。"


@dataclass(frozen=True)
class ValueQuestion(Question):
    """値 (数・形のタプル・配列・文字列・真偽値) を答える問題。

    ``mistakes`` は (よくある間違いの値, 原因の説明) の組の並び。
    """

    expected: Any = None
    rtol: float = 1e-6
    atol: float = 1e-8
    mistakes: tuple[tuple[Any, str], ...] = ()

    def evaluate(self, value: Any) -> CheckResult:
        if value is Ellipsis:
            return self._result(Status.NOT_ATTEMPTED, _NOT_ATTEMPTED_VALUE)
        if callable(value) and not callable(self.expected):
            return self._result(
                Status.INCORRECT, "関数が渡されました。関数を呼んだ結果 (値) を渡してください。"
            )
        reason = compare(self.expected, value, "答え", self.rtol, self.atol)
        if reason is None:
            return self._result(Status.CORRECT, "")
        for wrong, cause in self.mistakes:
            if compare(wrong, value, "答え", self.rtol, self.atol) is None:
                return self._result(Status.INCORRECT, f"{reason}\nよくある原因: {cause}")
        return self._result(Status.INCORRECT, reason)


@dataclass(frozen=True)
class RuleQuestion(Question):
    """実験の結論など、決まった 1 つの値ではなく規則で判定する問題。

    ``rule(value)`` は正しければ None、違えば理由 (日本語) を返す関数。
    """

    rule: Callable[[Any], str | None] = lambda value: "判定規則が設定されていません。"

    def evaluate(self, value: Any) -> CheckResult:
        if value is Ellipsis:
            return self._result(Status.NOT_ATTEMPTED, _NOT_ATTEMPTED_VALUE)
        reason = self.rule(value)
        return self._result(Status.CORRECT, "") if reason is None else self._result(Status.INCORRECT, reason)


@dataclass(frozen=True)
class Case:
    """関数の問題のテストケース 1 つ。``label`` は「T = 1 の場合」のような説明。"""

    args: tuple
    label: str = ""


@dataclass(frozen=True)
class FunctionQuestion(Question):
    """関数を実装する問題。

    ``reference`` は模範解答の関数、``cases`` は学習者に見える (判定で使う) テストケース、
    ``draw_cases`` は乱数の生成器から同じ種類の新しいテストケースを作る関数 (採点ではこれで
    その場で作った入力を使い、学習者は採点の入力を知りません)、``reference_name`` はパッケージの中の
    模範解答の名前 (例 ``"rnncourse.nn.rnn.rnn_forward"``。採点では、これそのものやこれを呼ぶ答えは
    点になりません)。``output_names`` は戻り値がタプルのときの各要素の名前 (例 ``("h_t", "cache")``)。
    ``compare_outputs`` で比べる要素を選べます (既定はすべて)。
    """

    reference: Callable[..., Any] = lambda *args: None
    cases: tuple[Case, ...] = ()
    draw_cases: Callable[[np.random.Generator], tuple[Case, ...]] | None = None
    reference_name: str = ""
    output_names: tuple[str, ...] = ()
    compare_outputs: tuple[int, ...] | None = None
    mistakes: tuple[tuple[Callable[..., Any], str], ...] = ()
    rtol: float = 1e-6
    atol: float = 1e-8
    timeout: float = 5.0

    def _compare(self, expected: Any, got: Any) -> str | None:
        if got is None and expected is not None:
            return "戻り値が None です。return を書き忘れていませんか。"
        if not (isinstance(expected, tuple) and self.output_names):
            return compare(expected, got, "戻り値", self.rtol, self.atol)
        names = ", ".join(self.output_names)
        if not isinstance(got, (tuple, list)):
            return f"戻り値は ({names}) の組のはずですが、{_type_name(got)} でした。"
        if len(got) != len(expected):
            return f"戻り値は ({names}) の {len(expected)} 個の組のはずですが、{len(got)} 個でした。"
        indices = range(len(expected)) if self.compare_outputs is None else self.compare_outputs
        for i in indices:
            reason = compare(expected[i], got[i], f"戻り値 {self.output_names[i]}", self.rtol, self.atol)
            if reason:
                return reason
        return None

    def precheck(self, value: Any) -> CheckResult | None:
        """呼ぶ前に分かる誤り (未定義・None・関数でない) の判定。呼んでよければ None。"""
        if value is Ellipsis:
            return self._result(Status.NOT_ATTEMPTED, "関数をまだ定義していません。")
        if value is None:
            return self._result(Status.INCORRECT, "None が渡されました。関数そのもの (かっこを付けない名前) を渡してください。")
        if not callable(value):
            return self._result(
                Status.INCORRECT, f"関数を渡してください ({_type_name(value)} の値 {_short(value)} が渡されました)。"
            )
        return None

    def evaluate(self, value: Any) -> CheckResult:
        early = self.precheck(value)
        if early is not None:
            return early
        calls = (call_learner_function(value, copy.deepcopy(case.args), timeout=self.timeout) for case in self.cases)
        return self.judge(calls)

    def judge(self, calls: Iterable[LearnerCall], cases: tuple[Case, ...] | None = None) -> CheckResult:
        """各テストケースで学習者の関数を呼んだ結果 (``cases`` と同じ順) を模範解答と比べる。

        呼び出しは ``calls`` から 1 つずつ取り出すので、最初の失敗で止まり、残りのケースは呼ばれません。
        採点では別のプロセスで、採点のときに作ったテストケース ``cases`` で呼んだ結果をここに渡します
        (省略すると ``self.cases``)。
        """
        cases = self.cases if cases is None else cases
        for number, (case, call) in enumerate(zip(cases, calls), start=1):
            label = case.label or f"テストケース {number}"
            if call.timed_out:
                return self._result(Status.ERROR, f"{label}: {self._timeout_message(call.elapsed)}")
            if call.not_implemented:
                return self._result(Status.NOT_ATTEMPTED, "関数の中身がまだ NotImplementedError を送出しています。")
            if call.error is not None:
                return self._result(Status.ERROR, f"{label}: {call.error}")
            expected = self.reference(*copy.deepcopy(case.args))
            reason = self._compare(expected, call.value)
            if reason:
                return self._result(Status.INCORRECT, f"{label}: {reason}{self._cause(case, call.value)}")
        return self._result(Status.CORRECT, f"{len(cases)} 個のテストケースすべてで模範解答と一致しました。")

    def _timeout_message(self, elapsed: float | None) -> str:
        if elapsed is not None and elapsed > self.timeout + 1.0:
            return (
                f"制限時間は {self.timeout:g} 秒ですが、止められたのは {elapsed:.1f} 秒後でした。"
                "C で書かれた 1 回の処理 (sum(range(10**9)) や巨大な配列の計算など) の途中では止められないので、"
                "それが終わるまで待ってから打ち切りました。計算の量を減らしてください。"
            )
        return f"{self.timeout:g} 秒以内に終わらなかったので止めました。無限ループになっていませんか。"

    def _cause(self, case: Case, got: Any) -> str:
        for wrong, cause in self.mistakes:
            if self._compare(wrong(*copy.deepcopy(case.args)), got) is None:
                return f"\nよくある原因: {cause}"
        return ""

