"""Where a dry run's files are and what it may use: :class:`Layout` and :class:`Limits`.

The low module of the sandbox: :mod:`pipespec.run.launch`, :mod:`pipespec.run.bwrap` and
:mod:`pipespec.run.sandbox` all use these, and import nothing of each other's from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The unprivileged user (and group) the commands run as when pipespec itself is root.
SANDBOX_UID = 65534

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
    disk: int = 2 * GiB  #: bytes the build may write where it may (the larger of apparent
    #: size and blocks), watched every 0.1 s
    disk_files: int = 100_000  #: files and directories it may make there, watched
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
