"""A buildspec's phases as one driver script, with CodeBuild's documented semantics.

* version 0.2: one shell session for the whole build, so variables and ``cd`` carry over
  between commands and phases; version 0.1: every command in a fresh shell started in the
  source directory.
* a failing command ends its phase's ``commands``; the phase's ``finally`` commands still
  run ("the finally block runs after the commands in commands, even if one fails").
* phase transitions ("Build phase transitions" in the CodeBuild user guide): a failed
  INSTALL or PRE_BUILD ends the build (later phases and UPLOAD_ARTIFACTS are skipped); a
  failed BUILD still runs POST_BUILD, and UPLOAD_ARTIFACTS is always attempted after them.
* ``on-failure: CONTINUE`` goes on to the next phase as if the phase had succeeded (the
  build is still failed); ``ABORT`` (the default) applies the transitions above.
* ``CODEBUILD_BUILD_SUCCEEDING`` is 1, and becomes 0 as soon as a command has failed (so
  a ``finally`` block or a later phase can tell).

The script prints CodeBuild-like ``[Container]`` lines (without time stamps, so logs are
reproducible) on the build log, and, last, one ``status`` line on descriptor 3, which
:func:`parse_status` reads. Every command runs with descriptor 3 closed (``3>&-``), so
nothing a command prints or writes can pass for the build's status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PHASES = ("install", "pre_build", "build", "post_build")
STATUS = "status"


def _q(text: str) -> str:
    """Single-quote ``text`` for sh."""
    return "'" + text.replace("'", "'\\''") + "'"


def _commands(body: Any, section: str) -> list[str]:
    seq = body.get(section) if isinstance(body, dict) else None
    return [c for c in seq if isinstance(c, str)] if isinstance(seq, list) else []


def driver_script(buildspec: dict[str, Any], shell: str) -> str:
    """The sh script that runs ``buildspec``'s phases in ``shell``."""
    version = str(buildspec.get("version", "0.2")).strip()
    raw = buildspec.get("phases")
    phases: dict[str, Any] = raw if isinstance(raw, dict) else {}
    lines = [
        "__ps_log() { printf '[Container] %s\\n' \"$*\"; }",
        "__ps_abort=0; __ps_failed=0; __ps_upload=1; __ps_failed_phase=''",
        "CODEBUILD_BUILD_SUCCEEDING=1; export CODEBUILD_BUILD_SUCCEEDING",
    ]
    present = [p for p in PHASES if p in phases]
    lines.append(f"__ps_log {_q(f'Phases found in YAML: {len(present)}')}")
    for p in present:
        n = len(_commands(phases[p], "commands"))
        lines.append(f"__ps_log {_q(f' {p.upper()}: {n} commands')}")
    for phase in PHASES:
        body = phases.get(phase)
        if phase not in phases:
            # CodeBuild still enters (and completes) every phase
            lines.append('if [ "$__ps_abort" = 0 ]; then')
            lines.append(f"  __ps_log {_q(f'Entering phase {phase.upper()}')}")
            lines.append(f"  __ps_log {_q(f'Phase complete: {phase.upper()} State: SUCCEEDED')}")
            lines.append("fi")
            continue
        on_failure = str(body.get("on-failure", "ABORT")) if isinstance(body, dict) else "ABORT"
        lines.append('if [ "$__ps_abort" = 0 ]; then')
        lines.append(f"  __ps_log {_q(f'Entering phase {phase.upper()}')}")
        lines.append("  __ps_ok=1; __ps_reason=''")
        for cmd in _commands(body, "commands"):
            lines += _command(cmd, version, shell, guard=True)
        for cmd in _commands(body, "finally"):
            lines += _command(cmd, version, shell, guard=False)
        lines.append('  if [ "$__ps_ok" = 1 ]; then')
        lines.append(f"    __ps_log {_q(f'Phase complete: {phase.upper()} State: SUCCEEDED')}")
        lines.append("    __ps_log 'Phase context status code:  Message: '")
        lines.append("  else")
        lines.append(f"    __ps_log {_q(f'Phase complete: {phase.upper()} State: FAILED')}")
        lines.append(
            '    __ps_log "Phase context status code: COMMAND_EXECUTION_ERROR Message: '
            'Error while executing command: $__ps_reason"'
        )
        lines.append("    __ps_failed=1; CODEBUILD_BUILD_SUCCEEDING=0")
        lines.append(f'    [ -n "$__ps_failed_phase" ] || __ps_failed_phase={phase.upper()}')
        if on_failure.upper() != "CONTINUE" and phase in ("install", "pre_build"):
            lines.append("    __ps_abort=1; __ps_upload=0")
        lines.append("  fi")
        lines.append("fi")
    lines.append("unalias -a 2>/dev/null; unset -f printf command 2>/dev/null")
    lines.append(
        f'printf "{STATUS} failed=%s upload=%s phase=%s\\n" '
        '"$__ps_failed" "$__ps_upload" "$__ps_failed_phase" >&3'
    )
    return "\n".join(lines) + "\n"


def _command(cmd: str, version: str, shell: str, *, guard: bool) -> list[str]:
    shown = _q(f"Running command {cmd}")
    if version == "0.1":
        run = f'(cd "$CODEBUILD_SRC_DIR" && {shell} -c {_q(cmd)}) 3>&-'
    else:
        run = f"eval {_q(cmd)} 3>&-"
    body = [
        f"  __ps_log {shown}",
        f"  {run}",
        "  __ps_rc=$?",
        '  if [ "$__ps_rc" -ne 0 ]; then',
        f'    __ps_log {_q(f"Command did not exit successfully {cmd} exit status ")}"$__ps_rc"',
        f'    [ "$__ps_ok" = 1 ] && __ps_reason={_q(cmd)}". Reason: exit status $__ps_rc"',
        "    __ps_ok=0; CODEBUILD_BUILD_SUCCEEDING=0",
        "  fi",
    ]
    if guard:
        return ['  if [ "$__ps_ok" = 1 ]; then', *("  " + line for line in body), "  fi"]
    return body


@dataclass
class Status:
    """How the phases ended, read from the driver's last line."""

    finished: bool
    failed: bool
    upload: bool
    failed_phase: str = ""
    log: list[str] = field(default_factory=list)


def parse_status(output: str, channel: str) -> Status:
    """The build's end, from the status descriptor's text (``channel``); ``output`` is the
    build log, which is only shown, never believed."""
    log = output.split("\n")  # only at newlines: other separators are shown, escaped
    if log and log[-1] == "":
        log.pop()
    status: Status | None = None
    for line in channel.splitlines():
        if line.startswith(STATUS + " ") and status is None:  # the driver's, written first
            fields = dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)
            status = Status(
                finished=True,
                failed=fields.get("failed") != "0",
                upload=fields.get("upload") == "1",
                failed_phase=fields.get("phase", ""),
            )
    if status is None:
        # the shell itself ended early (an `exit` in a command, a kill, a timeout)
        entered = [ln.split()[-1] for ln in log if ln.startswith("[Container] Entering phase")]
        status = Status(False, True, False, entered[-1] if entered else "")
    status.log = log
    return status
