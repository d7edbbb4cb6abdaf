"""What readers and hosts expect of a published docs site, and a Content-Security-Policy.

* ``404.html``: a furo page whose links are absolute paths under the base URL, so it works
  wherever the host serves it (``/no/such/page.html`` included);
* ``sitemap.xml`` (every page, with its git date) and OpenGraph ``<meta>`` tags, built from
  ``html_baseurl`` (``PIPESPEC_BASE_URL`` in ``conf.py``);
* a ``<meta http-equiv="Content-Security-Policy">`` on every page (``_templates/base.html``).
  Scripts come only from the site itself: no inline script, no ``eval``. Furo's and
  docutils' inline styles (``style="width: 20%"``, the Pygments colour variables) are
  allowed one by one: after the build each page gets the hashes of exactly its own inline
  styles (``'unsafe-hashes'`` covers ``style`` attributes). An inline script or an event
  handler attribute in any page fails the build.

The base URL and the repository are settings, not hard-wired: see ``conf.py``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The policy; ``style-src`` gets each page's inline style hashes after the build.
CSP = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],  # furo's CSS draws some icons as data: SVG
    "font-src": ["'self'"],
    "connect-src": ["'self'"],  # the search page fetches result pages for their summaries
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
}
NOT_FOUND = "404"
#: Pages with no place in a sitemap.
UNLISTED = {NOT_FOUND, "search", "genindex"}

_META_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_STYLE_ATTR = re.compile(r"""<[a-zA-Z][^>]*?\sstyle=("([^"]*)"|'([^']*)')""")
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
_HANDLER_ATTR = re.compile(r"<[a-zA-Z][^>]*?\son[a-z]+\s*=", re.I)
_JS_URL = re.compile(r"""\b(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)
_URL_ATTR = re.compile(r"""(\s(?:href|src|action|data-content_root)=")([^"]*)(")""")


def csp_text(style_hashes: Sequence[str] = ()) -> str:
    directives = {name: list(sources) for name, sources in CSP.items()}
    if style_hashes:
        directives["style-src"] += ["'unsafe-hashes'", *style_hashes]
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def inline_style_hashes(page: str) -> list[str]:
    """The CSP hashes of a page's ``<style>`` elements and ``style`` attributes."""
    texts = [m.group(1) for m in _STYLE_ELEMENT.finditer(page)]
    for m in _STYLE_ATTR.finditer(page):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        texts.append(html.unescape(value))
    return sorted({_sha256(t) for t in texts})


def script_problems(page: str) -> list[str]:
    """Inline scripts, event handler attributes and ``javascript:`` URLs in a page."""
    problems = [f"inline script {m.group()!r}" for m in _INLINE_SCRIPT.finditer(page)]
    problems += [f"event handler in {m.group()[:60]!r}" for m in _HANDLER_ATTR.finditer(page)]
    problems += [f"javascript: URL {m.group()!r}" for m in _JS_URL.finditer(page)]
    return problems


def apply_csp(page: str, extra_hashes: Sequence[str] = ()) -> str:
    """``page`` with its CSP ``<meta>`` listing the hashes of its own inline styles."""
    policy = csp_text(sorted({*inline_style_hashes(page), *extra_hashes}))
    quoted = html.escape(policy, quote=False)
    return _META_CSP.sub(lambda m: m.group(1) + quoted + m.group(3), page, count=1)


def base_url(app: Sphinx) -> str:
    url = app.config.html_baseurl or "/"
    return url if url.endswith("/") else url + "/"


def absolute_paths(page: str, base_path: str) -> str:
    """Make the relative URLs of a page at the site's root absolute paths under ``base_path``.

    A 404 page is served for any missing path, at any depth: ``_static/furo.css`` must
    become ``/pipespec/_static/furo.css``. Fragments, absolute URLs and ``data:`` stay.
    """

    def fix(m: re.Match[str]) -> str:
        url = html.unescape(m.group(2))
        if url.startswith(("#", "/", "data:", "mailto:")) or urlsplit(url).scheme:
            return m.group()
        joined = posixpath.normpath(posixpath.join(base_path, url))
        if url.endswith("/") or url in ("", "."):
            joined = joined.rstrip("/") + "/"
        return m.group(1) + html.escape(joined) + m.group(3)

    return _URL_ATTR.sub(fix, page)


# ---- OpenGraph -------------------------------------------------------------------------


def _description(doctree: nodes.document | None, limit: int = 160) -> str:
    if doctree is None:
        return ""
    for para in doctree.findall(nodes.paragraph):
        if isinstance(para.parent, nodes.Admonition | nodes.caption | nodes.entry):
            continue
        text = " ".join(para.astext().split())
        if text:
            return text if len(text) <= limit else text[: limit - 1] + "…"
    return ""


def _meta(prop: str, content: str, attr: str = "property") -> str:
    return f'<meta {attr}="{html.escape(prop)}" content="{html.escape(content)}">'


