"""ECS and Lambda resources (AS105–AS108, AS112, AS119)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import Hit, rule
from .model import (
    _ECS,
    _ECS_HEAD,
    _ECS_LB,
    _LAMBDA,
    _LAMBDA_HEAD,
    _TASKDEF_ARN,
    AS,
    INFO,
    TASK_DEFINITION_PLACEHOLDER,
    E,
    W,
    _lang,
    _placeholder,
    _resources,
)

if TYPE_CHECKING:
    from ...context import Context
    from ...document import NodePath


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


def _awsvpc_configurations(ctx: Context) -> Iterator[tuple[NodePath, dict[str, Any]]]:
    """ECS: (path, mapping) of each resource's NetworkConfiguration.AwsvpcConfiguration."""
    if ctx.platform != "ecs":
        return
    for path, body in _resources(ctx):
        props = body.get("Properties")
        network = props.get("NetworkConfiguration") if isinstance(props, dict) else None
        vpc = network.get("AwsvpcConfiguration") if isinstance(network, dict) else None
        if isinstance(vpc, dict):
            yield (*path, "Properties", "NetworkConfiguration", "AwsvpcConfiguration"), vpc


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
    for where, vpc in _awsvpc_configurations(ctx):
        missing = [k for k in _AWSVPC if k not in vpc or vpc[k] in ([], "", None)]
        if missing:
            sep = "・" if ctx.lang == "ja" else ", "
            yield Hit(where, {"missing": sep.join(missing)}, key=True)


