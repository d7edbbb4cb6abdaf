"""Start a sandboxed build and see it end: its cgroup, its status descriptor, the watch on
what it writes, the timeout, and the sweep that leaves no process behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from . import beneath
from .layout import LIMITS, Layout, Limits


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


class Cgroup:
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


def kill_marked(marker: bytes) -> int:
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


def _disk_use(roots: Sequence[Path], limit_files: int) -> tuple[int, int]:
    """(bytes, entries) under ``roots``, each walked by descriptors, never through a symlink
    (the build may swap a directory for a link to ``/`` while it is looked at). A file
    counts for the larger of its apparent size and its blocks (a sparse file for what it
    claims, a preallocated one for what it holds). A directory the build made unreadable
    is opened up first (its files are the caller's, or root reads them anyway)."""
    total = entries = 0
    for root in roots:
        try:
            root_fd = beneath.open_root(root)
        except OSError:
            continue
        try:
            stack = [""]
            while stack and entries <= limit_files:
                rel = stack.pop()
                for name, st in _listing(root_fd, rel):
                    entries += 1
                    total += max(st.st_size, st.st_blocks * 512)
                    if stat.S_ISDIR(st.st_mode):
                        stack.append(f"{rel}/{name}" if rel else name)
        finally:
            os.close(root_fd)
    return total, entries


def _listing(root_fd: int, rel: str) -> list[tuple[str, os.stat_result]]:
    """The entries of the directory ``rel`` beneath ``root_fd`` (none if it is gone)."""
    for attempt in (1, 2):
        try:
            fd = beneath.open_dir(root_fd, rel)
        except PermissionError:
            if attempt == 2 or not _open_up(root_fd, rel):
                return []
            continue
        except OSError:
            return []
        try:
            return [(n, os.stat(n, dir_fd=fd, follow_symlinks=False)) for n in os.listdir(fd)]
        except OSError:
            return []
        finally:
            os.close(fd)
    return []


def _open_up(root_fd: int, rel: str) -> bool:
    """chmod 0700 the directory ``rel`` (itself, not a symlink in its place)."""
    parent, _, name = rel.rpartition("/")
    try:
        pfd = beneath.open_dir(root_fd, parent)
    except OSError:
        return False
    try:
        fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=pfd)
    except OSError:
        return False
    finally:
        os.close(pfd)
    try:
        os.chmod(f"/proc/self/fd/{fd}", 0o700)  # the directory this descriptor holds
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _free(path: Path) -> int:
    """Bytes free for unprivileged users on the filesystem of ``path``."""
    try:
        st = os.statvfs(path)
    except OSError:
        return 0
    return st.f_bavail * st.f_frsize


#: How often the watch looks at what the build wrote (seconds).
WATCH_INTERVAL = 0.1


def launch(
    argv: Sequence[str], layout: Layout, *, timeout: float, status: bool = True,
    limits: Limits = LIMITS, cgroup: Cgroup | None = None,
    watch: Sequence[Path] = (), setsid: bool = False, stopped: list[str] | None = None,
    env_data: bytes | None = None, cwd: Path | None = None,
) -> tuple[int, str, str]:  # fmt: skip
    """Start ``argv`` with an empty environment; (exit status, output, status text).

    The status descriptor (the write end of a pipe) replaces ``{status_fd}`` in ``argv``,
    and a sealed memory file holding ``env_data`` (the build's environment, which only
    confine.py reads, after the layers are in force) ``{env_fd}``; bubblewrap's arguments,
    when ``argv`` starts with ``--args-file``, come from a sealed memory file too.
    """
    read_status, write_status = os.pipe() if status else (-1, -1)
    keep = [write_status] if status else []
    cg_fds = cgroup.procs_fds() if cgroup is not None else []
    env_fd = _sealed(env_data) if env_data is not None else -1
    if env_fd >= 0:
        keep.append(env_fd)
    argv = [a.replace("{status_fd}", str(write_status)).replace("{env_fd}", str(env_fd))
            for a in argv]  # fmt: skip
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
            argv, env={}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, pass_fds=keep, cwd=str(cwd or layout.root),
            preexec_fn=child if (cg_fds or setsid) else None,
        )  # fmt: skip
    finally:
        for fd in (*cg_fds, *([write_status] if status else []), args_fd, env_fd):
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
    free_at_start = _free(watch[0]) if watch else 0
    while True:
        try:
            proc.wait(timeout=WATCH_INTERVAL)
            break
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() > deadline:
            timed_out = True
            break
        if watch and stopped is not None:
            try:
                used, entries = _disk_use(watch, limits.disk_files)
            except Exception:  # the watch must never end the parent; the next look counts
                continue
            # the filesystem as a whole too: whatever the walk cannot see still takes space
            lost = free_at_start - _free(watch[0]) if free_at_start else 0
            if used > limits.disk or entries > limits.disk_files:
                stopped.append(
                    f"the build wrote more than {limits.disk:,} bytes or {limits.disk_files:,}"
                    " files where it may write"
                )
                break
            if lost > 2 * limits.disk:
                stopped.append(
                    f"the filesystem of the build's directory lost more than "
                    f"{2 * limits.disk:,} bytes of free space while it ran (by the build, or by "
                    "something else on this machine)"
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
    """A descriptor holding ``data``: a memfd sealed against writes, growth and shrinking
    where the kernel has them, else a deleted temporary file."""
    try:
        fd = os.memfd_create("pipespec-args", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    except (AttributeError, OSError):
        fd, name = tempfile.mkstemp(prefix="pipespec-args-")
        os.unlink(name)
        sealed = False
    else:
        sealed = True
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    if sealed:
        seals = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd
