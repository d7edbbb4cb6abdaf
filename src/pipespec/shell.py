"""The shell inside a buildspec: commands as CodeBuild runs them, and ShellCheck over them.

CodeBuild runs the commands of a version 0.2 buildspec in one shell session, phase after
phase (``install``, ``pre_build``, ``build``, ``post_build``, each phase's ``finally`` after
its ``commands``); version 0.1 runs every command in a shell of its own. On Linux that shell
is ``sh`` unless ``env.shell`` says ``bash``.

This module

* lists the commands of a loaded buildspec in that order, each with a map from every
  character of the command back to its line and column in the YAML file
  (:func:`commands`, :class:`Command`); block scalars map line by line;
* scans a command for the variables it reads and assigns (:func:`scan`), for the rules in
  :mod:`pipespec.rules.shell`;
* assembles the sessions into scripts and runs ShellCheck (``shellcheck -f json1``) on all
  the scripts of a run at once (:class:`Batch`: one process, or one per CPU for a large
  run), turning its comments into findings on the YAML lines (rule IDs ``SH`` + the SC
  number).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple

from .document import Document, Lang, NodePath, Position
from .findings import Finding, Severity

PHASES = ("install", "pre_build", "build", "post_build")
WINDOWS_SHELLS = frozenset({"powershell.exe", "powershell", "pwsh", "pwsh.exe", "cmd.exe", "cmd"})
Dialect = Literal["sh", "bash"]
#: ShellCheck's levels, most severe first (``-S`` takes one of them).
LEVELS = ("error", "warning", "info", "style")
DEFAULT_SEVERITY = "info"
#: Codes never reported: SC1090/SC1091 are about files ShellCheck was not given (a
#: buildspec's ``. ./env.sh`` is in the repository, not in the script); SC2034 ("appears
#: unused"): CodeBuild runs each command as a script of its own and hands its variables on
#: to the later commands and the programs they start (a build log shows
#: /codebuild/output/tmp/script.sh), so a variable only a tool reads is not unused; and
#: SC2154 ("referenced but not assigned") is what BS120 reports, knowing CodeBuild's
#: variables.
ALWAYS_EXCLUDED = ("SC1090", "SC1091", "SC2034", "SC2154")
#: Files per ShellCheck process at most (far below any command-line length limit), and
#: at least, before a run is split over several processes.
CHUNK = 400
PER_PROCESS = 16
#: At most this many ShellCheck processes per batch (None: one per CPU). Worker processes of
#: ``--jobs`` set it to 1: the pool already spreads the batches over the CPUs.
PROCESSES: int | None = None
#: Seconds ShellCheck may take for a batch: a base plus a little per script (it checks a
#: typical build script in a few milliseconds). Past that the shell checks are skipped with
#: an info finding: hostile input can make ShellCheck run for minutes.
TIMEOUT = 1.0
TIMEOUT_PER_SCRIPT = 0.05
#: Scripts longer than this are not given to ShellCheck (real build scripts are far smaller).
MAX_SCRIPT_CHARS = 32_768
#: A lone script this short (in UTF-8) goes to ShellCheck on its standard input, written
#: at once: it fits the smallest pipe buffer Linux gives (one page), so the write never
#: waits for ShellCheck. Longer scripts go through a temporary file.
MAX_STDIN_BYTES = 4096
WIKI = "https://www.shellcheck.net/wiki/SC{code}"

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
    """Variables the buildspec itself defines: env sections and batch build environments."""
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
    return names


def exported_names(doc: Document) -> list[str]:
    data = doc.data
    env = data.get("env") if isinstance(data, dict) else None
    exported = env.get("exported-variables") if isinstance(env, dict) else None
    if not isinstance(exported, list):
        return []
    return [v for v in exported if isinstance(v, str)]


# --------------------------------------------------------------------------- scanning


class Event(NamedTuple):
    """Something a command does with a variable, at ``offset`` in the command's text."""

    kind: Literal["read", "assign", "guard", "opaque"]
    name: str
    offset: int


