"""符号化器–復号化器 (seq2seq) の練習用の変換タスク: 漢数字 → 算用数字 と 和暦 → 西暦 (ISO 形式)。

どちらも正解が規則で決まるので、データはこのモジュールが乱数の種から作ります (外部のデータは使いません)::

    >>> kanji_to_digits("三億五百万")
    '305000000'
    >>> era_to_iso("令和八年十一月三十日")
    '2026-11-30'
    >>> splits = kanji_number_splits(3, 2, 2, max_digits=6, seed=0)
    >>> [len(part) for part in splits]
    [3, 2, 2]
    >>> count_kanji_numbers(6)
    999999

| 関数 | 内容 |
| --- | --- |
| ``int_to_kanji`` / ``kanji_to_int`` | 整数 ↔ 漢数字 (1 以上 1 兆未満) |
| ``kanji_to_digits`` / ``digits_to_kanji`` | 漢数字の文字列 ↔ 算用数字の文字列 |
| ``era_to_iso`` / ``iso_to_era`` | 和暦の日付 ↔ ISO 形式の日付 (昭和・平成・令和) |
| ``kanji_number_splits`` / ``count_kanji_numbers`` | 漢数字 → 算用数字 の訓練・検証・テスト用データとその総数 |
| ``era_date_splits`` / ``count_era_dates`` | 和暦 → ISO 日付 の訓練・検証・テスト用データとその総数 |

**なぜ漢数字 → 算用数字か (入力全体を見る必要があるタスク)。** 「三千二百億五万」→「320000050000」では、
出力の 1 文字目「3」は入力の 1 文字目から来ますが、出力が何桁になるか (その「3」が何の位か) は 5 文字目の
「億」まで読まないと決まりません。入力にない位は出力で 0 になるので、出力の k 文字目が入力のどの文字に
対応するかは例ごとに違い、入力と出力の長さも違います (8 桁までなら入力 1〜15 文字・出力 1〜8 文字、
12 桁までなら入力 1〜23 文字・出力 1〜12 文字)。注意機構のない符号化器–復号化器は入力全体を最後の隠れ状態
1 つに詰め込み、復号化器はそこから全部の桁を順に取り出さなければなりません。注意機構があれば、出力の
各時刻に入力の該当する位置を直接見られます。入力が長いほど 1 つのベクトルに詰め込む情報が増えるので、
入力の長さ別の正解率で両者を比べられます。和暦 → 西暦は入力の長さがほぼ一定 (8〜13 文字) で、元号と年から
西暦の年を計算する (「平成31年」→「2019」) という別の難しさがあるタスクです。

**漢数字の書き方の決まり。** 万・億で 4 桁ずつ区切り、各まとまりを「〇千〇百〇十〇」と書きます。
まとまりの中の 十・百・千 の前の「一」は書きません (1000 は「千」、1100 は「千百」、10000000 は「千万」)。
万・億 の前の「一」は書きます (10000 は「一万」、100000000 は「一億」)。読み方に合わせた決まりです
(千は「せん」、千万は「せんまん」と読み、一万は「いちまん」と読む)。0 の位は何も書きません
(「三億五百万」= 305000000)。0 と 1 兆以上は扱いません。``kanji_to_int`` は「一千」「一百」「一十」も
読めますが、作るデータは上の決まりの形だけです。

**和暦の決まり。** 扱うのは 1926-12-25 (昭和元年12月25日) から 2048-12-31 (令和30年12月31日) まで。
元号の境目: 昭和64年1月7日 の翌日が 平成元年1月8日、平成31年4月30日 の翌日が 令和元年5月1日。
1 年目は「元年」と書きます (「令和1年」も読めますが、作るデータは「元年」だけ)。数字は算用数字
(「令和8年11月30日」) か漢数字 (「令和八年十一月三十日」) のどちらかで、年・月・日で混ぜません。
"""

from __future__ import annotations

