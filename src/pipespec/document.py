"""A loaded document and what every reader of one shares: paths into it, positions,
the loader's limits and messages.

Low in the house: :mod:`pipespec.load` (JSON, bytes), :mod:`pipespec.yamlload` (YAML)
and the rules import it, and it imports nothing of theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from .findings import Finding, Severity

#: A path into a document: mapping keys and sequence indexes, from the root.
NodePath = tuple[str | int, ...]
Position = tuple[int, int]
Lang = Literal["en", "ja"]

#: Explicit limits. Hitting one is a finding, never a crash or a hang.
MAX_BYTES = 10 * 1024 * 1024
MAX_NODES = 200_000
#: Characters of scalar values after alias expansion (a 1 MiB string aliased a thousand
#: times is a few nodes, but a gigabyte to every consumer).
MAX_EXPANDED_CHARS = MAX_BYTES
MAX_DEPTH = 100
#: Numbers longer than this are refused (Python's int() limit is 4300 digits).
MAX_NUMBER_CHARS = 4000

_MESSAGES: dict[str, tuple[str, str]] = {
    # rule: (english, japanese)
    "LD001": ("{detail}", "{detail_ja}"),
    "LD002": (
        "duplicate key {key!r} (first defined at line {first}); AWS keeps only one of them",
        "キー {key!r} が重複しています (最初の定義は {first} 行目)。"
        "AWS はどちらか一方しか使いません",
    ),
    "LD003": (
        "tab character in indentation; YAML allows only spaces here",
        "インデントにタブ文字があります。YAML のインデントには空白しか使えません",
    ),
    "LD004": (
        "file uses CRLF line endings; use LF",
        "改行コードが CRLF です。LF にしてください",
    ),
    "LD005": (
        "file starts with a UTF-8 byte order mark; remove it",
        "ファイル先頭に UTF-8 の BOM があります。取り除いてください",
    ),
    "LD006": (
        "file is larger than the {limit} byte limit; not checked",
        "ファイルが上限 {limit} バイトを超えているため検査しません",
    ),
    "LD007": (
        "document expands to more than {limit} nodes (alias bomb?); not checked",
        "展開後のノード数が上限 {limit} を超えました (エイリアス爆弾の可能性)。検査しません",
    ),
    "LD013": (
        "document expands to more than {limit} characters of values (aliases repeat a large "
        "value); not checked",
        "エイリアスが大きな値を繰り返すため、展開後の値が上限の {limit} 文字を超えます。"
        "検査しません",
    ),
    "LD008": (
        "nesting deeper than {limit} levels; not checked",
        "入れ子が上限 {limit} 段を超えています。検査しません",
    ),
    "LD009": (
        "file is not valid UTF-8 ({detail}); save it as UTF-8",
        "UTF-8 として読めません ({detail})。UTF-8 で保存してください",
    ),
    "LD010": (
        "cannot read file: {detail}",
        "ファイルを読めません: {detail}",
    ),
    "LD012": (
        "file is empty (nothing but whitespace or comments)",
        "ファイルが空です (空白やコメントしかありません)",
    ),
}


def message(rule: str, lang: Lang, **params: Any) -> str:
    """Format the loader message ``rule`` in ``lang`` (always one line)."""
    en, ja = _MESSAGES[rule]
    if "detail" in params and "detail_ja" not in params:
        params["detail_ja"] = params["detail"]
    return " ".join((ja if lang == "ja" else en).format(**params).splitlines())


class Document:
    """A loaded file: plain data plus where each value and key came from."""

    def __init__(
        self, path: str, text: str, format: Literal["yaml", "json"], data: Any = None,
        ok: bool = True,
    ) -> None:  # fmt: skip
        self.path = path
        self.text = text
        self.format = format
        self.data = data
        self.ok = ok
        self._positions: dict[NodePath, Position] = {}
        self._key_positions: dict[NodePath, Position] = {}
        #: Plain YAML scalars that became something other than a string (``3.10``, ``yes``),
        #: with their source text: the YAML 1.1 traps.
        self.plain_scalars: dict[NodePath, str] = {}
        #: CloudFormation templates: (style, start, end offsets) of the scalars that hold a
        #: buildspec, where a finding inside its text is placed (:mod:`pipespec.scalars`)
        self.scalars: dict[NodePath, tuple[str, int, int]] = {}
        self.findings: list[Finding] = []
        #: where the first CRLF line break was, before the loader normalised it to LF
        self.crlf: Position | None = None
        self._lines: list[str] | None = None
        #: fills the positions on first use (JSON read by the standard library's parser)
        self._locate: Callable[[Document], None] | None = None

    def __repr__(self) -> str:
        return f"Document({self.path!r}, format={self.format!r}, ok={self.ok})"

    def _located(self) -> None:
        locate, self._locate = self._locate, None
        if locate is not None:
            locate(self)

    @property
    def positions(self) -> dict[NodePath, Position]:
        """Where each value starts, by path."""
        if self._locate is not None:
            self._located()
        return self._positions

    @positions.setter
    def positions(self, value: dict[NodePath, Position]) -> None:
        self._located()
        self._positions = value

    @property
    def key_positions(self) -> dict[NodePath, Position]:
        """Where each mapping key starts, by the path of its value."""
        if self._locate is not None:
            self._located()
        return self._key_positions

    @key_positions.setter
    def key_positions(self, value: dict[NodePath, Position]) -> None:
        self._located()
        self._key_positions = value

    def position(self, path: NodePath, *, key: bool = False) -> Position:
        """Line and column of the value (or key) at ``path``; the nearest parent otherwise."""
        table = self.key_positions if key else self.positions
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (1, 1))

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) of the text, as the positions count lines: JSON breaks
        lines at LF only, YAML also at CR, NEL, LS and PS (which JSON strings may hold)."""
        if self._lines is None:  # split once: a file may have thousands of findings
            self._lines = self.text.split("\n") if self.format == "json" else self.text.splitlines()
        lines = self._lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def add(self, rule: str, severity: Severity, pos: Position, lang: Lang, **params: Any) -> None:
        self.findings.append(
            Finding(self.path, pos[0], pos[1], severity, rule, message(rule, lang, **params))
        )


class _Abort(Exception):
    """Internal: loading stops; the finding has already been recorded."""


def _position_of(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


_YAML_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


def _end(text: str) -> Position:
    """The position just after the last character, with lines counted as YAML counts them."""
    last_break = max(text.rfind(b) for b in _YAML_BREAKS)
    return sum(text.count(b) for b in _YAML_BREAKS) + 1, len(text) - last_break


def _clamp(text: str, pos: Position) -> Position:
    """``pos``, or the end of ``text`` when past it: libyaml puts the end of a file that
    has no final newline on the line after the last one."""
    end = _end(text)
    return pos if pos[0] <= end[0] else end
