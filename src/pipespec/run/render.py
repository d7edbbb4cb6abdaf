"""The deploy stage, rendered from the build's artifacts: what ECS and CodeDeploy would get.

* **ECS standard deployment** (rolling update): every ``{name, imageUri}`` of
  ``imagedefinitions.json`` replaces the image of the container of that name in the task
  definition; a name the task definition lacks fails the deployment.
* **ECS blue/green** (CodeDeployToECS): the ``ImageURI`` of ``imageDetail.json`` replaces
  the placeholder image ``<IMAGE1_NAME>`` in ``taskdef.json``; the task definition is
  registered, and ``<TASK_DEFINITION>`` in the AppSpec becomes the new task definition's
  ARN (revision 1 of its family, as a first registration would return).

The templates (``taskdef.json``, ``appspec.yaml``) are looked for in the build artifact
first, then in the source directory (CodePipeline usually takes them from the source
artifact).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLACEHOLDER = "<IMAGE1_NAME>"
TASK_DEFINITION = "<TASK_DEFINITION>"
APPSPEC_NAMES = ("appspec.yaml", "appspec.yml", "appspec.json")


@dataclass
class Rendered:
    mode: str = ""  # "standard", "blue/green" or "" (nothing to render)
    files: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    task_definition_arn: str = ""


def _find(name: str, *dirs: Path) -> Path | None:
    for d in dirs:
        if (d / name).is_file():
            return d / name
    return None


def _read_json(path: Path, out: Rendered) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        out.errors.append(f"{path.name}: cannot be read as JSON: {exc}")
        return None


def _dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def render(artifacts: Path, source: Path, dest: Path, *, region: str, account: str) -> Rendered:
    out = Rendered()
    detail = _find("imageDetail.json", artifacts)
    definitions = _find("imagedefinitions.json", artifacts)
    taskdef_path = _find("taskdef.json", artifacts, source)
    if detail is None and definitions is None:
        out.log.append(
            "[pipespec] no imageDetail.json or imagedefinitions.json in the artifact:"
            " no ECS deploy stage to render"
        )
        return out
    if taskdef_path is None:
        out.log.append(
            "[pipespec] no taskdef.json in the artifact or the source: the"
            " running service's task definition would be used (not rendered)"
        )
        return out
    taskdef = _read_json(taskdef_path, out)
    if not isinstance(taskdef, dict):
        out.errors.append(f"{taskdef_path.name}: the task definition is not a JSON object")
        return out
    containers = [c for c in taskdef.get("containerDefinitions") or [] if isinstance(c, dict)]
    dest.mkdir(parents=True, exist_ok=True)
    if detail is not None:
        out.mode = "blue/green"
        data = _read_json(detail, out)
        uri = data.get("ImageURI") if isinstance(data, dict) else None
        if not isinstance(uri, str):
            out.errors.append("imageDetail.json has no ImageURI string")
            return out
        replaced = 0
        for c in containers:
            if c.get("image") == PLACEHOLDER:
                c["image"] = uri
                replaced += 1
        out.log.append(
            f"[pipespec] {PLACEHOLDER} -> {uri} in {replaced} container(s) of taskdef.json"
        )
        if not replaced:
            out.errors.append(
                f"taskdef.json has no container whose image is {PLACEHOLDER}:"
                " the new image would not be deployed"
            )
        family = str(taskdef.get("family", "task"))
        out.task_definition_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{family}:1"
        out.log.append(f"[pipespec] registered task definition {out.task_definition_arn}")
        _dump(dest / "taskdef.json", taskdef)
        out.files.append("taskdef.json")
        for name in APPSPEC_NAMES:
            spec = _find(name, artifacts, source)
            if spec is None:
                continue
            text = spec.read_text(encoding="utf-8")
            if TASK_DEFINITION not in text:
                out.log.append(f"[pipespec] {name} has no {TASK_DEFINITION}: left as it is")
            (dest / name).write_text(
                text.replace(TASK_DEFINITION, out.task_definition_arn), encoding="utf-8"
            )
            out.log.append(f"[pipespec] {TASK_DEFINITION} -> {out.task_definition_arn} in {name}")
            out.files.append(name)
            break
        else:
            out.errors.append(
                "An AppSpec file is required, but could not be found in the revision"
                " (no appspec.yaml in the artifact or the source)"
            )
        return out
    out.mode = "standard"
    assert definitions is not None
    entries = _read_json(definitions, out)
    if not isinstance(entries, list):
        out.errors.append(
            "The image definition file imagedefinitions.json contains invalid "
            "JSON format (an array of {name, imageUri} is required)"
        )
        return out
    by_name = {c.get("name"): c for c in containers}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name, uri = str(entry.get("name")), entry.get("imageUri")
        if name not in by_name:
            out.errors.append(
                f"imagedefinitions.json names container {name!r}, which the task"
                " definition does not have"
            )
            continue
        by_name[name]["image"] = uri
        out.log.append(f"[pipespec] container {name}: image -> {uri}")
    _dump(dest / "taskdef.json", taskdef)
    out.files.append("taskdef.json")
    return out
