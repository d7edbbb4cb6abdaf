"""The Finding type: plain data that every check produces and every reporter consumes."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


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
        """``path:line:col: severity: message [RULE]``, the one-line text form."""
        return (
            f"{self.path}:{self.line}:{self.column}: "
            f"{self.severity.value}: {self.message} [{self.rule}]"
        )
