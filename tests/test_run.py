"""`pipespec run`: CodeBuild's phase semantics, artifacts, the deploy render, the sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipespec import cli
from pipespec.check import UsageError
from pipespec.run import FAKE_COMMIT, RunOptions, RunResult, dry_run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run_spec(
    tmp_path: Path, buildspec: str, files: dict[str, str] | None = None, **opts: object
) -> RunResult:
    src = tmp_path / "src"
    src.mkdir()
    (src / "buildspec.yml").write_text(buildspec, encoding="utf-8")
    for name, body in (files or {}).items():
        (src / name).write_text(body, encoding="utf-8")
    options = RunOptions(timeout=float(opts.pop("timeout", 20)), **opts)  # type: ignore[arg-type]
    return dry_run(src, tmp_path / "out", options)


def output(result: RunResult) -> str:
    return "\n".join(result.log)


# ----------------------------------------------------------------------------- examples


def test_bluegreen_example_writes_imagedetail_and_renders_the_deploy(tmp_path: Path) -> None:
    result = dry_run(EXAMPLES / "ecs-bluegreen", tmp_path / "out")
    assert result.exit_code == 0, result.text()
    uri = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/hello-world:" + FAKE_COMMIT[:7]
    detail = json.loads((tmp_path / "out" / "artifacts" / "imageDetail.json").read_text())
    assert detail == {"ImageURI": uri}
    taskdef = json.loads((tmp_path / "out" / "rendered" / "taskdef.json").read_text())
    assert taskdef["containerDefinitions"][0]["image"] == uri
    appspec = (tmp_path / "out" / "rendered" / "appspec.yaml").read_text()
    arn = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/hello-world:1"
    assert f'TaskDefinition: "{arn}"' in appspec and "<TASK_DEFINITION>" not in appspec
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["build"] == "SUCCEEDED" and summary["deploy"]["mode"] == "blue/green"
    assert summary["deploy"]["task_definition_arn"] == arn
    assert summary["findings"] == []
    tools = sorted((c["tool"], c["argv"][0]) for c in summary["calls"])
    assert ("aws", "ecr") in tools and ("docker", "push") in tools


def test_rolling_example_applies_imagedefinitions(tmp_path: Path) -> None:
    result = dry_run(
        EXAMPLES / "ecs-rolling", tmp_path / "out", RunOptions(source_version="f" * 40)
    )
    assert result.exit_code == 0, result.text()
    taskdef = json.loads((tmp_path / "out" / "rendered" / "taskdef.json").read_text())
    assert taskdef["containerDefinitions"][0]["image"].endswith("hello-world:fffffff")
    assert result.rendered.mode == "standard"


def test_seed_buildspec_fails_naming_the_missing_imagedetail(tmp_path: Path) -> None:
    result = dry_run(EXAMPLES / "mistakes" / "wrong-artifact", tmp_path / "out")
    log = output(result)
    assert result.exit_code == 1
    assert "[Container] Skipping invalid file path imageDetail.json" in log
    assert "CLIENT_ERROR Message: no matching artifact paths found" in log
    assert result.missing == ["imageDetail.json"]


# ----------------------------------------------------------------------------- semantics

SESSION = """version: {version}
phases:
  pre_build:
    commands:
      - GREETING=hello
      - mkdir -p sub && cd sub
  build:
    commands:
      - echo "greeting=$GREETING dir=$(basename "$PWD")" > {target}
artifacts:
  files:
    - '**/out.txt'
"""


def test_version_02_keeps_one_shell_session(tmp_path: Path) -> None:
    result = run_spec(tmp_path, SESSION.format(version="0.2", target="out.txt"))
    assert result.exit_code == 0, result.text()
    text = (tmp_path / "out" / "artifacts" / "sub" / "out.txt").read_text()
    assert text == "greeting=hello dir=sub\n"


def test_version_01_runs_each_command_alone(tmp_path: Path) -> None:
    result = run_spec(tmp_path, SESSION.format(version="0.1", target="out.txt"))
    assert result.exit_code == 0, result.text()
    assert (tmp_path / "out" / "artifacts" / "out.txt").read_text() == "greeting= dir=src\n"


PHASES = """version: 0.2
phases:
  install:
    commands:
      - echo install >> trace
  pre_build:
    {pre_failure}
    commands:
      - echo pre_build >> trace
      - {pre_command}
      - echo never >> trace
    finally:
      - echo "pre_build finally $CODEBUILD_BUILD_SUCCEEDING" >> trace
  build:
    commands:
      - echo "build $CODEBUILD_BUILD_SUCCEEDING" >> trace
      - {build_command}
  post_build:
    commands:
      - echo "post_build $CODEBUILD_BUILD_SUCCEEDING" >> trace
