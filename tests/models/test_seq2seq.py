"""rnncourse.models.seq2seq: 辞書、形、マスク、貪欲復号、NumPy 参照実装 (GRU + 注意) との一致、学習と評価。"""

import re

import numpy as np
import pytest
import torch

from rnncourse.nn.gru import gru_forward
from rnncourse.models.interop import gru_weights_from_torch
from rnncourse.models.seq2seq import (
    BOS,
    EOS,
    PAD,
    Seq2Seq,
    Seq2SeqData,
    Seq2SeqVocab,
    char_accuracy,
    encode_pairs,
    exact_match,
    exact_match_by_length,
    train_seq2seq,
    translate,
)
from rnncourse.nn.attention import attention_forward

PAIRS = [("三億五百万", "305000000"), ("二千二十六", "2026"), ("十", "10"), ("千万", "10000000")]
SRC = Seq2SeqVocab.from_texts([x for x, _ in PAIRS])
TGT = Seq2SeqVocab.from_texts([y for _, y in PAIRS])


@pytest.fixture(autouse=True)
def _one_thread():
    # 小さなテンソルでは 1 スレッドが速く、共有マシンの負荷にも左右されにくい (2 スレッドで 50 倍遅くなったことがある)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _model(attention: bool, seed: int = 0, H: int = 6, E: int = 5) -> Seq2Seq:
    torch.manual_seed(seed)
    return Seq2Seq(SRC.size, TGT.size, E, H, attention=attention).double()


# ---------------------------------------------------------------- 辞書とデータ


def test_vocab_specials_round_trip_and_order():
    assert (PAD, BOS, EOS) == (0, 1, 2)
    assert SRC.tokens[:3] == ("<pad>", "<bos>", "<eos>")
    assert list(SRC.tokens[3:]) == sorted(SRC.tokens[3:])
    for text, _ in PAIRS:
        ids = SRC.encode(text, bos=True, eos=True)
        assert ids[0] == BOS and ids[-1] == EOS and ids.dtype == np.int64
        assert SRC.decode(ids) == text
    assert TGT.decode([TGT.encode("20")[0], PAD, EOS, TGT.encode("2")[0]]) == "2"


def test_vocab_errors_are_japanese():
    with pytest.raises(KeyError, match=re.escape("文字 '兆' ('五兆' の 1 文字目)")):
        SRC.encode("五兆")
    with pytest.raises(IndexError, match="ID 99 は範囲外"):
        SRC.decode([3, 99])
    with pytest.raises(TypeError, match="文字列のリスト"):
        Seq2SeqVocab.from_texts("abc")
    with pytest.raises(ValueError, match="同じ文字"):
        Seq2SeqVocab(["a", "a"])


def test_encode_pairs_pads_with_bos_and_eos():
    data = encode_pairs(PAIRS, SRC, TGT)
    assert data.source.shape == (4, 5) and data.target_in.shape == data.target_out.shape == (4, 10)
    np.testing.assert_array_equal(data.source_lengths, [5, 5, 1, 2])
    assert np.all(data.target_in[:, 0] == BOS)
    for n, (x, y) in enumerate(PAIRS):
        assert SRC.decode(data.source[n]) == x
        assert TGT.decode(data.target_out[n]) == y
        assert data.target_out[n, len(y)] == EOS and np.all(data.target_out[n, len(y) + 1 :] == PAD)
        np.testing.assert_array_equal(data.target_in[n, 1 : len(y) + 1], data.target_out[n, : len(y)])
    with pytest.raises(TypeError, match=r"pairs\[1\]"):
        encode_pairs([("十", "10"), ("十", "")], SRC, TGT)


# ---------------------------------------------------------------- モデルの形とマスク


@pytest.mark.parametrize("attention", [False, True])
def test_shapes_and_attention_weights(attention):
    model = _model(attention)
    source, lengths, target_in, _ = encode_pairs(PAIRS, SRC, TGT).tensors()
    logits, alpha = model(source, lengths, target_in)
    assert logits.shape == (4, 10, TGT.size) and logits.dtype == torch.float64
    if not attention:
        assert alpha is None
        return
    assert alpha.shape == (4, 10, 5)
    torch.testing.assert_close(alpha.sum(dim=-1), torch.ones(4, 10, dtype=torch.float64), rtol=0, atol=1e-12)
    mask = torch.arange(5)[None, :] < lengths[:, None]
    assert torch.all(alpha.masked_select(~mask[:, None, :]) == 0)


def test_same_parameters_with_and_without_attention():
    plain, attn = _model(False), _model(True)
    assert [(n, p.shape) for n, p in plain.named_parameters()] == [(n, p.shape) for n, p in attn.named_parameters()]


