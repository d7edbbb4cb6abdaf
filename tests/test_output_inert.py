"""What ``pipespec check`` prints is bounded and inert, whatever the files and their names.

* bounded: at most :data:`PER_RULE` findings of one rule in one file, then one ``PS003``
  finding for the rest (every format); an echoed source line shows at most
  :data:`WIDTH` of its characters, around the column; the 20,000-duplicate-key file that
  took 10 GB in the text format stays under 200 MiB;
* nothing is opened but regular files: a FIFO is a finding in every format, not a hang;
* a symbolic link found in a directory that leads out of the given roots is a ``PS004``
  finding and is never read (its content never reaches the output);
* inert: no control character (C0, DEL, C1), line or paragraph separator or bidi control
  from a file or a file name reaches the output raw; no line of the text format can start
  a terminal sequence or a GitHub workflow command (``::add-mask::``, ``##[...]``); JSON and
  SARIF are valid UTF-8 JSON that gives back every string exactly.

Every test here failed before the fix (see the commit that added them), except the few
that say they guard behaviour that was already right.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import harness
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipespec import check, parallel, report
from pipespec.check import check_paths, check_text
from pipespec.findings import Finding, Severity
from pipespec.parallel import check_tree

#: the limits the tests expect (the modules' constants are checked against them below)
PER_RULE = 100
WIDTH = 200
GOOD = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
BAD = "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make\n"  # BS101 at 3:3
FORMATS = ["text", "json", "sarif", "github"]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and FIFOs")

#: what must never reach the output raw (a tab too: the text format shows it as \t or
#: expands it to one space in a source line)
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

#: GitHub's runner reads a workflow command from a line that starts with "::" once its
#: leading white space is trimmed, or from "##[command]" anywhere in a line (Azure
#: Pipelines: "##vso[")
WORKFLOW_ANYWHERE = re.compile(r"##\[|##vso\[", re.IGNORECASE)


def raw(text: str) -> bool:
    """Whether a line of ``text`` holds an :data:`UNSAFE` character or a workflow command
    that may stand anywhere in a line."""
    return any(UNSAFE.search(line) or WORKFLOW_ANYWHERE.search(line) for line in text.split("\n"))


def cli(*args: str) -> tuple[int, str, str]:
    return harness.run_cli(["check", "--no-config", "--lang", "en", *args])


def assert_inert_text(out: str) -> None:
    """Every line: no raw control character, no workflow command, a safe first character."""
    for line in out.split("\n"):
        assert not UNSAFE.search(line), ascii(line)
        assert not line.lstrip().startswith("::"), ascii(line)
        assert not WORKFLOW_ANYWHERE.search(line), ascii(line)
        if line and not line.startswith("  "):  # a finding's line: it starts with its path
            assert line[0].isalnum() or line[0] in "./_<", ascii(line)


def child(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -m pipespec check ARGS`` in a child process; the timeout only guards a hang."""
    return subprocess.run(
        [sys.executable, "-m", "pipespec", "check", "--no-config", "--lang", "en", *args],
        capture_output=True, timeout=60, env=env, cwd=cwd,
    )  # fmt: skip


def test_the_limits_are_the_documented_constants() -> None:
    assert check.MAX_FINDINGS_PER_RULE == PER_RULE
    assert report.MAX_SOURCE_CHARS == WIDTH


# --------------------------------------------------------------------------- bounded


def test_20000_duplicate_keys_on_one_line_in_bounded_memory(tmp_path: Path) -> None:
    # The text format echoed the 120 kB line (and a caret line as long) under each of the
    # 20,000 findings: 10.8 GB of peak RSS. Now: 100 findings, one PS003, short lines.
    path = tmp_path / "taskdef.json"
    path.write_text("{" + ",".join(['"a":1'] * 20_001) + "}\n")  # 20,000 duplicates
    with harness.traced() as peak:
        code, out, err = cli(str(path))
    harness.WORST["hostile"].note("20,000 duplicate keys, text format (CLI)", 0.0, peak[0])
    assert peak[0] < 200 * 2**20, f"{peak[0] / 2**20:.0f} MiB"
    assert code == 1
    lines = out.splitlines()
    assert sum(line.endswith("[LD002]") for line in lines) == PER_RULE
    (summary,) = [line for line in lines if line.endswith("[PS003]")]
    assert "and 19,900 more LD002 findings in this file" in summary
    assert max(len(line) for line in lines if line.startswith("  ")) <= 2 + WIDTH + 2
    # every finding is counted: 20,000 LD002, an unknown key 'a' and two missing keys
    assert err == "20003 error(s), 0 warning(s) in 1 file(s)\n"


