"""rnncourse.labs.parallel.run_all: 結果の順序、プロセスの数によらない結果、引数の誤り。"""

import operator

import pytest
import torch

from rnncourse.labs import parallel
from rnncourse.labs.experiments import memory_task_accuracy


def test_results_follow_the_order_of_the_calls():
    calls = [(2, k) for k in range(6)]
    assert parallel.run_all(operator.pow, calls, workers=1) == [1, 2, 4, 8, 16, 32]
    assert parallel.run_all(operator.pow, calls, workers=2) == [1, 2, 4, 8, 16, 32]


def test_keyword_calls_and_progress():
    class Recorder:
        def __init__(self):
            self.steps = []

        def update(self, step):
            self.steps.append(step)

    recorder = Recorder()
    assert parallel.run_all(dict, [{"a": 1}, {"b": 2}], workers=1, progress=recorder) == [{"a": 1}, {"b": 2}]
    assert recorder.steps == [1, 2]


def test_training_runs_in_other_processes_use_this_processes_precision():
    torch.set_default_dtype(torch.float64)
    call = dict(cell="rnn", T=4, seed=3, hidden_size=3, steps=4, n_train=16, n_test=32)
    here = memory_task_accuracy(**call)
    there = parallel.run_all(memory_task_accuracy, [call, call], workers=2)
    assert there == [here, here]


def test_errors_in_a_worker_reach_the_caller():
    with pytest.raises(ZeroDivisionError):
        parallel.run_all(operator.truediv, [(1, 0), (1, 1)], workers=2)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_bad_worker_counts_are_explained(workers):
    with pytest.raises(ValueError, match="workers"):
        parallel.run_all(operator.pow, [(2, 2)], workers=workers)


def test_bad_calls_are_explained():
    with pytest.raises(TypeError, match="calls"):
        parallel.run_all(operator.pow, [[2, 2]], workers=1)
    with pytest.raises(TypeError, match="fn"):
        parallel.run_all(3, [(2, 2)], workers=1)


def test_default_workers_is_small_and_positive():
    assert 1 <= parallel.default_workers() <= 4
