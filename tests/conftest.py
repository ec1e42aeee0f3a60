"""テスト共通の設定 (matplotlib は一番上の conftest.py で Agg にしてある)。"""

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def close_figures():
    """テストが開いた図を必ず閉じる。"""
    yield
    plt.close("all")
