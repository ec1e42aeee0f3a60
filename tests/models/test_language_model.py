"""rnncourse.models.language_model: モデルの形、打ち切り BPTT の学習、評価、ベースライン、サンプリング、保存と読み込み。"""

import doctest
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import rnncourse.models.language_model as module_under_test
from rnncourse.models.language_model import (
    CharLanguageModel, Generation, context_limited_loss, bigram_loss, bigram_probs, bits_per_char, choose_add_k, detach_state,
    entropy_bits, evaluate_loss, generate, load_language_model, perplexity, perplexity_from_losses,
    plot_stream_layout, save_language_model, temperature_probs, train_language_model, uniform_loss,
    unigram_loss, unigram_probs,
)
from rnncourse.nn.losses import softmax
from rnncourse.shapes import ShapeError
from rnncourse.data.text import CharVocab

TEXT = "あいうえおかきくけこ。" * 12  # 規則的な 132 文字: 学習すればほぼ完全に当てられる


@pytest.fixture(autouse=True)
def _one_thread():
    # 小さなテンソルでは 1 スレッドが速く、共有マシンの負荷にも左右されにくい
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)


def _ids(vocab=None):
    vocab = vocab or CharVocab.from_text(TEXT)
    return vocab, vocab.encode(TEXT)


# --- モデル --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_model_shapes_and_state(cell):
    model = CharLanguageModel(vocab_size=11, embed_size=4, hidden_size=6, cell=cell)
    x = torch.randint(0, 11, (3, 5))
    logits, state = model(x)
    assert logits.shape == (3, 5, 11)
    h = state[0] if cell == "lstm" else state
    assert h.shape == (1, 3, 6)
    # 続きから読むのと、つないで一度に読むのは同じ
    first, state1 = model(x[:, :2])
    second, _ = model(x[:, 2:], state1)
    torch.testing.assert_close(torch.cat([first, second], dim=1), logits)


def test_model_rejects_bad_arguments():
    with pytest.raises(ValueError, match="cell"):
        CharLanguageModel(5, 4, 4, cell="gru")
    with pytest.raises(ValueError, match="vocab_size"):
        CharLanguageModel(0, 4, 4)
    model = CharLanguageModel(5, 4, 4)
    with pytest.raises(TypeError, match="int64"):
        model(torch.zeros(2, 3))


def test_detach_state_keeps_values_and_cuts_graph():
    h = torch.ones(1, 2, 3, requires_grad=True) * 3
    assert detach_state(None) is None
    d = detach_state(h)
    assert not d.requires_grad and torch.equal(d, h.detach())
    pair = detach_state((h, h * 2))
    assert isinstance(pair, tuple) and not any(t.requires_grad for t in pair)


# --- 学習と評価 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_training_learns_a_regular_text(cell):
    vocab, ids = _ids()
    model = CharLanguageModel(vocab.size, 8, 16, cell=cell)
    before = evaluate_loss(model, ids)
    history = train_language_model(model, ids, batch_size=4, seq_len=8, epochs=15, lr=0.02, val_ids=ids)
    assert len(history.train_loss) == 15 * 4  # (132 // 4 − 1) // 8 = 4 チャンク
    assert history.val_steps == [4 * (e + 1) for e in range(15)]
    assert history.val_loss[-1] < 0.3 < before


def test_training_max_steps_and_progress():
    vocab, ids = _ids()
    model = CharLanguageModel(vocab.size, 4, 8)

    class Recorder:
        def __init__(self):
            self.calls = []

        def update(self, step, **metrics):
            self.calls.append((step, sorted(metrics)))

    recorder = Recorder()
    history = train_language_model(model, ids, batch_size=4, seq_len=8, epochs=3, max_steps=6, val_ids=ids,
                                   progress=recorder)
    assert len(history.train_loss) == 6
    assert history.val_steps == [4, 6]  # 1 エポック目の終わりと、上限に達したとき
    assert recorder.calls[0] == (1, ["loss"]) and (4, ["val_loss"]) in recorder.calls


def test_training_carries_the_hidden_state_between_chunks():
    # 1 エポック目の 2 つ目のチャンクの損失は、前のチャンクの最後の状態から始めた損失と同じ
    vocab, ids = _ids()
    model = CharLanguageModel(vocab.size, 4, 8, cell="lstm")
    clone = CharLanguageModel(vocab.size, 4, 8, cell="lstm")
    clone.load_state_dict(model.state_dict())
    history = train_language_model(model, ids, batch_size=4, seq_len=8, max_steps=2, lr=0.01, clip=None)
    from rnncourse.data.text import stream_batches

    (x0, y0), (x1, y1) = list(stream_batches(ids, 4, 8))[:2]
    optimizer = torch.optim.Adam(clone.parameters(), lr=0.01)
    logits, state = clone(torch.from_numpy(x0))
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab.size), torch.from_numpy(y0).reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    logits, _ = clone(torch.from_numpy(x1), detach_state(state))
    loss1 = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab.size), torch.from_numpy(y1).reshape(-1))
    assert history.train_loss[1] == pytest.approx(loss1.item(), abs=1e-6)


