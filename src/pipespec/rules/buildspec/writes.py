"""What a buildspec's commands write: files named after ``>``, ``>>`` and ``tee``, where
they land as ``cd`` moves through the shell session, and the artifact sections that
collect them. Shared by the artifact rules and the cross-file rules."""

from __future__ import annotations

import fnmatch
import re
import shlex
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...context import Context


#: Files the deploy actions read from a build artifact.
DEPLOY_INPUTS = ("imagedefinitions.json", "imageDetail.json", "taskdef.json", "appspec.yaml",
                 "appspec.yml", "appspec.json")  # fmt: skip
#: Deploy inputs that usually live in the source (the build writes the image files).
SOURCE_FILES = ("taskdef.json", "appspec.yaml", "appspec.yml", "appspec.json")
_REDIRECT = re.compile(r"(?<![0-9&<>])>>?\s*(?!&)([^\s;|&<>]+)")
_TEE = re.compile(r"\btee\s+((?:-[a-z]+\s+)*)([^\s;|&<>]+)")


def written_files(command: str) -> list[str]:
    """Files a shell command writes with ``>``/``>>`` or ``tee`` (literal names only)."""
    names = [m.group(1) for m in _REDIRECT.finditer(command)]
    names += [m.group(2) for m in _TEE.finditer(command)]
    targets = [_target(name) for name in names]
    return [str(PurePosixPath(t)) for t in targets if t and "$" not in t and "`" not in t]


def command_items(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, text) of every string command and finally command of a buildspec's phases."""
    phases = data.get("phases") if isinstance(data, dict) else None
    for phase, body in phases.items() if isinstance(phases, dict) else []:
        if not isinstance(body, dict):
            continue
        for section in ("commands", "finally"):
            seq = body.get(section)
            if isinstance(seq, list):
                for i, cmd in enumerate(seq):
                    if isinstance(cmd, str):
                        yield ("phases", phase, section, i), cmd


_CD = re.compile(r"(?:^|(?<=[;&|(\n]))\s*(?:cd|pushd|popd)\b(?:[ \t]+([^\s;|&<>)]+))?")
_SRC_DIR = re.compile(r'^"?\$\{?CODEBUILD_SRC_DIR\}?"?(?=/|$)')


def _cd(cwd: PurePosixPath | None, arg: str | None, word: str) -> PurePosixPath | None:
    """The working directory after ``cd arg`` from ``cwd`` (relative to the source root;
    None: not known)."""
    if word != "cd":
        return None  # pushd/popd: a stack this walk does not keep
    if arg is None:
        return None  # $HOME, not the source
    words = _target(arg)
    if words is None and _SRC_DIR.match(arg) is None:
        return None
    arg = words if words is not None else arg
    src = _SRC_DIR.match(arg)
    if src:
        cwd, arg = PurePosixPath("."), arg[src.end() :].lstrip("/").strip('"') or "."
    if cwd is None or arg == "-" or arg.startswith(("/", "~")) or any(c in arg for c in "$`*?"):
        return None
    return _inside(cwd / arg)


def _inside(path: PurePosixPath) -> PurePosixPath | None:
    """``path`` normalised, or None when it leaves the source root."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def session_writes(data: Any) -> Iterator[tuple[tuple[str | int, ...], str, str | None]]:
    """Each file a command writes: (command's path, name as written, path from the source
    root or None when where it lands is not known).

    In buildspec version 0.2 the commands run in one shell session, so a ``cd`` carries
    over to the next command and phase ("Shells and commands in build environments",
    CodeBuild User Guide); in 0.1 each command starts at the source root. A literal
    relative ``cd`` is followed, ``cd $CODEBUILD_SRC_DIR`` goes back to the root, and any
    other ``cd`` makes the rest of the session's locations unknown.
    """
    fresh = isinstance(data, dict) and data.get("version") == 0.1
    cwd: PurePosixPath | None = PurePosixPath(".")
    for path, command in command_items(data):
        if fresh:
            cwd = PurePosixPath(".")
        events = (
            [(m.start(), "cd", m) for m in _CD.finditer(command)]
            if "cd" in command or ("pushd" in command or "popd" in command)
            else []
        )
        if ">" in command:
            events += [(m.start(), "w", m) for m in _REDIRECT.finditer(command)]
        if "tee" in command:
            events += [(m.start(), "t", m) for m in _TEE.finditer(command)]
        if not events:
            continue
        for _, what, m in sorted(events, key=lambda e: e[0]):
            if what == "cd":
                word = m.group(0).strip().split()[0]
                cwd = _cd(cwd, m.group(1), word)
                continue
            name = _target(m.group(1) if what == "w" else m.group(2))
            if name is None:
                continue
            src = _SRC_DIR.match(name)
            if src:
                yield path, name, str(_inside(PurePosixPath(name[src.end() :].lstrip("/"))))
            elif "$" in name or "`" in name or name.startswith("/"):
                continue
            elif cwd is None:
                yield path, name, None
            else:
                resolved = _inside(cwd / name)
                yield path, name, None if resolved is None else str(resolved)


def _target(word: str) -> str | None:
    try:
        parts = shlex.split(word)
    except ValueError:
        return None
    if len(parts) != 1 or parts[0] in ("/dev/null", "/dev/stdout", "/dev/stderr"):
        return None
    return parts[0]


def _artifact_sections(ctx: Context) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    main = ctx.mapping("artifacts")
    if main:
        yield ("artifacts",), main
    for name, body in ctx.mapping("artifacts", "secondary-artifacts").items():
        if isinstance(body, dict):
            yield ("artifacts", "secondary-artifacts", name), body


def _patterns(section: dict[str, Any]) -> list[str]:
    files = section.get("files")
    items = [files] if isinstance(files, str) else files if isinstance(files, list) else []
    base = section.get("base-directory")
    prefix = f"{base.strip('/')}/" if isinstance(base, str) and base.strip("/") else ""
    return [prefix + f.lstrip("./") if not f.startswith("**") else prefix + f
            for f in items if isinstance(f, str)]  # fmt: skip


def _matches(path: str, pattern: str) -> bool:
    if pattern in ("**/*", "**", "*"):
        return pattern != "*" or "/" not in path
    return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(
        path, pattern.replace("**/", "")
    )
