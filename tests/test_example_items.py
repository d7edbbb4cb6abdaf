"""The conftest that turns examples/ into pytest items reports failures as file:line:col."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest((ROOT / "conftest.py").read_text(encoding="utf-8"))
    (pytester.path / "examples" / "ok").mkdir(parents=True)
    (pytester.path / "examples" / "ok" / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo build\n", encoding="utf-8"
    )
    return pytester


def test_valid_files_pass(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("examples")
    result.assert_outcomes(passed=2)  # the buildspec loads, and its dry run succeeds


def test_broken_json_is_reported_with_position_and_line(project: pytest.Pytester) -> None:
    (project.path / "examples" / "ok" / "taskdef.json").write_text(
        '{\n  "family": "web",\n}\n', encoding="utf-8"
    )
    result = project.runpytest_subprocess("examples")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "examples/ok/taskdef.json:3:1: error: JSON syntax error:"
            " trailing comma before '}' [LD001]",
            "    }",
            "    ^",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "def runtest" not in result.stdout.str()


def test_duplicate_yaml_key_is_reported(project: pytest.Pytester) -> None:
    (project.path / "examples" / "ok" / "appspec.yml").write_text(
        "version: 0.0\nos: linux\nos: windows\n", encoding="utf-8"
    )
    result = project.runpytest_subprocess("examples")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["examples/ok/appspec.yml:3:1: error: duplicate key 'os'*LD002*"])


def test_mistakes_are_compared_with_their_golden_file(project: pytest.Pytester) -> None:
    case = project.path / "examples" / "mistakes" / "comments"
    case.mkdir(parents=True)
    (case / "imagedefinitions.json").write_text('[{"name": "a"} // x\n]', encoding="utf-8")
    # no golden yet: the mistake's output is unexpected, so the item fails and says how to fix it
    result = project.runpytest_subprocess("examples")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*expected.out does not match:*", "*--update-goldens*"])
    # regenerate, then it passes, and the golden holds the diagnostic
    project.runpytest_subprocess("examples", "--update-goldens")
    golden = (case / "expected.out").read_text(encoding="utf-8")
    assert golden == (
        "examples/mistakes/comments/imagedefinitions.json:1:16: error: "
        "JSON syntax error: comments are not allowed in JSON [LD001]\n"
    )
    project.runpytest_subprocess("examples").assert_outcomes(passed=3)
    # a stale golden fails again
    (case / "expected.out").write_text(golden.replace("1:16", "1:17"), encoding="utf-8")
    project.runpytest_subprocess("examples").assert_outcomes(passed=2, failed=1)


def test_a_dry_run_that_misses_an_artifact_fails(project: pytest.Pytester) -> None:
    (project.path / "examples" / "ok" / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi > out.txt\n"
        "artifacts:\n  files:\n    - out.txt\n    - imageDetail.json\n",
        encoding="utf-8",
    )
    # Outside a git work tree the check cannot tell whether the source holds
    # imageDetail.json (BS116 stays quiet); the dry run can, and fails.
    result = project.runpytest_subprocess("examples")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*missing artifact: imageDetail.json*"])
    # In a work tree without that file, the check item fails too (BS116).
    subprocess.run(["git", "init", "-q", str(project.path)], check=True)
    result = project.runpytest_subprocess("examples")
    result.assert_outcomes(passed=0, failed=2)
    result.stdout.fnmatch_lines(["*BS116*", "*missing artifact: imageDetail.json*"])
