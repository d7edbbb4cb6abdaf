"""Shell inside buildspec: line maps, sessions, ShellCheck batches, BS120/BS121, settings."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pipespec import cli, config, shell, shellcheck
from pipespec.check import check_paths, check_text
from pipespec.findings import Finding, Severity
from pipespec.load import load_text
from pipespec.report import sarif
from pipespec.rules import RULES, lookup

HAVE_SHELLCHECK = shellcheck.find_shellcheck() is not None
needs_shellcheck = pytest.mark.skipif(not HAVE_SHELLCHECK, reason="shellcheck is not installed")


def check(text: str, **kwargs: Any) -> list[Finding]:
    return check_text(text, "buildspec", path="buildspec.yml", **kwargs)


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def at(findings: list[Finding], rule: str) -> list[tuple[int, int]]:
    return [(f.line, f.column) for f in findings if f.rule == rule]


def buildspec(*commands: str, version: str = "0.2", head: str = "") -> str:
    body = "".join(f"      - {c}\n" for c in commands)
    return f"version: {version}\n{head}phases:\n  build:\n    commands:\n{body}"


# --------------------------------------------------------------------------- line maps


def positions(text: str, needle: str) -> list[tuple[int, int, str]]:
    """Where each command's ``needle`` is, as YAML line, column and the text found there."""
    doc = load_text(text, "buildspec.yml")
    out = []
    for command in shell.commands(doc):
        k = command.text.find(needle)
        if k >= 0:
            line, column = command.position(k)
            out.append((line, column, doc.line_text(line)[column - 1 : column - 1 + len(needle)]))
    return out


def test_plain_and_quoted_commands_map_character_by_character() -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - echo $A\n"
        '      - "echo \\"x\\" $A"\n'
        "      - 'it''s $A'\n"
        "  post_build:\n    commands: [echo 1, echo $A]\n"
    )
    assert positions(text, "$A") == [(5, 14, "$A"), (6, 21, "$A"), (7, 16, "$A"), (9, 29, "$A")]


def test_block_scalars_map_each_line() -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - |  # a comment\n"
        "        first\n"
        "\n"
        "          indented $A\n"
        "      - >\n"
        "        folded\n"
        "        more $A\n"
        "      - |2\n"
        "          explicit $A\n"
    )
    assert positions(text, "$A") == [(8, 20, "$A"), (11, 14, "$A"), (13, 20, "$A")]


def test_multi_line_plain_and_double_quoted_scalars_fold() -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - docker build\n"
        "        -t $A .\n"
        '      - "one\n'
        "         two $A\\\n"
        '         $A"\n'
    )
    assert positions(text, "$A") == [(6, 12, "$A"), (8, 14, "$A")]


@needs_shellcheck
def test_shellcheck_findings_land_on_the_yaml_text() -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        '      - T="$(date)"\n'
        "      - |\n"
        "        echo start\n"
        "        echo $T\n"
        '      - "echo \\"now\\" $T"\n'
    )
    found = check(text)
    assert at(found, "SH2086") == [(8, 14), (9, 23)]
    f = next(f for f in found if f.rule == "SH2086")
    assert f.severity is Severity.INFO
    assert f.message == (
        "double quote to prevent globbing and word splitting; "
        "see https://www.shellcheck.net/wiki/SC2086"
    )


@needs_shellcheck
@pytest.mark.parametrize("files", [1, 2, 40])
def test_a_batch_started_early_still_checks_scripts_added_later(files: int) -> None:
    """check_paths starts ShellCheck before the other rules run; a script added after
    start() (a caller sharing the batch) must still be checked, and nothing twice."""
    from pipespec.catalog import KINDS
    from pipespec.check import check_document

    batch = shellcheck.Batch()
    text = buildspec("echo $AWS_ACCOUNT_ID")
    for n in range(files):
        check_document(load_text(text, f"{n}/buildspec.yml"), KINDS["buildspec"], shell_batch=batch)
    batch.start("en")
    check_document(load_text(text, "late/buildspec.yml"), KINDS["buildspec"], shell_batch=batch)
    batch.start("en")  # already running: a no-op, the late script waits for run()
    found = batch.run("en")
    assert sorted(f.path for f in found if f.rule == "SH2086") == sorted(
        [f"{n}/buildspec.yml" for n in range(files)] + ["late/buildspec.yml"]
    )
    assert batch.run("en") == []  # everything was reported once


