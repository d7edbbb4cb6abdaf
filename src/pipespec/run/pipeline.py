"""``pipespec run DIR`` with a ``pipeline.json``: the whole pipeline, action by action.

The declaration is followed as CodePipeline would run it: stage by stage, and inside a
stage by ``runOrder`` (actions of the same runOrder run one after the other here, and
each sees only the artifacts of earlier actions, as in CodePipeline). An action that fails
fails its stage, and the later stages do not run.

* **Source** actions: every output artifact is DIR itself (the dry run has no repository
  to fetch; ``--artifact NAME=PATH`` gives another source action's artifact a directory).
* **CodeBuild** actions: the project named by ``ProjectName`` is looked for among the
  ``codebuild-project.json`` files of DIR. Its ``source.buildspec`` (inline, or a path in
  the primary input artifact; ``buildspec.yml`` without one) runs in the sandbox of
  :func:`pipespec.run.dry_run`, with the project's environment variables and then the
  action's ``EnvironmentVariables``. The primary artifact becomes the one output artifact;
  with several, each output artifact is the buildspec's secondary artifact of that name.
* **ECS** deploy: ``FileName`` (``imagedefinitions.json``) of its input artifact applied
  to ``taskdef.json`` of the source, standing for the service's task definition.
* **CodeDeployToECS**: ``Image<N>ArtifactName``'s ``imageDetail.json`` substituted for
  ``<Image<N>ContainerName>`` in ``TaskDefinitionTemplatePath`` of
  ``TaskDefinitionTemplateArtifact``, then ``<TASK_DEFINITION>`` in the AppSpec template.
* **Commands** actions: ``commands`` run as the one build phase of a buildspec in the same
  sandbox, and the output artifact is its ``files`` (CodePipeline runs these commands on
  CodeBuild's compute).
* **Manual approval**: approved. Every other action is not run (``SKIPPED``), and says so.

Every name an action takes from the declaration (artifact names, template paths,
``FileName``) is a name in a dictionary or a path read beneath its artifact's directory
(:mod:`pipespec.run.beneath`): none becomes a path of this machine.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..check import UsageError, check_paths
from ..findings import Finding, Severity
from ..load import MAX_BYTES, load_text
from . import beneath
from .render import Rendered, Source, render_bluegreen, render_ecs

if TYPE_CHECKING:
    from . import RunOptions, RunResult

#: The pipeline file looked for in DIR.
PIPELINE_NAMES = ("pipeline.json",)
#: A pipeline runs at most this many actions (CodePipeline's quota is 50 stages of at
#: most 50 actions).
MAX_ACTIONS = 2500
#: Project files read from DIR, at most.
MAX_PROJECTS = 100

SUCCEEDED, FAILED, SKIPPED, NOT_RUN = "SUCCEEDED", "FAILED", "SKIPPED", "NOT_RUN"
#: The lines of a build's log that describe the sandbox (said once for the pipeline).
SANDBOX_LINES = ("[pipespec] sandbox: ", "[pipespec] WARNING: --unsafe-no-sandbox")


@dataclass
class ActionRun:
    stage: str
    name: str
    category: str
    provider: str
    run_order: int
    inputs: list[str]
    outputs: list[str]
    status: str = NOT_RUN
    #: what the action wrote: artifact name -> files (build actions), or rendered files
    produced: dict[str, list[str]] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)
    #: the directory of ``out/rendered`` holding them
    folder: str = ""
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    build: RunResult | None = None
    deploy: Rendered | None = None
    #: the action's declaration, as written
    body: dict[str, Any] = field(default_factory=dict, repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "provider": self.provider,
            "run_order": self.run_order,
            "status": self.status,
            "inputs": self.inputs,
            "outputs": [{"name": n, "files": self.produced.get(n, [])} for n in self.outputs],
            "rendered": self.rendered,
            "notes": self.notes,
            "errors": self.errors,
            "build": self.build.summary() if self.build is not None else None,
        }


@dataclass
class StageRun:
    name: str
    actions: list[ActionRun] = field(default_factory=list)

    @property
    def status(self) -> str:
        states = {a.status for a in self.actions}
        if FAILED in states:
            return FAILED
        if states <= {NOT_RUN}:
            return NOT_RUN
        return SUCCEEDED


@dataclass
class PipelineResult:
    directory: str
    out: Path
    pipeline: str = ""
    name: str = ""
    stages: list[StageRun] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    #: files a page can show: ``out/artifacts/<artifact>/<file>`` and
    #: ``out/rendered/<action>/<file>`` -> where each is
    shown: dict[str, Path] = field(default_factory=dict)

    @property
    def actions(self) -> list[ActionRun]:
        return [a for s in self.stages for a in s.actions]

    @property
    def sandbox(self) -> dict[str, Any]:
        for a in self.actions:
            if a.build is not None:
                return a.build.sandbox
        return {}

    @property
    def exit_code(self) -> int:
        bad = (
            self.errors
            or any(a.status in (FAILED, NOT_RUN) for a in self.actions)
            or any(f.severity is Severity.ERROR for f in self.findings)
        )
        return 1 if bad else 0

    def summary(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "pipeline": self.pipeline,
            "name": self.name,
            "stages": [
                {"name": s.name, "status": s.status, "actions": [a.summary() for a in s.actions]}
                for s in self.stages
            ],
            "errors": self.errors,
            "findings": [f.as_dict() for f in self.findings],
            "sandbox": self.sandbox,
            "exit_code": self.exit_code,
        }

    def table(self) -> list[dict[str, str]]:
        """One row per action: what the site's pipeline-run table shows (several inputs
        or outputs on lines of their own)."""
        return [
            {
                "stage": s.name,
                "action": a.name,
                "provider": a.provider,
                "status": a.status,
                "inputs": "\n".join(a.inputs),
                "outputs": "\n".join(
                    [
                        f"{n} ({', '.join(a.produced[n]) or 'empty'})" if n in a.produced else n
                        for n in a.outputs
                    ]
                    + [f"{f} (rendered)" for f in a.rendered]
                ),
            }
            for s in self.stages
            for a in s.actions
        ]

    def text(self) -> str:
        from . import inert

        # the sandbox is said once, first, as a build-only run says it
        top: list[str] = []
        body: list[str] = []
        for stage in self.stages:
            for a in stage.actions:
                body.append(f"[pipespec] == stage {stage.name}, action {a.name} "
                            f"({a.category}/{a.provider}) ==")  # fmt: skip
                body += [f"[pipespec] {n}" for n in a.notes]
                if a.build is not None:
                    for line in a.build.text().splitlines():
                        if line.startswith(SANDBOX_LINES):
                            if line not in top:
                                top.append(line)
                        elif not line.startswith("[pipespec] dry run "):  # said per action
                            body.append(line)
                if a.deploy is not None:
                    body += a.deploy.log
                    body += [f"[pipespec] deploy error: {e}" for e in a.deploy.errors]
                body += [f"[pipespec] error: {e}" for e in a.errors]
                body.append(f"[pipespec] action {a.name}: {a.status}")
        lines = top + self.log + body
        lines += [f"[pipespec] error: {e}" for e in self.errors]
        lines += [f"[pipespec] {f.format()}" for f in self.findings]
        if self.stages:
            lines.append(f"[pipespec] pipeline {self.name}:")
            rows = self.table()
            cols = ("stage", "action", "provider", "status")
            # columns as wide as their widest cell, at most 40 characters
            width = {c: min(40, max(len(r[c]) for r in rows)) for c in cols}
            for row in rows:
                ins, outs = (row[k].replace("\n", ", ") or "-" for k in ("inputs", "outputs"))
                cells = " ".join(f"{row[c]:<{width[c]}}" for c in cols)
                lines.append(f"[pipespec]   {cells} {ins} -> {outs}")
        verdict = "SUCCEEDED" if self.exit_code == 0 else "FAILED"
        lines.append(f"[pipespec] pipeline dry run {verdict} (exit status {self.exit_code})")
        return "\n".join(inert(line) for line in lines) + "\n"


def find_pipeline(directory: Path) -> str | None:
    """The pipeline file's name in ``directory`` (a regular file, not a symlink), or None."""
    for name in PIPELINE_NAMES:
        try:
            st = os.stat(directory / name, follow_symlinks=False)
        except OSError:
            continue
        if not os.path.islink(directory / name) and st.st_size >= 0:
            return name
    return None


