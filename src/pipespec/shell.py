"""The shell inside a buildspec: its commands as CodeBuild runs them.

CodeBuild runs the commands of a version 0.2 buildspec in one shell session, phase after
phase (``install``, ``pre_build``, ``build``, ``post_build``, each phase's ``finally`` after
its ``commands``); version 0.1 runs every command in a shell of its own. On Linux that shell
is ``sh`` unless ``env.shell`` says ``bash``.

This module

* lists the commands of a loaded buildspec in that order, each with a map from every
  character of the command back to its line and column in the YAML file
  (:func:`commands`, :class:`Command`); block scalars map line by line;
* says which shell runs them and which names the buildspec defines.

Scanning a command for the variables it reads and assigns is :mod:`pipespec.shellscan`'s,
running ShellCheck over the sessions :mod:`pipespec.shellcheck`'s.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any, Literal, NamedTuple

from .document import Document, NodePath, Position

PHASES = ("install", "pre_build", "build", "post_build")
WINDOWS_SHELLS = frozenset({"powershell.exe", "powershell", "pwsh", "pwsh.exe", "cmd.exe", "cmd"})
Dialect = Literal["sh", "bash"]
#: Scripts longer than this are not given to ShellCheck (real build scripts are far smaller).
MAX_SCRIPT_CHARS = 32_768
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --------------------------------------------------------------------------- commands


class _Segment(NamedTuple):
    start: int  # offset in the command's text
    length: int
    line: int  # where that text starts in the YAML file (1-based)
    column: int


class Command:
    """One command of a phase: its node path, its text, and where its characters came from."""

    __slots__ = ("path", "segments", "start", "text")

    def __init__(
        self, path: NodePath, text: str, start: Position, segments: list[_Segment] | None = None
    ) -> None:
        self.path = path
        self.text = text
        self.start = start
        self.segments: list[_Segment] = segments if segments is not None else []

    def __repr__(self) -> str:
        return f"Command({self.path!r}, {self.text!r})"

    @property
    def phase(self) -> str:
        return str(self.path[1])

    def position(self, offset: int) -> Position:
        """The YAML line and column of the character at ``offset`` in :attr:`text`."""
        starts = [s.start for s in self.segments]
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return self.start
        seg = self.segments[i]
        if offset < seg.start + seg.length:
            return seg.line, seg.column + offset - seg.start
        if i + 1 < len(self.segments):  # in the line break between two source lines
            nxt = self.segments[i + 1]
            return nxt.line, nxt.column
        return seg.line, seg.column + max(seg.length - 1, 0)

    def line_offsets(self) -> list[int]:
        """Offset in :attr:`text` where each of its lines starts."""
        offsets = [0]
        for m in re.finditer("\n", self.text):
            offsets.append(m.end())
        return offsets


def _source_lines(doc: Document) -> list[str]:
    """``doc.text`` split at line breaks, once per document (asked for each command)."""
    memo: dict[str, list[str]] = doc.__dict__
    if "_source_lines" not in memo:
        memo["_source_lines"] = doc.text.split("\n")
    return memo["_source_lines"]


def _line_starts(doc: Document) -> list[int]:
    """The offset in ``doc.text`` at which each line starts, once per document."""
    memo: dict[str, list[int]] = doc.__dict__
    if "_line_starts" not in memo:
        memo["_line_starts"] = [0] + [m.end() for m in re.finditer("\n", doc.text)]
    return memo["_line_starts"]


def _candidates(doc: Document, start: Position) -> Iterator[tuple[int, int, str]]:
    """Source lines that may hold the scalar at ``start``: (line, column, text)."""
    lines = _source_lines(doc)
    line0, col0 = start
    if not 0 < line0 <= len(lines):
        return
    first = lines[line0 - 1]
    indicator = first[col0 - 1] if 0 < col0 <= len(first) else ""
    if indicator in ("|", ">"):
        header = first[col0:].split("#", 1)[0]
        digits = [int(ch) for ch in header if ch.isdigit()]
        indent: int | None = None
        if digits:
            parent = len(first) - len(first.lstrip(" "))
            indent = parent + digits[0]
        for number in range(line0 + 1, len(lines) + 1):
            text = lines[number - 1]
            if not text.strip():
                continue
            here = len(text) - len(text.lstrip(" "))
            if indent is None:
                indent = here
            if here < indent:
                return
            yield number, indent + 1, text[indent:]
        return
    skip = 1 if indicator in ("'", '"') else 0
    yield line0, col0 + skip, first[col0 - 1 + skip :]
    for number in range(line0 + 1, len(lines) + 1):
        text = lines[number - 1]
        stripped = text.lstrip(" ")
        yield number, len(text) - len(stripped) + 1, stripped


_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX = {"x": 2, "u": 4, "U": 8}


def _quoted_segments(doc: Document, value: str, start: Position) -> list[_Segment] | None:
    """Character-exact map of a quoted scalar (escapes, '' and line folding), or None when
    the source does not give back ``value``."""
    text = doc.text
    line_starts = _line_starts(doc)
    line0, col0 = start
    if not 0 < line0 <= len(line_starts):
        return None
    i = line_starts[line0 - 1] + col0 - 1
    if i >= len(text) or text[i] not in "'\"":
        return None
    quote = text[i]
    i += 1
    chars: list[str] = []
    where: list[int] = []  # offset in the file of each character of the value
    while i < len(text):
        c = text[i]
        if c == quote:
            if quote == "'" and text.startswith("''", i):
                chars.append("'")
                where.append(i)
                i += 2
                continue
            break
        if quote == '"' and c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n == "\n":  # escaped line break: joined without a space
                i += 2
                while i < len(text) and text[i] in " \t":
                    i += 1
                continue
            if n in _HEX:
                digits = text[i + 2 : i + 2 + _HEX[n]]
                try:
                    chars.append(chr(int(digits, 16)))
                except ValueError:
                    return None
                where.append(i)
                i += 2 + _HEX[n]
                continue
            if n not in _ESCAPES:
                return None
            chars.append(_ESCAPES[n])
            where.append(i)
            i += 2
            continue
        if c == "\n":  # folding: trailing blanks go, one break is a space, more are breaks
            while chars and chars[-1] in " \t" and where[-1] >= 0 and text[where[-1]] in " \t":
                chars.pop()
                where.pop()
            breaks = 0
            j = i
            while j < len(text) and text[j] == "\n":
                j += 1
                while j < len(text) and text[j] in " \t":
                    j += 1
                breaks += 1
                if j < len(text) and text[j] != "\n":
                    break
            chars.append("\n" * (breaks - 1) if breaks > 1 else " ")
            where.append(i)
            i = j
            continue
        chars.append(c)
        where.append(i)
        i += 1
    if "".join(chars) != value:
        return None
    segments: list[_Segment] = []
    offset = 0
    for ch, at in zip(chars, where, strict=True):
        line = bisect_right(line_starts, at)
        column = at - line_starts[line - 1] + 1
        last = segments[-1] if segments else None
        if (
            last is not None
            and len(ch) == 1
            and last.line == line
            and last.column + last.length == column
            and last.start + last.length == offset
        ):
            segments[-1] = _Segment(last.start, last.length + 1, line, last.column)
        else:
            segments.append(_Segment(offset, len(ch), line, column))
        offset += len(ch)
    return segments


def _segments(doc: Document, value: str, start: Position) -> list[_Segment]:
    """Align the scalar's value with its source lines (block, plain or quoted)."""
    quoted = _quoted_segments(doc, value, start)
    if quoted is not None:
        return quoted
    segments: list[_Segment] = []
    p = 0
    for line, column, raw in _candidates(doc, start):
        while p < len(value) and value[p] in " \n":
            p += 1
        if p >= len(value):
            break
        text = raw.lstrip(" ")
        column += len(raw) - len(text)
        text = text.rstrip(" ")
        if not text:
            continue
        rest = value[p:]
        if rest.startswith(text):
            segments.append(_Segment(p, len(text), line, column))
            p += len(text)
            continue
        k = 0
        limit = min(len(rest), len(text))
        while k < limit and rest[k] == text[k]:
            k += 1
        if k:  # the scalar ends on this line (a closing quote, a comment) or is escaped
            segments.append(_Segment(p, k, line, column))
        break
    return segments