def test_evaluate_loss_matches_one_shot_cross_entropy():
    vocab, ids = _ids()
    model = CharLanguageModel(vocab.size, 4, 8, cell="lstm")
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(ids[:-1])[None])
        direct = torch.nn.functional.cross_entropy(logits[0].double(), torch.from_numpy(ids[1:])).item()
    for seq_len in (1, 7, 1000):
        assert evaluate_loss(model, ids, seq_len=seq_len) == pytest.approx(direct, abs=1e-6)
    assert model.training  # 評価のあとも元のモードに戻る


def test_evaluate_loss_rejects_bad_ids():
    model = CharLanguageModel(5, 4, 4)
    with pytest.raises(ValueError, match="2 以上"):
        evaluate_loss(model, np.array([1]))
    with pytest.raises(IndexError, match="範囲外"):
        evaluate_loss(model, np.array([1, 7]))
    with pytest.raises(TypeError, match="文字列"):
        evaluate_loss(model, "あい")


# --- 指標 ------------------------------------------------------------------------------------------


def test_perplexity_and_bits():
    assert perplexity(math.log(931)) == pytest.approx(931)
    assert bits_per_char(math.log(8)) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="0 以上"):
        perplexity(-1.0)
    with pytest.raises(TypeError):
        bits_per_char("1.0")


def test_perplexity_from_losses_weights_by_counts():
    losses, counts = np.array([1.0, 3.0]), np.array([3, 1])
    assert perplexity_from_losses(losses, counts) == pytest.approx(math.exp(1.5))
    assert perplexity_from_losses(losses, counts) != pytest.approx(np.mean(np.exp(losses)))
    with pytest.raises(ShapeError):
        perplexity_from_losses([1.0, 2.0], [1])
    with pytest.raises(ValueError):
        perplexity_from_losses([1.0], [0])


# --- ベースライン ----------------------------------------------------------------------------------


def test_uniform_and_unigram():
    assert uniform_loss(931) == pytest.approx(math.log(931))
    p = unigram_probs(np.array([0, 0, 1, 2]), vocab_size=4, k=0.5)
    np.testing.assert_allclose(p, np.array([2.5, 1.5, 1.5, 0.5]) / 6)
    ids = np.array([3, 0, 1, 1])
    assert unigram_loss(p, ids) == pytest.approx(-np.mean(np.log(p[[0, 1, 1]])))
    # 一様な p なら log V
    assert unigram_loss(np.full(4, 0.25), ids) == pytest.approx(math.log(4))


def test_bigram_probs_rows_and_loss():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 6, size=200)
    P = bigram_probs(ids, vocab_size=7, k=0.1)  # 7 番目の文字は一度も出ない
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P[6], np.full(7, 1 / 7))  # 見たことのない文字のあとは一様
    val = rng.integers(0, 7, size=30)
    brute = -np.mean([math.log(P[a, b]) for a, b in zip(val[:-1], val[1:])])
    assert bigram_loss(P, val) == pytest.approx(brute)


def test_bigram_without_smoothing_is_infinite_on_unseen_pairs():
    P = np.array([[0.0, 1.0], [1.0, 0.0]])  # 0 のあとは必ず 1 (平滑化なしの数え上げ)
    assert bigram_loss(P, np.array([0, 1, 0])) == 0.0
    assert bigram_loss(P, np.array([0, 0])) == math.inf


def test_choose_add_k_uses_only_training_text():
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 5, size=300)
    k, losses = choose_add_k(ids, vocab_size=5, candidates=(1.0, 0.1, 0.01))
    assert sorted(losses) == [0.01, 0.1, 1.0] and losses[k] == min(losses.values())
    fit, dev = ids[:270], ids[270:]
    assert losses[0.1] == pytest.approx(bigram_loss(bigram_probs(fit, 5, 0.1), dev))
    with pytest.raises(ValueError):
        choose_add_k(ids, 5, candidates=())


def test_baselines_reject_bad_arguments():
    with pytest.raises(ValueError, match="k"):
        bigram_probs(np.array([0, 1]), 2, k=0.0)
    with pytest.raises(IndexError):
        unigram_probs(np.array([0, 5]), 2)
    with pytest.raises(ShapeError):
        bigram_loss(np.ones((2, 3)), np.array([0, 1]))


# --- サンプリング ----------------------------------------------------------------------------------


def test_temperature_probs():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 7))
    np.testing.assert_allclose(temperature_probs(logits, 1.0), softmax(logits))
    expected = torch.softmax(torch.tensor(logits) / 0.5, dim=-1).numpy()
    np.testing.assert_allclose(temperature_probs(logits, 0.5), expected)
    big = temperature_probs(np.array([1000.0, 999.0]), 1.0)
    assert np.all(np.isfinite(big)) and big.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="temperature"):
        temperature_probs(logits, 0.0)


def test_entropy_grows_with_temperature():
    logits = np.random.default_rng(3).normal(size=50) * 3
    H = [entropy_bits(temperature_probs(logits, t)) for t in (0.25, 0.5, 1.0, 1.5, 3.0)]
    assert all(a < b for a, b in zip(H, H[1:]))
    assert H[-1] < math.log2(50)
    assert entropy_bits(np.full(8, 1 / 8)) == pytest.approx(3.0)
    assert entropy_bits(np.array([[1.0, 0.0], [0.5, 0.5]])).tolist() == [0.0, 1.0]


