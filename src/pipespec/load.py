"""Bytes to a document tree whose every value knows its line and column.

YAML is read with PyYAML's safe composer (the C one when libyaml is present); the node
graph is then turned into plain Python values by :class:`_YamlBuilder`, which rejects
duplicate keys and bounds alias expansion and nesting depth. JSON is read by a small
strict parser (:class:`_JsonParser`) that records positions, rejects what RFC 8259
rejects (comments, trailing commas, NaN, control characters) and duplicate keys.

Nothing here raises on bad input: problems become :class:`~pipespec.findings.Finding`
objects on the returned :class:`Document`.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path
from typing import Any, Literal

from .document import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    MAX_NUMBER_CHARS,
    Document,
    Lang,
    NodePath,
    Position,
    _Abort,
    _position_of,
)
from .findings import Severity

#: What other modules import from here (the document types for them are .document's).
__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "Lang",
    "NodePath",
    "decode",
    "load_path",
    "load_text",
]


class _Cursor:
    """:func:`_position_of` for increasing offsets, in linear total time.

    The JSON parser asks for the position of every value in order; counting the lines
    from the start each time made a 600 kB file take 15 seconds.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.line = 1
        self.start = 0

    def at(self, offset: int) -> Position:
        if offset < self.offset:
            return _position_of(self.text, offset)
        newlines = self.text.count("\n", self.offset, offset)
        if newlines:
            self.line += newlines
            self.start = self.text.rfind("\n", self.offset, offset) + 1
        self.offset = offset
        return self.line, offset - self.start + 1


#: Byte order marks of encodings other than UTF-8 (UTF-32 first: it starts like UTF-16).
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode(raw: bytes, path: str, fmt: Literal["yaml", "json"], lang: Lang) -> Document:
    """Decode bytes as UTF-8; report BOMs, other encodings and CRLF."""
    doc = Document(path=path, text="", format=fmt)
    for bom, name in _OTHER_BOMS:
        if raw.startswith(bom):
            doc.add("LD009", Severity.ERROR, (1, 1), lang, detail=f"{name} byte order mark")
            doc.ok = False
            return doc
    if raw.startswith(b"\xef\xbb\xbf"):
        doc.add("LD005", Severity.WARNING, (1, 1), lang)
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        doc.text = good
        doc.add(
            "LD009",
            Severity.ERROR,
            _position_of(good, len(good)),
            lang,
            detail=f"byte 0x{raw[exc.start]:02x} at offset {exc.start}",
        )
        doc.ok = False
        return doc
    crlf = text.find("\r\n")
    if crlf >= 0:
        doc.crlf = _position_of(text, crlf)
        doc.add("LD004", Severity.WARNING, doc.crlf, lang)
        text = text.replace("\r\n", "\n")
    doc.text = text
    return doc


def load_text(
    text: str | bytes,
    path: str = "<text>",
    fmt: Literal["yaml", "json"] | None = None,
    *,
    lang: Lang = "en",
    cloudformation: bool = False,
) -> Document:
    """Load ``text`` as YAML or JSON (guessed from ``path`` when ``fmt`` is None);
    ``cloudformation``: a template, whose YAML short-form intrinsic tags are read."""
    if fmt is None:
        fmt = "json" if path.lower().endswith(".json") else "yaml"
    try:
        raw = text.encode("utf-8") if isinstance(text, str) else text
    except UnicodeEncodeError as exc:  # a str with a lone surrogate: no file can hold it
        assert isinstance(text, str)
        doc = Document(path=path, text=text[: exc.start], format=fmt, ok=False)
        detail = f"lone surrogate U+{ord(text[exc.start]):04X} at character {exc.start}"
        doc.add("LD009", Severity.ERROR, _position_of(text, exc.start), lang, detail=detail)
        return doc
    if len(raw) > MAX_BYTES:
        doc = Document(path=path, text="", format=fmt, ok=False)
        doc.add("LD006", Severity.ERROR, (1, 1), lang, limit=MAX_BYTES)
        return doc
    doc = decode(raw, path, fmt, lang)
    if not doc.ok:
        return doc
    try:
        if fmt == "json":
            if not _load_json_fast(doc, lang):
                _JsonParser(doc, lang).parse()
        else:
            from .yamlload import load_yaml  # PyYAML costs ~9 ms to import: not for JSON

            load_yaml(doc, lang, cloudformation)
    except _Abort:
        doc.ok = False
        doc.data = None
    return doc


def _not_regular(mode: int) -> OSError | None:
    if stat.S_ISDIR(mode):
        return IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if not stat.S_ISREG(mode):
        return OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device)")
    return None


