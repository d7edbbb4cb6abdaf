"""Documents inside documents: a buildspec written inline in a CodeBuild project.

``source.buildspec`` of ``aws codebuild create-project`` input "can be either an inline
buildspec definition, the path to an alternate buildspec file relative to the value of the
built-in CODEBUILD_SRC_DIR environment variable, or the path to an S3 bucket" (botocore's
codebuild model, ProjectSource.buildspec). An inline one is checked as a buildspec, and
each finding is moved to the line and column inside the JSON string where its text is, so
``codebuild-project.json:5:31`` points at the very ``preBuild`` of ``"...\\n  preBuild:..."``.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Any

from .findings import Finding, Severity
from .load import Document, NodePath, Position, message

if TYPE_CHECKING:
    from .check import Context

#: Where a project holds its buildspec.
BUILDSPEC_PATHS: tuple[NodePath, ...] = (("source", "buildspec"),)


#: ProjectSources holds at most 12 sources (botocore's codebuild model), and the source
#: itself is one more.
MAX_SOURCES = 13
#: Inline buildspecs longer than this are not checked (LD006): a real one is a few
#: kilobytes, and a 9 MB one cost a gigabyte to compose.
MAX_INLINE = 1024 * 1024


def is_inline(value: str) -> bool:
    """Whether ``source.buildspec`` is a buildspec itself (not a path or an S3 ARN): YAML
    on several lines, or YAML or JSON that declares its phases."""
    text = value.strip()
    return ("\n" in text or text.startswith(("version:", "version :")) or "phases:" in text
            or (text.startswith("{") and '"phases"' in text))  # fmt: skip


def inline_buildspecs(ctx: Context) -> list[tuple[NodePath, str]]:
    """(path of the string, the buildspec's text) of each inline buildspec of a project."""
    found = []
    sources: list[tuple[NodePath, Any]] = [(("source",), ctx.get("source"))]
    for i, s in enumerate(ctx.sequence("secondarySources")[: MAX_SOURCES - 1]):
        sources.append((("secondarySources", i), s))
    for at, source in sources:
        value = source.get("buildspec") if isinstance(source, dict) else None
        if isinstance(value, str) and is_inline(value):
            found.append(((*at, "buildspec"), value))
    return found


class StringMap:
    """Where each character of a JSON string is written in the file: the string's line, and
    a column computed from the escapes before it (one entry per escape, not per character,
    so a 9 MB string costs its escapes only). An escape's characters map to its backslash
    (``\\n`` is two characters in the file, one in the string)."""

    def __init__(self, line: int, first: int) -> None:
        self.line = line
        self.first = first  #: column of the string's first character
        self.starts: list[int] = []  #: decoded index where each escape's characters start
        self.cols: list[int] = []  #: column of each escape's backslash
        self.widths: list[int] = []  #: characters the escape takes in the file
        self.counts: list[int] = []  #: characters it stands for
        self.length = 0  #: characters in the decoded string

    def __len__(self) -> int:
        return self.length + 1  # and the end

    def __getitem__(self, index: int) -> Position:
        if not 0 <= index <= self.length:
            raise IndexError(index)
        return self.at(index)

    def at(self, index: int) -> Position:
        """The position of character ``index``, clamped to the string."""
        index = max(0, min(index, self.length))
        at = bisect.bisect_right(self.starts, index) - 1
        if at < 0:
            return self.line, self.first + index
        start, col = self.starts[at], self.cols[at]
        past = index - (start + self.counts[at])
        return self.line, col if past < 0 else col + self.widths[at] + past


def json_string_positions(text: str, start: Position) -> StringMap:
    """The :class:`StringMap` of the JSON string whose opening quote is at ``start``."""
    lines = text.split("\n")
    line, col = start
    raw = lines[line - 1] if 0 < line <= len(lines) else ""  # a JSON string has no raw break
    result = StringMap(line, col + 1)
    i = col  # just after the opening quote (col is 1-based)
    decoded = 0
    end = raw.find('"', i)  # the next quote; an escaped one is passed over below
    while True:
        j = raw.find("\\", i)
        if end < i:
            end = raw.find('"', i)
        if j < 0 or 0 <= end < j:
            decoded += (end if end >= 0 else len(raw)) - i
            break
        decoded += j - i
        width = 6 if raw[j + 1 : j + 2] == "u" else 2
        if width == 6 and raw[j + 6 : j + 8] == "\\u" and raw[j + 2 : j + 3] in "dD":
            try:
                if 0xD800 <= int(raw[j + 2 : j + 6], 16) <= 0xDBFF:
                    width = 12  # a surrogate pair: one character
            except ValueError:
                pass
        result.starts.append(decoded)  # every escape stands for one character
        result.cols.append(j + 1)
        result.widths.append(width)
        result.counts.append(1)
        decoded += 1
        i = j + width
    result.length = decoded
    return result


#: The line breaks of YAML (what the buildspec's own positions count).
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def moved(finding: Finding, doc: Document, positions: StringMap, text: str) -> Finding:
    """``finding`` (of the inline text) at its place in ``doc``."""
    starts = [0] + [m.end() for m in _BREAKS.finditer(text)]
    row = min(max(finding.line, 1), len(starts)) - 1
    offset = starts[row] + max(finding.column, 1) - 1
    line, column = positions.at(offset)
    return finding._replace(path=doc.path, line=line, column=column)


def findings(ctx: Context) -> list[Finding]:
    """The buildspec findings of every inline buildspec of a CodeBuild project."""
    from .check import check_text

    out: list[Finding] = []
    for path, text in inline_buildspecs(ctx):
        start = ctx.doc.position(path)
        if len(text) > MAX_INLINE:
            out.append(Finding(ctx.doc.path, start[0], start[1], Severity.ERROR, "LD006",
                               message("LD006", ctx.lang, limit=MAX_INLINE)))  # fmt: skip
            continue
        positions = json_string_positions(ctx.doc.text, start) if ctx.doc.format == "json" else None
        for f in check_text(text, "buildspec", path="buildspec.yml", lang=ctx.lang):
            if positions is not None and len(positions) > 1:
                out.append(moved(f, ctx.doc, positions, text))
            else:
                out.append(f._replace(path=ctx.doc.path, line=start[0], column=start[1]))
    return out