# --------------------------------------------------------------------------- sessions


def test_version_02_is_one_session_in_phase_order_with_finally() -> None:
    text = (
        "version: 0.2\nphases:\n"
        "  post_build:\n    commands:\n      - echo c\n"
        "  build:\n    commands:\n      - echo b\n    finally:\n      - echo bf\n"
        "  install:\n    commands:\n      - echo i\n"
        "  preBuild:\n    commands:\n      - echo not-a-phase\n"
    )
    doc = load_text(text, "buildspec.yml")
    sessions = shell.sessions(doc)
    assert [[c.text for c in s] for s in sessions] == [["echo i", "echo b", "echo bf", "echo c"]]
    assert sessions[0][2].path == ("phases", "build", "finally", 0)


def test_version_01_runs_each_command_alone() -> None:
    doc = load_text(buildspec("A=1", 'echo "$A"', version="0.1"), "buildspec.yml")
    assert [[c.text for c in s] for s in shell.sessions(doc)] == [["A=1"], ['echo "$A"']]
    assert at(check(buildspec("A=1", 'echo "$A"', version="0.1")), "BS120") == [(6, 15)]
    assert at(check(buildspec("A=1", 'echo "$A"')), "BS120") == []


def test_variables_follow_the_phase_order_not_the_file_order() -> None:
    text = (
        "version: 0.2\nphases:\n"
        '  build:\n    commands:\n      - echo "$FROM_PRE $FROM_POST"\n'
        '    finally:\n      - echo "$FROM_BUILD"\n'
        "  pre_build:\n    commands:\n      - FROM_PRE=1\n"
        "  post_build:\n    commands:\n      - FROM_POST=1\n"
        "  install:\n    commands:\n      - FROM_BUILD=1\n"
    )
    found = [f for f in check(text) if f.rule == "BS120"]
    assert [f.message.split()[0] for f in found] == ["$FROM_POST"]


# --------------------------------------------------------------------------- BS120


def test_bs120_knows_builtins_env_sections_and_shell_variables() -> None:
    text = (
        "version: 0.2\n"
        "env:\n"
        "  variables: {V: a}\n"
        "  parameter-store: {P: /p}\n"
        "  secrets-manager: {S: s:k}\n"
        "  exported-variables: [E]\n"
        "batch:\n  build-list:\n    - identifier: one\n      env:\n        variables: {B: x}\n"
        "phases:\n  build:\n    commands:\n"
        '      - echo "$V $P $S $E $B $HOME $PATH $PWD $AWS_REGION $JAVA_HOME"\n'
        '      - echo "$CODEBUILD_RESOLVED_SOURCE_VERSION $CODEBUILD_BUILD_URL ${CODEBUILD_X}"\n'
        '      - echo "$AWS_ACCOUNT_ID $AWS_ACCOUNT_ID"\n'
    )
    found = [f for f in check(text) if f.rule == "BS120"]
    assert [(f.line, f.column) for f in found] == [(17, 15)]  # once, where first read
    assert found[0].message == (
        "$AWS_ACCOUNT_ID is not a CodeBuild built-in and is not defined in env; define it as a "
        "project environment variable or under env.variables"
    )
    ja = [f for f in check(text, lang="ja") if f.rule == "BS120"]
    assert ja[0].message.startswith("$AWS_ACCOUNT_ID は CodeBuild の組み込み変数ではなく")