def _read_regular(name: str) -> bytes:
    """At most MAX_BYTES + 1 bytes of a regular file (a 50 MB file costs 10 MB at most).

    Only regular files: opening a FIFO would wait forever for a writer (and O_NONBLOCK
    keeps it from waiting should one replace the file after the check). The buffer is
    sized from the file, not from the limit: allocating 10 MB for every read was half the
    time spent loading a small file.
    """
    refused = _not_regular(os.stat(name).st_mode)
    if refused is not None:
        raise refused
    fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        refused = _not_regular(st.st_mode)
        if refused is not None:
            raise refused
        chunks: list[bytes] = []
        total = 0
        want = min(st.st_size, MAX_BYTES) + 1
        while total <= MAX_BYTES:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            want = min(1 << 16, MAX_BYTES + 1 - total)  # it grew since fstat
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_path(
    path: str | Path, *, lang: Lang = "en", display: str | None = None,
    cloudformation: bool = False,
) -> Document:  # fmt: skip
    """Read and load a file, never raising for unreadable or oversized input."""
    name = os.fspath(path)
    shown = display if display is not None else str(path)
    suffix = os.path.splitext(name)[1]  # as Path.suffix: ".json" alone has none
    fmt: Literal["yaml", "json"] = "json" if suffix.lower() == ".json" else "yaml"
    try:
        raw = _read_regular(name)
    except OSError as exc:
        doc = Document(path=shown, text="", format=fmt, ok=False)
        doc.add("LD010", Severity.ERROR, (1, 1), lang, detail=exc.strerror or str(exc))
        return doc
    return load_text(raw, shown, fmt, lang=lang, cloudformation=cloudformation)


# --------------------------------------------------------------------------- JSON

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
#: Possessive (Python 3.11): without it, sre kept a backtracking entry per character and a
#: 9 MB string cost a gigabyte to match.
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]++|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*+"')
_LITERALS = {"true": True, "false": False, "null": None}
_WS_FIRST = frozenset(" \t\n\r")
_COMMENT_FIRST = frozenset("/#")


