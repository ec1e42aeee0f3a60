"""ウェブサイトとスライドが使う JavaScript・CSS・フォントを npm のパッケージから取り出して置き直す (保守する人向け)。

    python docs/update_vendor.py          # npm が必要 (npm のレジストリから、版を固定したパッケージを取る)

取り出したファイルは ``docs/_static/vendor/`` にコミットしてあり、サイトとスライドを作るときには何も
ダウンロードしません (CDN にも npm にもつながらない)。この台本は版を上げるときだけ使います。
各ファイルの出どころ (パッケージ・版・ライセンス・SHA-256) は ``MANIFEST.json`` に書き、
``tests/classroom/test_site.py`` がファイルと食い違わないことを確かめます。
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "_static" / "vendor"

#: (npm のパッケージ@版, ライセンス, [(パッケージの中のパス (末尾 / ならその中の glob), vendor/ の中の置き場所)])
PACKAGES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("mathjax@3.2.2", "Apache-2.0", [
        ("es5/tex-chtml-full.js", "mathjax/tex-chtml-full.js"),
        ("es5/output/chtml/fonts/woff-v2/*.woff", "mathjax/output/chtml/fonts/woff-v2/"),
        ("LICENSE", "licenses/mathjax.txt"),
    ]),
    ("@jupyter-widgets/html-manager@1.0.6", "BSD-3-Clause", [
        ("dist/embed-amd.js", "html-manager/embed-amd.js"),
        ("dist/*.woff2", "html-manager/"),
        ("dist/*.woff", "html-manager/"),
        ("dist/embed.js.LICENSE.txt", "licenses/html-manager-bundled.txt"),
        ("LICENSE", "licenses/html-manager.txt"),
    ]),
    ("requirejs@2.3.7", "MIT", [
        ("require.js", "requirejs/require.js"),
    ]),
    ("jquery@3.8.0", "MIT", [
        ("dist/jquery.min.js", "jquery/jquery.min.js"),
        ("LICENSE.txt", "licenses/jquery.txt"),
    ]),
    ("reveal.js@4.6.0", "MIT", [
        ("dist/reveal.js", "reveal.js/dist/reveal.js"),
        ("dist/reveal.css", "reveal.js/dist/reveal.css"),
        ("dist/theme/white.css", "reveal.js/dist/theme/white.css"),
        ("dist/theme/fonts/source-sans-pro/source-sans-pro.css", "reveal.js/dist/theme/fonts/source-sans-pro/source-sans-pro.css"),
        ("dist/theme/fonts/source-sans-pro/*.woff", "reveal.js/dist/theme/fonts/source-sans-pro/"),
        ("dist/theme/fonts/source-sans-pro/LICENSE", "licenses/source-sans-pro.txt"),
        ("plugin/notes/notes.js", "reveal.js/plugin/notes/notes.js"),
        ("LICENSE", "licenses/reveal.js.txt"),
    ]),
]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    if shutil.which("npm") is None:
        print("npm が見つかりません (Debian / Ubuntu: sudo apt-get install npm)。", file=sys.stderr)
        return 2
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    manifest: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for spec, licence, items in PACKAGES:
            name = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, check=True, capture_output=True,
                                  text=True).stdout.strip().splitlines()[-1]
            unpacked = Path(tmp) / (name + ".d")
            with tarfile.open(Path(tmp) / name) as archive:
                archive.extractall(unpacked, filter="data")
            root = unpacked / "package"
            for source, target in items:
                matches = sorted(root.glob(source))
                if not matches:
                    raise SystemExit(f"{spec} に {source} がありません。")
                for found in matches:
                    destination = VENDOR / (target + found.name if target.endswith("/") else target)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(found, destination)
                    manifest[destination.relative_to(VENDOR).as_posix()] = {
                        "package": spec, "path": found.relative_to(root).as_posix(), "license": licence,
                        "sha256": _sha256(destination),
                    }
    (VENDOR / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    print(f"{VENDOR} に {len(manifest)} 個のファイルを置きました。")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
