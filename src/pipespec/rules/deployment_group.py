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
    from ..check import Context

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
READ_ONLY = {"deploymentGroupId": "01234567-89ab-cdef-0123-456789abcdef", "computePlatform": "ECS"}

register(
    Rule(
        "DG104", "deployment-group-read-only-key", "schema", W,
        "{key!r} is output of get-deployment-group, not input: create-deployment-group "
        "rejects it; remove it",
        "{key!r} は get-deployment-group の出力項目で、create-deployment-group の入力には"
        "使えません。削除してください",
        "A deployment group copied from `aws deploy get-deployment-group` contains keys that "
        "CodeDeploy sets itself: deploymentGroupId, computePlatform (taken from the "
        "application), targetRevision, lastSuccessfulDeployment, lastAttemptedDeployment. "
        "They are members of DeploymentGroupInfo, not of CreateDeploymentGroupInput "
        "(CodeDeploy API Reference), and the AWS CLI fails with `Unknown parameter`.",
        "`aws deploy get-deployment-group` からコピーしたデプロイグループには、CodeDeploy 自身が"
        "設定するキー (deploymentGroupId、アプリケーションから決まる computePlatform、"
        "targetRevision、lastSuccessfulDeployment、lastAttemptedDeployment) が含まれます。"
        "これらは DeploymentGroupInfo の項目で CreateDeploymentGroupInput にはなく (CodeDeploy "
        "API リファレンス)、AWS CLI は `Unknown parameter` で失敗します。",
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
    explain_en="`aws deploy get-deployment-group` prints `{\"deploymentGroupInfo\": {...}}`. "
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
    if isinstance(ctx.get("deploymentGroupInfo"), dict):
        yield Hit(("deploymentGroupInfo",), {"key": "deploymentGroupInfo"}, key=True)


def is_ecs(ctx: Context) -> bool:
    """An ECS deployment group: it names ECS services (the application's compute platform
    is not in the file; its services are)."""
    services = ctx.get("ecsServices")
    return isinstance(services, list) and bool(services)


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
    "ecsServices must therefore have deploymentStyle BLUE_GREEN with WITH_TRAFFIC_CONTROL; "
    "CodeDeploy rejects the group otherwise (users report \"For ECS deployment, the "
    "deployment type must be BLUE_GREEN, and deployment option must be "
    "WITH_TRAFFIC_CONTROL\"). For a rolling update, use CodePipeline's Amazon ECS deploy "
    "action instead of CodeDeploy.",
    explain_ja="「インプレースデプロイを使えるのは EC2/オンプレミスのコンピューティングプラット"
    "フォームだけ」です (CodeDeploy ユーザーガイドのデプロイタイプ)。Amazon ECS では、CodeDeploy "
    "は新しいバージョンを置き換え用のタスクセットとして起動してトラフィックを切り替え、「Amazon "
    "ECS のデプロイには Application Load Balancer か Network Load Balancer が必要」です "
    "(CloudFormation リファレンスの DeploymentStyle)。そのため ecsServices を持つデプロイグループ"
    "の deploymentStyle は BLUE_GREEN と WITH_TRAFFIC_CONTROL でなければならず、それ以外は "
    "CodeDeploy が受け付けません (\"For ECS deployment, the deployment type must be BLUE_GREEN, "
    "and deployment option must be WITH_TRAFFIC_CONTROL\" という報告があります)。ローリング"
    "アップデートには、CodeDeploy ではなく CodePipeline の Amazon ECS デプロイアクションを使います。",
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
        if isinstance(value, str) and value != wanted:
            yield Hit(("deploymentStyle", key), {"wanted": f"{key} {wanted}",
                      "actual": value})  # fmt: skip
