"""文の分類 (多対一): 文字の埋め込み → 再帰層 → 最後の隠れ状態 → 全結合層。可変長のバッチは詰め物を飛ばして計算する。

    >>> import torch
    >>> from rnncourse.data.text import CharVocab
    >>> vocab = CharVocab.from_text("美味しくない美味しい")
    >>> ids, lengths = encode_texts(["美味しい", "美味しくない"], vocab)
    >>> ids.shape, lengths.tolist()
    ((2, 6), [4, 6])
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = TextClassifier(vocab.size, embedding_dim=4, hidden_size=8, cell="gru")
    >>> model(torch.from_numpy(ids), torch.from_numpy(lengths)).shape
    torch.Size([2, 2])

- ``encode_texts``: 文のリストを文字 ID の箱 (N, T_max) と長さ (N,) にする (短い文の末尾は 0 で埋める)。
- ``TextClassifier``: ``nn.Embedding`` → ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` (``pack_padded_sequence`` で
  各文の本当の長さだけ進める) → 最後の隠れ状態 h_T → ``nn.Linear``。
- ``length_batches``: 長さの近い文をまとめたミニバッチの並び (第1章のバケット化)。
- ``train_text_classifier``: Adam で学習し、エポックごとに検証データの損失と正解率を測り、損失がいちばん小さかった
  エポックの重みに戻す。
- ``predict_proba`` / ``text_accuracy``: 肯定 (クラス 1) の確率と正解率。

埋め物の位置 (ID 0) は本物の文字の ID でもありますが、``pack_padded_sequence`` に長さを渡すので、再帰層はその位置を
一度も読みません (第1章 1.5 節、第5章)。
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import torch
from torch import nn

from rnncourse.data.padding import pad_sequences
from rnncourse.data.text import CharVocab
from rnncourse.models.torch_models import make_recurrent
from rnncourse.shapes import ShapeError, check_int

__all__ = [
    "encode_texts",
    "unknown_chars",
    "TextClassifier",
    "length_batches",
    "TextTrainingResult",
    "train_text_classifier",
    "predict_proba",
    "text_accuracy",
]


def unknown_chars(text: str, vocab: CharVocab) -> list[str]:
    """``text`` の文字のうち、辞書 ``vocab`` にないものを、現れた順に重複なしで返す。

    >>> unknown_chars("とても美味い", CharVocab.from_text("とても美味しい"))
    []
    >>> unknown_chars("激ウマ", CharVocab.from_text("美味しい"))
    ['激', 'ウ', 'マ']
    """
    if not isinstance(text, str):
        raise TypeError(f"引数 text は文字列であるべきですが、{type(text).__name__} が渡されました。")
    return list(dict.fromkeys(c for c in text if c not in vocab))


def encode_texts(
    texts: Sequence[str], vocab: CharVocab, skip_unknown: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """文のリストを、文字 ID を詰めた箱 ``ids`` (N, T_max) と各文の長さ ``lengths`` (N,) にする。

    >>> vocab = CharVocab.from_text("安いが高い")
    >>> ids, lengths = encode_texts(["安い", "高いが安い"], vocab)
    >>> ids
    array([[2, 0, 0, 0, 0],
           [3, 0, 1, 2, 0]])
    >>> lengths
    array([2, 5])

    短い文の末尾は 0 で埋めます (``pad_sequences``)。0 は「い」の ID でもあるので、どこまでが本物かは
    ``lengths`` で判断します。辞書にない文字があると、その文字を挙げて KeyError になります。
    ``skip_unknown=True`` なら辞書にない文字を飛ばして読みます (学習者が自由に打つ文のため)。

    形: N 個の文 → ids (N, T_max) int64、lengths (N,) int64。
    """
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(
            f"引数 texts は文のリスト (例: ['美味しい', '高い']) であるべきですが、{type(texts).__name__} が渡されました。"
        )
    if len(texts) == 0:
        raise ValueError("引数 texts が空のリストです。少なくとも 1 つの文を渡してください。")
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"引数 vocab は CharVocab であるべきですが、{type(vocab).__name__} が渡されました。")
    encoded = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] は文字列であるべきですが、{type(text).__name__} が渡されました。")
        if skip_unknown:
            text = "".join(c for c in text if c in vocab)
        if not text:
            raise ValueError(f"texts[{i}] には辞書にある文字が 1 つもありません (長さ 0 の文は読めません)。")
        encoded.append(vocab.encode(text))
    return pad_sequences(encoded, pad_value=0)


class TextClassifier(nn.Module):
    """文字の埋め込み → 再帰層 → 最後の隠れ状態 → 全結合層 の多対一の分類器。

    - ``embedding``: ``nn.Embedding(vocab_size, embedding_dim)``。文字 ID を長さ E のベクトルにする (one-hot に
      重み行列を掛けるのと同じ計算を、行を取り出すだけで行う)。
    - ``rnn``: ``cell`` ("rnn" / "lstm" / "gru") の再帰層 (batch_first=True)。
    - ``fc``: ``nn.Linear(hidden_size, num_classes)``。

    形: ids (N, T) int64、lengths (N,) int64 → ロジット (N, num_classes)。lengths を渡すと ``pack_padded_sequence``
    で各文の長さだけ進み、h_T はそれぞれの文の本当の最後の時刻の隠れ状態になります。
    """

    def __init__(
        self, vocab_size: int, embedding_dim: int = 16, hidden_size: int = 32, cell: str = "gru", num_classes: int = 2,
        pack: bool = True,
    ) -> None:
        super().__init__()
        self.pack = bool(pack)
        vocab_size = check_int("vocab_size", vocab_size, 1)
        embedding_dim = check_int("embedding_dim", embedding_dim, 1)
        hidden_size = check_int("hidden_size", hidden_size, 1)
        num_classes = check_int("num_classes", num_classes, 2)
        self.cell = cell
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = make_recurrent(cell, embedding_dim, hidden_size)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if ids.dim() != 2:
            raise ShapeError(f"引数 ids は (N, T) の文字 ID のはずですが、形 {tuple(ids.shape)} が渡されました。")
        x = self.embedding(ids)  # (N, T, E)
        if lengths is not None:
            if tuple(lengths.shape) != (ids.shape[0],):
                raise ShapeError(
                    f"引数 lengths の形は (N,) = ({ids.shape[0]},) のはずですが、{tuple(lengths.shape)} が渡されました。"
                )
            if not self.pack:  # 全時刻を計算してから、各文の最後の本物の時刻 lengths − 1 の隠れ状態を取り出す
                h, _ = self.rnn(x)  # (N, T, H)。詰め物の位置の h は使わない
                return self.fc(h[torch.arange(len(lengths)), lengths - 1])
            x = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM は (h_n, c_n)
        return self.fc(h_n[-1])  # 最後の隠れ状態 h_T (N, H) → (N, C)


def length_batches(lengths: np.ndarray, batch_size: int, generator: np.random.Generator) -> list[np.ndarray]:
    """1 エポック分のミニバッチ (例の番号の配列) のリスト。長さの近い例どうしを同じバッチにする。

    >>> batches = length_batches(np.array([5, 1, 4, 2, 3, 6]), 2, np.random.default_rng(0))
    >>> sorted(sorted(b.tolist()) for b in batches)
    [[0, 5], [1, 3], [2, 4]]

    全体を乱数で並べ替えてから ``8 × batch_size`` 個ずつの塊に分け、塊の中を長さの順に並べて
    ``batch_size`` 個ずつに切り、最後にバッチの順番を並べ替えます。どのバッチの中も長さがそろうので、
    詰め物の位置 (無駄な計算) が減ります (第1章のバケット化)。エポックごとに違うバッチになります。
    """
    lengths = np.asarray(lengths)
    batch_size = check_int("batch_size", batch_size, 1)
    order = generator.permutation(len(lengths))
    chunk = 8 * batch_size
    batches = []
    for start in range(0, len(order), chunk):
        part = order[start:start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]  # 塊の中を長さの順に
        batches.extend(part[k:k + batch_size] for k in range(0, len(part), batch_size))
    return [batches[i] for i in generator.permutation(len(batches))]


class TextTrainingResult(NamedTuple):
    """``train_text_classifier`` の結果。"""

    val_loss: list[float]  # エポックごとの検証データの損失 (交差エントロピーの平均)
    val_accuracy: list[float]  # エポックごとの検証データの正解率
    train_loss: list[float]  # エポックごとの訓練の損失 (ミニバッチの平均)
    best_epoch: int  # 検証データの損失がいちばん小さかったエポック (1 から数える。同じなら早いほう)


def _tensors(data, name: str):
    if not (isinstance(data, tuple) and len(data) == 3):
        raise TypeError(f"引数 {name} は (ids, lengths, labels) の組であるべきですが、{type(data).__name__} が渡されました。")
    ids, lengths, labels = (np.asarray(a) for a in data)
    if ids.ndim != 2 or lengths.shape != (ids.shape[0],) or labels.shape != (ids.shape[0],):
        raise ShapeError(
            f"引数 {name} の形は ids (N, T), lengths (N,), labels (N,) のはずですが、"
            f"{ids.shape}, {lengths.shape}, {labels.shape} が渡されました。"
        )
    return torch.from_numpy(ids.astype(np.int64)), torch.from_numpy(lengths.astype(np.int64)), torch.from_numpy(
        labels.astype(np.int64)
    )


@torch.no_grad()
def predict_proba(model: TextClassifier, ids: np.ndarray, lengths: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """各文が肯定 (クラス 1) である確率 softmax(logits)[:, 1] を返す。

    >>> vocab = CharVocab.from_text("安高い")
    >>> model = TextClassifier(vocab.size, 2, 3)
    >>> proba = predict_proba(model, *encode_texts(["安い", "高い"], vocab))
    >>> proba.shape, bool(((0 < proba) & (proba < 1)).all())
    ((2,), True)

    形: ids (N, T), lengths (N,) → (N,) float64。``batch_size`` 文ずつ計算します。
    """
    model.eval()
    ids_t, lengths_t = torch.from_numpy(np.asarray(ids, dtype=np.int64)), torch.from_numpy(np.asarray(lengths, dtype=np.int64))
    probs = []
    for start in range(0, len(ids_t), batch_size):
        logits = model(ids_t[start:start + batch_size], lengths_t[start:start + batch_size])
        probs.append(torch.softmax(logits, dim=-1)[:, 1])
    return torch.cat(probs).double().numpy()


def _evaluate(model: nn.Module, ids: np.ndarray, lengths: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(損失, 正解率)。損失は交差エントロピーの平均、予測は確率の大きいほうのクラス (argmax)。"""
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(np.asarray(ids, dtype=np.int64)), torch.from_numpy(np.asarray(lengths, dtype=np.int64)))
        labels_t = torch.from_numpy(np.asarray(labels, dtype=np.int64))
        loss = float(nn.functional.cross_entropy(logits, labels_t))
    return loss, float((logits.argmax(dim=-1) == labels_t).double().mean())


