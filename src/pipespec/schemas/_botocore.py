"""Generate the schemas of the kinds that are AWS API inputs from botocore's service models.

This is a developer tool, not part of the runtime: nothing in :mod:`pipespec` imports it,
and it is the only module that imports botocore. Run it through nox::

    nox -s schemas              # rewrite every schema in :data:`TARGETS`
    nox -s schemas -- --check   # exit 1 if a vendored file is stale

or directly with ``python -m pipespec.schemas._botocore [--check] [KIND ...]``.

Each target's input shape (``RegisterTaskDefinitionRequest``, ``CreatePipelineInput``,
``CreateDeploymentGroupInput``, ``CreateProjectInput``) is converted to JSON Schema draft
2020-12 using only a small keyword subset (see
:data:`ALLOWED_KEYWORDS`), so that pipespec's own validator can evaluate it. Structures and
enumerations are defined once under ``$defs`` and referenced with ``$ref``; lists, maps and
plain scalars are inlined. botocore ``pattern`` constraints are dropped (they use regex
syntax such as ``\\p{L}`` that Python's :mod:`re` does not support).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

SCHEMA_DIR = Path(__file__).parent
DRAFT = "https://json-schema.org/draft/2020-12/schema"
MAX_DESCRIPTION = 200
TYPE_NAME = "service-2"


class Target(NamedTuple):
    """One generated schema: a kind, the API operation's input shape, and the shape of
    what the matching describe/get call prints (its extra keys are read-only)."""

    kind: str
    service: str
    root: str
    described: str
    title: str

    @property
    def path(self) -> Path:
        return SCHEMA_DIR / f"{self.kind}.schema.json"

    @property
    def schema_id(self) -> str:
        return f"https://pipespec.invalid/schemas/{self.kind}.schema.json"


TARGETS = {
    t.kind: t
    for t in (
        Target("taskdef", "ecs", "RegisterTaskDefinitionRequest", "TaskDefinition",
               "Amazon ECS task definition (RegisterTaskDefinition input, taskdef.json)"),
        Target("pipeline", "codepipeline", "CreatePipelineInput", "GetPipelineOutput",
               "AWS CodePipeline pipeline (CreatePipeline input, pipeline.json)"),
        Target("deployment-group", "codedeploy", "CreateDeploymentGroupInput",
               "DeploymentGroupInfo",
               "AWS CodeDeploy deployment group (CreateDeploymentGroup input, "
               "deployment-group.json)"),
        Target("codebuild-project", "codebuild", "CreateProjectInput", "Project",
               "AWS CodeBuild project (CreateProject input, codebuild-project.json)"),
    )
}  # fmt: skip
#: The task definition's target (older code and tests name these directly).
SERVICE, ROOT_SHAPE, DESCRIBED_SHAPE = "ecs", "RegisterTaskDefinitionRequest", "TaskDefinition"
SCHEMA_PATH = TARGETS["taskdef"].path

#: Every keyword the generated schema may contain (as a key of a schema object).
ALLOWED_KEYWORDS = frozenset(
    {
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
        "x-read-only-keys",
    }
)

_SCALAR_TYPES = {
    "string": "string",
    "blob": "string",
    "timestamp": "string",
    "boolean": "boolean",
    "integer": "integer",
    "long": "integer",
    "double": "number",
    "float": "number",
}

#: Values the service accepts that a botocore enumeration leaves out, by (service, shape),
#: each with the documentation that says so. NetworkMode: RegisterTaskDefinition's own
#: networkMode documentation, "For Amazon ECS tasks on Amazon EC2 Windows instances,
#: <default> or awsvpc can be used" (rule TD112 says where "default" belongs).
EXTRA_ENUM_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ecs", "NetworkMode"): ("default",),
}
#: Members the service requires that botocore's model does not mark required, by (service,
#: structure), each with the service's own error: a container without a name or an image
#: fails RegisterTaskDefinition with "Container.name should not be null or empty." /
#: "Container.image should not be null or empty." (ClientException).
EXTRA_REQUIRED: dict[tuple[str, str], tuple[str, ...]] = {
    ("ecs", "ContainerDefinition"): ("image", "name"),
}

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# Tags become spaces, which leaves "( code )" and "code ," around inline markup: tidy those.
_SPACE_BEFORE = re.compile(r"\s+(?=[.,;:!?)])")
_SPACE_AFTER = re.compile(r"(?<=\()\s+")
# A sentence ends at . ! or ? followed by whitespace, unless the period closes "e.g." etc.
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?](?=\s|$)")


def first_sentence(doc: str) -> str:
    """The first sentence of botocore's HTML documentation, as short plain text."""
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", doc))).strip()
    text = _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", text))
    match = _SENTENCE_END.search(text)
    if match:
        text = text[: match.end()]
    if len(text) > MAX_DESCRIPTION:
        cut = text[: MAX_DESCRIPTION - 3].rsplit(" ", 1)[0]
        text = cut.rstrip(" ,;:") + "..."
    return text


