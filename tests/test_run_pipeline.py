"""`pipespec run DIR` with a pipeline.json: the declaration followed action by action."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pipespec import cli
from pipespec.run import FAKE_COMMIT, RunOptions, record, sandbox
from pipespec.run.pipeline import PipelineResult, run_directory, run_pipeline

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
URI = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/hello-world:" + FAKE_COMMIT[:7]

pytestmark = pytest.mark.skipif(
    not sandbox.isolation().ok and not os.environ.get("CI"),
    reason=f"no sandbox for the dry run: {sandbox.isolation().problem}",
)


def action(name: str, category: str, provider: str, config: dict[str, Any] | None = None,
           inputs: tuple[str, ...] = (), outputs: tuple[str, ...] = (),
           run_order: int = 1) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {
        "name": name,
        "actionTypeId": {
            "category": category,
            "owner": "AWS",
            "provider": provider,
            "version": "1",
        },
        "runOrder": run_order,
    }
    if config:
        body["configuration"] = config
    if inputs:
        body["inputArtifacts"] = [{"name": n} for n in inputs]
    if outputs:
        body["outputArtifacts"] = [{"name": n} for n in outputs]
    return body


SOURCE = action("Source", "Source", "CodeCommit", {"RepositoryName": "r", "BranchName": "main"},
                outputs=("Src",))  # fmt: skip


def build(
    name: str = "Build", outputs: tuple[str, ...] = ("Out",), **config: str
) -> dict[str, Any]:
    return action(name, "Build", "CodeBuild", {"ProjectName": "p", **config}, ("Src",), outputs)


def pipeline(*stages: tuple[str, list[dict[str, Any]]]) -> str:
    decl = {
        "name": "p",
        "roleArn": "arn:aws:iam::123456789012:role/p",
        "artifactStore": {"type": "S3", "location": "bucket"},
        "stages": [{"name": "Source", "actions": [SOURCE]}]
        + [{"name": n, "actions": a} for n, a in stages],
    }
    return json.dumps({"pipeline": decl}, indent=2)


def run(tmp_path: Path, files: dict[str, str], **opts: Any) -> PipelineResult:
    src = tmp_path / "src"
    src.mkdir()
    for name, body in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(body, encoding="utf-8")
    return run_pipeline(src, tmp_path / "out", RunOptions(timeout=30, **opts))


def statuses(result: PipelineResult) -> list[tuple[str, str]]:
    return [(a.name, a.status) for a in result.actions]


TASKDEF = json.dumps({"family": "hello", "containerDefinitions": [
    {"name": "web", "image": "<IMAGE1_NAME>", "essential": True,
     "portMappings": [{"containerPort": 80}]}]})  # fmt: skip
APPSPEC = """version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "<TASK_DEFINITION>"
        LoadBalancerInfo:
          ContainerName: web
          ContainerPort: 80
"""
IMAGE_DETAIL_BUILD = """version: 0.2
phases:
  build:
    commands:
      - printf '{"ImageURI":"%s"}' "repo:$CODEBUILD_RESOLVED_SOURCE_VERSION" > imageDetail.json
artifacts:
  files:
    - imageDetail.json
