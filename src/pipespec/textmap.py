"""Where each character of a string value is written in its file.

A buildspec written inside another file (a JSON string in a CodeBuild project, a YAML block
or quoted scalar in a CloudFormation template) is checked as a buildspec of its own; its
findings are then moved to the line and column of the file where their text is written.
A :class:`StringMap` says where each character of the decoded value is, in space
proportional to the escapes and lines, not to the characters: a 9 MB string with a few
escapes is a few entries.

* :func:`json_string_positions`: a JSON string (escapes, ``\\u`` and surrogate pairs
  counted as written);
* :func:`yaml_scalar_positions`: a YAML scalar, block (``|``, ``>``, with their indicators),
  plain, single- or double-quoted, folding and escapes decoded as YAML does. The decoding
  is compared with the loader's value; a scalar it does not reproduce gets no map (its
  findings stay at the scalar's start).
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Sequence

Position = tuple[int, int]

#: The line breaks of YAML (JSON breaks lines at LF only, and a JSON string holds none).
BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class StringMap:
    """The position of each character of a decoded string, as segments: from ``starts[k]``
    on, the characters are written from ``(lines[k], cols[k])``, one column each when
    ``steps[k]`` is 1, all at that place when 0 (an escape, a folded line break). The last
    segment starts at the string's length: the position just after it."""

    def __init__(self) -> None:
        self.starts = array("q")
        self.lines = array("q")
        self.cols = array("q")
        self.steps = array("b")

    def add(self, start: int, line: int, col: int, step: int) -> None:
        self.starts.append(start)
        self.lines.append(line)
        self.cols.append(col)
        self.steps.append(step)

    @property
    def length(self) -> int:
        """Characters in the decoded string."""
        return self.starts[-1] if self.starts else 0

    def __len__(self) -> int:
        return self.length + 1  # and the end

    def __getitem__(self, index: int) -> Position:
        if not 0 <= index <= self.length:
            raise IndexError(index)
        return self.at(index)

    def at(self, index: int) -> Position:
        """The position of character ``index``, clamped to the string."""
        if not self.starts:
            return 1, 1
        index = max(0, min(index, self.length))
        k = bisect.bisect_right(self.starts, index) - 1
        k = max(k, 0)
        return self.lines[k], self.cols[k] + (index - self.starts[k]) * self.steps[k]


def json_string_positions(text: str, start: Position) -> StringMap:
    """The :class:`StringMap` of the JSON string whose opening quote is at ``start``."""
    lines = text.split("\n")
    line, col = start
    raw = lines[line - 1] if 0 < line <= len(lines) else ""  # a JSON string has no raw break
    result = StringMap()
    result.add(0, line, col + 1, 1)
    i = col  # just after the opening quote (col is 1-based)
    decoded = 0
    end = raw.find('"', i)  # the next quote; an escaped one is passed over below
    while True:
        j = raw.find("\\", i)
        if end < i:
            end = raw.find('"', i)
        if j < 0 or 0 <= end < j:
            stop = end if end >= 0 else len(raw)
            decoded += stop - i
            result.add(decoded, line, stop + 1, 1)
            return result
        decoded += j - i
        width = 6 if raw[j + 1 : j + 2] == "u" else 2
        if width == 6 and raw[j + 6 : j + 8] == "\\u" and raw[j + 2 : j + 3] in "dD":
            try:
                if 0xD800 <= int(raw[j + 2 : j + 6], 16) <= 0xDBFF:
                    width = 12  # a surrogate pair: one character
            except ValueError:
                pass
        result.add(decoded, line, j + 1, 0)  # every escape stands for one character
        decoded += 1
        i = j + width
        result.add(decoded, line, i + 1, 1)


# --------------------------------------------------------------------------- YAML


class _Lines:
    """Offsets to positions in a text whose lines YAML breaks at :data:`BREAKS`."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in BREAKS.finditer(text)]

    def at(self, offset: int) -> Position:
        row = bisect.bisect_right(self.starts, offset) - 1
        return row + 1, offset - self.starts[row] + 1


class _Builder:
    """A decoded string and its map, built from runs of source text and single characters."""

    def __init__(self, where: _Lines) -> None:
        self.where = where
        self.parts: list[str] = []
        self.length = 0
        self.map = StringMap()
        self.next = -1  #: the source offset that would continue the current run

    def run(self, text: str, offset: int) -> None:
        """``text`` as written at ``offset`` (on one line)."""
        if not text:
            return
        if offset != self.next:
            line, col = self.where.at(offset)
            self.map.add(self.length, line, col, 1)
        self.parts.append(text)
        self.length += len(text)
        self.next = offset + len(text)

    def char(self, value: str, offset: int) -> None:
        """``value`` (an escape's or a fold's result) standing where ``offset`` is."""
        line, col = self.where.at(offset)
        self.map.add(self.length, line, col, 0)
        self.parts.append(value)
        self.length += len(value)
        self.next = -1

    def done(self, end: int) -> tuple[str, StringMap]:
        line, col = self.where.at(end)
        self.map.add(self.length, line, col, 1)
        return "".join(self.parts), self.map


_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
            "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
            "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}  # fmt: skip
_HEX = {"x": 2, "u": 4, "U": 8}
_BLOCK_HEADER = re.compile(r"([|>])([1-9+-]{0,2})[ \t]*(?:#[^\n]*)?\n")
_INDENT = re.compile(r"(?:[ ]|-(?= ))*")
_PROPERTY = re.compile(r"(?:[!&][^ \t\n]*[ \t]*|#[^\n]*|[ \t\n]+)")


def _skip_properties(text: str, i: int) -> int:
    """Past a node's tag and anchor (``!Sub &a``), and the blanks and comments after them."""
    while True:
        m = _PROPERTY.match(text, i)
        if not m or m.end() == i:
            return i
        i = m.end()


