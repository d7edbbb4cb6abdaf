"""Test harness for hostile inputs: time and memory bounds, and the CLI run in-process.

``measure(fn)`` runs ``fn`` twice: once for the wall time (``time.perf_counter``), once
under ``tracemalloc`` for the peak of memory allocated by Python during the call
(tracemalloc slows allocation down several times, so one run cannot give both).
``bounded_once(fn)`` does both in one traced run, for cheap inputs. A time over the bound
is measured once more, untraced, before it fails the test: a slow input is slow every
time, a busy machine only sometimes. Every measurement is kept in :data:`WORST`; the
slowest and the largest are printed at the end of the session by ``tests/conftest.py``.
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

from pipespec import cli

T = TypeVar("T")

#: Bounds for one input (pipespec's limits: 10 MiB of text, 200,000 nodes, 100 levels).
SECONDS = 2.0
MEGABYTES = 200


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
    """Call ``fn``, assert it stays within ``seconds`` and ``megabytes``; return its result.

    ``memory=False`` skips the traced run, for tests about time only.
    """
    start = time.perf_counter()
    result = fn()
    elapsed = _confirm(fn, time.perf_counter() - start, seconds)
    peak = [0]
    if memory:
        with traced() as peak:
            fn()
    WORST[group].note(label, elapsed, peak[0] if memory else None)
    assert elapsed < seconds, f"{label}: {elapsed:.2f} s (bound {seconds} s)"
    assert peak[0] < megabytes * 2**20, f"{label}: {peak[0] / 2**20:.0f} MiB (bound {megabytes})"
    return result


def _confirm(fn: Callable[[], object], elapsed: float, seconds: float) -> float:
    """``elapsed``, or when over the bound the time of one more, untraced, run."""
    if elapsed < seconds:
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
    with traced() as peak:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    elapsed = _confirm(fn, elapsed, seconds)
    WORST[group].note(label, elapsed, peak[0])
    assert elapsed < seconds, f"{label}: {elapsed:.2f} s (bound {seconds} s)"
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
