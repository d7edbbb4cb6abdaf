"""What the AppSpec rules share: the lifecycle events of each platform, key case, the
hooks, resources and examples."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ... import catalog
from ...document import Document, NodePath
from ...findings import Severity
from ...schema import Validator

if TYPE_CHECKING:
    from ...context import Context

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
AS = "appspec.yml"

#: Lifecycle events that can run scripts (EC2/On-Premises) or hook functions (ECS, Lambda).
HOOKS: dict[str, tuple[str, ...]] = {
    "server": (
        "ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart",
        "ValidateService", "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic",
        "AfterAllowTraffic",
    ),
    "ecs": (
        "BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic",
        "AfterAllowTraffic",
    ),
    "lambda": ("BeforeAllowTraffic", "AfterAllowTraffic"),
}  # fmt: skip
#: Events CodeDeploy runs itself ("cannot be scripted" in the hooks reference).
RESERVED: dict[str, tuple[str, ...]] = {
    "server": ("Start", "DownloadBundle", "Install", "BlockTraffic", "AllowTraffic", "End"),
    "ecs": ("Start", "Install", "TestTraffic", "AllowTraffic", "End"),
    "lambda": ("Start", "AllowTraffic", "End"),
}
PLATFORM_NAMES = {
    "server": ("an EC2/On-Premises deployment", "EC2/オンプレミスのデプロイ"),
    "ecs": ("an Amazon ECS deployment", "Amazon ECS のデプロイ"),
    "lambda": ("an AWS Lambda deployment", "AWS Lambda のデプロイ"),
}
MAX_EVENT_SECONDS = 3600
TASK_DEFINITION_PLACEHOLDER = "<TASK_DEFINITION>"
_TASKDEF_ARN = re.compile(
    r"arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[A-Za-z0-9_-]{1,255}(?::\d+)?"
)
#: What a templating step replaces before CodeDeploy sees the file: {{X}}, ${X}, <X>, __X__.
_PLACEHOLDER = re.compile(r".*(\{\{.*\}\}|\$\{.*\}|<[^<>]+>|__[A-Z0-9_]+__|#\{.*\}).*")
_RUBY_TO_I = re.compile(r"\s*([+-]?\d+(?:_\d+)*)")


def _norm_event(name: str) -> str:
    return re.sub(r"[-_ ]", "", name).lower()


def _placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.fullmatch(value))


def _ruby_to_i(value: Any) -> int | None:
    """What the agent's ``value.to_i`` gives (None for types it would not see)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        m = _RUBY_TO_I.match(value)
        return int(m.group(1).replace("_", "")) if m else 0
    return None


def _lang(ctx: Context, en: str, ja: str) -> str:
    return ja if ctx.lang == "ja" else en


# --------------------------------------------------------------------------- key case


def normalise_keys(doc: Document, platform: str | None) -> None:
    """Rename ECS/Lambda AppSpec keys written in another letter case to the schema's names.

    ``resources`` → ``Resources``, ``awsvpcConfiguration`` → ``AwsvpcConfiguration``, and
    so on, following the schema of ``platform``; positions, key positions and plain-scalar
    sources move with their nodes. Keys that match no known name are left alone (the
    schema reports them), as is a key whose canonical spelling is already present.
    EC2/On-Premises AppSpecs are read by the agent with exact key names and are not touched.
    """
    if platform not in ("ecs", "lambda") or not doc.ok or not isinstance(doc.data, dict):
        return
    root = catalog.schema("appspec.schema.json")
    validator = Validator(root)
    moves: dict[NodePath, NodePath] = {}

    def walk(value: Any, schema: dict[str, Any] | None, old: NodePath, new: NodePath) -> Any:
        if old != new:
            moves[old] = new
        node = validator.resolve(schema) if isinstance(schema, dict) else {}
        if isinstance(value, dict):
            props: dict[str, Any] = node.get("properties", {})
            extra = node.get("additionalProperties")
            by_lower = {name.lower(): name for name in props}
            out: dict[str, Any] = {}
            for key, child in value.items():
                name = key
                if key not in props:
                    canonical = by_lower.get(key.lower())
                    if canonical is not None and canonical not in value:
                        name = canonical
                sub = props.get(name, extra if isinstance(extra, dict) else None)
                out[name] = walk(child, sub, (*old, key), (*new, name))
            return out
        if isinstance(value, list):
            items = node.get("items")
            sub = items if isinstance(items, dict) else None
            return [walk(child, sub, (*old, i), (*new, i)) for i, child in enumerate(value)]
        return value

    data = walk(doc.data, root["$defs"][platform], (), ())
    if not moves:
        return

    def move(path: NodePath) -> NodePath:
        for cut in range(len(path), 0, -1):
            target = moves.get(path[:cut])
            if target is not None:
                return (*target, *path[cut:])
        return path

    doc.data = data
    doc.positions = {move(p): v for p, v in doc.positions.items()}
    doc.key_positions = {move(p): v for p, v in doc.key_positions.items()}
    doc.plain_scalars = {move(p): v for p, v in doc.plain_scalars.items()}


# --------------------------------------------------------------------------- helpers


def _hook_names(ctx: Context) -> Iterator[tuple[NodePath, str]]:
    """(path of the hook's key, event name) for every hook in the document."""
    if ctx.platform == "server":
        for name in ctx.mapping("hooks"):
            yield ("hooks", name), name
        return
    for i, item in enumerate(ctx.sequence("Hooks")):
        if isinstance(item, dict):
            for name in item:
                yield ("Hooks", i, name), name


def _resources(ctx: Context) -> Iterator[tuple[NodePath, dict[str, Any]]]:
    """(path, body) of every resource under Resources (ECS and Lambda)."""
    for i, item in enumerate(ctx.sequence("Resources")):
        if isinstance(item, dict):
            for name, body in item.items():
                if isinstance(body, dict):
                    yield ("Resources", i, name), body


def _hook_scripts(ctx: Context) -> Iterator[tuple[str, list[tuple[NodePath, Any]]]]:
    """EC2/On-Premises: (event, [(path of timeout, timeout)]) for scripts with a timeout."""
    for event, scripts in ctx.mapping("hooks").items():
        found: list[tuple[NodePath, Any]] = []
        if isinstance(scripts, list):
            for i, script in enumerate(scripts):
                if isinstance(script, dict) and script.get("timeout") is not None:
                    found.append((("hooks", event, i, "timeout"), script["timeout"]))
        yield event, found


# --------------------------------------------------------------------------- rules

_SERVER_FILES = "files:\n  - source: /\n    destination: /var/www/app\n"
_SERVER = "version: 0.0\nos: linux\n" + _SERVER_FILES
_ECS_HEAD = (
    "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
    "      Properties:\n"
)
_ECS_LB = "        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 80\n"
_ECS = _ECS_HEAD + '        TaskDefinition: "<TASK_DEFINITION>"\n' + _ECS_LB
_LAMBDA_HEAD = (
    "version: 0.0\nResources:\n  - HelloFunction:\n      Type: AWS::Lambda::Function\n"
    "      Properties:\n        Name: hello\n        Alias: live\n"
)
_LAMBDA = _LAMBDA_HEAD + '        CurrentVersion: "1"\n        TargetVersion: "2"\n'
