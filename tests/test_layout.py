"""The site's layout, measured in Chromium at a desktop (1280x900) and a phone (390x844) size.

Every page is opened at both sizes and measured (``MEASURE``, in the page):

* no table column is narrower than its longest word: each word of each cell (Chromium's
  own word segmentation, ``Intl.Segmenter``) fits in its cell's width, and no word runs out
  of its cell (a cut-off link). A column too wide for the page scrolls inside furo's
  ``.table-wrapper`` instead;
* the page itself never scrolls sideways;
* every SVG picture is readable where it stands (its smallest text at least ``READABLE``
  px high, from the SVG's font sizes and the scale it is drawn at) or a link to the SVG,
  which opens at full size, where it is readable; no SVG's text is clipped by its frame;
* shell commands and tool output wrap instead of scrolling sideways; long tool output is
  collapsed under a one-line summary;
* a page longer than ``LONG_PAGE`` px at 1280 px shows its table of contents beside it.

Nothing here depends on how long anything takes. The pages are the ``site`` fixture's
(built once per session); the browser is the one ``tests/test_browser.py`` uses.
Screenshots go to ``build/screens/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import test_browser as tb
from sitebuild import Server, Site

from pipespec.sphinxext import COLLAPSE_LINES

SCREENS = tb.ROOT / "build" / "screens"
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
#: Text smaller than this many CSS px is not readable without zooming.
READABLE = 9.0
#: Pages taller than this at 1280 px need a table of contents in view.
LONG_PAGE = 8000
SCREENSHOTS = ("codedeploy/index.html", "overview/code-services.html", "reference/benchmarks.html")

MEASURE = """
async () => {
  await document.fonts.ready;
  const shown = (el) => el.getClientRects().length > 0;
  const words = new Intl.Segmenter("ja", { granularity: "word" });
  const result = {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    height: document.scrollingElement.scrollHeight,
    tables: 0, cells: 0, narrow: [], images: [], code: [], outputs: [],
  };
  for (const table of document.querySelectorAll("article table")) {
    if (!shown(table)) continue;
    result.tables += 1;
    for (const cell of table.querySelectorAll("th, td")) {
      result.cells += 1;
      const box = cell.getBoundingClientRect();
      const style = getComputedStyle(cell);
      const left = box.left + parseFloat(style.paddingLeft);
      const right = box.right - parseFloat(style.paddingRight);
      const text = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = text.nextNode(); node; node = text.nextNode()) {
        for (const s of words.segment(node.data)) {
          if (!s.isWordLike) continue;
          const range = document.createRange();
          range.setStart(node, s.index);
          range.setEnd(node, s.index + s.segment.length);
          const rects = [...range.getClientRects()].filter((r) => r.width > 0);
          if (!rects.length) continue;
          const width = rects.reduce((sum, r) => sum + r.width, 0);
          const lines = new Set(rects.map((r) => Math.round(r.top))).size;
          const outside = Math.max(...rects.map((r) => r.right)) > right + 1;
          if ((lines > 1 && width > right - left + 1) || outside)
            result.narrow.push({ word: s.segment, width: Math.round(width),
              column: Math.round(right - left), outside });
        }
      }
    }
  }
  for (const img of document.querySelectorAll("article img")) {
    if (!shown(img) || !/\\.svg$/.test(new URL(img.currentSrc).pathname)) continue;
    const link = img.closest("a[href]");
    result.images.push({ src: img.currentSrc, width: img.getBoundingClientRect().width,
                         link: link ? link.href : null });
  }
  const shell = /highlight-(console|bash|shell|sh|text)\\b|pipespec-output/;
  for (const pre of document.querySelectorAll("article div[class*=highlight-] pre")) {
    const block = pre.closest("div[class*=highlight-]");
    if (!shown(pre) || !shell.test(block.className) || pre.closest("table.highlighttable"))
      continue;
    if (pre.scrollWidth > pre.clientWidth + 1)
      result.code.push(pre.textContent.split("\\n").sort((a, b) => b.length - a.length)[0]);
  }
  for (const block of document.querySelectorAll("article div.pipespec-output")) {
    const details = block.closest("details");
    result.outputs.push({
      lines: block.querySelector("pre").textContent.replace(/\\n+$/, "").split("\\n").length,
      collapsed: !!details && !details.open,
      summary: details ? details.querySelector("summary").textContent : null,
    });
  }
  return result;
}
"""

#: The smallest text of the SVG document this page shows (opened directly), in CSS px as
#: drawn, and the texts that reach outside the SVG's frame.
MEASURE_SVG = """
async () => {
  await document.fonts.ready;
  const svg = document.documentElement;
  const frame = svg.viewBox.baseVal;
  const drawn = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim());
  const sizes = texts.map((t) => parseFloat(getComputedStyle(t).fontSize));
  const clipped = texts.filter((t) => {
    const b = t.getBBox();
    return b.x < frame.x - 0.5 || b.y < frame.y - 0.5
      || b.x + b.width > frame.x + frame.width + 0.5
      || b.y + b.height > frame.y + frame.height + 0.5;
  }).map((t) => t.textContent.trim());
  return { frame: frame.width, drawn: drawn.width, smallest: Math.min(...sizes),
           texts: texts.length, clipped };
}
"""


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    """The session's Chromium (tests/conftest.py)."""
    return browser


