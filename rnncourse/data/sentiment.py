"""感情分類 (多対一) のための日本語の短いレビュー文: 文法で作り、ラベル (肯定 1 / 否定 0) と現象の名前を付ける。

同梱のデータは、この講座のために書いた小さな文法から乱数の種 ``SEED`` で一度だけ作ったもので、
訓練・検証・テストに分けて ``rnncourse/data/sentiment_ja.tsv`` に入っています::

    >>> train = load_sentiment("train")
    >>> len(train), len(load_sentiment("validation")), len(load_sentiment("test"))
    (1800, 600, 600)
    >>> text, label = train[0]
    >>> isinstance(text, str), label in (0, 1)
    (True, True)
    >>> sorted({example.phenomenon for example in load_sentiment_examples("test")}) == sorted(PHENOMENA)
    True

並び順で意味が変わる文を入れてあるので、語 (文字) の袋だけでは解けません。例えば逆接の文は、
前後を入れ替えると使う文字がほぼ同じままラベルが逆になります (後半が評価を決める)::

    >>> contrast_pair("値段は安い", "味はいまひとつだ")
    ('値段は安いが、味はいまひとつだ。', '味はいまひとつだが、値段は安い。')

現象 (``phenomenon``) の名前:

| 名前 | 例 | ラベルの決まり方 |
| --- | --- | --- |
| ``plain`` | このラーメンは美味しい。 | 述語の評価そのまま |
| ``negation`` | このラーメンは美味しくない。/ 値段は高くない。 | 否定で逆になる |
| ``double_negation`` | この店に行かない手はない。 | 否定が 2 つ重なって元に戻る |
| ``contrast`` | 安いが、味はいまひとつ。 | 逆接 (が・けど…) の後半が決める |
| ``degree`` | あまり美味しくない。/ とても快適だ。 | 程度の語 (とても、あまり〜ない…) を含む |

文法の作り方・ラベルの偏り・長さの分布・表していないものはデータカード
``rnncourse/data/sentiment_card.md`` にあります。``python -m rnncourse.data.sentiment --write`` で
TSV を作り直せます (同じ種からは 1 バイトも違わないものができます)。
"""

from __future__ import annotations

import argparse
import functools
import importlib.resources
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple, Optional, Sequence

from rnncourse.shapes import check_int

__all__ = [
    "SEED",
    "SPLITS",
    "PHENOMENA",
    "SPLIT_SIZES",
    "SentimentExample",
    "load_sentiment",
    "load_sentiment_examples",
    "generate_sentiment",
    "contrast_pair",
    "contrast_pairs",
    "sentiment_tsv",
]

#: 同梱データを作った乱数の種。
SEED = 8
#: データの分け方 (この順に TSV に並ぶ)。
SPLITS = ("train", "validation", "test")
#: 現象の名前。
PHENOMENA = ("plain", "negation", "double_negation", "contrast", "degree")
#: 現象ごとの文の数 (どれも肯定と否定がちょうど半分ずつ)。合計 3,000 文。
PHENOMENON_COUNTS = {"plain": 900, "negation": 600, "double_negation": 360, "contrast": 600, "degree": 540}
#: 各現象・各ラベルを 訓練 : 検証 : テスト = 3 : 1 : 1 に分ける。
SPLIT_FRACTIONS = (3, 1, 1)
#: 分けたあとの文の数。
SPLIT_SIZES = {"train": 1800, "validation": 600, "test": 600}
#: 文の長さ (文字数) の範囲。
MIN_CHARS, MAX_CHARS = 8, 40

_TSV_NAME = "sentiment_ja.tsv"
_HEADER = "split\tlabel\tphenomenon\ttext"


class SentimentExample(NamedTuple):
    """1 つの文: 本文、ラベル (1 = 肯定、0 = 否定)、現象の名前、どのデータに属するか。"""

    text: str
    label: int
    phenomenon: str
    split: str


# ---------------------------------------------------------------------------------------------
# 乱数: random.Random の random() だけを使う。Python の版が変わっても列が変わらないと保証されて
# いるのは random() だけで (choice や shuffle の内部は変わりうる)、TSV はバイト単位で作り直せる必要があるため。
# ---------------------------------------------------------------------------------------------


class _Rng:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def below(self, n: int) -> int:
        return min(int(self._random.random() * n), n - 1)

    def choice(self, options: Sequence):
        return options[self.below(len(options))]

    def chance(self, p: float) -> bool:
        return self._random.random() < p

    def shuffled(self, items: Sequence) -> list:
        items = list(items)
        for i in range(len(items) - 1, 0, -1):  # Fisher–Yates
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items


# ---------------------------------------------------------------------------------------------
# 述語とその活用
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pred:
    """評価の述語。kind: "i" (形容詞)、"na" (形容動詞)、"noun" (名詞述語)、"verb" (動詞、過去形だけ使う)。"""

    word: str  # 見出し (i: 安い、na: 丁寧な、noun: 最高の、verb: 満足した)
    kind: str
    stem: str
    polarity: int  # 1 = 肯定的、0 = 否定的
    negatable: bool  # 否定したとき、母語話者が迷わず逆の評価と読むか
    too: bool  # 「〜すぎる」にしても評価が同じ向きに強まるか
    graded: bool = True  # 程度の語 (とても、あまり〜ない…) を付けられるか (「とても十分」は不自然)
    verb_forms: tuple = ()  # verb: (連用形、過去形、否定の未然形、否定の連用形)
    particle: str = "は"  # verb: 対象に付く助詞 (「この映画には感動した」の「には」)


def _pred(spec: str) -> _Pred:
    """``"安い+"`` のような書き方から述語を作る。+/- は評価、! は否定しない、~ は「すぎる」にできる、
    = は程度の語を付けない。

    見出しの終わりで品詞を決める: 「な」なら形容動詞、「の」なら名詞、「い」なら形容詞。
    """
    polarity = 1 if "+" in spec else 0
    negatable = "!" not in spec
    too = "~" in spec
    graded = "=" not in spec
    word = spec.rstrip("+-!~=")
    if word.endswith("な"):
        return _Pred(word, "na", word[:-1], polarity, negatable, too, graded)
    if word.endswith("の"):
        return _Pred(word, "noun", word[:-1], polarity, negatable, too, graded)
    if word.endswith("いい"):  # 気持ちいい → 気持ちよくない
        return _Pred(word, "i", word[:-2] + "よ", polarity, negatable, too, graded)
    if word.endswith("い"):
        return _Pred(word, "i", word[:-1], polarity, negatable, too, graded)
    raise ValueError(f"述語 {spec!r} の品詞が分かりません")


def _preds(specs: str) -> tuple[_Pred, ...]:
    return tuple(_pred(spec) for spec in specs.split())


def _verb(masu: str, past: str, neg_nai: str, neg_masu: str, polarity: int, particle: str,
          negatable: bool = True) -> _Pred:
    return _Pred(past, "verb", masu, polarity, negatable, False, True, (masu, past, neg_nai, neg_masu), particle)


def _dict_form(p: _Pred) -> str:
    return p.word if p.kind == "i" else p.stem


