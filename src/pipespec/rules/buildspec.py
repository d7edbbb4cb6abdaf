"""buildspec.yml rules (``BS1xx``). Facts: CodeBuild's build specification reference."""

from __future__ import annotations

import fnmatch
import re
import shlex
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from ..document import NodePath
from ..findings import Severity
from ..schema import suggest
from . import Hit, Rule, register, rule

if TYPE_CHECKING:
    from ..context import Context

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
PHASES = ("install", "pre_build", "build", "post_build")
AMPLIFY_PHASES = {"preBuild": "pre_build", "postBuild": "post_build"}
BS = "buildspec.yml"

_MINIMAL = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"

# Rules that the schema routes violations to (no check function of their own).
register(
    Rule(
        "BS101", "unknown-phase", "schema", E,
        "unknown build phase {key!r}{dym} (CodeBuild runs only install, pre_build, build and "
        "post_build)",
        "不明なビルドフェーズ {key!r} です{dym} (CodeBuild が実行するのは install・pre_build・"
        "build・post_build だけです)",
        "CodeBuild has exactly four build phases, install, pre_build, build and post_build, and "
        "the reference says you cannot change these names. preBuild and postBuild are AWS "
        "Amplify's phase names (amplify.yml), not CodeBuild's.",
        "CodeBuild のビルドフェーズは install・pre_build・build・post_build の 4 つだけで、"
        "リファレンスにも名前は変更できないとあります。preBuild・postBuild は AWS Amplify "
        "(amplify.yml) のフェーズ名で、CodeBuild のものではありません。",
        "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make deps\n"
        "  build:\n    commands:\n      - make\n",
        "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - make deps\n"
        "  build:\n    commands:\n      - make\n",
        BS,
    )
)  # fmt: skip
register(
    Rule(
        "BS109", "command-not-a-string", "schema", E,
        "{name} is {actual}, not a command string; quote commands that contain ': ' or start "
        "with a YAML character",
        "{name} が{actual}になっていてコマンドの文字列ではありません。': ' を含むコマンドや YAML の"
        "記号で始まるコマンドは引用符で囲んでください",
        "Each command must be a string. An unquoted command containing ': ' (for example "
        "echo Status: ok) is read by YAML as a mapping, and CodeBuild rejects the file.",
        "コマンドはすべて文字列です。': ' を含むコマンド (例: echo Status: ok) を引用符なしで"
        "書くと YAML はマッピングとして読み、CodeBuild はファイルを受け付けません。",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo Status: ok\n",
        "version: 0.2\nphases:\n  build:\n    commands:\n      - 'echo Status: ok'\n",
        BS,
    )
)  # fmt: skip


@rule(
    "BS102", "unsupported-version", "buildspec", E,
    en="buildspec version {shown} is not supported; use 0.2",
    ja="buildspec の version {shown} はサポートされていません。0.2 を使ってください",
    explain_en="CodeBuild accepts buildspec versions 0.1 and 0.2; 0.2 is recommended.",
    explain_ja="CodeBuild が受け付ける buildspec のバージョンは 0.1 と 0.2 で、0.2 が推奨です。",
    bad="version: 2\nphases:\n  build:\n    commands:\n      - make\n",
    good=_MINIMAL,
    example_name=BS,
)  # fmt: skip
def unsupported_version(ctx: Context) -> Iterator[Hit]:
    version = ctx.get("version")
    if version is None or isinstance(version, bool):
        return
    if str(version).strip() not in ("0.1", "0.2"):
        yield Hit(("version",), {"shown": repr(version)})


