"""Coverage-guided fuzz target for pipespec's loader and checks.

Every input is checked as each of the six file names pipespec knows (buildspec.yml,
appspec.yml, appspec.json, taskdef.json, imagedefinitions.json, imageDetail.json) and
rendered as text and JSON. A crash is any exception, a rule that crashed (``PS999``),
or a finding that is not one line or points outside the file.

Run it (``nox -s fuzz`` does, for 60 s by default; ``nox -s fuzz -- 600`` for ten minutes)::

    python tests/fuzz_pipespec.py -max_total_time=60 CORPUS_DIR SEED_DIR...

With atheris (https://github.com/google/atheris) installed this is libFuzzer: coverage
guided, seeded with the example files, and every crashing input is written to
``tests/data/fuzz/`` (``-artifact_prefix``), where ``test_hostile.py`` replays each file
as a regression test: commit it with the fix. Without atheris (it has no wheel for some
platforms and Python versions) the same target runs under Hypothesis's ``fuzz`` profile
(see tests/conftest.py) in batches until the time is up, on inputs from
``strategies.hostile_documents()``; a failure is shrunk and written to ``tests/data/fuzz/``
the same way.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRASHES = HERE / "data" / "fuzz"
NAMES = {
    "buildspec.yml": "buildspec",
    "appspec.yml": "appspec",
    "appspec.json": "appspec",
    "taskdef.json": "taskdef",
    "imagedefinitions.json": "imagedefinitions",
    "imageDetail.json": "imagedetail",
}

try:
    import atheris
except ImportError:  # pragma: no cover - depends on the platform
    atheris = None

if atheris is not None:
    with atheris.instrument_imports(include=["pipespec", "yaml"]):
        from pipespec import report
        from pipespec.check import check_text
else:
    from pipespec import report
    from pipespec.check import check_text


#: what YAML counts as a line break; no finding may point past the last line
BREAKS = (b"\n", b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")


class Crash(AssertionError):
    """The target found a bug that is not an exception of its own (a rule crash)."""


def check_one(data: bytes) -> None:
    """The fuzz target: raise on any misbehaviour of pipespec on ``data``."""
    lines = sum(data.count(b) for b in BREAKS) + 1
    for name, kind in NAMES.items():
        findings = check_text(data, kind, path=name)
        for f in findings:
            if (
                f.rule == "PS999"
                or "\n" in f.message
                or not (1 <= f.line <= lines and f.column >= 1)
            ):
                raise Crash(f"{name}: {f.format()}")
        report.text(findings, None)
        report.as_json(findings, None)  # SARIF adds only the rule table: the CLI tests cover it


def save(data: bytes) -> Path:
    CRASHES.mkdir(parents=True, exist_ok=True)
    path = CRASHES / f"crash-{hashlib.sha1(data).hexdigest()}"
    path.write_bytes(data)
    return path


def seconds_from(argv: list[str], default: float = 60.0) -> float:
    for arg in argv:
        if arg.startswith("-max_total_time="):
            return float(arg.split("=", 1)[1])
    return default


def fuzz_with_hypothesis(seconds: float) -> int:
    """The fallback: Hypothesis's ``fuzz`` profile, batch after batch until the deadline."""
    sys.path.insert(0, str(HERE))
    import strategies
    from hypothesis import HealthCheck, given, settings

    failing: list[bytes] = []

    @settings(
        max_examples=500,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(strategies.hostile_documents())
    def target(sample: strategies.Sample) -> None:
        try:
            check_one(sample.text)
        except Exception:
            failing.append(sample.text)  # the last one is the shrunk example
            raise

    end = time.monotonic() + seconds
    runs = 0
    while time.monotonic() < end:
        try:
            target()
        except Exception as exc:
            path = save(failing[-1])
            print(f"fuzz: crash after {runs} batches: {exc!r}\nfuzz: input saved to {path}")
            return 1
        runs += 1
    print(f"fuzz: {runs} batches of 500 inputs in {seconds:.0f} s (hypothesis), no crash")
    return 0


def main() -> int:
    if atheris is None:
        print("fuzz: atheris is not installed; using the hypothesis fallback")
        return fuzz_with_hypothesis(seconds_from(sys.argv[1:]))

    def test_one_input(data: bytes) -> None:
        check_one(data)

    argv = [sys.argv[0], f"-artifact_prefix={CRASHES}/", *sys.argv[1:]]
    CRASHES.mkdir(parents=True, exist_ok=True)
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
    return 0  # pragma: no cover - atheris.Fuzz() exits the process


if __name__ == "__main__":
    sys.exit(main())
