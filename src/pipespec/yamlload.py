"""YAML to a :class:`~pipespec.load.Document`: PyYAML's safe composer (the C one when
libyaml is present), then :class:`_YamlBuilder`, which turns the node graph into plain
Python values with positions, rejects duplicate keys and bounds alias expansion and
nesting depth.

A module of its own so that checking JSON files never imports PyYAML.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

import yaml

from .document import (
    MAX_DEPTH,
    MAX_EXPANDED_CHARS,
    MAX_NODES,
    MAX_NUMBER_CHARS,
    Document,
    Lang,
    NodePath,
    Position,
    _Abort,
    _clamp,
    _end,
    _position_of,
)
from .findings import Severity

try:  # libyaml is an optional speed-up; the pure-Python loader behaves the same
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
#: The scalar tags of YAML 1.1's safe schema; anything else (!!python/..., !Ref) is refused.
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)
#: ``=`` resolves to YAML 1.1's "value" type, which no safe loader constructs: a string.
_VALUE_TAG = "tag:yaml.org,2002:value"
_STR_TAG = "tag:yaml.org,2002:str"
#: Characters YAML does not allow anywhere (C0 controls but tab/LF/CR, DEL, C1 but NEL, ...).
#: (Spelt as the characters refused: the complement of the allowed set, which YAML's
#: spec gives, costs 3 ms to compile at every start.)
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
#: CloudFormation's short forms (``!Sub x`` is ``{"Fn::Sub": x}``), read in templates only.
CFN_TAGS = {
    f"!{name}": ("Fn::" + name if name not in ("Ref", "Condition") else name)
    for name in ("Ref", "Sub", "GetAtt", "If", "Join", "Select", "Split", "FindInMap", "Base64",
                 "Cidr", "ImportValue", "GetAZs", "Equals", "And", "Or", "Not", "Condition",
                 "Transform")
}  # fmt: skip
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


_BLOCK_ENTRY = re.compile(r"-(?=[ \t\r\n\x85\u2028\u2029]|\Z)")


def depth_bound(text: str) -> int:
    """An upper bound on how deeply ``text``'s collections nest, counted without parsing.

    Every collection starts at an indicator of its own: ``[`` or ``{`` (flow), ``-`` and a
    blank (block sequence entry), ``?`` or ``:`` (the first key of a mapping). Most files
    have fewer than :data:`MAX_DEPTH` of them, and then :func:`_check_depth`'s extra pass
    over the events (a third of the time spent in libyaml) cannot find anything.
    """
    return (
        text.count("[") + text.count("{") + text.count("?") + text.count(":")
        + len(_BLOCK_ENTRY.findall(text))
    )  # fmt: skip


def _check_depth(doc: Document, lang: Lang) -> None:
    """Refuse nesting deeper than MAX_DEPTH before anything builds a tree.

    The parser keeps its own stack, so reading events is safe at any depth; the composer
    recurses (in C with libyaml), which overflows the stack on deep enough input with
    libyaml versions that have no nesting limit. Syntax errors are left to the composer.
    """
    loader = _SafeLoader(doc.text)
    depth = 0
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    doc.add("LD008", Severity.ERROR, pos, lang, limit=MAX_DEPTH)
                    raise _Abort
            elif isinstance(event, _CLOSE):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # libyaml >= 0.2.5 stops at 1000 levels itself, before it emits the events
        if "maximum nesting depth" in (exc.problem or "") and exc.problem_mark is not None:
            pos = (exc.problem_mark.line + 1, exc.problem_mark.column + 1)
            doc.add("LD008", Severity.ERROR, pos, lang, limit=MAX_DEPTH)
            raise _Abort from None
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def load_yaml(doc: Document, lang: Lang, cloudformation: bool = False) -> None:
    """Fill ``doc.data`` from ``doc.text``, or record why not and raise ``_Abort``.

    ``cloudformation``: the document is a template, whose short-form intrinsic tags
    (:data:`CFN_TAGS`) are read as the functions they stand for; other tags stay refused.
    """
    bad = _NOT_YAML.search(doc.text)
    if bad:
        code = ord(bad.group())
        hint = " (a NUL byte: is this a binary file?)" if code == 0 else ""
        doc.add(
            "LD001",
            Severity.ERROR,
            _position_of(doc.text, bad.start()),
            lang,
            detail=f"YAML syntax error: control character U+{code:04X} is not allowed{hint}",
            detail_ja=f"YAML の構文エラー: 制御文字 U+{code:04X} は使えません"
            + (" (NUL バイト: バイナリファイルでは?)" if code == 0 else ""),
        )
        raise _Abort
    tab = _TAB_INDENT.search(doc.text)
    if tab:
        doc.add("LD003", Severity.ERROR, _position_of(doc.text, tab.end() - 1), lang)
        raise _Abort
    if depth_bound(doc.text) > MAX_DEPTH:
        _check_depth(doc, lang)
    loader = _SafeLoader(doc.text)
    try:
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _clamp(doc.text, (mark.line + 1, mark.column + 1) if mark else (1, 1))
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
        problem = " ".join(str(exc).split())  # one line
        doc.add(
            "LD001",
            Severity.ERROR,
            (1, 1),
            lang,
            detail=f"YAML error: {problem}",
            detail_ja=f"YAML のエラー: {problem}",
        )
        raise _Abort from None
    except RecursionError:
        doc.add("LD008", Severity.ERROR, (1, 1), lang, limit=MAX_DEPTH)
        raise _Abort from None
    if node is None:  # no document at all: empty, or only comments
        doc.add("LD012", Severity.ERROR, (1, 1), lang)
        raise _Abort
    doc.data = _YamlBuilder(doc, lang, cloudformation).build(node, (), 0)


def _short(value: str) -> str:
    return repr(value) if len(value) <= 40 else repr(value[:37] + "...")


class _YamlBuilder:
    def __init__(self, doc: Document, lang: Lang, cloudformation: bool = False) -> None:
        self.doc = doc
        self.lang = lang
        self.cloudformation = cloudformation
        self.count = 0
        self.chars = 0  #: characters of scalar values built so far, aliases counted each time
        self.constructor = yaml.constructor.SafeConstructor()
        self.end = _end(doc.text)
        #: the collections being built, outermost first: an alias to one of them is a cycle
        self.building: set[int] = set()

    def _pos(self, node: yaml.Node) -> Position:
        pos = node.start_mark.line + 1, node.start_mark.column + 1
        return pos if pos[0] <= self.end[0] else self.end

    def _fail(self, node: yaml.Node, en: str, ja: str) -> NoReturn:
        self.doc.add("LD001", Severity.ERROR, self._pos(node), self.lang, detail=en, detail_ja=ja)
        raise _Abort

    def _tick(self, node: yaml.Node) -> None:
        """Count one more node (aliases and merges count each time they are expanded)."""
        self.count += 1
        if self.count > MAX_NODES:
            self.doc.add("LD007", Severity.ERROR, self._pos(node), self.lang, limit=MAX_NODES)
            raise _Abort

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _STR_TAG or node.tag == _VALUE_TAG:
            return node.value  # what SafeConstructor would return, without its dispatch
        if node.tag not in _SCALAR_TAGS:  # never construct a Python object
            self._fail(
                node,
                f"unsupported YAML tag {node.tag!r}",
                f"この YAML タグは使えません: {node.tag!r}",
            )
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            # int() refuses more than 4300 digits; sexagesimal 1:2:3... is quadratic
            self._fail(
                node,
                f"number longer than {MAX_NUMBER_CHARS} characters",
                f"{MAX_NUMBER_CHARS} 文字を超える数値です",
            )
        try:
            return self.constructor.construct_object(node, deep=True)
        except Exception as exc:
            # An explicit tag on a value of another type (!!bool maybe, !!timestamp x,
            # !!int "") makes PyYAML raise KeyError, AttributeError, IndexError ...;
            # a date that does not exist (2001-02-30) a ValueError.
            if isinstance(exc, yaml.YAMLError):
                problem = getattr(exc, "problem", None) or str(exc)
            else:
                problem = f"{_short(node.value)} is not a valid {node.tag.rsplit(':', 1)[-1]}"
                if isinstance(exc, ValueError) and "range" in str(exc):
                    problem += f" ({exc})"
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
        self._tick(node)
        if depth > MAX_DEPTH:
            self.doc.add("LD008", Severity.ERROR, self._pos(node), self.lang, limit=MAX_DEPTH)
            raise _Abort
        self.doc.positions.setdefault(path, self._pos(node))
        if self.cloudformation and node.tag in CFN_TAGS:
            return self._intrinsic(node, path, depth)
        if isinstance(node, yaml.ScalarNode):
            if self.cloudformation and "BuildSpec" in path[-3:]:  # where its text is written
                span = (node.style or "", node.start_mark.index, node.end_mark.index)
                self.doc.scalars[path] = span
            self.chars += len(node.value)
            if self.chars > MAX_EXPANDED_CHARS:
                self.doc.add("LD013", Severity.ERROR, self._pos(node), self.lang,
                             limit=MAX_EXPANDED_CHARS)  # fmt: skip
                raise _Abort
            value = self._scalar(node)
            if not node.style and not isinstance(value, str) and value is not None:
                self.doc.plain_scalars[path] = node.value
            return value
        if node.tag not in (_SEQ_TAG, _MAP_TAG) and not isinstance(node, yaml.ScalarNode):
            self._fail(
                node,
                f"unsupported YAML tag {node.tag!r}",
                f"この YAML タグは使えません: {node.tag!r}",
            )
        if isinstance(node, yaml.SequenceNode):
            self._enter(node)
            try:
                return [
                    self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)
                ]
            finally:
                self.building.discard(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        self._fail(
            node,
            "unsupported YAML node",
            "扱えない YAML ノードです",
        )

    def _intrinsic(self, node: yaml.Node, path: NodePath, depth: int) -> dict[str, Any]:
        """``!Sub x`` as ``{"Fn::Sub": x}`` (``!GetAtt a.b`` as ``["a", "b"]``), the key and
        the value at the tag's position."""
        name = CFN_TAGS[node.tag]
        child = (*path, name)
        self.doc.key_positions[child] = self._pos(node)
        plain: yaml.Node
        if isinstance(node, yaml.ScalarNode):
            plain = yaml.ScalarNode(_STR_TAG, node.value, node.start_mark, node.end_mark,
                                    node.style)  # fmt: skip
        elif isinstance(node, yaml.SequenceNode):
            plain = yaml.SequenceNode(_SEQ_TAG, node.value, node.start_mark, node.end_mark)
        else:
            plain = yaml.MappingNode(_MAP_TAG, node.value, node.start_mark, node.end_mark)
        self._enter(node)  # an alias to the tagged node inside it is still a cycle
        try:
            value = self.build(plain, child, depth + 1)
        finally:
            self.building.discard(id(node))
        if name == "Fn::GetAtt" and isinstance(value, str):
            parts = value.split(".", 1)
            for i in range(len(parts)):
                self.doc.positions[(*child, i)] = self._pos(node)
            return {name: parts}
        return {name: value}

    def _enter(self, node: yaml.Node) -> None:
        """About to build ``node``'s children; refuse an alias back to ``node`` (``&a [*a]``)."""
        if id(node) in self.building:
            self._fail(
                node,
                "an alias refers to the collection that contains it (a recursive structure)",
                "エイリアスが自分を含むコレクションを参照しています (再帰構造)",
            )
        self.building.add(id(node))

    def _mapping(self, node: yaml.MappingNode, path: NodePath, depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH:  # merge chains nest without build()
            self.doc.add("LD008", Severity.ERROR, self._pos(node), self.lang, limit=MAX_DEPTH)
            raise _Abort
        self._enter(node)
        try:
            return self._mapping_body(node, path, depth)
        finally:
            self.building.discard(id(node))

    def _mapping_body(self, node: yaml.MappingNode, path: NodePath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        merged: list[tuple[yaml.Node, NodePath]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for src in sources:
                    self._tick(src)  # merging an empty mapping still costs: count it
                    merged.append((src, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._fail(
                    key_node,
                    "a mapping key must be a plain value, not a list or mapping",
                    "マッピングのキーにリストやマッピングは使えません",
                )
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
                self._fail(
                    src,
                    "a merge key ('<<') needs a mapping",
                    "マージキー ('<<') にはマッピングが必要です",
                )
            extra = self._mapping(src, path, depth + 1)
            for key, value in extra.items():
                result.setdefault(key, value)
        return result
