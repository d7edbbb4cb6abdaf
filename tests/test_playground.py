"""The playground (``playground.html``): pipespec in Pyodide, in a Web Worker, in Chromium.

The site is the session's ``site`` build, served by ``site_server``; the browser is the
session's Chromium (``tests/conftest.py``). Every context here routes every request: one to
anywhere but the test server is refused and recorded, and each test asserts there was none.
Pyodide starts in seconds: the tests wait for a state of the page (generous timeouts), they
never sleep and never assert how long anything took. The page weight and the times to the
first result go to ``build/browser/playground.json``, for the record.

The module is longer than most (about 1,000 lines) for a reason: its tests share the
session's site, server and Chromium, and most of the hostile-input ones share one page with
its engine started (the ``shared`` fixture); in separate modules each would pay for a cold
start of Pyodide again.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
import test_browser as tb
from docutils import nodes
from sitebuild import Server, Site

import pipespec
from pipespec import catalog
from pipespec.check import check_text
from pipespec.document import MAX_BYTES

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


def _settled(page: Any) -> None:
    """Until the findings shown are those of what the editor holds now."""
    page.wait_for_function(
        "() => document.getElementById('pipespec-playground').dataset.pending === 'false'",
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


def _opened(server: Server, files: list[tuple[str, str]]) -> str:
    """The playground's URL with ``files`` in its fragment, as a 「試す」 link has them."""
    return server.url + "playground.html#" + playground.fragment(files)


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
    _settled(page)  # the findings of the whole text, not of a line typed halfway
    [finding] = _shown(page)
    assert finding["rule"] == "BS101"
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
    _settled(page)
    assert _shown(page) == []
    assert page.locator(".pg-clean").inner_text() == "問題は見つかりませんでした。"
    assert not watch.problems(page), watch.problems(page)


def test_the_page_makes_a_link_to_what_is_typed(
    offline: Offline, site_server: Server, engine: Site
) -> None:
    """「この内容のリンクを作る」: the page's own encoder (CompressionStream), read back by the
    extension's decoder and by the page in a new tab, with a kind chosen by hand."""
    page = offline.page(_opened(site_server, [("buildspec.yml", BROKEN)]))
    page.wait_for_selector("li.pg-finding[data-rule=BS101]", timeout=START_MS)
    page.locator(".pg-add").click()
    assert page.locator("#pipespec-playground-name").input_value() == "appspec.yml"
    page.locator("#pipespec-playground-name").fill("deploy.yml")  # no kind in this name
    page.select_option("#pipespec-playground-kind", "appspec")
    _type(page, "version: 0.0\nos: linux\nfiles: {}\n")
    _settled(page)
    expected = _shown(page)
    assert "AS002" in {f["rule"] for f in expected}
    opened = page.evaluate("location.hash")  # the link the page was opened with
    page.locator(".pg-share").click()
    page.wait_for_function("(h) => location.hash !== h", arg=opened)
    fragment = page.evaluate("location.hash")
    data = playground.decode_fragment(fragment)
    assert data["f"] == [
        ["buildspec.yml", BROKEN],
        ["deploy.yml", "version: 0.0\nos: linux\nfiles: {}\n"],
    ]
    assert data["a"] == 1 and data["k"] == [None, "appspec"]
    again = offline.page(site_server.url + "playground.html" + fragment)
    _wait_checked(again)
    _settled(again)
    assert _shown(again) == expected
    assert again.locator("#pipespec-playground-kind").input_value() == "appspec"
    # the line numbers: three lines and the empty one after the last line break
    assert again.locator(".pg-gutter").inner_text().split() == ["1", "2", "3", "4"]


def test_english_messages_on_request(offline: Offline, site_server: Server, engine: Site) -> None:
    page = offline.page(
        site_server.url + "playground.html#" + playground.fragment([("buildspec.yml", BROKEN)])
    )
    page.wait_for_selector("li.pg-finding[data-rule=BS101]", timeout=START_MS)
    checked = int(page.evaluate("document.getElementById('pipespec-playground').dataset.checked"))
    page.select_option("#pipespec-playground-lang", "en")
    _wait_checked(page, checked + 1)
    _settled(page)
    [finding] = _shown(page)
    [expected] = check_text(BROKEN, "buildspec", path="buildspec.yml", lang="en")
    assert finding["message"] == expected.message


# ---- the examples, opened from their pages ---------------------------------------------