def commands(doc: Document) -> list[Command]:
    """The commands of the four phases in the order CodeBuild runs them.

    Several rules ask for them; they are worked out once per document and kept on it.
    """
    cached: list[Command] | None = doc.__dict__.get("_shell_commands")
    if cached is None:
        cached = doc.__dict__["_shell_commands"] = _commands(doc)
    return cached


def _commands(doc: Document) -> list[Command]:
    data = doc.data
    phases = data.get("phases") if isinstance(data, dict) else None
    if not isinstance(phases, dict):
        return []
    out: list[Command] = []
    for phase in PHASES:
        body = phases.get(phase)
        if not isinstance(body, dict):
            continue
        for section in ("commands", "finally"):
            seq = body.get(section)
            if not isinstance(seq, list):
                continue
            for i, cmd in enumerate(seq):
                if not isinstance(cmd, str):
                    continue
                path: NodePath = ("phases", phase, section, i)
                start = doc.position(path)
                out.append(Command(path, cmd, start, _segments(doc, cmd, start)))
    return out


def version(doc: Document) -> str:
    data = doc.data
    value = data.get("version") if isinstance(data, dict) else None
    return str(value).strip() if value is not None else "0.2"


def sessions(doc: Document) -> list[list[Command]]:
    """Commands grouped by shell session: one for 0.2, one per command for 0.1."""
    cmds = commands(doc)
    if version(doc) == "0.1":
        return [[c] for c in cmds]
    return [cmds] if cmds else []


