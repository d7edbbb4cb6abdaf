"""The pipeline declaration as the PL rules read it, and the examples they share."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from ...document import Document, NodePath
from ...findings import Severity

if TYPE_CHECKING:
    from ...context import Context

E, W = Severity.ERROR, Severity.WARNING
KIND = "pipeline"
EXAMPLE = "pipeline.json"

#: A complete declaration: a CodeCommit source and a CodeBuild build, both stages required.
DECLARATION: dict[str, Any] = {
    "name": "hello-world",
    "roleArn": "arn:aws:iam::123456789012:role/hello-world-pipeline",
    "artifactStore": {"type": "S3", "location": "hello-world-artifacts"},
    "stages": [
        {
            "name": "Source",
            "actions": [
                {
                    "name": "Source",
                    "actionTypeId": {"category": "Source", "owner": "AWS",
                                     "provider": "CodeCommit", "version": "1"},
                    "configuration": {"RepositoryName": "hello-world", "BranchName": "main"},
                    "outputArtifacts": [{"name": "SourceOutput"}],
                }
            ],
        },
        {
            "name": "Build",
            "actions": [
                {
                    "name": "Build",
                    "actionTypeId": {"category": "Build", "owner": "AWS",
                                     "provider": "CodeBuild", "version": "1"},
                    "configuration": {"ProjectName": "hello-world"},
                    "inputArtifacts": [{"name": "SourceOutput"}],
                    "outputArtifacts": [{"name": "BuildOutput"}],
                }
            ],
        },
    ],
}  # fmt: skip
GOOD = json.dumps({"pipeline": DECLARATION}, indent=2) + "\n"
METADATA = {
    "pipelineArn": "arn:aws:codepipeline:ap-northeast-1:123456789012:hello-world",
    "created": "2026-01-01T00:00:00+09:00",
    "updated": "2026-01-02T00:00:00+09:00",
}


# --------------------------------------------------------------------------- the declaration
#
# Facts, by source:
# [PS] CodePipeline User Guide, pipeline structure requirements (pipeline-requirements.html)
#      and the pipeline structure reference: stages, source actions, runOrder, stores.
# [AA] "Valid input and output artifacts for each action type" (reference-action-artifacts)
#      and each action's reference page (action-reference-<X>.html): providers, counts,
#      configuration keys.
# [QT] "Quotas in AWS CodePipeline" (limits.html): 2 to 50 stages, unique names.
# [BC] botocore's codepipeline model: name patterns; "Output artifact names must be unique
#      within a pipeline"; "The input artifact of an action must exactly match the output
#      artifact declared in a preceding action".


class Action(NamedTuple):
    """One action of the declaration: where it is, its stage (0-based) and runOrder."""

    path: NodePath
    stage: int
    run_order: int
    body: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.body.get("name", ""))

    @property
    def type(self) -> tuple[str, str, str]:
        """(owner, category, provider), "" for what is missing."""
        t = self.body.get("actionTypeId")
        t = t if isinstance(t, dict) else {}
        return str(t.get("owner", "")), str(t.get("category", "")), str(t.get("provider", ""))

    @property
    def configuration(self) -> dict[str, Any]:
        c = self.body.get("configuration")
        return c if isinstance(c, dict) else {}

    def artifacts(self, key: str) -> list[tuple[NodePath, str]]:
        """(path of the name, name) of each of ``inputArtifacts`` or ``outputArtifacts``."""
        items = self.body.get(key)
        return [
            ((*self.path, key, i, "name"), a["name"])
            for i, a in enumerate(items if isinstance(items, list) else [])
            if isinstance(a, dict) and isinstance(a.get("name"), str)
        ]


#: What only a CodePipeline file holds, for a ``pipeline.json`` that did not load.
_MARKS = re.compile(r'"(?:actionTypeId|artifactStores?|roleArn|pipeline)"\s*:')
#: Top-level keys only CodePipeline's files have.
_PIPELINE_KEYS = ("pipeline", "roleArn", "artifactStore", "artifactStores", "pipelineType")


def is_codepipeline(doc: Document) -> bool:
    """Whether a file named ``pipeline.json`` is CodePipeline's: a ``pipeline`` key,
    ``roleArn`` or an artifact store, or stages of ``actions``. The name is common (CI
    systems, Packer, ingest pipelines, other templates use it); a file of another tool is
    none of pipespec's business."""
    if not doc.ok:
        return bool(_MARKS.search(doc.text))
    data = doc.data
    if not isinstance(data, dict):
        return False
    if any(key in data for key in _PIPELINE_KEYS):
        return True
    found = data.get("stages")
    return isinstance(found, list) and any(
        isinstance(s, dict) and isinstance(s.get("actions"), list) for s in found
    )


def declaration(ctx: Context) -> tuple[NodePath, dict[str, Any]]:
    """(where the declaration is, the declaration): inside ``pipeline`` or the whole file."""
    inner = ctx.get("pipeline")
    if isinstance(inner, dict):
        return ("pipeline",), inner
    data = ctx.data
    return (), data if isinstance(data, dict) else {}


def stages(ctx: Context) -> list[tuple[NodePath, dict[str, Any]]]:
    at, decl = declaration(ctx)
    found = decl.get("stages")
    items = found if isinstance(found, list) else []
    return [((*at, "stages", i), s) for i, s in enumerate(items) if isinstance(s, dict)]


def actions(ctx: Context) -> list[Action]:
    out = []
    for n, (path, stage) in enumerate(stages(ctx)):
        items = stage.get("actions")
        for i, a in enumerate(items if isinstance(items, list) else []):
            if isinstance(a, dict):
                order = a.get("runOrder", 1)
                valid = isinstance(order, int) and not isinstance(order, bool)
                out.append(Action((*path, "actions", i), n, order if valid else 1, a))
    return out


def example(change: Callable[[dict[str, Any]], Any]) -> str:
    """The good declaration, wrapped, after ``change`` (applied to a deep copy)."""
    decl = copy.deepcopy(DECLARATION)
    change(decl)
    return json.dumps({"pipeline": decl}, indent=2) + "\n"


def action_of(decl: dict[str, Any], stage: int, n: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = decl["stages"][stage]["actions"][n]
    return found
