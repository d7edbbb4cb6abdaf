"""Named hostile inputs: each yields a clear finding or one-line error, in bounded time.

Every test states what pipespec answers and measures the call with ``harness.measure``:
a target of 2 s and 200 MiB of Python allocations unless the test says otherwise (the
worst values are printed at the end of the run). The test run asserts the memory bound
and a ceiling of five times the time target in CPU time, which runaway work (an alias
expansion, a superlinear walk) exceeds and a busy machine does not; ``nox -s bench``
asserts the targets in wall time (``tests/harness.py``). The inputs are the ones a linter
meets in strangers' pull requests: alias bombs, deep nesting, huge files, binary files, other
encodings, odd file system objects, huge numbers, YAML features that PyYAML's full
loader would turn into code, and the crashes the fuzzer and the property tests found.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import harness
import pytest
import yaml
from fuzz_pipespec import CRASHES, check_one

from pipespec import yamlload
from pipespec.check import check_paths, check_text
from pipespec.load import MAX_BYTES, MAX_NODES, load_text

ONE_LINE = re.compile(r"^\S.*:\d+:\d+: error: [^\n]+ \[[A-Z]{2}\d{3}\]$")
GOOD = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"


@pytest.fixture(autouse=True)
def _shellcheck_as_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hostile input meets pipespec as it ships: ShellCheck's own timeout, not the patient
    one the other tests give it (tests/conftest.py)."""
    from pipespec import shellcheck

    monkeypatch.setattr(shellcheck, "TIMEOUT", harness.SHELLCHECK_TIMEOUT)


def checked(text: str | bytes, label: str, kind: str = "buildspec", **bounds: Any) -> list[str]:
    """``check_text`` within the bounds; the findings as ``line:col:rule: message``."""
    name = {"buildspec": "buildspec.yml", "appspec": "appspec.yml"}.get(kind, f"{kind}.json")
    findings = harness.measure(lambda: check_text(text, kind, path=name), label, **bounds)
    for f in findings:
        assert "\n" not in f.message and f.rule != "PS999", f.format()
    return [f"{f.line}:{f.column}:{f.rule}: {f.message}" for f in findings]


def only(found: list[str], rule: str, fragment: str) -> str:
    """The one finding, of ``rule``, that mentions ``fragment``."""
    assert len(found) == 1, found
    assert f":{rule}: " in found[0] and fragment in found[0], found
    return found[0]


def cli_error(path: Path, rule: str, *args: str) -> str:
    """``pipespec check PATH``: exit 1, one finding of ``rule`` on one line, no traceback."""
    code, out, err = harness.run_cli(["check", "--no-config", "--lang", "en", *args, str(path)])
    assert code == 1, (code, out, err)
    assert "Traceback" not in out + err and "internal error" not in err
    first = out.splitlines()[0]
    assert ONE_LINE.match(first) and first.endswith(f"[{rule}]"), out
    assert err.count("\n") == 1, err  # the summary line only
    return first


# --------------------------------------------------------------------------- alias bombs


def laughs(levels: int, width: int, item: str = "lol") -> str:
    lines = [f"l0: &l0 [{', '.join([item] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs() -> None:
    found = checked(laughs(9, 9), "billion laughs (9 levels of 9)")
    line = only(found, "LD007", f"more than {MAX_NODES} nodes (alias bomb?)")
    assert line.startswith(("1:", "2:", "3:", "4:", "5:", "6:", "7:", "8:", "9:"))


def test_wide_alias_bomb() -> None:
    text = "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 1000) + "]\n"
    only(checked(text, "wide alias bomb (1000 x 1000)"), "LD007", "alias bomb")


def test_doubling_alias_chain() -> None:
    chain = "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 64))
    text = "a0: &a0 [x, x]\n" + chain
    only(checked(text, "doubling alias chain (2^64)"), "LD007", "alias bomb")


