"""``pipespec run``: a dry run of a CodePipeline artifact root.

**It executes the buildspec's commands**, in a sandbox (:mod:`pipespec.run.sandbox`:
bubblewrap, then Landlock and resource limits, with stand-ins for ``aws`` and ``docker``),
collects ``artifacts.files`` as CodeBuild does, renders the ECS deploy stage from the
artifacts and checks the rendered files with ``pipespec check``.

It refuses to run without the sandbox (:class:`SandboxUnavailable`, exit status 2) unless
``RunOptions(unsafe_no_sandbox=True)`` (``--unsafe-no-sandbox``) says so. Everything this
process reads from the source or from what the commands wrote is opened beneath its root
(:mod:`pipespec.run.beneath`): no symlink leads it out, only regular files are read, and
every copy is capped.

Usage from Python::

    from pipespec.run import RunOptions, dry_run
    result = dry_run(Path("examples/ecs-bluegreen"), Path("out"), RunOptions())
    print(result.text())
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..check import UsageError, check_paths
from ..findings import Finding, Severity, visible
from ..load import MAX_BYTES, load_text
from . import beneath, build, sandbox, standins
from .artifacts import MAX_SECONDARY, Collected, Deadline, collect, identifier_problem
from .render import Rendered, render

#: A fixed fake commit, so dry runs (and the site) are reproducible.
FAKE_COMMIT = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
MARKER = ".pipespec-run"
WINDOWS_SHELLS = {"powershell.exe", "cmd.exe", "pwsh", "powershell"}
#: The source directory copied into the sandbox: at most this many entries and bytes.
MAX_SOURCE_ENTRIES = 100_000
MAX_SOURCE_BYTES = 1024 * 1024 * 1024
#: The stand-ins' call log: at most this many bytes and calls are read.
MAX_CALLS_BYTES = 1024 * 1024
MAX_CALLS = 1000
#: Where the shell is looked for (never the caller's PATH, which may hold relative entries).
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def inert(line: str) -> str:
    """``line`` safe for a terminal and a CI log: what :func:`pipespec.findings.visible`
    escapes (control characters, line separators, bidi controls, bytes that were not
    UTF-8, the second "#" of ``##[``), but for tabs, which a build log keeps; and a leading
    ``::`` (a GitHub Actions workflow command, after any white space) as ``\\x3a:``."""
    line = "\t".join(visible(part) for part in line.split("\t"))
    stripped = line.lstrip()
    if stripped.startswith("::"):
        line = line[: len(line) - len(stripped)] + "\\x3a" + stripped[1:]
    return line


class SandboxUnavailable(UsageError):
    """The sandbox cannot run here and ``unsafe_no_sandbox`` was not given (exit 2)."""


class SandboxError(UsageError):
    """A layer of the sandbox failed to set up: no command ran (exit 2)."""


@dataclass
class RunOptions:
    source_version: str = FAKE_COMMIT
    region: str = "ap-northeast-1"
    account: str = "123456789012"
    timeout: float = 120.0
    #: project environment variables (the CodeBuild project's, not the buildspec's)
    env: dict[str, str] = field(default_factory=dict)
    buildspec: str = "buildspec.yml"
    #: the buildspec itself (a CodeBuild project's inline ``source.buildspec``), shown as
    #: ``buildspec``; None: the file ``buildspec`` inside the directory
    buildspec_text: str | None = None
    #: render the ECS deploy stage from the artifacts (a pipeline run renders each deploy
    #: action itself, from the artifacts the action names)
    render: bool = True
    #: run without bubblewrap (only Landlock and limits): never on untrusted input
    unsafe_no_sandbox: bool = False
    #: the sandbox's resource limits
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)


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
    errors: list[str] = field(default_factory=list)  #: the dry run's own refusals

    @property
    def missing(self) -> list[str]:
        return [m for a in self.artifacts for m in a.missing]

    @property
    def exit_code(self) -> int:
        bad = (
            not self.succeeded
            or self.missing
            or self.rendered.errors
            or self.errors
            or any(f.severity is Severity.ERROR for f in self.findings)
        )
        return 1 if bad else 0

    def summary(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "build": "SUCCEEDED" if self.succeeded else "FAILED",
            "failed_phase": self.failed_phase or None,
            "artifacts": [
                {"name": a.name, "files": a.files, "missing": a.missing, "errors": a.errors}
                for a in self.artifacts
            ],
            "errors": self.errors,
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
        for error in self.errors:
            lines.append(f"[pipespec] error: {error}")
        for error in self.rendered.errors:
            lines.append(f"[pipespec] deploy error: {error}")
        for f in self.findings:
            lines.append(f"[pipespec] {f.format()}")
        verdict = "SUCCEEDED" if self.exit_code == 0 else "FAILED"
        lines.append(f"[pipespec] dry run {verdict} (exit status {self.exit_code})")
        return "\n".join(inert(line) for line in lines) + "\n"


def _prepare_out(out: Path | None, directory: Path) -> Path:
    """The output directory: new, empty, or one an earlier ``pipespec run`` wrote (cleared).

    It is never reached through a symlink that the source could have planted: the last
    component must not be a symlink, and when it lies inside the source directory no
    component below the source may be one either.
    """
    if out is None:
        return Path(tempfile.mkdtemp(prefix="pipespec-run-"))
    absolute = Path(os.path.abspath(out))
    source = Path(os.path.abspath(directory))
    if absolute.is_relative_to(source):
        below = absolute.relative_to(source).parts
        for i in range(1, len(below) + 1):
            if source.joinpath(*below[:i]).is_symlink():
                raise UsageError(f"--out {out} goes through a symlink inside {directory}; "
                                 "refusing to write there")  # fmt: skip
    if absolute.is_symlink():
        raise UsageError(f"--out {out} is a symlink; refusing to write through it")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file() or (out / MARKER).is_symlink():
            raise UsageError(
                f"--out {out} is not empty and was not written by pipespec run; "
                "refusing to overwrite it"
            )
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                _remove(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by pipespec run\n", encoding="utf-8")
    return out


def _env(spec: dict[str, Any], opts: RunOptions, layout: sandbox.Layout) -> dict[str, str]:
    tools = layout.inside("tools")
    env = {
        "PATH": f"{tools}/bin:{SYSTEM_PATH}",
        "HOME": layout.inside("home"),
        "TMPDIR": layout.inside("tmp"),
        "LANG": "C.UTF-8",
        "CODEBUILD_SRC_DIR": layout.inside("src"),
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
        "PIPESPEC_CALLS": f"{layout.inside('state')}/calls.jsonl",
        "PIPESPEC_FAKE_ACCOUNT": opts.account,
    }
    raw = spec.get("env")
    block: dict[str, Any] = raw if isinstance(raw, dict) else {}
    variables = block.get("variables")
    for name, value in variables.items() if isinstance(variables, dict) else []:
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, (list, dict)):
            continue  # CodeBuild takes scalars only (and str() of an aliased tree is huge)
        env[str(name)] = "" if value is None else str(value)
    for section in ("parameter-store", "secrets-manager"):
        names = block.get(section)
        for name in names if isinstance(names, dict) else []:
            env[str(name)] = f"dry-run-{section}-value"
    # "The value in the start build operation call takes highest precedence. The value in
    # the build project definition takes next precedence. The value in the buildspec
    # declaration takes lowest precedence." (CodeBuild User Guide, Run a build)
    env.update(opts.env)
    # names and values a process environment cannot hold are dropped
    return {k: v for k, v in env.items() if k and "=" not in k and "\0" not in k + v}


def _load_buildspec(dirfd: int, directory: Path, name: str) -> Any:
    """The buildspec, read beneath the source directory (a symlink out of it is refused)."""
    try:
        raw = beneath.read_regular(dirfd, name, MAX_BYTES)
    except FileNotFoundError:
        raise UsageError(f"no {name} in {directory}") from None
    except OSError as exc:
        raise UsageError(f"{directory / name}: {exc.strerror}: not read") from None
    return load_text(raw, name, "json" if name.lower().endswith(".json") else "yaml")


def copy_source(dirfd: int, dest: Path, log: list[str]) -> None:
    """Copy the source tree beneath ``dirfd`` into the new directory ``dest``: directories,
    regular files and symlinks (as symlinks, never followed); ``.git`` and anything else
    (FIFOs, sockets, devices) are left out, the latter with a log line."""
    dest.mkdir()
    out = beneath.open_root(dest)
    total = 0
    try:
        try:
            entries = list(beneath.walk(dirfd, MAX_SOURCE_ENTRIES, skip=frozenset({".git"})))
        except beneath.TooLarge:
            raise UsageError(
                f"the source directory has more than {MAX_SOURCE_ENTRIES:,} entries; "
                "the dry run copies at most that many"
            ) from None
        except OSError as exc:
            raise UsageError(
                f"the source directory cannot be read: {exc.filename}: {exc.strerror}"
            ) from None
        for e in entries:
            if e.is_dir:
                os.mkdir(e.path, 0o755, dir_fd=out)
            elif e.is_symlink:
                os.symlink(os.readlink(e.path, dir_fd=dirfd), e.path, dir_fd=out)
            elif e.is_file:
                total += e.size
                if total > MAX_SOURCE_BYTES:
                    raise UsageError(
                        f"the source directory holds more than {MAX_SOURCE_BYTES:,} bytes; "
                        "the dry run copies at most that much"
                    )
                fd = beneath.open_beneath(dirfd, e.path, os.O_RDONLY | os.O_NONBLOCK)
                try:
                    st = os.fstat(fd)
                    if stat.S_ISREG(st.st_mode):
                        beneath.copy_new(out, e.path, fd, min(st.st_size, e.size))
                        os.chmod(e.path, stat.S_IMODE(st.st_mode) | 0o600, dir_fd=out)
                finally:
                    os.close(fd)
            else:
                log.append(
                    f"[pipespec] source: {e.path} is a {beneath.kind_of(e.mode)}: not copied "
                    "(only files, directories and symlinks are)"
                )
    finally:
        os.close(out)


def require_sandbox(opts: RunOptions) -> None:
    """Raise :class:`SandboxUnavailable` when the sandbox cannot run here, unless
    ``opts.unsafe_no_sandbox`` says to run without it."""
    if not opts.unsafe_no_sandbox:
        found = sandbox.isolation()
        if not found.ok:
            raise SandboxUnavailable(
                f"the dry run needs its sandbox, and {found.problem}; "
                "or pass --unsafe-no-sandbox to run the commands without it (never on "
                "a source you do not trust)"
            )


def dry_run(directory: Path, out: Path | None = None, opts: RunOptions | None = None) -> RunResult:
    """Run ``directory``'s buildspec in a sandbox and render its deploy stage into ``out``.

    Raises :class:`SandboxUnavailable` when the sandbox cannot run here (unless
    ``opts.unsafe_no_sandbox``), :class:`SandboxError` when it failed to set up, and
    :class:`~pipespec.check.UsageError` for a directory that cannot be run.
    """
    opts = opts or RunOptions()
    if not directory.is_dir():
        raise UsageError(f"not a directory: {directory}")
    require_sandbox(opts)
    dirfd = beneath.open_root(directory)
    try:
        return _dry_run(directory, dirfd, out, opts)
    finally:
        os.close(dirfd)


def _dry_run(directory: Path, dirfd: int, out: Path | None, opts: RunOptions) -> RunResult:
    if opts.buildspec_text is not None:
        doc = load_text(opts.buildspec_text, opts.buildspec, "yaml")
    else:
        doc = _load_buildspec(dirfd, directory, opts.buildspec)
    out = _prepare_out(out, directory)
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
    shell = shutil.which(shell_name, path=SYSTEM_PATH) or shell_name
    layout = sandbox.Layout(
        Path(tempfile.mkdtemp(prefix="pipespec-sandbox-")), sandboxed=not opts.unsafe_no_sandbox
    )
    try:
        notes: list[str] = []
        try:
            copy_source(dirfd, layout.src, notes)
        except OSError as exc:
            where = inert(os.fsdecode(exc.filename)) if exc.filename else "a file"
            raise UsageError(f"the source cannot be copied: {where}: {exc.strerror}") from None
        layout.make()
        standins.install(layout.tools / "bin", sandbox.python())
        shutil.copyfile(Path(__file__).with_name("confine.py"), layout.tools / "confine.py")
        driver = layout.tools / "driver.sh"
        driver.write_text(build.driver_script(spec, shell), encoding="utf-8")
        report = sandbox.run(
            [shell, f"{layout.inside('tools')}/driver.sh"],
            layout=layout,
            env=_env(spec, opts, layout),
            timeout=opts.timeout,
            unsafe=opts.unsafe_no_sandbox,
            limits=opts.limits,
        )
        if report.setup_error:
            raise SandboxError(f"the sandbox failed to set up, so nothing ran: "
                               f"{inert(report.setup_error)}")  # fmt: skip
        result.sandbox = {
            "bubblewrap": not opts.unsafe_no_sandbox,
            "layers": report.layers,
            "limits": report.limits,
            "network": report.network_isolated,
            "filesystem": report.filesystem,
            "timeout_seconds": opts.timeout,
            "timed_out": report.timed_out,
            "stopped": report.stopped or None,
            "process_limit": report.process_limit,
            "processes_killed_afterwards": report.leftover_killed,
        }
        if opts.unsafe_no_sandbox:
            result.log.append("[pipespec] WARNING: --unsafe-no-sandbox: the commands ran "
                              "WITHOUT the bubblewrap sandbox")  # fmt: skip
        result.log += [f"[pipespec] sandbox: {layer}" for layer in report.layers]
        result.log += notes
        status = build.parse_status(report.output, report.status)
        result.log += status.log
        if report.timed_out:
            result.log.append(
                "[Container] Phase context status code: BUILD_TIMED_OUT "
                f"Message: the dry run was stopped after {opts.timeout:g} s"
            )
        elif report.stopped:
            result.errors.append(f"the dry run was stopped: {report.stopped}")
        elif not status.finished:
            result.log.append(f"[Container] the shell exited during {status.failed_phase}")
        result.failed_phase = status.failed_phase
        result.succeeded = (
            status.finished and not status.failed and not report.timed_out and not report.stopped
        )
        result.calls = _calls(layout.state)
        if status.upload and not report.timed_out and not report.stopped:
            _upload(spec, layout.src, out, result)
        if opts.render and result.artifacts and not result.errors:
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
        _remove(layout.root)
    return _finish(result)


def _calls(state: Path) -> list[dict[str, Any]]:
    """The stand-ins' call log, read beneath the state directory (bounded, any bytes)."""
    try:
        fd = beneath.open_root(state)
    except OSError:
        return []
    try:
        raw = beneath.read_regular(fd, "calls.jsonl", MAX_CALLS_BYTES)
    except OSError:
        return []
    finally:
        os.close(fd)
    calls: list[dict[str, Any]] = []
    for line in raw.decode("utf-8", errors="replace").splitlines()[:MAX_CALLS]:
        try:
            call = json.loads(line)
        except ValueError:
            continue
        if isinstance(call, dict) and isinstance(call.get("tool"), str):
            argv = call.get("argv")
            if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
                calls.append({"tool": call["tool"], "argv": argv})
    return calls


def _remove(root: Path) -> None:
    """Remove a directory whatever the commands left in it: mode 000 directories, trees
    deeper than a path can name. ``chmod -R`` and ``rm -rf --one-file-system`` do it with
    descriptors and follow no symlink; Python's rmtree is the fallback where they fail."""
    for argv in (["chmod", "-R", "u+rwx", "--", str(root)],
                 ["rm", "-rf", "--one-file-system", "--", str(root)]):  # fmt: skip
        tool = shutil.which(argv[0], path=SYSTEM_PATH)
        if tool is None:
            break
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([tool, *argv[1:]], stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=120, env={"LC_ALL": "C"})  # fmt: skip
    if os.path.lexists(root):
        with contextlib.suppress(Exception):
            shutil.rmtree(root, ignore_errors=True)


def _upload(spec: dict[str, Any], src: Path, out: Path, result: RunResult) -> None:
    section = spec.get("artifacts")
    if not isinstance(section, dict):
        result.log.append("[Container] no artifacts section: nothing to upload")
        return
    result.log.append("[Container] Entering phase UPLOAD_ARTIFACTS")
    src_fd = beneath.open_root(src)
    out_fd = beneath.open_root(out)
    deadline = Deadline()
    try:
        primary = collect(section, src_fd, out_fd, "artifacts", "primary", deadline)
        result.artifacts.append(primary)
        result.log += primary.log
        raw = section.get("secondary-artifacts")
        secondary = raw if isinstance(raw, dict) else {}
        if len(secondary) > MAX_SECONDARY:
            refused = Collected("secondary-artifacts", errors=[
                f"{len(secondary)} secondary artifacts, more than the dry run's limit of "
                f"{MAX_SECONDARY}"])  # fmt: skip
            result.artifacts.append(refused)
            secondary = {}
        for ident, body in secondary.items():
            problem = identifier_problem(str(ident))
            if problem:
                refused = Collected(str(ident), errors=[problem])
                result.artifacts.append(refused)
                continue
            if isinstance(body, dict):
                extra = collect(body, src_fd, out_fd, f"artifacts-{ident}", str(ident), deadline)
                result.artifacts.append(extra)
                result.log += extra.log
    finally:
        os.close(src_fd)
        os.close(out_fd)
    refusals = [e for a in result.artifacts for e in a.errors]
    if any(a.failed for a in result.artifacts):
        result.log.append("[Container] Phase complete: UPLOAD_ARTIFACTS State: FAILED")
        if refusals:
            result.errors += refusals
        else:
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
    # ASCII: a file name that is not UTF-8, a C1 control or a line separator is escaped
    (result.out / "summary.json").write_text(
        json.dumps(result.summary(), indent=2, ensure_ascii=True) + "\n", encoding="ascii"
    )
    return result
