"""How the dry run runs each kind of action of a pipeline (see :mod:`pipespec.run.pipeline`)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..check import UsageError, check_paths
from ..findings import Finding, Severity
from .render import Rendered, Source, render_bluegreen, render_ecs
from .results import FAILED, SKIPPED, SUCCEEDED, ActionRun, PipelineResult

if TYPE_CHECKING:
    from . import RunOptions


class Runner:
    def __init__(
        self,
        directory: Path,
        out: Path,
        opts: RunOptions,
        projects: dict[str, dict[str, Any]],
        artifacts: dict[str, Path],
        sources: dict[str, Path],
        result: PipelineResult,
    ) -> None:
        self.directory, self.out, self.opts = directory, out, opts
        self.projects, self.artifacts, self.sources = projects, artifacts, sources
        self.result = result

    def run(self, action: ActionRun, config: dict[str, Any], key: str) -> None:
        missing = [n for n in action.inputs if n not in self.artifacts]
        if missing:
            action.status = FAILED
            action.errors.append(f"input artifact {missing[0]} was not produced by an earlier "
                                 "action")  # fmt: skip
            return
        provider = action.provider
        if action.category == "Source":
            self._source(action)
        elif action.category in ("Build", "Test") and provider == "CodeBuild":
            self._codebuild(action, config, key)
        elif action.category == "Deploy" and provider == "ECS":
            self._ecs(action, config, key)
        elif action.category == "Deploy" and provider == "CodeDeployToECS":
            self._codedeploy_ecs(action, config, key)
        elif action.category == "Compute" and provider == "Commands":
            self._commands(action, key)
        elif action.category == "Approval" and provider == "Manual":
            action.status = SUCCEEDED
            action.notes.append("manual approval: approved (a dry run approves every approval)")
        else:
            action.status = SKIPPED
            action.notes.append(f"{action.category}/{provider} actions are not run by the dry run")

    def _source(self, action: ActionRun) -> None:
        for name in action.outputs:
            where = self.sources.get(name)
            self.artifacts[name] = where or self.directory
            shown = "the source directory" if where is None else str(where)
            action.notes.append(f"source artifact {name}: {shown}")
        action.status = SUCCEEDED

    def _codebuild(self, action: ActionRun, config: dict[str, Any], key: str) -> None:
        primary = str(config.get("PrimarySource") or (action.inputs or [""])[0])
        if primary not in self.artifacts:
            action.status = FAILED
            action.errors.append("a CodeBuild action needs an input artifact")
            return
        for name in action.inputs:
            if name != primary:
                action.notes.append(f"secondary input {name}: not given to the dry run's build "
                                    f"(CODEBUILD_SRC_DIR_{name} is not set)")  # fmt: skip
        project_name = str(config.get("ProjectName", ""))
        project = self.projects.get(project_name)
        env: dict[str, str] = {}
        opts = replace(self.opts, render=False, buildspec_text=None)
        if project is None:
            action.notes.append(f"project {project_name} is not among the codebuild-project.json "
                                "files: buildspec.yml of the input artifact runs, without the "
                                "project's environment variables")  # fmt: skip
            opts.buildspec = "buildspec.yml"
        else:
            environment = project.get("environment")
            env.update(_variables(environment.get("environmentVariables")
                                  if isinstance(environment, dict) else None))  # fmt: skip
            source = project.get("source")
            spec = source.get("buildspec") if isinstance(source, dict) else None
            from ..embedded import is_inline

            if isinstance(spec, str) and spec.strip() and is_inline(spec):
                opts.buildspec, opts.buildspec_text = "(the project's inline buildspec)", spec
            elif isinstance(spec, str) and spec.startswith("arn:"):
                action.status = FAILED
                action.errors.append(f"the project's buildspec is in S3 ({spec}): the dry run "
                                     "reads buildspecs from the source only")  # fmt: skip
                return
            else:
                opts.buildspec = spec.strip() if isinstance(spec, str) and spec.strip() \
                    else "buildspec.yml"  # fmt: skip
        raw = config.get("EnvironmentVariables")
        if isinstance(raw, str) and raw.strip():
            try:
                items = json.loads(raw)
            except (ValueError, RecursionError):
                items = None
            if not isinstance(items, list):
                action.status = FAILED
                action.errors.append("EnvironmentVariables is not a JSON array")
                return
            env.update(_variables(items))
        opts.env = {**self.opts.env, **env}
        self._build(action, primary, opts, key)

    def _commands(self, action: ActionRun, key: str) -> None:
        """A Commands action: its ``commands`` run as one build phase, in the same sandbox
        as a CodeBuild action (CodePipeline runs them on CodeBuild's compute), and its output
        artifact's ``files`` are collected."""
        commands = action.body.get("commands")
        if not (isinstance(commands, list) and 1 <= len(commands) <= 50
                and all(isinstance(c, str) for c in commands)):  # fmt: skip
            action.status = FAILED
            action.errors.append("a Commands action needs commands: 1 to 50 strings")
            return
        if not action.inputs:
            action.status = FAILED
            action.errors.append("a Commands action needs an input artifact")
            return
        spec: dict[str, Any] = {"version": 0.2, "phases": {"build": {"commands": commands}}}
        outputs = action.body.get("outputArtifacts")
        first = outputs[0] if isinstance(outputs, list) and outputs else None
        if action.outputs and isinstance(first, dict):
            files = first.get("files")
            names = [f for f in files if isinstance(f, str)] if isinstance(files, list) else []
            spec["artifacts"] = {"files": names or ["**/*"]}
        for name in action.inputs[1:]:
            action.notes.append(f"secondary input {name}: not given to the dry run's commands")
        opts = replace(self.opts, render=False, buildspec="(the action's commands)",
                       buildspec_text=json.dumps(spec))  # fmt: skip
        self._build(action, action.inputs[0], opts, key)

    def _build(self, action: ActionRun, primary: str, opts: RunOptions, key: str) -> None:
        from . import dry_run

        where = self.out / "actions" / key
        where.parent.mkdir(exist_ok=True)
        try:
            build = dry_run(self.artifacts[primary], where, opts)
        except UsageError as exc:
            from . import SandboxError, SandboxUnavailable

            if isinstance(exc, (SandboxError, SandboxUnavailable)):
                raise
            action.status = FAILED
            action.errors.append(str(exc))
            return
        action.build = build
        self.result.findings += build.findings
        produced = {a.name: a for a in build.artifacts}
        if len(action.outputs) == 1 and len(produced) <= 1:
            pairs = [(action.outputs[0], "primary", where / "artifacts")]
        else:
            pairs = [(n, n, where / f"artifacts-{n}") for n in action.outputs]
        for name, ident, path in pairs:
            collected = produced.get(ident)
            if collected is None:
                if len(action.outputs) > 1:
                    action.errors.append(f"output artifact {name}: the buildspec has no "
                                         f"secondary artifact {name} (XF111)")  # fmt: skip
                continue
            self.artifacts[name] = path
            action.produced[name] = list(collected.files)
            for f in collected.files:
                self.result.shown.setdefault(f"out/artifacts/{name}/{f}", path / f)
        ok = build.exit_code == 0 and not action.errors
        action.status = SUCCEEDED if ok else FAILED

    def _deployed(self, action: ActionRun, rendered: Rendered) -> None:
        action.deploy = rendered
        action.rendered = list(rendered.files)
        for f in rendered.files:
            self.result.shown[f"out/rendered/{action.folder}/{f}"] = (
                self.out / "rendered" / action.folder / f
            )
        found: list[Finding] = []
        if rendered.files:
            found = check_paths([self.out / "rendered" / action.folder], base=self.out).findings
            self.result.findings += found
        bad = rendered.errors or any(f.severity is Severity.ERROR for f in found)
        action.status = FAILED if bad else SUCCEEDED

    def _dest(self, action: ActionRun, key: str) -> Path:
        """``rendered/<action>``: the action's name when it is a plain name not taken by an
        earlier action (names are unique within a stage only), else its position."""
        base = self.out / "rendered"
        base.mkdir(exist_ok=True)
        plain = action.name not in ("", ".", "..") and "/" not in action.name
        name = action.name if plain and not (base / action.name).exists() else key
        action.folder = name
        return base / name

    def _ecs(self, action: ActionRun, config: dict[str, Any], key: str) -> None:
        if len(action.inputs) != 1:
            action.status = FAILED
            action.errors.append("the ECS action takes exactly one input artifact")
            return
        name = action.inputs[0]
        file_name = str(config.get("FileName") or "imagedefinitions.json")
        definitions = Source(f"artifact {name}", self.artifacts[name], file_name)
        taskdef = Source("source", self.directory, "taskdef.json")
        action.notes.append("the service's current task definition: taskdef.json of the source")
        self._deployed(action, render_ecs(definitions, taskdef, self._dest(action, key)))

    def _codedeploy_ecs(self, action: ActionRun, config: dict[str, Any], key: str) -> None:
        def source(artifact_key: str, path_key: str, default: str) -> Source | None:
            name = str(config.get(artifact_key, ""))
            if name not in self.artifacts or name not in action.inputs:
                action.errors.append(f"{artifact_key} {name!r} is not an input artifact of "
                                     "the action")  # fmt: skip
                return None
            path = str(config.get(path_key) or default)
            return Source(f"artifact {name}", self.artifacts[name], path)

        taskdef = source("TaskDefinitionTemplateArtifact", "TaskDefinitionTemplatePath",
                         "taskdef.json")  # fmt: skip
        appspec = source("AppSpecTemplateArtifact", "AppSpecTemplatePath", "appspec.yaml")
        images = []
        for n in range(1, 5):
            if f"Image{n}ArtifactName" not in config:
                continue
            # the image artifact's file is always imageDetail.json (no path key)
            image = source(f"Image{n}ArtifactName", "", "imageDetail.json")
            placeholder = str(config.get(f"Image{n}ContainerName") or f"IMAGE{n}_NAME")
            if image is not None:
                images.append((image, f"<{placeholder}>"))
        if taskdef is None or appspec is None or action.errors:
            action.status = FAILED
            return
        rendered = render_bluegreen(taskdef, appspec, images, self._dest(action, key),
                                    region=self.opts.region, account=self.opts.account)  # fmt: skip
        self._deployed(action, rendered)


def _variables(items: Any) -> dict[str, str]:
    """Environment variables of a project or an action: ``[{name, value, type}]``; a value
    of type PARAMETER_STORE or SECRETS_MANAGER is a name to look up, and stands here for a
    fixed dry-run value, as the buildspec's own ``parameter-store`` names do."""
    env: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        kind = str(item.get("type") or "PLAINTEXT")
        value = item.get("value")
        if kind == "PARAMETER_STORE":
            env[item["name"]] = "dry-run-parameter-store-value"
        elif kind == "SECRETS_MANAGER":
            env[item["name"]] = "dry-run-secrets-manager-value"
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            env[item["name"]] = str(value)
    return env
