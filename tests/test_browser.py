"""The site in a real browser: Debian's Chromium, driven by Playwright, on 127.0.0.1.

The site is built once (the ``site`` fixture) and served at its base URL's path by a
threaded ``http.server`` (``site_server``). Nothing is fetched from the network: the
browser is ``/usr/bin/chromium`` (``playwright install`` is never run) and axe-core is
read from ``node_modules/``, which ``nox -s tests`` fills with ``npm ci`` before pytest.

Artifacts (screenshots of the figures in both themes, search hits, page weights, axe
results) go to ``build/browser/``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from docutils import nodes
from sitebuild import BuildError, Server, Site, build_for, serve

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "build" / "browser"
CHROMIUM = Path(os.environ.get("PIPESPEC_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Heavier than this for one page, cold cache, and a reader on a slow line waits.
PAGE_BUDGET = 1_500_000

# Record what a page does: violations of its Content-Security-Policy, as the browser
# reports them (injected by the test harness, which the page's policy does not govern).
WATCH_SCRIPT = """
window.__pipespec = { csp: [] };
document.addEventListener("securitypolicyviolation", (e) => {
  window.__pipespec.csp.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


def _unavailable(what: str) -> None:
    """Skip on a developer machine without the tool; in CI (``CI`` set) that is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must run the browser tests: see .ci/run)", pytrace=False)
    pytest.skip(what)


@dataclass
class Watch:
    """What one page did that it should not: outside requests, errors, CSP violations."""

    origin: str
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        def on_request(request: Any) -> None:
            self.requests.append(request.url)
            if not request.url.startswith((self.origin, "data:", "blob:")):
                self.outside.append(request.url)

        page.on("request", on_request)
        page.on(
            "requestfailed",
            # ERR_ABORTED: the page itself gave up the request (it navigated away)
            lambda r: (
                None
                if r.failure == "net::ERR_ABORTED"
                else self.failed.append(f"{r.url}: {r.failure}")
            ),
        )
        page.on(
            "response",
            lambda r: self.failed.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None,
        )
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"console.{m.type}: {m.text}")
                if m.type in ("error", "assert")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def problems(self, page: Any) -> list[str]:
        csp = page.evaluate("window.__pipespec ? window.__pipespec.csp : ['no watch script']")
        return (
            [f"request outside 127.0.0.1: {u}" for u in self.outside]
            + self.errors
            + self.failed
            + [f"CSP: {v}" for v in csp]
        )


def _context(browser: Any, **kwargs: Any) -> Any:
    context = browser.new_context(**kwargs)
    context.add_init_script(WATCH_SCRIPT)
    return context


def _open(context: Any, server: Server, path: str) -> tuple[Any, Watch]:
    page = context.new_page()
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(server.url))
    watch = Watch(origin)
    watch.attach(page)
    page.goto(server.url + path, wait_until="load")
    return page, watch


def _site_pages(site: Site) -> list[str]:
    """Every HTML page of the built site (relative paths), the 404 page apart."""
    return sorted(
        p.relative_to(site.html).as_posix()
        for p in site.html.rglob("*.html")
        if p.name != "404.html"
    )


# ---- search --------------------------------------------------------------------------

#: query -> (pages one of which must come first, pages that must be found)
SEARCHES: dict[str, tuple[set[str], set[str]]] = {
    "ブルーグリーンデプロイメント": (
        {"codedeploy/ec2.html", "ecs/blue-green.html", "codedeploy/lambda.html"},
        {"codedeploy/ec2.html", "ecs/blue-green.html", "codedeploy/lambda.html"},
    ),
    "コンテナイメージを更新": (
        {"codebuild/buildspec.html"},
        {"codebuild/buildspec.html", "ecs/blue-green.html", "ecs/rolling-update.html"},
    ),
    "インプレースデプロイメント": (
        {"codedeploy/ec2.html", "codedeploy/on-premises.html"},
        {"codedeploy/ec2.html", "codedeploy/on-premises.html", "codedeploy/integrations.html"},
    ),
    "ロードバランサー": (
        {"codedeploy/integrations.html"},
        {"codedeploy/integrations.html", "codedeploy/ec2.html"},
    ),
    "buildspec": ({"codebuild/buildspec.html"}, {"codebuild/buildspec.html"}),
    "imageDetail.json": (
        {"ecs/blue-green.html"},
        {"ecs/blue-green.html", "codebuild/buildspec.html"},
    ),
    "ContainerPort": ({"ecs/blue-green.html"}, {"ecs/blue-green.html", "reference/rules.html"}),
}


def _search(page: Any, query: str) -> list[str]:
    """Type ``query`` into the sidebar's search box; the result links, best first."""
    box = page.locator("input[name=q]").first
    box.fill(query)
    box.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q="))
    page.wait_for_function(
        "() => typeof Search !== 'undefined' && Search.title"
        " && !Search.title.textContent.startsWith(_('Searching'))"
    )
    hrefs: list[str] = page.eval_on_selector_all(
        "ul.search > li > a", "links => links.map((a) => a.getAttribute('href'))"
    )
    return hrefs


@pytest.fixture(scope="module")
def search_page(browser: Any, site_server: Server) -> Iterator[Any]:
    context = _context(browser)
    page, watch = _open(context, site_server, "index.html")
    yield page
    # the search page fetches and parses every page it lists: still no error, no violation
    problems = watch.problems(page)
    context.close()
    assert not problems, problems


@pytest.fixture(scope="module")
def search_hits() -> Iterator[dict[str, list[str]]]:
    hits: dict[str, list[str]] = {}
    yield hits
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    summary = {q: {"hits": len(h), "results": h} for q, h in hits.items()}
    (ARTIFACTS / "search-hits.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


@pytest.mark.parametrize("query", sorted(SEARCHES))
def test_search_finds_the_right_pages(
    search_page: Any, site_server: Server, search_hits: dict[str, list[str]], query: str
) -> None:
    search_page.goto(site_server.url + "index.html")
    hits = _search(search_page, query)
    search_hits[query] = hits
    first, wanted = SEARCHES[query]
    pages = [urldefrag(h).url for h in hits]
    assert pages, f"{query!r} found nothing"
    assert pages[0] in first, f"{query!r}: first hit {hits[0]}, expected one of {first}"
    assert wanted <= set(pages), f"{query!r} misses {wanted - set(pages)}"
    summary = search_page.locator("p.search-summary").inner_text()
    assert f"{len(hits)} ページが見つかりました" in summary, summary
    # the summaries are fetched after the list is shown: wait for them, then for violations
    search_page.wait_for_load_state("networkidle")
    csp = search_page.evaluate("window.__pipespec.csp")
    assert not csp, csp


@pytest.mark.parametrize(
    ("typed", "spaced"),
    [
        ("更新する", "更新 する"),
        ("ブルーグリーンデプロイメント", "ブルー/グリーン デプロイメント"),
        ("ブルーグリーン", "ブルー/グリーン"),
        ("ｺﾝﾃﾅｲﾒｰｼﾞ", "コンテナイメージ"),  # half-width katakana
        ("ＣｏｎｔａｉｎｅｒＰｏｒｔ", "ContainerPort"),  # full-width letters
    ],
)
def test_search_reads_a_query_as_written(
    search_page: Any, site_server: Server, typed: str, spaced: str
) -> None:
    """No space needed between words; ブルー/グリーン = ブルーグリーン; width folded."""
    search_page.goto(site_server.url + "index.html")
    typed_pages = {urldefrag(h).url for h in _search(search_page, typed)}
    search_page.goto(site_server.url + "index.html")
    spaced_pages = {urldefrag(h).url for h in _search(search_page, spaced)}
    assert typed_pages, f"{typed!r} found nothing"
    assert spaced_pages <= typed_pages, spaced_pages - typed_pages


def test_search_for_a_word_finds_its_compounds(search_page: Any, site_server: Server) -> None:
    """A page that only says コンテナイメージ is found by コンテナ."""
    search_page.goto(site_server.url + "index.html")
    compound = {urldefrag(h).url for h in _search(search_page, "コンテナイメージ")}
    search_page.goto(site_server.url + "index.html")
    word = {urldefrag(h).url for h in _search(search_page, "コンテナ")}
    assert compound and compound <= word, compound - word


def test_search_ranks_an_exact_title_first(search_page: Any, site_server: Server) -> None:
    search_page.goto(site_server.url + "index.html")
    hits = _search(search_page, "インプレースデプロイメント")
    title = search_page.locator("ul.search > li > a").first.inner_text()
    assert title.rsplit(" > ", 1)[-1] == "インプレースデプロイメント", (title, hits[:3])


def _texts(site: Site) -> list[str]:
    texts = {
        node.astext()
        for _docname, tree in site.doctrees_all()
        for node in tree.findall(nodes.Text)
        if node.astext().strip()
    }
    return sorted(texts)


def test_the_browser_splits_text_as_the_index_does(
    search_page: Any, site_server: Server, site: Site
) -> None:
    """The JavaScript TinySegmenter and Sphinx's Python one agree on every text of the site."""
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    from ja_search import Splitter

    splitter = Splitter({})
    texts = _texts(site)
    search_page.goto(site_server.url + "search.html")
    split_in_browser = search_page.evaluate(
        "(texts) => texts.map((t) => pipespecSearch.split(t))", texts
    )
    differ = [
        (t, js, py)
        for t, js in zip(texts, split_in_browser, strict=True)
        if js != (py := splitter.split(t))
    ]
    assert len(texts) > 500
    assert not differ, differ[:3]


# ---- tabs and copy buttons -----------------------------------------------------------


def _selected_tab(page: Any) -> list[str]:
    selected: list[str] = page.eval_on_selector_all(
        ".sphinx-tabs-tab[aria-selected='true']", "tabs => tabs.map((t) => t.textContent.trim())"
    )
    return selected


def _visible_panels(page: Any) -> int:
    count: int = page.eval_on_selector_all(
        ".sphinx-tabs-panel", "panels => panels.filter((p) => !p.hidden).length"
    )
    return count


@pytest.mark.parametrize("word", ["menu", "contents", "mode", "buildspec"])
def test_a_search_result_page_highlights_without_error(
    browser: Any, site_server: Server, word: str
) -> None:
    """A result opens as ``page.html?highlight=word``. The theme's icon names (SVG
    ``<title>``: "Menu", "Contents", "Light mode") match words too, and must not stop the
    highlighting with an error."""
    context = _context(browser)
    page, watch = _open(context, site_server, f"codebuild/buildspec.html?highlight={word}")
    page.wait_for_function("() => document.readyState === 'complete'")
    shown = page.eval_on_selector_all(
        "span.highlighted", "spans => spans.map((s) => s.textContent.toLowerCase())"
    )
    problems = watch.problems(page)
    context.close()
    assert not problems, problems
    if word == "buildspec":
        assert shown and set(shown) == {"buildspec"}, shown


def test_tabs_switch_and_remember_the_choice(browser: Any, site_server: Server) -> None:
    context = _context(browser)
    page, watch = _open(context, site_server, "codedeploy/index.html")
    assert _selected_tab(page) == ["EC2/オンプレミス"]
    page.get_by_role("tab", name="Lambda").click()
    assert _selected_tab(page) == ["Lambda"]
    assert _visible_panels(page) == 1
    panel = page.locator(".sphinx-tabs-panel:not([hidden])")
    assert "Lambda" in panel.inner_text()

    # another page, another tab set: the artifact tabs
    page.goto(site_server.url + "codebuild/buildspec.html")
    assert _selected_tab(page) == ["ローリングアップデート (imagedefinitions.json)"]
    page.get_by_role("tab", name="ブルー/グリーン (imageDetail.json)").click()
    shown = page.locator(".sphinx-tabs-panel:not([hidden])").inner_text()
    assert "imageDetail.json" in shown

    # both choices are remembered, on the next visit too
    page.goto(site_server.url + "codedeploy/index.html")
    assert _selected_tab(page) == ["Lambda"]
    page.goto(site_server.url + "codebuild/buildspec.html")
    assert _selected_tab(page) == ["ブルー/グリーン (imageDetail.json)"]
    problems = watch.problems(page)
    context.close()
    assert not problems, problems


def _captioned_files(site: Site) -> dict[str, list[Path]]:
    """Each page's example files, shown as a block captioned with the file's path."""
    shown: dict[str, list[Path]] = {}
    for docname, tree in site.doctrees_all():
        for block in tree.findall(nodes.literal_block):
            source = block.get("source")
            if not source or EXAMPLES not in Path(source).resolve().parents:
                continue
            path = Path(source).resolve()
            # a literalinclude of the whole file (not an output computed from it)
            if block.astext().rstrip("\n") == path.read_text(encoding="utf-8").rstrip("\n"):
                shown.setdefault(docname, []).append(path)
    return shown


# A block in a tab that is not selected is hidden: select its tab first.
SHOW_TAB = """(block) => {
  const panel = block.closest(".sphinx-tabs-panel");
  if (panel && panel.hidden) document.querySelector(`[aria-controls="${panel.id}"]`).click();
}"""


def test_copy_buttons_copy_the_exact_file(browser: Any, site_server: Server, site: Site) -> None:
    context = _context(browser)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    checked: list[str] = []
    problems: list[str] = []
    for docname, files in sorted(_captioned_files(site).items()):
        page, watch = _open(context, site_server, f"{docname}.html")
        page.wait_for_selector("button.copybtn", state="attached")
        blocks = page.locator("div.literal-block-wrapper")
        by_caption = {}
        for i in range(blocks.count()):
            caption = blocks.nth(i).locator(".caption-text").inner_text()
            words = caption.replace("✗", "").split()  # "path (what it is)"
            if words:
                by_caption.setdefault(words[0], blocks.nth(i))
        for path in files:
            rel = path.relative_to(ROOT).as_posix()
            block = by_caption.get(rel)
            assert block is not None, f"{docname}: no block captioned {rel}"
            block.evaluate(SHOW_TAB)
            block.hover()
            block.locator("button.copybtn").click()
            page.wait_for_function("() => document.querySelector('.copybtn.success')")
            copied = page.evaluate("navigator.clipboard.readText()")
            if copied != path.read_text(encoding="utf-8"):
                problems.append(f"{docname}: the copy of {rel} differs from the file")
            checked.append(rel)
        problems += [f"{docname}: {p}" for p in watch.problems(page)]
        page.close()
    context.close()
    assert len(checked) >= 10
    assert not problems, problems


# ---- every page: links, images, requests, errors, CSP, weight -------------------------


@dataclass
class Crawl:
    ids: dict[str, set[str]]  # page -> element ids
    links: dict[str, set[str]]  # page -> internal link targets (absolute URLs)
    broken_images: dict[str, list[str]]
    problems: dict[str, list[str]]
    weight: dict[str, int]  # page -> bytes transferred, cold cache
    requests: int


@pytest.fixture(scope="module")
def crawl(browser: Any, site_server: Server, site: Site) -> Crawl:
    result = Crawl({}, {}, {}, {}, {}, 0)
    for rel in _site_pages(site):
        context = _context(browser)  # a fresh context: cold cache, for the page weight
        page, watch = _open(context, site_server, rel)
        result.ids[rel] = set(page.eval_on_selector_all("[id]", "els => els.map((e) => e.id)"))
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
        result.links[rel] = {h for h in hrefs if h.startswith(site_server.url)}
        result.broken_images[rel] = page.eval_on_selector_all(
            "img",
            "imgs => imgs.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.src)",
        )
        result.weight[rel] = page.evaluate(
            """() => performance.getEntriesByType("navigation")
                .concat(performance.getEntriesByType("resource"))
                .reduce((sum, e) => sum + e.transferSize, 0)"""
        )
        result.problems[rel] = watch.problems(page)
        result.requests += len(watch.requests)
        context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    weights = dict(sorted(result.weight.items(), key=lambda kv: -kv[1]))
    (ARTIFACTS / "page-weight.json").write_text(json.dumps(weights, indent=2) + "\n")
    return result


def test_every_page_loads_cleanly_and_offline(crawl: Crawl) -> None:
    """No request leaves 127.0.0.1; no console error, failed request or CSP violation."""
    assert len(crawl.problems) >= 15 and crawl.requests > 100
    bad = {page: problems for page, problems in crawl.problems.items() if problems}
    assert not bad, bad


def test_every_image_loads(crawl: Crawl) -> None:
    bad = {page: images for page, images in crawl.broken_images.items() if images}
    assert not bad, bad


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_every_internal_link_and_anchor_resolves(crawl: Crawl, site_server: Server) -> None:
    bad = []
    statuses: dict[str, int] = {}
    for page, links in sorted(crawl.links.items()):
        for link in sorted(links):
            url, fragment = urldefrag(link)
            target = url[len(site_server.url) :] or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if target == "playground.html" and fragment.startswith("z="):
                fragment = ""  # the files a 「試す」 link opens (tests/test_playground.py)
            if target not in crawl.ids:
                if url not in statuses:
                    statuses[url] = _status(url)
                if statuses[url] != 200:
                    bad.append(f"{page}: {link} (HTTP {statuses[url]})")
                elif fragment:
                    bad.append(f"{page}: {link} (an anchor into a file that is not a page)")
            elif fragment and fragment not in crawl.ids[target]:
                bad.append(f"{page}: {link} (no element with id {fragment!r})")
    assert sum(len(v) for v in crawl.links.values()) > 200
    assert not bad, bad


#: The single-page edition is every page at once, for printing or keeping: a reader opens
#: it on purpose, from the link that says what it is.
SINGLE_PAGE = "single/index.html"
SINGLE_PAGE_BUDGET = 4_000_000


def test_no_page_is_heavy(crawl: Crawl) -> None:
    pages = {page: weight for page, weight in crawl.weight.items() if page != SINGLE_PAGE}
    heaviest = max(pages, key=lambda page: pages[page])
    assert 0 < pages[heaviest] <= PAGE_BUDGET, (heaviest, pages[heaviest])
    assert 0 < crawl.weight[SINGLE_PAGE] <= SINGLE_PAGE_BUDGET, crawl.weight[SINGLE_PAGE]


#: Where a deployment under a sub-path serves the site (a project's GitHub Pages site).
PUBLISHED = "https://example.org/docs/v1/"


@pytest.fixture(scope="module")
def published_server(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The site's pages written again for a deployment at ``PUBLISHED``, served at its path."""
    try:
        html = build_for(site, tmp_path_factory.mktemp("published"), PUBLISHED)
    except BuildError as exc:
        pytest.fail(f"sphinx-build -W for {PUBLISHED} failed:\n{exc}", pytrace=False)
    server = serve(html, urlsplit(PUBLISHED).path)
    yield server
    server.close()


@pytest.mark.parametrize(
    ("served", "path"),
    [
        # `nox -s docs` serves the site at http://127.0.0.1:8000/; its http.server answers a
        # missing path with a page of its own, so there the reader opens /404.html
        ("site_server", "404.html"),
        # what a host does for a missing path: the site's 404.html, with status 404
        ("site_server", "no/such/deep/page.html"),
        ("published_server", "404.html"),
        ("published_server", "no/such/deep/page.html"),
    ],
)
def test_the_404_page_works_at_any_depth(
    browser: Any, request: pytest.FixtureRequest, served: str, path: str
) -> None:
    server: Server = request.getfixturevalue(served)
    context = _context(browser)
    page = context.new_page()
    watch = Watch("{0.scheme}://{0.netloc}/".format(urlsplit(server.url)))
    watch.attach(page)
    missing = path != "404.html"
    response = page.goto(server.url + path, wait_until="networkidle")
    assert response is not None and response.status == (404 if missing else 200)
    assert "見つかりません" in page.title()
    # furo's stylesheet and the site's scripts came from the site's root, not /no/such/deep/
    colour = "getComputedStyle(document.body).getPropertyValue('--color-foreground-primary')"
    assert page.evaluate(colour).strip()
    assert page.evaluate("document.body.dataset.theme") in ("auto", "light", "dark")
    links = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
    internal = sorted({urldefrag(h).url for h in links if h.startswith(server.url)})
    assert len(internal) > 10
    bad = [u for u in internal if _status(u) != 200 and u != server.url + path]
    # nothing fails but the page itself, when it is a 404 on purpose (one console error)
    problems = watch.problems(page)
    expected = [f"{server.url}{path}: HTTP 404"] if missing else []
    console_404 = [p for p in problems if p.startswith("console.error") and "404" in p]
    unexpected = [p for p in problems if p not in expected and p not in console_404[:missing]]
    context.close()
    assert not bad, bad
    assert len(console_404) == missing and not unexpected, problems


# ---- themes --------------------------------------------------------------------------

THEMED_PAGES = {
    "overview/code-services.html": "pipeline",
    "codedeploy/on-premises.html": "codedeploy-agent",
    "ecs/blue-green.html": "ecs-bluegreen",
}


def _set_theme(page: Any, theme: str) -> None:
    """Click furo's theme button until the page is in ``theme`` (auto, dark, light cycle)."""
    for _ in range(4):
        if page.evaluate("document.body.dataset.theme") == theme:
            return
        page.locator(".content-icon-container .theme-toggle").first.click()
    raise AssertionError(f"furo's toggle never reached {theme!r}")


@pytest.mark.parametrize("path", sorted(THEMED_PAGES))
def test_figures_follow_the_theme(browser: Any, site_server: Server, path: str) -> None:
    figure = THEMED_PAGES[path]
    context = _context(browser, viewport={"width": 1280, "height": 900})
    page, watch = _open(context, site_server, path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for theme in ("dark", "light"):
        _set_theme(page, theme)
        shown = page.locator(f"img.only-{theme}[src$='{figure}-{theme}.svg']")
        other = "light" if theme == "dark" else "dark"
        hidden = page.locator(f"img.only-{other}[src$='{figure}-{other}.svg']")
        assert shown.is_visible() and not hidden.is_visible(), theme
        box = shown.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, box
        assert page.evaluate("(img) => img.naturalWidth > 0", shown.element_handle())
        shown.scroll_into_view_if_needed()
        shown.screenshot(path=str(ARTIFACTS / f"{figure}-{theme}.png"))
        page.screenshot(path=str(ARTIFACTS / f"{Path(path).stem}-page-{theme}.png"))
    # furo remembers the choice
    page.reload()
    assert page.evaluate("document.body.dataset.theme") == "light"
    problems = watch.problems(page)
    context.close()
    assert not problems, problems


def test_auto_theme_follows_the_system(browser: Any, site_server: Server) -> None:
    context = _context(browser, color_scheme="dark")
    page, _watch = _open(context, site_server, "ecs/blue-green.html")
    assert page.evaluate("document.body.dataset.theme") == "auto"
    assert page.locator("img.only-dark").first.is_visible()
    assert not page.locator("img.only-light").first.is_visible()
    context.close()


# ---- accessibility -------------------------------------------------------------------


COLOUR_RULES = ["color-contrast", "link-in-text-block"]
# Every rule in the light theme; in the dark one, the rules about colour, on one element of
# each kind: the first visible element holding text (or a form field, or a link) of each
# chain of (tag, class, style) from the body down, with what it contains. The theme
# decides colours by such chains, so the others have the same colours, and scanning all of
# them again would double the scan's time (the rule reference has 30,000 elements, mostly
# a few kinds of code token). Visible: axe checks only what is shown, and an element in a
# closed <details> would stand for the others without being checked. Started without
# waiting: window.__axeResults is a promise, awaited when the results are read. Called
# with [colour rules, the selectors to scan (null: the whole page)].
AXE_START = """([colourRules, include]) => {
  const roots = include ? include.flatMap((s) => [...document.querySelectorAll(s[0])])
                        : [document.body];
  const chain = (el) => {
    let key = "";
    for (let e = el; e && e !== document.body; e = e.parentElement)
      key = `${e.tagName}.${e.getAttribute("class")}[${e.getAttribute("style")}]>${key}`;
    return key;
  };
  const seen = new Set();
  const shown = { visibilityProperty: true, opacityProperty: true };
  const mark = (el) => {
    if (!seen.has(chain(el)) && el.checkVisibility(shown)) {
      seen.add(chain(el));
      el.setAttribute("data-axe-dark", "");
    }
  };
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll("*")]) {
      const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (text || el.matches("input, textarea, select")) {
        mark(el);
        // link-in-text-block looks at the link, whose text is often in a child (<span>)
        const link = el.closest("a");
        if (link) mark(link);
      }
    }
  }
  const scan = async (theme, where, options) => {
    document.body.dataset.theme = theme;
    const result = await axe.run(where, { resultTypes: ["violations"], ...options });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, theme,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  };
  window.__axeResults = (async () => ({
    sampled: seen.size,
    violations: [
      ...(await scan("light", include ? { include } : document, {})),
      ...(await scan("dark", { include: [["[data-axe-dark]"]] },
                     { runOnly: { type: "rule", values: colourRules } })),
    ],
  }))();
}"""
#: Pages scanned side by side, in turn: while one tab's result is read and its next page
#: loads, the other's scan goes on. Two, for the two cores the tests are sized for (more
#: tabs than cores only share them, and the tabs' memory).
AXE_TABS = 2


def test_no_serious_accessibility_violation(browser: Any, site_server: Server, site: Site) -> None:
    """axe-core (from npm, read from node_modules/) in both themes: nothing serious or critical."""
    if not AXE.exists():
        _unavailable(f"{AXE.relative_to(ROOT)} is missing: run `npm ci` (nox -s tests does)")
    # The harness's script is not the page's: let it past the page's CSP.
    context = browser.new_context(bypass_csp=True)
    context.add_init_script(path=str(AXE))
    found: dict[str, list[dict[str, Any]]] = {}
    # The largest pages first, so that none of them is left to scan alone at the end.
    queue = sorted(_site_pages(site), key=lambda rel: -(site.html / rel).stat().st_size)
    tabs: dict[Any, str | None] = {context.new_page(): None for _ in range(AXE_TABS)}
    while queue or any(tabs.values()):
        for page, scanning in tabs.items():
            if scanning is not None:
                result = page.evaluate("() => window.__axeResults")
                assert result["sampled"] > 0, f"{scanning}: no text for the dark theme's scan"
                found[scanning] = result["violations"]
                tabs[page] = None
            if queue:
                rel = tabs[page] = queue.pop(0)
                page.goto(site_server.url + rel, wait_until="load")
                # The single page's text is every other page's, scanned there: of it, only
                # what it adds (the navigation, the whole site's toctree) is scanned.
                only = [[".sidebar-drawer"], [".toc-drawer"]] if rel == SINGLE_PAGE else None
                page.evaluate(AXE_START, [COLOUR_RULES, only])
    context.close()
    assert len(found) == len(_site_pages(site))
    found = {rel: violations for rel, violations in sorted(found.items()) if violations}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
    serious = {
        page: [f"{v['id']} ({v['impact']}, {v['theme']}): {v['nodes']}" for v in bad]
        for page, violations in found.items()
        if (bad := [v for v in violations if v["impact"] in ("serious", "critical")])
    }
    assert not serious, serious


# ---- what a host and a browser read: CSP, sitemap, OpenGraph, dates, edit link --------


def test_every_page_has_a_strict_content_security_policy(site: Site) -> None:
    for path in sorted(site.html.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', html)
        assert m, path
        policy = dict((d.split()[0], d.split()[1:]) for d in m.group(1).split(";") if d.strip())
        assert policy["default-src"] == ["'none'"]
        # no inline script, no eval; the playground's engine (Pyodide) compiles WebAssembly
        engine = path == site.html / "playground.html" and "worker-src" in policy
        assert policy["script-src"] == ["'self'", *["'wasm-unsafe-eval'"] * engine], path
        assert "'unsafe-inline'" not in policy["style-src"]
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        # it comes before anything the page loads
        assert html.index("Content-Security-Policy") < html.index('<link rel="stylesheet"')
        assert not re.search(r"<script\b(?![^>]*\bsrc=)", html), path


def _commit_day(site: Site, docname: str) -> str | None:
    """The UTC day of the commit that last changed the page or a file it shows, if git knows."""
    dated = site.env.git_last_updated.get(docname)  # sphinx-last-updated-by-git
    if not dated or dated[0] is None:
        return None
    return datetime.fromtimestamp(int(dated[0]), tz=UTC).strftime("%Y-%m-%d")


def test_sitemap_and_opengraph_use_the_base_url(site: Site) -> None:
    base = site.env.config.html_baseurl
    tree = ET.parse(site.html / "sitemap.xml")
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    lastmod = {
        u.findtext(f"{ns}loc"): u.findtext(f"{ns}lastmod") for u in tree.getroot().iter(f"{ns}url")
    }
    pages = {d for d in site.env.found_docs}
    assert sorted(lastmod) == sorted(f"{base}{d}.html" for d in pages)
    dated = 0
    for docname in pages:
        day = _commit_day(site, docname)
        when = lastmod[f"{base}{docname}.html"]
        # W3C datetime, the page's last commit; a page git does not know has none
        assert (when or "")[:10] == (day or ""), (docname, when, day)
        assert when is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", when)
        dated += day is not None
    assert dated > len(pages) / 2
    for docname in pages:
        html = site.page(docname)
        tags = dict(re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)"', html))
        assert tags["og:url"] == f"{base}{docname}.html", docname
        assert tags["og:type"] == ("website" if docname == site.env.config.root_doc else "article")
        assert tags["og:title"] and tags["og:locale"] == "ja_JP" and tags["og:site_name"]
        # one description, the same in both tags (none on a page without running text)
        descriptions = re.findall(r'<meta name="description" content="([^"]*)"', html)
        assert descriptions == [tags[k] for k in ["og:description"] if k in tags], docname
        assert f'<link rel="canonical" href="{base}{docname}.html">' in html
    assert "og:description" in dict(
        re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)"', site.page("index"))
    )


def test_each_page_shows_its_date_edit_link_and_favicon(site: Site) -> None:
    options = site.env.config.html_theme_options
    repo = options["source_repository"].rstrip("/")
    branch = options["source_branch"]
    for docname in sorted(site.env.found_docs):
        html = site.page(docname)
        shown = re.search(r"最終更新: (\d{4}-\d{2}-\d{2})", html)
        assert shown, docname
        # the last commit's day; the build's for a page git does not know
        assert shown.group(1) == (_commit_day(site, docname) or shown.group(1)), docname
        edit = f'href="{repo}/edit/{branch}/docs/{docname}.md"'
        assert edit in html, (docname, edit)
        assert re.search(r'<link rel="(shortcut )?icon" href="[./]*_static/favicon\.svg"', html)
    assert (site.html / "_static" / "favicon.svg").exists()


def test_the_404_page_links_are_absolute(site: Site) -> None:
    prefix = site.env.config.notfound_urls_prefix  # "/" unless the build is a deployment's
    assert prefix == (urlsplit(site.env.config.html_baseurl).path if _deployment() else "/")
    html = (site.html / "404.html").read_text(encoding="utf-8")
    for url in re.findall(r'\s(?:href|src|action|data-content_root)="([^"]*)"', html):
        assert url.startswith(("#", prefix, "https://")), url
    assert '<meta name="robots" content="noindex"' in html


def _deployment() -> bool:
    return bool(os.environ.get("PIPESPEC_BASE_URL") or os.environ.get("READTHEDOCS_CANONICAL_URL"))
