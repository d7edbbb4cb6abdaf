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


#: The page's reasons for not checking, in the reader's language (the page shows them).
_USAGE: dict[str, dict[Lang, str]] = {
    "count": {
        "ja": "ファイルは 1 個から {max} 個までです ({count} 個あります)",
        "en": "between 1 and {max} files, not {count}",
    },
    "empty": {"ja": "ファイル名がありません", "en": "empty file name"},
    "dot": {"ja": "ファイル名 {name} は使えません", "en": "{name} is not a file name"},
    "slash": {
        "ja": "ファイル名に '/'・'\\'・NUL は使えません: {name}",
        "en": "a file name cannot contain '/', '\\' or NUL: {name}",
    },
    "unicode": {
        "ja": "ファイル名が Unicode の文字列になっていません (対になっていないサロゲート): {name}",
        "en": "a file name with a lone surrogate is not text: {name}",
    },
    "long": {
        "ja": "ファイル名が {max} バイトを超えています",
        "en": "file name longer than {max} bytes",
    },
    "same": {
        "ja": "同じファイル名のタブが 2 つあります: {name}",
        "en": "two tabs have the same file name: {name}",
    },
    "text": {"ja": "{name}: 内容が文字列ではありません", "en": "{name}: the text is not a string"},
    "kind": {"ja": "種類 {kind} はありません", "en": "unknown kind {kind}"},
}


def _usage(lang: Lang, key: str, **params: Any) -> UsageError:
    return UsageError(_USAGE[key][lang].format(**params))


def _name_problem(name: str, lang: Lang) -> UsageError | None:
    """Why ``name`` cannot be a file of the directory the tabs are written into: each name
    is one entry directly beneath it (no separator, no ``..``), and text the file system
    takes (no lone surrogate, which has no UTF-8)."""
    shown = repr(name)
    if not name:
        return _usage(lang, "empty")
    if name in (".", ".."):
        return _usage(lang, "dot", name=shown)
    if "/" in name or "\\" in name or "\0" in name:
        return _usage(lang, "slash", name=shown)
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return _usage(lang, "unicode", name=shown)
    if len(encoded) > MAX_NAME:
        return _usage(lang, "long", max=MAX_NAME)
    return None


def check_files(files: list[dict[str, Any]], lang: Lang = "ja") -> dict[str, Any]:
    """Check ``files`` (``{"name", "text", "kind"}``, ``kind`` None for the name's) together,
    as the files of one directory. ``"oversize": true`` instead of a text: the page found
    the text over :data:`~pipespec.document.MAX_BYTES` and did not send it."""
    if not 1 <= len(files) <= MAX_FILES:
        raise _usage(lang, "count", max=MAX_FILES, count=len(files))
    names = [str(f.get("name", "")) for f in files]
    for name in names:
        problem = _name_problem(name, lang)
        if problem:
            raise problem
    for i, name in enumerate(names):
        if name in names[:i]:
            raise _usage(lang, "same", name=repr(name))
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
                raise _usage(lang, "text", name=repr(name))
            wanted = f.get("kind")
            kind = catalog.KINDS.get(wanted) if isinstance(wanted, str) else None
            if wanted and kind is None:
                raise _usage(lang, "kind", kind=repr(wanted))
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
