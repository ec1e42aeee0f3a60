"""rnncourse.seeding.reproducible: 乱数の種、PyTorch の既定の精度とスレッド数。"""

import numpy as np
import pytest
import torch

from rnncourse.seeding import reproducible


def test_same_seed_same_numbers_in_numpy_torch_and_python():
    import random

    first = (reproducible(3).normal(size=3), torch.rand(3), random.random())
    second = (reproducible(3).normal(size=3), torch.rand(3), random.random())
    assert np.array_equal(first[0], second[0]) and torch.equal(first[1], second[1]) and first[2] == second[2]


def test_default_precision_is_float64_for_new_tensors_and_modules():
    reproducible(0)
    assert torch.get_default_dtype() == torch.float64
    assert torch.nn.LSTM(2, 3).weight_hh_l0.dtype == torch.float64
    assert torch.zeros(2).dtype == torch.float64


def test_float32_can_be_chosen_and_threads_are_set():
    reproducible(0, precision="float32", torch_threads=1)
    assert torch.get_default_dtype() == torch.float32 and torch.get_num_threads() == 1


def test_threads_none_leaves_the_thread_count_alone():
    torch.set_num_threads(2)
    reproducible(0, torch_threads=None)
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("kwargs, word", [
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"seed": True}, "seed"),
    ({"precision": "float16"}, "precision"), ({"precision": torch.float64}, "precision"),
    ({"torch_threads": 0}, "torch_threads"), ({"torch_threads": "2"}, "torch_threads"),
])
def test_bad_arguments_are_explained_in_japanese(kwargs, word):
    with pytest.raises(ValueError, match=word) as info:
        reproducible(**kwargs)
    assert "ください" in str(info.value)
