"""`pipespec check --jobs`: chunked, parallel checking gives exactly the serial result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipespec import parallel, shellcheck
from pipespec.check import check_paths
from pipespec.parallel import check_tree

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_chunks_keep_directories_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK_FILES", 3)
    for i in range(4):
        shutil.copytree(EXAMPLES / "ecs-bluegreen", tmp_path / f"d{i}")
    groups = list(parallel.chunks(parallel.discover([tmp_path])))
    assert len(groups) > 1
    for group in groups:
        for other in groups:
            if other is not group:
                assert not {p.parent for p in group} & {p.parent for p in other}


@pytest.mark.parametrize("jobs", [1, 2])
def test_same_findings_as_check_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(parallel, "CHUNK_FILES", 4)
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    expected = check_paths(["examples"])
    got = check_tree(["examples"], jobs=jobs)
    assert got.files == expected.files
    assert [f.format() for f in got.findings] == [f.format() for f in expected.findings]
    assert any(f.rule == "BS101" for f in got.findings)  # the mistakes are in there
    # ShellCheck's findings too: with jobs=1 they arrive a chunk late (see check_tree)
    assert any(f.rule == "SH2086" for f in got.findings) or shellcheck.find_shellcheck() is None