def _block(text: str, i: int, end: int, where: _Lines) -> tuple[str, StringMap] | None:
    """A literal (``|``) or folded (``>``) block scalar whose header is at ``i``."""
    header = _BLOCK_HEADER.match(text, i)
    if header is None:
        return None
    folded = header.group(1) == ">"
    explicit = next((int(c) for c in header.group(2) if c.isdigit()), 0)
    lines: list[tuple[int, str]] = []  # (offset of the line, the line)
    offset = header.end()
    for raw in text[offset:end].split("\n"):
        lines.append((offset, raw))
        offset += len(raw) + 1
    while lines and not lines[-1][1].strip(" "):
        lines.pop()  # trailing blank lines: chomping, not content
    if not lines:
        return None
    if explicit:
        head = text[:i].rsplit("\n", 1)[-1]  # the parent's indentation ("- " counts)
        indent = len(_INDENT.match(head).group()) + explicit  # type: ignore[union-attr]
    else:
        first = next(raw for _, raw in lines if raw.strip(" "))
        indent = len(first) - len(first.lstrip(" "))

    def blank(raw: str) -> bool:
        return len(raw) <= indent and not raw.strip(" ")

    out = _Builder(where)
    n = 0
    while n < len(lines) and blank(lines[n][1]):
        out.char("\n", lines[n][0] + len(lines[n][1]))
        n += 1
    while n < len(lines):
        at, raw = lines[n]
        if raw[:indent].strip(" "):
            return None  # less indented: not this scalar's content
        content = raw[indent:]
        out.run(content, at + indent)
        line_break = at + len(raw)
        n += 1
        empty = []
        while n < len(lines) and blank(lines[n][1]):
            empty.append(lines[n][0] + len(lines[n][1]))
            n += 1
        if n < len(lines):
            following = lines[n][1][indent:]
            if folded and content[:1] not in (" ", "\t") and following[:1] not in (" ", "\t"):
                if not empty:
                    out.char(" ", line_break)
            else:
                out.char("\n", line_break)
            for at_break in empty:
                out.char("\n", at_break)
        else:
            out.char("\n", line_break)
    return out.done(end)


def _fold(out: _Builder, lines: Sequence[tuple[int, str]], quoted: str) -> None:
    """Plain and quoted flow scalars: each line trimmed, a single break read as a space,
    each empty line as a newline; ``quoted`` the style ("", "'" or '"')."""
    empties = 0
    joined = False  #: the last line ended in an escaped line break (double quotes)
    for n, (at, raw) in enumerate(lines):
        last = n == len(lines) - 1
        stripped = raw.lstrip(" \t") if n else raw
        lead = len(raw) - len(stripped)
        body = stripped if last else stripped.rstrip(" \t")
        if n and not body and not last:
            empties += 1
            continue
        if n:
            if empties:
                out.char("\n" * empties, at)
            elif not joined:
                out.char(" ", at - 1)
            empties = 0
        if quoted == '"':
            joined = _double(out, body, at + lead, last)
        elif quoted == "'":
            _single(out, body, at + lead)
        else:
            out.run(body, at + lead)


def _single(out: _Builder, body: str, at: int) -> None:
    i = 0
    while True:
        j = body.find("''", i)
        if j < 0:
            out.run(body[i:], at + i)
            return
        out.run(body[i : j + 1], at + i)  # the first quote of two stands for one
        i = j + 2


def _double(out: _Builder, body: str, at: int, last: bool) -> bool:
    """One line of a double-quoted scalar; whether it ends in an escaped line break."""
    i = 0
    while True:
        j = body.find("\\", i)
        if j < 0:
            out.run(body[i:], at + i)
            return False
        out.run(body[i:j], at + i)
        code = body[j + 1 : j + 2]
        if code == "":  # an escaped line break: the lines join without a space
            if last:
                raise ValueError("a backslash before the closing quote")
            return True
        if code in _HEX:
            out.char(chr(int(body[j + 2 : j + 2 + _HEX[code]], 16)), at + j)
            i = j + 2 + _HEX[code]
        elif code in _ESCAPES:
            out.char(_ESCAPES[code], at + j)
            i = j + 2
        else:
            raise ValueError(f"unknown escape {code!r}")


def yaml_scalar_positions(
    text: str, style: str, start: int, end: int, value: str, where: _Lines | None = None
) -> StringMap | None:
    """The map of the YAML scalar written in ``text[start:end]`` (the loader's marks, tag
    included) in ``style``, whose value is ``value``; None when this decoding does not
    give ``value`` (the findings then stay at the scalar's start)."""
    where = where or _Lines(text)
    i = _skip_properties(text, start)
    try:
        if style in ("|", ">"):
            decoded = _block(text, i, end, where)
        else:
            out = _Builder(where)
            if style in ("'", '"'):
                if text[i : i + 1] != style or text[end - 1 : end] != style:
                    return None
                i, stop = i + 1, end - 1
            else:
                stop = end
            lines = []
            offset = i
            for raw in text[i:stop].split("\n"):
                lines.append((offset, raw))
                offset += len(raw) + 1
            _fold(out, lines, style)
            decoded = out.done(stop)
    except (ValueError, IndexError, StopIteration):
        return None
    if decoded is None:
        return None
    got, positions = decoded
    if got.rstrip("\n") != value.rstrip("\n"):
        return None
    return positions


def lines_of(text: str) -> _Lines:
    """The line table of ``text``, to share between the scalars of one file."""
    return _Lines(text)
