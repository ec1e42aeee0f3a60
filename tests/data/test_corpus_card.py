"""データカード corpus_ja_card.md の数値が、同梱の corpus_ja.txt から計算した値と一致する。"""

import collections
import re
import unicodedata
from importlib import resources

import numpy as np

from rnncourse.data import load_corpus
from rnncourse.data.text import train_val_test_split_text

CARD = resources.files("rnncourse").joinpath("data", "corpus_ja_card.md")


def _kind(c: str) -> str:
    o = ord(c)
    if 0x3040 <= o <= 0x309F:
        return "ひらがな"
    if 0x30A0 <= o <= 0x30FF:
        return "カタカナ"
    if 0x4E00 <= o <= 0x9FFF:
        return "漢字"
    if c == "\n":
        return "改行"
    if unicodedata.category(c).startswith("P"):
        return "句読点・記号"
    return "そのほか (空白・数字など)"


def test_card_sizes_match_the_corpus():
    card = CARD.read_text(encoding="utf-8")
    text = load_corpus()
    assert f"{len(text):,} 文字、使われている文字は {len(set(text))} 種類" in card
    pieces = [p for p in re.split(r"(?m)^(?=# )", text) if p.strip()]
    lengths = [len(p) for p in pieces]
    assert f"{len(pieces)} の短い文章" in card and f"見出しの行 (`# 港町の冬` など) が {len(pieces)} 行" in card
    assert f"{min(lengths):,}〜{max(lengths):,} 文字 (中央値 {np.median(lengths):,g} 文字)" in card


def test_card_composition_matches_the_corpus():
    card = CARD.read_text(encoding="utf-8")
    text = load_corpus()
    counts = collections.Counter(map(_kind, text))
    for kind, n in counts.items():
        assert f"| {kind} | {n:,} | {100 * n / len(text):.1f} % |" in card, kind
    once = sum(1 for n in collections.Counter(text).values() if n == 1)
    kanji_once = sum(1 for c, n in collections.Counter(text).items() if n == 1 and _kind(c) == "漢字")
    assert f"{len(set(text))} 種類の文字のうち {once} 種類は 1 回しか現れません (そのうち {kanji_once} 種類が漢字)" in card


def test_card_split_matches_chapter_7():
    card = CARD.read_text(encoding="utf-8")
    train, val, test = train_val_test_split_text(load_corpus())
    assert f"訓練用 80 % ({len(train):,} 文字)・検証用 10 % ({len(val):,} 文字)" in card
    assert f"テスト用 10 % ({len(test):,} 文字)" in card
    assert f"検証用に {len(set(val) - set(train))} 種類、テスト用に {len(set(test) - set(train))} 種類" in card
    pieces = [p for p in re.split(r"(?m)^(?=# )", load_corpus()) if p.strip()]
    starts = np.cumsum([0] + [len(p) for p in pieces])
    in_test = [p.splitlines()[0][2:] for p, start in zip(pieces, starts) if start + len(p) > len(train) + len(val)]
    assert in_test[1:] and f"テスト用は「{in_test[0]}」の終わりと最後の {len(in_test) - 1} つの文章です" in card
