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
artifact). Every file is read beneath its directory (:mod:`pipespec.run.beneath`): a
template that is a symlink leading out of it (``taskdef.json -> /proc/self/environ``), or
is not a regular file, is an error, never read. The rendered files are new files in
``dest``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..document import MAX_BYTES
from . import beneath

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


class _Template:
    """A file found in one of the directories: its name, where, and its text."""

    def __init__(self, name: str, where: str, text: str) -> None:
        self.name, self.where, self.text = name, where, text


class _Dirs:
    """The directories templates are looked for in, opened once."""

    def __init__(self, *dirs: tuple[str, Path]) -> None:
        self.fds: list[tuple[str, int]] = []
        for label, d in dirs:
            with contextlib.suppress(OSError):
                self.fds.append((label, beneath.open_root(d)))

    def close(self) -> None:
        for _, fd in self.fds:
            os.close(fd)

    def find(self, name: str, out: Rendered, only: str = "") -> _Template | None:
        """The first readable ``name``; a refused one is an error of ``out``. Whether a
        name exists is only ever asked beneath a root (a plain ``stat`` of an absolute or
        ``..`` name would tell the log whether a path of this machine exists)."""
        if "\0" in name:
            out.errors.append(f"{name!r} has a NUL character: not read")
            return None
        for label, fd in self.fds:
            if only and label != only:
                continue
            try:
                raw = beneath.read_regular(fd, name, MAX_BYTES)
            except FileNotFoundError:
                continue
            except OSError as exc:
                out.errors.append(f"{name} in the {label}: {exc.strerror}: not read")
                return None
            return _Template(name, label, raw.decode("utf-8", errors="replace"))
        return None


def _read_json(found: _Template, out: Rendered) -> Any:
    try:
        return json.loads(found.text)
    except (ValueError, RecursionError) as exc:
        out.errors.append(f"{found.name}: cannot be read as JSON: {exc}")
        return None


class _Writer:
    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.fd = -1

    def write(self, name: str, text: str) -> None:
        if self.fd < 0:
            self.dest.mkdir()  # new, so nothing already there is written through
            self.fd = beneath.open_root(self.dest)
        beneath.write_new(self.fd, name, text.encode("utf-8"))

    def dump(self, name: str, data: Any) -> None:
        self.write(name, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)


@contextlib.contextmanager
def _opened(dest: Path, *roots: tuple[str, Path]) -> Iterator[tuple[_Dirs, _Writer]]:
    dirs = _Dirs(*roots)
    writer = _Writer(dest)
    try:
        yield dirs, writer
    finally:
        dirs.close()
        writer.close()


def render(artifacts: Path, source: Path, dest: Path, *, region: str, account: str) -> Rendered:
    """The deploy stage a build-only dry run implies: blue/green when the artifact holds
    ``imageDetail.json``, a standard deployment when it holds ``imagedefinitions.json``."""
    out = Rendered()
    with _opened(dest, ("artifact", artifacts), ("source", source)) as (dirs, writer):
        detail = dirs.find("imageDetail.json", out, only="artifact")
        definitions = dirs.find("imagedefinitions.json", out, only="artifact")
        if detail is None and definitions is None:
            if not out.errors:
                out.log.append(
                    "[pipespec] no imageDetail.json or imagedefinitions.json in the artifact:"
                    " no ECS deploy stage to render"
                )
            return out
        taskdef = dirs.find("taskdef.json", out)
        if taskdef is None:
            if not out.errors:
                out.log.append(
                    "[pipespec] no taskdef.json in the artifact or the source: the"
                    " running service's task definition would be used (not rendered)"
                )
            return out
        if detail is not None:
            appspec = None
            for name in APPSPEC_NAMES:
                appspec = dirs.find(name, out)
                if appspec is not None or out.errors:
                    break
            _bluegreen(taskdef, [(detail, PLACEHOLDER)], appspec, writer, out, region, account)
        else:
            assert definitions is not None
            _standard(definitions, taskdef, writer, out)
    return out


class Source(NamedTuple):
    """A file an action names: ``path`` inside ``root``, called ``label`` in messages
    (``artifact BuildOutput``, ``source``)."""

    label: str
    root: Path
    path: str


def render_ecs(definitions: Source, taskdef: Source, dest: Path) -> Rendered:
    """CodePipeline's ECS (standard) deploy action: ``definitions`` (its ``FileName`` in its
    input artifact) applied to ``taskdef`` (the service's task definition)."""
    out = Rendered()
    labels = (definitions.label, definitions.root), (taskdef.label, taskdef.root)
    with _opened(dest, *labels) as (dirs, writer):
        found = dirs.find(definitions.path, out, only=definitions.label)
        if found is None:
            if not out.errors:
                out.errors.append(
                    f"The image definition file {definitions.path} does not exist in the "
                    f"{definitions.label}"
                )
            return out
        current = dirs.find(taskdef.path, out, only=taskdef.label)
        if current is None:
            if not out.errors:
                out.log.append(
                    f"[pipespec] no {taskdef.path} in the {taskdef.label}: the running service's"
                    " task definition would be used (not rendered)"
                )
            return out
        _standard(found, current, writer, out)
    return out


