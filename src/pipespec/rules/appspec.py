"""CodeDeploy AppSpec rules (``AS1xx``).

Facts: the CodeDeploy user guide (AppSpec file reference: structure, 'files', 'permissions',
'hooks' and 'resources' sections; general troubleshooting) and, for EC2/On-Premises, the
CodeDeploy agent that reads the file on the instance (aws/aws-codedeploy-agent,
``application_specification/*.rb``: Ruby's YAML 1.1 loader, exact key names).

The ECS and Lambda forms are read by the CodeDeploy service, which does not care about the
letter case of keys: the reference itself writes the Lambda form with ``resources``,
``type``, ``properties``, ``currentversion``, and AWS's own samples write
``awsvpcConfiguration``/``subnets``. :func:`normalise_keys` maps such keys to the schema's
spelling before anything else looks at the document, so the schema and the rules below see
one spelling and positions still point at what the user wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import catalog
from ..document import Document, NodePath
from ..findings import Severity
from ..schema import Validator, name_of, suggest
from . import Hit, rule

if TYPE_CHECKING:
    from ..context import Context

E, W = Severity.ERROR, Severity.WARNING
AS = "appspec.yml"

#: Lifecycle events that can run scripts (EC2/On-Premises) or hook functions (ECS, Lambda).
HOOKS: dict[str, tuple[str, ...]] = {
    "server": (
        "ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart",
        "ValidateService", "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic",
        "AfterAllowTraffic",
    ),
    "ecs": (
        "BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic",
        "AfterAllowTraffic",
    ),
    "lambda": ("BeforeAllowTraffic", "AfterAllowTraffic"),
}  # fmt: skip
#: Events CodeDeploy runs itself ("cannot be scripted" in the hooks reference).
RESERVED: dict[str, tuple[str, ...]] = {
    "server": ("Start", "DownloadBundle", "Install", "BlockTraffic", "AllowTraffic", "End"),
    "ecs": ("Start", "Install", "TestTraffic", "AllowTraffic", "End"),
    "lambda": ("Start", "AllowTraffic", "End"),
}
PLATFORM_NAMES = {
    "server": ("an EC2/On-Premises deployment", "EC2/オンプレミスのデプロイ"),
    "ecs": ("an Amazon ECS deployment", "Amazon ECS のデプロイ"),
    "lambda": ("an AWS Lambda deployment", "AWS Lambda のデプロイ"),
}
MAX_EVENT_SECONDS = 3600
TASK_DEFINITION_PLACEHOLDER = "<TASK_DEFINITION>"
_TASKDEF_ARN = re.compile(
    r"arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[A-Za-z0-9_-]{1,255}(?::\d+)?"
)
#: What a templating step replaces before CodeDeploy sees the file: {{X}}, ${X}, <X>, __X__.
_PLACEHOLDER = re.compile(r".*(\{\{.*\}\}|\$\{.*\}|<[^<>]+>|__[A-Z0-9_]+__|#\{.*\}).*")
_RUBY_TO_I = re.compile(r"\s*([+-]?\d+(?:_\d+)*)")


def _norm_event(name: str) -> str:
    return re.sub(r"[-_ ]", "", name).lower()


def _placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.fullmatch(value))


def _ruby_to_i(value: Any) -> int | None:
    """What the agent's ``value.to_i`` gives (None for types it would not see)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        m = _RUBY_TO_I.match(value)
        return int(m.group(1).replace("_", "")) if m else 0
    return None


def _lang(ctx: Context, en: str, ja: str) -> str:
    return ja if ctx.lang == "ja" else en


# --------------------------------------------------------------------------- key case


