"""rnncourse.labs.lm_experiments: 言語モデルの 1 回の学習の記録と、そこからのモデルの作り直し。"""

import numpy as np
import pytest
import torch

from rnncourse.labs.lm_experiments import language_model_run, rebuild_language_model
from rnncourse.models.language_model import evaluate_loss


@pytest.fixture
def ids():
    return np.random.default_rng(0).integers(0, 6, size=600)


def test_same_arguments_give_the_same_run(ids):
    torch.set_default_dtype(torch.float64)
    kwargs = dict(train_ids=ids, val_ids=ids[:80], vocab_size=6, embed_size=4, hidden_size=5, epochs=2, batch_size=4,
                  seq_len=8)
    first, second = language_model_run("lstm", 0.01, 3, **kwargs), language_model_run("lstm", 0.01, 3, **kwargs)
    assert first.train_loss == second.train_loss and first.val_loss == second.val_loss
    assert len(first.val_loss) == 2 and first.train_chars == 600


def test_rebuilt_model_gives_the_recorded_validation_loss(ids):
    torch.set_default_dtype(torch.float64)
    run = language_model_run("rnn", 0.01, 0, ids, ids[:80], 6, embed_size=4, hidden_size=5, epochs=1, batch_size=4,
                             seq_len=8)
    assert evaluate_loss(rebuild_language_model(run, 6), ids[:80]) == run.val_loss[-1]


def test_steps_fix_the_number_of_updates_whatever_the_text_length(ids):
    short = language_model_run("rnn", 0.01, 0, ids[:150], ids[:80], 6, embed_size=4, hidden_size=5, batch_size=4,
                               seq_len=8, steps=20)
    assert len(short.train_loss) == 20 and len(short.val_loss) >= 2  # 短いテキストを何周もする
