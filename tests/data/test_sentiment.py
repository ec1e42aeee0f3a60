"""同梱の感情分類データ (rnncourse/data/sentiment_ja.tsv) と、それを作る文法・読む関数のテスト。"""

import collections
import importlib.resources
import re
import subprocess
import sys

import pytest

from rnncourse.data import sentiment
from rnncourse.data.sentiment import (
    PHENOMENA,
    SEED,
    SPLIT_SIZES,
    SPLITS,
    SentimentExample,
    contrast_pair,
    contrast_pairs,
    generate_sentiment,
    load_sentiment,
    load_sentiment_examples,
    sentiment_tsv,
)

CARD = importlib.resources.files("rnncourse").joinpath("data", "sentiment_card.md")


def all_examples() -> list[SentimentExample]:
    return [example for split in SPLITS for example in load_sentiment_examples(split)]


# --- 大きさと偏り -----------------------------------------------------------------------------------


def test_split_sizes_are_fixed():
    assert {split: len(load_sentiment(split)) for split in SPLITS} == {"train": 1800, "validation": 600, "test": 600}
    assert SPLIT_SIZES == {"train": 1800, "validation": 600, "test": 600}


@pytest.mark.parametrize("split", SPLITS)
def test_labels_are_exactly_balanced_in_every_phenomenon(split):
    # データカードの約束: どのデータのどの現象でも、肯定と否定がちょうど同じ数
    counts = collections.Counter((e.phenomenon, e.label) for e in load_sentiment_examples(split))
    for phenomenon in PHENOMENA:
        assert counts[phenomenon, 1] == counts[phenomenon, 0] > 0, phenomenon
    labels = [label for _, label in load_sentiment(split)]
    assert sum(labels) * 2 == len(labels)


