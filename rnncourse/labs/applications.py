"""第 8 章 (応用: 日本語の文の感情分類と、ノイズ入りの周期的な時系列の予測) の実験の道具。

    >>> data = sentiment_data()
    >>> data.vocab.size, len(data.splits["train"].texts), len(data.splits["test"].texts)
    (402, 1800, 600)
    >>> forecast = forecast_data()
    >>> forecast.X_fit.shape, forecast.X_val.shape, forecast.X_test.shape
    ((300, 20, 1), (60, 20, 1), (80, 20, 1))

感情分類 (8.1 節):

- ``sentiment_data``: 同梱の文 (``rnncourse.data.sentiment``) を訓練データの文字の辞書で ID にしたもの。
- ``char_ngrams`` / ``ngram_vocabulary`` / ``NgramBagClassifier``: 文字の袋 (と、隣り合う 2 文字の袋) の
  ロジスティック回帰。順番を (ほとんど) 見ない基準のモデル。
- ``sentiment_run``: 1 つのモデル・学習率・乱数の種で学習し、検証とテストの結果を返す
  (``rnncourse.labs.parallel.run_all`` で何回も並べて計算するため、引数だけで結果が決まる)。
- ``accuracy_by_phenomenon`` / ``sentiment_probabilities`` / ``sentiment_report`` / ``sentiment_explorer``:
  現象ごとの正解率、好きな文の肯定の確率、それを打ち込んで試すウィジェット。

時系列の予測 (8.2 節):

- ``forecast_data``: 第1章と同じ系列・分け方・窓 (``noisy_sine(500, seed=0)``、後ろの 20 % がテスト、窓 20)。
  訓練の部分をさらに時間順に分け、後ろの 20 % を検証データにします。
- ``forecast_run``: 1 つの再帰層・学習率・乱数の種で ``SequenceRegressor`` を学習する。
- ``rollout_windows``: 多段予測の出発点の窓と、その先の正解 (テスト区間の値)。
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
import torch
from torch import nn

from rnncourse.data.sentiment import PHENOMENA, SentimentExample, load_sentiment_examples
from rnncourse.data.text import CharVocab
from rnncourse.data.timeseries import noisy_sine, sliding_windows, train_test_split_series
from rnncourse.models.forecasting import SequenceRegressor, forecast_mse, train_regressor
from rnncourse.models.text_classifier import (
    TextClassifier, encode_texts, predict_proba, train_text_classifier, unknown_chars,
)
from rnncourse.shapes import ShapeError, check_int

__all__ = [
    "SENTIMENT_SETTINGS",
    "FORECAST_SETTINGS",
    "EncodedSplit",
    "SentimentData",
    "sentiment_data",
    "char_ngrams",
    "ngram_vocabulary",
    "NgramBagClassifier",
    "SENTIMENT_MODELS",
    "SentimentRun",
    "sentiment_run",
    "sentiment_model",
    "accuracy_by_phenomenon",
    "sentiment_probabilities",
    "sentiment_report",
    "sentiment_explorer",
    "fit_width",
    "ForecastData",
    "forecast_data",
    "ForecastRun",
    "forecast_run",
    "forecast_model",
    "rollout_windows",
]

#: 8.1 節のモデルの大きさと、5 つのモデルに共通の学習の設定 (学習率とエポック数は検証データで選ぶ)。
#: pack=False: 長さの近い文をまとめたバッチなので、全時刻を計算して時刻 lengths − 1 の隠れ状態を読む (pack と同じ値)。
#: clip: 勾配のノルムの上限 (第4章)。素の RNN の学習を乱れにくくする。
SENTIMENT_SETTINGS = {"embedding_dim": 16, "hidden_size": 32, "batch_size": 64, "epochs": 10, "pack": False, "clip": 0.25}
#: 8.2 節の再帰層のモデルと学習の設定 (学習率と何ステップ目の重みを使うかは検証データで選ぶ)。
FORECAST_SETTINGS = {"hidden_size": 16, "batch_size": 64, "steps": 300, "eval_every": 25}


# =============================================================================================
# 8.1 感情分類: データ
# =============================================================================================


class EncodedSplit(NamedTuple):
    """1 つのデータ (train / validation / test) を ID にしたもの。"""

    texts: tuple[str, ...]
    ids: np.ndarray  # (N, T_max) int64、末尾は 0 で埋めてある
    lengths: np.ndarray  # (N,) int64
    labels: np.ndarray  # (N,) int64、1 = 肯定、0 = 否定
    phenomena: tuple[str, ...]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ids, lengths, labels): ``train_text_classifier`` に渡す形。"""
        return self.ids, self.lengths, self.labels


