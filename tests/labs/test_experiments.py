import pytest

from rnncourse.labs.experiments import memory_task_accuracy


def test_short_memory_is_learned_and_runs_are_repeatable():
    first = memory_task_accuracy("gru", T=3, seed=0, hidden_size=8, steps=60)
    assert first > 0.9
    assert memory_task_accuracy("gru", T=3, seed=0, hidden_size=8, steps=60) == first


def test_unknown_cell():
    with pytest.raises(ValueError, match="cell は"):
        memory_task_accuracy("cnn", T=3, steps=1)
