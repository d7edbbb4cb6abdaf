"""``pipespec run`` on malicious source trees (``tests/hostile-pr/``), as the caller and, when
the caller is root, as an unprivileged user too.

Each case is a directory: a ``buildspec.yml`` (``@OUTSIDE@`` and friends are filled in
below) and a ``case.json`` that names the attack, the layer that stops it, the exit status
and what the output must (not) say. Whatever the case, every run must:

* end with exit status 0, 1 or 2, without a traceback, within its timeout; exit 2 is one
  ``pipespec: error:`` line;
* write nothing outside ``--out`` (the test's directory tree is compared before and
  after, the source included) and leave no run directory behind;
* let nothing of the caller's secrets into its output or ``--out``: a token sits in the
  caller's environment, in ``$HOME/.aws/credentials`` and in a file beside the source;
* leave no process behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness import processes_with

from pipespec.run import sandbox

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).with_name("hostile-pr")
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.json").is_file())
NOBODY = sandbox.SANDBOX_UID
IN_CI = bool(os.environ.get("CI"))

needs_bwrap = pytest.mark.skipif(
    not sandbox.isolation().ok and not IN_CI,
    reason=f"no sandbox here: {sandbox.isolation().problem}",
)


def _nobody_runner(tmp: Path) -> list[str]:
    """How to start ``python -m pipespec`` as an unprivileged user: Debian's python3 (the
    one running the tests may live under /root) with a world-readable copy of the package."""
    lib = tmp / "lib"
    shutil.copytree(ROOT / "src" / "pipespec", lib / "pipespec")
    for dirpath, _dirnames, filenames in os.walk(tmp):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    setpriv = shutil.which("setpriv")
    python = "/usr/bin/python3"
    argv = [setpriv or "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
            "/usr/bin/env", f"PYTHONPATH={lib}", python]  # fmt: skip
    probe = subprocess.run([*argv, "-c", "import yaml, pipespec.run"], capture_output=True)
    if setpriv is None or probe.returncode != 0:
        reason = f"cannot run pipespec as uid {NOBODY}: {probe.stderr.decode()[-200:]}"
        if IN_CI:
            pytest.fail(reason + " (.ci/run installs util-linux, python3 and python3-yaml)")
        pytest.skip(reason)
    return [*argv, "-m", "pipespec"]


@pytest.fixture(scope="module")
def runners() -> Iterator[dict[str, list[str]]]:
    tmp = Path(tempfile.mkdtemp(prefix="pipespec-runner-"))
    os.chmod(tmp, 0o755)
    found = {"caller": [sys.executable, "-m", "pipespec"]}
    if os.geteuid() == 0:
        with contextlib.suppress(pytest.skip.Exception):
            found["nobody"] = _nobody_runner(tmp)
    yield found
    shutil.rmtree(tmp, ignore_errors=True)


def _snapshot(base: Path, skip: set[str]) -> dict[str, tuple[int, int, int]]:
    seen = {}
    for dirpath, dirnames, filenames in os.walk(base):
        rel = os.path.relpath(dirpath, base)
        if rel == ".":
            dirnames[:] = [d for d in dirnames if d not in skip]
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            seen[os.path.join(rel, name)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return seen


class Tree:
    """A case laid out in a fresh directory: src/ (the case), outside/ (a secret, sockets),
    home/ (the caller's), out/ and tmp/ (the runner's)."""

    def __init__(self, case: str, user: str) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="pipespec-hostile-"))
        os.chmod(self.base, 0o755)
        self.token = "pipespec-secret-" + os.urandom(8).hex()
        self.spec: dict[str, Any] = json.loads((CORPUS / case / "case.json").read_text())
        self.outside = self.base / "outside"
        self.outside.mkdir(mode=0o755)
        (self.outside / "secret").write_text(f"aws_secret_access_key = {self.token}\n")
        home = self.base / "home"
        (home / ".aws").mkdir(parents=True)
        (home / ".aws" / "credentials").write_text(f"[default]\nkey = {self.token}\n")
        self.src = self.base / "src"
        shutil.copytree(CORPUS / case, self.src, ignore=shutil.ignore_patterns("case.json"))
        self.closers: list[socket.socket] = []
        self.values = {
            "@OUTSIDE_REL@": str(self.outside).lstrip("/"),
            "@OUTSIDE@": str(self.outside),
            "@SOCKET@": str(self.outside / "agent.sock"),
            "@ABSTRACT@": f"pipespec-test-{os.urandom(4).hex()}",
            "@PORT@": "9",
        }
        self._servers()
        self._setup(self.spec.get("setup", {}))
        for d in ("out", "tmp"):
            (self.base / d).mkdir(mode=0o777)
            os.chmod(self.base / d, 0o777)
        for dirpath, _, filenames in os.walk(self.base):
            os.chmod(dirpath, 0o755 if not dirpath.endswith(("out", "tmp")) else 0o777)
            for name in filenames:
                p = os.path.join(dirpath, name)
                if not os.path.islink(p) and stat.S_ISREG(os.lstat(p).st_mode):
                    os.chmod(p, 0o644)  # readable by the unprivileged user too
        if user == "nobody":
            os.chown(self.base / "out", NOBODY, NOBODY)
        self.env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "TMPDIR": str(self.base / "tmp"),
            "LANG": "C.UTF-8",
            "AWS_SECRET_ACCESS_KEY": self.token,
            "SSH_AUTH_SOCK": self.values["@SOCKET@"],
        }

    def _servers(self) -> None:
        if self.spec.get("setup", {}).get("unix_socket"):
            for address in (self.values["@SOCKET@"], "\0" + self.values["@ABSTRACT@"]):
                s = socket.socket(socket.AF_UNIX)
                s.bind(address)
                s.listen(8)
                self.closers.append(s)
            os.chmod(self.values["@SOCKET@"], 0o777)
        if self.spec.get("setup", {}).get("tcp"):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(8)
            self.closers.append(s)
            self.values["@PORT@"] = str(s.getsockname()[1])
        spec = self.src / "buildspec.yml"
        if spec.exists():
            text = spec.read_text()
            for key, value in self.values.items():
                text = text.replace(key, value)
            spec.write_text(text)

    def _setup(self, setup: dict[str, Any]) -> None:
        for name, target in setup.get("symlinks", {}).items():
            (self.src / name).unlink(missing_ok=True)
            os.symlink(target.replace("@OUTSIDE@", str(self.outside)), self.src / name)
        for name in setup.get("fifos", []):
            os.mkfifo(self.src / name)
        for name in setup.get("sockets", []):
            s = socket.socket(socket.AF_UNIX)
            s.bind(str(self.src / name))
            self.closers.append(s)
        for name, source in setup.get("compile", {}).items():
            cc = shutil.which("cc") or shutil.which("gcc")
            if cc is None:
                if IN_CI:
                    pytest.fail("no C compiler for the case's shared library")
                pytest.skip("no C compiler for the case's shared library")
            subprocess.run([cc, "-shared", "-fPIC", "-o", str(self.src / name),
                            str(self.src / source)], check=True)  # fmt: skip
        bomb = setup.get("alias_bomb")
        if bomb:
            text = "version: 0.2\nphases:\n  build:\n    commands:\n"
            text += f"      - &s {'A' * bomb['size']}\n" + "      - *s\n" * bomb["count"]
            (self.src / "buildspec.yml").write_text(text)
        for name, size in setup.get("sparse", {}).items():
            with open(self.src / name, "wb") as fh:
                fh.truncate(size)

    def close(self) -> None:
        for s in self.closers:
            s.close()
        # rm -rf: a tree deeper than Python's recursion limit, directories of mode 000
        subprocess.run(["chmod", "-R", "u+rwx", str(self.base)], capture_output=True)
        subprocess.run(["rm", "-rf", "--", str(self.base)], capture_output=True)


@needs_bwrap
@pytest.mark.parametrize("user", ["caller", "nobody"])
@pytest.mark.parametrize("case", CASES)
def test_hostile_tree(case: str, user: str, runners: dict[str, list[str]]) -> None:
    if user not in runners:
        pytest.skip("the caller is not root: its runs are the unprivileged runs")
    tree = Tree(case, user)
    try:
        _check(tree, runners[user])
    finally:
        tree.close()


#: Starts the command with a session keyring of its own holding the token (argv[1]).
WITH_SESSION_KEY = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
keyctl, add_key = (250, 248) if os.uname().machine == "x86_64" else (219, 217)
assert libc.syscall(keyctl, 1, b"pipespec-test") > 0, os.strerror(ctypes.get_errno())
token = sys.argv[1].encode()
assert libc.syscall(add_key, b"user", b"pipespec-test-key", token, len(token), -3) > 0
os.execv(sys.argv[2], sys.argv[2:])
"""


