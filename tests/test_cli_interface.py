"""The command line other linters' users expect, through the real command: the standard
input (``-``, ``--stdin-filename``), ``--select``/``--ignore``/``--strict``/``--quiet``,
GitHub annotations under GitHub Actions, configuration files found upward, directory walks
that honour ``.gitignore``, and the files beside a single file read for the cross-file
rules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipespec import cli
from pipespec.discover import repository_root
from pipespec.document import MAX_BYTES

#: BS101 (an error) and BS112 (a warning)
BOTH = (
    "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make\n"
    "  install:\n    runtime-versions:\n      docker: 18\n"
)
#: BS112 only
WARNING = (
    "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      docker: 18\n"
    "  build:\n    commands:\n      - make\n"
)
GOOD = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
TASKDEF = json.dumps(
    {
        "family": "web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "<IMAGE1_NAME>",
                "essential": True,
                "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
            }
        ],
    },
    indent=2,
)


def appspec(container: str) -> str:
    return (
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
        '      Properties:\n        TaskDefinition: "<TASK_DEFINITION>"\n'
        "        LoadBalancerInfo:\n"
        f'          ContainerName: "{container}"\n          ContainerPort: 8080\n'
    )


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("LC_ALL", "LC_MESSAGES", "GITHUB_ACTIONS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def found(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, set[tuple[str, str]]]:
    """Exit status and the (path, rule) of each finding, from --format json."""
    code, out, _ = run(capsys, "--format", "json", *args)
    return code, {(r["path"], r["rule"]) for r in json.loads(out)}


def rules(capsys: pytest.CaptureFixture[str], *args: str) -> set[str]:
    return {rule for _, rule in found(capsys, *args)[1]}


def pipespec(
    *args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pipespec", "check", *args],
        cwd=cwd, input=stdin if stdin is not None else b"", capture_output=True, env=environ,
        timeout=120,
    )  # fmt: skip


# --------------------------------------------------------------------------- standard input


def test_stdin_filename_decides_the_kind_and_the_path(tmp_path: Path) -> None:
    done = pipespec("--format", "json", "--stdin-filename", "ci/buildspec.yml", "-",
                    cwd=tmp_path, stdin=BOTH.encode())  # fmt: skip
    rows = json.loads(done.stdout)
    assert done.returncode == 1
    assert {(r["path"], r["rule"], r["line"]) for r in rows} == {
        ("ci/buildspec.yml", "BS101", 3),
        ("ci/buildspec.yml", "BS112", 8),
    }
    # the name alone reads the standard input, as with ruff
    alone = pipespec("--stdin-filename", "ci/buildspec.yml", cwd=tmp_path, stdin=BOTH.encode())
    assert alone.returncode == 1 and b"ci/buildspec.yml:3:3: error:" in alone.stdout


def test_stdin_without_a_name_and_kind_over_the_name(tmp_path: Path) -> None:
    done = pipespec("-", cwd=tmp_path, stdin=BOTH.encode())
    assert done.returncode == 1 and done.stdout.startswith(b"<stdin>:1:1: error:")
    assert b"[PS001]" in done.stdout
    kind = pipespec("--kind", "buildspec", "-", cwd=tmp_path, stdin=BOTH.encode())
    assert kind.stdout.startswith(b"<stdin>:3:3: error:") and b"[BS101]" in kind.stdout
    # --kind decides over the name; the name is still the path shown
    over = pipespec("--kind", "buildspec", "--stdin-filename", "appspec.yml", "-",
                    cwd=tmp_path, stdin=BOTH.encode())  # fmt: skip
    assert over.stdout.startswith(b"appspec.yml:3:3: error:") and b"[BS101]" in over.stdout


def test_an_endless_stdin_is_read_up_to_the_file_limit(tmp_path: Path) -> None:
    """Read as a file is: at most MAX_BYTES + 1 bytes, then LD006 (never all of it)."""
    endless = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\ntry:\n    while True: sys.stdout.buffer.write(b'#' * 65536)\n"
         "except BrokenPipeError: pass"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipespec", "check", "--format", "json", "--kind",
             "buildspec", "-"],
            stdin=endless.stdout, capture_output=True, cwd=tmp_path, timeout=120,
        )  # fmt: skip
    finally:
        endless.kill()
        endless.wait()
    rows = json.loads(done.stdout)
    assert done.returncode == 1 and [r["rule"] for r in rows] == ["LD006"]
    assert str(MAX_BYTES) in rows[0]["message"] or "MiB" in rows[0]["message"]


def test_stdin_is_checked_with_the_files_beside_its_name(tmp_path: Path) -> None:
    """An editor sends the buffer of deploy/appspec.yaml: the taskdef.json on disk beside
    it is read for the cross-file rules, and the appspec on disk is not checked too."""
    write(tmp_path / "deploy" / "appspec.yaml", appspec("web"))
    write(tmp_path / "deploy" / "taskdef.json", TASKDEF)
    done = pipespec("--format", "json", "--stdin-filename", "deploy/appspec.yaml", "-",
                    cwd=tmp_path, stdin=appspec("app").encode())  # fmt: skip
    rows = json.loads(done.stdout)
    assert [(r["path"], r["rule"]) for r in rows] == [("deploy/appspec.yaml", "XF101")]
    assert b"in 1 file(s)" not in done.stderr  # json: no summary
    clean = pipespec("--stdin-filename", "deploy/appspec.yaml", "-", cwd=tmp_path,
                     stdin=appspec("web").encode())  # fmt: skip
    assert clean.returncode == 0, clean.stdout


def test_stdin_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "-", "-")
    assert code == 2 and "more than once" in err
    write(Path("buildspec.yml"), GOOD)
    code, _, err = run(capsys, "--stdin-filename", "x/buildspec.yml", "buildspec.yml")
    assert code == 2 and "give - among the paths" in err
    code, _, err = run(capsys)
    assert code == 2 and "no PATH given" in err


# --------------------------------------------------------------------------- rule selection


def test_select_and_ignore_take_ids_and_prefixes(capsys: pytest.CaptureFixture[str]) -> None:
    write(Path("buildspec.yml"), BOTH)
    assert rules(capsys, "buildspec.yml") == {"BS101", "BS112"}
    assert rules(capsys, "--select", "BS,AS1", "--ignore", "BS112", "buildspec.yml") == {"BS101"}
    assert rules(capsys, "--select", "BS1", "buildspec.yml") == {"BS101", "BS112"}
    assert rules(capsys, "--select", "BS10", "buildspec.yml") == {"BS101"}
    assert rules(capsys, "--select", "BS101", "--select", "BS112", "buildspec.yml") == {
        "BS101",
        "BS112",
    }
    assert rules(capsys, "--select", "AS", "buildspec.yml") == set()
    # the longest selector decides; ignore wins a tie
    assert rules(capsys, "--ignore", "BS", "--select", "BS112", "buildspec.yml") == {"BS112"}
    assert rules(capsys, "--select", "BS101", "--ignore", "BS101", "buildspec.yml") == set()
    code, out, err = run(capsys, "--ignore", "BS1", "buildspec.yml")
    assert (code, out) == (0, "") and err == "0 error(s), 0 warning(s) in 1 file(s)\n"
    assert found(capsys, "--select", "BS112", "buildspec.yml")[0] == 0  # a warning only


def test_unknown_rules_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    write(Path("buildspec.yml"), BOTH)
    code, out, err = run(capsys, "--select", "SB101", "buildspec.yml")
    assert (code, out) == (2, "")
    assert err == "pipespec: error: --select: unknown rule 'SB101'; did you mean 'BS101'?\n"
    code, _, err = run(capsys, "--ignore", "BS112,XY", "buildspec.yml")
    assert code == 2 and "--ignore: unknown rule 'XY' (IDs start with AS, BS," in err
    # every ShellCheck code is a rule, registered or not
    assert run(capsys, "--ignore", "SH2317", "buildspec.yml")[0] == 1


def test_select_never_hides_a_file_that_does_not_load(capsys: pytest.CaptureFixture[str]) -> None:
    write(Path("buildspec.yml"), "version: 0.2\nphases: [\n")
    code, result = found(capsys, "--select", "BS101", "buildspec.yml")
    assert code == 1 and {rule for _, rule in result} == {"LD001"}
    assert found(capsys, "--select", "BS101", "--ignore", "LD001", "buildspec.yml") == (0, set())


def test_strict_fails_on_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    write(Path("buildspec.yml"), WARNING)
    assert run(capsys, "buildspec.yml")[0] == 0
    assert run(capsys, "--strict", "buildspec.yml")[0] == 1
    write(Path("buildspec.yml"), GOOD)
    assert run(capsys, "--strict", "--select", "BS", "buildspec.yml")[0] == 0


def test_quiet_prints_the_findings_only(capsys: pytest.CaptureFixture[str]) -> None:
    write(Path("buildspec.yml"), BOTH)
    code, out, err = run(capsys, "-q", "buildspec.yml")
    assert code == 1 and err == ""
    assert out.startswith("buildspec.yml:3:3: error:") and "[BS112]" in out
    assert run(capsys, "buildspec.yml")[2] == "1 error(s), 1 warning(s) in 1 file(s)\n"
    Path("empty").mkdir()
    assert run(capsys, "--quiet", "empty") == (0, "", "")


def test_github_annotations_under_github_actions(tmp_path: Path) -> None:
    write(tmp_path / "buildspec.yml", BOTH)
    done = pipespec("buildspec.yml", cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    lines = done.stdout.decode().splitlines()
    assert done.returncode == 1 and len(lines) == 2, lines
    assert lines[0].startswith("::error file=buildspec.yml,line=3,col=3,title=BS101::")
    assert lines[1].startswith("::warning file=buildspec.yml,line=8,col=7,title=BS112::")
    text = pipespec("--format", "text", "buildspec.yml", cwd=tmp_path,
                    env={"GITHUB_ACTIONS": "true"})  # fmt: skip
    assert text.stdout.startswith(b"buildspec.yml:3:3: error:")
    elsewhere = pipespec("buildspec.yml", cwd=tmp_path, env={"GITHUB_ACTIONS": "false"})
    assert elsewhere.stdout.startswith(b"buildspec.yml:3:3: error:")


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("pipespec.toml", 'ignore = ["BS112"]\n'),
        (".pipespec.toml", 'ignore = ["BS112"]\n'),
        ("pyproject.toml", '[project]\nname = "x"\n[tool.pipespec]\nignore = ["BS112"]\n'),
    ],
)
def test_each_configuration_file(capsys: pytest.CaptureFixture[str], name: str, body: str) -> None:
    write(Path("ci", "buildspec.yml"), BOTH)
    write(Path(name), body)
    assert rules(capsys, "ci") == {"BS101"}
    assert rules(capsys, "--no-config", "ci") == {"BS101", "BS112"}


def test_precedence_in_one_directory(capsys: pytest.CaptureFixture[str]) -> None:
    """As ruff's: .pipespec.toml, then pipespec.toml, then pyproject.toml; nothing merged."""
    write(Path("buildspec.yml"), BOTH)
    write(Path("pyproject.toml"), '[tool.pipespec]\nignore = ["BS101", "BS112"]\n')
    assert rules(capsys, "buildspec.yml") == set()
    write(Path("pipespec.toml"), 'ignore = ["BS112"]\n')
    assert rules(capsys, "buildspec.yml") == {"BS101"}
    write(Path(".pipespec.toml"), 'ignore = ["BS101"]\n')
    assert rules(capsys, "buildspec.yml") == {"BS112"}


