"""Cross-file rules (``XF``): the files of one directory, as one CodePipeline artifact root."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from ..findings import Severity
from ..schema import suggest
from . import BundleHit, rule
from .buildspec import command_items, written_files

if TYPE_CHECKING:
    from ..context import Bundle, Entry

E, W = Severity.ERROR, Severity.WARNING

_TASKDEF = json.dumps(
    {
        "family": "web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "<IMAGE1_NAME>",
                "essential": True,
                "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
            }
        ],
    },
    indent=2,
)


def _appspec(container: str, port: int) -> str:
    return (
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
        '      Properties:\n        TaskDefinition: "<TASK_DEFINITION>"\n'
        "        LoadBalancerInfo:\n"
        f'          ContainerName: "{container}"\n          ContainerPort: {port}\n'
    )


_IMAGE_DETAIL = '{"ImageURI": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1a2b3c4"}\n'
_IMAGE_DEFS = '[{"name": "web", "imageUri": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1a2b3c4"}]\n'


def _containers(taskdef: Entry) -> list[tuple[int, dict[str, Any]]]:
    data = taskdef.doc.data
    items = data.get("containerDefinitions") if isinstance(data, dict) else None
    return [(i, c) for i, c in enumerate(items or []) if isinstance(c, dict)]


def _lb_info(appspec: Entry) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    resources = appspec.doc.data.get("Resources") if isinstance(appspec.doc.data, dict) else None
    for i, item in enumerate(resources if isinstance(resources, list) else []):
        if not isinstance(item, dict):
            continue
        for name, body in item.items():
            props = body.get("Properties") if isinstance(body, dict) else None
            info = props.get("LoadBalancerInfo") if isinstance(props, dict) else None
            if isinstance(info, dict):
                yield ("Resources", i, name, "Properties", "LoadBalancerInfo"), info


def _writers(bundle: Bundle) -> Iterator[tuple[Entry, tuple[str | int, ...], str]]:
    """Each command of the bundle's buildspecs that writes a file: (entry, path, file name)."""
    for entry in bundle.of("buildspec"):
        for path, cmd in command_items(entry.doc.data):
            for w in written_files(cmd):
                yield entry, path, PurePosixPath(w).name


def _written(bundle: Bundle) -> set[str]:
    """Names of the files the bundle's buildspecs write (with > or tee)."""
    return {name for _, _, name in _writers(bundle)}


def _has(bundle: Bundle, kind: str, name: str) -> bool:
    return bool(bundle.of(kind)) or name in _written(bundle)


def _providers(bundle: Bundle) -> set[str]:
    """The action providers of the bundle's pipelines (a template's included)."""
    from .bundle_pipeline import _actions

    return {a.provider for entry in bundle.of("pipeline") for a in _actions(entry)}


def _rolling_pipeline(bundle: Bundle) -> bool:
    """The bundle's pipelines deploy with the standard ECS action and never with
    CodeDeployToECS: the ECS appspec beside them is not what they deploy."""
    providers = _providers(bundle)
    return "ECS" in providers and "CodeDeployToECS" not in providers


@rule(
    "XF101", "appspec-container-not-in-taskdef", "bundle", E,
    en="ContainerName {container!r} is not a container of {taskdef}{dym_en}",
    ja="ContainerName {container!r} は {taskdef} のコンテナにありません{dym_ja}",
    explain_en="In an ECS blue/green deployment, CodeDeploy routes the load balancer to the "
    "container named in the AppSpec's LoadBalancerInfo.ContainerName, so that name must be one of "
    "the task definition's containerDefinitions. ContainerName is never substituted.",
    explain_ja="ECS のブルー/グリーンデプロイメントでは、CodeDeploy は AppSpec の "
    "LoadBalancerInfo.ContainerName のコンテナにロードバランサーをつなぎます。この名前はタスク"
    "定義の containerDefinitions のどれかでなければなりません。ContainerName は置き換えられません。",
    bad_files={"appspec.yaml": _appspec("app", 8080), "taskdef.json": _TASKDEF},
    good_files={"appspec.yaml": _appspec("web", 8080), "taskdef.json": _TASKDEF,
                "imageDetail.json": _IMAGE_DETAIL},
)  # fmt: skip
def container_not_in_taskdef(bundle: Bundle) -> Iterator[BundleHit]:
    taskdef = bundle.first("taskdef")
    if taskdef is None:
        return
    names = [str(c.get("name")) for _, c in _containers(taskdef) if "name" in c]
    for appspec in bundle.of("appspec", "ecs"):
        for path, info in _lb_info(appspec):
            container = info.get("ContainerName")
            if isinstance(container, str) and container not in names:
                hint = suggest(container, names)
                yield BundleHit(
                    appspec.path,
                    (*path, "ContainerName"),
                    {
                        "container": container,
                        "taskdef": PurePosixPath(taskdef.path).name,
                        "dym_en": f"; did you mean {hint!r}?" if hint else "",
                        "dym_ja": f" ({hint!r} の誤りではありませんか)" if hint else "",
                    },
                )  # fmt: skip


