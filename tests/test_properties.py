"""Property-based tests: whatever the bytes, pipespec answers with findings.

Inputs come from ``strategies.py``: well-formed files of every kind, the same files
mutated in every way we could think of, random bytes and random text. The properties:

* ``check_text`` / ``check_paths`` return findings and never raise; no rule crashes
  (``PS999``); every finding is one line with a real position;
* the CLI never prints a traceback, exits only with 0 or 1 on files (2 is for usage),
  exits 1 exactly when it reports an error, writes parseable JSON/SARIF, and never
  changes the file it checks;
* each input stays within 2 s and 200 MiB (``harness.py``);
* pipespec's JSON parser agrees with ``json.loads`` (strict: no NaN/Infinity) on every
  text, except for what it rejects on purpose: duplicate keys.

The number of inputs is set by the Hypothesis profile (``ci`` by default; see
``tests/conftest.py``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import harness
import strategies
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import Sample

from pipespec.check import check_paths, check_text
from pipespec.findings import Finding, Severity
from pipespec.load import load_text
from pipespec.rules import lookup

FINDING_LINE = re.compile(
    r"^(?P<path>.+):(\d+):(\d+): (error|warning|info): .+ \[(?:[A-Z]{2}\d{3}|SH\d{4})\]$"
)
#: what libyaml counts as a line break (it also counts NEL, LS and PS)
BREAKS = (b"\n", b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")


def assert_well_formed(findings: list[Finding], path: str, text: bytes) -> None:
    lines = sum(text.count(b) for b in BREAKS) + 1
    for f in findings:
        assert lookup(f.rule) is not None, f.format()  # SHnnnn: any ShellCheck code
        assert f.rule != "PS999", f"a rule crashed: {f.format()}"
        assert f.path == path
        assert 1 <= f.line <= lines, f.format()
        assert f.column >= 1, f.format()
        assert f.message and "\n" not in f.message and "\r" not in f.message, f.format()


def utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# --------------------------------------------------------------------------- check_text


@given(strategies.valid_documents())
def test_valid_documents_load_exactly_and_check_without_errors(sample: Sample) -> None:
    doc = load_text(sample.text, sample.name)
    assert doc.ok and doc.findings == [], [f.format() for f in doc.findings]
    assert doc.data == sample.data
    findings = bounded(sample, "en")
    errors = [f.format() for f in findings if f.severity is Severity.ERROR]
    assert not errors, (sample.text.decode(), errors)


def bounded(sample: Sample, lang: str) -> list[Finding]:
    def run() -> list[Finding]:
        return check_text(sample.text, sample.kind, path=sample.name, lang=lang)  # type: ignore[arg-type]

    findings = harness.bounded_once(run, f"{sample.name} ({len(sample.text)} bytes)")
    assert_well_formed(findings, sample.name, sample.text)
    return findings


@given(strategies.hostile_documents(), st.sampled_from(["en", "ja"]))
def test_hostile_documents_give_findings_not_exceptions(sample: Sample, lang: str) -> None:
    findings = bounded(sample, lang)
    rules = {f.rule for f in findings}
    text = utf8(sample.text)
    if sample.text.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or text is None:
        assert "LD009" in rules  # not UTF-8: said so, nothing else is guessed
        assert all(f.rule.startswith("LD") for f in findings)
    elif not (text[1:] if text.startswith("\ufeff") else text).strip(" \t\r\n"):
        assert "LD012" in rules  # nothing in it
    if text is not None:  # the API takes str and bytes alike
        as_str = check_text(text, sample.kind, path=sample.name, lang=lang)  # type: ignore[arg-type]
        assert as_str == findings


@given(st.lists(strategies.hostile_documents(), min_size=1, max_size=6))
@settings(max_examples=40)
def test_check_paths_on_a_directory_of_hostile_files(samples: list[Sample]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for sample in samples:  # the last of a name wins, as on disk
            (Path(tmp) / sample.name).write_bytes(sample.text)
        result = harness.bounded_once(
            lambda: check_paths([tmp], base=Path(tmp)), f"directory of {len(samples)} files"
        )
        assert result.files == len({s.name for s in samples})
        for f in result.findings:
            assert f.rule != "PS999", f.format()
            assert f.line >= 1 and f.column >= 1 and "\n" not in f.message


# --------------------------------------------------------------------------- the CLI


@given(
    strategies.hostile_documents(),
    st.sampled_from(["text", "json", "sarif"]),
    st.sampled_from(["en", "ja"]),
)
def test_cli_exits_0_or_1_and_never_prints_a_traceback(sample: Sample, fmt: str, lang: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / sample.name
        path.write_bytes(sample.text)
        before = os.stat(path)
        args = ["check", "--no-config", "--format", fmt, "--lang", lang, str(path)]
        code, out, err = harness.bounded_once(lambda: harness.run_cli(args), f"cli {sample.name}")
        after = os.stat(path)
        assert path.read_bytes() == sample.text and after.st_mtime_ns == before.st_mtime_ns
    assert "Traceback" not in out + err and "internal error" not in err, err
    assert code in (0, 1), (code, err)
    if fmt == "json":
        rows = json.loads(out)
        assert code == (1 if any(r["severity"] == "error" for r in rows) else 0)
        assert {r["path"] for r in rows} <= {str(path)}
    elif fmt == "sarif":
        log = json.loads(out)
        results = log["runs"][0]["results"]
        assert code == (1 if any(r["level"] == "error" for r in results) else 0)
    else:
        findings = [line for line in out.splitlines() if not line.startswith(" ")]
        assert all(FINDING_LINE.match(line) for line in findings), findings
        assert code == (1 if any(": error: " in line for line in findings) else 0)
        assert err.count("\n") == 1  # only the summary


@given(strategies.hostile_documents())
@settings(max_examples=8, deadline=None)
def test_cli_in_a_subprocess(sample: Sample) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / sample.name
        path.write_bytes(sample.text)
        proc = subprocess.run(
            [sys.executable, "-m", "pipespec", "check", "--no-config", "--lang", "en", str(path)],
            capture_output=True,
            timeout=60,
            check=False,
        )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 1), stderr
    assert b"Traceback" not in proc.stdout + proc.stderr and "internal error" not in stderr


# --------------------------------------------------------------------------- JSON


def strict_json(text: str) -> Any:
    """``json.loads`` without the NaN/Infinity extension (RFC 8259)."""

    def reject(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=reject)


@given(
    strategies.json_values,
    st.sampled_from([None, 0, 2]),
    st.booleans(),
    st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]),
)
def test_json_same_data_as_the_standard_library(
    value: Any, indent: int | None, ascii_only: bool, separators: tuple[str, str]
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only, separators=separators)
    doc = load_text(text, "x.json")
    assert doc.ok and doc.findings == []
    assert doc.data == strict_json(text) == value


def mutated_json() -> st.SearchStrategy[str]:
    return st.builds(
        lambda value, cut, insert: (lambda t: t[:cut] + insert + t[cut:])(json.dumps(value)),
        strategies.json_values,
        st.integers(0, 60),
        strategies.json_like,
    )


@given(st.one_of(strategies.json_like, mutated_json()))
def test_json_accepts_and_rejects_what_the_standard_library_does(text: str) -> None:
    try:
        expected = strict_json(text)
        accepted = True
    except (ValueError, RecursionError):
        accepted = False
    doc = load_text(text, "x.json")
    errors = [f for f in doc.findings if f.severity is Severity.ERROR]
    assert all("\n" not in f.message for f in doc.findings)
    if not accepted:
        assert errors and not doc.ok, f"pipespec accepted what json.loads rejects: {text!r}"
    elif any(f.rule == "LD002" for f in errors):
        pass  # a duplicate key: json.loads keeps the last value, pipespec reports it
    else:
        assert not errors, [f.format() for f in errors]
        assert doc.data == expected


def _strict_only(text: str) -> Any:
    """``load_text`` with the fast path switched off: the strict parser reads everything."""
    from unittest import mock

    from pipespec import load

    with mock.patch.object(load, "_load_json_fast", lambda doc, lang: False):
        return load_text(text, "x.json")


@given(
    st.one_of(
        st.builds(
            lambda v, indent: json.dumps(v, indent=indent), strategies.json_values,
            st.sampled_from([None, 0, 2]),
        ),
        strategies.json_like,
        mutated_json(),
    )
)  # fmt: skip
@example('{"a": 1, "a": 2}')
@example('{"a": {"b": 1, "b": 1}}')
@example("[NaN]")
@example('{"x": -Infinity}')
@example("[" + "9" * 4100 + "]")
@example("[1." + "5" * 4100 + "]")
@example("[" * 101 + "]" * 101)
def test_the_fast_json_path_matches_the_strict_parser(text: str) -> None:
    """Valid JSON is read by json.loads and located only when a finding needs a position;
    the result must be what the strict parser gives: data, findings and every position."""
    fast, strict = load_text(text, "x.json"), _strict_only(text)
    assert (fast.ok, fast.data, fast.findings) == (strict.ok, strict.data, strict.findings)
    assert fast.positions == strict.positions
    assert fast.key_positions == strict.key_positions


@given(strategies.valid_documents().filter(lambda s: s.name.endswith(".json")))
@settings(max_examples=60)
def test_the_fast_json_path_gives_the_same_findings_on_whole_files(sample: Sample) -> None:
    from unittest import mock

    from pipespec import load

    text = sample.text.decode("utf-8")
    fast = check_text(text, sample.kind, path=sample.name)
    with mock.patch.object(load, "_load_json_fast", lambda doc, lang: False):
        strict = check_text(text, sample.kind, path=sample.name)
    assert fast == strict


# --------------------------------------------------------------------------- nesting bound

_YAML_PIECES = st.sampled_from(
    ["- ", "-", "[", "]", "{", "}", ",", ": ", ":", "? ", "?", "a", "'b'", '"c"', "&x ", "*x",
     "\n", "\n  ", "\n    ", " ", "!!map ", "|\n  ", "- - ", "a:\n  ", "#c\n", "<<: "]
)  # fmt: skip


def _event_depth(text: str) -> int:
    """The deepest nesting libyaml reports before the end or the first syntax error."""
    import yaml

    loader = yaml.CSafeLoader(text) if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader(text)
    depth = deepest = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return deepest


@given(
    st.one_of(
        st.lists(_YAML_PIECES, max_size=80).map("".join),
        strategies.hostile_documents().map(lambda s: s.text.decode("utf-8", "replace")),
    )
)
@settings(max_examples=400)
def test_the_nesting_bound_is_never_below_the_real_depth(text: str) -> None:
    """yamlload skips its depth pre-pass when depth_bound() <= MAX_DEPTH: sound only if the
    bound is never lower than the depth libyaml actually reaches."""
    from pipespec.yamlload import depth_bound

    assert _event_depth(text) <= depth_bound(text)


def test_the_nesting_bound_on_deep_documents() -> None:
    from pipespec.load import MAX_DEPTH
    from pipespec.yamlload import depth_bound

    for text in (
        "[" * 150,
        "- " * 150 + "x",
        "{a: " * 150,
        "".join(f"{' ' * i}a:\n" for i in range(150)),
    ):
        assert _event_depth(text) > MAX_DEPTH  # deep enough that the pre-pass must run
        assert depth_bound(text) >= _event_depth(text)
        assert load_text(text, "buildspec.yml").findings[0].rule == "LD008"