import datetime
import re
from typing import Callable, NamedTuple

import numpy as np

from rnncourse.shapes import check_int

__all__ = [
    "int_to_kanji",
    "kanji_to_int",
    "kanji_to_digits",
    "digits_to_kanji",
    "era_to_iso",
    "iso_to_era",
    "Splits",
    "count_kanji_numbers",
    "kanji_number_splits",
    "count_era_dates",
    "era_date_splits",
    "MAX_DIGITS",
    "FIRST_DATE",
    "LAST_DATE",
]

KANJI_DIGITS = "一二三四五六七八九"  # KANJI_DIGITS[d − 1] が数字 d
_DIGIT_VALUE = {c: i + 1 for i, c in enumerate(KANJI_DIGITS)}
_SMALL_UNITS = (("千", 1000), ("百", 100), ("十", 10))  # まとまり (4 桁) の中の位
_GROUP_UNITS = (("億", 10**8), ("万", 10**4))  # まとまりの区切り
MAX_DIGITS = 12  # 億のまとまりまで: 1 ≤ n < 10¹² (1 兆)

_D = "[一二三四五六七八九]"
_GROUP = re.compile(f"^(?:({_D}?)千)?(?:({_D}?)百)?(?:({_D}?)十)?({_D})?$")  # 〇千〇百〇十〇 (各位は省略可)


class Splits(NamedTuple):
    """訓練・検証・テストに分けた (入力, 出力) の組。3 つの間に同じ例はありません。"""

    train: list[tuple[str, str]]
    validation: list[tuple[str, str]]
    test: list[tuple[str, str]]


# ---------------------------------------------------------------- 漢数字 ↔ 整数


def _group_to_kanji(g: int) -> str:
    """1〜9999 を「〇千〇百〇十〇」で書く (十・百・千の前の一は書かない)。"""
    text = ""
    for unit, value in _SMALL_UNITS:
        d = g // value % 10
        if d:
            text += ("" if d == 1 else KANJI_DIGITS[d - 1]) + unit
    if g % 10:
        text += KANJI_DIGITS[g % 10 - 1]
    return text