def test_phenomenon_counts_follow_three_one_one():
    counts = collections.Counter((e.split, e.phenomenon) for e in all_examples())
    for phenomenon, total in sentiment.PHENOMENON_COUNTS.items():
        assert [counts[split, phenomenon] for split in SPLITS] == [total * 3 // 5, total // 5, total // 5]


def test_lengths_and_characters():
    for e in all_examples():
        assert sentiment.MIN_CHARS <= len(e.text) <= sentiment.MAX_CHARS, e.text
        assert e.text == e.text.strip() and "\t" not in e.text and "\n" not in e.text
        assert e.label in (0, 1) and e.phenomenon in PHENOMENA


# --- 重なりがないこと ---------------------------------------------------------------------------------


def test_no_sentence_in_two_splits():
    texts = [e.text for e in all_examples()]
    assert len(texts) == len(set(texts)) == 3000
    by_split = {split: {text for text, _ in load_sentiment(split)} for split in SPLITS}
    assert not by_split["train"] & by_split["validation"]
    assert not by_split["train"] & by_split["test"]
    assert not by_split["validation"] & by_split["test"]


def test_no_sentences_that_differ_only_in_punctuation():
    # 句読点だけが違う文 (「美味しい。」と「美味しい！」) は 1 つしか作らない
    stripped = [re.sub(r"[。、！…]", "", e.text) for e in all_examples()]
    assert len(stripped) == len(set(stripped))


@pytest.mark.parametrize("split", SPLITS)
def test_every_phenomenon_in_every_split(split):
    assert {e.phenomenon for e in load_sentiment_examples(split)} == set(PHENOMENA)


# --- 作り直すと同じになること -----------------------------------------------------------------------------


def test_shipped_tsv_is_regenerated_byte_for_byte():
    shipped = importlib.resources.files("rnncourse").joinpath("data", "sentiment_ja.tsv").read_bytes()
    assert sentiment_tsv(generate_sentiment(SEED)).encode("utf-8") == shipped
    assert shipped.decode("utf-8").splitlines()[0] == "split\tlabel\tphenomenon\ttext"


def test_generation_is_deterministic_and_seed_dependent():
    other = generate_sentiment(SEED + 1)
    assert other == generate_sentiment(SEED + 1)
    assert other != generate_sentiment(SEED)
    # 別の種でも大きさと偏りの約束は同じ
    counts = collections.Counter((e.split, e.phenomenon, e.label) for e in other)
    for phenomenon, total in sentiment.PHENOMENON_COUNTS.items():
        for label in (0, 1):
            assert [counts[split, phenomenon, label] for split in SPLITS] == [total * 3 // 10, total // 10, total // 10]


def test_cli_check_passes():
    result = subprocess.run(
        [sys.executable, "-m", "rnncourse.data.sentiment", "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "同じです" in result.stdout


def test_data_layer_does_not_import_torch():
    code = "import sys, rnncourse.data.sentiment as s; s.load_sentiment('test'); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


# --- 逆接の組 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("split", SPLITS)
def test_contrast_pairs_swap_the_same_clauses(split):
    pairs = contrast_pairs(split)
    contrast = [e for e in load_sentiment_examples(split) if e.phenomenon == "contrast"]
    assert len(pairs) * 2 == len(contrast)
    assert {e for pair in pairs for e in pair} == set(contrast)
    for positive, negative in pairs:
        assert (positive.label, negative.label) == (1, 0)
        # 語の袋 (文字の数え上げ) はほとんど同じ: 違うのは「だ」「な」など接続の形の数文字だけ
        difference = collections.Counter(positive.text) - collections.Counter(negative.text)
        assert sum(difference.values()) <= 3, (positive.text, negative.text)


def test_contrast_pair_helper():
    assert contrast_pair("安い", "味はいまひとつ") == ("安いが、味はいまひとつ。", "味はいまひとつが、安い。")
    with pytest.raises(ValueError, match="connective"):
        contrast_pair("安い", "まずい", connective="and")
    with pytest.raises(TypeError, match="first"):
        contrast_pair(None, "まずい")


# --- 間違った引数 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("loader", [load_sentiment, load_sentiment_examples, contrast_pairs])
@pytest.mark.parametrize("split", ["Train", "tset", "", "valid"])
def test_bad_split_name_is_explained_in_japanese(loader, split):
    with pytest.raises(ValueError) as error:
        loader(split)
    message = str(error.value)
    assert repr(split) in message and "'train'、'validation'、'test' のどれか" in message


def test_val_gets_a_hint():
    with pytest.raises(ValueError, match="検証データは 'validation' です"):
        load_sentiment("val")


@pytest.mark.parametrize("split", [None, 0, ["train"]])
def test_split_of_wrong_type(split):
    with pytest.raises(TypeError, match="引数 split は文字列"):
        load_sentiment(split)


@pytest.mark.parametrize("seed", [-1, 1.5, "8", True])
def test_generate_rejects_bad_seed(seed):
    with pytest.raises((TypeError, ValueError), match="seed"):
        generate_sentiment(seed)


# --- データカード -----------------------------------------------------------------------------------


def test_card_numbers_match_the_data():
    card = CARD.read_text(encoding="utf-8")
    counts = collections.Counter((e.phenomenon, e.split) for e in all_examples())
    for phenomenon in PHENOMENA:
        row = f"| {phenomenon} | " + " | ".join(f"{counts[phenomenon, split]:,}" for split in SPLITS)
        assert row in card, row
    assert f"乱数の種 {SEED}" in card


def test_card_length_table_matches_the_data():
    import numpy as np

    card = CARD.read_text(encoding="utf-8")
    examples = all_examples()
    for split in SPLITS:
        lengths = np.array([len(e.text) for e in examples if e.split == split])
        quartiles = [f"{np.percentile(lengths, p):g}" for p in (25, 50, 75)]
        row = f"| {split} | {lengths.min()} | {' | '.join(quartiles)} | {lengths.max()} | {lengths.mean():.1f} |"
        assert row in card, row
    histogram = np.histogram([len(e.text) for e in examples], [8, 15, 20, 25, 30, 35, 41])[0]
    assert "| 全体 (3,000 文) | " + " | ".join(f"{n:,}" for n in histogram) + " |" in card
    assert f"使われている文字は {len({c for e in examples for c in e.text})} 種類" in card
    means = "、".join(f"{ph} {np.mean([len(e.text) for e in examples if e.phenomenon == ph]):.1f}" for ph in PHENOMENA)
    assert f"現象ごとの平均の長さは {means} 文字" in card.replace("\n", "")
    by_label = [np.mean([len(e.text) for e in examples if e.label == label]) for label in (1, 0)]
    assert f"(平均: 肯定 {by_label[0]:.1f}、否定 {by_label[1]:.1f} 文字)" in card
    exclaimed = [e.label for e in examples if e.text.endswith("！")]
    assert f"「！」で終わる文の {100 * np.mean(exclaimed):.1f} % が肯定" in card


def test_card_overlap_numbers_match_the_data():
    # 対象 (「この店」など) を伏せると train の文と同じになる文の数 (データカードの「重なりと似た文」)
    card = CARD.read_text(encoding="utf-8")
    targets = sorted({modifier + noun for domain in sentiment._DOMAINS for modifier, noun in domain.targets}, key=len, reverse=True)

    def skeleton(text):
        for target in targets:
            if target in text:
                text = text.replace(target, "〇〇")
                break
        return re.sub(r"[。、！…]", "", text)

    train = {skeleton(text) for text, _ in load_sentiment("train")}
    same = {split: collections.Counter(e.phenomenon for e in load_sentiment_examples(split) if skeleton(e.text) in train)
            for split in ("validation", "test")}
    test = same["test"]
    assert f"validation に {sum(same['validation'].values())} 文、test に {sum(test.values())} 文" in card
    assert (f"うち plain {test['plain']}、negation {test['negation']}、double_negation {test['double_negation']}、"
            f"degree {test['degree']}、contrast {test['contrast']})") in card


# --- 母語話者が読んで不自然な形を作らないこと (2 版で直したもの) ------------------------------------------


def _targets():
    return sorted({modifier + noun for domain in sentiment._DOMAINS for modifier, noun in domain.targets}, key=len,
                  reverse=True)


def test_no_doubled_topic_after_the_target():
    # 「この掃除機は価格は安い」のような主題の「は」の重なりは作らない (逆接の 2 つの節の対比の「は」は別)
    aspects = sorted({aspect for domain in sentiment._DOMAINS for aspect, _ in domain.aspects}
                     | {aspect for aspect, _ in sentiment._COMMON_ASPECTS})
    for e in all_examples():
        if e.phenomenon == "contrast":
            continue
        for target in _targets():
            for aspect in aspects:
                assert f"{target}は{aspect}は" not in e.text, e.text


def test_experience_is_not_said_twice():
    for e in all_examples():
        for twice in ("買ったばかりのカメラを買", "去年泊まった宿に泊ま", "昨日見た映画を見", "昨日見た映画は見"):
            assert twice not in e.text, e.text


def test_contrasts_do_not_use_noni_or_intensify_against_a_negated_clause():
    negated = re.compile(r"(くな|ではな|じゃな|ではあり|くあり|ません|(?<!少)なかった)")
    for e in all_examples():
        if e.phenomenon != "contrast":
            continue
        assert "のに、" not in e.text, e.text
        if negated.search(e.text):
            assert not any(word in e.text for word in sentiment._INTENSIFIERS), e.text


def test_no_degree_word_on_ungraded_predicates_and_no_overlapping_restaurant_aspects():
    for e in all_examples():
        for word in (*sentiment._INTENSIFIERS, *sentiment._COMPARATIVES, "これ以上ないほど", "あまり", "それほど"):
            assert f"{word}十分" not in e.text, e.text
    restaurant = next(d for d in sentiment._DOMAINS if d.name == "restaurant")
    assert "料理" not in [aspect for aspect, _ in restaurant.aspects]


def test_praise_idioms_fit_their_objects():
    books_and_films = {m + n for d in sentiment._DOMAINS if d.name in ("film", "book") for m, n in d.targets}
    for e in all_examples():
        if "誰かに話さ" in e.text:
            assert "のことは誰かに話さ" in e.text, e.text
        if "拍手を送ら" in e.text:
            assert any(target in e.text for target in books_and_films), e.text
        if e.phenomenon == "double_negation" and ("わけが" in e.text or "はずが" in e.text):
            assert e.label == 1, e.text  # 「〜ないはずがない」は賞賛の形だけ