def normalise_keys(doc: Document, platform: str | None) -> None:
    """Rename ECS/Lambda AppSpec keys written in another letter case to the schema's names.

    ``resources`` → ``Resources``, ``awsvpcConfiguration`` → ``AwsvpcConfiguration``, and
    so on, following the schema of ``platform``; positions, key positions and plain-scalar
    sources move with their nodes. Keys that match no known name are left alone (the
    schema reports them), as is a key whose canonical spelling is already present.
    EC2/On-Premises AppSpecs are read by the agent with exact key names and are not touched.
    """
    if platform not in ("ecs", "lambda") or not doc.ok or not isinstance(doc.data, dict):
        return
    root = catalog.schema("appspec.schema.json")
    validator = Validator(root)
    moves: dict[NodePath, NodePath] = {}

    def walk(value: Any, schema: dict[str, Any] | None, old: NodePath, new: NodePath) -> Any:
        if old != new:
            moves[old] = new
        node = validator.resolve(schema) if isinstance(schema, dict) else {}
        if isinstance(value, dict):
            props: dict[str, Any] = node.get("properties", {})
            extra = node.get("additionalProperties")
            by_lower = {name.lower(): name for name in props}
            out: dict[str, Any] = {}
            for key, child in value.items():
                name = key
                if key not in props:
                    canonical = by_lower.get(key.lower())
                    if canonical is not None and canonical not in value:
                        name = canonical
                sub = props.get(name, extra if isinstance(extra, dict) else None)
                out[name] = walk(child, sub, (*old, key), (*new, name))
            return out
        if isinstance(value, list):
            items = node.get("items")
            sub = items if isinstance(items, dict) else None
            return [walk(child, sub, (*old, i), (*new, i)) for i, child in enumerate(value)]
        return value

    data = walk(doc.data, root["$defs"][platform], (), ())
    if not moves:
        return

    def move(path: NodePath) -> NodePath:
        for cut in range(len(path), 0, -1):
            target = moves.get(path[:cut])
            if target is not None:
                return (*target, *path[cut:])
        return path

    doc.data = data
    doc.positions = {move(p): v for p, v in doc.positions.items()}
    doc.key_positions = {move(p): v for p, v in doc.key_positions.items()}
    doc.plain_scalars = {move(p): v for p, v in doc.plain_scalars.items()}


# --------------------------------------------------------------------------- helpers


def _hook_names(ctx: Context) -> Iterator[tuple[NodePath, str]]:
    """(path of the hook's key, event name) for every hook in the document."""
    if ctx.platform == "server":
        for name in ctx.mapping("hooks"):
            yield ("hooks", name), name
        return
    for i, item in enumerate(ctx.sequence("Hooks")):
        if isinstance(item, dict):
            for name in item:
                yield ("Hooks", i, name), name


def _resources(ctx: Context) -> Iterator[tuple[NodePath, dict[str, Any]]]:
    """(path, body) of every resource under Resources (ECS and Lambda)."""
    for i, item in enumerate(ctx.sequence("Resources")):
        if isinstance(item, dict):
            for name, body in item.items():
                if isinstance(body, dict):
                    yield ("Resources", i, name), body


def _hook_scripts(ctx: Context) -> Iterator[tuple[str, list[tuple[NodePath, Any]]]]:
    """EC2/On-Premises: (event, [(path of timeout, timeout)]) for scripts with a timeout."""
    for event, scripts in ctx.mapping("hooks").items():
        found: list[tuple[NodePath, Any]] = []
        if isinstance(scripts, list):
            for i, script in enumerate(scripts):
                if isinstance(script, dict) and script.get("timeout") is not None:
                    found.append((("hooks", event, i, "timeout"), script["timeout"]))
        yield event, found


# --------------------------------------------------------------------------- rules

_SERVER_FILES = "files:\n  - source: /\n    destination: /var/www/app\n"
_SERVER = "version: 0.0\nos: linux\n" + _SERVER_FILES
_ECS_HEAD = (
    "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
    "      Properties:\n"
)
_ECS_LB = "        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 80\n"
_ECS = _ECS_HEAD + '        TaskDefinition: "<TASK_DEFINITION>"\n' + _ECS_LB
_LAMBDA_HEAD = (
    "version: 0.0\nResources:\n  - HelloFunction:\n      Type: AWS::Lambda::Function\n"
    "      Properties:\n        Name: hello\n        Alias: live\n"
)
_LAMBDA = _LAMBDA_HEAD + '        CurrentVersion: "1"\n        TargetVersion: "2"\n'


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


