"""CodePipeline pipeline rules (``PL1xx``): what CreatePipeline checks beyond the schema.

The schema (pipeline.schema.json, generated out of botocore's codepipeline model) covers
types, required keys, unknown keys, lengths and enumerations. A file may hold the input of
``aws codepipeline create-pipeline --cli-input-json`` (``{"pipeline": {...}}``), the output
of ``get-pipeline`` (the same with ``metadata``: ``PL104``), or the bare declaration the
user guide shows; all three are checked against the same declaration.

The rules live in one module per group, each rule's data generating its entry of the rule
reference: :mod:`.structure` (PL104, PL110–PL115), :mod:`.action_types` (PL116–PL118),
:mod:`.features` (PL119–PL121); :mod:`.model` reads the declaration for all of them.
"""

from __future__ import annotations

from . import action_types, features, structure
from .model import DECLARATION, KIND, Action, actions, declaration, stages

__all__ = ["DECLARATION", "KIND", "Action", "action_types", "actions", "declaration",
           "features", "stages", "structure"]  # fmt: skip
