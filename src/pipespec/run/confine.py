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
* **seccomp**: a filter refuses the keyring calls (not namespaced: the caller's session
  keyring would be readable), io_uring, bpf, perf, userfaultfd, mounts, modules, kexec,
  swap, reboot and namespaces (:data:`DENIED`), sockets of other families than Unix, IP
  and netlink (AF_VSOCK is not namespaced), and kills other architectures' calls.
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


def no_new_privs() -> None:
    libc = _libc()
    if libc is not None and libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0):
        raise _fail("prctl(PR_SET_NO_NEW_PRIVS)")


# seccomp (include/uapi/linux/seccomp.h, filter.h, audit.h)
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2
_RET_KILL, _RET_ERRNO, _RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
_LD_ABS_W, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_BIT = 0x40000000
#: Namespace flags of clone(2): a build makes no namespaces (nor user namespaces to gain
#: capabilities in).
_CLONE_NEW = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000
_CLONE_NEW |= 0x40000000 | 0x00000080
#: Syscalls refused, by name: (x86_64 number, aarch64 number, errno). Keyrings are not
#: namespaced (the caller's session keyring would be readable); io_uring, bpf, perf and
#: userfaultfd are kernel attack surface no build needs; mounts, modules, kexec, swap,
#: reboot and namespaces are the machine's. clone3 answers ENOSYS, so the C library falls
#: back to clone, whose flags the filter can see.
DENIED = {
    "add_key": (248, 217, errno.ENOSYS), "request_key": (249, 218, errno.ENOSYS),
    "keyctl": (250, 219, errno.ENOSYS), "io_uring_setup": (425, 425, errno.ENOSYS),
    "io_uring_enter": (426, 426, errno.ENOSYS), "io_uring_register": (427, 427, errno.ENOSYS),
    "clone3": (435, 435, errno.ENOSYS), "bpf": (321, 280, errno.EPERM),
    "userfaultfd": (323, 282, errno.EPERM), "perf_event_open": (298, 241, errno.EPERM),
    "kexec_load": (246, 104, errno.EPERM), "kexec_file_load": (320, 294, errno.EPERM),
    "init_module": (175, 105, errno.EPERM), "finit_module": (313, 273, errno.EPERM),
    "delete_module": (176, 106, errno.EPERM), "mount": (165, 40, errno.EPERM),
    "umount2": (166, 39, errno.EPERM), "pivot_root": (155, 41, errno.EPERM),
    "open_tree": (428, 428, errno.EPERM), "move_mount": (429, 429, errno.EPERM),
    "fsopen": (430, 430, errno.EPERM), "fsconfig": (431, 431, errno.EPERM),
    "fsmount": (432, 432, errno.EPERM), "fspick": (433, 433, errno.EPERM),
    "mount_setattr": (442, 442, errno.EPERM), "unshare": (272, 97, errno.EPERM),
    "setns": (308, 268, errno.EPERM), "swapon": (167, 224, errno.EPERM),
    "swapoff": (168, 225, errno.EPERM), "reboot": (169, 142, errno.EPERM),
    "acct": (163, 89, errno.EPERM),
}  # fmt: skip
_CLONE = {"x86_64": 56, "aarch64": 220}
_SOCKET = {"socket": (41, 198), "socketpair": (53, 199)}
#: The socket families a build may open: AF_UNIX, AF_INET, AF_INET6, AF_NETLINK.
SOCKET_FAMILIES = (1, 2, 10, 16)


class _SockFilter(ctypes.Structure):
    _fields_ = (
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    )


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter)))


