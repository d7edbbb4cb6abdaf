"""Developer tasks. ``nox -s tests`` is what CI runs; ``nox -s docs`` builds and serves the site."""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests"]

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
DOCS_OUT = ROOT / "docs" / "_build" / "html"


def _install(session: nox.Session, *groups: str) -> None:
    deps = [d for g in groups for d in nox.project.dependency_groups(PYPROJECT, g)]
    session.install("-e", ".", *deps)


def build_docs(session: nox.Session, out: Path) -> None:
    """Build the site from scratch with warnings as errors."""
    if out.exists():
        shutil.rmtree(out)
    session.run(
        "python",
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        str(out.parent / "doctrees"),
        "docs",
        str(out),
    )


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Build the site and serve it on http://127.0.0.1:8000 (``-- --no-serve`` to only build)."""
    _install(session, "docs")
    build_docs(session, DOCS_OUT)
    if "--no-serve" in session.posargs:
        return
    session.log("serving %s on http://127.0.0.1:8000 (Ctrl-C to stop)", DOCS_OUT)
    session.run(
        "python", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", str(DOCS_OUT)
    )


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Every test and check: ruff, mypy --strict, pytest (examples, unit tests, the site build)."""
    _install(session, "docs", "test", "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", "src", "tests", "conftest.py", "noxfile.py")
    session.run("mypy")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(name="taskdef-schema", python="3.11")
def taskdef_schema(session: nox.Session) -> None:
    """Regenerate src/pipespec/schemas/taskdef.schema.json from botocore's ECS model."""
    session.install("-e", ".", "botocore")
    session.run("python", "-m", "pipespec.schemas._botocore", *session.posargs)
