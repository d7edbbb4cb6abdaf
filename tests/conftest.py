from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import harness
import pytest
from hypothesis import HealthCheck, settings
from sitebuild import BuildError, Server, Site, build_shared, serve

from pipespec import shellcheck

pytest_plugins = ["pytester"]

# Hypothesis profiles. ``ci`` (the default, what ``nox -s tests`` runs) keeps the property
# tests to about half a minute on two cores; ``dev`` is quicker; ``fuzz`` is the long run
# (``HYPOTHESIS_PROFILE=fuzz`` or ``--hypothesis-profile=fuzz``; tests/fuzz_pipespec.py
# falls back to the same inputs when atheris cannot be installed).
settings.register_profile(
    "ci",
    max_examples=150,
    # No deadline (wall time, which a loaded machine stretches): the tests assert a ceiling
    # on CPU time, and ``nox -s bench`` the 2 s target in wall time (tests/harness.py).
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", parent=settings.get_profile("ci"), max_examples=30)
settings.register_profile(
    "fuzz",
    parent=settings.get_profile("ci"),
    max_examples=5_000,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _patient_shellcheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """ShellCheck's limit is 1 s of CPU time a batch, and ten times that in wall time,
    which a machine loaded by the other test workers could still reach: the tests give it
    ``harness.PATIENT_SHELLCHECK`` seconds. The tests of the limit set their own (the
    product's is ``harness.SHELLCHECK_TIMEOUT``; test_hostile uses it)."""
    monkeypatch.setattr(shellcheck, "TIMEOUT", harness.PATIENT_SHELLCHECK)


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pipespec check`` without ``--format`` writes GitHub annotations when
    GITHUB_ACTIONS=true: the tests expect the plain text a terminal gets, wherever they run
    (the tests of that behaviour set the variable themselves)."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its measurements to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["worst"] = {group: worst.samples for group, worst in harness.WORST.items()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    for group, samples in getattr(node, "workeroutput", {}).get("worst", {}).items():
        for label, seconds, peak in samples:
            harness.WORST[group].note(label, seconds, peak)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The worst time and peak memory of the bounded inputs (test_hostile, test_properties)."""
    unit = "s wall" if harness.SPEED_TARGETS else "s CPU"
    for group, worst in sorted(harness.WORST.items()):
        slow = ", ".join(f"{label} {t:.2f} {unit}" for label, t, _ in worst.slowest())
        big = ", ".join(f"{label} {(m or 0) / 2**20:.1f} MiB" for label, _, m in worst.largest())
        terminalreporter.write_line(f"{group}: {len(worst.samples)} inputs measured")
        terminalreporter.write_line(f"  slowest: {slow}")
        terminalreporter.write_line(f"  most memory: {big}")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The site, built once per run with ``sphinx-build -W --keep-going``: under
    pytest-xdist, by the first worker that needs it, in the run's directory every worker
    shares (the parent of each worker's own)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    try:
        return build_shared(shared / "site")
    except BuildError as exc:
        pytest.fail(f"sphinx-build -W failed:\n{exc}", pytrace=False)


@pytest.fixture(scope="session")
def site_server(site: Site) -> Iterator[Server]:
    """The built site served over HTTP on 127.0.0.1 (a free port), at the path it was built
    for: ``/`` as ``nox -s docs`` serves it, a deployment's base URL path in CI's build."""
    server = serve(site.html, site.env.config.notfound_urls_prefix)
    yield server
    server.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, one for the whole session: a second
    ``sync_playwright()`` while one runs fails ("Sync API inside the asyncio loop"), so every
    browser test module uses this one. Skipped without Chromium or Playwright (failed in CI)."""
    from test_browser import CHROMIUM, CHROMIUM_ARGS, _unavailable

    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (the test dependency group)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