artifacts:
  files:
    - trace
"""


def phases(
    tmp_path: Path, pre: str = "test 1 = 1", build: str = "test 1 = 1", failure: str = ""
) -> list[str]:
    # (a bare `true`/`false` would be a YAML boolean, not a command)
    spec = PHASES.format(pre_command=pre, build_command=build, pre_failure=failure)
    run_spec(tmp_path, spec)
    trace = tmp_path / "out" / "artifacts" / "trace"
    return trace.read_text().splitlines() if trace.exists() else ["(no upload)"]


def test_all_phases_succeed(tmp_path: Path) -> None:
    assert phases(tmp_path) == [
        "install", "pre_build", "never", "pre_build finally 1", "build 1", "post_build 1",
    ]  # fmt: skip


def test_failed_pre_build_runs_finally_then_ends_the_build(tmp_path: Path) -> None:
    # no upload at all: a failed PRE_BUILD skips BUILD, POST_BUILD and UPLOAD_ARTIFACTS
    assert phases(tmp_path, pre="test 1 = 2") == ["(no upload)"]


def test_on_failure_continue_goes_on_with_the_next_phase(tmp_path: Path) -> None:
    assert phases(tmp_path, pre="test 1 = 2", failure="on-failure: CONTINUE") == [
        "install", "pre_build", "pre_build finally 0", "build 0", "post_build 0",
    ]  # fmt: skip


def test_failed_build_still_runs_post_build_and_uploads(tmp_path: Path) -> None:
    spec = PHASES.format(pre_command="test 1 = 1", build_command="exit_code_3() { return 3; }; "
                         "exit_code_3", pre_failure="")  # fmt: skip
    result = run_spec(tmp_path, spec)
    trace = (tmp_path / "out" / "artifacts" / "trace").read_text().splitlines()
    assert trace[-1] == "post_build 0"
    assert result.failed_phase == "BUILD" and result.exit_code == 1
    assert "Reason: exit status 3" in output(result)


def test_env_variables_builtins_and_project_variables(tmp_path: Path) -> None:
    spec = """version: 0.2
env:
  variables:
    STAGE: prod
    RETRIES: 3
  parameter-store:
    DB_HOST: /app/db
phases:
  build:
    commands:
      - echo "$STAGE $RETRIES $AWS_DEFAULT_REGION $CODEBUILD_RESOLVED_SOURCE_VERSION $TEAM" > e
      - test -n "$DB_HOST" && test -d "$CODEBUILD_SRC_DIR"
artifacts:
  files: [e]
"""
    result = run_spec(tmp_path, spec, region="eu-west-1", source_version="abc", env={"TEAM": "x"})
    assert result.exit_code == 0, result.text()
    assert (tmp_path / "out" / "artifacts" / "e").read_text() == "prod 3 eu-west-1 abc x\n"


def test_standins_answer_like_the_real_tools(tmp_path: Path) -> None:
    spec = """version: 0.2
phases:
  build:
    commands:
      - aws ecr get-login-password --region x > password
      - aws sts get-caller-identity --query Account --output text > account
      - aws ecr get-login --no-include-email > old 2>&1 || echo "rc=$?" >> old
artifacts:
  files: [password, account, old]
"""
    result = run_spec(tmp_path, spec, account="210987654321")
    arts = tmp_path / "out" / "artifacts"
    assert (arts / "password").read_text() == "PIPESPEC-DRY-RUN-ECR-PASSWORD\n"
    assert (arts / "account").read_text() == "210987654321\n"
    assert "Invalid choice" in (arts / "old").read_text()
    assert "rc=252" in (arts / "old").read_text()
    assert [c["argv"][:2] for c in result.calls] == [
        ["ecr", "get-login-password"], ["sts", "get-caller-identity"], ["ecr", "get-login"],
    ]  # fmt: skip


def test_artifacts_base_directory_and_discard_paths(tmp_path: Path) -> None:
    spec = """version: 0.2
phases:
  build:
    commands:
      - mkdir -p dist/a/b && echo 1 > dist/a/b/x.txt && echo 2 > dist/y.log
artifacts:
  base-directory: dist
  discard-paths: yes
  files:
    - '**/*'
  exclude-paths:
    - '*.log'
"""
    result = run_spec(tmp_path, spec)
    assert result.artifacts[0].files == ["x.txt"]
    assert (tmp_path / "out" / "artifacts" / "x.txt").read_text() == "1\n"


def test_deploy_render_reports_unknown_container(tmp_path: Path) -> None:
    taskdef = (EXAMPLES / "ecs-rolling" / "taskdef.json").read_text()
    spec = """version: 0.2
