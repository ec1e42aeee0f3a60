"""学習の進み具合の表示。ノートブックでは進捗バーと損失の図がその場で更新され、保存される出力は増えない。

    >>> with TrainingProgress(3, title="学習") as progress:
    ...     for step in range(1, 4):
    ...         progress.update(step, loss=1.0 / step)
    学習 3/3 ステップ: loss 0.3333
    >>> with TrainingProgress(4, title="実験", unit="回") as progress:   # 学習を何回も繰り返す実験
    ...     for run in range(1, 5):
    ...         progress.update(run, 解けた=run // 2)                   # 整数はそのまま表示する
    実験 4/4 回: 解けた 2

ノートブックの中では、最初に一度だけウィジェット (進捗バー・数値・損失の図) を表示し、その後は
ウィジェットの値を書き換えるだけです。書き換えはセルの出力として保存されないので、nbval で再実行しても
保存された出力 (ウィジェットの初期状態と最後の要約 1 行) は毎回同じになります。
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

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
    最後の要約では、各指標の最後の値を表示します (実数は ``digits`` 桁に丸め、整数はそのまま)。
    ``unit`` は数える単位です (学習のステップなら既定の "ステップ"、学習を繰り返す実験なら "回" など)。
    """

    def __init__(
        self, total_steps: int, title: str = "学習", plot_every: int | None = None, digits: int = 4, unit: str = "ステップ"
    ) -> None:
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
            raise ValueError(f"total_steps は 1 以上の整数にしてください ({total_steps!r} が渡されました)。")
        self.total_steps, self.title, self.digits, self.unit = total_steps, title, digits, unit
        self.plot_every = plot_every or max(1, total_steps // 10)
        self.history: dict[str, list[tuple[int, float]]] = {}
        self.last: dict[str, float | int] = {}
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
            self.last[name] = value
        if self._widgets is None:
            return
        self._widgets["bar"].value = min(step, self.total_steps)
        self._widgets["label"].value = f"{step}/{self.total_steps}  " + "  ".join(
            f"{name} {self._format(value)}" for name, value in metrics.items()
        )
        if self.history and (step % self.plot_every == 0 or step == self.total_steps):  # 指標があるときだけ図を描く
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
        ax.set_xlabel(self.unit)
        ax.legend(loc="upper right")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def _format(self, value: float | int) -> str:
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return str(int(value))
        return f"{float(value):.{self.digits}f}"

    def summary(self) -> str:
        """「学習 200/200 ステップ: loss 0.1234」の形の要約 (各指標の最後の値)。"""
        values = "、".join(f"{name} {self._format(value)}" for name, value in self.last.items())
        return f"{self.title} {self.step}/{self.total_steps} {self.unit}" + (f": {values}" if values else "")

    def close(self) -> None:
        """要約を 1 行表示する。"""
        print(self.summary())

    def __enter__(self) -> "TrainingProgress":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if exc_info[0] is None:
            self.close()
