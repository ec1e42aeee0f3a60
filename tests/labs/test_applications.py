"""第 8 章の実験の道具 (rnncourse.labs.applications) のテスト。"""

import ipywidgets
import numpy as np
import pytest
import torch

from rnncourse.data.sentiment import PHENOMENA, load_sentiment
from rnncourse.data.timeseries import naive_forecast_mse, noisy_sine, sliding_windows, train_test_split_series
from rnncourse.labs.applications import (
    NgramBagClassifier, accuracy_by_phenomenon, char_ngrams, fit_width, forecast_data, forecast_model, forecast_run,
    ngram_vocabulary, rollout_windows, sentiment_data, sentiment_explorer, sentiment_model, sentiment_report,
    sentiment_run,
)
from rnncourse.seeding import torch_defaults
from rnncourse.shapes import ShapeError


@pytest.fixture(autouse=True)
def float64():
    with torch_defaults("float64", 1):
        yield


# ------------------------------------------------------------------ 感情分類のデータとモデル
def test_sentiment_data_uses_a_training_vocabulary_that_covers_every_split():
    data = sentiment_data()
    assert data.vocab.size == len({c for text, _ in load_sentiment("train") for c in text})
    for split, n in (("train", 1800), ("validation", 600), ("test", 600)):
        encoded = data.splits[split]
        assert encoded.ids.shape[0] == len(encoded.lengths) == len(encoded.labels) == len(encoded.phenomena) == n
        for i in (0, n - 1):
            assert data.vocab.decode(encoded.ids[i, :encoded.lengths[i]]) == encoded.texts[i]
        assert encoded.labels.sum() * 2 == n


def test_char_ngrams_and_vocabulary():
    assert char_ngrams("安くない", 1) == list("安くない")
    assert char_ngrams("安くない", 2)[4:] == ["安く", "くな", "ない"]
    assert ngram_vocabulary(["高い", "安い"], 2) == ("い", "安", "安い", "高", "高い")
    with pytest.raises(TypeError):
        char_ngrams(3)
    with pytest.raises(ValueError, match="max_n"):
        char_ngrams("安い", 0)


def test_bag_model_is_logistic_regression_on_ngram_counts():
    torch.manual_seed(0)
    texts = ["安くない", "高い高い", "未知の文字だけ"]
    model = NgramBagClassifier(ngram_vocabulary(["安い", "高くない"], 2), max_n=2)
    torch.nn.init.normal_(model.weight.weight)
    torch.nn.init.normal_(model.bias)
    ids, lengths = model.encode(texts)
    with torch.no_grad():
        logits = model(torch.from_numpy(ids), torch.from_numpy(lengths))
    w, b = model.weight.weight[:, 0].detach().numpy(), float(model.bias.detach())
    for n, text in enumerate(texts):
        grams = [g for g in char_ngrams(text, 2) if g in model.ngrams]
        a = sum(w[model.ngrams.index(g)] for g in grams) + b  # c·w + b
        assert float(logits[n, 1] - logits[n, 0]) == pytest.approx(a, abs=1e-12)
    assert lengths.tolist()[2] == 0  # 知っている n-gram がない文は b だけ
    # 並べ替えた文は (1-gram だけなら) 同じ確率
    unigram = NgramBagClassifier(ngram_vocabulary(["味は最高だが、値段は高い。"], 1))
    torch.nn.init.normal_(unigram.weight.weight)
    pair = unigram.encode(["値段は高いが、味は最高だ。", "味は最高だが、値段は高い。"])
    with torch.no_grad():
        out = unigram(*(torch.from_numpy(a) for a in pair))
    torch.testing.assert_close(out[0], out[1])


def test_sentiment_model_sizes():
    assert sum(p.numel() for p in sentiment_model("bag").parameters()) == sentiment_data().vocab.size + 1
    gru = sentiment_model("gru")
    assert gru.embedding.embedding_dim == 16 and gru.rnn.hidden_size == 32 and not gru.pack
    with pytest.raises(ValueError, match="model"):
        sentiment_model("cnn")


def test_sentiment_run_is_deterministic_and_reports_validation_and_test():
    first = sentiment_run("bag", 0.03, seed=1, epochs=2, keep_model=True)
    second = sentiment_run("bag", 0.03, seed=1, epochs=2)
    assert first.val_accuracy == second.val_accuracy and first.test_correct == second.test_correct
    assert first.best_epoch in (1, 2) and first.parameters == sentiment_data().vocab.size + 1
    assert first.val_correct == round(first.val_accuracy[first.best_epoch - 1] * 600)
    labels = sentiment_data().splits["test"].labels
    assert first.test_correct == int(np.sum((first.test_proba > 0.5) == (labels == 1)))
    restored = sentiment_model("bag", first.state)
    test = sentiment_data().splits["test"]
    from rnncourse.models.text_classifier import predict_proba

    np.testing.assert_allclose(predict_proba(restored, *restored.encode(test.texts)), first.test_proba, atol=1e-12)
    assert second.state is None