def _check(tree: Tree, runner: list[str]) -> None:
    spec = tree.spec
    if spec.get("setup", {}).get("session_key"):
        runner = [sys.executable, "-c", WITH_SESSION_KEY, tree.token, *runner]
    timeout = float(spec.get("timeout", 20))
    before = _snapshot(tree.base, {"out", "tmp"})
    tag = f"PIPESPEC_TEST_RUN={os.urandom(8).hex()}"
    argv = [*runner, "run", str(tree.src), "--out", str(tree.base / "out"),
            "--timeout", str(timeout), "--env", tag]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, env=tree.env, timeout=timeout + 60)
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    both = out + err
    assert done.returncode in (0, 1, 2), both[-3000:]
    assert "Traceback" not in err and "internal error" not in err, err[-3000:]
    if done.returncode == 2:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("pipespec: error: "), err
    assert done.returncode == spec["exit"], both[-3000:]
    for text in spec.get("expect", []):
        assert text in both, (text, both[-3000:])
    for text in spec.get("lacks", []):
        assert text not in both, (text, both[-3000:])
    # nothing outside --out, no run directory left, no process left
    assert _snapshot(tree.base, {"out", "tmp"}) == before
    assert os.listdir(tree.base / "tmp") == []
    assert processes_with(tag) == []
    for path in spec.get("host_absent", []):
        assert not os.path.lexists(path), path
    # nothing of the caller's secrets anywhere in what pipespec wrote or said
    assert tree.token not in both
    written = _read_all(tree.base / "out")
    for name, data in written.items():
        assert tree.token.encode() not in data, name
        for text in spec.get("out_lacks", []):
            assert text.encode() not in data, (name, text)
    for name, want in spec.get("artifact", {}).items():
        data = written[f"artifacts/{name}"].decode("utf-8", "replace")
        for text in want.get("has", []):
            assert text in data, (text, data)
        for text in want.get("lacks", []):
            assert text not in data, (text, data)
    if spec.get("no_artifacts"):
        assert not any(n.startswith("artifacts") and "/" in n for n in written), sorted(written)
    assert len(done.stdout) <= spec.get("max_stdout", 1 << 20)
    # the output is inert: no terminal sequence, no workflow command
    for line in out.splitlines():
        assert not line.lstrip().startswith("::") and "##[" not in line, line
        assert "##vso[" not in line, line
        assert not any((ord(c) < 32 and c != "\t") or 0x7F <= ord(c) < 0xA0 for c in line), line