@rule(
    "XF102", "appspec-port-not-in-taskdef", "bundle", E,
    en="ContainerPort {port} is not a containerPort of container {container!r} in {taskdef} "
    "(ports: {ports})",
    ja="ContainerPort {port} は {taskdef} のコンテナ {container!r} の containerPort にありません "
    "(定義済みのポート: {ports})",
    explain_en="The AppSpec's ContainerPort is the port the load balancer sends traffic to; it "
    "must be one of the container's portMappings[].containerPort in the task definition.",
    explain_ja="AppSpec の ContainerPort はロードバランサーがトラフィックを送るポートで、タスク"
    "定義のそのコンテナの portMappings[].containerPort のどれかでなければなりません。",
    bad_files={"appspec.yaml": _appspec("web", 80), "taskdef.json": _TASKDEF},
    good_files={"appspec.yaml": _appspec("web", 8080), "taskdef.json": _TASKDEF,
                "imageDetail.json": _IMAGE_DETAIL},
)  # fmt: skip
def port_not_in_taskdef(bundle: Bundle) -> Iterator[BundleHit]:
    taskdef = bundle.first("taskdef")
    if taskdef is None:
        return
    by_name = {c.get("name"): c for _, c in _containers(taskdef)}
    for appspec in bundle.of("appspec", "ecs"):
        for path, info in _lb_info(appspec):
            container, port = info.get("ContainerName"), info.get("ContainerPort")
            if container not in by_name or not isinstance(port, int) or isinstance(port, bool):
                continue
            mappings = by_name[container].get("portMappings")
            ports = [
                m.get("containerPort")
                for m in (mappings if isinstance(mappings, list) else [])
                if isinstance(m, dict)
            ]
            if port not in ports:
                yield BundleHit(
                    appspec.path,
                    (*path, "ContainerPort"),
                    {"port": port, "container": container, "taskdef": PurePosixPath(taskdef.path).name,
                     "ports": ", ".join(str(p) for p in ports) or "-"},
                )  # fmt: skip


@rule(
    "XF103", "imagedefinitions-unknown-container", "bundle", W,
    en="imagedefinitions names container {container!r}, which {taskdef} does not define",
    ja="imagedefinitions のコンテナ {container!r} は {taskdef} に定義されていません",
    explain_en="The ECS deploy action replaces the image of each container named in "
    "imagedefinitions.json in the service's task definition; a name that is not there fails the "
    "deployment. pipespec compares with the task definition in the same directory, which is "
    "usually, but not necessarily, the service's; hence a warning.",
    explain_ja="ECS のデプロイアクションは imagedefinitions.json に書いた名前のコンテナのイメージを"
    "サービスのタスク定義の中で置き換えます。ない名前があるとデプロイは失敗します。pipespec は同じ"
    "ディレクトリのタスク定義と比べますが、それがサービスのものとは限らないため警告にとどめます。",
    bad_files={"imagedefinitions.json": _IMAGE_DEFS.replace('"web"', '"app"'),
               "taskdef.json": _TASKDEF.replace("<IMAGE1_NAME>", "web:latest")},
    good_files={"imagedefinitions.json": _IMAGE_DEFS,
                "taskdef.json": _TASKDEF.replace("<IMAGE1_NAME>", "web:latest")},
)  # fmt: skip
def imagedefinitions_unknown_container(bundle: Bundle) -> Iterator[BundleHit]:
    taskdef = bundle.first("taskdef")
    if taskdef is None:
        return
    names = {c.get("name") for _, c in _containers(taskdef)}
    for defs in bundle.of("imagedefinitions"):
        for i, item in enumerate(defs.doc.data if isinstance(defs.doc.data, list) else []):
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name not in names:
                yield BundleHit(
                    defs.path,
                    (i, "name"),
                    {"container": name, "taskdef": PurePosixPath(taskdef.path).name},
                )


