"""Action types (PL116–PL118): real owner/category/provider triples, artifact counts and
required configuration per provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .. import Hit, rule
from .model import (
    EXAMPLE,
    GOOD,
    KIND,
    E,
    action_of,
    actions,
    example,
)

if TYPE_CHECKING:
    from ...context import Context


#: (owner, category, provider) -> (min inputs, max inputs, min outputs, max outputs), from
#: "Valid input and output artifacts for each action type" and the action reference pages
#: [AA]. CodeStarSourceConnection is documented with both owners AWS and ThirdParty.
ACTION_TYPES: dict[tuple[str, str, str], tuple[int, int, int, int] | None] = {
    ("AWS", "Source", "S3"): (0, 0, 1, 1),
    ("AWS", "Source", "CodeCommit"): (0, 0, 1, 1),
    ("AWS", "Source", "ECR"): (0, 0, 1, 1),
    ("AWS", "Source", "CodeStarSourceConnection"): (0, 0, 1, 1),
    ("ThirdParty", "Source", "CodeStarSourceConnection"): (0, 0, 1, 1),
    ("ThirdParty", "Source", "GitHub"): (0, 0, 1, 1),
    ("AWS", "Build", "CodeBuild"): (1, 5, 0, 5),
    ("AWS", "Test", "CodeBuild"): (1, 5, 0, 5),
    ("AWS", "Build", "ECRBuildAndPublish"): (1, 1, 0, 0),
    ("AWS", "Compute", "Commands"): (1, 10, 0, 1),
    ("AWS", "Test", "DeviceFarm"): (1, 1, 0, 0),
    ("AWS", "Approval", "Manual"): (0, 0, 0, 0),
    ("AWS", "Deploy", "S3"): (1, 1, 0, 0),
    ("AWS", "Deploy", "CloudFormation"): (0, 10, 0, 1),
    ("AWS", "Deploy", "CodeDeploy"): (1, 1, 0, 0),
    ("AWS", "Deploy", "CodeDeployToECS"): (1, 5, 0, 0),
    ("AWS", "Deploy", "ECS"): (1, 1, 0, 0),
    ("AWS", "Deploy", "ElasticBeanstalk"): (1, 1, 0, 0),
    ("AWS", "Deploy", "OpsWorks"): (1, 1, 0, 0),
    ("AWS", "Deploy", "ServiceCatalog"): (1, 1, 0, 0),
    ("ThirdParty", "Deploy", "AlexaSkillsKit"): (1, 2, 0, 0),
    ("AWS", "Invoke", "Lambda"): (0, 5, 0, 5),
    ("AWS", "Invoke", "StepFunctions"): (0, 1, 0, 1),
    # V2 actions of the action structure reference (counts from their pages where given)
    ("AWS", "Deploy", "Lambda"): (1, 1, 0, 0),
    ("AWS", "Invoke", "CodePipeline"): (0, 0, 0, 0),
    ("AWS", "Deploy", "EC2"): None,
    ("AWS", "Deploy", "EKS"): None,
    ("AWS", "Deploy", "AppConfig"): None,
    ("AWS", "Deploy", "CloudFormationStackSet"): None,
    ("AWS", "Deploy", "CloudFormationStackInstances"): None,
    ("AWS", "Invoke", "InspectorScan"): None,
}
#: Custom actions (Jenkins and your own): 0 to 5 either way [AA].
CUSTOM = (0, 5, 0, 5)


def _categories(owner: str, provider: str) -> list[str]:
    return sorted({c for o, c, p in ACTION_TYPES if o == owner and p == provider})


@rule(
    "PL116", "unknown-action-type", KIND, E,
    en="{owner}/{category}/{provider} is not an action type CodePipeline has{why}",
    ja="{owner}/{category}/{provider} という種類のアクションは CodePipeline にありません{why_ja}",
    explain_en="An action's type is the triple of owner, category and provider, and each "
    "provider exists in the categories AWS documents for it (CodePipeline User Guide, valid "
    "action types and providers): CodeBuild is a Build or Test action, never a Deploy one; "
    "ECS, CodeDeploy and CodeDeployToECS are Deploy actions; Manual is the Approval "
    "provider. Custom actions (owner Custom) are not checked.",
    explain_ja="アクションの種類は owner・category・provider の 3 つの組で、provider ごとに AWS が"
    "文書化しているカテゴリーがあります (CodePipeline ユーザーガイドの有効なアクションタイプと"
    "プロバイダー)。CodeBuild は Build か Test のアクションで Deploy にはなれず、ECS・CodeDeploy・"
    "CodeDeployToECS は Deploy、Manual は Approval のプロバイダーです。owner が Custom の"
    "カスタムアクションは検査しません。",
    bad=example(lambda d: action_of(d, 1)["actionTypeId"].update(category="Deploy")),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def unknown_action_type(ctx: Context) -> Iterator[Hit]:
    providers = {p for _, _, p in ACTION_TYPES}
    ja = ctx.lang == "ja"
    for a in actions(ctx):
        owner, category, provider = a.type
        if owner == "Custom" or not (owner and category and provider):
            continue
        if (owner, category, provider) in ACTION_TYPES or provider not in providers:
            continue  # a provider the table does not know: AWS adds actions, not ours to judge
        categories = _categories(owner, provider)
        if categories:
            kinds = (" か " if ja else " or ").join(categories)
            why = f"; {provider} is in category {kinds}"
            why_ja = f"。{provider} のカテゴリーは {kinds} です"
            where = "category"
        else:
            owners = sorted({o for o, _, p in ACTION_TYPES if p == provider})
            why = f"; {provider}'s owner is {' or '.join(owners)}"
            why_ja = f"。{provider} の owner は {' か '.join(owners)} です"
            where = "owner"
        yield Hit((*a.path, "actionTypeId", where), {"owner": owner, "category": category,
                  "provider": provider, "why": why, "why_ja": why_ja})  # fmt: skip


@rule(
    "PL117", "artifact-count", KIND, E,
    en="{provider} action {action!r} has {count} {what} artifact(s); it takes {allowed}",
    ja="{provider} アクション {action!r} の{what_ja}アーティファクトが {count} 個です。"
    "{allowed_ja}にします",
    explain_en="Each action type takes a documented number of input and output artifacts "
    "(CodePipeline User Guide, \"Valid input and output artifacts for each action type\"): "
    "a source action none in and one out; CodeBuild 1 to 5 in and 0 to 5 out; ECS and "
    "CodeDeploy exactly one in and none out; CodeDeployToECS 1 to 5 in; manual approval "
    "none. CreatePipeline rejects other counts.",
    explain_ja="アクションの種類ごとに、入力と出力のアーティファクトの数が決まっています "
    "(CodePipeline ユーザーガイドの「アクションタイプごとの有効な入力・出力アーティファクト」)。"
    "ソースアクションは入力なしで出力 1 つ、CodeBuild は入力 1〜5 個で出力 0〜5 個、ECS と "
    "CodeDeploy は入力ちょうど 1 つで出力なし、CodeDeployToECS は入力 1〜5 個、手動承認はどちらも"
    "なしです。これ以外の数は CreatePipeline が受け付けません。",
    bad=example(lambda d: action_of(d, 0).update(inputArtifacts=[{"name": "Extra"}])),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def artifact_count(ctx: Context) -> Iterator[Hit]:
    for a in actions(ctx):
        limits = ACTION_TYPES.get(a.type, CUSTOM if a.type[0] == "Custom" else None)
        if limits is None:
            continue  # unknown, or a type whose counts AWS does not give
        for key, what, what_ja, low, high in (
            ("inputArtifacts", "input", "入力", limits[0], limits[1]),
            ("outputArtifacts", "output", "出力", limits[2], limits[3]),
        ):
            items = a.body.get(key)
            count = len(items) if isinstance(items, list) else 0
            if low <= count <= high:
                continue
            allowed = (f"{low}" if low == high else f"{low} to {high}") if high else "none"
            allowed_ja = (f"{low} 個" if low == high else f"{low}〜{high} 個") if high else "なし"
            path = (*a.path, key) if key in a.body else a.path
            yield Hit(path, {"provider": a.type[2], "action": a.name, "count": count,
                             "what": what, "what_ja": what_ja, "allowed": allowed,
                             "allowed_ja": allowed_ja})  # fmt: skip


#: Configuration keys each action type requires [AA]; CodeBuild's PrimarySource too, with
#: several inputs ("required if multiple input artifacts are specified").
REQUIRED_CONFIGURATION: dict[tuple[str, str], tuple[str, ...]] = {
    ("Source", "S3"): ("S3Bucket", "S3ObjectKey"),
    ("Source", "CodeCommit"): ("RepositoryName", "BranchName"),
    ("Source", "CodeStarSourceConnection"): ("ConnectionArn", "FullRepositoryId", "BranchName"),
    ("Source", "ECR"): ("RepositoryName",),
    ("Build", "CodeBuild"): ("ProjectName",),
    ("Test", "CodeBuild"): ("ProjectName",),
    ("Build", "ECRBuildAndPublish"): ("ECRRepositoryName",),
    ("Deploy", "ECS"): ("ClusterName", "ServiceName"),
    ("Deploy", "CodeDeploy"): ("ApplicationName", "DeploymentGroupName"),
    ("Deploy", "CodeDeployToECS"): ("ApplicationName", "DeploymentGroupName",
                                    "TaskDefinitionTemplateArtifact", "AppSpecTemplateArtifact"),
}  # fmt: skip


@rule(
    "PL118", "missing-configuration", KIND, E,
    en="{provider} action {action!r} needs configuration {key!r}{why}",
    ja="{provider} アクション {action!r} には設定 {key!r} が必要です{why_ja}",
    explain_en="Each action type has configuration keys marked required in its action "
    "reference (CodePipeline User Guide): ECS needs ClusterName and ServiceName; "
    "CodeDeployToECS needs ApplicationName, DeploymentGroupName, "
    "TaskDefinitionTemplateArtifact and AppSpecTemplateArtifact; CodeBuild needs ProjectName, "
    "and PrimarySource when it has several input artifacts; CodeCommit needs RepositoryName "
    "and BranchName. Without them the action cannot be created.",
    explain_ja="アクションの種類ごとに、アクションリファレンスで必須とされる設定があります "
    "(CodePipeline ユーザーガイド)。ECS は ClusterName と ServiceName、CodeDeployToECS は "
    "ApplicationName・DeploymentGroupName・TaskDefinitionTemplateArtifact・"
    "AppSpecTemplateArtifact、CodeBuild は ProjectName (入力アーティファクトが複数なら "
    "PrimarySource も)、CodeCommit は RepositoryName と BranchName が必要です。これらがないと"
    "アクションを作れません。",
    bad=example(lambda d: action_of(d, 1)["configuration"].pop("ProjectName")),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def missing_configuration(ctx: Context) -> Iterator[Hit]:
    for a in actions(ctx):
        owner, category, provider = a.type
        required = list(REQUIRED_CONFIGURATION.get((category, provider), ()))
        if owner == "Custom":
            continue
        inputs = a.artifacts("inputArtifacts")
        if provider == "CodeBuild" and len(inputs) > 1:
            required.append("PrimarySource")
        config = a.configuration
        path = (*a.path, "configuration") if "configuration" in a.body else a.path
        for key in required:
            if key in config:
                continue
            several = key == "PrimarySource"
            yield Hit(path, {"provider": provider, "action": a.name, "key": key,
                             "why": " (it has several input artifacts)" if several else "",
                             "why_ja": " (入力アーティファクトが複数あるため)" if several else ""},
                      key="configuration" in a.body)  # fmt: skip
