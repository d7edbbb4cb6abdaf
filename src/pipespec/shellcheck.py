"""ShellCheck over a buildspec's shell sessions.

The sessions (:mod:`pipespec.shell`) are assembled into scripts, and ShellCheck
(``shellcheck -f json1``) runs on all the scripts of a run at once (:class:`Batch`: one
process, or one per CPU for a large run); its comments become findings on the YAML lines
(rule IDs ``SH`` + the SC number). ``# shellcheck disable=...`` comments in the buildspec
apply to the file or to the command they precede.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

from . import shellfilter
from .document import Document, Lang, NodePath
from .findings import Finding, Severity
from .shell import _NAME, MAX_SCRIPT_CHARS, Command, _source_lines, exported_names, sessions
from .shelldialect import Flavour, Shell, resolve

#: ShellCheck's levels, most severe first (``-S`` takes one of them).
LEVELS = ("error", "warning", "info", "style")
DEFAULT_SEVERITY = "info"
#: Codes never reported: SC1090/SC1091 are about files ShellCheck was not given (a
#: buildspec's ``. ./env.sh`` is in the repository, not in the script); SC2034 ("appears
#: unused"): CodeBuild runs each command as a script of its own and hands its variables on
#: to the later commands and the programs they start (a build log shows
#: /codebuild/output/tmp/script.sh), so a variable only a tool reads is not unused; and
#: SC2154 ("referenced but not assigned") is what BS120 reports, knowing CodeBuild's
#: variables.
ALWAYS_EXCLUDED = ("SC1090", "SC1091", "SC2034", "SC2154")
#: Files per ShellCheck process at most (far below any command-line length limit), and
#: at least, before a run is split over several processes.
CHUNK = 400
PER_PROCESS = 16
#: At most this many ShellCheck processes per batch (None: one per CPU). Worker processes of
#: ``--jobs`` set it to 1: the pool already spreads the batches over the CPUs.
PROCESSES: int | None = None
#: Seconds ShellCheck may take for a batch: a base plus a little per script (it checks a
#: typical build script in a few milliseconds). Past that the shell checks are skipped with
#: an info finding: hostile input can make ShellCheck run for minutes. Counted in CPU time
#: where the system says it (Linux: /proc), so that a busy machine does not skip the checks
#: of an ordinary script; in wall time elsewhere.
TIMEOUT = 1.0
TIMEOUT_PER_SCRIPT = 0.05
#: Whatever the CPU time says, a batch is stopped after this many times its limit in wall
#: time (a ShellCheck that waits on something spends no CPU).
WALL_FACTOR = 10
#: How often the CPU time of a running batch is read.
POLL = 0.05
#: A lone script this short (in UTF-8) goes to ShellCheck on its standard input, written
#: at once: it fits the smallest pipe buffer Linux gives (one page), so the write never
#: waits for ShellCheck. Longer scripts go through a temporary file.
MAX_STDIN_BYTES = 4096
WIKI = "https://www.shellcheck.net/wiki/SC{code}"


# --------------------------------------------------------------------------- directives

_DIRECTIVE = re.compile(r"#\s*shellcheck\s+disable\s*=\s*([A-Za-z0-9_,\s]+)", re.IGNORECASE)


def _codes(spec: str) -> set[str]:
    out = set()
    for part in re.split(r"[,\s]+", spec):
        part = part.strip().upper()
        if part == "ALL":
            out.add("ALL")
        elif re.fullmatch(r"(?:SC|SH)?\d{4}", part):
            out.add("SC" + part[-4:])
    return out


def file_disables(doc: Document) -> set[str]:
    """``# shellcheck disable=…`` in the comment lines at the top of the file."""
    codes: set[str] = set()
    for line in _source_lines(doc):
        stripped = line.strip()
        if not stripped or stripped == "---":
            continue
        if not stripped.startswith("#"):
            break
        m = _DIRECTIVE.search(stripped)
        if m:
            codes |= _codes(m.group(1))
    return codes


def command_disables(doc: Document, command: Command) -> set[str]:
    """``# shellcheck disable=…`` in the comment lines right above the command."""
    lines = _source_lines(doc)
    codes: set[str] = set()
    number = command.start[0] - 1  # the line above, 1-based
    first = lines[command.start[0] - 1] if 0 < command.start[0] <= len(lines) else ""
    if first[: command.start[1] - 1].strip() not in ("-", ""):
        return codes  # the command does not start its line ("commands: [a, b]")
    while 0 < number <= len(lines):
        stripped = lines[number - 1].strip()
        if not stripped.startswith("#"):
            break
        m = _DIRECTIVE.search(stripped)
        if m:
            codes |= _codes(m.group(1))
        number -= 1
    return codes


