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
2. **Landlock** (:mod:`pipespec.run.confine`, applied inside, last): reads and execution
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

import contextlib
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .confine import landlock_abi

__all__ = ["Isolation", "Layout", "Limits", "Report", "isolation", "landlock_abi", "run"]

#: The unprivileged user (and group) the commands run as when pipespec itself is root.
SANDBOX_UID = 65534

#: The /etc files a shell and the usual tools need; nothing with a secret (no shadow, no
#: ssh keys, no machine-id).
ETC_FILES = ("passwd", "group", "nsswitch.conf", "hosts", "host.conf", "ld.so.cache",
             "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "alternatives",
             "os-release", "debian_version", "protocols", "services", "mime.types",
             "locale.alias", "inputrc", "bash.bashrc", "profile", "shells", "magic")  # fmt: skip
#: System directories bound read-only (or recreated as the same symlinks).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")

#: Where things are inside the sandbox (bubblewrap mode).
INSIDE_SRC = "/codebuild/output/src"
INSIDE_HOME = "/root"
INSIDE_TOOLS = "/pipespec"
INSIDE_STATE = "/pipespec-state"

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Every limit the sandbox applies (the docs' threat-model page lists the same)."""

    processes: int = 256  #: RLIMIT_NPROC, and pids.max of the cgroup
    address_space: int = 4 * GiB  #: RLIMIT_AS, per process
    memory: int = 4 * GiB  #: memory limit of the cgroup, for the whole build
    file_size: int = 1 * GiB  #: RLIMIT_FSIZE: no file written can be larger
    open_files: int = 1024  #: RLIMIT_NOFILE
    tmp_size: int = 512 * MiB  #: the /tmp tmpfs
    home_size: int = 256 * MiB  #: the $HOME tmpfs
    disk: int = 2 * GiB  #: bytes (apparent sizes) under the source copy, watched
    disk_files: int = 100_000  #: files and directories under the source copy, watched
    output: int = 4 * MiB  #: the build log kept; the rest is dropped

    def rlimits(self, timeout: float) -> dict[str, int]:
        return {
            "AS": self.address_space,
            "FSIZE": self.file_size,
            "NOFILE": self.open_files,
            "NPROC": self.processes,
            "CPU": int(timeout) + 5,
            "CORE": 0,
        }


LIMITS = Limits()


@dataclass
class Layout:
    """The run directory on the host, and the paths the commands see."""

    root: Path  #: the run's temporary directory: src/, tools/, state/ (host side)
    sandboxed: bool = True

    @property
    def src(self) -> Path:
        return self.root / "src"

    @property
    def tools(self) -> Path:
        return self.root / "tools"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def home(self) -> Path:
        return self.root / "home"  # only without bubblewrap (a tmpfs with it)

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"  # only without bubblewrap

    def inside(self, which: str) -> str:
        """The path the commands see for ``src``, ``home``, ``tmp``, ``tools`` or ``state``."""
        if not self.sandboxed:
            return str(getattr(self, which))
        return {"src": INSIDE_SRC, "home": INSIDE_HOME, "tmp": "/tmp", "tools": INSIDE_TOOLS,
                "state": INSIDE_STATE}[which]  # fmt: skip

    def make(self) -> None:
        for d in (self.src, self.tools, self.state, self.home, self.tmp):
            d.mkdir(exist_ok=True)


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


def _which(name: str) -> str | None:
    """``name`` on PATH, absolute entries only (a relative entry would find a program
    planted in the checked-out tree), then in the usual system directories."""
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if os.path.isabs(d)]
    for d in dirs:
        candidate = os.path.join(d, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass(frozen=True)
class Isolation:
    """Whether the bubblewrap sandbox works here, as a probe run found."""

    ok: bool
    bwrap: str = ""
    version: str = ""
    problem: str = ""  #: one line: what is missing and how to get it


_ISOLATION: dict[str, Isolation] = {}

_PROBE = (
    'set -u; n=0; while read -r line; do case "$line" in *:*) n=$((n+1));; esac; done'
    " < /proc/net/dev; echo interfaces=$n;"
    ' [ -e "$1" ] && echo canary-visible; [ -e /run ] || [ -e /etc/shadow ] && echo host-visible;'
    " echo probe-done"
)


def isolation() -> Isolation:
    """Probe (once per process) that bubblewrap isolates network and filesystem here."""
    bwrap = _which("bwrap")
    key = bwrap or ""
    if key in _ISOLATION:
        return _ISOLATION[key]
    if bwrap is None:
        found = Isolation(False, problem="bubblewrap (bwrap) is not installed: install it "
                          "(apt-get install bubblewrap, dnf install bubblewrap)")  # fmt: skip
        _ISOLATION[key] = found
        return found
    version = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True,
                                 timeout=10, env={}).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="pipespec-probe-") as tmp:
        layout = Layout(Path(tmp))
        layout.make()
        canary = Path(tmp) / "canary"
        canary.write_text("the probe must not see this\n")
        argv = [*_bwrap_argv(bwrap, layout, {}), "/bin/sh", "-c", _PROBE, "probe", str(canary)]
        try:
            done = _launch(argv, layout, timeout=20, status=False)
        except OSError as exc:
            done = (126, f"cannot start bwrap: {exc.strerror}", "")
    code, out, _ = done
    lines = out.split()
    if code != 0 or "probe-done" not in lines:
        first = next((ln for ln in out.splitlines() if ln.strip()), f"exit status {code}")
        problem = (
            f"bubblewrap cannot build its sandbox here ({first.strip()}): it needs user "
            "namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu, an AppArmor "
            "profile that allows bwrap to create them)"
        )
        found = Isolation(False, bwrap, version, problem)
    elif "interfaces=1" not in lines:
        found = Isolation(False, bwrap, version, "bubblewrap ran, but the network is not "
                          "isolated (more than a loopback interface inside)")  # fmt: skip
    elif "canary-visible" in lines or "host-visible" in lines:
        found = Isolation(False, bwrap, version, "bubblewrap ran, but host files are "
                          "visible inside: the filesystem is not isolated")  # fmt: skip
    else:
        found = Isolation(True, bwrap, version)
    _ISOLATION[key] = found
    return found


