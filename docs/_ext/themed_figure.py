"""``themed-figure``: one figure, drawn twice (light and dark), shown by furo's theme switch.

Usage in MyST::

    :::{themed-figure} pipeline
    キャプション
    :::

The files are ``_static/figures/<name>-light.svg`` and ``-dark.svg``. The alt text is
the ``<desc>`` of the light SVG unless ``:alt:`` is given, so the picture and its text
alternative come from one source.

Each picture is a link to its SVG file: on a phone the figure is scaled down to the
column (its text a few pixels high), and a tap opens it at full size, to zoom.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_desc(path: Path) -> str:
    root = ET.parse(path).getroot()
    desc = root.find(f"{SVG_NS}desc")
    return (desc.text or "").strip() if desc is not None else ""


class ThemedFigure(SphinxDirective):
    required_arguments = 1
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "alt": directives.unchanged,
        "width": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        figdir = Path(self.env.srcdir) / "_static" / "figures"
        light = figdir / f"{name}-light.svg"
        dark = figdir / f"{name}-dark.svg"
        for f in (light, dark):
            if not f.exists():
                raise self.error(f"themed-figure: {f} does not exist")
            self.env.note_dependency(str(f))
        alt = self.options.get("alt") or svg_desc(light)
        if not alt:
            raise self.error(f"themed-figure: {light.name} has no <desc> and no :alt: was given")
        figure = nodes.figure(classes=["themed-figure"])
        for f, cls in ((light, "only-light"), (dark, "only-dark")):
            static = f.relative_to(self.env.srcdir).as_posix()
            image = nodes.image(uri="/" + static, alt=alt, classes=[cls])
            if "width" in self.options:
                image["width"] = self.options["width"]
            # the link's address is relative to the page: set when the page is written
            link = nodes.reference("", "", classes=["pipespec-figure-zoom", cls])
            link["pipespec_static"] = static
            link["reftitle"] = "図を原寸で開く"
            link += image
            figure += link
        if self.content:
            caption_text = "\n".join(self.content)
            parsed, _messages = self.state.inline_text(caption_text, self.lineno)
            hint = nodes.inline(
                "", " (図をタップすると原寸で開きます)", classes=["pipespec-zoom-hint"]
            )
            figure += nodes.caption(caption_text, "", *parsed, hint)
        self.add_name(figure)
        return [figure]


def _link_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Point each figure's link at its SVG file, relative to the page being written."""
    for link in doctree.findall(nodes.reference):
        static = link.get("pipespec_static")
        if static:
            link["refuri"] = relative_uri(app.builder.get_target_uri(docname), static)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("themed-figure", ThemedFigure)
    app.connect("doctree-resolved", _link_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
