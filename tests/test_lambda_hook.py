"""The Lambda hook shown on docs/codedeploy/lambda.md reports its status to CodeDeploy."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

import pytest

HOOK = Path(__file__).resolve().parent.parent / "examples" / "lambda-bluegreen" / "hook.py"


class FakeCodeDeploy:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def put_lifecycle_event_hook_execution_status(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def test_hook_reports_succeeded(monkeypatch: pytest.MonkeyPatch) -> None:
    client = FakeCodeDeploy()
    fake_boto3 = types.ModuleType("boto3")
    fake_boto3.client = lambda name: client if name == "codedeploy" else None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "boto3", fake_boto3)
    spec = importlib.util.spec_from_file_location("hook", HOOK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.handler({"DeploymentId": "d-123", "LifecycleEventHookExecutionId": "e-456"}, None)
    assert client.calls == [
        {"deploymentId": "d-123", "lifecycleEventHookExecutionId": "e-456", "status": "Succeeded"}
    ]
