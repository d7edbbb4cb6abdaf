"""A small JSON Schema validator for the subset of draft 2020-12 that pipespec's schemas use.

Why not ``jsonschema``: we want positions, "did you mean" hints and rule IDs on every
problem, and a fast start for pre-commit hooks. The schemas stay standard JSON Schema
(tests validate them and the examples with ``jsonschema`` too); this module only reads
the keywords in :data:`SUPPORTED`, and refuses schemas that use others.

A schema node may carry ``"x-pipespec": {"<code>": "<RULE-ID>"}`` to report a violation
of that node under a specific rule instead of the kind's generic schema rule; ``code``
is one of ``unknown-key``, ``wrong-type``, ``missing-key``, ``bad-value``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from .document import Lang, NodePath

SUPPORTED = frozenset(
    {
        "$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "type",
        "properties", "required", "additionalProperties", "items", "enum", "minItems",
        "maxItems", "minLength", "maxLength", "minimum", "maximum", "oneOf",
        "markdownDescription", "default", "examples", "x-pipespec", "x-botocore-version",
        "x-source", "x-read-only-keys",
    }
)  # fmt: skip

CODES = ("unknown-key", "wrong-type", "missing-key", "bad-value")


class Violation(NamedTuple):
    """One schema problem: where, which of :data:`CODES`, and the message parameters."""

    path: NodePath
    code: str
    params: dict[str, Any]
    rule: str | None = None
    at_key: bool = False


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if value is None:
        return "null"
    return type(value).__name__


def _type_matches(value: Any, expected: str) -> bool:
    actual = json_type(value)
    return actual == expected or (expected == "number" and actual == "integer")


@functools.lru_cache(maxsize=4096)
def _norm(word: str) -> str:
    return re.sub(r"[-_ ]", "", word).lower()


#: "Did you mean" hints made in one validation; past it a misspelling gets none. Past
#: ``MAX_FINDINGS_PER_RULE`` findings of a rule a file's are only counted, so hints for
#: thousands of unknown keys would be made to be dropped (20,000 of them took 2 s).
HINTS_PER_VALIDATION = 500


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest of ``choices`` to ``word``: same letters ignoring case and separators first."""
    import difflib  # only once a key is misspelt

    strings = [c for c in choices if isinstance(c, str)]
    for choice in strings:
        if _norm(choice) == _norm(word):
            return choice
    close = difflib.get_close_matches(word, strings, n=1, cutoff=0.75)
    if close:
        return close[0]
    lowered = {c.lower(): c for c in strings}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.75)
    return lowered[close[0]] if close else None


