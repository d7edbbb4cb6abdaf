"""Documents inside documents: a buildspec written inline in a CodeBuild project.

``source.buildspec`` of ``aws codebuild create-project`` input "can be either an inline
buildspec definition, the path to an alternate buildspec file relative to the value of the
built-in CODEBUILD_SRC_DIR environment variable, or the path to an S3 bucket" (botocore's
codebuild model, ProjectSource.buildspec). An inline one is checked as a buildspec, and
each finding is moved to the line and column inside the JSON string where its text is, so
``codebuild-project.json:5:31`` points at the very ``preBuild`` of ``"...\\n  preBuild:..."``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .document import Document, Lang, NodePath, Position, message
from .findings import Finding, Severity
from .textmap import BREAKS, StringMap, json_string_positions

__all__ = ["StringMap", "buildspec_file", "check_inline", "findings", "inline_buildspecs",
           "is_inline", "json_string_positions", "moved", "project_variables",
           "variable_names"]  # fmt: skip

if TYPE_CHECKING:
    from .context import Context

#: Where a project holds its buildspec.
BUILDSPEC_PATHS: tuple[NodePath, ...] = (("source", "buildspec"),)


#: ProjectSources holds at most 12 sources (botocore's codebuild model), and the source
#: itself is one more.
MAX_SOURCES = 13
#: Inline buildspecs longer than this are not checked (LD006): a real one is a few
#: kilobytes, and a 9 MB one cost a gigabyte to compose.
MAX_INLINE = 1024 * 1024


def is_inline(value: str) -> bool:
    """Whether ``source.buildspec`` is a buildspec itself (not a path or an S3 ARN): YAML
    on several lines, or YAML or JSON that declares its phases."""
    text = value.strip()
    return ("\n" in text or text.startswith(("version:", "version :")) or "phases:" in text
            or (text.startswith("{") and '"phases"' in text))  # fmt: skip


def variable_names(items: Any) -> frozenset[str]:
    """The names of a list of environment variables, ``[{name, value, type}]``."""
    return frozenset(
        v["name"] for v in (items if isinstance(items, list) else [])
        if isinstance(v, dict) and isinstance(v.get("name"), str)
    )  # fmt: skip


def project_variables(data: Any) -> frozenset[str]:
    """The names of a project's ``environment.environmentVariables``."""
    env = data.get("environment") if isinstance(data, dict) else None
    return variable_names(env.get("environmentVariables") if isinstance(env, dict) else None)


def buildspec_file(data: Any) -> str | None:
    """The file name of the buildspec a project runs from its primary source (CodeBuild's
    default ``buildspec.yml`` when ``source.buildspec`` is absent or empty); None when it is
    inline or in S3."""
    source = data.get("source") if isinstance(data, dict) else None
    value = source.get("buildspec") if isinstance(source, dict) else None
    if value is None or value == "":
        return "buildspec.yml"
    if not isinstance(value, str) or is_inline(value) or value.startswith("arn:"):
        return None
    return value.rstrip("/").rsplit("/", 1)[-1]


def inline_buildspecs(ctx: Context) -> list[tuple[NodePath, str]]:
    """(path of the string, the buildspec's text) of each inline buildspec of a project."""
    found = []
    sources: list[tuple[NodePath, Any]] = [(("source",), ctx.get("source"))]
    for i, s in enumerate(ctx.sequence("secondarySources")[: MAX_SOURCES - 1]):
        sources.append((("secondarySources", i), s))
    for at, source in sources:
        value = source.get("buildspec") if isinstance(source, dict) else None
        if isinstance(value, str) and is_inline(value):
            found.append(((*at, "buildspec"), value))
    return found


def moved(finding: Finding, doc: Document, positions: StringMap, text: str,
          offsets: Callable[[int], int] | None = None) -> Finding:  # fmt: skip
    """``finding`` (of the inline text) at its place in ``doc``; ``offsets`` turns an
    offset in ``text`` into one in the string ``positions`` maps (when they differ)."""
    offset = offset_of(finding, text)
    line, column = positions.at(offsets(offset) if offsets else offset)
    return finding._replace(path=doc.path, line=line, column=column)


def offset_of(finding: Finding, text: str) -> int:
    """Where in ``text`` a finding of it points (lines counted as YAML counts them)."""
    starts = [0] + [m.end() for m in BREAKS.finditer(text)]
    row = min(max(finding.line, 1), len(starts)) - 1
    return starts[row] + max(finding.column, 1) - 1


def check_inline(
    text: str, doc: Document, start: Position, positions: StringMap | None, lang: Lang,
    *, offsets: Callable[[int], int] | None = None,
    opaque: Callable[[int], bool] | None = None, variables: frozenset[str] = frozenset(),
    images: tuple[str | None, ...] = (),
) -> list[Finding]:  # fmt: skip
    """The buildspec findings of ``text``, written in ``doc`` at ``start`` (where each
    character is, when ``positions`` knows); a finding whose offset is ``opaque`` (in a
    value only CloudFormation knows) is left out. ``variables`` and ``images`` are those of
    the project it is written in."""
    from .check import check_text
    from .context import Project

    if len(text) > MAX_INLINE:
        return [Finding(doc.path, start[0], start[1], Severity.ERROR, "LD006",
                        message("LD006", lang, limit=MAX_INLINE))]  # fmt: skip
    out: list[Finding] = []
    project = Project(variables, inline=True, images=images)
    for f in check_text(text, "buildspec", path="buildspec.yml", lang=lang, project=project):
        if opaque is not None and opaque(offset_of(f, text)):
            continue
        if positions is not None and len(positions) > 1:
            out.append(moved(f, doc, positions, text, offsets))
        else:
            out.append(f._replace(path=doc.path, line=start[0], column=start[1]))
    return out


def findings(ctx: Context) -> list[Finding]:
    """The buildspec findings of every inline buildspec of a CodeBuild project."""
    from .shelldialect import project_image

    out: list[Finding] = []
    for path, text in inline_buildspecs(ctx):
        start = ctx.doc.position(path)
        positions = (
            json_string_positions(ctx.doc.text, start)
            if ctx.doc.format == "json" and len(text) <= MAX_INLINE
            else None
        )
        out += check_inline(
            text, ctx.doc, start, positions, ctx.lang, variables=project_variables(ctx.data),
            images=(project_image(ctx.data),),
        )  # fmt: skip
    return out
