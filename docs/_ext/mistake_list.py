"""``mistake-list``: an index of every よくある間違い box on the site, built from the boxes.

A box is an admonition with the class ``mistake`` and an explicit label::

    (mistake-json-comments)=
    :::{admonition} よくある間違い: ...
    :class: warning mistake
    ...
    :::

Every box is collected while pages are read; the directive is replaced by a table of
links (title, page, example file) when pages are resolved, so the index cannot miss one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective


class mistake_list(nodes.General, nodes.Element):
    pass


class MistakeListDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [mistake_list("")]


def _entries(env: BuildEnvironment) -> list[dict[str, str]]:
    if not hasattr(env, "pipespec_mistakes"):
        env.pipespec_mistakes = []  # type: ignore[attr-defined]
    result: list[dict[str, str]] = env.pipespec_mistakes  # type: ignore[attr-defined]
    return result


def _collect(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    srcdir = Path(app.srcdir)
    for node in doctree.findall(nodes.admonition):
        if "mistake" not in node["classes"]:
            continue
        title = node.next_node(nodes.title)
        if not node["ids"] or title is None:
            raise ValueError(
                f"{env.docname}: a mistake admonition needs an explicit label and a title"
            )
        files = []
        for block in node.findall(nodes.literal_block):
            source = block.get("source")
            if source:
                try:
                    files.append(Path(source).resolve().relative_to(srcdir.parent).as_posix())
                except ValueError:
                    files.append(Path(source).name)
        _entries(env).append(
            {
                "docname": env.docname,
                "id": node["ids"][-1],
                "title": title.astext().removeprefix("よくある間違い: "),
                "files": ", ".join(files),
            }
        )


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    env.pipespec_mistakes = [e for e in _entries(env) if e["docname"] != docname]  # type: ignore[attr-defined]


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _entries(env).extend(_entries(other))


def _resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    entries = sorted(_entries(app.env), key=lambda e: (e["docname"], e["id"]))
    for node in list(doctree.findall(mistake_list)):
        table = nodes.table(classes=["mistake-list"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (50, 25, 25):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        body = nodes.tbody()
        group += body
        header = nodes.row()
        for text in ("間違い", "ページ", "誤った形のファイル"):
            header += nodes.entry("", nodes.paragraph(text=text))
        head += header
        for e in entries:
            row = nodes.row()
            uri = app.builder.get_relative_uri(fromdocname, e["docname"]) + "#" + e["id"]
            link = nodes.reference("", e["title"], internal=True, refuri=uri)
            row += nodes.entry("", nodes.paragraph("", "", link))
            page_title = app.env.titles[e["docname"]].astext()
            page_uri = app.builder.get_relative_uri(fromdocname, e["docname"])
            page = nodes.reference("", page_title, internal=True, refuri=page_uri)
            row += nodes.entry("", nodes.paragraph("", "", page))
            row += nodes.entry("", nodes.paragraph("", "", nodes.literal(text=e["files"])))
            body += row
        node.replace_self(table if entries else nodes.paragraph(text="(なし)"))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(mistake_list)
    app.add_directive("mistake-list", MistakeListDirective)
    app.connect("doctree-read", _collect)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-resolved", _resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