_SPECIAL = set("@*#?-$!0123456789")
_WORD_END = set(" \t\n;&|()<>")
_DECLARE = frozenset({"export", "readonly", "local", "declare", "typeset"})
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\+?=")
#: Redirection operators (after an optional file descriptor number, which is a word).
_REDIRECT = re.compile(r"&>>?|<<<|>>|>&|<&|>\||<>|[<>]")
#: Characters that mean nothing special inside a word, or inside double quotes.
_PLAIN_RUN = re.compile(r"[^ \t\n;&|()<>\\'\"$`]+")
_DOUBLE_RUN = re.compile(r'[^"\\$`]+')


class _Scanner:
    """A small shell lexer: quotes, comments, ``$name``/``${name…}``, command substitution,
    here-documents, assignments at command position, ``read``/``for`` targets, and the
    commands after which nothing can be said about variables (``source``, ``.``, ``eval``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.events: list[Event] = []
        self.heredocs: list[tuple[str, bool, bool]] = []  # (delimiter, quoted, strip tabs)

    def run(self) -> list[Event]:
        self.normal(0, closing=None)
        return self.events

    # -- contexts --------------------------------------------------------------

    def normal(self, i: int, closing: str | None) -> int:
        """Unquoted text from ``i`` until ``closing`` (``)`` of ``$(``) or the end."""
        t = self.text
        depth = 0
        command_position = True
        words: list[str] = []  # words of the current simple command so far
        redirect = False  # the next word is the target of a redirection
        while i < len(t):
            ch = t[i]
            if ch == "\n":
                i = self.read_heredocs(i + 1)
                command_position, words, redirect = True, [], False
                continue
            if ch in " \t":
                i += 1
                continue
            if ch == "<" and t.startswith("<<", i) and not t.startswith("<<<", i):
                i = self.heredoc_header(i + 2)
                continue
            m = _REDIRECT.match(t, i)
            if m:
                i, redirect = m.end(), True
                continue
            if ch == "#":
                end = t.find("\n", i)
                i = len(t) if end < 0 else end
                continue
            if ch in ";&|":
                command_position, words = True, []
                i += 1
                continue
            if ch == "(":
                depth += 1
                command_position, words = True, []
                i += 1
                continue
            if ch == ")":
                if closing == ")" and depth == 0:
                    return i + 1
                depth = max(depth - 1, 0)
                i += 1
                continue
            start = i
            before = len(self.events)
            i = self.word(i)
            word = t[start:i]
            if redirect:
                redirect = False
                continue
            if self.is_test_operand(words, i):
                # [ -z "$X" ], test -n "$X", [ "$X" ]: a check, and a guard for later reads
                self.events[before:] = [
                    Event("guard", e.name, e.offset) if e.kind == "read" else e
                    for e in self.events[before:]
                ]
            self.classify(word, start, command_position, words)
            words.append(word)
            command_position = self.still_command_position(word, command_position, words)
        return i

    def is_test_operand(self, words: list[str], end: int) -> bool:
        """The word just read is what ``[``/``test`` checks for being empty or set."""
        k = 0
        while k < len(words) and words[k] in _KEYWORDS:
            k += 1  # if [ ... ], ! test ...
        words = words[k:]
        if not words or words[0] not in ("[", "[[", "test"):
            return False
        if words[-1] in ("-z", "-n"):
            return True
        if len(words) != 1:
            return False
        rest = self.text[end:].lstrip(" \t")
        return not rest or rest[0] in ";&|\n)" or rest.startswith("]")

    def still_command_position(self, word: str, before: bool, words: list[str]) -> bool:
        """After a keyword or an assignment (``A=1 B=2 make``), a command may still follow."""
        return before and (word in _KEYWORDS or _ASSIGN.match(word) is not None)

    def classify(self, word: str, offset: int, command_position: bool, words: list[str]) -> None:
        """Assignments, ``read``/``for`` targets and opaque commands, from a finished word."""
        first = next((w for w in words if not _ASSIGN.match(w) and w not in _KEYWORDS), None)
        m = _ASSIGN.match(word)
        if m and (command_position or first in _DECLARE):
            self.events.append(Event("assign", m.group(1), offset))
            return
        if command_position and word in (".", "source", "eval"):
            self.events.append(Event("opaque", word, offset))
            return
        if first in _DECLARE and word.startswith("$"):
            self.events.append(Event("opaque", word, offset))  # export $(cat .env)
            return
        if first == "read" and _NAME.fullmatch(word):
            self.events.append(Event("assign", word, offset))
            return
        if first in ("for", "select") and len(words) == 1 and _NAME.fullmatch(word):
            self.events.append(Event("assign", word, offset))
            return
        if first == "getopts" and len(words) == 2 and _NAME.fullmatch(word):
            self.events.append(Event("assign", word, offset))

    def word(self, i: int) -> int:
        """One word from ``i``: quotes and expansions inside it are followed."""
        t = self.text
        while i < len(t) and t[i] not in _WORD_END:
            plain = _PLAIN_RUN.match(t, i)
            if plain:  # a run of ordinary characters at once
                i = plain.end()
            elif t[i] == "'":
                end = t.find("'", i + 1)
                i = len(t) if end < 0 else end + 1
            elif t[i] == '"':
                i = self.double(i + 1)
            else:
                i = self.special(i)
        return i

    def double(self, i: int) -> int:
        """Inside double quotes from ``i``; returns the offset after the closing quote."""
        t = self.text
        while i < len(t):
            if t[i] == '"':
                return i + 1
            plain = _DOUBLE_RUN.match(t, i)
            i = plain.end() if plain else self.special(i)
        return i

    def special(self, i: int) -> int:
        """A backslash, ``$`` or backquote at ``i`` (what a word and double quotes share;
        anything else there was a plain run); returns the offset after what it starts."""
        ch = self.text[i]
        if ch == "\\":
            return i + 2
        if ch == "$":
            return self.dollar(i)
        assert ch == "`", ch
        return self.backtick(i)

    def backtick(self, i: int) -> int:
        """A `command substitution` at ``i``: scan its inside; return the offset after it."""
        t = self.text
        end = t.find("`", i + 1)
        stop = len(t) if end < 0 else end
        inner = _Scanner(t[i + 1 : stop])
        self.events += [Event(e.kind, e.name, e.offset + i + 1) for e in inner.run()]
        return stop + 1

    def dollar(self, i: int) -> int:
        """An expansion at ``i`` (the ``$``); records what it reads or assigns."""
        t = self.text
        nxt = t[i + 1] if i + 1 < len(t) else ""
        if nxt == "(":
            if t.startswith("$((", i):
                end = t.find("))", i + 3)
                stop = len(t) if end < 0 else end
                self.arithmetic(i + 3, stop)
                return stop + 2
            return self.normal(i + 2, closing=")")
        if nxt == "'":  # $'…' (bash): no expansion inside
            j = i + 2
            while j < len(t) and t[j] != "'":
                j += 2 if t[j] == "\\" else 1
            return j + 1
        if nxt == "{":
            return self.braced(i)
        m = _NAME.match(t, i + 1)
        if m:
            self.events.append(Event("read", m.group(), i))
            return m.end()
        return i + 2 if nxt in _SPECIAL else i + 1

    def braced(self, i: int) -> int:
        """``${…}`` at ``i``: a plain read, or a read that the operator makes safe."""
        t = self.text
        j = i + 2
        if j < len(t) and t[j] in "#!":
            j += 1
        m = _NAME.match(t, j)
        if m:
            after = t[m.end() : m.end() + 2]
            op = after[1:2] if after[:1] == ":" else after[:1]
            if op in ("=",):
                self.events.append(Event("assign", m.group(), i))
            elif op not in ("-", "+", "?"):
                self.events.append(Event("read", m.group(), i))
            j = m.end()
        # the rest up to the matching brace may hold more expansions
        depth = 1
        while j < len(t) and depth:
            ch = t[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if not depth:
                    return j + 1
            elif ch == "$":
                j = self.dollar(j)
                continue
            elif ch == "'":
                end = t.find("'", j + 1)
                j = len(t) if end < 0 else end + 1
                continue
            elif ch == '"':
                j = self.double(j + 1)
                continue
            j += 1
        return j

    def arithmetic(self, i: int, stop: int) -> None:
        while i < stop:
            if self.text[i] == "$":
                i = self.dollar(i)
            else:
                i += 1

    def heredoc_header(self, i: int) -> int:
        t = self.text
        strip = i < len(t) and t[i] == "-"
        if strip:
            i += 1
        while i < len(t) and t[i] in " \t":
            i += 1
        start = i
        while i < len(t) and t[i] not in _WORD_END:
            i += 1
        raw = t[start:i]
        quoted = any(q in raw for q in "'\"\\")
        delimiter = raw.replace("'", "").replace('"', "").replace("\\", "")
        if delimiter:
            self.heredocs.append((delimiter, quoted, strip))
        return i

    def read_heredocs(self, i: int) -> int:
        """Skip (or scan, when expanding) the bodies of pending here-documents from ``i``."""
        t = self.text
        for delimiter, quoted, strip in self.heredocs:
            while i < len(t):
                end = t.find("\n", i)
                end = len(t) if end < 0 else end
                line = t[i:end]
                if (line.lstrip("\t") if strip else line) == delimiter:
                    i = end + 1
                    break
                if not quoted:
                    j = i
                    while j < end:
                        if t[j] == "\\":
                            j += 2
                        elif t[j] == "$":
                            j = self.dollar(j)
                        else:
                            j += 1
                i = end + 1
        self.heredocs = []
        return min(i, len(t))


def scan(text: str) -> list[Event]:
    """What the shell text reads and assigns, in order (offsets into ``text``)."""
    try:
        return _Scanner(text).run()
    except RecursionError:  # absurdly nested $( … ): say nothing rather than guess
        return [Event("opaque", "", 0)]


# --------------------------------------------------------------------------- directives

_DIRECTIVE = re.compile(r"#\s*shellcheck\s+disable\s*=\s*([A-Za-z0-9_,\s]+)", re.IGNORECASE)


def _codes(spec: str) -> set[str]:
    out = set()
    for part in re.split(r"[,\s]+", spec):
        part = part.strip().upper()
        if part == "ALL":
            out.add("ALL")
        elif re.fullmatch(r"(?:SC|SH)?\d{4}", part):
            out.add("SC" + part[-4:])
    return out


def file_disables(doc: Document) -> set[str]:
    """``# shellcheck disable=…`` in the comment lines at the top of the file."""
    codes: set[str] = set()
    for line in _source_lines(doc):
        stripped = line.strip()
        if not stripped or stripped == "---":
            continue
        if not stripped.startswith("#"):
            break
        m = _DIRECTIVE.search(stripped)
        if m:
            codes |= _codes(m.group(1))
    return codes


def command_disables(doc: Document, command: Command) -> set[str]:
    """``# shellcheck disable=…`` in the comment lines right above the command."""
    lines = _source_lines(doc)
    codes: set[str] = set()
    number = command.start[0] - 1  # the line above, 1-based
    first = lines[command.start[0] - 1] if 0 < command.start[0] <= len(lines) else ""
    if first[: command.start[1] - 1].strip() not in ("-", ""):
        return codes  # the command does not start its line ("commands: [a, b]")
    while 0 < number <= len(lines):
        stripped = lines[number - 1].strip()
        if not stripped.startswith("#"):
            break
        m = _DIRECTIVE.search(stripped)
        if m:
            codes |= _codes(m.group(1))
        number -= 1
    return codes


# --------------------------------------------------------------------------- shellcheck


class Settings(NamedTuple):
    """What ShellCheck reports: codes left out, and the least severe level kept."""

    disable: frozenset[str] = frozenset()
    severity: str = DEFAULT_SEVERITY


class Script(NamedTuple):
    """One script for ShellCheck and the way back from its lines to the YAML file."""

    doc: Document
    dialect: Dialect
    text: str
    #: script line (index 0 = line 1) -> (command, offset in the command's text of that line)
    lines: list[tuple[Command, int] | None]
    disabled: set[str]
    per_command: dict[NodePath, set[str]]


def build_scripts(doc: Document, names: set[str]) -> list[Script]:
    """The scripts of a buildspec: one per shell session, with ``names`` declared first.

    Every script starts with a shebang for its dialect and one ``export`` line naming those
    of ``names`` (and of env.exported-variables) that the session mentions, so ShellCheck
    treats them as set; those two lines map to no YAML line. (Declaring only what is
    mentioned keeps ShellCheck fast: it slows down with every declaration.)
    """
    shell = dialect(doc)
    if shell is None:
        return []
    disabled = file_disables(doc)
    declared = {n for n in names | set(exported_names(doc)) if _NAME.fullmatch(n)}
    scripts: list[Script] = []
    for session in sessions(doc):
        mentioned = declared & set(_NAME.findall("\n".join(c.text for c in session)))
        preamble = [f"#!/bin/{shell}"]
        if mentioned:
            preamble.append("export " + " ".join(sorted(mentioned)))
        text_lines = list(preamble)
        mapping: list[tuple[Command, int] | None] = [None] * len(preamble)
        per_command: dict[NodePath, set[str]] = {}
        for command in session:
            offsets = command.line_offsets()
            body = command.text.split("\n")
            if body and body[-1] == "" and len(body) > 1:
                body.pop()  # a block scalar's final line break
            for k, line in enumerate(body):
                text_lines.append(line)
                mapping.append((command, offsets[k]))
            codes = command_disables(doc, command)
            if codes:
                per_command[command.path] = codes
        scripts.append(
            Script(doc, shell, "\n".join(text_lines) + "\n", mapping, disabled, per_command)
        )
    return scripts


def find_shellcheck() -> str | None:
    """The ``shellcheck`` on PATH, else the one beside this Python (a venv's ``bin``)."""
    found = _which("shellcheck", os.environ.get("PATH", os.defpath).split(os.pathsep))
    if found:
        return found
    import sysconfig

    return _which("shellcheck", [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)])