def test_the_nearest_configuration_applies_to_each_file(capsys: pytest.CaptureFixture[str]) -> None:
    write(Path("pipespec.toml"), 'ignore = ["BS112"]\n')
    write(Path("a", "pipespec.toml"), 'ignore = ["BS101"]\n')  # the whole of a's settings
    write(Path("a", "buildspec.yml"), BOTH)
    write(Path("b", "buildspec.yml"), BOTH)
    # a pyproject.toml without [tool.pipespec] is passed over
    write(Path("b", "pyproject.toml"), '[project]\nname = "b"\n')
    assert found(capsys, ".")[1] == {("a/buildspec.yml", "BS112"), ("b/buildspec.yml", "BS101")}


def test_config_option(capsys: pytest.CaptureFixture[str]) -> None:
    write(Path("a", "pipespec.toml"), 'ignore = ["BS101"]\n')
    write(Path("a", "buildspec.yml"), BOTH)
    write(Path("shared", "lint.toml"), 'ignore = ["BS112"]\n')
    assert rules(capsys, "--config", "shared/lint.toml", "a") == {"BS101"}
    code, _, err = run(capsys, "--config", "shared/lint.toml", "--no-config", "a")
    assert code == 2 and "give one of them" in err
    code, _, err = run(capsys, "--config", "missing.toml", "a")
    assert code == 2 and err.startswith("pipespec: error: missing.toml: cannot read")
    write(Path("shared", "pyproject.toml"), '[project]\nname = "x"\n')
    code, _, err = run(capsys, "--config", "shared/pyproject.toml", "a")
    assert code == 2 and "shared/pyproject.toml: no [tool.pipespec] table" in err