def _on_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    context["pipespec_csp"] = csp_text()
    if pagename == NOT_FOUND:
        context["show_source"] = False
    title = re.sub(r"<[^>]+>", "", html.unescape(context.get("title") or "")).strip()
    site = app.config.project
    url = base_url(app) + app.builder.get_target_uri(pagename)
    tags = [
        _meta("og:type", "website" if pagename == app.config.root_doc else "article"),
        _meta("og:site_name", site),
        _meta("og:title", title or site),
        _meta("og:locale", "ja_JP"),
    ]
    if pagename == NOT_FOUND:
        tags.append(_meta("robots", "noindex", attr="name"))
    else:
        tags.append(_meta("og:url", url))
    description = _description(doctree)
    if description:
        tags.append(_meta("og:description", description))
        tags.append(_meta("description", description, attr="name"))
    context["metatags"] = context.get("metatags", "") + "\n" + "\n".join(tags)


# ---- accessibility fixes (axe-core, tests/test_browser.py) ----------------------------

_CAPTION_HEADING = re.compile(r'(<p class="caption" role="heading")(?! aria-level)')
_CODE_PRE = re.compile(r'(<div class="highlight"><pre)(?=>)')


def accessible(fragment: str) -> str:
    """Fix what axe-core calls serious or critical in Sphinx's and furo's HTML.

    * a toctree caption is ``role="heading"`` without the ``aria-level`` a heading needs;
    * a code block that scrolls sideways cannot be scrolled from the keyboard unless it
      can take the focus.
    """
    fragment = _CAPTION_HEADING.sub(r'\1 aria-level="2"', fragment)
    return _CODE_PRE.sub(r'\1 tabindex="0"', fragment)


def _on_page_context_a11y(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    for key in ("body", "furo_navigation_tree"):
        if isinstance(context.get(key), str):
            context[key] = accessible(context[key])


# ---- 404 -------------------------------------------------------------------------------


def _collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    body = (
        '<section id="not-found">\n<h1>ページが見つかりません (404)</h1>\n'
        "<p>お探しのページは移動したか、削除されたか、URL が間違っています。</p>\n"
        "<ul>\n"
        f'<li><a href="{app.builder.get_target_uri(app.config.root_doc)}">トップページ</a>'
        " から探す</li>\n"
        '<li><a href="search.html">サイト内検索</a> で探す</li>\n'
        f'<li><a href="{app.builder.get_target_uri("mistakes/index")}">よくある間違いの一覧</a>'
        " を見る</li>\n"
        "</ul>\n</section>\n"
    )
    yield NOT_FOUND, {"title": "ページが見つかりません", "body": body}, "page.html"


# ---- after the build: CSP hashes, the 404 page's links, the sitemap ---------------------


def _sitemap(app: Sphinx, outdir: Path) -> None:
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    ET.register_namespace("", ns)
    urlset = ET.Element(f"{{{ns}}}urlset")
    dates: dict[str, datetime] = getattr(app.env, "git_dates", {})
    today = datetime.now(tz=UTC)
    for docname in sorted(app.env.found_docs):
        if docname in UNLISTED or "orphan" in app.env.metadata.get(docname, {}):
            continue
        entry = ET.SubElement(urlset, f"{{{ns}}}url")
        ET.SubElement(entry, f"{{{ns}}}loc").text = base_url(app) + app.builder.get_target_uri(
            docname
        )
        source = app.env.doc2path(docname, base=False)
        when = dates.get(Path(source).as_posix(), today)
        ET.SubElement(entry, f"{{{ns}}}lastmod").text = when.strftime("%Y-%m-%d")
    ET.indent(urlset)
    ET.ElementTree(urlset).write(outdir / "sitemap.xml", encoding="utf-8", xml_declaration=True)


def _build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    problems = []
    pages = {path.relative_to(outdir).as_posix(): path for path in sorted(outdir.rglob("*.html"))}
    texts = {rel: path.read_text(encoding="utf-8") for rel, path in pages.items()}
    # The search page parses every page it lists (for the summaries): in the browser that
    # document falls under the search page's policy, so it allows the styles of them all.
    every_style = sorted({h for page in texts.values() for h in inline_style_hashes(page)})
    for rel, page in texts.items():
        problems += [f"{rel}: {p}" for p in script_problems(page)]
        fixed = page
        if rel == f"{NOT_FOUND}.html":
            fixed = absolute_paths(fixed, urlsplit(base_url(app)).path or "/")
        fixed = apply_csp(fixed, every_style if rel == "search.html" else ())
        if fixed != page:
            pages[rel].write_text(fixed, encoding="utf-8")
    if problems:
        raise ExtensionError(
            "the Content-Security-Policy allows no inline script:\n  " + "\n  ".join(problems)
        )
    _sitemap(app, outdir)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _on_page_context)
    # after furo's handler, which renders the navigation tree
    app.connect("html-page-context", _on_page_context_a11y, priority=900)
    app.connect("html-collect-pages", _collect_pages)
    app.connect("build-finished", _build_finished)
    # Before translations.js: Documentation.addTranslations without eval.
    app.add_js_file("pipespec-csp.js", priority=300)
    # After copybutton.js and tabs.js: exact copies of files, tab choices remembered.
    app.add_js_file("pipespec.js", priority=510)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