def test_generate_is_reproducible():
    vocab, ids = _ids()
    model = CharLanguageModel(vocab.size, 4, 8)
    a = generate(model, vocab, "あい", 20, temperature=1.5, rng=np.random.default_rng(5))
    b = generate(model, vocab, "あい", 20, temperature=1.5, rng=np.random.default_rng(5))
    assert isinstance(a, Generation) and a == b
    assert a.text.startswith("あい") and len(a.text) == 22 and a.entropy_bits > 0
    greedy = generate(model, vocab, "あい", 10, greedy=True)
    assert greedy.entropy_bits == 0.0 and len(greedy.text) == 12
    assert generate(model, vocab, "あ", 0, rng=np.random.default_rng(0)).text == "あ"


def test_generate_after_training_continues_the_pattern():
    vocab, ids = _ids()
    model = CharLanguageModel(vocab.size, 8, 16, cell="lstm")
    train_language_model(model, ids, batch_size=4, seq_len=8, epochs=15, lr=0.02)
    assert generate(model, vocab, "あい", 9, greedy=True).text == "あいうえおかきくけこ。"


def test_generate_rejects_bad_arguments():
    vocab, _ = _ids()
    model = CharLanguageModel(vocab.size, 4, 8)
    with pytest.raises(TypeError, match="rng"):
        generate(model, vocab, "あ", 3)
    with pytest.raises(ValueError, match="prompt"):
        generate(model, vocab, "", 3, greedy=True)
    with pytest.raises(KeyError):
        generate(model, vocab, "ん", 3, greedy=True)


# --- 保存と読み込み --------------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path):
    vocab, ids = _ids()
    model = CharLanguageModel(vocab.size, 4, 8, cell="lstm")
    save_language_model(model, vocab, tmp_path / "lm.pt")
    loaded, loaded_vocab = load_language_model(tmp_path / "lm.pt")
    assert loaded_vocab == vocab and loaded.cell == "lstm"
    assert evaluate_loss(loaded, ids) == evaluate_loss(model, ids)
    with pytest.raises(ValueError):
        save_language_model(model, CharVocab.from_text("ab"), tmp_path / "bad.pt")


# --- 図 ----------------------------------------------------------------------------------------------


def test_plot_stream_layout():
    ax = plot_stream_layout("あいうえおかきくけこさしすせそたちつてとなにぬねの", batch_size=3, seq_len=3)
    labels = [t.get_text() for t in ax.texts]
    assert "ストリーム 2" in labels and "チャンク 1" in labels
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="40"):
        plot_stream_layout("あ" * 100, batch_size=2, seq_len=3)


def test_doctests():
    assert doctest.testmod(module_under_test).failed == 0


def test_context_limited_loss_reads_only_the_last_characters():
    torch.manual_seed(0)
    model = CharLanguageModel(6, 4, 8, cell="lstm").double()
    ids = np.random.default_rng(0).integers(0, 6, size=30)
    context = 4
    expected = []
    with torch.no_grad():
        for t in range(context, len(ids)):
            logits, _ = model(torch.from_numpy(ids[t - context : t])[None])  # 隠れ状態 0 から context 文字
            expected.append(-torch.log_softmax(logits[0, -1], dim=-1)[ids[t]].item())
    assert np.isclose(context_limited_loss(model, ids, context, batch_size=7), np.mean(expected), atol=1e-12)


def test_context_limited_loss_approaches_the_full_loss_for_long_contexts():
    torch.manual_seed(1)
    model = CharLanguageModel(5, 4, 8, cell="rnn").double()
    ids = np.random.default_rng(1).integers(0, 5, size=60)
    last = context_limited_loss(model, ids, context=59)  # 最後の 1 文字を全文脈で予測
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(ids[:-1])[None])
    assert np.isclose(last, -torch.log_softmax(logits[0, -1], dim=-1)[ids[-1]].item(), atol=1e-12)


@pytest.mark.parametrize("context", [0, 60, 1.5])
def test_context_limited_loss_rejects_bad_contexts(context):
    model = CharLanguageModel(5, 4, 8)
    with pytest.raises((ValueError, TypeError), match="context"):
        context_limited_loss(model, np.arange(60) % 5, context)


def test_evaluate_loss_can_leave_out_the_first_positions():
    torch.manual_seed(2)
    model = CharLanguageModel(5, 4, 8, cell="lstm").double()
    ids = np.random.default_rng(2).integers(0, 5, size=50)
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(ids[:-1])[None])
    per_char = -torch.log_softmax(logits[0], dim=-1)[torch.arange(49), torch.from_numpy(ids[1:])].numpy()
    for skip in (0, 7, 13):
        assert np.isclose(evaluate_loss(model, ids, seq_len=10, skip=skip), per_char[skip:].mean(), atol=1e-12)
    with pytest.raises(ValueError, match="skip"):
        evaluate_loss(model, ids, skip=49)
