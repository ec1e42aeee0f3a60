"""コマンド ``rnncourse`` (講師と学習者のための道具)。

    $ rnncourse doctor      # 講座を動かす環境を診断する
    $ rnncourse --version

サブコマンドを増やすときは、``_add_<名前>(subcommands)`` 関数を 1 つ書き
(引数を定義して ``set_defaults(handler=...)`` する)、:data:`SUBCOMMANDS` に 1 行加えます。
ハンドラは解析済みの引数 (``argparse.Namespace``) を受け取り、終了コード (int) を返します。
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Callable, NoReturn

from rnncourse import __version__

__all__ = ["main", "build_parser", "SUBCOMMANDS"]

# argparse の英語のエラーメッセージ → 日本語 (Python 3.10–3.13 の文言に対応。知らないものはそのまま)
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"次の引数が必要です: \1"),
    (r"unrecognized arguments: (.*)", r"知らない引数です: \1"),
    (r"argument (\S+): invalid choice: (\S+) \(choose from (.*)\)", r"\1: \2 は選べません (選べるもの: \3)"),
    (r"argument (\S+): invalid (\w+) value: (.*)", r"\1: \3 は \2 として読めません"),
    (r"argument (\S+): expected one argument", r"\1: 値を 1 つ指定してください"),
    (r"argument (\S+): expected at least one argument", r"\1: 値を 1 つ以上指定してください"),
    (r"argument (\S+): ignored explicit argument (.*)", r"\1: 値 \2 は受け取れません"),
    (r"ambiguous option: (\S+) could match (.*)", r"オプション \1 があいまいです (候補: \2)"),
    (r"invalid choice: (\S+) \(choose from (.*)\)", r"\1 は選べません (選べるもの: \2)"),
    (r"argument (\S+): (.*)", r"\1: \2"),
)


def _translate(message: str) -> str:
    for pattern, replacement in _MESSAGES:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class _Formatter(argparse.HelpFormatter):
    """ヘルプの "usage:" を日本語にする。"""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "使い方: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """使い方の誤りを日本語で stderr に出し、終了コード 2 で終わるパーサ。"""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        # 見出しを日本語に (argparse に公開の方法が無いので既定のグループの title を書き換える)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        self.add_argument("-h", "--help", action="help", help="このヘルプを表示して終わります")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: エラー: {_translate(message)}\n")


# ---------------------------------------------------------------------------
# サブコマンド (1 つにつき関数 1 つ)
# ---------------------------------------------------------------------------


def _add_doctor(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "doctor",
        help="講座を動かす環境 (Python・NumPy・PyTorch・日本語フォント・Jupyter) を診断します",
        description="講座に必要なものがそろっているかを調べ、足りないものがあれば直し方を表示します。"
        "学習に必要なものが足りないときは終了コード 1 で終わります。",
    )
    parser.set_defaults(handler=_run_doctor)


def _run_doctor(args: argparse.Namespace) -> int:
    from rnncourse.classroom import doctor  # 重い import (torch など) はサブコマンドを実行するときだけ

    return doctor.print_report(doctor.run_checks())


def _add_build_exercises(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "build-exercises",
        help="solutions/ (原本) から exercises/ (学習者用) を作り直します (著者向け)",
        description="solutions/ の各ノートブックの ### BEGIN SOLUTION … ### END SOLUTION を空欄に置き換えて "
        "exercises/ に書き出し、新しいカーネルで実行して出力を保存します。",
    )
    parser.add_argument("names", nargs="*", help="作り直すノートブックの名前 (例 02_forward_pass.ipynb)。省略するとすべて")
    parser.add_argument("--check", action="store_true", help="書き出さずに、exercises/ が最新かどうかだけを調べます")
    parser.add_argument("--solutions", default="solutions", help="解答のフォルダ (既定 solutions)")
    parser.add_argument("--exercises", default="exercises", help="演習のフォルダ (既定 exercises)")
    parser.add_argument("--no-execute", action="store_true", help="書き出した演習を実行しません")
    parser.set_defaults(handler=_run_build_exercises)


def _run_build_exercises(args: argparse.Namespace) -> int:
    from rnncourse.classroom.build import MarkerError, build_exercises

    try:
        changed = build_exercises(
            args.solutions, args.exercises, check=args.check, execute=not args.no_execute, names=args.names or None
        )
    except (MarkerError, FileNotFoundError) as error:
        print(f"rnncourse build-exercises: エラー: {error}", file=sys.stderr)
        return 1
    if args.check:
        for name in changed:
            print(f"[古い] {args.exercises}/{name}: rnncourse build-exercises {name.split()[0]} で作り直してください。")
        if not changed:
            print(f"{args.exercises}/ は {args.solutions}/ と一致しています。")
        return 1 if changed else 0
    for name in changed:
        print(f"[作成] {args.exercises}/{name}")
    return 0


def _add_release(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "release",
        help="学習者に配る一式 (本文・演習・README、模範解答なし) を作ります (講師向け)",
        description="講座のリポジトリから、学習者に配る一式を OUTDIR に書き出します。solutions/ は含みません。",
    )
    parser.add_argument("outdir", metavar="OUTDIR", help="書き出し先のフォルダ")
    parser.add_argument("--chapter", help="この章 (例 03) だけを配る")
    parser.add_argument("--source", default=".", help="講座のリポジトリ (既定はカレントディレクトリ)")
    parser.add_argument("--force", action="store_true", help="OUTDIR が空でなくても書き込む (同名のファイルは上書き)")
    parser.set_defaults(handler=_run_release)


def _run_release(args: argparse.Namespace) -> int:
    from rnncourse.classroom.release import ReleaseError, release

    try:
        written = release(args.outdir, source=args.source, chapter=args.chapter, force=args.force)
    except ReleaseError as error:
        print(f"rnncourse release: エラー: {error}", file=sys.stderr)
        return 2
    notebooks = sum(p.suffix == ".ipynb" for p in written)
    print(f"{args.outdir} に学習者用の一式を書き出しました (ノートブック {notebooks} 冊、模範解答なし)。")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"整数を指定してください ({text})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"1 以上の整数にしてください ({text})")
    return value


def _add_grade(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "grade",
        help="提出されたノートブックを一括で採点し、CSV とフィードバックを書きます (講師向け)",
        description="各提出物を、箱 (bubblewrap) の中の新しいカーネルで実行し、本物の判定器で採点します。"
        "元のファイルは変更しません。REPORT.csv の横に、学習者ごとのフィードバック (Markdown) のフォルダを作ります。"
        "箱の中からは、採点表・ほかの提出物・講師のファイルや環境変数・ネットワーク・期待値や模範解答は見えません。",
    )
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION.ipynb", help="採点するノートブック")
    parser.add_argument("--out", required=True, metavar="REPORT.csv", help="書き出す採点表 (CSV)")
    parser.add_argument("--timeout", type=_positive_int, default=300, metavar="SECONDS", help="1 提出物の採点全体 (カーネルの起動・答えの取り出しを含む) の制限時間 (秒、既定 300)")
    parser.add_argument("--cell-timeout", type=_positive_int, default=60, metavar="SECONDS", help="1 セルあたりの制限時間 (秒、既定 60)")
    parser.add_argument("--jobs", type=_positive_int, default=1, metavar="N", help="同時に採点する提出物の数 (既定 1)")
    parser.add_argument("--chapter", help="この章 (例 03) の提出物として採点する (別の章のノートは invalid)")
    parser.add_argument("--memory-mb", type=_positive_int, default=4096, help="1 提出物のカーネル (と関数を呼ぶ箱) が使えるメモリ (MB、既定 4096)")
    parser.add_argument(
        "--no-sandbox", action="store_true",
        help="箱 (bubblewrap) を使わずに採点する。提出物のコードが講師の権限で動くので、信頼できる提出物にだけ使う",
    )
    parser.set_defaults(handler=_run_grade)


def _run_grade(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rnncourse.classroom.grading import GradingLimits, summary_table, write_feedback, write_report
    from rnncourse.classroom.grading.batch import grade_all
    from rnncourse.classroom.grading.sandbox import INSTALL_HELP, NO_SANDBOX_WARNING, unavailable_reason

    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"rnncourse grade: エラー: {out.parent} というフォルダがありません。", file=sys.stderr)
        return 2
    if args.chapter is not None and not re.fullmatch(r"\d\d", args.chapter):
        print(f"rnncourse grade: エラー: --chapter は 2 桁の数字で指定してください (例 03)。{args.chapter!r} が指定されました。", file=sys.stderr)
        return 2
    if args.no_sandbox:
        print(NO_SANDBOX_WARNING, file=sys.stderr)
    else:
        reason = unavailable_reason()
        if reason is not None:
            print(f"rnncourse grade: エラー: {reason}\n{INSTALL_HELP}", file=sys.stderr)
            return 2
    limits = GradingLimits(
        cell_timeout=min(args.cell_timeout, args.timeout), notebook_timeout=args.timeout, memory_mb=args.memory_mb
    )
    rows = grade_all(args.submissions, chapter=args.chapter, limits=limits, jobs=args.jobs, sandbox=not args.no_sandbox)
    # 採点表とフィードバックは、すべてのカーネルが止まったあとに一度だけ書く
    write_report(rows, out)
    feedback = write_feedback(rows, out.with_name(out.stem + "_feedback"))
    print(summary_table(rows))
    print(f"\n{len(args.submissions)} 件の提出物を採点しました。採点表: {out}、フィードバック: {out.stem}_feedback/ ({len(feedback)} 件)")
    return 0


#: 登録するサブコマンド。新しいサブコマンドはここに 1 行加える。
SUBCOMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_doctor,
    _add_build_exercises,
    _add_release,
    _add_grade,
)


def build_parser() -> argparse.ArgumentParser:
    """``rnncourse`` コマンドの引数パーサを作る。"""
    parser = _Parser(
        prog="rnncourse",
        description="日本語 RNN 講座 (rnncourse) の講師・学習者向けの道具です。",
        epilog="各サブコマンドの説明は rnncourse <サブコマンド> --help で表示されます。",
    )
    parser.add_argument(
        "--version", action="version", version=f"rnncourse {__version__}", help="版番号を表示して終わります"
    )
    subcommands = parser.add_subparsers(
        title="サブコマンド", dest="command", metavar="<サブコマンド>", required=True, parser_class=_Parser
    )
    for register in SUBCOMMANDS:
        register(subcommands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """コマンド ``rnncourse`` の入口。終了コードを返す (0: 成功、1: 問題あり、2: 使い方の誤り)。"""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, 使い方の誤り
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
