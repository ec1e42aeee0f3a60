"""pytest の共通設定: テスト開始前に matplotlib のフォントキャッシュを温める。

nbval は各ノートブックの stderr も比べるので、初回だけ出る
"Matplotlib is building the font cache" がノートブックに混ざると失敗します。
"""

import warnings

import pytest


def pytest_configure(config):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja  # noqa: F401  (日本語フォントを登録する)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig, ax = plt.subplots()
        ax.set_title("フォントキャッシュの準備")
        fig.canvas.draw()
        plt.close(fig)


@pytest.fixture(autouse=True)
def restore_torch_defaults():
    """テスト (doctest を含む) が変えた PyTorch の既定の型とスレッド数を元に戻す (reproducible が変えるため)。"""
    import torch

    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    yield
    torch.set_default_dtype(dtype)
    torch.set_num_threads(threads)
