"""PyTorch のモデルと、複数の章で使う学習の道具。NumPy の参照実装との重みの受け渡しもここです。

    >>> from rnncourse.models import make_recurrent, parameter_count
    >>> parameter_count(make_recurrent("lstm", 10, 32))
    5632

ここに並べた名前は、使われたときに初めてそのモジュールを読み込みます (PEP 562 の ``__getattr__``)。
たとえば ``rnncourse.models.counting`` だけを使う判定器は、PyTorch を読み込まずに済みます。
"""

from __future__ import annotations

from rnncourse import _lazy_exports

# 公開する名前 → それを定義しているモジュール
_EXPORTS = {
    # rnncourse.models.torch_models
    "make_recurrent": "rnncourse.models.torch_models",
    "SequenceClassifier": "rnncourse.models.torch_models",
    "SequenceTagger": "rnncourse.models.torch_models",
    "train_classifier": "rnncourse.models.torch_models",
    "accuracy": "rnncourse.models.torch_models",
    "parameter_count": "rnncourse.models.torch_models",
    "model_dtype": "rnncourse.models.torch_models",
    # rnncourse.models.counting
    "recurrent_param_count": "rnncourse.models.counting",
    "activation_count": "rnncourse.models.counting",
    # rnncourse.models.interop
    "rnn_weights_from_torch": "rnncourse.models.interop",
    "lstm_weights_from_torch": "rnncourse.models.interop",
    "gru_weights_from_torch": "rnncourse.models.interop",
    "load_weights_into_torch": "rnncourse.models.interop",
    # rnncourse.models.language_model
    "CharLanguageModel": "rnncourse.models.language_model",
    "detach_state": "rnncourse.models.language_model",
    "train_language_model": "rnncourse.models.language_model",
    "evaluate_loss": "rnncourse.models.language_model",
    "context_limited_loss": "rnncourse.models.language_model",
    "perplexity": "rnncourse.models.language_model",
    "bits_per_char": "rnncourse.models.language_model",
    "uniform_loss": "rnncourse.models.language_model",
    "unigram_probs": "rnncourse.models.language_model",
    "bigram_probs": "rnncourse.models.language_model",
    "unigram_loss": "rnncourse.models.language_model",
    "bigram_loss": "rnncourse.models.language_model",
    "choose_add_k": "rnncourse.models.language_model",
    "temperature_probs": "rnncourse.models.language_model",
    "entropy_bits": "rnncourse.models.language_model",
    "generate": "rnncourse.models.language_model",
    "save_language_model": "rnncourse.models.language_model",
    "load_language_model": "rnncourse.models.language_model",
    "plot_stream_layout": "rnncourse.models.language_model",
    # rnncourse.models.text_classifier
    "TextClassifier": "rnncourse.models.text_classifier",
    "encode_texts": "rnncourse.models.text_classifier",
    "unknown_chars": "rnncourse.models.text_classifier",
    "length_batches": "rnncourse.models.text_classifier",
    "train_text_classifier": "rnncourse.models.text_classifier",
    "predict_proba": "rnncourse.models.text_classifier",
    "text_accuracy": "rnncourse.models.text_classifier",
    # rnncourse.models.forecasting
    "SequenceRegressor": "rnncourse.models.forecasting",
    "train_regressor": "rnncourse.models.forecasting",
    "predict_next": "rnncourse.models.forecasting",
    "forecast_mse": "rnncourse.models.forecasting",
    "rollout": "rnncourse.models.forecasting",
    # rnncourse.models.seq2seq
    "Seq2Seq": "rnncourse.models.seq2seq",
    "Seq2SeqVocab": "rnncourse.models.seq2seq",
    "encode_pairs": "rnncourse.models.seq2seq",
    "train_seq2seq": "rnncourse.models.seq2seq",
    "translate": "rnncourse.models.seq2seq",
    "exact_match": "rnncourse.models.seq2seq",
    "char_accuracy": "rnncourse.models.seq2seq",
    "exact_match_by_length": "rnncourse.models.seq2seq",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
