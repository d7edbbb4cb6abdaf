"""A CloudFormation template read for pipespec: its resources of the kinds pipespec knows,
each turned into the API's document (camelCase, positions of the template), and the
buildspecs written inline in its CodeBuild projects."""

from __future__ import annotations

import bisect
import re
from typing import Any, NamedTuple

from ..document import Document, NodePath, Position
from .opaque import Opaque, TrackedDict, TrackedList, Tracker
from .spec import RESOURCES, Shape

#: CloudFormation's pseudo parameters (Template Reference, pseudo parameters).
PSEUDO = frozenset({"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
                    "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"})  # fmt: skip
_DROP = object()
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_FUNCTIONS = ("Ref", "Condition")


def intrinsic(value: Any) -> str | None:
    """The function name of ``{"Ref": ...}`` / ``{"Fn::X": ...}``, else None."""
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if isinstance(key, str) and (key in _FUNCTIONS or key.startswith("Fn::")):
            return key
    return None


def is_no_value(value: Any) -> bool:
    return isinstance(value, dict) and value == {"Ref": "AWS::NoValue"}


def is_template(data: Any) -> bool:
    """A CloudFormation template: AWSTemplateFormatVersion, or Resources of an AWS:: type."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    resources = data.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith("AWS::")
        for r in resources.values()
    )


class Variable(NamedTuple):
    """A ``${Name}`` of a ``!Sub`` text: where it is in the value, in the checked text."""

    name: str
    start: int  #: offset of the ``$`` in the scalar's value
    checked: int  #: offset of the neutral token in the checked text
    length: int


class Inline(NamedTuple):
    """A buildspec written in a CodeBuild project of the template."""

    logical_id: str
    path: NodePath  #: where the string is in the template
    value: str  #: the string as written (``${...}`` and all)
    text: str  #: what is checked: each ``${Name}`` a neutral token of its length
    sub: bool
    variables: tuple[Variable, ...]
    #: offsets of the checked text where one more ``!`` of ``${!`` was left out
    shifts: tuple[int, ...]
    names: frozenset[str]  #: the ``!Sub`` list form's own variables

    def offset(self, checked: int) -> int:
        """The offset in :attr:`value` of the checked text's ``checked``."""
        return checked + bisect.bisect_right(self.shifts, checked)

    def opaque(self, checked: int) -> bool:
        """Whether offset ``checked`` of the text is inside a ``${...}`` token."""
        return any(v.checked <= checked < v.checked + v.length for v in self.variables)


#: The neutral characters of the tokens: one private-use character per variable (a word
#: character to YAML and the shell), so that a message quoting a token can be given back
#: the variable as written (:func:`restore`).
TOKENS = 0xE000
TOKEN_COUNT = 0x1900
_TOKEN_RUN = re.compile("([\ue000-\uf8ff])\\1*")
_TOKEN_ESCAPE = re.compile(r"\\u((?:e[0-9a-f]|f[0-8])[0-9a-f]{2})")  # as repr() shows it


def neutral(value: str) -> tuple[str, tuple[Variable, ...], tuple[int, ...]]:
    """``value`` with each ``${Name}`` replaced by a neutral token of its length and each
    ``${!x}`` read as the literal ``${x}``; the variables and the shifts (see
    :class:`Inline`)."""
    parts: list[str] = []
    variables: list[Variable] = []
    shifts: list[int] = []
    last = 0
    out = 0  # length of the checked text so far
    for m in _VARIABLE.finditer(value):
        parts.append(value[last : m.start()])
        out += m.start() - last
        if m.group(1).startswith("!"):
            parts.append("${" + m.group(1)[1:] + "}")
            shifts.append(out + 2)  # from the character after "${" on, one more to the right
            out += len(m.group()) - 1
        else:
            token = chr(TOKENS + len(variables) % TOKEN_COUNT)
            variables.append(Variable(m.group(1).strip(), m.start(), out, len(m.group())))
            parts.append(token * len(m.group()))
            out += len(m.group())
        last = m.end()
    parts.append(value[last:])
    return "".join(parts), tuple(variables), tuple(shifts)


