"""The tutorial's files: each AWS CLI input is one botocore accepts for its operation, each IAM
policy is one parliament finds nothing wrong with, the CloudFormation template is one cfn-lint
accepts, and every file of the tutorial is one a page of the tutorial shows."""

from __future__ import annotations

import importlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from pipespec import catalog
from pipespec.check import check_paths
from pipespec.load import load_path

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "examples" / "tutorial"
PAGES = ROOT / "docs" / "tutorial"

#: Each file that an ``aws ... --cli-input-json file://FILE`` reads, and its operation.
CLI_INPUTS = {
    "setup/ecr-repository.json": ("ecr", "CreateRepository"),
    "setup/s3-bucket.json": ("s3", "CreateBucket"),
    "setup/s3-bucket-versioning.json": ("s3", "PutBucketVersioning"),
    "setup/ec2-alb-security-group.json": ("ec2", "CreateSecurityGroup"),
    "setup/ec2-alb-ingress.json": ("ec2", "AuthorizeSecurityGroupIngress"),
    "setup/ec2-service-security-group.json": ("ec2", "CreateSecurityGroup"),
    "setup/ec2-service-ingress.json": ("ec2", "AuthorizeSecurityGroupIngress"),
    "setup/elb-load-balancer.json": ("elbv2", "CreateLoadBalancer"),
    "setup/elb-target-group.json": ("elbv2", "CreateTargetGroup"),
    "setup/elb-listener.json": ("elbv2", "CreateListener"),
    "setup/ecs-cluster.json": ("ecs", "CreateCluster"),
    "setup/ecs-service.json": ("ecs", "CreateService"),
    "rolling/taskdef.json": ("ecs", "RegisterTaskDefinition"),
    "rolling/codebuild-project.json": ("codebuild", "CreateProject"),
    "rolling/pipeline.json": ("codepipeline", "CreatePipeline"),
    # the blue/green track
    "setup/elb-target-group-green.json": ("elbv2", "CreateTargetGroup"),
    "setup/ecs-service-bluegreen.json": ("ecs", "CreateService"),
    "setup/codedeploy-application.json": ("codedeploy", "CreateApplication"),
    "bluegreen/deployment-group.json": ("codedeploy", "CreateDeploymentGroup"),
    "bluegreen/codebuild-project.json": ("codebuild", "CreateProject"),
    "bluegreen/pipeline.json": ("codepipeline", "CreatePipeline"),
}

#: The IAM policies: trust policies (``create-role --assume-role-policy-document``) and the
#: permission policies (``put-role-policy --policy-document``).
POLICIES = sorted(p.relative_to(TUTORIAL).as_posix() for p in TUTORIAL.rglob("*-policy.json"))

#: parliament's findings that are right for these policies: (file, issue, detail) and why.
JUSTIFIED: dict[tuple[str, str, str], str] = {
    (
        "setup/codepipeline-policy.json",
        "RESOURCE_STAR",
        "['ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:RegisterTaskDefinition']",
    ): "the ECS deploy action registers a revision and lists the service's tasks, whose ARNs "
    "are made during the deployment; AWS's policy for the action grants these on *",
}


#: What parliament says of every trust policy: a role's trust policy names a Principal and no
#: Resource (IAM refuses a Resource there), which parliament reads as an identity policy.
NO_RESOURCE = "Statement contains neither Resource nor NotResource"


def botocore_session() -> Any:
    """botocore's session; the test group installs it, so in CI its absence fails."""
    if os.environ.get("CI"):
        return importlib.import_module("botocore.session").get_session()
    return pytest.importorskip("botocore.session").get_session()


def parliament() -> Any:
    """parliament; the test group installs it, so in CI its absence fails."""
    if os.environ.get("CI"):
        return importlib.import_module("parliament")
    return pytest.importorskip(
        "parliament", reason="parliament is not installed (it is in the test group)"
    )


def cfnlint_api() -> Any:
    """cfn-lint's API; the test group installs it, so in CI its absence fails."""
    if os.environ.get("CI"):
        return importlib.import_module("cfnlint.api")
    pytest.importorskip("cfnlint", reason="cfn-lint is not installed (it is in the test group)")
    return importlib.import_module("cfnlint.api")


def tutorial_files() -> list[Path]:
    return sorted(p for p in TUTORIAL.rglob("*") if p.is_file())


def test_every_json_file_is_a_cli_input_a_policy_or_a_pipespec_kind() -> None:
    unclaimed = []
    for path in tutorial_files():
        rel = path.relative_to(TUTORIAL).as_posix()
        if path.suffix != ".json" or rel in CLI_INPUTS or rel in POLICIES:
            continue
        if catalog.detect(path.name) is None:
            unclaimed.append(rel)
    assert not unclaimed, f"JSON files no check claims: {unclaimed}"
    assert all((TUTORIAL / rel).is_file() for rel in CLI_INPUTS)


@pytest.mark.parametrize("rel", sorted(CLI_INPUTS), ids=str)
def test_botocore_accepts_the_cli_input(rel: str) -> None:
    from botocore.validate import ParamValidator

    service, operation = CLI_INPUTS[rel]
    model = botocore_session().get_service_model(service).operation_model(operation)
    data = json.loads((TUTORIAL / rel).read_text(encoding="utf-8"))
    report = ParamValidator().validate(data, model.input_shape)
    assert not report.has_errors(), report.generate_report()