@rule(
    "BS103",
    "version-0.1-shells",
    "buildspec",
    INFO,
    en="version 0.1 runs each command in its own shell: variables and 'cd' do not carry over; "
    "0.2 keeps one shell for the whole build",
    ja="version 0.1 ではコマンドごとに別のシェルで実行され、変数や cd が引き継がれません。"
    "0.2 ならビルド全体で 1 つのシェルです",
    explain_en="In version 0.1 CodeBuild runs each build command in a separate instance of the "
    "default shell; in 0.2 all commands share one shell session, so variables set in one "
    "command are visible in the next.",
    explain_ja="version 0.1 ではビルドコマンドがそれぞれ別のシェルで実行されます。0.2 では"
    "すべてのコマンドが 1 つのシェルセッションを共有するので、前のコマンドで設定した変数が"
    "次のコマンドでも使えます。",
    bad="version: 0.1\nphases:\n  build:\n    commands:\n      - make\n",
    good=_MINIMAL,
    example_name=BS,
)
def version_01(ctx: Context) -> Iterator[Hit]:
    if str(ctx.get("version")).strip() == "0.1":
        yield Hit(("version",))


_ON_FAILURE = re.compile(r"ABORT|CONTINUE")
_RETRY = re.compile(r"RETRY(?:-\d+)?(?:-.+)?")


@rule(
    "BS104",
    "on-failure-value",
    "buildspec",
    E,
    en="on-failure {shown}: {detail}",
    ja="on-failure の値 {shown}: {detail}",
    explain_en="A phase's on-failure is ABORT (the default) or CONTINUE. Newer CodeBuild "
    "documentation also describes RETRY, RETRY-count and RETRY-regex forms; pipespec reports "
    "those as a warning because not every build image supports them.",
    explain_ja="フェーズの on-failure は ABORT (既定) か CONTINUE です。新しいドキュメントには "
    "RETRY・RETRY-回数・RETRY-正規表現の形もありますが、イメージによっては使えないため警告に"
    "とどめます。",
    bad="version: 0.2\nphases:\n  build:\n    on-failure: abort\n    commands:\n      - make\n",
    good="version: 0.2\nphases:\n  build:\n    on-failure: ABORT\n    commands:\n      - make\n",
    example_name=BS,
)
def on_failure(ctx: Context) -> Iterator[Hit]:
    for phase, body in ctx.mapping("phases").items():
        value = body.get("on-failure") if isinstance(body, dict) else None
        if not isinstance(value, str) or _ON_FAILURE.fullmatch(value):
            continue
        path = ("phases", phase, "on-failure")
        ja = ctx.lang == "ja"
        if _RETRY.fullmatch(value):
            detail = (
                "RETRY の形は新しく、使えないビルドイメージがあります。ABORT と CONTINUE はどこでも使えます"
                if ja
                else "RETRY forms are newer and not supported by every build image; ABORT and "
                "CONTINUE always work"
            )
            yield Hit(path, {"shown": repr(value), "detail": detail}, severity=W)
            continue
        hint = suggest(value, ["ABORT", "CONTINUE"])
        if ja:
            detail = "使えません。ABORT か CONTINUE を指定してください" + (
                f" ({hint!r} の誤りではありませんか)" if hint else ""
            )
        else:
            detail = "not valid; use ABORT or CONTINUE" + (
                f" (did you mean {hint!r}?)" if hint else ""
            )
        yield Hit(path, {"shown": repr(value), "detail": detail})


@rule(
    "BS105",
    "codebuild-variable-prefix",
    "buildspec",
    E,
    en="environment variable {key!r} starts with CODEBUILD_, which is reserved for CodeBuild",
    ja="環境変数 {key!r} は CODEBUILD_ で始まっています。この接頭辞は CodeBuild 用に予約されています",
    explain_en="Names starting with CODEBUILD_ are reserved for CodeBuild's own variables and "
    "must not be used in env.variables, env.parameter-store or env.secrets-manager.",
    explain_ja="CODEBUILD_ で始まる名前は CodeBuild 自身の変数用に予約されていて、"
    "env.variables・env.parameter-store・env.secrets-manager では使えません。",
    bad="version: 0.2\nenv:\n  variables:\n    CODEBUILD_MODE: fast\n" + _MINIMAL[13:],
    good="version: 0.2\nenv:\n  variables:\n    BUILD_MODE: fast\n" + _MINIMAL[13:],
    example_name=BS,
)
def codebuild_prefix(ctx: Context) -> Iterator[Hit]:
    for section in ("variables", "parameter-store", "secrets-manager"):
        for name in ctx.mapping("env", section):
            if name.upper().startswith("CODEBUILD_"):
                yield Hit(("env", section, name), {"key": name}, key=True)


