"""The command line: formats, exit codes, languages, suppression and configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipespec import cli, config
from pipespec.rules import RULES

GOOD = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
BAD = "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)  # it would change the default format
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "buildspec.yml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "buildspec.yml").write_text(BAD, encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_codes(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "good")[0] == 0
    assert run(capsys, "check", "bad")[0] == 1
    code, out, err = run(capsys, "check", "missing.yml")
    assert (
        code == 2
        and out == ""
        and err == "pipespec: error: no such file or directory: missing.yml\n"
    )
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", "--no-such-option", "good"])
    assert exc.value.code == 2


def test_text_format_shows_the_line_and_a_caret(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, err = run(capsys, "check", "bad")
    assert out.splitlines() == [
        "bad/buildspec.yml:3:3: error: unknown build phase 'preBuild'; did you mean 'pre_build'? "
        "(CodeBuild runs only install, pre_build, build and post_build) [BS101]",
        "    preBuild:",
        "    ^",
    ]
    assert err == "1 error(s), 0 warning(s) in 1 file(s)\n"


def test_json_contract(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", ".")
    rows = json.loads(out)
    assert code == 1
    assert rows == [
        {
            "path": "bad/buildspec.yml",
            "line": 3,
            "column": 3,
            "severity": "error",
            "rule": "BS101",
            "message": rows[0]["message"],
        }
    ]
    assert run(capsys, "check", "--format", "json", "good")[1] == "[]\n"


def test_sarif(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "--format", "sarif", ".")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert len(rules) == len(RULES)
    (result,) = run_["results"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "BS101"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 3}
    assert result["level"] == "error"


def test_github_annotations_are_escaped(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "check", "--format", "github", "bad")
    assert out.startswith("::error file=bad/buildspec.yml,line=3,col=3,title=BS101::unknown build")
    assert out.count("\n") == 1


def test_language_from_flag_and_locale(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "不明なビルドフェーズ" in run(capsys, "check", "--lang", "ja", "bad")[1]
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    _, out, err = run(capsys, "check", "bad")
    assert "不明なビルドフェーズ" in out and "件のエラー" in err
    assert "unknown build phase" in run(capsys, "check", "--lang", "en", "bad")[1]


def test_kind_override_and_unknown_names(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "ci.yml").write_text(BAD, encoding="utf-8")
    code, out, _ = run(capsys, "check", "ci.yml")
    assert code == 1 and "[PS001]" in out
    code, out, _ = run(capsys, "check", "--kind", "buildspec", "ci.yml")
    assert code == 1 and "[BS101]" in out
    # in a directory, files are found by name only: ci.yml is not a buildspec
    code, out, _ = run(capsys, "check", "--format", "json", ".")
    assert {r["path"] for r in json.loads(out)} == {"bad/buildspec.yml"}


def test_hidden_and_build_directories_are_skipped(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for skipped in (".git", "node_modules", ".venv"):
        (tree / skipped).mkdir()
        (tree / skipped / "buildspec.yml").write_text(BAD, encoding="utf-8")
    _, out, _ = run(capsys, "check", "--format", "json", ".")
    assert len(json.loads(out)) == 1


def test_inline_ignore(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BAD.replace("  preBuild:", "  preBuild:  # pipespec: ignore=BS101")
    (tree / "bad" / "buildspec.yml").write_text(text, encoding="utf-8")
    assert run(capsys, "check", "bad")[0] == 0
    text = BAD.replace("  preBuild:", "  # pipespec: ignore=BS999\n  preBuild:")
    (tree / "bad" / "buildspec.yml").write_text(text, encoding="utf-8")
    assert run(capsys, "check", "bad")[0] == 1  # another rule's ID does not hide it


def test_pyproject_ignores(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "pyproject.toml").write_text(
        '[tool.pipespec]\nper-path-ignores = { "bad/*" = ["BS101"] }\n', encoding="utf-8"
    )
    assert run(capsys, "check", ".")[0] == 0
    assert run(capsys, "check", "--no-config", ".")[0] == 1
    (tree / "pyproject.toml").write_text('[tool.pipespec]\nignore = "BS101"\n', encoding="utf-8")
    code, _, err = run(capsys, "check", ".")
    assert code == 2 and "tool.pipespec.ignore must be a list" in err


@pytest.mark.parametrize(
    "toml",
    [
        '[tool.pipespec]\nignore = ["BS101"]\n',
        '[ tool . pipespec ]\nignore = ["BS101"]\n',
        '[project]\nname = "x"\n[tool]\npipespec = { ignore = ["BS101"] }\n',
        '[tool] # tools\npipespec.ignore = ["BS101"]\n',
        'tool.pipespec.ignore = ["BS101"]\n',
        '"tool"."pipespec".ignore = ["BS101"]\n',
        'tool = { pipespec = { ignore = ["BS101"] } }\n',
        '["t\\u006fol".pipespec]\nignore = ["BS101"]\n',
        '[tool."pip\\u0065spec"]\nignore = ["BS101"]\n',
    ],
)
def test_every_toml_spelling_of_the_table_is_read(tree: Path, toml: str) -> None:
    """The pre-check that skips parsing TOML must not skip a real [tool.pipespec]."""
    (tree / "pyproject.toml").write_text(toml, encoding="utf-8")
    assert config.load(tree).ignore == frozenset({"BS101"})


def test_a_pyproject_without_the_table_is_passed_over(tree: Path) -> None:
    """As ruff does: the search goes on upward, to the next configuration."""
    (tree / "pipespec.toml").write_text('ignore = ["BS101"]\n', encoding="utf-8")
    (tree / "bad" / "pyproject.toml").write_text(
        '[project]\nname = "pipespec-demo"\n[tool.ruff]\nline-length = 99\n', encoding="utf-8"
    )
    settings = config.load(tree / "bad")
    assert settings.ignore == frozenset({"BS101"}) and settings.source == tree / "pipespec.toml"


def test_a_crashing_rule_is_a_finding_not_a_traceback(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(ctx: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setitem(RULES, "BS102", RULES["BS102"]._replace(check=boom))
    code, out, err = run(capsys, "check", "bad")
    assert code == 1
    assert "[PS999]" in out and "RuntimeError('boom')" in out
    assert "[BS101]" in out  # the other rules still ran
    assert "Traceback" not in out + err


def test_rules_and_schema_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert code == 0 and {r["id"] for r in json.loads(out)} == set(RULES)
    code, out, _ = run(capsys, "schema", "buildspec")
    assert code == 0 and json.loads(out)["title"].startswith("AWS CodeBuild buildspec")


def test_python_dash_m(tree: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pipespec", "check", "bad"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "[BS101]" in proc.stdout


# --------------------------------------------------------------------------- start-up cost

_IMPORTED = """
import sys
from pipespec.cli import main
code = main(["check", *sys.argv[1:]])
mods = set(sys.modules)
print(code, " ".join(sorted(m for m in mods if m.split(".")[0] in
      ("yaml", "pipespec", "tomllib", "dataclasses", "difflib", "tempfile", "subprocess"))))
