"""データ: 講座のために書いたコーパスの読み込み、文字の辞書、時系列、パディング、人工の課題。

    >>> from rnncourse.data import load_corpus
    >>> text = load_corpus()
    >>> len(text) > 10000
    True

同梱のデータはこのフォルダにあり、由来と性質はデータカード (``*_card.md``) に書いてあります。
この層が import してよいのは NumPy と ``rnncourse.shapes`` / ``rnncourse.seeding`` だけです (PyTorch は使いません)。
"""

from rnncourse.data.text import (
    load_corpus, read_text_file, TextEncodingError, CharVocab, one_hot, train_val_split_text,
    train_val_test_split_text, clean_aozora, stream_layout, stream_batches,
)
from rnncourse.data.timeseries import (
    noisy_sine, sliding_windows, train_test_split_series, naive_forecast_mse, mean_forecast_mse, naive_mse_by_horizon,
    autoregressive_forecast, linear_rollout,
)
from rnncourse.data.padding import pad_sequences, length_mask, masked_mean, random_length_sequences
from rnncourse.data.tasks import sequence_classification_task, tagging_task, memory_task, lag_task
from rnncourse.data.sentiment import (
    load_sentiment, load_sentiment_examples, SentimentExample, contrast_pairs, contrast_pair, PHENOMENA,
)
from rnncourse.data.conversions import (
    kanji_number_splits, count_kanji_numbers, era_date_splits, count_era_dates, int_to_kanji, kanji_to_int,
    kanji_to_digits, digits_to_kanji, era_to_iso, iso_to_era,
)

__all__ = [
    "load_corpus", "read_text_file", "TextEncodingError", "CharVocab", "one_hot", "train_val_split_text", "train_val_test_split_text", "clean_aozora",
    "stream_layout", "stream_batches", "noisy_sine", "sliding_windows", "train_test_split_series",
    "naive_forecast_mse", "mean_forecast_mse", "naive_mse_by_horizon", "autoregressive_forecast", "linear_rollout",
    "pad_sequences", "length_mask", "masked_mean", "random_length_sequences",
    "sequence_classification_task", "tagging_task", "memory_task", "lag_task", "load_sentiment",
    "load_sentiment_examples", "SentimentExample", "contrast_pairs", "contrast_pair", "PHENOMENA",
    "kanji_number_splits", "count_kanji_numbers", "era_date_splits", "count_era_dates", "int_to_kanji",
    "kanji_to_int", "kanji_to_digits", "digits_to_kanji", "era_to_iso", "iso_to_era",
]
