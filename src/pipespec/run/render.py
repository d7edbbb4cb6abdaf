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
from typing import Any

from ..load import MAX_BYTES
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
        """The first readable ``name``; a refused one is an error of ``out``."""
        for label, fd in self.fds:
            if only and label != only:
                continue
            try:
                os.stat(name, dir_fd=fd, follow_symlinks=False)
            except OSError:
                continue
            try:
                raw = beneath.read_regular(fd, name, MAX_BYTES)
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
def _opened(artifacts: Path, source: Path, dest: Path) -> Iterator[tuple[_Dirs, _Writer]]:
    dirs = _Dirs(("artifact", artifacts), ("source", source))
    writer = _Writer(dest)
    try:
        yield dirs, writer
    finally:
        dirs.close()
        writer.close()


def render(artifacts: Path, source: Path, dest: Path, *, region: str, account: str) -> Rendered:
    out = Rendered()
    with _opened(artifacts, source, dest) as (dirs, writer):
        _render(dirs, writer, out, region, account)
    return out


def _render(dirs: _Dirs, writer: _Writer, out: Rendered, region: str, account: str) -> None:
    detail = dirs.find("imageDetail.json", out, only="artifact")
    definitions = dirs.find("imagedefinitions.json", out, only="artifact")
    taskdef_path = dirs.find("taskdef.json", out)
    if detail is None and definitions is None:
        if not out.errors:
            out.log.append(
                "[pipespec] no imageDetail.json or imagedefinitions.json in the artifact:"
                " no ECS deploy stage to render"
            )
        return
    if taskdef_path is None:
        if not out.errors:
            out.log.append(
                "[pipespec] no taskdef.json in the artifact or the source: the"
                " running service's task definition would be used (not rendered)"
            )
        return
    taskdef = _read_json(taskdef_path, out)
    if not isinstance(taskdef, dict):
        out.errors.append(f"{taskdef_path.name}: the task definition is not a JSON object")
        return
    defs = taskdef.get("containerDefinitions")
    containers = [c for c in defs if isinstance(c, dict)] if isinstance(defs, list) else []
    if detail is not None:
        out.mode = "blue/green"
        data = _read_json(detail, out)
        uri = data.get("ImageURI") if isinstance(data, dict) else None
        if not isinstance(uri, str):
            out.errors.append("imageDetail.json has no ImageURI string")
            return
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
        writer.dump("taskdef.json", taskdef)
        out.files.append("taskdef.json")
        for name in APPSPEC_NAMES:
            spec = dirs.find(name, out)
            if spec is None:
                if out.errors:
                    return
                continue
            text = spec.text
            if TASK_DEFINITION not in text:
                out.log.append(f"[pipespec] {name} has no {TASK_DEFINITION}: left as it is")
            writer.write(name, text.replace(TASK_DEFINITION, out.task_definition_arn))
            out.log.append(f"[pipespec] {TASK_DEFINITION} -> {out.task_definition_arn} in {name}")
            out.files.append(name)
            break
        else:
            out.errors.append(
                "An AppSpec file is required, but could not be found in the revision"
                " (no appspec.yaml in the artifact or the source)"
            )
        return
    out.mode = "standard"
    assert definitions is not None
    entries = _read_json(definitions, out)
    if not isinstance(entries, list):
        out.errors.append(
            "The image definition file imagedefinitions.json contains invalid "
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
                f"imagedefinitions.json names container {name!r}, which the task"
                " definition does not have"
            )
            continue
        by_name[name]["image"] = uri
        out.log.append(f"[pipespec] container {name}: image -> {uri}")
    writer.dump("taskdef.json", taskdef)
    out.files.append("taskdef.json")