def test_few_aliases_of_one_large_value() -> None:
    # 3 nodes short of nothing, but a gigabyte to whatever reads the values: the dry run's
    # driver script wrote each command four times and was killed by the kernel at 24 GB.
    big = "A" * (1 << 20)
    text = f"version: 0.2\nphases:\n  build:\n    commands:\n      - &s {big}\n"
    text += "      - *s\n" * 3000
    found = checked(text, "3,000 aliases of a 1 MiB string", seconds=5)
    only(found, "LD013", "aliases repeat a large value")


def test_merge_key_bomb_of_empty_mappings() -> None:
    # Merging expands nothing visible, so counting values alone never stopped it: 8^10
    # merges of {} ran for minutes before merges counted as nodes.
    lines = ["m0: &m0 {}"]
    for i in range(1, 11):
        lines.append(f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 8)}]}}")
    only(checked("\n".join(lines) + "\n", "merge-key bomb ({} x 8^10)"), "LD007", "alias bomb")


def test_merge_key_bomb_with_values() -> None:
    lines = ["m0: &m0 {k: v, w: x}"]
    for i in range(1, 11):
        lines.append(f"m{i}: &m{i}\n  <<: [{', '.join([f'*m{i - 1}'] * 8)}]\n  k{i}: v")
    only(checked("\n".join(lines) + "\n", "merge-key bomb with values"), "LD007", "alias bomb")


def test_many_keys_aliasing_one_list() -> None:
    text = "a: &a [x, y]\n" + "".join(f"k{i}: *a\n" for i in range(100_000))
    only(checked(text, "100,000 keys aliasing one list"), "LD007", "alias bomb")


@pytest.mark.parametrize(
    "text", ["a: &a [x, *a]\n", "a: &a {b: *a}\n", "a: &a\n  k: v\n  <<: *a\n", "&a [[[*a]]]\n"]
)
def test_recursive_aliases(text: str) -> None:
    # A mapping that merged itself recursed until Python gave up (RecursionError).
    line = only(checked(text, "recursive alias"), "LD001", "a recursive structure")
    assert line.startswith("1:")


def test_alias_as_a_mapping_key() -> None:
    text = "a: &a [" + ", ".join(["x"] * 100) + "]\n? *a\n: value\n"
    only(checked(text, "alias as a key"), "LD001", "a mapping key must be a plain value")


def test_json_cannot_alias_but_its_size_is_bounded_too() -> None:
    text = "[" + "0," * 250_000 + "0]"
    only(checked(text, "JSON list of 250,001 numbers", "taskdef"), "LD007", "alias bomb")


# --------------------------------------------------------------------------- deep nesting

DEPTH = 10_000


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("YAML flow sequences", "[" * DEPTH + "]" * DEPTH),
        ("YAML flow mappings", "{a: " * DEPTH + "x" + "}" * DEPTH),
        ("YAML block sequences", "- " * DEPTH + "x\n"),
        ("YAML mixed block and flow", "a:\n  - " * 50 + "[" * DEPTH + "]" * DEPTH),
    ],
)
def test_10000_levels_of_yaml(label: str, text: str) -> None:
    only(checked(text, f"10,000 levels: {label}"), "LD008", "nesting deeper than 100 levels")


def test_block_mapping_indentation_beyond_the_size_limit(tmp_path: Path) -> None:
    # 10,000 levels of "a:" indented one space deeper each: 50 MB of spaces, refused by
    # size; 4,000 levels (8 MB) are read, and refused by depth.
    path = tmp_path / "buildspec.yml"
    with path.open("w") as fh:
        for i in range(DEPTH):
            fh.write(" " * i + "a:\n")
    assert path.stat().st_size > MAX_BYTES
    cli_error(path, "LD006")
    text = "".join(" " * i + "a:\n" for i in range(4_000))
    only(checked(text, "4,000 levels of block mappings (8 MB)"), "LD008", "nesting deeper")


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("JSON arrays", "[" * DEPTH + "]" * DEPTH),
        ("JSON objects", '{"a":' * DEPTH + "1" + "}" * DEPTH),
        ("JSON unclosed", "[" * DEPTH),
    ],
)
def test_10000_levels_of_json(label: str, text: str) -> None:
    only(checked(text, f"10,000 levels: {label}", "taskdef"), "LD008", "nesting deeper")


