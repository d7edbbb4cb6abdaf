"""Files opened beneath a root directory, never through a symlink that leads out of it.

Everything the dry run's parent process reads or writes on behalf of a source tree (the
copy of the source, the artifacts, the deploy templates, the stand-ins' call log) goes
through here, because the tree is untrusted: its commands may have replaced any file with
a symlink to ``/root/.aws``, ``/proc/self/environ`` or ``../../..``.

* :func:`open_beneath` resolves a relative path against a directory descriptor with
  ``openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`` (Linux >= 5.6): symlinks are
  followed only while they stay beneath the root, and ``/proc`` magic links never. Where
  the kernel lacks ``openat2`` (or a seccomp filter refuses it), a component-by-component
  walk with ``O_NOFOLLOW`` does the same: a symlink's target is read and resolved
  lexically against the directories walked so far, and an absolute target or a ``..``
  above the root is refused.
* :func:`read_regular` reads only regular files (``O_NONBLOCK``, then ``fstat``: a FIFO
  never blocks the reader, a device or socket is refused), and at most ``limit`` bytes.
* :func:`walk` lists a tree without following any symlink, with each entry's type and
  apparent size (``st_size``: a sparse file counts for what it claims, not for its blocks).

An escape is :class:`Escape`, a non-regular file :class:`NotRegular`, too much data
:class:`TooLarge`: all are :class:`OSError`, so callers report them as one clear line.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import stat
import sys
from collections.abc import Iterator
from typing import NamedTuple

_SYS_OPENAT2 = 437  # the same number on x86_64, aarch64 and the generic syscall table
_RESOLVE_NO_MAGICLINKS, _RESOLVE_NO_SYMLINKS, _RESOLVE_BENEATH = 0x02, 0x04, 0x08
_MAX_SYMLINKS = 40  # as the kernel's own limit (ELOOP)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_PATH = getattr(os, "O_PATH", 0)


class Escape(OSError):
    """The path (or a symlink on it) leads outside the root."""

    def __init__(self, path: str, detail: str = "leads outside its root directory") -> None:
        super().__init__(errno.EXDEV, detail, path)


class NotRegular(OSError):
    """Not a regular file: a directory, FIFO, socket or device."""

    def __init__(self, path: str, mode: int) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind_of(mode)})", path)


class TooLarge(OSError):
    """More data than the caller's limit."""

    def __init__(self, path: str, limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than the {limit:,} byte limit", path)


def kind_of(mode: int) -> str:
    """A file type in words, for messages."""
    for test, word in (
        (stat.S_ISREG, "regular file"), (stat.S_ISDIR, "directory"),
        (stat.S_ISLNK, "symlink"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
    ):  # fmt: skip
        if test(mode):
            return word
    return "special file"


class _OpenHow(ctypes.Structure):
    _fields_ = (
        ("flags", ctypes.c_uint64),
        ("mode", ctypes.c_uint64),
        ("resolve", ctypes.c_uint64),
    )


_libc: ctypes.CDLL | None = None
#: Whether openat2 is used; None until the first call finds out. Tests set it to False to
#: exercise the portable walk.
use_openat2: bool | None = None if sys.platform.startswith("linux") else False


def _openat2(dirfd: int, path: str, flags: int, resolve: int = 0) -> int | None:
    """openat2 beneath ``dirfd`` (and ``resolve``'s flags); None when the kernel does not
    offer it."""
    global _libc, use_openat2
    if use_openat2 is False:
        return None
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
        except OSError:  # pragma: no cover - no libc
            use_openat2 = False
            return None
    how = _OpenHow(flags | _CLOEXEC, 0, _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS | resolve)
    fd = _libc.syscall(
        _SYS_OPENAT2, ctypes.c_int(dirfd), os.fsencode(path), ctypes.byref(how),
        ctypes.c_size_t(ctypes.sizeof(how)),
    )  # fmt: skip
    if fd >= 0:
        use_openat2 = True
        return int(fd)
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EPERM) and use_openat2 is None:
        use_openat2 = False  # no openat2, or a seccomp filter that refuses it
        return None
    if err == errno.EXDEV:
        raise Escape(path)
    if err == errno.EAGAIN:  # a concurrent rename; the walk is as good an answer
        return None
    raise OSError(err, os.strerror(err), path)


def _parts(path: str) -> list[str]:
    if path.startswith("/"):
        raise Escape(path, "is an absolute path")
    return [p for p in path.split("/") if p not in ("", ".")]


def _walk_open(dirfd: int, path: str, flags: int) -> int:
    """The portable equivalent of openat2(RESOLVE_BENEATH): one component at a time."""
    todo = _parts(path)
    stack = [os.dup(dirfd)]  # the directories walked so far; stack[0] is the root
    links = 0
    try:
        while todo:
            name = todo.pop(0)
            if name == "..":
                if len(stack) == 1:
                    raise Escape(path)
                os.close(stack.pop())
                continue
            here = stack[-1]
            try:
                st = os.stat(name, dir_fd=here, follow_symlinks=False)
            except FileNotFoundError:
                if todo or not flags & os.O_CREAT:
                    raise
                st = None
            if st is not None and stat.S_ISLNK(st.st_mode):
                links += 1
                if links > _MAX_SYMLINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
                target = os.readlink(name, dir_fd=here)
                todo = _parts(target) + todo  # an absolute target escapes
                continue
            if todo:
                if st is None or not stat.S_ISDIR(st.st_mode):
                    raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
                stack.append(os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                                     | _CLOEXEC, dir_fd=here))  # fmt: skip
                continue
            # the last component: O_NOFOLLOW, so a symlink swapped in since is refused
            return os.open(name, flags | os.O_NOFOLLOW | _CLOEXEC, 0o644, dir_fd=here)
        # the path named the root itself, or a directory reached through ".."
        return os.open(".", flags | _CLOEXEC, dir_fd=stack[-1])
    finally:
        for fd in stack:
            os.close(fd)


