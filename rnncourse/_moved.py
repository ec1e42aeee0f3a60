"""0.1 版のモジュールの場所 (``rnncourse.rnn`` など) を新しい場所へ案内する。0.3 版で取り除きます。

0.2 版でパッケージを層ごとのフォルダ (``nn``・``data``・``models``・``viz``・``labs``・``classroom``) に分けました。
古いノートブックの ``from rnncourse.rnn import rnn_forward`` も動くように、古い名前の import を新しいモジュールに
つなぎ、新しい場所を書いた ``DeprecationWarning`` を出します (中身は同じモジュールです)。

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     from rnncourse.gru import gru_forward
    >>> import rnncourse.nn
    >>> gru_forward is rnncourse.nn.gru_forward, str(caught[0].message)
    (True, 'rnncourse.gru は rnncourse.nn.gru に移りました。import を新しい場所に書き換えてください (古い場所は 0.3 版でなくなります)。')
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from types import ModuleType

_LAYERS = {
    "nn": ("rnn", "lstm", "gru", "affine", "losses", "activations", "clipping", "optim", "gradcheck", "timewise"),
    "data": ("text", "timeseries", "padding", "tasks"),
    "models": ("torch_models", "language_model", "interop", "counting"),
    "viz": ("plots", "widgets", "progress", "source"),
    "labs": ("bow", "classifier", "tbptt", "gradient_flow", "gate_plots", "numpy_lm", "experiments"),
    "classroom": ("cli", "doctor", "release", "execute", "grading"),
}
MOVED = {f"rnncourse.{name}": f"rnncourse.{layer}.{name}" for layer, names in _LAYERS.items() for name in names}
MOVED["rnncourse.exercises.build"] = "rnncourse.classroom.build"
MOVED["rnncourse.rnn_shapes"] = "rnncourse.labs.rnn_layout"  # 関数 rnn_shapes と同じ名前にならないよう改名
# 0.1 版の gradient_flow は 2 つに分かれた: 勾配の流れの数学 (第4章のウィジェットも使う) は nn.jacobian へ、
# PyTorch の実験は labs.gradient_flow へ。古い名前の import には、両方の公開名を合わせたモジュールを返す。
SPLIT = {"rnncourse.gradient_flow": ("rnncourse.labs.gradient_flow", "rnncourse.nn.jacobian")}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """古い名前の import に、新しい場所のモジュールそのものを返す。"""

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec) -> ModuleType:
        parts = SPLIT.get(spec.name, (MOVED[spec.name],))
        warnings.warn(
            f"{spec.name} は {' と '.join(parts)} に移りました。import を新しい場所に書き換えてください"
            " (古い場所は 0.3 版でなくなります)。",
            DeprecationWarning,
            stacklevel=2,  # import 文を書いた行を指す (importlib の内部のフレームは飛ばされる)
        )
        if len(parts) == 1:
            return importlib.import_module(parts[0])
        merged = ModuleType(spec.name, f"{' と '.join(parts)} の公開名を合わせたもの (0.1 版の場所)。")
        merged.__all__ = []
        for part in map(importlib.import_module, parts):
            merged.__all__ += part.__all__
            merged.__dict__.update({name: getattr(part, name) for name in part.__all__})
        return merged

    def exec_module(self, module: ModuleType) -> None:  # 中身は新しい場所で実行済み
        pass


def install() -> None:
    """案内を ``sys.meta_path`` の先頭に 1 度だけ加える (古い名前のファイルが残っていても新しい場所を使う)。"""
    if not any(isinstance(finder, _Alias) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