def test_deep_yaml_with_the_pure_python_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without libyaml (or with a libyaml that has no nesting limit) the depth is still
    # refused before the composer, which recurses, sees the document.
    monkeypatch.setattr(yamlload, "_SafeLoader", yaml.SafeLoader)
    text = "[" * DEPTH + "]" * DEPTH
    only(checked(text, "10,000 levels, pure-Python parser"), "LD008", "nesting deeper")


# --------------------------------------------------------------------------- size


def test_50_mb_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    with path.open("wb") as fh:
        fh.write(GOOD.encode())
        chunk = b"# " + b"x" * 1021 + b"\n"
        for _ in range(50 * 1024):
            fh.write(chunk)
    assert path.stat().st_size > 50 * 2**20
    result = harness.measure(lambda: check_paths([path]), "50 MB file", megabytes=25)
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("LD006", 1, 1)]
    assert f"larger than the {MAX_BYTES} byte limit" in result.findings[0].message
    cli_error(path, "LD006")


def test_10_mb_single_line() -> None:
    head = "version: 0.2\nenv:\n  variables:\n    LONG: "
    text = head + "x" * (MAX_BYTES - len(head) - 40) + "\nphases:\n  build:\n    commands: [make]\n"
    assert len(text) <= MAX_BYTES
    assert checked(text, "10 MB single line") == []
    over = head + "x" * MAX_BYTES + "\n"
    only(checked(over, "10 MB + 1 single line"), "LD006", "byte limit")


def test_many_lines_of_json_take_linear_time() -> None:
    # Positions were counted from the start of the file for every value: 15 s here.
    text = "[\n" + "1,\n" * 199_990 + "1]"
    found = checked(text, "JSON of 200,000 lines", "taskdef", memory=False)
    only(found, "TD002", "must be a mapping")


def test_many_duplicate_keys_take_linear_time() -> None:
    # Each duplicate key copied the table of positions: 40 s here.
    keys = [f'"k{i}": 1' for i in range(20_000)]
    text = '{"family": "f", ' + ", ".join(keys + keys) + "}"
    found = checked(text, "JSON with 20,000 duplicate keys", "taskdef", memory=False)
    assert sum(":LD002: duplicate key" in f for f in found) == 100  # MAX_FINDINGS_PER_RULE
    assert sum(":PS003: and 19,900 more LD002 findings in this file" in f for f in found) == 1


def test_many_findings_in_one_file(tmp_path: Path) -> None:
    # Each finding split the whole file into lines to look for "# pipespec: ignore": 20 s.
    path = tmp_path / "buildspec.yml"
    path.write_text(GOOD + "".join(f"unknown{i}: x\n" for i in range(20_000)))
    result = harness.measure(lambda: check_paths([path]), "20,000 findings", memory=False)
    assert sum(f.rule == "BS001" for f in result.findings) == 100  # MAX_FINDINGS_PER_RULE
    assert result.warnings == 20_000  # all counted


def test_ten_thousand_small_files(tmp_path: Path) -> None:
    # Measured in a child process, by its peak RSS (VmHWM: ru_maxrss would include the
    # forked test process); tracemalloc would make this take 30 s.
    for i in range(10_000):
        d = tmp_path / f"d{i // 100}" / f"s{i % 100}"
        d.mkdir(parents=True)
        (d / "buildspec.yml").write_text(GOOD.replace("build:", "preBuild:"))
    script = (
        "import resource, sys\n"
        "from pipespec.check import check_paths\n"
        "r = check_paths([sys.argv[1]])\n"
        "rules = sorted({f.rule for f in r.findings})\n"
        "status = open('/proc/self/status').read() if sys.platform == 'linux' else ''\n"
        "hwm = [int(x.split()[1]) for x in status.splitlines() if x.startswith('VmHWM:')]\n"
        "peak = (hwm or [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss])[0] * 1024\n"
        "print(r.files, len(r.findings), *rules, peak)\n"
    )
    now = harness.clock()
    start = now()
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    elapsed = now() - start
    files, findings, rule, peak = proc.stdout.split()
    harness.WORST["hostile"].note("10,000 files (child process RSS)", elapsed, int(peak))
    assert (files, findings, rule) == ("10000", "10000", "BS101")
    harness.check_time("10,000 files", elapsed, 6)
    assert int(peak) < 200 * 2**20, f"{int(peak) / 2**20:.0f} MiB"


