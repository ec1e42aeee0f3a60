"""pytest の共通設定: テスト開始前に matplotlib のフォントキャッシュを温める。

nbval は各ノートブックの stderr も比べるので、初回だけ出る
"Matplotlib is building the font cache" がノートブックに混ざると失敗します。
"""

import warnings


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
