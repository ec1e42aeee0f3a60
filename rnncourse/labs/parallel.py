"""学習を何回もくり返す実験 (乱数の種や設定を変えた比較) を、CPU のコアに分けて同時に進める。

    >>> from operator import pow
    >>> run_all(pow, [(2, 3), (3, 2), (10, 0)], workers=1)
    [8, 9, 1]

1 回ずつの学習は、自分の引数 (乱数の種を含む) だけで結果が決まるように書いてあります
(``memory_accuracy`` など)。そのため、いくつのプロセスで分けて計算しても、どの順に終わっても、結果は同じです。
2 コアのノートパソコンなら、2 つのプロセスで実験の時間がおよそ半分になります。

プロセスを分けて計算する関数は、パッケージのモジュールに書いた関数に限ります (ノートブックの中で定義した関数は、
別のプロセスへ渡せないことがあるため)。
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable, Sequence

__all__ = ["default_workers", "run_all"]


def default_workers(limit: int = 4) -> int:
    """同時に動かすプロセスの既定の数: CPU のコアの数 (多すぎるとメモリを使うので ``limit`` まで)。

    >>> 1 <= default_workers() <= 4
    True

    プロセスを forkserver で作れない OS (Windows) では 1 (このプロセスの中で順に計算) です。spawn で作ると、
    プロセスごとに PyTorch を読み込み直す数秒が、この講座の小さな実験では分けて得する時間を上回るためです。
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(limit, os.cpu_count() or 1))


def _configure_worker(dtype: str | None, threads: int | None) -> None:
    """新しいプロセスの PyTorch を、呼び出したプロセスと同じ既定の型・スレッド数にする。"""
    if dtype is None:
        return
    import torch

    torch.set_default_dtype(getattr(torch, dtype))
    if threads is not None:
        torch.set_num_threads(threads)


def _context() -> multiprocessing.context.BaseContext:
    """プロセスの作り方。fork は速いが、複数スレッドで計算した後のプロセスを fork すると子プロセスが
    OpenMP のロックで止まることがある。forkserver は、何も計算していない「親元」のプロセスを 1 つ起動して
    PyTorch などを読み込んでおき、そこから fork する (2 回目からはすぐ始まる)。Windows では spawn。
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["torch", "rnncourse.labs"])
    return context


def _torch_settings() -> tuple[str | None, int | None]:
    torch = sys.modules.get("torch")
    if torch is None:
        return None, None
    return str(torch.get_default_dtype()).removeprefix("torch."), torch.get_num_threads()


def run_all(
    fn: Callable[..., Any],
    calls: Sequence[Any],
    workers: int | None = None,
    progress: Any = None,
) -> list[Any]:
    """``calls`` のそれぞれについて ``fn`` を呼び、``calls`` と同じ順の結果のリストを返す。

    ``calls`` の要素が dict なら ``fn(**call)``、タプルなら ``fn(*call)`` を計算します。
    ``workers`` は同時に動かすプロセスの数 (既定は ``default_workers()``)。1 ならこのプロセスの中で順に計算します。
    ``progress`` に ``rnncourse.viz.progress.TrainingProgress`` を渡すと、1 回終わるごとに進み具合を知らせます。
    別のプロセスでも、PyTorch の既定の型 (講座では float64) とスレッド数はこのプロセスと同じにします。
    """
    if not callable(fn):
        raise TypeError(f"引数 fn には関数を渡してください ({type(fn).__name__} が渡されました)。")
    calls = list(calls)
    for i, call in enumerate(calls):
        if not isinstance(call, (dict, tuple)):
            raise TypeError(f"calls[{i}] は引数の dict かタプルにしてください ({type(call).__name__} が渡されました)。")
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers は 1 以上の整数にしてください ({workers!r} が渡されました)。")

    def invoke(call: Any) -> Any:
        return fn(**call) if isinstance(call, dict) else fn(*call)

    results: list[Any] = [None] * len(calls)
    if workers == 1 or len(calls) <= 1:
        for i, call in enumerate(calls):
            results[i] = invoke(call)
            if progress is not None:
                progress.update(i + 1)
        return results

    context = _context()
    with ProcessPoolExecutor(max_workers=min(workers, len(calls)), mp_context=context,
                             initializer=_configure_worker, initargs=_torch_settings()) as pool:
        futures = {
            (pool.submit(fn, **call) if isinstance(call, dict) else pool.submit(fn, *call)): i
            for i, call in enumerate(calls)
        }
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress.update(done)
    return results