# --------------------------------------------------------------------------- bytes


def test_file_of_nul_bytes() -> None:
    only(checked(b"\x00" * 4096, "4 KB of NUL (YAML)"), "LD001", "U+0000 is not allowed")
    assert "binary file" in checked(b"\x00" * 4096, "NUL")[0]
    only(checked(b"\x00" * 4096, "4 KB of NUL (JSON)", "taskdef"), "LD001", "'\\x00'")


def test_nul_byte_in_the_middle_points_at_it() -> None:
    assert checked(GOOD.replace("make", "ma\x00ke"), "NUL inside")[0].startswith("5:11:LD001")


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ("version: 0.2\n# café\n".encode("latin-1"), "2:6"),
        ("version: 0.2\n# 日本語\n".encode("shift_jis"), "2:3"),
        (b"version: 0.2\n\xc3\x28\n", "2:1"),
        (b"\xed\xa0\x80", "1:1"),  # a surrogate encoded in UTF-8 (CESU-8)
    ],
)
def test_invalid_utf8_points_at_the_byte(raw: bytes, where: str) -> None:
    line = only(checked(raw, "invalid UTF-8"), "LD009", "not valid UTF-8 (byte 0x")
    assert line.startswith(where + ":")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32(codec: str) -> None:
    raw = GOOD.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        raw = ("\ufeff" + GOOD).encode(codec)  # the BOM, written by an editor
    name = "UTF-32" if codec == "utf-32" else "UTF-16"
    only(checked(raw, codec), "LD009", f"{name} byte order mark")


def test_utf16_without_a_bom_is_not_mistaken_for_text() -> None:
    line = only(checked(GOOD.encode("utf-16-le"), "UTF-16 without BOM"), "LD001", "U+0000")
    assert line.startswith("1:2:")


@pytest.mark.parametrize(
    "name",
    ["buildspec.yml", "appspec.yml", "appspec.json", "taskdef.json", "imagedefinitions.json",
     "imageDetail.json"],
)  # fmt: skip
@pytest.mark.parametrize("content", [b"", b"\n\n\n", b"   ", b"\xef\xbb\xbf"])
def test_empty_file_of_every_kind(name: str, content: bytes, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = harness.measure(lambda: check_paths([path]), f"empty {name}")
    errors = [(f.rule, f.line, f.column, f.message) for f in result.findings if f.rule != "LD005"]
    assert errors == [("LD012", 1, 1, "file is empty (nothing but whitespace or comments)")]


def test_comment_only_yaml_is_empty() -> None:
    only(checked("# TODO\n# later\n", "comments only"), "LD012", "file is empty")


def test_crlf_only_file() -> None:
    found = checked(b"\r\n" * 1000, "CRLF only", "appspec")
    assert found == [
        "1:1:LD012: file is empty (nothing but whitespace or comments)",
        "1:1:LD004: file uses CRLF line endings; use LF",
    ]
    # outside AppSpec files CRLF changes nothing (JSON whitespace, YAML line breaks)
    assert checked(b"\r\n" * 1000, "CRLF only buildspec") == [
        "1:1:LD012: file is empty (nothing but whitespace or comments)"
    ]
    assert checked(b'{"ImageURI":\r\n"web:1"}\r\n', "CRLF JSON", "imagedetail") == []


def test_lone_surrogates() -> None:
    # A str that no file could hold (the API takes str): refused, with its position.
    line = only(checked(GOOD + "x: \ud800\n", "lone surrogate in str"), "LD009", "U+D800")
    assert line.startswith("6:4:")
    # An escaped lone surrogate is valid JSON (RFC 8259 leaves its meaning open) ...
    text = '{"family": "\\ud800", "containerDefinitions": [{"name": "\\udc00x", "image": "a:1"}]}'
    doc = load_text(text, "taskdef.json")
    assert doc.ok and doc.data["family"] == "\ud800"
    # ... and YAML refuses it.
    only(checked('a: "\\ud800"\n', "escaped lone surrogate (YAML)"), "LD001", "escape")


def test_non_utf8_file_name_is_printed_not_crashed(tmp_path: Path) -> None:
    # Under a strict UTF-8 locale, printing a path with undecodable bytes used to end in
    # "internal error" (exit 2); it is written with escapes instead.
    directory = os.fsencode(tmp_path) + b"/\xff\xfe"
    os.mkdir(directory)
    with open(directory + b"/buildspec.yml", "wb") as fh:
        fh.write(GOOD.replace("build:", "preBuild:").encode())
    first = cli_error(Path(os.fsdecode(directory)), "BS101")
    assert "\\udcff\\udcfe/buildspec.yml:3:3:" in first


# --------------------------------------------------------------------------- file system


def test_directory_named_like_a_buildspec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "buildspec.yml").mkdir()
    line = cli_error(Path("buildspec.yml"), "LD010")
    assert line == "buildspec.yml:1:1: error: cannot read file: Is a directory [LD010]"
    # In a directory, only files are candidates: nothing to check, and that is no error (said).
    code, out, err = harness.run_cli(["check", "--no-config", "--lang", "en", "."])
    assert (code, out, err) == (0, "", "pipespec: no files to check\n")


