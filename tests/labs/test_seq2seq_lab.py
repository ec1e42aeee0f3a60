"""rnncourse.labs.seq2seq_lab: 第9章のデータ・1 回の学習・表・誤りの分類・図とウィジェット・演習の表の復号化器。"""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnncourse.data.conversions import kanji_to_digits  # noqa: E402
from rnncourse.labs import run_all  # noqa: E402
from rnncourse.labs.seq2seq_lab import (  # noqa: E402
    BOS, DIGIT_CHARS, ERROR_CAUSES, KANJI_CHARS, LENGTH_BINS, conversion_explorer, error_cause,
    group_errors, kanji_task, length_bin_table, longest_zero_run, plot_alignment, render_conversion, table_decode,
    teacher_forced_outputs, train_run, trained_model, zero_run_table,
)
from rnncourse.models.seq2seq import Seq2SeqVocab, translate  # noqa: E402
from rnncourse.seeding import torch_defaults  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def float64_one_thread():
    """ノートブックの reproducible() と同じ倍精度・1 スレッド。"""
    with torch_defaults("float64", torch_threads=1):
        yield


@pytest.fixture(scope="module")
def short_run():
    return train_run(attention=True, lr=0.01, seed=0, steps=20)


# ------------------------------------------------------------------ データ
def test_task_is_the_documented_split_with_fixed_vocabularies():
    task = kanji_task()
    assert [len(part) for part in task.splits] == [5000, 500, 2000]
    every = [pair for part in task.splits for pair in part]
    assert len(set(every)) == len(every), "訓練・検証・テストに同じ例はない"
    assert all(kanji_to_digits(x) == y for x, y in every)
    assert set("".join(x for x, _ in every)) <= set(KANJI_CHARS)
    assert set("".join(y for _, y in every)) <= set(DIGIT_CHARS)
    assert max(len(y) for _, y in every) == 8 and task.max_length == 10
    assert task.source_vocab.tokens[3:] == tuple(KANJI_CHARS) and task.target_vocab.tokens[3:] == tuple(DIGIT_CHARS)
    lengths = {len(x) for x, _ in task.splits.test}
    assert min(lengths) >= LENGTH_BINS[0][0] and max(lengths) <= LENGTH_BINS[-1][1]


# ------------------------------------------------------------------ 1 回の学習
def test_train_run_is_reproducible_and_the_state_rebuilds_the_model(short_run):
    again = train_run(attention=True, lr=0.01, seed=0, steps=20)
    assert again.test_outputs == short_run.test_outputs and again.final_loss == short_run.final_loss
    model = trained_model(short_run)
    assert model.attention and not model.training
    task = kanji_task()
    xs = [x for x, _ in task.splits.test[:50]]
    rebuilt = translate(model, xs, task.source_vocab, task.target_vocab, task.max_length).outputs
    assert rebuilt == short_run.test_outputs[:50]
    assert next(model.parameters()).dtype == torch.float64


def test_train_run_depends_on_the_seed_and_attention(short_run):
    other_seed = train_run(attention=True, lr=0.01, seed=1, steps=20)
    plain = train_run(attention=False, lr=0.01, seed=0, steps=20)
    assert other_seed.final_loss != short_run.final_loss and plain.final_loss != short_run.final_loss
    assert trained_model(plain).attention is False