EXAMPLES = {
    # the example the page shows -> its page: a clean bundle, and one with cross-file findings
    "examples/ecs-bluegreen/taskdef.json": "ecs/blue-green.html",
    "examples/mistakes/ecs-filename-mismatch/pipeline.json": "codepipeline/index.html",
}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_an_example_opens_from_its_page_with_the_cli_findings(
    offline: Offline, site_server: Server, engine: Site, example: str
) -> None:
    """Its 「試す」 link opens every file of its directory as tabs, checked together: the
    findings are those of ``pipespec check --format json`` on that directory."""
    path = ROOT / example
    directory = path.parent
    page = offline.page(site_server.url + EXAMPLES[example])
    page.locator(f"a.pipespec-try[aria-label^='{example} ']").first.click()
    page.wait_for_url(re.compile(r"/playground\.html#z="))
    _wait_checked(page)
    files = sorted(p.name for p in directory.iterdir() if catalog.detect(p.name))
    tabs = page.eval_on_selector_all(".pg-tab", "tabs => tabs.map((t) => t.textContent)")
    active = page.eval_on_selector_all(".pg-tab[aria-selected=true]", "t => t[0].textContent")
    assert tabs == files and len(files) > 1 and active == path.name
    editor = page.locator("#pipespec-playground-input").input_value()
    assert editor == path.read_text(encoding="utf-8")
    expected = _comparable(_cli(directory, "."))
    shown = _comparable(_shown(page))
    assert shown == expected
    if "mistakes" in example:
        assert expected, "the mistake's bundle has findings of pipespec's own rules"
        assert any(rule.startswith("XF") for *_, rule, _ in expected)  # cross-file
    else:
        assert page.locator(".pg-clean").count() == 1
    # the engine came from the test server: it was routed, and nothing else was asked for
    assert any(u.endswith("/pyodide/pyodide.asm.wasm") for u in offline.requests)
    assert any(re.search(r"/wheels/pipespec-[^/]+\.whl$", u) for u in offline.requests)


def test_every_example_file_has_a_try_link_with_its_directory(engine: Site) -> None:
    """Every ``literalinclude`` of a file pipespec checks (よくある間違い boxes included) has a
    「試す」 link whose fragment holds the files of its directory, that file active."""
    wanted: list[tuple[str, str]] = []
    boxes = 0
    for docname, tree in engine.doctrees_all():
        for block in tree.findall(nodes.literal_block):
            found = playground._example_file(block)
            if found is not None:
                wanted.append((docname, found.relative_to(ROOT).as_posix()))
        for box in tree.findall(nodes.admonition):
            if "mistake" in box["classes"]:
                boxes += 1
                sources = [playground._example_file(b) for b in box.findall(nodes.literal_block)]
                assert any(sources), f"{docname}: a よくある間違い box without an example file"
    links: list[tuple[str, str]] = []
    for docname in sorted(engine.env.found_docs):
        for href, label in re.findall(
            r'<a class="pipespec-try" href="([^"]*)" aria-label="([^"]*)"', engine.page(docname)
        ):
            shown = html.unescape(label).removesuffix(" をプレイグラウンドで試す")
            if not shown.startswith("examples/"):
                continue  # a rule's example in the rule reference: see below
            links.append((docname, shown))
            url, fragment = urldefrag(html.unescape(href))
            assert url.endswith("playground.html") and len(href) < playground.MAX_URL
            data = playground.decode_fragment(fragment)
            path = ROOT / shown
            bundle = sorted(p for p in path.parent.iterdir() if catalog.detect(p.name))
            assert data["f"] == [[p.name, p.read_text(encoding="utf-8")] for p in bundle]
            assert data["f"][data["a"]][0] == path.name
    assert sorted(links) == sorted(wanted)
    assert len(wanted) > 40 and boxes >= 8


def test_every_rule_example_gives_the_same_findings_in_the_browser(
    offline: Offline, site_server: Server, engine: Site
) -> None:
    """Each rule's bad example, from its 「試す」 link in the rule reference, opened in one
    playground page: the findings are those of the same check in CPython, but ShellCheck's."""
    from pipespec.browser import check_files

    links = re.findall(
        r'<a class="pipespec-try" href="[^"#]*#(z=[^"]*)" aria-label="([A-Z]+[0-9]+) の誤った例',
        engine.page("reference/rules"),
    )
    assert len(links) >= 100
    page = offline.page(site_server.url + "playground.html")
    differ = []
    seen = set()
    for fragment, rule in links:
        if fragment in seen:
            continue  # the same example: no hashchange
        seen.add(fragment)
        checked = int(
            page.evaluate("document.getElementById('pipespec-playground').dataset.checked || 0")
        )
        page.evaluate("(h) => { location.hash = h; }", fragment)
        _wait_checked(page, checked + 1)
        files = playground.decode_fragment(fragment)["f"]
        answer = check_files([{"name": n, "text": t} for n, t in files], "ja")
        expected, shown = _comparable(answer["findings"]), _comparable(_shown(page))
        if shown != expected:
            differ.append((rule, shown, expected))
        elif not rule.startswith("SH") and rule not in {f[4] for f in expected}:
            differ.append((rule, "the example does not show its rule", expected))
    assert not differ, differ[:3]


# ---- robustness ----------------------------------------------------------------------


