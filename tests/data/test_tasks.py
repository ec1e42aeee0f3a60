import numpy as np
import pytest

from rnncourse.data.tasks import lag_task, memory_task, sequence_classification_task, tagging_task

TASKS = [
    (sequence_classification_task, {}),
    (tagging_task, {}),
    (memory_task, {}),
    (lag_task, {"lag": 3}),
]


@pytest.mark.parametrize("task, extra", TASKS)
def test_shapes_dtypes_and_determinism(task, extra):
    x, y = task(50, 12, seed=7, **extra)
    assert x.shape == (50, 12, 1) and x.dtype == np.float64
    expected_y = {
        sequence_classification_task: ((50,), np.int64),
        tagging_task: ((50, 12), np.int64),
        memory_task: ((50,), np.int64),
        lag_task: ((50, 12, 1), np.float64),
    }[task]
    assert (y.shape, y.dtype) == expected_y
    x2, y2 = task(50, 12, seed=7, **extra)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    x3, _ = task(50, 12, seed=8, **extra)
    assert not np.array_equal(x, x3)


@pytest.mark.parametrize("task, extra", TASKS)
def test_rejects_bad_sizes(task, extra):
    with pytest.raises(ValueError, match="n"):
        task(0, 12, **extra)
    with pytest.raises(TypeError, match="T"):
        task(5, 12.0, **extra)


def test_sequence_classification_labels_correct_and_balanced():
    x, y = sequence_classification_task(2000, 15, seed=0)
    np.testing.assert_array_equal(y, (x.sum(axis=(1, 2)) > 0).astype(np.int64))
    assert 0.45 < y.mean() < 0.55


def test_tagging_labels_correct_and_balanced():
    x, y = tagging_task(2000, 15, seed=0)
    np.testing.assert_array_equal(y, np.cumsum(x[:, :, 0], axis=1) > 0)
    assert np.all(np.abs(y.mean(axis=0) - 0.5) < 0.05)


@pytest.mark.parametrize("n", [100, 101])
def test_memory_task_labels_from_first_step_only(n):
    x, y = memory_task(n, 30, noise=0.5, seed=1)
    np.testing.assert_array_equal(x[:, 0, 0], np.where(y == 1, 1.0, -1.0))
    assert abs(int(y.sum()) - n / 2) <= 0.5  # exactly balanced
    assert abs(x[:, 1:].std() - 0.5) < 0.05


def test_memory_task_noise_argument():
    x, _ = memory_task(10, 5, noise=0.0)
    np.testing.assert_array_equal(x[:, 1:], 0.0)
    x, y = memory_task(10, 1)
    assert x.shape == (10, 1, 1)
    with pytest.raises(ValueError, match="noise"):
        memory_task(10, 5, noise=-0.1)


@pytest.mark.parametrize("lag", [0, 1, 5, 11])
def test_lag_task_target_is_delayed_input(lag):
    x, y = lag_task(20, 12, lag=lag, seed=2)
    assert set(np.unique(x).tolist()) == {-1.0, 1.0}
    np.testing.assert_array_equal(y[:, :lag], 0.0)
    np.testing.assert_array_equal(y[:, lag:], x[:, : 12 - lag])
    assert np.mean((y - 0.0) ** 2) == pytest.approx((12 - lag) / 12)  # the documented zero-prediction baseline


def test_lag_task_rejects_bad_lag():
    with pytest.raises(ValueError, match="lag = 12"):
        lag_task(5, 12, lag=12)
    with pytest.raises(ValueError, match="lag"):
        lag_task(5, 12, lag=-1)


def test_sequence_classification_is_learnable_by_a_tiny_rnn_in_100_steps():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        x, y = sequence_classification_task(256, 10, seed=0)
        x_val, y_val = sequence_classification_task(500, 10, seed=1)
        rnn, head = torch.nn.RNN(1, 8, batch_first=True), torch.nn.Linear(8, 2)
        optimizer = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=0.01)
        X, Y = torch.from_numpy(x).float(), torch.from_numpy(y)
        for _ in range(100):
            loss = torch.nn.functional.cross_entropy(head(rnn(X)[0][:, -1]), Y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            logits = head(rnn(torch.from_numpy(x_val).float())[0][:, -1])
        accuracy = (logits.argmax(dim=1).numpy() == y_val).mean()
    finally:
        torch.set_num_threads(threads)
    assert accuracy > 0.85
