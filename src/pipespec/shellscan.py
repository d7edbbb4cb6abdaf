"""What a shell command reads and assigns: a small scanner of sh and bash words.

:func:`scan` walks one command's text and returns its events (a variable read, assigned,
tested as a guard, or something that may set anything: ``source``, ``eval``, ``export
$(...)``), for BS120 and BS121 (:mod:`pipespec.rules.shell`). It is no parser: quoting,
substitutions and here-strings are followed far enough to tell a read from a literal, and
whatever it cannot follow is reported as opaque.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from .shell import _NAME


class Event(NamedTuple):
    """Something a command does with a variable, at ``offset`` in the command's text."""

    kind: Literal["read", "assign", "guard", "opaque"]
    name: str
    offset: int


_SPECIAL = set("@*#?-$!0123456789")
_WORD_END = set(" \t\n;&|()<>")
_DECLARE = frozenset({"export", "readonly", "local", "declare", "typeset"})
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\+?=")
#: An arithmetic expression of ``let`` that assigns: ``X=1``, ``"X = 1 + 2"``, ``X+=2``, ``X++``.
_LET = re.compile(r"[\"']?\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\+\+|--|(?:[-+*/%&|^]|<<|>>)?=(?!=))")
#: Redirection operators (after an optional file descriptor number, which is a word).
_REDIRECT = re.compile(r"&>>?|<<<|>>|>&|<&|>\||<>|[<>]")
#: Characters that mean nothing special inside a word, or inside double quotes.
_PLAIN_RUN = re.compile(r"[^ \t\n;&|()<>\\'\"$`]+")
_DOUBLE_RUN = re.compile(r'[^"\\$`]+')


