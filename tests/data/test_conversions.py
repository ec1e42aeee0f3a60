"""rnncourse.data.conversions: 漢数字と和暦の変換 (往復、境目、誤り) とデータの生成・分割。"""

import datetime
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data.conversions import (
    FIRST_DATE,
    LAST_DATE,
    MAX_DIGITS,
    count_era_dates,
    count_kanji_numbers,
    digits_to_kanji,
    era_date_splits,
    era_to_iso,
    int_to_kanji,
    iso_to_era,
    kanji_number_splits,
    kanji_to_digits,
    kanji_to_int,
)

# ---------------------------------------------------------------- 漢数字

KNOWN = {
    1: "一", 9: "九", 10: "十", 11: "十一", 20: "二十", 100: "百", 101: "百一", 110: "百十", 999: "九百九十九",
    1000: "千", 1001: "千一", 1100: "千百", 2026: "二千二十六", 10000: "一万", 10001: "一万一", 100000: "十万",
    1000000: "百万", 10000000: "千万", 11000000: "千百万", 21000000: "二千百万", 100000000: "一億",
    100010000: "一億一万", 305000000: "三億五百万", 100000000000: "千億", 320000050000: "三千二百億五万",
    999999999999: "九千九百九十九億九千九百九十九万九千九百九十九",
}


@pytest.mark.parametrize("n, kanji", KNOWN.items())
def test_known_numbers(n, kanji):
    assert int_to_kanji(n) == kanji
    assert kanji_to_int(kanji) == n
    assert kanji_to_digits(kanji) == str(n) and digits_to_kanji(str(n)) == kanji


def test_round_trip_and_canonical_form_is_unique_for_small_numbers():
    kanji = [int_to_kanji(n) for n in range(1, 30001)]
    assert len(set(kanji)) == 30000  # 違う数は違う書き方
    assert [kanji_to_int(k) for k in kanji] == list(range(1, 30001))


@settings(max_examples=300, deadline=None, database=None)
@given(st.integers(1, 10**MAX_DIGITS - 1))
def test_round_trip_random_numbers(n):
    kanji = int_to_kanji(n)
    assert kanji_to_int(kanji) == n
    assert "〇" not in kanji and "一千" not in kanji and "一百" not in kanji and not kanji.startswith("一十")
    assert 1 <= len(kanji) <= 23


def test_lengths_of_the_extremes():
    assert len(int_to_kanji(999999999999)) == 23
    assert max(len(int_to_kanji(10**k)) for k in range(12)) == 2  # 一万, 十万, 一億 …


def test_lenient_reading_of_explicit_ones():
    assert kanji_to_int("一千") == 1000 and kanji_to_int("一百一十一") == 111 and kanji_to_int("一千万") == 10**7


