"""サイトの日本語検索: ブラウザでも検索語を索引と同じ規則で語に分ける (Sphinx の拡張)。

Sphinx は ``html_search_language = "ja"`` のとき、索引を作る文章を TinySegmenter (``sphinx.search.ja.DefaultSplitter``)
で語に分けます (「隠れ状態」→「隠れ」「状態」)。ところがブラウザの検索は検索語を空白と記号でしか分けないので、
「隠れ状態」「勾配消失」のような複合語は索引のどの語とも一致せず、何も見つかりません。この拡張は、同じ分割器の
重みの表をそのまま JavaScript に書き出し、検索語も同じ規則で分けるようにします::

    >>> split_query("隠れ状態と勾配消失")
    ['隠れ', '状態', '勾配', '消失']

1 文字の語 (「の」「種」など) は索引に入らない (Sphinx の日本語の規則) ので、検索語からも外します。
``docs/conf.py`` の ``extensions`` に ``"rnncourse.classroom.jasearch"`` を加えると使われます。
"""

from __future__ import annotations

import json
import re
from typing import Any

from sphinx.search.ja import DefaultSplitter, SearchJapanese

__all__ = ["split_query", "splitter_javascript", "JapaneseSearch", "setup"]

# ブラウザの既定の分け方 (searchtools.js) と同じ: 文字・数字・_ 以外の並びで切る
_CHUNKS = re.compile(r"[^\w]+")


def split_query(query: str) -> list[str]:
    """検索語を、ブラウザの検索 (:func:`splitter_javascript`) と同じ規則で語に分ける (小文字にする)。"""
    splitter = DefaultSplitter({})
    words: list[str] = []
    for chunk in _CHUNKS.split(query.strip()):
        if chunk:
            words += [word.lower() for word in splitter.split(chunk) if len(word) > 1]
    return words


def _tables() -> dict[str, Any]:
    """DefaultSplitter の重みの表 (BIAS__, UW1__ など) と文字の種類の規則。"""
    tables: dict[str, Any] = {
        name[:-2]: value
        for name, value in vars(DefaultSplitter).items()
        if re.fullmatch(r"[A-Z]+\d?__", name) and isinstance(value, (dict, int))
    }
    tables["patterns"] = [[pattern.pattern, kind] for pattern, kind in DefaultSplitter.patterns_.items()]
    return tables


_JS = """
var splitQuery = (function () {
  // rnncourse.classroom.jasearch が sphinx.search.ja.DefaultSplitter の表から作ったもの
  const T = %(tables)s;
  const patterns = T.patterns.map(([source, kind]) => [new RegExp(source, "u"), kind]);
  const ctype = (ch) => {
    for (const [pattern, kind] of patterns) if (pattern.test(ch)) return kind;
    return "O";
  };
  const ts = (table, key) => (Object.prototype.hasOwnProperty.call(table, key) ? table[key] : 0);
  const segment = (input) => {
    const chars = Array.from(input);
    if (chars.length === 0) return [];
    const seg = ["B3", "B2", "B1", ...chars, "E1", "E2", "E3"];
    const ct = ["O", "O", "O", ...chars.map(ctype), "O", "O", "O"];
    const result = [];
    let word = seg[3], p1 = "U", p2 = "U", p3 = "U";
    for (let i = 4; i < seg.length - 3; i++) {
      const [w1, w2, w3, w4, w5, w6] = seg.slice(i - 3, i + 3);
      const [c1, c2, c3, c4, c5, c6] = ct.slice(i - 3, i + 3);
      let score = T.BIAS;
      score += ts(T.UP1, p1) + ts(T.UP2, p2) + ts(T.UP3, p3);
      score += ts(T.BP1, p1 + p2) + ts(T.BP2, p2 + p3);
      score += ts(T.UW1, w1) + ts(T.UW2, w2) + ts(T.UW3, w3) + ts(T.UW4, w4) + ts(T.UW5, w5) + ts(T.UW6, w6);
      score += ts(T.BW1, w2 + w3) + ts(T.BW2, w3 + w4) + ts(T.BW3, w4 + w5);
      score += ts(T.TW1, w1 + w2 + w3) + ts(T.TW2, w2 + w3 + w4) + ts(T.TW3, w3 + w4 + w5) + ts(T.TW4, w4 + w5 + w6);
      score += ts(T.UC1, c1) + ts(T.UC2, c2) + ts(T.UC3, c3) + ts(T.UC4, c4) + ts(T.UC5, c5) + ts(T.UC6, c6);
      score += ts(T.BC1, c2 + c3) + ts(T.BC2, c3 + c4) + ts(T.BC3, c4 + c5);
      score += ts(T.TC1, c1 + c2 + c3) + ts(T.TC2, c2 + c3 + c4) + ts(T.TC3, c3 + c4 + c5) + ts(T.TC4, c4 + c5 + c6);
      score += ts(T.UQ1, p1 + c1) + ts(T.UQ2, p2 + c2) + ts(T.UQ1, p3 + c3);  // UQ1 が 2 回: Sphinx の Python 版と同じ
      score += ts(T.BQ1, p2 + c2 + c3) + ts(T.BQ2, p2 + c3 + c4) + ts(T.BQ3, p3 + c2 + c3) + ts(T.BQ4, p3 + c3 + c4);
      score += ts(T.TQ1, p2 + c1 + c2 + c3) + ts(T.TQ2, p2 + c2 + c3 + c4);
      score += ts(T.TQ3, p3 + c1 + c2 + c3) + ts(T.TQ4, p3 + c2 + c3 + c4);
      let p = "O";
      if (score > 0) {
        result.push(word.trim());
        word = "";
        p = "B";
      }
      p1 = p2; p2 = p3; p3 = p;
      word += seg[i];
    }
    result.push(word.trim());
    return result;
  };
  return (query) =>
    query
      .split(/[^\\p{Letter}\\p{Number}_\\p{Emoji_Presentation}]+/gu)
      .filter((chunk) => chunk)
      .flatMap((chunk) => segment(chunk))
      .filter((word) => Array.from(word).length > 1);  // 1 文字の語は索引に入らない
})();
"""


def splitter_javascript() -> str:
    """``language_data.js`` に入れる ``splitQuery`` の定義 (索引と同じ分割器を JavaScript にしたもの)。"""
    return _JS % {"tables": json.dumps(_tables(), ensure_ascii=False, sort_keys=True)}


class JapaneseSearch(SearchJapanese):
    """Sphinx の日本語検索に、ブラウザ側の検索語の分割を加えたもの。"""

    js_splitter_code = splitter_javascript()


def setup(app: Any) -> dict[str, Any]:
    """Sphinx の拡張の入口: 日本語の検索言語を :class:`JapaneseSearch` に置き換える。"""
    app.add_search_language(JapaneseSearch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
