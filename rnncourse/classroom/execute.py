"""ノートブックを新しいカーネルで上から順に実行し、出力を保存する (著者向け)。

CI は保存された出力を nbval で再実行して比べるので、出力は必ずこれで作り直します::

    python -m rnncourse.classroom.execute notebooks/02_forward_pass.ipynb

実行時間の記録 (``metadata.execution``) は残しません。ウィジェットの状態 (``metadata.widgets``) は残すので、
ノートブックを開いただけで (カーネルを動かす前でも) 保存したときのスライダーや進捗バーが表示されます。
ウィジェットの id は実行のたびに変わるので、実行し直すとファイルのその部分は変わります。
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["execute_notebook", "main"]


def execute_notebook(path: str | Path, output: str | Path | None = None, timeout: int = 600) -> Path:
    """``path`` のノートブックをそのフォルダをカレントディレクトリとして実行し、``output`` (既定は上書き) に保存する。

    エラーで止まったセル (``raises-exception`` タグのないもの) があれば
    ``nbclient.exceptions.CellExecutionError`` を送出し、ファイルは書き換えません。
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ノートブック {path} が見つかりません。")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=True,  # 保存した出力のウィジェットを、実行する前の JupyterLab やウェブページでも表示できるように
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()  # ウィジェットの状態 (metadata.widgets) も保存する: 開いただけで保存時の部品が表示される
    target = Path(output) if output is not None else path
    nbformat.write(nb, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.classroom.execute",
        description="ノートブックを新しいカーネルで実行し、出力を上書き保存します (著者向け)。",
    )
    parser.add_argument("notebooks", nargs="+", type=Path, help="実行するノートブック (.ipynb)")
    parser.add_argument("--timeout", type=int, default=600, help="1 セルあたりの制限時間 (秒、既定 600)")
    args = parser.parse_args(argv)
    failed = 0
    for path in args.notebooks:
        try:
            execute_notebook(path, timeout=args.timeout)
        except Exception as error:  # 1 冊の失敗で残りを止めない
            failed += 1
            print(f"[失敗] {path}: {type(error).__name__}: {error}", file=sys.stderr)
        else:
            print(f"[実行済み] {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