def test_a_link_too_long_opens_the_name_only(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text("version: 0.2\n", encoding="utf-8")
    big = tmp_path / "taskdef.json"
    # text that deflate cannot shrink: more than the longest link even compressed
    big.write_text(json.dumps({"family": os.urandom(40_000).hex()}), encoding="utf-8")
    small = playground.decode_fragment(playground.try_fragment(tmp_path / "buildspec.yml"))
    assert [name for name, _ in small["f"]] == ["buildspec.yml"]  # the big one left out
    data = playground.decode_fragment(playground.try_fragment(big))
    assert data == {"f": [["taskdef.json", None]], "a": 0, "n": "too-long"}


def test_the_page_says_when_a_link_holds_no_file(
    offline: Offline, site_server: Server, engine: Site
) -> None:
    """A link cut short, and one whose example did not fit: a note, no engine started."""
    page = offline.page(site_server.url + "playground.html#z=not-deflate")
    note = page.locator("#pipespec-playground-note")
    assert "リンクに含まれるファイルを読めませんでした" in note.inner_text()
    fragment = playground.fragment([("taskdef.json", None)], note="too-long")
    page.goto(site_server.url + "playground.html#" + fragment)
    page.wait_for_function("() => document.querySelector('.pg-tab').textContent === 'taskdef.json'")
    assert "ファイル名だけを開きました" in note.inner_text()
    assert page.locator("#pipespec-playground-input").input_value() == ""
    assert not [u for u in offline.requests if "/worker.js" in u]


def test_a_crash_in_the_worker_is_reported_and_it_restarts(
    offline: Offline, site_server: Server, engine: Site
) -> None:
    page = offline.page(
        site_server.url + "playground.html#" + playground.fragment([("buildspec.yml", BROKEN)])
    )
    page.wait_for_selector("li.pg-finding[data-rule=BS101]", timeout=START_MS)
    checked = int(page.evaluate("document.getElementById('pipespec-playground').dataset.checked"))
    # a message the page never sends: pipespec raises inside the worker
    page.evaluate(
        "() => window.pipespecPlayground.engine.worker.postMessage("
        "{ type: 'check', id: -1, lang: 'ja', files: 'not a list of files' })"
    )
    page.wait_for_function(
        "() => window.pipespecPlayground.engine.restarts === 1", timeout=START_MS
    )
    note = page.locator("#pipespec-playground-note")
    assert note.is_visible() and "検査エンジンが止まりました" in note.inner_text()
    # a new worker, a new Pyodide: the same file checked again
    _wait_checked(page, checked + 1)
    assert [f["rule"] for f in _shown(page)] == ["BS101"]
    assert page.evaluate("document.getElementById('pipespec-playground').dataset.engine") == "ready"


def test_findings_are_shown_as_text_never_as_html(
    offline: Offline, site_server: Server, engine: Site
) -> None:
    """A key that is HTML comes back in a message: it is shown as written, not parsed."""
    key = '<img src=x onerror="document.title=1">'
    text = f"version: 0.2\nphases:\n  '{key}':\n    commands:\n      - make\n"
    page = offline.page(_opened(site_server, [("buildspec.yml", text)]))
    _wait_checked(page)
    messages = [f["message"] for f in _shown(page)]
    assert any(key in m for m in messages), messages
    assert page.locator("#pipespec-playground-results img").count() == 0
    assert page.title() != "1"


def test_a_10_mb_paste_shows_the_limit_finding(
    offline: Offline, site_server: Server, engine: Site, tmp_path: Path
) -> None:
    """The CLI's byte limit, with the CLI's finding; the text itself never goes to the worker.

    The limit is in bytes of UTF-8: lines of kana, three bytes each, reach it in a third of
    the characters and a three-hundredth of the lines that ASCII needs (a textarea lays out a
    million short lines for tens of seconds)."""
    line = "# " + "あ" * 1000 + "\n"
    count = MAX_BYTES // len(line.encode()) + 1
    page = offline.page(site_server.url + "playground.html")
    page.evaluate(
        """([line, count]) => {
          const editor = document.getElementById('pipespec-playground-input');
          editor.focus();
          editor.value = "version: 0.2\\n" + line.repeat(count);
          editor.dispatchEvent(new Event('input'));
        }""",
        [line, count],
    )
    page.wait_for_selector("li.pg-finding[data-rule=LD006]", timeout=START_MS)
    (tmp_path / "buildspec.yml").write_text("version: 0.2\n" + line * count, encoding="utf-8")
    assert _comparable(_shown(page)) == _comparable(_cli(tmp_path, "buildspec.yml"))
    held = "() => new TextEncoder().encode(document.getElementById('pipespec-playground-input')" \
        ".value).length"  # fmt: skip
    assert page.evaluate(held) > MAX_BYTES


# ---- hostile links, names and input: one page for them all ------------------------------


@dataclass
class Shared:
    """The playground page the tests below share (a cold start of Pyodide each would cost
    minutes): each opens its files by a new fragment (``hashchange``), as a 「試す」 link on
    the page would. ``errors``: exceptions the page's scripts did not catch."""

    offline: Offline
    page: Any
    errors: list[str]


@pytest.fixture(scope="module")
def shared(browser: Any, site_server: Server, engine: Site) -> Iterator[Shared]:
    offline = _offline(browser, site_server, permissions=["clipboard-read", "clipboard-write"])
    page = offline.context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_server.url + "playground.html", wait_until="load")
    yield Shared(offline, page, errors)
    offline.context.close()
    assert not offline.refused, offline.refused