def test_symlink_loop_named_like_a_buildspec(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "buildspec.yml")
    (tmp_path / "buildspec.yml").symlink_to(tmp_path / "a")
    result = harness.measure(lambda: check_paths([tmp_path / "buildspec.yml"]), "symlink loop")
    assert [f.rule for f in result.findings] == ["LD010"]
    assert "Too many levels of symbolic links" in result.findings[0].message
    cli_error(tmp_path / "buildspec.yml", "LD010")


def test_symlink_loops_inside_a_tree(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "buildspec.yml").write_text(GOOD)
    (tmp_path / "app" / "loop").symlink_to(tmp_path)  # a directory loop: never followed
    (tmp_path / "app" / "self").symlink_to(tmp_path / "app" / "self")
    (tmp_path / "buildspec-loop.yml").symlink_to(tmp_path / "buildspec-loop.yml")
    result = harness.measure(lambda: check_paths([tmp_path], base=tmp_path), "symlink loops")
    assert result.files == 2
    assert [(f.path, f.rule) for f in result.findings] == [("buildspec-loop.yml", "LD010")]


def test_fifo_named_like_a_buildspec(tmp_path: Path) -> None:
    # Opening a FIFO blocks until someone writes to it: pipespec must not even open it.
    fifo = tmp_path / "buildspec.yml"
    os.mkfifo(fifo)
    result = harness.measure(lambda: check_paths([fifo]), "FIFO")
    assert [f.rule for f in result.findings] == ["LD010"]
    assert "not a regular file" in result.findings[0].message
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "taskdef.json")
    result = harness.measure(lambda: check_paths([tmp_path / "sub"]), "FIFO in a tree")
    assert [f.rule for f in result.findings] == ["LD010"]


