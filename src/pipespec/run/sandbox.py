"""Run a build's commands in a sandbox that is safe on a stranger's pull request.

Layers, outermost first (each is named in :class:`Report` and in the run's first log lines):

1. **bubblewrap** (``bwrap``, Debian's ``bubblewrap``): new mount, PID, network, IPC, UTS
   (and, for an ordinary user, user) namespaces; a fresh ``/proc``, a minimal ``/dev``,
   ``/tmp`` and ``$HOME`` on size-limited tmpfs; read-only binds of ``/usr`` (and the
   ``/bin``, ``/lib`` links), a short list of ``/etc`` files, the Python that runs the
   stand-ins, and the stand-ins; the source copy read-write. No ``/run``, no ``/sys``, no
   home directory, no socket file of the host. ``--die-with-parent --new-session
   --clearenv --cap-drop ALL``; bubblewrap itself starts with an empty environment and
   reads its arguments from a sealed memory file, so the build's environment is not on
   any command line. When pipespec runs as root, the commands run as the unprivileged user
   :data:`SANDBOX_UID` (so ``RLIMIT_NPROC`` applies and no capability is left).
2. **Landlock** and **seccomp** (:mod:`pipespec.run.confine`, applied inside, after the
   uid drop and the rlimits, seccomp last): reads and execution
   only beneath the bound directories, writes only beneath the writable ones, TCP denied,
   signals and abstract sockets scoped.
3. **Resource limits** (:class:`Limits`): rlimits on address space, file size, open files,
   processes and CPU time; a cgroup with memory and pids limits where one can be made; a
   watch on the bytes and files written; a wall-clock timeout; output kept up to a limit.

The run **fails closed**: :func:`isolation` tells whether bubblewrap works here (and that
network and filesystem isolation are really in force, by a probe); without it the caller
refuses to run unless told ``unsafe=True`` (``--unsafe-no-sandbox``), and then only
Landlock and the limits apply. A layer that fails to set up ends the run before any
command starts. The build's status comes back on a descriptor of its own (``status``), which
the commands cannot write.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .bwrap import ETC_FILES, SYSTEM_DIRS, Isolation, as_root, isolation, python, python_dirs
from .bwrap import argv as bwrap_argv
from .confine import landlock_abi
from .launch import Cgroup, kill_marked, launch
from .layout import LIMITS, SANDBOX_UID, GiB, Layout, Limits, MiB

__all__ = [
    "SANDBOX_UID",
    "GiB",
    "Isolation",
    "Layout",
    "Limits",
    "MiB",
    "Report",
    "isolation",
    "landlock_abi",
    "python",
    "run",
]  # fmt: skip


@dataclass
class Report:
    """What a sandboxed run did and which protections were in force."""

    returncode: int
    output: str
    status: str  #: what came back on the status descriptor (never the commands' output)
    timed_out: bool
    seconds: float
    layers: list[str] = field(default_factory=list)
    limits: dict[str, str] = field(default_factory=dict)
    network_isolated: str = "none"
    filesystem: str = "none"
    process_limit: str = ""
    leftover_killed: int = 0
    stopped: str = ""  #: why the run was stopped early (a limit), "" otherwise
    setup_error: str = ""  #: a layer that could not be applied (nothing ran)


# --------------------------------------------------------------------------- bubblewrap


def run(
    argv: Sequence[str],
    *,
    layout: Layout,
    env: dict[str, str],
    timeout: float,
    unsafe: bool = False,
    limits: Limits = LIMITS,
) -> Report:
    """Run ``argv`` (paths as the commands see them) in the sandbox, ``layout.src`` as cwd.

    Without ``unsafe`` the bubblewrap sandbox is required (:func:`isolation` must be ok:
    the caller checks first); with it, ``argv`` runs directly under Landlock and limits.
    """
    marker_name = "PIPESPEC_SANDBOX"
    marker = os.urandom(8).hex()
    env = {**env, marker_name: marker}
    rlimits = limits.rlimits(timeout)
    abi = landlock_abi()
    root = as_root()
    confine = [python(), "-I", "-S", str(Path(layout.inside("tools")) / "confine.py")]
    for name, value in rlimits.items():
        confine += ["--rlimit", f"{name}={value}"]
    etc = [f"/etc/{name}" for name in ETC_FILES]
    readable = [*SYSTEM_DIRS, *etc, "/proc", "/dev", *python_dirs(), layout.inside("tools")]
    writable = [layout.inside(w) for w in ("src", "home", "tmp", "state")]
    writable += ["/dev/null", "/dev/zero", "/dev/full", "/dev/tty"]
    for path in readable:
        confine += ["--ro", path]
    for path in writable:
        confine += ["--rw", path]
    if root:  # with bubblewrap, an unprivileged uid; without it, uid 0 without capabilities
        confine += ["--drop-caps", str(SANDBOX_UID if layout.sandboxed else -1)]
    confine += ["--status-fd", "{status_fd}", "--env-fd", "{env_fd}", "--"]
    env_data = b"\0".join(f"{k}={v}".encode("utf-8", "surrogateescape") for k, v in env.items())
    cgroup = Cgroup(limits)
    layers: list[str] = []
    report = Report(returncode=0, output="", status="", timed_out=False, seconds=0.0)
    if layout.sandboxed:
        found = isolation()
        if not found.ok:  # the caller checked; a probe that changed its mind is fatal
            report.setup_error = found.problem
            report.returncode = 125
            return report
        _chown_for_sandbox(layout)
        bw = bwrap_argv(found.bwrap, layout, limits)
        full = [found.bwrap, "--args-file", "\0".join(bw[1:]) + "\0", *confine, *argv]
        namespaces = "mount, PID, network, IPC, UTS" + ("" if root else ", user")
        who = f"uid {SANDBOX_UID}" if root else "an unprivileged user mapped to root"
        layers.append(f"{found.version or 'bubblewrap'}: namespaces {namespaces}; "
                      f"no capabilities; commands run as {who}")  # fmt: skip
        report.network_isolated = "network namespace (bubblewrap)"
        report.filesystem = "mount namespace (bubblewrap)"
        setsid = False
    else:
        full = [*confine, *argv]
        layers.append("NO bubblewrap (--unsafe-no-sandbox): the commands share this machine's "
                      "network, its Unix sockets and its processes, and see its files as far "
                      "as Landlock allows")  # fmt: skip
        report.network_isolated = "none"
        report.filesystem = "Landlock only" if abi else "none"
        setsid = True
    started = time.monotonic()
    stopped: list[str] = []
    try:
        code, out, status = launch(
            full, layout, timeout=timeout, limits=limits, cgroup=cgroup,
            watch=(layout.src, layout.state, layout.home, layout.tmp),
            setsid=setsid, stopped=stopped,
            env_data=env_data, cwd=None if layout.sandboxed else layout.src,
        )  # fmt: skip
    finally:
        killed = cgroup.kill_and_remove()
        killed += kill_marked(f"{marker_name}={marker}".encode())
    report.returncode, report.output, report.status = code, out, status
    report.seconds = time.monotonic() - started
    report.timed_out = "timeout" in stopped
    report.stopped = next((s for s in stopped if s != "timeout"), "")
    report.leftover_killed = killed
    applied = next((ln for ln in status.splitlines() if ln.startswith("layers ")), "")
    fields = dict(p.split("=", 1) for p in applied.split()[1:] if "=" in p)
    if not applied:
        first = out.strip().splitlines()[-1:] or [f"exit status {code}"]
        report.setup_error = f"the sandbox did not start: {first[0]}"
    landlock = int(fields.get("landlock", "0") or 0)
    if landlock:
        layers.append(f"Landlock ABI {landlock}: reads only from the system directories and "
                      "the build's own, writes only to the build's own; TCP denied")  # fmt: skip
        if not layout.sandboxed:
            report.filesystem = f"Landlock ABI {landlock}: writes only under the run directory"
    elif applied:
        layers.append("no Landlock in this kernel")
    if fields.get("seccomp") == "1":
        layers.append("seccomp: keyrings, io_uring, bpf, perf, mounts, modules and new "
                      "namespaces refused")  # fmt: skip
    report.limits = {
        "processes": str(limits.processes),
        "address space per process": f"{limits.address_space // MiB} MiB",
        "file size": f"{limits.file_size // MiB} MiB",
        "open files": str(limits.open_files),
        "CPU seconds per process": str(rlimits["CPU"]),
        "written by the build": f"{limits.disk // MiB} MiB, {limits.disk_files} files",
        "timeout": f"{timeout:g} s",
    }
    if layout.sandboxed:
        report.limits["/tmp"] = f"{limits.tmp_size // MiB} MiB"
        report.limits["$HOME"] = f"{limits.home_size // MiB} MiB"
    if cgroup.dirs:
        report.limits["cgroup"] = ", ".join(cgroup.limits)
    if not any(k.startswith("memory") for k in cgroup.limits):
        report.limits["memory of the whole build"] = (
            "not limited: no cgroup could be made (each process is, by the address space)"
        )
        report.process_limit = f"pids cgroup, max {limits.processes}"
    elif root and not layout.sandboxed:
        report.process_limit = "none (uid 0 is exempt from RLIMIT_NPROC, and no cgroup)"
        report.limits["processes"] = "not limited (uid 0 without a cgroup)"
    else:
        report.process_limit = f"RLIMIT_NPROC {limits.processes}"
    layers.append("limits: " + ", ".join(f"{k} {v}" for k, v in report.limits.items()))
    report.layers = layers
    return report


def _chown_for_sandbox(layout: Layout) -> None:
    """As root, hand the writable directories to :data:`SANDBOX_UID`."""
    if not as_root():
        return
    for top in (layout.src, layout.state, layout.home, layout.tmp):
        os.lchown(top, SANDBOX_UID, SANDBOX_UID)
        for dirpath, dirnames, filenames in os.walk(top):
            for name in dirnames + filenames:
                os.lchown(os.path.join(dirpath, name), SANDBOX_UID, SANDBOX_UID)
