"""Golden cases in the actionlint style.

* every directory under ``tests/data/ok/`` checks clean: no finding at all;
* every ``tests/data/err/<case>/`` holds files and ``expected.out``, one expected
  ``path:line:col: severity: message [ID]`` per line (English, paths from the repo root).

``python -m pytest tests/test_golden.py --update-goldens`` rewrites the expected outputs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipespec.check import check_paths

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
OK = sorted(p for p in (DATA / "ok").iterdir() if p.is_dir()) if (DATA / "ok").exists() else []
ERR = sorted(p for p in (DATA / "err").iterdir() if p.is_dir()) if (DATA / "err").exists() else []


def run(case: Path) -> list[str]:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = check_paths([case.relative_to(ROOT)], lang="en")
    finally:
        os.chdir(cwd)
    return [f.format() for f in result.findings]


@pytest.mark.parametrize("case", OK, ids=[p.name for p in OK])
def test_ok(case: Path) -> None:
    assert run(case) == []


@pytest.mark.parametrize("case", ERR, ids=[p.name for p in ERR])
def test_err(case: Path, request: pytest.FixtureRequest) -> None:
    golden = case / "expected.out"
    actual = run(case)
    if request.config.getoption("--update-goldens"):
        golden.write_text("".join(line + "\n" for line in actual), encoding="utf-8")
    assert golden.exists(), f"{golden.relative_to(ROOT)} is missing (run with --update-goldens)"
    assert actual == golden.read_text(encoding="utf-8").splitlines()
    # the case's name starts with the rule it is about, and that rule fires
    assert any(line.endswith(f"[{case.name.split('-')[0]}]") for line in actual)


def test_there_are_cases() -> None:
    assert len(OK) >= 3 and len(ERR) >= 10