@pytest.mark.parametrize("rel", sorted(CLI_INPUTS), ids=str)
def test_no_cli_input_is_taken_for_a_pipespec_kind_it_is_not(rel: str) -> None:
    """An input of another service must not be checked as a pipeline or project by mistake."""
    kind = catalog.detect(Path(rel).name)
    expected = {
        "RegisterTaskDefinition": "taskdef",
        "CreatePipeline": "pipeline",
        "CreateProject": "codebuild-project",
        "CreateDeploymentGroup": "deployment-group",
    }
    _service, operation = CLI_INPUTS[rel]
    assert (kind.name if kind else None) == expected.get(operation)


def test_there_are_trust_and_permission_policies() -> None:
    trust = [p for p in POLICIES if p.endswith("-trust-policy.json")]
    assert len(trust) >= 4 and len(POLICIES) > len(trust), POLICIES


@pytest.mark.parametrize("rel", POLICIES, ids=str)
def test_parliament_finds_nothing_in_the_policy(rel: str) -> None:
    text = (TUTORIAL / rel).read_text(encoding="utf-8")
    trust = rel.endswith("-trust-policy.json")
    policy = parliament().analyze_policy_string(text, include_community_auditors=False)
    findings = [
        f
        for f in policy.findings
        if (rel, f.issue, str(f.detail)) not in JUSTIFIED
        # a trust policy's sts:AssumeRole has no Resource: that is its form, not a defect
        and not (trust and f.issue == "MALFORMED" and f.detail == NO_RESOURCE)
    ]
    assert not findings, [(f.issue, f.detail, f.location) for f in findings]


def test_a_policys_resources_are_the_tutorials_names() -> None:
    """The ARNs in the permission policies name the bucket, project, repository and role
    the other files create (a renamed resource must be renamed here too)."""
    names = {
        "tutorial-web-123456789012": "setup/s3-bucket.json",
        "project/tutorial-web-build": "rolling/codebuild-project.json",
        "repository/tutorial-web": "setup/ecr-repository.json",
        "role/ecsTaskExecutionRole": "rolling/taskdef.json",
        "application:tutorial-web": "setup/codedeploy-application.json",
        "deploymentgroup:tutorial-web/tutorial-web-bg": "bluegreen/deployment-group.json",
    }
    policies = "".join((TUTORIAL / p).read_text(encoding="utf-8") for p in POLICIES)
    for name, where in names.items():
        assert name in policies, name
        assert re.split("[/:]", name)[-1] in (TUTORIAL / where).read_text("utf-8"), where


def templates() -> list[Path]:
    return [
        p
        for p in tutorial_files()
        if (k := catalog.detect(p.name)) is not None and k.name == "cloudformation"
    ]


def test_there_is_a_template() -> None:
    assert templates()


@pytest.mark.parametrize("path", templates(), ids=lambda p: p.name)
def test_cfn_lint_accepts_the_template(path: Path) -> None:
    matches = cfnlint_api().lint_file(path)
    assert not matches, [str(m) for m in matches]
    assert check_paths([path]).findings == []


def test_pipespec_checks_the_tutorial_clean() -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = check_paths([TUTORIAL.relative_to(ROOT)], lang="en")
    finally:
        os.chdir(cwd)
    assert [f.format() for f in result.findings] == []


def test_every_file_is_shown_by_a_tutorial_page() -> None:
    """Each file under examples/tutorial/ is a ``literalinclude`` of a page under
    docs/tutorial/ (the site-wide test sees only the JSON and YAML files)."""
    included = set()
    for page in PAGES.rglob("*.md"):
        for target in re.findall(r"```\{literalinclude\}\s+(\S+)", page.read_text("utf-8")):
            included.add((page.parent / target).resolve())
    missing = [p.relative_to(ROOT).as_posix() for p in tutorial_files() if p not in included]
    assert not missing, f"files no tutorial page shows: {missing}"


def _template(name: str) -> Any:
    """The template as pipespec reads it (short-form intrinsic tags in their long form)."""
    doc = load_path(TUTORIAL / "cloudformation" / name, cloudformation=True)
    assert doc.ok, [f.format() for f in doc.findings]
    return doc.data


def _lower_keys(value: Any) -> Any:
    """CloudFormation's PascalCase keys as the API's camelCase ones."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def test_the_bluegreen_template_deploys_as_the_cli_track_does() -> None:
    """The template's deploy action and deployment group say what the CLI inputs say."""
    resources = _template("tutorial-web-bluegreen.template.yaml")["Resources"]
    cli_pipeline = json.loads((TUTORIAL / "bluegreen" / "pipeline.json").read_text("utf-8"))
    [cli_deploy] = cli_pipeline["pipeline"]["stages"][-1]["actions"]
    [deploy] = resources["Pipeline"]["Properties"]["Stages"][-1]["Actions"]
    assert deploy["ActionTypeId"]["Provider"] == cli_deploy["actionTypeId"]["provider"]
    names = {"ApplicationName", "DeploymentGroupName"}  # from the stack name there
    assert set(deploy["Configuration"]) == set(cli_deploy["configuration"])
    for key, value in cli_deploy["configuration"].items():
        if key not in names:
            assert deploy["Configuration"][key] == value, key
    assert [a["Name"] for a in deploy["InputArtifacts"]] == [
        a["name"] for a in cli_deploy["inputArtifacts"]
    ]
    group = _lower_keys(resources["DeploymentGroup"]["Properties"])
    cli_group = json.loads((TUTORIAL / "bluegreen" / "deployment-group.json").read_text("utf-8"))
    for key in (
        "deploymentConfigName",
        "deploymentStyle",
        "blueGreenDeploymentConfiguration",
        "autoRollbackConfiguration",
    ):
        assert group[key] == cli_group[key], key
    assert resources["Service"]["Properties"]["DeploymentController"] == {"Type": "CODE_DEPLOY"}
    role = resources["CodeDeployRole"]["Properties"]["ManagedPolicyArns"]
    assert role == ["arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS"]
