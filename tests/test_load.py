"""The loader: strict parsing, positions for every value, explicit limits, no exceptions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipespec import load
from pipespec.findings import Severity
from pipespec.load import load_path, load_text


def rules(doc: load.Document) -> list[str]:
    return [f.rule for f in doc.findings]


def where(doc: load.Document) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.rule) for f in doc.findings]


class TestYaml:
    def test_values_and_positions(self) -> None:
        doc = load_text("version: 0.2\nphases:\n  build:\n    commands:\n      - make\n", "b.yml")
        assert doc.ok and doc.findings == []
        assert doc.data == {"version": 0.2, "phases": {"build": {"commands": ["make"]}}}
        assert doc.position(("phases", "build", "commands", 0)) == (5, 9)
        assert doc.position(("phases", "build"), key=True) == (3, 3)
        # an unknown path falls back to its nearest known parent
        assert doc.position(("phases", "build", "nope")) == doc.position(("phases", "build"))

    def test_duplicate_key_is_an_error_at_the_second_key(self) -> None:
        doc = load_text("a: 1\nb: 2\na: 3\n", "x.yml")
        assert where(doc) == [(3, 1, "LD002")]
        assert "line 1" in doc.findings[0].message
        assert doc.data == {"a": 1, "b": 2}

    def test_duplicate_key_inside_a_list_item(self) -> None:
        doc = load_text("l:\n  - k: 1\n    k: 2\n", "x.yml")
        assert where(doc) == [(3, 5, "LD002")]

    def test_tab_in_indentation(self) -> None:
        doc = load_text("phases:\n\tbuild: {}\n", "x.yml")
        assert where(doc) == [(2, 1, "LD003")]
        assert not doc.ok and doc.data is None

    def test_syntax_error_has_position(self) -> None:
        doc = load_text("a: [1, 2\nb: 3\n", "x.yml")
        assert rules(doc) == ["LD001"]
        assert doc.findings[0].line >= 2

    def test_python_tags_are_refused(self) -> None:
        doc = load_text("a: !!python/object/apply:os.system ['true']\n", "x.yml")
        assert rules(doc) == ["LD001"]
        assert not doc.ok

    def test_yaml11_scalars_keep_their_source_text(self) -> None:
        doc = load_text("python: 3.10\nquoted: '3.10'\nflag: yes\non: x\n", "x.yml")
        assert doc.data == {"python": 3.1, "quoted": "3.10", "flag": True, "on": "x"}
        assert doc.plain_scalars[("python",)] == "3.10"
        assert doc.plain_scalars[("flag",)] == "yes"
        assert ("quoted",) not in doc.plain_scalars
        assert doc.plain_scalars[("on", "<key>")] == "on"

    def test_merge_keys_do_not_override_explicit_keys(self) -> None:
        doc = load_text("base: &b {k: 1, z: 0}\nd:\n  <<: *b\n  z: 2\n", "x.yml")
        assert doc.data["d"] == {"k": 1, "z": 2}

    def test_alias_bomb_is_bounded(self) -> None:
        lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
        for i in range(1, 9):
            prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
            lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
        doc = load_text("\n".join(lines) + "\n", "bomb.yml")
        assert rules(doc) == ["LD007"]
        assert not doc.ok

    def test_depth_is_bounded(self) -> None:
        doc = load_text("[" * 150 + "]" * 150, "deep.yml")
        assert rules(doc) == ["LD008"]

    @pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "   "])
    def test_empty_yaml_is_an_empty_file_error(self, text: str) -> None:
        doc = load_text(text, "x.yml")
        assert where(doc) == [(1, 1, "LD012")]
        assert not doc.ok and doc.data is None

    def test_explicit_null_document_is_not_empty(self) -> None:
        doc = load_text("---\n~\n", "x.yml")
        assert doc.ok and doc.data is None and doc.findings == []


class TestJson:
    def test_positions(self) -> None:
        doc = load_text('{\n  "a": [1, {"b": "c"}]\n}\n', "x.json")
        assert doc.data == {"a": [1, {"b": "c"}]}
        assert doc.position(("a", 1, "b")) == (2, 18)
        assert doc.position(("a", 1, "b"), key=True) == (2, 13)

    @pytest.mark.parametrize(
        ("text", "pos", "fragment"),
        [
            ('{"a": 1, // note\n}', (1, 10), "comments"),
            ('{"a": 1 # note\n}', (1, 9), "'#' comments"),
            ('{"a": 1,}', (1, 9), "trailing comma before '}'"),
            ("[1, 2,]", (1, 7), "trailing comma before ']'"),
            ("{'a': 1}", (1, 2), "double-quoted key"),
            ('{"a": NaN}', (1, 7), "NaN is not a JSON value"),
            ('{"a": "x\ty"}', (1, 9), "control character"),
            ('{"a": 1} 2', (1, 10), "extra data"),
            ("", (1, 1), "empty"),
            ('{"a": ', (1, 7), "end of file"),
            ('{"a" 1}', (1, 6), "expected ':'"),
        ],
    )
    def test_strictness(self, text: str, pos: tuple[int, int], fragment: str) -> None:
        doc = load_text(text, "x.json")
        assert [(f.line, f.column) for f in doc.findings] == [pos]
        assert fragment in doc.findings[0].message
        assert not doc.ok and doc.data is None

    def test_duplicate_key(self) -> None:
        doc = load_text('{"a": 1,\n "a": {"x": 2}}', "x.json")
        assert where(doc) == [(2, 2, "LD002")]
        assert doc.data == {"a": 1}
        assert doc.position(("a",)) == (1, 7)

    @pytest.mark.parametrize(
        "value",
        [0, -1.5e-3, "ü\u2028\\", [], {}, [None, True, False], {"k": [1, {"x": "y"}]}],
    )
    def test_agrees_with_the_standard_library(self, value: object) -> None:
        text = json.dumps(value)
        assert load_text(text, "x.json").data == json.loads(text)

    def test_huge_number_is_refused_not_crashed(self) -> None:
        doc = load_text("[" + "9" * 10_000 + "]", "x.json")
        assert rules(doc) == ["LD001"]
        assert "number longer" in doc.findings[0].message


class TestBytes:
    def test_bom_is_a_warning_and_stripped(self) -> None:
        doc = load_text(b'\xef\xbb\xbf{"a": 1}', "x.json")
        assert [(f.rule, f.severity) for f in doc.findings] == [("LD005", Severity.WARNING)]
        assert doc.data == {"a": 1}

    def test_crlf_is_a_warning(self) -> None:
        doc = load_text(b"a: 1\r\nb: 2\r\n", "x.yml")
        assert where(doc) == [(1, 5, "LD004")]
        assert doc.data == {"a": 1, "b": 2}

    def test_utf16_is_refused(self) -> None:
        doc = load_text("a: 1\n".encode("utf-16"), "x.yml")
        assert rules(doc) == ["LD009"]

    def test_invalid_utf8_points_at_the_byte(self) -> None:
        doc = load_text(b"a: 1\nb: \xff\n", "x.yml")
        assert where(doc) == [(2, 4, "LD009")]

    def test_size_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(load, "MAX_BYTES", 10)
        doc = load_text("a: 123456789\n", "x.yml")
        assert rules(doc) == ["LD006"]

    def test_unreadable_path_is_a_finding(self, tmp_path: Path) -> None:
        doc = load_path(tmp_path / "missing.yml")
        assert rules(doc) == ["LD010"]
        doc = load_path(tmp_path)  # a directory
        assert rules(doc) == ["LD010"]


def test_messages_exist_in_both_languages() -> None:
    en = load_text('{"a": 1,}', "x.json", lang="en").findings[0].message
    ja = load_text('{"a": 1,}', "x.json", lang="ja").findings[0].message
    assert en != ja
    assert "カンマ" in ja