def declared_shell(doc: Document) -> str | None:
    data = doc.data
    env = data.get("env") if isinstance(data, dict) else None
    shell = env.get("shell") if isinstance(env, dict) else None
    return shell if isinstance(shell, str) else None


def dialect(doc: Document) -> Dialect | None:
    """``sh`` (CodeBuild's default on Linux), ``bash``, or None for a Windows shell."""
    shell = declared_shell(doc)
    if shell is None:
        return "sh"
    name = shell.strip().replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name in WINDOWS_SHELLS:
        return None
    return "bash" if name.startswith("bash") else "sh"


def defined_names(doc: Document) -> set[str]:
    """Variables the buildspec itself defines: env sections and batch build environments
    (and version 0.1's environment_variables.plaintext)."""
    names: set[str] = set()

    def env_block(env: Any) -> None:
        if not isinstance(env, dict):
            return
        for section in ("variables", "parameter-store", "secrets-manager"):
            block = env.get(section)
            if isinstance(block, dict):
                names.update(k for k in block if isinstance(k, str))
        exported = env.get("exported-variables")
        if isinstance(exported, list):
            names.update(v for v in exported if isinstance(v, str))

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "env":
                    env_block(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    data = doc.data
    if isinstance(data, dict):
        env_block(data.get("env"))
        walk(data.get("batch"))
        legacy = data.get("environment_variables")  # version 0.1's env (see BS114)
        if version(doc) == "0.1" and isinstance(legacy, dict):
            env_block({"variables": legacy.get("plaintext")})
    return names


def exported_names(doc: Document) -> list[str]:
    data = doc.data
    env = data.get("env") if isinstance(data, dict) else None
    exported = env.get("exported-variables") if isinstance(env, dict) else None
    if not isinstance(exported, list):
        return []
    return [v for v in exported if isinstance(v, str)]