def _say(p: _Pred, *, neg: bool = False, form: str = "end", past: bool = False, polite: bool = False, rng: _Rng) -> str:
    """述語を活用する。form: end (文末)、conj (「が・けど」の前)、noni (「のに・ものの」の前)、te (て形)、
    attr (名詞の前)、quote (「と言わざるを得ない」の前)、ba (〜ければ)、too (〜すぎる)。"""
    s = p.stem
    if form == "too":  # 高すぎる、快適すぎる
        if polite:
            return s + ("すぎました" if past else "すぎます")
        return s + ("すぎた" if past else "すぎる")
    if form == "ba":
        return s + "ければ"
    if p.kind == "verb":
        masu, past_form, neg_nai, neg_masu = p.verb_forms
        if neg:
            return neg_masu + "ませんでした" if polite and form in ("end", "conj") else neg_nai + "なかった"
        return masu + "ました" if polite and form in ("end", "conj") else past_form
    if p.kind == "i":
        if form == "te":
            return s + ("くなくて" if neg else "くて")
        if form in ("attr", "quote"):
            return s + "くない" if neg else _dict_form(p)
        if neg:
            plain = s + ("くなかった" if past else "くない")
            if polite and form in ("end", "conj"):
                return rng.choice((plain + "です", s + ("くありませんでした" if past else "くありません")))
            return plain
        plain = s + "かった" if past else _dict_form(p)
        return plain + "です" if polite and form in ("end", "conj") else plain
    # 形容動詞と名詞
    if form == "te":
        return s + ("ではなくて" if neg else "で")
    if form == "attr":
        return s + "ではない" if neg else p.word
    if neg:
        if polite and form in ("end", "conj"):
            return s + ("ではありませんでした" if past else rng.choice(("ではありません", "じゃないです")))
        return s + rng.choice(("では", "じゃ")) + ("なかった" if past else "ない")
    if form == "quote":
        return s + "だ" if p.kind == "na" else s
    if form == "noni":
        return s + ("だった" if past else "な")
    if polite:
        return s + ("でした" if past else "です")
    if past:
        return s + "だった"
    if form == "end" and rng.chance(0.3):
        return s  # 体言止め (「部屋は清潔。」)
    return s + "だ"


# ---------------------------------------------------------------------------------------------
# 語彙: 分野ごとの対象・観点・述語。ここに書いた語だけから文を作る。
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Act:
    """分野の「体験」の動詞: 例 (に, 行って, 行か, 行き, 行く)。"""

    particle: str
    te: str
    nai: str
    masu: str
    dictionary: str


@dataclass(frozen=True)
class _Domain:
    name: str
    targets: tuple[tuple[str, str], ...]  # (連体修飾, 名詞): ("この", "ラーメン")
    overall: tuple[_Pred, ...]  # 対象全体の評価 (「この映画は面白い」)
    aspects: tuple[tuple[str, tuple[_Pred, ...]], ...]  # 観点と、その観点での評価 (「値段が安い」)
    act: _Act
    verbs: tuple[_Pred, ...]
    good_things: tuple[str, ...]  # 「〜がある」が肯定になる名詞 (見どころ)


# どの分野にも使える観点と述語
_COMMON_ASPECTS = (
    ("評判", _preds("良い+ 悪い-")),
    ("口コミの評価", _preds("高い+ 低い-")),
)
_VALUE = ("コスパ", _preds("良い+ 悪い- 最高の+!"))  # 映画と本には使わない
_COMMON_VERBS = (
    _verb("満足し", "満足した", "満足でき", "満足でき", 1, "には"),
    _verb("気に入り", "気に入った", "気に入ら", "気に入り", 1, "は"),
    _verb("がっかりし", "がっかりした", "がっかりし", "がっかりし", 0, "には"),
    _verb("失望し", "失望した", "失望し", "失望し", 0, "には", negatable=False),
)
_PRICE = _preds("安い+ 高い-~ 手頃な+ 良心的な+")
# 体験をすでに言っている対象の修飾語。体験の動詞を使う文 (「〜を買って後悔した」「〜に泊まらなければよかった」) には
# 使わない (「買ったばかりのカメラを買って後悔した」「去年泊まった宿に泊まって…」は同じことを 2 度言う)
_EXPERIENCED = ("買ったばかりの", "去年泊まった", "昨日見た")
# 「〜がない」が肯定になる名詞 (不満はない) と、それが「ある」ときの言い方
_BAD_THINGS = {"不満": ("が残る", "が残った"), "問題": ("が多い", "が多かった"), "欠点": ("が目立つ", "が目立った")}

