"""Test harness for hostile inputs: time and memory bounds, and the CLI run in-process.

``measure(fn)`` runs ``fn`` twice: once for its time, once under ``tracemalloc`` for the
peak of memory allocated by Python during the call (tracemalloc slows allocation down
several times, so one run cannot give both). ``bounded_once(fn)`` does both in one traced
run, for cheap inputs. Every measurement is kept in :data:`WORST`; the slowest and the
largest are printed at the end of the session by ``tests/conftest.py``.

Time, in two modes:

* In the test run the bound is a *ceiling against runaway work*: ``CEILING`` times the
  target, in CPU seconds of this process and its waited-for children (:func:`cpu_seconds`;
  for work spread over several processes, up to the number of cores times the wall time).
  A quadratic walk or an alias expansion blows through it on any machine; a machine busy
  with other work does not, because CPU time does not count the time spent waiting for
  a core. So no test here fails because the machine is loaded. A call that blocks (on a
  FIFO, a pipe, a lock) spends no CPU: pipespec's own timeouts and the tests of them
  (FIFOs, ShellCheck, the dry run's) cover that.
* ``nox -s bench`` sets ``PIPESPEC_SPEED_TARGET=1``: the bound is then the *target*
  itself (2 s unless the test says otherwise) in wall time, the time a user waits; a
  time over it is measured once more before it fails, since a slow input is slow every
  time and a busy moment only sometimes.
"""

from __future__ import annotations

import io
import os
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from typing import TypeVar

from pipespec import cli, shellcheck

#: ShellCheck's timeout as pipespec ships it, and the one the tests give it
#: (tests/conftest.py), which only a hostile script reaches.
SHELLCHECK_TIMEOUT = shellcheck.TIMEOUT
PATIENT_SHELLCHECK = 60.0

T = TypeVar("T")

#: Targets for one input (pipespec's limits: 10 MiB of text, 200,000 nodes, 100 levels).
SECONDS = 2.0
MEGABYTES = 200
#: In the test run, the ceiling on CPU time is this many times the target.
CEILING = 5.0
#: Whether the wall-time targets are asserted (``nox -s bench``) instead of the ceilings.
SPEED_TARGETS = os.environ.get("PIPESPEC_SPEED_TARGET") == "1"


def cpu_seconds() -> float:
    """CPU time so far of this process and of its children that have been waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def clock() -> Callable[[], float]:
    """The clock the bounds are measured on: wall time for speed targets, else CPU time."""
    return time.perf_counter if SPEED_TARGETS else cpu_seconds


def check_time(label: str, elapsed: float, seconds: float) -> None:
    """Assert ``elapsed`` (measured on :func:`clock`) is within the bound for ``seconds``."""
    if SPEED_TARGETS:
        assert elapsed < seconds, f"{label}: {elapsed:.2f} s wall (target {seconds} s)"
    else:
        bound = seconds * CEILING
        assert elapsed < bound, f"{label}: {elapsed:.2f} s CPU (ceiling {bound:.0f} s)"


@dataclass
class Worst:
    """Every measurement of a group: (label, seconds, peak bytes or None)."""

    samples: list[tuple[str, float, int | None]] = field(default_factory=list)

    def note(self, label: str, seconds: float, peak: int | None) -> None:
        self.samples.append((label, seconds, peak))

    def slowest(self, n: int = 3) -> list[tuple[str, float, int | None]]:
        return sorted(self.samples, key=lambda s: -s[1])[:n]

    def largest(self, n: int = 3) -> list[tuple[str, float, int | None]]:
        return sorted(self.samples, key=lambda s: -(s[2] or 0))[:n]


#: Worst time and peak memory per group of tests ("hostile", "properties", ...).
WORST: dict[str, Worst] = defaultdict(Worst)


@contextmanager
def traced() -> Iterator[list[int]]:
    """Yield a list that receives the peak of memory allocated inside the block (bytes)."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out: list[int] = []
        yield out
        out.append(tracemalloc.get_traced_memory()[1] - base)
    finally:
        if started:
            tracemalloc.stop()


@dataclass
class Measured:
    seconds: float
    peak: int


def measure(
    fn: Callable[[], T],
    label: str,
    *,
    group: str = "hostile",
    seconds: float = SECONDS,
    megabytes: float = MEGABYTES,
    memory: bool = True,
) -> T:
    """Call ``fn``, assert it stays within ``seconds`` (see the module's docstring) and
    ``megabytes``; return its result.

    ``memory=False`` skips the traced run, for tests about time only.
    """
    now = clock()
    start = now()
    result = fn()
    elapsed = _confirm(fn, now() - start, seconds)
    peak = [0]
    if memory:
        with traced() as peak:
            fn()
    WORST[group].note(label, elapsed, peak[0] if memory else None)
    check_time(label, elapsed, seconds)
    assert peak[0] < megabytes * 2**20, f"{label}: {peak[0] / 2**20:.0f} MiB (bound {megabytes})"
    return result


def _confirm(fn: Callable[[], object], elapsed: float, seconds: float) -> float:
    """``elapsed``, or when a wall time is over the target the time of one more,
    untraced, run (CPU time needs no second look)."""
    if not SPEED_TARGETS or elapsed < seconds:
        return elapsed
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bounded_once(
    fn: Callable[[], T],
    label: str,
    *,
    group: str = "properties",
    seconds: float = SECONDS,
    megabytes: float = MEGABYTES,
) -> T:
    """Like :func:`measure` in one traced run (cheap inputs: the tracing overhead is small)."""
    now = clock()
    with traced() as peak:
        start = now()
        result = fn()
        elapsed = now() - start
    elapsed = _confirm(fn, elapsed, seconds)
    WORST[group].note(label, elapsed, peak[0])
    check_time(label, elapsed, seconds)
    assert peak[0] < megabytes * 2**20, f"{label}: {peak[0] / 2**20:.0f} MiB (bound {megabytes})"
    return result


def run_cli(args: list[str]) -> tuple[int, str, str]:
    """``pipespec ARGS`` in-process: exit code, stdout, stderr.

    stdout is a strict UTF-8 stream, like a terminal's: output that cannot be encoded
    fails here as it would there.
    """
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", newline="")
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", newline="")
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(args)
    out.flush()
    err.flush()
    return code, out_bytes.getvalue().decode("utf-8"), err_bytes.getvalue().decode("utf-8")


def processes_with(tag: str) -> list[int]:
    """The processes whose environment holds ``tag`` (a dry run's build variable, which
    every process of that build inherits and no other process has)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as fh:
                    if tag.encode() in fh.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found
