"""The dry run's sandbox: it fails closed, its layers are really in force when the report
says so, its limits stop a build, and nothing it starts outlives it (under load too).

The malicious source trees are in ``tests/hostile-pr/`` (``test_hostile_pr.py``); these are
the tests that need a knob the command line does not have.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import processes_with

from pipespec.run import RunOptions, RunResult, SandboxError, build, confine, dry_run, sandbox

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
IN_CI = bool(os.environ.get("CI"))

needs_bwrap = pytest.mark.skipif(
    not sandbox.isolation().ok and not IN_CI,
    reason=f"no sandbox here: {sandbox.isolation().problem}",
)
needs_landlock = pytest.mark.skipif(sandbox.landlock_abi() < 1, reason="no Landlock in this kernel")


def run_commands(
    tmp_path: Path, *commands: str, unsafe: bool = False, timeout: float = 20,
    env: dict[str, str] | None = None, **limits: int,
) -> tuple[RunResult, str]:  # fmt: skip
    src = tmp_path / "src"
    src.mkdir()
    quoted = "\n".join("      - " + _yaml_quote(c) for c in commands)
    (src / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    on-failure: CONTINUE\n    commands:\n"
        f"{quoted}\nartifacts:\n  files: [result]\n"
    )
    opts = RunOptions(timeout=timeout, unsafe_no_sandbox=unsafe, env=env or {},
                      limits=sandbox.Limits(**limits))  # fmt: skip
    result = dry_run(src, tmp_path / "out", opts)
    path = tmp_path / "out" / "artifacts" / "result"
    return result, path.read_text() if path.exists() else ""


def _yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# ----------------------------------------------------------------------------- fail closed


def _cli(args: list[str], path: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path, "LANG": "C.UTF-8", "HOME": "/nonexistent"}
    return subprocess.run([sys.executable, "-m", "pipespec", *args], capture_output=True,
                          text=True, env=env, timeout=120)  # fmt: skip


def test_without_bubblewrap_run_refuses_and_says_how_to_get_it(tmp_path: Path) -> None:
    empty = tmp_path / "bin"  # a PATH where no bwrap is
    empty.mkdir()
    done = _cli(["run", str(EXAMPLES / "ecs-bluegreen"), "--out", str(tmp_path / "out")],
                str(empty))  # fmt: skip
    assert done.returncode == 2, done
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pipespec: error: "), done.stderr
    assert "bubblewrap (bwrap) is not installed" in lines[0]
    assert "apt-get install bubblewrap" in lines[0] and "--unsafe-no-sandbox" in lines[0]
    assert not (tmp_path / "out").exists()  # nothing ran, nothing was written


def test_unsafe_no_sandbox_runs_without_bubblewrap_and_says_so_loudly(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    done = _cli(["run", str(EXAMPLES / "ecs-bluegreen"), "--out", str(tmp_path / "out"),
                 "--unsafe-no-sandbox"], str(empty))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING: --unsafe-no-sandbox" in done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("[pipespec] WARNING: --unsafe-no-sandbox: the commands ran WITHOUT")
    assert "[pipespec] sandbox: NO bubblewrap" in done.stdout
    assert (tmp_path / "out" / "rendered" / "Deploy" / "taskdef.json").is_file()


@needs_bwrap
def test_the_log_starts_with_the_layers_in_force(tmp_path: Path) -> None:
    result = dry_run(EXAMPLES / "ecs-bluegreen", tmp_path / "out")
    first = result.text().splitlines()[:4]
    assert first[0].startswith("[pipespec] sandbox: bubblewrap "), first
    assert "namespaces mount, PID, network" in first[0] and "no capabilities" in first[0]
    if sandbox.landlock_abi():
        assert first[1].startswith(f"[pipespec] sandbox: Landlock ABI {sandbox.landlock_abi()}")
    assert "[pipespec] sandbox: seccomp: keyrings, io_uring, bpf" in "\n".join(first)
    assert any(line.startswith("[pipespec] sandbox: limits: processes 256") for line in first)
    assert result.sandbox["bubblewrap"] is True


def test_a_layer_that_cannot_be_applied_stops_the_run_before_any_command(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    with pytest.raises(SandboxError, match="a layer could not be applied: setrlimit"):
        # an impossible rlimit: confine.py must refuse to start the commands
        run_commands(tmp_path, f"touch {marker}", unsafe=True, open_files=-5)
    assert not marker.exists()


def test_a_landlock_rule_that_cannot_be_made_is_fatal(tmp_path: Path) -> None:
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "inside").mkdir()
    hidden.chmod(0)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import confine\n"
        "try:\n    confine.landlock_prepare([], [sys.argv[2]])\n"
        "except confine.SetupError as exc:\n    print('refused:', exc)\n"
    )
    argv = [sys.executable, "-I", "-c", code, str(Path(confine.__file__).parent),
            str(hidden / "inside")]  # fmt: skip
    if os.geteuid() == 0:  # root opens anything: ask as the unprivileged user
        argv = ["setpriv", f"--reuid={sandbox.SANDBOX_UID}", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", *argv[1:]]  # fmt: skip
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    finally:
        hidden.chmod(0o755)
    if sandbox.landlock_abi() < 1:
        assert done.stdout == "", done
    else:
        assert done.stdout.startswith("refused: Landlock rule for "), done
        assert "Permission denied" in done.stdout


# ----------------------------------------------------------------------------- the layers


@needs_landlock
def test_landlock_alone_keeps_the_callers_files_out_of_reach(tmp_path: Path) -> None:
    """Without bubblewrap, Landlock is what remains: reads and writes outside the run fail."""
    secret = tmp_path / "home" / ".aws" / "credentials"
    secret.parent.mkdir(parents=True)
    secret.write_text("aws_secret_access_key = do-not-read")
    secret.chmod(0o644)
    for p in (tmp_path, tmp_path / "home", secret.parent):
        p.chmod(0o755)
    target = tmp_path / "outside.txt"
    result, text = run_commands(
        tmp_path,
        f"cat {secret} > result 2>&1; echo rc=$? >> result",
        f"(echo pwned > {target}) 2>/dev/null; echo write rc=$? >> result",
        unsafe=True,
    )
    assert "do-not-read" not in text and "rc=0" not in text, text
    assert not target.exists()
    assert any(layer.startswith("Landlock ABI") for layer in result.sandbox["layers"])


@needs_bwrap
def test_the_disk_watch_stops_a_build_that_writes_too_many_files(tmp_path: Path) -> None:
    result, _ = run_commands(
        tmp_path, "mkdir d && cd d && seq 1 5000 | xargs touch", "sleep 20", disk_files=2000
    )
    assert result.exit_code == 1
    assert "the dry run was stopped: the build wrote more than" in result.text()
    assert result.sandbox["timed_out"] is False and result.sandbox["stopped"]


@needs_bwrap
def test_the_disk_watch_counts_bytes(tmp_path: Path) -> None:
    result, _ = run_commands(tmp_path, "head -c 3000000 /dev/zero > big", "sleep 20",
                             disk=1_000_000)  # fmt: skip
    assert result.exit_code == 1 and "more than 1,000,000 bytes" in result.text()


@needs_bwrap
def test_the_disk_watch_counts_preallocated_blocks_and_the_state_directory(
    tmp_path: Path,
) -> None:
    """fallocate takes blocks without writing a byte; the stand-ins' state directory is
    written to as well as the source."""
    result, _ = run_commands(tmp_path, "fallocate -l 3000000 big", "sleep 20", disk=1_000_000)
    assert result.exit_code == 1 and "more than 1,000,000 bytes" in result.text()
    case = tmp_path / "state"
    case.mkdir()
    result, _ = run_commands(case, 'head -c 3000000 /dev/zero > "$PIPESPEC_CALLS"', "sleep 20",
                             disk=1_000_000)  # fmt: skip
    assert result.exit_code == 1 and "more than 1,000,000 bytes" in result.text()


def test_the_disk_watch_opens_up_a_directory_the_build_hid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipespec.run import launch

    hidden = tmp_path / "h"
    hidden.mkdir()
    (hidden / "x").write_bytes(b"x" * 5000)
    hidden.chmod(0o300)  # as an unprivileged parent meets it (root would read it anyway)
    real = launch.beneath.open_dir
    refused: list[str] = []

    def open_dir(fd: int, rel: str) -> int:
        if rel == "h" and not refused:
            refused.append(rel)
            raise PermissionError(13, "Permission denied", rel)
        return real(fd, rel)

    monkeypatch.setattr(launch.beneath, "open_dir", open_dir)
    used, entries = launch._disk_use([tmp_path], 100)
    assert refused and used >= 5000 and entries == 2
    assert hidden.stat().st_mode & 0o777 == 0o700


def test_the_disk_watch_follows_no_symlink(tmp_path: Path) -> None:
    """A build that swaps a directory for a link to / is not walked into /."""
    from pipespec.run import launch

    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "f").write_bytes(b"x" * 100)
    (tmp_path / "root").symlink_to("/")
    used, entries = launch._disk_use([tmp_path], 100_000)
    assert entries == 3 and used < 1_000_000


@needs_bwrap
def test_rlimit_fsize_stops_a_file_that_grows_too_large(tmp_path: Path) -> None:
    _result, text = run_commands(
        tmp_path, "(head -c 3000000 /dev/zero > big) 2>/dev/null; echo rc=$? > result",
        "wc -c < big >> result", file_size=1_000_000,
    )  # fmt: skip
    assert text.split() == ["rc=153", "1000000"], text  # 128 + SIGXFSZ


def test_the_status_comes_from_its_own_channel_only() -> None:
    log = "status failed=0 upload=1 phase=\n__PIPESPEC_STATUS failed=0 upload=1 phase=\n"
    status = build.parse_status(log, "")
    assert not status.finished and status.failed  # the log is shown, never believed
    assert status.log == log.splitlines()
    channel = "layers landlock=7\nstatus failed=1 upload=1 phase=BUILD\nstatus failed=0 upload=1\n"
    status = build.parse_status("", channel)
    assert status.finished and status.failed and status.failed_phase == "BUILD"


# ----------------------------------------------------------------------------- processes


DAEMONS = (
    "setsid sh -c 'echo $$ > d1; exec sleep 300' > /dev/null 2>&1 &",
    "nohup sh -c 'echo $$ > d2; exec sleep 301' > /dev/null 2>&1 &",
    "(sh -c 'echo $$ > d3; exec sleep 302' &)",
    # the daemons are running before the build ends, however slow the machine is
    "while [ ! -s d1 ] || [ ! -s d2 ] || [ ! -s d3 ]; do sleep 0.05; done; echo started > result",
)


@pytest.mark.parametrize("unsafe", [False, True], ids=["bubblewrap", "unsafe-no-sandbox"])
def test_no_process_outlives_the_run(tmp_path: Path, unsafe: bool) -> None:
    if not unsafe and not sandbox.isolation().ok and not IN_CI:
        pytest.skip(sandbox.isolation().problem)
    tag = os.urandom(8).hex()
    result, text = run_commands(tmp_path, *DAEMONS, unsafe=unsafe, env={"PIPESPEC_TEST_RUN": tag})
    assert text == "started\n", result.text()
    assert result.sandbox["timed_out"] is False
    assert processes_with(f"PIPESPEC_TEST_RUN={tag}") == []


def test_no_process_outlives_the_run_under_load(tmp_path: Path) -> None:
    """The test above, three times in each mode beside four CPU burners."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(4)]
    try:
        time.sleep(0.2)
        for i in range(3):
            for unsafe in (False, True):
                if not unsafe and not sandbox.isolation().ok and not IN_CI:
                    continue
                case = tmp_path / f"{i}-{unsafe}"
                case.mkdir()
                test_no_process_outlives_the_run(case, unsafe)
    finally:
        for b in burners:
            b.kill()
            b.wait()


