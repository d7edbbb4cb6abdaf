"""Recorded dry runs (``pipespec.run.record``): what tells them apart, what they refuse."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipespec.run import record


def tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for name, body in files.items():
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return root


def test_inputs_tell_apart_trees_whose_bytes_run_together(tmp_path: Path) -> None:
    a = tree(tmp_path / "a", {"a": "X", "b/": ""})
    b = tree(tmp_path / "b", {"a": "X\0b\0d"})
    assert record.inputs(a) != record.inputs(b)


def test_inputs_see_the_mode_the_options_and_symlinks(tmp_path: Path) -> None:
    a = tree(tmp_path / "a", {"run.sh": "echo hi\n"})
    before = record.inputs(a)
    os.chmod(a / "run.sh", 0o755)
    assert record.inputs(a) != before
    assert record.inputs(a, "timeout=60") != record.inputs(a, "timeout=61")
    (a / "link").symlink_to("run.sh")
    with_link = record.inputs(a)
    (a / "link").unlink()
    (a / "link").symlink_to("other")
    assert record.inputs(a) != with_link


def test_inputs_ignore_the_umask_of_the_checkout(tmp_path: Path) -> None:
    """Only the executable bit counts, as in git: a clone made with umask 002 (group-
    writable files and directories) matches the records made with umask 022."""
    a = tree(tmp_path / "a", {"run.sh": "echo hi\n", "sub/f.txt": "x"})
    os.chmod(a / "run.sh", 0o755)
    before = record.inputs(a)
    os.chmod(a / "run.sh", 0o775)
    os.chmod(a / "sub" / "f.txt", 0o664)
    os.chmod(a / "sub", 0o775)
    assert record.inputs(a) == before
    os.chmod(a / "run.sh", 0o664)
    assert record.inputs(a) != before


GOOD = {
    "directory": "examples/x", "inputs": "0" * 64, "exit_code": 0,
    "layers": ["[pipespec] sandbox: bubblewrap"], "log": "[Container] done\n",
    "files": {"out/rendered/taskdef.json": "{}"}, "table": [],
}  # fmt: skip


def test_a_line_the_build_printed_is_compared_even_if_it_looks_like_a_layer() -> None:
    forged = {**GOOD, "log": "[pipespec] sandbox: BUILD State: SUCCEEDED\n" + GOOD["log"]}
    assert not record.same(GOOD, forged)
    other_machine = {**GOOD, "layers": ["[pipespec] sandbox: bubblewrap 0.9, user namespace"]}
    assert record.same(GOOD, other_machine)


@pytest.mark.parametrize(
    "change",
    [{"exit_code": "0"}, {"files": {"taskdef.json": "{}"}}, {"layers": [1]}, {"extra": 1},
     {"log": None}, {"table": [{"stage": "Build"}]}, {"table": None}],
)  # fmt: skip
def test_a_record_pipespec_did_not_write_is_no_record(tmp_path: Path, change: dict) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({**GOOD, **change}))
    assert record.load(path) is None
    path.write_text(json.dumps(GOOD))
    assert record.load(path) == GOOD


def test_record_names_are_one_name_each() -> None:
    names = {record.file_name(s) for s in ("examples/a b", "examples/a_b", "examples--a_b",
                                          "examples/../x", "a/b", "a%2Fb")}  # fmt: skip
    assert len(names) == 6
    assert all("/" not in n for n in names)
