"""Per-page "last updated" dates taken from git, read with a single ``git log`` call.

Pages not yet committed (or a tree without git) fall back to Sphinx's build date.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def commit_dates(srcdir: Path) -> dict[str, datetime]:
    """Map each file under ``srcdir`` (relative posix path) to its last commit time."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=srcdir,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        out = subprocess.run(
            ["git", "log", "--format=@%ct", "--name-only", "--", "."],
            cwd=srcdir,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[str, datetime] = {}
    current: datetime | None = None
    for line in out.splitlines():
        if line.startswith("@"):
            current = datetime.fromtimestamp(int(line[1:]), tz=UTC)
        elif line and current is not None:
            path = (Path(top) / line).resolve()
            try:
                rel = path.relative_to(srcdir.resolve()).as_posix()
            except ValueError:
                continue
            dates.setdefault(rel, current)  # git log is newest first
    return dates


def _on_builder_inited(app: Sphinx) -> None:
    app.env.git_dates = commit_dates(Path(app.srcdir))  # type: ignore[attr-defined]


def _on_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    dates: dict[str, datetime] = getattr(app.env, "git_dates", {})
    source = context.get("sourcename", "")
    rel = source[: -len(".txt")] if source.endswith(".txt") else source
    when = dates.get(rel)
    if when is not None:
        context["last_updated"] = when.strftime(app.config.html_last_updated_fmt or "%Y-%m-%d")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
