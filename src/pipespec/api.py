"""The Python API, as small as the CLI.

>>> from pipespec.api import check_text
>>> [f.rule for f in check_text("version: 0.2\\nphases:\\n  preBuild:\\n    commands: [make]\\n",
...                             kind="buildspec")]
['BS101']
"""

from __future__ import annotations

from .check import Result, UsageError, check_paths, check_text
from .findings import Finding, Severity

__all__ = ["Finding", "Result", "Severity", "UsageError", "check_paths", "check_text"]
