"""学習の進み具合の表示。ノートブックでは進捗バーと損失の図がその場で更新され、保存される出力は増えない。

    >>> with TrainingProgress(3, title="学習") as progress:
    ...     for step in range(1, 4):
    ...         progress.update(step, loss=1.0 / step)
    学習 3/3 ステップ: loss 0.3333

ノートブックの中では、最初に一度だけウィジェット (進捗バー・数値・損失の図) を表示し、その後は
ウィジェットの値を書き換えるだけです。書き換えはセルの出力として保存されないので、nbval で再実行しても
保存された出力 (ウィジェットの初期状態と最後の要約 1 行) は毎回同じになります。
"""

from __future__ import annotations

import io
from typing import Any

__all__ = ["TrainingProgress"]


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class TrainingProgress:
    """``update(step, loss=..., val_loss=...)`` で進み具合を知らせ、``close()`` (with 文の終わり) で要約を表示する。

    ``plot_every`` ステップごとに損失の図を描き直します (既定は全体の約 1/10)。
    最後の要約では、各指標の最後の値を ``digits`` 桁に丸めて表示します。
    """

    def __init__(self, total_steps: int, title: str = "学習", plot_every: int | None = None, digits: int = 4) -> None:
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
            raise ValueError(f"total_steps は 1 以上の整数にしてください ({total_steps!r} が渡されました)。")
        self.total_steps, self.title, self.digits = total_steps, title, digits
        self.plot_every = plot_every or max(1, total_steps // 10)
        self.history: dict[str, list[tuple[int, float]]] = {}
        self.step = 0
        self._widgets: dict[str, Any] | None = self._make_widgets() if _in_notebook() else None

    def _make_widgets(self) -> dict[str, Any]:
        import ipywidgets as widgets
        from IPython.display import display

        bar = widgets.IntProgress(value=0, min=0, max=self.total_steps, description=self.title)
        label = widgets.Label(value="")
        image = widgets.Image(format="png")
        display(widgets.VBox([widgets.HBox([bar, label]), image]))
        return {"bar": bar, "label": label, "image": image}

    def update(self, step: int, **metrics: float) -> None:
        """``step`` ステップ目までの学習が終わったことと、そのときの指標 (損失など) を知らせる。"""
        self.step = step
        for name, value in metrics.items():
            self.history.setdefault(name, []).append((step, float(value)))
        if self._widgets is None:
            return
        self._widgets["bar"].value = min(step, self.total_steps)
        self._widgets["label"].value = f"{step}/{self.total_steps}  " + "  ".join(
            f"{name} {value:.{self.digits}f}" for name, value in metrics.items()
        )
        if step % self.plot_every == 0 or step == self.total_steps:
            self._widgets["image"].value = self._curve_png()

    def _curve_png(self) -> bytes:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        import rnncourse.viz.plots  # noqa: F401  (日本語フォント)

        figure = Figure(figsize=(5, 2.6))
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        for name, points in self.history.items():
            steps, values = zip(*points)
            ax.plot(steps, values, label=name)
        ax.set_xlim(0, self.total_steps)
        ax.set_xlabel("ステップ")
        ax.legend(loc="upper right")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def summary(self) -> str:
        """「学習 200/200 ステップ: loss 0.1234」の形の要約 (各指標の最後の値)。"""
        values = "、".join(f"{name} {points[-1][1]:.{self.digits}f}" for name, points in self.history.items())
        return f"{self.title} {self.step}/{self.total_steps} ステップ" + (f": {values}" if values else "")

    def close(self) -> None:
        """要約を 1 行表示する。"""
        print(self.summary())

    def __enter__(self) -> "TrainingProgress":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if exc_info[0] is None:
            self.close()
