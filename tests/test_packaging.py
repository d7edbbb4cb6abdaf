"""The package as pip sees it: ``python -m build`` makes an sdist and a wheel that carry the
schemas, ``py.typed`` and the Sphinx extension; ``twine check`` passes; the wheel installs
into a fresh virtual environment (offline) and ``pipespec`` / ``python -m pipespec`` work
there; the version is written in one place.
"""

from __future__ import annotations

import email.parser
import importlib.util
import json
import re
import sys
import tarfile
import tomllib
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from ecosystem import ROOT, missing, offline_pip_env, python_in, run, snapshot, wheelhouse
from packaging.version import Version

from pipespec import __version__, catalog

BAD_BUILDSPEC = "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make\n"


def package_files() -> set[str]:
    """Every file of the ``pipespec`` package in this checkout, relative to ``src/``."""
    src = ROOT / "src"
    return {
        p.relative_to(src).as_posix()
        for p in (src / "pipespec").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build --no-isolation`` of a snapshot of this checkout: sdist, then the
    wheel built from the unpacked sdist (so the sdist must be complete)."""
    for module in ("build", "twine"):
        if importlib.util.find_spec(module) is None:
            missing(f"{module} is not installed")
    if Version(metadata.version("setuptools")) < Version("77"):
        missing("`python -m build --no-isolation` needs setuptools>=77 installed")
    src = snapshot(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("dist")
    proc = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _one(directory: Path, pattern: str) -> Path:
    (found,) = directory.glob(pattern)
    return found


def test_wheel_contents(dist: Path) -> None:
    wheel = _one(dist, f"pipespec-{__version__}-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"pipespec-{__version__}.dist-info"
        meta = email.parser.Parser().parsestr(zf.read(f"{info}/METADATA").decode())
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    for kind in catalog.SCHEMA_KINDS.values():
        assert f"pipespec/schemas/{kind.schema}" in names
    assert {"pipespec/py.typed", "pipespec/sphinxext.py", "pipespec/__main__.py"} <= names
    missing_files = package_files() - names
    assert not missing_files, f"package files left out of the wheel: {sorted(missing_files)}"
    outside = {n for n in names if not n.startswith(("pipespec/", f"{info}/"))}
    assert not outside, f"files outside the package: {sorted(outside)}"
    assert meta["Name"] == "pipespec" and meta["Version"] == __version__
    assert meta["License-Expression"] == "MIT"
    assert f"{info}/licenses/LICENSE" in names
    assert "pyyaml>=6.0" in (meta.get_all("Requires-Dist") or [])
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "pipespec = pipespec.cli:entry" in entry_points


def test_sdist_contents(dist: Path) -> None:
    sdist = _one(dist, f"pipespec-{__version__}.tar.gz")
    top = f"pipespec-{__version__}"
    with tarfile.open(sdist) as tf:
        names = {n.removeprefix(f"{top}/") for n in tf.getnames()}
    assert {"pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "PKG-INFO"} <= names
    missing_files = {f"src/{f}" for f in package_files()} - names
    assert not missing_files, f"package files left out of the sdist: {sorted(missing_files)}"
    assert not any(n.startswith("tests/") for n in names)


def test_twine_check_passes(dist: Path) -> None:
    files = sorted(str(p) for p in dist.iterdir())
    assert len(files) == 2
    proc = run([sys.executable, "-m", "twine", "check", "--strict", *files])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_wheel_works_in_a_fresh_virtualenv(dist: Path, tmp_path: Path) -> None:
    """Installed with its dependencies only (offline), the wheel runs on its own: the
    command, ``python -m pipespec``, the schemas and the rules all come from the wheel."""
    wheel = _one(dist, "pipespec-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = python_in(env_dir)
    env = offline_pip_env(tmp_path)
    proc = run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index",
         "--find-links", str(wheelhouse()), str(wheel)],
        env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr

    work = tmp_path / "work"
    (work / "bad").mkdir(parents=True)
    (work / "bad" / "buildspec.yml").write_text(BAD_BUILDSPEC, encoding="utf-8")
    bin_dir = python.parent

    where = run([str(python), "-c", "import pipespec; print(pipespec.__file__)"], cwd=work, env=env)
    installed = Path(where.stdout.strip())
    assert env_dir in installed.parents, where.stdout + where.stderr
    assert (installed.parent / "py.typed").is_file()

    version = run([str(python), "-m", "pipespec", "--version"], cwd=work, env=env)
    assert version.returncode == 0 and version.stdout.strip() == f"pipespec {__version__}"

    good = run([str(bin_dir / "pipespec"), "check", str(ROOT / "examples" / "ecs-bluegreen")],
               cwd=work, env=env)  # fmt: skip
    assert good.returncode == 0, good.stdout + good.stderr
    assert "0 error(s), 0 warning(s) in " in good.stderr

    bad = run([str(bin_dir / "pipespec"), "check", "--lang", "en", "bad"], cwd=work, env=env)
    assert bad.returncode == 1
    assert bad.stdout.startswith("bad/buildspec.yml:3:3: error: unknown build phase 'preBuild'")
    assert "[BS101]" in bad.stdout

    schema = run([str(python), "-m", "pipespec", "schema", "taskdef"], cwd=work, env=env)
    assert json.loads(schema.stdout) == catalog.schema("taskdef.schema.json")


def test_version_is_defined_in_one_place() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pipespec.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]|rc)?\d*", __version__)
    literal = re.compile(rf"['\"]{re.escape(__version__)}['\"]")
    elsewhere = [
        p.relative_to(ROOT).as_posix()
        for p in [*(ROOT / "src").rglob("*.py"), ROOT / "pyproject.toml", ROOT / "noxfile.py"]
        if p.name != "__init__.py" or p.parent.name != "pipespec"
        if literal.search(p.read_text(encoding="utf-8"))
    ]
    assert not elsewhere, f"the version is also written in {elsewhere}"


def test_changelog_and_examples_name_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[([^\]]+)\]", changelog, re.M)
    assert releases and releases[0] in (__version__, "Unreleased")
    assert __version__ in releases
    # the documented pins (a release tag) move with the version
    tag = f"v{__version__}"
    assert f"rev: {tag}" in (ROOT / "examples/pre-commit/.pre-commit-config.yaml").read_text()
    assert f"@{tag}" in (ROOT / "examples/ci/pipespec.yml").read_text()