def open_beneath(dirfd: int, path: str, flags: int = os.O_RDONLY) -> int:
    """Open ``path`` (relative) beneath the directory ``dirfd``; :class:`Escape` if it leaves.

    ``O_CREAT`` creates the last component (never through a symlink); symlinks on the way
    are followed only while they stay beneath the root.
    """
    _parts(path)  # refuse an absolute path before anything is opened
    if not flags & os.O_CREAT:
        fd = _openat2(dirfd, path or ".", flags)
        if fd is not None:
            return fd
    return _walk_open(dirfd, path, flags)


def open_root(path: str | os.PathLike[str]) -> int:
    """A directory descriptor for a root given by the caller (who trusts it)."""
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)


def read_regular(dirfd: int, path: str, limit: int) -> bytes:
    """The bytes of the regular file ``path`` beneath ``dirfd``, at most ``limit`` of them."""
    fd = open_beneath(dirfd, path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(path, st.st_mode)
        if st.st_size > limit:
            raise TooLarge(path, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise TooLarge(path, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


class Entry(NamedTuple):
    """One file met by :func:`walk`: its path relative to the root, type and apparent size."""

    path: str
    mode: int
    size: int

    @property
    def is_file(self) -> bool:
        return stat.S_ISREG(self.mode)

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)

    @property
    def is_symlink(self) -> bool:
        return stat.S_ISLNK(self.mode)


def open_dir(dirfd: int, path: str) -> int:
    """The directory ``path`` beneath ``dirfd``, reached through no symlink at all
    (``RESOLVE_NO_SYMLINKS``, or ``O_NOFOLLOW`` at every step)."""
    if not path:
        return os.dup(dirfd)
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
    found = _openat2(dirfd, path, flags, _RESOLVE_NO_SYMLINKS)
    if found is not None:
        return found
    return _descend(dirfd, path, create=False)


def _descend(dirfd: int, path: str, *, create: bool) -> int:
    """``path`` beneath ``dirfd`` one directory at a time, never through a symlink or
    ``..`` (and making the missing ones when ``create``); a descriptor for the last."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
    fd = os.dup(dirfd)
    try:
        for name in _parts(path):
            if name == "..":
                raise Escape(path)
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o755, dir_fd=fd)
            sub = os.open(name, flags, dir_fd=fd)
            os.close(fd)
            fd = sub
        return fd
    except BaseException:
        os.close(fd)
        raise


def walk(
    dirfd: int, limit: int, skip: frozenset[str] = frozenset(), errors: list[str] | None = None
) -> Iterator[Entry]:
    """Every entry beneath ``dirfd`` (directories before their contents, names sorted),
    without following symlinks; at most ``limit`` entries, else :class:`TooLarge`.

    Names in ``skip`` are not entered at the top level (``.git``). A directory is opened
    only when its turn comes and closed before the next, so a tree of any breadth or depth
    costs two descriptors. A directory that cannot be read raises, or, when ``errors`` is
    a list, is noted there (``path: reason``) and left out.
    """
    count = 0
    pending = [""]  # directories still to list, as paths beneath dirfd
    while pending:
        prefix = pending.pop()
        try:
            fd = open_dir(dirfd, prefix.rstrip("/"))
            try:
                names = sorted(os.listdir(fd))
                stats = [(name, os.stat(name, dir_fd=fd, follow_symlinks=False))
                         for name in names if prefix or name not in skip]  # fmt: skip
            finally:
                os.close(fd)
        except TooLarge:
            raise
        except OSError as exc:
            if errors is None:
                raise
            errors.append(f"{prefix.rstrip('/') or '.'}: {exc.strerror or exc}")
            continue
        below = []
        for name, st in stats:
            count += 1
            if count > limit:
                raise TooLarge(prefix or ".", limit)
            rel = prefix + name
            yield Entry(rel, st.st_mode, st.st_size)
            if stat.S_ISDIR(st.st_mode):
                below.append(rel + "/")
        pending.extend(reversed(below))


def make_dirs(dirfd: int, path: str) -> int:
    """``mkdir -p path`` beneath ``dirfd`` (no symlink followed); a descriptor for it."""
    return _descend(dirfd, path, create=True)


def write_new(dirfd: int, path: str, data: bytes) -> None:
    """Create the file ``path`` beneath ``dirfd`` (its directories too) and write ``data``.

    The file must not exist yet (``O_EXCL``), so nothing already there, a symlink least of
    all, is written through.
    """
    _create(dirfd, path, data, -1, 0)


def copy_new(dirfd: int, path: str, src_fd: int, size: int) -> None:
    """Like :func:`write_new`, with the first ``size`` bytes of ``src_fd`` (1 MiB at a time)."""
    _create(dirfd, path, b"", src_fd, size)


def _create(dirfd: int, path: str, data: bytes, src_fd: int, size: int) -> None:
    head, _, name = path.rpartition("/")
    if name in ("", ".", ".."):
        raise Escape(path, "is not a file name")
    parent = make_dirs(dirfd, head) if head else os.dup(dirfd)
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC,
                     0o644, dir_fd=parent)  # fmt: skip
        try:
            _write_all(fd, data)
            offset = 0
            while offset < size:
                chunk = os.pread(src_fd, min(1 << 20, size - offset), offset)
                if not chunk:
                    break
                _write_all(fd, chunk)
                offset += len(chunk)
        finally:
            os.close(fd)
    finally:
        os.close(parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
