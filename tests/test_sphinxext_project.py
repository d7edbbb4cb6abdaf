"""``pipespec.sphinxext`` in another project's documentation.

The project is the one ``docs/howto/sphinx.md`` documents (``examples/sphinx/conf.py`` and
``index.rst``), copied into a temporary repository next to pipeline files of its own, and
built with ``sphinx-build -W``: nothing of this site's configuration or extensions helps.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from ecosystem import ROOT, run

from pipespec import sphinxext
from pipespec.run import sandbox

EXAMPLE = ROOT / "examples" / "sphinx"
HOWTO = ROOT / "docs" / "howto" / "sphinx.md"
BAD_BUILDSPEC = "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make\n"


def project(tmp_path: Path) -> Path:
    repo = tmp_path / "my-service"
    (repo / "docs").mkdir(parents=True)
    for name in ("conf.py", "index.rst"):
        shutil.copy(EXAMPLE / name, repo / "docs" / name)
    shutil.copytree(ROOT / "examples" / "ecs-bluegreen", repo / "deploy")
    (repo / "deploy-mistakes").mkdir()
    (repo / "deploy-mistakes" / "buildspec.yml").write_text(BAD_BUILDSPEC, encoding="utf-8")
    return repo


def build(repo: Path, tmp_path: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``sphinx-build -W`` of ``repo/docs``, from an unrelated working directory."""
    out = tmp_path / "html"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(tmp_path / "dt", ignore_errors=True)
    proc = run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "-d", str(tmp_path / "dt"),
         str(repo / "docs"), str(out)],
        cwd=tmp_path, env=env,
    )  # fmt: skip
    page = out / "index.html"
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    # the transcript as a reader sees it: without Pygments' markup
    return proc.returncode, proc.stdout + proc.stderr, html.unescape(re.sub(r"<[^>]+>", "", text))


def test_another_project_embeds_pipespec_output(tmp_path: Path) -> None:
    repo = project(tmp_path)
    status, output, page = build(repo, tmp_path)
    assert status == 0, output
    # paths relative to pipespec_root = ".." (from conf.py): the repository root
    assert "$ pipespec check --lang ja deploy\n(指摘なし、終了コード 0)" in page
    assert "$ pipespec check --lang en deploy-mistakes/buildspec.yml" in page
    assert (
        "deploy-mistakes/buildspec.yml:3:3: error: unknown build phase 'preBuild'; "
        "did you mean 'pre_build'?"
    ) in page
    assert "[BS101]" in page and "(exit status 1)" in page


def test_expect_clean_fails_the_build_when_the_files_go_wrong(tmp_path: Path) -> None:
    repo = project(tmp_path)
    (repo / "deploy" / "buildspec.yml").write_text(BAD_BUILDSPEC, encoding="utf-8")
    status, output, _page = build(repo, tmp_path)
    assert status != 0
    assert "pipespec-check: expected no findings for deploy" in output


def test_pipespec_lang_is_checked(tmp_path: Path) -> None:
    repo = project(tmp_path)
    conf = repo / "docs" / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace('"ja"', '"fr"'), encoding="utf-8")
    status, output, _page = build(repo, tmp_path)
    assert status != 0
    assert "pipespec_lang must be 'ja' or 'en'" in output


@pytest.mark.parametrize(
    ("directive", "cls"),
    [
        ("pipespec-check", sphinxext.CheckDirective),
        ("pipespec-run", sphinxext.RunDirective),
        ("pipespec-rules", sphinxext.RulesDirective),
    ],
)
def test_howto_page_documents_every_directive_and_option(directive: str, cls: type) -> None:
    page = HOWTO.read_text(encoding="utf-8")
    assert f"`{directive}" in page
    for option in cls.option_spec:
        assert f":{option}:" in page, f"{directive} :{option}: is not documented"


def test_howto_page_documents_every_config_value() -> None:
    page = HOWTO.read_text(encoding="utf-8")
    source = Path(sphinxext.__file__).read_text(encoding="utf-8")
    values = re.findall(r'add_config_value\("(\w+)"', source)
    assert values == [
        "pipespec_root", "pipespec_lang", "pipespec_run_records", "pipespec_run_unsafe_no_sandbox"
    ]  # fmt: skip
    for value in values:
        assert f"`{value}`" in page


RUN_PAGE = """\
空実行
======

.. pipespec-run:: ../deploy
   :show: rendered
"""


def _env(path: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PIPESPEC_RECORD_RUNS"}
    return {**env, "PATH": path, **extra}


def test_pipespec_run_fails_the_build_rather_than_run_unsandboxed(tmp_path: Path) -> None:
    """No bubblewrap, no record: the build fails (an error, not a warning) and names the fix;
    with a record of a sandboxed run of the same files it shows the record; a changed file
    fails again; only conf.py's explicit opt-in runs the commands unsandboxed."""
    repo = project(tmp_path)
    (repo / "docs" / "index.rst").write_text(RUN_PAGE, encoding="utf-8")
    nobwrap = tmp_path / "bin"  # a PATH without bwrap
    nobwrap.mkdir()
    status, output, _ = build(repo, tmp_path, _env(str(nobwrap)))
    assert status != 0
    assert "pipespec-run: deploy must run in the sandbox" in output
    assert "bubblewrap (bwrap) is not installed" in output and "no record" in output
    if not sandbox.isolation().ok:
        pytest.skip(f"recording needs the sandbox: {sandbox.isolation().problem}")
    # a sandboxed build refuses a missing record, then records it when asked
    status, output, _ = build(repo, tmp_path, _env(os.environ["PATH"]))
    assert status != 0 and "PIPESPEC_RECORD_RUNS=1" in output
    status, output, _ = build(repo, tmp_path, _env(os.environ["PATH"], PIPESPEC_RECORD_RUNS="1"))
    assert status == 0, output
    recorded = json.loads((repo / "docs" / "_dryruns" / "deploy.json").read_text())
    # the example has a pipeline.json: its run follows the pipeline, action by action
    assert recorded["exit_code"] == 0 and "out/rendered/Deploy/taskdef.json" in recorded["files"]
    assert [row["status"] for row in recorded["table"]] == ["SUCCEEDED"] * 3
    status, output, page = build(repo, tmp_path, _env(str(nobwrap)))
    assert status == 0, output
    assert "[pipespec] sandbox: bubblewrap" in page  # the layers of the recorded run
    assert "out/rendered/Deploy/appspec.yaml" in page
    assert "pipespec run deploy の結果 (アクションごと)" in page and "CodeDeployToECS" in page
    with (repo / "deploy" / "buildspec.yml").open("a") as fh:
        fh.write("# changed\n")
    status, output, _ = build(repo, tmp_path, _env(str(nobwrap)))
    assert status != 0 and "the directory changed since its run was recorded" in output
    conf = repo / "docs" / "conf.py"
    text = conf.read_text(encoding="utf-8").replace(
        "pipespec_run_unsafe_no_sandbox = False", "pipespec_run_unsafe_no_sandbox = True"
    )
    conf.write_text(text, encoding="utf-8")
    status, output, page = build(repo, tmp_path, _env(str(nobwrap)))
    assert status == 0, output
    assert "WARNING: --unsafe-no-sandbox" in page
