"""第9章の演習の判定器に固有のこと。すべての章に共通する確認 (ヒント・未回答・変な入力・模範解答・
よくある間違い) は test_all_chapters.py にあります。"""

import doctest
import math

import numpy as np
import pytest
import torch

from rnncourse.exercises import FunctionQuestion, RuleQuestion, Status, ValueQuestion, ch09
from rnncourse.labs.seq2seq_lab import kanji_task, length_bin_table, table_decode
from rnncourse.models.seq2seq import BOS, Seq2Seq, encode_pairs
from rnncourse.nn.attention import attention_forward
from rnncourse.seeding import torch_defaults

from .test_all_chapters import is_japanese


def test_question_kinds():
    kinds = {name: type(getattr(ch09, name)) for name in ch09.__all__ if name.startswith("q")}
    assert kinds == {"q1": ValueQuestion, "q2": ValueQuestion, "q3": FunctionQuestion, "q4": FunctionQuestion,
                     "q5": RuleQuestion, "q6": FunctionQuestion}


# ------------------------------------------------------------------ 値の問題は本物のモデルと一致する
def test_q1_shapes_are_what_the_model_returns():
    N, T, U = ch09.Q1["N"], ch09.Q1["T"], ch09.Q1["U"]
    task = kanji_task()
    # 最長の入力が T 文字、最長の出力が U 桁になる 4 つの例
    pairs = [("三十万三千五百八十", "303580"), ("三", "3"), ("二十", "20"), ("五百", "500")]
    assert max(len(x) for x, _ in pairs) == T and max(len(y) for _, y in pairs) == U and len(pairs) == N
    data = encode_pairs(pairs, task.source_vocab, task.target_vocab)
    with torch_defaults("float64", 1):
        torch.manual_seed(0)
        model = Seq2Seq(task.source_vocab.size, task.target_vocab.size, ch09.Q1["E"], ch09.Q1["H"], attention=True)
        source, lengths, target_in, _ = data.tensors()
        h, _, _ = model.encode(source, lengths)
        s, _ = model.decoder(model.target_embedding(target_in))
        logits, alpha = model(source, lengths, target_in)
    assert ch09.q1.expected == (tuple(h.shape), tuple(s.shape), tuple(alpha.shape), tuple(logits.shape))


def test_q2_counts_agree_with_torch():
    counts = tuple(
        sum(p.numel() for p in Seq2Seq(ch09.Q2["V_src"], ch09.Q2["V_tgt"], ch09.Q2["E"], ch09.Q2["H"], attention=a).parameters())
        for a in (False, True)
    )
    assert ch09.q2.expected == counts


# ------------------------------------------------------------------ 関数の問題
def test_function_questions_use_package_references():
    assert ch09.q3.reference is attention_forward and ch09.q4.reference is table_decode
    assert ch09.q6.reference is length_bin_table
    labels = " ".join(c.label for c in ch09.q3.cases)
    assert "N = 1" in labels and "T = 1" in labels and "H = 1" in labels and "スコアが大きい" in labels


def _learner_attention(s, h, mask):
    e = np.einsum("nth,nh->nt", h, s) / np.sqrt(s.shape[1])
    e = np.where(mask, e, -np.inf)
    w = np.exp(e - e.max(axis=1, keepdims=True))
    alpha = w / w.sum(axis=1, keepdims=True)
    return np.einsum("nt,nth->nh", alpha, h), alpha, None


def _learner_table_decode(table, target):
    teacher = np.array([table[p] for p in [BOS, *target[:-1]]])
    free, previous = [], BOS
    for _ in target:
        previous = table[previous]
        free.append(previous)
    return teacher, np.array(free)


def _learner_bins(sources, predictions, targets, bins):
    out = []
    for low, high in bins:
        rows = [(p, t) for x, p, t in zip(sources, predictions, targets) if low <= len(x) <= high]
        out.append((len(rows), np.mean([p == t for p, t in rows])))
    return out


@pytest.mark.parametrize(
    "q, answer", [(ch09.q3, _learner_attention), (ch09.q4, _learner_table_decode), (ch09.q6, _learner_bins)],
    ids=["q3", "q4", "q6"],
)
def test_learner_style_answers_pass(q, answer):
    assert q.evaluate(answer)


def test_q3_overflow_is_reported():
    def no_max(s, h, mask):
        e = np.where(mask, np.einsum("nth,nh->nt", h, s) / np.sqrt(s.shape[1]), -np.inf)
        w = np.exp(e)
        alpha = w / w.sum(axis=1, keepdims=True)
        return np.einsum("nt,nth->nh", alpha, h), alpha, None

    with np.errstate(all="ignore"):
        result = ch09.q3.evaluate(no_max)
    assert not result and "スコアが大きい" in result.message and "nan" in result.message


def test_q4_cases_show_the_difference_between_the_two_modes():
    """公開のケースにも採点のケースにも、教師強制と自由に走らせる場合で出力が違うものがある。"""
    for cases in (ch09.q4.cases, ch09.q4.draw_cases(np.random.default_rng(7))):
        outputs = [table_decode(*c.args) for c in cases]
        assert any(not np.array_equal(t, f) for t, f in outputs)


def test_q6_cases_have_examples_in_every_bin():
    for cases in (ch09.q6.cases, ch09.q6.draw_cases(np.random.default_rng(3))):
        for case in cases:
            sources, _, _, bins = case.args
            assert all(any(low <= len(x) <= high for x in sources) for low, high in bins)
            assert all(not math.isnan(acc) for _, acc in length_bin_table(*case.args))


# ------------------------------------------------------------------ 注意の重みを読む問題
def test_q5_expected_comes_from_the_chapter_model_with_clear_margins():
    output, alpha = ch09.reference_alignment()
    assert output == "30200405" and alpha.shape == (len(output) + 1, len(ch09.Q5_INPUT))
    top2 = np.sort(alpha, axis=1)[:, -2:]
    assert np.all(top2[:, 1] - top2[:, 0] > 1e-3), "最大の重みが 2 番目と十分に離れている (CPU によらず同じ答え)"
    expected = "".join(ch09.Q5_INPUT[i] for i in alpha.argmax(axis=1))
    assert ch09.q5.evaluate(expected) and ch09.q5.evaluate(list(expected))


@pytest.mark.parametrize(
    "make, fragment",
    [(lambda e: e[:-1], "<eos>"), (lambda e: e + "千", "9 文字"), (lambda e: "一" + e[1:], "ありません"),
     (lambda e: e[1:] + e[0], "か所が違います")],
)
def test_q5_wrong_answers_are_explained(make, fragment):
    expected = "".join(ch09.Q5_INPUT[i] for i in ch09.reference_alignment()[1].argmax(axis=1))
    wrong = make(expected)
    assert wrong != expected
    result = ch09.q5.evaluate(wrong)
    assert not result and result.status is Status.INCORRECT
    assert fragment in result.message and is_japanese(result.message)


def test_doctests():
    assert doctest.testmod(ch09).failed == 0
