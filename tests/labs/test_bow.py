import numpy as np
import pytest

from rnncourse.labs.bow import bag_of_words
from rnncourse.data.padding import pad_sequences
from rnncourse.shapes import ShapeError
from rnncourse.data.text import CharVocab


def test_counts_match_a_loop():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 7, size=(5, 9))
    counts = bag_of_words(ids, size=7)
    assert counts.shape == (5, 7) and counts.dtype == np.float64
    for n in range(5):
        for v in range(7):
            assert counts[n, v] == np.sum(ids[n] == v)
    np.testing.assert_array_equal(counts.sum(axis=1), 9)


def test_single_sequence_and_reordering_gives_same_bag():
    vocab = CharVocab.from_text("犬が猫を追いかけた。猫が犬を追いかけた。")
    a = bag_of_words(vocab.encode("犬が猫を追いかけた。"), vocab.size)
    b = bag_of_words(vocab.encode("猫が犬を追いかけた。"), vocab.size)
    assert a.shape == (vocab.size,)
    np.testing.assert_array_equal(a, b)


def test_lengths_ignore_padding():
    seqs = [np.array([1, 2, 2]), np.array([0]), np.array([], dtype=np.int64)]
    padded, lengths = pad_sequences(seqs, pad_value=0)
    counts = bag_of_words(padded, size=3, lengths=lengths)
    np.testing.assert_array_equal(counts, [[0, 1, 2], [1, 0, 0], [0, 0, 0]])
    assert bag_of_words(padded, size=3)[2, 0] == 3  # 長さを渡さなければ埋めた 0 も数える


def test_empty_sequence():
    np.testing.assert_array_equal(bag_of_words([], size=2), [0.0, 0.0])


@pytest.mark.parametrize(
    "ids, size, lengths, error, words",
    [
        (np.array([0, 3]), 3, None, IndexError, "範囲外"),
        (np.array([-1]), 3, None, IndexError, "範囲外"),
        (np.array([0.5]), 3, None, TypeError, "整数"),
        ("abc", 3, None, TypeError, "整数"),
        (None, 3, None, TypeError, "整数"),
        (np.zeros((2, 2, 2), dtype=int), 3, None, ShapeError, "(N, T)"),
        (np.array([0, 1]), 0, None, ValueError, "size"),
        (np.array([0, 1]), 2.0, None, TypeError, "size"),
        (np.array([0, 1]), 2, np.array([1]), ValueError, "lengths"),
        (np.zeros((2, 3), dtype=int), 2, np.array([1]), ShapeError, "lengths"),
        (np.zeros((2, 3), dtype=int), 2, np.array([1, 4]), ValueError, "lengths"),
        (np.zeros((2, 3), dtype=int), 2, np.array([1.0, 2.0]), TypeError, "lengths"),
    ],
)
def test_bad_arguments_give_japanese_errors(ids, size, lengths, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        bag_of_words(ids, size, lengths)


def test_out_of_range_in_padding_is_ignored_when_lengths_given():
    padded = np.array([[0, 1, -1], [1, -1, -1]])
    np.testing.assert_array_equal(bag_of_words(padded, 2, lengths=np.array([2, 1])), [[1, 1], [0, 1]])
