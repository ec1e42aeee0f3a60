import numpy as np
import pytest

from rnncourse.data.padding import length_mask, masked_mean, pad_sequences, random_length_sequences
from rnncourse.shapes import ShapeError


def test_pad_sequences_2d_content_lengths_and_mask():
    rng = np.random.default_rng(0)
    seqs = [rng.normal(size=(T, 3)) for T in (4, 1, 6, 2)]
    padded, lengths = pad_sequences(seqs, pad_value=-5.0)
    assert padded.shape == (4, 6, 3) and padded.dtype == np.float64
    assert lengths.dtype == np.int64
    np.testing.assert_array_equal(lengths, [4, 1, 6, 2])
    mask = length_mask(lengths)
    assert mask.shape == (4, 6) and mask.dtype == bool
    for n, seq in enumerate(seqs):
        np.testing.assert_array_equal(padded[n, : len(seq)], seq)
        np.testing.assert_array_equal(padded[n, len(seq) :], -5.0)
        assert mask[n].sum() == len(seq) and mask[n, : len(seq)].all()
    np.testing.assert_array_equal(padded[~mask], -5.0)


def test_pad_sequences_1d_keeps_integer_dtype():
    padded, lengths = pad_sequences([[3, 1, 4], [1, 5], [9]])
    assert padded.dtype.kind == "i"
    np.testing.assert_array_equal(padded, [[3, 1, 4], [1, 5, 0], [9, 0, 0]])
    np.testing.assert_array_equal(lengths, [3, 2, 1])


def test_pad_sequences_allows_empty_sequence():
    padded, lengths = pad_sequences([np.zeros((0, 2)), np.ones((2, 2))])
    assert padded.shape == (2, 2, 2)
    np.testing.assert_array_equal(lengths, [0, 2])
    assert not length_mask(lengths)[0].any()


def test_pad_sequences_float_pad_value_allows_nan():
    padded, _ = pad_sequences([np.ones(2), np.ones(1)], pad_value=np.nan)
    assert np.isnan(padded[1, 1])


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="空のリスト"):
        pad_sequences([])
    with pytest.raises(ShapeError, match="seqs\\[1\\]"):
        pad_sequences([np.zeros((2, 3)), np.zeros((2, 4))])
    with pytest.raises(ShapeError, match="seqs\\[0\\]"):
        pad_sequences([np.zeros((2, 3, 1))])
    with pytest.raises(ShapeError, match="seqs\\[1\\]"):
        pad_sequences([np.zeros(2), np.zeros((2, 1))])
    with pytest.raises(ValueError, match="pad_value = 0.5"):
        pad_sequences([np.array([1, 2]), np.array([3])], pad_value=0.5)
    with pytest.raises(TypeError, match="seqs"):
        pad_sequences(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="seqs\\[0\\]"):
        pad_sequences([np.array(["a", "b"])])


def test_length_mask_explicit_T_max():
    mask = length_mask(np.array([1, 3]), T_max=5)
    np.testing.assert_array_equal(mask, [[1, 0, 0, 0, 0], [1, 1, 1, 0, 0]])
    assert length_mask([2, 2]).shape == (2, 2)


def test_length_mask_errors():
    with pytest.raises(ValueError, match="T_max = 2"):
        length_mask(np.array([1, 3]), T_max=2)
    with pytest.raises(ValueError, match="負の長さ -1"):
        length_mask(np.array([2, -1]))
    with pytest.raises(TypeError, match="整数"):
        length_mask(np.array([1.0, 2.0]))
    with pytest.raises(ShapeError, match="lengths"):
        length_mask(np.ones((2, 2), dtype=int))


def test_random_length_sequences_shapes_range_and_seed():
    seqs = random_length_sequences(500, min_len=3, max_len=7, dim=2, seed=5)
    assert len(seqs) == 500
    lengths = np.array([len(s) for s in seqs])
    assert set(lengths.tolist()) == {3, 4, 5, 6, 7}  # both ends included
    assert all(s.shape[1:] == (2,) and s.dtype == np.float64 for s in seqs)
    again = random_length_sequences(500, min_len=3, max_len=7, dim=2, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(seqs, again))
    other = random_length_sequences(500, min_len=3, max_len=7, dim=2, seed=6)
    assert not all(len(a) == len(b) for a, b in zip(seqs, other))
    padded, lens = pad_sequences(seqs)
    assert padded.shape == (500, 7, 2)
    np.testing.assert_array_equal(lens, lengths)


def test_random_length_sequences_errors():
    with pytest.raises(ValueError, match="max_len = 2"):
        random_length_sequences(3, min_len=4, max_len=2)
    with pytest.raises(ValueError, match="n"):
        random_length_sequences(0, min_len=1, max_len=2)
    with pytest.raises(TypeError, match="dim"):
        random_length_sequences(2, min_len=1, max_len=2, dim=True)


# ------------------------------------------------------------------ masked_mean
def test_masked_mean_ignores_padded_steps():
    rng = np.random.default_rng(0)
    h, lengths = rng.normal(size=(4, 6, 3)), np.array([6, 1, 3, 5])
    expected = np.stack([h[n, :lengths[n]].mean(axis=0) for n in range(4)])
    np.testing.assert_allclose(masked_mean(h, lengths), expected)
    h_changed = h.copy()
    h_changed[1, 1:] = 1e6  # 詰め物の位置の値を変えても結果は同じ
    np.testing.assert_allclose(masked_mean(h_changed, lengths), expected)


@pytest.mark.parametrize("lengths, error", [([6, 0, 3, 5], ValueError), ([6, 7, 3, 5], ValueError), ([6, 1, 3], ShapeError),
                                            ([6.0, 1.0, 3.0, 5.0], TypeError)])
def test_masked_mean_rejects_bad_lengths(lengths, error):
    with pytest.raises(error, match="lengths"):
        masked_mean(np.zeros((4, 6, 3)), np.array(lengths))