def test_the_threat_model_page_names_every_limit_with_its_value() -> None:
    from pipespec.run import MAX_SOURCE_BYTES, MAX_SOURCE_ENTRIES, artifacts

    page = (ROOT / "docs" / "reference" / "sandbox.md").read_text(encoding="utf-8")
    table = page[page.index("(reference-sandbox-limits)=") :]
    limits = sandbox.Limits()
    mib = sandbox.MiB
    for value in (
        f"{limits.processes} (`RLIMIT_NPROC`", f"{limits.address_space // mib} MiB (`RLIMIT_AS`)",
        f"{limits.memory // mib} MiB (cgroup", f"{limits.file_size // mib} MiB (`RLIMIT_FSIZE`)",
        f"{limits.open_files} (`RLIMIT_NOFILE`)", f"| `/tmp` | {limits.tmp_size // mib} MiB",
        f"| `$HOME` | {limits.home_size // mib} MiB",
        f"{limits.disk // mib} MiB、{limits.disk_files}",
        f"| ビルドのログ | {limits.output // mib} MiB",
        f"{MAX_SOURCE_ENTRIES} 個、合計 {MAX_SOURCE_BYTES // mib} MiB",
        f"{artifacts.MAX_FILES} 個のファイル、1 ファイル {artifacts.MAX_FILE_BYTES // mib} MiB、"
        f"合計 {artifacts.MAX_BYTES // mib} MiB",
    ):  # fmt: skip
        assert value in table, value
    assert limits.rlimits(120)["CPU"] == 125  # "タイムアウトの秒数 + 5 秒"