def _raw_fragment(raw: bytes) -> str:
    """``z=`` and any bytes, deflated as the page's links are (for links no build writes)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return "z=" + playground._b64(compressor.compress(raw) + compressor.flush())


def _follow(page: Any, fragment: str) -> None:
    """Open ``fragment`` in the page, until the page has read it (opened or refused)."""
    page.evaluate(
        """(h) => { const note = document.getElementById('pipespec-playground-note');
          note.hidden = true; note.textContent = '';
          window.__fragments = window.pipespecPlayground.fragments; location.hash = h; }""",
        fragment,
    )
    page.wait_for_function(
        "() => window.pipespecPlayground.fragments > window.__fragments", timeout=START_MS
    )


def _tabs(page: Any) -> list[str]:
    tabs: list[str] = page.eval_on_selector_all(".pg-tab", "t => t.map((e) => e.textContent)")
    return tabs


def _set_text(page: Any, text: str) -> None:
    """The editor's whole text replaced at once (an input event), as a paste would."""
    page.evaluate(
        """(text) => { const editor = document.getElementById('pipespec-playground-input');
          editor.value = text; editor.dispatchEvent(new Event('input')); }""",
        text,
    )


def _bomb(inflated: int) -> str:
    """A fragment of a few tens of kilobytes whose JSON inflates to ``inflated`` bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [compressor.compress(b'{"f":[["buildspec.yml","')]
    chunk = b"#" * 2**20
    out += [compressor.compress(chunk) for _ in range(inflated // len(chunk))]
    out += [compressor.compress(b'"]],"a":0}'), compressor.flush()]
    return "z=" + playground._b64(b"".join(out))


def test_a_link_that_inflates_past_the_limit_opens_nothing(shared: Shared) -> None:
    """A decompression bomb: 64 MiB of JSON from a 90 kB link. The page stops inflating at
    the CLI's limit for one file and says why; the editor keeps what it had."""
    page = shared.page
    fragment = _bomb(64 * 2**20)
    assert len(fragment) < 100_000
    before = _tabs(page)
    _follow(page, fragment)
    note = page.locator("#pipespec-playground-note")
    assert "リンクの内容が大きすぎるため、開きませんでした" in note.inner_text()
    assert _tabs(page) == before
    length = page.evaluate("document.getElementById('pipespec-playground-input').value.length")
    assert length < MAX_BYTES
    assert not shared.errors, shared.errors


