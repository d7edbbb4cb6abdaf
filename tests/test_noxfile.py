"""noxfile.py: the sessions run on any Python of 3.11 or newer, and fail when there is none.

nox skips (and exits 0 for) a session whose ``python=`` is not installed unless told
otherwise, so a machine with only Python 3.12 or 3.13 "passed" ``nox -s tests`` without
running a test. The sessions now use the Python running nox when it is new enough, else
the oldest new-enough ``python3.N`` on PATH, else each one fails saying why.
"""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import noxfile  # noqa: E402  (the repository root is not on sys.path under pytest)

sys.path.remove(str(ROOT))


def script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_floor_is_pyprojects_requires_python() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == ">=3.11"
    assert noxfile.MIN_PYTHON == (3, 11)


@pytest.mark.parametrize("version", [(3, 11, 0), (3, 12, 4), (3, 13, 1), (3, 14, 0), (4, 0, 0)])
def test_a_new_enough_python_running_nox_is_used(version: tuple[int, int, int]) -> None:
    assert noxfile.session_python(version, path="") is None  # None: nox's own interpreter


def test_an_older_python_running_nox_looks_on_path(tmp_path: Path) -> None:
    """Candidates are python3.N of 3.11 or newer that really run: a pyenv shim of a
    version that is not installed, a directory or an older one is passed over; the
    oldest working one wins, whatever the order of PATH."""
    old, new, shims = (tmp_path / d for d in ("old", "new", "shims"))
    for d in (old, new, shims):
        d.mkdir()
    script(old / "python3.9", "echo 3 9")
    script(old / "python3.10", "echo 3 10")
    script(shims / "python3.11", "echo 'pyenv: python3.11: command not found' >&2; exit 127")
    (shims / "python3.12").mkdir()
    (new / "python3.13").symlink_to(sys.executable)  # a real interpreter (3.11 or newer)
    (new / "python3.14").symlink_to(sys.executable)
    path = os.pathsep.join(["relative/bin", str(new), str(tmp_path / "missing"), str(old),
                            str(shims)])  # fmt: skip
    assert noxfile.session_python((3, 10, 12), path=path) == str(new / "python3.13")


def test_a_candidate_that_is_really_older_is_passed_over(tmp_path: Path) -> None:
    script(tmp_path / "python3.12", "echo 3 8")  # a name that lies
    with pytest.raises(noxfile.NoPython, match=r"no python3\.N of 3\.11 or newer is on PATH"):
        noxfile.session_python((3, 9, 18), path=str(tmp_path))


def test_no_python_fails_every_session_never_skips() -> None:
    """Every session is made with :data:`noxfile.PYTHON` and starts with
    ``_require_python(session)``, which fails it when none was found."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    sessions = [
        f
        for f in tree.body
        if isinstance(f, ast.FunctionDef)
        and any(ast.unparse(d).startswith("nox.session") for d in f.decorator_list)
    ]
    assert {f.name for f in sessions} >= {"docs", "tests"}
    for f in sessions:
        assert [ast.unparse(d) for d in f.decorator_list] == ["nox.session(python=PYTHON)"]
        first = f.body[1] if isinstance(f.body[0], ast.Expr) and isinstance(
            f.body[0].value, ast.Constant
        ) else f.body[0]  # fmt: skip
        assert ast.unparse(first) == "_require_python(session)", f.name


def test_nox_lists_the_sessions_on_this_interpreter() -> None:
    """The real nox, as README runs it (``python3 -m nox``), on this Python: the sessions
    carry no interpreter of their own."""
    proc = subprocess.run(
        [sys.executable, "-m", "nox", "--list", "--noxfile", str(ROOT / "noxfile.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    listed = [line.split(" ->")[0] for line in proc.stdout.splitlines() if line[:2] in ("* ", "- ")]
    assert listed == ["- docs", "* tests", "- schemas", "- bench", "- fuzz"]