@pytest.mark.parametrize(
    "text, message",
    [
        ("零", "使えない文字 '零'"),
        ("〇", "使えない文字 '〇'"),
        ("三千5", "使えない文字 '5'"),
        ("一兆", "使えない文字 '兆'"),
        ("万", "万 の前に数がありません"),
        ("億三", "億 の前に数がありません"),
        ("三億億", "億 が 2 回以上"),
        ("一万二万", "万 が 2 回以上"),
        ("二二", "'二二' の部分が読めません"),
        ("三千千", "'三千千' の部分が読めません"),
        ("十百", "'十百' の部分が読めません"),
        ("三万二億", "'三万二' の部分が読めません"),
        ("億万", "億 の前に数がありません"),
        ("一億万", "万 の前に数がありません"),
    ],
)
def test_kanji_errors_are_japanese(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        kanji_to_int(text)


def test_type_and_range_errors():
    with pytest.raises(ValueError, match="空文字列"):
        kanji_to_int("")
    with pytest.raises(TypeError, match="文字列"):
        kanji_to_int(5)
    with pytest.raises(ValueError, match="1 以上 1 兆"):
        int_to_kanji(0)
    with pytest.raises(ValueError, match="1 以上 1 兆"):
        int_to_kanji(10**12)
    with pytest.raises(TypeError, match="整数"):
        int_to_kanji(3.0)
    with pytest.raises(TypeError, match="整数"):
        int_to_kanji(True)
    for bad in ["0123", "12a", "１２", "-5"]:
        with pytest.raises(ValueError, match="算用数字"):
            digits_to_kanji(bad)
    assert int_to_kanji(np.int64(2026)) == "二千二十六"


# ---------------------------------------------------------------- 和暦


@pytest.mark.parametrize(
    "era, iso",
    [
        ("昭和元年12月25日", "1926-12-25"),
        ("昭和64年1月7日", "1989-01-07"),
        ("平成元年1月8日", "1989-01-08"),
        ("平成31年4月30日", "2019-04-30"),
        ("令和元年5月1日", "2019-05-01"),
        ("令和8年11月30日", "2026-11-30"),
        ("平成4年2月29日", "1992-02-29"),
        ("令和30年12月31日", "2048-12-31"),
    ],
)
def test_era_boundaries_and_known_dates(era, iso):
    assert era_to_iso(era) == iso
    assert iso_to_era(iso) == era
    kanji = iso_to_era(iso, numerals="kanji")
    assert era_to_iso(kanji) == iso and not re.search("[0-9]", kanji)


def test_kanji_numeral_dates():
    assert iso_to_era("2026-11-30", "kanji") == "令和八年十一月三十日"
    assert iso_to_era("1989-01-07", "kanji") == "昭和六十四年一月七日"
    assert iso_to_era("2019-05-01", "kanji") == "令和元年五月一日"
    assert era_to_iso("令和1年5月1日") == era_to_iso("令和一年五月一日") == "2019-05-01"  # 「1年」も読める


@pytest.mark.parametrize(
    "text, message",
    [
        ("昭和元年12月24日", "昭和 の期間 (1926-12-25 〜 1989-01-07) の外"),
        ("昭和64年1月8日", "昭和 の期間"),
        ("平成元年1月7日", "平成 の期間 (1989-01-08 〜 2019-04-30) の外"),
        ("平成31年5月1日", "平成 の期間"),
        ("令和元年4月30日", "令和 の期間 (2019-05-01 〜 ) の外"),
        ("平成2年2月29日", "存在しない日付です (1990 年 2 月 29 日)"),
        ("令和8年13月1日", "存在しない日付"),
        ("令和8年4月31日", "存在しない日付"),
        ("令和8年01月5日", "月 '01' が 0 で始まっています"),
        ("大正15年12月25日", "を読めません"),
        ("令和8年11月30", "を読めません"),
        ("2026-11-30", "を読めません"),
        ("令和0年1月1日", "0 で始まって"),
    ],
)
def test_era_errors_are_japanese(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        era_to_iso(text)


def test_iso_errors_are_japanese():
    with pytest.raises(ValueError, match="昭和より前"):
        iso_to_era("1926-12-24")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        iso_to_era("2026/11/30")
    with pytest.raises(ValueError, match="存在しません"):
        iso_to_era("2026-02-30")
    with pytest.raises(ValueError, match="numerals"):
        iso_to_era("2026-11-30", numerals="roman")


def test_every_day_of_the_domain_round_trips():
    days = count_era_dates("arabic")
    assert days == (LAST_DATE - FIRST_DATE).days + 1 == 44568
    for offset in range(days):
        date = FIRST_DATE + datetime.timedelta(days=offset)
        for numerals in ("arabic", "kanji"):
            assert era_to_iso(iso_to_era(date, numerals)) == date.isoformat()


# ---------------------------------------------------------------- データの生成と分割


def _all_pairs(splits):
    return [pair for part in splits for pair in part]


@pytest.mark.parametrize("make", [
    lambda seed: kanji_number_splits(300, 50, 60, max_digits=8, seed=seed),
    lambda seed: era_date_splits(300, 50, 60, seed=seed),
])
def test_splits_are_disjoint_deterministic_and_correct(make):
    splits = make(3)
    assert [len(part) for part in splits] == [300, 50, 60]
    for i, a in enumerate(splits):
        for b in splits[i + 1 :]:
            assert not {x for x, _ in a} & {x for x, _ in b}  # 入力が重ならない
            assert not {y for _, y in a} & {y for _, y in b}  # 出力も重ならない
    pairs = _all_pairs(splits)
    assert len({x for x, _ in pairs}) == len(pairs)
    for x, y in pairs:
        assert (kanji_to_digits(x) if "年" not in x else era_to_iso(x)) == y
    assert make(3) == splits
    assert make(4) != splits


@pytest.mark.parametrize("make", [kanji_number_splits, era_date_splits])
def test_training_data_does_not_depend_on_the_other_sizes(make):
    small, large = make(100, 10, 10, seed=5), make(100, 3000, 3000, seed=5)
    assert small.train == large.train and small.validation == large.validation[:10]


def test_kanji_numbers_cover_lengths_zeros_and_digit_counts():
    splits = kanji_number_splits(3000, 0, 0, max_digits=12, seed=0)
    digits = [y for _, y in splits.train]
    assert max(len(d) for d in digits) == 12 and min(len(d) for d in digits) == 1
    assert any("0000" in d[1:] for d in digits)  # 「三億五百万」のように 4 桁まるごと 0 のまとまり
    assert any(x.startswith("一万") or x.startswith("一億") for x, _ in splits.train)
    assert all(len(d) <= 6 for _, d in kanji_number_splits(200, 0, 0, max_digits=6, seed=0).train)


def test_small_domains_are_exhausted_exactly():
    assert count_kanji_numbers(1) == 9 and count_kanji_numbers(2) == 99
    splits = kanji_number_splits(5, 2, 2, max_digits=1, seed=0)
    assert sorted(int(y) for _, y in _all_pairs(splits)) == list(range(1, 10))
    splits = kanji_number_splits(99, 0, 0, max_digits=2, seed=1)
    assert sorted(int(y) for _, y in splits.train) == list(range(1, 100))
    with pytest.raises(ValueError, match="全部で 9 通りしかない"):
        kanji_number_splits(8, 1, 1, max_digits=1)


@pytest.mark.parametrize("numerals", ["arabic", "kanji", "both"])
def test_era_numeral_styles(numerals):
    splits = era_date_splits(400, 0, 0, numerals=numerals, seed=0)
    has_digit = [bool(re.search("[0-9]", x)) for x, _ in splits.train]
    expected = {"arabic": {True}, "kanji": {False}, "both": {True, False}}[numerals]
    assert set(has_digit) == expected
    assert all(FIRST_DATE.isoformat() <= y <= LAST_DATE.isoformat() for _, y in splits.train)
    assert {x[:2] for x, _ in splits.train} == {"昭和", "平成", "令和"}


def test_counts():
    assert count_kanji_numbers() == 10**12 - 1
    assert count_era_dates("both") == 2 * count_era_dates("kanji") == 2 * 44568


def test_argument_errors_are_japanese():
    with pytest.raises(ValueError, match="n_train"):
        kanji_number_splits(0, 1, 1)
    with pytest.raises(ValueError, match="seed"):
        era_date_splits(1, 1, 1, seed=-1)
    with pytest.raises(TypeError, match="n_test"):
        era_date_splits(1, 1, 1.5)
    with pytest.raises(ValueError, match="zero_probability"):
        kanji_number_splits(1, 1, 1, zero_probability=1.0)
    with pytest.raises(ValueError, match="max_digits は 12 以下"):
        kanji_number_splits(1, 1, 1, max_digits=13)
    with pytest.raises(ValueError, match="numerals"):
        era_date_splits(1, 1, 1, numerals="roman")