def int_to_kanji(n: int) -> str:
    """1 以上 1 兆未満の整数を漢数字で書く。

    >>> int_to_kanji(2026), int_to_kanji(305000000), int_to_kanji(10000000), int_to_kanji(10000)
    ('二千二十六', '三億五百万', '千万', '一万')

    十・百・千の前の「一」は書かず、万・億の前の「一」は書きます (モジュールの説明を参照)。
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"引数 n は整数であるべきですが、{n!r} ({type(n).__name__}) が渡されました。")
    n = int(n)
    if not 1 <= n < 10**MAX_DIGITS:
        raise ValueError(f"引数 n は 1 以上 1 兆 (10**{MAX_DIGITS}) 未満の整数にしてください ({n} が渡されました)。")
    text = ""
    for unit, value in _GROUP_UNITS:
        g = n // value % 10000
        if g:
            text += _group_to_kanji(g) + unit  # 万・億の前の一は書く (_group_to_kanji(1) = "一")
    if n % 10000:
        text += _group_to_kanji(n % 10000)
    return text


def _check_text(name: str, text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"引数 {name} は文字列であるべきですが、{type(text).__name__} が渡されました。")
    if not text:
        raise ValueError(f"引数 {name} が空文字列です。")
    return text


def _parse_group(text: str, whole: str) -> int:
    """「〇千〇百〇十〇」(1〜9999) を読む。"""
    match = _GROUP.match(text)
    if not text or match is None:
        raise ValueError(
            f"漢数字 {whole!r} の {text!r} の部分が読めません。万・億で区切った各まとまりは"
            f"「〇千〇百〇十〇」の順に、各位 1 回までで書いてください (例: 三千二十六)。"
        )
    value = 0
    for (_, unit_value), coefficient in zip(_SMALL_UNITS, match.groups()[:3]):
        if coefficient is not None:  # その位がある (係数が空なら 1: 「千」= 1000)
            value += _DIGIT_VALUE.get(coefficient, 1) * unit_value
    if match.group(4):
        value += _DIGIT_VALUE[match.group(4)]
    return value


def kanji_to_int(text: str) -> int:
    """漢数字を整数にする。``int_to_kanji`` の逆 (「一千」のような書き方も読めます)。

    >>> kanji_to_int("二千二十六"), kanji_to_int("三億五百万"), kanji_to_int("一千万")
    (2026, 305000000, 10000000)
    >>> kanji_to_int("三千千")
    Traceback (most recent call last):
    ...
    ValueError: 漢数字 '三千千' の '三千千' の部分が読めません。万・億で区切った各まとまりは「〇千〇百〇十〇」の順に、各位 1 回までで書いてください (例: 三千二十六)。
    """
    text = _check_text("text", text)
    unknown = [c for c in text if c not in _DIGIT_VALUE and c not in "十百千万億"]
    if unknown:
        raise ValueError(
            f"漢数字 {text!r} に使えない文字 {unknown[0]!r} があります。使えるのは 一〜九 と 十・百・千・万・億 です"
            f" (0 と算用数字は扱いません)。"
        )
    value, rest = 0, text
    for unit, unit_value in _GROUP_UNITS:
        if unit in rest:
            head, _, rest = rest.partition(unit)
            if not head:
                raise ValueError(f"漢数字 {text!r} の {unit} の前に数がありません (例: 一{unit})。")
            if unit in rest:
                raise ValueError(f"漢数字 {text!r} に {unit} が 2 回以上あります。")
            value += _parse_group(head, text) * unit_value
    if rest:
        value += _parse_group(rest, text)
    return value


def kanji_to_digits(text: str) -> str:
    """漢数字の文字列を算用数字の文字列にする (このタスクの正解)。

    >>> kanji_to_digits("二千二十六")
    '2026'
    """
    return str(kanji_to_int(text))


def digits_to_kanji(digits: str) -> str:
    """算用数字の文字列を漢数字にする (``kanji_to_digits`` の逆)。

    >>> digits_to_kanji("305000000")
    '三億五百万'
    """
    digits = _check_text("digits", digits)
    if not (digits.isascii() and digits.isdigit()) or digits[0] == "0":
        raise ValueError(f"引数 digits は 0 で始まらない算用数字 (半角) の文字列にしてください ({digits!r} が渡されました)。")
    return int_to_kanji(int(digits))


# ---------------------------------------------------------------- 和暦 ↔ ISO


class _Era(NamedTuple):
    name: str
    first: datetime.date  # 元年の最初の日
    last: datetime.date | None  # 最後の日 (None なら現在の元号)


_ERAS = (
    _Era("昭和", datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    _Era("平成", datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    _Era("令和", datetime.date(2019, 5, 1), None),
)
FIRST_DATE = datetime.date(1926, 12, 25)  # データにする最初の日 (昭和元年12月25日)
LAST_DATE = datetime.date(2048, 12, 31)  # データにする最後の日 (令和30年12月31日)
_NUMERALS = ("arabic", "kanji")
_ERA_DATE = re.compile(r"^(昭和|平成|令和)(元|[0-9]+|[一二三四五六七八九十百]+)年([0-9]+|[一二三四五六七八九十]+)月([0-9]+|[一二三四五六七八九十]+)日$")


def _check_numerals(numerals: object, allowed: tuple[str, ...]) -> str:
    if numerals not in allowed:
        raise ValueError(f"引数 numerals は {', '.join(repr(a) for a in allowed)} のどれかにしてください ({numerals!r} が渡されました)。")
    return numerals  # type: ignore[return-value]


def _era_number(text: str, whole: str, what: str) -> int:
    if text.isascii():  # 正規表現で [0-9]+ か漢数字だけに絞ってある
        if text.startswith("0"):
            raise ValueError(f"和暦 {whole!r} の{what} {text!r} が 0 で始まっています。")
        return int(text)
    return kanji_to_int(text)


def era_to_iso(text: str) -> str:
    """和暦の日付を ISO 形式 (YYYY-MM-DD) にする。算用数字でも漢数字でも読めます。

    >>> era_to_iso("令和8年11月30日"), era_to_iso("平成元年1月8日"), era_to_iso("昭和六十四年一月七日")
    ('2026-11-30', '1989-01-08', '1989-01-07')
    >>> era_to_iso("平成31年5月1日")
    Traceback (most recent call last):
    ...
    ValueError: 和暦 '平成31年5月1日' は 平成 の期間 (1989-01-08 〜 2019-04-30) の外です。

    形式は「元号 年 年 月 月 日 日」(「令和8年11月30日」)。1 年目は「元年」(「1年」も可)。
    元号は 昭和・平成・令和。存在しない日 (2月30日など) や元号の期間の外は日本語の ValueError。
    """
    text = _check_text("text", text)
    match = _ERA_DATE.match(text)
    if match is None:
        raise ValueError(
            f"和暦 {text!r} を読めません。「令和8年11月30日」や「平成元年一月八日」のように、"
            f"元号 (昭和・平成・令和)・年・月・日 の順に書いてください。"
        )
    name, year_text, month_text, day_text = match.groups()
    era = next(e for e in _ERAS if e.name == name)
    year = 1 if year_text == "元" else _era_number(year_text, text, "年")
    month = _era_number(month_text, text, "月")
    day = _era_number(day_text, text, "日")
    try:
        date = datetime.date(era.first.year + year - 1, month, day)
    except ValueError:
        raise ValueError(f"和暦 {text!r} は存在しない日付です ({era.first.year + year - 1} 年 {month} 月 {day} 日)。") from None
    if date < era.first or (era.last is not None and date > era.last):
        end = era.last.isoformat() if era.last is not None else ""
        raise ValueError(f"和暦 {text!r} は {name} の期間 ({era.first.isoformat()} 〜 {end}) の外です。")
    return date.isoformat()


def _to_date(iso: object) -> datetime.date:
    if isinstance(iso, datetime.date):
        return iso
    iso = _check_text("iso", iso)
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", iso) is None:
        raise ValueError(f"引数 iso は YYYY-MM-DD 形式 (例 2026-11-30) の日付にしてください ({iso!r} が渡されました)。")
    try:
        return datetime.date.fromisoformat(iso)
    except ValueError:
        raise ValueError(f"日付 {iso!r} は存在しません。") from None


def iso_to_era(iso: str | datetime.date, numerals: str = "arabic") -> str:
    """ISO 形式の日付を和暦にする (``era_to_iso`` の逆)。``numerals`` は "arabic" か "kanji"。

    >>> iso_to_era("2026-11-30"), iso_to_era("2019-05-01", numerals="kanji")
    ('令和8年11月30日', '令和元年五月一日')
    """
    date = _to_date(iso)
    numerals = _check_numerals(numerals, _NUMERALS)
    if date < _ERAS[0].first:
        raise ValueError(f"日付 {date.isoformat()} は昭和より前です。扱うのは {_ERAS[0].first.isoformat()} 以降です。")
    era = next(e for e in _ERAS if e.last is None or date <= e.last)
    year = date.year - era.first.year + 1

    def write(k: int) -> str:
        return str(k) if numerals == "arabic" else int_to_kanji(k)

    year_text = "元" if year == 1 else write(year)
    return f"{era.name}{year_text}年{write(date.month)}月{write(date.day)}日"


# ---------------------------------------------------------------- データの生成と分割


def _check_sizes(n_train: object, n_validation: object, n_test: object, seed: object) -> tuple[int, int, int, int]:
    return (
        check_int("n_train", n_train, 1),
        check_int("n_validation", n_validation, 0),
        check_int("n_test", n_test, 0),
        check_int("seed", seed, 0),
    )


def _draw_unique(draw: Callable[[int], np.ndarray], n_total: int, count: int, what: str) -> np.ndarray:
    """``draw(k)`` が返す整数 (k 個) を、重複を除きながら先頭から n_total 個になるまで集める。"""
    if n_total > count:
        raise ValueError(f"{what}は全部で {count} 通りしかないので、{n_total} 個の異なる例は作れません。")
    seen: dict[int, None] = {}  # 挿入順を保つ集合
    for _ in range(10_000):
        for value in draw(4096).tolist():  # 一定の大きさで引くので、先頭の例は n_total によらず同じ
            seen.setdefault(value, None)
            if len(seen) == n_total:
                return np.array(list(seen), dtype=np.int64)
    raise ValueError(f"{what}の異なる例を {n_total} 個集められませんでした。個数を減らしてください。")


def _split(pairs: list[tuple[str, str]], n_train: int, n_validation: int) -> Splits:
    return Splits(pairs[:n_train], pairs[n_train : n_train + n_validation], pairs[n_train + n_validation :])


def count_kanji_numbers(max_digits: int = MAX_DIGITS) -> int:
    """``kanji_number_splits(max_digits=...)`` が作りうる異なる例の数 (1 以上 10^max_digits 未満の整数の数)。

    >>> count_kanji_numbers(4), count_kanji_numbers(12)
    (9999, 999999999999)
    """
    max_digits = check_int("max_digits", max_digits, 1)
    if max_digits > MAX_DIGITS:
        raise ValueError(f"引数 max_digits は {MAX_DIGITS} 以下にしてください ({max_digits} が渡されました。1 兆以上は扱いません)。")
    return 10**max_digits - 1


def kanji_number_splits(
    n_train: int, n_validation: int, n_test: int, max_digits: int = 8, zero_probability: float = 0.3, seed: int = 0
) -> Splits:
    """漢数字 → 算用数字 の例を作り、重複なしに訓練・検証・テストに分ける。

    >>> kanji_number_splits(2, 1, 1, max_digits=8, seed=0)
    Splits(train=[('百九十九万二千十', '1992010'), ('三十万三千五百八十', '303580')], validation=[('四万五千四十八', '45048')], test=[('八百七十三', '873')])

    作り方: 桁数 d を 1〜max_digits から一様に選び、最上位の数字を 1〜9 から、残りの各桁を確率
    ``zero_probability`` で 0、それ以外は 1〜9 から一様に選びます。一様に 0〜9 から選ぶ (0 は 1 割) より 0 を
    多めにして、「三億五百万」のように位が抜けた (入力にない位を出力で 0 にする) 例を増やしています。0 を
    多くするほど入力は短くなるので、既定の 0.3 は「抜けた位」と「長い入力」の両方が十分に出る値です
    (max_digits=8 なら入力は 1〜15 文字)。どの整数 (1 以上 10^max_digits 未満、``count_kanji_numbers`` 通り)
    も選ばれる確率は正ですが、一様ではありません。桁数ごとに同じ確率で選ぶので、種類の少ない短い数
    (1 桁は 9 通り、2 桁は 90 通り) は早いうちに出尽くし、ほとんど訓練データに入ります。

    同じ数は 2 回選ばず、引いた順に先頭から訓練・検証・テストに入れます。同じ ``seed`` なら毎回同じで、
    訓練データは ``n_validation``・``n_test`` を変えても変わりません (引く順番が個数によらないため)。

    戻り値: ``Splits(train, validation, test)``、各要素は (漢数字, 算用数字) の組のリスト。
    """
    n_train, n_validation, n_test, seed = _check_sizes(n_train, n_validation, n_test, seed)
    count = count_kanji_numbers(max_digits)
    if isinstance(zero_probability, bool) or not isinstance(zero_probability, (int, float)) or not 0 <= zero_probability < 1:
        raise ValueError(f"引数 zero_probability は 0 以上 1 未満の数にしてください ({zero_probability!r} が渡されました)。")
    rng = np.random.default_rng(seed)
    place = 10 ** np.arange(max_digits, dtype=np.int64)  # 各桁の重み 1, 10, 100, …

    def draw(k: int) -> np.ndarray:
        d = rng.integers(1, max_digits + 1, size=k)  # 桁数
        digits = np.where(rng.random((k, max_digits)) < zero_probability, 0, rng.integers(1, 10, size=(k, max_digits)))
        digits[np.arange(k), d - 1] = rng.integers(1, 10, size=k)  # 最上位は 0 にしない
        digits[np.arange(max_digits) >= d[:, None]] = 0  # d 桁より上は 0
        return digits @ place

    values = _draw_unique(draw, n_train + n_validation + n_test, count, f"{max_digits} 桁までの数")
    return _split([(int_to_kanji(v), str(v)) for v in values.tolist()], n_train, n_validation)


def count_era_dates(numerals: str = "both") -> int:
    """``era_date_splits(numerals=...)`` が作りうる異なる例の数。

    >>> count_era_dates("arabic"), count_era_dates("both")
    (44568, 89136)

    日付は FIRST_DATE (1926-12-25) から LAST_DATE (2048-12-31) までの各日。"both" では 1 つの日付に
    算用数字と漢数字の 2 通りの入力があります (ただし分割は日付単位なので、重複なしに作れる例の数は
    日数 ``count_era_dates("arabic")`` までです)。
    """
    numerals = _check_numerals(numerals, (*_NUMERALS, "both"))
    days = (LAST_DATE - FIRST_DATE).days + 1
    return 2 * days if numerals == "both" else days


def era_date_splits(n_train: int, n_validation: int, n_test: int, numerals: str = "both", seed: int = 0) -> Splits:
    """和暦 → ISO 日付 の例を作り、重複なしに訓練・検証・テストに分ける。

    >>> era_date_splits(2, 1, 1, seed=1)
    Splits(train=[('昭和五十九年九月二十日', '1984-09-20'), ('平成元年6月7日', '1989-06-07')], validation=[('平成31年2月16日', '2019-02-16')], test=[('令和二十四年十二月十六日', '2042-12-16')])

    作り方: FIRST_DATE〜LAST_DATE の日付を一様に (同じ日付は 2 回選ばずに) 選び、``numerals`` が "both" なら
    算用数字か漢数字かを半々の確率で選びます。分割は日付単位なので、ある日付の算用数字の形が訓練に、
    漢数字の形がテストに、ということは起きません (出力も 3 つの間で重なりません)。

    戻り値: ``Splits(train, validation, test)``、各要素は (和暦, ISO 日付) の組のリスト。
    """
    n_train, n_validation, n_test, seed = _check_sizes(n_train, n_validation, n_test, seed)
    numerals = _check_numerals(numerals, (*_NUMERALS, "both"))
    days = count_era_dates("arabic")
    rng = np.random.default_rng(seed)
    offsets = _draw_unique(lambda k: rng.integers(0, days, size=k), n_train + n_validation + n_test, days, "日付")
    if numerals == "both":  # 書き方は別の乱数の列から (日付の列と同じく、先頭は個数によらず同じ)
        kanji = np.random.default_rng([seed, 1]).random(len(offsets)) < 0.5
    else:
        kanji = np.full(len(offsets), numerals == "kanji")
    pairs = []
    for offset, use_kanji in zip(offsets.tolist(), kanji.tolist()):
        date = FIRST_DATE + datetime.timedelta(days=offset)
        pairs.append((iso_to_era(date, "kanji" if use_kanji else "arabic"), date.isoformat()))
    return _split(pairs, n_train, n_validation)
