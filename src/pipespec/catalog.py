"""The single list of kinds: names, file patterns, schemas, formats, rule prefixes."""

from __future__ import annotations

import fnmatch
import json
import re
from functools import cache
from pathlib import Path, PurePath
from typing import Any, Literal, NamedTuple


class Kind(NamedTuple):
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
        Kind(
            "pipeline",
            "CodePipeline pipeline",
            ("pipeline.json", "*.pipeline.json"),
            "json",
            "PL",
            "pipeline.schema.json",
            "https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_CreatePipeline.html",
        ),
        Kind(
            "deployment-group",
            "CodeDeploy deployment group",
            ("deployment-group.json", "*.deployment-group.json"),
            "json",
            "DG",
            "deployment-group.schema.json",
            "https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_CreateDeploymentGroup.html",
        ),
        Kind(
            "codebuild-project",
            "CodeBuild project",
            ("codebuild-project.json", "*.codebuild-project.json"),
            "json",
            "CB",
            "codebuild-project.schema.json",
            "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html",
        ),
        Kind(
            "cloudformation",
            "CloudFormation template",
            tuple(
                f"{stem}.{ext}"
                for stem in ("template", "*.template", "*.cfn")
                for ext in ("yaml", "yml", "json")
            ),
            "any",
            "CF",
            "",  # no schema: a template's shape is cfn-lint's to check
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
            "template-anatomy.html",
        ),
    )
}

#: The kinds with a JSON Schema of their own (``pipespec schema KIND``, editors).
SCHEMA_KINDS: dict[str, Kind] = {name: k for name, k in KINDS.items() if k.schema}

#: The input an AWS CLI ``describe``/``get`` call prints around the object a kind holds:
#: ``get-deployment-group`` prints ``{"deploymentGroupInfo": {...}}``, batch-get-deployment-
#: groups a list in ``deploymentGroupsInfo``, create-project ``{"project": {...}}``. Such a file is
#: reported once (the kind's wrapper rule), not key by key against the schema.
WRAPPERS: dict[str, tuple[str, ...]] = {
    "taskdef": ("taskDefinition",),
    "deployment-group": ("deploymentGroupInfo", "deploymentGroupsInfo"),
    "codebuild-project": ("projects", "project"),
}

#: Required top-level keys that the kind's AWS CLI command also takes as options, which
#: override ``--cli-input-json``: a file may leave them to the command line (DG105, CB105).
NAME_OPTIONS: dict[str, dict[str, str]] = {
    "deployment-group": {"applicationName": "--application-name",
                         "deploymentGroupName": "--deployment-group-name"},
    "codebuild-project": {"name": "--name"},
}  # fmt: skip

#: appspec platforms, detected from the document (see :func:`appspec_platform`).
APPSPEC_PLATFORMS = ("server", "lambda", "ecs")


#: Every kind's name patterns as one regular expression, a group per kind, in KINDS order
#: (the first kind that matches wins): one match per file name met in a tree.
_GROUPS = {f"k{i}": kind for i, kind in enumerate(KINDS.values())}
_NAMES = re.compile(
    "|".join(
        f"(?P<{group}>{'|'.join(fnmatch.translate(p) for p in kind.patterns)})"
        for group, kind in _GROUPS.items()
    )
)


def detect(path: str | PurePath) -> Kind | None:
    """The kind of a file from its name (case-insensitive), or None."""
    name = path if isinstance(path, str) and "/" not in path else PurePath(path).name
    m = _NAMES.match(name.lower())
    return _GROUPS[m.lastgroup] if m is not None and m.lastgroup is not None else None


def _get_ci(mapping: dict[Any, Any], name: str) -> Any:
    """``mapping[name]`` ignoring letter case (the ECS/Lambda AppSpec keys are read that way)."""
    if name in mapping:
        return mapping[name]
    for key, value in mapping.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value
    return None


def appspec_platform(data: Any) -> str:
    """``server`` (EC2/On-Premises), ``lambda`` or ``ecs``, from an appspec's content.

    ECS and Lambda keys are matched ignoring case: the reference writes the Lambda form
    both as ``Resources``/``Type`` and as ``resources``/``type``.
    """
    if isinstance(data, dict):
        resources_ = _get_ci(data, "Resources")
        if isinstance(resources_, list):
            for item in resources_:
                if isinstance(item, dict):
                    for body in item.values():
                        kind = _get_ci(body, "Type") if isinstance(body, dict) else None
                        if kind == "AWS::ECS::Service":
                            return "ecs"
                        if kind == "AWS::Lambda::Function":
                            return "lambda"
            # no known Type (misspelt?): the property names tell
            for item in resources_:
                for body in item.values() if isinstance(item, dict) else ():
                    props = _get_ci(body, "Properties") if isinstance(body, dict) else None
                    names = {str(k).lower() for k in props} if isinstance(props, dict) else set()
                    if names & {"taskdefinition", "loadbalancerinfo"}:
                        return "ecs"
                    if names & {"alias", "currentversion", "targetversion"}:
                        return "lambda"
        if "os" in data or "files" in data or isinstance(data.get("hooks"), dict):
            return "server"
        if isinstance(_get_ci(data, "Hooks"), list):
            return "lambda" if resources_ is None else "ecs"
        if resources_ is not None:
            return "ecs"
    return "server"


#: The package data directory (a plain path: importlib.resources costs ~8 ms to import,
#: and pipespec is always installed as files, never from a zip).
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped as package data (a kind without one: a usage error)."""
    if not name:
        from .check import UsageError

        raise UsageError(
            "CloudFormation templates have no pipespec schema: their shape is cfn-lint's to "
            "check (the CloudFormation resource specification)"
        )
    result: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return result