def _read_all(root: Path) -> dict[str, bytes]:
    found = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            p = Path(dirpath, name)
            if p.is_file() and not p.is_symlink():
                found[p.relative_to(root).as_posix()] = p.read_bytes()[: 1 << 22]
    return found


@pytest.mark.parametrize("user", ["caller", "nobody"])
def test_the_bluegreen_example_runs_as_each_user_and_refuses_without_bwrap(
    user: str, runners: dict[str, list[str]]
) -> None:
    """``pipespec run examples/ecs-bluegreen`` works as an ordinary user with bubblewrap,
    and refuses with one line (exit 2) where bubblewrap is not on PATH."""
    if user not in runners:
        pytest.skip("the caller is not root: its runs are the unprivileged runs")
    if not sandbox.isolation().ok and not IN_CI:
        pytest.skip(sandbox.isolation().problem)
    base = Path(tempfile.mkdtemp(prefix="pipespec-example-"))
    try:
        os.chmod(base, 0o755)
        src = base / "src"
        shutil.copytree(ROOT / "examples" / "ecs-bluegreen", src)
        for d in ("out", "none", "tmp"):
            (base / d).mkdir(mode=0o777)
            os.chmod(base / d, 0o777)
        for p in [src, *src.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "TMPDIR": str(base / "tmp")}  # fmt: skip
        argv = [*runners[user], "run", str(src), "--out", str(base / "out")]
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "[pipespec] pipeline dry run SUCCEEDED (exit status 0)" in done.stdout
        if user == "nobody":
            assert "commands run as uid" in done.stdout or "unprivileged user" in done.stdout
        refused = subprocess.run(
            [*runners[user], "run", str(src), "--out", str(base / "none")],
            capture_output=True, text=True, env={**env, "PATH": str(base / "none")}, timeout=120,
        )  # fmt: skip
        assert refused.returncode == 2, refused
        assert refused.stderr.count("\n") == 1 and "bubblewrap (bwrap) is not installed" in (
            refused.stderr
        )
        assert os.listdir(base / "none") == []
    finally:
        shutil.rmtree(base, ignore_errors=True)