_DOMAINS = (
    _Domain(
        "restaurant",
        (("この", "店"), ("駅前の", "定食屋"), ("新しくできた", "カフェ"), ("近所の", "パン屋"), ("あの", "焼肉店"),
         ("商店街の", "中華料理店"), ("話題の", "ラーメン屋"), ("駅ビルの", "寿司屋")),
        _preds("美味しい+~ 最高の+! 最悪の-! いまひとつの-! 期待外れの- 高い-~ 安い+ 居心地が良い+ 居心地が悪い-"),
        # 「料理」は「味」と同じことを言うので観点にしない (「料理は美味しくないが、味は最高だ」は矛盾する)
        (("味", _preds("良い+ 悪い- 最高の+! 絶品の+! いまひとつの-! 微妙な-!")),
         ("値段", _PRICE), ("量", _preds("多い+ 少ない-~ 十分な+= 物足りない-!")),
         ("店員の対応", _preds("丁寧な+ 親切な+ 雑な- 悪い- 良い+ 無愛想な-!")),
         ("待ち時間", _preds("短い+ 長い-~")),
         ("店内", _preds("清潔な+ 広い+ 狭い-~ 汚い- 静かな+ うるさい-~")),
         ("雰囲気", _preds("良い+ 悪い- 最高の+!")),
         ("メニュー", _preds("豊富な+ 少ない-")), _VALUE),
        _Act("に", "行って", "行か", "行き", "行く"),
        _COMMON_VERBS,
        ("魅力",),
    ),
    _Domain(
        "dish",
        (("この", "ラーメン"), ("ランチの", "パスタ"), ("ここの", "ケーキ"), ("名物の", "うどん"), ("限定の", "ハンバーガー"),
         ("", "日替わり定食"), ("この", "お弁当"), ("新商品の", "アイス"), ("この", "カレー")),
        _preds("美味しい+~ 最高の+! 絶品の+! いまひとつの-! 期待外れの- まずい-! 高い-~ 安い+"),
        (("味", _preds("良い+ 悪い- 薄い-!~ 濃厚な+! 上品な+ 最高の+! いまひとつの-!")),
         ("量", _preds("多い+ 少ない-~ 十分な+= 物足りない-!")), ("値段", _PRICE),
         ("見た目", _preds("綺麗な+ 良い+ 地味な-!")),
         ("食感", _preds("良い+ 悪い- いまひとつの-!")), ("香り", _preds("良い+ 弱い- いまひとつの-!")), _VALUE),
        _Act("を", "食べて", "食べ", "食べ", "食べる"),
        _COMMON_VERBS,
        ("工夫",),
    ),
    _Domain(
        "hotel",
        (("この", "ホテル"), ("今回の", "旅館"), ("駅前の", "ビジネスホテル"), ("海沿いの", "民宿"), ("山の上の", "温泉宿"),
         ("湖のそばの", "ペンション"), ("去年泊まった", "宿")),
        _preds("快適な+~ 最高の+! 最悪の-! 清潔な+ 古い- 安い+ 高い-~ 期待外れの- 居心地が良い+ 居心地が悪い-"),
        (("部屋", _preds("広い+ 狭い-~ 清潔な+ 綺麗な+ 汚い-")),
         ("朝食", _preds("美味しい+~ 豪華な+~ いまひとつの-! 最高の+!")),
         ("夕食", _preds("美味しい+~ 豪華な+~ いまひとつの-!")),
         ("眺め", _preds("素晴らしい+! 良い+ 悪い- 最高の+! いまひとつの-!")),
         ("スタッフ", _preds("親切な+ 丁寧な+ 無愛想な-! 不親切な-!")),
         ("料金", _PRICE), ("アクセス", _preds("良い+ 悪い- 便利な+ 不便な-")),
         ("ベッド", _preds("快適な+ 硬い-~ 小さい-")),
         ("お風呂", _preds("広い+ 狭い-~ 気持ちいい+ ぬるい-")),
         ("周り", _preds("静かな+ うるさい-~")),
         ("チェックイン", _preds("スムーズな+ 遅い-")), _VALUE),
        _Act("に", "泊まって", "泊まら", "泊まり", "泊まる"),
        _COMMON_VERBS,
        ("魅力",),
    ),
    _Domain(
        "tour",
        (("この", "ツアー"), ("今回の", "バス旅行"), ("日帰りの", "ツアー"), ("島めぐりの", "ツアー"), ("初めての", "団体旅行"),
         ("秋の", "紅葉ツアー")),
        _preds("楽しい+~ 最高の+! 退屈な- 期待外れの- 高い-~ 安い+"),
        (("ガイドの説明", _preds("丁寧な+ 分かりやすい+ 面白い+ 雑な- 分かりにくい-!")),
         ("日程", _preds("きつい-~ 楽な+")), ("料金", _PRICE),
         ("移動", _preds("楽な+ 大変な- 長い-~")),
         ("食事", _preds("美味しい+ 豪華な+ いまひとつの-!")),
         ("景色", _preds("素晴らしい+! 綺麗な+ 最高の+! いまひとつの-!")),
         ("自由時間", _preds("短い-~ 十分な+=")), _VALUE),
        _Act("に", "参加して", "参加し", "参加し", "参加する"),
        _COMMON_VERBS + (_verb("楽しめ", "楽しめた", "楽しめ", "楽しめ", 1, "は"),),
        ("見どころ",),
    ),
    _Domain(
        "device",
        (("この", "スマホ"), ("この", "ノートパソコン"), ("新しい", "タブレット"), ("この", "スマートウォッチ"),
         ("買ったばかりの", "カメラ"), ("この", "キーボード")),
        _preds("使いやすい+ 使いにくい-! 便利な+~ 不便な- 最高の+! 最悪の-! 期待外れの- 高い-~ 安い+ 重い-~ 軽い+"),
        (("バッテリーの持ち", _preds("良い+ 悪い-")), ("充電時間", _preds("短い+ 長い-~")),
         ("保証期間", _preds("長い+ 短い-")),
         ("画面", _preds("見やすい+ 綺麗な+ 明るい+ 暗い- 小さい-~ 大きい+")),
         ("動作", _preds("速い+ 遅い-~ 軽い+ 重い-~ 快適な+ 不安定な-!")),
         ("本体", _preds("軽い+ 重い-~ 薄い+ 丈夫な+ 分厚い-!")),
         ("作り", _preds("丁寧な+ 安っぽい- 雑な-")), ("価格", _PRICE),
         ("設定", _preds("簡単な+ 面倒な- 分かりやすい+ 複雑な-")), _VALUE),
        _Act("を", "買って", "買わ", "買い", "買う"),
        _COMMON_VERBS,
        ("魅力",),
    ),
    _Domain(
        "appliance",
        (("この", "掃除機"), ("この", "炊飯器"), ("新しい", "電気ケトル"), ("この", "扇風機"), ("寝室の", "加湿器"),
         ("この", "電子レンジ")),
        _preds("使いやすい+ 使いにくい-! 便利な+~ 不便な- 最高の+! 最悪の-! 期待外れの- 高い-~ 安い+ 優秀な+"),
        (("運転音", _preds("静かな+ うるさい-~ 大きい-~ 小さい+")),
         ("操作", _preds("簡単な+ 面倒な- 複雑な-")), ("手入れ", _preds("楽な+ 簡単な+ 面倒な- 大変な-")),
         ("本体", _preds("軽い+ 重い-~ 丈夫な+")), ("作り", _preds("丁寧な+ 安っぽい- 雑な-")),
         ("保証期間", _preds("長い+ 短い-")), ("価格", _PRICE), _VALUE),
        _Act("を", "買って", "買わ", "買い", "買う"),
        _COMMON_VERBS,
        ("工夫",),
    ),
    _Domain(
        "audio",
        (("この", "イヤホン"), ("新しい", "ヘッドホン"), ("この", "スピーカー"), ("ワイヤレスの", "イヤホン")),
        _preds("使いやすい+ 便利な+ 最高の+! 最悪の-! 期待外れの- 高い-~ 安い+ 重い-~ 軽い+"),
        (("音質", _preds("良い+ 悪い- クリアな+ 最高の+! いまひとつの-!")), ("装着感", _preds("良い+ 悪い- 快適な+")),
         ("バッテリーの持ち", _preds("良い+ 悪い-")), ("本体", _preds("軽い+ 重い-~ 丈夫な+")),
         ("作り", _preds("丁寧な+ 安っぽい-")), ("価格", _PRICE), ("接続", _preds("良い+ 悪い- 不安定な-!")), _VALUE),
        _Act("を", "買って", "買わ", "買い", "買う"),
        _COMMON_VERBS,
        ("魅力",),
    ),
    _Domain(
        "film",
        (("この", "映画"), ("今年の", "話題作"), ("新作の", "アニメ映画"), ("この", "ドラマ"), ("昨日見た", "映画"),
         ("話題の", "ドキュメンタリー"), ("あの監督の", "新作")),
        _preds("面白い+~ つまらない-! 退屈な- 最高の+! 傑作の+! 駄作の-! 期待外れの- 感動的な+ 長い-~"),
        (("ストーリー", _preds("面白い+ 単調な- ありきたりな- 分かりやすい+ 深い+")),
         ("演技", _preds("上手い+ 下手な- 自然な+ わざとらしい- 見事な+!")),
         ("ラスト", _preds("感動的な+ 強引な- 見事な+! 残念な-! あっけない-!")),
         ("テンポ", _preds("良い+ 悪い-")), ("展開", _preds("遅い-~ 退屈な- 見事な+!")),
         ("映像", _preds("美しい+ 綺麗な+ 安っぽい-")), ("音楽", _preds("良い+ 素晴らしい+! うるさい-~")),
         ("脚本", _preds("良い+ 雑な- 見事な+!")), ("上映時間", _preds("長い-~")),
         ("登場人物", _preds("魅力的な+ 薄っぺらい-! 個性的な+"))),
        _Act("を", "見て", "見", "見", "見る"),
        _COMMON_VERBS + (_verb("感動し", "感動した", "感動し", "感動し", 1, "には"),
                         _verb("泣け", "泣けた", "泣け", "泣け", 1, "は"), _verb("笑え", "笑えた", "笑え", "笑え", 1, "は"),
                         _verb("飽き", "飽きた", "飽き", "飽き", 0, "には")),
        ("見どころ",),
    ),
    _Domain(
        "book",
        (("この", "小説"), ("話題の", "ミステリー"), ("シリーズの", "最新刊"), ("この", "エッセイ"), ("友人に勧められた", "本"),
         ("この", "漫画"), ("この", "絵本")),
        _preds("面白い+~ つまらない-! 退屈な- 読みやすい+ 読みにくい-! 傑作の+! 期待外れの- 感動的な+"),
        (("文章", _preds("読みやすい+ 読みにくい-! 美しい+ 丁寧な+ 硬い-")),
         ("話", _preds("面白い+ 単調な- ありきたりな- 深い+")),
         ("結末", _preds("感動的な+ 強引な- 見事な+! 残念な-! あっけない-!")),
         ("登場人物", _preds("魅力的な+ 薄っぺらい-! 個性的な+")), ("展開", _preds("遅い-~ 退屈な- 見事な+!")),
         ("内容", _preds("深い+ 薄い- 濃い+")), ("値段", _PRICE)),
        _Act("を", "読んで", "読ま", "読み", "読む"),
        _COMMON_VERBS + (_verb("感動し", "感動した", "感動し", "感動し", 1, "には"),
                         _verb("泣け", "泣けた", "泣け", "泣け", 1, "は"), _verb("飽き", "飽きた", "飽き", "飽き", 0, "には")),
        ("見どころ",),
    ),
)


