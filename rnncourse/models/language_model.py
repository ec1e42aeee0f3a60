"""文字レベル言語モデル (PyTorch): 埋め込み → RNN / LSTM → 全結合層。打ち切り BPTT での学習、評価、サンプリング。

言語モデルは文字列の確率を「次の 1 文字の確率」の積に分けて扱います (自己回帰分解)::

    p(c_1, …, c_L) = Π_t p(c_t | c_1, …, c_{t−1})
    損失 (1 文字あたりの交差エントロピー、単位 nats)  ℓ = −(1/L) Σ_t log p(c_t | c_<t)
    パープレキシティ = exp(ℓ)、   bits per character (bpc) = ℓ / log 2

    >>> import torch
    >>> model = CharLanguageModel(vocab_size=10, embed_size=4, hidden_size=8, cell="lstm")
    >>> x = torch.zeros(2, 5, dtype=torch.long)          # (N, T) の文字 ID
    >>> logits, state = model(x)
    >>> logits.shape                                      # (N, T, V)
    torch.Size([2, 5, 10])
    >>> round(perplexity(float(np.log(10))), 4)            # 一様分布の損失 log V のパープレキシティは V
    10.0

比べる基準 (ベースライン) は、一様分布 (損失 log V)、文字の出現頻度 (ユニグラム)、直前の 1 文字だけを見る
バイグラムです。バイグラムの数え上げには add-k 平滑化を掛けます (掛けないと、訓練で一度も見なかった並びの
確率が 0 になり、検証の損失が無限大になる)。
"""

from __future__ import annotations

import math
import numbers
import os
from typing import NamedTuple, Sequence, Union

import numpy as np
import torch
from torch import nn

from rnncourse.shapes import ShapeError, as_float_array, check_int
from rnncourse.data.text import CharVocab, stream_batches, stream_layout
from rnncourse.models.torch_models import make_recurrent

__all__ = [
    "CharLanguageModel",
    "detach_state",
    "TrainingHistory",
    "train_language_model",
    "evaluate_loss",
    "context_limited_loss",
    "perplexity",
    "bits_per_char",
    "perplexity_from_losses",
    "uniform_loss",
    "unigram_probs",
    "bigram_probs",
    "unigram_loss",
    "bigram_loss",
    "choose_add_k",
    "temperature_probs",
    "entropy_bits",
    "Generation",
    "generate",
    "save_language_model",
    "load_language_model",
    "plot_stream_layout",
]

State = Union[torch.Tensor, tuple[torch.Tensor, torch.Tensor], None]


# --- 引数の確認 ------------------------------------------------------------------------------------


def _check_positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"引数 {name} は正の数のはずですが、{value!r} ({type(value).__name__}) が渡されました。")
    if not (math.isfinite(float(value)) and value > 0):
        raise ValueError(f"引数 {name} は正の有限な数のはずですが、{value!r} が渡されました。")
    return float(value)


def _as_ids(name: str, ids: object, vocab_size: int | None = None, minimum_length: int = 1) -> np.ndarray:
    """文字 ID の列 (L,) を int64 の配列にする。"""
    if ids is None or isinstance(ids, (str, bytes)):
        raise TypeError(f"引数 {name} は文字 ID の整数配列 (L,) のはずですが、{ids!r} が渡されました (文字列は vocab.encode で ID に)。")
    array = np.asarray(ids)
    if array.ndim != 1:
        raise ShapeError(f"引数 {name} は 1 次元の ID 列 (L,) のはずですが、形 {tuple(array.shape)} が渡されました。")
    if array.size and array.dtype.kind not in "iu":
        raise TypeError(f"引数 {name} は整数の配列であるべきですが、dtype={array.dtype} が渡されました。")
    if array.shape[0] < minimum_length:
        raise ValueError(f"引数 {name} の長さは {minimum_length} 以上のはずですが、{array.shape[0]} です。")
    if vocab_size is not None and array.size and (array.min() < 0 or array.max() >= vocab_size):
        raise IndexError(f"引数 {name} に範囲外の ID があります。ID は 0 以上 {vocab_size - 1} 以下のはずです。")
    return array.astype(np.int64)


