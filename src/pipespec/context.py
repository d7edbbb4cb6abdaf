"""What a rule sees: the document of a known kind (:class:`Context`), the CodeBuild
project a buildspec runs in (:class:`Project`), and one directory's checked files
(:class:`Entry`, :class:`Bundle`) for the cross-file rules.

Low in the house: the rules and :mod:`pipespec.check` import it; it imports neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .document import Document, Lang

if TYPE_CHECKING:
    from . import catalog


class Project(NamedTuple):
    """What a buildspec knows of the CodeBuild project that runs it."""

    #: the names of its environment variables
    variables: frozenset[str] = frozenset()
    #: the buildspec is written in the project (or template): the source is not beside it
    inline: bool = False
    #: the ``environment.image`` of each project that runs it (None: not a string), which
    #: decides what ``/bin/sh`` is (:mod:`pipespec.shelldialect`)
    images: tuple[str | None, ...] = ()


class Context:
    """What a rule's ``check`` sees: one loaded document of a known kind."""

    __slots__ = ("doc", "file", "kind", "lang", "platform", "project")

    def __init__(
        self, doc: Document, kind: catalog.Kind, platform: str | None = None,
        lang: Lang = "en", file: Path | None = None, project: Project | None = None,
    ) -> None:  # fmt: skip
        self.doc = doc
        self.kind = kind
        self.platform = platform
        self.lang: Lang = lang
        self.file = file
        #: a buildspec's CodeBuild project, when it is known
        self.project = project

    @property
    def data(self) -> Any:
        return self.doc.data

    def get(self, *path: str | int) -> Any:
        """The value at ``path``, or None when any step is missing or of another type."""
        node = self.doc.data
        for part in path:
            in_list = (
                isinstance(part, int) and isinstance(node, list) and -len(node) <= part < len(node)
            )
            in_map = isinstance(part, str) and isinstance(node, dict) and part in node
            if not (in_list or in_map):
                return None
            node = node[part]
        return node

    def mapping(self, *path: str | int) -> dict[str, Any]:
        value = self.get(*path)
        return value if isinstance(value, dict) else {}

    def sequence(self, *path: str | int) -> list[Any]:
        value = self.get(*path)
        return value if isinstance(value, list) else []


class Entry:
    """One checked file inside a bundle."""

    __slots__ = ("doc", "kind", "path", "platform")

    def __init__(
        self, path: str, kind: catalog.Kind, doc: Document, platform: str | None = None
    ) -> None:
        self.path = path
        self.kind = kind
        self.doc = doc
        self.platform = platform


class Bundle:
    """The checked files of one directory (a CodePipeline artifact root)."""

    __slots__ = ("directory", "entries")

    def __init__(self, directory: str, entries: list[Entry] | None = None) -> None:
        self.directory = directory
        self.entries: list[Entry] = entries if entries is not None else []

    def of(self, kind: str, platform: str | None = None) -> list[Entry]:
        return [
            e
            for e in self.entries
            if e.kind.name == kind and e.doc.ok and (platform is None or e.platform == platform)
        ]

    def first(self, kind: str, platform: str | None = None) -> Entry | None:
        found = self.of(kind, platform)
        return found[0] if found else None

    def entry(self, path: str) -> Entry:
        for e in self.entries:
            if e.path == path:
                return e
        raise KeyError(path)
