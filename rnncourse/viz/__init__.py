"""表示の道具: 図 (日本語フォントつき)、ウィジェット、学習の進み具合、関数のソースの表示。

    >>> from rnncourse.viz import show_source
    >>> from rnncourse.nn import sigmoid
    >>> print(show_source(sigmoid, docstring=False))  # doctest: +ELLIPSIS
    def sigmoid(...
"""

from rnncourse.viz.plots import (
    plot_unrolled_rnn, plot_hidden_heatmap, plot_gradient_norms, plot_training_curves,
    plot_hidden_trajectories,
)
from rnncourse.viz.widgets import (
    render_hidden_states, render_gradient_norms, hidden_state_explorer, gradient_norm_explorer,
)
from rnncourse.viz.progress import TrainingProgress
from rnncourse.viz.source import show_source

__all__ = [
    "plot_unrolled_rnn", "plot_hidden_heatmap", "plot_gradient_norms", "plot_training_curves",
    "plot_hidden_trajectories", "render_hidden_states", "render_gradient_norms", "hidden_state_explorer",
    "gradient_norm_explorer", "TrainingProgress", "show_source",
]
