"""CloudFormation template rules (``CF1xx``): what only a template says.

The pipelines, deployment groups and CodeBuild projects of a template are also checked
with the rules of those kinds (``PL``, ``DG``, ``CB``), their inline buildspecs with the
buildspec's (see :mod:`pipespec.cfn`); a template's shape is cfn-lint's to check. The rules
here read the template itself: the ``${...}`` of a ``!Sub`` buildspec, and the resources a
pipeline's actions name with ``!Ref``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Severity
from . import Hit, rule

if TYPE_CHECKING:
    from ..cfn.template import Resource, Template
    from ..context import Context

E, W = Severity.ERROR, Severity.WARNING
KIND = "cloudformation"
EXAMPLE = "template.yaml"

_PROJECT = """\
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      ServiceRole: !GetAtt BuildRole.Arn
      Artifacts:
        Type: CODEPIPELINE
      Environment:
        Type: LINUX_CONTAINER
        Image: aws/codebuild/standard:7.0
        ComputeType: BUILD_GENERAL1_SMALL
      Source:
        Type: CODEPIPELINE
        BuildSpec: !Sub |
          version: 0.2
          env:
            variables:
              TAG: latest
          phases:
            build:
              commands:
                - echo "${Stage} build of $CODEBUILD_RESOLVED_SOURCE_VERSION"
                - echo "${TAG}"
"""
_HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
Resources:
  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: codebuild.amazonaws.com}
            Action: sts:AssumeRole
"""


def _pipeline(deploy: str, extra: str = "") -> str:
    return (
        _HEAD
        + f"""\
  App:
    Type: AWS::CodeDeploy::Application
    Properties:
      ComputePlatform: Server
  Other:
    Type: AWS::CodeDeploy::Application
  Group:
    Type: AWS::CodeDeploy::DeploymentGroup
    Properties:
      ApplicationName: !Ref App
      ServiceRoleArn: arn:aws:iam::123456789012:role/CodeDeployServiceRole
      Ec2TagFilters:
        - {{Key: app, Value: web, Type: KEY_AND_VALUE}}
  Bucket:
    Type: AWS::S3::Bucket
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/pipeline
      ArtifactStore: {{Type: S3, Location: !Ref Bucket}}
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {{Category: Source, Owner: AWS, Provider: S3, Version: "1"}}
              Configuration: {{S3Bucket: !Ref Bucket, S3ObjectKey: source.zip}}
              OutputArtifacts: [{{Name: SourceOutput}}]
        - Name: Deploy
          Actions:
            - Name: Deploy
              ActionTypeId: {{Category: Deploy, Owner: AWS, Provider: CodeDeploy, Version: "1"}}
              Configuration:
{deploy}
              InputArtifacts: [{{Name: SourceOutput}}]
{extra}"""
    )


_GOOD_DEPLOY = """\
                ApplicationName: !Ref App
                DeploymentGroupName: !Ref Group"""


def _template(ctx: Context) -> Template:
    from ..cfn import template_of

    return template_of(ctx.doc)


# --------------------------------------------------------------------------- CF110


@rule(
    "CF110", "sub-variable-not-in-template", KIND, E,
    en="${{{name}}} in the !Sub buildspec is a CloudFormation variable, but the template has no "
    "parameter or resource {name!r}: CloudFormation refuses the template; write ${{!{name}}} "
    "(or ${bare}) to leave it to the shell",
    ja="!Sub の buildspec の ${{{name}}} は CloudFormation の変数ですが、テンプレートに "
    "{name!r} というパラメータもリソースもないため、CloudFormation はテンプレートを受け付けません。"
    "シェルの変数にするなら ${{!{name}}} (または ${bare}) と書きます",
    explain_en="In a Fn::Sub string, \"variables can be template parameter names, resource "
    "logical IDs, resource attributes, or a variable in a key-value map\", and \"to write a "
    "dollar sign and curly braces (${}) literally, add an exclamation point (!) after the "
    "open curly brace, such as ${!Literal}\" (AWS CloudFormation Template Reference, Fn::Sub: "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "intrinsic-function-reference-sub.html). A buildspec written with !Sub to insert a "
    "parameter often also holds the shell's own ${VAR}: CloudFormation tries to resolve it "
    "and the stack fails to create. pipespec checks every ${...} of a !Sub BuildSpec "
    "against the template's Parameters, Resources (and their attributes), the pseudo "
    "parameters and the !Sub's own variables; templates with a Transform (SAM, macros) are "
    "not checked, since a macro may add the name.",
    explain_ja="Fn::Sub の文字列では「変数はテンプレートのパラメータ名、リソースの論理 ID、リソースの"
    "属性、またはキーと値のマップの変数」で、「ドル記号と波かっこ (${}) をそのまま書くには、開き"
    "波かっこの後に感嘆符 (!) を付けて ${!Literal} のように書く」とされています (AWS "
    "CloudFormation テンプレートリファレンスの Fn::Sub: "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "intrinsic-function-reference-sub.html)。パラメータを埋め込むために !Sub で書いた buildspec "
    "には、シェルの ${VAR} も混ざりがちです。CloudFormation はそれを解決しようとしてスタックの作成に"
    "失敗します。pipespec は !Sub の BuildSpec の ${...} をすべて、テンプレートの Parameters・"
    "Resources (とその属性)・擬似パラメータ・!Sub 自身の変数と照らし合わせます。Transform (SAM や"
    "マクロ) のあるテンプレートは、マクロが名前を足すことがあるので検査しません。",
    bad=_HEAD + _PROJECT,
    good=_HEAD + _PROJECT.replace("${TAG}", "${!TAG}"),
    example_name=EXAMPLE,
)  # fmt: skip
def sub_variable_not_in_template(ctx: Context) -> Iterator[Hit]:
    from ..textmap import json_string_positions, lines_of, yaml_scalar_positions

    template = _template(ctx)
    if template.transform:
        return
    known = template.parameters | set(template.by_id)
    for inline in template.inline:
        if not inline.sub:
            continue
        doc = template.doc
        start = doc.position(inline.path)
        positions = None
        if doc.format == "json":
            positions = json_string_positions(doc.text, start)
        elif inline.path in doc.scalars:
            style, begin, end = doc.scalars[inline.path]
            positions = yaml_scalar_positions(doc.text, style, begin, end, inline.value,
                                              lines_of(doc.text))  # fmt: skip
        for v in inline.variables:
            name = v.name
            head = name.split(".", 1)[0]
            if name in known or name in inline.names or name in _PSEUDO or head in known:
                continue
            where = positions.at(v.start) if positions is not None else start
            bare = name if name.replace("_", "").isalnum() else "{" + name + "}"
            yield Hit(inline.path, {"name": name, "bare": bare}, position=where)