def restore(message: str, inline: Inline) -> str:
    """``message`` with the tokens it quotes given back as the ``${...}`` they stand for."""

    def back(m: re.Match[str]) -> str:
        k = ord(m.group(1)) - TOKENS
        if k < len(inline.variables):
            v = inline.variables[k]
            return inline.value[v.start : v.start + v.length]
        return m.group()

    if not inline.variables:
        return message
    message = _TOKEN_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), message)
    return _TOKEN_RUN.sub(back, message)


class ResourceDocument(Document):
    """A resource of the template as the API's document: the template's text and path,
    positions in the template, opaque values tracked."""

    def __init__(self, template: Document, logical_id: str, kind: str, tracker: Tracker) -> None:
        super().__init__(template.path, template.text, template.format)
        self.template = template
        self.logical_id = logical_id
        self.kind = kind
        self.tracker = tracker

    def line_text(self, line: int) -> str:
        return self.template.line_text(line)


class _Translator:
    def __init__(self, template: Document, doc: ResourceDocument, logical_id: str) -> None:
        self.template = template
        self.doc = doc
        self.tracker = doc.tracker
        self.logical_id = logical_id
        self.inline: list[Inline] = []

    def _place(self, api: NodePath, cfn: NodePath, key: bool) -> None:
        pos = self.template.positions.get(cfn)
        if pos is not None:
            self.doc.positions[api] = pos
        if key:
            kpos = self.template.key_positions.get(cfn)
            if kpos is not None:
                self.doc.key_positions[api] = kpos

    def _opaque(self, value: Any, function: str) -> Opaque:
        vanishes = function == "Fn::If" and isinstance(value[function], list) and any(
            is_no_value(branch) for branch in value[function][1:])  # fmt: skip
        return Opaque(function, self.tracker, vanishes)

    def value(self, value: Any, shape: Shape, cfn: NodePath, api: NodePath, key: bool) -> Any:
        self._place(api, cfn, key)
        function = intrinsic(value)
        if function is not None:
            if is_no_value(value):
                return _DROP
            if shape == "buildspec" and function == "Fn::Sub":
                return self.buildspec(value[function], (*cfn, function), api)
            return self._opaque(value, function)
        if isinstance(value, str) and "{{resolve:" in value:
            return Opaque("{{resolve}}", self.tracker)
        if shape in ("s", "i", "b", "buildspec"):
            if shape == "buildspec" and isinstance(value, str):
                self.inline_text(value, cfn, False, frozenset())
            if shape == "b" and isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if shape == "i" and isinstance(value, str) and value.strip().isdigit():
                return int(value)
            return value if not isinstance(value, (dict, list)) else self.any(value, cfn, api)
        if shape == "any":
            return self.any(value, cfn, api)
        if isinstance(shape, dict):
            if not isinstance(value, dict):
                return self.any(value, cfn, api)
            items: dict[str, Any] = {}
            for prop, item in value.items():
                if prop in shape:
                    member, sub = shape[prop]
                    got = self.value(item, sub, (*cfn, prop), (*api, member), True)
                    if got is not _DROP:
                        items[member] = got
            return self._dict(items)
        form = shape[0]
        if form == "map":
            if not isinstance(value, dict):
                return self.any(value, cfn, api)
            items = {}
            for k, item in value.items():
                got = self.value(item, shape[1], (*cfn, k), (*api, k), True)
                if got is not _DROP:
                    items[k] = got
            return self._dict(items)
        if form == "stores":
            return self.stores(value, shape[1], cfn, api)
        if not isinstance(value, list):
            return self.any(value, cfn, api)
        kept: list[Any] = []
        for i, item in enumerate(value):
            if form == "unwrap":
                inner = item.get(shape[1]) if isinstance(item, dict) else None
                got = self.value(inner, shape[2], (*cfn, i, shape[1]), (*api, len(kept)), False)
            else:
                got = self.value(item, shape[1], (*cfn, i), (*api, len(kept)), False)
            if got is not _DROP:
                kept.append(got)
        return self._list(kept)

    def stores(self, value: Any, shape: Shape, cfn: NodePath, api: NodePath) -> Any:
        if not isinstance(value, list):
            return self.any(value, cfn, api)
        items: dict[str, Any] = {}
        for i, item in enumerate(value):
            region = item.get("Region") if isinstance(item, dict) else None
            if not isinstance(region, str):
                return Opaque("Region", self.tracker)
            got = self.value(item.get("ArtifactStore"), shape, (*cfn, i, "ArtifactStore"),
                             (*api, region), False)  # fmt: skip
            if got is not _DROP:
                items[region] = got
        return self._dict(items)

    def any(self, value: Any, cfn: NodePath, api: NodePath) -> Any:
        """A value kept as written, intrinsic functions opaque."""
        if isinstance(value, dict):
            items = {}
            for k, item in value.items():
                got = self.value(item, "any", (*cfn, k), (*api, k), True)
                if got is not _DROP:
                    items[k] = got
            return self._dict(items)
        if isinstance(value, list):
            kept: list[Any] = []
            for i, item in enumerate(value):
                got = self.value(item, "any", (*cfn, i), (*api, len(kept)), False)
                if got is not _DROP:
                    kept.append(got)
            return self._list(kept)
        return value

    def buildspec(self, body: Any, cfn: NodePath, api: NodePath) -> Any:
        """A ``!Sub`` BuildSpec: its text with the variables neutral (string or list form)."""
        names: frozenset[str] = frozenset()
        at = cfn
        if isinstance(body, list) and len(body) == 2 and isinstance(body[1], dict):
            names = frozenset(str(k) for k in body[1])
            body, at = body[0], (*cfn, 0)
        if not isinstance(body, str):
            return Opaque("Fn::Sub", self.tracker)
        return self.inline_text(body, at, True, names)

    def inline_text(self, value: str, cfn: NodePath, sub: bool, names: frozenset[str]) -> str:
        text, variables, shifts = neutral(value) if sub else (value, (), ())
        self.inline.append(Inline(self.logical_id, cfn, value, text, sub, variables, shifts,
                                  names))  # fmt: skip
        return text

    def _dict(self, items: dict[str, Any]) -> dict[str, Any]:
        if any(type(v) is Opaque for v in items.values()):
            return TrackedDict(items, self.tracker)
        return items

    def _list(self, items: list[Any]) -> list[Any]:
        if any(type(v) is Opaque for v in items):
            return TrackedList(items, self.tracker)
        return items


