"""``[tool.pipespec]`` in pyproject.toml: rules to ignore, everywhere or per path.

.. code-block:: toml

    [tool.pipespec]
    ignore = ["BS112"]                                  # everywhere
    per-path-ignores = { "legacy/**" = ["BS001"] }     # glob (relative to the file) -> IDs
    shellcheck-disable = ["SC2086"]                    # ShellCheck codes never reported
    shellcheck-severity = "warning"                    # least severe level: error, warning,
                                                       # info (default) or style
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import NamedTuple


class ConfigError(Exception):
    """The configuration file is malformed (reported as a usage error)."""


class Settings(NamedTuple):
    ignore: frozenset[str] = frozenset()
    per_path: dict[str, frozenset[str]] = {}  # noqa: RUF012 - never mutated: read-only
    source: Path | None = None
    #: ShellCheck codes left out (``SC2086``) and the least severe ShellCheck level kept
    shellcheck_disable: frozenset[str] = frozenset()
    shellcheck_severity: str = "info"

    def ignores(self, path: str, rule: str) -> bool:
        if rule in self.ignore:
            return True
        return any(
            rule in ids and (fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern + "/"))
            for pattern, ids in self.per_path.items()
        )


#: Text that may start the tool.pipespec table: ``[tool.pipespec]``, dotted keys
#: (``tool.pipespec.ignore = …``, quoted or spaced), a ``[tool]`` table (which may have a
#: ``pipespec`` key), a root ``tool = {…}``, or a ``\u`` escape (which may spell a key).
#: A pyproject with none of these (most, pipespec's own included) is not parsed:
#: importing TOML costs ~2.5 ms at every start.
_MAY_CONFIGURE = re.compile(
    r"""["']?tool["']?\s*\.\s*["']?pipespec\b"""
    r"""|^\s*\[\s*["']?tool["']?\s*\]\s*(?:#.*)?$|^\s*["']?tool["']?\s*="""
    r"""|\\[uU]""",
    re.MULTILINE,
)


def find_pyproject(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(start: Path | None = None) -> Settings:
    """Settings from the nearest pyproject.toml at or above ``start`` (default: cwd)."""
    path = find_pyproject((start or Path.cwd()).absolute())
    if path is None:
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [tool.pipespec]: {exc}") from None
    if not _MAY_CONFIGURE.search(text):
        return Settings(source=path)  # nothing for us: skip parsing (and importing) TOML
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: cannot read [tool.pipespec]: {exc}") from None
    table = data.get("tool", {}).get("pipespec", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.pipespec] must be a table")
    ignore = table.get("ignore", [])
    per_path = table.get("per-path-ignores", {})
    if not (isinstance(ignore, list) and all(isinstance(i, str) for i in ignore)):
        raise ConfigError(f"{path}: tool.pipespec.ignore must be a list of rule IDs")
    if not isinstance(per_path, dict) or not all(
        isinstance(v, list) and all(isinstance(i, str) for i in v) for v in per_path.values()
    ):
        raise ConfigError(f"{path}: tool.pipespec.per-path-ignores must map globs to rule IDs")
    disable = table.get("shellcheck-disable", [])
    codes = [_sc_code(c) for c in disable] if isinstance(disable, list) else [None]
    if any(c is None for c in codes):
        raise ConfigError(
            f"{path}: tool.pipespec.shellcheck-disable must be a list of ShellCheck codes "
            '(like "SC2086")'
        )
    severity = table.get("shellcheck-severity", "info")
    if severity not in SHELLCHECK_LEVELS:
        raise ConfigError(
            f"{path}: tool.pipespec.shellcheck-severity must be one of "
            f"{', '.join(SHELLCHECK_LEVELS)}"
        )
    return Settings(
        frozenset(ignore), {k: frozenset(v) for k, v in per_path.items()}, source=path,
        shellcheck_disable=frozenset(c for c in codes if c), shellcheck_severity=severity,
    )  # fmt: skip


SHELLCHECK_LEVELS = ("error", "warning", "info", "style")


def _sc_code(value: object) -> str | None:
    """``SC2086``, ``2086`` and ``SH2086`` all name ShellCheck's SC2086."""
    m = re.fullmatch(r"(?:SC|SH)?(\d{4})", str(value).strip().upper())
    return f"SC{m.group(1)}" if m and not isinstance(value, bool) else None