# --------------------------------------------------------------------------- shellcheck


class Settings(NamedTuple):
    """What ShellCheck reports: codes left out, and the least severe level kept."""

    disable: frozenset[str] = frozenset()
    severity: str = DEFAULT_SEVERITY


class Script(NamedTuple):
    """One script for ShellCheck and the way back from its lines to the YAML file."""

    doc: Document
    dialect: Flavour
    text: str
    #: script line (index 0 = line 1) -> (command, offset in the command's text of that line)
    lines: list[tuple[Command, int] | None]
    disabled: set[str]
    per_command: dict[NodePath, set[str]]
    #: whether the files say which program /bin/sh is (see pipespec.shelldialect)
    known: bool = True


def build_scripts(doc: Document, names: set[str], shell: Shell | None = None) -> list[Script]:
    """The scripts of a buildspec: one per shell session, with ``names`` declared first.

    Every script starts with a shebang for its dialect (``shell``, by default what the
    buildspec alone says: :func:`pipespec.shelldialect.resolve`) and one ``export`` line
    naming those of ``names`` (and of env.exported-variables) that the session mentions, so
    ShellCheck treats them as set; those two lines map to no YAML line. (Declaring only what
    is mentioned keeps ShellCheck fast: it slows down with every declaration.)
    """
    if shell is None:
        shell = resolve(doc)
        if shell is None:
            return []
    disabled = file_disables(doc)
    declared = {n for n in names | set(exported_names(doc)) if _NAME.fullmatch(n)}
    scripts: list[Script] = []
    for session in sessions(doc):
        mentioned = declared & set(_NAME.findall("\n".join(c.text for c in session)))
        preamble = [f"#!/bin/{shell.flavour}"]
        if mentioned:
            preamble.append("export " + " ".join(sorted(mentioned)))
        text_lines = list(preamble)
        mapping: list[tuple[Command, int] | None] = [None] * len(preamble)
        per_command: dict[NodePath, set[str]] = {}
        for command in session:
            offsets = command.line_offsets()
            body = command.text.split("\n")
            if body and body[-1] == "" and len(body) > 1:
                body.pop()  # a block scalar's final line break
            for k, line in enumerate(body):
                text_lines.append(line)
                mapping.append((command, offsets[k]))
            codes = command_disables(doc, command)
            if codes:
                per_command[command.path] = codes
        scripts.append(
            Script(doc, shell.flavour, "\n".join(text_lines) + "\n", mapping, disabled,
                   per_command, shell.known)
        )  # fmt: skip
    return scripts


def find_shellcheck() -> str | None:
    """The ``shellcheck`` on PATH, else the one beside this Python (a venv's ``bin``)."""
    found = _which("shellcheck", os.environ.get("PATH", os.defpath).split(os.pathsep))
    if found:
        return found
    import sysconfig

    return _which("shellcheck", [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)])


def _which(name: str, directories: list[str]) -> str | None:
    """``shutil.which`` on POSIX, without importing shutil (~1.5 ms at every start), and
    stricter: relative directories (``.``, an empty PATH entry) are skipped, so that a
    ``shellcheck`` in the repository being checked is never the one run."""
    for directory in dict.fromkeys(directories):
        if not os.path.isabs(directory):
            continue
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.F_OK | os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


class Comment(NamedTuple):
    """One ShellCheck comment, already mapped to a YAML position."""

    doc: Document
    line: int
    column: int
    code: int
    level: str
    message: str
    #: ShellCheck's own level was lowered: the image's /bin/sh is not known
    unknown_shell: bool = False


