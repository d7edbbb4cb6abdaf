"""The single-page edition (``-b singlehtml``, served beside the site under ``single/``).

Two things Sphinx's own builder leaves wrong for this site, mended in its one page:

* links to a label resolve to ``#document-NAME#label`` there (MyST's references, the
  theme's table of contents and the mistake list alike): two fragments, so the browser
  finds neither. The last one is kept, as Sphinx's retired
  ``SingleFileHTMLBuilder.fix_refuris`` did for its own references.
* the theme's search box and index link point at ``search.html`` and ``genindex.html``,
  which only the full site has: they are pointed one directory up, at the site's own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

_DOUBLE_ANCHOR = re.compile(r'href="#document-[^"#]*#([^"#]*)"')
#: pages only the full site has, as the theme links them from the single page
_SITE_ONLY = re.compile(r'(href|action)="(search\.html|genindex\.html)"')


def mend(html: str) -> str:
    html = _DOUBLE_ANCHOR.sub(r'href="#\1"', html)
    return _SITE_ONLY.sub(r'\1="../\2"', html)


def _mend_page(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.name != "singlehtml":
        return
    page = Path(app.outdir) / "index.html"
    page.write_text(mend(page.read_text(encoding="utf-8")), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _mend_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