MALFORMED = {
    "not JSON": b'{"f": [["buildspec.yml", ',
    "not UTF-8": b"\xff\xfe\x00",
    "null": b"null",
    "a list": b"[1, 2]",
    "files not a list": b'{"f": 5}',
    "no file": b'{"f": []}',
    "a pair of one": b'{"f": [["buildspec.yml"]]}',
    "a name not a string": b'{"f": [[5, "version: 0.2\\n"]]}',
    "a text not a string": b'{"f": [["buildspec.yml", {"x": 1}]]}',
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_link_whose_files_are_malformed_opens_nothing(shared: Shared, case: str) -> None:
    """Deflated JSON the build never writes: a note, the tabs as they were, no exception."""
    page = shared.page
    before = _tabs(page)
    _follow(page, _raw_fragment(MALFORMED[case]))
    note = page.locator("#pipespec-playground-note")
    assert "リンクに含まれるファイルを読めませんでした" in note.inner_text()
    assert _tabs(page) == before
    assert not shared.errors, shared.errors


def test_a_link_with_more_files_than_the_page_checks_opens_nothing(shared: Shared) -> None:
    """Thousands of tabs in a link: refused with the count, before any tab is drawn."""
    from pipespec.browser import MAX_FILES

    page = shared.page
    before = _tabs(page)
    for count in (MAX_FILES + 1, 5000):
        _follow(page, playground.fragment([(f"f{i}.yml", "a: 1\n") for i in range(count)]))
        note = page.locator("#pipespec-playground-note").inner_text()
        assert f"ファイルが多すぎるため、開きませんでした ({count} 個、" in note, note
        assert _tabs(page) == before
    assert not shared.errors, shared.errors


def test_a_later_link_is_not_replaced_by_an_earlier_one(shared: Shared) -> None:
    """Two fragments one after the other, the first slower to inflate: the page ends with
    the second, whatever order their decoding ends in."""
    page = shared.page
    slow = playground.fragment([("appspec.yml", "#" * (8 * 2**20))])
    fast = playground.fragment([("taskdef.json", "{}\n")])
    page.evaluate(
        """([slow, fast]) => { window.__fragments = window.pipespecPlayground.fragments;
          // right after the page began reading the first one
          window.addEventListener('hashchange', () => { location.hash = fast; }, {once: true});
          location.hash = slow; }""",
        ["#" + slow, "#" + fast],
    )
    page.wait_for_function(
        "() => window.pipespecPlayground.fragments >= window.__fragments + 2", timeout=START_MS
    )
    assert _tabs(page) == ["taskdef.json"]
    assert page.locator("#pipespec-playground-input").input_value() == "{}\n"
    assert not shared.errors, shared.errors


def test_hostile_file_names_are_shown_as_written_and_refused_as_the_cli_would(
    shared: Shared,
) -> None:
    """Names that are HTML, hold control or bidi characters or are 10,000 characters long:
    shown as text with those characters spelled out, a tab no wider than the page at 390
    px, and pipespec's reason for refusing a name in Japanese, as text."""
    page = shared.page
    page.set_viewport_size({"width": 390, "height": 844})
    img = '<img src=x onerror="document.title=1">'
    names = [img, "a\u202eyml.exe", "b\nc\x07", "x" * 10_000, "buildspec.yml"]
    _follow(page, playground.fragment([(n, "version: 0.2\n") for n in names]))
    _settled(page)
    tabs = _tabs(page)
    assert tabs[0] == img and page.locator("#pipespec-playground img").count() == 0
    assert tabs[1] == "a[U+202E]yml.exe" and tabs[2] == "b[U+000A]c[U+0007]"
    assert tabs[3].endswith("…") and len(tabs[3]) < 100
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    usage = page.locator(".pg-usage").inner_text()
    assert usage == "検査できません: ファイル名が 255 バイトを超えています"
    assert page.title() != "1"
    # a lone surrogate (no UTF-8 for it): refused, the engine keeps running
    restarts = page.evaluate("window.pipespecPlayground.engine.restarts")
    raw = json.dumps({"f": [["\ud800.yml", "version: 0.2\n"]], "a": 0}).encode()
    _follow(page, _raw_fragment(raw))
    _settled(page)
    assert "対になっていないサロゲート" in page.locator(".pg-usage").inner_text()
    assert _tabs(page) == ["[U+D800].yml"]
    assert page.evaluate("window.pipespecPlayground.engine.restarts") == restarts
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not shared.errors, shared.errors


def test_the_tabs_and_findings_work_from_the_keyboard(shared: Shared) -> None:
    """The tab list is one stop of the Tab key; the arrows, Home and End move in it; a
    finding's place is a button that takes the cursor to it."""
    page = shared.page
    files = [("buildspec.yml", BROKEN), ("appspec.yml", "version: 0.0\n"), ("taskdef.json", "{}")]
    _follow(page, playground.fragment(files))
    _settled(page)
    page.locator(".pg-tab").first.focus()
    focused = "() => document.activeElement.textContent"
    for key, tab in (("End", "taskdef.json"), ("Home", "buildspec.yml"), ("ArrowLeft",
                     "taskdef.json"), ("ArrowRight", "buildspec.yml")):  # fmt: skip
        page.keyboard.press(key)
        assert page.evaluate(focused) == tab, key
        assert page.locator(".pg-tab[aria-selected=true]").inner_text() == tab
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "pipespec-playground-name"
    page.locator("li.pg-finding[data-rule=BS101] .pg-place").focus()
    page.keyboard.press("Enter")
    cursor = page.evaluate(
        "() => { const e = document.getElementById('pipespec-playground-input');"
        " return [document.activeElement === e, e.selectionStart]; }"
    )
    assert cursor == [True, BROKEN.index("preBuild")]
    assert not shared.errors, shared.errors


def test_findings_of_an_earlier_text_are_not_shown_over_a_later_one(shared: Shared) -> None:
    """The reader types again while the engine checks what they typed before: that check's
    findings, when they come, are not shown (nor said to be current) over the new text."""
    page = shared.page
    _follow(page, playground.fragment([("buildspec.yml", BROKEN)]))
    page.wait_for_selector("li.pg-finding[data-rule=BS101]", timeout=START_MS)
    _settled(page)
    fixed = BROKEN.replace("preBuild", "pre_build")
    page.evaluate(
        """(fixed) => {
          const root = document.getElementById('pipespec-playground');
          const editor = document.getElementById('pipespec-playground-input');
          // what the page shows each time it says its findings are current
          window.__current = [];
          new MutationObserver(() => {
            if (root.dataset.pending === 'false')
              window.__current.push([editor.value,
                [...document.querySelectorAll('li.pg-finding')].map((li) => li.dataset.rule)]);
          }).observe(root, {attributes: true});
          const worker = window.pipespecPlayground.engine.worker;
          const deliver = worker.onmessage;
          worker.onmessage = (event) => {
            if (event.data.type === 'result') {
              worker.onmessage = deliver;
              // the reader fixes the file just before the findings of the broken one arrive
              editor.value = fixed;
              editor.dispatchEvent(new Event('input'));
            }
            deliver(event);
          };
        }""",
        fixed,
    )
    _set_text(page, BROKEN.replace("make", "make all"))
    page.wait_for_selector(".pg-clean", timeout=START_MS)
    _settled(page)
    current = page.evaluate("window.__current")
    assert current and current[-1] == [fixed, []]
    assert [c for c in current if c[0] == fixed and c[1]] == [], current
    assert not shared.errors, shared.errors


#: A stand-in for the worker (installed as window.Worker): it starts at once, and each check
#: makes it stop ("crash": its error event), raise ("failed") or never answer ("hung").
FAULTY_WORKER = """(mode) => {
  window.__realWorker = window.__realWorker || window.Worker;
  window.__faulty = 0;
  window.Worker = class {
    constructor() {
      window.__faulty += 1;
      setTimeout(() => this.onmessage({ data: { type: 'ready', ms: 0, steps: {} } }));
    }
    postMessage(message) {
      if (mode === 'crash')
        setTimeout(() => this.onerror(new ErrorEvent('error', { message: 'test' })));
      else if (mode === 'failed')
        setTimeout(() => this.onmessage(
          { data: { type: 'failed', id: message.id, message: 'test' } }));
    }
    terminate() {}
  };
  const engine = window.pipespecPlayground.engine;
  if (engine.worker) engine.worker.terminate();
  Object.assign(engine, { worker: null, ready: false, inflight: null, hungMs: 1000 });
}"""


@pytest.mark.parametrize(
    ("mode", "starts", "said"),
    [
        ("failed", 1, "この内容を検査すると、検査エンジンが止まります"),
        ("crash", 2, "この内容を検査すると、検査エンジンが止まります"),
        ("hung", 1, "検査が 1 秒で終わらなかったため"),
    ],
)
def test_a_text_that_stops_the_engine_is_said_and_not_sent_again(
    shared: Shared, mode: str, starts: int, said: str
) -> None:
    """A check the engine raised over or hung on is not sent again; one it stopped over is
    sent once more, to a new engine. Then the results say it could not be checked, the
    engine stays stopped, and the next edit starts it again (the real one, here)."""
    page = shared.page
    page.evaluate(FAULTY_WORKER, mode)
    restarts = page.evaluate("window.pipespecPlayground.engine.restarts")
    _set_text(page, f"version: 0.2\n# {mode}\n")
    page.wait_for_selector(".pg-stopped", timeout=60_000)
    _settled(page)
    state = page.evaluate(
        "() => [window.pipespecPlayground.engine.worker, window.__faulty,"
        " window.pipespecPlayground.engine.restarts]"
    )
    assert state == [None, starts, restarts + starts]
    assert said in page.locator("#pipespec-playground-note").inner_text()
    page.evaluate(
        "() => { window.Worker = window.__realWorker;"
        " window.pipespecPlayground.engine.hungMs = 30000; }"
    )
    _set_text(page, BROKEN)
    page.wait_for_selector("li.pg-finding[data-rule=BS101]", timeout=START_MS)
    assert page.locator(".pg-stopped").count() == 0
    assert not shared.errors, shared.errors


def test_a_paste_over_the_limit_is_checked_as_that_large_not_put_in_the_editor(
    shared: Shared, tmp_path: Path
) -> None:
    """A real 10 MB paste (the clipboard, Control+V): a textarea takes tens of seconds over
    it, the tab frozen. The page keeps it out of the editor, says so, and shows the finding
    the CLI gives for a file that large; the next edit is checked as typed."""
    page = shared.page
    _follow(page, playground.fragment([("buildspec.yml", "version: 0.2\n")]))
    _settled(page)
    line = "# padding\n"
    text = "version: 0.2\n" + line * (MAX_BYTES // len(line) + 1)
    page.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    editor = page.locator("#pipespec-playground-input")
    editor.focus()
    editor.press("Control+A")
    editor.press("Control+V", timeout=START_MS)
    page.wait_for_selector("li.pg-finding[data-rule=LD006]", timeout=START_MS)
    _settled(page)
    assert editor.input_value() == ""
    note = page.locator("#pipespec-playground-note").inner_text()
    assert f"{len(text.encode()):,} バイトになり" in note, note
    (tmp_path / "buildspec.yml").write_text(text, encoding="utf-8")
    assert _comparable(_shown(page)) == _comparable(_cli(tmp_path, "buildspec.yml"))
    _set_text(page, BROKEN)
    page.wait_for_selector("li.pg-finding[data-rule=BS101]", timeout=START_MS)
    assert [f["rule"] for f in _shown(page)] == ["BS101"]
    assert not shared.errors, shared.errors


def test_the_page_states_the_limits_it_applies(engine: Site) -> None:
    from pipespec.browser import MAX_FILES

    text = re.sub(r"<[^>]+>", "", engine.page("playground"))
    assert f"1 ファイル {MAX_BYTES // 2**20} MB まで" in text
    assert f"タブは {MAX_FILES} 個まで" in text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../x", "ファイル名に '/'・'\\'・NUL は使えません: '../../x'"),
        ("/etc/passwd", "ファイル名に '/'・'\\'・NUL は使えません: '/etc/passwd'"),
        ("a\\b.yml", "ファイル名に '/'・'\\'・NUL は使えません: 'a\\\\b.yml'"),
        ("..", "ファイル名 '..' は使えません"),
        ("", "ファイル名がありません"),
        ("\ud800.yml", "ファイル名が Unicode の文字列になっていません"),
        ("x" * 256, "ファイル名が 255 バイトを超えています"),
    ],
)
def test_the_engine_writes_each_file_beneath_its_directory(name: str, reason: str) -> None:
    """pipespec.browser writes the tabs into a fresh directory: a name that is not one entry
    of it, or that the file system cannot take, is refused with the reason in the reader's
    language (CPython here; the page shows the same text)."""
    from pipespec.browser import check_json

    answer = json.loads(check_json(json.dumps({"files": [{"name": name, "text": "a: 1\n"}]})))
    assert answer == {"usage_error": answer["usage_error"]}
    assert answer["usage_error"].startswith(reason), answer
    english = json.loads(
        check_json(json.dumps({"lang": "en", "files": [{"name": name, "text": "a: 1\n"}]}))
    )
    assert english["usage_error"].isascii()