class SentimentData(NamedTuple):
    vocab: CharVocab  # 訓練データの文字だけから作った辞書 (検証・テストの文字もすべて入っている)
    splits: dict[str, EncodedSplit]


def _encode_split(examples: Sequence[SentimentExample], vocab: CharVocab) -> EncodedSplit:
    texts = tuple(e.text for e in examples)
    ids, lengths = encode_texts(list(texts), vocab)
    labels = np.array([e.label for e in examples], dtype=np.int64)
    return EncodedSplit(texts, ids, lengths, labels, tuple(e.phenomenon for e in examples))


@functools.lru_cache(maxsize=1)
def sentiment_data() -> SentimentData:
    """同梱の感情分類のデータを、訓練データの文字から作った辞書で ID にして返す (一度だけ計算して覚えておく)。

    >>> test = sentiment_data().splits["test"]
    >>> test.ids.shape[0], test.lengths[:3].tolist() == [len(t) for t in test.texts[:3]]
    (600, True)
    """
    examples = {split: load_sentiment_examples(split) for split in ("train", "validation", "test")}
    vocab = CharVocab.from_text("".join(e.text for e in examples["train"]))
    return SentimentData(vocab, {split: _encode_split(found, vocab) for split, found in examples.items()})


# =============================================================================================
# 8.1 感情分類: 文字の袋のロジスティック回帰
# =============================================================================================


def char_ngrams(text: str, max_n: int = 1) -> list[str]:
    """文に含まれる長さ 1〜max_n の文字の並び (n-gram) を、重複も含めて順に返す。

    >>> char_ngrams("安くない", max_n=2)
    ['安', 'く', 'な', 'い', '安く', 'くな', 'ない']
    """
    if not isinstance(text, str):
        raise TypeError(f"引数 text は文字列であるべきですが、{type(text).__name__} が渡されました。")
    max_n = check_int("max_n", max_n, 1)
    return [text[i:i + n] for n in range(1, max_n + 1) for i in range(len(text) - n + 1)]


def ngram_vocabulary(texts: Sequence[str], max_n: int = 1) -> tuple[str, ...]:
    """文のリストに現れる長さ 1〜max_n の n-gram を、コードポイント順に重複なしで並べる (袋の列の順番)。

    >>> ngram_vocabulary(["安い", "高い"], max_n=2)
    ('い', '安', '安い', '高', '高い')
    """
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"引数 texts は文のリストであるべきですが、{type(texts).__name__} が渡されました。")
    return tuple(sorted({gram for text in texts for gram in char_ngrams(text, max_n)}))


