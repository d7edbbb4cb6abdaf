"""Documents inside documents: a buildspec written inline in a CodeBuild project.

``source.buildspec`` of ``aws codebuild create-project`` input "can be either an inline
buildspec definition, the path to an alternate buildspec file relative to the value of the
built-in CODEBUILD_SRC_DIR environment variable, or the path to an S3 bucket" (botocore's
codebuild model, ProjectSource.buildspec). An inline one is checked as a buildspec, and
each finding is moved to the line and column inside the JSON string where its text is, so
``codebuild-project.json:5:31`` points at the very ``preBuild`` of ``"...\\n  preBuild:..."``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .findings import Finding
from .load import Document, NodePath, Position

if TYPE_CHECKING:
    from .check import Context

#: Where a project holds its buildspec.
BUILDSPEC_PATHS: tuple[NodePath, ...] = (("source", "buildspec"),)


def is_inline(value: str) -> bool:
    """Whether ``source.buildspec`` is a buildspec itself (not a path or an S3 ARN)."""
    text = value.strip()
    return "\n" in text or text.startswith(("version:", "version :")) or "phases:" in text


def inline_buildspecs(ctx: Context) -> list[tuple[NodePath, str]]:
    """(path of the string, the buildspec's text) of each inline buildspec of a project."""
    found = []
    sources: list[tuple[NodePath, Any]] = [(("source",), ctx.get("source"))]
    for i, s in enumerate(ctx.sequence("secondarySources")):
        sources.append((("secondarySources", i), s))
    for at, source in sources:
        value = source.get("buildspec") if isinstance(source, dict) else None
        if isinstance(value, str) and is_inline(value):
            found.append(((*at, "buildspec"), value))
    return found


def json_string_positions(text: str, start: Position) -> list[Position]:
    """The (line, column) in ``text`` of each character of the JSON string whose opening
    quote is at ``start``, and one more for its end. Escapes map to where they are written
    (``\\n`` is two characters in the file, one in the string)."""
    lines = text.split("\n")
    line, col = start
    if not 0 < line <= len(lines):
        return [start]
    raw = lines[line - 1]  # a JSON string never holds a raw line break
    i = col  # just after the opening quote (col is 1-based)
    out: list[Position] = []
    while i < len(raw) and raw[i] != '"':
        if raw[i] == "\\" and i + 1 < len(raw):
            length = 6 if raw[i + 1] == "u" else 2
            if (
                raw[i + 1] == "u"
                and raw[i + 6 : i + 8] == "\\u"
                and (0xD800 <= int(raw[i + 2 : i + 6], 16) <= 0xDBFF)
            ):
                length = 12  # a surrogate pair: one character
            try:
                decoded = json.loads('"' + raw[i : i + length] + '"')
            except ValueError:
                decoded = raw[i : i + length]
            out += [(line, i + 1)] * len(decoded)
            i += length
        else:
            out.append((line, i + 1))
            i += 1
    out.append((line, i + 1))
    return out


def moved(finding: Finding, doc: Document, positions: list[Position], text: str) -> Finding:
    """``finding`` (of the inline text) at its place in ``doc``."""
    starts = [0]
    for piece in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(piece) + 1)
    row = min(max(finding.line, 1), len(starts)) - 1
    offset = min(starts[row] + max(finding.column, 1) - 1, len(positions) - 1)
    line, column = positions[offset]
    return finding._replace(path=doc.path, line=line, column=column)


def findings(ctx: Context) -> list[Finding]:
    """The buildspec findings of every inline buildspec of a CodeBuild project."""
    from .check import check_text

    out: list[Finding] = []
    for path, text in inline_buildspecs(ctx):
        start = ctx.doc.position(path)
        positions = json_string_positions(ctx.doc.text, start) if ctx.doc.format == "json" else []
        for f in check_text(text, "buildspec", path="buildspec.yml", lang=ctx.lang):
            if len(positions) > 1:
                out.append(moved(f, ctx.doc, positions, text))
            else:
                out.append(f._replace(path=ctx.doc.path, line=start[0], column=start[1]))
    return out
