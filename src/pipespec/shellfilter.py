"""ShellCheck's comments that do not fit a CodeBuild build: which are left out, which are info.

ShellCheck checks a shell script as any script; a buildspec's commands run in a setting
it does not see. :func:`level` keeps ShellCheck's level for a comment, or says why the
comment does not apply:

* **SC2164** (``cd`` without ``|| exit``) is left out when the ``cd``'s status is the
  command's own status (nothing after it runs: ``cd app``, ``if [ -d x ]; then cd x; fi``)
  or when an enclosing ``if [ -d DIR ]`` / ``test -d DIR`` has just checked that ``DIR``
  exists. CodeBuild checks every command's exit status and fails the phase when it is not
  0 ("Build phase transitions", build-spec-ref), so a failing ``cd`` there stops the build.
* **SC2046** (unquoted ``$(...)``) is left out when the substitution runs one of a few
  commands whose output is known (:func:`output`): a single word with no glob character
  (``$(nproc)``, ``$(date +%s)``, ``$(date +%Y%m%d)``, ``$(id -u)``) cannot be split or
  expanded anywhere; words without glob characters (``date``, ``pwd``) are harmless as
  arguments of ``echo``, which prints them joined by single blanks: AWS's own buildspecs
  write ``echo Build started on `date```.
* **SC2155** (``export X=$(cmd)`` hides ``cmd``'s exit status) is left out for those same
  commands: they do not fail.
* **SC2091** (``$(...)`` runs the output as a command) is left out for ``$(aws ecr
  get-login ...)``: that was the command's intended use, and BS121 reports its real
  problem (get-login is gone from AWS CLI version 2). One cause, one finding.
* **SC3000–SC3999** ("In POSIX sh, ... is undefined") depend only on which program
  ``/bin/sh`` is. When the image is not known (:mod:`pipespec.shelldialect`) they are
  info: on Amazon Linux images the construct works, on Ubuntu images it fails.
"""

from __future__ import annotations

import re
import shlex
from typing import Literal

#: ``aws ... ecr get-login`` (not get-login-password): BS121 reports it.
GET_LOGIN = re.compile(r"\baws\b[^\n;&|]*?\becr\s+get-login(?![\w-])")
#: ShellCheck's portability codes: "In POSIX sh, X is undefined" (SC3001 to SC3099 today).
DIALECT_CODES = range(3000, 4000)

Output = Literal["word", "words"]

_SUBSTITUTION = re.compile(r"\A(?:\$\((?P<a>[^()]*)\)|`(?P<b>[^`]*)`)\Z")
_GLOB = set("*?[]")
_SEPARATORS = re.compile(r"(?:;|&&|\|\||\||&|\(|\{|\bthen\b|\bdo\b|\belse\b|\n)")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=\S*\Z")
_SUBSTITUTIONS = re.compile(r"\$\([^()]*\)|`[^`]*`")
_QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")
#: date(1) conversions whose text may hold blanks: %c %r %x %X (locale forms), %e %k %l
#: (blank-padded), %n %t (line break, tab), %+ (date(1) format)
_BLANK_CONVERSIONS = set("crxXekln t+")


def _date_format(fmt: str) -> Output | None:
    """What ``date +fmt`` prints (None: a glob character is possible)."""
    literal = re.sub(r"%[-_0^#]*[0-9]*[EO]?.", "", fmt)
    if _GLOB & set(literal):
        return None
    blanks = any(ch.isspace() for ch in literal)
    for m in re.finditer(r"%([-_0^#]*)[0-9]*[EO]?(.)", fmt):
        if "_" in m.group(1) or m.group(2) in _BLANK_CONVERSIONS:
            blanks = True
    return "words" if blanks else "word"


def _date(args: list[str]) -> Output | None:
    shown: Output = "words"  # Mon Jan  1 00:00:00 UTC 2024
    for arg in args:
        if arg in ("-u", "--utc", "--universal"):
            continue
        if arg in ("-R", "--rfc-email") or arg.startswith("--rfc-3339="):
            shown = "words"
        elif arg.startswith(("-I", "--iso-8601")):
            shown = "word"
        elif arg.startswith("+"):
            found = _date_format(arg[1:])
            if found is None:
                return None
            shown = found
        else:
            return None  # -d, -f, -r ...: prints what another input says
    return shown


