"""Check a large tree in bounded memory, on several cores (``pipespec check --jobs N``).

The files found under the given paths are cut into chunks of whole directories (so the
cross-file rules still see each directory at once); each chunk is checked by
:func:`pipespec.check.check_paths`, in this process or in a pool of worker processes. Only
the findings (and the source lines they point into) are kept, never the loaded documents,
so memory stays bounded by the chunk (two chunks in one process: ShellCheck finishes one
while the next is checked).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from . import config
from .check import Pending, Result, check_paths, start_paths
from .discover import Found, discover
from .document import Lang
from .findings import Finding

#: Files per chunk: large enough to batch shellcheck, small enough to bound memory.
CHUNK_FILES = 200


def groups(files: Sequence[Found]) -> Iterator[list[Found]]:
    """Consecutive groups of whole directories, about :data:`CHUNK_FILES` files each.

    The files stay as :func:`discover` found them: a chunk is checked as found in its
    directory, not as if named on the command line (a link out of the tree stays unread).
    """
    current: list[Found] = []
    last_dir: Path | None = None
    for found in files:
        if len(current) >= CHUNK_FILES and found.path.parent != last_dir:
            yield current
            current = []
        current.append(found)
        last_dir = found.path.parent
    if current:
        yield current


def chunks(files: Sequence[Found]) -> Iterator[list[Path]]:
    """The paths of each of :func:`groups`."""
    for group in groups(files):
        yield [found.path for found in group]


def _check_chunk(
    group: list[Found], kind: str | None, lang: Lang, settings: config.Settings | config.Configs
) -> Result:
    return check_paths(group, kind=kind, lang=lang, settings=settings)


def _one_shellcheck_per_worker() -> None:
    from . import shellcheck

    shellcheck.PROCESSES = 1


def check_tree(
    paths: Iterable[str | Path | Found],
    *,
    kind: str | None = None,
    lang: Lang = "en",
    settings: config.Settings | config.Configs | None = None,
    jobs: int = 1,
) -> Result:
    """Like :func:`check_paths`, chunk by chunk; ``jobs`` > 1 uses worker processes."""
    settings = settings if settings is not None else config.Settings()
    files = discover(paths, kind)
    chunked = list(groups(files))
    jobs = max(1, jobs if jobs > 0 else (os.cpu_count() or 1))
    results: list[Result] = []
    if jobs == 1 or len(chunked) == 1:
        # ShellCheck of one chunk runs while this process checks the next one
        pending: Pending | None = None
        for group in chunked:
            try:
                started = start_paths(group, kind=kind, lang=lang, settings=settings)
            except BaseException:  # Ctrl-C, or a bug: leave no ShellCheck running
                if pending is not None:
                    pending.cancel()
                raise
            if pending is not None:
                results.append(pending.finish())
            pending = started
        if pending is not None:
            results.append(pending.finish())
    else:
        from concurrent.futures import ProcessPoolExecutor  # only now: ~7 ms to import

        with ProcessPoolExecutor(
            max_workers=min(jobs, len(chunked)), initializer=_one_shellcheck_per_worker
        ) as pool:
            futures = [pool.submit(_check_chunk, g, kind, lang, settings) for g in chunked]
            results = [future.result() for future in futures]
    return _merged(results, len(files))


def _merged(results: list[Result], files: int) -> Result:
    """One result of the chunks' (each file is in one chunk: nothing is counted twice)."""
    findings: set[Finding] = set()
    lines: dict[tuple[str, int], str] = {}
    errors = warnings = 0
    for r in results:
        findings.update(r.findings)
        lines.update(r.lines)
        errors += r.hidden_errors
        warnings += r.hidden_warnings
    return Result(sorted(findings, key=Finding.sort_key), files, errors, warnings, lines)