def _read(dirfd: int, name: str) -> Any:
    raw = beneath.read_regular(dirfd, name, MAX_BYTES)
    doc = load_text(raw, name, "json")
    return doc.data if doc.ok else None


def _projects(dirfd: int) -> dict[str, dict[str, Any]]:
    """The CodeBuild projects of DIR's top level, by name (create-project input or
    batch-get-projects output)."""
    from .. import catalog

    found: dict[str, dict[str, Any]] = {}

    def is_project(name: str) -> bool:
        kind = catalog.detect(name)
        return kind is not None and kind.name == "codebuild-project"

    names = sorted(n for n in os.listdir(dirfd) if is_project(n))[:MAX_PROJECTS]
    for name in names:
        try:
            data = _read(dirfd, name)
        except OSError:
            continue
        items: list[Any] = []
        if isinstance(data, dict):
            if isinstance(data.get("projects"), list):
                items = data["projects"]
            elif isinstance(data.get("project"), dict):
                items = [data["project"]]
            else:
                items = [data]
        for p in items:
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                found.setdefault(p["name"], p)
    return found


def _declaration(data: Any) -> dict[str, Any]:
    inner = data.get("pipeline") if isinstance(data, dict) else None
    if isinstance(inner, dict):
        return inner
    return data if isinstance(data, dict) else {}