def render_bluegreen(
    taskdef: Source,
    appspec: Source,
    images: list[tuple[Source, str]],
    dest: Path,
    *,
    region: str,
    account: str,
) -> Rendered:
    """CodePipeline's CodeDeployToECS action: each ``(imageDetail.json's Source,
    placeholder)`` of ``images`` (Image<N>ArtifactName, <Image<N>ContainerName>) substituted
    in the task definition template, then ``<TASK_DEFINITION>`` in the AppSpec template."""
    out = Rendered()
    roots = [(s.label, s.root) for s in (taskdef, appspec, *(i for i, _ in images))]
    with _opened(dest, *dict(roots).items()) as (dirs, writer):
        template = dirs.find(taskdef.path, out, only=taskdef.label)
        if template is None:
            if not out.errors:
                out.errors.append(
                    f"The task definition template {taskdef.path} does not exist in the "
                    f"{taskdef.label}"
                )
            return out
        details = []
        for source, placeholder in images:
            detail = dirs.find(source.path, out, only=source.label)
            if detail is None:
                if not out.errors:
                    # CodePipeline's words for it (the action's error)
                    name = source.label.removeprefix("artifact ")
                    out.errors.append(
                        "Invalid action configuration: Exception while trying to read the "
                        f"image artifact file from the artifact: {name} (no {source.path} in it)"
                    )
                return out
            details.append((detail, placeholder))
        spec = dirs.find(appspec.path, out, only=appspec.label)
        if spec is None and out.errors:
            return out
        _bluegreen(template, details, spec, writer, out, region, account, appspec.path)
    return out


def _standard(
    definitions: _Template, taskdef_file: _Template, writer: _Writer, out: Rendered
) -> None:
    out.mode = "standard"
    taskdef, containers = _taskdef(taskdef_file, out)
    if taskdef is None:
        return
    entries = _read_json(definitions, out)
    if not isinstance(entries, list):
        out.errors.append(
            f"The image definition file {definitions.name} contains invalid "
            "JSON format (an array of {name, imageUri} is required)"
        )
        return
    by_name = {c.get("name"): c for c in containers}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name, uri = str(entry.get("name")), entry.get("imageUri")
        if name not in by_name:
            out.errors.append(
                f"{definitions.name} names container {name!r}, which the task"
                " definition does not have"
            )
            continue
        by_name[name]["image"] = uri
        out.log.append(f"[pipespec] container {name}: image -> {uri}")
    writer.dump("taskdef.json", taskdef)
    out.files.append("taskdef.json")


def _taskdef(found: _Template, out: Rendered) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    taskdef = _read_json(found, out)
    if not isinstance(taskdef, dict):
        if not out.errors:
            out.errors.append(f"{found.name}: the task definition is not a JSON object")
        return None, []
    defs = taskdef.get("containerDefinitions")
    containers = [c for c in defs if isinstance(c, dict)] if isinstance(defs, list) else []
    return taskdef, containers


def _bluegreen(
    template: _Template,
    images: list[tuple[_Template, str]],
    appspec: _Template | None,
    writer: _Writer,
    out: Rendered,
    region: str,
    account: str,
    appspec_name: str = "appspec.yaml",
) -> None:
    out.mode = "blue/green"
    taskdef, containers = _taskdef(template, out)
    if taskdef is None:
        return
    for detail, placeholder in images:
        data = _read_json(detail, out)
        uri = data.get("ImageURI") if isinstance(data, dict) else None
        if not isinstance(uri, str):
            out.errors.append(f"{detail.name} has no ImageURI string")
            return
        replaced = 0
        for c in containers:
            if c.get("image") == placeholder:
                c["image"] = uri
                replaced += 1
        out.log.append(
            f"[pipespec] {placeholder} -> {uri} in {replaced} container(s) of {template.name}"
        )
        if not replaced:
            out.errors.append(
                f"{template.name} has no container whose image is {placeholder}:"
                " the new image would not be deployed"
            )
    family = str(taskdef.get("family", "task"))
    out.task_definition_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{family}:1"
    out.log.append(f"[pipespec] registered task definition {out.task_definition_arn}")
    writer.dump("taskdef.json", taskdef)
    out.files.append("taskdef.json")
    if appspec is None:
        out.errors.append(
            "An AppSpec file is required, but could not be found in the revision"
            f" (no {appspec_name} in the artifact or the source)"
        )
        return
    name = appspec.name.rsplit("/", 1)[-1]
    name = name if name.lower() in APPSPEC_NAMES else "appspec.yaml"
    if TASK_DEFINITION not in appspec.text:
        out.log.append(f"[pipespec] {appspec.name} has no {TASK_DEFINITION}: left as it is")
    writer.write(name, appspec.text.replace(TASK_DEFINITION, out.task_definition_arn))
    out.log.append(f"[pipespec] {TASK_DEFINITION} -> {out.task_definition_arn} in {appspec.name}")
    out.files.append(name)
