"""The rule registry is data: complete, consistent, and every example proves its rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipespec import catalog
from pipespec.check import check_paths, check_text
from pipespec.findings import Finding, Severity
from pipespec.rules import RULES, Rule

LEFTOVER = re.compile(r"\{[a-z_]+(?:![rs])?\}")
#: Rules without examples: limits and pipespec's own errors cannot be shown in a few lines.
NO_EXAMPLE = {"LD006", "LD007", "LD013", "LD008", "LD009", "LD010", "PS001", "PS003", "PS004",
              "PS999", "IF104", "SH0000", "SH0001"}  # fmt: skip


def with_examples() -> list[Rule]:
    return [
        r
        for r in sorted(RULES.values(), key=lambda r: r.id)
        if r.id not in NO_EXAMPLE and not re.fullmatch(r"[A-Z]{2}00[1-4]", r.id)
    ]


def run_example(
    rule: Rule, text: str, files: dict[str, str], lang: str, tmp: Path
) -> list[Finding]:
    if rule.kind == "bundle":
        for name, body in files.items():
            (tmp / name).write_text(body, encoding="utf-8")
        return check_paths([tmp], lang=lang).findings  # type: ignore[arg-type]
    kind = catalog.detect(rule.example_name)
    assert kind is not None, f"{rule.id}: example_name {rule.example_name!r} has no kind"
    return check_text(text, kind.name, path=rule.example_name, lang=lang)  # type: ignore[arg-type]


def test_ids_and_names_are_well_formed() -> None:
    for rule_id, r in RULES.items():
        assert rule_id == r.id
        assert re.fullmatch(r"[A-Z]{2}\d{3}|SH\d{4}", r.id), r.id  # SH + ShellCheck's SC number
        assert re.fullmatch(r"[a-z0-9]+(?:[-.][a-z0-9]+)*", r.name), r.name
        assert r.en and r.ja and r.explain_en and r.explain_ja, r.id
        assert "\n" not in r.en and "\n" not in r.ja, r.id
    assert len({r.name for r in RULES.values()}) == len(RULES)


def test_every_kind_has_rules() -> None:
    kinds = {r.kind for r in RULES.values()}
    for name in catalog.KINDS:
        assert any(r.id.startswith(catalog.KINDS[name].prefix) for r in RULES.values())
    assert {"load", "schema"} <= kinds


@pytest.mark.parametrize("rule", with_examples(), ids=lambda r: r.id)
def test_bad_example_fires_the_rule(rule: Rule, tmp_path: Path) -> None:
    assert rule.bad or rule.bad_files, f"{rule.id} has no bad example"
    for lang in ("en", "ja"):
        out = tmp_path / lang
        out.mkdir()
        findings = run_example(rule, rule.bad, rule.bad_files, lang, out)
        mine = [f for f in findings if f.rule == rule.id]
        assert mine, f"{rule.id} did not fire on its bad example: {[f.format() for f in findings]}"
        for f in mine:
            assert not LEFTOVER.search(f.message), f.message
            assert f.line >= 1 and f.column >= 1
        if lang == "ja":
            assert any(ord(ch) > 0x3000 for ch in mine[0].message), mine[0].message


@pytest.mark.parametrize("rule", with_examples(), ids=lambda r: r.id)
def test_good_example_is_clean(rule: Rule, tmp_path: Path) -> None:
    assert rule.good or rule.good_files, f"{rule.id} has no good example"
    findings = run_example(rule, rule.good, rule.good_files, "en", tmp_path)
    assert not [f for f in findings if f.rule == rule.id], [f.format() for f in findings]
    errors = [f.format() for f in findings if f.severity is Severity.ERROR]
    assert not errors, errors


def test_generic_schema_rules_exist_for_every_kind() -> None:
    for kind in catalog.SCHEMA_KINDS.values():
        for n in range(1, 5):
            assert f"{kind.prefix}00{n}" in RULES


def test_every_routed_rule_in_a_schema_exists() -> None:
    def walk(node: object) -> list[str]:
        found: list[str] = []
        if isinstance(node, dict):
            found += list(node.get("x-pipespec", {}).values())
            for value in node.values():
                found += walk(value)
        elif isinstance(node, list):
            for value in node:
                found += walk(value)
        return found

    for kind in catalog.SCHEMA_KINDS.values():
        for rule_id in walk(catalog.schema(kind.schema)):
            assert rule_id in RULES, f"{kind.schema} routes to unknown rule {rule_id}"