@pytest.mark.parametrize("attention", [False, True])
def test_padding_does_not_change_the_output(attention):
    """詰め物のある 1 つの例の出力は、詰め物なしで単独に計算したものと同じ。"""
    model = _model(attention, seed=1)
    source, lengths, target_in, _ = encode_pairs(PAIRS, SRC, TGT).tensors()
    logits, alpha = model(source, lengths, target_in)
    for n in range(4):
        T, U = int(lengths[n]), len(PAIRS[n][1]) + 1
        single, single_alpha = model(source[n : n + 1, :T], lengths[n : n + 1], target_in[n : n + 1, :U])
        torch.testing.assert_close(logits[n, :U], single[0], rtol=0, atol=1e-12)
        if attention:
            torch.testing.assert_close(alpha[n, :U, :T], single_alpha[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("attention", [False, True])
def test_matches_numpy_reference_with_copied_weights(attention):
    """埋め込み → NumPy の GRU (rnncourse.nn.gru) → NumPy の注意 (rnncourse.nn.attention) → 出力層 が torch と一致する。"""
    model = _model(attention, seed=2, H=7, E=4)
    source, lengths, target_in, _ = encode_pairs(PAIRS, SRC, TGT).tensors()
    logits, alpha = model(source, lengths, target_in)
    E_src = model.source_embedding.weight.detach().numpy()
    E_tgt = model.target_embedding.weight.detach().numpy()
    W_out, b_out = model.out.weight.detach().numpy(), model.out.bias.detach().numpy()
    for n in range(4):
        T, U = int(lengths[n]), len(PAIRS[n][1]) + 1
        x = E_src[source[n, :T].numpy()][None]  # (1, T, E)
        h, _ = gru_forward(x, np.zeros((1, 7)), *gru_weights_from_torch(model.encoder))
        h_T = h[:, -1]
        s, _ = gru_forward(E_tgt[target_in[n, :U].numpy()][None], h_T, *gru_weights_from_torch(model.decoder))
        for t in range(U):
            if attention:
                c, alpha_t, _ = attention_forward(s[:, t], h)
                np.testing.assert_allclose(alpha[n, t, :T].detach().numpy(), alpha_t[0], rtol=1e-10, atol=1e-12)
            else:
                c = h_T
            logits_t = np.concatenate([s[0, t], c[0]]) @ W_out.T + b_out  # W_out [s_t; c_t] + b_out
            np.testing.assert_allclose(logits[n, t].detach().numpy(), logits_t, rtol=1e-10, atol=1e-12)


def test_rejects_bad_inputs_in_japanese():
    model = _model(True)
    source, lengths, target_in, _ = encode_pairs(PAIRS, SRC, TGT).tensors()
    with pytest.raises(TypeError, match="int64 テンソル"):
        model(source.double(), lengths, target_in)
    with pytest.raises(ValueError, match="source_lengths の値"):
        model(source, lengths + 1, target_in)
    with pytest.raises(TypeError, match="True か False"):
        Seq2Seq(10, 10, 4, 4, attention="dot")
    with pytest.raises(ValueError, match="hidden_size"):
        Seq2Seq(10, 10, 4, 0, attention=True)


# ---------------------------------------------------------------- 貪欲復号


class _ScriptedOutput(torch.nn.Module):
    """出力層の代わり: 例 n は時刻 stop[n] で <eos>、それまでは文字 ID 3 を出す (呼ばれた回数で時刻を数える)。"""

    def __init__(self, stop, vocab_size):
        super().__init__()
        self.stop, self.vocab_size, self.t = stop, vocab_size, 0

    def forward(self, x):
        logits = torch.zeros(x.shape[0], 1, self.vocab_size, dtype=x.dtype)
        for n, stop in enumerate(self.stop):
            logits[n, 0, EOS if self.t >= stop else 3] = 1.0
        self.t += 1
        return logits


@pytest.mark.parametrize("attention", [False, True])
def test_greedy_decoding_stops_at_eos_and_pads_after(attention):
    model = _model(attention)
    source, lengths, _, _ = encode_pairs(PAIRS, SRC, TGT).tensors()
    model.out = _ScriptedOutput([0, 2, 1, 5], TGT.size)
    ids, alpha = model.greedy_decode(source, lengths, max_length=20)
    assert ids.shape == (4, 6)  # 最後の例が時刻 5 で <eos> を出したところで止まる
    expected = [[EOS, PAD, PAD, PAD, PAD, PAD], [3, 3, EOS, PAD, PAD, PAD], [3, EOS, PAD, PAD, PAD, PAD], [3, 3, 3, 3, 3, EOS]]
    assert ids.tolist() == expected
    assert (alpha is None) != attention and (alpha is None or alpha.shape == (4, 6, 5))
    model.out = _ScriptedOutput([99] * 4, TGT.size)
    ids, _ = model.greedy_decode(source, lengths, max_length=3)
    assert ids.shape == (4, 3) and torch.all(ids == 3)  # <eos> が出なければ max_length で止まる


@pytest.mark.parametrize("attention", [False, True])
def test_greedy_decoding_agrees_with_teacher_forcing_on_its_own_output(attention):
    """自分の出力を教師強制で入れ直すと、各時刻の argmax は貪欲復号の出力と同じ。"""
    model = _model(attention, seed=3)
    source, lengths, _, _ = encode_pairs(PAIRS, SRC, TGT).tensors()
    ids, alpha = model.greedy_decode(source, lengths, max_length=8)
    target_in = torch.cat([torch.full((4, 1), BOS), ids[:, :-1]], dim=1)
    logits, alpha_tf = model(source, lengths, target_in)
    for n in range(4):
        row = ids[n].tolist()
        L = row.index(EOS) + 1 if EOS in row else len(row)
        assert (logits[n, :L, 2:].argmax(dim=-1) + 2).tolist() == row[:L]  # <pad>, <bos> (ID 0, 1) は選ばない
        if attention:
            torch.testing.assert_close(alpha[n, :L], alpha_tf[n, :L], rtol=0, atol=1e-12)


def test_translate_returns_strings_and_alignments():
    model = _model(True)
    result = translate(model, ["三億五百万", "十"], SRC, TGT, max_length=6)
    assert len(result.outputs) == 2 and all(isinstance(o, str) for o in result.outputs)
    for text, out, alpha in zip(["三億五百万", "十"], result.outputs, result.alphas):
        assert alpha.shape[1] == len(text) and alpha.shape[0] in (len(out) + 1, 6)
        np.testing.assert_allclose(alpha.sum(axis=1), 1.0, atol=1e-12)
    assert translate(_model(False), ["十"], SRC, TGT, max_length=3).alphas is None
    with pytest.raises(KeyError, match="辞書にありません"):
        translate(model, ["五兆"], SRC, TGT, max_length=3)


# ---------------------------------------------------------------- 学習と評価


def test_training_learns_a_tiny_task_and_is_reproducible():
    data = encode_pairs(PAIRS, SRC, TGT)
    runs = []
    for _ in range(2):
        model = _model(True, seed=4, H=16, E=8)
        runs.append(train_seq2seq(model, data, steps=60, batch_size=4, lr=0.03, seed=0))
    assert runs[0] == runs[1]
    assert runs[0][-1] < 0.1 * runs[0][0]
    outputs = translate(model, [x for x, _ in PAIRS], SRC, TGT, max_length=12).outputs
    assert outputs == [y for _, y in PAIRS]  # 4 例を覚えるだけなら必ずできる


def test_train_rejects_bad_arguments():
    data = encode_pairs(PAIRS, SRC, TGT)
    with pytest.raises(TypeError, match="Seq2SeqData"):
        train_seq2seq(_model(True), tuple(data), steps=1)
    with pytest.raises(ValueError, match="steps"):
        train_seq2seq(_model(True), data, steps=0)
    with pytest.raises(ValueError, match="lr"):
        train_seq2seq(_model(True), data, steps=1, lr=-1.0)
    assert isinstance(data, Seq2SeqData)


def test_metrics():
    assert exact_match(["2026", "305"], ["2026", "3050"]) == 0.5
    assert char_accuracy(["2026", "305"], ["2026", "3050"]) == pytest.approx(7 / 8)
    assert char_accuracy(["20261"], ["2026"]) == 1.0  # はみ出しは文字単位では数えない
    assert exact_match(["20261"], ["2026"]) == 0.0  # 完全一致では誤り
    assert char_accuracy([""], ["12"]) == 0.0
    with pytest.raises(ValueError, match="同じ数"):
        exact_match(["1"], ["1", "2"])
    with pytest.raises(TypeError, match="文字列のリスト"):
        char_accuracy("1", ["1"])
    by_length = exact_match_by_length(["十", "二十", "三十", "百"], ["10", "20", "31", "100"], ["10", "20", "30", "100"])
    assert by_length == {1: (2, 1.0), 2: (2, 0.5)}


def test_greedy_decoding_never_outputs_pad_or_bos():
    model = _model(False)
    with torch.no_grad():
        model.out.bias[PAD] = model.out.bias[BOS] = 1e6  # 学習前のモデルがこれらを好むようにしても
    ids, _ = model.greedy_decode(*encode_pairs(PAIRS, SRC, TGT).tensors()[:2], max_length=4)
    assert not torch.any((ids == PAD) | (ids == BOS))
