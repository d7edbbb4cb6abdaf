"""A Content-Security-Policy for every page, and what the publishing libraries leave to us.

The 404 page, ``sitemap.xml``, the OpenGraph tags and the page dates come from
sphinx-notfound-page, sphinx-sitemap, sphinxext-opengraph and sphinx-last-updated-by-git,
set up in ``conf.py``. This module keeps only what they cannot do:

* a ``<meta http-equiv="Content-Security-Policy">`` on every page (``_templates/base.html``
  writes ``pipespec_csp`` from the page context). Scripts come only from the site itself:
  no inline script, no ``eval``. Furo's and docutils' inline styles (``style="width: 20%"``,
  the Pygments colour variables) are allowed one by one: after the build each page gets the
  hashes of exactly its own inline styles (``'unsafe-hashes'`` covers ``style``
  attributes). An inline script or an event handler attribute in any page fails the build;
* the description (``og:description`` and ``<meta name="description">``): the page's first
  paragraph on one line. sphinxext-opengraph's own puts a space between any two inline
  nodes, which splits Japanese sentences;
* ``og:type`` "website" for the front page only (the library has one type for all);
* the 404 page's ``data-content_root`` (sphinx-notfound-page rewrites its links, not that);
* the build date on a page git has no date for (a new page, a tree without git): the
  library shows none. Outside a git work tree and in a shallow clone, where the library
  warns (and ``-W`` fails the build), one line says the pages show the build date;
* a directory a directive notes as a dependency (so that a file added there rebuilds the
  page) is set aside while sphinx-last-updated-by-git dates the pages: it asks git for
  each dependency as a file, and a directory stops the build;
* two accessibility fixes in Sphinx's and furo's HTML (:func:`accessible`).

The base URL and the repository are settings, not hard-wired: see ``conf.py``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.i18n import format_date

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

_META_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_STYLE_ATTR = re.compile(r"""<[a-zA-Z][^>]*?\sstyle=("([^"]*)"|'([^']*)')""")
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
_HANDLER_ATTR = re.compile(r"<[a-zA-Z][^>]*?\son[a-z]+\s*=", re.I)
_JS_URL = re.compile(r"""\b(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


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


# ---- beside the libraries: what they leave to us ---------------------------------------


def description(doctree: nodes.document | None, limit: int = 160) -> str:
    """The page's first paragraph of running text, on one line, for the description tags.

    sphinxext-opengraph's own joins every two inline nodes with a space, which splits
    Japanese sentences (``buildspec(ビルド仕様、 buildspec.yml) に``).
    """
    if doctree is None:
        return ""
    for para in doctree.findall(nodes.paragraph):
        if isinstance(para.parent, nodes.Admonition | nodes.caption | nodes.entry):
            continue
        text = " ".join(para.astext().split())
        if text:
            return text if len(text) <= limit else text[: limit - 1] + "…"
    return ""


def _on_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    context["pipespec_csp"] = csp_text()
    if pagename == app.config.notfound_pagename:
        # sphinx-notfound-page makes the 404 page's links absolute, not the root it declares
        context["content_root"] = app.config.notfound_urls_prefix or "/"
    if context.get("meta") is None:
        return
    # sphinxext-opengraph takes og: tags from the page's fields: set them on a copy
    fields = dict(context["meta"])
    if pagename == app.config.root_doc:
        fields.setdefault("og:type", "website")
    text = html.escape(description(doctree))
    if text:
        fields.setdefault("og:description", text)
        # the library adds its own <meta name="description"> only when a page has none
        context["metatags"] = context.get("metatags", "") + (
            f'\n<meta name="description" content="{text}">'
        )
    context["meta"] = fields


def _on_page_context_dated(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The build date, as Sphinx gives it, on a page git has no date for (a new page, the
    index, the 404 page): sphinx-last-updated-by-git shows none there."""
    fmt = app.config.html_last_updated_fmt
    if fmt and context.get("last_updated") is None:
        context["last_updated"] = format_date(fmt, language=app.config.language)


def git_work_tree(path: str | Path) -> tuple[bool, bool]:
    """Whether ``path`` is in a git work tree, and whether that clone is shallow."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree", "--is-shallow-repository"],
            cwd=path,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return False, False
    return out[:1] == ["true"], out[1:2] == ["true"]


def _on_config_inited(app: Sphinx, config: Config) -> None:
    """Without the history, pages show the build date: said once, not a warning per page.

    sphinx-last-updated-by-git warns (and ``-W`` fails the build) outside git, as in an
    unpacked archive of the repository, and in a shallow clone.
    """
    inside, shallow = git_work_tree(app.srcdir)
    if not inside:
        quiet = ["git.subprocess_error", "git.command_not_found"]
        logger.info("site_publish: no git work tree, every page shows the build date")
    elif shallow:
        quiet = ["git.too_shallow"]
        logger.info("site_publish: a shallow clone, pages older than it show the build date")
    else:
        return
    config.suppress_warnings = [*config.suppress_warnings, *quiet]


#: docname -> its directory dependencies, set aside while sphinx-last-updated-by-git runs
_set_aside: dict[str, set[Any]] = {}


def _set_aside_directories(app: Sphinx, env: BuildEnvironment) -> None:
    """sphinx-last-updated-by-git asks git for each dependency as a file: a directory (which
    a directive notes so that a file added there rebuilds the page) is never matched in the
    log, and the library's assertion stops the build. Directories sit out its handler; the
    files in them, noted too, still date the page."""
    _set_aside.clear()
    for docname, deps in env.dependencies.items():
        dirs = {dep for dep in deps if (Path(env.srcdir) / dep).is_dir()}
        if dirs:
            _set_aside[docname] = dirs
            deps -= dirs


def _restore_directories(app: Sphinx, env: BuildEnvironment) -> None:
    for docname, dirs in _set_aside.items():
        env.dependencies[docname] |= dirs
    _set_aside.clear()


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
    # "toc": the page's own contents; in the single-page edition, the whole site's toctree
    for key in ("body", "furo_navigation_tree", "toc"):
        if isinstance(context.get(key), str):
            context[key] = accessible(context[key])


# ---- after the build: each page's CSP hashes ---------------------------------------


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
        fixed = apply_csp(page, every_style if rel == "search.html" else ())
        if fixed != page:
            pages[rel].write_text(fixed, encoding="utf-8")
    if problems:
        raise ExtensionError(
            "the Content-Security-Policy allows no inline script:\n  " + "\n  ".join(problems)
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _on_config_inited)
    # around sphinx-last-updated-by-git's handler (500)
    app.connect("env-updated", _set_aside_directories, priority=499)
    app.connect("env-updated", _restore_directories, priority=501)
    # before sphinxext-opengraph's handler (500), which reads the page's fields
    app.connect("html-page-context", _on_page_context, priority=499)
    # after sphinx-last-updated-by-git's (500), which leaves no date where git has none
    app.connect("html-page-context", _on_page_context_dated, priority=501)
    # after furo's handler, which renders the navigation tree
    app.connect("html-page-context", _on_page_context_a11y, priority=900)
    app.connect("build-finished", _build_finished)
    # Before translations.js: Documentation.addTranslations without eval.
    app.add_js_file("pipespec-csp.js", priority=300)
    # After copybutton.js and tabs.js: exact copies of files, tab choices remembered.
    app.add_js_file("pipespec.js", priority=510)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