# ---- what loads where ----------------------------------------------------------------


def test_the_engine_loads_only_when_needed(
    offline: Offline, site_server: Server, engine: Site
) -> None:
    """Not before the reader uses the editor (or opens a link with files); then from here."""
    page = offline.page(site_server.url + "playground.html")
    page.wait_for_load_state("networkidle")
    assert not [u for u in offline.requests if "/worker.js" in u or "/pyodide/" in u]
    with page.expect_request(re.compile(r"/pyodide/pyodide\.asm\.wasm$"), timeout=START_MS):
        page.locator("#pipespec-playground-input").focus()
    page.wait_for_function(
        "() => document.getElementById('pipespec-playground').dataset.engine === 'ready'",
        timeout=START_MS,
    )


def test_a_start_that_stalls_is_said_and_can_be_started_again(
    offline: Offline, site_server: Server, engine: Site
) -> None:
    """A download of the engine that does not end: after ``stallMs`` without a step the note
    says so, with a button. When the download goes on after all (a slow link), the notice
    goes away by itself; the button starts the engine again. Either way what was typed is
    checked."""
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)  # answered below, or never

    wasm = re.compile(r"/pyodide/pyodide\.asm\.wasm$")
    offline.context.route(wasm, hold)  # routing also turns the HTTP cache off
    root = "document.getElementById('pipespec-playground')"
    note = "#pipespec-playground-note"
    for ending in ("the download goes on", "the button"):
        page = offline.page(site_server.url + "playground.html")
        page.evaluate("() => { window.pipespecPlayground.engine.stallMs = 500; }")
        with page.expect_request(wasm, timeout=START_MS):
            _type(page, BROKEN)
        # no step comes while the WebAssembly is held: the notice is shown, and stays
        page.wait_for_function(f"() => {root}.dataset.engine === 'stalled'", timeout=START_MS)
        assert page.locator(note).is_visible(), ending
        said = page.locator(note).inner_text()
        assert said.startswith(
            "検査エンジンの準備が 1 秒進んでいません。"
            "回線が遅いか、ファイルの読み込みが止まっています。"
        ), (ending, said)
        assert page.locator("li.pg-finding").count() == 0
        page.evaluate("() => { window.pipespecPlayground.engine.stallMs = 20000; }")
        if ending == "the download goes on":
            # the next step's downloads held: the notice is gone before the engine is ready
            wheels = re.compile(r"/wheels/[^/]+\.whl$")
            offline.context.route(wheels, hold)
            with page.expect_request(wheels, timeout=START_MS):
                held.pop().continue_()
            page.wait_for_function(f"() => {root}.dataset.engine === 'starting'")
            assert not page.locator(note).is_visible()
            offline.context.unroute(wheels, hold)
            while held:
                held.pop().continue_()
        else:
            offline.context.unroute(wasm, hold)
            page.locator(f"{note} button.pg-restart").click()
        page.wait_for_selector("li.pg-finding[data-rule=BS101]", timeout=START_MS)
        assert not page.locator(note).is_visible(), ending
        assert page.evaluate(f"() => {root}.dataset.engine") == "ready", ending
        page.close()


