"""GRU の符号化器–復号化器 (seq2seq)。注意機構 (スケール付き内積注意) の有無を切り替えられる。

    >>> import torch
    >>> src_vocab, tgt_vocab = Seq2SeqVocab.from_texts(["三億五百万"]), Seq2SeqVocab.from_texts(["305000000"])
    >>> data = encode_pairs([("三億五百万", "305000000")], src_vocab, tgt_vocab)
    >>> data.source.shape, data.target_in.shape          # 入力 5 文字、出力 9 文字 + <bos>/<eos>
    ((1, 5), (1, 10))
    >>> _ = torch.manual_seed(0)
    >>> model = Seq2Seq(src_vocab.size, tgt_vocab.size, embed_size=8, hidden_size=16, attention=True)
    >>> logits, alpha = model(*data.tensors()[:3])
    >>> logits.shape, alpha.shape                        # (N, T_out, V_out), (N, T_out, T_in)
    (torch.Size([1, 10, 6]), torch.Size([1, 10, 5]))

式 (1 つの例。x_1 … x_T が入力の文字、y_1 … y_U が出力の文字)::

    h_i = GRU(E_src[x_i], h_{i−1})          (符号化器、h_0 = 0、i = 1 … T)
    s_t = GRU(E_tgt[y_{t−1}], s_{t−1})      (復号化器、s_0 = h_T、y_0 = <bos>)
    c_t = h_T                               (注意なし: 毎時刻、入力を読み終えた隠れ状態 1 つ)
    c_t = Σ_i α_{t,i} h_i,  α_t = softmax_i(h_i · s_t / √H)   (注意あり: rnncourse.nn.attention と同じ式。
                                                          内積注意を選んだ理由もそちらに)
    p(y_t | y_<t, x) = softmax(W_out [s_t; c_t] + b_out)

注意の有無で変わるのは c_t の作り方だけで、パラメータ (埋め込み・2 つの GRU・出力層) の形と数は同じです。
学習では正解の前の文字 y_{t−1} を復号化器に入れ (教師強制、teacher forcing)、全時刻を一度に計算します。
テストでは自分が出した文字を次の入力にし、各時刻で確率最大の文字を選びます (貪欲復号)。

- ``Seq2SeqVocab``: 文字の辞書。ID 0, 1, 2 は詰め物 ``<pad>``・開始 ``<bos>``・終了 ``<eos>``。
- ``encode_pairs``: (入力, 出力) の組のリストを ID の配列 (``Seq2SeqData``) にする。
- ``Seq2Seq``: モデル。``forward`` (教師強制) と ``greedy_decode`` (貪欲復号)。
- ``train_seq2seq``: ミニバッチの Adam で学習し、損失の履歴を返す。
- ``translate``: 文字列のリストを変換し、出力と注意の重みを返す。
- ``exact_match`` / ``char_accuracy``: 完全一致率と文字単位の正解率。
- ``exact_match_by_length``: 入力の長さごとの完全一致率。
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from rnncourse.shapes import check_int

__all__ = [
    "PAD",
    "BOS",
    "EOS",
    "Seq2SeqVocab",
    "Seq2SeqData",
    "encode_pairs",
    "Seq2Seq",
    "train_seq2seq",
    "Translation",
    "translate",
    "exact_match",
    "char_accuracy",
    "exact_match_by_length",
]

PAD, BOS, EOS = 0, 1, 2  # 特別な記号の ID (どの辞書でも同じ)
_SPECIALS = ("<pad>", "<bos>", "<eos>")


def _check_texts(name: str, texts: object) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"引数 {name} は文字列のリストであるべきですが、{type(texts).__name__} が渡されました。")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{i}] は文字列であるべきですが、{type(text).__name__} が渡されました。")
    return list(texts)


class Seq2SeqVocab:
    """文字と ID の対応表。ID 0, 1, 2 は ``<pad>``・``<bos>``・``<eos>``、3 以降が文字 (コードポイント順)。

    >>> vocab = Seq2SeqVocab.from_texts(["2026", "305"])
    >>> vocab.tokens
    ('<pad>', '<bos>', '<eos>', '0', '2', '3', '5', '6')
    >>> vocab.encode("2026", bos=True, eos=True)
    array([1, 4, 3, 4, 7, 2])
    >>> vocab.decode([4, 3, 2, 5, 5])    # <eos> で止まる
    '20'
    """

    def __init__(self, chars: Sequence[str]) -> None:
        chars = tuple(chars)
        for index, char in enumerate(chars):
            if not isinstance(char, str) or len(char) != 1:
                raise ValueError(f"chars の各要素は 1 文字の文字列であるべきですが、{index} 番目が {char!r} です。")
        if len(set(chars)) != len(chars):
            raise ValueError(f"chars に同じ文字が 2 回以上含まれています: {sorted({c for c in chars if chars.count(c) > 1})}。")
        self._tokens = _SPECIALS + chars
        self._index = {char: i + len(_SPECIALS) for i, char in enumerate(chars)}

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> "Seq2SeqVocab":
        """文字列のリストに現れる文字を、コードポイント順 (``sorted``) に並べた辞書を作る。"""
        texts = _check_texts("texts", texts)
        if not any(texts):
            raise ValueError("引数 texts に文字が 1 つもありません。辞書を作るには少なくとも 1 文字必要です。")
        return cls(sorted(set("".join(texts))))

    @property
    def tokens(self) -> tuple[str, ...]:
        """ID 順の記号 (``tokens[i]`` が ID i。最初の 3 つが特別な記号)。"""
        return self._tokens

    @property
    def size(self) -> int:
        """語彙サイズ V (特別な記号 3 つを含む)。"""
        return len(self._tokens)

    def __len__(self) -> int:
        return len(self._tokens)

    def __repr__(self) -> str:
        return f"Seq2SeqVocab(size={self.size}, chars={''.join(self._tokens[3:23])!r}{'…' if self.size > 23 else ''})"

    def encode(self, text: str, bos: bool = False, eos: bool = False) -> np.ndarray:
        """文字列を ID の配列 (int64, 形 (L,)) にする。``bos``/``eos`` で先頭に <bos>、末尾に <eos> を付ける。"""
        if not isinstance(text, str):
            raise TypeError(f"引数 text は文字列であるべきですが、{type(text).__name__} が渡されました。")
        unknown = [c for c in text if c not in self._index]
        if unknown:
            position = text.index(unknown[0])
            raise KeyError(
                f"文字 {unknown[0]!r} ({text!r} の {position} 文字目) は辞書にありません。"
                f"辞書にある文字は {''.join(self._tokens[3:])!r} です。"
            )
        ids = [self._index[c] for c in text]
        return np.array([BOS] * bos + ids + [EOS] * eos, dtype=np.int64)

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """ID の列を文字列に戻す。最初の <eos> で止め、<pad> と <bos> は飛ばす。"""
        array = np.asarray(ids)
        if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
            raise TypeError(f"引数 ids は整数の 1 次元配列であるべきですが、形 {array.shape}, dtype={array.dtype} が渡されました。")
        text = []
        for i in array.tolist():
            if not 0 <= i < self.size:
                raise IndexError(f"ID {i} は範囲外です。ID は 0 以上 {self.size - 1} 以下のはずです。")
            if i == EOS:
                break
            if i >= len(_SPECIALS):
                text.append(self._tokens[i])
        return "".join(text)


def _pad(rows: list[np.ndarray]) -> np.ndarray:
    out = np.full((len(rows), max(len(r) for r in rows)), PAD, dtype=np.int64)
    for n, row in enumerate(rows):
        out[n, : len(row)] = row
    return out


class Seq2SeqData(NamedTuple):
    """``encode_pairs`` の結果。どれも int64 の NumPy 配列で、詰め物は PAD (= 0)。"""

    source: np.ndarray  # (N, T_max) 入力の文字 ID
    source_lengths: np.ndarray  # (N,) 入力の本当の長さ
    target_in: np.ndarray  # (N, U_max + 1) 復号化器への入力: <bos> y_1 … y_U
    target_out: np.ndarray  # (N, U_max + 1) 予測する文字: y_1 … y_U <eos>

    def tensors(self) -> tuple[torch.Tensor, ...]:
        """4 つの配列を torch.Tensor (int64) にして返す。"""
        return tuple(torch.from_numpy(a) for a in self)


def encode_pairs(pairs: Sequence[tuple[str, str]], source_vocab: Seq2SeqVocab, target_vocab: Seq2SeqVocab) -> Seq2SeqData:
    """(入力, 出力) の組のリストを ID の配列にする。

    >>> v = Seq2SeqVocab.from_texts(["一二", "12"])
    >>> data = encode_pairs([("一二", "12"), ("二", "2")], v, v)
    >>> data.source, data.source_lengths
    (array([[5, 6],
           [6, 0]]), array([2, 1]))
    >>> data.target_in, data.target_out
    (array([[1, 3, 4],
           [1, 4, 0]]), array([[3, 4, 2],
           [4, 2, 0]]))
    """
    if isinstance(pairs, str) or not isinstance(pairs, Sequence) or not pairs:
        raise TypeError(f"引数 pairs は (入力, 出力) の組の空でないリストであるべきですが、{pairs!r:.60} が渡されました。")
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) and p for p in pair)):
            raise TypeError(f"pairs[{i}] は空でない文字列 2 つの組 (入力, 出力) であるべきですが、{pair!r} が渡されました。")
    source = [source_vocab.encode(x) for x, _ in pairs]
    target = [target_vocab.encode(y) for _, y in pairs]
    return Seq2SeqData(
        source=_pad(source),
        source_lengths=np.array([len(x) for x in source], dtype=np.int64),
        target_in=_pad([np.concatenate([[BOS], y]) for y in target]),
        target_out=_pad([np.concatenate([y, [EOS]]) for y in target]),
    )


class Seq2Seq(nn.Module):
    """GRU の符号化器–復号化器。``attention=True`` で文脈ベクトルをスケール付き内積注意で作る。

    形: source (N, T) の文字 ID、source_lengths (N,)、target_in (N, U) → logits (N, U, V_out)、
    注意の重み alpha (N, U, T) (注意なしなら None)。詰め物の入力時刻の alpha は 0 です。
    """

    def __init__(
        self, source_vocab_size: int, target_vocab_size: int, embed_size: int, hidden_size: int, attention: bool
    ) -> None:
        super().__init__()
        self.source_vocab_size = check_int("source_vocab_size", source_vocab_size, 4)
        self.target_vocab_size = check_int("target_vocab_size", target_vocab_size, 4)
        self.embed_size = check_int("embed_size", embed_size, 1)
        self.hidden_size = check_int("hidden_size", hidden_size, 1)
        if not isinstance(attention, bool):
            raise TypeError(f"引数 attention は True か False にしてください ({attention!r} が渡されました)。")
        self.attention = attention
        E, H = self.embed_size, self.hidden_size
        self.source_embedding = nn.Embedding(self.source_vocab_size, E, padding_idx=PAD)  # E_src
        self.encoder = nn.GRU(E, H, batch_first=True)
        self.target_embedding = nn.Embedding(self.target_vocab_size, E, padding_idx=PAD)  # E_tgt
        self.decoder = nn.GRU(E, H, batch_first=True)
        self.out = nn.Linear(2 * H, self.target_vocab_size)  # W_out [s_t; c_t] + b_out

    def _check_source(self, source: torch.Tensor, source_lengths: torch.Tensor) -> None:
        if not isinstance(source, torch.Tensor) or source.dtype != torch.long or source.dim() != 2:
            raise TypeError("source は文字 ID の int64 テンソル (N, T) を渡してください (例: torch.from_numpy(data.source))。")
        if not isinstance(source_lengths, torch.Tensor) or source_lengths.shape != source.shape[:1]:
            raise TypeError(f"source_lengths は形 ({source.shape[0]},) の整数テンソルを渡してください。")
        if source_lengths.min() < 1 or source_lengths.max() > source.shape[1]:
            raise ValueError(f"source_lengths の値は 1 以上 T = {source.shape[1]} 以下にしてください。")

    def encode(
        self, source: torch.Tensor, source_lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """符号化器。全時刻の隠れ状態 h (N, T, H)、最後の本当の時刻の h_T (N, H)、マスク (N, T) を返す。"""
        self._check_source(source, source_lengths)
        h, _ = self.encoder(self.source_embedding(source))  # h_i = GRU(E_src[x_i], h_{i−1})
        # 詰め物は末尾にあり、単方向の GRU では本物の時刻の h_i は詰め物の影響を受けない
        h_last = h[torch.arange(len(source)), source_lengths - 1]  # 各例の本当の最後の h_T
        mask = torch.arange(source.shape[1])[None, :] < source_lengths[:, None]  # True = 本物の時刻
        return h, h_last, mask

    def context(
        self, s: torch.Tensor, h: torch.Tensor, h_last: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """復号化器の隠れ状態 s (N, U, H) に対する文脈ベクトル c (N, U, H) と注意の重み alpha (N, U, T)。"""
        if not self.attention:
            return h_last[:, None, :].expand_as(s), None  # c_t = h_T (全時刻で同じ)
        e = s @ h.transpose(1, 2) / math.sqrt(self.hidden_size)  # e_{t,i} = h_i · s_t / √H
        e = e.masked_fill(~mask[:, None, :], float("-inf"))  # 詰め物の時刻は α = 0
        alpha = torch.softmax(e, dim=-1)  # α_{t,i} = exp(e_{t,i}) / Σ_j exp(e_{t,j})
        return alpha @ h, alpha  # c_t = Σ_i α_{t,i} h_i

    def forward(
        self, source: torch.Tensor, source_lengths: torch.Tensor, target_in: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """教師強制: 正解の前の文字 target_in (N, U) を入れ、全時刻の logits (N, U, V_out) を一度に計算する。"""
        h, h_last, mask = self.encode(source, source_lengths)
        if not isinstance(target_in, torch.Tensor) or target_in.dtype != torch.long or target_in.dim() != 2:
            raise TypeError("target_in は文字 ID の int64 テンソル (N, U) を渡してください。")
        s, _ = self.decoder(self.target_embedding(target_in), h_last[None].contiguous())  # s_0 = h_T
        c, alpha = self.context(s, h, h_last, mask)
        return self.out(torch.cat([s, c], dim=-1)), alpha

    @torch.no_grad()
    def greedy_decode(
        self, source: torch.Tensor, source_lengths: torch.Tensor, max_length: int
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """貪欲復号: 各時刻で確率最大の記号 (<pad> と <bos> は除く) を選び、それを次の時刻の入力にする。

        全部の例が <eos> を出すか ``max_length`` 文字出したら止めます。<eos> を出した例のその後の出力は PAD。
        戻り値: ids (N, L) (<eos> を含む。L ≤ max_length)、alpha (N, L, T) (注意なしなら None)。
        """
        max_length = check_int("max_length", max_length, 1)
        h, h_last, mask = self.encode(source, source_lengths)
        N = len(source)
        y = torch.full((N, 1), BOS, dtype=torch.long)
        state = h_last[None].contiguous()
        finished = torch.zeros(N, dtype=torch.bool)
        ids, alphas = [], []
        for _ in range(max_length):
            s, state = self.decoder(self.target_embedding(y), state)  # 1 時刻だけ進める
            c, alpha = self.context(s, h, h_last, mask)
            logits = self.out(torch.cat([s, c], dim=-1))  # (N, 1, V_out)
            logits[..., [PAD, BOS]] = float("-inf")  # <pad> と <bos> は出力しない
            y = logits.argmax(dim=-1)  # (N, 1)
            y = y.masked_fill(finished[:, None], PAD)  # 終わった例は PAD を出し続ける
            ids.append(y)
            alphas.append(alpha)
            finished |= y[:, 0] == EOS
            if finished.all():
                break
        return torch.cat(ids, dim=1), (torch.cat(alphas, dim=1) if self.attention else None)


def _check_positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"引数 {name} は正の数にしてください ({value!r} が渡されました)。")
    return float(value)


def train_seq2seq(
    model: Seq2Seq,
    data: Seq2SeqData,
    steps: int,
    batch_size: int = 64,
    lr: float = 0.01,
    clip: float | None = 1.0,
    seed: int = 0,
) -> list[float]:
    """教師強制とミニバッチの Adam で ``model`` を学習し、各ステップの損失 (nats/文字) のリストを返す。

    >>> v = Seq2SeqVocab.from_texts(["一二三", "123"])
    >>> data = encode_pairs([("一", "1"), ("二", "2"), ("三", "3")], v, v)
    >>> _ = torch.manual_seed(0)
    >>> losses = train_seq2seq(Seq2Seq(v.size, v.size, 4, 8, attention=False), data, steps=3, batch_size=2)
    >>> len(losses)
    3

    各ステップで ``np.random.default_rng(seed)`` から ``batch_size`` 個の例を (重複を許して) 選び、
    そのバッチの最長に合わせて詰め物を切り詰めます。損失は詰め物を除いた全出力文字 (<eos> を含む) の
    交差エントロピーの平均です。``clip`` は勾配のノルムの上限 (None で切らない)。
    モデルの重みの dtype のまま計算します。どの CPU でも同じ結果にするには、``rnncourse.seeding.reproducible``
    (PyTorch の既定の型を float64 にする) の後でモデルを作ってください。float32 で作ってから ``.double()``
    にすると、初期値が float32 の乱数なので、CPU のカーネルによって初期値が最大 1e-6 ほど違います。
    """
    if not isinstance(model, Seq2Seq):
        raise TypeError(f"引数 model は Seq2Seq を渡してください ({type(model).__name__} が渡されました)。")
    if not isinstance(data, Seq2SeqData):
        raise TypeError(f"引数 data は encode_pairs が返す Seq2SeqData を渡してください ({type(data).__name__} が渡されました)。")
    steps = check_int("steps", steps, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    lr = _check_positive("lr", lr)
    clip = None if clip is None else _check_positive("clip", clip)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    source, source_lengths, target_in, target_out = data.tensors()
    target_lengths = (target_out != PAD).sum(dim=1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        batch = torch.from_numpy(rng.integers(0, len(source), size=batch_size))
        T, U = int(source_lengths[batch].max()), int(target_lengths[batch].max())
        logits, _ = model(source[batch, :T], source_lengths[batch], target_in[batch, :U])
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), target_out[batch, :U].reshape(-1), ignore_index=PAD
        )
        optimizer.zero_grad()
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


class Translation(NamedTuple):
    """``translate`` の結果。"""

    outputs: list[str]  # 変換結果 (<eos> の手前まで)
    alphas: list[np.ndarray] | None  # 各例の注意の重み (出力の文字数 + 1 (<eos>), 入力の文字数)。注意なしなら None


def translate(
    model: Seq2Seq, sources: Sequence[str], source_vocab: Seq2SeqVocab, target_vocab: Seq2SeqVocab, max_length: int
) -> Translation:
    """文字列のリストを貪欲復号で変換する。

    ``alphas[n][t, i]`` は出力の t 文字目 (最後の行は <eos>) を出すときの入力の i 文字目への注意の重み。
    ``max_length`` 文字で <eos> が出なかった例は、そこまでの出力を返します (alphas の行数は max_length)。
    """
    sources = _check_texts("sources", sources)
    if not sources or not all(sources):
        raise ValueError("引数 sources は空でない文字列の、空でないリストにしてください。")
    rows = [source_vocab.encode(x) for x in sources]
    source = torch.from_numpy(_pad(rows))
    lengths = torch.tensor([len(r) for r in rows])
    ids, alpha = model.greedy_decode(source, lengths, max_length)
    outputs, alphas = [], []
    for n, row in enumerate(ids.numpy()):
        outputs.append(target_vocab.decode(row))
        if alpha is not None:
            steps = len(outputs[-1]) + 1 if EOS in row else len(row)  # <eos> までの文字はどれも本物の文字
            alphas.append(alpha[n, :steps, : len(rows[n])].double().numpy())
    return Translation(outputs, alphas if alpha is not None else None)


def _check_same_length(predictions: Sequence[str], targets: Sequence[str]) -> tuple[list[str], list[str]]:
    predictions, targets = _check_texts("predictions", predictions), _check_texts("targets", targets)
    if len(predictions) != len(targets) or not targets:
        raise ValueError(f"predictions ({len(predictions)} 個) と targets ({len(targets)} 個) は同じ数 (1 個以上) にしてください。")
    return predictions, targets


def exact_match(predictions: Sequence[str], targets: Sequence[str]) -> float:
    """完全一致率: 出力が正解と 1 文字も違わない例の割合。

    >>> exact_match(["2026", "305"], ["2026", "3050"])
    0.5
    """
    predictions, targets = _check_same_length(predictions, targets)
    return sum(p == t for p, t in zip(predictions, targets)) / len(targets)


def char_accuracy(predictions: Sequence[str], targets: Sequence[str]) -> float:
    """文字単位の正解率: 正解の各文字について、出力の同じ位置に同じ文字があった割合 (全例の文字数で平均)。

    >>> char_accuracy(["2026", "305"], ["2026", "3050"])    # (4 + 3) / (4 + 4)
    0.875

    出力が正解より短ければ足りない位置は不正解、長ければはみ出した分は数えません (長さの誤りは完全一致率で分かります)。
    """
    predictions, targets = _check_same_length(predictions, targets)
    correct = sum(sum(a == b for a, b in zip(p, t)) for p, t in zip(predictions, targets))
    return correct / sum(len(t) for t in targets)


def exact_match_by_length(
    sources: Sequence[str], predictions: Sequence[str], targets: Sequence[str]
) -> dict[int, tuple[int, float]]:
    """入力の長さ (文字数) ごとの (例の数, 完全一致率)。長さの短い順。

    >>> exact_match_by_length(["十", "二十", "三十"], ["10", "20", "31"], ["10", "20", "30"])
    {1: (1, 1.0), 2: (2, 0.5)}
    """
    predictions, targets = _check_same_length(predictions, targets)
    sources = _check_texts("sources", sources)
    if len(sources) != len(targets):
        raise ValueError(f"sources ({len(sources)} 個) と targets ({len(targets)} 個) は同じ数にしてください。")
    groups: dict[int, list[bool]] = {}
    for x, p, t in zip(sources, predictions, targets):
        groups.setdefault(len(x), []).append(p == t)
    return {length: (len(hits), sum(hits) / len(hits)) for length, hits in sorted(groups.items())}