# --- モデル ----------------------------------------------------------------------------------------


class CharLanguageModel(nn.Module):
    """文字レベル言語モデル: 埋め込み (V → E) → 再帰層 (E → H) → 全結合層 (H → V)。

    >>> model = CharLanguageModel(vocab_size=30, embed_size=8, hidden_size=16, cell="rnn")
    >>> logits, h = model(torch.zeros(4, 7, dtype=torch.long))
    >>> logits.shape, h.shape
    (torch.Size([4, 7, 30]), torch.Size([1, 4, 16]))

    形: x (N, T) の文字 ID (int64)、state (省略可。RNN なら h (1, N, H)、LSTM なら (h, c))
    → (logits (N, T, V), 最後の state)。logits[:, t] は「x[:, t] までを読んだあとの次の文字」のスコアです。
    state を次のチャンクに渡すと、続きから読み進められます (打ち切り BPTT)。
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, cell: str = "lstm") -> None:
        super().__init__()
        self.vocab_size = check_int("vocab_size", vocab_size, 1)
        self.embed_size = check_int("embed_size", embed_size, 1)
        self.hidden_size = check_int("hidden_size", hidden_size, 1)
        if cell not in ("rnn", "lstm"):
            raise ValueError(f"引数 cell は 'rnn' か 'lstm' にしてください ({cell!r} が渡されました)。")
        self.cell = cell
        self.embedding = nn.Embedding(self.vocab_size, self.embed_size)  # e_t = E[x_t]
        self.rnn = make_recurrent(cell, self.embed_size, self.hidden_size)  # h_t = f(e_t, h_{t−1})
        self.fc = nn.Linear(self.hidden_size, self.vocab_size)  # s_{t+1} = h_t W_hyᵀ + b_y (次の文字のスコア)

    def config(self) -> dict[str, object]:
        """モデルを作り直すための設定 (保存に使う)。"""
        return {"vocab_size": self.vocab_size, "embed_size": self.embed_size,
                "hidden_size": self.hidden_size, "cell": self.cell}

    def forward(self, x: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        if not isinstance(x, torch.Tensor) or x.dtype != torch.long or x.dim() != 2:
            raise TypeError("x は文字 ID の int64 テンソル (N, T) を渡してください (例: torch.from_numpy(ids))。")
        h, state = self.rnn(self.embedding(x), state)  # h (N, T, H)
        return self.fc(h), state


def detach_state(state: State) -> State:
    """隠れ状態を計算グラフから切り離す (値はそのまま、勾配はここで止まる)。

    >>> h = torch.ones(1, 2, 3, requires_grad=True) * 2
    >>> detach_state(h).requires_grad, detach_state((h, h))[1].requires_grad
    (False, False)

    打ち切り BPTT では、前のチャンクの最後の隠れ状態を次のチャンクの初期状態に使いますが、
    逆伝播は今のチャンクの中だけで止めます。切り離さないと、グラフが学習の最初までつながり続けます。
    """
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)  # LSTM の (h, c)
    return state.detach()


# --- 学習と評価 ------------------------------------------------------------------------------------


class TrainingHistory(NamedTuple):
    """``train_language_model`` の記録。"""

    train_loss: list[float]  # 各ステップのミニバッチの損失 (nats/文字)
    val_steps: list[int]  # 検証の損失を測ったステップ (各エポックの終わり)
    val_loss: list[float]  # そのときの検証の損失 (nats/文字)


def _cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))  # 全位置の平均


def train_language_model(
    model: CharLanguageModel,
    train_ids: np.ndarray,
    batch_size: int = 32,
    seq_len: int = 32,
    epochs: int = 1,
    lr: float = 3e-3,
    clip: float | None = 1.0,
    val_ids: np.ndarray | None = None,
    max_steps: int | None = None,
    progress=None,
) -> TrainingHistory:
    """打ち切り BPTT で ``model`` を Adam により学習する。隠れ状態はチャンクをまたいで引き継ぎ、切り離す。

    >>> model = CharLanguageModel(5, 4, 8)
    >>> history = train_language_model(model, np.arange(100) % 5, batch_size=4, seq_len=6, epochs=2)
    >>> len(history.train_loss)   # 2 エポック × 4 チャンク
    8

    各エポックで ``stream_batches(train_ids, batch_size, seq_len)`` のチャンクを順に読みます。
    エポックの初めに隠れ状態を 0 に戻し、チャンクの終わりの状態を (切り離して) 次のチャンクに渡します。
    ``val_ids`` を与えると各エポックの終わりに ``evaluate_loss`` で検証の損失を測ります。
    ``max_steps`` で更新の回数の上限を決められます (短い比較用)。
    ``progress`` に ``rnncourse.viz.progress.TrainingProgress`` を渡すと進み具合を表示します。
    形: train_ids (L,) の文字 ID。
    """
    ids = _as_ids("train_ids", train_ids, model.vocab_size)
    epochs = check_int("epochs", epochs, 1)
    lr = _check_positive("lr", lr)
    clip = None if clip is None else _check_positive("clip", clip)
    layout = stream_layout(len(ids), batch_size, seq_len)  # 引数の誤りを先に知らせる
    if val_ids is not None:
        val_ids = _as_ids("val_ids", val_ids, model.vocab_size, minimum_length=2)
    total = epochs * layout.num_chunks if max_steps is None else check_int("max_steps", max_steps, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = TrainingHistory([], [], [])
    step = 0
    for _ in range(epochs):
        model.train()
        state: State = None  # エポックの初めは h_0 = 0
        for x, y in stream_batches(ids, batch_size, seq_len):
            if step >= total:
                break
            logits, state = model(torch.from_numpy(x), state)
            state = detach_state(state)  # 値は引き継ぎ、逆伝播はこのチャンクの中だけ
            loss = _cross_entropy(logits, torch.from_numpy(y))
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            step += 1
            history.train_loss.append(loss.item())
            if progress is not None:
                progress.update(step, loss=history.train_loss[-1])
        if val_ids is not None:
            history.val_steps.append(step)
            history.val_loss.append(evaluate_loss(model, val_ids))
            if progress is not None:
                progress.update(step, val_loss=history.val_loss[-1])
        if step >= total:
            break
    return history


@torch.no_grad()
def evaluate_loss(model: CharLanguageModel, ids: np.ndarray, seq_len: int = 256, skip: int = 0) -> float:
    """テキスト ``ids`` の 2 文字目以降を予測したときの 1 文字あたりの交差エントロピー (nats)。

    >>> model = CharLanguageModel(5, 4, 8)
    >>> loss = evaluate_loss(model, np.arange(50) % 5)
    >>> 1.0 < loss < 2.5   # 学習前はほぼ log 5 ≈ 1.609
    True

    テキストを 1 本のストリームとして先頭から読み、隠れ状態を引き継ぎながら ``seq_len`` 文字ずつ処理します
    (長さに関係なく記憶が足りるように)。チャンクごとの平均損失を文字数で重み付けして平均するので、
    結果は全文字をまとめて平均した値と同じです。``skip`` を与えると、予測する文字のうち先頭の ``skip`` 個を
    平均から除きます (文脈は読む。``context_limited_loss`` と同じ位置だけで比べるため)。形: ids (L,) (L ≥ 2) → float。
    """
    ids = _as_ids("ids", ids, model.vocab_size, minimum_length=2)
    seq_len = check_int("seq_len", seq_len, 1)
    skip = check_int("skip", skip, 0)
    if skip >= len(ids) - 1:
        raise ValueError(f"引数 skip = {skip} は、予測する文字の数 {len(ids) - 1} より小さくしてください。")
    was_training = model.training
    model.eval()
    x_all, y_all = torch.from_numpy(ids[:-1])[None], torch.from_numpy(ids[1:])[None]  # (1, L−1)
    state: State = None
    losses, counts = [], []
    for start in range(0, x_all.shape[1], seq_len):
        logits, state = model(x_all[:, start : start + seq_len], state)
        y = y_all[:, start : start + seq_len]
        keep = max(0, skip - start)  # このチャンクで平均から除く先頭の文字の数
        if keep >= y.shape[1]:
            continue
        losses.append(_cross_entropy(logits[:, keep:].double(), y[:, keep:]).item())  # このチャンクの平均
        counts.append(y.shape[1] - keep)
    model.train(was_training)
    return float(np.average(losses, weights=counts))  # Σ c_i ℓ_i / Σ c_i


@torch.no_grad()
def context_limited_loss(model: CharLanguageModel, ids: np.ndarray, context: int, batch_size: int = 512) -> float:
    """直前の ``context`` 文字だけを読ませたときの、1 文字あたりの交差エントロピー (nats)。

    >>> model = CharLanguageModel(5, 4, 8)
    >>> loss = context_limited_loss(model, np.arange(40) % 5, context=3)
    >>> 1.0 < loss < 2.5   # 学習前はほぼ log 5 ≈ 1.609
    True

    位置 t (t ≥ context) の文字 c_t を、隠れ状態 0 から c_{t−context} … c_{t−1} の ``context`` 文字だけを読んで
    予測し、その損失を平均します。モデルが何文字前までの文脈を使っているかを調べるためのもので、``context`` を
    大きくして損失が下がるなら、その長さの文脈が予測に役立っています。どの ``context`` でも同じ位置
    (``context`` の候補のうち最大のものより後ろ) を比べたいときは、``ids`` の先頭を同じだけ除いて渡してください。
    形: ids (L,) (L > context) → float。
    """
    ids = _as_ids("ids", ids, model.vocab_size, minimum_length=2)
    context = check_int("context", context, 1)
    if context >= len(ids):
        raise ValueError(f"引数 context = {context} は、ids の長さ {len(ids)} より小さくしてください (予測する文字が残りません)。")
    batch_size = check_int("batch_size", batch_size, 1)
    was_training = model.training
    model.eval()
    windows = np.lib.stride_tricks.sliding_window_view(ids, context + 1)  # (L − context, context + 1): 文脈 + 予測する文字
    total, count = 0.0, 0
    for start in range(0, len(windows), batch_size):
        block = torch.from_numpy(windows[start : start + batch_size].copy())  # 窓は読み取り専用のビューなので写す
        logits, _ = model(block[:, :-1])  # 0 から context 文字を読む
        total += _cross_entropy(logits[:, -1].double(), block[:, -1]).item() * len(block)  # 最後の時刻の予測だけを使う
        count += len(block)
    model.train(was_training)
    return total / count


def perplexity(loss: float) -> float:
    """1 文字あたりの損失 (nats) からパープレキシティ exp(ℓ) を求める。

    >>> round(perplexity(0.0), 4), round(perplexity(math.log(931)), 4)
    (1.0, 931.0)

    「平均して何文字の中から一様に迷っているのに相当するか」を表します。
    """
    return math.exp(_finite("loss", loss))


def bits_per_char(loss: float) -> float:
    """1 文字あたりの損失 (nats、自然対数) を bits per character (底 2) に直す: ℓ / log 2。

    >>> bits_per_char(math.log(2)), bits_per_char(0.0)
    (1.0, 0.0)
    """
    return _finite("loss", loss) / math.log(2)


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"引数 {name} は数のはずですが、{value!r} ({type(value).__name__}) が渡されました。")
    if not math.isfinite(float(value)) or value < 0:
        raise ValueError(f"引数 {name} は 0 以上の有限な数 (nats) のはずですが、{value!r} が渡されました。")
    return float(value)


def perplexity_from_losses(losses: Sequence[float], counts: Sequence[int]) -> float:
    """チャンクごとの平均損失 ``losses`` と文字数 ``counts`` から、全体のパープレキシティを求める。

    >>> round(perplexity_from_losses([1.0, 2.0], [3, 1]), 4)   # exp((3·1 + 1·2) / 4)
    3.4903

    ℓ = Σ_i c_i ℓ_i / Σ_i c_i (文字数で重み付けした平均損失)、パープレキシティ = exp(ℓ)。
    チャンクごとのパープレキシティを平均するのとは違います (exp は平均の外で 1 回だけ)。
    形: losses (K,), counts (K,) → float。
    """
    losses = as_float_array("losses", losses)
    counts = as_float_array("counts", counts)
    if losses.ndim != 1 or counts.shape != losses.shape or losses.size == 0:
        raise ShapeError(
            f"引数 losses と counts は同じ長さ K ≥ 1 の 1 次元配列のはずですが、形 {losses.shape} と {counts.shape} が渡されました。"
        )
    if np.any(counts < 0) or counts.sum() <= 0:
        raise ValueError("引数 counts は 0 以上の文字数で、合計が正であるべきです。")
    mean_loss = float(np.sum(counts * losses) / np.sum(counts))  # ℓ = Σ c_i ℓ_i / Σ c_i
    return math.exp(mean_loss)  # exp(ℓ)


# --- 数え上げによるベースライン -------------------------------------------------------------------


def uniform_loss(vocab_size: int) -> float:
    """どの文字も確率 1/V とする一様分布の損失 log V (nats)。パープレキシティはちょうど V。

    >>> round(uniform_loss(8) / math.log(2), 4)   # 3 bits
    3.0
    """
    return math.log(check_int("vocab_size", vocab_size, 1))


def unigram_probs(ids: np.ndarray, vocab_size: int, k: float = 1.0) -> np.ndarray:
    """文字の出現回数に add-k 平滑化を掛けた確率 p(c) = (n_c + k) / (L + kV)。

    >>> unigram_probs(np.array([0, 0, 1]), vocab_size=3, k=1.0)
    array([0.5       , 0.33333333, 0.16666667])

    形: ids (L,) → p (V,)。
    """
    V = check_int("vocab_size", vocab_size, 1)
    ids = _as_ids("ids", ids, V)
    k = _check_positive("k", k)
    counts = np.bincount(ids, minlength=V).astype(np.float64)  # n_c
    return (counts + k) / (counts.sum() + k * V)  # (n_c + k) / (L + kV)


def bigram_probs(ids: np.ndarray, vocab_size: int, k: float = 0.1) -> np.ndarray:
    """直前の文字 a のあとに b が来る確率 p(b | a) = (n_ab + k) / (n_a· + kV) (add-k 平滑化)。

    >>> P = bigram_probs(np.array([0, 1, 0, 1]), vocab_size=2, k=1.0)
    >>> np.round(P, 4)   # 0 のあとは 1 が多い。1 のあとは 0 が多い
    array([[0.25  , 0.75  ],
           [0.6667, 0.3333]])

    形: ids (L,) → P (V, V) (行 a が直前の文字、各行の和は 1)。
    k = 0 にすると、訓練で見なかった並びの確率が 0 になり、その並びを含むテキストの損失は無限大になります。
    """
    V = check_int("vocab_size", vocab_size, 1)
    ids = _as_ids("ids", ids, V, minimum_length=2)
    k = _check_positive("k", k)
    counts = np.zeros((V, V))
    np.add.at(counts, (ids[:-1], ids[1:]), 1.0)  # n_ab: a の直後に b が来た回数
    return (counts + k) / (counts.sum(axis=1, keepdims=True) + k * V)  # (n_ab + k) / (n_a· + kV)


def unigram_loss(p: np.ndarray, ids: np.ndarray) -> float:
    """ユニグラム確率 ``p`` で、テキスト ``ids`` の 2 文字目以降を予測した損失 (nats/文字)。

    >>> round(unigram_loss(np.full(4, 0.25), np.array([0, 1, 2])), 4) == round(math.log(4), 4)
    True

    言語モデルやバイグラムと同じ文字 (2 文字目以降の L − 1 文字) を予測させて比べます。形: p (V,), ids (L,) → float。
    """
    p = as_float_array("p", p)
    if p.ndim != 1:
        raise ShapeError(f"引数 p は 1 次元の確率 (V,) のはずですが、形 {tuple(p.shape)} が渡されました。")
    ids = _as_ids("ids", ids, p.shape[0], minimum_length=2)
    return float(-np.mean(np.log(p[ids[1:]])))  # −(1/(L−1)) Σ_t log p(c_t)


def bigram_loss(P: np.ndarray, ids: np.ndarray) -> float:
    """バイグラム確率 ``P`` で、テキスト ``ids`` の 2 文字目以降を予測した損失 (nats/文字)。

    >>> P = bigram_probs(np.array([0, 1, 0, 1]), vocab_size=2, k=1.0)
    >>> round(bigram_loss(P, np.array([0, 1])), 4) == round(-math.log(0.75), 4)
    True

    形: P (V, V), ids (L,) → float = −(1/(L−1)) Σ_t log P[c_{t−1}, c_t]。
    """
    P = as_float_array("P", P)
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ShapeError(f"引数 P は (V, V) の確率の表のはずですが、形 {tuple(P.shape)} が渡されました。")
    ids = _as_ids("ids", ids, P.shape[0], minimum_length=2)
    with np.errstate(divide="ignore"):  # 確率 0 の並びがあれば損失は inf (それが平滑化の理由)
        return float(-np.mean(np.log(P[ids[:-1], ids[1:]])))


def choose_add_k(
    train_ids: np.ndarray,
    vocab_size: int,
    candidates: Sequence[float] = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003),
    dev_fraction: float = 0.1,
) -> tuple[float, dict[float, float]]:
    """バイグラムの平滑化の強さ k を、訓練テキストの末尾 ``dev_fraction`` (開発用) での損失が最小になるように選ぶ。

    >>> ids = np.array([0, 1, 2] * 20 + [0, 2, 1] * 5)
    >>> k, losses = choose_add_k(ids, vocab_size=3, candidates=(1.0, 0.1))
    >>> k in (1.0, 0.1), sorted(losses)
    (True, [0.1, 1.0])

    検証用テキストで k を選ぶと、検証の損失が実力より良く見えてしまいます。そこで訓練テキストを
    さらに「数える部分」と「確かめる部分 (末尾)」に分け、後者で k を選びます。検証用テキストは使いません。
    戻り値は (選んだ k, {k: 開発用テキストでの損失})。
    """
    V = check_int("vocab_size", vocab_size, 1)
    ids = _as_ids("train_ids", train_ids, V, minimum_length=4)
    if isinstance(dev_fraction, bool) or not isinstance(dev_fraction, numbers.Real) or not 0 < dev_fraction < 1:
        raise ValueError(f"引数 dev_fraction は 0 と 1 のあいだの割合のはずですが、{dev_fraction!r} が渡されました。")
    if len(candidates) == 0:
        raise ValueError("引数 candidates が空です。k の候補を 1 つ以上渡してください。")
    n_dev = max(2, int(round(len(ids) * dev_fraction)))
    fit, dev = ids[: len(ids) - n_dev], ids[len(ids) - n_dev :]
    losses = {float(k): bigram_loss(bigram_probs(fit, V, k), dev) for k in candidates}
    best = min(losses, key=losses.__getitem__)
    return best, losses


# --- サンプリング ----------------------------------------------------------------------------------


def temperature_probs(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """温度 τ を掛けた softmax: p_v = exp(s_v / τ) / Σ_u exp(s_u / τ)。

    >>> temperature_probs(np.array([0.0, np.log(3.0)]), temperature=1.0)
    array([0.25, 0.75])
    >>> np.round(temperature_probs(np.array([0.0, np.log(3.0)]), temperature=0.5), 4)   # 低温ほど尖る
    array([0.1, 0.9])

    τ < 1 で分布が尖り (確率の高い文字がさらに選ばれやすく)、τ > 1 で平らになります。
    最大値を引いてから exp を取るので、大きなロジットでもあふれません。
    形: logits (..., V) → 同じ形 (最後の軸の和が 1)。
    """
    logits = as_float_array("logits", logits)
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ShapeError(f"引数 logits は最後の軸が語彙 V ≥ 1 の配列のはずですが、形 {tuple(logits.shape)} が渡されました。")
    tau = _check_positive("temperature", temperature)
    z = logits / tau  # s_v / τ
    z = z - z.max(axis=-1, keepdims=True)  # 最大値を引く (あふれ防止、確率は変わらない)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)  # 正規化して和を 1 に


def entropy_bits(p: np.ndarray) -> np.ndarray | float:
    """確率分布のエントロピー H = −Σ_v p_v log₂ p_v (bits)。

    >>> entropy_bits(np.array([0.5, 0.5])), entropy_bits(np.array([1.0, 0.0]))
    (1.0, 0.0)

    形: p (..., V) → (...) (1 次元なら float)。0 log 0 = 0 として扱います。
    """
    p = as_float_array("p", p)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0)  # p log₂ p (p = 0 なら 0)
    H = -terms.sum(axis=-1) + 0.0  # + 0.0 で −0.0 を 0.0 に
    return float(H) if H.ndim == 0 else H


class Generation(NamedTuple):
    """``generate`` の結果。"""

    text: str  # プロンプト + 生成した文字
    entropy_bits: float  # 生成した各文字を選んだ分布のエントロピーの平均 (bits)。貪欲法では選び方に迷いがないので 0


@torch.no_grad()
def generate(
    model: CharLanguageModel,
    vocab: CharVocab,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
    greedy: bool = False,
) -> Generation:
    """``prompt`` に続く ``length`` 文字を 1 文字ずつ生成する (貪欲法、または温度付きサンプリング)。

    >>> vocab = CharVocab.from_text("あいう")
    >>> model = CharLanguageModel(vocab.size, 4, 8)
    >>> result = generate(model, vocab, "あ", 5, rng=np.random.default_rng(0))
    >>> len(result.text)
    6

    1. プロンプトを読み込んで隠れ状態を作る。
    2. 最後の時刻のロジットから、温度 τ の分布 p = softmax(s / τ) を作る (``temperature_probs``)。
    3. ``greedy=True`` なら最も確率の高い文字を、そうでなければ ``rng.choice(V, p=p)`` で 1 文字選ぶ。
    4. 選んだ文字を次の入力にして 2 に戻る。

    同じ種の ``rng`` なら毎回同じ文字列になります。プロンプトは 1 文字以上で、辞書にある文字だけ。
    """
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"引数 prompt は 1 文字以上の文字列にしてください ({prompt!r} が渡されました)。")
    length = check_int("length", length, 0)
    temperature = _check_positive("temperature", temperature)
    if not greedy and not isinstance(rng, np.random.Generator):
        raise TypeError("温度付きサンプリングには rng (np.random.default_rng(種)) を渡してください。結果を再現するためです。")
    was_training = model.training
    model.eval()
    logits, state = model(torch.from_numpy(vocab.encode(prompt))[None])  # プロンプトを読む
    chosen: list[int] = []
    entropies: list[float] = []
    for _ in range(length):
        s = logits[0, -1].double().numpy()  # 次の文字のスコア (V,)
        if greedy:
            next_id = int(np.argmax(s))  # 最も確率の高い文字
            entropies.append(0.0)
        else:
            p = temperature_probs(s, temperature)  # p = softmax(s / τ)
            next_id = int(rng.choice(len(p), p=p))
            entropies.append(entropy_bits(p))
        chosen.append(next_id)
        logits, state = model(torch.tensor([[next_id]]), state)  # 選んだ文字を次の入力に
    model.train(was_training)
    mean_entropy = float(np.mean(entropies)) if entropies else 0.0
    return Generation(prompt + vocab.decode(np.array(chosen, dtype=np.int64)), mean_entropy)


# --- 保存と読み込み --------------------------------------------------------------------------------


def save_language_model(model: CharLanguageModel, vocab: CharVocab, path: Union[str, os.PathLike]) -> None:
    """モデルの設定・重みと文字の辞書を 1 つのファイルに保存する (``torch.save``)。

    >>> import tempfile, pathlib
    >>> vocab = CharVocab.from_text("あいう")
    >>> model = CharLanguageModel(vocab.size, 4, 8)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save_language_model(model, vocab, pathlib.Path(folder) / "lm.pt")
    ...     loaded, loaded_vocab = load_language_model(pathlib.Path(folder) / "lm.pt")
    >>> loaded_vocab == vocab
    True

    辞書も一緒に保存するのは、文字と ID の対応が違うと同じ重みでも意味が変わってしまうからです。
    """
    if not isinstance(model, CharLanguageModel):
        raise TypeError(f"引数 model は CharLanguageModel のはずですが、{type(model).__name__} が渡されました。")
    if not isinstance(vocab, CharVocab) or vocab.size != model.vocab_size:
        raise ValueError("引数 vocab はモデルと同じ大きさ V の CharVocab を渡してください。")
    torch.save({"config": model.config(), "chars": list(vocab.chars), "state_dict": model.state_dict()}, path)


def load_language_model(path: Union[str, os.PathLike]) -> tuple[CharLanguageModel, CharVocab]:
    """``save_language_model`` で保存したファイルから (モデル, 辞書) を作り直す。

    ``torch.load(..., weights_only=True)`` で読むので、任意の Python オブジェクトは復元しません (安全のため)。
    """
    saved = torch.load(path, weights_only=True)
    model = CharLanguageModel(**saved["config"])
    model.load_state_dict(saved["state_dict"])
    model.to(next(iter(saved["state_dict"].values())).dtype)
    return model, CharVocab(saved["chars"])


# --- 図: 打ち切り BPTT のストリームの配置 ---------------------------------------------------------


def plot_stream_layout(text: str, batch_size: int, seq_len: int, ax=None):
    """短いテキストを ``stream_batches`` と同じ規則で N 本のストリームに切り、チャンクを色分けして描く。

    >>> import matplotlib.pyplot as plt
    >>> ax = plot_stream_layout("あいうえおかきくけこさしすせそたちつてと", batch_size=2, seq_len=4)
    >>> plt.close(ax.figure)

    行 n がストリーム n (元のテキストの n·L 文字目からの連続した L 文字)、列がストリーム内の位置です。
    同じ色の列の範囲が 1 つのミニバッチ (チャンク) の入力 x で、灰色の文字は入力にならない部分
    (最後のチャンクの目標 y だけに使う 1 文字と、半端で捨てる部分) です。
    チャンクの境目の矢印は、隠れ状態 h をそのまま次のチャンクの初期状態に渡すことを表します。
    """
    import matplotlib.pyplot as plt

    import rnncourse.viz.plots  # noqa: F401  (日本語フォント)

    if not isinstance(text, str):
        raise TypeError(f"引数 text は文字列のはずですが、{type(text).__name__} が渡されました。")
    layout = stream_layout(len(text), batch_size, seq_len)
    N, L, S, K = layout.batch_size, layout.stream_len, layout.seq_len, layout.num_chunks
    if L > 40:
        raise ValueError(f"図が読めなくなるので、各ストリームの長さ L = {L} を 40 以下にしてください (短いテキストを渡す)。")
    if ax is None:
        _, ax = plt.subplots(figsize=(min(max(6.0, 0.32 * L + 1.5), 12.0), 0.45 * N + 1.4), layout="constrained")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for n in range(N):
        for j in range(L):
            k = j // S
            used = k < K  # 入力 x に使われる位置か
            ax.add_patch(plt.Rectangle((j, N - 1 - n), 0.94, 0.9, facecolor=colors[k % len(colors)] if used else "#dddddd",
                                       alpha=0.35 if used else 1.0, edgecolor="none"))
            ax.text(j + 0.47, N - 1 - n + 0.45, text[n * L + j], ha="center", va="center", fontsize=10,
                    color="black" if used else "#888888")
        ax.text(-0.3, N - 1 - n + 0.45, f"ストリーム {n}", ha="right", va="center", fontsize=9)
    for k in range(K):
        ax.text(k * S + S / 2, N + 0.15, f"チャンク {k}", ha="center", va="bottom", fontsize=9)
        if k + 1 < K:
            ax.annotate("", xy=((k + 1) * S + 0.5, N + 0.35), xytext=((k + 1) * S - 0.5, N + 0.35),
                        arrowprops={"arrowstyle": "-|>", "color": "#333333"})
    ax.text((K * S) / 2, -0.55, "チャンクの境目で隠れ状態 h を引き継ぐ (逆伝播はチャンクの中だけ)", ha="center",
            va="center", fontsize=9)
    ax.set_xlim(-3.2, L + 0.2)
    ax.set_ylim(-0.9, N + 0.8)
    ax.axis("off")
    ax.set_title(f"打ち切り BPTT のバッチ (N = {N} 本のストリーム、seq_len = {S})")
    return ax