def many_unknown_phases(count: int) -> str:
    """A buildspec with ``count`` BS101 errors, on lines 3, 5, 7 …"""
    phases = "".join(f"  p{i}:\n    commands: [make]\n" for i in range(count))
    return "version: 0.2\nphases:\n" + phases


@pytest.mark.parametrize("fmt", FORMATS)
def test_at_most_100_findings_per_rule_and_file_in_every_format(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_text(many_unknown_phases(150))
    code, out, err = cli("--format", fmt, str(path))
    assert code == 1
    if fmt == "text":
        rules = re.findall(r"\[([A-Z]{2}\d{3})\]$", out, re.MULTILINE)
        assert "and 50 more BS101 findings in this file" in out
        assert err == "150 error(s), 0 warning(s) in 1 file(s)\n"
    elif fmt == "github":
        rules = re.findall(r",title=([A-Z]{2}\d{3})::", out)
        assert out.count("\n") == PER_RULE + 1
    elif fmt == "json":
        rows = json.loads(out)
        rules = [r["rule"] for r in rows]
        (ps003,) = [r for r in rows if r["rule"] == "PS003"]
        assert ps003["severity"] == "info" and (ps003["line"], ps003["column"]) == (203, 3)
        assert ps003["message"].startswith("and 50 more BS101 findings in this file")
    else:
        log = json.loads(out)
        rules = [r["ruleId"] for r in log["runs"][0]["results"]]
        assert "PS003" in {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules.count("BS101") == PER_RULE and rules.count("PS003") == 1


def test_the_limit_is_per_file_and_rule_and_counts_stay_exact(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "buildspec.yml").write_text(many_unknown_phases(101))
    unknown_keys = "".join(f"k{i}: x\n" for i in range(130))  # BS001 warnings
    (tmp_path / "b" / "buildspec.yml").write_text(many_unknown_phases(120) + unknown_keys)
    result = check_paths([tmp_path], base=tmp_path)
    shown = [(f.path, f.rule) for f in result.findings]
    assert shown.count(("a/buildspec.yml", "BS101")) == PER_RULE
    assert shown.count(("b/buildspec.yml", "BS001")) == PER_RULE
    assert shown.count(("b/buildspec.yml", "BS101")) == PER_RULE
    ps003 = sorted(
        f.message.split(" in this file")[0] for f in result.findings if f.rule == "PS003"
    )
    assert ps003 == [
        "and 1 more BS101 finding", "and 20 more BS101 findings", "and 30 more BS001 findings"
    ]  # fmt: skip
    # the exit status and the summary count them all
    assert (result.errors, result.warnings) == (101 + 120, 130)
    # the same with worker processes, and through the Python API of one text
    tree = check_tree([tmp_path], jobs=2)
    assert (tree.errors, tree.warnings, len(tree.findings)) == (221, 130, len(result.findings))
    findings = check_text(many_unknown_phases(150), "buildspec", path="buildspec.yml")
    assert [f.rule for f in findings].count("BS101") == PER_RULE
    (last,) = [f for f in findings if f.rule == "PS003"]
    assert (last.severity, last.line, last.column) == (Severity.INFO, 203, 3)


def finding(path: str = "buildspec.yml", line: int = 1, column: int = 1, message: str = "m",
            rule: str = "BS001") -> Finding:  # fmt: skip
    return Finding(path, line, column, Severity.ERROR, rule, message)


def echoed(line: str, column: int) -> tuple[str, str | None]:
    """The source line and the caret line that the text format prints for ``column``."""
    out = report.text([finding(column=column)], lambda path, n: line).split("\n")
    assert out[0].startswith("buildspec.yml:1:") and out[-1] == ""
    assert len(out) in (3, 4), out
    shown = out[1]
    caret = out[2] if len(out) == 4 else None
    assert shown.startswith("  ")
    return shown[2:], (None if caret is None else caret[2:])


def under_caret(shown: str, caret: str | None) -> str:
    assert caret is not None and caret.strip() == "^", caret
    return shown[len(caret) - 1 :]


def test_a_long_line_is_shown_in_a_window_around_the_column() -> None:
    line = "x" * 4999 + "Y" + "z" * 5000
    shown, caret = echoed(line, 5000)
    assert shown.startswith("…") and shown.endswith("…") and len(shown) <= WIDTH + 2
    assert under_caret(shown, caret).startswith("Y")
    shown, caret = echoed(line, 1)  # the start: cut at the end only
    assert shown == "x" * WIDTH + "…" and caret == "^"
    shown, caret = echoed(line, 10_001)  # just past the last character
    assert shown == "…" + "z" * WIDTH and caret == " " * (WIDTH + 1) + "^"
    shown, caret = echoed("short line", 40)  # beyond the line: no caret to place
    assert (shown, caret) == ("short line", None)


def test_the_line_shown_is_the_line_the_position_counts(tmp_path: Path) -> None:
    # JSON strings may hold a raw LS (U+2028); JSON counts lines at LF only, and the line
    # shown was found by str.splitlines(), which breaks at LS too: the wrong line.
    path = tmp_path / "taskdef.json"
    path.write_text('{"family": "a\u2028b",\n "containerDefinitions": [], "bogus": 1}\n')
    code, out, _ = harness.run_cli(["check", "--no-config", "--lang", "en", str(path)])
    assert code == 1
    assert out.splitlines()[1:] == ['   "containerDefinitions": [], "bogus": 1}', " " * 31 + "^"]


_ESCAPED = {"\x1b": "\\x1b", "\t": " ", "\u2028": "\\u2028", "\x9b": "\\x9b", "\udcff": "\\udcff"}


@given(
    st.text(st.sampled_from(["a", "b", "あ", " ", *_ESCAPED]), min_size=1, max_size=600),
    st.integers(min_value=1, max_value=601),
)
@example("\x1b[2J" * 100, 150)
@example("\t" * 300 + "x", 301)
def test_the_caret_points_at_the_column_in_the_escaped_window(line: str, column: int) -> None:
    shown, caret = echoed(line, column)
    assert not UNSAFE.search(shown), ascii(shown)
    assert len(shown.strip("…")) <= WIDTH
    if column > len(line) + 1:
        assert caret is None
    elif column == len(line) + 1:
        assert under_caret(shown, caret) in ("", "…")
    else:
        ch = line[column - 1]
        assert under_caret(shown, caret).startswith(_ESCAPED.get(ch, ch)), (ascii(shown), caret)


# --------------------------------------------------------------------------- only regular files


@POSIX
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("where", ["named", "in a directory"])
def test_a_fifo_is_a_finding_not_a_hang(tmp_path: Path, fmt: str, where: str) -> None:
    # The loader refused it, then the text format opened it again for its source lines
    # and waited forever for a writer.
    (tmp_path / "sub").mkdir()
    fifo = tmp_path / "sub" / "buildspec.yml"
    os.mkfifo(fifo)
    proc = child("--format", fmt, str(fifo if where == "named" else tmp_path / "sub"))
    out = proc.stdout.decode()
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "LD010" in out and "not a regular file" in out


# --------------------------------------------------------------------------- symbolic links

SECRET = "PIPESPEC_TEST_SECRET_4f1d"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the checked tree, holding a secret on lines that give findings."""
    path = tmp_path / "outside" / "credentials.yml"
    path.parent.mkdir()
    path.write_text(f"{SECRET}: 1\nversion: {SECRET}\n")
    return path


@POSIX
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_link_out_of_the_tree_is_reported_and_never_read(
    tmp_path: Path, outside: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "app" / "buildspec.yml").symlink_to(outside)
    (root / "app" / "taskdef.json").symlink_to("/etc/passwd")
    (root / "app" / "linked").symlink_to(outside.parent, target_is_directory=True)
    (outside.parent / "buildspec.yml").write_text(f"{SECRET}: 2\n")
    opened: list[str] = []
    real_open = os.open

    def spy(name: str, *args: object, **kwargs: object) -> int:
        opened.append(os.path.realpath(name))
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    monkeypatch.chdir(root)
    code, out, err = cli("--format", fmt, ".")
    assert code == 1
    assert SECRET not in out + err
    assert str(outside) not in opened and "/etc/passwd" not in opened
    assert out.count("PS004") == (2 if fmt != "sarif" else 3)  # SARIF: the rule table too
    if fmt == "text":
        assert "app/buildspec.yml:1:1: error: symbolic link to " in out
        assert "outside the checked directories; not read [PS004]" in out


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="Linux /proc")
def test_a_link_to_proc_self_environ_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").symlink_to("/proc/self/environ")
    env = {**os.environ, "PIPESPEC_TEST_MARKER": SECRET}
    for args in (["."], ["--jobs", "2", "."]):
        proc = child(*args, env=env, cwd=tmp_path)
        assert proc.returncode == 1 and SECRET.encode() not in proc.stdout + proc.stderr
        assert b"buildspec.yml:1:1: error: symbolic link to /proc/" in proc.stdout


def test_links_inside_the_tree_and_links_named_on_the_command_line_are_checked(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guards what was already right: a link that stays in the tree is an ordinary file,
    # and a link named on the command line is the user's choice.
    root = tmp_path / "repo"
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "buildspec-common.yml").write_text(BAD)
    (root / "app").mkdir()
    (root / "app" / "buildspec.yml").symlink_to("../shared/buildspec-common.yml")
    result = check_paths([root], base=root)
    assert [(f.path, f.rule) for f in result.findings] == [
        ("app/buildspec.yml", "BS101"), ("shared/buildspec-common.yml", "BS101")
    ]  # fmt: skip
    link = root / "app" / "buildspec-outside.yml"
    link.symlink_to(outside)
    assert "PS004" in {f.rule for f in check_paths([root]).findings}  # (new)
    assert "PS004" not in {f.rule for f in check_paths([link]).findings}  # named: read
    assert "PS004" not in {f.rule for f in check_paths([root, outside.parent]).findings}


def test_links_out_of_the_tree_with_worker_processes(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chunks of --jobs used to be checked as if named on the command line.
    monkeypatch.setattr(parallel, "CHUNK_FILES", 1)
    root = tmp_path / "repo"
    for name in ("a", "b"):
        (root / name).mkdir(parents=True)
        (root / name / "buildspec.yml").symlink_to(outside)
    for jobs in (1, 2):
        result = check_tree([root], jobs=jobs)
        assert [f.rule for f in result.findings] == ["PS004", "PS004"], result.findings


# --------------------------------------------------------------------------- control characters


@POSIX
@pytest.mark.parametrize("fmt", FORMATS)
def test_file_names_cannot_inject_lines_or_terminal_sequences(tmp_path: Path, fmt: str) -> None:
    name = "x\x1b]0;pwned\x07\n::add-mask::secret\r##[set-output name=a;]b\u202e"
    (tmp_path / name).mkdir()
    (tmp_path / name / "buildspec.yml").write_text(BAD)
    code, out, _ = cli("--format", fmt, str(tmp_path))
    assert code == 1
    if fmt in ("json", "sarif"):
        assert not raw(out), ascii(out)
        data = json.loads(out)
        paths = [r["path"] for r in data] if fmt == "json" else [
            unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in data["runs"][0]["results"]
        ]  # fmt: skip
        # exactly, once parsed (SARIF: a file:// URI, percent-encoded)
        assert paths == [
            ("file://" if fmt == "sarif" else "") + str(tmp_path / name / "buildspec.yml")
        ]
    elif fmt == "github":
        (line,) = out.splitlines()
        assert line.startswith("::error file=") and not UNSAFE.search(line), ascii(line)
        assert "%0A%3A%3Aadd-mask%3A%3Asecret%0D" in line
    else:
        assert_inert_text(out)
        assert out.count("\n") == 3 and "\\x1b]0;pwned\\x07\\n::add-mask::secret\\r" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_in_contents_are_escaped(tmp_path: Path, fmt: str) -> None:
    # JSON strings may hold DEL, C1 controls, U+2028 and bidi controls raw; a raw ESC is an
    # error whose line is echoed.
    (tmp_path / "a").mkdir()
    key = "k\x7f\x9b31m\u2028\u202e\u2066 ##[add-mask]x"
    (tmp_path / "a" / "taskdef.json").write_text(
        json.dumps({"family": "f", "containerDefinitions": [], key: 1}, ensure_ascii=False)
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "buildspec.yml").write_text("version: 0.2\nphases: \x1b]8;;http://x\x1b\\\n")
    code, out, err = cli("--format", fmt, str(tmp_path))
    assert code == 1
    assert not raw(out) and not raw(err), ascii(out + err)
    if fmt == "text":
        assert_inert_text(out)
        assert "  phases: \\x1b]8;;http://x\\x1b\\" in out
    if fmt == "json":
        rows = json.loads(out)
        assert any(key in r["message"] or repr(key) in r["message"] for r in rows), rows


@POSIX
@pytest.mark.parametrize("fmt", FORMATS)
def test_undecodable_file_names_give_utf8_output_in_the_c_locale(tmp_path: Path, fmt: str) -> None:
    # Under LC_ALL=C Python writes a file name's undecodable bytes back raw (surrogateescape):
    # the JSON was not UTF-8.
    directory = os.fsencode(tmp_path) + b"/\xff\xfe\x1b"
    os.mkdir(directory)
    with open(directory + b"/buildspec.yml", "wb") as fh:
        fh.write(BAD.encode())
    env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "LANG": "C"}
    proc = child("--format", fmt, os.fsdecode(directory), env=env)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode("utf-8")  # strict
    assert not raw(out), ascii(out)
    if fmt == "json":
        (row,) = json.loads(out)
        assert os.fsencode(row["path"]) == directory + b"/buildspec.yml"
    elif fmt == "sarif":
        json.loads(out)
    elif fmt == "text":
        assert out.startswith(os.fsdecode(tmp_path) + "/\\udcff\\udcfe\\x1b/buildspec.yml:3:3: ")
    proc.stderr.decode("utf-8")


def test_usage_errors_are_escaped_too() -> None:
    code, out, err = cli("missing\x1b[2J\n::add-mask::x.yml")
    assert code == 2 and out == ""
    assert (
        err == "pipespec: error: no such file or directory: missing\\x1b[2J\\n::add-mask::x.yml\n"
    )


# --------------------------------------------------------------------------- any text


_NASTY = [
    "\x1b", "\x1b[2J", "\x1b]0;t\x07", "\x9b", "\x7f", "\x00", "\u2028", "\u2029", "\u202e",
    "\u2066", "\u200f", "\n", "\r", "\t", ":", "::", "::add-mask::", "##[", "##vso[", "%",
    ",", " ", "\u3000", "\xa0", "\udcff", "\ud800", "a", "あ", "\\", '"', "\U0001f600",
]  # fmt: skip
#: any text, but no surrogate pair spelled as two code points: JSON cannot tell it from
#: the character it encodes (and no file name or file decodes to one)
texts = (
    st.lists(st.one_of(st.sampled_from(_NASTY), st.characters(exclude_categories=())), max_size=30)
    .map("".join)
    .filter(lambda s: not re.search("[\ud800-\udbff][\udc00-\udfff]", s))
)
findings = st.lists(
    st.builds(
        Finding,
        texts.filter(bool),
        st.integers(1, 3),
        st.integers(1, 40),
        st.sampled_from(list(Severity)),
        st.one_of(st.just("BS001"), texts),
        texts,
    ),
    max_size=4,
)


@given(findings, texts)
@example(
    [finding(path="\n::add-mask::x", message="\n::set-output name=a::b")], "  ::stop-commands::x"
)
def test_text_format_of_any_text_is_inert(items: list[Finding], source: str) -> None:
    out = report.text(items, lambda path, line: source)
    assert_inert_text(out)
    lines = out.count("\n")
    if source:  # the line and, unless the column is past its end, a caret
        assert 2 * len(items) <= lines <= 3 * len(items)
    else:
        assert lines == len(items)


@given(findings)
def test_github_format_of_any_text_is_one_inert_command_per_finding(items: list[Finding]) -> None:
    out = report.github(items)
    lines = out.split("\n")
    assert lines[-1] == "" and len(lines) == len(items) + 1
    command = re.compile(r"::(error|warning|notice) file=[^,:]*,line=\d+,col=\d+,title=[^,:]*::")
    for line in lines[:-1]:
        assert command.match(line), ascii(line)
        assert not UNSAFE.search(line), ascii(line)
        assert re.fullmatch(r"(?:[^%]|%25|%0D|%0A|%3A|%2C)*", line), ascii(line)


@given(findings)
@settings(max_examples=60)  # SARIF writes the whole rule table each time
def test_json_and_sarif_of_any_text_are_utf8_json_that_gives_back_every_string(
    items: list[Finding],
) -> None:
    out = report.as_json(items)
    out.encode("utf-8")  # strict: no lone surrogate
    assert not raw(out), ascii(out)
    assert json.loads(out) == [f.as_dict() for f in items]
    log = report.sarif(items)
    log.encode("utf-8")
    assert not raw(log), ascii(log)
    results = json.loads(log)["runs"][0]["results"]
    assert [r["message"]["text"] for r in results] == [f.message for f in items]
    # paths are percent-encoded URIs (tests/test_sarif.py decodes them back to the files)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert len(uris) == len(items) and all(re.fullmatch(r"[\w\-.~/%:]*", u, re.A) for u in uris)