@rule(
    "BS106",
    "exported-aws-variable",
    "buildspec",
    W,
    en="exported variable {shown} starts with AWS_; CodeBuild cannot export AWS_ variables",
    ja="エクスポートする変数 {shown} が AWS_ で始まっています。AWS_ の変数はエクスポートできません",
    explain_en="env.exported-variables makes variables available to later pipeline actions; "
    "names starting with AWS_ are reserved and cannot be exported.",
    explain_ja="env.exported-variables は後続のパイプラインアクションに変数を渡します。AWS_ で"
    "始まる名前は予約されていてエクスポートできません。",
    bad="version: 0.2\nenv:\n  exported-variables:\n    - AWS_REGION\n" + _MINIMAL[13:],
    good="version: 0.2\nenv:\n  exported-variables:\n    - IMAGE_TAG\n" + _MINIMAL[13:],
    example_name=BS,
)
def exported_aws(ctx: Context) -> Iterator[Hit]:
    for i, name in enumerate(ctx.sequence("env", "exported-variables")):
        if isinstance(name, str) and name.upper().startswith("AWS_"):
            yield Hit(("env", "exported-variables", i), {"shown": repr(name)})


@rule(
    "BS108", "too-many-report-groups", "buildspec", E,
    en="{count} report groups defined; a buildspec can have at most 5",
    ja="レポートグループが {count} 個あります。buildspec に書けるのは 5 個までです",
    explain_en="The reports section can define at most five report groups.",
    explain_ja="reports に書けるレポートグループは 5 個までです。",
    bad="version: 0.2\n" + _MINIMAL[13:] + "reports:\n"
    + "".join(f"  r{i}:\n    files:\n      - out/{i}.xml\n" for i in range(6)),
    good="version: 0.2\n" + _MINIMAL[13:] + "reports:\n  unit:\n    files:\n      - out/*.xml\n",
    example_name=BS,
)  # fmt: skip
def too_many_reports(ctx: Context) -> Iterator[Hit]:
    reports = ctx.mapping("reports")
    if len(reports) > 5:
        yield Hit(("reports",), {"count": len(reports)}, key=True)


@rule(
    "BS107", "phase-without-commands", "buildspec", W,
    en="{name} has no commands; the reference requires a commands list in pre_build, build and "
    "post_build",
    ja="{name} に commands がありません。リファレンスでは pre_build・build・post_build に commands が必須です",
    explain_en="The build specification reference marks commands as required when a pre_build, "
    "build or post_build phase is present (install may consist of runtime-versions alone). Real "
    "buildspecs with an empty or finally-only phase do run, so this is a warning: remove the "
    "empty phase or give it commands.",
    explain_ja="リファレンスでは pre_build・build・post_build を書いたら commands は必須です "
    "(runtime-versions だけでよいのは install だけ)。空のフェーズや finally だけのフェーズでも"
    "実際には動く例があるため警告にとどめます。空のフェーズは消すか、commands を書いてください。",
    bad="version: 0.2\nphases:\n  build:\n    finally:\n      - echo done\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n      - make\n    finally:\n"
    "      - echo done\n",
    example_name=BS,
)  # fmt: skip
def phase_without_commands(ctx: Context) -> Iterator[Hit]:
    for phase in ("pre_build", "build", "post_build"):
        body = ctx.get("phases", phase)
        if body is None and phase in ctx.mapping("phases"):
            yield Hit(("phases", phase), {"name": f"phases.{phase}"}, key=True)
        elif isinstance(body, dict) and body.get("commands") is None:
            where = ("phases", phase, "commands") if "commands" in body else ("phases", phase)
            yield Hit(where, {"name": f"phases.{phase}"}, key=True)


