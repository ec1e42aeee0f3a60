"""rnncourse: 日本語 RNN 講座の補助パッケージ。

層ごとのフォルダに分かれています (下の層ほど土台で、上の層は下の層だけを import します)::

    classroom   教師と著者の道具 (rnncourse コマンド、採点、配布、診断、ノートブックの再実行)
    exercises   演習の判定器 (問題の宣言、フィードバック、学習者のコードの呼び出し)
    labs        章ごとの実験の道具
    models      PyTorch のモデルと学習 (複数の章で使うもの)、参照実装との重みの受け渡し
    viz         図・ウィジェット・学習の進み具合・ソースの表示
    nn | data   NumPy の参照実装 | データ (どちらも PyTorch を使わず、互いに import しない)
    shapes, seeding   引数の検査 (日本語のエラー)、乱数の種の固定

    >>> from rnncourse.nn import rnn_forward
    >>> from rnncourse.data import load_corpus
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable, Mapping

from rnncourse import _moved

__version__ = "0.2.0"

_moved.install()  # 0.1 版の import の場所 (rnncourse.rnn など) を 0.2 版のあいだだけ案内する


def _lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """層のパッケージの ``__getattr__`` と ``__dir__`` (PEP 562) を作る。``exports`` は {公開する名前: モジュール}。

    名前が初めて使われたときにそのモジュールを読み込み、同じモジュールの公開する名前をまとめてパッケージの属性にします
    (2 回目からは普通の属性)。PyTorch を使うモジュールも、使われるまでは読み込まれません。
    """

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, namespace = importlib.import_module(exports[name]), sys.modules[package].__dict__
        for exported, source in exports.items():
            if source == exports[name]:
                namespace[exported] = getattr(module, exported)
        return namespace[name]

    def __dir__() -> list[str]:
        return sorted(set(sys.modules[package].__dict__) | set(exports))

    return __getattr__, __dir__
