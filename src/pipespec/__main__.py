"""``python -m pipespec``."""

from .cli import entry

entry()