class NgramBagClassifier(nn.Module):
    """文字 n-gram の袋のロジスティック回帰: 肯定の確率 σ(c·w + b) (c は n-gram の出現回数のベクトル)。

    >>> model = NgramBagClassifier(ngram_vocabulary(["安い", "高い"]), max_n=1)
    >>> ids, lengths = model.encode(["安い", "高くない"])
    >>> lengths.tolist(), model(torch.from_numpy(ids), torch.from_numpy(lengths)).shape
    ([2, 2], torch.Size([2, 2]))

    c·w = Σ_v c_v w_v は「文に現れた n-gram の重み w の和」なので、文を n-gram の ID の列にし、
    ``nn.Embedding(F, 1)`` から各 ID の重みを取り出して、詰め物でない位置だけ足します。並び順は使いません。
    ``TextClassifier`` と同じ形 (ids (N, G), lengths (N,) → ロジット (N, 2)) にするため、ロジットは [0, c·w + b] を
    返します (softmax のクラス 1 の確率が σ(c·w + b) になる)。訓練データに現れなかった n-gram は飛ばします。
    """

    def __init__(self, ngrams: Sequence[str], max_n: int = 1) -> None:
        super().__init__()
        self.ngrams, self.max_n = tuple(ngrams), check_int("max_n", max_n, 1)
        self._column = {gram: j for j, gram in enumerate(self.ngrams)}
        self.weight = nn.Embedding(len(self.ngrams), 1)  # w (F,)
        self.bias = nn.Parameter(torch.zeros(1))  # b
        nn.init.zeros_(self.weight.weight)  # w = 0 から始める (どの文も確率 0.5)

    def encode(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """文のリストを n-gram の ID の箱 (N, G_max) と、各文の n-gram の数 (N,) にする。"""
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise TypeError(f"引数 texts は文のリストであるべきですが、{type(texts).__name__} が渡されました。")
        rows = [np.array([self._column[g] for g in char_ngrams(t, self.max_n) if g in self._column], dtype=np.int64)
                for t in texts]
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        ids = np.zeros((len(rows), max(1, int(lengths.max(initial=0)))), dtype=np.int64)
        for n, row in enumerate(rows):
            ids[n, :len(row)] = row
        return ids, lengths

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = torch.arange(ids.shape[1])[None, :] < lengths[:, None]  # 詰め物でない位置
        a = (self.weight(ids)[:, :, 0] * mask).sum(dim=1) + self.bias  # a = Σ_v c_v w_v + b (N,)
        return torch.stack([torch.zeros_like(a), a], dim=1)  # softmax([0, a])[1] = σ(a)


# =============================================================================================
# 8.1 感情分類: 再帰層のモデル
# =============================================================================================


#: 8.1 節で比べるモデルの名前 (``sentiment_run`` の ``model``) と表示名。
SENTIMENT_MODELS = {"bag": "文字の袋", "bag2": "文字+2文字の袋", "rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


class SentimentRun(NamedTuple):
    """``sentiment_run`` の結果 1 回分。"""

    model: str
    lr: float
    seed: int
    val_loss: list[float]  # エポックごとの検証データの損失
    val_accuracy: list[float]  # エポックごとの検証データの正解率
    best_epoch: int  # 検証データの損失で選んだエポック
    val_best_loss: float  # そのエポックの検証データの損失
    val_correct: int  # そのエポックで検証データの 600 文のうち正解した数
    test_correct: int  # 同じ重みでテストデータの 600 文のうち正解した数
    test_proba: np.ndarray  # テストデータの各文の肯定の確率 (600,)
    parameters: int  # 学習するパラメータの数
    state: dict | None  # 重み (keep_model=True のとき)


def _check_model_name(model: object) -> str:
    if model not in SENTIMENT_MODELS:
        raise ValueError(f"model は {', '.join(map(repr, SENTIMENT_MODELS))} のどれかにしてください ({model!r} が渡されました)。")
    return str(model)


def sentiment_model(model: str, state: Mapping[str, Any] | None = None) -> nn.Module:
    """8.1 節のモデルを作り、``state`` があれば重みを読み込む。

    >>> sentiment_model("gru").embedding.num_embeddings
    402

    "bag" / "bag2" は訓練データの n-gram (長さ 1、長さ 1 と 2) の ``NgramBagClassifier``、"rnn" / "lstm" / "gru" は
    ``SENTIMENT_SETTINGS`` の大きさの ``TextClassifier`` (辞書は ``sentiment_data().vocab``)。
    """
    model = _check_model_name(model)
    if model.startswith("bag"):
        max_n = 2 if model == "bag2" else 1
        module: nn.Module = NgramBagClassifier(_train_ngrams(max_n), max_n)
    else:
        module = TextClassifier(sentiment_data().vocab.size, SENTIMENT_SETTINGS["embedding_dim"],
                                SENTIMENT_SETTINGS["hidden_size"], model, pack=SENTIMENT_SETTINGS["pack"])
    if state is not None:
        module.load_state_dict(state)
    return module


@functools.lru_cache(maxsize=2)
def _train_ngrams(max_n: int) -> tuple[str, ...]:
    return ngram_vocabulary(sentiment_data().splits["train"].texts, max_n)


def _encoded(module: nn.Module, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    encoded = sentiment_data().splits[split]
    if isinstance(module, NgramBagClassifier):
        return (*module.encode(encoded.texts), encoded.labels)
    return encoded.arrays()


def sentiment_run(model: str, lr: float, seed: int, keep_model: bool = False, epochs: int | None = None) -> SentimentRun:
    """``model`` ("bag" / "bag2" / "rnn" / "lstm" / "gru") を学習率 ``lr``・乱数の種 ``seed`` で学習し、結果を返す。

    >>> run = sentiment_run("bag", 0.01, seed=0, epochs=1)
    >>> run.best_epoch, len(run.test_proba), run.parameters
    (1, 600, 403)

    どのモデルも同じ手順で学習します: ``torch.manual_seed(seed)`` の直後に初期値を作り、Adam・ミニバッチ
    ``SENTIMENT_SETTINGS["batch_size"]`` (順番も ``seed`` で決まる) で ``SENTIMENT_SETTINGS["epochs"]`` エポック学習し、
    検証データの損失がいちばん小さかったエポックの重みを使います (``train_text_classifier``)。テストデータはその重みで
    一度だけ測ります。
    PyTorch の既定の型 (講座では float64) で計算します。
    """
    name = _check_model_name(model)
    epochs = SENTIMENT_SETTINGS["epochs"] if epochs is None else check_int("epochs", epochs, 1)
    torch.manual_seed(seed)
    module = sentiment_model(name)
    result = train_text_classifier(module, _encoded(module, "train"), _encoded(module, "validation"),
                                   epochs=epochs, lr=lr, batch_size=SENTIMENT_SETTINGS["batch_size"], seed=seed,
                                   clip=SENTIMENT_SETTINGS["clip"])
    ids, lengths, labels = _encoded(module, "test")
    proba = predict_proba(module, ids, lengths)
    val_correct = round(result.val_accuracy[result.best_epoch - 1] * len(sentiment_data().splits["validation"].labels))
    state = {k: v.detach().clone() for k, v in module.state_dict().items()} if keep_model else None
    parameters = sum(p.numel() for p in module.parameters())
    return SentimentRun(name, float(lr), seed, result.val_loss, result.val_accuracy, result.best_epoch,
                        result.val_loss[result.best_epoch - 1], val_correct,
                        int(np.sum((proba > 0.5) == (labels == 1))), proba, parameters, state)


def accuracy_by_phenomenon(proba: np.ndarray, split: str = "test") -> dict[str, float]:
    """予測した肯定の確率 (N,) から、現象ごとの正解率 {現象: 正解率} を求める (予測は確率 > 0.5 なら肯定)。

    >>> labels = sentiment_data().splits["test"].labels
    >>> accuracy_by_phenomenon(labels.astype(float))["contrast"]
    1.0
    """
    encoded = sentiment_data().splits[split]
    proba = np.asarray(proba, dtype=np.float64)
    if proba.shape != encoded.labels.shape:
        raise ShapeError(f"引数 proba の形は ({len(encoded.labels)},) のはずですが、{proba.shape} が渡されました。")
    right = (proba > 0.5) == (encoded.labels == 1)
    phenomena = np.array(encoded.phenomena)
    return {name: float(right[phenomena == name].mean()) for name in PHENOMENA}


def sentiment_probabilities(texts: Sequence[str], models: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """好きな文のリストについて、各モデルの肯定の確率 {名前: (N,)} を返す。

    >>> probs = sentiment_probabilities(["美味しい。", "高い。"], {"袋": sentiment_model("bag")})
    >>> probs["袋"].round(2)   # 学習前の袋のモデル (w = 0, b = 0) はどの文も 0.5
    array([0.5, 0.5])

    ``models`` は {名前: ``NgramBagClassifier`` か ``TextClassifier``}。再帰層のモデルには、辞書 (訓練データの文字) に
    ない文字を飛ばして読ませます (n-gram の袋は、訓練データにない n-gram を数えません)。
    """
    vocab = sentiment_data().vocab
    result = {}
    for name, model in models.items():
        if isinstance(model, NgramBagClassifier):
            result[name] = predict_proba(model, *model.encode(list(texts)))
        elif isinstance(model, TextClassifier):
            ids, lengths = encode_texts(list(texts), vocab, skip_unknown=True)
            result[name] = predict_proba(model, ids, lengths)
        else:
            raise TypeError(f"models の値は NgramBagClassifier か TextClassifier であるべきですが、{type(model).__name__} が渡されました。")
    return result


def sentiment_report(text: str, models: Mapping[str, Any]) -> str:
    """1 つの文について、各モデルの肯定の確率を棒つきの表にした文字列を返す (ウィジェットと同じ表示)。

    >>> print(sentiment_report("美味しい☆", {"袋": sentiment_model("bag")}))
    「美味しい☆」
    (訓練データにない文字 ☆ は飛ばして読みます)
    袋  肯定の確率 0.50  |##########          |  → 否定

    辞書にない文字はそれを知らせて飛ばします。辞書にある文字が 1 つもない文には、その旨だけを返します。
    """
    if not isinstance(text, str):
        raise TypeError(f"引数 text は文字列であるべきですが、{type(text).__name__} が渡されました。")
    text = text.strip()
    vocab = sentiment_data().vocab
    if not text:
        return "文を入力してください。"
    unknown = unknown_chars(text, vocab)
    if len(unknown) == len(set(text)):
        return f"「{text}」には訓練データに出てくる文字が 1 つもないので、判定できません。"
    lines = [f"「{text}」"]
    if unknown:
        lines.append(f"(訓練データにない文字 {'、'.join(unknown)} は飛ばして読みます)")
    width = max((_display_width(name) for name in models), default=0)
    for name, p in sentiment_probabilities([text], models).items():
        bar = "#" * int(round(float(p[0]) * 20))
        verdict = "肯定" if p[0] > 0.5 else "否定"
        lines.append(f"{fit_width(name, width)}  肯定の確率 {float(p[0]):.2f}  |{bar:<20}|  → {verdict}")
    return "\n".join(lines)


def sentiment_explorer(models: Mapping[str, Any], text: str = "値段は高いが、味は最高だ。"):
    """文を打ち込むと、各モデルの肯定の確率を表示するウィジェット (``rnncourse.viz.widgets.Explorer``)。

    >>> widget = sentiment_explorer({"袋": sentiment_model("bag")}, text="美味しい。")
    >>> widget
    感情分類のウィジェット (文「美味しい。」、モデル 1 個)
    >>> print(widget.output.outputs[0]["text"], end="")
    「美味しい。」
    袋  肯定の確率 0.50  |##########          |  → 否定
    >>> widget.close()

    ``models`` は ``sentiment_report`` と同じ {名前: モデル}。入力欄と出力欄を縦に並べ、出力欄には
    ``sentiment_report(text, models)`` の表が入ります。入力欄で Enter を押す (または欄の外をクリックする) と描き直します。
    """
    import ipywidgets

    from rnncourse.viz.widgets import explorer

    box = ipywidgets.Text(value=text, description="文", continuous_update=False,
                          layout=ipywidgets.Layout(width="36em"), style={"description_width": "initial"})

    def render(text: str) -> None:
        print(sentiment_report(text, models))

    def describe(text: str) -> str:
        short = text.strip() if len(text.strip()) <= 30 else text.strip()[:30] + "…"
        return f"感情分類のウィジェット (文「{short}」、モデル {len(models)} 個)"

    return explorer({"text": box}, render, describe)


def fit_width(text: str, width: int) -> str:
    """表示の幅が ``width`` (半角 1 文字 = 1、全角 1 文字 = 2) になるまで、右に空白を足す (表の列をそろえるため)。

    >>> fit_width("GRU", 6) + "|", fit_width("文字の袋", 10) + "|"
    ('GRU   |', '文字の袋  |')
    """
    return str(text) + " " * max(0, width - _display_width(str(text)))


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# =============================================================================================
# 8.2 時系列の予測
# =============================================================================================


class ForecastData(NamedTuple):
    """第1章と同じ系列・分け方・窓。訓練の部分を時間順に 学習用 (fit) と検証用 (val) に分けたもの。"""

    series: np.ndarray  # noisy_sine(500, seed=0)
    train_series: np.ndarray  # 前の 400 個 (第1章の訓練)
    test_series: np.ndarray  # 後ろの 100 個 (第1章のテスト)
    fit_series: np.ndarray  # 訓練の前の 320 個 (重みの学習に使う)
    val_series: np.ndarray  # 訓練の後ろの 80 個 (設定を選ぶ)
    window: int
    X_fit: np.ndarray
    y_fit: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


@functools.lru_cache(maxsize=4)
def forecast_data(window: int = 20) -> ForecastData:
    """第1章 1.4 節・1.6 節と同じ系列と分け方で、学習用・検証用・テスト用の窓を作る。

    >>> data = forecast_data()
    >>> len(data.fit_series), len(data.val_series), len(data.test_series)
    (320, 80, 100)

    系列 ``noisy_sine(500, seed=0)`` を時間順に 訓練 400 : テスト 100 に分け (``train_test_split_series``、
    第1章と同じ)、訓練をさらに時間順に 学習用 320 : 検証用 80 に分けます。窓はそれぞれの区間の中だけで
    作ります (第1章と同じく、分けてから窓を作る)。テストの窓は第1章の 80 個そのものです。
    """
    window = check_int("window", window, 1)
    series = noisy_sine(500, seed=0)
    train_series, test_series = train_test_split_series(series, test_fraction=0.2)
    fit_series, val_series = train_test_split_series(train_series, test_fraction=0.2)
    X_fit, y_fit = sliding_windows(fit_series, window)
    X_val, y_val = sliding_windows(val_series, window)
    X_test, y_test = sliding_windows(test_series, window)
    return ForecastData(series, train_series, test_series, fit_series, val_series, window,
                        X_fit, y_fit, X_val, y_val, X_test, y_test)


class ForecastRun(NamedTuple):
    """``forecast_run`` の結果 1 回分。"""

    cell: str
    lr: float
    seed: int
    best_step: int  # 検証データで選んだステップ
    val_mse: float  # そのときの検証データの MSE
    test_mse: float  # 同じ重みでのテストデータの MSE (第1章の 80 個の窓)
    state: dict | None  # 重み (keep_model=True のとき)


def forecast_model(cell: str, state: Mapping[str, Any] | None = None) -> SequenceRegressor:
    """8.2 節の大きさ (``FORECAST_SETTINGS``) の ``SequenceRegressor`` を作り、``state`` があれば重みを読み込む。

    >>> forecast_model("lstm").rnn.hidden_size
    16
    """
    model = SequenceRegressor(cell, FORECAST_SETTINGS["hidden_size"])
    if state is not None:
        model.load_state_dict(state)
    return model


def forecast_run(cell: str, lr: float, seed: int, keep_model: bool = False, **settings: Any) -> ForecastRun:
    """``cell`` の ``SequenceRegressor`` を学習率 ``lr``・乱数の種 ``seed`` で次の値の予測に学習する。

    >>> run = forecast_run("rnn", 0.01, seed=0, steps=5, eval_every=5)
    >>> run.best_step
    5

    初期値は ``torch.manual_seed(seed)`` の直後に作り、ミニバッチも ``seed`` で選びます。何ステップ目の重みを
    使うかは検証データの MSE で選びます (``train_regressor``)。``settings`` で ``FORECAST_SETTINGS`` を変えられます。
    """
    options = {**FORECAST_SETTINGS, **settings}
    data = forecast_data()
    torch.manual_seed(seed)
    model = SequenceRegressor(cell, options["hidden_size"])
    result = train_regressor(model, (data.X_fit, data.y_fit), (data.X_val, data.y_val), steps=options["steps"],
                             lr=lr, batch_size=options["batch_size"], seed=seed, eval_every=options["eval_every"])
    state = {k: v.detach().clone() for k, v in model.state_dict().items()} if keep_model else None
    best = result.val_mse[result.steps.index(result.best_step)]
    return ForecastRun(cell, float(lr), seed, result.best_step, best, forecast_mse(model, data.X_test, data.y_test), state)


def rollout_windows(horizon: int, window: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """多段予測の出発点の窓 (M, window, 1) と、その先 horizon 個の正解 (M, horizon)。正解はすべてテスト区間の値。

    >>> windows, targets = rollout_windows(50)
    >>> windows.shape, targets.shape
    ((51, 20, 1), (51, 50))

    テスト区間 (時刻 400〜499) の各時刻を出発点にし、その直前の本物の値 window 個を窓にします
    (最初のうちは訓練区間の終わりの値が窓に入りますが、それは予測する時点ですでに分かっている過去です)。
    出発点の数は M = 100 − horizon + 1。
    """
    horizon = check_int("horizon", horizon, 1)
    data = forecast_data(window)
    if horizon > len(data.test_series):
        raise ValueError(f"horizon はテスト区間の長さ {len(data.test_series)} 以下にしてください ({horizon} が渡されました)。")
    recent = np.concatenate([data.train_series[-window:], data.test_series])  # 窓の材料 (過去) + テスト区間
    return sliding_windows(recent, window, horizon)


