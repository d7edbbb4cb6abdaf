"""buildspec.yml rules (``BS1xx``), one module per group, each rule's data generating its
entry of the rule reference: :mod:`.structure` (BS101–BS113), :mod:`.artifacts` (BS115,
BS116, BS122); :mod:`.writes` reads what the commands write, for them and for the
cross-file rules. The shell rules (BS120, BS121, ShellCheck) are :mod:`pipespec.rules.shell`.
Facts: CodeBuild's build specification reference."""

from __future__ import annotations

from . import artifacts, structure
from .structure import BS, PHASES
from .writes import DEPLOY_INPUTS, command_items, session_writes, written_files

__all__ = ["BS", "DEPLOY_INPUTS", "PHASES", "artifacts", "command_items", "session_writes",
           "structure", "written_files"]  # fmt: skip
