"""Configuration files: ``pipespec.toml``, ``.pipespec.toml`` or ``[tool.pipespec]`` in
``pyproject.toml``; rules to select and ignore, everywhere or per path, and ShellCheck's
settings.

.. code-block:: toml

    # pipespec.toml (or .pipespec.toml): the keys at the top level;
    # in pyproject.toml, the same keys under [tool.pipespec]
    select = ["BS", "AS1"]                             # only these rules (IDs or prefixes)
    ignore = ["BS112"]                                 # never these (IDs or prefixes)
    per-path-ignores = { "legacy/**" = ["BS001"] }     # glob (relative to this file) -> IDs
    shellcheck-disable = ["SC2086"]                    # ShellCheck codes never reported
    shellcheck-severity = "warning"                    # least severe level: error, warning,
                                                       # info (default) or style

Each checked file uses the nearest configuration at or above its directory
(:class:`Configs`). In one directory, ``.pipespec.toml`` comes first, then
``pipespec.toml``, then ``pyproject.toml`` when it has a ``[tool.pipespec]`` table (ruff's
order: ``.ruff.toml``, ``ruff.toml``, ``pyproject.toml``); the first found is the whole
configuration (nothing is merged from further up). Unknown keys and unknown rule IDs are
errors with a did-you-mean.

Rule selection is ruff's: a selector is a rule ID or a prefix of IDs (``BS``, ``AS1``);
for each rule, the longest selector that matches it decides, ``ignore`` winning a tie;
``--select`` on the command line replaces the file's ``select``, ``--ignore`` adds to its
``ignore``. The errors that say a file could not be read or checked (``LD`` and ``PS``
errors) are never left out by ``select``, only by an ``ignore`` that names them: a
selection must not turn a file that does not parse into a pass.

TOML is parsed by :mod:`tomllib` (imported only when a candidate file exists).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple


class ConfigError(Exception):
    """The configuration file is malformed (reported as a usage error)."""


class UnknownRule(ConfigError):
    """A selector that selects no rule (:func:`parse_selectors`)."""

    def __init__(self, message: str, value: str = "") -> None:
        super().__init__(message)
        self.value = value


#: The file names looked for in each directory, in this order (the first found is used).
CONFIG_NAMES = (".pipespec.toml", "pipespec.toml", "pyproject.toml")
#: The keys a configuration may have.
KEYS = ("select", "ignore", "per-path-ignores", "shellcheck-disable", "shellcheck-severity")
SHELLCHECK_LEVELS = ("error", "warning", "info", "style")

Selectors = frozenset[str]


class Settings(NamedTuple):
    ignore: Selectors = frozenset()
    per_path: dict[str, Selectors] = {}  # noqa: RUF012 - never mutated: read-only
    #: the configuration file these settings come from (None: the defaults)
    source: Path | None = None
    #: ShellCheck codes left out (``SC2086``) and the least severe ShellCheck level kept
    shellcheck_disable: frozenset[str] = frozenset()
    shellcheck_severity: str = "info"
    #: only these rules (None: every rule)
    select: Selectors | None = None
    #: the command line's ``--select`` (None: not given) and ``--ignore``, over the above
    cli_select: Selectors | None = None
    cli_ignore: Selectors = frozenset()

    @property
    def root(self) -> str | None:
        """The directory that per-path globs are relative to: the configuration file's."""
        return os.path.dirname(os.path.abspath(self.source)) if self.source else None

    def relative(self, file: Path | None, shown: str) -> str:
        """The path of ``file`` that the per-path globs are matched against: relative to
        :attr:`root` (absolute when it is not under it), else the path as shown."""
        root = self.root
        if root is None or file is None:
            return shown
        absolute = os.path.abspath(file)
        prefix = root.rstrip(os.sep) + os.sep
        if absolute.startswith(prefix):
            return absolute[len(prefix) :].replace(os.sep, "/")
        return absolute.replace(os.sep, "/")

    def selects(self, rule: str, *, always: bool = False) -> bool:
        """Whether ``rule`` is selected; ``always``: a finding ``select`` does not leave out."""
        layers = ((self.select, self.ignore), (self.cli_select, self.cli_ignore))
        return _selected(rule, layers, always)

    def ignores(self, path: str, rule: str, *, always: bool = False) -> bool:
        """Whether a finding of ``rule`` in ``path`` (:meth:`relative`) is left out."""
        if not self.selects(rule, always=always):
            return True
        return any(
            _matches(rule, ids)
            and (fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern + "/"))
            for pattern, ids in self.per_path.items()
        )

    def with_cli(self, select: Selectors | None, ignore: Selectors) -> Settings:
        return self._replace(cli_select=select, cli_ignore=ignore)


def _matches(rule: str, selectors: Iterable[str]) -> bool:
    return any(rule.startswith(s) for s in selectors)


@cache
def _selected(
    rule: str, layers: tuple[tuple[Selectors | None, Selectors], ...], always: bool
) -> bool:
    on = True
    for select, ignore in layers:
        best = max(
            [(len(s), 0) for s in select or () if rule.startswith(s)]
            + [(len(s), 1) for s in ignore if rule.startswith(s)],
            default=None,
        )
        if best is not None:
            on = best[1] == 0
        elif select is not None:
            on = always
    return on


