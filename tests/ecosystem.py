"""Helpers for the tests that use pipespec the way other tools do (pre-commit, pip, Sphinx).

No test uses the network. What pip would download is prepared by ``nox -s tests`` before
pytest runs: a wheelhouse (``build/wheelhouse``, or ``$PIPESPEC_WHEELHOUSE``) holding the
build backend and the runtime dependencies of ``pyproject.toml``; the tests install from it
with ``--no-index``. Without it (pytest run outside nox) those tests skip, saying why; under
CI (``CI`` set) they fail instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = Path(os.environ.get("PIPESPEC_WHEELHOUSE") or ROOT / "build" / "wheelhouse")


def missing(what: str) -> None:
    """Skip the test for a missing prerequisite, or fail it under CI."""
    reason = f"{what} (run the tests with `python3 -m nox -s tests`)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must not skip this test: {reason}", pytrace=False)
    pytest.skip(reason)


def wheelhouse() -> Path:
    """The offline wheelhouse prepared by ``nox -s tests``."""
    if not any(WHEELHOUSE.glob("setuptools-*.whl")) or not any(WHEELHOUSE.glob("*yaml-*.whl")):
        missing(f"no wheelhouse with setuptools and PyYAML at {WHEELHOUSE}")
    return WHEELHOUSE


def offline_pip_env(tmp: Path) -> dict[str, str]:
    """An environment in which pip and virtualenv install only from the wheelhouse."""
    env = dict(os.environ)
    env.update(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheelhouse()),
        PIP_CONFIG_FILE=os.devnull,  # no index or find-links from the machine's pip.conf
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_CACHE_DIR="1",
        VIRTUALENV_NO_PERIODIC_UPDATE="1",  # virtualenv must not fetch newer seed wheels
        LC_ALL="C.UTF-8",
        HOME=str(tmp / "home"),
    )
    return env


def checkout_files() -> list[str]:
    """This checkout's files as a commit would have them: tracked and new, not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({f for f in out.split("\0") if f and (ROOT / f).is_file()})


def snapshot(dest: Path) -> Path:
    """Copy the working tree (uncommitted changes included) into ``dest``."""
    for rel in checkout_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    return dest


def git(cwd: Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="pipespec tests",
        GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="pipespec tests",
        GIT_COMMITTER_EMAIL="tests@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def commit_all(repo: Path, message: str = "snapshot") -> str:
    """``git init`` (if needed), add everything, commit; the commit's SHA."""
    if not (repo / ".git").exists():
        git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def run(
    cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its text output, never raising for its exit status."""
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600
    )


def python_in(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