def _which(name: str, directories: list[str]) -> str | None:
    """``shutil.which`` on POSIX, without importing shutil (~1.5 ms at every start), and
    stricter: relative directories (``.``, an empty PATH entry) are skipped, so that a
    ``shellcheck`` in the repository being checked is never the one run."""
    for directory in dict.fromkeys(directories):
        if not os.path.isabs(directory):
            continue
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.F_OK | os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


class Comment(NamedTuple):
    """One ShellCheck comment, already mapped to a YAML position."""

    doc: Document
    line: int
    column: int
    code: int
    level: str
    message: str


def _sole_cd(text: str) -> bool:
    """A command that is only ``cd DIR`` (CodeBuild stops the phase when it fails)."""
    s = text.strip()
    return (
        (s == "cd" or s.startswith(("cd ", "cd\t")))
        and not any(ch in s for ch in ";&|\n`")
        and "$(" not in s
    )


class Batch:
    """Scripts collected over a run and checked by one ShellCheck process (per chunk).

    :meth:`start` launches ShellCheck and returns at once, so the caller can run the other
    rules while it works (ShellCheck takes 5-15 ms even for a short script); :meth:`run`
    starts it if needed and waits for its findings.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.scripts: list[Script] = []
        self._started: _Started | None = None
        self._early: list[Finding] = []

    def add(self, scripts: list[Script]) -> None:
        self.scripts += scripts

    def start(self, lang: Lang) -> None:
        """Launch ShellCheck on the scripts collected so far (a no-op when there are none,
        or when it is already running: :meth:`run` then checks the later scripts too)."""
        from .rules.shell import skipped_finding

        if self._started is not None:
            return

        scripts = [s for s in self.scripts if any(m is not None for m in s.lines)]
        self.scripts = []
        large = [s for s in scripts if len(s.text) > MAX_SCRIPT_CHARS]
        self._early += [
            skipped_finding(s.doc.path, "failed", lang,
                            detail=f"script longer than {MAX_SCRIPT_CHARS} characters")
            for s in large[:1]
        ]  # fmt: skip
        scripts = [s for s in scripts if len(s.text) <= MAX_SCRIPT_CHARS]
        if not scripts:
            return
        exe = find_shellcheck()
        if exe is None:
            self._early.append(skipped_finding(scripts[0].doc.path, "not-found", lang))
            return
        try:
            self._started = _Started(self._args(exe), scripts)
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            detail = str(exc)
            self._early.append(skipped_finding(scripts[0].doc.path, "failed", lang, detail=detail))

    def cancel(self) -> None:
        """Stop a ShellCheck run whose findings are no longer wanted (an error elsewhere)."""
        started, self._started = self._started, None
        if started is not None:
            started.stop()

    def run(self, lang: Lang) -> list[Finding]:
        """Findings for every collected script (one info finding when ShellCheck is absent)."""
        found: list[Finding] = []
        if self._started is not None and self.scripts:  # more scripts came after start()
            found = self._collect(lang)
        if self.scripts or self._started is None:
            self.start(lang)
        return found + self._collect(lang)

    def _collect(self, lang: Lang) -> list[Finding]:
        from .rules.shell import shellcheck_finding, skipped_finding

        started, self._started = self._started, None
        early, self._early = self._early, []
        if started is None:
            return early
        first = started.scripts[0].doc.path
        try:
            reports = started.wait()
        except subprocess.TimeoutExpired:
            detail = f"shellcheck took longer than {started.limit:g} s"
            return [*early, skipped_finding(first, "failed", lang, detail=detail)]
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            return [*early, skipped_finding(first, "failed", lang, detail=str(exc))]
        comments = []
        for report in reports:
            for raw in report.get("comments", []):
                owner = started.names.get(str(raw.get("file")))
                comment = self._map(owner, raw) if owner is not None else None
                if comment is not None:
                    comments.append(comment)
        return [*early, *(shellcheck_finding(c, lang) for c in comments)]

    def _args(self, exe: str) -> list[str]:
        excluded = sorted(set(ALWAYS_EXCLUDED) | set(self.settings.disable))
        return [
            exe,
            "--norc",
            "-f",
            "json1",
            "-S",
            self.settings.severity,
            "-e",
            ",".join(excluded),
        ]

    def _map(self, script: Script, raw: dict[str, Any]) -> Comment | None:
        code = int(raw.get("code", 0))
        sc = f"SC{code}"
        if sc in script.disabled or "ALL" in script.disabled:
            return None
        line = int(raw.get("line", 0))
        if not 0 < line <= len(script.lines):
            return None
        origin = script.lines[line - 1]
        if origin is None:
            return None  # the preamble: nothing the user wrote
        command, line_offset = origin
        disabled = script.per_command.get(command.path, set())
        if sc in disabled or "ALL" in disabled:
            return None
        if code == 2164 and _sole_cd(command.text):
            # CodeBuild checks every command's exit status: a failing `cd` alone fails the phase
            return None
        column = max(int(raw.get("column", 1)), 1)
        end = command.text.find("\n", line_offset)
        line_end = len(command.text) if end < 0 else end
        offset = min(line_offset + column - 1, max(line_end - 1, line_offset))
        yaml_line, yaml_column = command.position(offset)
        return Comment(
            script.doc, yaml_line, yaml_column, code, str(raw.get("level", "warning")),
            str(raw.get("message", "")),
        )  # fmt: skip


class _Started:
    """ShellCheck running over the scripts: one short script goes to one process through
    its standard input; otherwise they are written to a temporary directory and checked by
    one process (a few in parallel, one per CPU, for a large run)."""

    def __init__(self, args: list[str], scripts: list[Script]) -> None:
        self.scripts = scripts
        self.names: dict[str, Script] = {}
        self.procs: list[subprocess.Popen[str]] = []
        #: how long :meth:`wait` waits, from when it starts: the caller's own work between
        #: start and wait must not count against ShellCheck
        self.limit = TIMEOUT + TIMEOUT_PER_SCRIPT * len(scripts)
        self._tmp: Any = None
        pipe = dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    encoding="utf-8", errors="replace")  # fmt: skip
        try:
            if len(scripts) == 1 and len(scripts[0].text.encode("utf-8")) <= MAX_STDIN_BYTES:
                self.names["-"] = scripts[0]
                proc = subprocess.Popen([*args, "-"], stdin=subprocess.PIPE, **pipe)  # type: ignore[call-overload]
                self.procs.append(proc)
                self._feed(proc, scripts[0].text)
            else:
                import tempfile

                self._tmp = tempfile.TemporaryDirectory(prefix="pipespec-sh-")
                tmp = self._tmp.name
                for n, script in enumerate(scripts):
                    name = f"{n}.sh"
                    with open(os.path.join(tmp, name), "w", encoding="utf-8") as fh:
                        fh.write(script.text)
                    self.names[name] = script
                files = list(self.names)
                cpus = PROCESSES or os.cpu_count() or 1
                jobs = max(1, min(cpus, len(files) // PER_PROCESS))
                size = max(1, min(CHUNK, -(-len(files) // jobs)))
                for i in range(0, len(files), size):
                    chunk = files[i : i + size]
                    self.procs.append(subprocess.Popen([*args, *chunk], cwd=tmp, **pipe))  # type: ignore[call-overload]
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def _feed(proc: subprocess.Popen[str], text: str) -> None:
        """Write the script and close standard input: it fits any pipe's buffer (see
        MAX_STDIN_BYTES), so this never waits for ShellCheck. If ShellCheck has already
        exited, its exit status and standard error say why, in :meth:`wait`."""
        assert proc.stdin is not None
        try:
            proc.stdin.write(text)
            proc.stdin.close()
        except OSError:  # BrokenPipeError: ShellCheck exited without reading
            pass
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            proc.stdin = None  # closed: communicate() must not flush it

    def wait(self) -> list[dict[str, Any]]:
        """Every process's JSON report; the processes are gone and the directory removed."""
        reports: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.limit
        try:
            for proc in self.procs:
                out, err = proc.communicate(timeout=max(0.0, deadline - time.monotonic()))
                if proc.returncode not in (0, 1):
                    raise ValueError(
                        f"shellcheck exited with {proc.returncode}: {err.strip()[:200]}"
                    )
                reports.append(json.loads(out))
        finally:
            self.stop()
        return reports

    def stop(self) -> None:
        """Kill what still runs, reap it, close its pipes, remove the scripts. Never waits
        for the pipes to close: a child of ShellCheck (a wrapper script's) may hold them."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        self.procs = []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def level_severity(level: str) -> Severity:
    """ShellCheck's level as a pipespec severity: never an error (see rules.shell)."""
    return Severity.WARNING if level in ("error", "warning") else Severity.INFO
