"""Japanese search that splits the reader's query the way the index was split.

Sphinx indexes Japanese text with TinySegmenter (``sphinx.search.ja.DefaultSplitter``),
but its JavaScript splits the query only on non-word characters: ``更新する`` is looked
up as one word and finds nothing. This extension replaces the ``ja`` search language:

* the index and the query are split by one function: NFKC normalisation (full-width
  ``ＡＷＳ`` and half-width ``ｺﾝﾃﾅ`` read as ``AWS`` and ``コンテナ``), then TinySegmenter,
  then the non-word characters inside a token (``ブルー/グリーン``, ``・ロードバランサー``);
* the browser runs a JavaScript port of TinySegmenter whose model is generated here from
  Sphinx's Python tables, so both sides always split alike (``tests/test_browser.py``
  compares them on every text of the site);
* ``ja_search.js`` (appended to ``language_data.js``, which only the search page loads)
  matches compounds against the index vocabulary (``ブルーグリーンデプロイメント`` is
  ``ブルー`` + ``グリーンデプロイメント``; a page about ``コンテナイメージ`` is found by
  ``コンテナ``) and ranks an exact title match first.

Everything is served from the site itself: no third-party script, no request elsewhere.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.search.ja import DefaultSplitter, SearchJapanese

HERE = Path(__file__).parent
_NON_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """The form both the index and the query are split in."""
    return unicodedata.normalize("NFKC", text)


class Splitter(DefaultSplitter):
    """TinySegmenter on normalised text, each token cut at its non-word characters."""

    def split(self, input: str) -> list[str]:
        return [
            part
            for token in super().split(normalise(input))
            for part in _NON_WORD.split(token)
            if part
        ]


def segmenter_model() -> dict[str, Any]:
    """TinySegmenter's model as Sphinx's Python splitter holds it (feature tables, bias)."""
    tables = {
        name: value
        for name, value in vars(DefaultSplitter).items()
        if re.fullmatch(r"[A-Z0-9]+__", name)
    }
    types = [[pattern.pattern, value] for pattern, value in DefaultSplitter.patterns_.items()]
    return {"tables": tables, "types": types}


def javascript() -> str:
    """The code appended to ``language_data.js``: the model, then ``ja_search.js``."""
    model = json.dumps(segmenter_model(), ensure_ascii=False, sort_keys=True)
    code = (HERE / "ja_search.js").read_text(encoding="utf-8")
    return code.replace("/* MODEL */ null", model, 1)


class SearchPipespecJapanese(SearchJapanese):
    """``ja`` with the splitter above and its JavaScript twin."""

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self.splitter = Splitter(options)
        self.js_splitter_code = javascript()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_search_language(SearchPipespecJapanese)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