def test_device_named_like_a_buildspec(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").symlink_to("/dev/zero")
    cli_error(tmp_path / "buildspec.yml", "LD010")


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests may run as root, who can read anything: make open() fail as it would.
    path = tmp_path / "buildspec.yml"
    path.write_text(GOOD)
    real_open = os.open

    def deny(name: str, *args: object, **kwargs: object) -> int:
        if os.fspath(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    line = cli_error(path, "LD010")
    assert line.endswith(":1:1: error: cannot read file: Permission denied [LD010]")


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="root reads files whatever their mode (see test_unreadable_file_simulated)",
)
def test_unreadable_file_chmod_000(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_text(GOOD)
    path.chmod(0)
    try:
        line = cli_error(path, "LD010")
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert "Permission denied" in line


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "number",
    ["9" * 10_000, "-" + "9" * 10_000, "0." + "1" * 10_000, "1e" + "9" * 10_000],
)
def test_json_number_with_10000_digits(number: str) -> None:
    text = '{"family": "web", "cpu": ' + number + "}"
    line = only(checked(text, "JSON number of 10,000 digits", "taskdef"), "LD001", "number")
    assert line == "1:26:LD001: JSON syntax error: number longer than 4000 characters"


@pytest.mark.parametrize(
    "number", ["9" * 10_000, "1." + "1" * 10_000, "0x" + "f" * 10_000, ":".join(["1"] * 5_000)]
)
def test_yaml_number_with_10000_digits(number: str) -> None:
    # int() refuses 4300+ digits (a ValueError that escaped as a crash); base-60 "1:1:..."
    # costs quadratic time. Both are refused by length.
    line = only(checked(f"version: {number}\n", "YAML number"), "LD001", "number longer")
    assert line.startswith("1:10:")


def test_yaml_dates_that_do_not_exist() -> None:
    line = only(checked("version: 2001-02-30\n", "bad date"), "LD001", "not a valid timestamp")
    assert line.endswith("(day is out of range for month)")


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ("!!timestamp abc", "'abc' is not a valid timestamp"),
        ("!!bool maybe", "'maybe' is not a valid bool"),
        ('!!int ""', "'' is not a valid int"),
        ("!!float x", "'x' is not a valid float"),
    ],
)
def test_explicit_tags_on_values_of_another_type(node: str, message: str) -> None:
    # PyYAML raises AttributeError, KeyError, IndexError ... from its constructors here.
    for text in (f"version: {node}\n", f"? {node}\n: x\n"):
        only(checked(text, node), "LD001", f"cannot read value: {message}")


# --------------------------------------------------------------------------- YAML features


def test_merge_keys_merge_and_explicit_keys_win() -> None:
    text = (
        "version: 0.2\n"
        "x-defaults: &defaults\n  commands: [make]\n  on-failure: ABORT\n"
        "phases:\n  build:\n    <<: *defaults\n    on-failure: CONTINUE\n"
    )
    doc = load_text(text, "buildspec.yml")
    assert doc.data["phases"]["build"] == {"commands": ["make"], "on-failure": "CONTINUE"}
    assert checked(text, "merge keys") == ["2:1:BS001: unknown key 'x-defaults' in the document"]


def test_merge_of_a_scalar_is_an_error() -> None:
    only(checked("a: &a x\nb:\n  <<: *a\n", "merge a scalar"), "LD001", "merge key ('<<')")


def test_non_string_keys() -> None:
    only(checked("? [a, b]\n: c\n", "sequence as a key"), "LD001", "plain value, not a list")
    only(checked("? {a: b}\n: c\n", "mapping as a key"), "LD001", "plain value, not a list")
    text = GOOD + "1: x\nnull: y\non: z\n~: w\n3.10: v\n"
    found = checked(text, "scalar keys of other types")
    assert [f.split(": ", 1)[1] for f in found] == [
        f"unknown key {key!r} in the document" for key in ("1", "null", "on", "~", "3.10")
    ]
    # keys are compared as written: 1 and "1" are the same key, as AWS reads them
    found = checked(GOOD + '"1": a\n1: b\n', "1 and '1'")
    assert [f for f in found if ":LD002:" in f] == [
        "7:1:LD002: duplicate key '1' (first defined at line 6); AWS keeps only one of them"
    ]


PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch {s}']",
    "!!python/object/apply:subprocess.check_call [['touch', '{s}']]",
    "!!python/object/new:os.system ['touch {s}']",
    "!!python/object/apply:builtins.exec [\"open('{s}', 'w')\"]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:pathlib.Path {{}}",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {s}']",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