def _names(body: dict[str, Any], key: str) -> list[str]:
    items = body.get(key)
    return [a["name"] for a in items if isinstance(a, dict) and isinstance(a.get("name"), str)] \
        if isinstance(items, list) else []  # fmt: skip


def _plan(decl: dict[str, Any]) -> list[tuple[StageRun, list[tuple[ActionRun, dict[str, Any]]]]]:
    plan = []
    stages = decl.get("stages")
    for stage in stages if isinstance(stages, list) else []:
        if not isinstance(stage, dict):
            continue
        run = StageRun(str(stage.get("name", "")))
        actions = []
        items = stage.get("actions")
        for body in items if isinstance(items, list) else []:
            if not isinstance(body, dict):
                continue
            t = body.get("actionTypeId")
            t = t if isinstance(t, dict) else {}
            order = body.get("runOrder", 1)
            order = order if isinstance(order, int) and not isinstance(order, bool) else 1
            action = ActionRun(
                run.name, str(body.get("name", "")), str(t.get("category", "")),
                str(t.get("provider", "")), order, _names(body, "inputArtifacts"),
                _names(body, "outputArtifacts"), body=body,
            )  # fmt: skip
            config = body.get("configuration")
            actions.append((action, config if isinstance(config, dict) else {}))
        actions.sort(key=lambda pair: pair[0].run_order)
        run.actions = [a for a, _ in actions]
        plan.append((run, actions))
    return plan


def run_pipeline(
    directory: Path,
    out: Path | None,
    opts: RunOptions,
    pipeline: str = "pipeline.json",
    sources: dict[str, Path] | None = None,
) -> PipelineResult:
    """Dry-run the pipeline ``pipeline`` of ``directory`` into ``out`` (see the module)."""
    from . import _prepare_out, require_sandbox

    if not directory.is_dir():
        raise UsageError(f"not a directory: {directory}")
    require_sandbox(opts)
    dirfd = beneath.open_root(directory)
    try:
        try:
            data = _read(dirfd, pipeline)
        except FileNotFoundError:
            raise UsageError(f"no {pipeline} in {directory}") from None
        except OSError as exc:
            raise UsageError(f"{directory / pipeline}: {exc.strerror}: not read") from None
        projects = _projects(dirfd)
    finally:
        os.close(dirfd)
    out = _prepare_out(out, directory)
    result = PipelineResult(str(directory), out, pipeline=pipeline)
    # the declaration's own errors (not the cross-file XF rules, whose defects the run
    # itself shows where they happen)
    result.findings = [
        f for f in check_paths([directory / pipeline], base=directory).findings
        if f.severity is Severity.ERROR and not f.rule.startswith("XF")
    ]  # fmt: skip
    decl = _declaration(data)
    result.name = str(decl.get("name", ""))
    if result.findings or data is None:
        result.errors.append(f"{pipeline} has errors: CodePipeline would not accept it, so "
                             "it is not run")  # fmt: skip
        return _finish(result)
    plan = _plan(decl)
    _resolve_variables(decl, plan)
    if sum(len(actions) for _, actions in plan) > MAX_ACTIONS:
        result.errors.append(f"more than {MAX_ACTIONS} actions: the dry run runs at most that many")
        return _finish(result)
    result.stages = [stage for stage, _ in plan]
    artifacts: dict[str, Path] = {}
    runner = _Runner(directory, out, opts, projects, artifacts, dict(sources or {}), result)
    failed = False
    for n, (_stage, actions) in enumerate(plan, 1):
        for i, (action, config) in enumerate(actions, 1):
            if failed:
                break
            runner.run(action, config, f"{n}.{i}")
            failed = action.status == FAILED
    return _finish(result)


#: A variable reference in an action's configuration: ``#{namespace.name}``.
_REFERENCE = re.compile(r"#\{([A-Za-z0-9@_-]+)\.([A-Za-z0-9@_-]+)\}")


def _resolve_variables(
    decl: dict[str, Any], plan: list[tuple[StageRun, list[tuple[ActionRun, dict[str, Any]]]]]
) -> None:
    """``#{variables.NAME}`` in the actions' configurations becomes the pipeline
    variable's ``defaultValue`` (the value of a run started without overrides); other
    references (an action's namespace) are left as written, and the action says so."""
    found = decl.get("variables")
    values = {
        v["name"]: v["defaultValue"] for v in (found if isinstance(found, list) else [])
        if isinstance(v, dict) and isinstance(v.get("name"), str)
        and isinstance(v.get("defaultValue"), str)
    }  # fmt: skip
    for _, actions in plan:
        for action, config in actions:
            used: dict[str, None] = {}
            left: dict[str, None] = {}

            def value(m: re.Match[str], used: dict[str, None] = used,
                      left: dict[str, None] = left) -> str:  # fmt: skip
                if m.group(1) == "variables" and m.group(2) in values:
                    used[m.group(2)] = None
                    return str(values[m.group(2)])
                left[m.group(0)] = None
                return m.group(0)

            for key, raw in list(config.items()):
                if isinstance(raw, str) and "#{" in raw:
                    config[key] = _REFERENCE.sub(value, raw)
            if used:
                action.notes.append("pipeline variables: " + ", ".join(
                    f"{k} = {values[k]!r} (its default)" for k in used))  # fmt: skip
            if left:
                action.notes.append(f"{', '.join(left)}: resolved by CodePipeline when it "
                                    "runs; left as written")  # fmt: skip


class _Runner:
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
                env.update(_variables(json.loads(raw)))
            except ValueError:
                action.status = FAILED
                action.errors.append("EnvironmentVariables is not a JSON array")
                return
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


def _finish(result: PipelineResult) -> PipelineResult:
    (result.out / "pipeline.log").write_text(result.text(), encoding="utf-8")
    (result.out / "summary.json").write_text(
        json.dumps(result.summary(), indent=2, ensure_ascii=True) + "\n", encoding="ascii"
    )
    return result


def run_directory(
    directory: Path, out: Path | None, opts: RunOptions
) -> RunResult | PipelineResult:
    """What ``pipespec run DIR`` runs: DIR's pipeline when it has one, else its buildspec."""
    from . import dry_run

    pipeline = find_pipeline(directory) if directory.is_dir() else None
    if pipeline is not None:
        return run_pipeline(directory, out, opts, pipeline)
    return dry_run(directory, out, opts)