_SIMPLE: dict[str, dict[tuple[str, ...], Output]] = {
    "nproc": {(): "word", ("--all",): "word"},
    "whoami": {(): "word"},
    "id": {(f,): "word" for f in ("-u", "-g", "-un", "-gn", "-nu", "-ng")},
    "uname": {(): "word", **{(f,): "word" for f in ("-s", "-m", "-r", "-n", "-p", "-i", "-o")},
              ("-a",): "words"},
    # the working directory: under CODEBUILD_SRC_DIR, whose names CodeBuild makes of
    # letters, digits and - _ . /; blanks are possible in general, so "words"
    "pwd": {(): "words", ("-L",): "words", ("-P",): "words"},
}  # fmt: skip


def output(inner: str) -> Output | None:
    """What a substitution's command prints: ``"word"`` (one word, no glob character),
    ``"words"`` (blank-separated words, no glob character), or None (not known)."""
    if any(ch in inner for ch in "$`|;&<>(){}\\\n"):
        return None  # not one plain command
    try:
        words = shlex.split(inner)
    except ValueError:
        return None
    if not words:
        return None
    name, args = words[0], words[1:]
    if name == "date":
        return _date(args)
    return _SIMPLE.get(name, {}).get(tuple(args))


def substitution(text: str) -> str | None:
    """The command inside ``$(...)`` or backquotes, when ``text`` is exactly one of them."""
    m = _SUBSTITUTION.match(text.strip())
    if m is None:
        return None
    return m.group("a") if m.group("a") is not None else m.group("b")


def _head(prefix: str) -> str:
    """The first word of the simple command that ``prefix`` (a line up to a point) is in,
    skipping leading assignments."""
    words = _QUOTED.sub("x", _SUBSTITUTIONS.sub("x", prefix))  # earlier words, made plain
    tail = _SEPARATORS.split(words)[-1]
    for word in tail.split():
        if not _ASSIGNMENT.match(word):
            return word
    return ""


def _cd_target(rest: str) -> tuple[str | None, int]:
    """``cd``'s argument at the start of ``rest`` and where the statement ends."""
    m = re.match(r"cd(?:[ \t]+(?:-[LPe@]+[ \t]+)*([^\s;&|)]+))?[ \t]*", rest)
    if m is None:
        return None, 0
    arg = m.group(1)
    return (arg.strip("'\"") if arg else None), m.end()


_CLOSING = re.compile(r"\A(?:\s|;|#[^\n]*|\bfi\b|\besac\b|\}|\))*\Z")


def cd_fails_the_command(text: str, offset: int) -> bool:
    """Whether a ``cd`` at ``offset`` of a command cannot fail unseen: its status is the
    command's (only closing keywords follow it) or ``[ -d DIR ]`` has checked its DIR."""
    arg, end = _cd_target(text[offset:])
    if _CLOSING.match(text[offset + end :]):
        return True
    if arg is None:
        return False  # cd to $HOME
    before = text[:offset]
    guard = re.escape(arg)
    tests = list(
        re.finditer(rf"\bif\s+(?:\[\[?|test)\s+-d\s+[\"']?{guard}[\"']?(?=[\s\];])", before)
    )
    if not tests:
        return False
    between = before[tests[-1].end() :]
    return not re.search(r"\b(?:fi|else|elif)\b", between)


def level(
    code: int, level: str, *, line: str, column: int, end_column: int, known_dialect: bool
) -> str | None:
    """ShellCheck's ``level`` for SC``code`` at ``column``..``end_column`` of the script
    ``line`` in a CodeBuild build, or None when the comment does not apply (SC2164 is
    :func:`cd_fails_the_command`'s, asked with the whole command's text)."""
    span = line[column - 1 : end_column - 1] if 0 < column <= end_column else ""
    if code == 2046:
        inner = substitution(span)
        shown = output(inner) if inner is not None else None
        if shown == "word" or (shown == "words" and _head(line[: column - 1]) == "echo"):
            return None
    elif code == 2155:
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*=(\"?)(\$\([^()]*\)|`[^`]*`)\1(?=\s|;|$)",
                     line[column - 1 :])  # fmt: skip
        inner = substitution(m.group(2)) if m else None
        if inner is not None and output(inner) is not None:
            return None
    elif code == 2091:
        if GET_LOGIN.search(span):
            return None
    elif code in DIALECT_CODES and not known_dialect:
        return "info"
    return level
