"""The JSON Schemas for editors: what ``pipespec schema KIND`` exports validates every example
(with the ``jsonschema`` library, not pipespec's own validator), means the same to draft-07
editors, is published on the site under its ``$id``, and is what the documented editor
settings point at.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from sitebuild import Site

from pipespec import catalog, cli, report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SETTINGS = EXAMPLES / "editors" / "settings.json"
EDITORS_PAGE = ROOT / "docs" / "howto" / "editors.md"
#: docs/conf.py's default html_baseurl: where the examples and the SARIF links point.
PUBLIC_BASE = "https://pipespec.github.io/pipespec/"
#: Keywords whose meaning draft-07 and draft 2020-12 share ($defs is only a container: the
#: schemas' $refs are JSON pointers, which every draft resolves), and annotations.
SAME_IN_DRAFT_07 = {
    "$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "type",
    "properties", "required", "additionalProperties", "items", "enum", "minItems",
    "maxItems", "minLength", "maxLength", "minimum", "maximum", "oneOf", "default",
    "examples", "markdownDescription",
}  # fmt: skip
ANNOTATIONS = {"title", "description", "$comment", "markdownDescription", "default", "examples"}


def kind_examples(mistakes: bool = False) -> list[tuple[str, Path]]:
    found = []
    for path in sorted(EXAMPLES.rglob("*")):
        kind = catalog.detect(path.name) if path.is_file() else None
        in_mistakes = "mistakes" in path.relative_to(EXAMPLES).parts
        if kind and kind.name in catalog.SCHEMA_KINDS and in_mistakes == mistakes:
            found.append((kind.name, path))
    return found


def exported(kind: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The schema as ``pipespec schema KIND`` prints it."""
    assert cli.main(["schema", kind]) == 0
    schema: dict[str, Any] = json.loads(capsys.readouterr().out)
    return schema


