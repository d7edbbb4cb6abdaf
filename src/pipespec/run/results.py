"""What a pipeline dry run reports: each action's run (:class:`ActionRun`), each stage's
(:class:`StageRun`), and the whole (:class:`PipelineResult`: its log, JSON summary and the
table the site shows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..findings import Finding, Severity

if TYPE_CHECKING:
    from . import RunResult
    from .render import Rendered

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
