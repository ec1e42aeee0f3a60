"""文字単位の言語モデルのためのテキストデータ: コーパスの読み込み、文字の辞書、打ち切り BPTT 用のバッチ。

同梱の日本語コーパスを読み、文字を整数 ID にし、並列のストリームに切ってミニバッチを作ります::

    >>> text = "あいうえおかきくけこ" * 3
    >>> vocab = CharVocab.from_text(text)
    >>> vocab.size
    10
    >>> ids = vocab.encode(text)
    >>> ids.shape, ids.dtype
    ((30,), dtype('int64'))
    >>> vocab.decode(ids[:5])
    'あいうえお'
    >>> train, val = train_val_split_text(text, val_fraction=0.1)
    >>> len(train), len(val)
    (27, 3)
    >>> for x, y in stream_batches(vocab.encode(train), batch_size=2, seq_len=4):
    ...     print(x.shape, y.shape)
    (2, 4) (2, 4)
    (2, 4) (2, 4)
    (2, 4) (2, 4)

同梱コーパスは ``load_corpus()`` で読めます。自分のテキストファイルは ``read_text_file(path)`` で
(UTF-8 でも Shift_JIS でも) 読めます。
"""

from __future__ import annotations

import importlib.resources
import numbers
import os
import re
from collections.abc import Iterator
from typing import NamedTuple, Sequence, Union

import numpy as np

from rnncourse.shapes import ShapeError, check_int

__all__ = [
    "TextEncodingError",
    "load_corpus",
    "read_text_file",
    "CharVocab",
    "one_hot",
    "train_val_split_text",
    "train_val_test_split_text",
    "clean_aozora",
    "StreamLayout",
    "stream_layout",
    "stream_batches",
]

# read_text_file が試す符号化の順番。UTF-8 を先に試すのは、cp932 は多くのバイト列を (文字化けしつつ) 受け付けてしまうから
_ENCODINGS = ("utf-8-sig", "cp932")
_ENCODING_NAMES = {"utf-8-sig": "UTF-8 (BOM の有無を問わない)", "cp932": "Shift_JIS (cp932)"}


class TextEncodingError(ValueError):
    """テキストファイルの文字コードが判別できないときに送出される例外。"""


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")  # CRLF (Windows) と CR だけ (古い Mac) を LF に


def load_corpus(name: str = "corpus_ja") -> str:
    """パッケージに同梱のコーパス ``rnncourse/data/{name}.txt`` を文字列として読む。

    >>> text = load_corpus()
    >>> text[:2], len(text) > 10_000
    ('# ', True)

    コーパスはいくつかの文章をつないだもので、各文章は ``# 題名`` の行で始まります。
    由来と中身の内訳は ``rnncourse/data/corpus_ja_card.md`` (データカード) にあります。
    ファイルは UTF-8 で、改行は LF に揃えて返します。インストールの場所によらず読めるよう
    ``importlib.resources`` を使います。

    形: 戻り値は str (約 4 万 4 千文字)。
    """
    if not isinstance(name, str):
        raise TypeError(f"引数 name はコーパスの名前 (文字列) であるべきですが、{name!r} が渡されました。")
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise ValueError(
            f"引数 name には拡張子やフォルダを含まない名前 (例: 'corpus_ja') を渡してください。{name!r} が渡されました。"
        )
    data = importlib.resources.files("rnncourse").joinpath("data")
    resource = data.joinpath(f"{name}.txt")
    if not resource.is_file():
        available = []
        if data.is_dir():
            available = sorted(entry.name[: -len(".txt")] for entry in data.iterdir() if entry.name.endswith(".txt"))
        raise FileNotFoundError(
            f"同梱のコーパス {name!r} (rnncourse/data/{name}.txt) が見つかりません。"
            f"使える名前: {available if available else 'なし (パッケージのデータが入っていません)'}。"
        )
    return _normalise_newlines(resource.read_bytes().decode("utf-8-sig"))


