"""NumPy の参照実装 (式のとおりの順伝播と、その横に並べた逆伝播)。重みの形は ``torch.nn`` と同じです。

    >>> import numpy as np
    >>> from rnncourse.nn import rnn_forward
    >>> h, cache = rnn_forward(np.zeros((2, 5, 3)), np.zeros((2, 4)), np.zeros((4, 3)), np.zeros((4, 4)), np.zeros(4))
    >>> h.shape                                   # (N, T, H)
    (2, 5, 4)

この層が import してよいのは NumPy と ``rnncourse.shapes`` / ``rnncourse.seeding`` だけです (PyTorch は使いません)。
"""

from rnncourse.nn.rnn import rnn_step_forward, rnn_step_backward, rnn_forward, rnn_backward
from rnncourse.nn.lstm import lstm_step_forward, lstm_step_backward, lstm_forward, lstm_backward, lstm_gates
from rnncourse.nn.gru import gru_step_forward, gru_step_backward, gru_forward, gru_backward, gru_gates
from rnncourse.nn.affine import (
    affine_forward, affine_backward, temporal_affine_forward, temporal_affine_backward,
)
from rnncourse.nn.activations import sigmoid
from rnncourse.nn.losses import softmax, softmax_cross_entropy, temporal_softmax_cross_entropy, mse_loss
from rnncourse.nn.clipping import clip_grad_norm, clip_grad_value
from rnncourse.nn.optim import SGD, Adam
from rnncourse.nn.gradcheck import numerical_gradient, rel_error
from rnncourse.nn.jacobian import (
    recurrent_matrix, spectral_radius, rescale_spectral_radius, scalar_chain, step_jacobian,
    jacobian_products, hidden_gradient_norms, predicted_slope, measured_slope,
)
from rnncourse.nn.attention import attention_forward, attention_backward

__all__ = [
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward", "lstm_step_forward",
    "lstm_step_backward", "lstm_forward", "lstm_backward", "lstm_gates", "gru_step_forward",
    "gru_step_backward", "gru_forward", "gru_backward", "gru_gates", "affine_forward", "affine_backward",
    "temporal_affine_forward", "temporal_affine_backward", "sigmoid", "softmax", "softmax_cross_entropy",
    "temporal_softmax_cross_entropy", "mse_loss", "clip_grad_norm", "clip_grad_value", "SGD", "Adam",
    "numerical_gradient", "rel_error", "recurrent_matrix", "spectral_radius", "rescale_spectral_radius",
    "scalar_chain", "step_jacobian", "jacobian_products", "hidden_gradient_norms", "predicted_slope",
    "measured_slope", "attention_forward", "attention_backward",
]
