"""Hostile input against ``pipespec check``, through the real command: repositories whose
index leads out of the tree, a ``git`` planted in the checked tree, ignore files that are
FIFOs, configuration files that are too large or nested too deeply, empty rule selections,
names too long for the file system; and variables a buildspec does assign (BS120)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipespec.document import MAX_BYTES

BAD = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n{extra}"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
#: A guard against a hang, not a speed check: each command here takes well under a second.
HANG = 120


def pipespec(
    *args: str, cwd: Path, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    environ.update({"LANG": "C.UTF-8", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "pipespec", "check", *args],
        cwd=cwd, input=stdin, capture_output=True, env=environ, timeout=HANG,
    )  # fmt: skip


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "core.fsmonitor=false", "-c", "user.name=t", "-c", "user.email=t@t",
         *args],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip


# --------------------------------------------------------------------------- leaving the tree


@needs_git
def test_a_tracked_path_through_a_linked_directory_is_not_read(tmp_path: Path) -> None:
    """git's index still lists sub/buildspec.yml after sub became a link to a directory
    outside the tree: the file there is not read (a walk does not follow such a link)."""
    outside = write(tmp_path / "outside" / "buildspec.yml", BAD.format(extra="secret_key: 1\n"))
    repo = tmp_path / "repo"
    write(repo / "buildspec.yml", BAD.format(extra="top_key: 1\n"))
    write(repo / "sub" / "buildspec.yml", BAD.format(extra=""))
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "x")
    shutil.rmtree(repo / "sub")
    (repo / "sub").symlink_to(outside.parent, target_is_directory=True)
    done = pipespec("--format", "json", ".", cwd=repo)
    rows = json.loads(done.stdout)
    assert {r["path"] for r in rows} == {"buildspec.yml"}, rows
    assert b"secret_key" not in done.stdout + done.stderr


@needs_git
def test_sarif_never_runs_a_git_of_the_checked_tree(tmp_path: Path) -> None:
    """With "." (or an empty entry) on PATH, the git that SARIF asks for the repository's
    root is the one on PATH's absolute directories, never one in the checked directory."""
    marker = tmp_path / "ran"
    tree = tmp_path / "tree"
    write(tree / "buildspec.yml", BAD.format(extra="odd_key: 1\n"))
    fake = write(tree / "git", f"#!/bin/sh\necho ran >> '{marker}'\nexit 1\n")
    fake.chmod(0o755)
    for path in (f".{os.pathsep}{os.environ['PATH']}", f"{os.pathsep}{os.environ['PATH']}"):
        done = pipespec("--format", "sarif", "buildspec.yml", cwd=tree, env={"PATH": path})
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["runs"][0]["results"]
        assert not marker.exists(), f"PATH={path!r} ran the tree's git"


