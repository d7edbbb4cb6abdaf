"""Recorded dry runs: what a sandboxed run printed and wrote, kept beside the docs.

A docs build shows the dry run's real output. Where the sandbox is available, the build
runs it and checks that the record still matches; where it is not (a fresh machine
without bubblewrap, a hosted builder without user namespaces), the build shows the record,
but only while the directory is the one that was run (:func:`inputs`): a changed source
tree needs the sandbox. ``PIPESPEC_RECORD_RUNS=1`` makes a docs build (re)write the stale
records from real sandboxed runs, and CI, which has the sandbox, fails when one is stale.

A record is JSON: the directory as shown, the digest of its files and of the run's
options, the exit status, the sandbox's layer lines (``layers``, which differ from machine
to machine and are left out of :func:`same`), the rest of the log, and the files the page
shows (the first artifact's and the rendered ones). What the build printed is all in
``log`` and compared line for line: it cannot pass for a layer line.

The digest says which directory a record belongs to, not who wrote it: a pull request that
edits a source and its record together is caught by CI's sandboxed comparison, not by a
docs build without the sandbox (see the threat-model page).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import RunResult, beneath
from .pipeline import PipelineResult

#: What a record holds, with the type of each field.
FIELDS: dict[str, type] = {
    "directory": str, "inputs": str, "exit_code": int, "layers": list, "log": str, "files": dict,
    "table": list,
}  # fmt: skip
#: The columns of a pipeline run's table (:meth:`PipelineResult.table`).
COLUMNS = ("stage", "action", "provider", "status", "inputs", "outputs")
MAX_RECORD_FILE = 1024 * 1024
MAX_RECORD = 8 * 1024 * 1024


def inputs(directory: Path, options: str = "") -> str:
    """SHA-256 over what a dry run of ``directory`` depends on: every entry beneath it
    (``.git`` left out), its name, type, whether a file is executable, and its bytes or
    symlink target, each field length-prefixed so that no two trees hash alike; and
    ``options``. Of the permission bits only the executable one counts, as in git: a
    checkout made under another umask (002 gives group-writable files) is the same tree."""
    digest = hashlib.sha256()

    def field(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "big") + data)

    field(options.encode())
    fd = beneath.open_root(directory)
    try:
        for e in beneath.walk(fd, 100_000, skip=frozenset({".git"})):
            field(os.fsencode(e.path))
            executable = e.is_file and bool(stat.S_IMODE(e.mode) & 0o111)
            field(f"{stat.S_IFMT(e.mode):o} {'x' if executable else '-'}".encode())
            if e.is_file:
                field(beneath.read_regular(fd, e.path, 64 * 1024 * 1024))
            elif e.is_symlink:
                field(os.fsencode(os.readlink(e.path, dir_fd=fd)))
    finally:
        os.close(fd)
    return digest.hexdigest()


def shown_files(result: RunResult | PipelineResult) -> dict[str, str]:
    """The files a page can show: the first artifact's and the rendered ones; of a pipeline,
    every build artifact's (``out/artifacts/<artifact>/``) and every deploy action's."""
    paths: dict[str, Path] = {}
    if isinstance(result, PipelineResult):
        paths = dict(result.shown)
    else:
        for kind, names in (
            ("artifacts", result.artifacts[0].files if result.artifacts else []),
            ("rendered", result.rendered.files),
        ):
            paths.update({f"out/{kind}/{name}": result.out / kind / name for name in names})
    files: dict[str, str] = {}
    for caption, path in paths.items():
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_RECORD_FILE:
            files[caption] = path.read_text(encoding="utf-8", errors="replace")
    return files


def make(shown: str, digest: str, result: RunResult | PipelineResult) -> dict[str, Any]:
    """The record of ``result``: the layer lines pipespec wrote first, apart from the rest."""
    lines = result.text().splitlines()
    count = len(result.sandbox.get("layers", []))
    count += 1 if lines and lines[0].startswith("[pipespec] WARNING: --unsafe-no-sandbox") else 0
    return {
        "directory": shown,
        "inputs": digest,
        "exit_code": result.exit_code,
        "layers": lines[:count],
        "log": "\n".join(lines[count:]) + "\n",
        "files": shown_files(result),
        "table": result.table() if isinstance(result, PipelineResult) else [],
    }


def text(record: dict[str, Any]) -> str:
    """The log as the run printed it: the layer lines, then the rest."""
    return "".join(f"{line}\n" for line in record["layers"]) + str(record["log"])


def load(path: Path) -> dict[str, Any] | None:
    """The record at ``path``; None when there is none, or it is not one pipespec wrote."""
    try:
        if path.is_symlink() or path.stat().st_size > MAX_RECORD:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or set(data) != set(FIELDS):
        return None
    if not all(isinstance(data[k], t) for k, t in FIELDS.items()):
        return None
    layers, files = data["layers"], data["files"]
    if not all(isinstance(line, str) for line in layers):
        return None
    if not all(
        isinstance(k, str) and isinstance(v, str) and k.startswith(("out/artifacts/",
                   "out/rendered/")) for k, v in files.items()
    ):  # fmt: skip
        return None
    if not all(
        isinstance(row, dict) and set(row) == set(COLUMNS)
        and all(isinstance(v, str) for v in row.values()) for row in data["table"]
    ):  # fmt: skip
        return None
    return data


def save(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two records say the same, but for the machine's layer lines."""
    return {k: v for k, v in a.items() if k != "layers"} == {
        k: v for k, v in b.items() if k != "layers"
    }


def file_name(shown: str) -> str:
    """The record's file name for a directory shown as ``shown``: one name, never a path,
    and a different one for every directory (``examples/x`` -> ``examples%2Fx.json``)."""
    return quote(shown.strip("/"), safe="-_.") + ".json"
