"""CloudFormation templates: their pipelines, deployment groups and CodeBuild projects are
checked with those kinds' rules, each finding on the template's own line and column; inline
buildspecs are checked where they are written; intrinsic functions are opaque."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

import harness
import pytest

from pipespec.cfn import worded
from pipespec.check import check_paths, check_text
from pipespec.findings import Finding
from pipespec.load import load_text

HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Repo:\n    Type: String\n'
PROJECT = """\
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: !Sub "${AWS::StackName}-build"
      ServiceRole: !GetAtt Role.Arn
      Artifacts:
        Type: CODEPIPELINE
      Environment:
        Type: LINUX_CONTAINER
        Image: aws/codebuild/standard:7.0
        ComputeType: BUILD_GENERAL1_SMALL
        PrivilegedMode: true
        EnvironmentVariables:
          - Name: STAGE
            Value: prod
      Source:
        Type: CODEPIPELINE
        BuildSpec: !Sub |
          version: 0.2
          phases:
            build:
              commands:
                - docker build -t "${Repo}:${!CODEBUILD_RESOLVED_SOURCE_VERSION}" .
"""
GROUP = """\
  App:
    Type: AWS::CodeDeploy::Application
    Properties:
      ComputePlatform: ECS
  Group:
    Type: AWS::CodeDeploy::DeploymentGroup
    Properties:
      ApplicationName: !Ref App
      ServiceRoleArn: !GetAtt Role.Arn
      DeploymentConfigName: CodeDeployDefault.ECSAllAtOnce
      DeploymentStyle:
        DeploymentType: BLUE_GREEN
        DeploymentOption: WITH_TRAFFIC_CONTROL
      BlueGreenDeploymentConfiguration:
        DeploymentReadyOption:
          ActionOnTimeout: CONTINUE_DEPLOYMENT
        TerminateBlueInstancesOnDeploymentSuccess:
          Action: TERMINATE
          TerminationWaitTimeInMinutes: 5
      ECSServices:
        - ClusterName: !Ref Cluster
          ServiceName: web
      LoadBalancerInfo:
        TargetGroupPairInfoList:
          - TargetGroups:
              - Name: web-1
              - Name: web-2
            ProdTrafficRoute:
              ListenerArns:
                - !Ref Listener
"""
PIPELINE = """\
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      Name: !Ref AWS::StackName
      RoleArn: !GetAtt Role.Arn
      ArtifactStore:
        Type: S3
        Location: !Ref Bucket
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit, Version: "1"}
              Configuration:
                RepositoryName: !Ref Repo
                BranchName: main
              OutputArtifacts:
                - Name: SourceOutput
        - Name: Build
          Actions:
            - Name: Build
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: "1"}
              Configuration:
                ProjectName: !Ref Build
              InputArtifacts:
                - Name: SourceOutput
              OutputArtifacts:
                - Name: BuildOutput
        - Name: Deploy
          Actions:
            - Name: Deploy
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: CodeDeployToECS, Version: "1"}
              Configuration:
                ApplicationName: !Ref App
                DeploymentGroupName: !Ref Group
                TaskDefinitionTemplateArtifact: SourceOutput
                AppSpecTemplateArtifact: SourceOutput
                Image1ArtifactName: BuildOutput
                Image1ContainerName: IMAGE1_NAME
              InputArtifacts:
                - Name: SourceOutput
                - Name: BuildOutput
"""
OTHERS = """\
  Role:
    Type: AWS::IAM::Role
  Bucket:
    Type: AWS::S3::Bucket
  Cluster:
    Type: AWS::ECS::Cluster
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
"""
GOOD = HEAD + "Resources:\n" + PROJECT + GROUP + PIPELINE + OTHERS


def check(text: str, name: str = "template.yaml") -> list[Finding]:
    return check_text(text, "cloudformation", path=name)


def at(text: str, f: Finding) -> str:
    """The template's text from where the finding points."""
    return text.split("\n")[f.line - 1][f.column - 1 :]


def only(text: str, rule: str) -> Finding:
    found = [f for f in check(text) if f.rule == rule]
    assert len(found) == 1, [f.format() for f in check(text)]
    return found[0]


def test_the_complete_template_is_clean() -> None:
    assert check(GOOD) == []


# --------------------------------------------------------------------------- defect classes

