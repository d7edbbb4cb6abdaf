"""pipespec in the browser: the site's playground runs this module in Pyodide (a Web Worker).

The page sends the files of its tabs (name, text, kind or none) as JSON; :func:`check_json`
writes them into a fresh directory of the in-memory file system and checks that directory's
files as ``pipespec check DIR`` does, so that the cross-file rules see every tab. The answer is
JSON too: the findings (each with the anchor of its rule in the rule reference, when it has
one), the kind each file was checked as, and whether ShellCheck had scripts to check. No
ShellCheck runs in a browser: its "shellcheck not found" finding (``SH0001``) is left out,
and the page says so once instead.

Nothing here touches the network, and the limits are the CLI's (:mod:`pipespec.document`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from . import catalog
from .check import check_paths
from .discover import Found, UsageError
from .document import MAX_BYTES, Lang
from .rules import RULES

#: Tabs at most, and the longest file name (a directory entry's limit).
MAX_FILES = 20
MAX_NAME = 255


def _name_problem(name: str) -> str | None:
    if not name or name in (".", ".."):
        return "empty file name"
    if "/" in name or "\\" in name or "\0" in name:
        return f"a file name cannot contain '/', '\\' or NUL: {name!r}"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME:
        return f"file name longer than {MAX_NAME} bytes"
    return None


def check_files(files: list[dict[str, Any]], lang: Lang = "ja") -> dict[str, Any]:
    """Check ``files`` (``{"name", "text", "kind"}``, ``kind`` None for the name's) together,
    as the files of one directory. ``"oversize": true`` instead of a text: the page found
    the text over :data:`~pipespec.document.MAX_BYTES` and did not send it."""
    if not 1 <= len(files) <= MAX_FILES:
        raise UsageError(f"between 1 and {MAX_FILES} files, not {len(files)}")
    names = [str(f.get("name", "")) for f in files]
    for name in names:
        problem = _name_problem(name)
        if problem:
            raise UsageError(problem)
    if len(set(names)) != len(names):
        raise UsageError("two tabs have the same file name")
    base = Path(tempfile.mkdtemp(prefix="playground-"))
    try:
        found = []
        kinds: dict[str, str | None] = {}
        for name, f in zip(names, files, strict=True):
            path = base / name
            text = f.get("text", "")
            if f.get("oversize"):
                # the page keeps a text over the limit to itself: a file as large stands in
                path.write_bytes(b" " * (MAX_BYTES + 1))
            elif isinstance(text, str):
                # surrogatepass: a lone surrogate is written as it is, the loader finds it
                path.write_bytes(text.encode("utf-8", "surrogatepass"))
            else:
                raise UsageError(f"{name}: the text is not a string")
            wanted = f.get("kind")
            kind = catalog.KINDS.get(wanted) if isinstance(wanted, str) else None
            if wanted and kind is None:
                raise UsageError(f"unknown kind {wanted!r}")
            kind = kind or catalog.detect(name)
            kinds[name] = kind.name if kind else None
            found.append(Found(path, name, kind))
        result = check_paths(found, lang=lang, base=base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    shell_skipped = any(f.rule == "SH0001" for f in result.findings)
    findings = []
    for finding in result.findings:
        if finding.rule == "SH0001":
            continue
        item: dict[str, Any] = finding.as_dict()
        item["anchor"] = f"rule-{finding.rule.lower()}" if finding.rule in RULES else None
        findings.append(item)
    return {
        "findings": findings,
        "kinds": kinds,
        "errors": result.errors,
        "warnings": result.warnings,
        "shellcheck_skipped": shell_skipped,
    }


def check_json(request: str) -> str:
    """:func:`check_files` from and to JSON: ``{"files": [...], "lang": "ja"}``; a request
    the page should never send gives ``{"usage_error": "..."}``."""
    data = json.loads(request)
    lang: Lang = "en" if data.get("lang") == "en" else "ja"
    try:
        answer = check_files(list(data["files"]), lang)
    except UsageError as exc:
        answer = {"usage_error": str(exc)}
    return json.dumps(answer, ensure_ascii=False)