def text_accuracy(model: TextClassifier, ids: np.ndarray, lengths: np.ndarray, labels: np.ndarray) -> float:
    """正解率 (0〜1)。予測は確率の大きいほうのクラス (argmax)。

    >>> vocab = CharVocab.from_text("安高い")
    >>> model = TextClassifier(vocab.size, 2, 3)
    >>> 0.0 <= text_accuracy(model, *encode_texts(["安い", "高い"], vocab), [1, 0]) <= 1.0
    True
    """
    return _evaluate(model, ids, lengths, labels)[1]


def train_text_classifier(
    model: TextClassifier,
    train: tuple[np.ndarray, np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray, np.ndarray],
    epochs: int,
    lr: float = 0.01,
    batch_size: int = 32,
    seed: int = 0,
    clip: float | None = None,
    progress=None,
) -> TextTrainingResult:
    """``model`` を Adam で ``epochs`` エポック学習し、検証データの損失がいちばん小さかったエポックの重みに戻す。

    ``train`` と ``validation`` は (ids (N, T), lengths (N,), labels (N,)) の組 (``encode_texts`` とラベル)。
    ミニバッチは ``length_batches`` で作り、その乱数は ``seed`` で決まります (初期値は呼ぶ前に
    ``torch.manual_seed`` で決めておきます)。エポックの終わりごとに検証データの損失 (交差エントロピーの平均) と
    正解率を測り、損失がいちばん小さかったエポック (同じ値なら早いほう) の重みを最後に読み込み直します。
    何エポック学習するかを検証データで選ぶ「早期終了」と同じことで、テストデータは使いません。
    ``clip`` を与えると、各ステップで勾配のノルムをその値までに切り詰めます (第4章の勾配クリッピング)。

    選ぶ基準を正解率ではなく損失にするのは、正解率が「正解した文の数」という粗い整数で、隣のエポックと同じ値や
    1 文だけの差になりやすいからです。確率が 0.5 にごく近い文が 1 つあるだけで、計算の丸め方のわずかな違い
    (CPU の種類など) によって選ぶエポックが入れ替わります。損失は連続な値なので、そうした入れ替わりが起きません。
    ``progress`` には 1 エポックごとに ``update(epoch, loss=..., 検証=...)`` を知らせます。
    """
    epochs = check_int("epochs", epochs, 1)
    ids, lengths, labels = _tensors(train, "train")
    val = validation
    _tensors(val, "validation")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = np.random.default_rng(seed)
    lengths_np = lengths.numpy()
    val_loss: list[float] = []
    val_accuracy: list[float] = []
    train_loss: list[float] = []
    best_state, best = None, float("inf")
    for epoch in range(1, epochs + 1):
        model.train()
        total, count = 0.0, 0
        for batch in length_batches(lengths_np, batch_size, generator):
            index = torch.from_numpy(batch)
            T = int(lengths[index].max())  # このバッチで最長の文の長さまでだけを使う
            optimizer.zero_grad()
            logits = model(ids[index, :T], lengths[index])
            loss = nn.functional.cross_entropy(logits, labels[index])
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            total += loss.item() * len(batch)
            count += len(batch)
        train_loss.append(total / count)
        loss, acc = _evaluate(model, *val)
        val_loss.append(loss)
        val_accuracy.append(acc)
        if loss < best:
            best = loss
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if progress is not None:
            progress.update(epoch, loss=train_loss[-1], 検証=val_accuracy[-1])
    model.load_state_dict(best_state)
    return TextTrainingResult(val_loss, val_accuracy, train_loss, val_loss.index(best) + 1)
