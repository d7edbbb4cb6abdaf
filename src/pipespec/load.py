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

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .findings import Finding, Severity

try:  # libyaml is an optional speed-up; the pure-Python loader behaves the same
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

#: A path into a document: mapping keys and sequence indexes, from the root.
NodePath = tuple[str | int, ...]
Position = tuple[int, int]
Lang = Literal["en", "ja"]

#: Explicit limits. Hitting one is a finding, never a crash or a hang.
MAX_BYTES = 10 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 100

_MESSAGES: dict[str, tuple[str, str]] = {
    # rule: (english, japanese)
    "LD001": ("{detail}", "{detail_ja}"),
    "LD002": (
        "duplicate key {key!r} (first defined at line {first}); AWS keeps only one of them",
        "キー {key!r} が重複しています (最初の定義は {first} 行目)。"
        "AWS はどちらか一方しか使いません",
    ),
    "LD003": (
        "tab character in indentation; YAML allows only spaces here",
        "インデントにタブ文字があります。YAML のインデントには空白しか使えません",
    ),
    "LD004": (
        "file uses CRLF line endings; use LF",
        "改行コードが CRLF です。LF にしてください",
    ),
    "LD005": (
        "file starts with a UTF-8 byte order mark; remove it",
        "ファイル先頭に UTF-8 の BOM があります。取り除いてください",
    ),
    "LD006": (
        "file is larger than the {limit} byte limit; not checked",
        "ファイルが上限 {limit} バイトを超えているため検査しません",
    ),
    "LD007": (
        "document expands to more than {limit} nodes (alias bomb?); not checked",
        "展開後のノード数が上限 {limit} を超えました (エイリアス爆弾の可能性)。検査しません",
    ),
    "LD008": (
        "nesting deeper than {limit} levels; not checked",
        "入れ子が上限 {limit} 段を超えています。検査しません",
    ),
    "LD009": (
        "file is not valid UTF-8 ({detail}); save it as UTF-8",
        "UTF-8 として読めません ({detail})。UTF-8 で保存してください",
    ),
    "LD010": (
        "cannot read file: {detail}",
        "ファイルを読めません: {detail}",
    ),
}


def message(rule: str, lang: Lang, **params: Any) -> str:
    """Format the loader message ``rule`` in ``lang``."""
    en, ja = _MESSAGES[rule]
    if "detail" in params and "detail_ja" not in params:
        params["detail_ja"] = params["detail"]
    return (ja if lang == "ja" else en).format(**params)


@dataclass
class Document:
    """A loaded file: plain data plus where each value and key came from."""

    path: str
    text: str
    format: Literal["yaml", "json"]
    data: Any = None
    ok: bool = True
    positions: dict[NodePath, Position] = field(default_factory=dict)
    key_positions: dict[NodePath, Position] = field(default_factory=dict)
    #: Plain YAML scalars that became something other than a string (``3.10``, ``yes``),
    #: with their source text: the YAML 1.1 traps.
    plain_scalars: dict[NodePath, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def position(self, path: NodePath, *, key: bool = False) -> Position:
        """Line and column of the value (or key) at ``path``; the nearest parent otherwise."""
        table = self.key_positions if key else self.positions
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (1, 1))

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def add(self, rule: str, severity: Severity, pos: Position, lang: Lang, **params: Any) -> None:
        self.findings.append(
            Finding(self.path, pos[0], pos[1], severity, rule, message(rule, lang, **params))
        )


class _Abort(Exception):
    """Internal: loading stops; the finding has already been recorded."""


