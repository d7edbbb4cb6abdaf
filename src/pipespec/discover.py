"""Which files a check reads: the paths given, the files found in directories by name,
each with its kind and the path findings show (:func:`discover`); the files beside a file
named on the command line that the cross-file rules read (:func:`siblings`); the
repository a path is in (:func:`repository_root`).

Directory walks on the command line honour ``.gitignore``: in a git work tree, the files
are those ``git ls-files --cached --others --exclude-standard`` lists (git applies every
ignore file, ``.git/info/exclude`` and the user's ``core.excludesFile``); elsewhere, or
when git is not installed, the ``.gitignore`` files of the tree (and of the directories
above it, up to the repository's root when there is one) are read with the ``pathspec``
library. Only git knows the user's and the repository's own exclude settings; only
pathspec works without git or outside a repository.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import catalog

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

#: Directories never searched when a directory is given: version control, tool caches,
#: virtual environments and build output. Every other directory is searched, those
#: whose names start with a dot included (``.codebuild/buildspec.yml``).
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", ".nox", ".tox", ".venv", "venv",
     "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
     ".hypothesis", ".cache", ".eggs", ".idea", ".vscode", ".aws-sam", ".serverless",
     ".terraform", ".direnv", "_build", "build", "dist"}
)  # fmt: skip
#: What the standard input is shown as when no ``--stdin-filename`` names it.
STDIN = "<stdin>"


class UsageError(Exception):
    """Bad arguments (exit code 2): an unknown kind, a missing path."""


def _kind(name: str) -> catalog.Kind:
    try:
        return catalog.KINDS[name]
    except KeyError:
        raise UsageError(
            f"unknown kind {name!r} (choose from {', '.join(catalog.KINDS)})"
        ) from None


class Found(NamedTuple):
    """A file to check (see :func:`discover`)."""

    path: Path
    #: the path as findings show it
    shown: str
    #: None when the name says nothing (``PS001``)
    kind: catalog.Kind | None
    #: where a symbolic link found in a directory leads, when that is outside every path
    #: given: the link is not read (``PS004``)
    outside: str | None = None
    #: named on the command line: the other files of its directory are read for the
    #: cross-file rules (:func:`siblings`)
    siblings: bool = False
    #: the file's content, when it does not come from ``path`` (the standard input)
    data: bytes | None = None
    #: read only for the cross-file rules: its own findings are not reported
    context: bool = False


class Stdin(NamedTuple):
    """The standard input, read: ``-`` among the paths stands for it."""

    data: bytes
    #: ``--stdin-filename``: decides the kind and the path shown (None: ``<stdin>``)
    name: str | None = None


def discover(
    paths: Iterable[str | Path | Found], kind: str | None = None, base: Path | None = None,
    *, stdin: Stdin | None = None, gitignore: bool = False, siblings: bool = False,
) -> list[Found]:  # fmt: skip
    """Files to check, with the path to show and the kind of each, each file once.

    A file named on the command line is always checked: as ``kind`` when given, else as
    its name says (None when the name says nothing), and when it is a symbolic link, what
    it points to (naming it is choosing it). In a directory, files are found by name, and
    ``kind`` keeps only the files of that kind; links to directories are not followed, and
    a link to a file outside every given path is not read (:attr:`Found.outside`);
    ``gitignore``: the files git ignores are left out. Paths are shown relative to ``base``
    (default: the current directory) when they are under it. ``-`` is the standard input
    (``stdin``). A :class:`Found` (a chunk of an earlier discovery) is kept as it is.
    ``siblings``: the files named mark their directory for :func:`siblings`.

    The files come grouped by directory (those named on the command line at the first
    place their directory comes), so that a chunk of whole directories is a run of them.
    """
    forced = _kind(kind) if kind is not None else None
    given = list(paths)
    roots = [os.path.realpath(p) for p in given if not isinstance(p, Found) and p != "-"]
    found: list[Found] = []
    seen: set[str] = set()
    shown = _Display(base)

    def add(entry: Found) -> None:
        if entry.shown not in seen:  # `pipespec check . sub`: sub's files once
            seen.add(entry.shown)
            found.append(entry)

    for item in given:
        if isinstance(item, Found):
            add(item)
            continue
        if item == "-":
            if stdin is None:
                raise UsageError("'-' (the standard input) is given twice or cannot be read")
            name, data, stdin = stdin.name, stdin.data, None
            p = Path(name) if name else Path(STDIN)
            detected = forced or (catalog.detect(p.name) if name else None)
            add(Found(p, shown(p) if name else STDIN, detected, None, bool(name) and siblings,
                      data))  # fmt: skip
            continue
        p = Path(item)
        if p.is_dir() and catalog.detect(p.name) is None:  # a dir named buildspec.yml: LD010
            for f in _files_under(p, gitignore):
                detected = catalog.detect(f.name)
                if detected is None or (forced is not None and detected is not forced):
                    continue
                add(Found(f, shown(f), detected, _outside(f, roots)))
        elif p.exists() or p.is_symlink():
            add(Found(p, shown(p), forced or catalog.detect(p.name), siblings=siblings))
        else:
            raise UsageError(f"no such file or directory: {item}")
    return _by_directory(found)


def _by_directory(found: list[Found]) -> list[Found]:
    """``found`` with the files of a directory together, in the order directories first
    come (a directory walk's files already are)."""
    groups: dict[str, list[Found]] = {}
    for f in found:
        groups.setdefault(os.path.dirname(f.path), []).append(f)
    return [f for group in groups.values() for f in group]


def siblings(files: Iterable[Found], display: _Display | None = None) -> list[Found]:
    """The files of a known kind beside those of ``files`` that ask for it
    (:attr:`Found.siblings`) and not among ``files``: what the cross-file rules read in a
    CodePipeline artifact root, when pre-commit or an editor passes one file of it. They
    are read (:attr:`Found.context`), never reported on: regular files only, not links
    out of the directory, found by name whatever ``.gitignore`` says (a build writes
    imagedefinitions.json, which git ignores, into the artifact the deploy reads)."""
    files = list(files)
    shown = display or _Display(None)
    taken = {f.shown for f in files}
    out: list[Found] = []
    done: set[str] = set()
    for f in files:
        directory = os.path.dirname(f.path)
        if not f.siblings or directory in done:
            continue
        done.add(directory)
        try:
            names = sorted(os.listdir(directory or "."))
        except OSError:
            continue
        real = os.path.realpath(directory or ".")
        for name in names:
            kind = catalog.detect(name)
            path = Path(directory, name)
            if kind is None or shown(path) in taken or not os.path.isfile(path):
                continue
            if _outside(path, [real]) is not None:
                continue
            taken.add(shown(path))
            out.append(Found(path, shown(path), kind, context=True))
    return out


def _outside(path: Path, roots: list[str]) -> str | None:
    """Where ``path`` leads when it is a symbolic link to somewhere outside every one of
    ``roots`` (real paths), else None. Such a link may point anywhere on the machine that
    runs the check (``/proc/self/environ``, a key): it is reported, never opened."""
    if not os.path.islink(path):
        return None
    target = os.path.realpath(path)
    for root in roots:
        if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
            return None
    return target


class _Display:
    """A path as shown: relative to ``base`` (default: the current directory) when it is
    under it, as given otherwise. Lexical, like ``Path.absolute().relative_to()``, but with
    the directory looked up once, not once per file."""

    def __init__(self, base: Path | None) -> None:
        self.cwd = os.getcwd()
        start = str(base.absolute()) if base is not None else self.cwd
        self.base = start
        self.prefix = start.rstrip("/") + "/"

    def __call__(self, p: Path) -> str:
        text = str(p)
        if text == ".":
            absolute = self.cwd
        else:
            absolute = text if os.path.isabs(text) else os.path.join(self.cwd, text)
        if absolute == self.base:
            return "."
        if absolute.startswith(self.prefix):
            return absolute[len(self.prefix) :]
        return p.as_posix()


# --------------------------------------------------------------------------- walking


def _files_under(top: Path, gitignore: bool) -> Iterator[Path]:
    """The files under ``top`` outside :data:`SKIP_DIRS`, as ``os.walk`` orders them (a
    directory's files, then its subdirectories, by name); ``gitignore``: not those git
    ignores."""
    if gitignore:
        listed = _git_listed(top)
        if listed is not None:
            yield from listed
            return
    yield from _walk(top, _Ignores.above(top) if gitignore else None)


def _walk(top: Path, ignores: _Ignores | None) -> Iterator[Path]:
    for root, dirs, files in os.walk(top, followlinks=False):
        if ignores is not None:
            ignores.enter(root)
        dirs[:] = sorted(
            d for d in dirs
            if d not in SKIP_DIRS and not (ignores and ignores.ignored(root, d, directory=True))
        )  # fmt: skip
        for name in sorted(files):
            if ignores is None or not ignores.ignored(root, name):
                yield Path(root, name)


#: Environment variables that would make git read another repository than the one the
#: directory is in (a git hook sets GIT_DIR and GIT_INDEX_FILE): ``git rev-parse
#: --local-env-vars``.
_GIT_LOCATION = (
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_CONFIG", "GIT_CONFIG_COUNT",
    "GIT_CONFIG_PARAMETERS", "GIT_DIR", "GIT_GRAFT_FILE", "GIT_IMPLICIT_WORK_TREE",
    "GIT_INDEX_FILE", "GIT_NAMESPACE", "GIT_NO_REPLACE_OBJECTS", "GIT_OBJECT_DIRECTORY",
    "GIT_PREFIX", "GIT_REPLACE_REF_BASE", "GIT_SHALLOW_FILE", "GIT_WORK_TREE",
)  # fmt: skip


def _git(directory: Path, *args: str, timeout: float = 120) -> bytes | None:
    """The output of ``git -C directory args``, or None when git is not installed, the
    directory is not in a work tree git will read, or git fails. ``core.fsmonitor`` is
    turned off: a repository's own configuration may name a program to run for it."""
    exe = _which("git")
    if exe is None:
        return None
    import subprocess  # only for a directory: checking files starts no process

    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION}
    try:
        done = subprocess.run(
            [exe, "-c", "core.fsmonitor=false", "-C", str(directory), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, timeout=timeout, check=False,
        )  # fmt: skip
    except (OSError, ValueError, subprocess.SubprocessError):  # ValueError: a NUL in the path
        return None
    return done.stdout if done.returncode == 0 else None


def _which(name: str) -> str | None:
    """``name`` on PATH, its relative directories (``.``, an empty entry) skipped: a
    ``git`` in the tree being checked is never the one run."""
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(directory, name)
        if os.path.isabs(directory) and os.access(candidate, os.X_OK) and os.path.isfile(candidate):
            return candidate
    return None


def _walk_key(relative: str) -> tuple[tuple[int, str], ...]:
    """``os.walk``'s order for a relative path: by directory, a directory's files first."""
    parts = relative.split("/")
    return (*((1, d) for d in parts[:-1]), (0, parts[-1]))


def _git_listed(top: Path, depth: int = 0) -> list[Path] | None:
    """The files git lists under ``top`` (tracked, and untracked but not ignored), in walk
    order; None when ``top`` is not in a git work tree (or git is not installed)."""
    out = _git(top, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".")
    if out is None:
        return None
    if not out and depth == 0 and _git(top, "check-ignore", "-q", ".") is not None:
        # the directory itself is ignored, and was named: its own ignore files only
        return list(_walk(top, _Ignores([])))
    names: list[str] = []
    inside = _Inside(top)
    for raw in dict.fromkeys(out.split(b"\0")):
        name = os.fsdecode(raw)
        if not name or any(part in SKIP_DIRS for part in name.rstrip("/").split("/")[:-1]):
            continue
        if not inside(name):
            continue  # an index entry under what is now a link to a directory, or worse
        path = Path(top, name)
        if path.is_symlink() and path.is_dir():
            continue  # a link to a directory is not followed, as in a walk
        if name.endswith("/") or path.is_dir():
            # a repository inside (a submodule, or one git does not track): its own files
            if path.name not in SKIP_DIRS and depth < 20:
                inner = _git_listed(path, depth + 1)
                if inner is None:
                    inner = list(_walk(path, _Ignores.above(path)))
                names += [p.relative_to(top).as_posix() for p in inner]
            continue
        if os.path.lexists(path):  # not a tracked file deleted from the work tree
            names.append(name)
    return [Path(top, n) for n in sorted(set(names), key=_walk_key)]


class _Inside:
    """Whether a path git lists (relative, with "/") is reached from ``top`` without going
    through a symbolic link to a directory or up with "..": git's index may still list
    ``sub/buildspec.yml`` after ``sub`` became a link to a directory outside the tree, and
    a walk does not follow such a link. Each directory is resolved once."""

    def __init__(self, top: Path) -> None:
        self.top = str(top)
        self.real = os.path.realpath(top)
        self.directories: dict[str, bool] = {"": True}

    def __call__(self, name: str) -> bool:
        directory = os.path.dirname(name.rstrip("/"))
        known = self.directories.get(directory)
        if known is None:
            plain = not os.path.isabs(directory) and os.path.normpath(directory) == directory
            known = plain and os.path.realpath(os.path.join(self.top, directory)) == (
                os.path.join(self.real, directory)
            )
            self.directories[directory] = known
        return known


class _Ignores:
    """The ``.gitignore`` files of a walk, read with ``pathspec``: those of the directories
    above it (up to the repository's root, when there is one: a ``.git`` beside them) and
    of each directory it enters. Later (deeper) files decide first, as in git."""

    def __init__(self, outer: list[tuple[str, GitIgnoreSpec]]) -> None:
        #: by directory (absolute): the ignore files that apply in it, least deep first
        self.specs: dict[str, list[tuple[str, GitIgnoreSpec]]] = {}
        self.outer = outer

    @classmethod
    def above(cls, top: Path) -> _Ignores:
        """For a walk of ``top``: with the ignore files of the directories above it, up
        to the repository's root (none when it is in no repository)."""
        start = os.path.abspath(top)
        chain: list[str] = []
        root: str | None = start if os.path.lexists(os.path.join(start, ".git")) else None
        current = start
        while root is None:
            parent = os.path.dirname(current)
            if parent == current:
                chain = []  # in no repository: only the tree's own ignore files
                break
            current = parent
            chain.append(current)
            if os.path.lexists(os.path.join(current, ".git")):
                root = current
        specs = []
        if root is not None:  # $GIT_DIR/info/exclude: below every .gitignore
            exclude = _read_spec(os.path.join(root, ".git", "info", "exclude"))
            if exclude is not None:
                specs.append((root, exclude))
        for directory in reversed(chain):
            spec = _read_spec(os.path.join(directory, ".gitignore"))
            if spec is not None:
                specs.append((directory, spec))
        outer = cls(specs)
        if outer.ignored(os.path.dirname(start), os.path.basename(start), directory=True):
            return cls([])  # an ignored directory, named: its own ignore files only, as with git
        return outer

    def enter(self, root: str) -> None:
        absolute = os.path.abspath(root)
        inherited = self.specs.get(os.path.dirname(absolute), self.outer)
        spec = _read_spec(os.path.join(absolute, ".gitignore"))
        self.specs[absolute] = [*inherited, (absolute, spec)] if spec is not None else inherited

    def ignored(self, root: str, name: str, *, directory: bool = False) -> bool:
        absolute = os.path.join(os.path.abspath(root), name)
        for base, spec in reversed(self.specs.get(os.path.abspath(root), self.outer)):
            relative = os.path.relpath(absolute, base).replace(os.sep, "/")
            decided = spec.check_file(relative + "/" if directory else relative).include
            if decided is not None:
                return decided
        return False


def _read_spec(path: str) -> GitIgnoreSpec | None:
    """The ignore file at ``path``; None when there is none or it is not a regular file (a
    FIFO would block the walk), or when it is a ``.gitignore`` that is a symbolic link,
    which git does not follow either."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if os.path.basename(path) == ".gitignore":
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with open(fd, encoding="utf-8", errors="surrogateescape", closefd=False) as fh:
            lines = fh.read(1 << 20).splitlines()
    except OSError:
        return None
    finally:
        os.close(fd)
    from pathspec import GitIgnoreSpec  # ~30 ms: only once there is an ignore file

    return GitIgnoreSpec.from_lines(lines)


def repository_root(path: str | Path) -> Path | None:
    """The top directory of the git work tree ``path`` is in (git's ``--show-toplevel``;
    when git is not installed or will not answer, the nearest directory at or above it
    with a ``.git``), or None outside one."""
    start = Path(os.path.abspath(path))
    directory = start if start.is_dir() else start.parent
    out = _git(directory, "rev-parse", "--show-toplevel")
    if out is not None and out.strip():
        return Path(os.fsdecode(out.rstrip(b"\n")))
    for candidate in (directory, *directory.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None