"""


def _modules_after_check(cwd: Path, *args: str) -> tuple[int, set[str]]:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORTED, *args], cwd=cwd, capture_output=True, text=True,
        check=True,
    ).stdout.split()  # fmt: skip
    return int(out[0]), set(out[1:])


def test_checking_json_imports_neither_yaml_nor_the_shell_checks(tmp_path: Path) -> None:
    """What ``pipespec check taskdef.json`` costs at start: the benchmark's one-file time
    (issue 7) depends on these modules staying out of the JSON path."""
    taskdef = Path(__file__).parents[1] / "examples" / "ecs-bluegreen" / "taskdef.json"
    (tmp_path / "taskdef.json").write_text(taskdef.read_text(encoding="utf-8"), encoding="utf-8")
    code, mods = _modules_after_check(tmp_path, "taskdef.json")
    assert code == 0
    assert "pipespec.rules.taskdef" in mods  # the kind's rules did run
    for heavy in (
        "yaml",
        "pipespec.yamlload",
        "pipespec.shell",
        "pipespec.rules.shell",
        "pipespec.rules.appspec",
        "pipespec.rules.bundle_pipeline",  # no pipeline or project beside it
        "pipespec.rules.pipeline",
        "dataclasses",
        "difflib",
        "tomllib",
        "subprocess",
    ):
        assert heavy not in mods, heavy  # fmt: skip


def test_a_buildspec_loads_yaml_and_shell_but_not_the_other_kinds(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(GOOD, encoding="utf-8")
    code, mods = _modules_after_check(tmp_path, "buildspec.yml")
    assert code == 0
    assert {"yaml", "pipespec.yamlload", "pipespec.rules.shell", "subprocess"} <= mods
    assert not mods & {"pipespec.rules.appspec", "pipespec.rules.taskdef", "tempfile"}


def test_the_command_exits_fast_without_losing_output(tmp_path: Path) -> None:
    """``entry`` ends with os._exit after flushing: every line must still reach a file or a
    pipe (block-buffered, larger than the buffer), with the right exit status."""
    for n in range(60):
        (tmp_path / f"d{n:02d}").mkdir()
        (tmp_path / f"d{n:02d}" / "buildspec.yml").write_text(BAD, encoding="utf-8")
    expected = subprocess.run(
        [sys.executable, "-c", "import sys; from pipespec.cli import main; sys.exit(main())",
         "check", "--format", "json", "."],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert expected.returncode == 1 and len(expected.stdout) > 8192
    out = tmp_path / "out.json"
    with out.open("w") as fh:
        to_file = subprocess.run(
            [sys.executable, "-m", "pipespec", "check", "--format", "json", "."],
            cwd=tmp_path, stdout=fh, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    assert to_file.returncode == 1
    assert out.read_text() == expected.stdout
    piped = subprocess.run(
        [sys.executable, "-m", "pipespec", "check", "--format", "json", "."],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert (piped.returncode, piped.stdout, piped.stderr) == (1, expected.stdout, expected.stderr)
    text = subprocess.run(
        [sys.executable, "-m", "pipespec", "check", "."], cwd=tmp_path, capture_output=True,
        text=True,
    )  # fmt: skip
    assert text.returncode == 1 and text.stdout.count("[BS101]") == 60
    assert text.stderr == "60 error(s), 0 warning(s) in 60 file(s)\n"


@pytest.mark.parametrize("closed", [">&-", "2>&-"])
def test_a_closed_stdout_or_stderr_is_not_a_traceback(tmp_path: Path, closed: str) -> None:
    (tmp_path / "buildspec.yml").write_text(BAD, encoding="utf-8")
    command = f"{sys.executable} -m pipespec check buildspec.yml {closed}"
    done = subprocess.run(["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 1  # the file's error, as with both streams open


def test_help_before_the_subcommand_lists_every_subcommand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["-h", "check"])
    assert "{check,rules,run,schema}" in capsys.readouterr().out


@pytest.mark.parametrize("columns", ["0", "-5", "x"])
def test_help_width_ignores_a_useless_columns(
    columns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) > 40  # not wrapped to a column per word
