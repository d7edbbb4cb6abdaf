"""The Finding type: plain data that every check produces and every reporter consumes.

Paths and messages come from files and their names, which may hold anything: an escape
sequence, a newline followed by a GitHub workflow command (``::add-mask::``), bytes that
are not UTF-8. :func:`visible` is how the text formats show such text, inert.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple

#: The unsafe characters that a JSON string may hold raw (it must escape C0 controls):
#: DEL and the C1 controls (terminal sequences, NEL), the line and paragraph separators,
#: the bidirectional controls (they reorder what is shown: CVE-2021-42574) and lone
#: surrogates (a file name's bytes that are not UTF-8), as a character class's inside.
UNSAFE_IN_JSON = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
#: What the text and GitHub formats never write raw: those and the C0 controls (tab,
#: newline, carriage return and escape included).
UNSAFE = re.compile(f"[\x00-\x1f{UNSAFE_IN_JSON}]")
#: The second "#" of a workflow command that may stand anywhere in a log line:
#: ``##[command]`` (GitHub Actions) and ``##vso[`` (Azure Pipelines).
LOG_COMMAND = re.compile(r"(?<=#)#(?=\[|vso\[)", re.IGNORECASE)
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

#: At most this many findings of one rule are reported for one file, the first in the
#: file's order; one ``PS003`` finding (information), at the first of the others, says how
#: many more there are. A generated or hostile file can have thousands of findings of a
#: rule; each is still counted in the errors and warnings and so in the exit status.
MAX_FINDINGS_PER_RULE = 100


def escape(ch: str) -> str:
    """One character as Python writes it: ``\\n``, ``\\x1b``, ``\\u2028``, ``\\udcff``."""
    n = ord(ch)
    return _SHORT.get(ch) or (f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}")


def visible(text: str) -> str:
    """``text`` with every :data:`UNSAFE` character written as its backslash escape
    (:func:`escape`) and the second "#" of ``##[`` as ``\\x23``: no terminal sequence, no
    new line, no workflow command. A backslash itself is left as it is, so a file's own
    ``\\n`` shows as it is written (the JSON and SARIF formats give the exact text)."""
    if UNSAFE.search(text):
        text = UNSAFE.sub(lambda m: escape(m.group()), text)
    if "##" in text:
        text = LOG_COMMAND.sub(r"\\x23", text)
    return text


def shown_path(path: str) -> str:
    """``path`` as a line of the text format starts with it: :func:`visible`, and after
    ``./`` unless it starts with a letter, a digit, ".", "/", "_" or "<" (so that no line
    starts with white space, a workflow command's "::" or an escape)."""
    text = visible(path)
    return text if text and (text[0].isalnum() or text[0] in "./_<") else "./" + text


class Severity(StrEnum):
    """How sure we are that AWS rejects the file."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class Finding(NamedTuple):
    """One diagnostic. ``line`` and ``column`` are 1-based, counted in characters.

    A NamedTuple rather than a dataclass, here and for the other records on the check
    path: ``dataclasses`` (with ``inspect``) and its per-class code generation cost about
    10 ms at every start of ``pipespec check`` (see issue 7's benchmark).
    """

    path: str
    line: int
    column: int
    severity: Severity
    rule: str
    message: str

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (self.path, self.line, self.column, self.severity.rank, self.rule, self.message)

    def as_dict(self) -> dict[str, str | int]:
        """The JSON contract: path, line, column, severity, rule, message."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
        }

    def format(self) -> str:
        """``path:line:col: severity: message [RULE]``, the one-line text form: path, message
        and rule made :func:`visible` (the path by :func:`shown_path`)."""
        return (
            f"{shown_path(self.path)}:{self.line}:{self.column}: "
            f"{self.severity.value}: {visible(self.message)} [{visible(self.rule)}]"
        )