def _svg(context: Any, url: str) -> dict[str, Any]:
    page = context.new_page()
    page.goto(url, wait_until="load")
    found: dict[str, Any] = page.evaluate(MEASURE_SVG)
    page.close()
    return found


@pytest.fixture(scope="module", params=sorted(VIEWPORTS))
def layout(request: Any, chromium: Any, site_server: Server, site: Site) -> dict[str, Any]:
    """Every page measured at one size: {"size", "pages": {page: MEASURE}, "svgs", "tocs"}."""
    size = request.param
    width, height = VIEWPORTS[size]
    context = tb._context(chromium, viewport={"width": width, "height": height})
    page = context.new_page()
    pages: dict[str, Any] = {}
    tocs: dict[str, Any] = {}
    SCREENS.mkdir(parents=True, exist_ok=True)
    for rel in tb._site_pages(site):
        page.goto(site_server.url + rel, wait_until="load")
        pages[rel] = page.evaluate(MEASURE)
        tocs[rel] = page.evaluate(
            """() => {
              const drawer = document.querySelector(".toc-drawer");
              const box = drawer ? drawer.getBoundingClientRect() : null;
              const button = document.querySelector(".toc-header-icon, .toc-content-icon");
              return {
                inView: !!box && box.width > 100 && box.left >= 0
                        && box.right <= window.innerWidth + 1,
                links: drawer ? drawer.querySelectorAll(".toc-tree a").length : 0,
                button: !!button && button.getClientRects().length > 0,
              };
            }"""
        )
        if rel in SCREENSHOTS:
            name = rel.removesuffix(".html").replace("/", "-")
            page.screenshot(path=str(SCREENS / f"layout-{size}-{name}.png"))
    svgs: dict[str, Any] = {}
    for found in pages.values():
        for image in found["images"]:
            for url in filter(None, (image["src"], image["link"])):
                if url not in svgs:
                    svgs[url] = _svg(context, url)
    context.close()
    assert len(pages) >= 15
    return {"size": size, "width": width, "pages": pages, "svgs": svgs, "tocs": tocs}


def test_no_table_column_is_narrower_than_its_longest_word(layout: dict[str, Any]) -> None:
    pages = layout["pages"]
    assert sum(p["tables"] for p in pages.values()) >= 20
    assert sum(p["cells"] for p in pages.values()) >= 500
    narrow = {rel: p["narrow"][:5] for rel, p in pages.items() if p["narrow"]}
    assert not narrow, (layout["size"], narrow)


def test_no_page_scrolls_sideways(layout: dict[str, Any]) -> None:
    wide = {
        rel: p["scrollWidth"]
        for rel, p in layout["pages"].items()
        if p["scrollWidth"] > p["innerWidth"] + 1
    }
    assert not wide, (layout["size"], layout["width"], wide)


