"""Drop the source line breaks that sit between two Japanese characters.

Japanese paragraphs are wrapped in the Markdown source, and a browser renders each
line break as a space: 「です。 次に」. This transform removes a newline (and the
indentation after it) when the characters on both sides are CJK, or when it follows
full-width punctuation (「。」「、」「）」…); every other newline stays a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

_CJK = r"\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\uff5e"
_PUNCT = "。、，．）」』】〕！？："
_BREAK = re.compile(rf"(?:(?<=[{_CJK}])\n[ \t]*(?=[{_CJK}])|(?<=[{_PUNCT}])\n[ \t]*)")


def join_lines(text: str, before: str = "", after: str = "") -> str:
    """``text`` without its Japanese-internal line breaks; ``before``/``after`` are context."""
    start, end = len(before), len(before) + len(text)

    def drop(m: re.Match[str]) -> str:
        return "" if start <= m.start() and m.end() <= end else m.group()

    joined = _BREAK.sub(drop, before + text + after)
    return joined[start : len(joined) - len(after)]


def _edge(siblings: Iterable[nodes.Node], *, last: bool) -> str:
    """The character next to a node: the nearest non-empty sibling's last or first one.

    A ``{ref}`` without explicit text still shows its label here (the title is filled in
    when references are resolved); it stands for a Japanese title, as on this site.
    """
    for sibling in siblings:
        if isinstance(sibling, addnodes.pending_xref) and not sibling.get("refexplicit"):
            return "\u3042"
        text = sibling.astext()
        if text:
            return text[-1] if last else text[0]
    return ""


class JoinCjkLines(SphinxTransform):
    default_priority = 800

    def apply(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.Text)):
            parent = node.parent
            if parent is None or isinstance(parent, nodes.FixedTextElement | nodes.literal):
                continue
            # MyST splits a paragraph into several Text nodes (a soft line break may be a
            # node of its own), so judge each node with one character of its neighbours.
            # Text nodes are str: compare by identity, not equality (list.index would not)
            index = next(i for i, child in enumerate(parent.children) if child is node)
            before = _edge(reversed(parent.children[:index]), last=True)
            after = _edge(parent.children[index + 1 :], last=False)
            text = str(node)
            joined = join_lines(text, before, after)
            if joined != text:
                replacement = nodes.Text(joined)
                replacement.parent = parent
                parent.children[index] = replacement


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(JoinCjkLines)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
