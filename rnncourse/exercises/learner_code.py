"""学習者の関数を安全に呼ぶ: 制限時間を付け、例外を「どの行で何が起きたか」の日本語に直す。

    >>> def f(x):
    ...     return 1 / 0
    >>> call = call_learner_function(f, (1,), timeout=1.0)
    >>> call.error
    'あなたのコードの 2 行目 `return 1 / 0` で ZeroDivisionError: division by zero が起きました。'

"""

from __future__ import annotations

import linecache
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["LearnerCall", "LearnerTimeout", "call_learner_function", "describe_exception"]


class LearnerTimeout(BaseException):
    """制限時間切れ。学習者の ``except Exception`` に飲み込まれないよう BaseException の子にする。"""


@dataclass(frozen=True)
class LearnerCall:
    """学習者の関数を 1 回呼んだ結果。``error`` が None で ``timed_out`` と ``not_implemented`` が偽なら
    ``value`` が戻り値。例外そのものではなく説明文だけを持つので、別のプロセスへも送れる。"""

    value: Any = None
    error: str | None = None
    not_implemented: bool = False
    timed_out: bool = False
    elapsed: float | None = None  # 時間切れのとき、実際に走った秒数


def _from_exception(error: BaseException, function: Callable[..., Any]) -> LearnerCall:
    if isinstance(error, NotImplementedError):
        return LearnerCall(not_implemented=True)
    learner_file = getattr(getattr(function, "__code__", None), "co_filename", None)
    return LearnerCall(error=describe_exception(error, learner_file))


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def call_learner_function(
    function: Callable[..., Any], args: tuple = (), kwargs: dict | None = None, timeout: float = 5.0
) -> LearnerCall:
    """``function(*args, **kwargs)`` を ``timeout`` 秒の制限付きで呼ぶ。例外はここで受け止めて返す。

    POSIX のメインスレッドでは SIGALRM で割り込みます (無限ループも止まります)。ただし C で書かれた 1 回の
    処理 (``sum(range(10**9))`` など) の途中では割り込めないので、それが終わってから止まります。
    そのときの実際の時間は ``elapsed`` に入ります。それ以外の環境では別スレッドで呼び、時間内に戻らなければ
    時間切れとして扱います (そのスレッドは裏で走り続けます)。

    学習者の関数が送出したものは、``KeyboardInterrupt`` などの ``BaseException`` も含めてすべて受け止めます。
    """
    kwargs = {} if kwargs is None else kwargs
    if _can_use_alarm():
        return _call_with_alarm(function, args, kwargs, timeout)
    return _call_in_thread(function, args, kwargs, timeout)


def _call_with_alarm(function, args, kwargs, timeout) -> LearnerCall:
    def on_alarm(signum, frame):
        raise LearnerTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout, 1.0)  # 学習者が割り込みを飲み込んでも 1 秒ごとに繰り返す
            return LearnerCall(value=function(*args, **kwargs))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except LearnerTimeout:
        return LearnerCall(timed_out=True, elapsed=time.monotonic() - started)
    except BaseException as error:  # KeyboardInterrupt なども学習者の関数のもの
        return _from_exception(error, function)
    finally:
        signal.signal(signal.SIGALRM, previous)


def _call_in_thread(function, args, kwargs, timeout) -> LearnerCall:
    box: dict[str, LearnerCall] = {}

    def target():
        try:
            box["call"] = LearnerCall(value=function(*args, **kwargs))
        except BaseException as error:
            box["call"] = _from_exception(error, function)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    return box.get("call", LearnerCall(timed_out=True, elapsed=timeout))


def describe_exception(error: BaseException, learner_file: str | None = None) -> str:
    """例外を「あなたのコードの N 行目 `...` で ZeroDivisionError が起きました: ...」の形に直す。

    ``learner_file`` (学習者の関数が定義されたファイル。ノートブックではセル) のフレームのうち最も深いものを
    「あなたのコード」とみなします。見つからなければ例外の名前と内容だけを返します。生のトレースバックは出しません。
    """
    try:
        detail = str(error).strip()
    except BaseException:  # __str__ が例外を送出する例外
        detail = ""
    detail = detail if len(detail) <= 300 else detail[:297] + "..."
    what = f"{type(error).__name__}" + (f": {detail}" if detail else "")
    try:
        frames = traceback.extract_tb(error.__traceback__)
    except BaseException:
        frames = []
    own = [frame for frame in frames if learner_file is not None and frame.filename == learner_file]
    if not own:
        return f"{what} が起きました。"
    frame = own[-1]
    line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
    where = f"あなたのコードの {frame.lineno} 行目" + (f" `{line}`" if line else "")
    return f"{where} で {what} が起きました。"
