"""CodeBuild project rules (``CB1xx``): what CreateProject checks beyond the schema
(codebuild-project.schema.json, generated out of botocore's codebuild model).

A file holds the input of ``aws codebuild create-project --cli-input-json``; the output of
``batch-get-projects`` (a list under ``projects``, with read-only keys such as ``arn``) is
reported as such (``CB106``, ``CB104``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Severity
from . import Hit, Rule, register, rule

if TYPE_CHECKING:
    from ..context import Context

E, W = Severity.ERROR, Severity.WARNING
KIND = "codebuild-project"
EXAMPLE = "codebuild-project.json"

PROJECT: dict[str, Any] = {
    "name": "hello-world",
    "source": {"type": "CODEPIPELINE", "buildspec": "buildspec.yml"},
    "artifacts": {"type": "CODEPIPELINE"},
    "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                    "computeType": "BUILD_GENERAL1_SMALL", "privilegedMode": True},
    "serviceRole": "arn:aws:iam::123456789012:role/hello-world-codebuild",
}  # fmt: skip
GOOD = json.dumps(PROJECT, indent=2) + "\n"

register(
    Rule(
        "CB105", "project-name-on-command-line", "schema", Severity.INFO,
        "{key!r} is missing: create-project requires it, so give it on the command line "
        "({option}) or add it to the file",
        "{key!r} がありません。create-project には必須なので、コマンドラインで ({option}) "
        "渡すか、ファイルに書いてください",
        "name is required by CreateProject (CodeBuild API Reference), but it is also an option "
        "of `aws codebuild create-project`, and with `--cli-input-json` \"values provided on "
        "the command line override the JSON-provided values\" (AWS CLI User Guide, \"Loading "
        "AWS CLI parameters from a file\"). An info, not CB003's error: check that the "
        "command passes the name.",
        "name は CreateProject の必須項目ですが (CodeBuild API リファレンス)、`aws codebuild "
        "create-project` のオプションでもあり、`--cli-input-json` と一緒に渡すとコマンドライン"
        "の値が JSON の値より優先されます (AWS CLI ユーザーガイド「ファイルから AWS CLI の"
        "パラメータを読み込む」)。CB003 のエラーではなく情報 (info) にしているので、コマンドが名前を"
        "渡しているか確かめてください。",
        bad=json.dumps({k: v for k, v in PROJECT.items() if k != "name"}, indent=2) + "\n",
        good=GOOD,
        example_name=EXAMPLE,
    )
)  # fmt: skip
READ_ONLY = {
    "arn": "arn:aws:codebuild:ap-northeast-1:123456789012:project/hello-world",
    "created": "2026-01-01T00:00:00+09:00",
    "lastModified": "2026-01-02T00:00:00+09:00",
}

register(
    Rule(
        "CB104", "codebuild-project-read-only-key", "schema", W,
        "{keys} {are} output of batch-get-projects, not input: create-project rejects "
        "{them}; remove {them}",
        "{keys} は batch-get-projects の出力項目で、create-project の入力には使えません。"
        "削除してください",
        "A project copied from `aws codebuild batch-get-projects` contains keys that CodeBuild "
        "sets itself: arn, created, lastModified, webhook, badge, projectVisibility, "
        "publicProjectAlias, resourceAccessRole. They are members of Project, not of "
        "CreateProjectInput (CodeBuild API Reference), and the AWS CLI fails with `Unknown "
        "parameter`. One warning for the file, at the first such key, naming them (six, then "
        "how many more).",
        "`aws codebuild batch-get-projects` からコピーしたプロジェクトには、CodeBuild 自身が設定"
        "するキー (arn・created・lastModified・webhook・badge・projectVisibility・"
        "publicProjectAlias・resourceAccessRole) が含まれます。これらは Project の項目で "
        "CreateProjectInput にはなく (CodeBuild API リファレンス)、AWS CLI は `Unknown "
        "parameter` で失敗します。警告はファイルに 1 つで、"
        "最初のキーの位置にキーを挙げます (6 個まで、それ以上は残りの数)。",
        bad=json.dumps({**READ_ONLY, **PROJECT}, indent=2) + "\n",
        good=GOOD,
        example_name=EXAMPLE,
    )
)  # fmt: skip


@rule(
    "CB106", "batch-get-output", KIND, E,
    en="this is AWS CLI output: the project is inside {key!r}; use the project object as the "
    "whole file",
    ja="AWS CLI の出力のままです。プロジェクトが {key!r} の中に入っています。プロジェクトの"
    "オブジェクトをファイル全体にしてください",
    explain_en="`aws codebuild batch-get-projects` prints `{\"projects\": [...], "
    "\"projectsNotFound\": [...]}`, and create-project prints `{\"project\": {...}}`. "
    "create-project takes one project's members at the top "
    "level. Take one, for example with `jq '.projects[0]'`, then remove the read-only keys "
    "(CB104).",
    explain_ja="`aws codebuild batch-get-projects` は `{\"projects\": [...], "
    "\"projectsNotFound\": [...]}` の形で出力します。create-project が受け取るのは 1 つの"
    "プロジェクトの項目です。`jq '.projects[0]'` などで取り出し、読み取り専用のキー (CB104) "
    "も削除します。",
    bad=json.dumps({"projects": [PROJECT], "projectsNotFound": []}, indent=2) + "\n",
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def batch_get_output(ctx: Context) -> Iterator[Hit]:
    for key, kinds in (("projects", list), ("project", dict)):  # batch-get, create's output
        if isinstance(ctx.get(key), kinds):
            yield Hit((key,), {"key": key}, key=True)


# --------------------------------------------------------------------------- environment

# Facts: botocore's codebuild model (ProjectEnvironment.privilegedMode: "Enables running the
# Docker daemon inside a Docker container. Set to true only if the build project is used
# to build Docker images. Otherwise, a build that attempts to interact with the Docker
# daemon fails."; computeType: "BUILD_LAMBDA_1GB ... Only available for environment type
# LINUX_LAMBDA_CONTAINER and ARM_LAMBDA_CONTAINER"), the CodeBuild User Guide's
# troubleshooting ("Cannot connect to the Docker daemon ... You are not running your build
# in privileged mode"), Lambda compute limitations ("AWS Lambda doesn't support ...
# privileged mode") and the build specification reference ("Do not set any environment
# variable with a name that starts with CODEBUILD_").

#: A docker or docker-compose command that talks to the daemon: any path to the program,
#: global options before the subcommand (docker --version and help do not).
DOCKER = re.compile(
    r"(?<![\w.-])(?:[\w./-]*/)?(?:docker-compose|docker)"
    r"(?:\s+--?[\w-]+(?:[= ](?!-)[^\s;&|]+)?)*"
    r"\s+(?:build|buildx|push|pull|run|tag|login|compose|image|images|ps|exec|save|load|create|"
    r"start|stop|cp|inspect|manifest|info|system|rm|rmi|logs|up|down|volume|network|"
    r"container)\b"
)
_QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")
LAMBDA_TYPES = ("LINUX_LAMBDA_CONTAINER", "ARM_LAMBDA_CONTAINER")


def docker_line(command: str) -> str:
    """The line of a shell command that runs Docker against the daemon, or "" (quoted text
    and comments do not count: echo "run docker build" is not a build)."""
    for line in command.splitlines():
        code = _QUOTED.sub("''", line.split(" #", 1)[0])
        if code.lstrip().startswith("#"):
            continue
        if DOCKER.search(code):
            return line.strip()[:80]
    return ""


@functools.lru_cache(maxsize=16)
def docker_commands(text: str) -> tuple[str, ...]:
    """The commands of a buildspec's text that need the Docker daemon (the lines that do)."""
    from ..embedded import MAX_INLINE
    from ..load import load_text
    from ..shell import commands

    if len(text) > MAX_INLINE:
        return ()
    doc = load_text(text, "buildspec.yml", "yaml")
    if not doc.ok:
        return ()
    return tuple(line for command in commands(doc) if (line := docker_line(command.text)))


