"""Collect ``artifacts.files`` the way CodeBuild's UPLOAD_ARTIFACTS phase does, safely.

For each listed path or glob (relative to ``base-directory``, ``**`` matching any depth)
CodeBuild logs ``Expanding <path>``; a path that matches nothing is logged as
``Skipping invalid file path <path>``; when nothing at all matches, the phase fails with
``CLIENT_ERROR Message: no matching artifact paths found``. ``discard-paths: yes`` keeps
file names only; ``exclude-paths`` removes matches. Secondary artifacts are collected into
a directory of their own, named by their identifier.

The tree the files come from was written by the build's commands, so it is untrusted:

* a secondary artifact's identifier is a name, never a path: it must match
  :data:`IDENTIFIER`, the character set of CodePipeline's artifact names
  (``[A-Za-z0-9_-]``, 1 to 100 characters), which the identifiers of a CodeBuild action's
  secondary artifacts must equal;
* ``base-directory`` is taken relative to the source directory ("relative to the original
  build location", CodeBuild's build specification reference; a leading
  ``$CODEBUILD_SRC_DIR`` is the source directory itself): an absolute one, or one that
  climbs out with ``..`` or through a symlink, is refused;
* files are opened beneath the source directory (:mod:`pipespec.run.beneath`): a symlink
  that leads out of it is refused, not followed; only regular files are read;
* the copy is capped (:data:`MAX_FILES` files, :data:`MAX_FILE_BYTES` per file,
  :data:`MAX_BYTES` in all, by apparent size, so a sparse file counts for what it claims).

Any of these is an error of the artifact, and then nothing of it is copied: never a
partial output.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from . import beneath

YES = {"yes", "true", "1"}
#: CodePipeline's ArtifactName pattern (botocore's codepipeline model: 1 to 100 characters).
IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,100}\Z")
MAX_FILES = 10_000
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_BYTES = 1024 * 1024 * 1024
#: Paths in files or exclude-paths, and secondary artifacts, at most.
MAX_PATTERNS = 100
MAX_SECONDARY = 100
#: Seconds the parent may spend collecting all the artifacts of a run.
MAX_SECONDS = 30.0
#: Entries looked at under base-directory while matching (the build's tree is bounded by
#: the sandbox's disk watch; this bounds the walk itself).
MAX_WALK = 200_000
BASE_DIRECTORY_DOC = (
    "the dry run collects only files beneath the source directory (CodeBuild's build "
    'specification reference describes base-directory as "relative to the original build '
    'location"; inside its own container CodeBuild also follows an absolute path, which the '
    "dry run cannot do safely)"
)
#: How real buildspecs spell the source directory at the start of base-directory.
SRC_DIR_VARIABLES = ("$CODEBUILD_SRC_DIR", "${CODEBUILD_SRC_DIR}")


@dataclass
class Collected:
    name: str
    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """CodeBuild's own verdict (nothing matched), or one of pipespec's refusals."""
        return not self.files or bool(self.errors)


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


def identifier_problem(ident: str) -> str:
    """Why ``ident`` cannot name a secondary artifact ("" when it can)."""
    if IDENTIFIER.match(ident):
        return ""
    return (
        f"secondary artifact identifier {ident!r} is not a name: use 1 to 100 letters, "
        "digits, '_' or '-' (the characters of CodePipeline's artifact names)"
    )


def base_problem(base: str) -> str:
    """Why ``base-directory`` cannot be used ("" when it is relative and stays inside)."""
    if base.startswith("/"):
        return f"base-directory {base!r} is an absolute path; {BASE_DIRECTORY_DOC}"
    depth = 0
    for part in base.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return f"base-directory {base!r} leads outside the source directory; " + (
                    BASE_DIRECTORY_DOC
                )
        elif part not in ("", "."):
            depth += 1
    return ""


class Deadline:
    """The time the parent may spend collecting (all artifacts of a run share one)."""

    def __init__(self, seconds: float = MAX_SECONDS) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self.end


def _compiled(patterns: list[str]) -> re.Pattern[str]:
    """One regex for :func:`_match` over all ``patterns`` (compiled once, not per file)."""
    alternatives = []
    for pattern in patterns:
        pattern = pattern.removeprefix("./")
        if pattern in ("**/*", "**"):
            alternatives.append(".*")
            continue
        alternatives.append(fnmatch.translate(pattern))
        if "**/" in pattern:  # "dir/**/*" also matches files directly in dir/
            alternatives.append(fnmatch.translate(pattern.replace("**/", "")))
    return re.compile("|".join(f"(?:{a})" for a in alternatives) or "(?!)", re.S)


def collect(
    section: dict[str, Any], src_fd: int, out_fd: int, dest: str, name: str,
    deadline: Deadline | None = None,
) -> Collected:  # fmt: skip
    """Copy what ``section`` (an ``artifacts`` mapping) selects from the source tree
    (``src_fd``) into the new directory ``dest`` beneath ``out_fd``.

    Linear in the files and patterns, with at most :data:`MAX_PATTERNS` patterns and
    exclusions, and within ``deadline``.
    """
    deadline = deadline or Deadline()
    out = Collected(name)
    raw_base = section.get("base-directory")
    base = raw_base.strip() if isinstance(raw_base, str) else ""
    for variable in SRC_DIR_VARIABLES:
        if base == variable or base.startswith(variable + "/"):
            base = base[len(variable) :].lstrip("/") or "."
    discard = str(section.get("discard-paths", "no")).lower() in YES
    patterns = _listed(section.get("files"))
    excludes = _listed(section.get("exclude-paths"))
    if len(patterns) > MAX_PATTERNS or len(excludes) > MAX_PATTERNS:
        out.errors.append(f"more than {MAX_PATTERNS} paths in files or exclude-paths: the dry "
                          "run does not expand that many")  # fmt: skip
        return out
    problem = base_problem(base) if base else ""
    if problem:
        out.errors.append(problem)
        return out
    entries: list[str] = []
    base_rel = base.strip("/")
    try:
        base_fd = beneath.open_beneath(src_fd, base_rel or ".", os.O_RDONLY | os.O_DIRECTORY)
    except beneath.Escape:
        out.errors.append(f"base-directory {base!r} is a symlink that leads outside the source "
                          f"directory; {BASE_DIRECTORY_DOC}")  # fmt: skip
        return out
    except OSError:
        out.log.append(f"[Container] Skipping invalid base directory {base}")
    else:
        unreadable: list[str] = []
        try:
            for e in beneath.walk(base_fd, MAX_WALK, errors=unreadable):
                if e.is_file or e.is_symlink:
                    entries.append(e.path)
                if deadline.passed():
                    break
        except beneath.TooLarge:
            out.errors.append(f"more than {MAX_WALK:,} entries under base-directory "
                              f"{base or '.'!r}: not collected")  # fmt: skip
            return out
        finally:
            os.close(base_fd)
        out.log += [f"[pipespec] {u}: not read, so not collected" for u in unreadable[:20]]
    excluded = _compiled(excludes) if excludes else None
    kept = [e for e in entries if excluded is None or not excluded.fullmatch(e)]
    chosen: dict[str, None] = {}  # ordered, each file once
    for pattern in patterns:
        out.log.append(f"[Container] Expanding {pattern}")
        matcher = _compiled([pattern])
        hits = 0
        for path in kept:
            if matcher.fullmatch(path):
                hits += 1
                chosen.setdefault(path)
        if not hits:
            out.log.append(f"[Container] Skipping invalid file path {pattern}")
            out.missing.append(pattern)
        if len(chosen) > MAX_FILES:
            out.errors.append(f"the artifact would hold more than {MAX_FILES:,} files, the dry "
                              "run's limit")  # fmt: skip
            return out
        if deadline.passed():
            break
    if deadline.passed():
        out.errors.append(f"collecting the artifacts took more than {deadline.seconds:g} s: "
                          "not collected")  # fmt: skip
        return out
    sizes = _check_all(src_fd, base_rel, list(chosen), out)
    if out.errors or not sizes:
        return out
    _copy_all(src_fd, base_rel, sizes, out_fd, dest, discard, out)
    if out.files:
        out.log.append(f"[Container] Found {len(out.files)} file(s)")
    return out


def _open(src_fd: int, base_rel: str, rel: str) -> int:
    path = f"{base_rel}/{rel}" if base_rel else rel
    return beneath.open_beneath(src_fd, path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)


def _check_all(src_fd: int, base_rel: str, chosen: list[str], out: Collected) -> dict[str, int]:
    """Open each chosen file beneath the source in turn and check the caps: {path: size}."""
    sizes: dict[str, int] = {}
    total = 0
    for rel in chosen:
        try:
            fd = _open(src_fd, base_rel, rel)
        except beneath.Escape:
            out.errors.append(f"{rel} is a symlink that leads outside the source directory: "
                              "not collected")  # fmt: skip
            continue
        except OSError as exc:
            out.errors.append(f"{rel}: cannot be read ({exc.strerror})")
            continue
        try:
            st = os.fstat(fd)
        finally:
            os.close(fd)
        if not stat.S_ISREG(st.st_mode):
            out.errors.append(f"{rel} is not a regular file ({beneath.kind_of(st.st_mode)})")
        elif st.st_size > MAX_FILE_BYTES:
            out.errors.append(f"{rel} is {st.st_size:,} bytes, more than the dry run's limit "
                              f"of {MAX_FILE_BYTES:,} bytes per artifact file")  # fmt: skip
        sizes[rel] = st.st_size
        total += st.st_size
    if total > MAX_BYTES and not out.errors:
        out.errors.append(f"the artifact's files add up to {total:,} bytes, more than the dry "
                          f"run's limit of {MAX_BYTES:,}")  # fmt: skip
    return sizes


def _copy_all(
    src_fd: int, base_rel: str, sizes: dict[str, int], out_fd: int, dest: str, discard: bool,
    out: Collected,
) -> None:  # fmt: skip
    os.mkdir(dest, 0o755, dir_fd=out_fd)  # new: nothing already there is written through
    dest_fd = beneath.open_beneath(out_fd, dest, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for rel, size in sizes.items():
            shown = PurePosixPath(rel).name if discard else rel
            fd = _open(src_fd, base_rel, rel)
            try:
                beneath.copy_new(dest_fd, shown, fd, size)  # at most the size checked above
            except FileExistsError:
                out.log.append(f"[pipespec] {rel}: {shown} is already in the artifact (discard-"
                               "paths keeps the first)")  # fmt: skip
                continue
            finally:
                os.close(fd)
            out.files.append(shown)
    finally:
        os.close(dest_fd)
