"""EC2/On-Premises files and permissions, and line endings (AS109–AS111, AS113, AS116,
AS117)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...schema import name_of, suggest
from .. import Hit, rule
from .model import (
    _SERVER,
    AS,
    E,
    W,
    _placeholder,
)

if TYPE_CHECKING:
    from ...context import Context


@rule(
    "AS109", "appspec-crlf", "appspec", W,
    en="the AppSpec file has Windows (CRLF) line endings; CodeDeploy's troubleshooting guide warns "
    "that carriage returns can make AppSpec validation fail on Linux instances: save it with LF",
    ja="AppSpec ファイルの改行が Windows 形式 (CRLF) です。CodeDeploy のトラブルシューティング"
    "ガイドは、Linux のインスタンスではキャリッジリターンで AppSpec の検証が失敗しうると警告して"
    "います。LF で保存してください",
    explain_en="\"Using some text editors to create AppSpec files and shell scripts can cause "
    "deployments to fail\": carriage returns (^M) in AppSpec files for Amazon Linux, Ubuntu "
    "Server and RHEL instances can lead to hard-to-troubleshoot AppSpec validation failures "
    "(CodeDeploy user guide, general troubleshooting: "
    "https://docs.aws.amazon.com/codedeploy/latest/userguide/troubleshooting-general.html). "
    "YAML itself accepts CRLF (AWS's Windows sample uses it), so this is a warning, reported "
    "once, at the first CRLF, for the EC2/On-Premises form with an os other than windows. The "
    "ECS and Lambda forms are read by the CodeDeploy service, where a CR is only a line break "
    "(YAML) or whitespace (JSON), and are not reported. Check the hook scripts too: a CRLF "
    "shell script fails with 'bad interpreter'. An AppSpec that cannot be read at all gets "
    "LD004 instead.",
    explain_ja="トラブルシューティングガイドの \"Using some text editors to create AppSpec files "
    "and shell scripts can cause deployments to fail\" の項 "
    "(https://docs.aws.amazon.com/codedeploy/latest/userguide/troubleshooting-general.html): "
    "Amazon Linux・Ubuntu Server・RHEL 向けの AppSpec ファイルにキャリッジリターン (^M) が"
    "あると、原因の分かりにくい AppSpec 検証エラーになることがあります。YAML 自体は CRLF を"
    "受け付けます (AWS の Windows 用サンプルも CRLF) ので警告にとどめ、EC2/オンプレミス形式で "
    "os が windows 以外のときに、最初の CRLF の位置で 1 回だけ報告します。ECS と Lambda の形式は "
    "CodeDeploy サービスが読み、CR は改行 (YAML) か空白 (JSON) にすぎないので報告しません。"
    "フックのシェルスクリプトも確かめてください。CRLF のシェルスクリプトは 'bad interpreter' で"
    "失敗します。読み込めない AppSpec には代わりに LD004 が出ます。",
    bad=_SERVER.replace("\n", "\r\n"),
    good=_SERVER,
    example_name=AS,
)  # fmt: skip
def appspec_crlf(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "server" or ctx.get("os") == "windows" or ctx.doc.crlf is None:
        return
    yield Hit((), position=ctx.doc.crlf)


@rule(
    "AS110", "mode-octal-number", "appspec", E,
    en="mode {source} is an octal number in YAML 1.1 (decimal {value}), so the CodeDeploy agent "
    'sees mode "{value}", not "{source}": quote it, mode: "{source}"',
    ja="mode {source} は YAML 1.1 では 8 進数 (10 進で {value}) として読まれ、CodeDeploy "
    'エージェントには "{source}" ではなく "{value}" が渡ります。mode: "{source}" と引用符で'
    "囲んでください",
    explain_en="The CodeDeploy agent reads appspec.yml with a YAML 1.1 parser, where an unquoted "
    "number with a leading zero is octal: mode: 0644 becomes the integer 420, which the agent "
    "turns back into the text \"420\" and applies as mode 420 (r---w----); mode: 0755 becomes "
    "493, which is not a valid mode and fails the deployment. Quote the mode (\"0644\") or drop "
    "the leading zero (644).",
    explain_ja="CodeDeploy エージェントは appspec.yml を YAML 1.1 のパーサーで読みます。YAML 1.1 "
    "では先頭が 0 の引用符なしの数は 8 進数なので、mode: 0644 は整数 420 になり、エージェントは"
    "これを文字列 \"420\" に戻してモード 420 (r---w----) を設定します。mode: 0755 は 493 になり、"
    "モードとして不正なのでデプロイが失敗します。\"0644\" と引用符で囲むか、先頭の 0 を取って "
    "644 と書いてください。",
    bad=_SERVER + "permissions:\n  - object: /var/www/app\n    mode: 0644\n",
    good=_SERVER + 'permissions:\n  - object: /var/www/app\n    mode: "0644"\n',
    example_name=AS,
)  # fmt: skip
def mode_octal(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "server":
        return
    for i, perm in enumerate(ctx.sequence("permissions")):
        path = ("permissions", i, "mode")
        source = ctx.doc.plain_scalars.get(path)
        value = perm.get("mode") if isinstance(perm, dict) else None
        if source and isinstance(value, int) and re.fullmatch(r"[+-]?0[0-7_]+", source):
            yield Hit(path, {"source": source, "value": value})


@rule(
    "AS116", "mode-invalid", "appspec", E,
    en="permissions mode {shown} is not a 1-4 digit octal mode such as 644 or \"0755\"; the "
    "CodeDeploy agent fails the deployment",
    ja="permissions の mode {shown} は 644 や \"0755\" のような 1〜4 桁の 8 進数ではありません。"
    "CodeDeploy エージェントはデプロイを失敗させます",
    explain_en="mode is an octal permission mode as chmod takes it (644, 4755). The CodeDeploy "
    "agent pads it to three digits and rejects a mode longer than four characters or with a "
    "character other than 0-7 (\"the permissions mode ... contains an invalid character\").",
    explain_ja="mode は chmod と同じ 8 進数のパーミッションです (644、4755)。CodeDeploy "
    "エージェントは 3 桁に満たなければ 0 で埋め、4 文字を超えるものや 0〜7 以外の文字を含むもの"
    "を拒否します (\"the permissions mode ... contains an invalid character\")。",
    bad=_SERVER + "permissions:\n  - object: /var/www/app\n    mode: rwxr-xr-x\n",
    good=_SERVER + "permissions:\n  - object: /var/www/app\n    mode: 755\n",
    example_name=AS,
)  # fmt: skip
def mode_invalid(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "server":
        return
    for i, perm in enumerate(ctx.sequence("permissions")):
        path = ("permissions", i, "mode")
        value = perm.get("mode") if isinstance(perm, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | str):
            continue
        source = ctx.doc.plain_scalars.get(path)
        if source and re.fullmatch(r"[+-]?0[0-7_]+", source):
            continue  # AS110
        text = str(value).rjust(3, "0")
        if len(text) > 4 or not re.fullmatch(r"[0-7]+", text):
            yield Hit(path, {"shown": source or repr(value)})


@rule(
    "AS111", "permissions-on-windows", "appspec", E,
    en="'permissions' is for Linux instances only; with os: windows the CodeDeploy agent fails "
    "the deployment",
    ja="permissions は Linux インスタンス専用です。os: windows では CodeDeploy エージェントが"
    "デプロイを失敗させます",
    explain_en="The permissions section \"applies to Amazon Linux, Ubuntu Server, and RHEL "
    "instances only\". The CodeDeploy agent raises an error when an AppSpec with os: windows "
    "has permission entries (\"Permissions are supported only for Amazon Linux, Ubuntu Server, "
    "and Red Hat Enterprise Linux (RHEL) instances\"). Set Windows ACLs from a hook script.",
    explain_ja="permissions セクションは \"applies to Amazon Linux, Ubuntu Server, and RHEL "
    "instances only\" です。os: windows の AppSpec に permissions の項目があると CodeDeploy "
    "エージェントはエラーにします (\"Permissions are supported only for Amazon Linux, Ubuntu "
    "Server, and Red Hat Enterprise Linux (RHEL) instances\")。Windows の ACL はフックの"
    "スクリプトで設定してください。",
    bad="version: 0.0\nos: windows\nfiles:\n  - source: \\\n    destination: C:\\inetpub\\app\n"
    "permissions:\n  - object: C:\\inetpub\\app\n    owner: IUSR\n",
    good="version: 0.0\nos: windows\nfiles:\n  - source: \\\n    destination: C:\\inetpub\\app\n"
    "hooks:\n  AfterInstall:\n    - location: scripts\\set-acl.ps1\n",
    example_name=AS,
)  # fmt: skip
def permissions_on_windows(ctx: Context) -> Iterator[Hit]:
    if ctx.platform == "server" and ctx.get("os") == "windows" and ctx.sequence("permissions"):
        yield Hit(("permissions",), key=True)


@rule(
    "AS113", "files-unknown-key", "appspec", W,
    en="{key!r} in {name} is not an AppSpec key and the CodeDeploy agent ignores it{dym}",
    ja="{name} の {key!r} は AppSpec のキーではなく、CodeDeploy エージェントは無視します{dym}",
    explain_en="A files entry has exactly two keys, source and destination; the CodeDeploy "
    "agent reads those and ignores anything else. The common overwrite: true does nothing: "
    "what happens to existing files is set once for the whole AppSpec with the top-level "
    "file_exists_behavior (DISALLOW, OVERWRITE or RETAIN).",
    explain_ja="files の各項目のキーは source と destination の 2 つだけで、CodeDeploy "
    "エージェントはそれ以外を無視します。よく見かける overwrite: true は何の効果もありません。"
    "既存ファイルの扱いは AppSpec 全体で 1 回、トップレベルの file_exists_behavior (DISALLOW・"
    "OVERWRITE・RETAIN) で指定します。",
    bad=_SERVER + "    overwrite: true\n",
    good=_SERVER + "file_exists_behavior: OVERWRITE\n",
    example_name=AS,
)  # fmt: skip
def files_unknown_key(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "server":
        return
    ja = ctx.lang == "ja"
    for i, entry in enumerate(ctx.sequence("files")):
        if not isinstance(entry, dict):
            continue
        for key in entry:
            if key in ("source", "destination"):
                continue
            if str(key).lower() == "overwrite":
                dym = (
                    "。トップレベルに file_exists_behavior: OVERWRITE と書いてください"
                    if ja
                    else "; use file_exists_behavior: OVERWRITE at the top level"
                )
            else:
                hint = suggest(str(key), ["source", "destination"])
                dym = ""
                if hint:
                    dym = (
                        f"。{hint!r} の誤りではありませんか" if ja else f"; did you mean {hint!r}?"
                    )
            name = name_of(("files", i))
            yield Hit(("files", i, key), {"key": key, "name": name, "dym": dym}, key=True)


_WINDOWS_ABSOLUTE = re.compile(r"([A-Za-z]:[\\/]|\\\\|[\\/]).*")


@rule(
    "AS117", "files-destination-relative", "appspec", W,
    en="destination {shown} is not a fully qualified path; write an absolute path such as "
    "{example}",
    ja="destination {shown} が絶対パスではありません。{example} のような絶対パスで書いてください",
    explain_en="The files reference: destination \"must be a fully qualified path such as "
    "/root/destination/directory (on Linux, RHEL, and Ubuntu) or c:\\destination\\folder (on "
    "Windows)\". A relative path does not say where on the instance the files go.",
    explain_ja="files のリファレンスでは destination は \"must be a fully qualified path\" で、"
    "Linux・RHEL・Ubuntu なら /root/destination/directory、Windows なら "
    "c:\\destination\\folder のように書きます。相対パスではインスタンスのどこに置くかが決まり"
    "ません。",
    bad="version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: var/www/app\n",
    good=_SERVER,
    example_name=AS,
)  # fmt: skip
def destination_relative(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "server":
        return
    windows = ctx.get("os") == "windows"
    for i, entry in enumerate(ctx.sequence("files")):
        dest = entry.get("destination") if isinstance(entry, dict) else None
        if not isinstance(dest, str) or not dest or _placeholder(dest) or dest.startswith("$"):
            continue
        ok = _WINDOWS_ABSOLUTE.fullmatch(dest) if windows else dest.startswith("/")
        if not ok:
            example = "C:\\inetpub\\app" if windows else "/var/www/app"
            yield Hit(("files", i, "destination"), {"shown": repr(dest), "example": example})