# ---------------------------------------------------------------------------------------------
# 文を組み立てる道具
# ---------------------------------------------------------------------------------------------


class _NoChoice(Exception):
    """選べるものが無い (この分野・評価の組み合わせでは作れない文)。"""


class _Draft:
    """文を 1 つ作る間の状態: 乱数と、「中身」の選択 (key)。表記の揺れ (丁寧さ、時制、句読点、
    接続の言葉) は key に入れないので、同じ key の文は表記だけが違う同じ文とみなして 1 つしか残さない。"""

    def __init__(self, rng: _Rng) -> None:
        self.rng = rng
        self.key: list[str] = []

    def pick(self, options: Sequence, content: bool = True):
        if not options:
            raise _NoChoice  # この分野にはこの形の文が作れない: 抽選をやり直す
        value = self.rng.choice(options)
        if content:
            self.key.append(value.word if isinstance(value, _Pred) else str(value))
        return value

    def note(self, *values: object) -> None:
        self.key.extend(str(v) for v in values)

    def style(self) -> tuple[bool, bool]:
        """(past, polite) を選ぶ。表記の揺れなので key には入れない。"""
        return self.rng.chance(0.45), self.rng.chance(0.35)

    def full_stop(self) -> str:
        return self.rng.choice(("。", "。", "。", "。", "。", "！", "…", ""))


def _topic(a: _Act) -> str:
    """体験の動詞の対象を主題にする助詞: 「この店には (行かない)」「このラーメンは (食べない)」。"""
    return "には" if a.particle == "に" else "は"


def _target(d: _Draft, domain: _Domain, *, fresh: bool = False) -> tuple[str, str]:
    """対象を選び (「駅前の定食屋」, 「定食屋」) を返す。key には全体を入れる。

    fresh: 体験の動詞を使う文のために、体験をすでに言っている対象 (「昨日見た映画」) を除く。
    """
    targets = [t for t in domain.targets if not (fresh and t[0] in _EXPERIENCED)]
    modifier, noun = d.pick(targets)
    return modifier + noun, noun


def _noun(d: _Draft, domain: _Domain) -> str:
    """対象の名詞だけを使う文 (「美味しいラーメンでした」) のために、名詞だけを選んで key に入れる。"""
    return d.pick(sorted({noun for _, noun in domain.targets}))


def _with_opener(d: _Draft, body: str) -> str:
    if d.rng.chance(0.15):
        return d.rng.choice(("正直、", "個人的には、", "結論から言うと、")) + body
    return body


def _polarity_preds(preds: Sequence[_Pred], polarity: int, *, negatable: bool = False, kinds: str = "i na noun verb",
                    too: bool = False, graded: bool = False) -> list[_Pred]:
    return [p for p in preds if p.polarity == polarity and (p.negatable or not negatable) and p.kind in kinds.split()
            and (p.too or not too) and (p.graded or not graded)]


def _subject_clause(d: _Draft, domain: _Domain, polarity: int, *, negatable: bool = False, kinds: str = "i na noun",
                    too: bool = False, graded: bool = False) -> tuple[str, _Pred]:
    """「この店は」「この店は値段が」「この店の値段は」のような主題と、評価 polarity の述語を選ぶ。

    graded: 程度の語を付ける文のために、付けられない述語 (十分な) を除く。
    """
    target, _ = _target(d, domain)
    choices: list[tuple[str, _Pred]] = []
    for p in _polarity_preds(domain.overall, polarity, negatable=negatable, kinds=kinds, too=too, graded=graded):
        choices.append((f"{target}は", p))
    for aspect, preds in domain.aspects + _COMMON_ASPECTS:
        for p in _polarity_preds(preds, polarity, negatable=negatable, kinds=kinds, too=too, graded=graded):
            choices.append((aspect, p))
    head, p = d.pick(choices, content=False)
    d.note(head, p.word)
    if head.endswith("は") and head == f"{target}は":
        return head, p
    aspect = head
    if d.rng.chance(0.6):
        return f"{target}は{aspect}が", p  # 「ケトルは運転音は」のように「は」を重ねない
    return f"{target}の{aspect}は", p


def _verb_clause(d: _Draft, domain: _Domain, polarity: int, *, negatable: bool = False) -> tuple[str, _Pred]:
    target, _ = _target(d, domain)
    p = d.pick(_polarity_preds(domain.verbs, polarity, negatable=negatable, kinds="verb"))
    return f"{target}{p.particle}", p


def _aspect_clause(d: _Draft, domain: _Domain, aspects: Sequence, polarity: int, *, negatable: bool = False,
                   kinds: str = "i na noun", graded: bool = False) -> tuple[str, _Pred]:
    """(観点, 述語) を選ぶ。aspects はすでに使った観点を除いたもの。"""
    choices = [(aspect, p) for aspect, preds in aspects
               for p in _polarity_preds(preds, polarity, negatable=negatable, kinds=kinds, graded=graded)]
    aspect, p = d.pick(choices, content=False)
    d.note(aspect, p.word)
    return aspect, p


# ---------------------------------------------------------------------------------------------
# 現象ごとの文の作り方。どれも (本文, key) を返し、作れないときは None を返す (別の抽選をやり直す)。
# ---------------------------------------------------------------------------------------------


