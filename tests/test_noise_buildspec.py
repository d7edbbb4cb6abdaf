"""Quiet, precise defaults for buildspecs: the shell the image decides, ShellCheck comments
that do not fit a build, BS120 with and without the project, BS116 with and without the
source, BS111, BS114, BS130's stand-ins, and the share of real buildspecs that warn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipespec import shellcheck, shelldialect, shellfilter
from pipespec.check import check_paths, check_text
from pipespec.context import Project
from pipespec.findings import Finding, Severity
from pipespec.load import load_text
from pipespec.rules.secrets import stand_in

ROOT = Path(__file__).resolve().parent.parent
HAVE_SHELLCHECK = shellcheck.find_shellcheck() is not None
needs_shellcheck = pytest.mark.skipif(not HAVE_SHELLCHECK, reason="shellcheck is not installed")


def buildspec(*commands: str, head: str = "", tail: str = "") -> str:
    body = "".join(f"      - {c}\n" for c in commands)
    return f"version: 0.2\n{head}phases:\n  build:\n    commands:\n{body}{tail}"


def project(image: str, *variables: str, name: str = "web") -> str:
    env = ", ".join(f'{{"name": "{v}", "value": "x"}}' for v in variables)
    return json.dumps(
        {
            "name": name,
            "source": {"type": "CODEPIPELINE"},
            "artifacts": {"type": "CODEPIPELINE"},
            "environment": {
                "type": "LINUX_CONTAINER",
                "image": image,
                "computeType": "BUILD_GENERAL1_SMALL",
                "environmentVariables": json.loads(f"[{env}]"),
            },
            "serviceRole": "arn:aws:iam::123456789012:role/web",
        },
        indent=2,
    )


def cli(*args: str | Path, cwd: Path = ROOT) -> tuple[int, list[dict[str, Any]]]:
    """``pipespec check --format json ARGS`` as a user runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "pipespec", "check", "--format", "json", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def shown(found: list[dict[str, Any]], rule: str) -> list[tuple[int, str]]:
    return [(f["line"], f["severity"]) for f in found if f["rule"] == rule]


def severities(findings: list[Finding], rule: str) -> list[Severity]:
    return [f.severity for f in findings if f.rule == rule]


# --------------------------------------------------------------------------- the image's /bin/sh


