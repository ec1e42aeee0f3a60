"""表示の道具: 図 (日本語フォントつき)、ウィジェット、学習の進み具合、関数のソースの表示。

    >>> from rnncourse.viz import show_source
    >>> from rnncourse.nn import sigmoid
    >>> print(show_source(sigmoid, docstring=False))  # doctest: +ELLIPSIS
    def sigmoid(...

ここに並べた名前は、使われたときに初めてそのモジュールを読み込みます (PEP 562 の ``__getattr__``)。
たとえば ``rnncourse.models.counting`` だけを使う判定器は、PyTorch を読み込まずに済みます。
"""

from __future__ import annotations

from rnncourse import _lazy_exports

# 公開する名前 → それを定義しているモジュール
_EXPORTS = {
    # rnncourse.viz.plots
    "plot_unrolled_rnn": "rnncourse.viz.plots",
    "plot_hidden_heatmap": "rnncourse.viz.plots",
    "plot_gradient_norms": "rnncourse.viz.plots",
    "plot_training_curves": "rnncourse.viz.plots",
    "plot_hidden_trajectories": "rnncourse.viz.plots",
    # rnncourse.viz.widgets
    "render_hidden_states": "rnncourse.viz.widgets",
    "render_gradient_norms": "rnncourse.viz.widgets",
    "hidden_state_explorer": "rnncourse.viz.widgets",
    "gradient_norm_explorer": "rnncourse.viz.widgets",
    # rnncourse.viz.progress
    "TrainingProgress": "rnncourse.viz.progress",
    # rnncourse.viz.source
    "show_source": "rnncourse.viz.source",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)