class _Converter:
    def __init__(self, shapes: dict[str, Any], service: str = "") -> None:
        self.shapes = shapes
        self.service = service
        self.defs: dict[str, dict[str, Any]] = {}

    def ref(self, name: str) -> dict[str, Any]:
        """The schema for a use of shape *name*: a ``$ref`` or an inline schema."""
        shape = self.shapes[name]
        if shape["type"] == "structure" or "enum" in shape:
            if name not in self.defs:
                self.defs[name] = {}  # placeholder first: structures may be recursive
                self.defs[name] = self.convert(shape, name)
            return {"$ref": f"#/$defs/{name}"}
        return self.convert(shape)

    def convert(self, shape: dict[str, Any], name: str = "") -> dict[str, Any]:
        kind = shape["type"]
        if kind == "structure":
            return self.structure(shape, name)
        if kind == "list":
            schema: dict[str, Any] = {"type": "array", "items": self.ref(shape["member"]["shape"])}
            _bounds(schema, shape, "minItems", "maxItems")
            return schema
        if kind == "map":
            return {"type": "object", "additionalProperties": self.ref(shape["value"]["shape"])}
        if kind not in _SCALAR_TYPES:
            raise ValueError(f"unsupported botocore shape type {kind!r}")
        schema = {"type": _SCALAR_TYPES[kind]}
        if kind == "string":
            if "enum" in shape:
                extra = EXTRA_ENUM_VALUES.get((self.service, name), ())
                schema["enum"] = list(shape["enum"]) + [v for v in extra if v not in shape["enum"]]
            _bounds(schema, shape, "minLength", "maxLength")
        elif schema["type"] in ("integer", "number"):
            _bounds(schema, shape, "minimum", "maximum")
        return schema

    def structure(self, shape: dict[str, Any], name: str = "") -> dict[str, Any]:
        if shape.get("document") or shape.get("union"):
            raise ValueError("document and union structures are not supported")
        properties: dict[str, Any] = {}
        for member_name, member in shape.get("members", {}).items():
            prop = self.ref(member["shape"])
            description = first_sentence(member.get("documentation", ""))
            if member.get("deprecated") or self.shapes[member["shape"]].get("deprecated"):
                description = f"Deprecated. {description}".strip()
            if description:
                prop = {**prop, "description": description}
            properties[member_name] = prop
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        required = {*shape.get("required", ()), *EXTRA_REQUIRED.get((self.service, name), ())}
        if required:
            schema["required"] = sorted(required)
        return schema


def _bounds(schema: dict[str, Any], shape: dict[str, Any], low: str, high: str) -> None:
    if "min" in shape:
        schema[low] = shape["min"]
    if "max" in shape:
        schema[high] = shape["max"]


def build_schema(
    model: dict[str, Any], botocore_version: str, target: Target = TARGETS["taskdef"]
) -> dict[str, Any]:
    """The schema of ``target`` for its loaded ``service-2`` model."""
    shapes: dict[str, Any] = model["shapes"]
    api_version = model["metadata"]["apiVersion"]
    converter = _Converter(shapes, target.service)
    root = converter.structure(shapes[target.root])
    members = set(shapes[target.root]["members"])
    read_only = sorted(set(shapes[target.described]["members"]) - members)
    return {
        "$schema": DRAFT,
        "$id": target.schema_id,
        "title": target.title,
        "x-botocore-version": botocore_version,
        "x-source": f"botocore data/{target.service}/{api_version}/{TYPE_NAME} {target.root}",
        "x-read-only-keys": read_only,
        **root,
        "$defs": converter.defs,
    }


def render(schema: dict[str, Any]) -> str:
    """Serialise deterministically: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate(kind: str = "taskdef") -> str:
    """Load the target's botocore model and return the schema file's text."""
    import botocore  # type: ignore[import-untyped, import-not-found, unused-ignore]
    import botocore.loaders  # type: ignore[import-untyped, import-not-found, unused-ignore]

    target = TARGETS[kind]
    model = botocore.loaders.Loader().load_service_model(target.service, TYPE_NAME)
    return render(build_schema(model, str(botocore.__version__), target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipespec.schemas._botocore",
        description="Generate the schemas of " + ", ".join(TARGETS) + " from botocore.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if a vendored file differs from what would be generated",
    )
    parser.add_argument("kinds", nargs="*", choices=[[], *TARGETS], metavar="KIND")
    args = parser.parse_args(argv)
    status = 0
    for kind in args.kinds or list(TARGETS):
        path = TARGETS[kind].path
        text = generate(kind)
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                print(f"{path} is up to date")
                continue
            recorded = _recorded_version(current)
            generated = json.loads(text)["x-botocore-version"]
            print(
                f"error: {path} is out of date (recorded botocore {recorded}, "
                f"installed botocore {generated}); run `nox -s schemas` to regenerate it",
                file=sys.stderr,
            )
            status = 1
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({len(text.encode())} bytes)")
    return status


def _recorded_version(text: str | None) -> str:
    if text is None:
        return "<file missing>"
    try:
        return str(json.loads(text).get("x-botocore-version", "<unrecorded>"))
    except (ValueError, AttributeError):
        return "<unreadable>"


if __name__ == "__main__":
    sys.exit(main())