def test_accuracy_by_phenomenon():
    labels = sentiment_data().splits["test"].labels
    assert accuracy_by_phenomenon(labels.astype(float)) == {name: 1.0 for name in PHENOMENA}
    assert accuracy_by_phenomenon(1.0 - labels) == {name: 0.0 for name in PHENOMENA}
    with pytest.raises(ShapeError):
        accuracy_by_phenomenon(np.zeros(3))


def test_sentiment_report_and_widget():
    torch.manual_seed(0)
    models = {"文字の袋": sentiment_model("bag"), "GRU": sentiment_model("gru")}
    report = sentiment_report("値段は高いが、味は最高だ。", models)
    assert report.splitlines()[0] == "「値段は高いが、味は最高だ。」"
    assert len(report.splitlines()) == 3 and all("肯定の確率" in line for line in report.splitlines()[1:])
    assert "0.50" in report.splitlines()[1]  # 学習前の袋のモデル (w = 0, b = 0) は確率 0.5
    assert "訓練データにない文字 ☆ は飛ばして" in sentiment_report("美味しい☆", models)
    assert "判定できません" in sentiment_report("☆★", models)
    assert sentiment_report("   ", models) == "文を入力してください。"
    with pytest.raises(TypeError):
        sentiment_report(None, models)
    widget = sentiment_explorer(models)
    assert isinstance(widget, ipywidgets.VBox) and widget.children[0].description == "文"
    assert repr(widget) == "感情分類のウィジェット (文「値段は高いが、味は最高だ。」、モデル 2 個)"
    (output,) = widget.output.outputs  # 最初の表は出力欄の状態 (セルの出力ではない)
    assert output == {"output_type": "stream", "name": "stdout", "text": report + "\n"}
    widget.children[0].value = "☆★"  # 打ち込むと表を描き直す
    assert "判定できません" in widget.output.outputs[0]["text"]
    widget.close()


def test_fit_width_counts_wide_characters_twice():
    assert fit_width("GRU", 5) == "GRU  "
    assert fit_width("袋", 5) == "袋   "
    assert fit_width("長い名前", 2) == "長い名前"


# ------------------------------------------------------------------ 時系列の予測
def test_forecast_data_is_chapter_one_split_with_a_validation_part():
    data = forecast_data()
    series = noisy_sine(500, seed=0)
    train, test = train_test_split_series(series, test_fraction=0.2)
    np.testing.assert_array_equal(data.train_series, train)
    np.testing.assert_array_equal(data.test_series, test)
    X_test, y_test = sliding_windows(test, 20)
    np.testing.assert_array_equal(data.X_test, X_test)
    np.testing.assert_array_equal(data.y_test, y_test)
    assert round(naive_forecast_mse(data.X_test, data.y_test), 4) == 0.1058  # 第1章 1.6 節の基準値
    np.testing.assert_array_equal(np.concatenate([data.fit_series, data.val_series]), train)
    assert data.X_fit.shape == (300, 20, 1) and data.X_val.shape == (60, 20, 1)
    assert data.y_val[-1, 0] == train[-1]  # 検証の最後の目標はテストより前


def test_rollout_windows_targets_lie_in_the_test_part():
    windows, targets = rollout_windows(30)
    data = forecast_data()
    assert windows.shape == (71, 20, 1) and targets.shape == (71, 30)
    np.testing.assert_array_equal(windows[0, :, 0], data.train_series[-20:])
    np.testing.assert_array_equal(targets[0], data.test_series[:30])
    np.testing.assert_array_equal(targets[-1], data.test_series[-30:])
    with pytest.raises(ValueError, match="horizon"):
        rollout_windows(101)


def test_forecast_run_is_deterministic_and_restores_its_model():
    first = forecast_run("gru", 0.01, seed=2, steps=40, eval_every=10, keep_model=True)
    second = forecast_run("gru", 0.01, seed=2, steps=40, eval_every=10)
    assert (first.best_step, first.val_mse, first.test_mse) == (second.best_step, second.val_mse, second.test_mse)
    model = forecast_model("gru", first.state)
    data = forecast_data()
    from rnncourse.models.forecasting import forecast_mse

    assert forecast_mse(model, data.X_test, data.y_test) == pytest.approx(first.test_mse, abs=1e-12)
    assert forecast_mse(model, data.X_val, data.y_val) == pytest.approx(first.val_mse, abs=1e-12)