class Batch:
    """Scripts collected over a run and checked by one ShellCheck process (per chunk).

    :meth:`start` launches ShellCheck and returns at once, so the caller can run the other
    rules while it works (ShellCheck takes 5-15 ms even for a short script); :meth:`run`
    starts it if needed and waits for its findings.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.scripts: list[Script] = []
        self._started: _Started | None = None
        self._early: list[Finding] = []

    def add(self, scripts: list[Script]) -> None:
        self.scripts += scripts

    def start(self, lang: Lang) -> None:
        """Launch ShellCheck on the scripts collected so far (a no-op when there are none,
        or when it is already running: :meth:`run` then checks the later scripts too)."""
        from .rules.shellcheck_codes import skipped_finding

        if self._started is not None:
            return

        scripts = [s for s in self.scripts if any(m is not None for m in s.lines)]
        self.scripts = []
        large = [s for s in scripts if len(s.text) > MAX_SCRIPT_CHARS]
        self._early += [
            skipped_finding(s.doc.path, "failed", lang,
                            detail=f"script longer than {MAX_SCRIPT_CHARS} characters")
            for s in large[:1]
        ]  # fmt: skip
        scripts = [s for s in scripts if len(s.text) <= MAX_SCRIPT_CHARS]
        if not scripts:
            return
        exe = find_shellcheck()
        if exe is None:
            self._early.append(skipped_finding(scripts[0].doc.path, "not-found", lang))
            return
        try:
            self._started = _Started(self._args(exe), scripts)
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            detail = str(exc)
            self._early.append(skipped_finding(scripts[0].doc.path, "failed", lang, detail=detail))

    def cancel(self) -> None:
        """Stop a ShellCheck run whose findings are no longer wanted (an error elsewhere)."""
        started, self._started = self._started, None
        if started is not None:
            started.stop()

    def run(self, lang: Lang) -> list[Finding]:
        """Findings for every collected script (one info finding when ShellCheck is absent)."""
        found: list[Finding] = []
        if self._started is not None and self.scripts:  # more scripts came after start()
            found = self._collect(lang)
        if self.scripts or self._started is None:
            self.start(lang)
        return found + self._collect(lang)

    def _collect(self, lang: Lang) -> list[Finding]:
        from .rules.shellcheck_codes import shellcheck_finding, skipped_finding

        started, self._started = self._started, None
        early, self._early = self._early, []
        if started is None:
            return early
        first = started.scripts[0].doc.path
        try:
            reports = started.wait()
        except Overtime as exc:
            return [*early, skipped_finding(first, "failed", lang, detail=str(exc))]
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            return [*early, skipped_finding(first, "failed", lang, detail=str(exc))]
        comments = []
        for report in reports:
            for raw in report.get("comments", []):
                owner = started.names.get(str(raw.get("file")))
                comment = self._map(owner, raw) if owner is not None else None
                if comment is not None:
                    comments.append(comment)
        return [*early, *(shellcheck_finding(c, lang) for c in comments)]

    def _args(self, exe: str) -> list[str]:
        excluded = sorted(set(ALWAYS_EXCLUDED) | set(self.settings.disable))
        return [
            exe,
            "--norc",
            "-f",
            "json1",
            "-S",
            self.settings.severity,
            "-e",
            ",".join(excluded),
        ]

    def _map(self, script: Script, raw: dict[str, Any]) -> Comment | None:
        code = int(raw.get("code", 0))
        sc = f"SC{code}"
        if sc in script.disabled or "ALL" in script.disabled:
            return None
        line = int(raw.get("line", 0))
        if not 0 < line <= len(script.lines):
            return None
        origin = script.lines[line - 1]
        if origin is None:
            return None  # the preamble: nothing the user wrote
        command, line_offset = origin
        disabled = script.per_command.get(command.path, set())
        if sc in disabled or "ALL" in disabled:
            return None
        column = max(int(raw.get("column", 1)), 1)
        end = command.text.find("\n", line_offset)
        line_end = len(command.text) if end < 0 else end
        offset = min(line_offset + column - 1, max(line_end - 1, line_offset))
        if code == 2164 and shellfilter.cd_fails_the_command(command.text, offset):
            return None  # CodeBuild checks every command's exit status (see shellfilter)
        given = str(raw.get("level", "warning"))
        end_column = int(raw.get("endColumn", column)) if raw.get("endLine") == line else column
        level = shellfilter.level(
            code, given, line=command.text[line_offset:line_end], column=column,
            end_column=end_column, known_dialect=script.known,
        )  # fmt: skip
        if level is None or _rank(level) > _rank(self.settings.severity):
            return None
        yaml_line, yaml_column = command.position(offset)
        return Comment(
            script.doc, yaml_line, yaml_column, code, level, str(raw.get("message", "")),
            unknown_shell=level != given,
        )  # fmt: skip


class Overtime(Exception):
    """ShellCheck went past its time; the message says how long it was given."""


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """The CPU time so far of process ``pid`` and of its reaped children (user and system,
    from /proc/PID/stat), or None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2 :].split()  # after "pid (comm) "
    try:
        utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    except (IndexError, ValueError):
        return None
    return (utime + stime + cutime + cstime) / _TICKS