def seccomp_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The classic BPF filter for ``machine`` (``os.uname().machine``), as (code, jt, jf, k):
    another architecture (a 32-bit binary, x32) is killed, :data:`DENIED` answer their
    errno, clone with a namespace flag EPERM, a socket of another family than
    :data:`SOCKET_FAMILIES` EAFNOSUPPORT (AF_VSOCK would reach the hypervisor past the
    network namespace), everything else is allowed."""
    index = 0 if machine == "x86_64" else 1
    # (code, jump-if-true label, jump-if-false label, k): labels are resolved below
    code: list[tuple[int, str, str, int]] = [
        (_LD_ABS_W, "", "", 4), (_JEQ, "", "kill", _ARCH[machine]), (_LD_ABS_W, "", "", 0),
    ]  # fmt: skip
    if machine == "x86_64":
        code.append((_JGE, "kill", "", _X32_BIT))
    for _, numbers in sorted(DENIED.items()):
        code.append((_JEQ, f"errno {numbers[2]}", "", numbers[index]))
    code.append((_JEQ, "clone", "", _CLONE[machine]))
    for call in ("socket", "socketpair"):
        code.append((_JEQ, "socket", "", _SOCKET[call][index]))
    code.append((_RET, "", "", _RET_ALLOW))
    labels: dict[str, int] = {}
    labels["clone"] = len(code)
    code += [(_LD_ABS_W, "", "", 16), (_JSET, f"errno {errno.EPERM}", "", _CLONE_NEW),
             (_RET, "", "", _RET_ALLOW)]  # fmt: skip
    labels["socket"] = len(code)
    code.append((_LD_ABS_W, "", "", 16))  # the family, socket's first argument
    code += [(_JEQ, "allow", "", family) for family in SOCKET_FAMILIES]
    code.append((_RET, "", "", _RET_ERRNO | errno.EAFNOSUPPORT))
    labels["allow"] = len(code)
    code.append((_RET, "", "", _RET_ALLOW))
    for e in sorted({n[2] for n in DENIED.values()} | {errno.EPERM}):
        labels[f"errno {e}"] = len(code)
        code.append((_RET, "", "", _RET_ERRNO | e))
    labels["kill"] = len(code)
    code.append((_RET, "", "", _RET_KILL))

    def offset(label: str, at: int) -> int:
        return labels[label] - at - 1 if label else 0

    prog = [(op, offset(t, i), offset(f, i), k) for i, (op, t, f, k) in enumerate(code)]
    assert all(0 <= jt < 256 and 0 <= jf < 256 for _, jt, jf, _ in prog)
    return prog


def new_session_keyring() -> None:
    """Leave the caller's session keyring for a new, empty one (keyrings are not
    namespaced: without this the build would possess the caller's keys)."""
    machine = os.uname().machine
    libc = _libc()
    if libc is None or machine not in _ARCH:
        return
    keyctl = DENIED["keyctl"][0 if machine == "x86_64" else 1]
    if libc.syscall(keyctl, 1, None) < 0 and ctypes.get_errno() not in (errno.ENOSYS,):
        raise _fail("keyctl(KEYCTL_JOIN_SESSION_KEYRING)")  # 1: join a new anonymous one


def seccomp() -> bool:
    """Install the filter (after no_new_privs); False where the architecture is unknown."""
    machine = os.uname().machine
    libc = _libc()
    if libc is None or machine not in _ARCH:
        return False
    program = seccomp_program(machine)
    filters = (_SockFilter * len(program))(*(_SockFilter(*ins) for ins in program))
    fprog = _SockFprog(len(program), filters)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0):
        raise _fail("prctl(PR_SET_SECCOMP)")
    return True


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
        new_session_keyring()
        ruleset, abi = landlock_prepare(writable, readable)
        if drop is not None:
            drop_caps(drop)
        set_rlimits(limits)
        no_new_privs()
        landlock_enforce(ruleset)
        filtered = seccomp()
        if status_fd >= 0:
            done = ",".join(f"{k}={v}" for k, v in sorted(limits.items()))
            user = f"uid={os.getuid()}"
            line = f"layers landlock={abi} seccomp={int(filtered)} {user} rlimits={done or '-'}"
            os.write(status_fd, (line + "\n").encode())
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