def _plain(d: _Draft, domain: _Domain, label: int) -> Optional[str]:
    past, polite = d.style()
    rule = d.pick(("adj", "adj", "adj", "verb", "attr", "two", "act", "have"))
    rng = d.rng
    if rule == "adj":
        head, p = _subject_clause(d, domain, label)
        return _with_opener(d, head + _say(p, past=past, polite=polite, rng=rng) + d.full_stop())
    if rule == "verb":
        head, p = _verb_clause(d, domain, label)
        return _with_opener(d, head + _say(p, polite=polite, rng=rng) + d.full_stop())
    if rule == "attr":  # 体言止め: 「居心地の良い宿でした。」
        noun = _noun(d, domain)
        p = d.pick(_polarity_preds(domain.overall, label))
        ending = rng.choice(("でした。", "だった。", "。", "です。", "だ。"))
        return _with_opener(d, _say(p, form="attr", rng=rng) + noun + ending)
    if rule == "two":  # 同じ向きの 2 つの評価: 「値段が安くて、量も多い。」「料金も手頃だし、部屋も広い。」
        aspects = domain.aspects
        first, p1 = _aspect_clause(d, domain, aspects, label)
        # 2 つ目は別の観点・別の述語 (「手入れが面倒で、操作も面倒だ」のような繰り返しを避ける)
        others = [(a, tuple(p for p in preds if p.word != p1.word)) for a, preds in aspects if a != first]
        second, p2 = _aspect_clause(d, domain, others, label)
        end = _say(p2, past=past, polite=polite, rng=rng)
        topic = f"{_target(d, domain)[0]}は、" if rng.chance(0.3) else ""
        if rng.chance(0.5):
            particle = "が" if topic else rng.choice(("が", "は"))  # 主題のあとに「は」を重ねない
            text = f"{first}{particle}{_say(p1, form='te', rng=rng)}、{second}も{end}"
        else:
            middle = _say(p1, form="noni" if p1.kind == "i" else "conj", past=past, rng=rng)
            text = f"{first}も{middle}し、{second}も{end}"
        return topic + text + d.full_stop()
    if rule == "act":
        target, _ = _target(d, domain, fresh=True)
        a = domain.act
        topic = _topic(a)
        if label == 1:
            forms = ((f"{target}{a.particle}{a.te}よかった", f"{target}{a.particle}{a.te}よかったです"),
                     (f"{target}{topic}また{a.masu}たい", f"{target}{topic}また{a.masu}たいです"),
                     (f"{target}は人にも勧めたい", f"{target}は人にも勧めたいです"))
        else:
            forms = ((f"{target}{a.particle}{a.te}後悔した", f"{target}{a.particle}{a.te}後悔しました"),
                     (f"{target}{a.particle}{a.te}損をした", f"{target}{a.particle}{a.te}損をしました"),
                     (f"{target}はお金の無駄だった", f"{target}はお金の無駄でした"))
        plain_form, polite_form = d.pick(forms)
        return _with_opener(d, (polite_form if polite else plain_form) + d.full_stop())
    # have: 「この映画には見どころが多い。」「この店には不満が残る。」
    target, _ = _target(d, domain)
    if label == 1:
        thing = d.pick(domain.good_things)
        verb = rng.choice(("がある", "が多い", "がたくさんある")) if not past else rng.choice(("があった", "が多かった"))
    else:
        thing = d.pick(tuple(_BAD_THINGS))
        verb = _BAD_THINGS[thing][1 if past else 0]
    return _with_opener(d, f"{target}には{thing}{verb}{d.full_stop()}")


def _negation(d: _Draft, domain: _Domain, label: int) -> Optional[str]:
    """評価 1 − label の述語を否定する。"""
    past, polite = d.style()
    rng = d.rng
    base = 1 - label
    rule = d.pick(("adj", "adj", "adj", "verb", "attr", "have", "quote", "act"))
    if rule == "adj":
        head, p = _subject_clause(d, domain, base, negatable=True)
        return _with_opener(d, head + _say(p, neg=True, past=past, polite=polite, rng=rng) + d.full_stop())
    if rule == "verb":
        head, p = _verb_clause(d, domain, base, negatable=True)
        return _with_opener(d, head + _say(p, neg=True, polite=polite, rng=rng) + d.full_stop())
    if rule == "attr":  # 「美味しくないラーメンだった。」(形容詞だけ)
        noun = _noun(d, domain)
        p = d.pick(_polarity_preds(domain.overall, base, negatable=True, kinds="i"))
        return _with_opener(d, _say(p, neg=True, form="attr", rng=rng) + noun + rng.choice(("だった。", "でした。", "。")))
    if rule == "have":  # 「この店には不満はない。」「この映画には見どころがない。」
        target, _ = _target(d, domain)
        thing = d.pick(tuple(_BAD_THINGS) if label == 1 else domain.good_things)
        particle = rng.choice(("は", "が")) if label == 0 else "は"
        verb = ("ありませんでした" if past else "ありません") if polite else ("なかった" if past else "ない")
        return _with_opener(d, f"{target}には{thing}{particle}{verb}{d.full_stop()}")
    if rule == "quote":  # 「快適とは言えない。」「高いとは思わない。」
        head, p = _subject_clause(d, domain, base, negatable=True, kinds="i na noun")
        verb = d.pick(("言えない", "思えない", "思わない") if base == 0 else ("言えない", "思えない"))
        if polite:
            verb = {"言えない": "言えません", "思えない": "思えません", "思わない": "思いません"}[verb]
        return _with_opener(d, f"{head}{_say(p, form='quote', rng=rng)}とは{verb}{d.full_stop()}")
    # act: 「この店には二度と行かない。」「この映画を見て後悔はしていない。」
    target, _ = _target(d, domain, fresh=True)
    a = domain.act
    topic = _topic(a)
    if label == 0:
        forms = ((f"{target}{topic}二度と{a.nai}ない", f"{target}{topic}二度と{a.masu}ません"),
                 (f"{target}{topic}もう{a.masu}たくない", f"{target}{topic}もう{a.masu}たくありません"),
                 (f"{target}は人には勧められない", f"{target}は人には勧められません"))
    else:
        forms = ((f"{target}{a.particle}{a.te}後悔はしていない", f"{target}{a.particle}{a.te}後悔はしていません"),
                 (f"{target}{a.particle}{a.te}損はしなかった", f"{target}{a.particle}{a.te}損はしませんでした"),
                 (f"{target}は期待を裏切らない", f"{target}は期待を裏切りません"))
    plain_form, polite_form = d.pick(forms)
    return _with_opener(d, (polite_form if polite else plain_form) + d.full_stop())