@pytest.mark.parametrize(
    "command",
    [
        'echo "${X:-default}" "${Y:+set}" "${Z:?required}" "${W-}"',
        "echo '$X'",
        'echo "\\$X"',
        "echo ok # $X",
        '[ -z "$X" ] && X=1; echo "$X"',
        'test -n "$X" && make "$X"',
        'if [ "$X" ]; then echo "$X"; fi',
        'read -r X < f.txt; echo "$X"',
        'for X in a b; do echo "$X"; done',
        'export X=1 && echo "$X"',
        ': "${X:=1}"; echo "$X"',
        '. ./env.sh; echo "$X"',
        'source ./env.sh && echo "$X"',
        "cat <<'EOF'\n        $X\n        EOF",
    ],
)
def test_bs120_does_not_report_guarded_assigned_or_literal_reads(command: str) -> None:
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        " + command + "\n"
    assert "BS120" not in rules(check(text)), text


@pytest.mark.parametrize(
    "command",
    [
        'echo "$X"',
        "echo ${X}",
        'echo "$(basename "$X")"',
        "echo `echo $X`",
        'echo "${#X} ${X%.*}"',
        'X="$X:more"',
        "echo $((1 + $X))",
        "docker run -e Y=$X img",
    ],
)
def test_bs120_reports_reads(command: str) -> None:
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        " + command + "\n"
    assert "BS120" in rules(check(text)), text


def test_bs120_reads_unquoted_here_documents() -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n"
        "        cat > out.txt <<EOF\n        value: $X\n        EOF\n"
    )
    assert at(check(text), "BS120") == [(7, 16)]


# --------------------------------------------------------------------------- BS121


def test_bs121_dead_commands_and_their_replacement() -> None:
    found = check(
        buildspec(
            "$(aws ecr get-login --no-include-email)",
            "aws --profile x ecr get-login | sh",
            "aws ecr get-login-password | docker login --username AWS --password-stdin r.example",
            "docker login -u AWS -p x --email none r.example",
            "docker login -u AWS -p x r.example",
        )
    )
    assert at(found, "BS121") == [(5, 11), (6, 9), (8, 9)]
    first = next(f for f in found if f.rule == "BS121")
    assert "removed in AWS CLI version 2" in first.message
    assert "aws ecr get-login-password | docker login" in first.message


# --------------------------------------------------------------------------- directives


@needs_shellcheck
def test_disable_comment_above_a_command_covers_that_command_only() -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        '      - T="$(date)"\n'
        "      # explain why\n"
        "      # shellcheck disable=SC2086,SC2046\n"
        "      - echo $T $(date)\n"
        "      - echo $T\n"
    )
    assert at(check(text), "SH2086") == [(9, 14)]
    assert "SH2046" not in rules(check(text))


@needs_shellcheck
def test_disable_comment_at_the_top_covers_the_file() -> None:
    text = "# shellcheck disable=SC2086\n" + buildspec('T="$(date)"', "echo $T", "echo $T")
    assert "SH2086" not in rules(check(text))
    everything = "# shellcheck disable=all\n" + buildspec("echo $(date)", "[[ -n x ]]")
    assert not [r for r in rules(check(everything)) if r.startswith("SH")]


@needs_shellcheck
def test_directive_inside_a_block_scalar_is_shellchecks_own() -> None:
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n"
        '        T="$(date)"\n'
        "        # shellcheck disable=SC2086\n"
        "        echo $T\n"
        "        echo $T\n"
    )
    assert at(check(text), "SH2086") == [(9, 14)]


@needs_shellcheck
def test_a_command_that_is_only_cd_is_not_sc2164() -> None:
    found = check(buildspec("cd app", "cd app; make", 'cd "$CODEBUILD_SRC_DIR/x"'))
    assert at(found, "SH2164") == [(6, 9)]


# --------------------------------------------------------------------------- dialect


@needs_shellcheck
def test_sh_is_the_default_dialect_and_bash_is_honoured() -> None:
    commands = ("'[[ -n \"$HOME\" ]] && echo y'", "make &> log")
    assert {"SH3010", "SH3020"} <= set(rules(check(buildspec(*commands))))
    bash = buildspec(*commands, head="env:\n  shell: bash\n")
    assert not [r for r in rules(check(bash)) if r.startswith("SH")]
    also_bash = buildspec(*commands, head="env:\n  shell: /bin/bash\n")
    assert not [r for r in rules(check(also_bash)) if r.startswith("SH")]


