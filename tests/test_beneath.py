"""run.beneath: nothing outside the root is opened, with openat2 and with the portable walk."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipespec.run import beneath


@pytest.fixture(params=["openat2", "walk"])
def impl(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(beneath, "use_openat2", None if request.param == "openat2" else False)
    yield request.param


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/ with a file, a subdirectory, inner and outer symlinks; outside/ beside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("secret")
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "file").write_text("inside")
    (root / "sub" / "deep").write_text("deep")
    os.symlink("sub/deep", root / "inner")  # stays beneath
    os.symlink("../file", root / "sub" / "up")  # .. but still beneath
    os.symlink("sub", root / "subdir-link")
    os.symlink(str(outside / "secret"), root / "absolute")
    os.symlink("../outside/secret", root / "relative-out")
    os.symlink("sub/../../outside", root / "dir-out")
    os.symlink("/proc/self/environ", root / "environ")
    os.symlink("loop", root / "loop")
    os.mkfifo(root / "fifo")
    return root


def read(root: Path, rel: str) -> bytes:
    fd = beneath.open_root(root)
    try:
        return beneath.read_regular(fd, rel, 1000)
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("rel", "content"),
    [("file", b"inside"), ("sub/deep", b"deep"), ("inner", b"deep"), ("sub/up", b"inside"),
     ("subdir-link/deep", b"deep"), ("sub/../file", b"inside"), ("./sub/./deep", b"deep")],
)  # fmt: skip
def test_paths_that_stay_beneath_are_read(impl: str, tree: Path, rel: str, content: bytes) -> None:
    assert read(tree, rel) == content


@pytest.mark.parametrize(
    "rel",
    ["absolute", "relative-out", "dir-out/secret", "environ", "../outside/secret",
     "sub/../../outside/secret", "/etc/passwd"],
)  # fmt: skip
def test_paths_that_leave_are_refused(impl: str, tree: Path, rel: str) -> None:
    with pytest.raises(beneath.Escape):
        read(tree, rel)


def test_a_symlink_loop_is_an_error_not_a_hang(impl: str, tree: Path) -> None:
    with pytest.raises(OSError) as info:
        read(tree, "loop")
    assert not isinstance(info.value, beneath.Escape)


def test_only_regular_files_are_read_and_a_fifo_does_not_block(impl: str, tree: Path) -> None:
    with pytest.raises(beneath.NotRegular, match="FIFO"):
        read(tree, "fifo")
    with pytest.raises(beneath.NotRegular, match="directory"):
        read(tree, "sub")


def test_the_limit_is_checked_on_the_apparent_size(impl: str, tmp_path: Path) -> None:
    sparse = tmp_path / "sparse"
    with open(sparse, "wb") as fh:
        fh.truncate(20 * 1024**3)  # 20 GiB that occupy no blocks
    with pytest.raises(beneath.TooLarge):
        read(tmp_path, "sparse")


def test_walk_never_follows_symlinks(tree: Path) -> None:
    fd = beneath.open_root(tree)
    try:
        entries = {e.path: e for e in beneath.walk(fd, 100)}
    finally:
        os.close(fd)
    assert "dir-out/secret" not in entries and "subdir-link/deep" not in entries
    assert entries["dir-out"].is_symlink and entries["sub"].is_dir
    assert entries["sub/deep"].is_file and entries["sub/deep"].size == 4
    with pytest.raises(beneath.TooLarge):
        list(beneath.walk(os.open(tree, os.O_RDONLY), 3))


def test_write_new_never_writes_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "victim"
    target.write_text("keep")
    os.symlink(target, tmp_path / "out" / "link")
    os.symlink(tmp_path, tmp_path / "out" / "dirlink")
    fd = beneath.open_root(tmp_path / "out")
    try:
        with pytest.raises(FileExistsError):
            beneath.write_new(fd, "link", b"pwned")
        with pytest.raises(OSError):
            beneath.write_new(fd, "dirlink/victim2", b"pwned")
        with pytest.raises(beneath.Escape):
            beneath.write_new(fd, "../victim3", b"pwned")
        beneath.write_new(fd, "a/b/c.txt", b"ok")
    finally:
        os.close(fd)
    assert target.read_text() == "keep"
    assert not (tmp_path / "victim2").exists() and not (tmp_path / "victim3").exists()
    assert (tmp_path / "out" / "a" / "b" / "c.txt").read_bytes() == b"ok"


# -------------------------------------------------- the two implementations agree

NAMES = st.sampled_from(["a", "b", "c", "..", "."])
TARGETS = st.lists(NAMES, min_size=1, max_size=4).map("/".join) | st.just("/tmp")


@settings(max_examples=150, deadline=None)
@given(
    links=st.lists(st.tuples(st.sampled_from(["a", "b/l", "c", "b/m"]), TARGETS), max_size=4),
    query=st.lists(NAMES, min_size=1, max_size=5).map("/".join),
)
def test_openat2_and_the_walk_agree_and_never_leave(
    tmp_path_factory: pytest.TempPathFactory, links: list[tuple[str, str]], query: str
) -> None:
    base = tmp_path_factory.mktemp("agree")
    (base / "outside").write_text("outside")
    root = base / "root"
    (root / "b").mkdir(parents=True)
    (root / "b" / "f").write_text("f")
    for name, target in links:
        if not os.path.lexists(root / name):
            os.symlink(target, root / name)
    inside = {(s.st_dev, s.st_ino) for s in _stats(root)}
    answers = []
    for mode in (None, False):
        beneath.use_openat2 = mode
        rootfd = beneath.open_root(root)
        try:
            fd = beneath.open_beneath(rootfd, query, os.O_RDONLY)
        except beneath.Escape:
            answers.append("escape")
            os.close(rootfd)
        except OSError as exc:
            answers.append(f"errno {exc.errno}")
            os.close(rootfd)
        else:
            os.close(rootfd)
            st_ = os.fstat(fd)
            os.close(fd)
            assert (st_.st_dev, st_.st_ino) in inside, query
            answers.append(f"inode {st_.st_ino}")
    beneath.use_openat2 = None
    assert answers[0] == answers[1], (query, links, answers)


def _stats(root: Path) -> Iterator[os.stat_result]:
    yield root.stat()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            if not p.is_symlink():
                yield p.stat()


def test_walk_holds_two_descriptors_whatever_the_tree(tmp_path: Path) -> None:
    """3,000 sibling directories and a chain 1,500 deep, under a descriptor limit of 64."""
    import resource

    for i in range(3000):
        (tmp_path / f"d{i}").mkdir()
    deep = tmp_path / "deep"
    deep.mkdir()
    fd = os.open(deep, os.O_RDONLY)
    for _ in range(1500):  # deeper than PATH_MAX lets a path name, made from descriptors
        os.mkdir("x", dir_fd=fd)
        sub = os.open("x", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = sub
    os.close(fd)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    root = beneath.open_root(tmp_path)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
    try:
        entries = list(beneath.walk(root, 10_000))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        os.close(root)
        # pytest's own clean-up of old temporary directories recurses: remove it here
        subprocess.run(["rm", "-rf", "--", str(deep)], check=True)
    assert len(entries) == 3000 + 1 + 1500


def test_walk_notes_a_directory_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "locked" / "inside").mkdir(parents=True)
    (tmp_path / "open").mkdir()
    errors: list[str] = []
    root = beneath.open_root(tmp_path)
    real = os.listdir

    def refuse(fd: object) -> list[str]:  # as an unprivileged user meets a mode-000 directory
        if isinstance(fd, int) and os.path.samefile(f"/proc/self/fd/{fd}", tmp_path / "locked"):
            raise PermissionError(13, "Permission denied")
        return real(fd)  # type: ignore[arg-type]

    try:
        import unittest.mock

        with unittest.mock.patch.object(os, "listdir", refuse):
            entries = [e.path for e in beneath.walk(root, 100, errors=errors)]
    finally:
        os.close(root)
    assert entries == ["locked", "open"] and errors == ["locked: Permission denied"]
