"""pipespec: validate and dry-run AWS CodeBuild/CodeDeploy/ECS pipeline files."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