@pytest.mark.parametrize("declared", ["powershell.exe", "cmd.exe"])
def test_windows_shells_skip_the_shell_checks(declared: str) -> None:
    text = buildspec("Write-Host $env:FOO $UNDEFINED", head=f"env:\n  shell: {declared}\n")
    found = check(text)
    assert rules(found) == ["SH0002"]
    assert found[0].severity is Severity.INFO
    assert found[0].message == (f"shell checks skipped: env.shell is {declared!r}, not sh or bash")
    assert (found[0].line, found[0].column) == (3, 10)


def test_windows_commands_without_env_shell_are_recognised() -> None:
    found = check(buildspec('.\\\\build.bat "${MSVC}"'))
    assert rules(found) == ["SH0002"]
    assert "Windows" in found[0].message


# --------------------------------------------------------------------------- running ShellCheck


def test_without_shellcheck_one_info_finding_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shellcheck, "find_shellcheck", lambda: None)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "buildspec.yml").write_text(
            buildspec("echo $AWS_ACCOUNT_ID"), encoding="utf-8"
        )
    found = check_paths([tmp_path], base=tmp_path).findings
    skipped = [f for f in found if f.rule == "SH0001"]
    assert [f.format() for f in skipped] == [
        "a/buildspec.yml:1:1: info: shell checks skipped: shellcheck not found [SH0001]"
    ]
    assert at(found, "BS120") == [(5, 14), (5, 14)]  # everything else as usual
    assert not [f for f in found if f.rule.startswith("SH") and f.rule != "SH0001"]
    assert rules(check(buildspec("echo ok"))) == ["SH0001"]
    assert rules(check("version: 0.2\nphases: {}\n")) == []  # nothing to check: nothing said


def test_shellcheck_is_found_the_way_shutil_which_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    dirs = [tmp_path / d for d in ("dir", "plain", "exe", "later")]
    for d in dirs:
        d.mkdir()
    (dirs[0] / "shellcheck").mkdir()  # a directory of that name: skipped
    (dirs[1] / "shellcheck").write_text("#!/bin/sh\n")  # not executable: skipped
    for d in dirs[2:]:
        (d / "shellcheck").write_text("#!/bin/sh\n")
        (d / "shellcheck").chmod(0o755)
    monkeypatch.setenv("PATH", os.pathsep.join(str(d) for d in dirs))
    assert shellcheck.find_shellcheck() == shutil.which("shellcheck") == str(dirs[2] / "shellcheck")
    monkeypatch.setenv("PATH", os.pathsep.join(str(d) for d in dirs[:2]))
    assert shutil.which("shellcheck") is None
    beside_python = shellcheck.find_shellcheck()  # not on PATH: the venv's bin, or nothing
    assert beside_python is None or Path(beside_python).parent != dirs[0]