@pytest.mark.parametrize("where", ["value", "key", "document", "sequence"])
def test_python_tags_are_never_constructed(tag: str, where: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    node = tag.format(s=sentinel)
    text = {
        "value": f"version: 0.2\nphases: {node}\n",
        "key": f"version: 0.2\n? {node}\n: x\n",
        "document": f"{node}\n",
        "sequence": f"version: 0.2\nphases:\n  build:\n    commands:\n      - {node}\n",
    }[where]
    found = checked(text, "python tag")
    assert not sentinel.exists()
    if where == "key" and ("[" in node or "{" in node):  # a collection as a key: refused
        only(found, "LD001", "a mapping key must be a plain value")
    else:
        only(found, "LD001", "unsupported YAML tag 'tag:yaml.org,2002:python/")


def test_unknown_local_tags_are_refused() -> None:
    only(checked("version: !Ref Version\n", "local tag"), "LD001", "unsupported YAML tag '!Ref'")


def test_value_indicator_is_a_string() -> None:
    # PyYAML's safe loader has no constructor for YAML 1.1's "=" (value) type.
    assert load_text("phases:\n  build:\n    commands: [=]\n", "b.yml").data == {
        "phases": {"build": {"commands": ["="]}}
    }


# --------------------------------------------------------------------------- fuzz crashes

REGRESSIONS = sorted(p for p in CRASHES.iterdir() if p.is_file() and p.name != "README.md")


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_fuzz_regression(path: Path) -> None:
    """Every input the fuzzers crashed pipespec with, checked as each kind."""
    harness.measure(lambda: check_one(path.read_bytes()), path.name)


def test_there_are_fuzz_regressions() -> None:
    assert len(REGRESSIONS) >= 5


def test_shellcheck_is_bounded_on_runs_of_braces() -> None:
    # ShellCheck itself ran 90-300 s on this; it gets 1 s + 0.05 s per script
    data = (CRASHES / "timeout-shellcheck-braces.yml").read_bytes()
    found = checked(data, "ShellCheck and braces", memory=False)
    assert any(":SH0001: " in line and "used more than 1.05 s of CPU" in line for line in found), (
        found
    )


def test_10_mb_command() -> None:
    # 44 s for one 10 MB `echo aaa...`; 300 s for `echo a && ` repeated: scripts this long
    # are not given to ShellCheck
    head = "version: 0.2\nphases:\n  build:\n    commands:\n      - "
    text = head + "echo a && " * ((MAX_BYTES - len(head)) // 10 - 1) + "true\n"
    found = checked(text, "10 MB command", memory=False)
    assert [line.split(":")[2] for line in found] == ["SH0001"], found


def test_one_long_json_string_costs_linear_memory(tmp_path: Path) -> None:
    """A 9 MB string made the strict parser's regex keep a backtracking entry per
    character: a gigabyte of the process's memory (outside Python's own allocations)."""
    path = tmp_path / "taskdef.json"
    path.write_text('{"family": "' + "x" * 9_000_000 + '"}', encoding="utf-8")
    # VmHWM, not ru_maxrss: Linux carries the exec'ing parent's peak (a large pytest
    # process) into the child's ru_maxrss, while VmHWM belongs to the new address space.
    code = (
        "import re, sys\nfrom pipespec import cli\n"
        "code = cli.main(['check', '--no-config', sys.argv[1]])\n"
        "status = open('/proc/self/status').read()\n"
        "print(code, re.search(r'VmHWM:\\s*(\\d+)', status).group(1))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    status, kilobytes = done.stdout.split()[-2:]
    assert status == "1", done.stdout[-500:]  # family too long (TD004)
    assert int(kilobytes) < 300 * 1024, f"{int(kilobytes) // 1024} MiB"


def test_hints_stop_after_the_first_misspellings_of_a_document() -> None:
    # A hint for every one of thousands of unknown keys is work for findings that are
    # only counted: the first HINTS_PER_VALIDATION keys get one, the rest none.
    from pipespec import catalog
    from pipespec.schema import HINTS_PER_VALIDATION, Validator

    validator = Validator(catalog.schema("buildspec.schema.json"))
    data = {"version": 0.2, "phases": {"build": {"commands": ["x"]}}}
    data.update({f"phase{i}s": 1 for i in range(HINTS_PER_VALIDATION + 10)})
    hints = [v.params["hint"] for v in validator.validate(data) if v.code == "unknown-key"]
    assert hints[:HINTS_PER_VALIDATION] == ["phases"] * HINTS_PER_VALIDATION
    assert hints[HINTS_PER_VALIDATION:] == [None] * 10
    again = validator.validate({"version": 0.2, "phase": {}})  # counted per validation
    assert [v.params["hint"] for v in again if v.code == "unknown-key"] == ["phases"]
