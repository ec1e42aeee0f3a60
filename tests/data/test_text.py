import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.shapes import ShapeError
from rnncourse.data.text import (
    CharVocab,
    TextEncodingError,
    load_corpus,
    one_hot,
    read_text_file,
    stream_batches,
    stream_layout,
    train_val_split_text, clean_aozora, train_val_test_split_text,
)

JAPANESE = "吾輩は猫である。名前はまだ無い。\nどこで生れたかとんと見当がつかぬ。ｶﾀｶﾅ①"


# --- 同梱コーパス ---------------------------------------------------------------------------------


def test_bundled_corpus_loads():
    # corpus_ja.txt が無ければ失敗する (スキップしない): パッケージデータとして必ず同梱されていること
    text = load_corpus()
    assert isinstance(text, str)
    assert len(text) >= 10_000
    assert text.startswith("# ")
    assert "\r" not in text and "\ufeff" not in text
    assert sum("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text) > len(text) // 2
    vocab = CharVocab.from_text(text)
    assert vocab.decode(vocab.encode(text)) == text


def test_load_corpus_unknown_name_lists_available():
    with pytest.raises(FileNotFoundError, match="no_such_corpus"):
        load_corpus("no_such_corpus")


@pytest.mark.parametrize("name", ["../pyproject", "corpus_ja.txt", "a/b", ""])
def test_load_corpus_rejects_paths(name):
    with pytest.raises(ValueError, match="name"):
        load_corpus(name)


# --- 学習者のファイル -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis"])
def test_read_text_file_encodings(tmp_path, encoding):
    text = JAPANESE if encoding != "shift_jis" else JAPANESE.replace("①", "")  # ① は cp932 にしかない
    path = tmp_path / "novel.txt"
    path.write_bytes(text.encode(encoding))
    assert read_text_file(path) == text
    assert read_text_file(str(path)) == text


def test_read_text_file_normalises_newlines(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("一行目\r\n二行目\r三行目\n".encode("cp932"))
    assert read_text_file(path) == "一行目\n二行目\n三行目\n"


@pytest.mark.parametrize(
    "raw",
    [
        "café au lait".encode("latin-1"),  # 0xE9 の後に cp932 の 2 バイト目として不正なバイト
        "日本語".encode("utf-16"),  # BOM 付き UTF-16 (NUL を含む)
        "abc".encode("utf-16-le"),
        b"\x82\xa0\x81",  # 途中で切れた Shift_JIS
    ],
)
def test_read_text_file_bad_encoding_gives_japanese_error(tmp_path, raw):
    path = tmp_path / "broken.txt"
    path.write_bytes(raw)
    with pytest.raises(TextEncodingError) as info:
        read_text_file(path)
    message = str(info.value)
    assert "broken.txt" in message
    assert "UTF-8" in message and "cp932" in message
    assert "文字コード" in message


def test_read_text_file_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        read_text_file(tmp_path / "missing.txt")


# --- 文字の辞書 -------------------------------------------------------------------------------------


def test_char_vocab_is_sorted_and_deterministic():
    vocab = CharVocab.from_text(JAPANESE)
    assert list(vocab.chars) == sorted(set(JAPANESE))
    assert vocab.size == len(vocab) == len(set(JAPANESE))
    assert CharVocab.from_text(JAPANESE[::-1]) == vocab  # 出現順に依らない


def test_encode_decode_round_trip():
    vocab = CharVocab.from_text(JAPANESE)
    ids = vocab.encode(JAPANESE)
    assert ids.dtype == np.int64 and ids.shape == (len(JAPANESE),)
    assert vocab.decode(ids) == JAPANESE
    assert vocab.decode(list(ids)) == JAPANESE
    assert vocab.encode("").shape == (0,)
    assert vocab.decode(np.array([], dtype=np.int64)) == ""
    assert vocab.chars[ids[0]] == JAPANESE[0]


def test_encode_unknown_character_names_it():
    vocab = CharVocab.from_text("あいう")
    with pytest.raises(KeyError) as info:
        vocab.encode("あいえ")
    message = str(info.value)
    assert "'え'" in message and "2 文字目" in message and "辞書にありません" in message


def test_decode_rejects_bad_ids():
    vocab = CharVocab.from_text("あいう")
    with pytest.raises(IndexError, match="ID 3"):
        vocab.decode([0, 3])
    with pytest.raises(IndexError, match="ID -1"):
        vocab.decode([-1])
    with pytest.raises(ShapeError, match="1 次元"):
        vocab.decode(np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(TypeError, match="整数"):
        vocab.decode(np.array([0.0, 1.0]))


def test_char_vocab_rejects_bad_construction():
    with pytest.raises(ValueError, match="空"):
        CharVocab.from_text("")
    with pytest.raises(TypeError, match="文字列"):
        CharVocab.from_text(["a", "b"])
    with pytest.raises(ValueError, match="同じ文字"):
        CharVocab(["a", "b", "a"])
    with pytest.raises(ValueError, match="1 文字"):
        CharVocab(["ab"])


def test_one_hot():
    ids = np.array([[0, 2, 1]])
    x = one_hot(ids, size=3)
    assert x.shape == (1, 3, 3) and x.dtype == np.float64
    np.testing.assert_array_equal(x.argmax(axis=-1), ids)
    np.testing.assert_array_equal(x.sum(axis=-1), 1.0)
    with pytest.raises(IndexError, match="範囲外"):
        one_hot([3], size=3)


def test_train_val_split_text_by_position():
    text = "".join(chr(0x3042 + i % 80) for i in range(1000))
    train, val = train_val_split_text(text, val_fraction=0.1)
    assert train + val == text
    assert len(val) == 100
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_split_text(text, val_fraction=1.0)
    with pytest.raises(ValueError, match="空"):
        train_val_split_text("ab", val_fraction=0.1)


# --- 打ち切り BPTT のバッチ ----------------------------------------------------------------------


def test_stream_batches_shapes_and_streams():
    ids = np.arange(103)
    layout = stream_layout(len(ids), batch_size=4, seq_len=5)
    assert layout.stream_len == 25 and layout.dropped == 3
    np.testing.assert_array_equal(layout.starts, [0, 25, 50, 75])
    assert layout.num_chunks == 4  # (25 − 1) // 5
    np.testing.assert_array_equal(layout.chunk_starts, [0, 5, 10, 15])

    batches = list(stream_batches(ids, batch_size=4, seq_len=5))
    assert len(batches) == layout.num_chunks
    for k, (x, y) in enumerate(batches):
        assert x.shape == y.shape == (4, 5)
        assert x.dtype == y.dtype == np.int64
        for n in range(4):
            start = layout.starts[n] + layout.chunk_starts[k]
            np.testing.assert_array_equal(x[n], ids[start : start + 5])
            np.testing.assert_array_equal(y[n], ids[start + 1 : start + 6])


def test_stream_batches_do_not_alias_input():
    ids = np.arange(40)
    x, _ = next(stream_batches(ids, batch_size=2, seq_len=4))
    x[0, 0] = -7
    assert ids[0] == 0


@settings(max_examples=60, deadline=None)
@given(
    length=st.integers(min_value=2, max_value=300),
    batch_size=st.integers(min_value=1, max_value=8),
    seq_len=st.integers(min_value=1, max_value=20),
)
def test_stream_batches_continuity(length, batch_size, seq_len):
    ids = np.random.default_rng(length).integers(0, 50, size=length)
    if length < batch_size * (seq_len + 1):
        with pytest.raises(ValueError, match="チャンクが 1 つも作れません"):
            stream_batches(ids, batch_size, seq_len)
        return
    batches = list(stream_batches(ids, batch_size, seq_len))
    assert len(batches) == stream_layout(length, batch_size, seq_len).num_chunks
    for x, y in batches:
        np.testing.assert_array_equal(x[:, 1:], y[:, :-1])  # y は x を 1 つずらしたもの
    for (_, y_prev), (x_next, _) in zip(batches, batches[1:]):
        np.testing.assert_array_equal(x_next[:, 0], y_prev[:, -1])  # 各ストリームは次のチャンクに続く


def test_stream_batches_errors_are_raised_before_iterating():
    with pytest.raises(ShapeError, match="ids"):
        stream_batches(np.zeros((2, 10), dtype=np.int64), batch_size=2, seq_len=3)
    with pytest.raises(TypeError, match="整数"):
        stream_batches(np.zeros(50), batch_size=2, seq_len=3)
    with pytest.raises(ValueError, match="batch_size"):
        stream_batches(np.arange(50), batch_size=0, seq_len=3)
    with pytest.raises(TypeError, match="seq_len"):
        stream_batches(np.arange(50), batch_size=2, seq_len=2.5)


def test_train_val_test_split_keeps_order_and_sizes():
    text = "".join(chr(0x3042 + i % 80) for i in range(1000))
    train, val, test = train_val_test_split_text(text, val_fraction=0.1, test_fraction=0.2)
    assert train + val + test == text
    assert (len(train), len(val), len(test)) == (700, 100, 200)


@pytest.mark.parametrize("val, test", [(0.0, 0.1), (0.1, 0.0), (0.5, 0.5), (0.1, 1.2), (True, 0.1)])
def test_train_val_test_split_rejects_bad_fractions(val, test):
    with pytest.raises(ValueError, match="fraction"):
        train_val_test_split_text("あいうえおかきくけこ" * 10, val_fraction=val, test_fraction=test)


def test_clean_aozora_removes_ruby_notes_legend_and_footer():
    raw = (
        "小さな港\r\n書いた人\r\n\r\n"
        "-------------------------------------------------------\r\n"
        "【テキスト中に現れる記号について】\r\n《》：ルビ\r\n（例）港《みなと》\r\n"
        "-------------------------------------------------------\r\n\r\n"
        "｜冬の海《ふゆのうみ》は青い。［＃「青い」に傍点］\r\n舟が出る。\r\n\r\n\r\n"
        "底本：「架空の本」架空出版\r\n　　2026年発行\r\n"
    )
    assert clean_aozora(raw) == "小さな港\n書いた人\n\n\n冬の海は青い。\n舟が出る。\n"


def test_clean_aozora_leaves_plain_text_alone():
    plain = "雨が降る。ルビも注記もない「文章」です。\n"
    assert clean_aozora(plain) == plain
    with pytest.raises(TypeError, match="text"):
        clean_aozora(b"bytes")
