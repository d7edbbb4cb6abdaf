"""The AppSpec's version and lifecycle hooks (AS101–AS104, AS114, AS115, AS118)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...schema import name_of, suggest
from .. import Hit, rule
from .model import (
    _SERVER,
    _SERVER_FILES,
    AS,
    HOOKS,
    MAX_EVENT_SECONDS,
    PLATFORM_NAMES,
    RESERVED,
    E,
    W,
    _hook_names,
    _hook_scripts,
    _lang,
    _norm_event,
    _ruby_to_i,
)

if TYPE_CHECKING:
    from ...context import Context


@rule(
    "AS101", "appspec-version", "appspec", E,
    en="version {shown} is not supported; the only AppSpec version is 0.0",
    ja="AppSpec の version {shown} はサポートされていません。使えるのは 0.0 だけです",
    explain_en="The AppSpec reference says version is required and 0.0 is the only allowed "
    "value, reserved by CodeDeploy for future use. For EC2/On-Premises the CodeDeploy agent "
    "fails the deployment on any other value (\"an invalid version value was entered in the "
    "application specification file\"). The service that reads ECS and Lambda AppSpecs has "
    "been seen to accept other values, so there it is a warning.",
    explain_ja="AppSpec リファレンスでは version は必須で、使える値は 0.0 だけです (将来のために"
    "予約)。EC2/オンプレミスでは CodeDeploy エージェントがほかの値でデプロイを失敗させます "
    "(\"an invalid version value was entered in the application specification file\")。"
    "ECS と Lambda の AppSpec を読むサービスはほかの値でも通ることがあるため、そちらは警告です。",
    bad="version: 1.0\nos: linux\n" + _SERVER_FILES,
    good=_SERVER,
    example_name=AS,
)  # fmt: skip
def appspec_version(ctx: Context) -> Iterator[Hit]:
    version = ctx.get("version")
    if version is None or isinstance(version, bool | list | dict):
        return
    if isinstance(version, int | float):
        ok = version == 0
    else:
        try:
            ok = float(str(version)) == 0
        except ValueError:
            ok = False
        if ok and ctx.platform == "server":
            return  # AS114
    if not ok:
        severity = None if ctx.platform == "server" else W
        shown = ctx.doc.plain_scalars.get(("version",), repr(version))
        yield Hit(("version",), {"shown": shown}, severity=severity)


@rule(
    "AS114", "appspec-version-quoted", "appspec", E,
    en="version is the string {shown}; the CodeDeploy agent compares it with the number 0.0 "
    "and fails the deployment: write version: 0.0 without quotes",
    ja="version が文字列 {shown} になっています。CodeDeploy エージェントは数値の 0.0 と比べる"
    "ため、デプロイが失敗します。引用符を付けずに version: 0.0 と書いてください",
    explain_en="On EC2/On-Premises instances the CodeDeploy agent loads appspec.yml with Ruby's "
    "YAML parser and checks that version is one of its supported versions, the number 0.0. A "
    "quoted \"0.0\" is a string, is not equal to 0.0, and the deployment fails with \"an "
    "invalid version value (0.0) was entered\". The ECS and Lambda forms are read by the "
    "CodeDeploy service and are not affected.",
    explain_ja="EC2/オンプレミスでは CodeDeploy エージェントが appspec.yml を Ruby の YAML "
    "パーサーで読み、version がサポートするバージョン (数値の 0.0) かを確かめます。引用符付きの "
    "\"0.0\" は文字列なので 0.0 と等しくならず、\"an invalid version value (0.0) was entered\" "
    "でデプロイが失敗します。ECS と Lambda の AppSpec は CodeDeploy サービスが読むため対象外です。",
    bad='version: "0.0"\nos: linux\n' + _SERVER_FILES,
    good=_SERVER,
    example_name=AS,
)  # fmt: skip
def version_quoted(ctx: Context) -> Iterator[Hit]:
    version = ctx.get("version")
    if ctx.platform != "server" or not isinstance(version, str):
        return
    try:
        zero = float(version) == 0
    except ValueError:
        return
    if zero:
        yield Hit(("version",), {"shown": repr(version)})


@rule(
    "AS102", "unknown-lifecycle-event", "appspec", E,
    en="{key!r} is not a lifecycle event hook of {platform}{dym} (valid: {allowed})",
    ja="{key!r} は{platform}のライフサイクルイベントフックではありません{dym} (使えるもの: {allowed})",
    explain_en="Hook names are fixed per compute platform. EC2/On-Premises: ApplicationStop, "
    "BeforeInstall, AfterInstall, ApplicationStart, ValidateService, BeforeBlockTraffic, "
    "AfterBlockTraffic, BeforeAllowTraffic, AfterAllowTraffic. Amazon ECS: BeforeInstall, "
    "AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic. AWS Lambda: "
    "BeforeAllowTraffic, AfterAllowTraffic. The CodeDeploy agent fails a deployment whose "
    "appspec.yml \"contains unknown lifecycle events\"; a misspelt name such as 'Before "
    "Install' never runs its scripts. A name that resembles no event may be a custom event, "
    "which only codedeploy-local runs (--events); that is reported as a warning.",
    explain_ja="フック名はコンピューティングプラットフォームごとに決まっています。EC2/オンプレミス: "
    "ApplicationStop・BeforeInstall・AfterInstall・ApplicationStart・ValidateService・"
    "BeforeBlockTraffic・AfterBlockTraffic・BeforeAllowTraffic・AfterAllowTraffic。Amazon ECS: "
    "BeforeInstall・AfterInstall・AfterAllowTestTraffic・BeforeAllowTraffic・AfterAllowTraffic。"
    "AWS Lambda: BeforeAllowTraffic・AfterAllowTraffic。CodeDeploy エージェントは appspec.yml が"
    "\"contains unknown lifecycle events\" の場合にデプロイを失敗させます。'Before Install' の"
    "ようにつづりを誤ったフックのスクリプトは実行されません。どのイベントにも似ていない名前は"
    "独自イベントかもしれません。独自イベントを実行できるのは codedeploy-local (--events) だけ"
    "なので、その場合は警告にします。",
    bad=_SERVER + "hooks:\n  Before Install:\n    - location: scripts/before_install.sh\n",
    good=_SERVER + "hooks:\n  BeforeInstall:\n    - location: scripts/before_install.sh\n",
    example_name=AS,
)  # fmt: skip
def unknown_lifecycle_event(ctx: Context) -> Iterator[Hit]:
    platform = ctx.platform or "server"
    valid = HOOKS[platform]
    reserved = {_norm_event(r) for r in RESERVED[platform]}
    en, ja = PLATFORM_NAMES[platform]
    for path, name in _hook_names(ctx):
        if name in valid or _norm_event(name) in reserved:
            continue
        hint = suggest(name, list(valid))
        severity = None
        if hint:
            dym = _lang(ctx, f"; did you mean {hint!r}?", f"。{hint!r} の誤りではありませんか")
        elif platform == "server":
            # Not a misspelling: maybe a custom event, which only codedeploy-local runs.
            severity = W
            dym = _lang(
                ctx,
                "; custom events run only under codedeploy-local --events",
                "。独自イベントを実行できるのは codedeploy-local --events だけです",
            )
        else:
            dym = ""
        params = {
            "key": name,
            "platform": ja if ctx.lang == "ja" else en,
            "dym": dym,
            "allowed": ", ".join(valid),
        }
        yield Hit(path, params, key=True, severity=severity)


@rule(
    "AS103", "reserved-lifecycle-event", "appspec", E,
    en="lifecycle event {key!r} is reserved for CodeDeploy and cannot run {what}",
    ja="ライフサイクルイベント {key!r} は CodeDeploy 専用で、{what}を実行できません",
    explain_en="Some lifecycle events are run by CodeDeploy itself and cannot be scripted: "
    "DownloadBundle, Install, BlockTraffic and AllowTraffic on EC2/On-Premises (use the "
    "'files' section to control what Install copies), Install, TestTraffic and AllowTraffic on "
    "Amazon ECS, AllowTraffic on AWS Lambda, and Start and End everywhere. Hooks listed under "
    "them never run.",
    explain_ja="一部のライフサイクルイベントは CodeDeploy 自身が実行し、スクリプトを割り当てられ"
    "ません。EC2/オンプレミスの DownloadBundle・Install・BlockTraffic・AllowTraffic (Install で"
    "コピーする内容は 'files' で指定します)、Amazon ECS の Install・TestTraffic・AllowTraffic、"
    "AWS Lambda の AllowTraffic、それにどのプラットフォームでも Start と End です。これらに書いた"
    "フックは実行されません。",
    bad=_SERVER + "hooks:\n  Install:\n    - location: scripts/install.sh\n",
    good=_SERVER + "hooks:\n  AfterInstall:\n    - location: scripts/install.sh\n",
    example_name=AS,
)  # fmt: skip
def reserved_lifecycle_event(ctx: Context) -> Iterator[Hit]:
    platform = ctx.platform or "server"
    reserved = {_norm_event(r): r for r in RESERVED[platform]}
    if platform == "server":
        what = _lang(ctx, "scripts", "スクリプト")
    else:
        what = _lang(ctx, "hook functions", "フック関数")
    for path, name in _hook_names(ctx):
        if _norm_event(name) in reserved:
            yield Hit(path, {"key": name, "what": what}, key=True)


@rule(
    "AS104", "hook-timeout-too-long", "appspec", E,
    en="{detail}",
    ja="{detail}",
    explain_en="timeout is the number of seconds a script may run (default 3600). The hooks "
    "reference says 3600 seconds is the maximum time for script execution in each lifecycle "
    "event and that the timeouts of all scripts in one event must not add up to more; if the "
    "scripts run longer, the deployment to the instance fails.",
    explain_ja="timeout はスクリプトの実行を待つ秒数です (既定 3600)。フックのリファレンスでは、"
    "1 つのライフサイクルイベントでスクリプトを実行できるのは最大 3600 秒で、そのイベントの全"
    "スクリプトの timeout の合計もこれを超えないようにとあります。超えるとそのインスタンスへの"
    "デプロイは失敗します。",
    bad=_SERVER + "hooks:\n  AfterInstall:\n    - location: scripts/migrate.sh\n"
    "      timeout: 4000\n",
    good=_SERVER + "hooks:\n  AfterInstall:\n    - location: scripts/migrate.sh\n"
    "      timeout: 3600\n",
    example_name=AS,
)  # fmt: skip
def hook_timeout_too_long(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "server":
        return
    for event, timeouts in _hook_scripts(ctx):
        seconds = [(path, _ruby_to_i(value)) for path, value in timeouts]
        single = False
        for path, n in seconds:
            if n is not None and n > MAX_EVENT_SECONDS:
                single = True
                detail = _lang(
                    ctx,
                    f"hook timeout {n} exceeds the {MAX_EVENT_SECONDS}-second maximum",
                    f"フックの timeout {n} は上限 {MAX_EVENT_SECONDS} 秒を超えています",
                )
                yield Hit(path, {"detail": detail})
        total = sum(n for _, n in seconds if n is not None and n > 0)
        if not single and total > MAX_EVENT_SECONDS:
            detail = _lang(
                ctx,
                f"the timeouts of the scripts in {event} add up to {total} seconds, more than "
                f"the {MAX_EVENT_SECONDS} seconds allowed for one lifecycle event",
                f"{event} のスクリプトの timeout の合計が {total} 秒で、1 つのライフサイクル"
                f"イベントの上限 {MAX_EVENT_SECONDS} 秒を超えています",
            )
            yield Hit(("hooks", event), {"detail": detail}, key=True)


@rule(
    "AS115", "hook-timeout-invalid", "appspec", E,
    en="hook timeout {shown} is not a positive number of seconds; the CodeDeploy agent fails "
    "the deployment",
    ja="フックの timeout {shown} が正の秒数ではありません。CodeDeploy エージェントはデプロイを"
    "失敗させます",
    explain_en="The CodeDeploy agent converts timeout to an integer (Ruby's to_i, so \"300\" "
    "works and \"five minutes\" becomes 0) and rejects zero or negative values: \"an invalid "
    "timeout value was provided for a script in the application specification file\".",
    explain_ja="CodeDeploy エージェントは timeout を整数に変換し (Ruby の to_i。\"300\" は通り、"
    "\"five minutes\" は 0 になります)、0 以下なら \"an invalid timeout value was provided for "
    "a script in the application specification file\" で失敗させます。",
    bad=_SERVER + "hooks:\n  AfterInstall:\n    - location: scripts/migrate.sh\n"
    "      timeout: 0\n",
    good=_SERVER + "hooks:\n  AfterInstall:\n    - location: scripts/migrate.sh\n"
    "      timeout: 300\n",
    example_name=AS,
)  # fmt: skip
def hook_timeout_invalid(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "server":
        return
    for _, timeouts in _hook_scripts(ctx):
        for path, value in timeouts:
            n = _ruby_to_i(value)
            if n is not None and n <= 0:
                shown = ctx.doc.plain_scalars.get(path, repr(value))
                yield Hit(path, {"shown": shown})


#: The keys of a hook script that the CodeDeploy agent reads (application_specification.rb).
HOOK_SCRIPT_KEYS = ("location", "runas", "sudo", "timeout")


@rule(
    "AS118", "hook-script-unknown-key", "appspec", W,
    en="{key!r} in {name} is not a hook script key and the CodeDeploy agent ignores it{dym}",
    ja="{name} の {key!r} はフックのスクリプトのキーではなく、CodeDeploy エージェントは無視し"
    "ます{dym}",
    explain_en="A script under an EC2/On-Premises lifecycle event has the keys location "
    "(required), timeout and runas (AppSpec 'hooks' section: "
    "https://docs.aws.amazon.com/codedeploy/latest/userguide/"
    "reference-appspec-file-structure-hooks.html), and the CodeDeploy agent also reads sudo. "
    "The agent takes those four from each entry and ignores anything else (aws-codedeploy-agent, "
    "application_specification.rb, parse_hooks), so an unknown key does not fail the "
    "deployment, hence a warning as for an unknown key in a files entry (AS113). It does "
    "nothing, though: a misspelt timeout leaves the default of 3600 seconds, a misspelt runas "
    "runs the script as the agent's user.",
    explain_ja="EC2/オンプレミスのライフサイクルイベントに書くスクリプトのキーは location (必須)・"
    "timeout・runas で (AppSpec の 'hooks' セクション: "
    "https://docs.aws.amazon.com/codedeploy/latest/userguide/"
    "reference-appspec-file-structure-hooks.html)、CodeDeploy エージェントは sudo も読みます。"
    "エージェントは各項目からこの 4 つだけを取り出し、ほかは無視します (aws-codedeploy-agent の "
    "application_specification.rb、parse_hooks)。未知のキーでデプロイが失敗することはないので、"
    "files の項目の未知のキー (AS113) と同じく警告です。ただし何の効果もありません。timeout を"
    "つづり間違えれば既定の 3600 秒のまま、runas を間違えればスクリプトはエージェントの"
    "ユーザーで動きます。",
    bad=_SERVER + "hooks:\n  AfterInstall:\n    - location: scripts/migrate.sh\n"
    "      time-out: 300\n",
    good=_SERVER + "hooks:\n  AfterInstall:\n    - location: scripts/migrate.sh\n"
    "      timeout: 300\n",
    example_name=AS,
)  # fmt: skip
def hook_script_unknown_key(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "server":
        return
    for event, scripts in ctx.mapping("hooks").items():
        for i, script in enumerate(scripts if isinstance(scripts, list) else ()):
            if not isinstance(script, dict):
                continue
            for key in script:
                if key in HOOK_SCRIPT_KEYS:
                    continue
                hint = suggest(str(key), HOOK_SCRIPT_KEYS)
                dym = _lang(ctx, f"; did you mean {hint!r}?", f"。{hint!r} の誤りではありませんか")
                params = {
                    "key": key,
                    "name": name_of(("hooks", event, i)),
                    "dym": dym if hint else "",
                }
                yield Hit(("hooks", event, i, key), params, key=True)
