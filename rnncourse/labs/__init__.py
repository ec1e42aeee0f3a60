"""章ごとの実験の道具 (その章の本文と演習だけが使うもの)。どの章のものかは各モジュールの説明にあります。

    >>> from rnncourse.labs import bag_of_words
    >>> bag_of_words([[0, 2, 2]], size=3).tolist()
    [[1.0, 0.0, 2.0]]
"""

from rnncourse.labs.bow import bag_of_words
from rnncourse.labs.classifier import (
    init_classifier_params, classifier_forward, classifier_loss_and_grads, classifier_predict,
    classifier_accuracy, train_numpy_classifier, TorchTwinClassifier,
)
from rnncourse.labs.tbptt import (
    tbptt_chunks, init_regressor_params, regressor_predict, tbptt_loss_and_grads, train_tbptt, lag_accuracy,
)
from rnncourse.labs.gradient_flow import (
    state_gradient_norms, remedy_classifier, remedy_memory_accuracy, train_sgd,
)
from rnncourse.labs.gate_plots import (
    plot_gate_activations, plot_grouped_bars, plot_mean_spread, gradient_norms_by_lag, matching_hidden_size,
    open_keep_gate, memory_accuracy, memory_sweep, learning_rate_search, best_learning_rate,
)
from rnncourse.labs.rnn_shapes import rnn_shapes, measured_rnn_shapes, shape_table, plot_rnn_layout
from rnncourse.labs.numpy_lm import (
    init_numpy_lm, numpy_lm_params_from_torch, numpy_lm_loss, numpy_lm_evaluate, train_numpy_lm,
)
from rnncourse.labs.experiments import SOLVED, memory_task_accuracy, solved_count
from rnncourse.labs.parallel import run_all

__all__ = [
    "bag_of_words", "init_classifier_params", "classifier_forward", "classifier_loss_and_grads",
    "classifier_predict", "classifier_accuracy", "train_numpy_classifier", "TorchTwinClassifier", "tbptt_chunks",
    "init_regressor_params", "regressor_predict", "tbptt_loss_and_grads", "train_tbptt", "lag_accuracy",
    "state_gradient_norms", "remedy_classifier", "remedy_memory_accuracy", "train_sgd", "plot_gate_activations",
    "plot_grouped_bars", "plot_mean_spread", "gradient_norms_by_lag", "matching_hidden_size", "open_keep_gate",
    "memory_accuracy", "memory_sweep", "learning_rate_search", "best_learning_rate", "rnn_shapes", "measured_rnn_shapes", "shape_table", "plot_rnn_layout",
    "init_numpy_lm", "numpy_lm_params_from_torch", "numpy_lm_loss", "numpy_lm_evaluate", "train_numpy_lm",
    "memory_task_accuracy", "SOLVED", "solved_count", "run_all",
]