class _Started:
    """ShellCheck running over the scripts: one short script goes to one process through
    its standard input; otherwise they are written to a temporary directory and checked by
    one process (a few in parallel, one per CPU, for a large run)."""

    def __init__(self, args: list[str], scripts: list[Script]) -> None:
        self.scripts = scripts
        self.names: dict[str, Script] = {}
        self.procs: list[subprocess.Popen[str]] = []
        #: how long :meth:`wait` waits, from when it starts: the caller's own work between
        #: start and wait must not count against ShellCheck
        self.limit = TIMEOUT + TIMEOUT_PER_SCRIPT * len(scripts)
        self._tmp: Any = None
        pipe = dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    encoding="utf-8", errors="replace")  # fmt: skip
        try:
            if len(scripts) == 1 and len(scripts[0].text.encode("utf-8")) <= MAX_STDIN_BYTES:
                self.names["-"] = scripts[0]
                proc = subprocess.Popen([*args, "-"], stdin=subprocess.PIPE, **pipe)  # type: ignore[call-overload]
                self.procs.append(proc)
                self._feed(proc, scripts[0].text)
            else:
                import tempfile

                self._tmp = tempfile.TemporaryDirectory(prefix="pipespec-sh-")
                tmp = self._tmp.name
                for n, script in enumerate(scripts):
                    name = f"{n}.sh"
                    with open(os.path.join(tmp, name), "w", encoding="utf-8") as fh:
                        fh.write(script.text)
                    self.names[name] = script
                files = list(self.names)
                cpus = PROCESSES or os.cpu_count() or 1
                jobs = max(1, min(cpus, len(files) // PER_PROCESS))
                size = max(1, min(CHUNK, -(-len(files) // jobs)))
                for i in range(0, len(files), size):
                    chunk = files[i : i + size]
                    self.procs.append(subprocess.Popen([*args, *chunk], cwd=tmp, **pipe))  # type: ignore[call-overload]
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def _feed(proc: subprocess.Popen[str], text: str) -> None:
        """Write the script and close standard input: it fits any pipe's buffer (see
        MAX_STDIN_BYTES), so this never waits for ShellCheck. If ShellCheck has already
        exited, its exit status and standard error say why, in :meth:`wait`."""
        assert proc.stdin is not None
        try:
            proc.stdin.write(text)
            proc.stdin.close()
        except OSError:  # BrokenPipeError: ShellCheck exited without reading
            pass
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            proc.stdin = None  # closed: communicate() must not flush it

    def wait(self) -> list[dict[str, Any]]:
        """Every process's JSON report; the processes are gone and the directory removed.

        Raises :class:`Overtime` when the batch uses more than :attr:`limit` seconds of CPU
        (or of wall time where CPU time cannot be read), or :data:`WALL_FACTOR` times that
        in wall time."""
        reports: list[dict[str, Any]] = []
        start = time.monotonic()
        used: dict[int, float] = {}  # pid -> CPU seconds at the last reading
        try:
            for proc in self.procs:
                while True:
                    try:
                        out, err = proc.communicate(timeout=POLL)
                        break
                    except subprocess.TimeoutExpired:
                        self._check_time(start, used)
                if proc.returncode not in (0, 1):
                    raise ValueError(
                        f"shellcheck exited with {proc.returncode}: {err.strip()[:200]}"
                    )
                reports.append(json.loads(out))
        finally:
            self.stop()
        return reports

    def _check_time(self, start: float, used: dict[int, float]) -> None:
        wall = time.monotonic() - start
        if wall > self.limit * WALL_FACTOR:
            raise Overtime(f"shellcheck took longer than {self.limit * WALL_FACTOR:g} s")
        for proc in self.procs:
            if proc.returncode is None:
                cpu = _cpu_seconds(proc.pid)
                if cpu is None:  # no /proc: wall time is the measure
                    if wall > self.limit:
                        raise Overtime(f"shellcheck took longer than {self.limit:g} s")
                    return
                used[proc.pid] = cpu
        if sum(used.values()) > self.limit:
            raise Overtime(f"shellcheck used more than {self.limit:g} s of CPU time")

    def stop(self) -> None:
        """Kill what still runs, reap it, close its pipes, remove the scripts. Never waits
        for the pipes to close: a child of ShellCheck (a wrapper script's) may hold them."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        self.procs = []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def level_severity(level: str) -> Severity:
    """ShellCheck's level as a pipespec severity: never an error (see rules.shellcheck_codes)."""
    return Severity.WARNING if level in ("error", "warning") else Severity.INFO