def test_globs_are_relative_to_the_configuration_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path / "deploy" / "pipespec.toml", 'per-path-ignores = { "buildspec.yml" = ["BS1"] }\n'
    )
    write(tmp_path / "deploy" / "buildspec.yml", BOTH)
    write(tmp_path / "deploy" / "nested" / "buildspec.yml", BOTH)
    write(tmp_path / "pipespec.toml", 'per-path-ignores = { "legacy/*" = ["BS101"] }\n')
    write(tmp_path / "legacy" / "buildspec.yml", BOTH)
    expected = {
        ("deploy/nested/buildspec.yml", "BS101"),
        ("deploy/nested/buildspec.yml", "BS112"),
        ("legacy/buildspec.yml", "BS112"),
    }
    assert found(capsys, ".")[1] == expected
    # from another directory the paths shown change, not what the globs match
    monkeypatch.chdir(write(tmp_path / "elsewhere" / "x", "").parent)
    assert found(capsys, "..")[1] == {("../" + path, rule) for path, rule in expected}


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("pipespec.toml", 'ignores = ["BS112"]\n',
         "pipespec.toml:1:1: unknown key 'ignores'; did you mean 'ignore'?"),
        ("pipespec.toml", 'select = ["BS"]\nignore = ["BS112", "SB101"]\n',
         "pipespec.toml:2:20: ignore: unknown rule 'SB101'; did you mean 'BS101'?"),
        ("pipespec.toml", 'per-path-ignores = { "a/*" = ["BS0001"] }\n',
         "pipespec.toml:1:31: per-path-ignores: unknown rule 'BS0001'; did you mean 'BS001'?"),
        (".pipespec.toml", "ignore = [BS112]\n", ".pipespec.toml:1:11: invalid TOML: "),
        ("pyproject.toml", '[tool.ruff]\nselect = ["E"]\n[tool.pipespec]\nselct = ["BS"]\n',
         "pyproject.toml:4:1: unknown key 'selct' in [tool.pipespec]; did you mean 'select'?"),
    ],
)  # fmt: skip
def test_configuration_mistakes_exit_2_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], name: str, body: str, message: str
) -> None:
    write(Path(name), body)
    write(Path("buildspec.yml"), BOTH)
    code, out, err = run(capsys, "buildspec.yml")
    assert (code, out) == (2, "")
    assert err.startswith(f"pipespec: error: {message}") and err.count("\n") == 1, err


