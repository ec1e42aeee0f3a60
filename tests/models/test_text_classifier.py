"""文の分類器 (rnncourse.models.text_classifier) のテスト: 可変長の読み方、バッチ、学習、誤った引数。"""

import numpy as np
import pytest
import torch

from rnncourse.data.text import CharVocab
from rnncourse.models.counting import recurrent_param_count
from rnncourse.models.text_classifier import (
    TextClassifier, encode_texts, length_batches, predict_proba, text_accuracy, train_text_classifier, unknown_chars,
)
from rnncourse.seeding import torch_defaults
from rnncourse.shapes import ShapeError

TEXTS = ["美味しい。", "美味しくない。", "値段は高いが、味は最高だ。", "味は最高だが、値段は高い。", "高い。"]
VOCAB = CharVocab.from_text("".join(TEXTS))


@pytest.fixture(autouse=True)
def float64():
    with torch_defaults("float64", 1):
        yield


def test_encode_texts_pads_with_zero_and_returns_lengths():
    ids, lengths = encode_texts(TEXTS, VOCAB)
    assert ids.shape == (5, max(len(t) for t in TEXTS)) and ids.dtype == np.int64
    assert lengths.tolist() == [len(t) for t in TEXTS]
    for row, text in zip(ids, TEXTS):
        assert VOCAB.decode(row[:len(text)]) == text
        assert not row[len(text):].any()


def test_encode_texts_unknown_characters():
    with pytest.raises(KeyError, match="辞書にありません"):
        encode_texts(["激ウマ"], VOCAB)
    ids, lengths = encode_texts(["激高い"], VOCAB, skip_unknown=True)
    assert lengths.tolist() == [2] and VOCAB.decode(ids[0]) == "高い"
    with pytest.raises(ValueError, match="1 つもありません"):
        encode_texts(["激"], VOCAB, skip_unknown=True)
    assert unknown_chars("激ウマ高い", VOCAB) == ["激", "ウ", "マ"]


@pytest.mark.parametrize("bad, error", [("美味しい", TypeError), ([], ValueError), ([1], TypeError)])
def test_encode_texts_rejects_bad_input(bad, error):
    with pytest.raises(error):
        encode_texts(bad, VOCAB)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_packed_and_gathered_readouts_equal_one_sentence_at_a_time(cell):
    torch.manual_seed(0)
    model = TextClassifier(VOCAB.size, embedding_dim=5, hidden_size=7, cell=cell)
    ids, lengths = (torch.from_numpy(a) for a in encode_texts(TEXTS, VOCAB))
    with torch.no_grad():
        packed = model(ids, lengths)
        model.pack = False
        gathered = model(ids, lengths)
        single = torch.cat([model(ids[n:n + 1, :lengths[n]]) for n in range(len(TEXTS))])  # 詰め物のない 1 文ずつ
        ignored = model(ids)  # 長さを渡さない (詰め物まで読む)
    torch.testing.assert_close(packed, single, rtol=0, atol=1e-12)
    torch.testing.assert_close(gathered, single, rtol=0, atol=1e-12)
    assert (ignored - single).abs().max() > 1e-3  # 詰め物まで読むと違う値になる


@pytest.mark.parametrize("cell, gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_parameter_count_is_embedding_plus_recurrent_plus_output(cell, gates):
    model = TextClassifier(50, embedding_dim=6, hidden_size=9, cell=cell)
    n = sum(p.numel() for p in model.parameters())
    assert n == 50 * 6 + recurrent_param_count(cell, 6, 9) + (9 + 1) * 2
    assert recurrent_param_count(cell, 6, 9) == gates * (9 * 6 + 9 * 9 + 2 * 9)


def test_classifier_rejects_wrong_shapes():
    model = TextClassifier(VOCAB.size, 4, 5)
    with pytest.raises(ShapeError, match="ids"):
        model(torch.zeros(3, dtype=torch.long))
    with pytest.raises(ShapeError, match="lengths"):
        model(torch.zeros((2, 3), dtype=torch.long), torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError):
        TextClassifier(VOCAB.size, 4, 5, cell="transformer")


def test_length_batches_cover_every_example_once_and_reduce_padding():
    lengths = np.random.default_rng(0).integers(5, 40, size=1000)
    batches = length_batches(lengths, 32, np.random.default_rng(1))
    everything = np.concatenate(batches)
    assert sorted(everything.tolist()) == list(range(1000))
    assert all(1 <= len(b) <= 32 for b in batches)

    def padded(bs):
        return sum(len(b) * lengths[b].max() for b in bs) - lengths.sum()

    random = [np.arange(1000)[k:k + 32] for k in range(0, 1000, 32)]
    assert padded(batches) < padded(random) / 3
    again = length_batches(lengths, 32, np.random.default_rng(1))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))


def _toy_data(n, seed):
    rng = np.random.default_rng(seed)
    good, bad = "安美良", "高悪遅"
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        chars = rng.choice(list(good if label else bad), size=int(rng.integers(2, 6)))
        texts.append("".join(chars))
        labels.append(label)
    return texts, np.array(labels)


def test_training_learns_and_restores_the_best_validation_epoch():
    vocab = CharVocab.from_text("安美良高悪遅")
    train_texts, train_labels = _toy_data(200, 0)
    val_texts, val_labels = _toy_data(100, 1)
    train = (*encode_texts(train_texts, vocab), train_labels)
    val = (*encode_texts(val_texts, vocab), val_labels)
    results = []
    for _ in range(2):
        torch.manual_seed(0)
        model = TextClassifier(vocab.size, 4, 8, "gru", pack=False)
        result = train_text_classifier(model, train, val, epochs=4, lr=0.03, batch_size=16, seed=0)
        results.append((result, text_accuracy(model, *val)))
    (result, restored), (again, _) = results
    assert result == again  # 同じ種なら同じ学習
    assert len(result.val_accuracy) == 4 and len(result.train_loss) == 4
    assert restored == max(result.val_accuracy) == result.val_accuracy[result.best_epoch - 1]
    assert restored > 0.9
    proba = predict_proba(model, *val[:2])
    assert proba.shape == (100,) and np.all((proba >= 0) & (proba <= 1))


def test_training_rejects_malformed_data():
    model = TextClassifier(VOCAB.size, 4, 5)
    ids, lengths = encode_texts(TEXTS, VOCAB)
    with pytest.raises(TypeError, match="train"):
        train_text_classifier(model, (ids, lengths), (ids, lengths, np.zeros(5)), epochs=1)
    with pytest.raises(ShapeError, match="validation"):
        train_text_classifier(model, (ids, lengths, np.zeros(5)), (ids, lengths, np.zeros(4)), epochs=1)
