"""CI and hosting files: the sample code-scanning workflow, the GitHub Pages workflow and
``.readthedocs.yaml``. The workflows are linted with actionlint (installed from PyPI by the
``test`` dependency group); the rest of each file is checked against this repository: the
command it runs, the directory it publishes, the Python it builds with.
"""

from __future__ import annotations

import re
import runpy
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from ecosystem import ROOT, missing, run
from packaging.specifiers import SpecifierSet

SAMPLE = ROOT / "examples" / "ci" / "pipespec.yml"
PAGES = ROOT / ".github" / "workflows" / "pages.yml"
RTD = ROOT / ".readthedocs.yaml"
WORKFLOWS = [SAMPLE, *sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))]


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def nox_python() -> str:
    """The oldest Python the nox sessions run on: requires-python's floor (noxfile.py's
    MIN_PYTHON; tests/test_noxfile.py)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    floor = re.fullmatch(r">=\s*(\d+\.\d+)", pyproject["project"]["requires-python"])
    assert floor is not None
    return floor.group(1)


@pytest.fixture(scope="module")
def actionlint() -> str:
    exe = shutil.which("actionlint")
    if exe is None:
        missing("actionlint is not installed (the `test` dependency group installs it)")
    assert exe is not None
    return exe


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_workflow_passes_actionlint(actionlint: str, workflow: Path) -> None:
    proc = run([actionlint, "-no-color", "-oneline", str(workflow)], cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_finds_mistakes(actionlint: str, tmp_path: Path) -> None:
    """The lint is real: an unknown input and an undefined expression are reported."""
    broken = SAMPLE.read_text(encoding="utf-8")
    broken = broken.replace("sarif_file: pipespec.sarif", "sarif: pipespec.sarif")
    broken = broken.replace("python-version:", "python-versions:")
    broken = broken.replace("--format sarif", "--format ${{ matrix.format }}")
    path = tmp_path / "broken.yml"
    path.write_text(broken, encoding="utf-8")
    proc = run([actionlint, "-no-color", "-oneline", str(path)], cwd=tmp_path)
    assert proc.returncode == 1
    assert 'input "python-versions" is not defined' in proc.stdout
    assert 'property "format" is not defined' in proc.stdout


def test_sample_workflow_uploads_sarif_to_code_scanning() -> None:
    workflow = load(SAMPLE)
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    all_steps = steps(workflow)
    check = next(s for s in all_steps if "pipespec check" in s.get("run", ""))
    assert "--format sarif" in check["run"]
    sarif_file = re.search(r">\s*(\S+\.sarif)", check["run"])
    assert sarif_file is not None
    upload = next(s for s in all_steps if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == sarif_file.group(1)
    # the findings are uploaded when the check fails (exit status 1), which is the point
    assert "failure()" in upload["if"]
    assert all_steps.index(upload) > all_steps.index(check)


def test_pages_workflow_builds_the_site_like_nox_and_deploys_it() -> None:
    workflow = load(PAGES)
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads `on:` as true
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    checkout = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # the page dates come from the git history
    python = next(s for s in build["steps"] if "setup-python" in s.get("uses", ""))
    assert python["with"]["python-version"] == nox_python()
    site = next(s for s in build["steps"] if "nox" in s.get("run", ""))
    assert "nox -s docs -- --no-serve" in site["run"]
    assert "PIPESPEC_BASE_URL" in site["env"]
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "docs/_build/html"  # noxfile.py's DOCS_OUT
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any("deploy-pages" in s.get("uses", "") for s in deploy["steps"])


def test_readthedocs_config_builds_the_site() -> None:
    config = load(RTD)
    assert config["version"] == 2
    assert config["sphinx"]["configuration"] == "docs/conf.py"
    assert (ROOT / config["sphinx"]["configuration"]).is_file()
    assert config["sphinx"]["fail_on_warning"] is True  # like sphinx-build -W
    python = config["build"]["tools"]["python"]
    assert python == nox_python()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert python + ".0" in SpecifierSet(pyproject["project"]["requires-python"])
    commands = [c for job in config["build"]["jobs"].values() for c in job]
    installs = " ".join(c for c in commands if "pip install" in c)
    for group in re.findall(r"--group\s+(\S+)", installs):
        assert group in pyproject["dependency-groups"], group
    assert "--group docs" in installs
    assert any("unshallow" in c for c in commands)  # the page dates come from the git history


@pytest.mark.parametrize(
    ("env", "prefix"),
    [
        ({}, "/"),  # `nox -s docs` serves the build at http://127.0.0.1:8000/
        # the Pages workflow: actions/configure-pages gives the base URL without its slash
        ({"PIPESPEC_BASE_URL": "https://owner.github.io/repo"}, "/repo/"),
        ({"READTHEDOCS_CANONICAL_URL": "https://p.readthedocs.io/ja/latest/"}, "/ja/latest/"),
    ],
)
def test_the_404_page_links_under_the_path_the_site_is_served_at(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], prefix: str
) -> None:
    for name in ("PIPESPEC_BASE_URL", "READTHEDOCS_CANONICAL_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    conf = runpy.run_path(str(ROOT / "docs" / "conf.py"))
    assert conf["notfound_urls_prefix"] == prefix
    links = re.findall(r'href="([^"]*)"', conf["notfound_context"]["body"])
    assert len(links) == 3 and all(link.startswith(prefix) for link in links), links