def test_select_in_the_configuration_and_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(Path("buildspec.yml"), BOTH)
    write(Path("pipespec.toml"), 'select = ["BS112"]\n')
    assert rules(capsys, "buildspec.yml") == {"BS112"}
    assert rules(capsys, "--select", "BS101", "buildspec.yml") == {"BS101"}  # replaces it
    assert rules(capsys, "--ignore", "BS112", "buildspec.yml") == set()  # adds to ignore
    write(Path("pipespec.toml"), 'ignore = ["BS101"]\n')
    assert rules(capsys, "--select", "BS101", "buildspec.yml") == {"BS101"}  # as in ruff


# --------------------------------------------------------------------------- directory walks


def _tree(root: Path) -> None:
    """Buildspecs that a walk of ``root`` checks (keep-*) and leaves out (the others)."""
    write(root / ".gitignore", "generated/\n*.local.yml\n")
    write(root / "keep-top" / "buildspec.yml", BOTH)
    write(root / ".codebuild" / "buildspec.yml", BOTH)  # a dot-directory: walked
    write(root / "generated" / "buildspec.yml", BOTH)  # ignored directory
    write(root / "keep-top" / "buildspec.local.yml", BOTH)  # ignored name
    write(root / "sub" / ".gitignore", "!buildspec.local.yml\nbuildspec-ci.yml\n")
    write(root / "sub" / "buildspec.local.yml", BOTH)  # re-included below
    write(root / "sub" / "buildspec-ci.yml", BOTH)  # ignored below
    for cache in (".tox", ".venv", "node_modules", "__pycache__", ".mypy_cache"):
        write(root / cache / "buildspec.yml", BOTH)


WALKED = {".codebuild/buildspec.yml", "keep-top/buildspec.yml", "sub/buildspec.local.yml"}


def _paths(done: subprocess.CompletedProcess[bytes]) -> set[str]:
    return {r["path"] for r in json.loads(done.stdout)}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "core.fsmonitor=false", *args], cwd=root, check=True,
                   capture_output=True)  # fmt: skip


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_a_walk_in_a_git_work_tree_lists_what_git_lists(tmp_path: Path) -> None:
    _tree(tmp_path)
    _git(tmp_path, "init", "-q")
    write(tmp_path / "forced" / "buildspec.yml", BOTH)
    write(tmp_path / ".git" / "info" / "exclude", "forced/\n")
    done = pipespec("--format", "json", "--select", "BS101", ".", cwd=tmp_path)
    assert _paths(done) == WALKED
    _git(tmp_path, "add", "-f", "forced/buildspec.yml")  # tracked: git lists it
    done = pipespec("--format", "json", "--select", "BS101", ".", cwd=tmp_path)
    assert _paths(done) == WALKED | {"forced/buildspec.yml"}
    # an ignored directory named on the command line is walked
    done = pipespec("--format", "json", "--select", "BS101", "generated", cwd=tmp_path)
    assert _paths(done) == {"generated/buildspec.yml"}