phases:
  build:
    commands:
      - printf '[{"name":"other","imageUri":"x:1"}]' > imagedefinitions.json
artifacts:
  files: [imagedefinitions.json]
"""
    result = run_spec(tmp_path, spec, {"taskdef.json": taskdef})
    assert result.exit_code == 1
    assert any("'other'" in e for e in result.rendered.errors)


# ----------------------------------------------------------------------------- safety


def test_refuses_to_overwrite_a_foreign_directory(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(UsageError, match="refusing to overwrite"):
        dry_run(EXAMPLES / "ecs-bluegreen", out)
    assert (out / "precious.txt").read_text() == "keep me"
    # its own output directory is reused
    dry_run(EXAMPLES / "ecs-bluegreen", tmp_path / "again")
    dry_run(EXAMPLES / "ecs-bluegreen", tmp_path / "again")


def test_the_source_directory_is_never_modified(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES / "ecs-bluegreen", src)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    dry_run(src, tmp_path / "out")
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before


def test_cli_run_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", str(EXAMPLES / "ecs-bluegreen"), "--out", str(tmp_path / "a")]) == 0
    capsys.readouterr()
    code = cli.main(["run", str(EXAMPLES / "mistakes" / "wrong-artifact"), "--out",
                     str(tmp_path / "b"), "--format", "json"])  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["artifacts"][0]["missing"] == ["imageDetail.json"]
    assert cli.main(["run", str(tmp_path / "nope")]) == 2
    assert cli.main(["run", str(EXAMPLES), "--env", "novalue"]) == 2


def test_help_says_it_runs_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    assert "EXECUTES the shell commands" in " ".join(capsys.readouterr().out.split())


def test_base_directory_may_start_with_codebuild_src_dir(tmp_path: Path) -> None:
    spec = """version: 0.2
phases:
  build:
    commands:
      - mkdir -p dist && echo 1 > dist/x.txt
artifacts:
  base-directory: $CODEBUILD_SRC_DIR/dist
  files: [x.txt]
"""
    result = run_spec(tmp_path, spec)
    assert result.exit_code == 0, result.text()
    assert result.artifacts[0].files == ["x.txt"]


def test_out_is_never_reached_through_a_symlink(tmp_path: Path) -> None:
    """A pull request can plant ``out -> /somewhere`` in the tree that CI runs with
    ``--out repo/out``: the dry run refuses to write through it."""
    src = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "ecs-bluegreen", src)
    victim = tmp_path / "victim"
    victim.mkdir()
    (src / "out").symlink_to(victim)
    (src / "sub").symlink_to(victim)
    for out in (src / "out", src / "sub" / "deeper", tmp_path / "dangling"):
        if out.name == "dangling":
            out.symlink_to(tmp_path / "nowhere")
        with pytest.raises(UsageError, match="symlink"):
            dry_run(src, out)
    assert list(victim.iterdir()) == []


@settings(max_examples=300, deadline=None)
@given(
    path=st.lists(st.sampled_from(["a", "b", "x.json", "**", "d"]), min_size=1, max_size=4)
    .map("/".join),
    pattern=st.lists(st.sampled_from(["*", "**", "a", "*.json", "d", "?", "[ab]"]), min_size=1,
                     max_size=4).map("/".join),
)  # fmt: skip
def test_the_compiled_patterns_match_as_fnmatch_does(path: str, pattern: str) -> None:
    from pipespec.run.artifacts import _compiled, _match

    assert bool(_compiled([pattern]).fullmatch(path)) == _match(path, pattern)


@pytest.mark.parametrize(
    "example",
    ["ecs-rolling", "ecs-bluegreen", "codepipeline-v2", "tutorial/rolling", "tutorial/bluegreen"],
)
def test_the_examples_do_not_push_after_a_failed_build(example: str, tmp_path: Path) -> None:
    # post_build runs after a failed build phase: the examples' first post_build command
    # checks CODEBUILD_BUILD_SUCCEEDING, so no image is pushed and no definitions written.
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES / example, src)
    spec = (src / "buildspec.yml").read_text(encoding="utf-8")
    failing = spec.replace("      - docker build", "      - test 1 = 0\n      - docker build", 1)
    assert failing != spec
    (src / "buildspec.yml").write_text(failing, encoding="utf-8")
    result = dry_run(src, tmp_path / "out", RunOptions(timeout=30))
    log = output(result)
    assert result.failed_phase == "BUILD" and result.exit_code == 1
    assert 'Running command test "$CODEBUILD_BUILD_SUCCEEDING" = 1' in log
    assert "Running command docker push" not in log