def test_other_pages_do_not_load_pyodide(browser: Any, site_server: Server, engine: Site) -> None:
    for rel in tb._site_pages(engine):
        text = (engine.html / rel).read_text(encoding="utf-8")
        scripts = re.findall(r'<script\b[^>]*\bsrc="([^"]*)"', text)
        engine_scripts = [s for s in scripts if "/playground/" in s or "pyodide" in s]
        if rel == "playground.html":
            assert engine_scripts and engine_scripts[0].split("?")[0].endswith("playground.js")
        else:
            assert not engine_scripts, rel
    offline = _offline(browser, site_server)
    for rel in ("index.html", "ecs/blue-green.html", "reference/rules.html"):
        page = offline.page(site_server.url + rel)
        page.wait_for_load_state("networkidle")
        page.close()
    offline.context.close()
    loaded = [u for u in offline.requests if "/_static/playground/" in u]
    assert loaded and all(urlsplit(u).path.endswith("/try.css") for u in loaded), loaded
    assert not offline.refused


def test_no_serious_accessibility_violation(
    browser: Any, site_server: Server, engine: Site
) -> None:
    """axe-core on the page with findings, the ShellCheck note and two tabs shown."""
    if not tb.AXE.exists():
        tb._unavailable("node_modules/axe-core is missing: run `npm ci`")
    offline = _offline(browser, site_server, bypass_csp=True)  # the harness's script
    buildspec = BROKEN + "  build:\n    commands:\n      - make\n"  # ShellCheck had a script
    files = [("buildspec.yml", buildspec), ("appspec.yml", "version: 0.0\nos: linux\n")]
    page = offline.page(_opened(site_server, files))
    _wait_checked(page)
    assert page.locator(".pg-shellcheck").count() == 1 and page.locator(".pg-tab").count() == 2
    page.evaluate(tb.AXE.read_text(encoding="utf-8"))
    page.evaluate(tb.AXE_START, [tb.COLOUR_RULES, None])
    violations = page.evaluate("() => window.__axeResults")["violations"]
    offline.context.close()
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    assert not offline.refused