"""
BLUEGREEN = action("Deploy", "Deploy", "CodeDeployToECS", {
    "ApplicationName": "a", "DeploymentGroupName": "g",
    "TaskDefinitionTemplateArtifact": "Src", "TaskDefinitionTemplatePath": "taskdef.json",
    "AppSpecTemplateArtifact": "Src", "AppSpecTemplatePath": "appspec.yaml",
    "Image1ArtifactName": "Out", "Image1ContainerName": "IMAGE1_NAME"}, ("Src", "Out"))  # fmt: skip


# ----------------------------------------------------------------------------- examples


def test_bluegreen_example_runs_every_stage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = cli.main(["run", str(EXAMPLES / "ecs-bluegreen"), "--out", str(out), "--format", "json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["exit_code"] == 0, summary
    assert [(s["name"], s["status"]) for s in summary["stages"]] == [
        ("Source", "SUCCEEDED"), ("Build", "SUCCEEDED"), ("Deploy", "SUCCEEDED")]  # fmt: skip
    build_action = summary["stages"][1]["actions"][0]
    assert build_action["outputs"] == [{"name": "BuildOutput", "files": ["imageDetail.json"]}]
    assert build_action["build"]["build"] == "SUCCEEDED"
    deploy = summary["stages"][2]["actions"][0]
    assert deploy["provider"] == "CodeDeployToECS"
    assert sorted(deploy["rendered"]) == ["appspec.yaml", "taskdef.json"]
    taskdef = json.loads((out / "rendered" / "Deploy" / "taskdef.json").read_text())
    assert taskdef["containerDefinitions"][0]["image"] == URI
    arn = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/hello-world:1"
    appspec = (out / "rendered" / "Deploy" / "appspec.yaml").read_text()
    assert arn in appspec and "<TASK_DEFINITION>" not in appspec


def test_rolling_example_deploys_the_files_the_ecs_action_names(tmp_path: Path) -> None:
    result = run_directory(EXAMPLES / "ecs-rolling", tmp_path / "out", RunOptions(timeout=30))
    assert isinstance(result, PipelineResult) and result.exit_code == 0, result.text()
    deploy = result.actions[-1]
    assert (deploy.provider, deploy.status, deploy.rendered) == (
        "ECS",
        "SUCCEEDED",
        ["taskdef.json"],
    )
    taskdef = json.loads((tmp_path / "out" / "rendered" / "Deploy" / "taskdef.json").read_text())
    assert taskdef["containerDefinitions"][0]["image"] == URI
    table = result.table()
    assert [r["status"] for r in table] == ["SUCCEEDED"] * 3
    assert table[1]["outputs"] == "BuildOutput (imagedefinitions.json)"


def test_filename_mismatch_fails_the_deploy_action(tmp_path: Path) -> None:
    """The ECS mistake of the site: the build succeeds, the deploy cannot find its file."""
    result = run_pipeline(EXAMPLES / "mistakes" / "ecs-filename-mismatch", tmp_path / "out",
                          RunOptions(timeout=30))  # fmt: skip
    assert statuses(result)[-1] == ("Deploy", "FAILED")
    assert result.actions[1].status == "SUCCEEDED"
    assert result.actions[-1].deploy is not None
    assert any("imageDefinitions.json does not exist in the artifact BuildOutput" in e
               for e in result.actions[-1].deploy.errors)  # fmt: skip
    assert result.exit_code == 1


def test_no_pipeline_runs_the_buildspec_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert cli.main(["run", str(EXAMPLES / "ecs-rolling"), "--no-pipeline", "--out", str(out),
                     "--format", "json"]) == 0  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert summary["build"] == "SUCCEEDED" and "stages" not in summary
    assert cli.main(["run", str(EXAMPLES / "ecs-rolling"), "--pipeline", "pipeline.json",
                     "--no-pipeline"]) == 2  # fmt: skip


# ----------------------------------------------------------------------------- semantics


def test_a_failed_build_stops_the_pipeline(tmp_path: Path) -> None:
    spec = "version: 0.2\nphases:\n  build:\n    commands:\n      - exit 3\n"
    files = {"pipeline.json": pipeline(("Build", [build()]), ("Deploy", [BLUEGREEN])),
             "buildspec.yml": spec}  # fmt: skip
    result = run(tmp_path, files)
    assert statuses(result) == [("Source", "SUCCEEDED"), ("Build", "FAILED"), ("Deploy", "NOT_RUN")]
    assert [s.status for s in result.stages] == ["SUCCEEDED", "FAILED", "NOT_RUN"]
    assert result.exit_code == 1
    assert "pipeline dry run FAILED (exit status 1)" in result.text()


def test_run_order_orders_a_stage(tmp_path: Path) -> None:
    spec = ("version: 0.2\nphases:\n  build:\n    commands:\n      - test -f first.txt || "
            "echo first > first.txt\nartifacts:\n  files: ['*.txt']\n")  # fmt: skip
    second = build("Second", ("Out2",))
    second["runOrder"] = 2
    first = build("First", ("Out1",))
    files = {"pipeline.json": pipeline(("Build", [second, first])), "buildspec.yml": spec}
    result = run(tmp_path, files)
    assert statuses(result)[1:] == [("First", "SUCCEEDED"), ("Second", "SUCCEEDED")]


def test_bluegreen_from_a_build_artifact(tmp_path: Path) -> None:
    files = {"pipeline.json": pipeline(("Build", [build()]), ("Deploy", [BLUEGREEN])),
             "buildspec.yml": IMAGE_DETAIL_BUILD, "taskdef.json": TASKDEF,
             "appspec.yaml": APPSPEC}  # fmt: skip
    result = run(tmp_path, files)
    assert result.exit_code == 0, result.text()
    taskdef = json.loads((tmp_path / "out" / "rendered" / "Deploy" / "taskdef.json").read_text())
    assert taskdef["containerDefinitions"][0]["image"] == f"repo:{FAKE_COMMIT}"


def test_project_inline_buildspec_and_variable_precedence(tmp_path: Path) -> None:
    """CodeBuild: the start-build call (the action's EnvironmentVariables) overrides the
    project, which overrides the buildspec."""
    spec = ("version: 0.2\nenv:\n  variables:\n    A: buildspec\n    B: buildspec\n"
            "    C: buildspec\nphases:\n  build:\n    commands:\n"
            "      - echo \"$A $B $C $SECRET\" > vars.txt\n"
            "artifacts:\n  files: [vars.txt]\n")  # fmt: skip
    project = {"name": "p", "source": {"type": "CODEPIPELINE", "buildspec": spec},
               "artifacts": {"type": "CODEPIPELINE"},
               "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                               "computeType": "BUILD_GENERAL1_SMALL", "environmentVariables": [
                                   {"name": "B", "value": "project"},
                                   {"name": "C", "value": "project"},
                                   {"name": "SECRET", "value": "/db/password",
                                    "type": "PARAMETER_STORE"}]},
               "serviceRole": "arn:aws:iam::123456789012:role/p"}  # fmt: skip
    action_vars = json.dumps([{"name": "C", "value": "action", "type": "PLAINTEXT"}])
    files = {"pipeline.json": pipeline(("Build", [build(EnvironmentVariables=action_vars)])),
             "codebuild-project.json": json.dumps(project)}  # fmt: skip
    result = run(tmp_path, files)
    assert result.exit_code == 0, result.text()
    made = (tmp_path / "out" / "actions" / "2.1" / "artifacts" / "vars.txt").read_text()
    assert made == "buildspec project action dry-run-parameter-store-value\n"


def test_several_outputs_are_the_secondary_artifacts(tmp_path: Path) -> None:
    spec = ("version: 0.2\nphases:\n  build:\n    commands:\n      - echo a > a.txt\n"
            "      - echo b > b.txt\nartifacts:\n  files: [a.txt]\n  secondary-artifacts:\n"
            "    Images:\n      files: [a.txt]\n    Docs:\n      files: [b.txt]\n")  # fmt: skip
    files = {"pipeline.json": pipeline(("Build", [build(outputs=("Images", "Docs"))])),
             "buildspec.yml": spec}  # fmt: skip
    result = run(tmp_path, files)
    assert result.exit_code == 0, result.text()
    assert result.actions[1].produced == {"Images": ["a.txt"], "Docs": ["b.txt"]}
    assert "out/artifacts/Docs/b.txt" in record.shown_files(result)


def test_an_output_without_its_secondary_artifact_fails(tmp_path: Path) -> None:
    spec = ("version: 0.2\nphases:\n  build:\n    commands:\n      - echo a > a.txt\n"
            "artifacts:\n  secondary-artifacts:\n    images:\n      files: [a.txt]\n")  # fmt: skip
    files = {"pipeline.json": pipeline(("Build", [build(outputs=("Images", "Docs"))])),
             "buildspec.yml": spec}  # fmt: skip
    result = run(tmp_path, files)
    assert statuses(result)[1] == ("Build", "FAILED")
    assert "output artifact Images: the buildspec has no secondary artifact Images (XF111)" in \
        result.actions[1].errors  # fmt: skip


def test_approval_is_approved_and_other_actions_are_skipped(tmp_path: Path) -> None:
    approve = action("Approve", "Approval", "Manual")
    s3 = action("Publish", "Deploy", "S3", {"BucketName": "b", "Extract": "true"}, ("Src",))
    result = run(tmp_path, {"pipeline.json": pipeline(("Approve", [approve]), ("Publish", [s3]))})
    assert statuses(result) == [("Source", "SUCCEEDED"), ("Approve", "SUCCEEDED"),
                                ("Publish", "SKIPPED")]  # fmt: skip
    assert result.exit_code == 0
    assert "Deploy/S3 actions are not run by the dry run" in result.text()


def test_a_pipeline_with_errors_is_not_run(tmp_path: Path) -> None:
    deploy = action("Deploy", "Deploy", "CodeBuild", {"ProjectName": "p"}, ("Src",))
    result = run(tmp_path, {"pipeline.json": pipeline(("Deploy", [deploy])),
                            "buildspec.yml": "version: 0.2\nphases: {}\n"})  # fmt: skip
    assert result.stages == [] and result.exit_code == 1
    assert any(f.rule == "PL116" for f in result.findings)
    assert "CodePipeline would not accept it" in result.text()
    assert not (tmp_path / "out" / "actions").exists()


def test_a_second_source_artifact_can_be_given(tmp_path: Path) -> None:
    other = action("Other", "Source", "CodeCommit", {"RepositoryName": "o", "BranchName": "main"},
                   outputs=("Tpl",))  # fmt: skip
    bg = json.loads(json.dumps(BLUEGREEN))
    bg["configuration"]["TaskDefinitionTemplateArtifact"] = "Tpl"
    bg["inputArtifacts"] = [{"name": "Src"}, {"name": "Out"}, {"name": "Tpl"}]
    decl = json.loads(pipeline(("Build", [build()]), ("Deploy", [bg])))
    decl["pipeline"]["stages"][0]["actions"].append(other)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "taskdef.json").write_text(TASKDEF.replace("hello", "from-templates"))
    src = tmp_path / "src"
    src.mkdir()
    (src / "pipeline.json").write_text(json.dumps(decl))
    (src / "buildspec.yml").write_text(IMAGE_DETAIL_BUILD)
    (src / "appspec.yaml").write_text(APPSPEC)
    result = run_pipeline(src, tmp_path / "out", RunOptions(timeout=30), sources={"Tpl": templates})
    assert result.exit_code == 0, result.text()
    rendered = json.loads((tmp_path / "out" / "rendered" / "Deploy" / "taskdef.json").read_text())
    assert rendered["family"] == "from-templates"


# ----------------------------------------------------------------------------- untrusted names


@pytest.mark.parametrize("path", ["../../../../etc/passwd", "/etc/passwd", "link.json",
                                  "sub/../../outside.json"])  # fmt: skip
def test_template_paths_stay_inside_their_artifact(tmp_path: Path, path: str) -> None:
    bg = json.loads(json.dumps(BLUEGREEN))
    bg["configuration"]["TaskDefinitionTemplatePath"] = path
    (tmp_path / "outside.json").write_text(TASKDEF.replace("hello", "LEAKED-FAMILY"))
    files = {"pipeline.json": pipeline(("Build", [build()]), ("Deploy", [bg])),
             "buildspec.yml": IMAGE_DETAIL_BUILD, "appspec.yaml": APPSPEC}  # fmt: skip
    src = tmp_path / "src"
    src.mkdir()
    os.symlink(tmp_path / "outside.json", src / "link.json")
    (src / "sub").mkdir()
    for name, body in files.items():
        (src / name).write_text(body, encoding="utf-8")
    result = run_pipeline(src, tmp_path / "out", RunOptions(timeout=30))
    assert statuses(result)[-1] == ("Deploy", "FAILED"), result.text()
    assert not (tmp_path / "out" / "rendered" / "Deploy" / "taskdef.json").exists()
    assert "LEAKED-FAMILY" not in result.text()
    assert "not read" in result.text() or "does not exist" in result.text()


def test_an_action_named_dot_dot_renders_inside_out(tmp_path: Path) -> None:
    deploy = json.loads(json.dumps(BLUEGREEN))
    deploy["name"] = ".."
    files = {"pipeline.json": pipeline(("Build", [build()]), ("Deploy", [deploy])),
             "buildspec.yml": IMAGE_DETAIL_BUILD, "taskdef.json": TASKDEF,
             "appspec.yaml": APPSPEC}  # fmt: skip
    result = run(tmp_path, files)
    assert result.exit_code == 0, result.text()
    assert (tmp_path / "out" / "rendered" / "3.1" / "taskdef.json").is_file()
    assert not (tmp_path / "out" / "taskdef.json").exists()


def test_the_record_of_a_pipeline_run_keeps_its_table(tmp_path: Path) -> None:
    result = run_directory(EXAMPLES / "ecs-rolling", tmp_path / "out", RunOptions(timeout=30))
    made = record.make("examples/ecs-rolling", "digest", result)
    path = tmp_path / "r.json"
    record.save(path, made)
    loaded = record.load(path)
    assert loaded is not None and loaded["table"] == result.table()
    assert "out/rendered/Deploy/taskdef.json" in loaded["files"]
    assert all(line.startswith("[pipespec] sandbox: ") for line in loaded["layers"])
    assert not any("sandbox: " in line for line in loaded["log"].splitlines())
    bad = {**made, "table": [{"stage": 1}]}
    record.save(path, bad)
    assert record.load(path) is None


def test_v2_example_runs_commands_variables_and_approval(tmp_path: Path) -> None:
    result = run_directory(EXAMPLES / "codepipeline-v2", tmp_path / "out", RunOptions(timeout=60))
    assert isinstance(result, PipelineResult) and result.exit_code == 0, result.text()
    assert statuses(result) == [("Source", "SUCCEEDED"), ("CheckTaskDefinition", "SUCCEEDED"),
                                ("Build", "SUCCEEDED"), ("Approve", "SUCCEEDED"),
                                ("Deploy", "SUCCEEDED")]  # fmt: skip
    text = result.text()
    assert "taskdef.json is valid JSON with an essential container" in text  # the commands ran
    assert "pipeline variables: DeployEnv = 'staging' (its default)" in text
    rendered = json.loads((tmp_path / "out" / "rendered" / "Deploy" / "taskdef.json").read_text())
    image = rendered["containerDefinitions"][0]["image"]
    assert image.endswith(":staging-" + FAKE_COMMIT[:7])  # DEPLOY_ENV from the pipeline variable


def test_commands_action_output_is_its_files(tmp_path: Path) -> None:
    commands = action("Make", "Compute", "Commands", None, ("Src",), ("Made",))
    commands["commands"] = ["mkdir -p dist", "echo hi > dist/a.txt", "echo no > b.txt"]
    commands["outputArtifacts"] = [{"name": "Made", "files": ["dist/**/*"]}]
    result = run(tmp_path, {"pipeline.json": pipeline(("Make", [commands]))})
    assert statuses(result)[-1] == ("Make", "SUCCEEDED"), result.text()
    assert result.actions[-1].produced == {"Made": ["dist/a.txt"]}
    failing = action("Fail", "Compute", "Commands", None, ("Src",))
    failing["commands"] = ["false"]
    (tmp_path / "2").mkdir()
    result = run(tmp_path / "2", {"pipeline.json": pipeline(("Fail", [failing]))})
    assert statuses(result)[-1] == ("Fail", "FAILED") and result.exit_code != 0


def test_an_unknown_variable_reference_is_left_as_written(tmp_path: Path) -> None:
    spec = 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "tag=$TAG"\n'
    env = json.dumps([{"name": "TAG", "value": "#{SourceVariables.CommitId}"}])
    result = run(tmp_path, {"pipeline.json": pipeline(("Build", [build(EnvironmentVariables=env)])),
                            "buildspec.yml": spec})  # fmt: skip
    text = result.text()
    assert "tag=#{SourceVariables.CommitId}" in text
    assert "#{SourceVariables.CommitId}: resolved by CodePipeline when it runs" in text


WRITES_X = (
    "version: 0.2\nphases:\n  build:\n    commands:\n      - echo '[]' > x.json\n"
    "artifacts:\n  files:\n    - x.json\n"
)


def test_hostile_values_are_refused_with_a_line_not_a_traceback(tmp_path: Path) -> None:
    # A NUL in FileName, JSON nested past the recursion limit once the variables are put in,
    # and a value the variables make 66 times as long: each is a clear line of the run.
    deep = "[" * 1000
    decl = json.loads(pipeline(("Build", [build(EnvironmentVariables="#{variables.D}" * 66)])))
    decl["pipeline"]["variables"] = [{"name": "D", "defaultValue": deep}]
    result = run(tmp_path, {"pipeline.json": json.dumps(decl)})
    assert statuses(result)[-1] == ("Build", "FAILED") or "left as written" in result.text()
    assert "internal error" not in result.text()
    ecs = action("Deploy", "Deploy", "ECS", {"ClusterName": "c", "ServiceName": "s",
                                             "FileName": "a\u0000b"}, ("Out",))  # fmt: skip
    spec = WRITES_X
    (tmp_path / "2").mkdir()
    result = run(tmp_path / "2", {"pipeline.json": pipeline(("Build", [build()]),
                                                            ("Deploy", [ecs])),
                                  "buildspec.yml": spec})  # fmt: skip
    assert statuses(result)[-1] == ("Deploy", "FAILED")
    assert "has a NUL character: not read" in result.text()


@pytest.mark.parametrize("name", ["/etc/passwd", "/nonexistent/zzz", "../" * 30 + "etc/passwd",
                                  "../" * 30 + "etc/zzzz"])  # fmt: skip
def test_a_file_name_outside_the_artifact_says_the_same_whether_it_exists(
    tmp_path: Path, name: str
) -> None:
    # The log must not tell whether a path of this machine exists.
    ecs = action("Deploy", "Deploy", "ECS", {"ClusterName": "c", "ServiceName": "s",
                                             "FileName": name}, ("Out",))  # fmt: skip
    spec = WRITES_X
    result = run(tmp_path, {"pipeline.json": pipeline(("Build", [build()]), ("Deploy", [ecs])),
                            "buildspec.yml": spec})  # fmt: skip
    text = result.text()
    assert statuses(result)[-1] == ("Deploy", "FAILED")
    assert "does not exist" not in text
    assert "absolute path" in text or "outside its root" in text
