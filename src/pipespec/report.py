"""Output formats. Each is a pure function of the findings (and the source lines for text)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from . import __version__
from .findings import Finding, Severity
from .rules import Rule, load_all, lookup

#: The published site (``html_baseurl`` of ``docs/conf.py``): SARIF links to its rule reference.
SITE_URL = "https://pipespec.github.io/pipespec/"
HELP_URI = SITE_URL + "reference/rules.html#rule-{anchor}"
SourceLines = Callable[[str, int], str]


def text(findings: Sequence[Finding], source: SourceLines | None = None) -> str:
    """``path:line:col: severity: message [ID]``, then the source line and a caret."""
    out: list[str] = []
    for f in findings:
        out.append(f.format())
        line = source(f.path, f.line) if source else ""
        if line:
            shown = line.expandtabs(1)
            out.append(f"  {shown}")
            out.append("  " + " " * (f.column - 1) + "^")
    return "\n".join(out) + ("\n" if out else "")


def as_json(findings: Sequence[Finding], source: SourceLines | None = None) -> str:
    """The stable JSON contract: a list of {path, line, column, severity, rule, message}."""
    rows = [f.as_dict() for f in findings]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif(findings: Sequence[Finding], source: SourceLines | None = None) -> str:
    """SARIF 2.1.0 for code scanning: every rule pipespec has, and one result per finding.

    ShellCheck codes without a registered rule (``SHnnnn``) are added as the findings use them.
    """
    known: dict[str, Rule] = dict(load_all())
    for f in findings:
        if f.rule not in known:
            found = lookup(f.rule)
            if found is not None:
                known[f.rule] = found
    ids = sorted(known)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    rules = [
        {
            "id": r.id,
            "name": r.name,
            "shortDescription": {"text": r.name.replace("-", " ")},
            "fullDescription": {"text": r.explain_en},
            "helpUri": r.help_uri or HELP_URI.format(anchor=r.id.lower()),
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
        }
        for r in (known[i] for i in ids)
    ]
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in findings
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pipespec",
                        "version": __version__,
                        "informationUri": SITE_URL,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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


FORMATS: dict[str, Callable[[Sequence[Finding], SourceLines | None], str]] = {
    "text": text,
    "json": as_json,
    "sarif": sarif,
    "github": github,
}