def read_text_file(path: Union[str, os.PathLike]) -> str:
    """学習者が用意したテキストファイルを読む。UTF-8 (BOM 付きも可) か Shift_JIS (cp932) を自動で判別する。

    >>> text = read_text_file("my_novel.txt")  # doctest: +SKIP

    まず UTF-8 として読み、失敗したら cp932 (Windows の Shift_JIS) として読みます。
    どちらでも読めなければ、ファイル名と試した符号化を示す ``TextEncodingError`` を送出します。
    改行 (CRLF, CR) は LF に揃えます。EUC-JP などのファイルは cp932 として文字化けして読めてしまう
    ことがあるので、事前に UTF-8 で保存し直してください。

    形: 戻り値は str。
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"引数 path にはファイルのパス (文字列) を渡してください。{path!r} が渡されました。")
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"ファイル {os.fspath(path)!r} が見つかりません。パスを確かめてください。") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"{os.fspath(path)!r} はフォルダです。テキストファイルのパスを渡してください。") from None
    tried = "、".join(_ENCODING_NAMES[e] for e in _ENCODINGS)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 の BOM。cp932 としては (文字化けして) 読めてしまうので先に調べる
        raise TextEncodingError(
            f"ファイル {os.fspath(path)!r} の文字コードは UTF-16 のようです (先頭に UTF-16 の BOM があります)。"
            f"読めるのは {tried} です。テキストエディタで UTF-8 として保存し直してください。"
        )
    for encoding in _ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # NUL 文字は普通のテキストには現れない (UTF-16 のファイルなど)
            break
        return _normalise_newlines(text)
    raise TextEncodingError(
        f"ファイル {os.fspath(path)!r} の文字コードを判別できません。{tried} を試しましたが、どちらでも読めませんでした"
        f" (UTF-16 などで保存されている可能性があります)。テキストエディタで UTF-8 として保存し直してください。"
    )


class CharVocab:
    """文字と整数 ID の対応表。ID は文字のコードポイント順 (``sorted(set(text))``) なので、同じテキストなら毎回同じ。

    >>> vocab = CharVocab.from_text("banana")
    >>> vocab.chars, vocab.size
    (('a', 'b', 'n'), 3)
    >>> vocab.encode("nab")
    array([2, 0, 1])
    >>> vocab.decode([1, 0, 2, 0])
    'bana'

    辞書にない文字を ``encode`` すると、その文字を示す KeyError になります。訓練用と検証用に分ける前の
    テキスト全体から辞書を作ってください。

    形: encode は str (長さ L) → int64 (L,)、decode は整数の 1 次元配列 (L,) → str。
    """

    def __init__(self, chars: Sequence[str]) -> None:
        chars = tuple(chars)
        for index, char in enumerate(chars):
            if not isinstance(char, str) or len(char) != 1:
                raise ValueError(f"chars の各要素は 1 文字の文字列であるべきですが、{index} 番目が {char!r} です。")
        if not chars:
            raise ValueError("chars が空です。少なくとも 1 文字を含む辞書を作ってください。")
        if len(set(chars)) != len(chars):
            duplicated = sorted({c for c in chars if chars.count(c) > 1})
            raise ValueError(f"chars に同じ文字が 2 回以上含まれています: {duplicated}。")
        self._chars = chars
        self._index = {char: i for i, char in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> "CharVocab":
        """テキストに現れる文字をコードポイント順に並べた辞書を作る。"""
        if not isinstance(text, str):
            raise TypeError(f"引数 text は文字列であるべきですが、{type(text).__name__} が渡されました。")
        if not text:
            raise ValueError("引数 text が空文字列です。辞書を作るには少なくとも 1 文字必要です。")
        return cls(sorted(set(text)))

    @property
    def chars(self) -> tuple[str, ...]:
        """ID 順の文字 (``chars[i]`` が ID i の文字)。"""
        return self._chars

    @property
    def size(self) -> int:
        """語彙サイズ V (文字の種類の数)。"""
        return len(self._chars)

    def __len__(self) -> int:
        return len(self._chars)

    def __contains__(self, char: object) -> bool:
        return char in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharVocab) and self._chars == other._chars

    def __hash__(self) -> int:
        return hash(self._chars)

    def __repr__(self) -> str:
        preview = "".join(self._chars[:20])
        return f"CharVocab(size={self.size}, chars={preview!r}{'…' if self.size > 20 else ''})"

    def encode(self, text: str) -> np.ndarray:
        """文字列を ID の配列 (int64, 形 (L,)) にする。"""
        if not isinstance(text, str):
            raise TypeError(f"引数 text は文字列であるべきですが、{type(text).__name__} が渡されました。")
        try:
            return np.fromiter((self._index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError:
            position = next(i for i, c in enumerate(text) if c not in self._index)
            raise KeyError(
                f"文字 {text[position]!r} (U+{ord(text[position]):04X}, {position} 文字目) は辞書にありません。"
                f"辞書は訓練・検証に分ける前のテキスト全体から作ってください。"
            ) from None

    def decode(self, ids: Union[Sequence[int], np.ndarray]) -> str:
        """ID の 1 次元配列 (L,) を文字列に戻す。"""
        array = np.asarray(ids)
        if array.ndim != 1:
            raise ShapeError(
                f"引数 ids は 1 次元の配列 (L,) のはずですが、{array.ndim} 次元の形 {tuple(array.shape)} が渡されました。"
            )
        if array.size and array.dtype.kind not in "iu":
            raise TypeError(f"引数 ids は整数の配列であるべきですが、dtype={array.dtype} が渡されました。")
        bad = (array < 0) | (array >= self.size)
        if np.any(bad):
            position = int(np.argmax(bad))
            raise IndexError(
                f"ID {int(array[position])} ({position} 番目) は範囲外です。ID は 0 以上 {self.size - 1} 以下のはずです。"
            )
        return "".join(self._chars[i] for i in array.tolist())


def one_hot(ids: Union[Sequence[int], np.ndarray], size: int) -> np.ndarray:
    """ID の配列を one-hot ベクトル (float64) にする。NumPy の RNN に文字を入力するときに使う。

    >>> one_hot(np.array([[0, 2]]), size=3)
    array([[[1., 0., 0.],
            [0., 0., 1.]]])

    形: ids (...) → (..., size)。例えばバッチ (N, T) → (N, T, V)。
    """
    size = check_int("size", size, 1)
    array = np.asarray(ids)
    if array.size and array.dtype.kind not in "iu":
        raise TypeError(f"引数 ids は整数の配列であるべきですが、dtype={array.dtype} が渡されました。")
    if np.any((array < 0) | (array >= size)):
        raise IndexError(f"引数 ids に範囲外の値があります。ID は 0 以上 {size - 1} 以下のはずです。")
    return np.eye(size, dtype=np.float64)[array.astype(np.int64)]


def train_val_split_text(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """テキストを位置で分ける: 先頭側を訓練用、最後の val_fraction を検証用にする。

    >>> train_val_split_text("abcdefghij", val_fraction=0.2)
    ('abcdefgh', 'ij')

    ランダムに文字を選ぶと文の途中が両方に入ってしまうので、連続した末尾の部分を検証用にします。
    検証用の長さは round(len(text) × val_fraction)。戻り値は (train, val) の 2 つの str。
    """
    if not isinstance(text, str):
        raise TypeError(f"引数 text は文字列であるべきですが、{type(text).__name__} が渡されました。")
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, numbers.Real) or not 0 < val_fraction < 1:
        raise ValueError(f"引数 val_fraction は 0 より大きく 1 より小さい割合であるべきですが、{val_fraction!r} が渡されました。")
    n_val = int(round(len(text) * val_fraction))
    if n_val < 1 or n_val > len(text) - 1:
        raise ValueError(
            f"長さ {len(text)} のテキストを val_fraction = {val_fraction} で分けると、訓練用か検証用が空になります "
            f"(検証用の長さ {n_val})。"
        )
    return text[: len(text) - n_val], text[len(text) - n_val :]


def train_val_test_split_text(text: str, val_fraction: float = 0.1, test_fraction: float = 0.1) -> tuple[str, str, str]:
    """テキストを位置で 3 つに分ける: 先頭側を訓練用、その次の val_fraction を検証用、最後の test_fraction をテスト用。

    >>> train_val_test_split_text("abcdefghij", val_fraction=0.2, test_fraction=0.1)
    ('abcdefg', 'hi', 'j')

    設定 (学習率など) は検証用で選び、選んだモデルの最終的な値はテスト用で一度だけ測ります。
    各部分の長さは round(len(text) × 割合)。戻り値は (train, val, test) の 3 つの str。
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) or not 0 < test_fraction < 1:
        raise ValueError(f"引数 test_fraction は 0 より大きく 1 より小さい割合であるべきですが、{test_fraction!r} が渡されました。")
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, numbers.Real) or not 0 < val_fraction < 1 - test_fraction:
        raise ValueError(
            f"引数 val_fraction は 0 より大きく 1 − test_fraction = {1 - test_fraction:g} より小さい割合であるべきですが、"
            f"{val_fraction!r} が渡されました。"
        )
    rest, test = train_val_split_text(text, test_fraction)
    n_val = int(round(len(text) * val_fraction))
    if n_val < 1 or n_val > len(rest) - 1:
        raise ValueError(f"長さ {len(text)} のテキストでは、訓練用か検証用が空になります (検証用の長さ {n_val})。")
    return rest[: len(rest) - n_val], rest[len(rest) - n_val :], test


