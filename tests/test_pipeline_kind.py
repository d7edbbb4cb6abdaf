"""Which files are CodePipeline's: ``pipeline.json`` is a common name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipespec.check import check_paths

OTHER_TOOLS = {
    "ci": {"name": "ci", "stages": [{"name": "build", "jobs": [{"run": "make"}]}]},
    "packer": {"builders": [{"type": "amazon-ebs"}], "provisioners": []},
    "template": {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}},
}


@pytest.mark.parametrize("what", list(OTHER_TOOLS))
def test_a_pipeline_json_of_another_tool_is_skipped(what: str, tmp_path: Path) -> None:
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(OTHER_TOOLS[what]))
    assert check_paths([tmp_path]).findings == []


def test_a_pipeline_json_that_does_not_load_is_skipped_unless_it_names_codepipeline_keys(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pipeline.json"
    path.write_text("pipeline {\n  agent any\n}\n")  # a Jenkinsfile
    assert check_paths([path]).findings == []
    path.write_text('{"pipeline": {"name": "x", // a comment\n}}\n')
    assert [f.rule for f in check_paths([path]).findings] == ["LD001"]


def test_other_names_and_codepipeline_files_are_always_checked(tmp_path: Path) -> None:
    ci = json.dumps(OTHER_TOOLS["ci"])
    (tmp_path / "ci.pipeline.json").write_text(ci)  # the name says CodePipeline: checked
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pipeline.json").write_text(
        json.dumps({"name": "x", "stages": [{"name": "Source", "actions": [{"name": "a"}]}]})
    )
    found = check_paths([tmp_path]).findings
    assert {Path(f.path).name for f in found} == {"ci.pipeline.json", "pipeline.json"}
    assert any(f.rule == "PL003" and f.path.endswith("sub/pipeline.json") for f in found)


def test_a_deeply_nested_action_environment_is_no_internal_error(tmp_path: Path) -> None:
    # The pipeline's CodeBuild action variables count for BS120; a value nested past
    # Python's recursion limit (1,000 characters, within the schema's bound) is no array.
    action = {"name": "Build", "actionTypeId": {"category": "Build", "owner": "AWS",
                                                "provider": "CodeBuild", "version": "1"},
              "configuration": {"ProjectName": "p", "EnvironmentVariables": "[" * 1000},
              "inputArtifacts": [{"name": "Src"}]}  # fmt: skip
    source = {"name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS",
                                                 "provider": "S3", "version": "1"},
              "configuration": {"S3Bucket": "b", "S3ObjectKey": "k"},
              "outputArtifacts": [{"name": "Src"}]}  # fmt: skip
    (tmp_path / "pipeline.json").write_text(json.dumps({"pipeline": {
        "name": "p", "roleArn": "arn:aws:iam::123456789012:role/p",
        "artifactStore": {"type": "S3", "location": "b"},
        "stages": [{"name": "Source", "actions": [source]},
                   {"name": "Build", "actions": [action]}]}}))  # fmt: skip
    (tmp_path / "codebuild-project.json").write_text(json.dumps({"name": "p"}))
    (tmp_path / "buildspec.yml").write_text(
        'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "$X"\n'
    )
    found = check_paths([tmp_path]).findings
    assert not [f for f in found if f.rule == "PS999"], [f.format() for f in found]
    assert any(f.rule == "BS120" and "$X" in f.message for f in found)


@pytest.mark.parametrize(
    ("kind", "rule", "pasted"),
    [
        ("deployment-group", "DG104", "get-deployment-group"),
        ("codebuild-project", "CB104", "batch-get-projects"),
    ],
)
def test_read_only_keys_of_a_pasted_describe_output_are_one_warning(
    kind: str, rule: str, pasted: str
) -> None:
    from pipespec.check import check_text
    from pipespec.rules import RULES

    bad = RULES[rule].bad
    assert bad is not None
    read_only = [k for k in json.loads(bad) if k not in json.loads(RULES[rule].good or "{}")]
    assert len(read_only) >= 2, read_only
    found = [f for f in check_text(bad, kind, path="x.json") if f.rule == rule]
    assert len(found) == 1, [f.format() for f in found]
    shown = " and ".join([", ".join(repr(k) for k in read_only[:-1]), repr(read_only[-1])])
    assert found[0].message.startswith(f"{shown} are output of {pasted}, not input: ")
    assert found[0].message.endswith(" rejects them; remove them")
    assert found[0].line == 2  # the first read-only key


def test_every_kind_with_read_only_keys_has_a_read_only_rule_naming_them() -> None:
    """The schema check reports a kind's ``x-read-only-keys`` as its ``{prefix}104``."""
    from pipespec import catalog
    from pipespec.rules import RULES

    with_keys = []
    for kind in catalog.KINDS.values():
        if kind.schema and catalog.schema(kind.schema).get("x-read-only-keys"):
            with_keys.append(kind.prefix)
            rule = RULES[f"{kind.prefix}104"]
            assert "{keys}" in rule.en and "{keys}" in rule.ja, rule.id
    assert sorted(with_keys) == ["CB", "DG", "PL", "TD"]