# --------------------------------------------------------------------------- never blocking


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_gitignore_outside_git_is_not_read(tmp_path: Path) -> None:
    """Outside a git work tree the .gitignore files are read by pipespec: one that is a FIFO
    (or another file that is not a regular file) is passed over, as git passes over a
    .gitignore that is a symbolic link, instead of waiting for a writer forever."""
    write(tmp_path / "ci" / "buildspec.yml", BAD.format(extra="odd_key: 1\n"))
    write(tmp_path / "skipped" / "buildspec.yml", BAD.format(extra="odd_key: 1\n"))
    write(tmp_path / "ci" / ".gitignore", "missing\n")
    os.mkfifo(tmp_path / ".gitignore")
    (tmp_path / "skipped" / ".gitignore").symlink_to("/dev/zero")
    done = pipespec("--format", "json", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {r["path"] for r in json.loads(done.stdout)} == {
        "ci/buildspec.yml",
        "skipped/buildspec.yml",
    }


# --------------------------------------------------------------------------- configuration


def test_a_configuration_nested_too_deeply_is_one_error_line(tmp_path: Path) -> None:
    write(tmp_path / "buildspec.yml", BAD.format(extra=""))
    write(tmp_path / "pipespec.toml", "select = " + "[" * 50_000 + "]" * 50_000 + "\n")
    done = pipespec("buildspec.yml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "pipespec: error: pipespec.toml: invalid TOML: nested too deeply\n"
    )


def test_a_configuration_larger_than_the_file_limit_is_not_read(tmp_path: Path) -> None:
    """A configuration file is read as a checked file is: at most MAX_BYTES (then an error),
    so that ``--config /dev/zero`` or a huge file cannot fill the memory."""
    write(tmp_path / "buildspec.yml", BAD.format(extra=""))
    write(tmp_path / "pipespec.toml", "#" * MAX_BYTES + "\n")
    done = pipespec("buildspec.yml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "pipespec: error: pipespec.toml: cannot read the configuration: it is larger than "
        f"the {MAX_BYTES} byte limit\n"
    )
    if os.path.exists("/dev/zero"):
        endless = pipespec("--config", "/dev/zero", "buildspec.yml", cwd=tmp_path)
        assert endless.returncode == 2
        assert b"larger than" in endless.stderr and b"internal error" not in endless.stderr


@pytest.mark.parametrize("value", ["", ",", " , ,"])
@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_empty_rule_selection_is_a_usage_error(tmp_path: Path, option: str, value: str) -> None:
    """``--select ""`` (an unset variable in a script) would silently check nothing."""
    write(tmp_path / "buildspec.yml", BAD.format(extra="odd_key: 1\n"))
    done = pipespec(option, value, "buildspec.yml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"pipespec: error: {option} expects rule IDs or prefixes, got {value!r}\n"
    )
    assert done.stdout == b""


# --------------------------------------------------------------------------- long names


@needs_git
def test_names_too_long_for_the_file_system_are_no_internal_error(tmp_path: Path) -> None:
    """BS116 looks for deploy inputs in the source: a name the file system cannot even look
    up (ENAMETOOLONG) is one it cannot find, not a PS999."""
    _git(tmp_path, "init", "-q")
    long = "a" * 5000
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
        f"artifacts:\n  files:\n    - {long}/taskdef.json\n"
    )
    write(tmp_path / "buildspec.yml", text)
    done = pipespec("--format", "json", "buildspec.yml", cwd=tmp_path)
    assert {r["rule"] for r in json.loads(done.stdout)} == {"BS116"}, done.stdout
    named = pipespec("--format", "json", "--stdin-filename", f"{long}/buildspec.yml",
                     cwd=tmp_path, stdin=BAD.format(extra="").encode())  # fmt: skip
    assert json.loads(named.stdout) == [], named.stdout


# --------------------------------------------------------------------------- BS120


PROJECT = json.dumps(
    {
        "name": "web",
        "source": {"type": "CODEPIPELINE"},
        "artifacts": {"type": "CODEPIPELINE"},
        "environment": {
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        "serviceRole": "arn:aws:iam::123456789012:role/web-codebuild",
    }
)


@pytest.mark.parametrize(
    "command",
    [
        'mapfile -t ARR < list.txt; echo "${ARR[@]}"',
        'readarray -t ARR < list.txt; echo "${ARR[0]}"',
        "printf -v ARR '%s' x; echo \"$ARR\"",
        'let ARR=1+2; echo "$ARR"',
        'let "ARR = 1 + 2"; echo "$ARR"',
        'coproc ARR { cat; }; echo "${ARR[0]}"',
        'case "$CODEBUILD_BUILD_ID" in *:*) ARR=1;; esac; echo "$ARR"',
        'case x in (x) ARR=1 ;; esac; echo "$ARR"',
    ],
)
def test_bs120_sees_what_bash_builtins_and_case_branches_assign(
    tmp_path: Path, command: str
) -> None:
    """With the project known, BS120 is a warning: a variable the commands assign (by
    mapfile, readarray, printf -v, let, coproc, or in a case branch) is not undefined."""
    write(tmp_path / "codebuild-project.json", PROJECT)
    text = (
        "version: 0.2\nenv:\n  shell: bash\nphases:\n  build:\n    commands:\n"
        f"      - {json.dumps(command)}\n"
    )
    write(tmp_path / "buildspec.yml", text)
    done = pipespec("--format", "json", "--select", "BS120", "buildspec.yml", cwd=tmp_path)
    assert json.loads(done.stdout) == [], done.stdout
    # the same read with nothing assigning it is reported, as a warning
    unassigned = text.replace("ARR=", "OTHER=").replace("-t ARR", "-t OTHER")
    unassigned = unassigned.replace("-v ARR", "-v OTHER").replace('"ARR =', '"OTHER =')
    unassigned = unassigned.replace("coproc ARR", "coproc OTHER")
    write(tmp_path / "buildspec.yml", unassigned)
    done = pipespec("--format", "json", "--select", "BS120", "buildspec.yml", cwd=tmp_path)
    assert [(r["rule"], r["severity"]) for r in json.loads(done.stdout)] == [
        ("BS120", "warning")
    ], done.stdout
