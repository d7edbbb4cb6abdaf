"""CodeDeploy deployment group rules (``DG1xx``): what CreateDeploymentGroup checks beyond
the schema (deployment-group.schema.json, generated out of botocore's codedeploy model).

A file holds the input of ``aws deploy create-deployment-group --cli-input-json``; the
output of ``get-deployment-group`` (wrapped in ``deploymentGroupInfo``, with read-only keys
such as ``deploymentGroupId``) is reported as such (``DG106``, ``DG104``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from . import Hit, Rule, register, rule

if TYPE_CHECKING:
    from ..context import Context

E, W = Severity.ERROR, Severity.WARNING
KIND = "deployment-group"
EXAMPLE = "deployment-group.json"

#: An ECS blue/green deployment group, as CodeDeployToECS needs it.
ECS_GROUP = {
    "applicationName": "hello-world-ecs",
    "deploymentGroupName": "hello-world-ecs",
    "serviceRoleArn": "arn:aws:iam::123456789012:role/ecsCodeDeployRole",
    "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce",
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    "blueGreenDeploymentConfiguration": {
        "terminateBlueInstancesOnDeploymentSuccess": {
            "action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
    },
    "ecsServices": [{"serviceName": "hello-world", "clusterName": "hello-world-cluster"}],
    "loadBalancerInfo": {
        "targetGroupPairInfoList": [
            {
                "targetGroups": [{"name": "hello-world-tg-1"}, {"name": "hello-world-tg-2"}],
                "prodTrafficRoute": {"listenerArns": [
                    "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/"
                    "hello-world-alb/0123456789abcdef/fedcba9876543210"]},
            }
        ]
    },
}  # fmt: skip
GOOD = json.dumps(ECS_GROUP, indent=2) + "\n"

register(
    Rule(
        "DG105", "group-name-on-command-line", "schema", Severity.INFO,
        "{key!r} is missing: create-deployment-group requires it, so give it on the command "
        "line ({option}) or add it to the file",
        "{key!r} がありません。create-deployment-group には必須なので、コマンドラインで "
        "({option}) 渡すか、ファイルに書いてください",
        "applicationName and deploymentGroupName are required by CreateDeploymentGroup "
        "(CodeDeploy API Reference), but they are also options of `aws deploy "
        "create-deployment-group`, and with `--cli-input-json` \"values provided on the command "
        "line override the JSON-provided values\" (AWS CLI User Guide, \"Loading AWS CLI "
        "parameters from a file\"). One file can so serve several groups (test and prod), as "
        "AWS's own samples do. An info, not DG003's error: check that the command passes the "
        "name.",
        "applicationName と deploymentGroupName は CreateDeploymentGroup の必須項目ですが "
        "(CodeDeploy API リファレンス)、`aws deploy create-deployment-group` のオプションでも"
        "あり、`--cli-input-json` と一緒に渡すとコマンドラインの値が JSON の値より優先されます "
        "(AWS CLI ユーザーガイド「ファイルから AWS CLI のパラメータを読み込む」)。AWS 自身の"
        "サンプルのように、1 つのファイルを複数のグループ (テスト用と本番用) に使えます。DG003 の"
        "エラーではなく情報 (info) にしているので、コマンドが名前を渡しているか確かめてください。",
        bad=json.dumps({k: v for k, v in ECS_GROUP.items() if k != "deploymentGroupName"},
                       indent=2) + "\n",
        good=GOOD,
        example_name=EXAMPLE,
    )
)  # fmt: skip
READ_ONLY = {"deploymentGroupId": "01234567-89ab-cdef-0123-456789abcdef", "computePlatform": "ECS"}

register(
    Rule(
        "DG104", "deployment-group-read-only-key", "schema", W,
        "{keys} {are} output of get-deployment-group, not input: create-deployment-group "
        "rejects {them}; remove {them}",
        "{keys} は get-deployment-group の出力項目で、create-deployment-group の入力には"
        "使えません。削除してください",
        "A deployment group copied from `aws deploy get-deployment-group` contains keys that "
        "CodeDeploy sets itself: deploymentGroupId, computePlatform (taken from the "
        "application), targetRevision, lastSuccessfulDeployment, lastAttemptedDeployment. "
        "They are members of DeploymentGroupInfo, not of CreateDeploymentGroupInput "
        "(CodeDeploy API Reference), and the AWS CLI fails with `Unknown parameter`. One "
        "warning for the file, at the first such key, naming them (six, then how many more).",
        "`aws deploy get-deployment-group` からコピーしたデプロイグループには、CodeDeploy 自身が"
        "設定するキー (deploymentGroupId、アプリケーションから決まる computePlatform、"
        "targetRevision、lastSuccessfulDeployment、lastAttemptedDeployment) が含まれます。"
        "これらは DeploymentGroupInfo の項目で CreateDeploymentGroupInput にはなく (CodeDeploy "
        "API リファレンス)、AWS CLI は `Unknown parameter` で失敗します。警告はファイルに 1 つで、"
        "最初のキーの位置にキーを挙げます (6 個まで、それ以上は残りの数)。",
        bad=json.dumps({**READ_ONLY, **ECS_GROUP}, indent=2) + "\n",
        good=GOOD,
        example_name=EXAMPLE,
    )
)  # fmt: skip


@rule(
    "DG106", "get-output-wrapper", KIND, E,
    en="this is get-deployment-group output: the deployment group is wrapped in {key!r}; use "
    "the object inside it as the whole file",
    ja="get-deployment-group の出力のままです。デプロイグループが {key!r} に包まれています。"
    "中のオブジェクトをファイル全体にしてください",
    explain_en="`aws deploy get-deployment-group` prints `{\"deploymentGroupInfo\": {...}}` "
    "(and batch-get-deployment-groups a list in deploymentGroupsInfo). "
    "create-deployment-group and update-deployment-group take the members of the inner "
    "object at the top level. Unwrap it, for example with `jq .deploymentGroupInfo`, then "
    "remove the read-only keys (DG104).",
    explain_ja="`aws deploy get-deployment-group` は `{\"deploymentGroupInfo\": {...}}` の形で"
    "出力します。create-deployment-group や update-deployment-group が受け取るのは中身の"
    "オブジェクトの項目です。`jq .deploymentGroupInfo` などで取り出し、読み取り専用のキー "
    "(DG104) も削除します。",
    bad=json.dumps({"deploymentGroupInfo": ECS_GROUP}, indent=2) + "\n",
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def get_output_wrapper(ctx: Context) -> Iterator[Hit]:
    for key in ("deploymentGroupInfo", "deploymentGroupsInfo"):  # get, batch-get
        if isinstance(ctx.get(key), (dict, list)):
            yield Hit((key,), {"key": key}, key=True)


def is_ecs(ctx: Context) -> bool:
    """An ECS deployment group: it names ECS services, or uses an ECS deployment
    configuration (the application's compute platform is not in the file)."""
    services = ctx.get("ecsServices")
    config = ctx.get("deploymentConfigName")
    return (isinstance(services, list) and bool(services)) or (
        isinstance(config, str) and config.startswith("CodeDeployDefault.ECS")
    )


@rule(
    "DG110", "ecs-needs-blue-green", KIND, E,
    en="an ECS deployment group must be {wanted}, not {actual}: CodeDeploy deploys ECS "
    "services only blue/green, behind a load balancer",
    ja="ECS のデプロイグループは {wanted} でなければなりません ({actual} になっています)。"
    "CodeDeploy は ECS サービスをロードバランサーの後ろでのブルー/グリーンでしかデプロイしません",
    explain_en="\"Only deployments that use the EC2/On-Premises compute platform can use "
    "in-place deployments\" (CodeDeploy User Guide, deployment types); for Amazon ECS, "
    "CodeDeploy installs the new version as a replacement task set and shifts traffic to it, "
    "and \"an Application Load Balancer or Network Load Balancer is required for an Amazon "
    "ECS deployment\" (DeploymentStyle, CloudFormation reference). A deployment group with "
    "ecsServices must therefore have deploymentStyle BLUE_GREEN with WITH_TRAFFIC_CONTROL, "
    "both written out: an ECS deployment never runs in place. For a rolling update, use "
    "CodePipeline's Amazon ECS deploy action instead of CodeDeploy.",
    explain_ja="「インプレースデプロイを使えるのは EC2/オンプレミスのコンピューティングプラット"
    "フォームだけ」です (CodeDeploy ユーザーガイドのデプロイタイプ)。Amazon ECS では、CodeDeploy "
    "は新しいバージョンを置き換え用のタスクセットとして起動してトラフィックを切り替え、「Amazon "
    "ECS のデプロイには Application Load Balancer か Network Load Balancer が必要」です "
    "(CloudFormation リファレンスの DeploymentStyle)。そのため ecsServices を持つデプロイグループ"
    "の deploymentStyle には BLUE_GREEN と WITH_TRAFFIC_CONTROL の両方を書きます。ECS のデプロイが"
    "インプレースで動くことはありません。ローリングアップデートには、CodeDeploy ではなく "
    "CodePipeline の Amazon ECS デプロイアクションを使います。",
    bad=json.dumps({**ECS_GROUP, "deploymentStyle": {
        "deploymentType": "IN_PLACE", "deploymentOption": "WITH_TRAFFIC_CONTROL"}},
        indent=2) + "\n",
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def ecs_needs_blue_green(ctx: Context) -> Iterator[Hit]:
    if not is_ecs(ctx):
        return
    style = ctx.get("deploymentStyle")
    if not isinstance(style, dict):
        yield Hit((), {"wanted": "BLUE_GREEN with WITH_TRAFFIC_CONTROL",
                       "actual": "IN_PLACE without traffic control (no deploymentStyle)"})  # fmt: skip
        return
    for key, wanted in (("deploymentType", "BLUE_GREEN"),
                        ("deploymentOption", "WITH_TRAFFIC_CONTROL")):  # fmt: skip
        value = style.get(key)
        if value == wanted:
            continue
        if key in style:
            yield Hit(("deploymentStyle", key), {"wanted": f"{key} {wanted}",
                      "actual": str(value)})  # fmt: skip
        else:  # the default: IN_PLACE, WITHOUT_TRAFFIC_CONTROL
            yield Hit(("deploymentStyle",), {"wanted": f"{key} {wanted}",
                      "actual": "its default (not written)"}, key=True)  # fmt: skip


# --------------------------------------------------------------------------- platforms

# Facts: CodeDeploy User Guide "Working with deployment configurations" (predefined
# names per compute platform), "Integrating CodeDeploy with Elastic Load Balancing" ("The
# use of Elastic Load Balancing load balancers is mandatory in blue/green deployments"),
# the ECS prerequisites ("An Amazon ECS deployment requires two target groups", "One
# production listener is required") and botocore's codedeploy model.

ECS_CONFIGS = ("CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
               "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
               "CodeDeployDefault.ECSCanary10Percent5Minutes",
               "CodeDeployDefault.ECSCanary10Percent15Minutes",
               "CodeDeployDefault.ECSAllAtOnce")  # fmt: skip
LAMBDA_CONFIGS = ("CodeDeployDefault.LambdaCanary10Percent5Minutes",
                  "CodeDeployDefault.LambdaCanary10Percent10Minutes",
                  "CodeDeployDefault.LambdaCanary10Percent15Minutes",
                  "CodeDeployDefault.LambdaCanary10Percent30Minutes",
                  "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
                  "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
                  "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
                  "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
                  "CodeDeployDefault.LambdaAllAtOnce")  # fmt: skip
SERVER_CONFIGS = ("CodeDeployDefault.AllAtOnce", "CodeDeployDefault.HalfAtATime",
                  "CodeDeployDefault.OneAtATime")  # fmt: skip
CONFIGS = {"ECS": ECS_CONFIGS, "Lambda": LAMBDA_CONFIGS, "EC2/On-Premises": SERVER_CONFIGS}
SERVER_KEYS = ("ec2TagFilters", "ec2TagSet", "autoScalingGroups",
               "onPremisesInstanceTagFilters", "onPremisesTagSet")  # fmt: skip


def platform(ctx: Context) -> str:
    """The compute platform the group is for: from its services, instances or config."""
    if is_ecs(ctx):
        return "ECS"
    if any(ctx.get(k) for k in SERVER_KEYS):
        return "EC2/On-Premises"
    config = ctx.get("deploymentConfigName")
    for name, known in CONFIGS.items():
        if config in known:
            return name
    return ""


@rule(
    "DG111", "deployment-config-platform", KIND, E,
    en="{config} is a deployment configuration for {belongs}, but this deployment group is "
    "for {platform}; use one of {choices}",
    ja="{config} は {belongs} のデプロイ設定ですが、このデプロイグループは {platform} 用です。"
    "{choices} のどれかにします",
    explain_en="Each predefined deployment configuration belongs to one compute platform "
    "(CodeDeploy User Guide, deployment configurations): CodeDeployDefault.OneAtATime, "
    "HalfAtATime and AllAtOnce to EC2/On-Premises, CodeDeployDefault.ECS* to Amazon ECS, "
    "CodeDeployDefault.Lambda* to Lambda. A deployment group cannot use another platform's "
    "configuration; for ECS the group is known by its ecsServices, for EC2/On-Premises by "
    "its tags or Auto Scaling groups.",
    explain_ja="定義済みのデプロイ設定は、それぞれ 1 つのコンピューティングプラットフォームのもの"
    "です (CodeDeploy ユーザーガイドのデプロイ設定)。CodeDeployDefault.OneAtATime・HalfAtATime・"
    "AllAtOnce は EC2/オンプレミス、CodeDeployDefault.ECS* は Amazon ECS、"
    "CodeDeployDefault.Lambda* は Lambda 用です。デプロイグループはほかのプラットフォームの設定を"
    "使えません。ECS のグループは ecsServices から、EC2/オンプレミスのグループはタグや Auto Scaling "
    "グループから分かります。",
    bad=json.dumps({**ECS_GROUP, "deploymentConfigName": "CodeDeployDefault.OneAtATime"},
                   indent=2) + "\n",
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def deployment_config_platform(ctx: Context) -> Iterator[Hit]:
    config = ctx.get("deploymentConfigName")
    if not isinstance(config, str) or not config.startswith("CodeDeployDefault."):
        return
    services = ctx.get("ecsServices")
    group = "ECS" if isinstance(services, list) and services else "EC2/On-Premises" if any(
        ctx.get(k) for k in SERVER_KEYS) else ""  # fmt: skip
    belongs = next((p for p, known in CONFIGS.items() if config in known), "")
    if group and belongs and belongs != group:
        sep = "、" if ctx.lang == "ja" else ", "
        yield Hit(("deploymentConfigName",), {"config": config, "belongs": belongs,
                  "platform": group, "choices": sep.join(CONFIGS[group])})  # fmt: skip


@rule(
    "DG112", "ecs-load-balancer", KIND, E,
    en="an ECS deployment group needs {what}",
    ja="ECS のデプロイグループには {what_ja}が必要です",
    explain_en="\"An Amazon ECS deployment requires two target groups\" and \"One production "
    "listener is required\" (CodeDeploy User Guide, ECS deployment prerequisites): "
    "loadBalancerInfo.targetGroupPairInfoList holds one pair, of exactly two targetGroups, "
    "with a prodTrafficRoute whose listenerArns holds the production listener. CodeDeploy "
    "shifts traffic between the two groups; without them it cannot deploy.",
    explain_ja="「Amazon ECS のデプロイには 2 つのターゲットグループが必要」で「本番用のリスナーが "
    "1 つ必要」です (CodeDeploy ユーザーガイドの ECS デプロイの前提条件)。"
    "loadBalancerInfo.targetGroupPairInfoList に 1 組、ちょうど 2 つの targetGroups と、本番の"
    "リスナーを listenerArns に持つ prodTrafficRoute を書きます。CodeDeploy はこの 2 つのグループの"
    "間でトラフィックを切り替えるので、これがないとデプロイできません。",
    bad=json.dumps({k: v for k, v in ECS_GROUP.items() if k != "loadBalancerInfo"},
                   indent=2) + "\n",
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def ecs_load_balancer(ctx: Context) -> Iterator[Hit]:
    if not is_ecs(ctx):
        return
    pairs = ctx.get("loadBalancerInfo", "targetGroupPairInfoList")
    if not isinstance(pairs, list) or not pairs:
        where = ("loadBalancerInfo",) if isinstance(ctx.get("loadBalancerInfo"), dict) else ()
        yield Hit(where, {"what": "loadBalancerInfo.targetGroupPairInfoList (two target "
                          "groups and a production listener)",
                          "what_ja": "loadBalancerInfo.targetGroupPairInfoList (2 つのターゲット"
                          "グループと本番のリスナー) "}, key=bool(where))  # fmt: skip
        return
    if len(pairs) > 1:
        yield Hit(
            ("loadBalancerInfo", "targetGroupPairInfoList"),
            {
                "what": f"one target group pair, not {len(pairs)}",
                "what_ja": f"ターゲットグループの組が 1 つだけ ({len(pairs)} 組ではなく) ",
            },
        )
    for i, pair in enumerate(pairs):
        if not isinstance(pair, dict):
            continue
        at = ("loadBalancerInfo", "targetGroupPairInfoList", i)
        groups = pair.get("targetGroups")
        if not isinstance(groups, list) or len(groups) != 2:
            count = len(groups) if isinstance(groups, list) else 0
            yield Hit(
                (*at, "targetGroups") if "targetGroups" in pair else at,
                {
                    "what": f"exactly two targetGroups in a pair, not {count}",
                    "what_ja": f"1 組にちょうど 2 つの targetGroups ({count} 個ではなく) ",
                },
            )
        listeners = pair.get("prodTrafficRoute")
        arns = listeners.get("listenerArns") if isinstance(listeners, dict) else None
        if not isinstance(arns, list) or len(arns) != 1:
            count = len(arns) if isinstance(arns, list) else 0
            yield Hit(at, {"what": f"a prodTrafficRoute with one listener ARN, not {count}",
                           "what_ja": f"リスナーの ARN を 1 つだけ ({count} 個ではなく) 持つ "
                           "prodTrafficRoute "})  # fmt: skip


@rule(
    "DG113", "blue-green-needs-load-balancer", KIND, E,
    en="a blue/green deployment group for EC2 instances needs a load balancer "
    "(loadBalancerInfo with elbInfoList or targetGroupInfoList)",
    ja="EC2 インスタンスのブルー/グリーンのデプロイグループにはロードバランサー "
    "(elbInfoList か targetGroupInfoList を持つ loadBalancerInfo) が必要です",
    explain_en="\"The use of Elastic Load Balancing load balancers is mandatory in blue/green "
    "deployments and optional in in-place deployments\" (CodeDeploy User Guide, Integrating "
    "CodeDeploy with Elastic Load Balancing): traffic moves from the original instances to "
    "the replacement ones through it. Classic Load Balancers go in elbInfoList, target groups "
    "of an Application or Network Load Balancer in targetGroupInfoList.",
    explain_ja="「Elastic Load Balancing のロードバランサーは、ブルー/グリーンデプロイでは必須、"
    "インプレースデプロイでは任意」です (CodeDeploy ユーザーガイドの Elastic Load Balancing との"
    "統合)。トラフィックはロードバランサーを通じて元のインスタンスから置き換え先に移ります。"
    "Classic Load Balancer は elbInfoList に、Application/Network Load Balancer のターゲット"
    "グループは targetGroupInfoList に書きます。",
    bad=json.dumps({
        "applicationName": "hello-world", "deploymentGroupName": "hello-world-bluegreen",
        "serviceRoleArn": "arn:aws:iam::123456789012:role/CodeDeployServiceRole",
        "autoScalingGroups": ["hello-world-asg"],
        "deploymentStyle": {"deploymentType": "BLUE_GREEN",
                            "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "blueGreenDeploymentConfiguration": {
            "greenFleetProvisioningOption": {"action": "COPY_AUTO_SCALING_GROUP"}}},
        indent=2) + "\n",
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def blue_green_needs_load_balancer(ctx: Context) -> Iterator[Hit]:
    if platform(ctx) != "EC2/On-Premises" or ctx.get("deploymentStyle", "deploymentType") != (
        "BLUE_GREEN"
    ):
        return
    info = ctx.mapping("loadBalancerInfo")
    if not info.get("elbInfoList") and not info.get("targetGroupInfoList"):
        yield Hit(("deploymentStyle", "deploymentType"))


#: botocore's BlueInstanceTerminationOption: "The maximum setting is 2880 minutes (2 days)."
MAX_TERMINATION_WAIT = 2880


@rule(
    "DG114", "termination-wait", KIND, E,
    en="terminationWaitTimeInMinutes is {value}; it must be 0 to "
    f"{MAX_TERMINATION_WAIT} minutes (2 days)",
    ja="terminationWaitTimeInMinutes が {value} です。0 から "
    f"{MAX_TERMINATION_WAIT} 分 (2 日) の間にします",
    explain_en="After a successful blue/green deployment CodeDeploy waits this many minutes "
    "before it terminates the original instances or task set; \"The maximum setting is 2880 "
    "minutes (2 days)\" (CodeDeploy API Reference, BlueInstanceTerminationOption); a larger "
    "value is rejected.",
    explain_ja="ブルー/グリーンデプロイが成功した後、CodeDeploy は元のインスタンスやタスクセットを"
    "終了する前にこの分数だけ待ちます。「最大は 2880 分 (2 日)」です (CodeDeploy API リファレンスの "
    "BlueInstanceTerminationOption)。それより大きい値は受け付けられません。",
    bad=GOOD.replace('"terminationWaitTimeInMinutes": 5', '"terminationWaitTimeInMinutes": 4320'),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def termination_wait(ctx: Context) -> Iterator[Hit]:
    path = ("blueGreenDeploymentConfiguration", "terminateBlueInstancesOnDeploymentSuccess",
            "terminationWaitTimeInMinutes")  # fmt: skip
    value = ctx.get(*path)
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not (0 <= value <= MAX_TERMINATION_WAIT)
    ):
        yield Hit(path, {"value": value})


@rule(
    "DG115", "tag-filters-and-tag-set", KIND, E,
    en="{filters} and {tag_set} cannot be used together; keep one",
    ja="{filters} と {tag_set} は同時に使えません。どちらか一方にします",
    explain_en="ec2TagFilters \"cannot be used in the same call as ec2TagSet\", and "
    "onPremisesInstanceTagFilters likewise with onPremisesTagSet (CodeDeploy API Reference, "
    "CreateDeploymentGroup): the API answers InvalidEC2TagCombinationException. A tag set "
    "combines up to three groups of tags; the filters are the older, single-group form.",
    explain_ja="ec2TagFilters は「ec2TagSet と同じ呼び出しでは使えない」とされ、"
    "onPremisesInstanceTagFilters と onPremisesTagSet も同じです (CodeDeploy API リファレンスの "
    "CreateDeploymentGroup)。API は InvalidEC2TagCombinationException を返します。タグセットは"
    "最大 3 つのタググループを組み合わせる形で、フィルターはグループが 1 つだけの古い形です。",
    bad=json.dumps({
        "applicationName": "hello-world", "deploymentGroupName": "hello-world-inplace",
        "serviceRoleArn": "arn:aws:iam::123456789012:role/CodeDeployServiceRole",
        "ec2TagFilters": [{"Key": "app", "Value": "hello-world", "Type": "KEY_AND_VALUE"}],
        "ec2TagSet": {"ec2TagSetList": [[{"Key": "env", "Value": "prod",
                                          "Type": "KEY_AND_VALUE"}]]}}, indent=2) + "\n",
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def tag_filters_and_tag_set(ctx: Context) -> Iterator[Hit]:
    for filters, tag_set in (("ec2TagFilters", "ec2TagSet"),
                             ("onPremisesInstanceTagFilters", "onPremisesTagSet")):  # fmt: skip
        if ctx.get(filters) and ctx.get(tag_set):
            yield Hit((tag_set,), {"filters": filters, "tag_set": tag_set}, key=True)