@rule(
    "XF104", "bluegreen-fed-imagedefinitions", "bundle", E,
    en="this is an ECS blue/green bundle (ECS appspec + task definition), which reads "
    "imageDetail.json, but it has imagedefinitions.json instead; the action fails with 'Invalid "
    "action configuration Exception while trying to read the image artifact file'",
    ja="ECS のブルー/グリーン用のファイル一式 (ECS の AppSpec とタスク定義) が読むのは "
    "imageDetail.json ですが、代わりに imagedefinitions.json があります。アクションは 'Invalid action "
    "configuration Exception while trying to read the image artifact file' で失敗します",
    explain_en="The CodeDeployToECS (blue/green) action reads imageDetail.json, an object with "
    "ImageURI. imagedefinitions.json is the input of the standard ECS deploy action (rolling "
    "update). Feeding the wrong one is a documented failure. Not reported when the "
    "directory's pipeline deploys with the standard ECS action and never with CodeDeployToECS: "
    "imagedefinitions.json is then what it needs.",
    explain_ja="CodeDeployToECS (ブルー/グリーン) アクションが読むのは ImageURI を持つオブジェクトの "
    "imageDetail.json です。imagedefinitions.json は標準の ECS デプロイアクション (ローリング"
    "アップデート) の入力です。取り違えると失敗することが文書化されています。同じディレクトリの"
    "パイプラインが標準の ECS アクションでデプロイし、CodeDeployToECS を使っていないときは、"
    "imagedefinitions.json が正しい入力なので報告しません。",
    bad_files={"appspec.yaml": _appspec("web", 8080), "taskdef.json": _TASKDEF,
               "imagedefinitions.json": _IMAGE_DEFS},
    good_files={"appspec.yaml": _appspec("web", 8080), "taskdef.json": _TASKDEF,
                "imageDetail.json": _IMAGE_DETAIL},
)  # fmt: skip
def bluegreen_fed_imagedefinitions(bundle: Bundle) -> Iterator[BundleHit]:
    if not bundle.of("appspec", "ecs") or not bundle.of("taskdef") or _rolling_pipeline(bundle):
        return
    if _has(bundle, "imagedetail", "imageDetail.json"):
        return
    for defs in bundle.of("imagedefinitions"):
        yield BundleHit(defs.path, ())
    if not bundle.of("imagedefinitions"):
        for entry, path, name in _writers(bundle):
            if name == "imagedefinitions.json":
                yield BundleHit(entry.path, path)


@rule(
    "XF105", "taskdef-without-image-placeholder", "bundle", W,
    en="no container image in {taskdef} is a placeholder like '<IMAGE1_NAME>', so the image "
    "from imageDetail.json will not be substituted",
    ja="{taskdef} のコンテナイメージに '<IMAGE1_NAME>' のようなプレースホルダーがないため、"
    "imageDetail.json のイメージは代入されません",
    explain_en="The CodeDeployToECS action writes the ImageURI of imageDetail.json into the task "
    "definition where the image is the placeholder named by Image1ContainerName (by convention "
    "<IMAGE1_NAME>). Without a placeholder the new image is never deployed.",
    explain_ja="CodeDeployToECS アクションは、Image1ContainerName で指定したプレースホルダー "
    "(慣例では <IMAGE1_NAME>) になっているイメージに imageDetail.json の ImageURI を書き込みます。"
    "プレースホルダーがなければ新しいイメージはデプロイされません。",
    bad_files={"appspec.yaml": _appspec("web", 8080),
               "taskdef.json": _TASKDEF.replace("<IMAGE1_NAME>", "web:latest"),
               "imageDetail.json": _IMAGE_DETAIL},
    good_files={"appspec.yaml": _appspec("web", 8080), "taskdef.json": _TASKDEF,
                "imageDetail.json": _IMAGE_DETAIL},
)  # fmt: skip
def taskdef_without_placeholder(bundle: Bundle) -> Iterator[BundleHit]:
    taskdef = bundle.first("taskdef")
    if taskdef is None or not bundle.of("appspec", "ecs") or _rolling_pipeline(bundle):
        return
    if not _has(bundle, "imagedetail", "imageDetail.json"):
        return
    images = [c.get("image") for _, c in _containers(taskdef)]
    if not any(isinstance(i, str) and i.startswith("<") and i.endswith(">") for i in images):
        yield BundleHit(
            taskdef.path, ("containerDefinitions",), {"taskdef": PurePosixPath(taskdef.path).name}
        )