def _double_negation(d: _Draft, domain: _Domain, label: int) -> Optional[str]:
    past, polite = d.style()
    rng = d.rng
    a = domain.act
    if label == 1:
        rule = d.pick(("wake", "zaru", "zaru_neg", "zu", "act"))
    else:
        rule = d.pick(("zaru", "zaru_neg", "zu", "nakereba", "ienai"))
    if rule == "wake":  # 「この店のカレーが美味しくないわけがない。」: 強い期待・賞賛の形なので肯定の側だけ
        # 否定の側 (「この宿が高くないはずがない」) は、泊まったあとの感想としては不自然なので作らない。
        # 値段や軽さ (「安くないはずがない」) は賞賛にならないので除き、体験を言う対象 (「昨日見た映画が…」) も除く。
        # 「居心地が良い」のように中に「が」がある述語は「宿が居心地が…」となるので使わない
        target, _ = _target(d, domain, fresh=True)
        preds = _polarity_preds(domain.overall, 1, negatable=True, kinds="i na")
        p = d.pick([q for q in preds if "が" not in q.stem and q.word not in ("安い", "軽い")])
        ending = d.pick(("わけがない", "はずがない"))
        if polite:
            ending = ending.replace("ない", "ありません")
        return f"{target}が{_say(p, neg=True, form='attr', rng=rng)}{ending}{d.full_stop()}"
    if rule == "zaru":  # 「この映画は傑作と言わざるを得ない。」
        head, p = _subject_clause(d, domain, label)
        ending = "と言わざるを得ません" if polite else "と言わざるを得ない"
        return _with_opener(d, f"{head}{_say(p, form='quote', rng=rng)}{ending}{d.full_stop()}")
    if rule == "zaru_neg":  # 「悪くないと言わざるを得ない」: 中の否定と合わせて 3 重
        head, p = _subject_clause(d, domain, 1 - label, negatable=True)
        ending = "と言わざるを得ません" if polite else "と言わざるを得ない"
        return _with_opener(d, f"{head}{_say(p, neg=True, form='quote', rng=rng)}{ending}{d.full_stop()}")
    if rule == "act":  # 「この映画は見ないと損だ。」「このホテルに泊まらない手はない。」
        target, _ = _target(d, domain, fresh=True)
        body = d.pick((f"{target}{_topic(a)}{a.nai}ないと損だ", f"{target}{a.particle}{a.nai}ない手はない",
                       f"{target}{a.particle}{a.nai}ない理由がない"))
        if polite:
            body = body.replace("損だ", "損です").replace("手はない", "手はありません").replace("理由がない", "理由がありません")
        return _with_opener(d, body + d.full_stop())
    if rule == "zu":  # 「この映画は人に勧めずにはいられない。」「この店には文句を言わずにはいられない。」
        target, _ = _target(d, domain)
        if label == 1:
            options = [("は", "人に勧め"), ("のことは", "誰かに話さ")]
            if domain.name in ("film", "book"):  # 拍手を送るのは作品に対してだけ
                options.append(("には", "拍手を送ら"))
            topic, verb = d.pick(tuple(options))
        else:
            topic, verb = d.pick((("には", "文句を言わ"), ("には", "ため息をつか"), ("には", "首をかしげ")))
        ending = "ずにはいられませんでした" if polite and past else "ずにはいられない"
        return _with_opener(d, f"{target}{topic}{verb}{ending}{d.full_stop()}")
    if rule == "nakereba":  # 「この映画を見なければよかった。」
        target, _ = _target(d, domain, fresh=True)
        ending = "なければよかったです" if polite else "なければよかった"
        return _with_opener(d, f"{target}{a.particle}{a.nai}{ending}{d.full_stop()}")
    # ienai: 「このホテルに不満がないとは言えない。」
    target, _ = _target(d, domain)
    thing = d.pick(tuple(_BAD_THINGS))
    ending = d.pick(("言えない", "言い切れない"))
    if polite:
        ending = ending.replace("ない", "ません")
    return _with_opener(d, f"{target}{rng.choice(('には', 'に'))}{thing}がないとは{ending}{d.full_stop()}")


_INTENSIFIERS = ("とても", "かなり", "すごく", "本当に", "非常に")
_SOFTENERS = ("少し", "ちょっと", "やや")
_COMPARATIVES = ("意外と", "思ったより", "予想以上に")
_NOT_VERY = ("あまり", "それほど", "そんなに")
_NOT_AT_ALL = ("まったく", "全然", "ちっとも", "少しも")


def _degree(d: _Draft, domain: _Domain, label: int) -> Optional[str]:
    past, polite = d.style()
    rng = d.rng
    if label == 1:
        rule = d.pick(("very", "very", "compare", "too", "not_very", "not_at_all", "than_thought", "best", "none_at_all",
                       "soft_verb"))
    else:
        rule = d.pick(("very", "very", "compare", "too", "soft", "not_very", "not_at_all", "than_thought", "wish"))
    if rule == "very":  # 「この店は本当に美味しい。」「この映画にはかなりがっかりした。」
        word = d.pick(_INTENSIFIERS)
        if rng.chance(0.25):
            head, p = _verb_clause(d, domain, label)
        else:
            head, p = _subject_clause(d, domain, label, kinds="i na", graded=True)
        return _with_opener(d, head + word + _say(p, past=past, polite=polite, rng=rng) + d.full_stop())
    if rule == "compare":  # 「部屋は思ったより広い。」
        word = d.pick(_COMPARATIVES)
        head, p = _subject_clause(d, domain, label, kinds="i na", graded=True)
        return _with_opener(d, head + word + _say(p, past=past, polite=polite, rng=rng) + d.full_stop())
    if rule == "too":  # 「値段が高すぎる。」「この店は美味しすぎる。」
        head, p = _subject_clause(d, domain, label, kinds="i na", too=True, graded=True)
        return _with_opener(d, head + _say(p, form="too", past=past, polite=polite, rng=rng) + d.full_stop())
    if rule == "soft":  # 「部屋が少し狭い。」(弱めても否定的なまま)
        word = d.pick(_SOFTENERS)
        head, p = _subject_clause(d, domain, 0, kinds="i na", graded=True)
        return _with_opener(d, head + word + _say(p, past=past, polite=polite, rng=rng) + d.full_stop())
    if rule == "soft_verb":  # 「この映画には少し感動した。」
        word = d.pick(("少し", "ちょっと"))
        head, p = _verb_clause(d, domain, 1)
        return _with_opener(d, head + word + _say(p, polite=polite, rng=rng) + d.full_stop())
    if rule in ("not_very", "not_at_all"):  # 「あまり美味しくない。」「全然高くない。」
        word = d.pick(_NOT_VERY if rule == "not_very" else _NOT_AT_ALL)
        if rng.chance(0.2):
            head, p = _verb_clause(d, domain, 1 - label, negatable=True)
        else:
            head, p = _subject_clause(d, domain, 1 - label, negatable=True, kinds="i na", graded=True)
        return _with_opener(d, head + word + _say(p, neg=True, past=past, polite=polite, rng=rng) + d.full_stop())
    if rule == "than_thought":  # 「思ったほど美味しくなかった。」「思ったほど高くなかった。」
        head, p = _subject_clause(d, domain, 1 - label, negatable=True, kinds="i na", graded=True)
        word = d.pick(("思ったほど", "期待したほど") if label == 0 else ("思ったほど", "心配したほど"))
        return _with_opener(d, head + word + _say(p, neg=True, past=True, polite=polite, rng=rng) + d.full_stop())
    if rule == "wish":  # 「量がもう少し多ければ良かった。」
        target, _ = _target(d, domain)
        aspect, p = _aspect_clause(d, domain, domain.aspects, 1, kinds="i")
        ending = "良かったです" if polite else rng.choice(("良かった", "良かったのに"))
        return f"{target}は{aspect}がもう少し{_say(p, form='ba', rng=rng)}{ending}{d.full_stop()}"
    if rule == "best":  # 「眺めはこれ以上ないほど素晴らしい。」
        head, p = _subject_clause(d, domain, 1, kinds="i na", graded=True)
        return _with_opener(d, head + "これ以上ないほど" + _say(p, past=past, polite=polite, rng=rng) + d.full_stop())
    # none_at_all: 「この店には不満が一つもない。」
    target, _ = _target(d, domain)
    thing = d.pick(tuple(_BAD_THINGS))
    verb = ("ありませんでした" if past else "ありません") if polite else ("なかった" if past else "ない")
    return _with_opener(d, f"{target}には{thing}が{d.pick(('一つも', '何も', 'まったく'))}{verb}{d.full_stop()}")


# 「のに」は使わない: 「A のに B」は A から予想されることと B が食い違うときの言い方 (「安いのに美味しい」) で、
# 関係のない 2 つの観点 (「動作は速くなかったのに、保証期間が長かった」) をつなぐと不自然になるため
_CONNECTIVES = ("が、", "けど、", "けれど、", "ものの、", "。でも、", "。しかし、")


