"""Publish pipespec's JSON Schemas on the site, at ``<base URL>schemas/<kind>.schema.json``.

The files are written at the end of every HTML build from the package data (what
``pipespec schema KIND`` prints), so the published schemas can never drift from the ones
pipespec validates with. Only ``$id`` changes: it becomes the URL the file is published at,
``html_baseurl`` (``PIPESPEC_BASE_URL`` in ``conf.py``) + ``schemas/<kind>.schema.json``.

Directive ``pipespec-schema-table``: a list of the kinds, their file names and the URLs of
their schemas (linked relative to the page, so the links work wherever the site is served).
The URLs are filled in when a page is written, from the configuration of that build, so a
cached doctree never shows the base URL of an earlier build.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from pipespec import catalog

SCHEMA_DIR = "schemas"
#: Marks the ``literal`` whose text :class:`SchemaURLs` sets to a kind's schema URL.
KIND_ATTR = "pipespec_schema_kind"


def schema_path(kind: str) -> str:
    """The path of a kind's schema on the site, relative to its root."""
    return f"{SCHEMA_DIR}/{kind}.schema.json"


def schema_url(base_url: str, kind: str) -> str:
    base = base_url if base_url.endswith("/") else base_url + "/"
    return base + schema_path(kind)


def published(base_url: str, kind: str) -> dict[str, Any]:
    """The schema of ``kind`` as published: the package's, with ``$id`` set to its URL."""
    schema = dict(catalog.schema(catalog.SCHEMA_KINDS[kind].schema))
    schema["$id"] = schema_url(base_url, kind)
    return schema


def _write_schemas(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir) / SCHEMA_DIR
    out.mkdir(parents=True, exist_ok=True)
    for kind in catalog.SCHEMA_KINDS:
        text = json.dumps(published(app.config.html_baseurl, kind), indent=2, ensure_ascii=False)
        (out / f"{kind}.schema.json").write_text(text + "\n", encoding="utf-8")


class SchemaTable(SphinxDirective):
    """One entry per kind of :data:`pipespec.catalog.SCHEMA_KINDS`: the kind and its file names,
    then the URL of its schema (a definition list: the URLs are too long for a table)."""

    def run(self) -> list[nodes.Node]:
        here = posixpath.dirname(self.env.docname)
        items = nodes.definition_list(classes=["pipespec-schema-table"])
        for kind in catalog.SCHEMA_KINDS.values():
            term = nodes.term()
            term += nodes.literal(text=kind.name)
            term += nodes.Text(" (")
            for i, pattern in enumerate(kind.patterns):
                shown = "imageDetail.json" if pattern == "imagedetail.json" else pattern
                if i:
                    term += nodes.Text("・")
                term += nodes.literal(text=shown)
            term += nodes.Text(")")
            url = nodes.literal(text=schema_path(kind.name), **{KIND_ATTR: kind.name})
            href = posixpath.relpath(schema_path(kind.name), here or ".")
            definition = nodes.definition()
            definition += nodes.paragraph("", "", nodes.reference("", "", url, refuri=href))
            items += nodes.definition_list_item("", term, definition)
        return [items]


class SchemaURLs(SphinxPostTransform):
    """Write each schema URL of the lists with this build's ``html_baseurl``."""

    default_priority = 100

    def run(self, **kwargs: Any) -> None:
        for node in self.document.findall(nodes.literal):
            kind = node.get(KIND_ATTR)
            if kind:
                node.children = []
                node += nodes.Text(schema_url(self.config.html_baseurl, kind))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("pipespec-schema-table", SchemaTable)
    app.add_post_transform(SchemaURLs)
    app.connect("build-finished", _write_schemas)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
