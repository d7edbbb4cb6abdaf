"""``[tool.pipespec]`` in pyproject.toml: rules to ignore, everywhere or per path.

.. code-block:: toml

    [tool.pipespec]
    ignore = ["BS112"]                                  # everywhere
    per-path-ignores = { "legacy/**" = ["BS001"] }     # glob (relative to the file) -> IDs
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(Exception):
    """The configuration file is malformed (reported as a usage error)."""


@dataclass
class Settings:
    ignore: frozenset[str] = frozenset()
    per_path: dict[str, frozenset[str]] = field(default_factory=dict)
    source: Path | None = None

    def ignores(self, path: str, rule: str) -> bool:
        if rule in self.ignore:
            return True
        return any(
            rule in ids and (fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern + "/"))
            for pattern, ids in self.per_path.items()
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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
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
    return Settings(frozenset(ignore), {k: frozenset(v) for k, v in per_path.items()}, source=path)
