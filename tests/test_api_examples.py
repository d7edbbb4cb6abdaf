"""Every example of a kind that is an AWS API input is accepted by botocore's own parameter
validation for its operation: what ``aws ... --cli-input-json file://example`` would send."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from pipespec import catalog

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = {
    "taskdef": ("ecs", "RegisterTaskDefinition"),
    "pipeline": ("codepipeline", "CreatePipeline"),
    "deployment-group": ("codedeploy", "CreateDeploymentGroup"),
    "codebuild-project": ("codebuild", "CreateProject"),
}


def examples() -> list[tuple[str, Path]]:
    found = []
    for path in sorted((ROOT / "examples").rglob("*.json")):
        kind = catalog.detect(path.name)
        if kind is not None and kind.name in OPERATIONS and "mistakes" not in path.parts:
            found.append((kind.name, path))
    return found


def botocore_session() -> Any:
    """botocore's session; the test group installs it, so in CI its absence fails."""
    if os.environ.get("CI"):
        return importlib.import_module("botocore.session").get_session()
    return pytest.importorskip("botocore.session").get_session()


def test_every_api_kind_has_an_example() -> None:
    assert {kind for kind, _ in examples()} == set(OPERATIONS)


@pytest.mark.parametrize(("kind", "path"), examples(), ids=lambda v: str(v).split("examples/")[-1])
def test_botocore_accepts_the_example(kind: str, path: Path) -> None:
    from botocore.validate import ParamValidator

    service, operation = OPERATIONS[kind]
    model = botocore_session().get_service_model(service).operation_model(operation)
    report = ParamValidator().validate(json.loads(path.read_text(encoding="utf-8")),
                                       model.input_shape)  # fmt: skip
    assert not report.has_errors(), report.generate_report()
