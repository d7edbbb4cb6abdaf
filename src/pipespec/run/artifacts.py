"""Collect ``artifacts.files`` the way CodeBuild's UPLOAD_ARTIFACTS phase does.

For each listed path or glob (relative to ``base-directory``, ``**`` matching any depth)
CodeBuild logs ``Expanding <path>``; a path that matches nothing is logged as
``Skipping invalid file path <path>``; when nothing at all matches, the phase fails with
``CLIENT_ERROR Message: no matching artifact paths found``. ``discard-paths: yes`` keeps
file names only; ``exclude-paths`` removes matches. Secondary artifacts are collected into
a directory of their own.
"""

from __future__ import annotations

import fnmatch
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

YES = {"yes", "true", "1"}


@dataclass
class Collected:
    name: str
    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """CodeBuild's own verdict: the upload fails only when nothing matched."""
        return not self.files


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _match(rel: str, pattern: str) -> bool:
    pattern = pattern.removeprefix("./")
    if pattern in ("**/*", "**"):
        return True
    if fnmatch.fnmatchcase(rel, pattern):
        return True
    # "dir/**/*" also matches files directly in dir/
    return "**/" in pattern and fnmatch.fnmatchcase(rel, pattern.replace("**/", ""))


def collect(section: dict[str, Any], src: Path, dest: Path, name: str) -> Collected:
    """Copy what ``section`` (an ``artifacts`` mapping) selects from ``src`` into ``dest``."""
    out = Collected(name)
    base_dir = section.get("base-directory")
    base = src / str(base_dir) if isinstance(base_dir, str) and base_dir.strip() else src
    discard = str(section.get("discard-paths", "no")).lower() in YES
    excludes = _listed(section.get("exclude-paths"))
    if not base.is_dir():
        out.log.append(f"[Container] Skipping invalid base directory {base_dir}")
    files = sorted(
        p.relative_to(base).as_posix()
        for p in (base.rglob("*") if base.is_dir() else [])
        if p.is_file() and not p.is_symlink()
    )
    chosen: list[str] = []
    for pattern in _listed(section.get("files")):
        out.log.append(f"[Container] Expanding {pattern}")
        hits = [f for f in files if _match(f, pattern) and not any(_match(f, e) for e in excludes)]
        if not hits:
            out.log.append(f"[Container] Skipping invalid file path {pattern}")
            out.missing.append(pattern)
        for hit in hits:
            if hit not in chosen:
                chosen.append(hit)
    dest.mkdir(parents=True, exist_ok=True)
    for rel in chosen:
        target = dest / (PurePosixPath(rel).name if discard else rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base / rel, target)
        out.files.append(PurePosixPath(rel).name if discard else rel)
    if chosen:
        out.log.append(f"[Container] Found {len(chosen)} file(s)")
    return out