class _Refused(Exception):
    """Internal: the standard library's parser accepted what the strict one reports."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refused("duplicate key")
    return result


def _refuse_constant(word: str) -> Any:
    raise _Refused(word)  # NaN, Infinity, -Infinity


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused("long number")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused("long number")
    return float(text)


def _load_json_fast(doc: Document, lang: Lang) -> bool:
    """Read ``doc`` with the standard library's C parser, when it is certain to give what
    :class:`_JsonParser` gives with no finding; record the positions only when one is asked
    for (most files have no finding, and the strict parser is ~20x slower). False: leave the
    file to the strict parser, which reports what is wrong and where.

    The C parser accepts exactly what the strict one accepts (a property test checks it)
    except NaN/Infinity, duplicate keys and long numbers, refused here through its hooks;
    the node and depth limits hold by construction (each value takes at least a character;
    each level opens a bracket).
    """
    text = doc.text
    if len(text) > MAX_NODES or text.count("[") + text.count("{") > MAX_DEPTH:
        return False
    try:
        data = json.loads(
            text, object_pairs_hook=_unique, parse_constant=_refuse_constant,
            parse_int=_int, parse_float=_float,
        )  # fmt: skip
    except (ValueError, RecursionError, _Refused):
        return False
    doc.data = data
    doc._locate = _locate_json
    return True


def _locate_json(doc: Document) -> None:
    """The positions of a document read by :func:`_load_json_fast`, from the strict parser
    (which reports nothing here: the fast path took only what it accepts silently)."""
    scratch = Document(doc.path, doc.text, "json")
    _JsonParser(scratch, "en").parse()
    doc._positions, doc._key_positions = scratch._positions, scratch._key_positions


class _JsonParser:
    """A strict RFC 8259 parser that records the position of every key and value."""

    def __init__(self, doc: Document, lang: Lang) -> None:
        self.doc = doc
        self.text = doc.text
        self.lang = lang
        self.i = 0
        self.count = 0
        self.cursor = _Cursor(self.text)
        #: False while reading the value of a duplicate key: it must not move positions
        self.record = True

    def fail(self, en: str, ja: str, offset: int | None = None) -> None:
        pos = self.cursor.at(self.i if offset is None else offset)
        self.doc.add(
            "LD001",
            Severity.ERROR,
            pos,
            self.lang,
            detail=f"JSON syntax error: {en}",
            detail_ja=f"JSON の構文エラー: {ja}",
        )
        raise _Abort

    def ws(self) -> None:
        text, i = self.text, self.i
        if text[i : i + 1] in _WS_FIRST:  # most tokens follow whitespace, many do not
            m = _WS.match(text, i)
            assert m is not None
            self.i = m.end()
        if text[self.i : self.i + 1] not in _COMMENT_FIRST:
            return
        if self.text.startswith(("//", "/*"), self.i):
            self.fail("comments are not allowed in JSON", "JSON にコメントは書けません")
        if self.text.startswith("#", self.i):
            self.fail("'#' comments are not allowed in JSON", "JSON に '#' のコメントは書けません")

    def parse(self) -> None:
        self.ws()
        if self.i >= len(self.text):
            self.doc.add("LD012", Severity.ERROR, (1, 1), self.lang)
            raise _Abort
        self.doc.data = self.value((), 0)
        self.ws()
        if self.i < len(self.text):
            self.fail(
                "extra data after the top-level value",
                "トップレベルの値の後に余分なデータがあります",
            )

    def value(self, path: NodePath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            here = self.cursor.at(self.i)
            self.doc.add("LD007", Severity.ERROR, here, self.lang, limit=MAX_NODES)
            raise _Abort
        if depth > MAX_DEPTH:
            here = self.cursor.at(self.i)
            self.doc.add("LD008", Severity.ERROR, here, self.lang, limit=MAX_DEPTH)
            raise _Abort
        if self.record:
            self.doc.positions[path] = self.cursor.at(self.i)
        ch = self.text[self.i : self.i + 1]
        if ch == "{":
            return self.obj(path, depth)
        if ch == "[":
            return self.arr(path, depth)
        if ch == '"':
            return self.string()
        m = _NUMBER.match(self.text, self.i)
        if m and m.end() > self.i:
            if m.end() - m.start() > MAX_NUMBER_CHARS:
                self.fail(
                    f"number longer than {MAX_NUMBER_CHARS} characters",
                    f"{MAX_NUMBER_CHARS} 文字を超える数値です",
                )
            self.i = m.end()
            token = m.group()  # JSON's grammar, so Python reads it as json.loads would
            return float(token) if "." in token or "e" in token or "E" in token else int(token)
        for word, val in _LITERALS.items():
            if self.text.startswith(word, self.i):
                self.i += len(word)
                return val
        if ch == "":
            self.fail("unexpected end of file", "ファイルが途中で終わっています")
        if ch == "'":
            self.fail("strings must use double quotes", "文字列はダブルクォートで囲みます")
        bare = re.match(r"[A-Za-z_+-][A-Za-z0-9_]*", self.text[self.i :])
        if bare and bare.group() in ("NaN", "Infinity", "-Infinity", "+Infinity"):
            self.fail(
                f"{bare.group()} is not a JSON value", f"{bare.group()} は JSON の値ではありません"
            )
        self.fail(f"unexpected character {ch!r}", f"予期しない文字 {ch!r} があります")
        raise AssertionError("unreachable")  # pragma: no cover

    def string(self) -> str:
        m = _STRING.match(self.text, self.i)
        if not m:
            end = self.text.find('"', self.i + 1)
            bad = re.search(r"[\x00-\x1f]", self.text[self.i : end if end > 0 else None])
            if end < 0:
                self.fail("unterminated string", "文字列が閉じられていません")
            if bad:
                self.fail(
                    "control character inside a string (escape it)",
                    "文字列の中に制御文字があります (エスケープしてください)",
                    self.i + bad.start(),
                )
            self.fail("invalid escape in string", "文字列のエスケープが不正です")
            raise AssertionError("unreachable")  # pragma: no cover
        self.i = m.end()
        token = m.group()
        if "\\" not in token:
            return token[1:-1]  # nothing to unescape
        result: str = json.loads(token)
        return result

    def obj(self, path: NodePath, depth: int) -> dict[str, Any]:
        self.i += 1
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        self.ws()
        if self.text.startswith("}", self.i):
            self.i += 1
            return result
        while True:
            self.ws()
            if not self.text.startswith('"', self.i):
                if self.text.startswith("}", self.i):
                    self.fail("trailing comma before '}'", "'}' の前に余分なカンマがあります")
                self.fail("expected a double-quoted key", "ダブルクォートで囲んだキーが必要です")
            key_pos = self.cursor.at(self.i)
            key = self.string()
            self.ws()
            if not self.text.startswith(":", self.i):
                self.fail(f"expected ':' after key {key!r}", f"キー {key!r} の後に ':' が必要です")
            self.i += 1
            self.ws()
            child = (*path, key)
            duplicate = key in first_seen
            if duplicate:
                self.doc.add(
                    "LD002", Severity.ERROR, key_pos, self.lang, key=key, first=first_seen[key]
                )
                record, self.record = self.record, False
                self.value(child, depth + 1)
                self.record = record
            else:
                first_seen[key] = key_pos[0]
                if self.record:
                    self.doc.key_positions[child] = key_pos
                result[key] = self.value(child, depth + 1)
            self.ws()
            ch = self.text[self.i : self.i + 1]
            if ch == ",":
                self.i += 1
                continue
            if ch == "}":
                self.i += 1
                return result
            self.fail(
                "expected ',' or '}' after an object member",
                "オブジェクトの要素の後には ',' か '}' が必要です",
            )

    def arr(self, path: NodePath, depth: int) -> list[Any]:
        self.i += 1
        result: list[Any] = []
        self.ws()
        if self.text.startswith("]", self.i):
            self.i += 1
            return result
        while True:
            self.ws()
            if self.text.startswith("]", self.i):
                self.fail("trailing comma before ']'", "']' の前に余分なカンマがあります")
            result.append(self.value((*path, len(result)), depth + 1))
            self.ws()
            ch = self.text[self.i : self.i + 1]
            if ch == ",":
                self.i += 1
                continue
            if ch == "]":
                self.i += 1
                return result
            self.fail(
                "expected ',' or ']' after an array element",
                "配列の要素の後には ',' か ']' が必要です",
            )
