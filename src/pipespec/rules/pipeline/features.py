"""V2 features, triggers and the ECS actions' references (PL119–PL121, PL123)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...schema import suggest
from .. import Hit, rule
from .model import (
    EXAMPLE,
    GOOD,
    KIND,
    E,
    W,
    action_of,
    actions,
    declaration,
    example,
)

if TYPE_CHECKING:
    from ...context import Context


#: What only a V2 pipeline has [PS]: "Including V2 parameters, such as triggers on Git
#: tags, ... will result in the pipeline having the V2 type"; QUEUED and PARALLEL
#: execution modes and the Commands and ECRBuildAndPublish actions need V2.
V2_ONLY_PROVIDERS = {"Commands", "ECRBuildAndPublish", "EC2"}
#: Actions only a V2 pipeline has, by (category, provider) where the provider alone says
#: too little: Lambda deploys (Lambda invokes are V1 too) and pipeline invokes.
V2_ONLY_TYPES = {("Deploy", "Lambda"), ("Invoke", "CodePipeline")}


@rule(
    "PL119", "v2-feature-in-v1", KIND, W,
    en="{feature} needs a V2 pipeline, but pipelineType is V1",
    ja="{feature_ja}は V2 のパイプラインでしか使えませんが、pipelineType が V1 です",
    explain_en="Triggers with Git filters, pipeline variables, the QUEUED and PARALLEL "
    "execution modes, and the Commands and ECR build-and-publish actions exist only in V2 "
    "pipelines (CodePipeline User Guide, pipeline types; action reference pages), and "
    "\"including V2 parameters ... will result in the pipeline having the V2 type\". A "
    "declaration that says V1 and uses one of them contradicts itself: leave pipelineType "
    "out or set it to V2 (V2 pipelines are billed per action-minute).",
    explain_ja="Git のフィルター付きトリガー、パイプライン変数、QUEUED と PARALLEL の実行モード、"
    "Commands アクションと ECR のビルドとパブリッシュのアクションは V2 のパイプラインにしかありません"
    " (CodePipeline ユーザーガイドのパイプラインタイプ、各アクションのリファレンス)。「V2 の"
    "パラメータを含めると、パイプラインは V2 になる」ともあります。V1 と書いてこれらを使う宣言は"
    "自己矛盾なので、pipelineType を省くか V2 にします (V2 はアクションの実行時間で課金されます)。",
    bad=example(lambda d: d.update(pipelineType="V1", executionMode="QUEUED")),
    good=example(lambda d: d.update(pipelineType="V2", executionMode="QUEUED")),
    example_name=EXAMPLE,
)  # fmt: skip
def v2_feature_in_v1(ctx: Context) -> Iterator[Hit]:
    at, decl = declaration(ctx)
    if decl.get("pipelineType") != "V1":
        return
    mode = decl.get("executionMode")
    if mode in ("QUEUED", "PARALLEL"):
        yield Hit((*at, "executionMode"), {"feature": f"executionMode {mode}",
                  "feature_ja": f"実行モード {mode} "})  # fmt: skip
    for key, ja in (("triggers", "トリガー"), ("variables", "パイプライン変数")):
        if decl.get(key):
            yield Hit((*at, key), {"feature": key, "feature_ja": ja}, key=True)
    for a in actions(ctx):
        if a.type[2] in V2_ONLY_PROVIDERS or (a.type[1], a.type[2]) in V2_ONLY_TYPES:
            yield Hit(
                (*a.path, "actionTypeId", "provider"),
                {"feature": f"the {a.type[2]} action", "feature_ja": f"{a.type[2]} アクション"},
            )


@rule(
    "PL120", "ecs-artifact-reference", KIND, E,
    en="{key} names {name!r}, which is not an input artifact of action {action!r}{dym}",
    ja="{key} が {name!r} を指していますが、アクション {action!r} の入力アーティファクトに"
    "ありません{dym}",
    explain_en="CodeDeployToECS reads the task definition and AppSpec templates and each "
    "image from artifacts it names: TaskDefinitionTemplateArtifact, "
    "AppSpecTemplateArtifact and Image1ArtifactName to Image4ArtifactName are \"the name of "
    "the input artifact\" that provides each (CodePipeline action reference, Amazon ECS "
    "and CodeDeploy blue-green). A name that is not among the action's inputArtifacts "
    "fails the deployment; CodeBuild's PrimarySource \"must be the name of one of the input "
    "artifacts to the action\" likewise.",
    explain_ja="CodeDeployToECS は、タスク定義と AppSpec のテンプレートと各イメージを、名前で"
    "指したアーティファクトから読みます。TaskDefinitionTemplateArtifact・AppSpecTemplateArtifact・"
    "Image1ArtifactName〜Image4ArtifactName はそれぞれを提供する「入力アーティファクトの名前」です"
    " (CodePipeline アクションリファレンスの Amazon ECS and CodeDeploy blue-green)。アクションの "
    "inputArtifacts にない名前ではデプロイが失敗します。CodeBuild の PrimarySource も「アクションの"
    "入力アーティファクトのどれかの名前」でなければなりません。",
    bad=example(lambda d: action_of(d, 1)["configuration"].update(PrimarySource="Source")),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def ecs_artifact_reference(ctx: Context) -> Iterator[Hit]:
    for a in actions(ctx):
        provider = a.type[2]
        if provider == "CodeDeployToECS":
            keys = ["TaskDefinitionTemplateArtifact", "AppSpecTemplateArtifact"]
            keys += [f"Image{n}ArtifactName" for n in range(1, 5)]
        elif provider == "CodeBuild":
            keys = ["PrimarySource"]
        else:
            continue
        inputs = [name for _, name in a.artifacts("inputArtifacts")]
        for key in keys:
            value = a.configuration.get(key)
            if not isinstance(value, str) or value in inputs:
                continue
            close = suggest(value, inputs)
            dym = (f"。{close!r} ではありませんか" if ctx.lang == "ja" else
                   f"; did you mean {close!r}?") if close else ""  # fmt: skip
            yield Hit((*a.path, "configuration", key), {"key": key, "name": value,
                      "action": a.name, "dym": dym})  # fmt: skip


@rule(
    "PL121", "image-pair", KIND, E,
    en="{present} is set but {missing} is not; CodeDeployToECS uses them as a pair",
    ja="{present} があるのに {missing} がありません。CodeDeployToECS はこの 2 つを組で使います",
    explain_en="For each image N (1 to 4), Image<N>ArtifactName names the input artifact whose "
    "imageDetail.json holds the image URI, and Image<N>ContainerName the placeholder "
    "<Image<N>ContainerName> in the task definition template that the URI replaces "
    "(CodePipeline action reference, Amazon ECS and CodeDeploy blue-green). One without the "
    "other does not say which placeholder the image replaces.",
    explain_ja="イメージごと (N は 1〜4) に、Image<N>ArtifactName はイメージの URI を書いた "
    "imageDetail.json を持つ入力アーティファクトを、Image<N>ContainerName は URI で置き換える"
    "タスク定義テンプレートのプレースホルダー <Image<N>ContainerName> を指します (CodePipeline "
    "アクションリファレンスの Amazon ECS and CodeDeploy blue-green)。片方だけでは、どの"
    "プレースホルダーをイメージで置き換えるのかが決まりません。",
    bad=example(lambda d: d["stages"][1]["actions"].append({
        "name": "Deploy",
        "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeployToECS",
                         "version": "1"},
        "runOrder": 2,
        "configuration": {"ApplicationName": "web", "DeploymentGroupName": "web",
                          "TaskDefinitionTemplateArtifact": "SourceOutput",
                          "AppSpecTemplateArtifact": "SourceOutput",
                          "Image1ArtifactName": "BuildOutput"},
        "inputArtifacts": [{"name": "SourceOutput"}, {"name": "BuildOutput"}]})),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def image_pair(ctx: Context) -> Iterator[Hit]:
    for a in actions(ctx):
        if a.type[2] != "CodeDeployToECS":
            continue
        config = a.configuration
        for n in range(1, 5):
            artifact, container = f"Image{n}ArtifactName", f"Image{n}ContainerName"
            for present, missing in ((artifact, container), (container, artifact)):
                if present in config and missing not in config:
                    yield Hit((*a.path, "configuration", present),
                              {"present": present, "missing": missing}, key=True)  # fmt: skip


def _connection_source(d: dict[str, Any], trigger_on: str = "Source") -> None:
    source = action_of(d, 0)
    source["actionTypeId"]["provider"] = "CodeStarSourceConnection"
    source["configuration"] = {
        "ConnectionArn": "arn:aws:codeconnections:ap-northeast-1:123456789012:connection/"
        "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "FullRepositoryId": "example-org/hello-world",
        "BranchName": "main",
    }
    d.update(pipelineType="V2", triggers=[{
        "providerType": "CodeStarSourceConnection",
        "gitConfiguration": {"sourceActionName": trigger_on,
                             "push": [{"tags": {"includes": ["v*"]}}]}}])  # fmt: skip


@rule(
    "PL123", "trigger-source-action", KIND, E,
    en="trigger {n}: sourceActionName {name!r} {problem}",
    ja="{n} 番目のトリガー: sourceActionName {name!r} {problem_ja}",
    explain_en="A trigger's gitConfiguration.sourceActionName names the source action whose "
    "repository events start the pipeline. Triggers \"are only supported for the "
    "CodeStarSourceConnection action type\", and \"you cannot specify more than one trigger "
    "per source action\" (CodePipeline API Reference, PipelineTriggerDeclaration; User Guide, "
    "starting a pipeline). A name that is no source action of the pipeline, or names a "
    "CodeCommit, S3 or ECR source, is rejected by CreatePipeline.",
    explain_ja="トリガーの gitConfiguration.sourceActionName は、そのリポジトリのイベントで"
    "パイプラインを動かすソースアクションの名前です。トリガーを使えるのは CodeStarSourceConnection "
    "のアクションだけで、1 つのソースアクションに付けられるトリガーは 1 つだけです (CodePipeline API "
    "リファレンスの PipelineTriggerDeclaration、ユーザーガイドのパイプラインの開始)。パイプラインの"
    "ソースアクションでない名前や、CodeCommit・S3・ECR のソースを指す名前は CreatePipeline が"
    "受け付けません。",
    bad=example(lambda d: _connection_source(d, "Src")),
    good=example(_connection_source),
    example_name=EXAMPLE,
)  # fmt: skip
def trigger_source_action(ctx: Context) -> Iterator[Hit]:
    at, decl = declaration(ctx)
    found = decl.get("triggers")
    sources = {a.name: a for a in actions(ctx) if a.type[1] == "Source"}
    seen: set[str] = set()
    for i, trigger in enumerate(found if isinstance(found, list) else []):
        git = trigger.get("gitConfiguration") if isinstance(trigger, dict) else None
        name = git.get("sourceActionName") if isinstance(git, dict) else None
        if not isinstance(name, str):
            continue
        path = (*at, "triggers", i, "gitConfiguration", "sourceActionName")
        source = sources.get(name)
        if source is None:
            hint = suggest(name, sorted(sources))
            yield Hit(path, {
                "n": i + 1, "name": name,
                "problem": "is not a source action of the pipeline"
                + (f"; did you mean {hint!r}?" if hint else ""),
                "problem_ja": "はパイプラインのソースアクションではありません"
                + (f"。{hint!r} の誤りではありませんか" if hint else "")})  # fmt: skip
        elif source.type[2] != "CodeStarSourceConnection":
            yield Hit(path, {
                "n": i + 1, "name": name,
                "problem": f"is a {source.type[2]} source: triggers work only with "
                "CodeStarSourceConnection sources",
                "problem_ja": f"は {source.type[2]} のソースです。トリガーを使えるのは "
                "CodeStarSourceConnection のソースだけです"})  # fmt: skip
        elif name in seen:
            yield Hit(path, {
                "n": i + 1, "name": name,
                "problem": "already has a trigger: a source action takes one trigger",
                "problem_ja": "にはすでにトリガーがあります。1 つのソースアクションに付けられる"
                "トリガーは 1 つです"})  # fmt: skip
        seen.add(name)
