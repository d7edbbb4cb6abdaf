"""Every configuration file under ``examples/`` is a pytest item.

The pattern is pytest's "non-python tests" example: ``pytest_collect_file`` claims the
data files, an :class:`ExampleFile` yields one :class:`ExampleItem`, and a failure is
shown as ``path:line:col: message`` with the offending line, never as a traceback.

What an item checks:

* a file anywhere under ``examples/`` must load strictly (YAML: safe loader, no duplicate
  keys, no tabs; JSON: RFC 8259, no comments or trailing commas) and, when it is one of
  the five kinds pipespec knows, pass ``pipespec check`` (cross-file rules included,
  over the file's directory) without any error or warning;
* every ``buildspec.yml`` outside ``examples/mistakes/`` is also dry-run (``pipespec
  run``, its commands executed in the sandbox): the build succeeds, every listed artifact
  is produced, the rendered deploy files check clean, and a committed sample of an
  artifact (e.g. ``imageDetail.json``, shown on the site) equals what the build writes;
* every ``pipeline.json`` outside ``examples/mistakes/`` is dry-run as a whole pipeline
  (``pipespec run`` following the declaration): every action succeeds, every output
  artifact of a build holds files, and each deploy action renders files that check clean;
* except under ``examples/mistakes/<case>/``, where a file is wrong on purpose: what
  pipespec reports for it must equal, line for line, the golden file
  ``examples/mistakes/<case>/expected.out`` (run ``python -m pytest examples
  --update-goldens`` to rewrite it).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipespec import catalog
from pipespec.check import check_paths
from pipespec.findings import Finding, Severity
from pipespec.load import load_path
from pipespec.run import RunOptions, dry_run, sandbox
from pipespec.run.pipeline import run_pipeline

CONFIG_SUFFIXES = {".yml", ".yaml", ".json"}
GOLDEN = "expected.out"
_DIR_CACHE = pytest.StashKey[dict[Path, list[Finding]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite examples/mistakes/*/expected.out from the current output",
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.File | None:
    examples = parent.config.rootpath / "examples"
    if file_path.suffix in CONFIG_SUFFIXES and examples in file_path.parents:
        return ExampleFile.from_parent(parent, path=file_path)
    return None


class ExampleFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        yield ExampleItem.from_parent(self, name="load")
        parts = self.path.relative_to(self.config.rootpath / "examples").parts
        if self.path.name == "buildspec.yml" and parts[0] != "mistakes":
            yield DryRunItem.from_parent(self, name="dry-run")
        if self.path.name == "pipeline.json" and parts[0] != "mistakes":
            yield PipelineRunItem.from_parent(self, name="pipeline-run")


class ExampleError(Exception):
    """Raised by an item; rendered by :meth:`ExampleItem.repr_failure`."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _golden_order(line: str) -> tuple[str, int, int, str]:
    """Golden lines by path, then line and column as numbers (12:45 before 12:112)."""
    m = re.match(r"(.*?):(\d+):(\d+): ", line)
    if not m:
        return (line, 0, 0, line)
    return (m.group(1), int(m.group(2)), int(m.group(3)), line)


def _render(finding: Finding, source_line: str) -> list[str]:
    caret = " " * (finding.column - 1) + "^"
    return [finding.format(), f"    {source_line}", f"    {caret}"]


