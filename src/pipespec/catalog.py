"""The single list of kinds: names, file patterns, schemas, formats, rule prefixes."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    title: str
    patterns: tuple[str, ...]
    format: Literal["yaml", "json", "any"]
    prefix: str
    schema: str
    source: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "buildspec",
            "CodeBuild buildspec",
            ("buildspec*.yml", "buildspec*.yaml"),
            "yaml",
            "BS",
            "buildspec.schema.json",
            "https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html",
        ),
        Kind(
            "appspec",
            "CodeDeploy AppSpec",
            ("appspec.yml", "appspec.yaml", "appspec.json"),
            "any",
            "AS",
            "appspec.schema.json",
            "https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file.html",
        ),
        Kind(
            "taskdef",
            "ECS task definition",
            ("taskdef.json", "task-definition*.json"),
            "json",
            "TD",
            "taskdef.schema.json",
            "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
        ),
        Kind(
            "imagedefinitions",
            "imagedefinitions.json (ECS standard deployment)",
            ("imagedefinitions.json",),
            "json",
            "IF",
            "imagedefinitions.schema.json",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/file-reference.html",
        ),
        Kind(
            "imagedetail",
            "imageDetail.json (ECS blue/green deployment)",
            ("imagedetail.json",),
            "json",
            "IM",
            "imagedetail.schema.json",
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/file-reference.html",
        ),
    )
}

#: appspec platforms, detected from the document (see :func:`appspec_platform`).
APPSPEC_PLATFORMS = ("server", "lambda", "ecs")


def detect(path: str | PurePath) -> Kind | None:
    """The kind of a file from its name (case-insensitive), or None."""
    name = PurePath(path).name.lower()
    for kind in KINDS.values():
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in kind.patterns):
            return kind
    return None


def appspec_platform(data: Any) -> str:
    """``server`` (EC2/On-Premises), ``lambda`` or ``ecs``, from an appspec's content."""
    if isinstance(data, dict):
        resources_ = data.get("Resources")
        if isinstance(resources_, list):
            for item in resources_:
                if isinstance(item, dict):
                    for body in item.values():
                        kind = body.get("Type") if isinstance(body, dict) else None
                        if kind == "AWS::ECS::Service":
                            return "ecs"
                        if kind == "AWS::Lambda::Function":
                            return "lambda"
        if "os" in data or "files" in data or isinstance(data.get("hooks"), dict):
            return "server"
        if isinstance(data.get("Hooks"), list):
            return "lambda" if "Resources" not in data else "ecs"
        if "Resources" in data:
            return "ecs"
    return "server"


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped as package data."""
    text = resources.files("pipespec.schemas").joinpath(name).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result