@rule(
    "AS105", "container-port-not-a-number", "appspec", W,
    en="{detail}",
    ja="{detail}",
    explain_en="In the ECS resources section \"each property is specified with a string except "
    "for ContainerPort, which is a number\", and every official example writes ContainerPort: "
    "80. No AWS source says what CodeDeploy does with the string \"80\", so a quoted number is "
    "a warning; a value that is not a port number at all is an error.",
    explain_ja="ECS の resources セクションでは \"each property is specified with a string "
    "except for ContainerPort, which is a number\" とされ、公式の例はすべて ContainerPort: 80 "
    "です。文字列の \"80\" を CodeDeploy がどう扱うかを示す AWS の資料はないため、引用符付きの"
    "数字は警告、ポート番号ですらない値はエラーにします。",
    bad=_ECS.replace("ContainerPort: 80", 'ContainerPort: "80"'),
    good=_ECS,
    example_name="appspec.yaml",
)  # fmt: skip
def container_port(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "ecs":
        return
    for path, body in _resources(ctx):
        lb = (
            body.get("Properties", {}).get("LoadBalancerInfo")
            if isinstance(body.get("Properties"), dict)
            else None
        )
        if not isinstance(lb, dict) or "ContainerPort" not in lb:
            continue
        port = lb["ContainerPort"]
        where = (*path, "Properties", "LoadBalancerInfo", "ContainerPort")
        if isinstance(port, str):
            if port.strip().isdigit():
                n = int(port)
                detail = _lang(
                    ctx,
                    f"ContainerPort is the string {port!r}; the AppSpec reference makes it a "
                    f"number: write ContainerPort: {n}",
                    f"ContainerPort が文字列 {port!r} になっています。AppSpec リファレンスでは"
                    f"数値です。ContainerPort: {n} と書いてください",
                )
                yield Hit(where, {"detail": detail})
            elif _placeholder(port):
                detail = _lang(
                    ctx,
                    f"ContainerPort {port!r} looks like a placeholder; CodeDeploy does not "
                    "replace it, so fill in the port number (a number, not a string)",
                    f"ContainerPort {port!r} はプレースホルダーのようです。CodeDeploy は置き換え"
                    "ないので、ポート番号 (文字列ではなく数値) を書いてください",
                )
                yield Hit(where, {"detail": detail})
            else:
                detail = _lang(
                    ctx,
                    f"ContainerPort {port!r} is not a port number; write the container's port "
                    "as a number, e.g. ContainerPort: 80",
                    f"ContainerPort {port!r} はポート番号ではありません。コンテナのポートを"
                    "数値で書いてください (例: ContainerPort: 80)",
                )
                yield Hit(where, {"detail": detail}, severity=E)
        elif isinstance(port, int) and not isinstance(port, bool) and not 1 <= port <= 65535:
            detail = _lang(
                ctx,
                f"ContainerPort {port} is not a port number (1-65535)",
                f"ContainerPort {port} はポート番号 (1〜65535) ではありません",
            )
            yield Hit(where, {"detail": detail}, severity=E)


@rule(
    "AS106", "one-resource", "appspec", E,
    en="Resources lists {count} {what}; CodeDeploy deploys exactly one per AppSpec",
    ja="Resources に{what}が {count} 個あります。1 つの AppSpec でデプロイできるのは 1 つだけです",
    explain_en="An ECS AppSpec names one target service and a Lambda AppSpec one function; "
    "CodeDeploy supports exactly one resource per deployment (AWS's AppSpec assistant: \"Only "
    "1 ECS resource (TargetService) supported in a deployment\"). Use one deployment group and "
    "AppSpec per service or function.",
    explain_ja="ECS の AppSpec に書けるターゲットサービスは 1 つ、Lambda の AppSpec に書ける関数も "
    "1 つです。CodeDeploy は 1 回のデプロイで 1 つのリソースしか扱いません (AWS の AppSpec "
    "assistant: \"Only 1 ECS resource (TargetService) supported in a deployment\")。サービスや"
    "関数ごとにデプロイグループと AppSpec を分けてください。",
    bad=_ECS + "  - OtherService:\n      Type: AWS::ECS::Service\n      Properties:\n"
    '        TaskDefinition: "<TASK_DEFINITION>"\n' + _ECS_LB,
    good=_ECS,
    example_name="appspec.yaml",
)  # fmt: skip
def one_resource(ctx: Context) -> Iterator[Hit]:
    if ctx.platform not in ("ecs", "lambda") or not isinstance(ctx.get("Resources"), list):
        return
    found = [path for i, item in enumerate(ctx.sequence("Resources")) if isinstance(item, dict)
             for path in [("Resources", i, name) for name in item]]  # fmt: skip
    if len(found) == 1:
        return
    if ctx.platform == "ecs":
        what = _lang(ctx, "services", "サービス")
    else:
        what = _lang(ctx, "functions", "関数")
    where = found[1] if len(found) > 1 else ("Resources",)
    yield Hit(where, {"count": len(found), "what": what}, key=len(found) > 1)


_AWSVPC = ("Subnets", "SecurityGroups", "AssignPublicIp")


@rule(
    "AS107", "network-configuration-incomplete", "appspec", E,
    en="AwsvpcConfiguration is missing {missing}; CodeDeploy needs all of Subnets, "
    "SecurityGroups and AssignPublicIp, or no NetworkConfiguration at all",
    ja="AwsvpcConfiguration に {missing} がありません。Subnets・SecurityGroups・AssignPublicIp は"
    "すべて書くか、NetworkConfiguration ごと省きます",
    explain_en="The ECS resources reference: \"All or none of the settings under "
    "NetworkConfiguration must be specified. For example, if you want to specify Subnets, you "
    "must also specify SecurityGroups and AssignPublicIp. If none is specified, CodeDeploy uses "
    "the current network Amazon ECS settings.\" AssignPublicIp is ENABLED or DISABLED.",
    explain_ja="ECS の resources リファレンス: NetworkConfiguration の設定はすべて書くか、1 つも"
    "書かないかのどちらかです。たとえば Subnets を書くなら SecurityGroups と AssignPublicIp も"
    "必要です。何も書かなければ CodeDeploy は ECS サービスの現在のネットワーク設定を使います。"
    "AssignPublicIp は ENABLED か DISABLED です。",
    bad=_ECS + "        NetworkConfiguration:\n          AwsvpcConfiguration:\n"
    '            Subnets: ["subnet-0123456789abcdef0"]\n',
    good=_ECS + "        NetworkConfiguration:\n          AwsvpcConfiguration:\n"
    '            Subnets: ["subnet-0123456789abcdef0"]\n'
    '            SecurityGroups: ["sg-0123456789abcdef0"]\n            AssignPublicIp: DISABLED\n',
    example_name="appspec.yaml",
)  # fmt: skip
def network_configuration(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "ecs":
        return
    for path, body in _resources(ctx):
        props = body.get("Properties")
        network = props.get("NetworkConfiguration") if isinstance(props, dict) else None
        vpc = network.get("AwsvpcConfiguration") if isinstance(network, dict) else None
        if not isinstance(vpc, dict):
            continue
        missing = [k for k in _AWSVPC if k not in vpc or vpc[k] in ([], "", None)]
        if missing:
            where = (*path, "Properties", "NetworkConfiguration", "AwsvpcConfiguration")
            sep = "・" if ctx.lang == "ja" else ", "
            yield Hit(where, {"missing": sep.join(missing)}, key=True)


@rule(
    "AS108", "lambda-version", "appspec", E,
    en="{detail}",
    ja="{detail}",
    explain_en="Name, Alias, CurrentVersion and TargetVersion are all required, and \"each "
    "property is specified with a string\". CurrentVersion is the version the alias points to "
    "now and TargetVersion the version to shift traffic to: published version numbers such as "
    "\"1\" and \"2\" (traffic shifting cannot use $LATEST or another alias).",
    explain_ja="Name・Alias・CurrentVersion・TargetVersion はすべて必須で、\"each property is "
    "specified with a string\" です。CurrentVersion はエイリアスが今指しているバージョン、"
    "TargetVersion はトラフィックを移す先のバージョンで、\"1\"・\"2\" のような発行済みバージョン"
    "の番号です ($LATEST やほかのエイリアスではトラフィックを移せません)。",
    bad=_LAMBDA_HEAD + '        CurrentVersion: "$LATEST"\n        TargetVersion: "2"\n',
    good=_LAMBDA,
    example_name=AS,
)  # fmt: skip
def lambda_version(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "lambda":
        return
    for path, body in _resources(ctx):
        props = body.get("Properties")
        if not isinstance(props, dict):
            continue
        for key in ("CurrentVersion", "TargetVersion"):
            value = props.get(key)
            where = (*path, "Properties", key)
            if isinstance(value, int) and not isinstance(value, bool):
                if value >= 1:
                    detail = _lang(
                        ctx,
                        f"{key} is the number {value}; AppSpec properties are strings: write "
                        f'{key}: "{value}"',
                        f"{key} が数値 {value} になっています。AppSpec のプロパティは文字列です。"
                        f'{key}: "{value}" と書いてください',
                    )
                    yield Hit(where, {"detail": detail}, severity=W)
                else:
                    yield Hit(where, {"detail": _not_a_version(ctx, key, value)})
            elif isinstance(value, str) and not re.fullmatch(r"[1-9]\d*", value.strip()):
                if _placeholder(value):
                    detail = _lang(
                        ctx,
                        f"{key} {value!r} looks like a placeholder; CodeDeploy needs a "
                        'published version number such as "2" here',
                        f'{key} {value!r} はプレースホルダーのようです。ここには "2" のような'
                        "発行済みバージョンの番号が必要です",
                    )
                    yield Hit(where, {"detail": detail}, severity=W)
                else:
                    yield Hit(where, {"detail": _not_a_version(ctx, key, value)})


def _not_a_version(ctx: Context, key: str, value: Any) -> str:
    return _lang(
        ctx,
        f"{key} {value!r} is not a published version number; CodeDeploy shifts the alias "
        'between numbered versions such as "1" and "2"',
        f"{key} {value!r} は発行済みバージョンの番号ではありません。CodeDeploy はエイリアスを "
        '"1"・"2" のような番号付きバージョンの間で移します',
    )


@rule(
    "AS109", "appspec-crlf", "appspec", W,
    en="the AppSpec file has Windows (CRLF) line endings; CodeDeploy's troubleshooting guide warns "
    "that carriage returns can make AppSpec validation fail: save it with LF",
    ja="AppSpec ファイルの改行が Windows 形式 (CRLF) です。CodeDeploy のトラブルシューティング"
    "ガイドは、キャリッジリターンで AppSpec の検証が失敗しうると警告しています。LF で保存して"
    "ください",
    explain_en="\"Using some text editors to create AppSpec files and shell scripts can cause "
    "deployments to fail\": carriage returns (^M) in AppSpec files for Amazon Linux, Ubuntu "
    "Server and RHEL instances can lead to hard-to-troubleshoot AppSpec validation failures. "
    "YAML itself accepts CRLF (AWS's Windows sample uses it), so this is a warning, and it is "
    "not reported for os: windows. Check the hook scripts too: a CRLF shell script fails with "
    "'bad interpreter'.",
    explain_ja="トラブルシューティングガイドの \"Using some text editors to create AppSpec files "
    "and shell scripts can cause deployments to fail\" の項: Amazon Linux・Ubuntu Server・RHEL 向け"
    "の AppSpec ファイルにキャリッジリターン (^M) があると、原因の分かりにくい AppSpec 検証エラー"
    "になることがあります。YAML 自体は CRLF を受け付けます (AWS の Windows 用サンプルも CRLF) "
    "ので警告にとどめ、os: windows では報告しません。フックのシェルスクリプトも確かめてください。"
    "CRLF のシェルスクリプトは 'bad interpreter' で失敗します。",
    bad=_SERVER.replace("\n", "\r\n"),
    good=_SERVER,
    example_name=AS,
)  # fmt: skip
def appspec_crlf(ctx: Context) -> Iterator[Hit]:
    if ctx.platform == "server" and ctx.get("os") == "windows":
        return
    if any(f.rule == "LD004" for f in ctx.doc.findings):
        yield Hit(())


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
    "AS112", "task-definition-not-arn", "appspec", W,
    en="TaskDefinition {shown} is neither the <TASK_DEFINITION> placeholder nor a task "
    "definition ARN",
    ja="TaskDefinition {shown} は <TASK_DEFINITION> プレースホルダーでもタスク定義の ARN でも"
    "ありません",
    explain_en="TaskDefinition is \"specified with the ARN of the task definition\" "
    "(arn:aws:ecs:region:account-id:task-definition/family:revision). In a CodePipeline "
    "CodeDeployToECS action, write <TASK_DEFINITION>: the action replaces it with the ARN of "
    "the task definition it registers. CodeDeploy replaces nothing else, so other placeholders "
    "must be filled in by your own build step. A bare family name may work but is not the "
    "documented form.",
    explain_ja="TaskDefinition は \"specified with the ARN of the task definition\" です "
    "(arn:aws:ecs:リージョン:アカウントID:task-definition/ファミリー:リビジョン)。CodePipeline の "
    "CodeDeployToECS アクションでは <TASK_DEFINITION> と書くと、アクションが登録したタスク定義の "
    "ARN に置き換えます。CodeDeploy がほかの値を置き換えることはないので、それ以外のプレース"
    "ホルダーは自分のビルドで埋める必要があります。ファミリー名だけでも動くことはありますが、"
    "文書化された形ではありません。",
    bad=_ECS_HEAD + '        TaskDefinition: "[Your task definition arn]"\n' + _ECS_LB,
    good=_ECS_HEAD + "        TaskDefinition: arn:aws:ecs:ap-northeast-1:123456789012:"
    "task-definition/web:3\n" + _ECS_LB,
    example_name="appspec.yaml",
)  # fmt: skip
def task_definition(ctx: Context) -> Iterator[Hit]:
    if ctx.platform != "ecs":
        return
    for path, body in _resources(ctx):
        props = body.get("Properties")
        value = props.get("TaskDefinition") if isinstance(props, dict) else None
        if not isinstance(value, str) or not value:
            continue
        if value == TASK_DEFINITION_PLACEHOLDER or _TASKDEF_ARN.fullmatch(value):
            continue
        yield Hit((*path, "Properties", "TaskDefinition"), {"shown": repr(value)})


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