def test_run_all_gives_the_same_results_as_one_process():
    calls = [dict(attention=a, lr=0.01, seed=s, steps=5) for a in (False, True) for s in (0, 1)]
    parallel = run_all(train_run, calls, workers=2)
    serial = [train_run(**call) for call in calls]
    assert [r.test_outputs for r in parallel] == [r.test_outputs for r in serial]
    assert [r.final_loss for r in parallel] == [r.final_loss for r in serial]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(attention=1, lr=0.01, seed=0), "attention"),
        (dict(attention=True, lr=0.0, seed=0), "学習率"),
        (dict(attention=True, lr=2.0, seed=0), "学習率"),
        (dict(attention=True, lr=0.01, seed=-1), "seed"),
        (dict(attention=True, lr=0.01, seed=0, steps=0), "steps"),
    ],
)
def test_train_run_rejects_bad_arguments_in_japanese(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        train_run(**kwargs)


def test_trained_model_rejects_other_objects():
    with pytest.raises(TypeError, match="train_run"):
        trained_model({"state": {}})


# ------------------------------------------------------------------ 表
def test_length_bin_table_counts_both_ends_and_marks_empty_bins():
    sources = ["十", "二十", "三十五", "四千五百六十七"]
    table = length_bin_table(sources, ["10", "21", "35", "4567"], ["10", "20", "35", "4567"], bins=[(1, 2), (3, 3), (5, 6), (7, 7)])
    assert table[:2] == [(2, 0.5), (1, 1.0)] and table[3] == (1, 1.0)
    assert table[2][0] == 0 and math.isnan(table[2][1])
    with pytest.raises(ValueError, match="同じ数"):
        length_bin_table(["十"], [], ["10"])


def test_zero_runs():
    assert [longest_zero_run(t) for t in ("1", "10", "1001", "100100", "50030200", "80000000")] == [0, 1, 2, 2, 2, 7]
    table = zero_run_table(["305", "1001", "1000", "7"], ["305", "1001", "10000", "7"])
    assert table[0] == (1, 1.0) and table[1] == (1, 1.0) and table[2] == (1, 1.0) and table[3] == (1, 0.0)
    with pytest.raises(TypeError):
        longest_zero_run(305)


# ------------------------------------------------------------------ 教師強制
def test_teacher_forced_outputs_match_the_greedy_decode_when_it_is_right(short_run):
    """自分の出力が正解と一致する例では、教師強制の入力と貪欲復号の入力は同じなので、予測も同じ。"""
    model = trained_model(train_run(attention=True, lr=0.01, seed=0, steps=150))
    task = kanji_task()
    pairs = task.splits.test[:200]
    greedy = translate(model, [x for x, _ in pairs], task.source_vocab, task.target_vocab, task.max_length).outputs
    forced = teacher_forced_outputs(model, pairs)
    right = [i for i, (p, (_, y)) in enumerate(zip(greedy, pairs)) if p == y]
    assert right, "150 ステップで正しく変換できる例がある"
    assert all(forced[i] == pairs[i][1] for i in right)
    assert all(len(f) == len(y) for f, (_, y) in zip(forced, pairs))


# ------------------------------------------------------------------ 誤りの分類
@pytest.mark.parametrize(
    "prediction, target, cause",
    [("305", "305", "正解"), ("3050", "305", "桁数"), ("", "305", "桁数"), ("350", "305", "0 の位置"),
     ("306", "305", "数字"), ("300", "305", "0 の位置")],
)
def test_error_cause(prediction, target, cause):
    assert error_cause(prediction, target) == cause


def test_group_errors_keeps_order_and_every_cause():
    groups = group_errors(["三", "十", "百五", "三百五"], ["4", "100", "105", "350"], ["3", "10", "105", "305"])
    assert list(groups) == list(ERROR_CAUSES)
    assert groups["数字"] == [("三", "4", "3")] and groups["桁数"] == [("十", "100", "10")]
    assert groups["0 の位置"] == [("三百五", "350", "305")]


# ------------------------------------------------------------------ 図とウィジェット
def test_plot_alignment_labels_and_shape_errors():
    ax = plot_alignment(np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]), "二十", "20", title="例")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["二", "十"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2", "0", "<eos>"]
    assert ax.get_xlabel() == "入力 (漢数字)" and ax.get_ylabel() == "出力 (算用数字)"
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="形"):
        plot_alignment(np.ones((3, 3)), "二十", "20")


def test_render_conversion_explains_bad_inputs(short_run, capsys):
    model = trained_model(short_run)
    assert render_conversion("3000", model) is None
    assert "'3' は使えません" in capsys.readouterr().out
    assert render_conversion("   ", model) is None
    assert "入力してください" in capsys.readouterr().out
    fig = render_conversion("千千", model)
    assert "正解はありません" in capsys.readouterr().out
    plt.close(fig)
    fig = render_conversion("三億", model, trained_model(train_run(attention=False, lr=0.01, seed=0, steps=2)))
    out = capsys.readouterr().out
    assert "300000000" in out and "8 桁まで" in out and "注意なし" in out
    plt.close(fig)


def test_conversion_explorer_is_a_text_widget_holding_its_first_output(short_run, capsys):
    widget = conversion_explorer(trained_model(short_run), text="五千")
    assert widget.children[0].value == "五千" and widget.children[0].description == "漢数字"
    assert repr(widget) == "漢数字の変換のウィジェット (入力「五千」、注意ありのモデル)"
    text, figure = widget.output.outputs  # render_conversion が表示する文字と、注意の重みの図 (出力欄の状態)
    assert text["name"] == "stdout" and text["text"].startswith("入力: 五千 (2 文字)\n正解: 5000\n注意あり: ")
    assert figure["output_type"] == "display_data" and "image/png" in figure["data"]
    widget.children[0].value = "3000"  # 使えない文字: 説明だけで図はない
    (only,) = widget.output.outputs
    assert "'3' は使えません" in only["text"]
    assert capsys.readouterr().out == ""  # セルの出力には何も出さない
    assert plt.get_fignums() == []
    widget.close()


# ------------------------------------------------------------------ 演習の表の復号化器
def test_table_decode_teacher_forcing_and_free_running():
    vocab = Seq2SeqVocab(DIGIT_CHARS)
    table = np.full(vocab.size, vocab.encode("0")[0])
    table[[BOS, *vocab.encode("305")]] = vocab.encode("3550")
    teacher, free = table_decode(table, vocab.encode("305"))
    assert vocab.decode(teacher) == "355" and vocab.decode(free) == "350"
    # 表が正解の並びを完全に覚えていれば、2 つは同じで正解
    table[[BOS, *vocab.encode("30")]] = vocab.encode("305")
    teacher, free = table_decode(table, vocab.encode("305"))
    assert vocab.decode(teacher) == vocab.decode(free) == "305"
    with pytest.raises(TypeError, match="整数"):
        table_decode(table, np.array([]))
