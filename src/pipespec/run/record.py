"""Recorded dry runs: what a sandboxed run printed and wrote, kept beside the docs.

A docs build shows the dry run's real output. Where the sandbox is available, the build
runs it and checks that the record still matches; where it is not (a fresh machine
without bubblewrap, a hosted builder without user namespaces), the build shows the record,
but only while the directory is byte for byte the one that was run: a changed source tree
needs the sandbox. Records are never written by hand: ``PIPESPEC_RECORD_RUNS=1`` makes a
docs build (re)write the stale ones from real sandboxed runs, and CI, which has the
sandbox, fails when one is stale.

A record is JSON: the directory as shown, the SHA-256 of its files (:func:`inputs`), the
exit status, the log and the files the page shows (the first artifact's and the rendered
ones). Lines that name the sandbox's layers (``[pipespec] sandbox: ...``) differ from
machine to machine, so the comparison leaves them out (:func:`same`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from . import RunResult, beneath

#: Log lines that depend on the machine, not on the build (left out of comparisons).
MACHINE_LINE = "[pipespec] sandbox: "
MAX_RECORD_FILE = 1024 * 1024


def inputs(directory: Path) -> str:
    """SHA-256 over the directory's entries (names, types, symlink targets, file bytes),
    read beneath it, ``.git`` left out: what a dry run of it depends on."""
    digest = hashlib.sha256()
    fd = beneath.open_root(directory)
    try:
        for e in beneath.walk(fd, 100_000, skip=frozenset({".git"})):
            digest.update(e.path.encode("utf-8", "surrogateescape") + b"\0")
            if e.is_file:
                digest.update(b"f" + beneath.read_regular(fd, e.path, 64 * 1024 * 1024))
            elif e.is_symlink:
                digest.update(b"l" + os.fsencode(os.readlink(e.path, dir_fd=fd)))
            else:
                digest.update(b"d" if e.is_dir else b"?")
            digest.update(b"\0")
    finally:
        os.close(fd)
    return digest.hexdigest()


def shown_files(result: RunResult) -> dict[str, str]:
    """The files a page can show: the first artifact's and the rendered ones."""
    files: dict[str, str] = {}
    for kind, names in (
        ("artifacts", result.artifacts[0].files if result.artifacts else []),
        ("rendered", result.rendered.files),
    ):
        for name in names:
            path = result.out / kind / name
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_RECORD_FILE:
                files[f"out/{kind}/{name}"] = path.read_text(encoding="utf-8", errors="replace")
    return files


def make(shown: str, digest: str, result: RunResult) -> dict[str, Any]:
    return {
        "directory": shown,
        "inputs": digest,
        "exit_code": result.exit_code,
        "log": result.text(),
        "files": shown_files(result),
    }


def load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def save(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    log = str(record.get("log", ""))
    kept = [ln for ln in log.splitlines() if not ln.startswith(MACHINE_LINE)]
    return {**record, "log": kept}


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two records say the same, but for the machine's sandbox lines."""
    return _comparable(a) == _comparable(b)


def file_name(shown: str) -> str:
    """The record's file name for a directory shown as ``shown`` (``examples/x`` ->
    ``examples--x.json``): one name, never a path."""
    parts = shown.strip("/").split("/")
    safe = ["".join(c if c.isalnum() or c in "-_." else "_" for c in p) for p in parts]
    return "--".join(safe) + ".json"
