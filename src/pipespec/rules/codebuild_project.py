"""CodeBuild project rules (``CB1xx``): what CreateProject checks beyond the schema
(codebuild-project.schema.json, generated out of botocore's codebuild model).

A file holds the input of ``aws codebuild create-project --cli-input-json``; the output of
``batch-get-projects`` (a list under ``projects``, with read-only keys such as ``arn``) is
reported as such (``CB106``, ``CB104``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from . import Hit, Rule, register, rule

if TYPE_CHECKING:
    from ..check import Context

E, W = Severity.ERROR, Severity.WARNING
KIND = "codebuild-project"
EXAMPLE = "codebuild-project.json"

PROJECT = {
    "name": "hello-world",
    "source": {"type": "CODEPIPELINE", "buildspec": "buildspec.yml"},
    "artifacts": {"type": "CODEPIPELINE"},
    "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                    "computeType": "BUILD_GENERAL1_SMALL", "privilegedMode": True},
    "serviceRole": "arn:aws:iam::123456789012:role/hello-world-codebuild",
}  # fmt: skip
GOOD = json.dumps(PROJECT, indent=2) + "\n"
READ_ONLY = {
    "arn": "arn:aws:codebuild:ap-northeast-1:123456789012:project/hello-world",
    "created": "2026-01-01T00:00:00+09:00",
    "lastModified": "2026-01-02T00:00:00+09:00",
}

register(
    Rule(
        "CB104", "codebuild-project-read-only-key", "schema", W,
        "{key!r} is output of batch-get-projects, not input: create-project rejects it; "
        "remove it",
        "{key!r} は batch-get-projects の出力項目で、create-project の入力には使えません。"
        "削除してください",
        "A project copied from `aws codebuild batch-get-projects` contains keys that CodeBuild "
        "sets itself: arn, created, lastModified, webhook, badge, projectVisibility, "
        "publicProjectAlias, resourceAccessRole. They are members of Project, not of "
        "CreateProjectInput (CodeBuild API Reference), and the AWS CLI fails with `Unknown "
        "parameter`.",
        "`aws codebuild batch-get-projects` からコピーしたプロジェクトには、CodeBuild 自身が設定"
        "するキー (arn・created・lastModified・webhook・badge・projectVisibility・"
        "publicProjectAlias・resourceAccessRole) が含まれます。これらは Project の項目で "
        "CreateProjectInput にはなく (CodeBuild API リファレンス)、AWS CLI は `Unknown "
        "parameter` で失敗します。",
        bad=json.dumps({**READ_ONLY, **PROJECT}, indent=2) + "\n",
        good=GOOD,
        example_name=EXAMPLE,
    )
)  # fmt: skip


@rule(
    "CB106", "batch-get-output", KIND, E,
    en="this is batch-get-projects output: the project is in the list {key!r}; use one "
    "object of it as the whole file",
    ja="batch-get-projects の出力のままです。プロジェクトがリスト {key!r} に入っています。"
    "その中の 1 つのオブジェクトをファイル全体にしてください",
    explain_en="`aws codebuild batch-get-projects` prints `{\"projects\": [...], "
    "\"projectsNotFound\": [...]}`. create-project takes one project's members at the top "
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
    if isinstance(ctx.get("projects"), list):
        yield Hit(("projects",), {"key": "projects"}, key=True)
