"""The vendored ECS task definition schema, generated from botocore's service model (what
every generated schema shares is tested in test_api_schemas.py)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_TEXT = resources.files("pipespec.schemas").joinpath("taskdef.schema.json").read_text("utf-8")
SCHEMA: dict[str, Any] = json.loads(SCHEMA_TEXT)
EXAMPLE = ROOT / "examples" / "ecs-bluegreen" / "taskdef.json"

ALLOWED = {
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "x-botocore-version",
    "x-source",
}
TOP_LEVEL_ONLY = {"$schema", "$id", "$defs", "x-botocore-version", "x-source", "x-read-only-keys"}


def subschemas(schema: dict[str, Any], where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object in *schema*, with a JSON-pointer-ish location."""
    yield where, schema
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            yield from subschemas(sub, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from subschemas(schema[key], f"{where}/{key}")


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMA)


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def test_records_provenance_and_read_only_keys() -> None:
    assert isinstance(SCHEMA["x-botocore-version"], str) and SCHEMA["x-botocore-version"]
    assert SCHEMA["x-source"].endswith("RegisterTaskDefinitionRequest")
    read_only = SCHEMA["x-read-only-keys"]
    assert read_only == sorted(read_only)
    for key in ("taskDefinitionArn", "revision", "status", "registeredAt", "compatibilities"):
        assert key in read_only
        assert key not in SCHEMA["properties"]


def test_example_taskdef_is_valid() -> None:
    errors = [e.message for e in validator().iter_errors(example())]
    assert errors == []


@pytest.mark.parametrize(
    ("case", "mutate"),
    [
        ("cpu as an integer", lambda d: d.update(cpu=512)),
        ("unknown top-level key", lambda d: d.update(revision=3)),
        ("family missing", lambda d: d.pop("family")),
        ("unknown networkMode", lambda d: d.update(networkMode="nat")),
        (
            "containerPort as a string",
            lambda d: d["containerDefinitions"][0]["portMappings"][0].update(containerPort="80"),
        ),
    ],
)
def test_broken_taskdefs_fail(case: str, mutate: Any) -> None:
    data = copy.deepcopy(example())
    mutate(data)
    assert list(validator().iter_errors(data)), case


def test_network_mode_enum() -> None:
    prop = SCHEMA["properties"]["networkMode"]
    if "$ref" in prop:
        prop = SCHEMA["$defs"][prop["$ref"].rsplit("/", 1)[1]]
    assert prop["type"] == "string"
    # botocore's four, and "default", which its own documentation gives Windows on EC2
    assert sorted(prop["enum"]) == ["awsvpc", "bridge", "default", "host", "none"]


def test_extra_enum_values_are_added_once_and_only_where_named() -> None:
    from pipespec.schemas import _botocore

    model = {
        "metadata": {"apiVersion": "2014-11-13"},
        "shapes": {
            "RegisterTaskDefinitionRequest": {
                "type": "structure",
                "members": {
                    "networkMode": {"shape": "NetworkMode"},
                    "pidMode": {"shape": "PidMode"},
                },
            },
            "TaskDefinition": {"type": "structure", "members": {}},
            "NetworkMode": {"type": "string", "enum": ["bridge", "default"]},
            "PidMode": {"type": "string", "enum": ["host", "task"]},
        },
    }
    schema = _botocore.build_schema(model, "0")
    assert schema["$defs"]["NetworkMode"]["enum"] == ["bridge", "default"]
    assert schema["$defs"]["PidMode"]["enum"] == ["host", "task"]
    model["shapes"]["NetworkMode"]["enum"] = ["bridge"]
    assert _botocore.build_schema(model, "0")["$defs"]["NetworkMode"]["enum"] == [
        "bridge",
        "default",
    ]


def test_runtime_does_not_import_botocore() -> None:
    code = "import sys, pipespec, pipespec.load; print('botocore' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"


def test_only_the_generator_mentions_botocore_imports() -> None:
    package = ROOT / "src" / "pipespec"
    for path in package.rglob("*.py"):
        if path.name == "_botocore.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "import botocore" not in text and "from botocore" not in text, path
        assert "_botocore" not in text, f"{path} must not import the generator"