# --------------------------------------------------------------------------- finding files


def find(directory: Path) -> Path | None:
    """The configuration file that applies in ``directory``: the first of
    :data:`CONFIG_NAMES` at or above it (a pyproject.toml only with ``[tool.pipespec]``)."""
    configs = Configs()
    found = configs.for_directory(str(directory.absolute()))
    return found.source


def load(start: Path | None = None) -> Settings:
    """The settings of the nearest configuration at or above ``start`` (default: cwd)."""
    return Configs().for_directory(str((start or Path.cwd()).absolute()))


class Configs:
    """The settings of each checked file: the nearest configuration above it, or the one
    file given (``--config``), or none (``--no-config``); with the command line's
    ``--select`` and ``--ignore`` over them. Each directory is looked up once."""

    def __init__(
        self, config: Path | None = None, *, enabled: bool = True,
        select: Selectors | None = None, ignore: Selectors = frozenset(),
    ) -> None:  # fmt: skip
        self.cli = (select, ignore)
        self.fixed: Settings | None = None
        if config is not None:
            self.fixed = read(config, explicit=True)
        elif not enabled:
            self.fixed = Settings()
        self._by_dir: dict[str, Settings] = {}

    def for_file(self, file: Path) -> Settings:
        return self.for_directory(os.path.dirname(os.path.abspath(file)))

    def for_directory(self, directory: str) -> Settings:
        if self.fixed is not None:
            return self.fixed.with_cli(*self.cli)
        visited = []
        found: Settings | None = None
        current = directory
        while True:
            if current in self._by_dir:
                found = self._by_dir[current]
                break
            visited.append(current)
            found = self._here(current)
            if found is not None:
                break
            parent = os.path.dirname(current)
            if parent == current:
                found = Settings()
                break
            current = parent
        found = found.with_cli(*self.cli)
        for d in visited:
            self._by_dir[d] = found
        return found

    @staticmethod
    def _here(directory: str) -> Settings | None:
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                settings = read(Path(candidate))
                if settings is not None:
                    return settings
        return None


# --------------------------------------------------------------------------- reading files


