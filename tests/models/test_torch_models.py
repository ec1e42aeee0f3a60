import numpy as np
import pytest
import torch

from rnncourse.viz.progress import TrainingProgress
from rnncourse.data.tasks import sequence_classification_task, tagging_task
from rnncourse.models.torch_models import (
    SequenceClassifier, SequenceTagger, accuracy, make_recurrent, parameter_count, train_classifier,
)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_classifier_shapes(cell):
    model = SequenceClassifier(3, 5, 4, cell=cell)
    assert model(torch.zeros(2, 7, 3)).shape == (2, 4)
    bi = SequenceClassifier(3, 5, 4, cell=cell, num_layers=2, bidirectional=True)
    assert bi(torch.zeros(2, 7, 3)).shape == (2, 4)


def test_lengths_use_the_true_last_step():
    torch.manual_seed(0)
    model = SequenceClassifier(1, 4, 2)
    x = torch.randn(1, 3, 1)
    padded = torch.cat([x, torch.zeros(1, 5, 1)], dim=1)
    assert torch.allclose(model(x), model(padded, lengths=torch.tensor([3])), atol=1e-6)
    assert not torch.allclose(model(x), model(padded), atol=1e-6)


def test_training_learns_and_is_deterministic():
    x, y = sequence_classification_task(128, T=8, seed=0)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = SequenceClassifier(1, 8, 2)
        runs.append(train_classifier(model, x, y, steps=60, lr=0.02))
    assert runs[0] == runs[1]
    assert runs[0][-1] < runs[0][0]
    assert accuracy(model, x, y) > 0.8


def test_tagger_and_minibatches_and_progress(capsys):
    x, y = tagging_task(64, T=6, seed=0)
    torch.manual_seed(0)
    model = SequenceTagger(1, 8, 2, cell="gru")
    with TrainingProgress(20, title="学習") as progress:
        losses = train_classifier(model, x, y, steps=20, batch_size=16, clip=1.0, progress=progress)
    assert len(losses) == 20
    assert capsys.readouterr().out.startswith("学習 20/20 ステップ: loss ")
    assert 0.0 <= accuracy(model, x, y) <= 1.0
    assert parameter_count(model) == sum(p.numel() for p in model.parameters())


def test_bad_arguments():
    with pytest.raises(ValueError, match="cell は"):
        make_recurrent("cnn", 1, 1)
    with pytest.raises(TypeError, match="引数 x"):
        train_classifier(SequenceClassifier(1, 2, 2), [[0.0]], np.zeros(1, dtype=np.int64), steps=1)
    with pytest.raises(ValueError, match="total_steps"):
        TrainingProgress(0)
