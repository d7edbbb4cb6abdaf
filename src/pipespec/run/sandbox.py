"""Run a command in a sandbox: scrubbed environment, timeout, no network, no writes outside.

What is applied depends on the kernel, and :class:`Report` says what was:

* **network**: the command runs under ``unshare --net`` (a network namespace with only a
  downed loopback) when that works; otherwise, when Landlock ABI >= 4 is available, TCP
  bind/connect are denied;
* **filesystem** (Landlock, Linux >= 5.13): writes only beneath the run's temporary
  directory (and ``/dev/null``); reads and execution only beneath the system directories,
  the Python installation and the run directory, so ``~/.aws`` and the caller's files are
  out of reach;
* **signals** (Landlock ABI >= 6): the command cannot signal processes outside the sandbox;
* **processes**: at most :data:`MAX_PROCESSES` at once (a ``pids`` cgroup where the
  cgroup filesystem is writable, else ``RLIMIT_NPROC``), so a fork bomb stays small;
* **time**: a timeout, after which the whole process group is killed; afterwards every
  process of the run's cgroup, and every process still carrying the run's marker in its
  environment, is killed too, so daemons that left the group (``setsid``) do not survive;
* **environment**: only what the caller passes (no inherited secrets).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Landlock (include/uapi/linux/landlock.h)
_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446  # x86_64 and aarch64 alike
_PR_SET_NO_NEW_PRIVS = 38
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1, 2, 4, 8
_FS_WRITE_ALL = sum(1 << i for i in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12))  # write/make/remove
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1, 2

#: At most this many processes run at once inside the sandbox.
MAX_PROCESSES = 256

#: At most this much output is kept (the rest of a runaway log is dropped).
MAX_OUTPUT = 4 * 1024 * 1024

READABLE_ROOTS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc",
                  "/sys", "/dev", "/run")  # fmt: skip


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no libc
        return None


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is unavailable."""
    libc = _libc()
    if libc is None:
        return 0
    result = libc.syscall(_SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return int(result) if result > 0 else 0


def _fs_rights(abi: int) -> tuple[int, int]:
    """(all handled filesystem rights, the read/execute subset) for an ABI version."""
    read = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
    handled = read | _FS_WRITE_ALL | _FS_WRITE_FILE
    if abi >= 2:
        handled |= _FS_REFER
    if abi >= 3:
        handled |= _FS_TRUNCATE
    if abi >= 5:
        handled |= _FS_IOCTL_DEV
    return handled, read


def _restrict(writable: Sequence[str], readable: Sequence[str], deny_tcp: bool) -> None:
    """Apply a Landlock ruleset to the calling process (used in the child before exec)."""
    libc = _libc()
    abi = landlock_abi()
    if libc is None or abi < 1:
        return
    handled, read = _fs_rights(abi)
    attr = _RulesetAttr(handled, (_NET_BIND_TCP | _NET_CONNECT_TCP) if deny_tcp and abi >= 4 else 0,
                        (_SCOPE_SIGNAL | _SCOPE_ABSTRACT_UNIX) if abi >= 6 else 0)  # fmt: skip
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    fd = libc.syscall(_SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        return
    try:
        for paths, rights in ((readable, read), (writable, handled)):
            for path in paths:
                try:
                    pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    allowed = rights if os.path.isdir(path) else rights & (
                        _FS_EXECUTE | _FS_READ_FILE | _FS_WRITE_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
                    )  # fmt: skip
                    rule = _PathBeneath(allowed & handled, pfd)
                    libc.syscall(_SYS_ADD_RULE, fd, _RULE_PATH_BENEATH, ctypes.byref(rule), 0)
                finally:
                    os.close(pfd)
        libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        libc.syscall(_SYS_RESTRICT, fd, 0)
    finally:
        os.close(fd)


_UNSHARE_OK: bool | None = None


def network_namespace_available() -> bool:
    """Whether ``unshare --net`` works here (probed once)."""
    global _UNSHARE_OK
    if _UNSHARE_OK is None:
        unshare = shutil.which("unshare")
        ok = False
        if unshare:
            for argv in ([unshare, "--net", "true"], [unshare, "--net", "--map-root-user", "true"]):
                try:
                    ok = subprocess.run(argv, capture_output=True, timeout=10).returncode == 0
                except (OSError, subprocess.SubprocessError):
                    ok = False
                if ok:
                    break
        _UNSHARE_OK = ok
    return _UNSHARE_OK


def _unshare_prefix() -> list[str]:
    unshare = shutil.which("unshare") or "unshare"
    if os.geteuid() == 0:
        return [unshare, "--net"]
    return [unshare, "--net", "--map-root-user"]


@dataclass
class Report:
    """What a sandboxed run did and which protections were in force."""

    returncode: int
    output: str
    timed_out: bool
    seconds: float
    network_isolated: str
    filesystem: str
    leftover_killed: int = 0
    process_limit: str = ""
    notes: list[str] = field(default_factory=list)


def _pids_cgroup() -> Path | None:
    """A fresh ``pids`` cgroup limited to :data:`MAX_PROCESSES`, when one can be made."""
    name = f"pipespec-{os.getpid()}-{os.urandom(4).hex()}"
    for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if not (base / "cgroup.procs").exists():
            continue
        group = base / name
        try:
            group.mkdir()
        except OSError:
            continue
        try:
            (group / "pids.max").write_text(str(MAX_PROCESSES))
            return group
        except OSError:
            with contextlib.suppress(OSError):
                group.rmdir()
    return None


def _empty_cgroup(group: Path) -> int:
    """Kill everything in ``group`` (until it stays empty) and remove it."""
    killed = 0
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


def _kill_marked(marker: str) -> int:
    """Kill every process whose environment carries ``marker``; return how many."""
    killed = 0
    needle = marker.encode()
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except (OSError, ValueError):
            continue
    return killed


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    root: Path,
    timeout: float,
    isolate_network: bool = True,
    extra_readable: Sequence[str] = (),
) -> Report:
    """Run ``argv`` confined to ``root`` (writable) with ``env`` only, for at most ``timeout`` s."""
    marker = f"PIPESPEC_SANDBOX={os.urandom(8).hex()}"
    env = {**env, marker.split("=")[0]: marker.split("=")[1]}
    abi = landlock_abi()
    prefix: list[str] = []
    net = "none"
    if isolate_network and network_namespace_available():
        prefix, net = _unshare_prefix(), "network namespace (unshare --net)"
    elif isolate_network and abi >= 4:
        net = "Landlock: TCP bind/connect denied"
    deny_tcp = isolate_network and not prefix and abi >= 4
    python_dirs = {sys.base_prefix, sys.prefix, sys.exec_prefix}
    readable = [*READABLE_ROOTS, *sorted(python_dirs), *extra_readable]
    writable = [str(root), "/dev/null", "/dev/tty", "/dev/zero", "/dev/full"]
    fs = f"Landlock ABI {abi}: writes only under the run directory" if abi else "none"

    group = _pids_cgroup()

    def child() -> None:
        os.setsid()
        if group is not None:
            with open(group / "cgroup.procs", "w") as fh:
                fh.write(str(os.getpid()))
        else:
            resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
        _restrict(writable, readable, deny_tcp)

    preexec: Callable[[], None] = child
    started = time.monotonic()
    proc = subprocess.Popen(
        [*prefix, *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        bufsize=0,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=preexec,
    )
    chunks: list[bytes] = []

    def read() -> None:
        stream = proc.stdout
        assert stream is not None
        for chunk in iter(lambda: stream.read(65536), b""):
            if sum(map(len, chunks)) < MAX_OUTPUT:
                chunks.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    # the command is over (or out of time): nothing it started may outlive it
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    killed = _empty_cgroup(group) if group is not None else 0
    killed += _kill_marked(marker)
    proc.wait()
    reader.join(timeout=5)
    if proc.stdout is not None:
        proc.stdout.close()
    out = b"".join(chunks)[:MAX_OUTPUT]
    text = out.decode("utf-8", errors="replace") if out else ""
    return Report(
        returncode=proc.returncode if not timed_out else 124,
        output=text,
        timed_out=timed_out,
        seconds=time.monotonic() - started,
        network_isolated=net,
        filesystem=fs,
        leftover_killed=killed,
        process_limit=f"pids cgroup, max {MAX_PROCESSES}"
        if group is not None
        else f"RLIMIT_NPROC {MAX_PROCESSES} (not enforced for root)",
    )
