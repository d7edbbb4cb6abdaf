"""The bubblewrap command line, and the probe that tells whether it isolates here.

See :mod:`pipespec.run.sandbox` for the layers; this module builds the outer one.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .launch import launch
from .layout import INSIDE_HOME, INSIDE_SRC, INSIDE_STATE, INSIDE_TOOLS, LIMITS, Layout, Limits

#: The /etc files a shell and the usual tools need; nothing with a secret (no shadow, no
#: ssh keys, no machine-id).
ETC_FILES = ("passwd", "group", "nsswitch.conf", "hosts", "host.conf", "ld.so.cache",
             "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "alternatives",
             "os-release", "debian_version", "protocols", "services", "mime.types",
             "locale.alias", "inputrc", "bash.bashrc", "profile", "shells", "magic")  # fmt: skip
#: System directories bound read-only (or recreated as the same symlinks).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def _which(name: str) -> str | None:
    """``name`` on PATH, absolute entries only (a relative entry would find a program
    planted in the checked-out tree). Only PATH: a caller that leaves bwrap off it (a
    test, a CI step) gets the refusal, as it asked."""
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
        probe = [*argv(bwrap, layout), "/bin/sh", "-c", _PROBE, "probe", str(canary)]
        try:
            done = launch(probe, layout, timeout=20, status=False)
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


def as_root() -> bool:
    return os.geteuid() == 0


def argv(bwrap: str, layout: Layout, limits: Limits = LIMITS) -> list[str]:
    """The bubblewrap command line (without the command), documented in the module."""
    args = [bwrap]
    if as_root():
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
    for prefix in python_dirs():
        args += _python_binds(prefix)
    args += ["--ro-bind", str(layout.tools), INSIDE_TOOLS]
    args += ["--bind", str(layout.state), INSIDE_STATE]
    for parent in ("/codebuild", "/codebuild/output"):
        args += ["--perms", "0755", "--dir", parent]
    args += ["--bind", str(layout.src), INSIDE_SRC, "--chdir", INSIDE_SRC]
    args += ["--remount-ro", "/"]
    # no --setenv: the build's environment reaches confine.py on a descriptor, and the
    # commands only once every layer is in force (LD_PRELOAD must not run confine.py)
    return args


def python_dirs() -> list[str]:
    """The Python installation the stand-ins and confine.py run with (-I: no site-packages),
    when it is not already under /usr."""
    prefix = os.path.realpath(sys.base_prefix)
    return [] if prefix == "/usr" or prefix.startswith("/usr/") else [prefix]


def _python_binds(prefix: str) -> list[str]:
    """Only what ``python -I -S`` needs of an installation outside /usr: the interpreter,
    libpython and the standard library, with site-packages hidden (a conda or ``--prefix
    $HOME`` installation holds much more than that, tokens included)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    lib = os.path.join(prefix, "lib")
    stdlib = os.path.join(lib, version)
    wanted = [python(), stdlib]
    with contextlib.suppress(OSError):
        wanted += [os.path.join(lib, n) for n in sorted(os.listdir(lib))
                   if n.startswith("libpython") and ".so" in n]  # fmt: skip
    args: list[str] = []
    made: set[str] = {"/", INSIDE_HOME}
    for path in wanted:
        if not path.startswith(prefix + "/") or not os.path.exists(path):
            continue
        for parent in reversed([str(p) for p in Path(path).parents]):
            if parent not in made:
                made.add(parent)
                args += ["--perms", "0755", "--dir", parent]  # bwrap would make them 0700
        args += ["--ro-bind", path, path]
    site = os.path.join(stdlib, "site-packages")
    if os.path.isdir(site):
        args += ["--perms", "0755", "--tmpfs", site]  # hidden: -S never imports from it
    return args


def python() -> str:
    """The interpreter that runs inside the sandbox (the real file, not a venv's link)."""
    return os.path.realpath(sys.executable)


# --------------------------------------------------------------------------- cgroups
