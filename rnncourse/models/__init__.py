"""PyTorch のモデルと、複数の章で使う学習の道具。NumPy の参照実装との重みの受け渡しもここです。

    >>> from rnncourse.models import make_recurrent, parameter_count
    >>> parameter_count(make_recurrent("lstm", 10, 32))
    5632
"""

from rnncourse.models.torch_models import (
    make_recurrent, SequenceClassifier, SequenceTagger, train_classifier, accuracy, parameter_count,
)
from rnncourse.models.counting import recurrent_param_count, activation_count
from rnncourse.models.interop import (
    rnn_weights_from_torch, lstm_weights_from_torch, gru_weights_from_torch, load_weights_into_torch,
)
from rnncourse.models.language_model import (
    CharLanguageModel, detach_state, train_language_model, evaluate_loss, perplexity, bits_per_char,
    uniform_loss, unigram_probs, bigram_probs, unigram_loss, bigram_loss, choose_add_k, temperature_probs,
    entropy_bits, generate, save_language_model, load_language_model, plot_stream_layout,
)

__all__ = [
    "make_recurrent", "SequenceClassifier", "SequenceTagger", "train_classifier", "accuracy", "parameter_count",
    "recurrent_param_count", "activation_count", "rnn_weights_from_torch", "lstm_weights_from_torch",
    "gru_weights_from_torch", "load_weights_into_torch", "CharLanguageModel", "detach_state",
    "train_language_model", "evaluate_loss", "perplexity", "bits_per_char", "uniform_loss", "unigram_probs",
    "bigram_probs", "unigram_loss", "bigram_loss", "choose_add_k", "temperature_probs", "entropy_bits", "generate",
    "save_language_model", "load_language_model", "plot_stream_layout",
]