@rule(
    "BS110",
    "no-phases",
    "buildspec",
    W,
    en="the buildspec has no 'phases' (and no 'batch'); the reference requires phases",
    ja="buildspec に phases がありません (batch もありません)。リファレンスでは phases は必須です",
    explain_en="The reference marks phases as required, except in a batch buildspec that only "
    "lists other builds. Real buildspecs that only collect artifacts do run, so this is a warning.",
    explain_ja="リファレンスでは phases は必須です (ほかのビルドを並べるだけのバッチ用 buildspec は"
    "例外)。アーティファクトを集めるだけの buildspec も実際には動くため、警告にとどめます。",
    bad="version: 0.2\nenv:\n  variables:\n    A: b\n",
    good=_MINIMAL,
    example_name=BS,
)
def no_phases(ctx: Context) -> Iterator[Hit]:
    if isinstance(ctx.data, dict) and "phases" not in ctx.data and "batch" not in ctx.data:
        yield Hit(())


@rule(
    "BS111",
    "artifact-files-scalar",
    "buildspec",
    W,
    en="{name} is a single string; the documented form is a list: files: [{shown}]",
    ja="{name} が文字列 1 つになっています。ドキュメントの形はリストです: files: [{shown}]",
    explain_en="artifacts.files is documented as a sequence of paths. A single string is "
    "accepted by some CodeBuild versions (AWS's own ECS tutorial uses it) but not documented.",
    explain_ja="artifacts.files はパスのリストとして文書化されています。文字列 1 つでも動く"
    "ことはあります (AWS の ECS チュートリアルもこの形) が、文書化された形ではありません。",
    bad="version: 0.2\n" + _MINIMAL[13:] + "artifacts:\n  files: out/app.zip\n",
    good="version: 0.2\n" + _MINIMAL[13:] + "artifacts:\n  files:\n    - out/app.zip\n",
    example_name=BS,
)
def artifact_files_scalar(ctx: Context) -> Iterator[Hit]:
    for path, section in _artifact_sections(ctx):
        files = section.get("files")
        if isinstance(files, str):
            name = ".".join(str(p) for p in (*path, "files"))
            yield Hit((*path, "files"), {"name": name, "shown": files})


@rule(
    "BS112",
    "docker-runtime",
    "buildspec",
    W,
    en="runtime-versions has no 'docker' on current CodeBuild images; remove it and enable "
    "privileged mode in the project to run Docker",
    ja="現行の CodeBuild イメージの runtime-versions に docker はありません。削除して、Docker を"
    "使うにはプロジェクトの特権モードを有効にしてください",
    explain_en="Current CodeBuild images (standard 5.0 and later, Amazon Linux 2 standard 5.0 "
    "and later) list no docker runtime; builds fail with YAML_FILE_ERROR Message: Unknown "
    "runtime named 'docker'. Docker is available when the project runs in privileged mode.",
    explain_ja="現行の CodeBuild イメージ (standard 5.0 以降、Amazon Linux 2 standard 5.0 以降) "
    "には docker ランタイムがなく、YAML_FILE_ERROR Message: Unknown runtime named 'docker' で"
    "失敗します。Docker はプロジェクトの特権モードで使えるようになります。",
    bad="version: 0.2\nphases:\n  install:\n    runtime-versions:\n      docker: 18\n"
    "  build:\n    commands:\n      - docker build -t web .\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t web .\n",
    example_name=BS,
)
def docker_runtime(ctx: Context) -> Iterator[Hit]:
    for name in ctx.mapping("phases", "install", "runtime-versions"):
        if name.lower() == "docker":
            yield Hit(("phases", "install", "runtime-versions", name), key=True)