# 青空文庫の注記: ルビ《…》、ルビの始まりの印｜、入力者の注記［＃…］、本文の前後の説明 (----- の行で囲んだ凡例、末尾の「底本：」以降)
_AOZORA_RUBY = re.compile(r"《[^《》\n]*》")
_AOZORA_NOTE = re.compile(r"［＃[^］\n]*］")
_AOZORA_LEGEND = re.compile(r"^-{10,}\n.*?^-{10,}\n", re.S | re.M)
_AOZORA_FOOTER = re.compile(r"\n\s*底本[：:].*\Z", re.S)


def clean_aozora(text: str) -> str:
    """青空文庫の形式のテキストから、ルビ・注記・凡例・底本の情報を取り除く (冒頭の題名と作者の行は残る)。

    >>> clean_aozora("吾輩《わがはい》は｜猫舌《ねこじた》である。［＃「猫舌」に傍点］\\n")
    '吾輩は猫舌である。\\n'

    - ルビ ``《…》`` と、ルビのかかる範囲の始まりを示す ``｜`` を消す (漢字だけが残る)。
    - 入力者の注記 ``［＃…］`` を消す。
    - 冒頭の ``-------`` の行で囲まれた凡例 (記号の説明) と、末尾の「底本：」から後を消す。

    文字レベルの言語モデルにそのまま読ませると、《》や［＃］の中身も「文章」として覚えてしまうためです。
    形: str → str (改行は LF)。
    """
    if not isinstance(text, str):
        raise TypeError(f"引数 text は文字列であるべきですが、{type(text).__name__} が渡されました。")
    text = _normalise_newlines(text)
    text = _AOZORA_LEGEND.sub("", text, count=1)
    text = _AOZORA_FOOTER.sub("\n", text)
    text = _AOZORA_RUBY.sub("", text)
    text = _AOZORA_NOTE.sub("", text)
    return text.replace("｜", "")


