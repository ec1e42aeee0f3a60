"""第9章 (符号化器–復号化器と注意機構) の実験の道具: 漢数字 → 算用数字 の学習・評価・誤りの分類・注意の図。

    >>> task = kanji_task()
    >>> len(task.splits.train), len(task.splits.validation), len(task.splits.test)
    (5000, 500, 2000)
    >>> task.splits.train[0]
    ('百九十九万二千十', '1992010')
    >>> error_cause("50030200", "50030200"), error_cause("5003020", "50030200"), error_cause("50300200", "50030200")
    ('正解', '桁数', '0 の位置')

本文の実験は 1 回の学習を ``train_run(attention, lr, seed)`` で表します。引数 (と、このモジュールの決まった
データ・大きさ) だけで結果が決まるので、``rnncourse.labs.run_all`` で 2 つのプロセスに分けても同じ結果です。

- ``kanji_task``: 本文のデータ (訓練 5000・検証 500・テスト 2000、8 桁まで) と文字の辞書
- ``train_run`` / ``trained_model``: 1 回の学習 (検証・テストデータの変換結果と重みを返す) と、重みからのモデルの復元
- ``length_bin_table``: 入力の長さの区間ごとの (例の数, 完全一致率)
- ``teacher_forced_outputs``: 教師強制のまま (正解の前の文字を入れて) 各時刻の予測を並べた文字列
- ``error_cause`` / ``group_errors``: 誤りを原因 (桁数・0 の位置・数字) で分ける
- ``longest_zero_run`` / ``zero_run_table``: 正解の中で連続する 0 の最長の長さと、その区間ごとの (例の数, 完全一致率)
- ``plot_alignment`` / ``render_conversion`` / ``conversion_explorer``: 注意の重みの図と、入力を打ち込むウィジェット
- ``table_decode``: 演習用。直前の 1 文字だけで次を決める表の「復号化器」を、教師強制と自由に走らせる場合とで動かす
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import torch

from rnncourse.data.conversions import Splits, kanji_number_splits, kanji_to_digits
from rnncourse.models.seq2seq import (
    BOS,
    EOS,
    PAD,
    Seq2Seq,
    Seq2SeqVocab,
    encode_pairs,
    train_seq2seq,
    translate,
)
from rnncourse.shapes import check_int

__all__ = [
    "KANJI_CHARS",
    "DIGIT_CHARS",
    "SIZES",
    "MODEL_SIZES",
    "TRAINING",
    "LENGTH_BINS",
    "ERROR_CAUSES",
    "ZERO_RUN_GROUPS",
    "ConversionTask",
    "kanji_task",
    "RunResult",
    "train_run",
    "trained_model",
    "length_bin_table",
    "teacher_forced_outputs",
    "error_cause",
    "group_errors",
    "longest_zero_run",
    "zero_run_table",
    "plot_alignment",
    "render_conversion",
    "conversion_explorer",
    "table_decode",
]

KANJI_CHARS = "一二三四五六七八九十百千万億"  # 入力に現れうる文字 (漢数字)
DIGIT_CHARS = "0123456789"  # 出力に現れうる文字
SIZES = {"n_train": 5000, "n_validation": 500, "n_test": 2000}  # 本文のデータの大きさ
TASK = {"max_digits": 8, "zero_probability": 0.3, "seed": 0}  # 8 桁まで (入力 1〜15 文字、出力 1〜8 文字)
MODEL_SIZES = {"embed_size": 32, "hidden_size": 48}  # E と H (注意の有無で同じ)
TRAINING = {"steps": 500, "batch_size": 64}  # 学習の量 (注意の有無で同じ)
LENGTH_BINS = ((1, 4), (5, 8), (9, 12), (13, 15))  # 入力の長さ (文字数) の区間 (両端を含む)
ERROR_CAUSES = ("桁数", "0 の位置", "数字")  # 誤りの原因 (error_cause が返す、正解以外の値)
ZERO_RUN_GROUPS = ((0, 0), (1, 1), (2, 3), (4, 7))  # 正解の中で連続する 0 の最長の長さの区間 (両端を含む)


class ConversionTask(NamedTuple):
    """変換タスクのデータと辞書。``max_length`` は貪欲復号で出す文字数の上限 (最長の正解 + 2)。"""

    splits: Splits
    source_vocab: Seq2SeqVocab
    target_vocab: Seq2SeqVocab
    max_length: int


@functools.lru_cache(maxsize=1)
def kanji_task() -> ConversionTask:
    """本文のデータ: ``kanji_number_splits(5000, 500, 2000, max_digits=8, zero_probability=0.3, seed=0)``。

    >>> task = kanji_task()
    >>> task.source_vocab.size, task.target_vocab.size, task.max_length   # 14 文字 + 3 記号, 10 文字 + 3 記号
    (17, 13, 10)

    辞書はデータからではなく、現れうる文字 (``KANJI_CHARS``・``DIGIT_CHARS``) から作ります。
    ウィジェットに打ち込んだ入力も、同じ辞書で読めます。
    """
    splits = kanji_number_splits(**SIZES, **TASK)
    return ConversionTask(splits, Seq2SeqVocab(KANJI_CHARS), Seq2SeqVocab(DIGIT_CHARS), TASK["max_digits"] + 2)


class RunResult(NamedTuple):
    """``train_run`` の結果。重みは NumPy 配列 (プロセスの間で受け渡しやすいように)。"""

    attention: bool
    lr: float
    seed: int
    final_loss: float  # 最後の 50 ステップの訓練の損失の平均 (nats/文字)
    validation_outputs: list[str]  # 検証データの入力を貪欲復号した結果
    test_outputs: list[str]  # テストデータの入力を貪欲復号した結果
    state: dict[str, np.ndarray]  # model.state_dict() を NumPy にしたもの


def _check_lr(lr: object) -> float:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < 1:
        raise ValueError(f"引数 lr (学習率) は 0 より大きく 1 より小さい数にしてください ({lr!r} が渡されました)。")
    return float(lr)


def _new_model(attention: bool) -> Seq2Seq:
    task = kanji_task()
    return Seq2Seq(task.source_vocab.size, task.target_vocab.size, attention=attention, **MODEL_SIZES)


def train_run(attention: bool, lr: float, seed: int, steps: int = TRAINING["steps"]) -> RunResult:
    """本文の設定で 1 回学習し、検証データとテストデータを変換した結果を返す。

    >>> run = train_run(attention=True, lr=0.01, seed=0, steps=2)
    >>> len(run.validation_outputs), len(run.test_outputs)
    (500, 2000)

    ``torch.manual_seed(seed)`` の直後にモデルを作り (初期値)、``train_seq2seq(..., seed=seed)`` で
    ミニバッチの選び方も ``seed`` で決めます。データ・E・H・バッチの大きさは注意の有無によらず同じです
    (``kanji_task``・``MODEL_SIZES``・``TRAINING``)。モデルの型は PyTorch の既定の型 (講座では
    ``reproducible()`` の float64) です。
    """
    if not isinstance(attention, bool):
        raise TypeError(f"引数 attention は True か False にしてください ({attention!r} が渡されました)。")
    lr = _check_lr(lr)
    seed = check_int("seed", seed, 0)
    steps = check_int("steps", steps, 1)
    task = kanji_task()
    data = encode_pairs(task.splits.train, task.source_vocab, task.target_vocab)
    torch.manual_seed(seed)
    model = _new_model(attention)
    losses = train_seq2seq(model, data, steps=steps, batch_size=TRAINING["batch_size"], lr=lr, seed=seed)

    def outputs(pairs: list[tuple[str, str]]) -> list[str]:
        return translate(model, [x for x, _ in pairs], task.source_vocab, task.target_vocab, task.max_length).outputs

    state = {name: value.detach().numpy().copy() for name, value in model.state_dict().items()}
    return RunResult(
        attention, lr, seed, float(np.mean(losses[-50:])),
        outputs(task.splits.validation), outputs(task.splits.test), state,
    )


def trained_model(run: RunResult) -> Seq2Seq:
    """``train_run`` の結果から、学習したモデルを作り直す (評価モード)。

    >>> model = trained_model(train_run(attention=False, lr=0.01, seed=0, steps=1))
    >>> model.attention, model.training
    (False, False)
    """
    if not isinstance(run, RunResult):
        raise TypeError(f"引数 run には train_run の結果を渡してください ({type(run).__name__} が渡されました)。")
    model = _new_model(run.attention)
    model.load_state_dict({name: torch.from_numpy(value) for name, value in run.state.items()})
    return model.eval()


def length_bin_table(
    sources: Sequence[str],
    predictions: Sequence[str],
    targets: Sequence[str],
    bins: Sequence[tuple[int, int]] = LENGTH_BINS,
) -> list[tuple[int, float]]:
    """入力の長さ (文字数) の区間ごとの (例の数, 完全一致率)。区間は (最小, 最大) で、両端を含みます。

    >>> length_bin_table(["十", "二十", "三十五"], ["10", "20", "30"], ["10", "20", "35"], bins=[(1, 2), (3, 4)])
    [(2, 1.0), (1, 0.0)]

    例が 1 つもない区間の完全一致率は nan です。
    """
    if not (len(sources) == len(predictions) == len(targets)) or not targets:
        raise ValueError(
            f"sources ({len(sources)} 個)・predictions ({len(predictions)} 個)・targets ({len(targets)} 個) は"
            " 同じ数 (1 個以上) にしてください。"
        )
    table = []
    for low, high in bins:
        hits = [p == t for x, p, t in zip(sources, predictions, targets) if low <= len(x) <= high]
        table.append((len(hits), sum(hits) / len(hits) if hits else float("nan")))
    return table


@torch.no_grad()
def teacher_forced_outputs(model: Seq2Seq, pairs: Sequence[tuple[str, str]]) -> list[str]:
    """教師強制で、各時刻に正解の前の文字を入れたときの予測 (確率最大の文字) を並べた文字列。

    >>> model = trained_model(train_run(attention=True, lr=0.01, seed=0, steps=1))
    >>> [len(y) for y in teacher_forced_outputs(model, [("三百五", "305"), ("十", "10")])]
    [3, 2]

    時刻 t の予測は、正解の y_1 … y_{t−1} を入れた後の出力なので、前の時刻の予測が間違っていても次の時刻に響きません。
    長さは正解と同じ (<eos> の時刻は含めない) で、<eos> を予測した時刻は「$」で表します。
    """
    task = kanji_task()
    data = encode_pairs(list(pairs), task.source_vocab, task.target_vocab)
    source, lengths, target_in, _ = data.tensors()
    logits, _ = model(source, lengths, target_in)
    logits[..., [PAD, BOS]] = float("-inf")  # 貪欲復号と同じく <pad> と <bos> は選ばない
    ids = logits.argmax(dim=-1).numpy()
    tokens = task.target_vocab.tokens
    return ["".join("$" if i == EOS else tokens[i] for i in row[: len(y)]) for row, (_, y) in zip(ids, pairs)]


def error_cause(prediction: str, target: str) -> str:
    """変換結果 ``prediction`` の誤りの原因を 1 つ選ぶ: "正解"・"桁数"・"0 の位置"・"数字"。

    >>> error_cause("305", "305"), error_cause("3050", "305"), error_cause("350", "305"), error_cause("306", "305")
    ('正解', '桁数', '0 の位置', '数字')

    - "桁数": 出力の桁数が正解と違う (位を 1 つ多く・少なく書いた)。
    - "0 の位置": 桁数は合っているが、0 の桁 (入力にない位) の位置が違う。
    - "数字": 桁数も 0 の位置も合っているが、0 でない桁の数字が違う (入力の数字を取り違えた)。
    上から順に調べ、最初に当てはまったものを返します。
    """
    if not isinstance(prediction, str) or not isinstance(target, str):
        raise TypeError("引数 prediction と target は文字列にしてください。")
    if prediction == target:
        return "正解"
    if len(prediction) != len(target):
        return "桁数"
    if [c == "0" for c in prediction] != [c == "0" for c in target]:
        return "0 の位置"
    return "数字"


def group_errors(
    sources: Sequence[str], predictions: Sequence[str], targets: Sequence[str]
) -> dict[str, list[tuple[str, str, str]]]:
    """誤りを原因ごとに分け、原因 → (入力, 出力, 正解) のリスト (データの順) を返す。

    >>> group_errors(["三百五", "十"], ["350", "10"], ["305", "10"])
    {'桁数': [], '0 の位置': [('三百五', '350', '305')], '数字': []}
    """
    if not (len(sources) == len(predictions) == len(targets)):
        raise ValueError("sources・predictions・targets は同じ数にしてください。")
    groups: dict[str, list[tuple[str, str, str]]] = {cause: [] for cause in ERROR_CAUSES}
    for x, p, t in zip(sources, predictions, targets):
        cause = error_cause(p, t)
        if cause != "正解":
            groups[cause].append((x, p, t))
    return groups


def longest_zero_run(digits: str) -> int:
    """算用数字の文字列の中で、連続する 0 のいちばん長い並びの長さ。

    >>> longest_zero_run("50030200"), longest_zero_run("2026"), longest_zero_run("15")
    (2, 1, 0)
    """
    if not isinstance(digits, str):
        raise TypeError(f"引数 digits は文字列にしてください ({type(digits).__name__} が渡されました)。")
    runs = "".join(c if c == "0" else " " for c in digits).split()  # 0 以外の文字で区切った 0 の並び
    return max((len(run) for run in runs), default=0)


def zero_run_table(
    predictions: Sequence[str], targets: Sequence[str], groups: Sequence[tuple[int, int]] = ZERO_RUN_GROUPS
) -> list[tuple[int, float]]:
    """正解の「連続する 0 の最長の長さ」の区間ごとの (例の数, 完全一致率)。区間は両端を含みます。

    >>> zero_run_table(["305", "1000", "12"], ["305", "10000", "12"], groups=[(0, 1), (2, 9)])
    [(2, 1.0), (1, 0.0)]

    入力にない位の 0 は、入力に対応する文字がありません。連続する 0 が長いほど、復号化器は
    「いくつ 0 を書いたか」を自分の隠れ状態だけで数えなければなりません。例が 1 つもない区間の完全一致率は nan です。
    """
    if len(predictions) != len(targets) or not targets:
        raise ValueError(f"predictions ({len(predictions)} 個) と targets ({len(targets)} 個) は同じ数 (1 個以上) にしてください。")
    table = []
    for low, high in groups:
        hits = [p == t for p, t in zip(predictions, targets) if low <= longest_zero_run(t) <= high]
        table.append((len(hits), sum(hits) / len(hits) if hits else float("nan")))
    return table


def plot_alignment(alpha: np.ndarray, source: str, output: str, ax: Any = None, title: str | None = None) -> Any:
    """注意の重み (出力の文字 × 入力の文字) をヒートマップに描く。行の最後は <eos> を出した時刻。

    >>> import matplotlib.pyplot as plt
    >>> ax = plot_alignment(np.full((3, 2), 0.5), "二十", "20")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['2', '0', '<eos>']
    >>> plt.close(ax.figure)

    ``alpha`` は ``translate(...).alphas[n]`` (形 (出力の文字数 + 1, 入力の文字数)。<eos> を出さずに
    止まったときは (出力の文字数, 入力の文字数))。色の濃さが重み (0〜1) です。
    """
    import matplotlib.pyplot as plt

    import rnncourse.viz.plots  # noqa: F401  (日本語フォント)

    alpha = np.asarray(alpha, dtype=float)
    rows = list(output) + ["<eos>"] * (alpha.shape[0] - len(output))
    if alpha.ndim != 2 or alpha.shape[1] != len(source) or alpha.shape[0] - len(output) not in (0, 1):
        raise ValueError(
            f"alpha の形 {alpha.shape} が、入力 {source!r} ({len(source)} 文字) と出力 {output!r} ({len(output)} 文字) に"
            " 合いません。形は (出力の文字数 + 1, 入力の文字数) のはずです。"
        )
    if ax is None:
        width = 1.2 + 0.32 * len(source)
        _, ax = plt.subplots(figsize=(max(width, 3.0), 1.0 + 0.28 * len(rows)), layout="constrained")
    image = ax.imshow(alpha, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(source)), list(source))
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("入力 (漢数字)")
    ax.set_ylabel("出力 (算用数字)")
    ax.figure.colorbar(image, ax=ax, label="注意の重み α")
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


def _describe_input(text: str) -> tuple[str | None, str]:
    """(正解 or None, 説明)。打ち込まれた文字列を確かめる。"""
    unknown = [c for c in text if c not in KANJI_CHARS]
    if unknown:
        return None, f"文字 {unknown[0]!r} は使えません。使えるのは {KANJI_CHARS} だけです。"
    try:
        answer = kanji_to_digits(text)
    except ValueError as error:
        return None, f"正しい漢数字ではないので、正解はありません ({error})"
    if len(answer) > TASK["max_digits"]:
        return answer, f"正解は {answer} ですが、訓練データは {TASK['max_digits']} 桁までなので、モデルはこの桁数を学んでいません。"
    return answer, f"正解: {answer}"


def render_conversion(text: str, attention_model: Seq2Seq, plain_model: Seq2Seq | None = None) -> Any:
    """漢数字 ``text`` を 2 つのモデルで変換した結果を表示し、注意ありのモデルの注意の重みを描く。

    >>> import matplotlib.pyplot as plt
    >>> model = trained_model(train_run(attention=True, lr=0.01, seed=0, steps=1))
    >>> fig = render_conversion("三千", model)  # doctest: +ELLIPSIS
    入力: 三千 (2 文字)
    正解: 3000
    注意あり: ...
    >>> plt.close(fig)
    >>> render_conversion("3000", model)
    入力: 3000 (4 文字)
    文字 '3' は使えません。使えるのは 一二三四五六七八九十百千万億 だけです。

    戻り値は図 (matplotlib の Figure)。入力に使えない文字があるときは説明だけを表示して None を返します。
    """
    if not isinstance(text, str):
        raise TypeError(f"引数 text は文字列にしてください ({type(text).__name__} が渡されました)。")
    text = text.strip()
    task = kanji_task()
    if not text:
        print("漢数字を入力してください (例: 三千二十万四百五)。")
        return None
    print(f"入力: {text} ({len(text)} 文字)")
    answer, note = _describe_input(text)
    print(note)
    if any(c not in KANJI_CHARS for c in text):
        return None
    max_length = max(task.max_length, len(answer or "") + 2)
    if plain_model is not None:
        plain = translate(plain_model, [text], task.source_vocab, task.target_vocab, max_length).outputs[0]
        print(f"注意なし: {plain}" + ("" if answer is None else ("  (正解)" if plain == answer else "  (誤り)")))
    result = translate(attention_model, [text], task.source_vocab, task.target_vocab, max_length)
    output = result.outputs[0]
    print(f"注意あり: {output}" + ("" if answer is None else ("  (正解)" if output == answer else "  (誤り)")))
    ax = plot_alignment(result.alphas[0], text, output, title=f"注意ありのモデルの注意の重み: {text} → {output}")
    return ax.figure


def conversion_explorer(
    attention_model: Seq2Seq, plain_model: Seq2Seq | None = None, text: str = "九千八百七十六万五千四百三十二"
) -> Any:
    """漢数字を打ち込むと、2 つのモデルの変換結果と注意の重みの図を表示するウィジェット (``render_conversion``)。

    >>> model = trained_model(train_run(attention=True, lr=0.01, seed=0, steps=1))
    >>> widget = conversion_explorer(model, text="三千")
    >>> widget
    漢数字の変換のウィジェット (入力「三千」、注意ありのモデル)
    >>> [output["output_type"] for output in widget.output.outputs]  # 変換結果の文字と、注意の重みの図
    ['stream', 'display_data']
    >>> widget.close()

    戻り値は ``rnncourse.viz.widgets.Explorer`` (入力欄と出力欄の VBox)。出力欄には ``render_conversion`` が表示する
    文字と図が入ります。入力欄で Enter を押す (かフォーカスを外す) と描き直します。
    """
    import ipywidgets

    from rnncourse.viz.widgets import explorer

    box = ipywidgets.Text(value=text, description="漢数字", continuous_update=False,
                          style={"description_width": "initial"})

    def render(text: str) -> Any:
        return render_conversion(text, attention_model, plain_model)

    def describe(text: str) -> str:
        short = text.strip() if len(text.strip()) <= 30 else text.strip()[:30] + "…"
        models = "注意ありと注意なしのモデル" if plain_model is not None else "注意ありのモデル"
        return f"漢数字の変換のウィジェット (入力「{short}」、{models})"

    return explorer({"text": box}, render, describe)


def table_decode(table: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """直前の 1 記号だけで次の記号を決める表の「復号化器」を、教師強制と自由に走らせる場合とで動かす。

    >>> vocab = Seq2SeqVocab(DIGIT_CHARS)          # ID 0, 1, 2 = <pad>, <bos>, <eos>、3〜12 = "0"〜"9"
    >>> table = np.full(vocab.size, vocab.encode("0")[0])
    >>> table[[BOS, *vocab.encode("305")]] = vocab.encode("3550")  # <bos> → 3、3 → 5、0 → 5、5 → 0
    >>> teacher, free = table_decode(table, vocab.encode("305"))
    >>> vocab.decode(teacher), vocab.decode(free)  # 教師強制: 直前の正解から / 自由に走らせる: 直前の自分の出力から
    ('355', '350')

    ``table[i]`` は直前の記号が ID i のときに出す記号の ID、``table[BOS]`` は最初に出す記号です。
    形: table (V,) 整数, target (U,) 整数 (正解の記号の ID、<bos>・<eos> は含まない)
    → (教師強制の出力 (U,), 自由に走らせた出力 (U,))。
    教師強制では時刻 t の入力は正解の前の記号 (t = 1 では <bos>)、自由に走らせると自分が前の時刻に出した記号です。
    """
    table = np.asarray(table)
    target = np.asarray(target)
    if table.ndim != 1 or table.dtype.kind not in "iu" or target.ndim != 1 or target.dtype.kind not in "iu" or not target.size:
        raise TypeError("引数 table (V,) と target (U,) は整数の 1 次元配列 (target は空でない) にしてください。")
    teacher = table[np.concatenate([[BOS], target[:-1]])]  # 入力は <bos>, y_1, …, y_{U−1} (正解)
    free = np.empty_like(target)
    previous = BOS
    for t in range(len(target)):
        previous = table[previous]  # 入力は前の時刻の自分の出力
        free[t] = previous
    return teacher, free
