"""An inline buildspec in a CodeBuild project (source.buildspec) is checked as a buildspec,
and each finding lands on the line and column of the JSON file where its text is written."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipespec import embedded
from pipespec.check import check_text

BASE = {
    "name": "web",
    "artifacts": {"type": "CODEPIPELINE"},
    "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                    "computeType": "BUILD_GENERAL1_SMALL", "privilegedMode": True},
    "serviceRole": "arn:aws:iam::123456789012:role/web",
}  # fmt: skip


def project(buildspec: str, **dump: object) -> str:
    data = {**BASE, "source": {"type": "CODEPIPELINE", "buildspec": buildspec}}
    return json.dumps(data, **dump) + "\n"  # type: ignore[arg-type]


def at(text: str, line: int, column: int) -> str:
    return text.split("\n")[line - 1][column - 1 :]


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("before", ["", 'echo "é ü \\u00e9"\n', "echo 😀 \\\\ tab\t\n"])
def test_a_finding_points_at_its_text_inside_the_string(indent: int | None, before: str) -> None:
    comment = f"# {before}" if before else ""
    spec = f"version: 0.2\n{comment}phases:\n  preBuild:\n    commands:\n      - make\n"
    text = project(spec, indent=indent, ensure_ascii=False)
    (finding,) = [f for f in check_text(text, "codebuild-project", path="codebuild-project.json")
                  if f.rule == "BS101"]  # fmt: skip
    assert finding.path == "codebuild-project.json"
    assert at(text, finding.line, finding.column).startswith("preBuild:")


def test_escapes_count_as_the_characters_written() -> None:
    raw = '{"b": "a\\nb\\u00e9\\ud83d\\ude00c"}'
    positions = embedded.json_string_positions(raw, (1, 7))
    decoded = json.loads(raw)["b"]
    assert len(positions) == len(decoded) + 1
    columns = [positions[i][1] for i in range(len(positions) - 1)]
    assert [raw[col - 1] for col in columns] == ["a", "\\", "b", "\\", "\\", "c"]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40))
def test_every_character_maps_to_where_it_is_written(value: str) -> None:
    for ensure_ascii in (True, False):
        raw = json.dumps({"k": value}, ensure_ascii=ensure_ascii)
        positions = embedded.json_string_positions(raw, (1, raw.index(":") + 3))
        assert len(positions) == len(value) + 1
        for ch, (_, col) in zip(value, positions, strict=False):  # stops with value
            written = raw[col - 1]
            assert written == ch or written == "\\", (value, ch, written)


def test_a_path_or_an_arn_is_not_an_inline_buildspec() -> None:
    assert not embedded.is_inline("ci/buildspec.yml")
    assert not embedded.is_inline("arn:aws:s3:::bucket/buildspec.yml")
    assert embedded.is_inline("version: 0.2\nphases: {}\n")


def test_yaml_line_breaks_inside_the_string_are_lines_of_the_buildspec() -> None:
    """YAML breaks lines at CR, NEL, LS and PS too: the finding after one is still found."""
    for brk in ("\r", "\u0085", "\u2028", "\r\n"):
        spec = f"version: 0.2\n# a{brk}# b\nphases:\n  preBuild:\n    commands:\n      - make\n"
        text = project(spec)
        (finding,) = [
            f
            for f in check_text(text, "codebuild-project", path="codebuild-project.json")
            if f.rule == "BS101"
        ]
        assert at(text, finding.line, finding.column).startswith("preBuild:"), brk


def test_a_long_inline_buildspec_costs_its_escapes_only() -> None:
    import tracemalloc

    spec = "version: 0.2\nphases:\n  build:\n    commands:\n" + "      - make x\n" * 50_000
    text = project(spec)
    start = (1, text.index('"version') + 1)
    tracemalloc.start()
    positions = embedded.json_string_positions(text, start)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(positions) == len(spec) + 1
    # about four list entries per escape (50,000 of them), not a tuple per character (750,000)
    assert peak < 12 * 1024 * 1024


def test_the_projects_environment_variables_count_as_defined() -> None:
    # BS120's message says "define it as a project environment variable": one that is
    # defined so is not reported, in the project's own inline buildspec.
    spec = 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "$FOO $BAR"\n'
    data = json.loads(project(spec))
    data["environment"]["environmentVariables"] = [{"name": "FOO", "value": "1"}]
    found = check_text(json.dumps(data), "codebuild-project", path="codebuild-project.json")
    assert [(f.rule, f.message.split()[0]) for f in found if f.rule == "BS120"] == [
        ("BS120", "$BAR")
    ]


@pytest.mark.parametrize(
    ("buildspec", "file"),
    [(None, "buildspec.yml"), ("", "buildspec.yml"), ("ci/build.yml", "build.yml"),
     ("arn:aws:s3:::bucket/buildspec.yml", None), ("version: 0.2\nphases: {}\n", None)],
)  # fmt: skip
def test_the_buildspec_file_a_project_runs(buildspec: str | None, file: str | None) -> None:
    source = {"type": "CODEPIPELINE"} | ({} if buildspec is None else {"buildspec": buildspec})
    assert embedded.buildspec_file({"source": source}) == file
