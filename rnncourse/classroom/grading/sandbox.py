"""提出物のコードを閉じ込める箱 (bubblewrap の ``bwrap``) のコマンドを組み立てる。

    >>> argv = wrap(["python", "-c", "print(1)"], Layout(read_only=(("/usr", "/usr"),)), chdir="/tmp")
    >>> argv[0].endswith("bwrap"), "--unshare-all" in argv, argv[-3:]
    (True, True, ['python', '-c', 'print(1)'])

箱の中では:

- ネットワークがなく (``--unshare-all``)、自分だけの PID 名前空間にいる。採点側・ほかの提出物のプロセスは
  見えず、シグナルも送れない。箱の最初のプロセスが終わると、名前空間ごと中のプロセスはすべて消える
  (``start_new_session=True`` で切り離した子も)。採点側のプロセスが死んでも消える (``--die-with-parent``)。
- 見えるのは、Python の実行環境とパッケージ (読み取り専用)、OS の共有ライブラリ (読み取り専用)、
  ``Layout`` で足したものだけ。書き込めるのは、大きさに上限のある自分専用の ``/tmp`` と、足した書き込み可の場所だけ。
- 環境変数は空にしてから、決めたものだけを置く (講師の環境変数は見えない)。
- 権限 (capabilities) はすべて落とし、箱の中で新しいユーザー名前空間も作れない。
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

__all__ = ["Layout", "wrap", "python_layout", "bwrap_path", "unavailable_reason", "INSTALL_HELP", "NO_SANDBOX_WARNING"]

#: bwrap がないときに表示する直し方。
INSTALL_HELP = (
    "採点には bubblewrap (コマンド bwrap) が必要です。Debian / Ubuntu では\n"
    "    sudo apt-get install bubblewrap\n"
    "で入ります (Fedora: sudo dnf install bubblewrap、Arch: sudo pacman -S bubblewrap)。\n"
    "箱なしで採点するなら --no-sandbox を付けてください (何が守られないかは rnncourse grade --help と README を見てください)。"
)

#: --no-sandbox で採点するときに表示する注意。
NO_SANDBOX_WARNING = (
    "注意: --no-sandbox なので、提出物のコードは箱に入らず、講師と同じユーザーの権限で動きます。\n"
    "  守られないもの: 講師のファイル (採点表・フィードバック・ほかの提出物・インストールされたパッケージ) の読み書き、\n"
    "  環境変数 (秘密の値を含む) の読み出し、ネットワーク、採点が終わったあとも動き続けるプロセス、\n"
    "  判定器の中身 (期待値・模範解答) の読み出し、模範解答の関数を使った答えの見分け\n"
    "  (答えの関数から名前でたどれる模範解答そのものと、その写しだけは見分けます)。\n"
    "  守られるもの: 採点の入力は採点のときに作るので、公開のテストケースを覚えても通りません。\n"
    "  1 提出物ごとの制限時間・メモリの上限、CSV とフィードバックの無害化は箱なしでも効きます。\n"
    "  信頼できない提出物には使わないでください。"
)

# 箱の中に読み取り専用で見せる OS の場所 (あれば)。/etc は必要なファイルだけ。
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf")
_SYSTEM_ETC_DIRS = ("/etc/ld.so.conf.d", "/etc/fonts", "/etc/alternatives")


@dataclass(frozen=True)
class Layout:
    """箱の中に見せるもの。各要素は (外の場所, 箱の中の場所)。後に並んだものが前のものの上に重なる。"""

    read_only: tuple[tuple[str, str], ...] = ()
    writable: tuple[tuple[str, str], ...] = ()
    symlinks: tuple[tuple[str, str], ...] = ()  # (リンク先, 箱の中の場所)
    env: Mapping[str, str] = field(default_factory=dict)

    def plus(self, read_only: Sequence[tuple[str, str]] = (), writable: Sequence[tuple[str, str]] = ()) -> "Layout":
        return Layout(self.read_only + tuple(read_only), self.writable + tuple(writable), self.symlinks, self.env)


def bwrap_path() -> str | None:
    """``bwrap`` の場所 (PATH になければ /usr/bin/bwrap も探す)。見つからなければ None。"""
    found = shutil.which("bwrap")
    if found:
        return found
    return "/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None


def unavailable_reason() -> str | None:
    """箱が使えれば None、使えなければその理由 (日本語)。実際に空の箱を 1 つ作って確かめる。"""
    if not sys.platform.startswith("linux"):
        return f"箱 (bubblewrap) は Linux でだけ使えます (この OS は {sys.platform})。"
    bwrap = bwrap_path()
    if bwrap is None:
        return "bubblewrap (コマンド bwrap) が見つかりません。"
    probe = wrap(["/bin/true"], Layout(read_only=tuple((d, d) for d in _SYSTEM_DIRS if os.path.exists(d))), chdir="/")
    try:
        done = subprocess.run(probe, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap を起動できません ({type(error).__name__})。"
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[:300]
        return f"bwrap が箱を作れません ({detail or '終了コード ' + str(done.returncode)})。" + (
            " ユーザー名前空間が無効になっていないか確かめてください (sysctl kernel.unprivileged_userns_clone など)。"
        )
    return None


def _system_binds() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    binds, links = [], []
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            links.append((os.readlink(path), path))  # usrmerge: /lib -> usr/lib
        elif os.path.isdir(path):
            binds.append((path, path))
    for path in (*_SYSTEM_FILES, *_SYSTEM_ETC_DIRS):
        if os.path.exists(path):
            binds.append((os.path.realpath(path), path))
    return binds, links


def _python_dirs() -> list[str]:
    """この Python の実行環境 (標準ライブラリ・venv・site-packages) の場所。リポジトリそのものは含めない。"""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        dirs.add(sysconfig.get_paths()[key])
    for path in sys.path:  # ユーザーの site-packages など、prefix の外にあるパッケージの置き場
        if path.endswith(("site-packages", "dist-packages")) and os.path.isdir(path):
            dirs.add(path)
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        dirs.add(site.getusersitepackages())
    executable = os.path.realpath(sys.executable)
    dirs.add(os.path.dirname(executable))
    real = sorted({os.path.realpath(d) for d in dirs if os.path.isdir(d)})
    # 入れ子の場所は外側だけでよい
    return [d for d in real if not any(d != o and d.startswith(o.rstrip("/") + "/") for o in real)]


def python_layout(package_dir: str | Path, passwd_dir: str | Path, env: Mapping[str, str] | None = None) -> Layout:
    """この Python とパッケージ ``package_dir`` を読み取り専用で見せる基本の配置。

    ``passwd_dir`` には箱の中の /etc/passwd と /etc/group を書く (ユーザー名を引くライブラリのため)。
    """
    passwd_dir = Path(passwd_dir)
    passwd_dir.mkdir(parents=True, exist_ok=True)
    uid, gid = os.getuid(), os.getgid()
    (passwd_dir / "passwd").write_text(f"student:x:{uid}:{gid}:student:/tmp:/bin/sh\n", encoding="utf-8")
    (passwd_dir / "group").write_text(f"student:x:{gid}:\n", encoding="utf-8")
    binds, links = _system_binds()
    python_dirs = _python_dirs()
    binds += [(d, d) for d in python_dirs]
    package_dir = os.path.realpath(package_dir)
    binds.append((package_dir, package_dir))
    parent = os.path.dirname(package_dir)
    # site-packages の外のパッケージ (ソースのフォルダから PYTHONPATH で使う、別の場所を指す editable install など) は、
    # 箱の中でも採点側と同じフォルダのものを import させる (箱に見せるのはパッケージのフォルダだけ)
    outside = not any(parent == d or parent.startswith(d.rstrip("/") + "/") for d in python_dirs)
    binds += [(str(passwd_dir / "passwd"), "/etc/passwd"), (str(passwd_dir / "group"), "/etc/group")]
    bin_dir = os.path.dirname(sys.executable)
    base_env = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "USER": "student",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": "/tmp",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    if outside:
        base_env["PYTHONPATH"] = parent
    base_env.update(env or {})
    return Layout(read_only=tuple(binds), symlinks=tuple(links), env=base_env)


def wrap(argv: Sequence[str], layout: Layout, chdir: str, tmp_mb: int = 256) -> list[str]:
    """``argv`` を箱の中で実行する bwrap のコマンド。"""
    command = [bwrap_path() or "bwrap"]
    command += ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    command += ["--die-with-parent", "--new-session", "--clearenv"]
    command += ["--hostname", "sandbox"]
    command += ["--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp"]
    command += ["--proc", "/proc", "--dev", "/dev"]
    for target, path in layout.symlinks:
        command += ["--symlink", target, path]
    for source, target in layout.read_only:
        command += ["--ro-bind", source, target]
    for source, target in layout.writable:
        command += ["--bind", source, target]
    for name, value in layout.env.items():
        command += ["--setenv", name, value]
    command += ["--chdir", chdir, "--"]
    return command + list(argv)