def test_page_weight_and_time_to_first_result_are_recorded(
    browser: Any, site_server: Server, engine: Site
) -> None:
    """What a reader's browser transfers for the playground, cold (every request, the
    worker's included), and the time from opening a 「試す」 link to its findings, cold and
    then warm (a second visit, same browser): written to build/browser/playground.json, not
    asserted (a loaded machine makes them what it makes them)."""
    offline = _offline(browser, site_server)
    url = _opened(site_server, [("buildspec.yml", BROKEN)])
    times, shown = {}, {}
    for visit in ("cold", "warm"):
        page = offline.page(url)
        page.wait_for_selector("li.pg-finding[data-rule=BS101]", timeout=START_MS)
        times[visit] = page.evaluate(
            "({ first: window.pipespecPlayground.firstResultMs,"
            " steps: window.pipespecPlayground.engine.steps })"
        )
        shown[visit] = _shown(page)
        page.wait_for_load_state("networkidle")
        if visit == "cold":
            cold = dict(offline.sizes)
        page.close()
    offline.context.close()
    assert not offline.refused
    assert shown["cold"] == shown["warm"]
    wasm = engine.html / "_static/playground/pyodide/pyodide.asm.wasm"
    [loaded] = [size for u, size in cold.items() if u.endswith("/pyodide.asm.wasm")]
    assert loaded >= wasm.stat().st_size  # the size counts what came over the wire
    record = {
        "bytes_cold": sum(cold.values()),
        "requests_cold": len(cold),
        "first_result_ms": times,
        "largest": dict(sorted(cold.items(), key=lambda kv: -kv[1])[:8]),
    }
    tb.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (tb.ARTIFACTS / "playground.json").write_text(json.dumps(record, indent=2) + "\n")


# ---- the build -----------------------------------------------------------------------


def test_the_pipespec_wheel_holds_the_package(tmp_path: Path) -> None:
    """The playground's wheel: every file of the package, as ``python -m build``'s wheel
    holds them (tests/test_packaging.py), and the runtime dependencies' wheels."""
    from test_packaging import package_files

    wheel = playground.pipespec_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = zf.read(f"pipespec-{pipespec.__version__}.dist-info/METADATA").decode()
    package = {n for n in names if not n.startswith("pipespec-")}
    assert package == package_files()
    with (ROOT / "pyproject.toml").open("rb") as fh:
        requires = tomllib.load(fh)["project"]["dependencies"]
    assert [line.removeprefix("Requires-Dist: ") for line in meta.splitlines()
            if line.startswith("Requires-Dist: ")] == requires  # fmt: skip
    deps = playground.dependency_wheels(tmp_path)
    assert len(deps) == len(requires)
    for dep in deps:
        with zipfile.ZipFile(dep) as zf:
            members = zf.namelist()
        assert any(m.endswith(".py") for m in members)
        assert not [m for m in members if m.endswith((".so", ".pyd", ".pyc"))]
    # the same sources give the same bytes
    (tmp_path / "again").mkdir()
    again = playground.pipespec_wheel(tmp_path / "again")
    assert again.read_bytes() == wheel.read_bytes()


def test_without_pyodide_the_page_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine without ``npm ci``: the site builds warning-free, and the playground page
    says its engine is not bundled and how to get it; no engine is copied, no script added."""
    from sphinx.cmd.build import build_main

    monkeypatch.setattr(playground, "PYODIDE", tmp_path / "no-node-modules" / "pyodide")
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'docs' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'playground']\nlanguage = 'ja'\n",
        encoding="utf-8",
    )
    (src / "index.md").write_text("# Top\n\n```{toctree}\nplayground\n```\n", encoding="utf-8")
    (src / "playground.md").write_text(
        "# プレイグラウンド\n\n```{pipespec-playground}\n```\n", encoding="utf-8"
    )
    out = tmp_path / "html"
    assert build_main(["-W", "-q", "-b", "html", str(src), str(out)]) == 0
    page = (out / "playground.html").read_text(encoding="utf-8")
    assert "検査エンジンが入っていません" in page and "<code>npm ci</code>" in page
    assert "playground.js" not in page and "pipespec-playground-input" not in page
    assert not (out / "_static" / "playground" / "pyodide").exists()