_PSEUDO = frozenset({"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
                     "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName",
                     "AWS::URLSuffix"})  # fmt: skip


# --------------------------------------------------------------------------- CF111, CF112

#: Configuration keys of actions that name another resource, by provider: the resource
#: type whose Ref is that name.
REFERENCES: dict[str, dict[str, str]] = {
    "CodeBuild": {"ProjectName": "AWS::CodeBuild::Project"},
    "CodeDeploy": {"ApplicationName": "AWS::CodeDeploy::Application",
                   "DeploymentGroupName": "AWS::CodeDeploy::DeploymentGroup"},
    "CodeDeployToECS": {"ApplicationName": "AWS::CodeDeploy::Application",
                        "DeploymentGroupName": "AWS::CodeDeploy::DeploymentGroup"},
}  # fmt: skip


def _actions(template: Template) -> Iterator[tuple[tuple[Any, ...], str, dict[str, Any]]]:
    """(path of the Configuration, provider, Configuration) of each action of each pipeline."""
    for pipeline in template.resources:
        if pipeline.type != "AWS::CodePipeline::Pipeline":
            continue
        props = pipeline.body.get("Properties")
        stages = props.get("Stages") if isinstance(props, dict) else None
        for s, stage in enumerate(stages if isinstance(stages, list) else []):
            actions = stage.get("Actions") if isinstance(stage, dict) else None
            for a, action in enumerate(actions if isinstance(actions, list) else []):
                if not isinstance(action, dict):
                    continue
                kind = action.get("ActionTypeId")
                provider = kind.get("Provider") if isinstance(kind, dict) else None
                config = action.get("Configuration")
                if isinstance(provider, str) and isinstance(config, dict):
                    path = (*pipeline.path, "Properties", "Stages", s, "Actions", a,
                            "Configuration")  # fmt: skip
                    yield path, provider, config