#: (rule, the change to the good template, the text the finding points at)
DEFECTS = [
    ("PL110", ("        - Name: Deploy\n", "        - Name: Deploy\n"), None),
    ("PL111", ("Category: Build, Owner", "Category: Source, Owner"), "Source, Owner"),
    ("PL112", ("            - Name: Deploy\n", "            - Name: Deploy\n"), None),
    (
        "PL113",
        (
            "              InputArtifacts:\n                - Name: SourceOutput\n"
            "              OutputArtifacts",
            "              InputArtifacts:\n"
            "                - Name: sourceoutput\n              OutputArtifacts",
        ),
        "sourceoutput",
    ),
    ("PL114", ("      Name: !Ref AWS::StackName\n", "      Name: web site\n"), "web site"),
    (
        "PL115",
        ("      ArtifactStore:\n        Type: S3\n        Location: !Ref Bucket\n", ""),
        None,
    ),
    ("PL116", ("Category: Build, Owner", "Category: Deploy, Owner"), "Deploy, Owner"),
    ("PL117", ("              OutputArtifacts:\n                - Name: SourceOutput\n", ""), None),
    (
        "PL118",
        ("                ProjectName: !Ref Build\n", "                PrimarySource: x\n"),
        None,
    ),
    (
        "PL119",
        (
            "      Name: !Ref AWS::StackName\n",
            "      Name: web\n      PipelineType: V1\n      ExecutionMode: QUEUED\n",
        ),
        "QUEUED",
    ),
    (
        "PL120",
        ("AppSpecTemplateArtifact: SourceOutput", "AppSpecTemplateArtifact: Source"),
        "Source\n",
    ),
    ("PL121", ("                Image1ContainerName: IMAGE1_NAME\n", ""), "Image1ArtifactName"),
    ("DG110", ("DeploymentType: BLUE_GREEN", "DeploymentType: IN_PLACE"), "IN_PLACE"),
    (
        "DG111",
        ("CodeDeployDefault.ECSAllAtOnce", "CodeDeployDefault.OneAtATime"),
        "CodeDeployDefault.OneAtATime",
    ),
    ("DG112", ("              - Name: web-2\n", ""), "- Name: web-1"),
    ("DG114", ("TerminationWaitTimeInMinutes: 5", "TerminationWaitTimeInMinutes: 4320"), "4320"),
    ("CB110", ("        PrivilegedMode: true\n", ""), "!Sub |"),
    (
        "CB111",
        ("        Type: LINUX_CONTAINER\n", "        Type: LINUX_LAMBDA_CONTAINER\n"),
        "BUILD_GENERAL1_SMALL",
    ),
    ("CB112", ("          - Name: STAGE", "          - Name: CODEBUILD_STAGE"), "CODEBUILD_STAGE"),
    ("BS101", ("            build:\n", "            Build:\n"), "Build:"),
    (
        "CF110",
        ("${!CODEBUILD_RESOLVED_SOURCE_VERSION}", "${CODEBUILD_RESOLVED_SOURCE_VERSION}"),
        "${CODEBUILD_RESOLVED_SOURCE_VERSION}",
    ),
    ("CF111", ("ProjectName: !Ref Build", "ProjectName: !Ref Bucket"), "!Ref Bucket"),
]


