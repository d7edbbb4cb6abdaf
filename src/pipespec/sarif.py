"""SARIF 2.1.0 for code scanning (``pipespec check --format sarif``).

* ``run.columnKind`` is ``unicodeCodePoints``: pipespec's columns count characters of the
  decoded text (:class:`~pipespec.findings.Finding`), so a character outside the BMP is one
  column, as Python counts it, not two UTF-16 code units.
* ``run.originalUriBaseIds`` holds ``%SRCROOT%``, the root of the repository
  (:func:`source_root`): git's top level of the directory holding the reported files, else
  of the current directory, else the current directory itself, as an absolute ``file://``
  URI ending in "/". A result's file is a URI reference relative to it, with ``uriBaseId``
  ``%SRCROOT%``, whatever directory the command ran from (``ci/`` gives
  ``deploy/appspec.yaml``, never ``../deploy/appspec.yaml``). A file outside the root is an
  absolute ``file://`` URI without a base.
* Paths are percent-encoded (RFC 3986): every byte of the file name's UTF-8 (its own bytes
  when it is not UTF-8) except the unreserved characters and "/" is written ``%XX``, so a
  space is ``%20``, "#" ``%23``, "é" ``%C3%A9``.
* Each rule has ``help`` (``text`` and ``markdown``, from its explanation and examples in
  the rule data) and ``helpUri``, its section on the site's rule reference (a ShellCheck
  code without an entry of its own: ShellCheck's wiki page). The rule help is in English;
  the results' messages are in the language of ``--lang``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

from . import __version__
from .discover import _git
from .findings import Finding, Severity
from .report import HELP_URI, SITE_URL
from .rules import Rule, load_all, lookup

#: The ``id`` of the official schema (OASIS SARIF 2.1.0 Errata 01): tests/test_sarif.py
#: validates the output against it.
SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
COLUMN_KIND = "unicodeCodePoints"
#: How long ``git rev-parse --show-toplevel`` may take before the current directory is used.
GIT_TIMEOUT = 10.0

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


# --------------------------------------------------------------------------- paths


def _bytes(path: str) -> bytes:
    """The file name's bytes: UTF-8, with the bytes a name that is not UTF-8 was decoded
    from (``surrogateescape``); any other lone surrogate as its own three bytes."""
    try:
        return path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogatepass")


def encode_path(path: str) -> str:
    """``path`` (with "/" between its parts) percent-encoded for a URI: every byte but the
    unreserved characters of RFC 3986 (letters, digits, ``-._~``) and "/" as ``%XX``."""
    return quote_from_bytes(_bytes(path), safe="/")


def file_uri(absolute: str) -> str:
    """The ``file://`` URI of an absolute path."""
    if os.name == "nt":  # pragma: no cover - pipespec's CI is POSIX
        drive, rest = os.path.splitdrive(absolute)
        return "file:///" + drive + encode_path(rest.replace("\\", "/"))
    return "file://" + encode_path(absolute)


def _git_toplevel(directory: str) -> str | None:
    """git's top level of the work tree ``directory`` is in; None when it is in none, git
    is not installed or does not answer in time. git is run as the directory walk runs it
    (:func:`pipespec.discover._git`): from PATH's absolute directories only, never one in
    the tree being checked, without the variables a hook sets, with no fsmonitor."""
    out = _git(Path(directory), "rev-parse", "--show-toplevel", timeout=GIT_TIMEOUT)
    top = os.fsdecode(out.rstrip(b"\n")) if out is not None else ""
    return top if os.path.isabs(top) else None