class Resource(NamedTuple):
    logical_id: str
    type: str
    path: NodePath  #: ("Resources", logical_id)
    body: dict[str, Any]
    #: the API document of a pipeline, deployment group or project, else None
    doc: ResourceDocument | None


class Template:
    """The parts of a loaded template pipespec checks."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        data = doc.data if isinstance(doc.data, dict) else {}
        resources = data.get("Resources")
        self.resources: list[Resource] = []
        self.inline: list[Inline] = []
        parameters = data.get("Parameters")
        self.parameters = set(parameters) if isinstance(parameters, dict) else set()
        self.by_id: dict[str, Resource] = {}
        self.transform = "Transform" in data
        for logical_id, body in resources.items() if isinstance(resources, dict) else ():
            if not isinstance(body, dict):
                continue
            kind = body.get("Type")
            kind = kind if isinstance(kind, str) else ""
            path: NodePath = ("Resources", logical_id)
            rdoc = None
            if kind in RESOURCES:
                rdoc = self._translate(logical_id, kind, body, path)
            resource = Resource(str(logical_id), kind, path, body, rdoc)
            self.resources.append(resource)
            self.by_id[str(logical_id)] = resource

    def _translate(
        self, logical_id: str, kind: str, body: dict[str, Any], path: NodePath
    ) -> ResourceDocument:
        api_kind, shape = RESOURCES[kind]
        rdoc = ResourceDocument(self.doc, logical_id, api_kind, Tracker())
        translator = _Translator(self.doc, rdoc, logical_id)
        props = body.get("Properties")
        at: NodePath = (*path, "Properties") if "Properties" in body else path
        rdoc.positions[()] = self.doc.key_positions.get(at) or self.doc.position(at)
        data = translator.value(props if isinstance(props, dict) else {}, shape, at, (), False)
        rdoc.positions[()] = self.doc.key_positions.get(at) or self.doc.position(at)
        rdoc.data = data if isinstance(data, dict) else {}
        self.inline += translator.inline
        return rdoc

    def of(self, kind: str) -> list[Resource]:
        """The resources of an API kind (``pipeline``, ``deployment-group`` …)."""
        return [r for r in self.resources if r.doc is not None and r.doc.kind == kind]

    def position(self, path: NodePath) -> Position:
        return self.doc.position(path)
