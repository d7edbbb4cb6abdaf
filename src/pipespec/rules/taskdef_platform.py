"""Task definition rules that depend on where the task runs (``TD110``–``TD112``): what
Fargate needs a task execution role for, FireLens configuration files on Fargate, and the
``default`` network mode of Windows containers on EC2.

Sources: the Amazon ECS Developer Guide (task execution IAM role; custom log routing) and
the ECS API Reference (RegisterTaskDefinition networkMode, FirelensConfiguration), whose
text botocore's ECS model carries; the registration errors quoted are ECS's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Severity
from ..schema import listing, name_of
from . import Hit, rule
from .taskdef import EXAMPLE, KIND, _containers, _example, _is_fargate

if TYPE_CHECKING:
    from ..context import Context

E, W = Severity.ERROR, Severity.WARNING

#: A private Amazon ECR repository: ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/...
_ECR = re.compile(r"\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/")


def _has_items(value: Any) -> bool:
    return isinstance(value, list) and bool(value)


def _needs_role(ctx: Context) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """(path, what in English, what in Japanese) for each use that needs the role."""
    fargate = _is_fargate(ctx)
    for i, c in _containers(ctx):
        here = ("containerDefinitions", i)
        name = name_of(here)
        log = c.get("logConfiguration")
        log = log if isinstance(log, dict) else {}
        image = c.get("image")
        if fargate and isinstance(image, str) and _ECR.match(image):
            yield ((*here, "image"), f"the Amazon ECR image of {name} on Fargate",
                   f"Fargate での {name} の Amazon ECR イメージ")  # fmt: skip
        if fargate and log.get("logDriver") == "awslogs":
            yield ((*here, "logConfiguration", "logDriver"),
                   f"the awslogs log driver of {name} on Fargate",
                   f"Fargate での {name} の awslogs ログドライバー")  # fmt: skip
        if isinstance(c.get("repositoryCredentials"), dict):
            yield ((*here, "repositoryCredentials"),
                   f"the private registry credentials of {name}",
                   f"{name} のプライベートレジストリの認証情報")  # fmt: skip
        if _has_items(c.get("secrets")):
            yield (*here, "secrets"), f"the secrets of {name}", f"{name} のシークレット"
        if _has_items(log.get("secretOptions")):
            yield ((*here, "logConfiguration", "secretOptions"),
                   f"the log secretOptions of {name}", f"{name} のログのシークレット (secretOptions)")  # fmt: skip


@rule(
    "TD110", "execution-role-required", KIND, E,
    en="executionRoleArn is not set, but {uses} {need} the task execution role: "
    "RegisterTaskDefinition rejects the task definition; add \"executionRoleArn\"",
    ja="executionRoleArn がありませんが、{uses}にはタスク実行ロールが必要です。"
    "RegisterTaskDefinition はこのタスク定義を拒否します。\"executionRoleArn\" を追加してください",
    explain_en="The task execution role is what the ECS container and Fargate agents use to "
    "call AWS on the task's behalf (Amazon ECS Developer Guide, task execution IAM role: "
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html). "
    "A task on Fargate needs it to pull an image from a private Amazon ECR repository and to "
    "send logs with the awslogs log driver; a task on Fargate or EC2 needs it for private "
    "registry authentication (repositoryCredentials) and for secrets from Secrets Manager or "
    "Parameter Store (secrets, logConfiguration.secretOptions). Without executionRoleArn, "
    "RegisterTaskDefinition fails: `Fargate requires task definition to have execution role "
    "ARN to support log driver awslogs.` (or `... to support ECR images.`), `When you are "
    "specifying container secrets, you must also specify a value for 'executionRoleArn'.` "
    "One finding names every use. An image written as a placeholder (<IMAGE1_NAME>) is not "
    "counted: what replaces it is not known here.",
    explain_ja="タスク実行ロールは、ECS コンテナエージェントと Fargate エージェントがタスクに代わって "
    "AWS を呼び出すためのロールです (Amazon ECS 開発者ガイド「タスク実行 IAM ロール」: "
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html)。"
    "Fargate のタスクでは、Amazon ECR のプライベートリポジトリからのイメージの取得と awslogs "
    "ログドライバーでのログ送信に必要で、Fargate でも EC2 でも、プライベートレジストリの認証 "
    "(repositoryCredentials) と Secrets Manager・パラメータストアのシークレット (secrets・"
    "logConfiguration.secretOptions) に必要です。executionRoleArn がないと "
    "RegisterTaskDefinition は `Fargate requires task definition to have execution role ARN "
    "to support log driver awslogs.` (または `... to support ECR images.`)、`When you are "
    "specifying container secrets, you must also specify a value for 'executionRoleArn'.` で"
    "失敗します。必要とする箇所はすべて 1 件の指摘に挙げます。プレースホルダーで書いたイメージ "
    "(<IMAGE1_NAME>) は数えません。何に置き換わるかがここでは分からないためです。",
    bad=_example(**{
        '"executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",': "",
        '"essential": true,': '"essential": true,\n"logConfiguration": {"logDriver": "awslogs", '
        '"options": {"awslogs-group": "/ecs/web", "awslogs-region": "ap-northeast-1", '
        '"awslogs-stream-prefix": "web"}},',
    }),
    good=_example(**{
        '"essential": true,': '"essential": true,\n"logConfiguration": {"logDriver": "awslogs", '
        '"options": {"awslogs-group": "/ecs/web", "awslogs-region": "ap-northeast-1", '
        '"awslogs-stream-prefix": "web"}},',
    }),
    example_name=EXAMPLE,
)  # fmt: skip
def execution_role_required(ctx: Context) -> Iterator[Hit]:
    role = ctx.get("executionRoleArn")
    if (isinstance(role, str) and role.strip()) or not isinstance(ctx.data, dict):
        return
    if role is not None and not isinstance(role, str):
        return  # the schema's finding
    uses = list(_needs_role(ctx))
    if not uses:
        return
    ja = ctx.lang == "ja"
    shown = listing([u[2] if ja else u[1] for u in uses], ctx.lang)
    yield Hit(uses[0][0], {"uses": shown, "need": "needs" if len(uses) == 1 else "need"})


@rule(
    "TD111", "firelens-config-file-on-fargate", KIND, E,
    en="FireLens on Fargate reads its configuration file only from the image: "
    "\"config-file-type\": {shown} is not supported there; use \"file\" with a path inside "
    "the log router's image",
    ja="Fargate の FireLens は設定ファイルをイメージの中からしか読めません。"
    "\"config-file-type\": {shown} は使えません。\"file\" にしてログルーターのイメージ内のパスを"
    "指定してください",
    explain_en="A FireLens log router may load a custom Fluent Bit or Fluentd configuration, "
    "from Amazon S3 (\"config-file-type\": \"s3\" with an object ARN) or from a file in its "
    "image (\"file\" with a path). \"Tasks hosted on Fargate only support the file "
    "configuration file type\" (ECS API Reference, FirelensConfiguration: "
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_FirelensConfiguration.html; "
    "Developer Guide, custom log routing: https://docs.aws.amazon.com/AmazonECS/latest/"
    "developerguide/using_firelens.html). On Fargate, build the configuration into the log "
    "router's image (or copy it from S3 in its entry point) and point config-file-value at "
    "that path.",
    explain_ja="FireLens のログルーターは独自の Fluent Bit・Fluentd の設定を、Amazon S3 から "
    "(\"config-file-type\": \"s3\" とオブジェクトの ARN) か、イメージ内のファイルから "
    "(\"file\" とパス) 読み込めます。ECS API リファレンスの FirelensConfiguration には "
    "\"Tasks hosted on Fargate only support the file configuration file type\" とあります "
    "(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_FirelensConfiguration.html。"
    "開発者ガイド「カスタムログルーティング」: https://docs.aws.amazon.com/AmazonECS/latest/"
    "developerguide/using_firelens.html)。Fargate では設定をログルーターのイメージに組み込み "
    "(またはエントリポイントで S3 からコピーし)、config-file-value にそのパスを指定します。",
    bad=_example(**{
        '"essential": true,': '"essential": true,\n"firelensConfiguration": {"type": '
        '"fluentbit", "options": {"config-file-type": "s3", "config-file-value": '
        '"arn:aws:s3:::example-bucket/fluent-bit.conf"}},',
    }),
    good=_example(**{
        '"essential": true,': '"essential": true,\n"firelensConfiguration": {"type": '
        '"fluentbit", "options": {"config-file-type": "file", "config-file-value": '
        '"/fluent-bit/etc/extra.conf"}},',
    }),
    example_name=EXAMPLE,
)  # fmt: skip
def firelens_config_file_on_fargate(ctx: Context) -> Iterator[Hit]:
    if not _is_fargate(ctx):
        return
    for i, c in _containers(ctx):
        firelens = c.get("firelensConfiguration")
        options = firelens.get("options") if isinstance(firelens, dict) else None
        kind = options.get("config-file-type") if isinstance(options, dict) else None
        if isinstance(kind, str) and kind != "file":
            path = ("containerDefinitions", i, "firelensConfiguration", "options",
                    "config-file-type")  # fmt: skip
            yield Hit(path, {"shown": f'"{kind}"'})


@rule(
    "TD112", "network-mode-default-on-linux", KIND, W,
    en="\"networkMode\": \"default\" is the network mode of Windows containers on EC2, but "
    "this task runs on {os}: leave networkMode out for bridge, or choose awsvpc, host or none",
    ja="\"networkMode\": \"default\" は EC2 上の Windows コンテナのネットワークモードですが、"
    "このタスクは {os} で動きます。bridge にするなら networkMode を省き、そうでなければ "
    "awsvpc・host・none から選んでください",
    explain_en="\"For Amazon ECS tasks on Amazon EC2 Windows instances, <default> or awsvpc "
    "can be used\" (ECS API Reference, RegisterTaskDefinition networkMode: "
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html): "
    "default is Docker's built-in nat network on Windows (the console's <default>, the same "
    "as leaving networkMode out on Windows), and pipespec accepts it though botocore's list "
    "of values (bridge, host, awsvpc, none) leaves it out. It belongs to "
    "Windows only: on Fargate the task needs awsvpc (TD103, an error), and a task whose "
    "runtimePlatform says LINUX gets this warning (on Linux, leaving networkMode out means "
    "bridge). Without runtimePlatform the operating system is not known and nothing is "
    "reported.",
    explain_ja="ECS API リファレンスの RegisterTaskDefinition の networkMode に \"For Amazon "
    "ECS tasks on Amazon EC2 Windows instances, <default> or awsvpc can be used\" とあります "
    "(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html)。"
    "default は Windows での Docker 組み込みの nat ネットワークで (コンソールの <default>。"
    "Windows では networkMode を省いたのと同じ)、botocore の値の一覧 (bridge・host・awsvpc・"
    "none) にはありませんが pipespec は受け付けます。使えるのは Windows だけで、"
    "Fargate では awsvpc が必要 (TD103、エラー) です。runtimePlatform が LINUX のタスクには"
    "この警告を出します (Linux では networkMode を省くと bridge です)。runtimePlatform がなければ "
    "OS が分からないので何も報告しません。",
    bad=_example(**{
        '"requiresCompatibilities": ["FARGATE"],': '"requiresCompatibilities": ["EC2"],\n'
        '"runtimePlatform": {"operatingSystemFamily": "LINUX"},',
        '"networkMode": "awsvpc",': '"networkMode": "default",',
    }),
    good=_example(**{
        '"requiresCompatibilities": ["FARGATE"],': '"requiresCompatibilities": ["EC2"],\n'
        '"runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"},',
        '"networkMode": "awsvpc",': '"networkMode": "default",',
    }),
    example_name=EXAMPLE,
)  # fmt: skip
def network_mode_default_on_linux(ctx: Context) -> Iterator[Hit]:
    if ctx.get("networkMode") != "default" or _is_fargate(ctx):
        return  # Fargate: TD103
    family = ctx.mapping("runtimePlatform").get("operatingSystemFamily")
    if family == "LINUX":
        yield Hit(("networkMode",), {"os": "Linux"})