def name_of(path: NodePath) -> str:
    """A readable name for a node: ``phases.build.commands[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


def check_supported(schema: Any, where: str = "#") -> list[str]:
    """Keywords in ``schema`` that :func:`validate` does not implement."""
    bad: list[str] = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key not in SUPPORTED:
                bad.append(f"{where}/{key}")
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    bad += check_supported(sub, f"{where}/{key}/{name}")
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                bad += check_supported(value, f"{where}/{key}")
            elif key == "oneOf":
                for i, sub in enumerate(value):
                    bad += check_supported(sub, f"{where}/oneOf/{i}")
    return bad


class Validator:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.hints = 0

    def _suggest(self, word: str, choices: list[str] | tuple[str, ...]) -> str | None:
        self.hints += 1
        return suggest(word, choices) if self.hints <= HINTS_PER_VALIDATION else None

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local $ref is supported: {ref}")
            node: Any = self.root
            for part in ref[2:].split("/"):
                node = node[part]
            schema = node
            seen += 1
            if seen > 50:
                raise ValueError(f"$ref loop at {ref}")
        return schema

    def validate(self, value: Any, schema: dict[str, Any] | None = None) -> list[Violation]:
        self.hints = 0
        return list(self._walk(value, self.root if schema is None else schema, ()))

    def _walk(self, value: Any, schema: dict[str, Any], path: NodePath) -> Iterator[Violation]:
        schema = self.resolve(schema)
        rules: dict[str, str] = schema.get("x-pipespec", {})

        if "oneOf" in schema:
            best: list[Violation] | None = None
            for branch in schema["oneOf"]:
                found = list(self._walk(value, branch, path))
                if not found:
                    best = []
                    break
                if best is None or len(found) < len(best):
                    best = found
            yield from best or []

        expected = schema.get("type")
        if expected is not None:
            types = [expected] if isinstance(expected, str) else list(expected)
            if not any(_type_matches(value, t) for t in types):
                yield Violation(
                    path,
                    "wrong-type",
                    {"name": name_of(path), "expected": types, "actual": json_type(value),
                     "value": value},
                    rules.get("wrong-type"),
                )  # fmt: skip
                return

        if "enum" in schema:
            allowed = schema["enum"]
            if not any(value == a and json_type(value) == json_type(a) for a in allowed):
                hint = self._suggest(value, allowed) if isinstance(value, str) else None
                yield Violation(
                    path,
                    "bad-value",
                    {"name": name_of(path), "allowed": allowed, "value": value, "hint": hint},
                    rules.get("bad-value"),
                )
                return

        if isinstance(value, dict):
            yield from self._object(value, schema, path, rules)
        elif isinstance(value, list):
            yield from self._array(value, schema, path, rules)
        elif isinstance(value, str):
            low, high = schema.get("minLength"), schema.get("maxLength")
            if (low is not None and len(value) < low) or (high is not None and len(value) > high):
                yield Violation(
                    path,
                    "bad-value",
                    {"name": name_of(path), "value": value, "min_length": low,
                     "max_length": high},
                    rules.get("bad-value"),
                )  # fmt: skip
        elif isinstance(value, int | float) and not isinstance(value, bool):
            low, high = schema.get("minimum"), schema.get("maximum")
            if (low is not None and value < low) or (high is not None and value > high):
                yield Violation(
                    path,
                    "bad-value",
                    {"name": name_of(path), "value": value, "minimum": low, "maximum": high},
                    rules.get("bad-value"),
                )

    def _object(
        self, value: dict[str, Any], schema: dict[str, Any], path: NodePath, rules: dict[str, str]
    ) -> Iterator[Violation]:
        props: dict[str, Any] = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                yield Violation(
                    path,
                    "missing-key",
                    {"name": name_of(path), "key": key},
                    rules.get("missing-key"),
                )
        extra = schema.get("additionalProperties", True)
        required = schema.get("required", ())
        for key, child in value.items():
            if key in props:
                if child is None and key in required:
                    # null where a value is required: what drops null keys then misses it
                    for v in self._walk(child, props[key], (*path, key)):
                        if v.code == "wrong-type" and v.path == (*path, key):
                            v = v._replace(params={**v.params, "required": True})
                        yield v
                    continue
                yield from self._walk(child, props[key], (*path, key))
            elif extra is False:
                yield Violation(
                    (*path, key),
                    "unknown-key",
                    {"name": name_of(path), "key": key, "hint": self._suggest(key, list(props)),
                     "allowed": sorted(props)},
                    rules.get("unknown-key"),
                    at_key=True,
                )  # fmt: skip
            elif isinstance(extra, dict):
                yield from self._walk(child, extra, (*path, key))

    def _array(
        self, value: list[Any], schema: dict[str, Any], path: NodePath, rules: dict[str, str]
    ) -> Iterator[Violation]:
        low, high = schema.get("minItems"), schema.get("maxItems")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            yield Violation(
                path,
                "bad-value",
                {"name": name_of(path), "count": len(value), "min_items": low,
                 "max_items": high},
                rules.get("bad-value"),
            )  # fmt: skip
        items = schema.get("items")
        if isinstance(items, dict):
            for i, child in enumerate(value):
                yield from self._walk(child, items, (*path, i))


# --------------------------------------------------------------------------- messages
#: What a violation's message says, in the reader's language (rule messages fill these in).

_TYPE_WORDS = {
    "string": ("a string", "文字列"),
    "integer": ("an integer", "整数"),
    "number": ("a number", "数値"),
    "boolean": ("a boolean", "真偽値"),
    "array": ("a list", "リスト"),
    "object": ("a mapping", "マッピング"),
    "null": ("null", "null"),
}


def _type_word(name: str, lang: Lang) -> str:
    en, ja = _TYPE_WORDS.get(name, (name, name))
    return ja if lang == "ja" else en


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json_type(value)


def schema_params(v: Violation, lang: Lang) -> dict[str, Any]:
    """Message parameters for a schema violation, with the language-dependent parts made."""
    p = dict(v.params)
    ja = lang == "ja"
    if p.get("name") == "the document" and ja:
        p["name"] = "ドキュメント"
    hint = p.get("hint")
    p["dym"] = (
        (f"。{hint!r} の誤りではありませんか" if ja else f"; did you mean {hint!r}?")
        if (hint)
        else ""
    )
    if "expected" in p:
        words = [_type_word(t, lang) for t in p["expected"]]
        p["expected"] = (" か ".join(words)) if ja else " or ".join(words)
    if "actual" in p:
        p["actual"] = _type_word(p["actual"], lang)
    if "value" in p:
        p["shown"] = _show(p["value"])
        if p["value"] is None and v.code == "wrong-type":  # "not null (null)": say it once
            p["shown"] = "値なし" if ja else "no value"
    if v.code == "bad-value":
        if "allowed" in p:
            allowed = ", ".join(_show(a) for a in p["allowed"])
            p["constraint"] = f"{allowed} のいずれか" if ja else f"one of {allowed}"
        elif p.get("minimum") is not None or p.get("maximum") is not None:
            lo, hi = p.get("minimum"), p.get("maximum")
            if ja:
                p["constraint"] = " ".join(
                    x for x in (f"{lo} 以上" if lo is not None else "",
                                f"{hi} 以下" if hi is not None else "") if x
                )  # fmt: skip
            else:
                parts = [f">= {lo}" if lo is not None else "", f"<= {hi}" if hi is not None else ""]
                p["constraint"] = " and ".join(x for x in parts if x)
        elif "count" in p:
            lo, hi = p.get("min_items"), p.get("max_items")
            if ja:
                bounds = (f"{lo} 個以上" if lo is not None else "",
                          f"{hi} 個以下" if hi is not None else "")  # fmt: skip
                p["constraint"] = " ".join(x for x in bounds if x) + "の要素"
            else:
                parts = [f"at least {lo}" if lo is not None else "",
                         f"at most {hi}" if hi is not None else ""]  # fmt: skip
                p["constraint"] = " and ".join(x for x in parts if x) + " items"
            p["shown"] = f"{p['count']} 個" if ja else f"{p['count']} items"
        else:
            lo, hi = p.get("min_length"), p.get("max_length")
            if lo == 1 and hi is None:
                p["constraint"] = "空でない文字列" if ja else "a non-empty string"
            elif ja:
                parts = [f"{lo} 文字以上" if lo is not None else "",
                         f"{hi} 文字以下" if hi is not None else ""]  # fmt: skip
                p["constraint"] = " ".join(x for x in parts if x)
            else:
                parts = [f"at least {lo}" if lo is not None else "",
                         f"at most {hi}" if hi is not None else ""]  # fmt: skip
                p["constraint"] = " and ".join(x for x in parts if x) + " characters long"
    return p


#: Keys named in one finding (TD104, TD109); past it, "and N more".
KEYS_SHOWN = 6


def listing(names: list[str | int], lang: Lang, *, quote: bool = False) -> str:
    """``names`` for a message, at most :data:`KEYS_SHOWN` of them: "a, b and c"."""
    shown = [
        f"[{k}]" if isinstance(k, int) else (repr(k) if quote else str(k))
        for k in names[:KEYS_SHOWN]
    ]
    rest = len(names) - len(shown)
    if lang == "ja":
        return "・".join(shown) + (f" ほか {rest} 個" if rest else "")
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def keys_params(keys: list[str | int], lang: Lang) -> dict[str, Any]:
    """The message parameters of one finding for several keys of one cause (TD104)."""
    one = len(keys) == 1
    return {"keys": listing(keys, lang, quote=True), "are": "is" if one else "are",
            "them": "it" if one else "them"}  # fmt: skip


def null_params(
    parent: NodePath, keys: list[str | int], lang: Lang,
    whole: tuple[str, str] = ("the task definition", "タスク定義"),
) -> dict[str, Any]:  # fmt: skip
    """The message parameters of one finding for the null values ``keys`` of one object
    (or list) at ``parent``: named once, not once each. ``whole`` names the document (en, ja)."""
    ja = lang == "ja"
    if len(keys) == 1:
        name = name_of((*parent, keys[0]))
        return {
            "subject": f"{name} が null です" if ja else f"{name} is null",
            "them": "" if ja else "it",
        }
    where = name_of(parent) if parent else whole[1 if ja else 0]
    listed = listing(keys, lang)
    if ja:
        subject = f"{where}{' ' if parent else ''}に null の値が {len(keys)} 個あります ({listed})"
        return {"subject": subject, "them": ""}
    return {"subject": f"{where} has {len(keys)} null values: {listed}", "them": "them"}