@rule(
    "BS113",
    "yaml11-version-number",
    "buildspec",
    W,
    en='{key}: {source} is read as the number {shown} (YAML 1.1); quote it: {key}: "{source}"',
    ja="{key}: {source} は YAML 1.1 では数値 {shown} として読まれます。"
    '引用符で囲んでください: {key}: "{source}"',
    explain_en="An unquoted version like 3.10 is a floating-point number in YAML, so it becomes "
    "3.1, a different runtime. Quote version numbers whose trailing zero matters.",
    explain_ja="引用符のない 3.10 のようなバージョンは YAML では浮動小数点数になり、3.1 という"
    "別のランタイムになります。末尾の 0 に意味があるバージョンは引用符で囲みます。",
    bad="version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: 3.10\n"
    "  build:\n    commands:\n      - make\n",
    good='version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: "3.10"\n'
    "  build:\n    commands:\n      - make\n",
    example_name=BS,
)
def yaml11_version(ctx: Context) -> Iterator[Hit]:
    base = ("phases", "install", "runtime-versions")
    for name, value in ctx.mapping(*base).items():
        source = ctx.doc.plain_scalars.get((*base, name))
        if source is not None and isinstance(value, float) and source != repr(value):
            yield Hit((*base, name), {"key": name, "source": source, "shown": repr(value)})


# ----------------------------------------------------------------- files and artifacts

#: Files the deploy actions read from a build artifact.
DEPLOY_INPUTS = ("imagedefinitions.json", "imageDetail.json", "taskdef.json", "appspec.yaml",
                 "appspec.yml", "appspec.json")  # fmt: skip
#: Deploy inputs that usually live in the source (the build writes the image files).
SOURCE_FILES = ("taskdef.json", "appspec.yaml", "appspec.yml", "appspec.json")
_REDIRECT = re.compile(r"(?<![0-9&<>])>>?\s*(?!&)([^\s;|&<>]+)")
_TEE = re.compile(r"\btee\s+((?:-[a-z]+\s+)*)([^\s;|&<>]+)")


def written_files(command: str) -> list[str]:
    """Files a shell command writes with ``>``/``>>`` or ``tee`` (literal names only)."""
    names = [m.group(1) for m in _REDIRECT.finditer(command)]
    names += [m.group(2) for m in _TEE.finditer(command)]
    out = []
    for name in names:
        try:
            parts = shlex.split(name)
        except ValueError:
            continue
        if len(parts) == 1 and "$" not in parts[0] and "`" not in parts[0]:
            target = parts[0]
            if target not in ("/dev/null", "/dev/stdout", "/dev/stderr"):
                out.append(str(PurePosixPath(target)))
    return out


def command_items(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, text) of every string command and finally command of a buildspec's phases."""
    phases = data.get("phases") if isinstance(data, dict) else None
    for phase, body in phases.items() if isinstance(phases, dict) else []:
        if not isinstance(body, dict):
            continue
        for section in ("commands", "finally"):
            seq = body.get(section)
            if isinstance(seq, list):
                for i, cmd in enumerate(seq):
                    if isinstance(cmd, str):
                        yield ("phases", phase, section, i), cmd


_CD = re.compile(r"(?:^|(?<=[;&|(\n]))\s*(?:cd|pushd|popd)\b(?:[ \t]+([^\s;|&<>)]+))?")
_SRC_DIR = re.compile(r'^"?\$\{?CODEBUILD_SRC_DIR\}?"?(?=/|$)')


def _cd(cwd: PurePosixPath | None, arg: str | None, word: str) -> PurePosixPath | None:
    """The working directory after ``cd arg`` from ``cwd`` (relative to the source root;
    None: not known)."""
    if word != "cd":
        return None  # pushd/popd: a stack this walk does not keep
    if arg is None:
        return None  # $HOME, not the source
    words = _target(arg)
    if words is None and _SRC_DIR.match(arg) is None:
        return None
    arg = words if words is not None else arg
    src = _SRC_DIR.match(arg)
    if src:
        cwd, arg = PurePosixPath("."), arg[src.end() :].lstrip("/").strip('"') or "."
    if cwd is None or arg == "-" or arg.startswith(("/", "~")) or any(c in arg for c in "$`*?"):
        return None
    return _inside(cwd / arg)


