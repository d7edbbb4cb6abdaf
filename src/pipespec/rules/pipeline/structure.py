"""Pipeline structure (PL104, PL110–PL115, PL122): stages, their actions, source actions,
names, stores."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...document import NodePath
from ...schema import suggest
from .. import Hit, Rule, register, rule
from .model import (
    DECLARATION,
    EXAMPLE,
    GOOD,
    KIND,
    METADATA,
    E,
    W,
    action_of,
    actions,
    declaration,
    example,
    stages,
)

if TYPE_CHECKING:
    from ...context import Context


register(
    Rule(
        "PL104", "pipeline-read-only-key", "schema", W,
        "{keys} {are} output of get-pipeline, not input: create-pipeline and update-pipeline "
        "reject {them}; remove {them}",
        "{keys} は get-pipeline の出力項目で、create-pipeline や update-pipeline の入力には"
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
    bad=example(lambda d: d["stages"].pop()),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def stage_count(ctx: Context) -> Iterator[Hit]:
    at, decl = declaration(ctx)
    found = decl.get("stages")
    if isinstance(found, list) and not 2 <= len(found) <= 50:
        yield Hit((*at, "stages"), {"count": len(found)})


@rule(
    "PL122", "stage-action-count", KIND, E,
    en="stage {stage!r} has {count} action(s); a stage holds at least 1 and at most 50",
    ja="ステージ {stage!r} のアクションが {count} 個です。1 個以上 50 個以下にします",
    explain_en="Every stage runs at least one action: CodePipeline's quotas allow 1 to 50 "
    "actions in a stage (CodePipeline User Guide, quotas), and CreatePipeline rejects a "
    "stage whose actions list is empty (the AWS CDK refuses to synthesize one: \"Stage must "
    "have at least one action\"). An empty stage is usually an action moved elsewhere and "
    "a stage left behind.",
    explain_ja="どのステージも少なくとも 1 つのアクションを実行します。CodePipeline のクォータでは、"
    "1 つのステージのアクションは 1〜50 個で (CodePipeline ユーザーガイドのクォータ)、actions が空の"
    "ステージは CreatePipeline が受け付けません (AWS CDK も「Stage must have at least one action」で"
    "合成を拒みます)。空のステージは、たいていアクションを別の場所へ移したあとの残りです。",
    bad=example(lambda d: d["stages"].append({"name": "Deploy", "actions": []})),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def stage_action_count(ctx: Context) -> Iterator[Hit]:
    for path, stage in stages(ctx):
        found = stage.get("actions")
        if isinstance(found, list) and not 1 <= len(found) <= 50:
            yield Hit((*path, "actions"), {"stage": stage.get("name", ""), "count": len(found)})


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
    bad=example(lambda d: action_of(d, 1)["actionTypeId"].update(category="Source")),
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
    bad=example(lambda d: action_of(d, 1)["outputArtifacts"][0].update(name="SourceOutput")),
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
    bad=example(lambda d: action_of(d, 1)["inputArtifacts"][0].update(name="sourceoutput")),
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
    bad=example(lambda d: action_of(d, 0)["outputArtifacts"][0].update(name="Source.Output")),
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
    bad=example(lambda d: d.pop("artifactStore")),
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
