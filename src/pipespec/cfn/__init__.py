"""CloudFormation templates (kind ``cloudformation``).

pipespec does not check a template's shape (cfn-lint does that); it reads the resources
of the kinds it knows as the API would receive them and runs those kinds' semantic rules
on them, where their findings land on the template's own lines:

* each ``AWS::CodePipeline::Pipeline``, ``AWS::CodeDeploy::DeploymentGroup`` and
  ``AWS::CodeBuild::Project`` becomes the API's document (:mod:`.spec` maps the names);
  values written with intrinsic functions are opaque (:mod:`.opaque`): a rule that reads
  one reports nothing after it;
* each inline ``Source.BuildSpec`` (block, quoted or plain, or ``!Sub`` with its ``${...}``
  read as opaque tokens of the same length) is checked as a buildspec, its findings moved
  to the template's line and column (:mod:`pipespec.textmap`);
* the ``CF`` rules (:mod:`pipespec.rules.cloudformation`) check what only a template says:
  ``!Sub`` variables in a buildspec, the resources a pipeline's actions refer to.

The resources are also entries of the directory's bundle, so that the cross-file rules
read a template's pipeline, project or deployment group as they read ``pipeline.json``.
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING, Any

from ..document import Document
from ..findings import Finding
from .spec import MEMBERS, NOT_IN_TEMPLATES
from .template import Inline, Resource, ResourceDocument, Template, is_template, restore

if TYPE_CHECKING:
    from ..context import Context, Entry

__all__ = ["Inline", "Resource", "ResourceDocument", "Template", "entries", "findings",
           "is_template", "looks_like_template", "template_of", "worded"]  # fmt: skip

_TEMPLATES: weakref.WeakKeyDictionary[Document, Template] = weakref.WeakKeyDictionary()
_MARKS = re.compile(r"AWSTemplateFormatVersion|AWS::\w+::\w+")


def template_of(doc: Document) -> Template:
    """The :class:`Template` of a loaded template, made once."""
    found = _TEMPLATES.get(doc)
    if found is None:
        found = _TEMPLATES[doc] = Template(doc)
    return found


def looks_like_template(doc: Document) -> bool:
    """Whether a file of the kind is a template: its data says so, or, when it did not
    load, its text names a template's version or an AWS:: type."""
    if doc.ok:
        return is_template(doc.data)
    return bool(_MARKS.search(doc.text))


_WORD = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z]"
                   r"[A-Za-z0-9]*)*")  # fmt: skip
_HUMP = re.compile(r"[a-z0-9][A-Z]")


def worded(message: str) -> str:
    """A kind's message in CloudFormation's words: ``environment.privilegedMode`` becomes
    ``Environment.PrivilegedMode``, ``ecsServices`` ``ECSServices``; quoted values and
    plain words stay."""

    def rename(m: re.Match[str]) -> str:
        word = m.group()
        if word[0] in "'\"":
            return word
        parts = word.split(".")
        if (len(parts) > 1 or _HUMP.search(word)) and all(p in MEMBERS for p in parts):
            return ".".join(MEMBERS[p] for p in parts)
        return word

    return _WORD.sub(rename, message)


def findings(ctx: Context) -> list[Finding]:
    """The kinds' rules on each resource, and the inline buildspecs' findings."""
    from ..catalog import KINDS
    from ..check import rule_findings
    from ..context import Context as Ctx

    template = template_of(ctx.doc)
    out: list[Finding] = []
    for resource in template.resources:
        if resource.doc is None:
            continue
        rctx = Ctx(resource.doc, KINDS[resource.doc.kind], None, ctx.lang, ctx.file)
        mine = [i for i in template.inline if i.logical_id == resource.logical_id]
        for f in rule_findings(rctx, skip=NOT_IN_TEMPLATES, tracker=resource.doc.tracker):
            message = worded(f.message)
            for inline in mine:
                message = restore(message, inline)
            out.append(f._replace(message=message))
    for inline in template.inline:
        out += [f._replace(message=restore(f.message, inline))
                for f in _inline_findings(template, inline, ctx)]  # fmt: skip
    return out


def _inline_findings(template: Template, inline: Inline, ctx: Context) -> list[Finding]:
    from ..embedded import MAX_INLINE, check_inline, is_inline, project_variables
    from ..shelldialect import project_image
    from ..textmap import json_string_positions, lines_of, yaml_scalar_positions

    if not is_inline(inline.text):
        return []
    doc = template.doc
    start = doc.position(inline.path)
    positions = None
    if len(inline.value) <= MAX_INLINE:
        if doc.format == "json":
            positions = json_string_positions(doc.text, start)
        elif inline.path in doc.scalars:
            style, begin, end = doc.scalars[inline.path]
            lines = _LINES.get(doc)
            if lines is None:
                lines = _LINES[doc] = lines_of(doc.text)
            positions = yaml_scalar_positions(doc.text, style, begin, end, inline.value, lines)
    resource = next((r for r in template.resources if r.logical_id == inline.logical_id), None)
    names = project_variables(resource.doc.data) if resource and resource.doc else frozenset()
    image = project_image(resource.doc.data) if resource and resource.doc else None
    return check_inline(inline.text, doc, start, positions, ctx.lang, offsets=inline.offset,
                        opaque=inline.opaque if inline.variables else None,
                        variables=names, images=(image,))  # fmt: skip


_LINES: weakref.WeakKeyDictionary[Document, Any] = weakref.WeakKeyDictionary()


def entries(entry: Entry) -> list[Entry]:
    """The bundle entries of a template's pipelines, projects and deployment groups, each
    under a path of its own (``dir/template.yaml#Pipeline``) and its findings in the
    template."""
    from ..catalog import KINDS
    from ..context import Entry as E

    if not entry.doc.ok or entry.kind.name != "cloudformation":
        return []
    out = []
    for resource in template_of(entry.doc).resources:
        if resource.doc is not None:
            kind = KINDS[resource.doc.kind]
            out.append(E(f"{entry.path}#{resource.logical_id}", kind, resource.doc))
    return out