class StreamLayout(NamedTuple):
    """``stream_batches`` が ID 列をどう切るかの情報 (図を描くため)。"""

    batch_size: int  # ストリームの数 N
    seq_len: int  # 1 つのチャンクの長さ (打ち切りの長さ)
    stream_len: int  # 各ストリームの長さ L = ids_len // N
    starts: np.ndarray  # (N,) 各ストリームが元の ID 列のどこから始まるか (n × L)
    num_chunks: int  # 1 エポックのチャンク (ミニバッチ) の数 = (L − 1) // seq_len
    chunk_starts: np.ndarray  # (num_chunks,) 各チャンクがストリーム内のどこから始まるか (k × seq_len)
    dropped: int  # 末尾で捨てる ID の数 (ids_len − N × L。ストリーム内の使わない末尾は含まない)


def stream_layout(ids_len: int, batch_size: int, seq_len: int) -> StreamLayout:
    """長さ ids_len の ID 列を batch_size 本のストリームに切り、seq_len ずつ区切ったときの配置を返す。

    >>> layout = stream_layout(100, batch_size=4, seq_len=6)
    >>> layout.stream_len, layout.starts.tolist(), layout.num_chunks, layout.dropped
    (25, [0, 25, 50, 75], 4, 0)

    目標 y は入力 x を 1 つずらしたものなので、各ストリームで使える入力は L − 1 文字。
    チャンクの数は (L − 1) // seq_len で、最後の半端な部分は使いません。
    """
    ids_len = check_int("ids_len", ids_len, 0)
    batch_size = check_int("batch_size", batch_size, 1)
    seq_len = check_int("seq_len", seq_len, 1)
    L = ids_len // batch_size  # 各ストリームの長さ
    num_chunks = max(L - 1, 0) // seq_len
    if num_chunks < 1:
        raise ValueError(
            f"長さ {ids_len} の ID 列を batch_size = {batch_size} 本のストリームに切ると各 {L} 文字になり、"
            f"seq_len = {seq_len} のチャンクが 1 つも作れません "
            f"(ids_len ≥ batch_size × (seq_len + 1) = {batch_size * (seq_len + 1)} が必要です)。"
        )
    return StreamLayout(
        batch_size=batch_size,
        seq_len=seq_len,
        stream_len=L,
        starts=np.arange(batch_size, dtype=np.int64) * L,
        num_chunks=num_chunks,
        chunk_starts=np.arange(num_chunks, dtype=np.int64) * seq_len,
        dropped=ids_len - batch_size * L,
    )