def contrast_pair(first: str, second: str, connective: str = "が、") -> tuple[str, str]:
    """2 つの節を逆接でつないだ文と、前後を入れ替えた文を返す (語はほぼ同じで、評価を決める後半が入れ替わる)。

    >>> contrast_pair("値段は安い", "味はいまひとつだ", connective="けど、")
    ('値段は安いけど、味はいまひとつだ。', '味はいまひとつだけど、値段は安い。')

    節は文末の形 (「安い」「いまひとつだ」) で渡します。接続の言葉は ``"が、"``、``"けど、"``、
    ``"けれど、"``、``"。でも、"``、``"。しかし、"`` のどれか。
    """
    allowed = ("が、", "けど、", "けれど、", "。でも、", "。しかし、")
    for name, value in (("first", first), ("second", second)):
        if not isinstance(value, str) or not value.strip():
            raise TypeError(f"引数 {name} は節の文字列 (例: '値段は安い') であるべきですが、{value!r} が渡されました。")
    if connective not in allowed:
        raise ValueError(f"引数 connective は {', '.join(map(repr, allowed))} のどれかであるべきですが、{connective!r} が渡されました。")
    first, second = first.rstrip("。"), second.rstrip("。")
    return first + connective + second + "。", second + connective + first + "。"


@dataclass(frozen=True)
class _Clause:
    """逆接の片側の節。seed はこの節の表記の揺れ (「ではない」か「じゃない」か) を決める乱数の種で、
    組の 2 文で同じ節が同じ表記になるようにする。"""

    aspect: str
    pred: _Pred
    neg: bool
    degree: str
    seed: int

    def key(self) -> tuple:
        return (self.aspect, self.pred.word, self.neg, self.degree)


def _contrast_clause(d: _Draft, domain: _Domain, aspects: Sequence, polarity: int, *, negate: bool,
                     intensify: bool = True) -> _Clause:
    """評価 polarity の節: 否定した述語 (negate: 「味は悪くない」)、強める語つき (「味はとても良い」)、そのまま のどれか。

    弱める語 (少し、やや) は使わない: 「味は最高だが、値段が少し高い」は後半が決めるとは言い切れないため。
    intensify=False なら強める語も使わない (組のもう一方の節が否定のときに使う)。
    """
    rng = d.rng
    seed = rng.below(2**31)
    if negate:
        aspect, p = _aspect_clause(d, domain, aspects, 1 - polarity, negatable=True)
        return _Clause(aspect, p, True, "", seed)
    aspect, p = _aspect_clause(d, domain, aspects, polarity)
    if intensify and rng.chance(0.2) and p.kind in ("i", "na") and p.graded:
        return _Clause(aspect, p, False, d.pick(_INTENSIFIERS), seed)
    return _Clause(aspect, p, False, "", seed)


def _contrast(d: _Draft, domain: _Domain) -> Optional[tuple[str, str]]:
    """(肯定が後半の文, 否定が後半の文) の組。節の中身も表記も同じで、順番だけが違う。"""
    past, polite = d.style()
    rng = d.rng
    # 評判・口コミは他人の評価なので「評判は良いが、味は…」を書き手の評価の対比と読めるとは限らず、コスパは値段と
    # 重なる (「コスパは悪いが、値段は安い」)。観点はそれ以外の分野のものだけ
    aspects = [a for a in domain.aspects if a is not _VALUE]
    negated = rng.choice((None, None, "positive", "negative"))  # 否定するのは多くとも片方の節
    # 片方が否定 (弱い評価) の組では強める語を使わない: 「確かに味がかなり悪いけど、メニューが少なくない」を
    # 肯定と読む人はいないため
    intensify = negated is None
    positive = _contrast_clause(d, domain, aspects, 1, negate=negated == "positive", intensify=intensify)
    others = [a for a in aspects if a[0] != positive.aspect]
    negative = _contrast_clause(d, domain, others, 0, negate=negated == "negative", intensify=intensify)
    d.key = [str(sorted((positive.key(), negative.key())))]  # 組の key は 2 つの節の順に依らない
    connective = rng.choice(_CONNECTIVES)
    if polite and connective == "ものの、":
        connective = "が、"
    topic = f"{_target(d, domain)[0]}は、" if rng.chance(0.3) else ""
    sure = "確かに" if connective in ("が、", "けど、") and rng.chance(0.2) else ""
    particles = (rng.choice(("は", "が")), rng.choice(("は", "が", "は")))

    def say(c: _Clause, particle: str, form: str) -> str:
        predicate = _say(c.pred, neg=c.neg, form=form, past=past, polite=polite, rng=_Rng(c.seed))
        return c.aspect + particle + c.degree + predicate

    def sentence(first: _Clause, second: _Clause) -> str:
        if connective == "ものの、":
            if first.pred.kind == "noun" and not first.neg:
                return ""  # 「最高なものの」は不自然
            form = "noni"
        else:
            form = "end" if connective.startswith("。") else "conj"
        return topic + sure + say(first, particles[0], form) + connective + say(second, particles[1], "end") + "。"

    neg_last, pos_last = sentence(positive, negative), sentence(negative, positive)
    if not neg_last or not pos_last:
        return None
    return pos_last, neg_last


# ---------------------------------------------------------------------------------------------
# データ全体を作る
# ---------------------------------------------------------------------------------------------

_GENERATORS: dict[str, Callable[[_Draft, _Domain, int], Optional[str]]] = {
    "plain": _plain,
    "negation": _negation,
    "double_negation": _double_negation,
    "degree": _degree,
}


def _fits(text: str) -> bool:
    return MIN_CHARS <= len(text) <= MAX_CHARS and "\t" not in text and "\n" not in text


def generate_sentiment(seed: int = SEED) -> list[SentimentExample]:
    """文法から 3,000 文を作り、訓練・検証・テストに分けて返す (同じ ``seed`` なら毎回同じ)。

    >>> examples = generate_sentiment()
    >>> len(examples)
    3000
    >>> examples == [e for split in SPLITS for e in load_sentiment_examples(split)]
    True

    現象ごとに肯定と否定をちょうど半分ずつ作り、それぞれを 3 : 1 : 1 に分けます。中身 (対象・観点・
    述語・程度の語・否定の有無) が同じで表記 (丁寧さ・時制・句読点・接続の言葉) だけが違う文は 1 つしか
    作りません。逆接の文は前後を入れ替えた 2 文の組で作り、組は同じデータに入れます。
    戻り値は split の順 (train, validation, test) に並んだ ``SentimentExample`` のリスト。
    """
    return list(_generate(check_int("seed", seed, 0))[0])


