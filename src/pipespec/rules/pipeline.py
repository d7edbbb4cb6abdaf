"""CodePipeline pipeline rules (``PL1xx``): what CreatePipeline checks beyond the schema.

The schema (pipeline.schema.json, generated out of botocore's codepipeline model) covers
types, required keys, unknown keys, lengths and enumerations. A file may hold the input of
``aws codepipeline create-pipeline --cli-input-json`` (``{"pipeline": {...}}``), the output
of ``get-pipeline`` (the same with ``metadata``: ``PL104``), or the bare declaration the
user guide shows; all three are checked against the same declaration.
"""

from __future__ import annotations

import json

from ..findings import Severity
from . import Rule, register

E, W = Severity.ERROR, Severity.WARNING
KIND = "pipeline"
EXAMPLE = "pipeline.json"

#: A complete declaration: a CodeCommit source and a CodeBuild build, both stages required.
DECLARATION = {
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
