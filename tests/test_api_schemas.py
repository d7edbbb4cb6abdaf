"""The schemas generated from botocore's models (task definition, pipeline, deployment group,
CodeBuild project): draft 2020-12 with only the keywords pipespec's validator knows, their
provenance recorded, and what the pinned botocore generates today."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from pipespec import catalog
from pipespec.schemas import _botocore as generator

TARGETS = sorted(generator.TARGETS)
TOP_LEVEL_ONLY = {"$schema", "$id", "$defs", "x-botocore-version", "x-source", "x-read-only-keys"}


def schema_of(kind: str) -> dict[str, Any]:
    return catalog.schema(catalog.KINDS[kind].schema)


def subschemas(schema: dict[str, Any], where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    yield where, schema
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            yield from subschemas(sub, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from subschemas(schema[key], f"{where}/{key}")


def test_every_target_is_a_kind_whose_schema_it_writes() -> None:
    for kind, target in generator.TARGETS.items():
        assert catalog.KINDS[kind].schema == target.path.name


@pytest.mark.parametrize("kind", TARGETS)
def test_is_valid_draft_2020_12_with_supported_keywords_only(kind: str) -> None:
    schema = schema_of(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    allowed = set(generator.ALLOWED_KEYWORDS)
    for where, sub in subschemas(schema):
        ok = allowed if where == "#" else allowed - TOP_LEVEL_ONLY
        assert set(sub) <= ok, f"{where}: unsupported keywords {sorted(set(sub) - ok)}"
        if "$ref" in sub:
            assert sub["$ref"].startswith("#/$defs/"), where
            assert sub["$ref"].removeprefix("#/$defs/") in schema["$defs"], where


@pytest.mark.parametrize("kind", TARGETS)
def test_records_provenance_and_read_only_keys(kind: str) -> None:
    schema = schema_of(kind)
    target = generator.TARGETS[kind]
    assert f"data/{target.service}/" in schema["x-source"]
    assert schema["x-source"].endswith(target.root)
    read_only = schema["x-read-only-keys"]
    assert read_only == sorted(read_only)
    assert not set(read_only) & set(schema["properties"])


@pytest.mark.parametrize("kind", TARGETS)
def test_matches_the_pinned_botocore(kind: str) -> None:
    botocore = importlib.import_module("botocore") if os.environ.get("CI") else None
    botocore = botocore or pytest.importorskip("botocore")  # the test group installs it
    recorded = schema_of(kind)["x-botocore-version"]
    if botocore.__version__ != recorded:
        pytest.skip(f"installed botocore {botocore.__version__}, recorded {recorded}: the "
                    "test group pins the recorded one")  # fmt: skip
    module = importlib.import_module("pipespec.schemas._botocore")
    text = (generator.SCHEMA_DIR / catalog.KINDS[kind].schema).read_text(encoding="utf-8")
    assert module.generate(kind) == text, f"stale: run `nox -s schemas -- {kind}`"
    assert json.loads(text)["$id"].endswith(f"/{kind}.schema.json")