def _existing(path: str) -> str:
    """The nearest directory at or above ``path`` that exists."""
    while not os.path.isdir(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _absolute(path: str, cwd: str) -> str:
    return os.path.normpath(os.path.join(cwd, path))


def source_root(paths: Iterable[str], cwd: str | None = None) -> str:
    """``%SRCROOT%``: git's top level of the directory that holds every one of ``paths``
    (as findings show them: relative to ``cwd`` or absolute), else git's top level of
    ``cwd``, else ``cwd`` itself (default: the current directory)."""
    cwd = cwd or os.getcwd()
    directories = {os.path.dirname(_absolute(p, cwd)) for p in paths}
    candidates = []
    if directories:
        candidates.append(_existing(os.path.commonpath(sorted(directories))))
    candidates.append(cwd)
    for directory in dict.fromkeys(candidates):
        top = _git_toplevel(directory)
        if top is not None:
            return os.path.normpath(top)
    return cwd


def _relative(absolute: str, root: str) -> str | None:
    """``absolute`` relative to ``root`` (with "/"), None when it is not under it."""
    prefix = root.rstrip(os.sep) + os.sep
    if absolute.startswith(prefix):
        return absolute[len(prefix) :].replace(os.sep, "/")
    return None


class Locations:
    """The ``artifactLocation`` of each path, relative to the root when under it."""

    def __init__(self, root: str, cwd: str | None = None) -> None:
        self.root = root
        self.cwd = cwd or os.getcwd()
        self._real_root = os.path.realpath(root)

    def root_uri(self) -> str:
        uri = file_uri(self.root)
        return uri if uri.endswith("/") else uri + "/"

    def __call__(self, path: str) -> dict[str, str]:
        absolute = _absolute(path, self.cwd)
        relative = _relative(absolute, self.root)
        if relative is None:  # through a symbolic link to a directory under the root?
            try:
                head, name = os.path.split(absolute)
                relative = _relative(os.path.join(os.path.realpath(head), name), self._real_root)
            except (OSError, ValueError):
                relative = None
        if relative:
            return {"uri": encode_path(relative), "uriBaseId": SRCROOT}
        return {"uri": file_uri(absolute)}


# --------------------------------------------------------------------------- rules


#: What a Markdown renderer would read as markup in plain text, escaped with a backslash (a
#: "_" inside a word, as in pre_build, is no emphasis).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*{}\[\]<>#|~!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_URL = re.compile(r"https?://[^\s<>`\"')]+[^\s<>`\"').,;:]")


def _markdown_text(text: str) -> str:
    """Plain text as Markdown: URLs as autolinks, the rest with its markup escaped."""
    out: list[str] = []
    last = 0
    for m in _URL.finditer(text):
        out.append(_MARKDOWN_SPECIAL.sub(r"\\\1", text[last : m.start()]))
        out.append(f"<{m.group()}>")
        last = m.end()
    out.append(_MARKDOWN_SPECIAL.sub(r"\\\1", text[last:]))
    return "".join(out)


def markdown_explanation(text: str) -> str:
    """A rule's explanation as Markdown: `backquoted` parts are code (as on the site, see
    :func:`pipespec.sphinxext._inline`), the rest plain text."""
    parts = text.split("`")
    return "".join(
        f"`{part}`" if i % 2 and part.strip() else _markdown_text(part)
        for i, part in enumerate(parts)
        if part
    )


def _fence(body: str, language: str) -> str:
    ticks = "`" * max([3, *(len(run) + 1 for run in re.findall("`+", body))])
    return f"{ticks}{language}\n{body.rstrip(chr(10))}\n{ticks}"


#: What a Markdown code block cannot show: an example about line ends, a byte order mark or
#: control characters is left out of the help (the site shows it).
_UNSHOWABLE = re.compile("[\r\ufeff\x00-\x08\x0b-\x1f\x7f]")


def _language(name: str) -> str:
    return "json" if name.endswith(".json") else "yaml"


def _examples(label: str, rule: Rule, text: str, files: dict[str, str]) -> list[str]:
    if files:
        out = [f"**{label}** (files of one directory):"]
        for name, body in sorted(files.items()):
            out += [f"`{name}`:", _fence(body, _language(name))]
        return out
    if not text or _UNSHOWABLE.search(text):
        return []
    return [f"**{label}** (`{rule.example_name}`):", _fence(text, _language(rule.example_name))]


def help_uri(rule: Rule, registered: dict[str, Rule]) -> str:
    """The rule's section on the site when it has one, else its own ``help_uri``."""
    if rule.id in registered or not rule.help_uri:
        return HELP_URI.format(anchor=rule.id.lower())
    return rule.help_uri


def descriptor(rule: Rule, registered: dict[str, Rule]) -> dict[str, Any]:
    """The ``reportingDescriptor`` of a rule."""
    uri = help_uri(rule, registered)
    markdown = [
        markdown_explanation(rule.explain_en),
        *_examples("Bad example", rule, rule.bad, rule.bad_files),
        *_examples("Good example", rule, rule.good, rule.good_files),
        f"[The rule in the pipespec rule reference]({uri})"
        if uri.startswith(SITE_URL)
        else f"[The code on ShellCheck's wiki]({uri})",
    ]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.name.replace("-", " ")},
        "fullDescription": {"text": rule.explain_en},
        "help": {"text": f"{rule.explain_en}\n\nSee {uri}", "markdown": "\n\n".join(markdown)},
        "helpUri": uri,
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
    }


# --------------------------------------------------------------------------- the log


def sarif_log(findings: Sequence[Finding], cwd: str | None = None) -> dict[str, Any]:
    """The SARIF log: every rule pipespec has (and the ShellCheck codes without an entry
    of their own that the findings use), one result per finding."""
    registered = load_all()
    known: dict[str, Rule] = dict(registered)
    for f in findings:
        if f.rule not in known:
            found = lookup(f.rule)
            if found is not None:
                known[f.rule] = found
    ids = sorted(known)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    cwd = cwd or os.getcwd()
    locations = Locations(source_root({f.path for f in findings}, cwd), cwd)
    results = [
        {
            "ruleId": f.rule,
            **({"ruleIndex": index[f.rule]} if f.rule in index else {}),
            "level": LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": locations(f.path),
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in findings
    ]
    driver = {
        "name": "pipespec",
        "version": __version__,
        "informationUri": SITE_URL,
        "rules": [descriptor(known[i], registered) for i in ids],
    }
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {SRCROOT: {"uri": locations.root_uri()}},
                "columnKind": COLUMN_KIND,
                "results": results,
            }
        ],
    }
