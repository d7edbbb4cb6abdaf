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
import sysconfig
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


def build(
    repo: Path,
    tmp_path: Path,
    env: dict[str, str] | None = None,
    *,
    fresh: bool = True,
    python: str = sys.executable,
) -> tuple[int, str, str]:
    """``sphinx-build -W`` of ``repo/docs``, from an unrelated working directory: from
    scratch, or (``fresh=False``) incrementally, on the output and doctrees of the last."""
    out = tmp_path / "html"
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(tmp_path / "dt", ignore_errors=True)
    proc = run(
        [python, "-m", "sphinx", "-W", "-q", "-b", "html", "-d", str(tmp_path / "dt"),
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


CHECKED_PAGE = """\
検査
====

.. pipespec-check:: ../checked
   :lang: en

.. pipespec-check:: ../single/buildspec.yml
   :lang: en
"""


def test_incremental_builds_see_added_changed_and_removed_files(tmp_path: Path) -> None:
    """A page is rebuilt when a file is added to a directory it checks (also in a new
    subdirectory, or beside a file it checks), changed or removed; and not otherwise."""
    repo = project(tmp_path)
    (repo / "docs" / "index.rst").write_text(CHECKED_PAGE, encoding="utf-8")
    (repo / "checked").mkdir()
    (repo / "checked" / "buildspec.yml").write_text(BAD_BUILDSPEC, encoding="utf-8")
    (repo / "single").mkdir()
    (repo / "single" / "buildspec.yml").write_text(BAD_BUILDSPEC, encoding="utf-8")
    status, output, page = build(repo, tmp_path)
    assert status == 0, output
    assert page.count("[BS101]") == 2

    def rebuilt() -> str:
        status, output, page = build(repo, tmp_path, fresh=False)
        assert status == 0, output
        return page

    (repo / "checked" / "sub").mkdir()
    (repo / "checked" / "sub" / "buildspec.yml").write_text(BAD_BUILDSPEC, encoding="utf-8")
    page = rebuilt()
    assert "checked/sub/buildspec.yml:3:3: error: unknown build phase 'preBuild'" in page
    assert page.count("[BS101]") == 3
    (repo / "checked" / "sub" / "buildspec.yml").write_text(
        BAD_BUILDSPEC.replace("preBuild", "postBuild"), encoding="utf-8"
    )
    assert "checked/sub/buildspec.yml:3:3: error: unknown build phase 'postBuild'" in rebuilt()
    (repo / "checked" / "sub" / "buildspec.yml").unlink()
    page = rebuilt()
    assert "checked/sub/" not in page and page.count("[BS101]") == 2
    # beside a file that is checked: a file the cross-file rules may read
    html_page = tmp_path / "html" / "index.html"
    before = html_page.stat().st_mtime_ns
    assert rebuilt() == page and html_page.stat().st_mtime_ns == before  # nothing changed
    (repo / "single" / "appspec.yaml").write_text("version: 0.0\nos: linux\n", encoding="utf-8")
    rebuilt()
    assert html_page.stat().st_mtime_ns != before


def _python_without_shellcheck(tmp_path: Path) -> str:
    """A Python that sees this environment's packages, as ``pip install pipespec`` (no
    ``shell`` extra) leaves it: no ``shellcheck`` beside it, and none on the PATH the
    build gets."""
    venv = tmp_path / "plain-venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    asked = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        cwd=tmp_path,
    )
    assert asked.returncode == 0, asked.stderr
    site = asked.stdout.strip()
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    paths = [*sorted(ours), str(Path(sphinxext.__file__).resolve().parent.parent)]
    Path(site, "outer.pth").write_text("\n".join(paths) + "\n", encoding="utf-8")
    assert not (venv / "bin" / "shellcheck").exists()
    return str(python)


def test_the_documented_setup_passes_without_shellcheck(tmp_path: Path) -> None:
    """Without ShellCheck, SH0001 is shown (one line, no caret) and ``:expect: clean``
    still holds: it says nothing about the files."""
    repo = project(tmp_path)
    python = _python_without_shellcheck(tmp_path)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    status, output, page = build(repo, tmp_path, _env(str(empty)), python=python)
    assert status == 0, output
    lines = page.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "[SH0001]" in line]
    assert lines[at].startswith("deploy/buildspec.yml:1:1: info: シェルの検査を省略しました")
    assert lines[at + 1] == "(終了コード 0)"  # the next line: no source line, no caret
    # and a page that expects findings is not satisfied by SH0001 alone
    (repo / "deploy-mistakes" / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n", encoding="utf-8"
    )
    status, output, _page = build(repo, tmp_path, _env(str(empty)), python=python)
    assert status != 0
    assert "pipespec-check: expected findings for deploy-mistakes/buildspec.yml" in output


def test_without_shellcheck_the_command_prints_sh0001_as_one_plain_line(tmp_path: Path) -> None:
    """The same Python, on the command line: SH0001 has no source line and no caret
    under line 1 (it is about the run, not about a place in the file)."""
    python = _python_without_shellcheck(tmp_path)
    commands = BAD_BUILDSPEC + "  build:\n    commands:\n      - make\n"  # and a phase to check
    (tmp_path / "buildspec.yml").write_text(commands, encoding="utf-8")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    proc = run([python, "-m", "pipespec", "check", "--lang", "en", "buildspec.yml"],
               cwd=tmp_path, env=_env(str(empty)))  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.endswith("[SH0001]")]
    assert (
        lines[at] == "buildspec.yml:1:1: info: shell checks skipped: shellcheck not found [SH0001]"
    )
    assert at + 1 == len(lines) or not lines[at + 1].startswith(" "), lines
    # the other findings keep their source line and caret
    assert lines[lines.index(next(x for x in lines if x.endswith("[BS101]"))) + 2] == "    ^"


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