def no_daemon_needed(env: dict[str, Any]) -> bool:
    """Whether the project needs no privileged mode for Docker: it has it, or builds on
    CodeBuild's Docker server (environment.dockerServer), or it is Lambda (CB111) or
    Windows compute (where Docker-in-Docker is a different story)."""
    kind = str(env.get("type", ""))
    return (env.get("privilegedMode") is True or bool(env.get("dockerServer"))
            or kind in LAMBDA_TYPES or kind.startswith("WINDOWS"))  # fmt: skip


@rule(
    "CB110", "docker-without-privileged-mode", KIND, E,
    en="the buildspec runs {command!r}, but environment.privilegedMode is not true: the build "
    "fails with 'Cannot connect to the Docker daemon'",
    ja="buildspec が {command!r} を実行しますが、environment.privilegedMode が true ではありません。"
    "ビルドは 'Cannot connect to the Docker daemon' で失敗します",
    explain_en="privilegedMode \"enables running the Docker daemon inside a Docker container. "
    "Set to true only if the build project is used to build Docker images. Otherwise, a "
    "build that attempts to interact with the Docker daemon fails\" (CodeBuild API "
    "Reference, ProjectEnvironment). The CodeBuild troubleshooting guide lists the message "
    "\"Cannot connect to the Docker daemon at unix:/var/run/docker.sock\" with the cause "
    "\"You are not running your build in privileged mode\". pipespec looks at the inline "
    "buildspec (source.buildspec) and, when the project names a buildspec file, at that file "
    "in the same directory (XF rules).",
    explain_ja="privilegedMode は「Docker コンテナの中で Docker デーモンを動かす」設定で、"
    "「Docker イメージをビルドするプロジェクトでだけ true にする。そうでなければ、Docker "
    "デーモンを使うビルドは失敗する」とされています (CodeBuild API リファレンスの "
    "ProjectEnvironment)。CodeBuild のトラブルシューティングには \"Cannot connect to the Docker "
    "daemon at unix:/var/run/docker.sock\" というメッセージと「特権モードで実行していない」という"
    "原因が載っています。pipespec はインラインの buildspec (source.buildspec) と、プロジェクトが "
    "buildspec のファイルを指すときは同じディレクトリのそのファイル (XF ルール) を調べます。",
    bad=json.dumps({**PROJECT, "source": {"type": "CODEPIPELINE", "buildspec":
        "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t web .\n"},
        "environment": {**PROJECT["environment"], "privilegedMode": False}}, indent=2) + "\n",
    good=json.dumps({**PROJECT, "source": {"type": "CODEPIPELINE", "buildspec":
        "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t web .\n"}},
        indent=2) + "\n",
    example_name=EXAMPLE,
)  # fmt: skip
def docker_without_privileged_mode(ctx: Context) -> Iterator[Hit]:
    from ..embedded import inline_buildspecs

    if no_daemon_needed(ctx.mapping("environment")):
        return
    for path, text in inline_buildspecs(ctx):
        found = docker_commands(text)
        if found:
            yield Hit(path, {"command": found[0]})


