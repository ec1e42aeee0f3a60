# Sphinx の設定: 講座のウェブサイト (本文と演習。模範解答は含めない)。
#
# 作るのは `python -m rnncourse.classroom.site OUTDIR` です (README「講座をウェブサイトで読む」)。
# そのコマンドが notebooks/ と exercises/ の .ipynb と目次のページ (index.md) を一時フォルダに並べ、
# このフォルダを設定の場所 (confdir) として sphinx-build を呼びます。
#
# 外から何も読み込みません: MathJax 3、ウィジェットの描画 (@jupyter-widgets/html-manager) と require.js は
# _static/vendor/ に置いたもの (出どころは _static/vendor/MANIFEST.json、更新は docs/update_vendor.py)。

project = "rnncourse — 日本語で学ぶ再帰型ニューラルネットワーク"
author = "rnncourse developers"
copyright = "rnncourse developers"
language = "ja"

extensions = ["myst_nb", "rnncourse.classroom.jasearch"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# ノートブックは保存した出力をそのまま表示する (ここでは実行しない。出力は nbval が確かめたもの)
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# 壊れた参照は警告にし、警告はすべてエラーにする (site.py が warningiserror=True で呼ぶ)
nitpicky = True
# 見出しの段の飛び (# の次が ###) は表示には影響しないので、それだけは警告にしない (第1章に 2 か所ある)
suppress_warnings = ["myst.header"]

html_theme = "sphinx_book_theme"
html_title = "rnncourse — RNN 講座"
html_static_path = ["_static"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
}

# 数式: MathJax 3 をサイトの中から読む (mathjax_path は _static からの相対パス)。
# フォントは tex-chtml-full.js と同じフォルダの output/chtml/fonts/woff-v2/ から読まれる。
mathjax_path = "vendor/mathjax/tex-chtml-full.js"
# MathJax の設定に足す (myst-nb の設定のあと、defer で読む MathJax 本体より先に実行される)。ウィジェットの描画が使う MathJax 2 の呼び出しを MathJax 3 につなぐ。
html_js_files = [("mathjax-compat.js", {"priority": 900})]

# 保存したウィジェットの状態 (metadata.widgets) を静的に描く。既定では CDN から読むので、サイトの中のものにする。
# data-jupyter-widgets-cdn は、講座で使わない種類のウィジェット (html-manager に入っていないもの) が
# あったときに取りに行く先。外に出ないように、存在しないサイト内の場所を指しておく。
nb_ipywidgets_js = {
    "vendor/requirejs/require.js": {},
    "vendor/html-manager/embed-amd.js": {"data-jupyter-widgets-cdn": "_static/vendor/none/"},
}

# 日本語の検索: 索引も検索語も同じ分かち書き (TinySegmenter) で語に分ける。索引の側は Sphinx が、検索語の側は
# 拡張 rnncourse.classroom.jasearch がブラウザで分ける。検索語「隠れ状態」は「隠れ」と「状態」の両方を含むページを探す。
html_search_language = "ja"
