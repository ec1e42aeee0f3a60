"""章ごとの実験の道具 (その章の本文と演習だけが使うもの)。どの章のものかは各モジュールの説明にあります。

    >>> from rnncourse.labs import bag_of_words
    >>> bag_of_words([[0, 2, 2]], size=3).tolist()
    [[1.0, 0.0, 2.0]]

ここに並べた名前は、使われたときに初めてそのモジュールを読み込みます (PEP 562 の ``__getattr__``)。
たとえば ``rnncourse.models.counting`` だけを使う判定器は、PyTorch を読み込まずに済みます。
"""

from __future__ import annotations

from rnncourse import _lazy_exports

# 公開する名前 → それを定義しているモジュール
_EXPORTS = {
    # rnncourse.labs.bow
    "bag_of_words": "rnncourse.labs.bow",
    # rnncourse.labs.classifier
    "init_classifier_params": "rnncourse.labs.classifier",
    "classifier_forward": "rnncourse.labs.classifier",
    "classifier_loss_and_grads": "rnncourse.labs.classifier",
    "classifier_predict": "rnncourse.labs.classifier",
    "classifier_accuracy": "rnncourse.labs.classifier",
    "train_numpy_classifier": "rnncourse.labs.classifier",
    "TorchTwinClassifier": "rnncourse.labs.classifier",
    # rnncourse.labs.tbptt
    "tbptt_chunks": "rnncourse.labs.tbptt",
    "init_regressor_params": "rnncourse.labs.tbptt",
    "regressor_predict": "rnncourse.labs.tbptt",
    "tbptt_loss_and_grads": "rnncourse.labs.tbptt",
    "train_tbptt": "rnncourse.labs.tbptt",
    "lag_accuracy": "rnncourse.labs.tbptt",
    # rnncourse.labs.gradient_flow
    "state_gradient_norms": "rnncourse.labs.gradient_flow",
    "remedy_classifier": "rnncourse.labs.gradient_flow",
    "remedy_memory_accuracy": "rnncourse.labs.gradient_flow",
    "train_sgd": "rnncourse.labs.gradient_flow",
    # rnncourse.labs.gate_plots
    "plot_gate_activations": "rnncourse.labs.gate_plots",
    "plot_grouped_bars": "rnncourse.labs.gate_plots",
    "plot_mean_spread": "rnncourse.labs.gate_plots",
    "gradient_norms_by_lag": "rnncourse.labs.gate_plots",
    "matching_hidden_size": "rnncourse.labs.gate_plots",
    "open_keep_gate": "rnncourse.labs.gate_plots",
    "memory_accuracy": "rnncourse.labs.gate_plots",
    "memory_sweep": "rnncourse.labs.gate_plots",
    "learning_rate_search": "rnncourse.labs.gate_plots",
    "best_learning_rate": "rnncourse.labs.gate_plots",
    # rnncourse.labs.rnn_layout
    "rnn_shapes": "rnncourse.labs.rnn_layout",
    "measured_rnn_shapes": "rnncourse.labs.rnn_layout",
    "shape_table": "rnncourse.labs.rnn_layout",
    "plot_rnn_layout": "rnncourse.labs.rnn_layout",
    # rnncourse.labs.numpy_lm
    "init_numpy_lm": "rnncourse.labs.numpy_lm",
    "numpy_lm_params_from_torch": "rnncourse.labs.numpy_lm",
    "numpy_lm_loss": "rnncourse.labs.numpy_lm",
    "numpy_lm_evaluate": "rnncourse.labs.numpy_lm",
    "train_numpy_lm": "rnncourse.labs.numpy_lm",
    # rnncourse.labs.lm_experiments
    "LanguageModelRun": "rnncourse.labs.lm_experiments",
    "language_model_run": "rnncourse.labs.lm_experiments",
    "rebuild_language_model": "rnncourse.labs.lm_experiments",
    # rnncourse.labs.experiments
    "SOLVED": "rnncourse.labs.experiments",
    "memory_task_accuracy": "rnncourse.labs.experiments",
    "solved_count": "rnncourse.labs.experiments",
    # rnncourse.labs.applications
    "SENTIMENT_SETTINGS": "rnncourse.labs.applications",
    "SENTIMENT_MODELS": "rnncourse.labs.applications",
    "FORECAST_SETTINGS": "rnncourse.labs.applications",
    "sentiment_data": "rnncourse.labs.applications",
    "char_ngrams": "rnncourse.labs.applications",
    "ngram_vocabulary": "rnncourse.labs.applications",
    "NgramBagClassifier": "rnncourse.labs.applications",
    "sentiment_model": "rnncourse.labs.applications",
    "sentiment_run": "rnncourse.labs.applications",
    "accuracy_by_phenomenon": "rnncourse.labs.applications",
    "sentiment_probabilities": "rnncourse.labs.applications",
    "sentiment_report": "rnncourse.labs.applications",
    "sentiment_explorer": "rnncourse.labs.applications",
    "fit_width": "rnncourse.labs.applications",
    "forecast_data": "rnncourse.labs.applications",
    "forecast_model": "rnncourse.labs.applications",
    "forecast_run": "rnncourse.labs.applications",
    "rollout_windows": "rnncourse.labs.applications",
    # rnncourse.labs.parallel
    "run_all": "rnncourse.labs.parallel",
    # rnncourse.labs.seq2seq_lab
    "MODEL_SIZES": "rnncourse.labs.seq2seq_lab",
    "TRAINING": "rnncourse.labs.seq2seq_lab",
    "LENGTH_BINS": "rnncourse.labs.seq2seq_lab",
    "ZERO_RUN_GROUPS": "rnncourse.labs.seq2seq_lab",
    "ERROR_CAUSES": "rnncourse.labs.seq2seq_lab",
    "kanji_task": "rnncourse.labs.seq2seq_lab",
    "train_run": "rnncourse.labs.seq2seq_lab",
    "trained_model": "rnncourse.labs.seq2seq_lab",
    "length_bin_table": "rnncourse.labs.seq2seq_lab",
    "teacher_forced_outputs": "rnncourse.labs.seq2seq_lab",
    "error_cause": "rnncourse.labs.seq2seq_lab",
    "group_errors": "rnncourse.labs.seq2seq_lab",
    "longest_zero_run": "rnncourse.labs.seq2seq_lab",
    "zero_run_table": "rnncourse.labs.seq2seq_lab",
    "plot_alignment": "rnncourse.labs.seq2seq_lab",
    "render_conversion": "rnncourse.labs.seq2seq_lab",
    "conversion_explorer": "rnncourse.labs.seq2seq_lab",
    "table_decode": "rnncourse.labs.seq2seq_lab",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
