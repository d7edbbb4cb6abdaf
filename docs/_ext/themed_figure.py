"""``themed-figure``: one figure, drawn twice (light and dark), shown by furo's theme switch.

Usage in MyST::

    :::{themed-figure} pipeline
    キャプション
    :::

The files are ``_static/figures/<name>-light.svg`` and ``-dark.svg``. The alt text is
the ``<desc>`` of the light SVG unless ``:alt:`` is given, so the picture and its text
alternative come from one source.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

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
            rel = "/" + f.relative_to(self.env.srcdir).as_posix()
            image = nodes.image(uri=rel, alt=alt, classes=[cls])
            if "width" in self.options:
                image["width"] = self.options["width"]
            figure += image
        if self.content:
            caption_text = "\n".join(self.content)
            parsed, _messages = self.state.inline_text(caption_text, self.lineno)
            figure += nodes.caption(caption_text, "", *parsed)
        self.add_name(figure)
        return [figure]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("themed-figure", ThemedFigure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
