"""The playground (``playground.html``): pipespec in Pyodide, in a Web Worker, in Chromium.

The site is the session's ``site`` build, served by ``site_server``; the browser is the
session's Chromium (``tests/conftest.py``). Every context here routes every request: one to
anywhere but the test server is refused and recorded, and each test asserts there was none.
Pyodide starts in seconds: the tests wait for a state of the page (generous timeouts), they
never sleep and never assert how long anything took. The page weight and the times to the
first result go to ``build/browser/playground.json``, for the record.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
import test_browser as tb
from sitebuild import Server, Site

from pipespec.check import check_text

ROOT = tb.ROOT
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import playground  # noqa: E402  (docs/_ext)

#: Pyodide's cold start, in Chromium, on a loaded two-core machine: tens of seconds at worst.
START_MS = 180_000
BROKEN = "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make\n"


@dataclass
class Offline:
    """A browser context whose requests are recorded; any to another host is refused."""

    context: Any
    origin: str
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)

    def page(self, url: str) -> Any:
        page = self.context.new_page()
        page.goto(url, wait_until="load")
        return page


def _offline(browser: Any, server: Server, **kwargs: Any) -> Offline:
    context = tb._context(browser, **kwargs)
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(server.url))
    offline = Offline(context, origin)

    def route(route: Any) -> None:
        url = route.request.url
        offline.requests.append(url)
        if url.startswith((origin, "data:", "blob:")):
            route.continue_()
        else:
            offline.refused.append(url)
            route.abort()

    def finished(request: Any) -> None:
        sizes = request.sizes()
        offline.sizes[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    context.route("**/*", route)
    context.on("requestfinished", finished)
    return offline


@pytest.fixture(scope="module")
def engine(site: Site) -> Site:
    """The site, with the playground's engine bundled (``npm ci`` installs Pyodide)."""
    if not playground.engine_available():
        tb._unavailable("node_modules/pyodide is missing: run `npm ci` (nox -s tests does)")
    return site


@pytest.fixture
def offline(browser: Any, site_server: Server, engine: Site) -> Iterator[Offline]:
    context = _offline(browser, site_server)
    yield context
    context.context.close()
    assert not context.refused, context.refused


def _wait_checked(page: Any, count: int = 1) -> None:
    """Until the page has shown ``count`` results since it opened."""
    page.wait_for_function(
        "(n) => Number(document.getElementById('pipespec-playground').dataset.checked || 0) >= n",
        arg=count,
        timeout=START_MS,
    )


def _shown(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        "#pipespec-playground-results li.pg-finding",
        """items => items.map((li) => ({
            path: li.dataset.path, line: Number(li.dataset.line),
            column: Number(li.dataset.column), severity: li.dataset.severity,
            rule: li.dataset.rule, message: li.querySelector('.pg-message').textContent,
            href: li.querySelector('a.pg-rule') ? li.querySelector('a.pg-rule').href : null,
        }))""",
    )
    return found


def _type(page: Any, text: str) -> None:
    """Replace the editor's text as a reader would: select all, then type."""
    editor = page.locator("#pipespec-playground-input")
    editor.click()
    editor.press("Control+A")
    editor.press("Delete")
    editor.press_sequentially(text)


def _cli(directory: Path, *args: str) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "pipespec", "check", "--format", "json", "--lang", "ja", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    found: list[dict[str, Any]] = json.loads(proc.stdout)
    return found


def _comparable(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Findings as both sides give them; ShellCheck's (SH) run only outside the browser."""
    return sorted(
        (Path(f["path"]).name, f["line"], f["column"], f["severity"], f["rule"], f["message"])
        for f in findings
        if not f["rule"].startswith("SH")
    )


# ---- the page, typed into -----------------------------------------------------------


def test_a_broken_buildspec_then_fixed(offline: Offline, site_server: Server, engine: Site) -> None:
    page = offline.page(site_server.url + "playground.html")
    watch = tb.Watch(offline.origin)
    watch.attach(page)
    _type(page, BROKEN)
    page.wait_for_selector("li.pg-finding[data-rule=BS101]", timeout=START_MS)
    [finding] = _shown(page)
    assert (finding["line"], finding["column"], finding["severity"]) == (3, 3, "error")
    [expected] = check_text(BROKEN, "buildspec", path="buildspec.yml", lang="ja")
    assert finding["message"] == expected.message
    # the rule ID links to its section of the rule reference
    url, anchor = urldefrag(finding["href"])
    assert url == site_server.url + "reference/rules.html" and anchor == "rule-bs101"
    assert 'id="rule-bs101"' in engine.page("reference/rules")
    # clicking the finding puts the cursor on it: line 3, column 3
    page.locator("li.pg-finding").click()
    cursor = page.evaluate(
        "() => { const e = document.getElementById('pipespec-playground-input');"
        " return [document.activeElement === e, e.selectionStart]; }"
    )
    assert cursor == [True, BROKEN.index("preBuild")]
    # fixed, as a reader would: the finding goes, the page says the file is clean
    checked = int(page.evaluate("document.getElementById('pipespec-playground').dataset.checked"))
    _type(page, BROKEN.replace("preBuild", "pre_build"))
    _wait_checked(page, checked + 1)
    page.wait_for_selector(".pg-clean", timeout=START_MS)
    assert _shown(page) == []
    assert page.locator(".pg-clean").inner_text() == "問題は見つかりませんでした。"
    assert not watch.problems(page), watch.problems(page)