def _mutate(rule: str, old: str, new: str) -> str:
    if rule == "PL110":  # one stage only
        start = GOOD.index("        - Name: Build\n")
        end = GOOD.index("  Role:\n")
        return GOOD[:start] + GOOD[end:]
    if rule == "PL112":  # a second Deploy stage
        deploy = GOOD[GOOD.index("        - Name: Deploy\n") : GOOD.index("  Role:\n")]
        return GOOD.replace(OTHERS, deploy + OTHERS)
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(("rule", "change", "where"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_each_defect_is_found_on_its_line(
    rule: str, change: tuple[str, str], where: str | None
) -> None:
    text = _mutate(rule, *change)
    found = [f for f in check(text) if f.rule == rule]
    assert found, [f.format() for f in check(text)]
    f = found[0]
    assert f.path == "template.yaml"
    if where is not None:
        assert at(text, f).startswith(where.rstrip("\n")), (f.format(), at(text, f))


def test_a_rule_that_read_an_opaque_value_reports_nothing_after_it() -> None:
    """PL114 reads the pipeline's Name first; a !Ref there hides its later findings (the
    price of reporting nothing that an intrinsic function could make wrong)."""
    text = GOOD.replace("            - Name: Build\n", "            - Name: Build it\n")
    assert [f.rule for f in check(text)] == []
    named = text.replace("      Name: !Ref AWS::StackName\n", "      Name: web\n")
    assert at(named, only(named, "PL114")).startswith("Build it")


def test_messages_use_cloudformations_names() -> None:
    f = only(_mutate("CB110", "        PrivilegedMode: true\n", ""), "CB110")
    assert "Environment.PrivilegedMode" in f.message and "privilegedMode" not in f.message
    assert worded("ecsServices and 'ecsServices' and environment") == (
        "ECSServices and 'ecsServices' and environment"
    )


def test_cf112_a_group_of_another_application() -> None:
    text = GOOD.replace(
        "  Group:\n", "  Other:\n    Type: AWS::CodeDeploy::Application\n  Group:\n"
    ).replace("      ApplicationName: !Ref App\n", "      ApplicationName: !Ref Other\n", 1)
    f = only(text, "CF112")
    assert at(text, f).startswith("!Ref App")


def test_the_schemas_are_not_run_on_resources() -> None:
    text = GOOD.replace("        PrivilegedMode: true\n", "        PrivilegedMode: true\n"
                        "        Unknown: x\n")  # fmt: skip
    assert check(text) == []  # an unknown property is cfn-lint's to report


# --------------------------------------------------------------------------- opaque values

OPAQUE = [
    (
        "RunOrder",
        "              ProjectName: !Ref Build\n",
        "              ProjectName: !Ref Build\n              RunOrder: !Ref Order\n",
    ),
    (
        "Configuration",
        "              Configuration:\n                ProjectName: !Ref Build\n",
        "              Configuration: !If [C, {ProjectName: a}, {ProjectName: b}]\n",
    ),
    ("DeploymentType", "DeploymentType: BLUE_GREEN", "DeploymentType: !If [C, BLUE_GREEN, X]"),
    ("PrivilegedMode", "PrivilegedMode: true", "PrivilegedMode: !If [C, true, false]"),
    (
        "DeploymentConfigName",
        "DeploymentConfigName: CodeDeployDefault.ECSAllAtOnce",
        "DeploymentConfigName: !Ref Config",
    ),
    (
        "output name",
        "                - Name: SourceOutput\n        - Name: Build",
        "                - Name: !Ref Out\n        - Name: Build",
    ),
    (
        "stage",
        "        - Name: Source\n",
        "        - !If [C, {Name: X}, !Ref AWS::NoValue]\n        - Name: Source\n",
    ),
    ("category", "Category: Build, Owner", "Category: !Ref Cat, Owner"),
    ("listener list", "ListenerArns:\n                - !Ref Listener", "ListenerArns: !Ref L"),
    ("wait", "TerminationWaitTimeInMinutes: 5", "TerminationWaitTimeInMinutes: !Ref Wait"),
    ("dynamic reference", "BranchName: main", "BranchName: '{{resolve:ssm:branch}}'"),
]


@pytest.mark.parametrize(("what", "old", "new"), OPAQUE, ids=[o[0] for o in OPAQUE])
def test_intrinsic_values_never_make_a_finding(what: str, old: str, new: str) -> None:
    assert old in GOOD, old
    text = GOOD.replace(old, new, 1)
    assert [f.format() for f in check(text) if f.rule[:2] in ("PL", "DG", "CB")] == []


def test_a_real_defect_beside_an_opaque_value_is_still_found() -> None:
    text = GOOD.replace("ProjectName: !Ref Build", "ProjectName: !Ref Build\n"
                        "                PrimarySource: !Ref Src")  # fmt: skip
    text = text.replace("DeploymentType: BLUE_GREEN", "DeploymentType: IN_PLACE")
    assert at(text, only(text, "DG110")).startswith("IN_PLACE")


def test_no_value_removes_the_property() -> None:
    no_value = "        PrivilegedMode: !Ref AWS::NoValue\n"
    text = GOOD.replace("        PrivilegedMode: true\n", no_value)
    assert [f.rule for f in check(text)] == ["CB110"]


# --------------------------------------------------------------------------- loading


def test_short_form_tags_load_in_a_template_only() -> None:
    tags = ("Ref", "Sub", "GetAtt", "If", "Join", "Select", "Split", "FindInMap", "Base64",
            "Cidr", "ImportValue", "GetAZs", "Equals", "And", "Or", "Not", "Condition",
            "Transform")  # fmt: skip
    body = "".join(f"  {t}:\n    Type: AWS::S3::Bucket\n    Metadata: !{t} [a, b]\n" for t in tags)
    doc = load_text("Resources:\n" + body, "template.yaml", cloudformation=True)
    assert doc.ok and doc.findings == []
    assert doc.data["Resources"]["Ref"]["Metadata"] == {"Ref": ["a", "b"]}
    assert doc.data["Resources"]["Sub"]["Metadata"] == {"Fn::Sub": ["a", "b"]}
    scalar = load_text("A: !GetAtt Role.Arn\nB: !Ref X\n", "t.yaml", cloudformation=True)
    assert scalar.data == {"A": {"Fn::GetAtt": ["Role", "Arn"]}, "B": {"Ref": "X"}}
    assert scalar.position(("B", "Ref")) == (2, 4)
    plain = load_text("version: 0.2\nphases: !Ref X\n", "buildspec.yml")
    assert not plain.ok and "'!Ref'" in plain.findings[0].message


@pytest.mark.parametrize("tag", ["!Foo", "!!python/object:os.system", "!GetAtt.x", "!ref"])
def test_other_tags_stay_refused(tag: str) -> None:
    found = check(f"{HEAD}Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata: {tag} x\n")
    assert [f.rule for f in found] == ["LD001"]
    assert tag.removeprefix("!!").split(":")[0] in found[0].message


def test_a_tag_inside_an_inline_buildspec_is_the_buildspecs_error() -> None:
    text = GOOD.replace("            build:\n", "            build: !Ref X\n            other:\n")
    assert "LD001" in [f.rule for f in check(text)]


@pytest.mark.parametrize("text", [
    "Resources:\n  A:\n    Type: Custom::Thing\n",
    "name: my-app\nversion: 3\n",
    "# a Jinja template\n{% if x %}\n",
    "",
    "- a\n- !Unknown b\n",
])  # fmt: skip
def test_a_file_so_named_that_is_no_template_is_skipped(text: str, tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(text, encoding="utf-8")
    result = check_paths([tmp_path])
    assert result.findings == [] and result.errors == 0
    assert check(text) == []


# --------------------------------------------------------------------------- positions


def _buildspec_template(buildspec: str) -> str:
    return f"{HEAD}Resources:\n  P:\n    Type: AWS::CodeBuild::Project\n    Properties:\n" \
        f"      Source:\n        Type: NO_SOURCE\n        BuildSpec: {buildspec}\n"  # fmt: skip


BUILDSPECS = {
    "literal": "|\n          version: 0.2\n          phases:\n            preBuild:\n"
    "              commands: [make]\n",
    "literal keep": "|+\n          version: 0.2\n\n          phases:\n            preBuild:\n"
    "              commands: [make]\n\n",
    "folded": ">\n          version: 0.2\n\n          phases:\n\n            preBuild:\n"
    "              commands: [make]\n",
    "double-quoted": '"version: 0.2\\nenv:\\n  variables:\\n    A: \\u00e9\\t\\x41\\nphases:\\n'
    '  preBuild:\\n    commands: [make]\\n"',
    "double-quoted folded": '"version: 0.2\\n\\\n          phases:\\n\\\n'
    '          \\ \\ preBuild:\\n\\\n          \\ \\ \\ \\ commands: [make]\\n"',
    "single-quoted": '\'{"version": 0.2,\n\n          "phases": {\n          "preBuild": '
    "{\"commands\": [''make'']}}}'",
    "sub": "!Sub |\n          version: 0.2\n          env:\n            variables:\n"
    "              A: ${!Literal}${Repo}${AWS::Region}\n          phases:\n            preBuild:\n"
    "              commands: [make]\n",
    "sub list": "!Sub\n          - |\n            version: 0.2\n            phases:\n"
    '              preBuild: {commands: ["${Repo}${!x}${V}"]}\n          - V: x\n',
}


@pytest.mark.parametrize("style", list(BUILDSPECS))
def test_a_buildspec_finding_points_at_its_text_in_the_template(style: str) -> None:
    text = _buildspec_template(BUILDSPECS[style])
    f = only(text, "BS101")
    assert at(text, f).lstrip("'\"").startswith("preBuild"), (f.format(), at(text, f))


def test_plain_and_quoted_scalars_map_each_character() -> None:
    import yaml

    from pipespec.textmap import yaml_scalar_positions

    for text in ("a: plain text\n  continued  \n\n  after blank\nb: 1\n",
                 "a: 'it''s\n  folded  \n\n  x'\n", 'a: "t\\tb \\u00e9\\\n    joined \\x41"\n',
                 "a: >\n  one\n  two\n\n  three\n    more\n  four\n"):  # fmt: skip
        node = yaml.compose(text).value[0][1]
        positions = yaml_scalar_positions(text, node.style or "", node.start_mark.index,
                                          node.end_mark.index, node.value)  # fmt: skip
        assert positions is not None, text
        lines = text.split("\n")
        for i, ch in enumerate(node.value.rstrip("\n")):
            line, col = positions.at(i)
            written = lines[line - 1][col - 1 : col] or "\n"
            assert written == ch or written == "\\" or ch in " \n", (text, i, ch, written)


def test_json_templates_place_findings_inside_their_strings() -> None:
    spec = "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make ${Repo}\n"
    for body in (spec, {"Fn::Sub": spec}, {"Fn::Sub": [spec, {"X": "y"}]}):
        data = {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"Repo": {}},
                "Resources": {"P": {"Type": "AWS::CodeBuild::Project", "Properties": {
                    "Source": {"Type": "NO_SOURCE", "BuildSpec": body}}}}}  # fmt: skip
        text = json.dumps(data, indent=2)
        (f,) = [f for f in check(text, "template.json") if f.rule == "BS101"]
        assert at(text, f).startswith("preBuild"), f.format()


def test_sub_variables_are_opaque_and_columns_stay_right() -> None:
    text = _buildspec_template(
        "!Sub |\n          version: ${Version}\n          phases:\n            build:\n"
        "              commands:\n                - echo ${!HOME} ${Repo} && cd ${!x}/ && "
        "docker build .\n")  # fmt: skip
    found = check(text)
    assert "BS102" not in [f.rule for f in found]  # the version is CloudFormation's
    (cb,) = [f for f in found if f.rule == "CB110"]
    assert "docker build" in cb.message and "${Repo}" in cb.message  # as written
    text = text.replace(
        "echo ${!HOME} ${Repo} && cd ${!x}/ && docker build .", "docker build -t ${Repo} ."
    )
    (cb,) = [f for f in check(text) if f.rule == "CB110"]
    assert "'docker build -t ${Repo} .'" in cb.message  # the variable as written


def test_cf110_points_at_the_variable() -> None:
    text = _buildspec_template(
        "!Sub |\n          version: 0.2\n          phases:\n            build:\n"
        "              commands:\n                - echo ${!A} ${Repo} ${IMAGE_TAG} ${Repo.Arn}\n"
    )
    f = only(text, "CF110")
    assert at(text, f).startswith("${IMAGE_TAG}") and "${!IMAGE_TAG}" in f.message
    assert [
        f
        for f in check(
            text.replace("AWSTemplate", "Transform: AWS::Serverless-2016-10-31\nAWSTemplate")
        )
        if f.rule == "CF110"
    ] == []


# --------------------------------------------------------------------------- bundle


def test_the_cross_file_rules_read_the_templates_resources(tmp_path: Path) -> None:
    text = GOOD.replace("        PrivilegedMode: true\n", "").replace(
        "        BuildSpec: !Sub |\n", "        BuildSpec: buildspec.yml\n        X: |\n"
    )
    (tmp_path / "template.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t web .\n",
        encoding="utf-8",
    )
    found = check_paths([tmp_path]).findings
    (xf,) = [f for f in found if f.rule == "XF114"]
    assert xf.path.endswith("template.yaml") and at(text, xf).startswith("Environment:")


# --------------------------------------------------------------------------- hostile


def test_hostile_templates_give_findings_not_tracebacks() -> None:
    deep = HEAD + "Resources:\n  P:\n    Type: AWS::CodeBuild::Project\n    Properties:\n" \
        "      Source: " + "!If [c, " * 150 + "x" + "]" * 150 + "\n"  # fmt: skip
    assert "LD008" in [f.rule for f in check(deep)]
    names = ["a"] + [f"a{i}" for i in range(12)]
    bomb = (
        HEAD
        + "X: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"
        + "".join(f"X{i}: &{names[i + 1]} [{', '.join([f'*{names[i]}'] * 4)}]\n" for i in range(12))
    )
    assert "LD007" in [f.rule for f in check(bomb)]
    huge = _buildspec_template("|\n" + "          # padding\n" * 120_000)
    assert "LD006" in [f.rule for f in check(huge)]
    odd = _buildspec_template("!Sub '${unterminated ${!} ${} ${A.B.C} ${'")
    assert all(f.rule.startswith(("CF", "BS", "LD")) for f in check(odd))
    cycle = HEAD + "Resources:\n  P:\n    Type: AWS::CodePipeline::Pipeline\n" \
        "    Properties: &a\n      Stages: !If [c, *a, x]\n"  # fmt: skip
    assert [f.rule for f in check(cycle)] == ["LD001"]


def test_a_template_of_5000_resources_checks_in_seconds() -> None:
    body = "".join(
        f"  Project{i}:\n    Type: AWS::CodeBuild::Project\n    Properties:\n"
        f"      Name: p{i}\n      Environment: {{Type: LINUX_CONTAINER, Image: x, ComputeType: "
        f"BUILD_GENERAL1_SMALL}}\n      Source: {{Type: CODEPIPELINE, BuildSpec: buildspec.yml}}\n"
        for i in range(5000)
    )
    found = harness.measure(
        lambda: check(HEAD + "Resources:\n" + body),
        "5,000 resources",
        seconds=6,
        memory=False,
        group="cloudformation",
    )
    assert found == []


# --------------------------------------------------------------------------- examples

ROOT = Path(__file__).resolve().parent.parent


def cloudformation_examples() -> list[Path]:
    from pipespec import catalog

    return [
        p
        for p in sorted((ROOT / "examples").rglob("*"))
        if p.is_file()
        and (k := catalog.detect(p.name)) is not None
        and k.name == "cloudformation"
        and "mistakes" not in p.parts
    ]


def cfnlint_api() -> Any:
    """cfn-lint's API; the test group installs it, so in CI its absence fails."""
    if os.environ.get("CI"):
        return importlib.import_module("cfnlint.api")
    pytest.importorskip("cfnlint", reason="cfn-lint is not installed (it is in the test group)")
    return importlib.import_module("cfnlint.api")


def test_there_is_a_cloudformation_example() -> None:
    assert cloudformation_examples()


@pytest.mark.parametrize("path", cloudformation_examples(), ids=lambda p: p.name)
def test_cfn_lint_accepts_the_example(path: Path) -> None:
    """The template pipespec shows is one CloudFormation takes: cfn-lint finds nothing."""
    api = cfnlint_api()
    matches = api.lint_file(path)
    assert not matches, [str(m) for m in matches]
    assert check_paths([path]).findings == []


def test_the_resources_environment_variables_count_as_defined() -> None:
    text = _buildspec_template(
        "|\n          version: 0.2\n          phases:\n            build:\n"
        "              commands: ['echo \"$REPOSITORY_URI $OTHER\"']\n"
    ).replace(
        "      Source:\n",
        "      Environment:\n        EnvironmentVariables:\n"
        "          - Name: REPOSITORY_URI\n            Value: !Ref Repo\n      Source:\n",
    )
    found = [f for f in check(text) if f.rule == "BS120"]
    assert [f.message.split()[0] for f in found] == ["$OTHER"], [f.format() for f in found]


def test_an_inline_buildspec_cannot_see_its_source() -> None:
    # appspec.yml and taskdef.json usually live in the source, which a template does not
    # show; imagedefinitions.json is reported because the commands write another deploy
    # input instead, a mix-up the source cannot explain.
    spec = (
        "|\n          version: 0.2\n          phases:\n            build:\n"
        "              commands: ['echo x > imageDetail.json']\n"
        "          artifacts:\n            files:\n"
        "              - appspec.yml\n              - taskdef.json\n"
        "              - imagedefinitions.json\n"
    )
    found = [f for f in check(_buildspec_template(spec)) if f.rule == "BS116"]
    assert ["imagedefinitions.json" in f.message for f in found] == [True]
