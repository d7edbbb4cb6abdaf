"""The last step inside the sandbox: resource limits, then Landlock, then ``exec``.

Run as a script (``python -I -S confine.py [--drop-caps UID] --rlimit NAME=N ... --ro DIR
... --rw DIR ... --status-fd N --env-fd N -- COMMAND ...``), with an empty environment, by
:mod:`pipespec.run.sandbox` *inside* bubblewrap, after bubblewrap has built the namespaces
and mounts (Landlock forbids mounting, so it must come last; that order is also what lets
an unprivileged user run it). It uses the standard library only, so nothing of the
caller's environment is imported; the build's environment arrives on ``--env-fd`` and is
given to the command only by the final ``execve``.

* **user**: as root, ``--drop-caps UID`` empties the capability bounding set, switches to
  an unprivileged uid and gid (``-1``: stays uid 0) and clears every capability set.
* **rlimits**: each ``--rlimit`` is set as both soft and hard limit (``RLIMIT_AS``,
  ``RLIMIT_FSIZE``, ``RLIMIT_NOFILE``, ``RLIMIT_NPROC``, ``RLIMIT_CPU``, ``RLIMIT_CORE``).
* **no_new_privs**, so nothing the commands run can gain privileges (setuid binaries).
* **Landlock** (Linux >= 5.13), when the kernel has it: reads and execution only beneath
  the ``--ro`` and ``--rw`` directories, writes only beneath ``--rw``; TCP bind and connect
  denied (ABI >= 4); signals and abstract Unix sockets scoped to the sandbox (ABI >= 6).

Every layer is fatal when it fails: the command is never started half-confined. What was
applied is written to the status descriptor as one line, ``layers landlock=ABI rlimits=...``,
which the parent reads (the commands cannot: the driver closes that descriptor for them).
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import signal
import sys
from collections.abc import Sequence

# Landlock (include/uapi/linux/landlock.h); the same numbers on x86_64 and aarch64
_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446
_PR_SET_NO_NEW_PRIVS, _PR_CAPBSET_DROP = 38, 24
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_RULE_PATH_BENEATH = 1
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1, 2, 4, 8
_FS_WRITE_ALL = sum(1 << i for i in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12))  # write/make/remove
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_RIGHTS = _FS_EXECUTE | _FS_READ_FILE | _FS_WRITE_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1, 2

RLIMITS = {
    "AS": resource.RLIMIT_AS,
    "FSIZE": resource.RLIMIT_FSIZE,
    "NOFILE": resource.RLIMIT_NOFILE,
    "NPROC": resource.RLIMIT_NPROC,
    "CPU": resource.RLIMIT_CPU,
    "CORE": resource.RLIMIT_CORE,
}


class SetupError(Exception):
    """A layer could not be applied: the command must not run."""


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


def _fail(what: str) -> SetupError:
    err = ctypes.get_errno()
    return SetupError(f"{what}: {os.strerror(err) if err else 'failed'}")


def landlock_prepare(writable: Sequence[str], readable: Sequence[str]) -> tuple[int, int]:
    """A Landlock ruleset for these paths: (its descriptor, the ABI); (-1, 0) without Landlock.

    Built before privileges are dropped, so every path can still be opened. A path that
    does not exist is skipped (nothing to allow there); any other failure raises
    :class:`SetupError`.
    """
    libc = _libc()
    abi = landlock_abi()
    if libc is None or abi < 1:
        return -1, 0
    handled, read = _fs_rights(abi)
    net = (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0
    scoped = (_SCOPE_SIGNAL | _SCOPE_ABSTRACT_UNIX) if abi >= 6 else 0
    attr = _RulesetAttr(handled, net, scoped)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    fd = libc.syscall(_SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        raise _fail("landlock_create_ruleset")
    try:
        for paths, rights in ((readable, read), (writable, handled)):
            for path in paths:
                try:
                    pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise SetupError(f"Landlock rule for {path}: {exc.strerror}") from None
                try:
                    allowed = rights if os.path.isdir(path) else rights & _FILE_RIGHTS
                    rule = _PathBeneath(allowed & handled, pfd)
                    if libc.syscall(_SYS_ADD_RULE, fd, _RULE_PATH_BENEATH, ctypes.byref(rule), 0):
                        raise _fail(f"landlock_add_rule {path}")
                finally:
                    os.close(pfd)
    except BaseException:
        os.close(fd)
        raise
    return int(fd), abi


def landlock_enforce(fd: int) -> None:
    """Enforce a prepared ruleset on the calling process (after ``no_new_privs``)."""
    libc = _libc()
    if fd < 0 or libc is None:
        return
    try:
        if libc.syscall(_SYS_RESTRICT, fd, 0):
            raise _fail("landlock_restrict_self")
    finally:
        os.close(fd)


def landlock(writable: Sequence[str], readable: Sequence[str]) -> int:
    """Restrict the calling process with Landlock; the ABI applied (0: no Landlock here)."""
    fd, abi = landlock_prepare(writable, readable)
    no_new_privs()
    landlock_enforce(fd)
    return abi


def no_new_privs() -> None:
    libc = _libc()
    if libc is not None and libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
        raise _fail("prctl(PR_SET_NO_NEW_PRIVS)")


def drop_caps(uid: int = -1) -> None:
    """As root: empty the capability bounding set, become ``uid`` (and its group) when given,
    and clear every capability set, so that neither this process nor anything it executes
    (no_new_privs follows) has a capability, even as uid 0."""
    libc = _libc()
    if libc is None:  # pragma: no cover - not Linux
        raise SetupError("no libc: capabilities cannot be dropped")
    for cap in range(64):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) and ctypes.get_errno() != errno.EINVAL:
            raise _fail(f"prctl(PR_CAPBSET_DROP, {cap})")
    if uid >= 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        except OSError as exc:
            raise SetupError(f"cannot become uid {uid}: {exc.strerror}") from None
        if os.geteuid() != uid or os.getuid() != uid:
            raise SetupError(f"still uid {os.getuid()} after dropping to {uid}")
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all empty
    if libc.capset(header, data):
        raise _fail("capset")


def set_rlimits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        try:
            resource.setrlimit(RLIMITS[name], (value, value))
        except (KeyError, ValueError, OSError) as exc:
            raise SetupError(f"setrlimit RLIMIT_{name}={value}: {exc}") from None


def read_env(fd: int) -> dict[str, str]:
    """The build's environment: ``NAME=value`` entries separated by NUL, read from ``fd``
    (then closed). This process itself runs with an empty environment, so nothing in the
    build's (``LD_PRELOAD``, say) takes effect before the layers are in force."""
    if fd < 0:
        return {}
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    env = {}
    for entry in b"".join(chunks).split(b"\0"):
        name, sep, value = entry.partition(b"=")
        if sep and name:
            env[os.fsdecode(name)] = os.fsdecode(value)
    return env


