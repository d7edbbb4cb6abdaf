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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..check import UsageError, check_paths
from ..findings import Severity
from ..load import MAX_BYTES, load_text
from . import beneath
from .actions import Runner
from .results import FAILED as FAILED
from .results import NOT_RUN as NOT_RUN
from .results import SKIPPED as SKIPPED
from .results import SUCCEEDED as SUCCEEDED
from .results import ActionRun as ActionRun
from .results import PipelineResult as PipelineResult
from .results import StageRun as StageRun

if TYPE_CHECKING:
    from . import RunOptions, RunResult

#: The pipeline file looked for in DIR.
PIPELINE_NAMES = ("pipeline.json",)
#: A pipeline runs at most this many actions (CodePipeline's quota is 50 stages of at
#: most 50 actions).
MAX_ACTIONS = 2500
#: Project files read from DIR, at most.
MAX_PROJECTS = 100


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
    runner = Runner(directory, out, opts, projects, artifacts, dict(sources or {}), result)
    failed = False
    for n, (_stage, actions) in enumerate(plan, 1):
        for i, (action, config) in enumerate(actions, 1):
            if failed:
                break
            runner.run(action, config, f"{n}.{i}")
            failed = action.status == FAILED
    return _finish(result)


#: A configuration value longer than this once the variables are put in is left as written
#: (CodePipeline's limit is 1,000 characters before; a hostile file could make each value
#: 66 times as long).
MAX_RESOLVED = 10_000
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
                    resolved = _REFERENCE.sub(value, raw)
                    if len(resolved) > MAX_RESOLVED:
                        action.notes.append(
                            f"{key}: more than {MAX_RESOLVED} characters with the variables' "
                            "values put in: left as written"
                        )
                        continue
                    config[key] = resolved
            if used:
                action.notes.append("pipeline variables: " + ", ".join(
                    f"{k} = {values[k]!r} (its default)" for k in used))  # fmt: skip
            if left:
                action.notes.append(f"{', '.join(left)}: resolved by CodePipeline when it "
                                    "runs; left as written")  # fmt: skip


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