def _position_of(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def decode(raw: bytes, path: str, fmt: Literal["yaml", "json"], lang: Lang) -> Document:
    """Decode bytes as UTF-8; report BOMs, other encodings and CRLF."""
    doc = Document(path=path, text="", format=fmt)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        doc.add("LD009", Severity.ERROR, (1, 1), lang, detail="UTF-16 byte order mark")
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
        doc.add("LD004", Severity.WARNING, _position_of(text, crlf), lang)
        text = text.replace("\r\n", "\n")
    doc.text = text
    return doc


def load_text(
    text: str | bytes,
    path: str = "<text>",
    fmt: Literal["yaml", "json"] | None = None,
    *,
    lang: Lang = "en",
) -> Document:
    """Load ``text`` as YAML or JSON (guessed from ``path`` when ``fmt`` is None)."""
    if fmt is None:
        fmt = "json" if path.lower().endswith(".json") else "yaml"
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_BYTES:
        doc = Document(path=path, text="", format=fmt, ok=False)
        doc.add("LD006", Severity.ERROR, (1, 1), lang, limit=MAX_BYTES)
        return doc
    doc = decode(raw, path, fmt, lang)
    if not doc.ok:
        return doc
    try:
        if fmt == "json":
            _JsonParser(doc, lang).parse()
        else:
            _load_yaml(doc, lang)
    except _Abort:
        doc.ok = False
        doc.data = None
    return doc


def load_path(path: str | Path, *, lang: Lang = "en", display: str | None = None) -> Document:
    """Read and load a file, never raising for unreadable or oversized input."""
    p = Path(path)
    shown = display if display is not None else str(path)
    fmt: Literal["yaml", "json"] = "json" if p.suffix.lower() == ".json" else "yaml"
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        doc = Document(path=shown, text="", format=fmt, ok=False)
        doc.add("LD010", Severity.ERROR, (1, 1), lang, detail=exc.strerror or str(exc))
        return doc
    return load_text(raw, shown, fmt, lang=lang)


# --------------------------------------------------------------------------- YAML

_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


def _load_yaml(doc: Document, lang: Lang) -> None:
    tab = _TAB_INDENT.search(doc.text)
    if tab:
        doc.add("LD003", Severity.ERROR, _position_of(doc.text, tab.end() - 1), lang)
        raise _Abort
    loader = _SafeLoader(doc.text)
    try:
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        doc.add(
            "LD001",
            Severity.ERROR,
            pos,
            lang,
            detail=f"YAML syntax error: {detail}",
            detail_ja=f"YAML の構文エラー: {detail}",
        )
        raise _Abort from None
    except yaml.YAMLError as exc:
        doc.add(
            "LD001",
            Severity.ERROR,
            (1, 1),
            lang,
            detail=f"YAML error: {exc}",
            detail_ja=f"YAML のエラー: {exc}",
        )
        raise _Abort from None
    except RecursionError:
        doc.add("LD008", Severity.ERROR, (1, 1), lang, limit=MAX_DEPTH)
        raise _Abort from None
    if node is None:
        doc.data = None
        return
    doc.data = _YamlBuilder(doc, lang).build(node, (), 0)


class _YamlBuilder:
    def __init__(self, doc: Document, lang: Lang) -> None:
        self.doc = doc
        self.lang = lang
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def _pos(self, node: yaml.Node) -> Position:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.doc.add(
                "LD001",
                Severity.ERROR,
                self._pos(node),
                self.lang,
                detail=f"cannot read value: {problem}",
                detail_ja=f"値を読めません: {problem}",
            )
            raise _Abort from None

    def build(self, node: yaml.Node, path: NodePath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            self.doc.add("LD007", Severity.ERROR, self._pos(node), self.lang, limit=MAX_NODES)
            raise _Abort
        if depth > MAX_DEPTH:
            self.doc.add("LD008", Severity.ERROR, self._pos(node), self.lang, limit=MAX_DEPTH)
            raise _Abort
        self.doc.positions.setdefault(path, self._pos(node))
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
            if not node.style and not isinstance(value, str) and value is not None:
                self.doc.plain_scalars[path] = node.value
            return value
        if node.tag not in (_SEQ_TAG, _MAP_TAG) and not isinstance(node, yaml.ScalarNode):
            self.doc.add(
                "LD001",
                Severity.ERROR,
                self._pos(node),
                self.lang,
                detail=f"unsupported YAML tag {node.tag!r}",
                detail_ja=f"この YAML タグは使えません: {node.tag!r}",
            )
            raise _Abort
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        self.doc.add(
            "LD001",
            Severity.ERROR,
            self._pos(node),
            self.lang,
            detail="unsupported YAML node",
            detail_ja="扱えない YAML ノードです",
        )
        raise _Abort

    def _mapping(self, node: yaml.MappingNode, path: NodePath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        merged: list[tuple[yaml.Node, NodePath]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                merged.extend((src, path) for src in sources)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.doc.add(
                    "LD001",
                    Severity.ERROR,
                    self._pos(key_node),
                    self.lang,
                    detail="a mapping key must be a plain value, not a list or mapping",
                    detail_ja="マッピングのキーにリストやマッピングは使えません",
                )
                raise _Abort
            key_value = self._scalar(key_node)
            key = key_value if isinstance(key_value, str) else key_node.value
            line = key_node.start_mark.line + 1
            if key in first_seen:
                self.doc.add(
                    "LD002",
                    Severity.ERROR,
                    self._pos(key_node),
                    self.lang,
                    key=key,
                    first=first_seen[key],
                )
                continue
            first_seen[key] = line
            child = (*path, key)
            self.doc.key_positions[child] = self._pos(key_node)
            if not isinstance(key_value, str):
                self.doc.plain_scalars[(*child, "<key>")] = key_node.value
            result[key] = self.build(value_node, child, depth + 1)
        for src, _ in merged:
            if not isinstance(src, yaml.MappingNode):
                self.doc.add(
                    "LD001",
                    Severity.ERROR,
                    self._pos(src),
                    self.lang,
                    detail="a merge key ('<<') needs a mapping",
                    detail_ja="マージキー ('<<') にはマッピングが必要です",
                )
                raise _Abort
            extra = self._mapping(src, path, depth + 1)
            for key, value in extra.items():
                result.setdefault(key, value)
        return result


# --------------------------------------------------------------------------- JSON

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_LITERALS = {"true": True, "false": False, "null": None}
#: JSON numbers longer than this are refused (Python's int() limit is 4300 digits).
MAX_NUMBER_CHARS = 4000


class _JsonParser:
    """A strict RFC 8259 parser that records the position of every key and value."""

    def __init__(self, doc: Document, lang: Lang) -> None:
        self.doc = doc
        self.text = doc.text
        self.lang = lang
        self.i = 0
        self.count = 0

    def fail(self, en: str, ja: str, offset: int | None = None) -> None:
        pos = _position_of(self.text, self.i if offset is None else offset)
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
        m = _WS.match(self.text, self.i)
        assert m is not None
        self.i = m.end()
        if self.text.startswith(("//", "/*"), self.i):
            self.fail("comments are not allowed in JSON", "JSON にコメントは書けません")
        if self.text.startswith("#", self.i):
            self.fail("'#' comments are not allowed in JSON", "JSON に '#' のコメントは書けません")

    def parse(self) -> None:
        self.ws()
        if self.i >= len(self.text):
            self.fail("the file is empty", "ファイルが空です")
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
            self.doc.add(
                "LD007", Severity.ERROR, _position_of(self.text, self.i), self.lang, limit=MAX_NODES
            )
            raise _Abort
        if depth > MAX_DEPTH:
            self.doc.add(
                "LD008", Severity.ERROR, _position_of(self.text, self.i), self.lang, limit=MAX_DEPTH
            )
            raise _Abort
        self.doc.positions[path] = _position_of(self.text, self.i)
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
            return json.loads(m.group())
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
        result: str = json.loads(m.group())
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
            key_pos = _position_of(self.text, self.i)
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
                saved = dict(self.doc.positions)
                self.value(child, depth + 1)
                self.doc.positions = saved
            else:
                first_seen[key] = key_pos[0]
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