class _Scanner:
    """A small shell lexer: quotes, comments, ``$name``/``${name…}``, command substitution,
    here-documents, assignments at command position, ``read``/``for`` targets, and the
    commands after which nothing can be said about variables (``source``, ``.``, ``eval``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.events: list[Event] = []
        self.heredocs: list[tuple[str, bool, bool]] = []  # (delimiter, quoted, strip tabs)

    def run(self) -> list[Event]:
        self.normal(0, closing=None)
        return self.events

    # -- contexts --------------------------------------------------------------

    def normal(self, i: int, closing: str | None) -> int:
        """Unquoted text from ``i`` until ``closing`` (``)`` of ``$(``) or the end."""
        t = self.text
        depth = 0
        command_position = True
        words: list[str] = []  # words of the current simple command so far
        redirect = False  # the next word is the target of a redirection
        while i < len(t):
            ch = t[i]
            if ch == "\n":
                i = self.read_heredocs(i + 1)
                command_position, words, redirect = True, [], False
                continue
            if ch in " \t":
                i += 1
                continue
            if ch == "<" and t.startswith("<<", i) and not t.startswith("<<<", i):
                i = self.heredoc_header(i + 2)
                continue
            m = _REDIRECT.match(t, i)
            if m:
                i, redirect = m.end(), True
                continue
            if ch == "#":
                end = t.find("\n", i)
                i = len(t) if end < 0 else end
                continue
            if ch in ";&|":
                command_position, words = True, []
                i += 1
                continue
            if ch == "(":
                depth += 1
                command_position, words = True, []
                i += 1
                continue
            if ch == ")":
                if closing == ")" and depth == 0:
                    return i + 1
                depth = max(depth - 1, 0)
                command_position, words = True, []  # after a case pattern: its commands
                i += 1
                continue
            start = i
            before = len(self.events)
            i = self.word(i)
            word = t[start:i]
            if redirect:
                redirect = False
                continue
            if self.is_test_operand(words, i):
                # [ -z "$X" ], test -n "$X", [ "$X" ]: a check, and a guard for later reads
                self.events[before:] = [
                    Event("guard", e.name, e.offset) if e.kind == "read" else e
                    for e in self.events[before:]
                ]
            self.classify(word, start, command_position, words)
            words.append(word)
            command_position = self.still_command_position(word, command_position, words)
        return i

    def is_test_operand(self, words: list[str], end: int) -> bool:
        """The word just read is what ``[``/``test`` checks for being empty or set."""
        k = 0
        while k < len(words) and words[k] in _KEYWORDS:
            k += 1  # if [ ... ], ! test ...
        words = words[k:]
        if not words or words[0] not in ("[", "[[", "test"):
            return False
        if words[-1] in ("-z", "-n"):
            return True
        if len(words) != 1:
            return False
        rest = self.text[end:].lstrip(" \t")
        return not rest or rest[0] in ";&|\n)" or rest.startswith("]")

    def still_command_position(self, word: str, before: bool, words: list[str]) -> bool:
        """After a keyword or an assignment (``A=1 B=2 make``), a command may still follow."""
        return before and (word in _KEYWORDS or _ASSIGN.match(word) is not None)

    def classify(self, word: str, offset: int, command_position: bool, words: list[str]) -> None:
        """Assignments, ``read``/``for`` targets and opaque commands, from a finished word."""
        first = next((w for w in words if not _ASSIGN.match(w) and w not in _KEYWORDS), None)
        m = _ASSIGN.match(word)
        if m and (command_position or first in _DECLARE):
            self.events.append(Event("assign", m.group(1), offset))
            return
        if command_position and word in (".", "source", "eval"):
            self.events.append(Event("opaque", word, offset))
            return
        if first in _DECLARE and word.startswith("$"):
            self.events.append(Event("opaque", word, offset))  # export $(cat .env)
            return
        if first == "read" and _NAME.fullmatch(word):
            self.events.append(Event("assign", word, offset))
            return
        if first in ("for", "select") and len(words) == 1 and _NAME.fullmatch(word):
            self.events.append(Event("assign", word, offset))
            return
        if first == "getopts" and len(words) == 2 and _NAME.fullmatch(word):
            self.events.append(Event("assign", word, offset))
            return
        # bash: mapfile/readarray ARRAY, printf -v NAME, let NAME=..., coproc NAME { ...; }
        if first == "let" and (m := _LET.match(word)):
            self.events.append(Event("assign", m.group(1), offset))
        elif _NAME.fullmatch(word) and (
            first in ("mapfile", "readarray")
            or (first == "printf" and words[-1] == "-v")
            or (first == "coproc" and len(words) == 1)
        ):
            self.events.append(Event("assign", word, offset))

    def word(self, i: int) -> int:
        """One word from ``i``: quotes and expansions inside it are followed."""
        t = self.text
        while i < len(t) and t[i] not in _WORD_END:
            plain = _PLAIN_RUN.match(t, i)
            if plain:  # a run of ordinary characters at once
                i = plain.end()
            elif t[i] == "'":
                end = t.find("'", i + 1)
                i = len(t) if end < 0 else end + 1
            elif t[i] == '"':
                i = self.double(i + 1)
            else:
                i = self.special(i)
        return i

    def double(self, i: int) -> int:
        """Inside double quotes from ``i``; returns the offset after the closing quote."""
        t = self.text
        while i < len(t):
            if t[i] == '"':
                return i + 1
            plain = _DOUBLE_RUN.match(t, i)
            i = plain.end() if plain else self.special(i)
        return i

    def special(self, i: int) -> int:
        """A backslash, ``$`` or backquote at ``i`` (what a word and double quotes share;
        anything else there was a plain run); returns the offset after what it starts."""
        ch = self.text[i]
        if ch == "\\":
            return i + 2
        if ch == "$":
            return self.dollar(i)
        assert ch == "`", ch
        return self.backtick(i)

    def backtick(self, i: int) -> int:
        """A `command substitution` at ``i``: scan its inside; return the offset after it."""
        t = self.text
        end = t.find("`", i + 1)
        stop = len(t) if end < 0 else end
        inner = _Scanner(t[i + 1 : stop])
        self.events += [Event(e.kind, e.name, e.offset + i + 1) for e in inner.run()]
        return stop + 1

    def dollar(self, i: int) -> int:
        """An expansion at ``i`` (the ``$``); records what it reads or assigns."""
        t = self.text
        nxt = t[i + 1] if i + 1 < len(t) else ""
        if nxt == "(":
            if t.startswith("$((", i):
                end = t.find("))", i + 3)
                stop = len(t) if end < 0 else end
                self.arithmetic(i + 3, stop)
                return stop + 2
            return self.normal(i + 2, closing=")")
        if nxt == "'":  # $'…' (bash): no expansion inside
            j = i + 2
            while j < len(t) and t[j] != "'":
                j += 2 if t[j] == "\\" else 1
            return j + 1
        if nxt == "{":
            return self.braced(i)
        m = _NAME.match(t, i + 1)
        if m:
            self.events.append(Event("read", m.group(), i))
            return m.end()
        return i + 2 if nxt in _SPECIAL else i + 1

    def braced(self, i: int) -> int:
        """``${…}`` at ``i``: a plain read, or a read that the operator makes safe."""
        t = self.text
        j = i + 2
        if j < len(t) and t[j] in "#!":
            j += 1
        m = _NAME.match(t, j)
        if m:
            after = t[m.end() : m.end() + 2]
            op = after[1:2] if after[:1] == ":" else after[:1]
            if op in ("=",):
                self.events.append(Event("assign", m.group(), i))
            elif op not in ("-", "+", "?"):
                self.events.append(Event("read", m.group(), i))
            j = m.end()
        # the rest up to the matching brace may hold more expansions
        depth = 1
        while j < len(t) and depth:
            ch = t[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if not depth:
                    return j + 1
            elif ch == "$":
                j = self.dollar(j)
                continue
            elif ch == "'":
                end = t.find("'", j + 1)
                j = len(t) if end < 0 else end + 1
                continue
            elif ch == '"':
                j = self.double(j + 1)
                continue
            j += 1
        return j

    def arithmetic(self, i: int, stop: int) -> None:
        while i < stop:
            if self.text[i] == "$":
                i = self.dollar(i)
            else:
                i += 1

    def heredoc_header(self, i: int) -> int:
        t = self.text
        strip = i < len(t) and t[i] == "-"
        if strip:
            i += 1
        while i < len(t) and t[i] in " \t":
            i += 1
        start = i
        while i < len(t) and t[i] not in _WORD_END:
            i += 1
        raw = t[start:i]
        quoted = any(q in raw for q in "'\"\\")
        delimiter = raw.replace("'", "").replace('"', "").replace("\\", "")
        if delimiter:
            self.heredocs.append((delimiter, quoted, strip))
        return i

    def read_heredocs(self, i: int) -> int:
        """Skip (or scan, when expanding) the bodies of pending here-documents from ``i``."""
        t = self.text
        for delimiter, quoted, strip in self.heredocs:
            while i < len(t):
                end = t.find("\n", i)
                end = len(t) if end < 0 else end
                line = t[i:end]
                if (line.lstrip("\t") if strip else line) == delimiter:
                    i = end + 1
                    break
                if not quoted:
                    j = i
                    while j < end:
                        if t[j] == "\\":
                            j += 2
                        elif t[j] == "$":
                            j = self.dollar(j)
                        else:
                            j += 1
                i = end + 1
        self.heredocs = []
        return min(i, len(t))


def scan(text: str) -> list[Event]:
    """What the shell text reads and assigns, in order (offsets into ``text``)."""
    try:
        return _Scanner(text).run()
    except RecursionError:  # absurdly nested $( … ): say nothing rather than guess
        return [Event("opaque", "", 0)]