@needs_shellcheck
def test_time_spent_between_start_and_run_does_not_count_against_shellcheck(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """check_paths starts ShellCheck, then runs every other rule (and check_tree the next
    chunk) before it waits: only the wait is limited, or slow rules would lose findings."""
    import time

    from pipespec.catalog import KINDS
    from pipespec.check import check_document

    monkeypatch.setattr(shellcheck, "TIMEOUT", 0.3)
    monkeypatch.setattr(shellcheck, "TIMEOUT_PER_SCRIPT", 0.0)
    batch = shellcheck.Batch()
    doc = load_text(buildspec("echo $AWS_ACCOUNT_ID"), "buildspec.yml")
    check_document(doc, KINDS["buildspec"], shell_batch=batch)
    batch.start("en")
    time.sleep(0.6)  # the other files' rules
    assert rules(batch.run("en")) == ["SH2086"]


def _fake_shellcheck(tmp_path: Path, body: str) -> str:
    exe = tmp_path / "bin" / "shellcheck"
    exe.parent.mkdir(exist_ok=True)
    exe.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    exe.chmod(0o755)
    return str(exe)


def test_a_shellcheck_child_holding_the_pipes_does_not_stretch_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrapper (``sleep; exec shellcheck``) whose child keeps stdout open: killing the
    wrapper must be enough, without waiting for the pipes to close."""
    import time

    fake = _fake_shellcheck(tmp_path, "sleep 60\n")
    monkeypatch.setattr(shellcheck, "find_shellcheck", lambda: fake)
    monkeypatch.setattr(shellcheck, "TIMEOUT", 0.3)
    start = time.monotonic()
    found = check(buildspec("echo $AWS_ACCOUNT_ID"))
    # Waiting for the pipes would take the child's 60 s; the kill takes well under 20.
    assert time.monotonic() - start < 20
    # A sleep spends no CPU: the wall-time bound, ten times the limit, stops it.
    assert [f.message for f in found if f.rule == "SH0001"] == [
        "shell checks skipped: shellcheck failed (shellcheck took longer than 3.5 s)"
    ]


def test_a_shellcheck_that_computes_too_long_is_stopped_by_its_cpu_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_shellcheck(tmp_path, "while :; do :; done\n")
    monkeypatch.setattr(shellcheck, "find_shellcheck", lambda: fake)
    monkeypatch.setattr(shellcheck, "TIMEOUT", 0.2)
    found = check(buildspec("echo $AWS_ACCOUNT_ID"))
    assert [f.message for f in found if f.rule == "SH0001"] == [
        "shell checks skipped: shellcheck failed (shellcheck used more than 0.25 s of CPU time)"
    ]


def test_a_shellcheck_slowed_by_a_busy_machine_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time spent waiting (here a sleep, on a busy machine the wait for a core) is not
    ShellCheck's work: its findings come, past the limit in wall time."""
    real = shellcheck.find_shellcheck()
    if real is None:
        pytest.skip("shellcheck not installed")
    fake = _fake_shellcheck(tmp_path, f'sleep 0.6\nexec "{real}" "$@"\n')
    monkeypatch.setattr(shellcheck, "find_shellcheck", lambda: fake)
    monkeypatch.setattr(shellcheck, "TIMEOUT", 0.2)
    found = rules(check(buildspec("echo $AWS_ACCOUNT_ID")))
    assert [r for r in found if r.startswith("SH")] == ["SH2086"]


def test_cpu_seconds_counts_work_not_waiting() -> None:
    import subprocess as sp
    import sys

    idle = sp.Popen(["sleep", "60"])
    # says when it has spent 0.5 s of CPU, however long a loaded machine makes that take
    spin = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass\n"
    busy = sp.Popen([sys.executable, "-c", spin + "print(flush=True)\ntime.sleep(60)"],
                    stdout=sp.PIPE)  # fmt: skip
    try:
        assert busy.stdout is not None and busy.stdout.readline() == b"\n"
        idle_cpu, busy_cpu = shellcheck._cpu_seconds(idle.pid), shellcheck._cpu_seconds(busy.pid)
    finally:
        for proc in (idle, busy):
            proc.kill()
            proc.wait()
        assert busy.stdout is not None
        busy.stdout.close()
    if idle_cpu is None:
        pytest.skip("no /proc: pipespec measures ShellCheck in wall time here")
    assert idle_cpu < 0.1 and busy_cpu is not None and busy_cpu >= 0.45, (idle_cpu, busy_cpu)


def test_a_shellcheck_that_exits_before_reading_its_input_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ShellCheck gone before the script is written (a broken pipe): the report says what
    ShellCheck said, and no pipe is left open."""
    import subprocess as sp
    import time

    fake = _fake_shellcheck(tmp_path, "exec 0<&-\necho 'no such option' >&2\nexit 3\n")
    monkeypatch.setattr(shellcheck, "find_shellcheck", lambda: fake)
    real = sp.Popen

    class SlowPopen(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            time.sleep(0.2)  # ShellCheck has exited by the time the script is written

    monkeypatch.setattr(shellcheck.subprocess, "Popen", SlowPopen)
    found = check(buildspec("echo $AWS_ACCOUNT_ID"))
    assert [f.message for f in found if f.rule == "SH0001"] == [
        "shell checks skipped: shellcheck failed (shellcheck exited with 3: no such option)"
    ]


@pytest.mark.parametrize("path", [".", "", "bin", "./bin"])
def test_a_shellcheck_in_the_checked_repository_is_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """Relative PATH entries (``.``, an empty entry) would find a ``shellcheck`` planted in
    the repository being checked: they are skipped."""
    _fake_shellcheck(tmp_path, "touch ran\n")
    (tmp_path / "shellcheck").symlink_to(tmp_path / "bin" / "shellcheck")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([path, "/usr/bin", "/bin"]))
    exe = shellcheck.find_shellcheck()
    assert exe is None or (os.path.isabs(exe) and not exe.startswith(str(tmp_path)))
    check(buildspec("echo $AWS_ACCOUNT_ID"))
    assert not (tmp_path / "ran").exists()


def test_a_failing_shellcheck_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shellcheck, "find_shellcheck", lambda: "/bin/false")
    found = check(buildspec("echo $AWS_ACCOUNT_ID"))
    assert "BS120" in rules(found)
    skipped = [f for f in found if f.rule == "SH0001"]
    assert len(skipped) == 1 and skipped[0].message.startswith(
        "shell checks skipped: shellcheck failed"
    )


@needs_shellcheck
def test_one_shellcheck_process_for_all_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    real = subprocess.Popen

    def spy(args: list[str], **kwargs: Any) -> Any:
        calls.append(list(args))
        return real(args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    for n in range(3):
        (tmp_path / f"p{n}").mkdir()
        (tmp_path / f"p{n}" / "buildspec.yml").write_text(
            buildspec(f'T{n}="$(date)"', f"echo $T{n}"), encoding="utf-8"
        )
    found = check_paths([tmp_path], base=tmp_path).findings
    assert len(calls) == 1 and len([a for a in calls[0] if a.endswith(".sh")]) == 3
    assert sorted((f.path, f.line) for f in found if f.rule == "SH2086") == [
        ("p0/buildspec.yml", 6),
        ("p1/buildspec.yml", 6),
        ("p2/buildspec.yml", 6),
    ]


@needs_shellcheck
def test_codes_without_an_entry_get_their_own_id_and_sarif_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = buildspec("X=done")  # SC1010: not one of the registered codes
    found = check(text)
    assert at(found, "SH1010") == [(5, 11)]
    assert "SH1010" not in RULES
    rule = lookup("SH1010")
    assert rule is not None and rule.name == "shellcheck-sc1010"
    assert rule.help_uri == "https://www.shellcheck.net/wiki/SC1010"
    log = json.loads(sarif(found))
    driver = log["runs"][0]["tool"]["driver"]["rules"]
    result = log["runs"][0]["results"][0]
    assert driver[result["ruleIndex"]]["id"] == "SH1010"
    assert driver[result["ruleIndex"]]["helpUri"] == "https://www.shellcheck.net/wiki/SC1010"
    ja = check(text, lang="ja")
    assert next(f for f in ja if f.rule == "SH1010").message.startswith("ShellCheck: ")
    # and through the CLI
    monkeypatch.chdir(tmp_path)
    (tmp_path / "buildspec.yml").write_text(text, encoding="utf-8")
    assert cli.main(["check", "--no-config", "--format", "sarif", "."]) == 0
    assert "SH1010" in capsys.readouterr().out


# --------------------------------------------------------------------------- configuration


def write_config(tmp_path: Path, body: str) -> config.Settings:
    (tmp_path / "pyproject.toml").write_text(f"[tool.pipespec]\n{body}", encoding="utf-8")
    return config.load(tmp_path)


@needs_shellcheck
def test_config_disables_codes_and_sets_the_least_severity(tmp_path: Path) -> None:
    text = buildspec('T="$(date)"', "echo $T `cat VERSION`", "echo $(cat VERSION)")
    assert {"SH2086", "SH2046"} <= set(rules(check(text)))
    assert "SH2006" not in rules(check(text))  # style is left out by default
    settings = write_config(tmp_path, 'shellcheck-disable = ["SC2086", "2046"]\n')
    assert settings.shellcheck_disable == frozenset({"SC2086", "SC2046"})
    assert not {"SH2086", "SH2046"} & set(rules(check(text, settings=settings)))
    warning = write_config(tmp_path, 'shellcheck-severity = "warning"\n')
    assert set(rules(check(text, settings=warning))) & {"SH2086", "SH2046"} == {"SH2046"}
    style = write_config(tmp_path, 'shellcheck-severity = "style"\n')
    assert "SH2006" in rules(check(text, settings=style))
    # check_paths takes the same settings
    (tmp_path / "buildspec.yml").write_text(text, encoding="utf-8")
    found = check_paths([tmp_path], base=tmp_path, settings=warning).findings
    assert "SH2046" in rules(found) and "SH2086" not in rules(found)


@pytest.mark.parametrize(
    "body",
    [
        'shellcheck-disable = "SC2086"\n',
        'shellcheck-disable = ["quotes"]\n',
        'shellcheck-severity = "loud"\n',
    ],
)
def test_bad_shellcheck_settings_are_config_errors(tmp_path: Path, body: str) -> None:
    with pytest.raises(config.ConfigError, match="shellcheck"):
        write_config(tmp_path, body)


def test_default_settings() -> None:
    settings = config.Settings()
    assert settings.shellcheck_severity == "info" and settings.shellcheck_disable == frozenset()


# --------------------------------------------------------------------------- registry


def test_shellcheck_rules_never_are_errors() -> None:
    for rule_id, rule in RULES.items():
        if rule_id.startswith("SH"):
            assert rule.severity is not Severity.ERROR, rule_id
    for level in shellcheck.LEVELS:
        assert shellcheck.level_severity(level) is not Severity.ERROR


@needs_shellcheck
def test_seed_buildspec_gets_sc2086_and_bs120_on_the_right_lines() -> None:
    root = Path(__file__).resolve().parent.parent
    path = root / "examples" / "mistakes" / "seed-buildspec" / "buildspec.yml"
    found = check_paths([path], base=root).findings
    lines = path.read_text(encoding="utf-8").splitlines()
    bs120 = [f for f in found if f.rule == "BS120"]
    assert [f.message.split()[0] for f in bs120] == ["$AWS_ACCOUNT_ID", "$IMAGE_REPO_NAME"]
    for f in found:
        if f.rule in ("SH2086", "BS120"):
            assert lines[f.line - 1][f.column - 1] == "$", f.format()
    push = next(
        i for i, line in enumerate(lines, 1) if "docker push $REPOSITORY_URI:$IMAGE_TAG" in line
    )
    assert (push, 21) in at(found, "SH2086")


def test_huge_scripts_are_not_given_to_shellcheck() -> None:
    from pipespec import shell as shell_module
    from pipespec.check import check_text

    command = "echo " + "x" * (shell_module.MAX_SCRIPT_CHARS + 10)
    findings = check_text(
        f"version: 0.2\nphases:\n  build:\n    commands:\n      - {command}\n", "buildspec"
    )
    assert [f.rule for f in findings if f.rule.startswith("SH")] == ["SH0001"]
    assert "longer than" in next(f.message for f in findings if f.rule == "SH0001")


def test_a_shellcheck_that_takes_too_long_is_skipped_not_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipespec.check import check_text

    if shellcheck.find_shellcheck() is None:
        pytest.skip("shellcheck not installed")
    monkeypatch.setattr(shellcheck, "TIMEOUT", 0.000001)
    monkeypatch.setattr(shellcheck, "TIMEOUT_PER_SCRIPT", 0.0)
    monkeypatch.setattr(shellcheck, "POLL", 0.0)  # looked at before ShellCheck can finish
    findings = check_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo $x\n", "buildspec"
    )
    skipped = [f for f in findings if f.rule == "SH0001"]
    assert skipped and "took longer than" in skipped[0].message