@pytest.mark.parametrize(
    ("image", "sh"),
    [
        ("aws/codebuild/amazonlinux2-x86_64-standard:5.0", "bash"),
        ("aws/codebuild/amazonlinux2-aarch64-standard:3.0", "bash"),
        ("aws/codebuild/amazonlinux-x86_64-standard:5.0", "bash"),
        ("aws/codebuild/amazonlinux-x86_64-lambda-standard:python3.12", "bash"),
        ("public.ecr.aws/codebuild/amazonlinux2-x86_64-standard:5.0", "bash"),
        ("amazonlinux:2023", "bash"),
        ("public.ecr.aws/amazonlinux/amazonlinux:2", "bash"),
        ("aws/codebuild/standard:7.0", "dash"),
        ("aws/codebuild/standard:5.0", "dash"),
        ("ubuntu:22.04", "dash"),
        ("public.ecr.aws/ubuntu/ubuntu:22.04", "dash"),
        ("debian", "dash"),
        ("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/build:latest", None),
        ("aws/codebuild/windows-base:2019-3.0", None),
        ("alpine:3.20", None),
        ("ubuntu-custom:1", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_the_image_decides_what_bin_sh_is(image: object, sh: str | None) -> None:
    assert shelldialect.image_sh(image) == sh


def test_the_dialect_follows_env_shell_then_the_images() -> None:
    plain = load_text(buildspec("make"), "buildspec.yml")
    bash = load_text(buildspec("make", head="env:\n  shell: bash\n"), "buildspec.yml")
    windows = load_text(buildspec("make", head="env:\n  shell: powershell.exe\n"), "x.yml")
    al = Project(images=("aws/codebuild/amazonlinux2-x86_64-standard:5.0",))
    ubuntu = Project(images=("aws/codebuild/standard:7.0",))
    both = Project(images=(*al.images, *ubuntu.images))
    assert shelldialect.resolve(plain) == ("sh", False, "")
    assert shelldialect.resolve(plain, Project()) == ("sh", False, "")
    assert shelldialect.resolve(plain, al) == ("bash", True, "image")
    assert shelldialect.resolve(plain, ubuntu) == ("dash", True, "image")
    assert shelldialect.resolve(plain, both).known is False  # two images, two shells
    assert shelldialect.resolve(bash, ubuntu) == ("bash", True, "env.shell")
    assert shelldialect.resolve(windows, al) is None


@needs_shellcheck
@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (None, [(6, "info"), (7, "info"), (8, "info")]),
        ("aws/codebuild/standard:7.0", [(6, "warning"), (7, "warning"), (8, "warning")]),
        ("aws/codebuild/amazonlinux2-x86_64-standard:5.0", []),
        ("my-registry.example.com/build:1", [(6, "info"), (7, "info"), (8, "info")]),
    ],
)
def test_posix_only_findings_follow_the_projects_image(
    tmp_path: Path, image: str | None, expected: list[tuple[int, str]]
) -> None:
    text = buildspec(
        "'[[ -n \"$CODEBUILD_BUILD_ID\" ]] && echo y'", "make &> log", "source ./env.sh",
        head="# checked with or without its project\n",
    )  # fmt: skip
    (tmp_path / "buildspec.yml").write_text(text, encoding="utf-8")
    if image is not None:
        (tmp_path / "codebuild-project.json").write_text(project(image), encoding="utf-8")
    code, found = cli(tmp_path)
    posix = [(f["line"], f["severity"]) for f in found if f["rule"].startswith("SH3")]
    assert posix == expected, found
    assert code == 0
    unknown = [f["message"] for f in found if f["severity"] == "info"]
    assert all("the build image decides" in m for m in unknown)


@needs_shellcheck
def test_an_inline_buildspec_is_checked_in_its_projects_shell() -> None:
    inline = "version: 0.2\nphases:\n  build:\n    commands:\n      - source ./env.sh\n"
    for image, severity in (
        ("aws/codebuild/standard:7.0", Severity.WARNING),
        ("aws/codebuild/amazonlinux2-x86_64-standard:5.0", None),
    ):
        data = json.loads(project(image))
        data["source"]["buildspec"] = inline
        found = check_text(json.dumps(data, indent=2), "codebuild-project", path="p.json")
        assert [f.severity for f in found if f.rule == "SH3046"] == (
            [severity] if severity else []
        ), [f.format() for f in found]


@needs_shellcheck
def test_the_japanese_message_says_the_image_decides() -> None:
    found = check_text(buildspec("source ./env.sh"), "buildspec", path="b.yml", lang="ja")
    (sh3046,) = [f for f in found if f.rule == "SH3046"]
    assert sh3046.severity is Severity.INFO
    assert "ビルドイメージ次第" in sh3046.message and sh3046.message.endswith("SC3046")


@needs_shellcheck
def test_a_lowered_level_below_the_configured_least_is_left_out() -> None:
    from pipespec import config

    text = buildspec("source ./env.sh")
    warning = config.Settings(shellcheck_severity="warning")
    assert "SH3046" in [f.rule for f in check_text(text, "buildspec", path="b.yml")]
    found = check_text(text, "buildspec", path="b.yml", settings=warning)
    assert "SH3046" not in [f.rule for f in found]


# --------------------------------------------------------------------------- ShellCheck filters


@pytest.mark.parametrize(
    ("inner", "output"),
    [
        ("nproc", "word"),
        ("nproc --all", "word"),
        ("date +%s", "word"),
        ("date +%Y%m%d%H%M%S", "word"),
        ("date -u +%Y-%m-%dT%H:%M:%SZ", "word"),
        ("date -I", "word"),
        ("date --iso-8601=seconds", "word"),
        ("id -u", "word"),
        ("uname -m", "word"),
        ("date", "words"),
        ("date -R", "words"),
        ("date '+%Y %m'", "words"),
        ("date +%e", "words"),
        ("date +%_d", "words"),
        ("pwd", "words"),
        ("date +*%s", None),
        ("date -d yesterday", None),
        ("date -f dates.txt", None),
        ("cat VERSION", None),
        ("git rev-parse --short HEAD", None),
        ("echo $x | sed s/a/b/", None),
        ("nproc; rm -rf x", None),
        ("uname -x", None),
        ("date '+%s", None),
        ("", None),
    ],
)
def test_what_a_substitution_prints(inner: str, output: str | None) -> None:
    assert shellfilter.output(inner) == output


@pytest.mark.parametrize(
    ("text", "offset", "fails"),
    [
        ("cd app", 0, True),
        ('cd "$CODEBUILD_SRC_DIR/x"', 0, True),
        ("cd app; npm ci", 0, False),
        ("make && cd out", 8, True),
        ("if [ -d x ]; then\n  cd x;\nfi\n", 20, True),
        ("if [ -d x ]; then\n  cd x\n  make\nfi\n", 20, True),
        ('if [ -d "x" ]; then\n  cd x\n  make\nfi\n', 22, True),
        ("if [ -d y ]; then\n  cd x\n  make\nfi\n", 20, False),
        ("if [ -d x ]; then :; fi\ncd x\nmake\n", 24, False),
        ("for d in a b; do cd $d; done", 17, False),
        ("cd; make", 0, False),
    ],
)
def test_when_a_cd_cannot_fail_unseen(text: str, offset: int, fails: bool) -> None:
    assert text[offset : offset + 2] == "cd"
    assert shellfilter.cd_fails_the_command(text, offset) is fails


@needs_shellcheck
def test_known_outputs_are_not_sc2046_or_sc2155() -> None:
    found = check_text(
        buildspec(
            "echo Build started on `date`", "echo $(date) from $(pwd)", "make -j $(nproc)",
            "export TS=$(date +%s)", "docker tag web web:$(date -u +%Y%m%d)",
            "export REV=$(git rev-parse HEAD)", "printf '%s\\n' $(date)", "cp $(cat list) out/",
        ),
        "buildspec", path="buildspec.yml",
    )  # fmt: skip
    assert [(f.line, f.rule) for f in found if f.rule in ("SH2046", "SH2155")] == [
        (10, "SH2155"), (10, "SH2046"), (11, "SH2046"), (12, "SH2046"),
    ], [f.format() for f in found]  # fmt: skip


@needs_shellcheck
def test_get_login_is_bs121s_not_sc2091s() -> None:
    found = check_text(
        buildspec("$(aws ecr get-login --no-include-email)", "$(./print-command.sh)"),
        "buildspec", path="buildspec.yml",
    )  # fmt: skip
    assert [(f.line, f.rule) for f in found if f.rule in ("SH2091", "BS121")] == [
        (5, "BS121"), (6, "SH2091"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- BS120


def test_bs120_is_a_warning_only_when_the_project_is_known(tmp_path: Path) -> None:
    text = buildspec('echo "$IMAGE_REPO_NAME:$TAGG"')
    (tmp_path / "buildspec.yml").write_text(text, encoding="utf-8")
    assert shown(cli(tmp_path)[1], "BS120") == [(5, "info"), (5, "info")]
    (tmp_path / "codebuild-project.json").write_text(
        project("aws/codebuild/standard:7.0", "IMAGE_REPO_NAME"), encoding="utf-8"
    )
    assert shown(cli(tmp_path)[1], "BS120") == [(5, "warning")]
    # a project that runs another buildspec says nothing of this one's variables
    other = json.loads(project("aws/codebuild/standard:7.0", "IMAGE_REPO_NAME"))
    other["source"]["buildspec"] = "buildspec-test.yml"
    (tmp_path / "codebuild-project.json").write_text(json.dumps(other), encoding="utf-8")
    assert shown(cli(tmp_path)[1], "BS120") == [(5, "info"), (5, "info")]


def test_bs120_in_an_inline_buildspec_is_a_warning() -> None:
    data = json.loads(project("aws/codebuild/standard:7.0", "KNOWN"))
    data["source"]["buildspec"] = (
        'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "$KNOWN $UNKNOWN"\n'
    )
    found = check_text(json.dumps(data, indent=2), "codebuild-project", path="p.json")
    assert [(f.severity, f.message.split()[0]) for f in found if f.rule == "BS120"] == [
        (Severity.WARNING, "$UNKNOWN")
    ]


def test_version_01_environment_variables_are_defined() -> None:
    v01 = (
        "version: 0.1\nenvironment_variables:\n  plaintext:\n    PACKAGE: x\nphases:\n"
        "  build:\n    commands:\n      - echo $PACKAGE $OTHER\n"
    )
    found = check_text(v01, "buildspec", path="buildspec.yml")
    assert [f.message.split()[0] for f in found if f.rule == "BS120"] == ["$OTHER"]
    assert not [f for f in found if f.rule in ("BS001", "BS114")]
    v02 = v01.replace("version: 0.1", "version: 0.2")
    found = check_text(v02, "buildspec", path="buildspec.yml")
    assert [f.message.split()[0] for f in found if f.rule == "BS120"] == ["$PACKAGE", "$OTHER"]
    assert severities(found, "BS114") == [Severity.WARNING]
    assert not [f for f in found if f.rule == "BS001"]
    wrong = v01.replace("plaintext:", "plain:")
    assert "BS001" in [f.rule for f in check_text(wrong, "buildspec", path="buildspec.yml")]


# --------------------------------------------------------------------------- BS116, BS111

_LISTS = "artifacts:\n  files:\n    - imagedefinitions.json\n    - appspec.yaml\n"


def _bs116(found: list[dict[str, Any]]) -> list[str]:
    return [f["message"].split("'")[1] for f in found if f["rule"] == "BS116"]


def test_bs116_without_the_source_reports_only_a_mix_up(tmp_path: Path) -> None:
    # tmp_path is in no git work tree: the source, which may hold both files, is not seen
    (tmp_path / "buildspec.yml").write_text(buildspec("make", tail=_LISTS), encoding="utf-8")
    assert _bs116(cli(tmp_path)[1]) == []
    mixed = buildspec("echo '{}' > imageDetail.json", tail=_LISTS)
    (tmp_path / "buildspec.yml").write_text(mixed, encoding="utf-8")
    assert _bs116(cli(tmp_path)[1]) == ["imagedefinitions.json"]


def test_bs116_with_the_source_in_a_git_work_tree(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=60)
    ci = tmp_path / "ci"
    ci.mkdir()
    (ci / "buildspec.yml").write_text(buildspec("make", tail=_LISTS), encoding="utf-8")
    assert _bs116(cli(ci)[1]) == ["imagedefinitions.json", "appspec.yaml"]
    (tmp_path / "appspec.yaml").write_text("version: 0.0\n", encoding="utf-8")  # at the top
    (ci / "imagedefinitions.json").write_text("[]\n", encoding="utf-8")  # beside it
    assert _bs116(cli(ci / "buildspec.yml")[1]) == []


def test_bs111_is_info() -> None:
    text = buildspec("make", tail="artifacts:\n  files: out/app.zip\n")
    assert severities(check_text(text, "buildspec", path="buildspec.yml"), "BS111") == [
        Severity.INFO
    ]


# --------------------------------------------------------------------------- BS130


@pytest.mark.parametrize(
    ("name", "value", "stands_in"),
    [
        ("FACEBOOK_APP_SECRET", "fbAppSecret", True),
        ("AMAZON_APP_SECRET", "amaznAppID", True),
        ("MOCK_ENV_VAR_FOR_SCANNING_SECRETS", "abc123xyz", True),
        ("ENV_VAR_WITH_SECRETS", "MOCK_ENV_VAR_FOR_SCANNING_SECRETS", True),
        ("API_TOKEN", "OTHER_VARIABLE", True),
        ("DB_PASSWORD", "changeme", True),
        ("DB_PASSWORD", "dummy-password-1", True),
        ("DB_PASSWORD", "hunter2", False),
        ("DB_PASSWORD", "Secret", False),  # one word: could be the password itself
        ("GITHUB_TOKEN", "ghp_0123456789abcdefghijklmnopqrstuvwxyz", False),
        ("APP_SECRET", "MyAppSecret123!", False),
        ("APPLE_PRIVATE_KEY", "----BEGIN PRIVATE KEY-----MIGTAgEAMBMG", False),
        ("DB_PASSWORD", "ADMIN", False),
    ],
)
def test_stand_ins(name: str, value: str, stands_in: bool) -> None:
    assert stand_in(name, value) is stands_in


def test_bs130_keeps_access_keys_under_any_name() -> None:
    text = buildspec("make", head="env:\n  variables:\n    MOCK_KEY: AKIAIOSFODNN7EXAMPLE\n")
    assert severities(check_text(text, "buildspec", path="buildspec.yml"), "BS130") == [
        Severity.WARNING
    ]


# --------------------------------------------------------------------------- the real corpus


CORPUS = ROOT.parent / "shared" / "corpus" / "real"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real is not beside this checkout")
def test_at_most_one_in_five_valid_real_buildspecs_warns() -> None:
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    try:
        import noise
    finally:
        sys.path.remove(str(ROOT / "tests" / "bench"))
    counts = noise.measure()["kinds"]["buildspec"]  # type: ignore[index]
    assert counts["valid"] >= 30
    assert counts["with_warning"] * 5 <= counts["valid"], counts


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real is not beside this checkout")
def test_the_corpus_buildspecs_that_still_warn_warn_for_a_reason() -> None:
    """Each remaining warning on a valid real buildspec, and why it is right."""
    right = {
        # a PEM private key in plain text (the repository's comment: invalidated, still a key)
        "aws-amplify__amplify-cli__codebuild_specs__run_e2e_tests_linux.yml": {"BS130"},
        "aws-amplify__amplify-cli__codebuild_specs__run_e2e_tests_windows.yml": {"BS130"},
        # env.compute-type at the top: documented only under batch/*/env, no effect here
        "aws-amplify__amplify-cli__codebuild_specs__pr_workflow.yml": {"BS001"},
        # aws ecr get-login is gone from AWS CLI v2
        "aws-samples__amazon-ecs-fargate-workshop-dev-ops-data__labs__stream-processing-"
        "pipelines__s3sink__buildspec.yml": {"BS121"},
        # runtime-versions docker: 18 fails on every current image
        "aws-samples__aws-codebuild-polyglot-application__buildspec.yml": {"BS112"},
        # $(echo $build_id | sed ...) unquoted: its output is the build's data
        "aws__amazon-ecs-agent__buildspecs__pull-logs.yml": {"SH2046"},
    }
    loud: dict[str, set[str]] = {}
    for path in sorted((CORPUS / "buildspec").iterdir()):
        if path.name not in right:
            continue
        result = check_paths([path], kind="buildspec")
        loud[path.name] = {f.rule for f in result.findings if f.severity is Severity.WARNING}
    assert loud == right