def main(argv: Sequence[str]) -> int:
    limits: dict[str, int] = {}
    readable: list[str] = []
    writable: list[str] = []
    status_fd = -1
    drop: int | None = None
    env_fd = -1
    args = list(argv)
    while args and args[0] != "--":
        flag, value = args.pop(0), args.pop(0) if len(args) > 1 else ""
        if flag == "--rlimit":
            name, _, number = value.partition("=")
            limits[name] = int(number)
        elif flag == "--ro":
            readable.append(value)
        elif flag == "--rw":
            writable.append(value)
        elif flag == "--status-fd":
            status_fd = int(value)
        elif flag == "--env-fd":
            env_fd = int(value)
        elif flag == "--drop-caps":
            drop = int(value)  # -1: keep the uid
        else:
            print(f"pipespec sandbox: unknown option {flag}", file=sys.stderr)
            return 125
    command = args[1:]
    if not command:
        print("pipespec sandbox: no command", file=sys.stderr)
        return 125
    try:
        env = read_env(env_fd)
        ruleset, abi = landlock_prepare(writable, readable)
        if drop is not None:
            drop_caps(drop)
        set_rlimits(limits)
        no_new_privs()
        landlock_enforce(ruleset)
        if status_fd >= 0:
            done = ",".join(f"{k}={v}" for k, v in sorted(limits.items()))
            user = f"uid={os.getuid()}"
            os.write(status_fd, f"layers landlock={abi} {user} rlimits={done or '-'}\n".encode())
            if status_fd != 3:  # the driver writes its status to descriptor 3
                os.dup2(status_fd, 3)
                os.close(status_fd)
            os.set_inheritable(3, True)
        # nothing else of the parent's (bubblewrap's argument file, say) reaches the commands
        os.closerange(4 if status_fd >= 0 else 3, 1 << 16)
    except (SetupError, OSError) as exc:
        print(f"pipespec sandbox: a layer could not be applied: {exc}", file=sys.stderr)
        return 125
    for name in ("SIGPIPE", "SIGXFSZ"):  # Python ignores them; the commands must not
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    try:
        os.execve(command[0], command, env)
    except OSError as exc:
        print(f"pipespec sandbox: cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
