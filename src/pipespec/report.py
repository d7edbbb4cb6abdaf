"""Output formats. Each is a pure function of the findings (and the source lines for text).

The text format shows, under each finding, the source line it points into, with a caret
under the column. The line comes from ``source``, a function of the path and the line
number (:meth:`pipespec.check.Result.source` gives the lines of the documents the check
loaded: nothing is read again here). At most :data:`MAX_SOURCE_CHARS` characters of it are
shown, around the column.

Every format is inert, whatever the files and their names hold:

* text: paths, messages and source lines are :func:`~pipespec.findings.visible` (control
  characters, separators, bidi controls and lone surrogates as backslash escapes such as
  ``\\x1b``, ``\\n``, ``\\u2028``, ``\\udcff``; a tab of a source line as one space); no
  line starts with white space followed by "::", and no line holds "##[" or "##vso[" (the
  workflow commands of GitHub Actions and Azure Pipelines);
* github: GitHub's own escapes (``%25``, ``%0D``, ``%0A``; in properties ``%3A``, ``%2C``),
  then the text format's for the other unsafe characters;
* json and sarif: valid JSON in UTF-8 that gives back every string exactly; what JSON
  allows raw but a terminal or a log reader would act on (DEL, C1 controls, separators,
  bidi controls, the second "#" of "##[") is written as a ``\\u`` escape, and so is a lone
  surrogate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from .findings import LOG_COMMAND, UNSAFE, UNSAFE_IN_JSON, Finding, Severity, escape, visible

#: The published site, ``[project.urls] Homepage`` of ``pyproject.toml`` (and the default
#: ``html_baseurl`` of ``docs/conf.py``): SARIF links to its rule reference.
SITE_URL = "https://pipespec.github.io/pipespec/"
#: A rule's section on the rule reference: the page ``docs/reference/rules.md`` and the
#: label ``rule-<id>`` that :class:`pipespec.sphinxext.RulesDirective` gives each rule.
HELP_URI = SITE_URL + "reference/rules.html#rule-{anchor}"
#: The source line of a finding: ``source(path, line)``, "" when there is none.
SourceLines = Callable[[str, int], str]
#: An echoed source line shows at most this many of its characters: a window around the
#: finding's column, with "…" where the line is cut (a minified JSON file is one line).
MAX_SOURCE_CHARS = 200
#: Findings about the run rather than a place in the file: the text format shows their one
#: line without the source line and caret (SH0001, ShellCheck missing or failed, stands at
#: 1:1 of the first buildspec only because a finding needs a position).
NO_EXCERPT = frozenset({"SH0001"})


def text(findings: Sequence[Finding], source: SourceLines | None = None) -> str:
    """``path:line:col: severity: message [ID]``, then the source line and a caret."""
    out: list[str] = []
    for f in findings:
        out.append(f.format())
        line = source(f.path, f.line) if source and f.rule not in NO_EXCERPT else ""
        if line:
            shown, caret = excerpt(line, f.column)
            out.append(f"  {shown}")
            if caret is not None:
                out.append("  " + " " * caret + "^")
    return "\n".join(out) + ("\n" if out else "")


def _piece(ch: str) -> str:
    """How one character of a source line is shown: a tab as one space (so that the
    caret, placed by counting characters, stays under its column), an unsafe character as
    its escape."""
    if ch == "\t":
        return " "
    return escape(ch) if UNSAFE.match(ch) else ch


def _defuse(pieces: list[str], line_start: bool) -> None:
    """No workflow command in a shown source line: a "::" after the leading white space
    (when the pieces start the line) becomes ``\\x3a:``, the second "#" of "##[" or
    "##vso[" ``\\x23``."""
    if line_start:
        i = 0
        while i < len(pieces) and pieces[i].isspace():
            i += 1
        if pieces[i : i + 2] == [":", ":"]:
            pieces[i] = "\\x3a"
    for i in range(1, len(pieces) - 1):
        if (
            pieces[i] == "#"
            and pieces[i - 1] == "#"
            and LOG_COMMAND.match("".join(pieces[i - 1 : i + 5]), 1)
        ):
            pieces[i] = "\\x23"


def excerpt(line: str, column: int, width: int = MAX_SOURCE_CHARS) -> tuple[str, int | None]:
    """What the text format shows of ``line`` for a finding at ``column`` (1-based, in
    characters): at most ``width`` characters around the column, with "…" at an end where
    the line is cut; and where the caret goes in that text (None when the column is beyond
    the end of the line, so that there is nothing to point at).

    The work is bounded by ``width``, not by the length of the line.
    """
    n = len(line)
    at = column - 1
    centre = min(max(at, 0), n)
    start = 0 if n <= width else max(0, min(centre - width // 2, n - width))
    pieces = [_piece(ch) for ch in line[start : start + width]]
    _defuse(pieces, start == 0)
    # A piece may be longer than one character: cut again to ``width``, from the end
    # farther from the caret, never cutting the caret's own piece.
    caret = centre - start  # the caret's piece; len(pieces) just past the end of the line
    lo, hi = 0, len(pieces)
    total = sum(map(len, pieces))
    left = sum(map(len, pieces[:caret]))  # the length of pieces[lo:caret]
    while total > width:
        if lo < caret and (left >= total - left or hi <= caret + 1):
            total -= len(pieces[lo])
            left -= len(pieces[lo])
            lo += 1
        elif hi > caret + 1:
            hi -= 1
            total -= len(pieces[hi])
        else:
            break
    head = "…" if start + lo > 0 else ""
    tail = "…" if start + hi < n else ""
    shown = head + "".join(pieces[lo:hi]) + tail
    return shown, (len(head) + left if 0 <= at <= n else None)


#: What JSON may hold raw but is escaped here: the unsafe characters other than the C0
#: controls (json.dumps escapes those in strings, and its own newlines must stay), and the
#: second "#" of a workflow command
_JSON_UNSAFE = re.compile(f"[{UNSAFE_IN_JSON}]|{LOG_COMMAND.pattern}", re.IGNORECASE)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _dumps(value: Any) -> str:
    """Indented JSON, non-ASCII text as it is, except what :data:`_JSON_UNSAFE` matches,
    which is written as ``\\uXXXX`` (it only occurs inside strings, where that is valid)."""
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(value, ensure_ascii=False, indent=2)) + "\n"


def as_json(findings: Sequence[Finding], source: SourceLines | None = None) -> str:
    """The stable JSON contract: a list of {path, line, column, severity, rule, message}."""
    return _dumps([f.as_dict() for f in findings])


def sarif(findings: Sequence[Finding], source: SourceLines | None = None) -> str:
    """SARIF 2.1.0 for code scanning (:mod:`pipespec.sarif`)."""
    from .sarif import sarif_log

    return _dumps(sarif_log(findings))


def _escape_data(value: str) -> str:
    """GitHub's escapes of a command's data, then :func:`visible` for the rest."""
    return visible(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github(findings: Sequence[Finding], source: SourceLines | None = None) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = [
        f"::{_GITHUB_LEVEL[f.severity]} file={_escape_property(f.path)},line={f.line},"
        f"col={f.column},title={_escape_property(f.rule)}::{_escape_data(f.message)}"
        for f in findings
    ]
    return "\n".join(lines) + ("\n" if lines else "")


#: the formats whose output is JSON
JSON_FORMATS = frozenset({"json", "sarif"})
FORMATS: dict[str, Callable[[Sequence[Finding], SourceLines | None], str]] = {
    "text": text,
    "json": as_json,
    "sarif": sarif,
    "github": github,
}