@rule(
    "AS108", "lambda-version", "appspec", E,
    en="{detail}",
    ja="{detail}",
    explain_en="Name, Alias, CurrentVersion and TargetVersion are all required, and \"each "
    "property is specified with a string\". CurrentVersion is the version the alias points to "
    "now and TargetVersion the version to shift traffic to: published version numbers such as "
    "\"1\" and \"2\" (traffic shifting cannot use $LATEST or another alias). A number "
    "written without quotes is a warning. A template placeholder such as "
    "{{TARGET_VERSION}} is only information: CodeDeploy replaces nothing in a Lambda AppSpec, "
    "so your own build must fill it in, which pipespec cannot see.",
    explain_ja="Name・Alias・CurrentVersion・TargetVersion はすべて必須で、\"each property is "
    "specified with a string\" です。CurrentVersion はエイリアスが今指しているバージョン、"
    "TargetVersion はトラフィックを移す先のバージョンで、\"1\"・\"2\" のような発行済みバージョン"
    "の番号です ($LATEST やほかのエイリアスではトラフィックを移せません)。引用符のない数値は"
    "警告です。{{TARGET_VERSION}} のようなテンプレートのプレースホルダーは情報にとどめます。"
    "Lambda の AppSpec で CodeDeploy が置き換えるものはないので自分のビルドで埋める必要が"
    "ありますが、それは pipespec からは見えません。",
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
                    yield Hit(where, {"detail": detail}, severity=INFO)  # the build fills it
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


#: A task definition family, with or without its revision (family:3).
_FAMILY = re.compile(r"[A-Za-z0-9_-]{1,255}(?::\d+)?")


@rule(
    "AS112", "task-definition-not-arn", "appspec", W,
    en="TaskDefinition {shown} is neither the <TASK_DEFINITION> placeholder nor a task "
    "definition ARN{note}",
    ja="TaskDefinition {shown} は <TASK_DEFINITION> プレースホルダーでもタスク定義の ARN でも"
    "ありません{note}",
    explain_en="TaskDefinition is \"specified with the ARN of the task definition\" "
    "(arn:aws:ecs:region:account-id:task-definition/family:revision; AppSpec 'resources' "
    "section for Amazon ECS: https://docs.aws.amazon.com/codedeploy/latest/userguide/"
    "reference-appspec-file-structure-resources.html). What deploys an ECS AppSpec usually "
    "writes it: a CodePipeline CodeDeployToECS action replaces <TASK_DEFINITION> with the ARN "
    "of the task definition it registers, and `aws ecs deploy` and the "
    "amazon-ecs-deploy-task-definition GitHub Action overwrite TaskDefinition with theirs "
    "whatever it holds. So a template placeholder (<PLACEHOLDER>, {{TASK_DEF}}, [Your task "
    "definition arn]) or a bare family name is reported as information only: it works when "
    "such a tool or your own build fills it in, which pipespec cannot see. Anything else, "
    "such as the ARN of a service or a malformed ARN, is a warning.",
    explain_ja="TaskDefinition は \"specified with the ARN of the task definition\" です "
    "(arn:aws:ecs:リージョン:アカウントID:task-definition/ファミリー:リビジョン。Amazon ECS の "
    "AppSpec 'resources' セクション: https://docs.aws.amazon.com/codedeploy/latest/userguide/"
    "reference-appspec-file-structure-resources.html)。ECS の AppSpec はデプロイする側が書き"
    "込むのが普通です。CodePipeline の CodeDeployToECS アクションは <TASK_DEFINITION> を自分が"
    "登録したタスク定義の ARN に置き換え、`aws ecs deploy` と GitHub Action の "
    "amazon-ecs-deploy-task-definition は中身にかかわらず TaskDefinition を上書きします。"
    "そのため、テンプレートのプレースホルダー (<PLACEHOLDER>・{{TASK_DEF}}・[Your task "
    "definition arn]) やファミリー名だけの値は情報にとどめます。そうしたツールや自分のビルドが"
    "埋めれば動きますが、それは pipespec からは見えません。サービスの ARN や形の崩れた ARN "
    "など、それ以外は警告です。",
    bad=_ECS_HEAD + "        TaskDefinition: arn:aws:ecs:ap-northeast-1:123456789012:"
    "service/web/web\n" + _ECS_LB,
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
        where = (*path, "Properties", "TaskDefinition")
        filled = (
            _placeholder(value)
            or (value.startswith("[") and value.endswith("]"))
            or _FAMILY.fullmatch(value)
        )
        if filled:
            note = _lang(
                ctx,
                "; whatever deploys the AppSpec must write the ARN here",
                "。AppSpec をデプロイする側がここに ARN を書き込む必要があります",
            )
            yield Hit(where, {"shown": repr(value), "note": note}, severity=INFO)
        else:
            yield Hit(where, {"shown": repr(value), "note": ""})


#: What an ID of each kind looks like: the prefix, then 8 or (since 2018) 17 hex digits.
_VPC_IDS = {
    "Subnets": ("subnet", re.compile(r"subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})", re.I)),
    "SecurityGroups": ("security group", re.compile(r"sg-(?:[0-9a-f]{8}|[0-9a-f]{17})", re.I)),
}
_EXAMPLE_IDS = {"Subnets": "subnet-0123456789abcdef0", "SecurityGroups": "sg-0123456789abcdef0"}


def _token(value: str) -> bool:
    """A value a build step replaces: <SUBNET>, ${SG}, $SUBNET, PLACEHOLDER_SUBNET, SUBNET_1,
    or a skeleton's stand-in for the digits: x or X as many times as an ID has digits
    (subnet-xxxxxxxx), or an ellipsis (sg-...). A wildcard (subnet-*) is a mistake."""
    return _placeholder(value) or bool(
        re.fullmatch(r"[A-Z][A-Z0-9_]*|\$\w+", value)
        or _SKELETON.fullmatch(value)
        or "placeholder" in value.lower()
    )


#: The digits of an ID left for the reader to fill in.
_SKELETON = re.compile(r"(?:subnet|sg)-(?:x{8}|x{17}|X{8}|X{17}|\.{3}|…)")


@rule(
    "AS119", "awsvpc-id-format", "appspec", E,
    en="{key} {shown} is not a {what} ID such as {example}; ECS rejects it when CodeDeploy "
    "starts the replacement task set",
    ja="{key} の {shown} は {example} のような{what_ja}の ID ではありません。CodeDeploy が置き換え"
    "先のタスクセットを起動するとき、ECS がこれを拒否します",
    explain_en="Subnets and SecurityGroups of AwsvpcConfiguration are the IDs of the subnets "
    "and security groups of the replacement task set (AppSpec 'resources' section for Amazon "
    "ECS: https://docs.aws.amazon.com/codedeploy/latest/userguide/"
    "reference-appspec-file-structure-resources.html; ECS API Reference, AwsVpcConfiguration: "
    "\"The IDs of the subnets\", \"The IDs of the security groups\", "
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html). "
    "An ID is subnet- or sg- and 8 or 17 hexadecimal digits (subnet-0123456789abcdef0); a "
    "name, a Name tag or a CIDR block is not one, and the deployment fails when ECS creates "
    "the task set. Placeholders that a build step replaces are not checked: <SUBNET>, "
    "${SUBNET_ID}, $SUBNET, PLACEHOLDER_SUBNET or SUBNET_1 (upper case and underscores), as "
    "real AppSpecs write them, and a skeleton's subnet-xxxxxxxx or sg-... .",
    explain_ja="AwsvpcConfiguration の Subnets と SecurityGroups は、置き換え先のタスクセットを置く"
    "サブネットとセキュリティグループの ID です (Amazon ECS の AppSpec 'resources' セクション: "
    "https://docs.aws.amazon.com/codedeploy/latest/userguide/"
    "reference-appspec-file-structure-resources.html。ECS API リファレンスの AwsVpcConfiguration: "
    "\"The IDs of the subnets\"・\"The IDs of the security groups\"、"
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html)。"
    "ID は subnet- か sg- のあとに 16 進数 8 桁か 17 桁が続く形 (subnet-0123456789abcdef0) で、"
    "名前や Name タグ、CIDR ブロックは ID ではありません。ECS がタスクセットを作るときにデプロイが"
    "失敗します。ビルドの手順で置き換えるプレースホルダーは検査しません。実際の AppSpec に"
    "見られる <SUBNET>・${SUBNET_ID}・$SUBNET・PLACEHOLDER_SUBNET・SUBNET_1 (大文字と"
    "アンダースコア) や、ひな形の subnet-xxxxxxxx・sg-... などです。",
    bad=_ECS + "        NetworkConfiguration:\n          AwsvpcConfiguration:\n"
    "            Subnets: [private-subnet-a]\n            SecurityGroups: [sg-0123456789abcdef0]\n"
    "            AssignPublicIp: DISABLED\n",
    good=_ECS + "        NetworkConfiguration:\n          AwsvpcConfiguration:\n"
    "            Subnets: [subnet-0123456789abcdef0]\n"
    "            SecurityGroups: [sg-0123456789abcdef0]\n            AssignPublicIp: DISABLED\n",
    example_name="appspec.yaml",
)  # fmt: skip
def awsvpc_id_format(ctx: Context) -> Iterator[Hit]:
    for vpc_path, vpc in _awsvpc_configurations(ctx):
        for key, (what, pattern) in _VPC_IDS.items():
            values = vpc.get(key)
            for i, value in enumerate(values if isinstance(values, list) else ()):
                if not isinstance(value, str) or not value or pattern.fullmatch(value):
                    continue
                if _token(value):
                    continue
                where = (*vpc_path, key, i)
                params = {
                    "key": key,
                    "shown": repr(value),
                    "what": what,
                    "what_ja": "サブネット" if key == "Subnets" else "セキュリティグループ",
                    "example": _EXAMPLE_IDS[key],
                }
                yield Hit(where, params)
