"""図のテストで共通に使う道具。"""

import io
import warnings


def render_warnings(fig) -> list[str]:
    """図を PNG に書き出し、その間に出た警告の文を返す (日本語の字形が欠けると "Glyph ... missing" が出る)。"""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught]