def _inside(path: PurePosixPath) -> PurePosixPath | None:
    """``path`` normalised, or None when it leaves the source root."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def session_writes(data: Any) -> Iterator[tuple[tuple[str | int, ...], str, str | None]]:
    """Each file a command writes: (command's path, name as written, path from the source
    root or None when where it lands is not known).

    In buildspec version 0.2 the commands run in one shell session, so a ``cd`` carries
    over to the next command and phase ("Shells and commands in build environments",
    CodeBuild User Guide); in 0.1 each command starts at the source root. A literal
    relative ``cd`` is followed, ``cd $CODEBUILD_SRC_DIR`` goes back to the root, and any
    other ``cd`` makes the rest of the session's locations unknown.
    """
    fresh = isinstance(data, dict) and data.get("version") == 0.1
    cwd: PurePosixPath | None = PurePosixPath(".")
    for path, command in command_items(data):
        if fresh:
            cwd = PurePosixPath(".")
        events = (
            [(m.start(), "cd", m) for m in _CD.finditer(command)]
            if "cd" in command or ("pushd" in command or "popd" in command)
            else []
        )
        if ">" in command:
            events += [(m.start(), "w", m) for m in _REDIRECT.finditer(command)]
        if "tee" in command:
            events += [(m.start(), "t", m) for m in _TEE.finditer(command)]
        if not events:
            continue
        for _, what, m in sorted(events, key=lambda e: e[0]):
            if what == "cd":
                word = m.group(0).strip().split()[0]
                cwd = _cd(cwd, m.group(1), word)
                continue
            name = _target(m.group(1) if what == "w" else m.group(2))
            if name is None:
                continue
            src = _SRC_DIR.match(name)
            if src:
                yield path, name, str(_inside(PurePosixPath(name[src.end() :].lstrip("/"))))
            elif "$" in name or "`" in name or name.startswith("/"):
                continue
            elif cwd is None:
                yield path, name, None
            else:
                resolved = _inside(cwd / name)
                yield path, name, None if resolved is None else str(resolved)


def _target(word: str) -> str | None:
    try:
        parts = shlex.split(word)
    except ValueError:
        return None
    if len(parts) != 1 or parts[0] in ("/dev/null", "/dev/stdout", "/dev/stderr"):
        return None
    return parts[0]


def _artifact_sections(ctx: Context) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    main = ctx.mapping("artifacts")
    if main:
        yield ("artifacts",), main
    for name, body in ctx.mapping("artifacts", "secondary-artifacts").items():
        if isinstance(body, dict):
            yield ("artifacts", "secondary-artifacts", name), body


def _patterns(section: dict[str, Any]) -> list[str]:
    files = section.get("files")
    items = [files] if isinstance(files, str) else files if isinstance(files, list) else []
    base = section.get("base-directory")
    prefix = f"{base.strip('/')}/" if isinstance(base, str) and base.strip("/") else ""
    return [prefix + f.lstrip("./") if not f.startswith("**") else prefix + f
            for f in items if isinstance(f, str)]  # fmt: skip


def _matches(path: str, pattern: str) -> bool:
    if pattern in ("**/*", "**", "*"):
        return pattern != "*" or "/" not in path
    return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(
        path, pattern.replace("**/", "")
    )


#: CodePipeline's ArtifactName (botocore's codepipeline model: 1 to 100 of these characters).
ARTIFACT_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\Z")


@rule(
    "BS122",
    "secondary-artifact-identifier",
    "buildspec",
    E,
    en="secondary artifact identifier {name!r} {why}; CodePipeline names its artifacts with "
    "1 to 100 letters, digits, '_' and '-', and each identifier must be the name of one of the "
    "action's output artifacts",
    ja="セカンダリアーティファクトの識別子 {name!r} は{why_ja}。CodePipeline のアーティファクト名は"
    "英数字・'_'・'-' の 1〜100 文字で、識別子はアクションの出力アーティファクトの名前と同じでなければ"
    "なりません",
    explain_en="When CodePipeline runs the build, every key under secondary-artifacts must equal "
    "the name of one of the CodeBuild action's output artifacts, and CodePipeline's artifact "
    "names allow only letters, digits, '_' and '-' (1 to 100 characters). An identifier with a "
    "space, a dot or a '/' can never match, so the artifact is never delivered. pipespec run "
    "uses the identifier as a directory name and refuses such identifiers too.",
    explain_ja="CodePipeline がビルドを実行するとき、secondary-artifacts のキーはそれぞれ CodeBuild "
    "アクションの出力アーティファクトの名前と一致しなければなりません。CodePipeline のアーティファクト名"
    "に使えるのは英数字・'_'・'-' (1〜100 文字) だけなので、空白・'.'・'/' を含む識別子はどれとも"
    "一致せず、そのアーティファクトは届きません。pipespec run は識別子をディレクトリ名に使うので、"
    "このような識別子は受け付けません。",
    bad="version: 0.2\nphases:\n  build:\n    commands:\n      - make\nartifacts:\n"
    "  files: [app.zip]\n  secondary-artifacts:\n    image.detail:\n"
    "      files: [imageDetail.json]\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n      - make\nartifacts:\n"
    "  files: [app.zip]\n  secondary-artifacts:\n    ImageDetail:\n"
    "      files: [imageDetail.json]\n",
    example_name=BS,
)
def secondary_artifact_identifier(ctx: Context) -> Iterator[Hit]:
    for name in ctx.mapping("artifacts", "secondary-artifacts"):
        ident = str(name)
        if ARTIFACT_NAME.match(ident):
            continue
        if not ident:
            why, why_ja = "is empty", "空です"
        elif len(ident) > 100:
            why, why_ja = f"is {len(ident)} characters long", f" {len(ident)} 文字あります"
        else:
            bad = next(c for c in ident if not re.match(r"[A-Za-z0-9_-]", c))
            why, why_ja = f"contains {bad!r}", f" {bad!r} を含んでいます"
        yield Hit(("artifacts", "secondary-artifacts", name), {"name": ident, "why": why,
                  "why_ja": why_ja}, key=True)  # fmt: skip


@rule(
    "BS115",
    "deploy-file-not-collected",
    "buildspec",
    W,
    en="{file!r} is written by a command but not listed in artifacts.files, so the deploy "
    "stage will not receive it",
    ja="{file!r} はコマンドで書き出されていますが artifacts.files にないため、デプロイステージに"
    "届きません",
    explain_en="Only the files listed in artifacts.files leave the build. A deploy input such as "
    "imagedefinitions.json or imageDetail.json that a command writes but the artifact does not "
    "list is lost, and the deploy action fails to find it.",
    explain_ja="ビルドから外に出るのは artifacts.files に書いたファイルだけです。"
    "imagedefinitions.json や imageDetail.json などデプロイの入力をコマンドで書き出しても、"
    "artifacts に書かなければ失われ、デプロイアクションは見つけられません。",
    bad="version: 0.2\nphases:\n  build:\n    commands:\n"
    '      - printf \'{"ImageURI":"%s"}\' "$URI" > imageDetail.json\n'
    "artifacts:\n  files:\n    - appspec.yaml\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n"
    '      - printf \'{"ImageURI":"%s"}\' "$URI" > imageDetail.json\n'
    "artifacts:\n  files:\n    - appspec.yaml\n    - imageDetail.json\n",
    example_name=BS,
)
def deploy_file_not_collected(ctx: Context) -> Iterator[Hit]:
    patterns = [p for _, section in _artifact_sections(ctx) for p in _patterns(section)]
    for path, written, where in session_writes(ctx.data):
        if where is None or PurePosixPath(where).name not in DEPLOY_INPUTS:
            continue  # where it lands is not known (after a cd this walk cannot follow)
        if not any(_matches(where, p) for p in patterns):
            yield Hit(path, {"file": written if where == str(PurePosixPath(written)) else where})


@rule(
    "BS116",
    "artifact-never-written",
    "buildspec",
    W,
    en="artifacts.files lists {file!r}, but no command writes it and it is not in the source"
    "{written}; unless something else creates it, the build fails with 'CLIENT_ERROR Message: "
    "no matching artifact paths found'",
    ja="artifacts.files に {file!r} がありますが、書き出すコマンドもソース内のファイルもありません"
    "{written}。ほかに作るものがなければ、ビルドは 'CLIENT_ERROR Message: no matching artifact "
    "paths found' で失敗します",
    explain_en="CodeBuild fails the UPLOAD_ARTIFACTS phase when a listed artifact path matches "
    "nothing. pipespec looks for the file beside the buildspec and for commands that write it "
    "with > or tee, following cd from command to command (in version 0.2 the commands share "
    "one shell session, working directory included); a file produced another way (a script, "
    "a tool's output) cannot be seen, hence a warning. A buildspec written inline in a "
    "project or template cannot see its source, so there taskdef.json and the appspec files, "
    "which usually live in the source, are not reported.",
    explain_ja="artifacts に書いたパスに一致するファイルがないと、CodeBuild は UPLOAD_ARTIFACTS "
    "で失敗します。デプロイの入力 (imagedefinitions.json・imageDetail.json・taskdef.json・"
    "appspec) について、pipespec は buildspec と同じ場所のファイルと、> や tee で書き出すコマンドを"
    "探します (version 0.2 ではコマンドが 1 つのシェルセッションを共有するので、cd による作業"
    "ディレクトリの移動もたどります)。プロジェクトやテンプレートに書いたインラインの buildspec "
    "からはソースが見えないため、ふつうソースにある taskdef.json と appspec のファイルは報告しません。スクリプトなど別の方法で作られるファイルは見えないため、警告にとどめます。",
    bad="version: 0.2\nphases:\n  build:\n    commands:\n"
    "      - printf '[]' > imagedefinitions.json\n"
    "artifacts:\n  files:\n    - imageDetail.json\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n"
    "      - printf '[]' > imagedefinitions.json\n"
    "artifacts:\n  files:\n    - imagedefinitions.json\n",
    example_name=BS,
)
def artifact_never_written(ctx: Context) -> Iterator[Hit]:
    writes = list(session_writes(ctx.data))
    written = {where for _, _, where in writes if where is not None}
    somewhere = {PurePosixPath(name).name for _, name, where in writes if where is None}
    source_dir = ctx.file.parent if ctx.file is not None else None
    for path, section in _artifact_sections(ctx):
        files = section.get("files")
        entries: list[tuple[Any, NodePath]] = (
            [(files, (*path, "files"))]
            if isinstance(files, str)
            else [
                (f, (*path, "files", i))
                for i, f in enumerate(files if isinstance(files, list) else [])
            ]
        )
        base = section.get("base-directory")
        prefix = f"{base.strip('/')}/" if isinstance(base, str) and base.strip("/") else ""
        for name, where in entries:
            if not isinstance(name, str) or any(ch in name for ch in "*?[$"):
                continue
            target = str(PurePosixPath(prefix + name.lstrip("./")))
            if target in written or PurePosixPath(target).name in somewhere:
                continue
            if PurePosixPath(target).name not in DEPLOY_INPUTS:
                continue  # build tools write other outputs in ways a linter cannot see
            if source_dir is not None and (source_dir / target).exists():
                continue
            if ctx.project and ctx.project.inline and PurePosixPath(target).name in SOURCE_FILES:
                continue  # inline: the source is not beside it, and these usually live there
            ja = ctx.lang == "ja"
            same = [
                w for w in sorted(written) if PurePosixPath(w).name == PurePosixPath(target).name
            ]
            similar = [w for w in sorted(written) if PurePosixPath(w).name in DEPLOY_INPUTS]
            if same and prefix:
                extra = (
                    f" ({same[0]!r} に書き出していますが、base-directory {base!r} の外です)"
                    if ja
                    else f" (it is written as {same[0]!r}, outside base-directory {base!r})"
                )
            elif similar:
                shown = ", ".join(repr(w) for w in similar)
                extra = f" (書き出しているのは {shown})" if ja else f" (commands write {shown})"
            else:
                extra = ""
            yield Hit(where, {"file": name, "written": extra})