@functools.lru_cache(maxsize=2)
def _generate(seed: int) -> tuple[tuple[SentimentExample, ...], tuple[tuple[SentimentExample, SentimentExample], ...]]:
    """(全部の例, 逆接の組 (肯定の文, 否定の文) のリスト)。"""
    rng = _Rng(seed)
    seen_keys: set[tuple] = set()
    seen_texts: set[str] = set()
    groups: dict[str, list[list[tuple[str, int]]]] = {}  # 現象 → 同じデータに入れる文の組のリスト

    def accept(key: tuple, texts: Sequence[str]) -> bool:
        if key in seen_keys or any(t in seen_texts or not _fits(t) for t in texts) or len(set(texts)) < len(texts):
            return False
        seen_keys.add(key)
        seen_texts.update(texts)
        return True

    for phenomenon in PHENOMENA:
        count = PHENOMENON_COUNTS[phenomenon]
        found: list[list[tuple[str, int]]] = []
        tries = 0
        if phenomenon == "contrast":
            while len(found) < count // 2:
                tries += 1
                if tries > 200 * count:
                    raise RuntimeError(f"文法から {phenomenon} の文を {count} 個作れませんでした")
                d = _Draft(rng)
                domain = rng.choice(_DOMAINS)
                try:
                    pair = _contrast(d, domain)
                except _NoChoice:
                    continue
                if pair is not None and accept((phenomenon, domain.name, *d.key), pair):
                    found.append([(pair[0], 1), (pair[1], 0)])
        else:
            for label in (1, 0):
                n = 0
                while n < count // 2:
                    tries += 1
                    if tries > 200 * count:
                        raise RuntimeError(f"文法から {phenomenon} の文を {count} 個作れませんでした")
                    d = _Draft(rng)
                    domain = rng.choice(_DOMAINS)
                    try:
                        text = _GENERATORS[phenomenon](d, domain, label)
                    except _NoChoice:
                        continue
                    if text is not None and accept((phenomenon, label, domain.name, *d.key), [text]):
                        found.append([(text, label)])
                        n += 1
        groups[phenomenon] = found

    by_split: dict[str, list[SentimentExample]] = {split: [] for split in SPLITS}
    pairs: list[tuple[SentimentExample, SentimentExample]] = []
    total = sum(SPLIT_FRACTIONS)
    for phenomenon in PHENOMENA:
        found = groups[phenomenon]
        strata = [found] if phenomenon == "contrast" else [[g for g in found if g[0][1] == label] for label in (1, 0)]
        for stratum in strata:
            stratum = rng.shuffled(stratum)
            start = 0
            for split, fraction in zip(SPLITS, SPLIT_FRACTIONS):
                stop = start + len(stratum) * fraction // total
                for group in stratum[start:stop]:
                    members = [SentimentExample(text, label, phenomenon, split) for text, label in group]
                    by_split[split].extend(members)
                    if len(members) == 2:
                        pairs.append((members[0], members[1]))
                start = stop
    examples: list[SentimentExample] = []
    for split in SPLITS:
        # 組 (逆接の 2 文) が隣り合わないよう、データの中では混ぜる
        examples.extend(rng.shuffled(by_split[split]))
    return tuple(examples), tuple(pairs)


def contrast_pairs(split: str) -> list[tuple[SentimentExample, SentimentExample]]:
    """同梱データの ``split`` にある逆接の文の組 (後半が肯定の文, 後半が否定の文) を返す。

    >>> positive, negative = contrast_pairs("test")[0]
    >>> positive.label, negative.label, positive.split == negative.split == "test"
    (1, 0, True)

    組の 2 文は同じ 2 つの節を逆の順につないだもので、語の袋はほぼ同じです。組は同じデータに入っています。
    文法から作り直して求めるので、最初の呼び出しには 0.1 秒ほどかかります。
    """
    split = _check_split(split)
    return [pair for pair in _generate(SEED)[1] if pair[0].split == split]


def sentiment_tsv(examples: Sequence[SentimentExample]) -> str:
    """例のリストを TSV の文字列 (見出し行つき、改行は LF) にする。

    >>> sentiment_tsv([SentimentExample("値段が安い店だった。", 1, "plain", "train")])
    'split\\tlabel\\tphenomenon\\ttext\\ntrain\\t1\\tplain\\t値段が安い店だった。\\n'
    """
    lines = [_HEADER]
    for example in examples:
        lines.append(f"{example.split}\t{example.label}\t{example.phenomenon}\t{example.text}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# 読み込み
# ---------------------------------------------------------------------------------------------


def _tsv_resource():
    return importlib.resources.files("rnncourse").joinpath("data").joinpath(_TSV_NAME)


@functools.lru_cache(maxsize=1)
def _read_all() -> tuple[SentimentExample, ...]:
    resource = _tsv_resource()
    if not resource.is_file():
        raise FileNotFoundError(
            f"同梱のデータ rnncourse/data/{_TSV_NAME} が見つかりません。"
            "python -m rnncourse.data.sentiment --write で作り直すか、パッケージを入れ直してください。"
        )
    lines = resource.read_bytes().decode("utf-8").split("\n")
    if lines[0] != _HEADER:
        raise ValueError(f"rnncourse/data/{_TSV_NAME} の 1 行目は {_HEADER!r} のはずですが、{lines[0]!r} でした。")
    examples = []
    for line in lines[1:]:
        if line:
            split, label, phenomenon, text = line.split("\t")
            examples.append(SentimentExample(text, int(label), phenomenon, split))
    return tuple(examples)


def _check_split(split: object) -> str:
    if not isinstance(split, str):
        raise TypeError(
            f"引数 split は文字列 ('train'、'validation'、'test' のどれか) であるべきですが、{split!r} "
            f"({type(split).__name__}) が渡されました。"
        )
    if split not in SPLITS:
        hint = " 検証データは 'validation' です。" if split.lower() in ("val", "valid", "dev") else ""
        raise ValueError(f"引数 split は 'train'、'validation'、'test' のどれかであるべきですが、{split!r} が渡されました。{hint}")
    return split


def load_sentiment_examples(split: str) -> list[SentimentExample]:
    """同梱データの ``split`` ('train'、'validation'、'test') を ``SentimentExample`` のリストで返す。

    >>> example = load_sentiment_examples("test")[0]
    >>> example.split, example.phenomenon in PHENOMENA
    ('test', True)

    各要素は (text, label, phenomenon, split)。並び順は TSV のとおりで毎回同じです。
    """
    split = _check_split(split)
    return [example for example in _read_all() if example.split == split]


def load_sentiment(split: str) -> list[tuple[str, int]]:
    """同梱データの ``split`` ('train'、'validation'、'test') を (本文, ラベル) のリストで返す。

    >>> load_sentiment("validation")[0][1] in (0, 1)
    True
    >>> load_sentiment("dev")
    Traceback (most recent call last):
    ...
    ValueError: 引数 split は 'train'、'validation'、'test' のどれかであるべきですが、'dev' が渡されました。 検証データは 'validation' です。

    ラベルは 1 = 肯定的、0 = 否定的。件数は train 1,800、validation 600、test 600 で、
    どのデータでも肯定と否定がちょうど半分ずつです。
    """
    return [(example.text, example.label) for example in load_sentiment_examples(split)]


# ---------------------------------------------------------------------------------------------
# コマンド: python -m rnncourse.data.sentiment --write
# ---------------------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.data.sentiment",
        description="感情分類のデータ sentiment_ja.tsv を文法から作り直す (乱数の種 SEED から決まる)。",
    )
    parser.add_argument("--write", action="store_true", help="rnncourse/data/sentiment_ja.tsv を書き直す")
    parser.add_argument("--check", action="store_true", help="同梱の TSV が文法から作ったものと同じか確かめる")
    args = parser.parse_args(argv)
    text = sentiment_tsv(generate_sentiment(SEED))
    path = Path(__file__).with_name(_TSV_NAME)
    if args.write:
        path.write_bytes(text.encode("utf-8"))
        print(f"{path} に {text.count(chr(10)) - 1} 文を書きました。")
        return 0
    if args.check:
        same = path.is_file() and path.read_bytes() == text.encode("utf-8")
        print("同梱の TSV は文法から作ったものと同じです。" if same else f"{path} は文法から作ったものと違います。--write で作り直してください。")
        return 0 if same else 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
