"""The rule registry: every diagnostic pipespec can emit is a :class:`Rule` here.

A rule is data (ID, name, severity, messages in English and Japanese, a one-paragraph
explanation in both languages, a bad and a good example) plus, for semantic rules, a
``check`` function. The site's rule reference and ``pipespec rules`` are generated from
this registry, and a test runs every rule's bad example (it must fire) and good example
(it must not).

Kinds of rules:

* ``load`` rules (``LD``) come from :mod:`pipespec.load`;
* generic schema rules, four per kind (``BS001``–``BS004`` …), report JSON Schema
  violations; a schema node may route a violation to a specific rule (``x-pipespec``);
* semantic rules (``BS101`` …) live in one module per kind and are registered with
  :func:`rule`;
* bundle rules (``XF``) look across the files of one directory.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..findings import Severity
from ..load import Lang, NodePath

if TYPE_CHECKING:
    from ..check import Bundle, Context


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule fired at ``path`` (the key itself when ``key``) with message ``params``."""

    path: NodePath
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    key: bool = False
    severity: Severity | None = None
    #: report at this (line, column) instead of the node's position (inside a scalar)
    position: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class BundleHit:
    """A cross-file rule fired in the file ``file`` (a path as given to the bundle)."""

    file: str
    path: NodePath
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    key: bool = False


CheckFn = Callable[["Context"], Iterable[Hit]]
BundleFn = Callable[["Bundle"], Iterable[BundleHit]]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    kind: str
    severity: Severity
    en: str
    ja: str
    explain_en: str
    explain_ja: str
    bad: str = ""
    good: str = ""
    #: the file name the examples are checked as (decides the kind and the format)
    example_name: str = ""
    check: CheckFn | None = None
    bundle_check: BundleFn | None = None
    #: extra files of a bundle example: name -> text (for cross-file rules)
    bad_files: dict[str, str] = field(default_factory=dict)
    good_files: dict[str, str] = field(default_factory=dict)
    #: where the rule is documented, when not on pipespec's own rule reference
    help_uri: str = ""

    def message(self, lang: Lang, params: dict[str, Any]) -> str:
        template = self.ja if lang == "ja" else self.en
        return template.format_map(_Params(params))


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


RULES: dict[str, Rule] = {}


def register(r: Rule) -> Rule:
    if r.id in RULES:
        raise ValueError(f"duplicate rule id {r.id}")
    if any(other.name == r.name for other in RULES.values()):
        raise ValueError(f"duplicate rule name {r.name}")
    RULES[r.id] = r
    return r


def rule(
    id: str,
    name: str,
    kind: str,
    severity: Severity,
    *,
    en: str,
    ja: str,
    explain_en: str,
    explain_ja: str,
    bad: str = "",
    good: str = "",
    example_name: str = "",
    bad_files: dict[str, str] | None = None,
    good_files: dict[str, str] | None = None,
) -> Callable[[Any], Any]:
    """Register the decorated function as the check of a new rule."""

    def decorate(fn: Any) -> Any:
        is_bundle = kind == "bundle"
        register(
            Rule(
                id=id,
                name=name,
                kind=kind,
                severity=severity,
                en=en,
                ja=ja,
                explain_en=explain_en,
                explain_ja=explain_ja,
                bad=bad,
                good=good,
                example_name=example_name,
                check=None if is_bundle else fn,
                bundle_check=fn if is_bundle else None,
                bad_files=bad_files or {},
                good_files=good_files or {},
            )
        )
        return fn

    return decorate


def for_kind(kind: str) -> Iterator[Rule]:
    for r in RULES.values():
        if r.kind == kind and r.check is not None:
            yield r


def bundle_rules() -> Iterator[Rule]:
    for r in RULES.values():
        if r.bundle_check is not None:
            yield r


#: The rule modules; importing one registers its rules.
MODULES = (
    "loader",
    "generic",
    "buildspec",
    "shell",
    "appspec",
    "taskdef",
    "images",
    "bundle",
    "secrets",
)


def lookup(rule_id: str) -> Rule | None:
    """The rule of a finding's ID: registered, or a ShellCheck code ``SHnnnn`` without an
    entry of its own (described by SH0000)."""
    if rule_id in RULES:
        return RULES[rule_id]
    from .shell import shellcheck_rule

    return shellcheck_rule(rule_id)


def _load_all() -> None:
    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")


_load_all()
