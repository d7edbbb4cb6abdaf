"""CodePipeline pipeline rules (``PL1xx``): what CreatePipeline checks beyond the schema.

The schema (pipeline.schema.json, generated out of botocore's codepipeline model) covers
types, required keys, unknown keys, lengths and enumerations. A file may hold the input of
``aws codepipeline create-pipeline --cli-input-json`` (``{"pipeline": {...}}``), the output
of ``get-pipeline`` (the same with ``metadata``: ``PL104``), or the bare declaration the
user guide shows; all three are checked against the same declaration.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from ..findings import Severity
from ..load import NodePath
from ..schema import suggest
from . import Hit, Rule, register, rule

if TYPE_CHECKING:
    from ..check import Context

E, W = Severity.ERROR, Severity.WARNING
KIND = "pipeline"
EXAMPLE = "pipeline.json"

#: A complete declaration: a CodeCommit source and a CodeBuild build, both stages required.
DECLARATION: dict[str, Any] = {
    "name": "hello-world",
    "roleArn": "arn:aws:iam::123456789012:role/hello-world-pipeline",
    "artifactStore": {"type": "S3", "location": "hello-world-artifacts"},
    "stages": [
        {
            "name": "Source",
            "actions": [
                {
                    "name": "Source",
                    "actionTypeId": {"category": "Source", "owner": "AWS",
                                     "provider": "CodeCommit", "version": "1"},
                    "configuration": {"RepositoryName": "hello-world", "BranchName": "main"},
                    "outputArtifacts": [{"name": "SourceOutput"}],
                }
            ],
        },
        {
            "name": "Build",
            "actions": [
                {
                    "name": "Build",
                    "actionTypeId": {"category": "Build", "owner": "AWS",
                                     "provider": "CodeBuild", "version": "1"},
                    "configuration": {"ProjectName": "hello-world"},
                    "inputArtifacts": [{"name": "SourceOutput"}],
                    "outputArtifacts": [{"name": "BuildOutput"}],
                }
            ],
        },
    ],
}  # fmt: skip
GOOD = json.dumps({"pipeline": DECLARATION}, indent=2) + "\n"
METADATA = {
    "pipelineArn": "arn:aws:codepipeline:ap-northeast-1:123456789012:hello-world",
    "created": "2026-01-01T00:00:00+09:00",
    "updated": "2026-01-02T00:00:00+09:00",
}

register(
    Rule(
        "PL104", "pipeline-read-only-key", "schema", W,
        "{key!r} is output of get-pipeline, not input: create-pipeline and update-pipeline "
        "reject it; remove it",
        "{key!r} は get-pipeline の出力項目で、create-pipeline や update-pipeline の入力には"
        "使えません。削除してください",
        "`aws codepipeline get-pipeline` prints the declaration together with `metadata` "
        "(pipelineArn, created, updated), which CodePipeline sets itself. metadata is not a "
        "member of CreatePipelineInput or UpdatePipelineInput (CodePipeline API Reference), so "
        "`aws codepipeline update-pipeline --cli-input-json` fails with `Unknown parameter in "
        "input: \"metadata\"`. The usual way to edit a pipeline is to save get-pipeline's "
        "output, edit it and remove metadata; pipespec warns until it is gone.",
        "`aws codepipeline get-pipeline` は宣言と一緒に `metadata` (pipelineArn・created・"
        "updated) を出力します。これは CodePipeline 自身が設定する項目で、CreatePipelineInput "
        "にも UpdatePipelineInput にもありません (CodePipeline API リファレンス)。そのため "
        "`aws codepipeline update-pipeline --cli-input-json` は `Unknown parameter in input: "
        "\"metadata\"` で失敗します。get-pipeline の出力を保存して編集するときは、metadata を"
        "削除してください。消えるまで警告します。",
        bad=json.dumps({"pipeline": DECLARATION, "metadata": METADATA}, indent=2) + "\n",
        good=GOOD,
        example_name=EXAMPLE,
    )
)  # fmt: skip


# --------------------------------------------------------------------------- the declaration
#
# Facts, by source:
# [PS] CodePipeline User Guide, pipeline structure requirements (pipeline-requirements.html)
#      and the pipeline structure reference: stages, source actions, runOrder, stores.
# [AA] "Valid input and output artifacts for each action type" (reference-action-artifacts)
#      and each action's reference page (action-reference-<X>.html): providers, counts,
#      configuration keys.
# [QT] "Quotas in AWS CodePipeline" (limits.html): 2 to 50 stages, unique names.
# [BC] botocore's codepipeline model: name patterns; "Output artifact names must be unique
#      within a pipeline"; "The input artifact of an action must exactly match the output
#      artifact declared in a preceding action".


class Action(NamedTuple):
    """One action of the declaration: where it is, its stage (0-based) and runOrder."""

    path: NodePath
    stage: int
    run_order: int
    body: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.body.get("name", ""))

    @property
    def type(self) -> tuple[str, str, str]:
        """(owner, category, provider), "" for what is missing."""
        t = self.body.get("actionTypeId")
        t = t if isinstance(t, dict) else {}
        return str(t.get("owner", "")), str(t.get("category", "")), str(t.get("provider", ""))

    @property
    def configuration(self) -> dict[str, Any]:
        c = self.body.get("configuration")
        return c if isinstance(c, dict) else {}

    def artifacts(self, key: str) -> list[tuple[NodePath, str]]:
        """(path of the name, name) of each of ``inputArtifacts`` or ``outputArtifacts``."""
        items = self.body.get(key)
        return [
            ((*self.path, key, i, "name"), a["name"])
            for i, a in enumerate(items if isinstance(items, list) else [])
            if isinstance(a, dict) and isinstance(a.get("name"), str)
        ]


def declaration(ctx: Context) -> tuple[NodePath, dict[str, Any]]:
    """(where the declaration is, the declaration): inside ``pipeline`` or the whole file."""
    inner = ctx.get("pipeline")
    if isinstance(inner, dict):
        return ("pipeline",), inner
    data = ctx.data
    return (), data if isinstance(data, dict) else {}


def stages(ctx: Context) -> list[tuple[NodePath, dict[str, Any]]]:
    at, decl = declaration(ctx)
    found = decl.get("stages")
    items = found if isinstance(found, list) else []
    return [((*at, "stages", i), s) for i, s in enumerate(items) if isinstance(s, dict)]


def actions(ctx: Context) -> list[Action]:
    out = []
    for n, (path, stage) in enumerate(stages(ctx)):
        items = stage.get("actions")
        for i, a in enumerate(items if isinstance(items, list) else []):
            if isinstance(a, dict):
                order = a.get("runOrder", 1)
                valid = isinstance(order, int) and not isinstance(order, bool)
                out.append(Action((*path, "actions", i), n, order if valid else 1, a))
    return out


def _example(change: Callable[[dict[str, Any]], Any]) -> str:
    """The good declaration, wrapped, after ``change`` (applied to a deep copy)."""
    decl = copy.deepcopy(DECLARATION)
    change(decl)
    return json.dumps({"pipeline": decl}, indent=2) + "\n"


def _action(decl: dict[str, Any], stage: int, n: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = decl["stages"][stage]["actions"][n]
    return found


# --------------------------------------------------------------------------- structure


@rule(
    "PL110", "stage-count", KIND, E,
    en="the pipeline has {count} stage(s); it needs at least 2 and at most 50",
    ja="パイプラインのステージが {count} 個です。2 個以上 50 個以下にします",
    explain_en="\"A pipeline must contain at least two stages\" (CodePipeline User Guide, "
    "pipeline structure requirements), and the quotas allow at most 50 stages in a "
    "pipeline. The first stage holds the source actions, and at least one later stage "
    "holds an action that is not a source action.",
    explain_ja="「パイプラインには少なくとも 2 つのステージが必要」です (CodePipeline ユーザーガイド、"
    "パイプライン構造の要件)。クォータでは 1 つのパイプラインのステージは最大 50 個です。最初の"
    "ステージがソースアクションを持ち、その後のステージのどれかがソース以外のアクションを持ちます。",
    bad=_example(lambda d: d["stages"].pop()),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def stage_count(ctx: Context) -> Iterator[Hit]:
    at, decl = declaration(ctx)
    found = decl.get("stages")
    if isinstance(found, list) and not 2 <= len(found) <= 50:
        yield Hit((*at, "stages"), {"count": len(found)})


@rule(
    "PL111", "source-stage", KIND, E,
    en="{problem}: only the first stage holds source actions, and it holds nothing else",
    ja="{problem_ja}。ソースアクションを置けるのは最初のステージだけで、最初のステージには"
    "ソースアクションしか置けません",
    explain_en="\"The first stage of a pipeline must contain at least one source action. It "
    "can contain source actions only. Only the first stage of a pipeline can contain source "
    "actions.\" (CodePipeline User Guide, pipeline structure requirements). CreatePipeline "
    "rejects a declaration that breaks this.",
    explain_ja="「パイプラインの最初のステージには少なくとも 1 つのソースアクションが必要で、"
    "ソースアクションしか置けない。ソースアクションを置けるのは最初のステージだけ」です "
    "(CodePipeline ユーザーガイド、パイプライン構造の要件)。これに反する宣言は CreatePipeline が"
    "受け付けません。",
    bad=_example(lambda d: _action(d, 1)["actionTypeId"].update(category="Source")),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def source_stage(ctx: Context) -> Iterator[Hit]:
    found = actions(ctx)
    listed = stages(ctx)
    if listed and not any(a.stage == 0 and a.type[1] == "Source" for a in found):
        yield Hit(listed[0][0], {"problem": "the first stage has no source action",
                                 "problem_ja": "最初のステージにソースアクションがありません"})  # fmt: skip
    for a in found:
        category = a.type[1]
        if not category or (a.stage == 0) == (category == "Source"):
            continue
        if a.stage == 0:
            problem = f"{category} action {a.name!r} is in the first stage"
            problem_ja = f"{category} アクション {a.name!r} が最初のステージにあります"
        else:
            problem = f"source action {a.name!r} is in stage {a.stage + 1}"
            problem_ja = f"ソースアクション {a.name!r} が {a.stage + 1} 番目のステージにあります"
        yield Hit((*a.path, "actionTypeId", "category"),
                  {"problem": problem, "problem_ja": problem_ja})  # fmt: skip


@rule(
    "PL112", "duplicate-name", KIND, E,
    en="{what} {name!r} is used more than once{where}; names must be unique",
    ja="{what_ja} {name!r} が複数回使われています{where_ja}。名前は重複できません",
    explain_en="\"Stage names must be unique within a pipeline. Action names must be unique "
    "within a stage\" (CodePipeline quotas, uniqueness of names), and \"Output artifact names "
    "must be unique within a pipeline\" (CodePipeline API Reference, OutputArtifact): an input "
    "artifact names exactly one output.",
    explain_ja="「ステージ名はパイプラインの中で、アクション名はステージの中で一意」です "
    "(CodePipeline のクォータ、名前の一意性)。また「出力アーティファクトの名前はパイプラインの中で"
    "一意」です (CodePipeline API リファレンスの OutputArtifact)。入力アーティファクトはただ 1 つの"
    "出力を名前で指します。",
    bad=_example(lambda d: _action(d, 1)["outputArtifacts"][0].update(name="SourceOutput")),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def duplicate_name(ctx: Context) -> Iterator[Hit]:
    seen_stages: set[str] = set()
    for path, stage in stages(ctx):
        name = stage.get("name")
        if isinstance(name, str) and name in seen_stages:
            yield Hit((*path, "name"), {"what": "stage name", "what_ja": "ステージ名",
                      "name": name, "where": "", "where_ja": ""})  # fmt: skip
        seen_stages.add(name if isinstance(name, str) else "")
    by_stage: dict[int, set[str]] = {}
    outputs: set[str] = set()
    for a in actions(ctx):
        names = by_stage.setdefault(a.stage, set())
        if a.name in names:
            yield Hit((*a.path, "name"), {"what": "action name", "what_ja": "アクション名",
                      "name": a.name, "where": " in one stage",
                      "where_ja": " (同じステージの中)"})  # fmt: skip
        names.add(a.name)
        for path, artifact in a.artifacts("outputArtifacts"):
            if artifact in outputs:
                yield Hit(path, {"what": "output artifact", "what_ja": "出力アーティファクト",
                          "name": artifact, "where": "", "where_ja": ""})  # fmt: skip
            outputs.add(artifact)


@rule(
    "PL113", "input-not-produced", KIND, E,
    en="input artifact {name!r} of action {action!r} is not produced by an earlier action{dym}",
    ja="アクション {action!r} の入力アーティファクト {name!r} を、それより前のアクションが出力して"
    "いません{dym}",
    explain_en="\"The input artifact of an action must exactly match the output artifact "
    "declared in a preceding action\" (CodePipeline API Reference, InputArtifact): in an "
    "earlier stage, or in the same stage at a lower runOrder (actions with the same runOrder "
    "run in parallel, so one cannot consume the other's output). Names are case-sensitive.",
    explain_ja="「アクションの入力アーティファクトは、前のアクションが宣言した出力アーティファクトと"
    "完全に一致しなければならない」とされています (CodePipeline API リファレンスの InputArtifact)。"
    "前のステージか、同じステージで runOrder が小さいアクションの出力です (runOrder が同じ"
    "アクションは並行に動くので、互いの出力は使えません)。名前は大文字と小文字を区別します。",
    bad=_example(lambda d: _action(d, 1)["inputArtifacts"][0].update(name="sourceoutput")),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def input_not_produced(ctx: Context) -> Iterator[Hit]:
    found = actions(ctx)
    first: dict[str, tuple[int, int]] = {}  # artifact -> earliest (stage, runOrder) making it
    for a in found:
        for _, name in a.artifacts("outputArtifacts"):
            if name not in first or (a.stage, a.run_order) < first[name]:
                first[name] = (a.stage, a.run_order)
    every = sorted(first)
    ja = ctx.lang == "ja"
    for a in found:
        for path, name in a.artifacts("inputArtifacts"):
            made = first.get(name)
            if made is not None and (
                made[0] < a.stage or (made[0] == a.stage and made[1] < a.run_order)
            ):
                continue
            if made is not None and made == (a.stage, a.run_order):
                dym = (
                    " (一緒に並行して動くアクションが出力します)"
                    if ja
                    else (" (an action running in parallel, at the same runOrder, produces it)")
                )
            elif made is not None:
                dym = " (後のアクションが出力します)" if ja else " (a later action produces it)"
            else:
                close = suggest(name, every) if len(every) <= 500 else None
                dym = (f"。{close!r} ではありませんか" if ja else f"; did you mean {close!r}?") if (
                    close) else ""  # fmt: skip
            yield Hit(path, {"name": name, "action": a.name, "dym": dym})


#: The patterns botocore's codepipeline model gives names (the schema has their lengths).
NAME_PATTERNS = {
    "pipeline": re.compile(r"[A-Za-z0-9.@\-_]+\Z"),
    "stage": re.compile(r"[A-Za-z0-9.@\-_]+\Z"),
    "action": re.compile(r"[A-Za-z0-9.@\-_]+\Z"),
    "artifact": re.compile(r"[a-zA-Z0-9_\-]+\Z"),
}


@rule(
    "PL114", "name-characters", KIND, E,
    en="{what} name {name!r} has {char!r}; {what} names use only {allowed}",
    ja="{what_ja}の名前 {name!r} に {char!r} があります。使える文字は {allowed} だけです",
    explain_en="CodePipeline names pipelines, stages and actions with letters, digits and "
    "'.', '@', '-', '_', and artifacts with letters, digits, '-' and '_' only (CodePipeline "
    "API Reference: PipelineName, StageName, ActionName, ArtifactName; CodePipeline quotas). "
    "A space or a '/' is refused, and an artifact name with a '.' cannot be created.",
    explain_ja="CodePipeline の名前に使える文字は、パイプライン・ステージ・アクションでは英数字と "
    "'.'・'@'・'-'・'_'、アーティファクトでは英数字と '-'・'_' だけです (CodePipeline API "
    "リファレンスの PipelineName・StageName・ActionName・ArtifactName、クォータ)。空白や '/' は"
    "受け付けられず、'.' を含むアーティファクト名は作れません。",
    bad=_example(lambda d: _action(d, 0)["outputArtifacts"][0].update(name="Source.Output")),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def name_characters(ctx: Context) -> Iterator[Hit]:
    at, decl = declaration(ctx)
    named: list[tuple[str, NodePath, Any]] = [("pipeline", (*at, "name"), decl.get("name"))]
    named += [("stage", (*p, "name"), s.get("name")) for p, s in stages(ctx)]
    for a in actions(ctx):
        named.append(("action", (*a.path, "name"), a.body.get("name")))
        for key in ("inputArtifacts", "outputArtifacts"):
            named += [("artifact", path, name) for path, name in a.artifacts(key)]
    ja_what = {"pipeline": "パイプライン", "stage": "ステージ", "action": "アクション",
               "artifact": "アーティファクト"}  # fmt: skip
    for what, path, name in named:
        if not isinstance(name, str) or not name or NAME_PATTERNS[what].match(name):
            continue
        char = next(c for c in name if not NAME_PATTERNS[what].match(c))
        allowed = (
            "letters, digits, '-' and '_'"
            if what == "artifact"
            else ("letters, digits, '.', '@', '-' and '_'")
        )
        allowed_ja = "英数字・'-'・'_'" if what == "artifact" else "英数字・'.'・'@'・'-'・'_'"
        yield Hit(path, {"what": what, "what_ja": ja_what[what], "name": name, "char": char,
                         "allowed": allowed_ja if ctx.lang == "ja" else allowed})  # fmt: skip


@rule(
    "PL115", "artifact-store", KIND, E,
    en="{problem}: a pipeline has either artifactStore or artifactStores (one per Region)",
    ja="{problem_ja}。パイプラインには artifactStore か artifactStores (リージョンごと) の"
    "どちらか一方が必要です",
    explain_en="\"You must include either artifactStore or artifactStores in your pipeline, "
    "but you cannot use both. If you create a cross-region action in your pipeline, you must "
    "use artifactStores.\" (CodePipeline API Reference, PipelineDeclaration).",
    explain_ja="「パイプラインには artifactStore か artifactStores を含める必要があり、両方は"
    "使えない。リージョンをまたぐアクションを作るなら artifactStores を使う」とされています "
    "(CodePipeline API リファレンスの PipelineDeclaration)。",
    bad=_example(lambda d: d.pop("artifactStore")),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def artifact_store(ctx: Context) -> Iterator[Hit]:
    at, decl = declaration(ctx)
    if not decl or "stages" not in decl:
        return
    one, many = "artifactStore" in decl, "artifactStores" in decl
    if one and many:
        yield Hit((*at, "artifactStores"), {"problem": "both are given",
                  "problem_ja": "両方が書かれています"}, key=True)  # fmt: skip
    elif not one and not many:
        yield Hit(at, {"problem": "neither is given", "problem_ja": "どちらもありません"})


# --------------------------------------------------------------------------- action types

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
    bad=_example(lambda d: _action(d, 1)["actionTypeId"].update(category="Deploy")),
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
    bad=_example(lambda d: _action(d, 0).update(inputArtifacts=[{"name": "Extra"}])),
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
    bad=_example(lambda d: _action(d, 1)["configuration"].pop("ProjectName")),
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


# --------------------------------------------------------------------------- V2, ECS actions

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
    bad=_example(lambda d: d.update(pipelineType="V1", executionMode="QUEUED")),
    good=_example(lambda d: d.update(pipelineType="V2", executionMode="QUEUED")),
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
    bad=_example(lambda d: _action(d, 1)["configuration"].update(PrimarySource="Source")),
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
    bad=_example(lambda d: d["stages"][1]["actions"].append({
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