def data_of(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def test_every_kind_has_examples() -> None:
    assert {kind for kind, _ in kind_examples()} == set(catalog.SCHEMA_KINDS)


@pytest.mark.parametrize(
    ("kind", "path"),
    kind_examples(),
    ids=[p.relative_to(EXAMPLES).as_posix() for _, p in kind_examples()],
)
def test_example_is_valid_against_the_exported_schema(
    kind: str, path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = exported(kind, capsys)
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in jsonschema.Draft202012Validator(schema).iter_errors(data_of(path))
    ]
    assert not errors, errors
    # an editor limited to draft-07 reaches the same verdict
    assert jsonschema.Draft7Validator(schema).is_valid(data_of(path))


@pytest.mark.parametrize(
    "case",
    [
        "examples/mistakes/camelcase-phases/buildspec.yml",
        "tests/data/err/AS001-unknown-key/appspec.yml",
        "tests/data/err/TD001-unknown-key/taskdef.json",
        "tests/data/err/IF101-object-not-list/imagedefinitions.json",
        "tests/data/err/IM101-list-not-object/imageDetail.json",
    ],
)
def test_exported_schema_rejects_structural_mistakes(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The validation above is not vacuous: a wrong structure of each kind is rejected."""
    path = ROOT / case
    kind = catalog.detect(path.name)
    assert kind is not None
    schema = exported(kind.name, capsys)
    assert not jsonschema.Draft202012Validator(schema).is_valid(data_of(path))
    assert not jsonschema.Draft7Validator(schema).is_valid(data_of(path))


def _subschemas(schema: Any, where: str = "#") -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(schema, dict):
        return []
    out = [(where, schema)]
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            out += _subschemas(sub, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties"):
        out += _subschemas(schema.get(key), f"{where}/{key}")
    for i, sub in enumerate(schema.get("oneOf", [])):
        out += _subschemas(sub, f"{where}/oneOf/{i}")
    return out


@pytest.mark.parametrize("kind", list(catalog.SCHEMA_KINDS))
def test_schema_means_the_same_to_draft_07_editors(kind: str) -> None:
    """yaml-language-server validates with draft-07 semantics: use nothing that differs."""
    for where, sub in _subschemas(catalog.schema(catalog.SCHEMA_KINDS[kind].schema)):
        keywords = {k for k in sub if not k.startswith("x-")}
        assert keywords <= SAME_IN_DRAFT_07, (where, keywords - SAME_IN_DRAFT_07)
        if "$ref" in sub:  # draft-07 ignores a $ref's siblings: only annotations may be lost
            assert set(sub) - {"$ref"} <= ANNOTATIONS, where
            assert sub["$ref"].startswith("#/$defs/"), where


def test_vscode_settings_cover_every_kind_with_its_published_schema() -> None:
    settings = json.loads(SETTINGS.read_text(encoding="utf-8"))
    globs: dict[str, str] = {}  # glob -> schema URL
    for url, patterns in settings["yaml.schemas"].items():
        for pattern in patterns:
            assert pattern.endswith((".yml", ".yaml")), pattern
            globs[pattern] = url
    for entry in settings["json.schemas"]:
        for pattern in entry["fileMatch"]:
            assert pattern.endswith(".json"), pattern
            globs[pattern] = entry["url"]
    # the settings list exactly the catalog's patterns (one spelt as CodePipeline writes it)
    catalog_patterns = {p for k in catalog.SCHEMA_KINDS.values() for p in k.patterns}
    assert {g.lower() for g in globs} == catalog_patterns
    for kind in catalog.SCHEMA_KINDS.values():
        for pattern in kind.patterns:
            (glob,) = [g for g in globs if g.lower() == pattern]
            assert globs[glob] == f"{PUBLIC_BASE}schemas/{kind.name}.schema.json"
    # VS Code matches names case-sensitively: every example's real name must be matched
    for kind, path in kind_examples():
        urls = {u for g, u in globs.items() if fnmatch.fnmatchcase(path.name, g)}
        assert urls == {f"{PUBLIC_BASE}schemas/{kind}.schema.json"}, path


def test_modeline_on_the_page_points_at_the_published_buildspec_schema() -> None:
    page = EDITORS_PAGE.read_text(encoding="utf-8")
    lines = re.findall(r"^# yaml-language-server: \$schema=(\S+)$", page, re.M)
    assert lines == [f"{PUBLIC_BASE}schemas/buildspec.schema.json"]


def test_sarif_links_point_at_the_published_site() -> None:
    assert report.SITE_URL == PUBLIC_BASE
    sarif = json.loads(report.sarif([]))
    assert sarif["runs"][0]["tool"]["driver"]["informationUri"] == PUBLIC_BASE


def test_schemas_are_published_on_the_site(site: Site) -> None:
    base = site.env.config.html_baseurl
    assert base.endswith("/")
    for kind in catalog.SCHEMA_KINDS.values():
        published = json.loads((site.html / "schemas" / f"{kind.name}.schema.json").read_text())
        url = f"{base}schemas/{kind.name}.schema.json"
        assert published["$id"] == url
        assert {**published, "$id": None} == {**catalog.schema(kind.schema), "$id": None}
        jsonschema.Draft202012Validator.check_schema(published)


def test_editor_page_lists_every_schema_url(site: Site) -> None:
    html = site.page("howto/editors")
    base = site.env.config.html_baseurl
    for kind in catalog.SCHEMA_KINDS:
        assert f'href="../schemas/{kind}.schema.json"' in html
        assert f"{base}schemas/{kind}.schema.json" in html


def test_sarif_help_links_reach_the_rule_reference(site: Site) -> None:
    """Every rule's helpUri in SARIF names an anchor the rule reference page has."""
    sarif = json.loads(report.sarif([]))
    page = site.page("reference/rules")
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]:
        uri = rule["helpUri"]
        if not uri.startswith(report.SITE_URL):
            continue  # e.g. ShellCheck's own wiki
        path, anchor = uri.removeprefix(report.SITE_URL).split("#")
        assert path == "reference/rules.html"
        assert f'id="{anchor}"' in page, rule["id"]