@pytest.mark.parametrize("where", ["no repository", "git not installed"])
def test_a_walk_without_git_reads_the_ignore_files(tmp_path: Path, where: str) -> None:
    _tree(tmp_path)
    env = {}
    if where == "git not installed":
        (tmp_path / ".git").mkdir()  # a repository, and no git to ask
        write(tmp_path / ".git" / "info" / "exclude", "forced/\n")
        write(tmp_path / "forced" / "buildspec.yml", BOTH)
        env["PATH"] = str(tmp_path / "no-such-dir")
    done = pipespec("--format", "json", "--select", "BS101", ".", cwd=tmp_path, env=env)
    assert _paths(done) == WALKED, done.stderr
    done = pipespec("--format", "json", "--select", "BS101", "generated", cwd=tmp_path, env=env)
    assert _paths(done) == {"generated/buildspec.yml"}
    done = pipespec("--format", "json", "--select", "BS101", "sub", cwd=tmp_path, env=env)
    assert _paths(done) == {"sub/buildspec.local.yml"}  # the ignore files above it apply


def test_nothing_to_check(capsys: pytest.CaptureFixture[str]) -> None:
    write(Path("docs", "README.md"), "# no pipeline files here\n")
    assert run(capsys, "docs") == (0, "", "pipespec: no files to check\n")
    assert run(capsys, "--strict", "docs") == (2, "", "pipespec: error: no files to check\n")
    assert run(capsys, "--format", "json", "docs") == (0, "[]\n", "pipespec: no files to check\n")
    write(Path(".gitignore"), "docs/\n")
    write(Path("docs", "buildspec.yml"), BOTH)
    assert run(capsys, ".")[2] == "pipespec: no files to check\n"


def test_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "ci").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-dir"))  # without git: the .git above
    assert repository_root(tmp_path / "repo" / "ci" / "buildspec.yml") == tmp_path / "repo"
    assert repository_root(tmp_path / "repo") == tmp_path / "repo"


@needs_git
def test_repository_root_from_git(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "work")
    (tmp_path / "work" / "ci").mkdir()
    top = repository_root(tmp_path / "work" / "ci")
    assert top is not None and top.resolve() == (tmp_path / "work").resolve()


# --------------------------------------------------------------------------- single files


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_single_file_is_checked_with_its_siblings(
    capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """As pre-commit passes it: one changed appspec. The task definition beside it is read
    for the cross-file rules, and nothing is reported in it (its own mistake included)."""
    write(Path("deploy", "appspec.yaml"), appspec("app"))
    taskdef = json.loads(TASKDEF)
    taskdef["bogus"] = 1  # TD001 in the sibling: not reported
    write(Path("deploy", "taskdef.json"), json.dumps(taskdef, indent=2))
    code, out, err = run(capsys, "--jobs", jobs, "--kind", "appspec", "deploy/appspec.yaml")
    assert code == 1
    assert out.startswith("deploy/appspec.yaml:8:26: error: ContainerName 'app' is not a ")
    assert "[XF101]" in out and "taskdef.json:" not in out.replace("of taskdef.json", "")
    assert err == "1 error(s), 0 warning(s) in 1 file(s)\n"
    assert found(capsys, "deploy")[1] == {
        ("deploy/appspec.yaml", "XF101"),
        ("deploy/taskdef.json", "TD001"),
    }


def test_siblings_are_not_read_through_links_out_of_their_directory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(Path("deploy", "appspec.yaml"), appspec("app"))
    write(Path("elsewhere", "taskdef.json"), TASKDEF)
    os.symlink(Path("..", "elsewhere", "taskdef.json"), Path("deploy", "taskdef.json"))
    assert found(capsys, "deploy/appspec.yaml") == (0, set())
    # a link that stays inside the directory is read
    Path("deploy", "taskdef.json").unlink()
    write(Path("deploy", "defs", "taskdef.json"), TASKDEF)
    os.symlink(Path("defs", "taskdef.json"), Path("deploy", "taskdef.json"))
    assert found(capsys, "deploy/appspec.yaml") == (1, {("deploy/appspec.yaml", "XF101")})
