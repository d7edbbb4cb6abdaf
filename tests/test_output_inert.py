"""What ``pipespec check`` prints is bounded and inert, whatever the files and their names.

* bounded: an echoed source line shows at most :data:`WIDTH` of its characters, around
  the column;
* nothing is opened but regular files: a FIFO is a finding in every format, not a hang.

Every test here failed before the fix (see the commit that added them), except the few
that say they guard behaviour that was already right.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import harness
import pytest

from pipespec import report
from pipespec.findings import Finding, Severity

#: the limit the tests expect (the module's constant is checked against it below)
WIDTH = 200
FORMATS = ["text", "json", "sarif", "github"]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and FIFOs")


def child(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -m pipespec check ARGS`` in a child process; the timeout only guards a hang."""
    return subprocess.run(
        [sys.executable, "-m", "pipespec", "check", "--no-config", "--lang", "en", *args],
        capture_output=True, timeout=60, env=env, cwd=cwd,
    )  # fmt: skip


def test_the_limits_are_the_documented_constants() -> None:
    assert report.MAX_SOURCE_CHARS == WIDTH


# --------------------------------------------------------------------------- bounded


def finding(path: str = "buildspec.yml", line: int = 1, column: int = 1, message: str = "m",
            rule: str = "BS001") -> Finding:  # fmt: skip
    return Finding(path, line, column, Severity.ERROR, rule, message)


def echoed(line: str, column: int) -> tuple[str, str | None]:
    """The source line and the caret line that the text format prints for ``column``."""
    out = report.text([finding(column=column)], lambda path, n: line).split("\n")
    assert out[0].startswith("buildspec.yml:1:") and out[-1] == ""
    assert len(out) in (3, 4), out
    shown = out[1]
    caret = out[2] if len(out) == 4 else None
    assert shown.startswith("  ")
    return shown[2:], (None if caret is None else caret[2:])


def under_caret(shown: str, caret: str | None) -> str:
    assert caret is not None and caret.strip() == "^", caret
    return shown[len(caret) - 1 :]


def test_a_long_line_is_shown_in_a_window_around_the_column() -> None:
    line = "x" * 4999 + "Y" + "z" * 5000
    shown, caret = echoed(line, 5000)
    assert shown.startswith("…") and shown.endswith("…") and len(shown) <= WIDTH + 2
    assert under_caret(shown, caret).startswith("Y")
    shown, caret = echoed(line, 1)  # the start: cut at the end only
    assert shown == "x" * WIDTH + "…" and caret == "^"
    shown, caret = echoed(line, 10_001)  # just past the last character
    assert shown == "…" + "z" * WIDTH and caret == " " * (WIDTH + 1) + "^"
    shown, caret = echoed("short line", 40)  # beyond the line: no caret to place
    assert (shown, caret) == ("short line", None)


def test_the_line_shown_is_the_line_the_position_counts(tmp_path: Path) -> None:
    # JSON strings may hold a raw LS (U+2028); JSON counts lines at LF only, and the line
    # shown was found by str.splitlines(), which breaks at LS too: the wrong line.
    path = tmp_path / "taskdef.json"
    path.write_text('{"family": "a\u2028b",\n "containerDefinitions": [], "bogus": 1}\n')
    code, out, _ = harness.run_cli(["check", "--no-config", "--lang", "en", str(path)])
    assert code == 1
    assert out.splitlines()[1:] == ['   "containerDefinitions": [], "bogus": 1}', " " * 31 + "^"]


# --------------------------------------------------------------------------- only regular files


@POSIX
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("where", ["named", "in a directory"])
def test_a_fifo_is_a_finding_not_a_hang(tmp_path: Path, fmt: str, where: str) -> None:
    # The loader refused it, then the text format opened it again for its source lines
    # and waited forever for a writer.
    (tmp_path / "sub").mkdir()
    fifo = tmp_path / "sub" / "buildspec.yml"
    os.mkfifo(fifo)
    proc = child("--format", fmt, str(fifo if where == "named" else tmp_path / "sub"))
    out = proc.stdout.decode()
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "LD010" in out and "not a regular file" in out