def read(path: Path, *, explicit: bool = False) -> Settings | None:
    """The settings of one configuration file; None for a pyproject.toml without
    ``[tool.pipespec]`` (an error instead when the file was ``explicit``, given by name)."""
    from .document import MAX_BYTES

    try:
        with open(path, "rb") as fh:  # no more than a checked file (--config /dev/zero)
            raw = fh.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise ConfigError(
                f"{_shown(path)}: cannot read the configuration: it is larger than the "
                f"{MAX_BYTES} byte limit"
            )
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_shown(path)}: cannot read the configuration: {exc}") from None
    import tomllib  # ~2.5 ms: only once there is a file to read

    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib recurses into each nested array and inline table
        raise ConfigError(f"{_shown(path)}: invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r" \(at line (\d+), column (\d+)\)$", message)
        where = f"{_shown(path)}:{m.group(1)}:{m.group(2)}" if m else _shown(path)
        raise ConfigError(
            f"{where}: invalid TOML: {message[: m.start()] if m else message}"
        ) from None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        table = tool.get("pipespec") if isinstance(tool, dict) else None
        if table is None:
            if explicit:
                raise ConfigError(f"{_shown(path)}: no [tool.pipespec] table")
            return None
        return _Reader(
            path, text, "tool.pipespec.", r"^\s*\[\s*tool\s*\.\s*pipespec\s*\]"
        ).settings(table)
    return _Reader(path, text, "", None).settings(data)


def _shown(path: Path) -> str:
    """A configuration file's path in a message: relative to the current directory when
    it is under it."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd().rstrip(os.sep) + os.sep
    return absolute[len(cwd) :] if absolute.startswith(cwd) else str(path)


class _Reader:
    """One configuration table, checked key by key; errors point at the line when the
    key or value can be found in the text."""

    def __init__(self, path: Path, text: str, prefix: str, header: str | None) -> None:
        self.path, self.text, self.prefix = path, text, prefix
        m = re.search(header, text, re.MULTILINE) if header else None
        self.start = m.end() if m else 0

    def error(self, message: str, needle: str | None = None) -> ConfigError:
        where = _shown(self.path)
        if needle is not None:
            m = re.compile(needle, re.MULTILINE).search(self.text, self.start) or re.compile(
                needle, re.MULTILINE
            ).search(self.text)
            if m:
                line = self.text.count("\n", 0, m.start()) + 1
                column = m.start() - (self.text.rfind("\n", 0, m.start()) + 1) + 1
                where = f"{where}:{line}:{column}"
        return ConfigError(f"{where}: {message}")

    def key(self, name: str) -> str:
        return rf"""(?<![\w-])["']?{re.escape(name)}["']?\s*="""

    def settings(self, table: Any) -> Settings:
        if not isinstance(table, dict):
            raise self.error(f"{self.prefix.rstrip('.') or 'the configuration'} must be a table")
        for name in table:
            if name not in KEYS:
                from .schema import suggest

                hint = suggest(name, KEYS)
                table_name = " in [tool.pipespec]" if self.prefix else ""
                raise self.error(
                    f"unknown key {name!r}{table_name}"
                    + (f"; did you mean {hint!r}?" if hint else f" (known: {', '.join(KEYS)})"),
                    self.key(name),
                )
        select = self.selectors(table, "select") if "select" in table else None
        ignore = self.selectors(table, "ignore")
        per_path = table.get("per-path-ignores", {})
        if not isinstance(per_path, dict) or not all(
            isinstance(v, list) for v in per_path.values()
        ):
            raise self.error(
                f"{self.prefix}per-path-ignores must map globs to lists of rule IDs",
                self.key("per-path-ignores"),
            )
        globs = {
            str(glob): self.selectors(per_path, glob, label="per-path-ignores") for glob in per_path
        }
        disable = table.get("shellcheck-disable", [])
        codes = [_sc_code(c) for c in disable] if isinstance(disable, list) else [None]
        if any(c is None for c in codes):
            raise self.error(
                f"{self.prefix}shellcheck-disable must be a list of ShellCheck codes "
                '(like "SC2086")',
                self.key("shellcheck-disable"),
            )
        severity = table.get("shellcheck-severity", "info")
        if severity not in SHELLCHECK_LEVELS:
            raise self.error(
                f"{self.prefix}shellcheck-severity must be one of {', '.join(SHELLCHECK_LEVELS)}",
                self.key("shellcheck-severity"),
            )
        return Settings(
            ignore, globs, source=self.path,
            shellcheck_disable=frozenset(c for c in codes if c), shellcheck_severity=severity,
            select=select,
        )  # fmt: skip

    def selectors(self, table: dict[str, Any], name: str, label: str | None = None) -> Selectors:
        values = table.get(name, [])
        what = f"{self.prefix}{label or name}"
        if not (isinstance(values, list) and all(isinstance(i, str) for i in values)):
            raise self.error(f"{what} must be a list of rule IDs", self.key(label or name))
        try:
            return parse_selectors(values)
        except UnknownRule as exc:
            needle = rf"""["']{re.escape(exc.value)}["']"""
            raise self.error(f"{what}: {exc}", needle) from None


# --------------------------------------------------------------------------- rule IDs


def parse_selectors(values: Iterable[str]) -> Selectors:
    """Rule IDs and prefixes (``BS112``, ``BS1``, ``XF``), checked against the registry;
    :class:`UnknownRule` for one that selects no rule."""
    out = set()
    for raw in values:
        value = raw.strip().upper()
        if not value:
            continue
        if not _known(value):
            hint = _close(value)
            raise UnknownRule(
                f"unknown rule {raw!r}"
                + (f"; did you mean {hint!r}?" if hint else f" (IDs start with {prefixes_hint()})"),
                raw,
            )
        out.add(value)
    return frozenset(out)


#: The rule modules that register the rules of an ID prefix (the kind's, the bundle's).
def _modules_of(prefix: str) -> str | None:
    from . import catalog

    for kind in catalog.KINDS.values():
        if kind.prefix == prefix:
            return kind.name
    return {"XF": "bundle", "SH": "buildspec", "LD": "", "PS": ""}.get(prefix)


def _known(selector: str) -> bool:
    """A prefix of some rule's ID (of at least the two letters), or of a ShellCheck code
    (``SH`` and up to four digits: every ShellCheck code is a rule)."""
    if not re.fullmatch(r"[A-Z]{2}[0-9]{0,4}", selector):
        return False
    if re.fullmatch(r"SH[0-9]{0,4}", selector):
        return True
    kind = _modules_of(selector[:2])
    if kind is None:
        return False
    from .rules import _REGISTRY, load_kind

    load_kind(kind)  # the kind's rules only: the whole registry costs ~30 ms
    return any(rule_id.startswith(selector) for rule_id in _REGISTRY)


def _close(selector: str) -> str | None:
    import difflib

    from .rules import load_all

    ids = sorted(load_all())
    prefixes = sorted({i[:2] for i in ids})
    if len(selector) <= 2:
        pool = prefixes
    elif selector[:2] in prefixes:  # a known prefix: the number is what is wrong
        pool = [i for i in ids if i.startswith(selector[:2])]
    else:
        pool = ids
    close = difflib.get_close_matches(selector, pool, n=1, cutoff=0.75)
    return close[0] if close else None


def prefixes_hint() -> str:
    """What rule IDs start with, for a message."""
    from .rules import load_all

    return ", ".join(sorted({i[:2] for i in load_all()}))


def _sc_code(value: object) -> str | None:
    """``SC2086``, ``2086`` and ``SH2086`` all name ShellCheck's SC2086."""
    m = re.fullmatch(r"(?:SC|SH)?(\d{4})", str(value).strip().upper())
    return f"SC{m.group(1)}" if m and not isinstance(value, bool) else None
