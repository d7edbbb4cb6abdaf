"""The playground (``playground.html``): pipespec in Pyodide, in a Web Worker, in Chromium.

The site is the session's ``site`` build, served by ``site_server``; the browser is the
session's Chromium (``tests/conftest.py``). Every context here routes every request: one to
anywhere but the test server is refused and recorded, and each test asserts there was none.
Pyodide starts in seconds: the tests wait for a state of the page (generous timeouts), they
never sleep and never assert how long anything took. The page weight and the times to the
first result go to ``build/browser/playground.json``, for the record.
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
    """The CLI's byte limit, with the CLI's finding; the text itself never goes to the worker."""
    line = "# padding\n"
    count = MAX_BYTES // len(line) + 1
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
    assert (
        page.evaluate("() => document.getElementById('pipespec-playground-input').value.length")
        > MAX_BYTES
    )


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
    page.evaluate(tb.AXE_START, tb.COLOUR_RULES)
    violations = page.evaluate("() => window.__axeResults")
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
