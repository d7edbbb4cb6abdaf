"""``pipespec run``: a dry run of a CodePipeline artifact root.

**It executes the buildspec's commands** (in a sandbox, with stand-ins for ``aws`` and
``docker``), collects ``artifacts.files`` as CodeBuild does, renders the ECS deploy stage
from the artifacts and checks the rendered files with ``pipespec check``.

Usage from Python::

    from pipespec.run import RunOptions, dry_run
    result = dry_run(Path("examples/ecs-bluegreen"), Path("out"), RunOptions())
    print(result.text())
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..check import UsageError, check_paths
from ..findings import Finding, Severity
from ..load import load_path
from . import build, sandbox, standins
from .artifacts import Collected, collect
from .render import Rendered, render

#: A fixed fake commit, so dry runs (and the site) are reproducible.
FAKE_COMMIT = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
MARKER = ".pipespec-run"
WINDOWS_SHELLS = {"powershell.exe", "cmd.exe", "pwsh", "powershell"}


@dataclass
class RunOptions:
    source_version: str = FAKE_COMMIT
    region: str = "ap-northeast-1"
    account: str = "123456789012"
    timeout: float = 120.0
    #: project environment variables (the CodeBuild project's, not the buildspec's)
    env: dict[str, str] = field(default_factory=dict)
    isolate_network: bool = True
    buildspec: str = "buildspec.yml"


@dataclass
class RunResult:
    directory: str
    out: Path
    succeeded: bool = False
    log: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    artifacts: list[Collected] = field(default_factory=list)
    rendered: Rendered = field(default_factory=Rendered)
    findings: list[Finding] = field(default_factory=list)
    sandbox: dict[str, Any] = field(default_factory=dict)
    failed_phase: str = ""

    @property
    def missing(self) -> list[str]:
        return [m for a in self.artifacts for m in a.missing]

    @property
    def exit_code(self) -> int:
        bad = (
            not self.succeeded
            or self.missing
            or self.rendered.errors
            or any(f.severity is Severity.ERROR for f in self.findings)
        )
        return 1 if bad else 0

    def summary(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "build": "SUCCEEDED" if self.succeeded else "FAILED",
            "failed_phase": self.failed_phase or None,
            "artifacts": [
                {"name": a.name, "files": a.files, "missing": a.missing} for a in self.artifacts
            ],
            "calls": self.calls,
            "deploy": {
                "mode": self.rendered.mode or None,
                "task_definition_arn": self.rendered.task_definition_arn or None,
                "rendered": [f"rendered/{f}" for f in self.rendered.files],
                "errors": self.rendered.errors,
            },
            "findings": [f.as_dict() for f in self.findings],
            "sandbox": self.sandbox,
            "exit_code": self.exit_code,
        }

    def text(self) -> str:
        lines = list(self.log)
        for error in self.rendered.errors:
            lines.append(f"[pipespec] deploy error: {error}")
        for f in self.findings:
            lines.append(f"[pipespec] {f.format()}")
        verdict = "SUCCEEDED" if self.exit_code == 0 else "FAILED"
        lines.append(f"[pipespec] dry run {verdict} (exit status {self.exit_code})")
        return "\n".join(lines) + "\n"


def _prepare_out(out: Path | None) -> Path:
    if out is None:
        return Path(tempfile.mkdtemp(prefix="pipespec-run-"))
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise UsageError(
                f"--out {out} is not empty and was not written by pipespec run; "
                "refusing to overwrite it"
            )
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by pipespec run\n", encoding="utf-8")
    return out


def _env(spec: dict[str, Any], opts: RunOptions, root: Path, src: Path) -> dict[str, str]:
    env = {
        "PATH": f"{root / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(root / "home"),
        "TMPDIR": str(root / "tmp"),
        "LANG": "C.UTF-8",
        "CODEBUILD_SRC_DIR": str(src),
        "CODEBUILD_RESOLVED_SOURCE_VERSION": opts.source_version,
        "CODEBUILD_SOURCE_VERSION": opts.source_version,
        "CODEBUILD_BUILD_ID": "pipespec-dry-run:00000000-0000-0000-0000-000000000000",
        "CODEBUILD_BUILD_ARN": f"arn:aws:codebuild:{opts.region}:{opts.account}:build/"
        "pipespec-dry-run:00000000-0000-0000-0000-000000000000",
        "CODEBUILD_BUILD_NUMBER": "1",
        "CODEBUILD_BUILD_IMAGE": "aws/codebuild/standard:7.0",
        "CODEBUILD_INITIATOR": "codepipeline/pipespec-dry-run",
        "CODEBUILD_CI": "true",
        "CODEBUILD_KMS_KEY_ID": f"arn:aws:kms:{opts.region}:{opts.account}:alias/aws/s3",
        "AWS_DEFAULT_REGION": opts.region,
        "AWS_REGION": opts.region,
        "PIPESPEC_CALLS": str(root / "calls.jsonl"),
        "PIPESPEC_FAKE_ACCOUNT": opts.account,
    }
    env.update(opts.env)
    raw = spec.get("env")
    block: dict[str, Any] = raw if isinstance(raw, dict) else {}
    for name, value in (block.get("variables") or {}).items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        env[str(name)] = "" if value is None else str(value)
    for section in ("parameter-store", "secrets-manager"):
        for name in block.get(section) or {}:
            env[str(name)] = f"dry-run-{section}-value"
    return env


def dry_run(directory: Path, out: Path | None = None, opts: RunOptions | None = None) -> RunResult:
    """Run ``directory``'s buildspec in a sandbox and render its deploy stage into ``out``."""
    opts = opts or RunOptions()
    if not directory.is_dir():
        raise UsageError(f"not a directory: {directory}")
    spec_path = directory / opts.buildspec
    if not spec_path.is_file():
        raise UsageError(f"no {opts.buildspec} in {directory}")
    doc = load_path(spec_path, display=opts.buildspec)
    out = _prepare_out(out)
    result = RunResult(directory=str(directory), out=out)
    if not doc.ok or not isinstance(doc.data, dict):
        problems = "; ".join(f.format() for f in doc.findings) or "not a mapping"
        result.log.append(
            f"[Container] Phase context status code: YAML_FILE_ERROR Message: {problems}"
        )
        result.findings = list(doc.findings)
        return _finish(result)
    spec: dict[str, Any] = doc.data
    raw_env = spec.get("env")
    env_block: dict[str, Any] = raw_env if isinstance(raw_env, dict) else {}
    shell_name = str(env_block.get("shell") or "/bin/sh")
    if shell_name in WINDOWS_SHELLS:
        raise UsageError(f"env.shell {shell_name} is a Windows shell; the dry run needs Linux")
    shell = shutil.which(shell_name) or shell_name
    root = Path(tempfile.mkdtemp(prefix="pipespec-sandbox-"))
    try:
        src = root / "src"
        shutil.copytree(directory, src, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        for d in ("home", "tmp"):
            (root / d).mkdir()
        standins.install(root / "bin")
        driver = root / "driver.sh"
        driver.write_text(build.driver_script(spec, shell), encoding="utf-8")
        report = sandbox.run(
            [shell, str(driver)],
            cwd=src,
            env=_env(spec, opts, root, src),
            root=root,
            timeout=opts.timeout,
            isolate_network=opts.isolate_network,
        )
        result.sandbox = {
            "network": report.network_isolated,
            "filesystem": report.filesystem,
            "timeout_seconds": opts.timeout,
            "timed_out": report.timed_out,
            "process_limit": report.process_limit,
            "processes_killed_afterwards": report.leftover_killed,
        }
        status = build.parse_status(report.output)
        result.log += status.log
        if report.timed_out:
            result.log.append(
                "[Container] Phase context status code: BUILD_TIMED_OUT "
                f"Message: the dry run was stopped after {opts.timeout:g} s"
            )
        elif not status.finished:
            result.log.append(f"[Container] the shell exited during {status.failed_phase}")
        result.failed_phase = status.failed_phase
        result.succeeded = status.finished and not status.failed and not report.timed_out
        calls_file = root / "calls.jsonl"
        if calls_file.exists():
            for line in calls_file.read_text(encoding="utf-8").splitlines()[:1000]:
                try:
                    result.calls.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        if status.upload and not report.timed_out:
            _upload(spec, src, out, result)
        if result.artifacts:
            result.rendered = render(
                out / "artifacts",
                directory,
                out / "rendered",
                region=opts.region,
                account=opts.account,
            )
            result.log += result.rendered.log
            if result.rendered.files:
                result.findings = check_paths([out / "rendered"], base=out).findings
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return _finish(result)


def _upload(spec: dict[str, Any], src: Path, out: Path, result: RunResult) -> None:
    section = spec.get("artifacts")
    if not isinstance(section, dict):
        result.log.append("[Container] no artifacts section: nothing to upload")
        return
    result.log.append("[Container] Entering phase UPLOAD_ARTIFACTS")
    primary = collect(section, src, out / "artifacts", "primary")
    result.artifacts.append(primary)
    result.log += primary.log
    secondary = section.get("secondary-artifacts")
    for ident, body in secondary.items() if isinstance(secondary, dict) else []:
        if isinstance(body, dict):
            extra = collect(body, src, out / f"artifacts-{ident}", str(ident))
            result.artifacts.append(extra)
            result.log += extra.log
    if any(a.failed for a in result.artifacts):
        result.log.append("[Container] Phase complete: UPLOAD_ARTIFACTS State: FAILED")
        result.log.append(
            "[Container] Phase context status code: CLIENT_ERROR Message: "
            "no matching artifact paths found"
        )
        result.succeeded = False
        result.failed_phase = result.failed_phase or "UPLOAD_ARTIFACTS"
    else:
        result.log.append("[Container] Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED")
        for missing in result.missing:
            result.log.append(
                f"[pipespec] {missing} is listed in artifacts.files but was not "
                "produced; the deploy stage will not find it"
            )


def _finish(result: RunResult) -> RunResult:
    (result.out / "build.log").write_text(result.text(), encoding="utf-8")
    (result.out / "summary.json").write_text(
        json.dumps(result.summary(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return result
