"""ECS task definition rules (``TD1xx``): what RegisterTaskDefinition checks beyond the schema.

The schema (taskdef.schema.json, generated out of botocore's ECS model) covers types,
required keys and unknown keys. botocore does not check values against each other, so the
rules here do: Fargate task sizes, network mode and port mappings, container names and
the essential flag, and the two ways a pasted ``describe-task-definition`` output differs
from an input (``TD104`` read-only keys, routed from the schema; ``TD106`` the wrapper).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Severity
from . import Hit, Rule, register, rule

if TYPE_CHECKING:
    from ..context import Context

E, W = Severity.ERROR, Severity.WARNING
KIND = "taskdef"
EXAMPLE = "taskdef.json"

#: Fargate task sizes: cpu units -> the memory values (MiB) allowed with it [FG].
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
#: cpu values that Windows tasks on Fargate support [FG].
FARGATE_WINDOWS_CPU = (1024, 2048, 4096)

_CPU = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(vcpu)?\s*$", re.IGNORECASE)
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(gb)?\s*$", re.IGNORECASE)


def _units(value: Any, pattern: re.Pattern[str]) -> int | None:
    """Task cpu or memory as ECS stores it: "1 vCPU" -> 1024, "2 GB" -> 2048, "512" -> 512.

    None for anything else (a placeholder such as "<CPU>", a number: the schema reports it).
    """
    if not isinstance(value, str):
        return None
    m = pattern.match(value)
    if not m:
        return None
    amount = float(m.group(1)) * (1024 if m.group(2) else 1)
    return int(amount) if amount.is_integer() else None


def parse_cpu(value: Any) -> int | None:
    return _units(value, _CPU)


def parse_memory(value: Any) -> int | None:
    return _units(value, _MEMORY)


def _join(values: list[str], lang: str) -> str:
    if lang == "ja":
        return "・".join(values)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def allowed_memory(cpu: int, lang: str = "en") -> str:
    """The memory values allowed with ``cpu``, short: "1024, 2048, 3072 or 4096"."""
    values = FARGATE_SIZES[cpu]
    if len(values) <= 4:
        return _join([str(v) for v in values], lang)
    step = values[1] - values[0]
    if lang == "ja":
        return f"{values[0]}〜{values[-1]} の {step} 刻み"
    return f"{values[0]} to {values[-1]} in steps of {step}"


def _is_fargate(ctx: Context) -> bool:
    return "FARGATE" in ctx.sequence("requiresCompatibilities")


def _containers(ctx: Context) -> Iterator[tuple[int, dict[str, Any]]]:
    for i, c in enumerate(ctx.sequence("containerDefinitions")):
        if isinstance(c, dict):
            yield i, c


# --------------------------------------------------------------------------- examples

GOOD = """\
{
  "family": "web",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "cpu": "512",
  "memory": "1024",
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  "containerDefinitions": [
    {
      "name": "web",
      "image": "<IMAGE1_NAME>",
      "essential": true,
      "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
    }
  ]
}
"""


def _example(**changes: str) -> str:
    """GOOD with whole lines replaced: {old line (stripped): new line(s), "" to delete it}."""
    lines = []
    for line in GOOD.splitlines():
        new = changes.get(line.strip())
        if new is None:
            lines.append(line)
        elif new:
            indent = line[: len(line) - len(line.lstrip())]
            lines += [indent + part for part in new.split("\n")]
    return "\n".join(lines) + "\n"


TWO_CONTAINERS = """\
{
  "family": "web",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "cpu": "512",
  "memory": "1024",
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  "containerDefinitions": [
    {
      "name": "web",
      "image": "<IMAGE1_NAME>",
      "essential": true,
      "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    },
    {
      "name": "%s",
      "image": "public.ecr.aws/nginx/nginx:1.27",
      "essential": false,
      "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
    }
  ]
}
"""


# --------------------------------------------------------------------------- routed rules

register(
    Rule(
        "TD104", "read-only-key", "schema", W,
        "{keys} {are} output of describe-task-definition, not input: RegisterTaskDefinition "
        "rejects {them}; remove {them}",
        "{keys} は describe-task-definition の出力項目で、RegisterTaskDefinition の入力には"
        "使えません。削除してください",
        "A task definition copied from `aws ecs describe-task-definition` (or the console's JSON "
        "view) contains keys that ECS sets itself: taskDefinitionArn, revision, status, "
        "requiresAttributes, compatibilities, registeredAt, registeredBy, deregisteredAt, "
        "deleteRequestedAt. They are not parameters of RegisterTaskDefinition (ECS API "
        "Reference), and `aws ecs register-task-definition --cli-input-json` fails with "
        "`Unknown parameter`. Some tools drop them (the amazon-ecs-deploy-task-definition GitHub "
        "Action removes them with a warning, and real files with them are deployed by "
        "CodePipeline's ECS blue/green action), hence a warning, one for the file, at the first "
        "such key, naming them (six, then how many more); delete them so the file works with "
        "every tool.",
        "`aws ecs describe-task-definition` (やコンソールの JSON 表示) からコピーしたタスク定義には、"
        "ECS 自身が設定するキー (taskDefinitionArn・revision・status・requiresAttributes・"
        "compatibilities・registeredAt・registeredBy・deregisteredAt・deleteRequestedAt) が"
        "含まれます。これらは RegisterTaskDefinition のパラメータではなく (ECS API リファレンス)、"
        "`aws ecs register-task-definition --cli-input-json` は `Unknown parameter` で失敗します。"
        "取り除いてくれるツールもあるため (GitHub Action の amazon-ecs-deploy-task-definition は"
        "警告を出して削除し、これらを含む実際のファイルが CodePipeline の ECS Blue/Green "
        "アクションでデプロイされています) 警告にしています。ファイルに 1 件、最初のキーの位置で"
        "キーを挙げて (6 個まで、それ以上は残りの数) 報告します。どのツールでも使えるよう削除して"
        "ください。",
        bad=_example(**{'"family": "web",': '"family": "web",\n"revision": 3,\n"status": "ACTIVE",'}),
        good=GOOD,
        example_name=EXAMPLE,
    )
)  # fmt: skip

register(
    Rule(
        "TD109", "null-value", "schema", W,
        "{subject}; the AWS CLI rejects null and other tools drop the key: remove {them}",
        "{subject}。AWS CLI は null を受け付けず、ほかのツールはキーごと無視します。削除して"
        "ください",
        "`null` in a task definition usually comes from a tool that wrote every field. The "
        "ECS API has no null values: botocore, and so `aws ecs register-task-definition "
        "--cli-input-json`, fails with `Invalid type for parameter ..., value: None`. Other "
        "tools treat null as an absent key (the amazon-ecs-deploy-task-definition GitHub Action "
        "removes null keys before registering, and real files with null values are deployed by "
        "CodePipeline), hence a warning, one for each object that has null values, naming them. "
        "Remove the key to mean \"not set\". A key that is required (the name of a secret, "
        "say) cannot be left out, so null there is an error of its own (TD002): every tool "
        "fails on it.",
        "タスク定義の `null` は、すべての項目を書き出すツールの出力によく見られます。ECS API に "
        "null という値はなく、botocore (つまり `aws ecs register-task-definition "
        "--cli-input-json`) は `Invalid type for parameter ..., value: None` で失敗します。"
        "ほかのツールは null を未指定として扱うため (GitHub Action の "
        "amazon-ecs-deploy-task-definition は登録前に null のキーを取り除き、null を含む実際の"
        "ファイルが CodePipeline でデプロイされています) 警告にしています。null の値を持つ"
        "オブジェクトごとに 1 件にまとめ、その名前を並べます。未指定にしたいならキーごと削除"
        "します。必須のキー (シークレットの name など) は省略できないので、そこでの null は"
        "どのツールでも失敗する別のエラー (TD002) です。",
        bad=_example(**{'"family": "web",': '"family": "web",\n"ipcMode": null,'}),
        good=GOOD,
        example_name=EXAMPLE,
    )
)  # fmt: skip


# --------------------------------------------------------------------------- semantic rules


@rule(
    "TD101", "fargate-task-size", KIND, E,
    en="Fargate has no task size {size} (RegisterTaskDefinition: Invalid 'cpu' setting for "
    "task.); {fix}",
    ja="Fargate に {size} のタスクサイズはありません (RegisterTaskDefinition のエラー: "
    "Invalid 'cpu' setting for task.)。{fix}",
    explain_en="A task definition that requires FARGATE (even together with EC2) must use one of "
    "Fargate's cpu/memory combinations: cpu 256 with memory 512, 1024 or 2048; 512 with "
    "1024-4096; 1024 with 2048-8192; 2048 with 4096-16384; 4096 with 8192-30720 (1 GB steps); "
    "8192 with 16384-61440 (4 GB steps) and 16384 with 32768-122880 (8 GB steps), the last two "
    "on Linux platform 1.4.0 or later. Windows tasks support cpu 1024, 2048 and 4096 only. "
    "Otherwise RegisterTaskDefinition fails with `Invalid 'cpu' setting for task.` (Amazon ECS "
    "Developer Guide, \"Troubleshoot Amazon ECS task definition invalid CPU or memory "
    "errors\"). Values may be written as units (\"1024\") or as \"1 vCPU\" / \"2 GB\".",
    explain_ja="requiresCompatibilities に FARGATE を含むタスク定義 (EC2 と併記しても同じ) は、"
    "Fargate の cpu と memory の組み合わせのどれかにする必要があります。cpu 256 なら memory "
    "512・1024・2048、512 なら 1024〜4096、1024 なら 2048〜8192、2048 なら 4096〜16384、"
    "4096 なら 8192〜30720 (いずれも 1 GB 刻み)、8192 なら 16384〜61440 (4 GB 刻み)、16384 なら "
    "32768〜122880 (8 GB 刻み) で、最後の 2 つは Linux のプラットフォーム 1.4.0 以降に限られます。"
    "Windows のタスクは cpu 1024・2048・4096 だけです。外れると RegisterTaskDefinition は "
    "`Invalid 'cpu' setting for task.` で失敗します (Amazon ECS 開発者ガイド「Troubleshoot "
    "Amazon ECS task definition invalid CPU or memory errors」)。値は単位数 (\"1024\") のほか "
    "\"1 vCPU\"・\"2 GB\" とも書けます。",
    bad=_example(**{'"memory": "1024",': '"memory": "512",'}),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def fargate_task_size(ctx: Context) -> Iterator[Hit]:
    if not _is_fargate(ctx):
        return
    raw_cpu, raw_memory = ctx.get("cpu"), ctx.get("memory")
    cpu, memory = parse_cpu(raw_cpu), parse_memory(raw_memory)
    if cpu is None:
        return
    ja = ctx.lang == "ja"
    sep = "・" if ja else " / "
    size = f"cpu {raw_cpu}" + (f"{sep}memory {raw_memory}" if memory is not None else "")
    family = ctx.mapping("runtimePlatform").get("operatingSystemFamily")
    windows = isinstance(family, str) and family.upper().startswith("WINDOWS")
    valid_cpu = FARGATE_WINDOWS_CPU if windows else tuple(FARGATE_SIZES)
    if cpu not in valid_cpu:
        choices = _join([str(c) for c in valid_cpu], ctx.lang)
        if windows:
            fix = (
                f"Windows の cpu は {choices} のどれかです"
                if ja
                else (f"Windows tasks take cpu {choices}")
            )
        else:
            fix = f"cpu は {choices} のどれかです" if ja else f"cpu must be {choices}"
        yield Hit(("cpu",), {"size": size, "fix": fix})
        return
    if memory is None or memory in FARGATE_SIZES[cpu]:
        return
    allowed = allowed_memory(cpu, ctx.lang)
    fix = (
        f"cpu {cpu} の memory は {allowed} (MiB) のどれかです"
        if ja
        else f"with cpu {cpu} use memory {allowed} (MiB)"
    )
    yield Hit(("memory",), {"size": size, "fix": fix})


@rule(
    "TD102", "host-port-mismatch", KIND, E,
    en="hostPort {host} differs from containerPort {container}; with networkMode {mode} the "
    "host port must equal the container port or be left out",
    ja="hostPort {host} が containerPort {container} と異なります。networkMode {mode} では "
    "hostPort を containerPort と同じにするか省略します",
    explain_en="In the awsvpc and host network modes a container's port is the port on the "
    "network interface itself, so there is no mapping: \"the hostPort can be left blank or it "
    "must be the same value as the containerPort\" (ECS API Reference, PortMapping). Any other "
    "value, including 0, is rejected by RegisterTaskDefinition. Dynamic host ports (0 or no "
    "hostPort) belong to the bridge network mode.",
    explain_ja="awsvpc と host のネットワークモードでは、コンテナのポートがそのままネットワーク"
    "インターフェースのポートになるため、ポートの対応付けはありません。ECS API リファレンスの "
    "PortMapping には「hostPort は空にするか containerPort と同じ値にする」とあり、それ以外の値 "
    "(0 を含む) は RegisterTaskDefinition が拒否します。動的ホストポート (0 や hostPort なし) "
    "は bridge モードのものです。",
    bad=_example(**{'"portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]':
                    '"portMappings": [{"containerPort": 8080, "hostPort": 80, "protocol": "tcp"}]'}),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def host_port_mismatch(ctx: Context) -> Iterator[Hit]:
    mode = ctx.get("networkMode")
    if mode not in ("awsvpc", "host"):
        return
    for i, c in _containers(ctx):
        for j, pm in enumerate(c.get("portMappings") or []):
            if not isinstance(pm, dict):
                continue
            host, container = pm.get("hostPort"), pm.get("containerPort")
            if not (_is_int(host) and _is_int(container)) or host == container:
                continue
            yield Hit(
                ("containerDefinitions", i, "portMappings", j, "hostPort"),
                {"host": host, "container": container, "mode": mode},
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@rule(
    "TD103", "fargate-network-mode", KIND, E,
    en="Fargate requires \"networkMode\": \"awsvpc\"; {mode}",
    ja="Fargate では \"networkMode\": \"awsvpc\" が必要です。{mode}",
    explain_en="Every Fargate task gets its own elastic network interface, so a task definition "
    "that requires FARGATE must set `\"networkMode\": \"awsvpc\"` (Amazon ECS Developer Guide, "
    "task definition parameters: network mode). Without networkMode, ECS uses bridge on Linux "
    "and RegisterTaskDefinition rejects the Fargate requirement.",
    explain_ja="Fargate のタスクはそれぞれ専用の ENI を持つため、FARGATE を要求するタスク定義は "
    "`\"networkMode\": \"awsvpc\"` にする必要があります (Amazon ECS 開発者ガイド、タスク定義"
    "パラメータのネットワークモード)。networkMode を省略すると Linux では bridge になり、"
    "RegisterTaskDefinition は Fargate の要求と矛盾するとして拒否します。",
    bad=_example(**{'"networkMode": "awsvpc",': '"networkMode": "bridge",'}),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def fargate_network_mode(ctx: Context) -> Iterator[Hit]:
    if not _is_fargate(ctx):
        return
    data = ctx.mapping()
    mode = data.get("networkMode")
    if mode == "awsvpc" or (mode is not None and not isinstance(mode, str)):
        return  # a non-string is the schema's finding
    ja = ctx.lang == "ja"
    if mode is None:
        where: tuple[str, ...] = ("requiresCompatibilities",)
        shown = (
            "networkMode が未指定のため bridge になります"
            if ja
            else "networkMode is not set, so the task would use bridge"
        )
    else:
        where = ("networkMode",)
        shown = f"{mode!r} になっています" if ja else f"this task uses {mode!r}"
    yield Hit(where, {"mode": shown})


@rule(
    "TD105", "fargate-task-resources", KIND, E,
    en="Fargate requires task-level {keys} next to requiresCompatibilities, e.g. {example}",
    ja="Fargate ではタスクレベルの {keys} が必須です。requiresCompatibilities と同じ階層に"
    "追加してください (例: {example})",
    explain_en="For Fargate, the task size is set at the task level: `cpu` and `memory` at the "
    "top of the task definition are required (\"This field is required for Fargate\", ECS API "
    "Reference, RegisterTaskDefinition). Container-level cpu and memory do not replace them. "
    "Both are strings, such as \"256\" and \"512\".",
    explain_ja="Fargate ではタスクのサイズをタスクレベルで指定します。タスク定義の最上位の `cpu` と "
    "`memory` は必須です (ECS API リファレンス RegisterTaskDefinition: \"This field is required "
    "for Fargate\")。コンテナレベルの cpu・memory では代わりになりません。どちらも \"256\"・"
    "\"512\" のような文字列です。",
    bad=_example(**{'"cpu": "512",': "", '"memory": "1024",': ""}),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def fargate_task_resources(ctx: Context) -> Iterator[Hit]:
    if not _is_fargate(ctx) or not ctx.mapping():
        return
    examples = {"cpu": '"cpu": "256"', "memory": '"memory": "512"'}
    missing = [key for key in examples if ctx.get(key) is None]
    if missing:
        keys = (" と " if ctx.lang == "ja" else " and ").join(repr(k) for k in missing)
        example = ", ".join(examples[k] for k in missing)
        yield Hit(("requiresCompatibilities",), {"keys": keys, "example": example}, key=True)


@rule(
    "TD106", "describe-output-wrapper", KIND, E,
    en="this is describe-task-definition output: the task definition is wrapped in "
    "{key!r}; use the object inside it as the whole file",
    ja="describe-task-definition の出力のままです。タスク定義が {key!r} に包まれています。"
    "中のオブジェクトをファイル全体にしてください",
    explain_en="`aws ecs describe-task-definition` prints `{\"taskDefinition\": {...}}` (and "
    "`\"tags\"` with --include TAGS). RegisterTaskDefinition and CodePipeline's ECS blue/green "
    "action expect the inner object, with family and containerDefinitions at the top. Unwrap "
    "it, for example with `jq .taskDefinition`, then remove the read-only keys (TD104).",
    explain_ja="`aws ecs describe-task-definition` は `{\"taskDefinition\": {...}}` の形で出力し"
    "ます (--include TAGS なら `\"tags\"` も)。RegisterTaskDefinition や CodePipeline の ECS "
    "Blue/Green アクションが読むのは中身のオブジェクトで、最上位に family と containerDefinitions "
    "が必要です。`jq .taskDefinition` などで取り出し、読み取り専用のキー (TD104) も削除します。",
    bad='{\n  "taskDefinition": ' + GOOD.rstrip().replace("\n", "\n  ") + "\n}\n",
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def describe_output_wrapper(ctx: Context) -> Iterator[Hit]:
    if isinstance(ctx.get("taskDefinition"), dict):
        yield Hit(("taskDefinition",), {"key": "taskDefinition"}, key=True)


@rule(
    "TD107", "duplicate-container-name", KIND, E,
    en="container name {name!r} is used twice (first at containerDefinitions[{first}]); "
    "container names must be unique",
    ja="コンテナ名 {name!r} が重複しています (最初は containerDefinitions[{first}])。"
    "コンテナ名は一意にします",
    explain_en="ECS identifies a task's containers by name: links, dependsOn, volumesFrom, load "
    "balancers, imagedefinitions.json and the AppSpec's ContainerName all refer to it, so the "
    "names in containerDefinitions must be unique, and RegisterTaskDefinition rejects "
    "duplicates.",
    explain_ja="ECS はタスク内のコンテナを名前で識別します (links・dependsOn・volumesFrom・"
    "ロードバランサー・imagedefinitions.json・AppSpec の ContainerName がすべて名前で参照)。"
    "containerDefinitions の名前は一意でなければならず、重複は RegisterTaskDefinition が拒否"
    "します。",
    bad=TWO_CONTAINERS % "web",
    good=TWO_CONTAINERS % "proxy",
    example_name=EXAMPLE,
)  # fmt: skip
def duplicate_container_name(ctx: Context) -> Iterator[Hit]:
    first: dict[str, int] = {}
    for i, c in _containers(ctx):
        name = c.get("name")
        if not isinstance(name, str):
            continue
        if name in first:
            yield Hit(("containerDefinitions", i, "name"), {"name": name, "first": first[name]})
        else:
            first[name] = i


@rule(
    "TD108", "no-essential-container", KIND, E,
    en="no container is essential; a task needs at least one: set \"essential\": true on the "
    "main container (or leave the key out, true is the default)",
    ja="essential なコンテナがありません。タスクには少なくとも 1 つ必要です。主となるコンテナを "
    "\"essential\": true にしてください (キーを省略しても true です)",
    explain_en="\"All tasks must have at least one essential container\" (ECS API Reference, "
    "ContainerDefinition.essential). A container without the key is essential; this fires "
    "when every container says `\"essential\": false`, which RegisterTaskDefinition rejects.",
    explain_ja="ECS API リファレンス (ContainerDefinition.essential) は「すべてのタスクに少なくとも "
    "1 つの essential なコンテナが必要」としています。キーを省略したコンテナは essential です。"
    "このルールはすべてのコンテナが `\"essential\": false` のときに出ます。"
    "RegisterTaskDefinition はそのタスク定義を拒否します。",
    bad=_example(**{'"essential": true,': '"essential": false,'}),
    good=GOOD,
    example_name=EXAMPLE,
)  # fmt: skip
def no_essential_container(ctx: Context) -> Iterator[Hit]:
    items = ctx.sequence("containerDefinitions")
    if items and all(isinstance(c, dict) and c.get("essential") is False for c in items):
        yield Hit(("containerDefinitions",), {}, key=True)
