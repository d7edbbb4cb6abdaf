"""Which files a check reads: the paths given, the files found in directories by name,
each with its kind and the path findings show (:func:`discover`)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from . import catalog

#: Directories never searched when a directory is given.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".nox", ".tox", ".venv", "venv", "node_modules", "__pycache__",
     ".mypy_cache", ".ruff_cache", ".pytest_cache", "_build", "build", "dist"}
)  # fmt: skip


class UsageError(Exception):
    """Bad arguments (exit code 2): an unknown kind, a missing path."""


def _kind(name: str) -> catalog.Kind:
    try:
        return catalog.KINDS[name]
    except KeyError:
        raise UsageError(
            f"unknown kind {name!r} (choose from {', '.join(catalog.KINDS)})"
        ) from None


class Found(NamedTuple):
    """A file to check (see :func:`discover`)."""

    path: Path
    #: the path as findings show it
    shown: str
    #: None when the name says nothing (``PS001``)
    kind: catalog.Kind | None
    #: where a symbolic link found in a directory leads, when that is outside every path
    #: given: the link is not read (``PS004``)
    outside: str | None = None


def discover(
    paths: Iterable[str | Path | Found], kind: str | None = None, base: Path | None = None
) -> list[Found]:
    """Files to check, with the path to show and the kind of each, each file once.

    A file named on the command line is always checked: as ``kind`` when given, else as
    its name says (None when the name says nothing), and when it is a symbolic link, what
    it points to (naming it is choosing it). In a directory, files are found by name, and
    ``kind`` keeps only the files of that kind; links to directories are not followed, and
    a link to a file outside every given path is not read (:attr:`Found.outside`). Paths
    are shown relative to ``base`` (default: the current directory) when they are under
    it. A :class:`Found` (a chunk of an earlier discovery) is kept as it is.
    """
    forced = _kind(kind) if kind is not None else None
    given = list(paths)
    roots = [os.path.realpath(p) for p in given if not isinstance(p, Found)]
    found: list[Found] = []
    seen: set[str] = set()
    shown = _Display(base)

    def add(entry: Found) -> None:
        if entry.shown not in seen:  # `pipespec check . sub`: sub's files once
            seen.add(entry.shown)
            found.append(entry)

    for item in given:
        if isinstance(item, Found):
            add(item)
            continue
        p = Path(item)
        if p.is_dir() and catalog.detect(p.name) is None:  # a dir named buildspec.yml: LD010
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    detected = catalog.detect(name)
                    if detected is None or (forced is not None and detected is not forced):
                        continue
                    f = Path(root, name)
                    add(Found(f, shown(f), detected, _outside(f, roots)))
        elif p.exists() or p.is_symlink():
            add(Found(p, shown(p), forced or catalog.detect(p.name)))
        else:
            raise UsageError(f"no such file or directory: {item}")
    return found


def _outside(path: Path, roots: list[str]) -> str | None:
    """Where ``path`` leads when it is a symbolic link to somewhere outside every one of
    ``roots`` (real paths), else None. Such a link may point anywhere on the machine that
    runs the check (``/proc/self/environ``, a key): it is reported, never opened."""
    if not os.path.islink(path):
        return None
    target = os.path.realpath(path)
    for root in roots:
        if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
            return None
    return target


class _Display:
    """A path as shown: relative to ``base`` (default: the current directory) when it is
    under it, as given otherwise. Lexical, like ``Path.absolute().relative_to()``, but with
    the directory looked up once, not once per file."""

    def __init__(self, base: Path | None) -> None:
        self.cwd = os.getcwd()
        start = str(base.absolute()) if base is not None else self.cwd
        self.base = start
        self.prefix = start.rstrip("/") + "/"

    def __call__(self, p: Path) -> str:
        text = str(p)
        if text == ".":
            absolute = self.cwd
        else:
            absolute = text if os.path.isabs(text) else os.path.join(self.cwd, text)
        if absolute == self.base:
            return "."
        if absolute.startswith(self.prefix):
            return absolute[len(self.prefix) :]
        return p.as_posix()