def test_every_figure_is_readable_or_opens_at_full_size(layout: dict[str, Any]) -> None:
    checked, zoomed, bad = 0, 0, []
    for rel, found in layout["pages"].items():
        for image in found["images"]:
            svg = layout["svgs"][image["src"]]
            assert svg["texts"] > 0, image["src"]
            drawn = svg["smallest"] * image["width"] / svg["frame"]
            checked += 1
            if drawn >= READABLE:
                continue
            link = image["link"]
            if link and Path(link).name == Path(image["src"]).name:
                full = layout["svgs"][link]
                # opened by itself the SVG is drawn at its own size, not fitted to the phone
                at = full["smallest"] * full["drawn"] / full["frame"]
                if at >= READABLE:
                    zoomed += 1
                    continue
            bad.append(f"{rel}: {Path(image['src']).name} text {drawn:.1f} px, link {link}")
    assert checked >= 4
    assert not bad, (layout["size"], bad)
    if layout["size"] == "phone":
        assert zoomed >= 3  # the three figures are scaled below readable on a phone


def test_no_figure_text_is_clipped(layout: dict[str, Any]) -> None:
    clipped = {url: svg["clipped"] for url, svg in layout["svgs"].items() if svg["clipped"]}
    assert layout["svgs"] and not clipped, clipped


def test_commands_and_output_wrap_instead_of_scrolling(layout: dict[str, Any]) -> None:
    scrolls = {rel: p["code"] for rel, p in layout["pages"].items() if p["code"]}
    assert not scrolls, (layout["size"], scrolls)


def test_long_output_is_collapsed_under_a_summary(layout: dict[str, Any]) -> None:
    outputs = [o for p in layout["pages"].values() for o in p["outputs"]]
    long = [o for o in outputs if o["lines"] > COLLAPSE_LINES]
    assert long and len(outputs) > len(long)  # some long, some shown as they are
    assert all(o["collapsed"] and o["summary"] for o in long), [
        o for o in long if not o["collapsed"]
    ]
    assert all("終了コード" in o["summary"] for o in long), long


def test_a_long_page_shows_its_table_of_contents(layout: dict[str, Any]) -> None:
    long = [rel for rel, p in layout["pages"].items() if p["height"] > LONG_PAGE]
    assert long
    if layout["size"] == "desktop":
        hidden = [rel for rel in long if not layout["tocs"][rel]["inView"]]
        empty = [rel for rel in long if layout["tocs"][rel]["links"] < 2]
        assert not hidden and not empty, (hidden, empty)
    else:  # a phone: furo's button in the header opens it
        missing = [rel for rel in long if not layout["tocs"][rel]["button"]]
        assert not missing, missing


def test_the_sidebar_title_is_short(chromium: Any, site_server: Server) -> None:
    context = tb._context(chromium, viewport={"width": 1280, "height": 900})
    page, _watch = tb._open(context, site_server, "index.html")
    brand = page.locator(".sidebar-brand-text")
    lines = page.evaluate(
        "(el) => Math.round(el.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(el).lineHeight))",
        brand.element_handle(),
    )
    heading = page.locator("article h1").first.inner_text()
    context.close()
    assert lines <= 2, lines
    for service in ("CodePipeline", "CodeCommit", "CodeBuild", "CodeDeploy"):
        assert service in heading, (service, heading)


def test_print_shows_the_text_only(chromium: Any, site_server: Server) -> None:
    context = tb._context(chromium, viewport={"width": 1280, "height": 900})
    page, _watch = tb._open(context, site_server, "codebuild/buildspec.html")
    page.emulate_media(media="print")
    printed = page.evaluate(
        """() => {
          const external = document.querySelector("article a.reference.external[href^='http']");
          const pre = document.querySelector("article div[class*=highlight-] pre");
          const log = document.querySelector("details.pipespec-details pre");
          return {
            sidebar: getComputedStyle(document.querySelector(".sidebar-drawer")).display,
            toc: getComputedStyle(document.querySelector(".toc-drawer")).display,
            wrap: getComputedStyle(pre).whiteSpace,
            after: external ? getComputedStyle(external, "::after").content : "",
            href: external ? external.getAttribute("href") : "",
            log: !!log && log.getClientRects().length > 0,
          };
        }"""
    )
    page.pdf(path=str(SCREENS / "layout-print-buildspec.pdf"))
    context.close()
    assert printed["sidebar"] == "none" and printed["toc"] == "none", printed
    assert printed["wrap"] == "pre-wrap", printed
    assert printed["href"] and printed["href"] in printed["after"], printed
    assert printed["log"], printed