@rule(
    "CB111", "lambda-compute", KIND, E,
    en="{problem}",
    ja="{problem_ja}",
    explain_en="Lambda compute runs builds in AWS Lambda: its compute types "
    "(BUILD_LAMBDA_1GB to BUILD_LAMBDA_10GB) are \"only available for environment type "
    "LINUX_LAMBDA_CONTAINER and ARM_LAMBDA_CONTAINER\", and those environment types take no "
    "other compute type (CodeBuild API Reference, ProjectEnvironment). \"AWS Lambda doesn't "
    "support Docker builds or runs\" nor privileged mode (CodeBuild User Guide, Lambda "
    "compute limitations).",
    explain_ja="Lambda コンピューティングはビルドを AWS Lambda で実行します。その computeType "
    "(BUILD_LAMBDA_1GB〜BUILD_LAMBDA_10GB) は「環境タイプ LINUX_LAMBDA_CONTAINER と "
    "ARM_LAMBDA_CONTAINER でだけ使える」もので、これらの環境タイプはほかの computeType を"
    "取りません (CodeBuild API リファレンスの ProjectEnvironment)。また「AWS Lambda は Docker の"
    "ビルドや実行に対応しておらず」、特権モードも使えません (CodeBuild ユーザーガイドの Lambda "
    "コンピューティングの制限)。",
    bad=json.dumps({**PROJECT, "environment": {**PROJECT["environment"],
                    "type": "LINUX_LAMBDA_CONTAINER"}}, indent=2) + "\n",
    good=json.dumps({**PROJECT, "environment": {
        "type": "LINUX_LAMBDA_CONTAINER", "image": "aws/codebuild/amazonlinux-x86_64-lambda-"
        "standard:python3.12", "computeType": "BUILD_LAMBDA_1GB"}}, indent=2) + "\n",
    example_name=EXAMPLE,
)  # fmt: skip
def lambda_compute(ctx: Context) -> Iterator[Hit]:
    env = ctx.mapping("environment")
    kind, compute = env.get("type"), env.get("computeType")
    if not isinstance(kind, str) or not isinstance(compute, str):
        return
    lam = kind in LAMBDA_TYPES
    if lam != compute.startswith("BUILD_LAMBDA_"):
        yield Hit(("environment", "computeType"), {
            "problem": f"computeType {compute} does not go with environment type {kind}: "
            + ("Lambda environments take BUILD_LAMBDA_* compute types" if lam else
               "BUILD_LAMBDA_* compute types need a *_LAMBDA_CONTAINER environment type"),
            "problem_ja": f"computeType {compute} は環境タイプ {kind} と組み合わせられません。"
            + ("Lambda の環境タイプには BUILD_LAMBDA_* を使います" if lam else
               "BUILD_LAMBDA_* は *_LAMBDA_CONTAINER の環境タイプでしか使えません")})  # fmt: skip
    if lam and env.get("privilegedMode") is True:
        yield Hit(
            ("environment", "privilegedMode"),
            {
                "problem": "privileged mode is not available on Lambda compute (no Docker there)",
                "problem_ja": "Lambda コンピューティングでは特権モードを使えません (Docker がありません)",
            },
        )
    if lam:
        from ..embedded import inline_buildspecs

        for path, text in inline_buildspecs(ctx):
            found = docker_commands(text)
            if found:
                yield Hit(path, {
                    "problem": f"the buildspec runs {found[0]!r}, but AWS Lambda runs no Docker",
                    "problem_ja": f"buildspec が {found[0]!r} を実行しますが、AWS Lambda では "
                    "Docker を使えません"})  # fmt: skip