def _as_root() -> bool:
    return os.geteuid() == 0


def _bwrap_argv(bwrap: str, layout: Layout, env: dict[str, str],
                limits: Limits = LIMITS) -> list[str]:  # fmt: skip
    """The bubblewrap command line (without the command), documented in the module."""
    args = [bwrap]
    if _as_root():
        # no user namespace: the host's root would be INIT_USER, which RLIMIT_NPROC
        # exempts. confine.py drops to SANDBOX_UID with the three capabilities kept here.
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                 "--unshare-cgroup-try", "--cap-drop", "ALL", "--cap-add", "CAP_SETUID",
                 "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]  # fmt: skip
    else:
        args += ["--unshare-all", "--unshare-user", "--uid", "0", "--gid", "0",
                 "--disable-userns", "--cap-drop", "ALL"]  # fmt: skip
    args += ["--die-with-parent", "--new-session", "--clearenv", "--hostname", "pipespec"]
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    args += ["--dir", "/etc"]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(limits.tmp_size), "--tmpfs", "/tmp"]
    args += ["--perms", "1777", "--size", str(limits.home_size), "--tmpfs", INSIDE_HOME]
    for prefix in _python_dirs():
        parents = Path(prefix).parents
        for parent in reversed([str(p) for p in parents if str(p) not in ("/", INSIDE_HOME)]):
            args += ["--perms", "0755", "--dir", parent]  # bwrap would make them 0700
        args += ["--ro-bind", prefix, prefix]
    args += ["--ro-bind", str(layout.tools), INSIDE_TOOLS]
    args += ["--bind", str(layout.state), INSIDE_STATE]
    for parent in ("/codebuild", "/codebuild/output"):
        args += ["--perms", "0755", "--dir", parent]
    args += ["--bind", str(layout.src), INSIDE_SRC, "--chdir", INSIDE_SRC]
    args += ["--remount-ro", "/"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args


def _python_dirs() -> list[str]:
    """The Python installation the stand-ins and confine.py run with (-I: no site-packages),
    when it is not already under /usr."""
    prefix = os.path.realpath(sys.base_prefix)
    return [] if prefix == "/usr" or prefix.startswith("/usr/") else [prefix]


def python() -> str:
    """The interpreter that runs inside the sandbox (the real file, not a venv's link)."""
    return os.path.realpath(sys.executable)


# --------------------------------------------------------------------------- cgroups


def _own_cgroup(controller: str) -> str | None:
    """This process's cgroup path for a v1 ``controller`` ("" for the v2 hierarchy)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if (controller == "" and names == "") or controller in names.split(","):
            return path
    return None


class _Cgroup:
    """A child of this process's cgroup with memory and pids limits, where one can be made
    (cgroup v2 with both controllers enabled, else the v1 ``memory`` and ``pids``)."""

    def __init__(self, limits: Limits) -> None:
        self.dirs: list[Path] = []
        self.limits: list[str] = []
        name = f"pipespec-{os.getpid()}-{os.urandom(4).hex()}"
        v2 = _own_cgroup("")
        base = Path("/sys/fs/cgroup")
        if v2 is not None and (base / "cgroup.controllers").exists():
            parent = base / v2.lstrip("/")
            try:
                enabled = (parent / "cgroup.subtree_control").read_text().split()
            except OSError:
                enabled = []
            if {"memory", "pids"} <= set(enabled):
                self._make(parent / name, {"memory.max": limits.memory,
                                           "pids.max": limits.processes})  # fmt: skip
                return
        for controller, files in (("memory", {"memory.limit_in_bytes": limits.memory}),
                                  ("pids", {"pids.max": limits.processes})):  # fmt: skip
            own = _own_cgroup(controller)
            if own is not None and (base / controller / "cgroup.procs").exists():
                self._make(base / controller / own.lstrip("/") / name, files)

    def _make(self, group: Path, files: dict[str, int]) -> None:
        try:
            group.mkdir()
        except OSError:
            return
        try:
            for fname, value in files.items():
                (group / fname).write_text(str(value))
        except OSError:
            with contextlib.suppress(OSError):
                group.rmdir()
            return
        self.dirs.append(group)
        self.limits += [f"{k}={v}" for k, v in files.items()]

    def procs_fds(self) -> list[int]:
        fds = []
        for d in self.dirs:
            with contextlib.suppress(OSError):
                fds.append(os.open(d / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC))
        return fds

    def kill_and_remove(self) -> int:
        killed = 0
        for group in self.dirs:
            for _ in range(200):
                try:
                    pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
                except (OSError, ValueError):
                    break
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                        killed += 1
                time.sleep(0.01)
            for _ in range(100):
                try:
                    group.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)
        return killed


# --------------------------------------------------------------------------- running


def _kill_marked(marker: bytes) -> int:
    """Kill every process whose environment carries ``marker``; return how many."""
    killed = 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if marker in fh.read():
                    os.kill(int(entry), signal.SIGKILL)
                    killed += 1
        except (OSError, ValueError):
            continue
    return killed


def _disk_use(root: Path, limit_files: int) -> tuple[int, int]:
    """(apparent bytes, entries) under ``root``, without following symlinks."""
    total = entries = 0
    stack = [str(root)]
    while stack and entries <= limit_files:
        try:
            it = os.scandir(stack.pop())
        except OSError:
            continue
        with it:
            for e in it:
                entries += 1
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                total += st.st_size
                if stat.S_ISDIR(st.st_mode):
                    stack.append(e.path)
    return total, entries


def _launch(
    argv: Sequence[str], layout: Layout, *, timeout: float, status: bool = True,
    limits: Limits = LIMITS, cgroup: _Cgroup | None = None, marker: bytes = b"",
    watch: Path | None = None, setsid: bool = False, stopped: list[str] | None = None,
    env: dict[str, str] | None = None, cwd: Path | None = None,
) -> tuple[int, str, str]:  # fmt: skip
    """Start ``argv`` with ``env`` only (bubblewrap: none); (exit status, output, status text).

    The status descriptor (the write end of a pipe) reaches the child as ``--status-fd``'s
    number; bubblewrap's arguments, when ``argv`` starts with ``--args-file``, come from a
    sealed memory file.
    """
    read_status, write_status = os.pipe() if status else (-1, -1)
    keep = [write_status] if status else []
    cg_fds = cgroup.procs_fds() if cgroup is not None else []
    argv = [a.replace("{status_fd}", str(write_status)) for a in argv]
    args_fd = -1
    if len(argv) > 1 and argv[1] == "--args-file":
        args_fd = _sealed(argv[2].encode())
        argv = [argv[0], "--args", str(args_fd), *argv[3:]]
        keep.append(args_fd)

    def child() -> None:  # runs between fork and exec: os calls only
        for fd in cg_fds:
            os.write(fd, str(os.getpid()).encode())
        if setsid:
            os.setsid()

    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv, env=env or {}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, pass_fds=keep, cwd=str(cwd or layout.root),
            preexec_fn=child if (cg_fds or setsid) else None,
        )  # fmt: skip
    finally:
        for fd in (*cg_fds, *([write_status] if status else []), args_fd):
            if fd >= 0:
                os.close(fd)
    chunks: list[bytes] = []
    status_chunks: list[bytes] = []

    def drain(fd: int, into: list[bytes], cap: int) -> None:
        kept = 0
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            if kept < cap:
                into.append(chunk[: cap - kept])
                kept += len(chunk)
        os.close(fd)

    assert proc.stdout is not None
    readers = [threading.Thread(target=drain, args=(os.dup(proc.stdout.fileno()), chunks,
                                                     limits.output), daemon=True)]  # fmt: skip
    proc.stdout.close()
    if status:
        readers.append(threading.Thread(target=drain, args=(read_status, status_chunks, 65536),
                                        daemon=True))  # fmt: skip
    for r in readers:
        r.start()
    deadline = started + timeout
    timed_out = False
    while True:
        try:
            proc.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() > deadline:
            timed_out = True
            break
        if watch is not None and stopped is not None:
            used, entries = _disk_use(watch, limits.disk_files)
            if used > limits.disk or entries > limits.disk_files:
                stopped.append(
                    f"the build wrote more than {limits.disk:,} bytes or {limits.disk_files:,}"
                    " files under the source directory"
                )
                break
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL) if setsid else proc.kill()
    proc.wait()
    for r in readers:
        r.join(timeout=5)
    out = b"".join(chunks).decode("utf-8", errors="replace")
    text = b"".join(status_chunks).decode("utf-8", errors="replace")
    code = 124 if timed_out else proc.returncode
    if timed_out and stopped is not None:
        stopped.append("timeout")
    return code, out, text


def _sealed(data: bytes) -> int:
    """A read-only descriptor holding ``data`` (a memfd where there is one, else a
    deleted temporary file)."""
    try:
        fd = os.memfd_create("pipespec-args", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        fd, name = tempfile.mkstemp(prefix="pipespec-args-")
        os.unlink(name)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


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
    root = _as_root()
    confine = [python(), "-I", "-S", str(Path(layout.inside("tools")) / "confine.py")]
    for name, value in rlimits.items():
        confine += ["--rlimit", f"{name}={value}"]
    readable = [*SYSTEM_DIRS, "/etc", "/proc", "/dev", *_python_dirs(), layout.inside("tools")]
    writable = [layout.inside(w) for w in ("src", "home", "tmp", "state")]
    writable += ["/dev/null", "/dev/zero", "/dev/full", "/dev/tty"]
    if not layout.sandboxed:
        readable = [d for d in readable if d not in ("/proc", "/dev")] + ["/proc/self", "/dev"]
    for path in readable:
        confine += ["--ro", path]
    for path in writable:
        confine += ["--rw", path]
    if root:  # with bubblewrap, an unprivileged uid; without it, uid 0 without capabilities
        confine += ["--drop-caps", str(SANDBOX_UID if layout.sandboxed else -1)]
    confine += ["--status-fd", "{status_fd}", "--"]
    cgroup = _Cgroup(limits)
    layers: list[str] = []
    report = Report(returncode=0, output="", status="", timed_out=False, seconds=0.0)
    if layout.sandboxed:
        found = isolation()
        if not found.ok:  # the caller checked; a probe that changed its mind is fatal
            report.setup_error = found.problem
            report.returncode = 125
            return report
        _chown_for_sandbox(layout)
        bw = _bwrap_argv(found.bwrap, layout, env, limits)
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
                      "network and see its files as far as Landlock allows")  # fmt: skip
        report.network_isolated = "none"
        report.filesystem = "Landlock only" if abi else "none"
        setsid = True
    started = time.monotonic()
    stopped: list[str] = []
    try:
        code, out, status = _launch(
            full, layout, timeout=timeout, limits=limits, cgroup=cgroup,
            marker=marker.encode(), watch=layout.src, setsid=setsid, stopped=stopped,
            env=None if layout.sandboxed else env, cwd=None if layout.sandboxed else layout.src,
        )  # fmt: skip
    finally:
        killed = cgroup.kill_and_remove()
        killed += _kill_marked(f"{marker_name}={marker}".encode())
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
    report.limits = {
        "processes": str(limits.processes),
        "address space per process": f"{limits.address_space // MiB} MiB",
        "file size": f"{limits.file_size // MiB} MiB",
        "open files": str(limits.open_files),
        "CPU seconds per process": str(rlimits["CPU"]),
        "written under the source": f"{limits.disk // MiB} MiB, {limits.disk_files} files",
        "timeout": f"{timeout:g} s",
    }
    if layout.sandboxed:
        report.limits["/tmp"] = f"{limits.tmp_size // MiB} MiB"
        report.limits["$HOME"] = f"{limits.home_size // MiB} MiB"
    if cgroup.dirs:
        report.limits["cgroup"] = ", ".join(cgroup.limits)
        report.process_limit = f"pids cgroup, max {limits.processes}"
    else:
        report.process_limit = f"RLIMIT_NPROC {limits.processes}"
    layers.append("limits: " + ", ".join(f"{k} {v}" for k, v in report.limits.items()))
    report.layers = layers
    return report


def _chown_for_sandbox(layout: Layout) -> None:
    """As root, hand the writable directories to :data:`SANDBOX_UID`."""
    if not _as_root():
        return
    for top in (layout.src, layout.state, layout.home, layout.tmp):
        os.lchown(top, SANDBOX_UID, SANDBOX_UID)
        for dirpath, dirnames, filenames in os.walk(top):
            for name in dirnames + filenames:
                os.lchown(os.path.join(dirpath, name), SANDBOX_UID, SANDBOX_UID)