def _ref(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return str(value["Ref"])
    return None


@rule(
    "CF111", "action-refers-to-other-type", KIND, E,
    en="{key} of the {provider} action is !Ref {target}, of type {actual}: the action needs "
    "the name of an {wanted}",
    ja="{provider} アクションの {key} が !Ref {target} ({actual}) です。このアクションには "
    "{wanted} の名前が必要です",
    explain_en="A CodeBuild action's ProjectName is \"the name of the build project in "
    "CodeBuild\", a CodeDeploy or CodeDeployToECS action's ApplicationName and "
    "DeploymentGroupName the names of the CodeDeploy application and deployment group "
    "(CodePipeline User Guide, action reference: "
    "https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html, "
    "https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeDeploy.html"
    "). In a template, !Ref of an AWS::CodeBuild::Project, AWS::CodeDeploy::Application or "
    "AWS::CodeDeploy::DeploymentGroup returns that name (their Return values in the "
    "CloudFormation Template Reference, e.g. "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-resource-codebuild-project.html); !Ref of a resource of another type names "
    "something else, and the action fails when it runs.",
    explain_ja="CodeBuild アクションの ProjectName は「CodeBuild のビルドプロジェクトの名前」、"
    "CodeDeploy と CodeDeployToECS アクションの ApplicationName と DeploymentGroupName は "
    "CodeDeploy のアプリケーションとデプロイグループの名前です (CodePipeline ユーザーガイドの"
    "アクションリファレンス: "
    "https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html、"
    "https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeDeploy.html"
    ")。テンプレートでは、AWS::CodeBuild::Project・AWS::CodeDeploy::Application・"
    "AWS::CodeDeploy::DeploymentGroup の !Ref がその名前を返します (CloudFormation テンプレート"
    "リファレンスの各リソースの戻り値。例: "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-resource-codebuild-project.html)。ほかの種類のリソースの !Ref は別のものの名前になり、"
    "アクションは実行時に失敗します。",
    bad=_pipeline(_GOOD_DEPLOY.replace("!Ref Group", "!Ref App")),
    good=_pipeline(_GOOD_DEPLOY),
    example_name=EXAMPLE,
)  # fmt: skip
def action_refers_to_other_type(ctx: Context) -> Iterator[Hit]:
    template = _template(ctx)
    for path, provider, config in _actions(template):
        for key, wanted in REFERENCES.get(provider, {}).items():
            target = _ref(config.get(key))
            resource = template.by_id.get(target) if target else None
            if resource is None or resource.type == wanted or not resource.type:
                continue
            yield Hit((*path, key, "Ref"), {"key": key, "provider": provider,
                      "target": target, "actual": resource.type, "wanted": wanted})  # fmt: skip


def _application(template: Template, value: Any) -> tuple[str, str] | None:
    """What an ApplicationName stands for: ("name", literal) or ("ref", logical ID of an
    application whose name CloudFormation makes), None when it cannot be told."""
    if isinstance(value, str):
        return "name", value
    target = _ref(value)
    app: Resource | None = template.by_id.get(target) if target else None
    if app is None or app.type != "AWS::CodeDeploy::Application":
        return None
    props = app.body.get("Properties")
    name = props.get("ApplicationName") if isinstance(props, dict) else None
    return ("name", name) if isinstance(name, str) else ("ref", app.logical_id)


@rule(
    "CF112", "deployment-group-of-other-application", KIND, E,
    en="the {provider} action deploys with deployment group {group!r}, which belongs to "
    "application {group_app}, but its ApplicationName is {action_app}",
    ja="{provider} アクションのデプロイグループ {group!r} はアプリケーション {group_app} のものですが、"
    "アクションの ApplicationName は {action_app} です",
    explain_en="A deployment group belongs to one CodeDeploy application: CreateDeploymentGroup "
    "takes the applicationName it is created in, and a deployment is created for an "
    "application and one of its groups (CodeDeploy API Reference, CreateDeploymentGroup and "
    "CreateDeployment: https://docs.aws.amazon.com/codedeploy/latest/APIReference/"
    "API_CreateDeployment.html). When the action's DeploymentGroupName is !Ref of an "
    "AWS::CodeDeploy::DeploymentGroup of the template, its ApplicationName must be the "
    "group's: another application has no group of that name, and the deploy action fails.",
    explain_ja="デプロイグループは 1 つの CodeDeploy アプリケーションに属します。"
    "CreateDeploymentGroup は作成先の applicationName を受け取り、デプロイはアプリケーションとその"
    "グループの 1 つに対して作られます (CodeDeploy API リファレンスの CreateDeploymentGroup と "
    "CreateDeployment: https://docs.aws.amazon.com/codedeploy/latest/APIReference/"
    "API_CreateDeployment.html)。アクションの DeploymentGroupName がテンプレートの "
    "AWS::CodeDeploy::DeploymentGroup の !Ref なら、ApplicationName はそのグループのものでなければ"
    "なりません。別のアプリケーションにはその名前のグループがなく、デプロイアクションは失敗します。",
    bad=_pipeline(_GOOD_DEPLOY.replace("!Ref App", "!Ref Other")),
    good=_pipeline(_GOOD_DEPLOY),
    example_name=EXAMPLE,
)  # fmt: skip
def deployment_group_of_other_application(ctx: Context) -> Iterator[Hit]:
    template = _template(ctx)
    for path, provider, config in _actions(template):
        if provider not in ("CodeDeploy", "CodeDeployToECS"):
            continue
        target = _ref(config.get("DeploymentGroupName"))
        group = template.by_id.get(target) if target else None
        if group is None or group.type != "AWS::CodeDeploy::DeploymentGroup":
            continue
        props = group.body.get("Properties")
        mine = _application(template, config.get("ApplicationName"))
        theirs = _application(template, props.get("ApplicationName") if isinstance(
            props, dict) else None)  # fmt: skip
        if mine is None or theirs is None or mine == theirs or mine[0] != theirs[0]:
            continue
        yield Hit((*path, "ApplicationName"), {
            "provider": provider, "group": target, "group_app": _shown(theirs),
            "action_app": _shown(mine)})  # fmt: skip


def _shown(name: tuple[str, str]) -> str:
    return repr(name[1]) if name[0] == "name" else f"!Ref {name[1]}"
