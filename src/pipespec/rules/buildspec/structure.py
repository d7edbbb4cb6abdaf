"""The buildspec's shape beyond the schema: version, phases, env, reports, runtimes
(BS101–BS114). Facts: CodeBuild's build specification reference."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...findings import Severity
from ...schema import suggest
from .. import Hit, Rule, register, rule
from .writes import _artifact_sections

if TYPE_CHECKING:
    from ...context import Context

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
PHASES = ("install", "pre_build", "build", "post_build")
AMPLIFY_PHASES = {"preBuild": "pre_build", "postBuild": "post_build"}
BS = "buildspec.yml"

_MINIMAL = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"

# Rules that the schema routes violations to (no check function of their own).
register(
    Rule(
        "BS101", "unknown-phase", "schema", E,
        "unknown build phase {key!r}{dym} (CodeBuild runs only install, pre_build, build and "
        "post_build)",
        "不明なビルドフェーズ {key!r} です{dym} (CodeBuild が実行するのは install・pre_build・"
        "build・post_build だけです)",
        "CodeBuild has exactly four build phases, install, pre_build, build and post_build, and "
        "the reference says you cannot change these names. preBuild and postBuild are AWS "
        "Amplify's phase names (amplify.yml), not CodeBuild's.",
        "CodeBuild のビルドフェーズは install・pre_build・build・post_build の 4 つだけで、"
        "リファレンスにも名前は変更できないとあります。preBuild・postBuild は AWS Amplify "
        "(amplify.yml) のフェーズ名で、CodeBuild のものではありません。",
        "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make deps\n"
        "  build:\n    commands:\n      - make\n",
        "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - make deps\n"
        "  build:\n    commands:\n      - make\n",
        BS,
    )
)  # fmt: skip
register(
    Rule(
        "BS109", "command-not-a-string", "schema", E,
        "{name} is {actual}, not a command string; quote commands that contain ': ' or start "
        "with a YAML character",
        "{name} が{actual}になっていてコマンドの文字列ではありません。': ' を含むコマンドや YAML の"
        "記号で始まるコマンドは引用符で囲んでください",
        "Each command must be a string. An unquoted command containing ': ' (for example "
        "echo Status: ok) is read by YAML as a mapping, and CodeBuild rejects the file.",
        "コマンドはすべて文字列です。': ' を含むコマンド (例: echo Status: ok) を引用符なしで"
        "書くと YAML はマッピングとして読み、CodeBuild はファイルを受け付けません。",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo Status: ok\n",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - 'echo Status: ok'\n",
        BS,
    )
)  # fmt: skip


@rule(
    "BS102", "unsupported-version", "buildspec", E,
    en="buildspec version {shown} is not supported; use 0.2",
    ja="buildspec の version {shown} はサポートされていません。0.2 を使ってください",
    explain_en="CodeBuild accepts buildspec versions 0.1 and 0.2; 0.2 is recommended.",
    explain_ja="CodeBuild が受け付ける buildspec のバージョンは 0.1 と 0.2 で、0.2 が推奨です。",
    bad="version: 2\nphases:\n  build:\n    commands:\n      - make\n",
    good=_MINIMAL,
    example_name=BS,
)  # fmt: skip
def unsupported_version(ctx: Context) -> Iterator[Hit]:
    version = ctx.get("version")
    if version is None or isinstance(version, bool):
        return
    if str(version).strip() not in ("0.1", "0.2"):
        yield Hit(("version",), {"shown": repr(version)})


@rule(
    "BS103",
    "version-0.1-shells",
    "buildspec",
    INFO,
    en="version 0.1 runs each command in its own shell: variables and 'cd' do not carry over; "
    "0.2 keeps one shell for the whole build",
    ja="version 0.1 ではコマンドごとに別のシェルで実行され、変数や cd が引き継がれません。"
    "0.2 ならビルド全体で 1 つのシェルです",
    explain_en="In version 0.1 CodeBuild runs each build command in a separate instance of the "
    "default shell; in 0.2 all commands share one shell session, so variables set in one "
    "command are visible in the next.",
    explain_ja="version 0.1 ではビルドコマンドがそれぞれ別のシェルで実行されます。0.2 では"
    "すべてのコマンドが 1 つのシェルセッションを共有するので、前のコマンドで設定した変数が"
    "次のコマンドでも使えます。",
    bad="version: 0.1\nphases:\n  build:\n    commands:\n      - make\n",
    good=_MINIMAL,
    example_name=BS,
)
def version_01(ctx: Context) -> Iterator[Hit]:
    if str(ctx.get("version")).strip() == "0.1":
        yield Hit(("version",))


_VERSIONS_TABLE = (
    "awsdocs/aws-codebuild-user-guide, doc_source/build-spec-ref.md, 'Buildspec versions' "
    "(commit 832c9e4, 2019)"
)


@rule(
    "BS114",
    "environment-variables-version-0.2",
    "buildspec",
    W,
    en="environment_variables is version 0.1's name for env; in version {shown} CodeBuild "
    "reads env.variables, so these variables are not set: move them under env: variables:",
    ja="environment_variables は version 0.1 での env の名前です。version {shown} の CodeBuild は "
    "env.variables を読むので、これらの変数は設定されません。env: variables: の下に移して"
    "ください",
    explain_en="Version 0.1 of the buildspec named the environment section environment_variables "
    "and its plain-text variables plaintext; version 0.2 renamed them env and variables "
    f"(the build specification reference's table of versions, {_VERSIONS_TABLE}). In a 0.1 "
    "buildspec, environment_variables.plaintext is read and BS120 counts its variables as "
    "defined; in a 0.2 one it is a key CodeBuild does not know, and the commands see the "
    "variables empty.",
    explain_ja="buildspec の version 0.1 では環境のセクションを environment_variables、平文の"
    "変数を plaintext と呼び、version 0.2 でそれぞれ env と variables に改められました "
    f"(ビルド仕様のリファレンスのバージョンの表、{_VERSIONS_TABLE})。version 0.1 の buildspec では "
    "environment_variables.plaintext が読まれ、BS120 もその変数を定義済みとして扱います。"
    "0.2 の buildspec では CodeBuild の知らないキーで、コマンドからは変数が空に見えます。",
    bad="version: 0.2\nenvironment_variables:\n  plaintext:\n    STAGE: prod\nphases:\n"
    "  build:\n    commands:\n      - ./deploy.sh\n",
    good="version: 0.2\nenv:\n  variables:\n    STAGE: prod\nphases:\n  build:\n    commands:\n"
    "      - ./deploy.sh\n",
    example_name=BS,
)
def environment_variables_in_02(ctx: Context) -> Iterator[Hit]:
    version = str(ctx.get("version")).strip() if ctx.get("version") is not None else "0.2"
    if version != "0.1" and isinstance(ctx.data, dict) and "environment_variables" in ctx.data:
        yield Hit(("environment_variables",), {"shown": version}, key=True)


_ON_FAILURE = re.compile(r"ABORT|CONTINUE")
_RETRY = re.compile(r"RETRY(?:-\d+)?(?:-.+)?")


@rule(
    "BS104",
    "on-failure-value",
    "buildspec",
    E,
    en="on-failure {shown}: {detail}",
    ja="on-failure の値 {shown}: {detail}",
    explain_en="A phase's on-failure is ABORT (the default) or CONTINUE. Newer CodeBuild "
    "documentation also describes RETRY, RETRY-count and RETRY-regex forms; pipespec reports "
    "those as a warning because not every build image supports them.",
    explain_ja="フェーズの on-failure は ABORT (既定) か CONTINUE です。新しいドキュメントには "
    "RETRY・RETRY-回数・RETRY-正規表現の形もありますが、イメージによっては使えないため警告に"
    "とどめます。",
    bad="version: 0.2\nphases:\n  build:\n    on-failure: abort\n    commands:\n      - make\n",
    good="version: 0.2\nphases:\n  build:\n    on-failure: ABORT\n    commands:\n      - make\n",
    example_name=BS,
)
def on_failure(ctx: Context) -> Iterator[Hit]:
    for phase, body in ctx.mapping("phases").items():
        value = body.get("on-failure") if isinstance(body, dict) else None
        if not isinstance(value, str) or _ON_FAILURE.fullmatch(value):
            continue
        path = ("phases", phase, "on-failure")
        ja = ctx.lang == "ja"
        if _RETRY.fullmatch(value):
            detail = (
                "RETRY の形は新しく、使えないビルドイメージがあります。ABORT と CONTINUE はどこでも使えます"
                if ja
                else "RETRY forms are newer and not supported by every build image; ABORT and "
                "CONTINUE always work"
            )
            yield Hit(path, {"shown": repr(value), "detail": detail}, severity=W)
            continue
        hint = suggest(value, ["ABORT", "CONTINUE"])
        if ja:
            detail = "使えません。ABORT か CONTINUE を指定してください" + (
                f" ({hint!r} の誤りではありませんか)" if hint else ""
            )
        else:
            detail = "not valid; use ABORT or CONTINUE" + (
                f" (did you mean {hint!r}?)" if hint else ""
            )
        yield Hit(path, {"shown": repr(value), "detail": detail})


@rule(
    "BS105",
    "codebuild-variable-prefix",
    "buildspec",
    E,
    en="environment variable {key!r} starts with CODEBUILD_, which is reserved for CodeBuild",
    ja="環境変数 {key!r} は CODEBUILD_ で始まっています。この接頭辞は CodeBuild 用に予約されています",
    explain_en="Names starting with CODEBUILD_ are reserved for CodeBuild's own variables and "
    "must not be used in env.variables, env.parameter-store or env.secrets-manager.",
    explain_ja="CODEBUILD_ で始まる名前は CodeBuild 自身の変数用に予約されていて、"
    "env.variables・env.parameter-store・env.secrets-manager では使えません。",
    bad="version: 0.2\nenv:\n  variables:\n    CODEBUILD_MODE: fast\n" + _MINIMAL[13:],
    good="version: 0.2\nenv:\n  variables:\n    BUILD_MODE: fast\n" + _MINIMAL[13:],
    example_name=BS,
)
def codebuild_prefix(ctx: Context) -> Iterator[Hit]:
    for section in ("variables", "parameter-store", "secrets-manager"):
        for name in ctx.mapping("env", section):
            if name.upper().startswith("CODEBUILD_"):
                yield Hit(("env", section, name), {"key": name}, key=True)


@rule(
    "BS106",
    "exported-aws-variable",
    "buildspec",
    W,
    en="exported variable {shown} starts with AWS_; CodeBuild cannot export AWS_ variables",
    ja="エクスポートする変数 {shown} が AWS_ で始まっています。AWS_ の変数はエクスポートできません",
    explain_en="env.exported-variables makes variables available to later pipeline actions; "
    "names starting with AWS_ are reserved and cannot be exported.",
    explain_ja="env.exported-variables は後続のパイプラインアクションに変数を渡します。AWS_ で"
    "始まる名前は予約されていてエクスポートできません。",
    bad="version: 0.2\nenv:\n  exported-variables:\n    - AWS_REGION\n" + _MINIMAL[13:],
    good="version: 0.2\nenv:\n  exported-variables:\n    - IMAGE_TAG\n" + _MINIMAL[13:],
    example_name=BS,
)
def exported_aws(ctx: Context) -> Iterator[Hit]:
    for i, name in enumerate(ctx.sequence("env", "exported-variables")):
        if isinstance(name, str) and name.upper().startswith("AWS_"):
            yield Hit(("env", "exported-variables", i), {"shown": repr(name)})


@rule(
    "BS108", "too-many-report-groups", "buildspec", E,
    en="{count} report groups defined; a buildspec can have at most 5",
    ja="レポートグループが {count} 個あります。buildspec に書けるのは 5 個までです",
    explain_en="The reports section can define at most five report groups.",
    explain_ja="reports に書けるレポートグループは 5 個までです。",
    bad="version: 0.2\n" + _MINIMAL[13:] + "reports:\n"
    + "".join(f"  r{i}:\n    files:\n      - out/{i}.xml\n" for i in range(6)),
    good="version: 0.2\n" + _MINIMAL[13:] + "reports:\n  unit:\n    files:\n      - out/*.xml\n",
    example_name=BS,
)  # fmt: skip
def too_many_reports(ctx: Context) -> Iterator[Hit]:
    reports = ctx.mapping("reports")
    if len(reports) > 5:
        yield Hit(("reports",), {"count": len(reports)}, key=True)


@rule(
    "BS107", "phase-without-commands", "buildspec", W,
    en="{name} has no commands; the reference requires a commands list in pre_build, build and "
    "post_build",
    ja="{name} に commands がありません。リファレンスでは pre_build・build・post_build に commands が必須です",
    explain_en="The build specification reference marks commands as required when a pre_build, "
    "build or post_build phase is present (install may consist of runtime-versions alone). Real "
    "buildspecs with an empty or finally-only phase do run, so this is a warning: remove the "
    "empty phase or give it commands.",
    explain_ja="リファレンスでは pre_build・build・post_build を書いたら commands は必須です "
    "(runtime-versions だけでよいのは install だけ)。空のフェーズや finally だけのフェーズでも"
    "実際には動く例があるため警告にとどめます。空のフェーズは消すか、commands を書いてください。",
    bad="version: 0.2\nphases:\n  build:\n    finally:\n      - echo done\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n      - make\n    finally:\n"
    "      - echo done\n",
    example_name=BS,
)  # fmt: skip
def phase_without_commands(ctx: Context) -> Iterator[Hit]:
    for phase in ("pre_build", "build", "post_build"):
        body = ctx.get("phases", phase)
        if body is None and phase in ctx.mapping("phases"):
            yield Hit(("phases", phase), {"name": f"phases.{phase}"}, key=True)
        elif isinstance(body, dict) and body.get("commands") is None:
            where = ("phases", phase, "commands") if "commands" in body else ("phases", phase)
            yield Hit(where, {"name": f"phases.{phase}"}, key=True)


@rule(
    "BS110",
    "no-phases",
    "buildspec",
    W,
    en="the buildspec has no 'phases' (and no 'batch'); the reference requires phases",
    ja="buildspec に phases がありません (batch もありません)。リファレンスでは phases は必須です",
    explain_en="The reference marks phases as required, except in a batch buildspec that only "
    "lists other builds. Real buildspecs that only collect artifacts do run, so this is a warning.",
    explain_ja="リファレンスでは phases は必須です (ほかのビルドを並べるだけのバッチ用 buildspec は"
    "例外)。アーティファクトを集めるだけの buildspec も実際には動くため、警告にとどめます。",
    bad="version: 0.2\nenv:\n  variables:\n    A: b\n",
    good=_MINIMAL,
    example_name=BS,
)
def no_phases(ctx: Context) -> Iterator[Hit]:
    if isinstance(ctx.data, dict) and "phases" not in ctx.data and "batch" not in ctx.data:
        yield Hit(())


@rule(
    "BS111",
    "artifact-files-scalar",
    "buildspec",
    INFO,
    en="{name} is a single string; the documented form is a list: files: [{shown}]",
    ja="{name} が文字列 1 つになっています。ドキュメントの形はリストです: files: [{shown}]",
    explain_en="artifacts.files is documented as a sequence of paths (build specification "
    "reference). CodeBuild accepts a single string too: AWS's own tutorial 'Amazon ECS "
    "Standard Deployment with CodePipeline' writes files: imagedefinitions.json "
    "(https://docs.aws.amazon.com/codepipeline/latest/userguide/ecs-cd-pipeline.html), and "
    "real pipelines run it. Nothing fails, so this is info: the list form is the documented "
    "one, and the one to extend with a second file.",
    explain_ja="artifacts.files はパスのリストとして文書化されています (ビルド仕様のリファレンス)。"
    "CodeBuild は文字列 1 つでも受け付けます。AWS 自身のチュートリアル「CodePipeline による "
    "Amazon ECS 標準デプロイ」も files: imagedefinitions.json と書いていて "
    "(https://docs.aws.amazon.com/codepipeline/latest/userguide/ecs-cd-pipeline.html)、実際の"
    "パイプラインもこの形で動いています。失敗はしないので情報にとどめます。文書化されているのは"
    "リストの形で、2 つ目のファイルを足すときもこの形です。",
    bad="version: 0.2\n" + _MINIMAL[13:] + "artifacts:\n  files: out/app.zip\n",
    good="version: 0.2\n" + _MINIMAL[13:] + "artifacts:\n  files:\n    - out/app.zip\n",
    example_name=BS,
)
def artifact_files_scalar(ctx: Context) -> Iterator[Hit]:
    for path, section in _artifact_sections(ctx):
        files = section.get("files")
        if isinstance(files, str):
            name = ".".join(str(p) for p in (*path, "files"))
            yield Hit((*path, "files"), {"name": name, "shown": files})


@rule(
    "BS112",
    "docker-runtime",
    "buildspec",
    W,
    en="runtime-versions has no 'docker' on current CodeBuild images; remove it and enable "
    "privileged mode in the project to run Docker",
    ja="現行の CodeBuild イメージの runtime-versions に docker はありません。削除して、Docker を"
    "使うにはプロジェクトの特権モードを有効にしてください",
    explain_en="Current CodeBuild images (standard 5.0 and later, Amazon Linux 2 standard 5.0 "
    "and later) list no docker runtime; builds fail with YAML_FILE_ERROR Message: Unknown "
    "runtime named 'docker'. Docker is available when the project runs in privileged mode.",
    explain_ja="現行の CodeBuild イメージ (standard 5.0 以降、Amazon Linux 2 standard 5.0 以降) "
    "には docker ランタイムがなく、YAML_FILE_ERROR Message: Unknown runtime named 'docker' で"
    "失敗します。Docker はプロジェクトの特権モードで使えるようになります。",
    bad="version: 0.2\nphases:\n  install:\n    runtime-versions:\n      docker: 18\n"
    "  build:\n    commands:\n      - docker build -t web .\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t web .\n",
    example_name=BS,
)
def docker_runtime(ctx: Context) -> Iterator[Hit]:
    for name in ctx.mapping("phases", "install", "runtime-versions"):
        if name.lower() == "docker":
            yield Hit(("phases", "install", "runtime-versions", name), key=True)


@rule(
    "BS113",
    "yaml11-version-number",
    "buildspec",
    W,
    en='{key}: {source} is read as the number {shown} (YAML 1.1); quote it: {key}: "{source}"',
    ja="{key}: {source} は YAML 1.1 では数値 {shown} として読まれます。"
    '引用符で囲んでください: {key}: "{source}"',
    explain_en="An unquoted version like 3.10 is a floating-point number in YAML, so it becomes "
    "3.1, a different runtime. Quote version numbers whose trailing zero matters.",
    explain_ja="引用符のない 3.10 のようなバージョンは YAML では浮動小数点数になり、3.1 という"
    "別のランタイムになります。末尾の 0 に意味があるバージョンは引用符で囲みます。",
    bad="version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: 3.10\n"
    "  build:\n    commands:\n      - make\n",
    good='version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: "3.10"\n'
    "  build:\n    commands:\n      - make\n",
    example_name=BS,
)
def yaml11_version(ctx: Context) -> Iterator[Hit]:
    base = ("phases", "install", "runtime-versions")
    for name, value in ctx.mapping(*base).items():
        source = ctx.doc.plain_scalars.get((*base, name))
        if source is not None and isinstance(value, float) and source != repr(value):
            yield Hit((*base, name), {"key": name, "source": source, "shown": repr(value)})