@rule(
    "CB112", "reserved-variable-name", KIND, W,
    en="environment variable {name!r} starts with CODEBUILD_, a prefix CodeBuild reserves",
    ja="環境変数 {name!r} が CodeBuild の予約する接頭辞 CODEBUILD_ で始まっています",
    explain_en="\"Do not set any environment variable with a name that starts with "
    "CODEBUILD_. This prefix is reserved for internal use.\" (CodeBuild User Guide, build "
    "specification reference, env). CodeBuild sets CODEBUILD_SRC_DIR, "
    "CODEBUILD_RESOLVED_SOURCE_VERSION and others itself.",
    explain_ja="「CODEBUILD_ で始まる名前の環境変数は設定しないでください。この接頭辞は内部用に"
    "予約されています」(CodeBuild ユーザーガイドのビルド仕様リファレンス、env)。CodeBuild は "
    "CODEBUILD_SRC_DIR や CODEBUILD_RESOLVED_SOURCE_VERSION などを自分で設定します。",
    bad=json.dumps({**PROJECT, "environment": {**PROJECT["environment"],
        "environmentVariables": [{"name": "CODEBUILD_STAGE", "value": "prod"}]}},
        indent=2) + "\n",
    good=json.dumps({**PROJECT, "environment": {**PROJECT["environment"],
        "environmentVariables": [{"name": "STAGE", "value": "prod"}]}}, indent=2) + "\n",
    example_name=EXAMPLE,
)  # fmt: skip
def reserved_variable_name(ctx: Context) -> Iterator[Hit]:
    for i, var in enumerate(ctx.sequence("environment", "environmentVariables")):
        name = var.get("name") if isinstance(var, dict) else None
        if isinstance(name, str) and name.startswith("CODEBUILD_"):
            yield Hit(("environment", "environmentVariables", i, "name"), {"name": name})
