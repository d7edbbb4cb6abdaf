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
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from ..document import Lang, NodePath
from ..findings import Severity

if TYPE_CHECKING:
    from ..context import Bundle, Context


class Hit(NamedTuple):
    """A rule fired at ``path`` (the key itself when ``key``) with message ``params``."""

    path: NodePath
    params: dict[str, Any] = {}  # noqa: RUF012 - never mutated
    key: bool = False
    severity: Severity | None = None
    #: report at this (line, column) instead of the node's position (inside a scalar)
    position: tuple[int, int] | None = None


class BundleHit(NamedTuple):
    """A cross-file rule fired in the file ``file`` (a path as given to the bundle)."""

    file: str
    path: NodePath
    params: dict[str, Any] = {}  # noqa: RUF012 - never mutated
    key: bool = False


CheckFn = Callable[["Context"], Iterable[Hit]]
BundleFn = Callable[["Bundle"], Iterable[BundleHit]]


class Rule(NamedTuple):
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
    bad_files: dict[str, str] = {}  # noqa: RUF012 - never mutated
    good_files: dict[str, str] = {}  # noqa: RUF012 - never mutated
    #: where the rule is documented, when not on pipespec's own rule reference
    help_uri: str = ""

    def message(self, lang: Lang, params: dict[str, Any]) -> str:
        template = self.ja if lang == "ja" else self.en
        return template.format_map(_Params(params))


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


#: Every rule registered so far. ``RULES`` (below) is this registry once every rule module
#: is loaded; the checks load only the modules of the kinds they meet.
_REGISTRY: dict[str, Rule] = {}
_NAMES: set[str] = set()


def register(r: Rule) -> Rule:
    if r.id in _REGISTRY:
        raise ValueError(f"duplicate rule id {r.id}")
    if r.name in _NAMES:
        raise ValueError(f"duplicate rule name {r.name}")
    _REGISTRY[r.id] = r
    _NAMES.add(r.name)
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


#: The rule modules (importing one registers its rules): those every check needs, and
#: those of each kind. ``pipespec check taskdef.json`` never imports the shell rules.
COMMON_MODULES = ("loader", "generic")
KIND_MODULES: dict[str, tuple[str, ...]] = {
    "buildspec": ("buildspec", "shell", "secrets"),
    "appspec": ("appspec",),
    "taskdef": ("taskdef", "taskdef_platform", "secrets"),
    "imagedefinitions": ("images",),
    "imagedetail": ("images",),
    "pipeline": ("pipeline",),
    "deployment-group": ("deployment_group",),
    "codebuild-project": ("codebuild_project",),
    "cloudformation": ("cloudformation",),
    "bundle": ("bundle", "bundle_pipeline"),
}
MODULES = tuple(dict.fromkeys(COMMON_MODULES + sum(KIND_MODULES.values(), ())))
_loaded: set[str] = set()


def load_modules(*modules: str) -> None:
    for module in modules:
        if module not in _loaded:
            importlib.import_module(f"{__name__}.{module}")
            _loaded.add(module)


def load_kind(kind: str) -> None:
    """Register the rules that can fire on a file of ``kind`` (``bundle``: cross-file)."""
    load_modules(*COMMON_MODULES, *KIND_MODULES.get(kind, ()))


def load_all() -> dict[str, Rule]:
    """Register every rule; the complete registry."""
    load_modules(*MODULES)
    return _REGISTRY


def for_kind(kind: str) -> Iterator[Rule]:
    load_kind(kind)
    for r in list(_REGISTRY.values()):
        if r.kind == kind and r.check is not None:
            yield r


#: Cross-file modules none of whose rules can fire in a directory without a file of one of
#: these kinds: such a directory does not import them (a lone taskdef.json, ~10 ms).
BUNDLE_NEEDS = {"bundle_pipeline": ("pipeline", "codebuild-project")}


def bundle_rules(kinds: Collection[str] | None = None) -> Iterator[Rule]:
    """The cross-file rules for a directory whose readable files are of ``kinds`` (None:
    every cross-file rule)."""
    idle = {
        m for m, needs in BUNDLE_NEEDS.items()
        if kinds is not None and not any(k in kinds for k in needs)
    }  # fmt: skip
    load_modules(*COMMON_MODULES, *(m for m in KIND_MODULES["bundle"] if m not in idle))
    skipped = {f"{__name__}.{m}" for m in idle}
    for r in list(_REGISTRY.values()):
        if r.bundle_check is not None and r.bundle_check.__module__ not in skipped:
            yield r


def get(rule_id: str) -> Rule:
    """A registered rule by ID, loading the rule modules when it is not registered yet."""
    found = _REGISTRY.get(rule_id)
    if found is None:
        load_modules(*COMMON_MODULES)
        found = _REGISTRY.get(rule_id) or load_all()[rule_id]
    return found


def lookup(rule_id: str) -> Rule | None:
    """The rule of a finding's ID: registered, or a ShellCheck code ``SHnnnn`` without an
    entry of its own (described by SH0000)."""
    rules = load_all()
    if rule_id in rules:
        return rules[rule_id]
    from .shell import shellcheck_rule

    return shellcheck_rule(rule_id)


def __getattr__(name: str) -> Any:
    """``RULES``: every rule by ID, all rule modules loaded on first use (PEP 562)."""
    if name == "RULES":
        return load_all()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    RULES: dict[str, Rule]
