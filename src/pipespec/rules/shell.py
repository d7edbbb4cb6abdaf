"""Shell in buildspec commands: Windows commands (SH0002), variables (BS120), dead commands
(BS121), and the scripts ShellCheck checks.

The commands are joined into scripts the way CodeBuild runs them (:mod:`pipespec.shell`),
in the shell the checked files say (:mod:`pipespec.shelldialect`); ShellCheck's comments
come back as findings whose rule ID is ``SH`` + the SC number
(:mod:`pipespec.rules.shellcheck_codes`, filtered by :mod:`pipespec.shellfilter`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from .. import shell, shellcheck, shelldialect, shellscan
from ..findings import Severity
from ..shellfilter import GET_LOGIN
from . import Hit, rule
from .shellcheck_codes import shellcheck_finding, shellcheck_rule, skipped_finding

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["BUILTINS", "DEAD", "IMAGE_VARIABLES", "SHELL_VARIABLES", "is_posix", "known_names",
           "scripts_for", "shellcheck_finding", "shellcheck_rule", "skipped_finding",
           "windows_reason"]  # fmt: skip

W, INFO = Severity.WARNING, Severity.INFO
BS = "buildspec.yml"

# --------------------------------------------------------------------------- Windows

_WINDOWS_COMMAND = re.compile(
    r"^\s*(?:\.\\|[A-Za-z]:\\)|\$env:[A-Za-z_]"
    r"|\b(?:Write|Get|Set|New|Remove|Invoke|Copy|Move|Test|Start|Stop|Import|Install|Expand|"
    r"Out|Select|Add|Update)-[A-Z][A-Za-z]+\b",
    re.MULTILINE,
)


_WindowsReason = tuple[tuple[str | int, ...], str, str] | None


def windows_reason(ctx: Context) -> _WindowsReason:
    """Why the commands are not sh (path, English reason, Japanese reason), or None.

    Four rules ask; it is worked out once per document and kept on it.
    """
    memo: dict[str, _WindowsReason] = ctx.doc.__dict__
    if "_windows_reason" not in memo:
        memo["_windows_reason"] = _windows_reason(ctx)
    return memo["_windows_reason"]


def _windows_reason(ctx: Context) -> _WindowsReason:
    declared = shell.declared_shell(ctx.doc)
    if declared is not None and shell.dialect(ctx.doc) is None:
        return (
            ("env", "shell"),
            f"env.shell is {declared!r}, not sh or bash",
            f"env.shell が {declared!r} で、sh でも bash でもありません",
        )
    if declared is None:
        for command in shell.commands(ctx.doc):
            if len(command.text) > shell.MAX_SCRIPT_CHARS:
                continue  # not analysed (see shell.MAX_SCRIPT_CHARS)
            if _WINDOWS_COMMAND.search(command.text):
                return (
                    command.path,
                    "the commands are Windows commands (PowerShell or cmd.exe), not sh",
                    "コマンドが sh ではなく Windows (PowerShell か cmd.exe) のコマンドです",
                )
    return None


def is_posix(ctx: Context) -> bool:
    return windows_reason(ctx) is None


def scripts_for(ctx: Context) -> list[shellcheck.Script]:
    """The ShellCheck scripts of a buildspec (none for Windows commands)."""
    if not is_posix(ctx):
        return []
    return shellcheck.build_scripts(
        ctx.doc, known_names(ctx), shelldialect.resolve(ctx.doc, ctx.project)
    )


@rule(
    "SH0002", "windows-shell", "buildspec", INFO,
    en="shell checks skipped: {reason}",
    ja="シェルの検査を省略しました: {reason}",
    explain_en="ShellCheck, BS120 and BS121 check sh and bash. A buildspec whose env.shell is "
    "powershell.exe or cmd.exe, or whose commands are Windows commands (.\\script.bat, "
    "$env:NAME, PowerShell cmdlets) without env.shell, runs on a Windows image, where "
    "CodeBuild uses PowerShell by default; its commands are not checked as shell.",
    explain_ja="ShellCheck・BS120・BS121 は sh と bash を検査します。env.shell が powershell.exe "
    "か cmd.exe の buildspec や、env.shell なしで Windows のコマンド (.\\script.bat、$env:NAME、"
    "PowerShell のコマンドレット) を書いた buildspec は Windows のイメージで実行され、CodeBuild は"
    "既定で PowerShell を使います。これらのコマンドはシェルとしては検査しません。",
    bad="version: 0.2\nenv:\n  shell: powershell.exe\nphases:\n  build:\n    commands:\n"
    "      - Write-Host $env:CODEBUILD_BUILD_ID\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n      - echo \"$CODEBUILD_BUILD_ID\"\n",
    example_name=BS,
)  # fmt: skip
def windows_shell(ctx: Context) -> Iterator[Hit]:
    reason = windows_reason(ctx)
    if reason is not None and shell.commands(ctx.doc):
        path, en, ja = reason
        yield Hit(path, {"reason": ja if ctx.lang == "ja" else en})


# --------------------------------------------------------------------------- BS120 variables

#: CodeBuild's own variables, from "Environment variables in build environments" in the
#: CodeBuild User Guide. Any other CODEBUILD_ name is reserved for CodeBuild (BS105) and is
#: never reported: the prefix cannot be defined by the user, and CodeBuild sets more of
#: them than it documents (CODEBUILD_BUILD_URL, for one).
BUILTINS = frozenset({
    "AWS_DEFAULT_REGION", "AWS_REGION", "CODEBUILD_BATCH_BUILD_IDENTIFIER", "CODEBUILD_BUILD_ARN",
    "CODEBUILD_BUILD_ID", "CODEBUILD_BUILD_IMAGE", "CODEBUILD_BUILD_NUMBER",
    "CODEBUILD_BUILD_SUCCEEDING", "CODEBUILD_INITIATOR", "CODEBUILD_KMS_KEY_ID",
    "CODEBUILD_LOG_PATH", "CODEBUILD_PROJECT_ARN", "CODEBUILD_PUBLIC_BUILD_URL",
    "CODEBUILD_RESOLVED_SOURCE_VERSION", "CODEBUILD_SOURCE_REPO_URL", "CODEBUILD_SOURCE_VERSION",
    "CODEBUILD_SRC_DIR", "CODEBUILD_START_TIME", "CODEBUILD_WEBHOOK_ACTOR_ACCOUNT_ID",
    "CODEBUILD_WEBHOOK_BASE_REF", "CODEBUILD_WEBHOOK_EVENT", "CODEBUILD_WEBHOOK_MERGE_COMMIT",
    "CODEBUILD_WEBHOOK_PREV_COMMIT", "CODEBUILD_WEBHOOK_HEAD_REF", "CODEBUILD_WEBHOOK_TRIGGER",
    "HOME",
})  # fmt: skip

#: Set by the shell itself or by every Linux environment.
SHELL_VARIABLES = frozenset({
    "PATH", "PWD", "OLDPWD", "USER", "LOGNAME", "SHELL", "HOSTNAME", "HOSTTYPE", "OSTYPE",
    "MACHTYPE", "TERM", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TMPDIR", "TZ",
    "IFS", "PS1", "PS2", "PS4", "UID", "EUID", "PPID", "RANDOM", "LINENO", "SECONDS", "SHLVL",
    "REPLY", "OPTARG", "OPTIND", "OPTERR", "PIPESTATUS", "FUNCNAME", "GROUPS", "DIRSTACK",
    "BASH", "BASH_VERSION", "BASH_VERSINFO", "BASH_SOURCE", "BASH_REMATCH", "BASH_LINENO",
    "BASHPID", "BASH_ENV", "ENV", "EPOCHSECONDS", "EPOCHREALTIME", "COLUMNS", "LINES", "HISTFILE",
    "MAIL", "EDITOR", "PAGER", "CDPATH",
})  # fmt: skip


#: Set by CodeBuild's standard build images (ENV in aws/aws-codebuild-docker-images,
#: ubuntu/standard/7.0/Dockerfile): the runtimes' home directories.
IMAGE_VARIABLES = frozenset({"GOPATH", "JAVA_HOME", "JDK_HOME", "JRE_HOME", "DOTNET_ROOT"})


def known_names(ctx: Context) -> set[str]:
    return (shell.defined_names(ctx.doc) | BUILTINS | SHELL_VARIABLES | IMAGE_VARIABLES
            | (ctx.project.variables if ctx.project else frozenset()))  # fmt: skip


@rule(
    "BS120", "undefined-variable", "buildspec", W,
    en="${name} is not a CodeBuild built-in and is not defined in env; define it as a project "
    "environment variable or under env.variables",
    ja="${name} は CodeBuild の組み込み変数ではなく、env にも定義されていません。プロジェクトの"
    "環境変数か env.variables で定義してください",
    explain_en="A command reads a variable that is not one of CodeBuild's built-in variables "
    "(the list in 'Environment variables in build environments', "
    "https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html: "
    "AWS_DEFAULT_REGION, AWS_REGION, CODEBUILD_BUILD_ID, CODEBUILD_RESOLVED_SOURCE_VERSION, "
    "CODEBUILD_SRC_DIR, HOME and more; any CODEBUILD_ name is left alone, as that prefix is "
    "CodeBuild's), not a standard shell variable (PATH, PWD, ...) or a runtime home the "
    "standard images set (JAVA_HOME, GOPATH, ...), not defined in "
    "env.variables, env.parameter-store, env.secrets-manager or env.exported-variables, and "
    "not assigned earlier in the same shell session (version 0.2: any earlier command, in "
    "phase order; 0.1: the same command). It works only if the build project defines it, and "
    "nothing in the buildspec says so. When the project is known, its "
    "environment.environmentVariables count as defined: for an inline buildspec, its own "
    "project's (codebuild-project.json or a template's AWS::CodeBuild::Project); for a "
    "buildspec file, those of the projects in the same directory that run it (source.buildspec "
    "names the file, or is absent and the file is buildspec.yml). "
    "AWS's own ECR samples need AWS_ACCOUNT_ID and "
    "IMAGE_REPO_NAME as project variables. So BS120 is a warning only when that project is "
    "known, and the set of defined variables with it: the buildspec is inline in a project "
    "or template, or a codebuild-project file or template in its directory runs it; those "
    "project variables, the buildspec's env and batch env variables and the variables a "
    "pipeline in the directory gives the action are then all there is. Without the project "
    "it is info: most variables real buildspecs read without defining them are project "
    "variables. Reads guarded by ${NAME:-default}, ${NAME:+x} or "
    "${NAME:?message} are not reported, nor a variable once a command tests it ([ -z \"$NAME\" "
    "], test -n \"$NAME\", [ \"$NAME\" ]), nor anything after a command that sources a file or "
    "uses eval. Each variable is reported once, where it is first read.",
    explain_ja="コマンドが読む変数が、CodeBuild の組み込み変数 (CodeBuild ユーザーガイドの"
    "「ビルド環境の環境変数」の一覧 (https://docs.aws.amazon.com/codebuild/latest/userguide/"
    "build-env-ref-env-vars.html): AWS_DEFAULT_REGION・AWS_REGION・CODEBUILD_BUILD_ID・"
    "CODEBUILD_RESOLVED_SOURCE_VERSION・CODEBUILD_SRC_DIR・HOME など。CODEBUILD_ で始まる名前は"
    " CodeBuild のものなのですべて対象外) でも、シェルの標準の変数 (PATH・PWD など) や標準イメージが"
    "設定するランタイムの場所 (JAVA_HOME・GOPATH など) でも、"
    "env.variables・env.parameter-store・env.secrets-manager・env.exported-variables の変数でも、"
    "同じシェルセッションでそれより前に代入された変数 (version 0.2 はフェーズ順で前のコマンド、"
    "0.1 は同じコマンドの中) でもありません。ビルドプロジェクトが定義していなければ空になり、"
    "buildspec にはそのことが書かれていません。プロジェクトが分かるときは、その "
    "environment.environmentVariables は定義済みとして扱います。インラインの buildspec では"
    "それを書いたプロジェクト (codebuild-project.json やテンプレートの AWS::CodeBuild::Project) の"
    "もの、buildspec ファイルでは同じディレクトリにあってそのファイルを実行するプロジェクト "
    "(source.buildspec がそのファイルを指すか、省略されていてファイルが buildspec.yml) のものです。"
    "AWS の ECR のサンプルも AWS_ACCOUNT_ID と "
    "IMAGE_REPO_NAME をプロジェクトの環境変数として必要とします。そのため BS120 が警告になるのは、"
    "そのプロジェクトが分かり、定義済みの変数がすべて分かるときだけです: buildspec がプロジェクト"
    "やテンプレートにインラインで書かれているとき、または同じディレクトリの codebuild-project "
    "ファイルかテンプレートがそれを実行するとき。そのプロジェクトの変数、buildspec の env と "
    "batch の env の変数、同じディレクトリのパイプラインがアクションに渡す変数で全部です。"
    "プロジェクトが分からなければ情報にします。実際の buildspec が定義せずに読む変数の多くは"
    "プロジェクトの環境変数だからです。${NAME:-既定値}・${NAME:+x}・"
    "${NAME:?メッセージ} の形の参照、[ -z \"$NAME\" ]・test -n \"$NAME\"・[ \"$NAME\" ] で"
    "調べた後の参照、ファイルを source するコマンドや eval の後は報告しません。"
    "変数ごとに、最初に読む位置で 1 回だけ報告します。",
    bad="version: 0.2\nphases:\n  build:\n    commands:\n"
    '      - docker build -t "$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/web" .\n',
    good='version: 0.2\nenv:\n  variables:\n    AWS_ACCOUNT_ID: "123456789012"\nphases:\n  build:\n'
    "    commands:\n"
    '      - docker build -t "$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/web" .\n',
    example_name=BS,
)  # fmt: skip
def undefined_variable(ctx: Context) -> Iterator[Hit]:
    if not is_posix(ctx):
        return
    known = known_names(ctx)
    severity = None if ctx.project is not None else INFO  # the project's variables unknown
    reported: set[str] = set()
    for session in shell.sessions(ctx.doc):
        assigned: set[str] = set()
        opaque = False
        for command in session:
            if len(command.text) > shell.MAX_SCRIPT_CHARS:
                opaque = True  # not analysed (see shell.MAX_SCRIPT_CHARS): it may set anything
                continue
            for event in shellscan.scan(command.text):
                if event.kind == "opaque":
                    opaque = True
                elif event.kind in ("assign", "guard"):
                    assigned.add(event.name)  # set here, or checked for being set
                elif not (
                    opaque
                    or event.name in known
                    or event.name in assigned
                    or event.name in reported
                    or event.name.startswith("CODEBUILD_")
                ):
                    reported.add(event.name)
                    yield Hit(
                        command.path, {"name": event.name}, severity=severity,
                        position=command.position(event.offset),
                    )  # fmt: skip


# --------------------------------------------------------------------------- BS121 dead commands


class _Dead(NamedTuple):
    pattern: re.Pattern[str]
    shown: str
    why_en: str
    why_ja: str
    fix: str


DEAD = (
    _Dead(
        GET_LOGIN,
        "aws ecr get-login",
        "it was removed in AWS CLI version 2, which current CodeBuild images ship",
        "AWS CLI バージョン 2 (現行の CodeBuild イメージに入っているもの) で削除されました",
        "aws ecr get-login-password | docker login --username AWS --password-stdin <registry>",
    ),
    _Dead(
        re.compile(r"\bdocker\s+login\b[^\n;&|]*?\s(?:-e|--email)(?=[\s=]|$)"),
        "docker login -e/--email",
        "the -e/--email option was removed in Docker 17.06",
        "-e/--email オプションは Docker 17.06 で削除されました",
        "docker login without -e (for ECR: aws ecr get-login-password | docker login "
        "--username AWS --password-stdin <registry>)",
    ),
)


@rule(
    "BS121", "dead-command", "buildspec", W,
    en="'{shown}' no longer works: {why}; use {fix}",
    ja="'{shown}' はもう使えません。{why}。代わりに {fix} を使ってください",
    explain_en="Some commands found in old buildspecs and tutorials no longer exist. 'aws ecr "
    "get-login' was removed in AWS CLI version 2 (AWS CLI User Guide, 'Migration guide for "
    "the AWS CLI version 2': use aws ecr get-login-password, available since CLI 1.17.10); "
    "on a v2 image the build fails with 'aws: error: argument operation: Invalid choice'. "
    "The -e/--email option of docker login was removed in Docker 17.06 (docker/cli#143), "
    "which is what $(aws ecr get-login) without --no-include-email printed. This is a "
    "warning because an image with an old CLI or Docker still runs them.",
    explain_ja="古い buildspec やチュートリアルにあるコマンドには、もう存在しないものがあります。"
    "'aws ecr get-login' は AWS CLI バージョン 2 で削除されました (AWS CLI ユーザーガイドの"
    "「AWS CLI バージョン 2 への移行ガイド」: CLI 1.17.10 以降にある aws ecr get-login-password "
    "を使う)。v2 のイメージでは 'aws: error: argument operation: Invalid choice' でビルドが"
    "失敗します。docker login の -e/--email は Docker 17.06 で削除されました (docker/cli#143)。"
    "--no-include-email なしの $(aws ecr get-login) が出力していたのがこの形です。古い CLI や "
    "Docker のイメージではまだ動くため、警告にとどめます。",
    bad="version: 0.2\nphases:\n  pre_build:\n    commands:\n"
    '      - $(aws ecr get-login --no-include-email --region "$AWS_DEFAULT_REGION")\n',
    good="version: 0.2\nenv:\n  variables:\n    REGISTRY: 123456789012.dkr.ecr.ap-northeast-1."
    "amazonaws.com\nphases:\n  pre_build:\n    commands:\n"
    '      - aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login '
    '--username AWS --password-stdin "$REGISTRY"\n',
    example_name=BS,
)  # fmt: skip
def dead_command(ctx: Context) -> Iterator[Hit]:
    if not is_posix(ctx):
        return
    ja = ctx.lang == "ja"
    for command in shell.commands(ctx.doc):
        if len(command.text) > shell.MAX_SCRIPT_CHARS:
            continue  # not analysed (see shell.MAX_SCRIPT_CHARS)
        code = _without_comments(command.text)
        for dead in DEAD:
            for m in dead.pattern.finditer(code):
                params = {"shown": dead.shown, "why": dead.why_ja if ja else dead.why_en,
                          "fix": dead.fix}  # fmt: skip
                yield Hit(command.path, params, position=command.position(m.start()))


def _without_comments(text: str) -> str:
    """``text`` with comment lines blanked (same length, so offsets stay)."""
    return re.sub(r"(?m)^(\s*#.*)$", lambda m: " " * len(m.group(1)), text)