class ExampleItem(pytest.Item):
    @property
    def rel(self) -> str:
        return self.path.relative_to(self.config.rootpath).as_posix()

    def _golden(self) -> Path | None:
        parts = self.path.relative_to(self.config.rootpath / "examples").parts
        if parts[0] != "mistakes" or len(parts) < 3:
            return None
        return self.config.rootpath / "examples" / parts[0] / parts[1] / GOLDEN

    def findings(self) -> list[Finding]:
        """What pipespec reports for this file: ``check`` over its directory, or a strict load."""
        if catalog.detect(self.path.name) is None:
            return load_path(self.path, display=self.rel).findings
        directory = self.path.parent.relative_to(self.config.rootpath)
        cache: dict[Path, list[Finding]] = self.config.stash.setdefault(_DIR_CACHE, {})
        if directory not in cache:
            cwd = os.getcwd()
            os.chdir(self.config.rootpath)
            try:
                cache[directory] = check_paths([directory], lang="en").findings
            finally:
                os.chdir(cwd)
        return [f for f in cache[directory] if f.path == self.rel]

    def runtest(self) -> None:
        found = self.findings()
        golden = self._golden()
        if golden is None:
            problems = [f for f in found if f.severity is not Severity.INFO]
            if problems:
                lines: list[str] = []
                source = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
                for f in problems:
                    lines += _render(f, source[f.line - 1] if 0 < f.line <= len(source) else "")
                raise ExampleError(lines)
            return
        self._compare(golden, [f.format() for f in found])

    def _compare(self, golden: Path, actual: list[str]) -> None:
        """Compare this file's lines of the golden file with ``actual``."""
        prefix = f"{self.rel}:"
        others = []
        expected = []
        if golden.exists():
            for line in golden.read_text(encoding="utf-8").splitlines():
                (expected if line.startswith(prefix) else others).append(line)
        if self.config.getoption("--update-goldens"):
            lines = sorted(others + actual, key=_golden_order)
            if lines:
                golden.write_text("\n".join(lines) + "\n", encoding="utf-8")
            elif golden.exists():
                golden.unlink()
            return
        if sorted(expected, key=_golden_order) != sorted(actual, key=_golden_order):
            diff = [f"{golden.relative_to(self.config.rootpath)} does not match:"]
            diff += [f"  - {line}" for line in expected if line not in actual]
            diff += [f"  + {line}" for line in actual if line not in expected]
            diff.append("(run `python -m pytest examples --update-goldens` if the change is right)")
            raise ExampleError(diff)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: object = None,
    ) -> str:
        if isinstance(excinfo.value, ExampleError):
            return "\n".join(excinfo.value.lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.rel


class DryRunItem(ExampleItem):
    """``pipespec run`` on the example's directory: the build succeeds, every listed
    artifact is produced, the rendered deploy files check clean, and a sample of an
    artifact committed beside the buildspec (shown on the site) is what the build makes."""

    def runtest(self) -> None:
        directory = self.path.parent
        isolation = sandbox.isolation()
        if not isolation.ok:  # the dry run fails closed; CI must have its sandbox
            if os.environ.get("CI"):
                raise ExampleError([f"{self.rel}: no sandbox for the dry run: {isolation.problem}"])
            pytest.skip(f"no sandbox for the dry run: {isolation.problem}")
        with tempfile.TemporaryDirectory() as tmp:
            result = dry_run(directory, Path(tmp) / "out", RunOptions(timeout=60))
            problems = (
                [f"{self.rel}: dry run exited with {result.exit_code}"]
                if (result.exit_code)
                else []
            )
            problems += [f"missing artifact: {m}" for m in result.missing]
            problems += [f"rendered: {f.format()}" for f in result.findings]
            for artifact in result.artifacts[:1]:
                for name in artifact.files:
                    sample = directory / name
                    if sample.suffix == ".json" and sample.exists():
                        made = json.loads((result.out / "artifacts" / name).read_text())
                        if json.loads(sample.read_text(encoding="utf-8")) != made:
                            problems.append(
                                f"{sample.relative_to(self.config.rootpath)} differs from what "
                                f"the build writes: {json.dumps(made)}"
                            )
            if problems:
                raise ExampleError([*problems, "", *result.text().splitlines()[-15:]])


class PipelineRunItem(ExampleItem):
    """``pipespec run`` following the example's ``pipeline.json``: every action succeeds
    (none is left unrun), every build's output artifact holds files, and every deploy
    action renders files that check clean."""

    def runtest(self) -> None:
        isolation = sandbox.isolation()
        if not isolation.ok:  # the dry run fails closed; CI must have its sandbox
            if os.environ.get("CI"):
                raise ExampleError([f"{self.rel}: no sandbox for the dry run: {isolation.problem}"])
            pytest.skip(f"no sandbox for the dry run: {isolation.problem}")
        with tempfile.TemporaryDirectory() as tmp:
            result = run_pipeline(self.path.parent, Path(tmp) / "out", RunOptions(timeout=60),
                                  self.path.name)  # fmt: skip
            problems = [f"{self.rel}: pipeline dry run exited with {result.exit_code}"] \
                if result.exit_code else []  # fmt: skip
            for action in result.actions:
                if action.status not in ("SUCCEEDED", "SKIPPED"):
                    problems.append(f"action {action.stage}/{action.name}: {action.status}")
                for name, files in action.produced.items():
                    if not files:
                        problems.append(f"action {action.name}: output artifact {name} is empty")
                if action.category == "Deploy" and action.provider in ("ECS", "CodeDeployToECS") \
                        and not action.rendered:  # fmt: skip
                    problems.append(f"action {action.name}: nothing rendered")
            problems += [f"finding: {f.format()}" for f in result.findings]
            if problems:
                raise ExampleError([*problems, "", *result.text().splitlines()[-15:]])