def stream_batches(
    ids: Union[Sequence[int], np.ndarray], batch_size: int, seq_len: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """打ち切り BPTT のためのミニバッチ (x, y) を順に返す。隠れ状態をチャンクからチャンクへ引き継げる並べ方。

    >>> ids = np.arange(22)
    >>> for x, y in stream_batches(ids, batch_size=2, seq_len=4):
    ...     print(x.tolist(), y.tolist())
    [[0, 1, 2, 3], [11, 12, 13, 14]] [[1, 2, 3, 4], [12, 13, 14, 15]]
    [[4, 5, 6, 7], [15, 16, 17, 18]] [[5, 6, 7, 8], [16, 17, 18, 19]]

    1. ID 列 (長さ T) を batch_size = N 本の連続したストリームに切り、(N, L) に並べる
       (L = T // N。割り切れない末尾は捨てる)。
    2. 各ストリームを先頭から seq_len = S ずつ区切り、k 番目のチャンクとして
       x = streams[:, kS : (k+1)S]、y = streams[:, kS+1 : (k+1)S+1] (x を 1 つ先にずらしたもの) を返す。

    行 n は常に同じストリームの続きなので、k 番目のチャンクの最後の隠れ状態を k+1 番目の初期状態 h0 に
    使えます (次のチャンクの x[:, 0] は前のチャンクの y[:, −1] と等しい)。配置は ``stream_layout`` で確かめられます。

    形: ids (T,) 整数 → 各 (x, y) は int64 の (N, S)。
    """
    array = np.asarray(ids)
    if array.ndim != 1:
        raise ShapeError(
            f"引数 ids は 1 次元の ID 列 (T,) のはずですが、{array.ndim} 次元の形 {tuple(array.shape)} が渡されました。"
        )
    if array.size and array.dtype.kind not in "iu":
        raise TypeError(f"引数 ids は整数の配列であるべきですが、dtype={array.dtype} が渡されました。")
    layout = stream_layout(array.shape[0], batch_size, seq_len)  # 引数の誤りは、ループを回す前のここで知らせる
    N, L = layout.batch_size, layout.stream_len
    streams = array[: N * L].astype(np.int64).reshape(N, L)  # astype はコピーなので、呼び出し側の ids とは独立
    return _iterate_chunks(streams, layout)


def _iterate_chunks(streams: np.ndarray, layout: StreamLayout) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    S = layout.seq_len
    for start in layout.chunk_starts.tolist():
        yield streams[:, start : start + S], streams[:, start + 1 : start + S + 1]  # x と、1 つ先にずらした y
