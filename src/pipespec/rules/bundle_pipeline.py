"""Cross-file rules between a pipeline and the files it deploys (``XF11x``).

A directory that holds a ``pipeline.json`` is read as CodePipeline would see it: the
directory is the source artifact, the buildspec (the one the CodeBuild project names, else
``buildspec.yml``) makes the build's artifacts, and the deploy actions read the files the
declaration names from those artifacts. Facts are in each rule's explanation; the
action reference pages of the CodePipeline User Guide are the source of most.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from ..document import NodePath
from ..findings import Severity
from . import BundleHit, rule
from .buildspec import command_items
from .pipeline import DECLARATION

if TYPE_CHECKING:
    from ..context import Bundle, Entry

E, W = Severity.ERROR, Severity.WARNING


class _Action:
    """An action of a pipeline entry, with the path of its mapping."""

    def __init__(self, path: NodePath, stage: int, body: dict[str, Any]) -> None:
        self.path, self.stage, self.body = path, stage, body

    @property
    def provider(self) -> str:
        t = self.body.get("actionTypeId")
        return str(t.get("provider", "")) if isinstance(t, dict) else ""

    @property
    def name(self) -> str:
        return str(self.body.get("name", ""))

    @property
    def config(self) -> dict[str, Any]:
        c = self.body.get("configuration")
        return c if isinstance(c, dict) else {}

    def names(self, key: str) -> list[str]:
        items = self.body.get(key)
        return [str(a["name"]) for a in items if isinstance(a, dict) and "name" in a] if (
            isinstance(items, list)) else []  # fmt: skip


def _actions(pipeline: Entry) -> list[_Action]:
    data = pipeline.doc.data
    at: NodePath = ("pipeline",) if isinstance(data, dict) and "pipeline" in data else ()
    decl = data.get("pipeline") if at else data
    stages = decl.get("stages") if isinstance(decl, dict) else None
    out = []
    for s, stage in enumerate(stages if isinstance(stages, list) else []):
        acts = stage.get("actions") if isinstance(stage, dict) else None
        for i, a in enumerate(acts if isinstance(acts, list) else []):
            if isinstance(a, dict):
                out.append(_Action((*at, "stages", s, "actions", i), s, a))
    return out


def action_variables(pipelines: list[Entry]) -> dict[str, frozenset[str]]:
    """Project name -> the names of the environment variables the pipelines' CodeBuild
    actions give it (``configuration.EnvironmentVariables``, a JSON array as a string)."""
    from ..embedded import variable_names

    out: dict[str, frozenset[str]] = {}
    for pipeline in pipelines:
        for a in _actions(pipeline):
            project, raw = a.config.get("ProjectName"), a.config.get("EnvironmentVariables")
            if not isinstance(project, str):
                continue
            try:
                items = json.loads(raw) if isinstance(raw, str) else []
            except (ValueError, RecursionError):
                continue
            out[project] = out.get(project, frozenset()) | variable_names(items)
    return out


def _source_artifacts(pipeline: Entry) -> set[str]:
    """The outputs of the first stage's actions: what the directory itself stands for."""
    return {n for a in _actions(pipeline) if a.stage == 0 for n in a.names("outputArtifacts")}


def _producer(pipeline: Entry, artifact: str) -> _Action | None:
    for a in _actions(pipeline):
        if artifact in a.names("outputArtifacts"):
            return a
    return None


def _buildspec(bundle: Bundle) -> Entry | None:
    """The buildspec the bundle's CodeBuild project names (else the first one); None when
    the project carries its buildspec inline (embedded.py checks that one)."""
    from ..embedded import is_inline

    project = bundle.first("codebuild-project")
    named = None
    if project is not None and isinstance(project.doc.data, dict):
        source = project.doc.data.get("source")
        value = source.get("buildspec") if isinstance(source, dict) else None
        if isinstance(value, str) and is_inline(value):
            return None
        if isinstance(value, str) and value.strip():
            named = PurePosixPath(value.strip()).name
    specs = bundle.of("buildspec")
    for spec in specs:
        if named is None or PurePosixPath(spec.path).name == named:
            return spec
    return None


def _artifact_files(spec: Entry, artifact: str, primary: bool) -> list[str] | None:
    """The ``files`` patterns of the buildspec's artifact ``artifact`` (the primary one when
    ``primary``), prefixed by its base-directory; None when the buildspec has none."""
    data = spec.doc.data if isinstance(spec.doc.data, dict) else {}
    section = data.get("artifacts")
    if not isinstance(section, dict):
        return None
    if not primary:
        secondary = section.get("secondary-artifacts")
        section = secondary.get(artifact) if isinstance(secondary, dict) else None
        if not isinstance(section, dict):
            return None
    files = section.get("files")
    items = [files] if isinstance(files, str) else files if isinstance(files, list) else []
    return [str(f) for f in items if isinstance(f, str)]


#: Kinds whose files make a directory a source tree rather than infrastructure only.
SOURCE_KINDS = ("buildspec", "appspec", "taskdef")


def _has_sources(directory: str) -> bool:
    from .. import catalog

    try:
        names = os.listdir(directory or ".")
    except OSError:
        return False
    return any((k := catalog.detect(n)) is not None and k.name in SOURCE_KINDS for n in names)


def _lists(patterns: list[str], name: str) -> bool:
    for pattern in patterns:
        p = pattern.removeprefix("./")
        if p in ("**/*", "**", "*") or p == name or PurePosixPath(p).name == name:
            return True
        if fnmatch.fnmatchcase(name, PurePosixPath(p).name) and "/" not in p.replace("**/", ""):
            return True
    return False


# --------------------------------------------------------------------------- examples

_BUILDSPEC = (
    "version: 0.2\nphases:\n  build:\n    commands:\n"
    '      - printf \'[{"name":"web","imageUri":"%s"}]\' "$CODEBUILD_RESOLVED_SOURCE_VERSION"'
    " > imagedefinitions.json\nartifacts:\n  files:\n    - imagedefinitions.json\n"
)
_TASKDEF = json.dumps({
    "family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
    "cpu": "256", "memory": "512",
    "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    "containerDefinitions": [{"name": "web", "image": "<IMAGE1_NAME>", "essential": True,
                              "portMappings": [{"containerPort": 8080, "protocol": "tcp"}]}],
}, indent=2) + "\n"  # fmt: skip


def _pipeline(deploy: dict[str, Any]) -> str:
    decl = copy.deepcopy(DECLARATION)
    decl["stages"].append({"name": "Deploy", "actions": [deploy]})
    return json.dumps({"pipeline": decl}, indent=2) + "\n"


_ECS: dict[str, Any] = {
    "name": "Deploy",
    "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
    "configuration": {"ClusterName": "web", "ServiceName": "web",
                      "FileName": "imagedefinitions.json"},
    "inputArtifacts": [{"name": "BuildOutput"}],
}  # fmt: skip


def _blue_green(container: str = "IMAGE1_NAME") -> dict[str, Any]:
    return {
        "name": "Deploy",
        "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeployToECS",
                         "version": "1"},
        "configuration": {"ApplicationName": "web", "DeploymentGroupName": "web",
                          "TaskDefinitionTemplateArtifact": "SourceOutput",
                          "AppSpecTemplateArtifact": "SourceOutput",
                          "Image1ArtifactName": "BuildOutput", "Image1ContainerName": container},
        "inputArtifacts": [{"name": "SourceOutput"}, {"name": "BuildOutput"}],
    }  # fmt: skip


_APPSPEC = (
    "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
    '      Properties:\n        TaskDefinition: "<TASK_DEFINITION>"\n'
    '        LoadBalancerInfo:\n          ContainerName: "web"\n          ContainerPort: 8080\n'
)
_IMAGE_DETAIL_SPEC = _BUILDSPEC.replace(
    'printf \'[{"name":"web","imageUri":"%s"}]\'', 'printf \'{"ImageURI":"%s"}\''
).replace("imagedefinitions.json", "imageDetail.json")


# --------------------------------------------------------------------------- rules


@rule(
    "XF110", "ecs-file-not-in-artifact", "bundle", E,
    en="the {provider} action {action!r} reads {file!r} from artifact {artifact!r}, but it is "
    "not {where}",
    ja="{provider} アクション {action!r} はアーティファクト {artifact!r} から {file!r} を読み"
    "ますが、{where_ja}",
    explain_en="The Amazon ECS deploy action reads the image definitions file named by "
    "FileName (\"The default file name for the file is imagedefinitions.json\", CodePipeline "
    "User Guide, file reference) from its input artifact, and CodeDeployToECS reads the "
    "task definition and AppSpec templates (TaskDefinitionTemplatePath, default taskdef.json; "
    "AppSpecTemplatePath, default appspec.yaml) from the artifacts it names. When that "
    "artifact is the build's, only what the buildspec's artifacts.files lists is in it; "
    "when it is the source, the file must be in the directory.",
    explain_ja="Amazon ECS デプロイアクションは、FileName で指定したイメージ定義ファイル (「既定の"
    "ファイル名は imagedefinitions.json」、CodePipeline ユーザーガイドのファイルリファレンス) を"
    "入力アーティファクトから読み、CodeDeployToECS はタスク定義と AppSpec のテンプレート "
    "(TaskDefinitionTemplatePath、既定は taskdef.json。AppSpecTemplatePath、既定は "
    "appspec.yaml) を指定したアーティファクトから読みます。それがビルドのアーティファクトなら、"
    "入っているのは buildspec の artifacts.files に書いたものだけです。ソースなら、ファイルが"
    "ディレクトリになければなりません。",
    bad_files={"pipeline.json": _pipeline({**_ECS, "configuration": {
        **_ECS["configuration"], "FileName": "images.json"}}), "buildspec.yml": _BUILDSPEC},
    good_files={"pipeline.json": _pipeline(_ECS), "buildspec.yml": _BUILDSPEC},
)  # fmt: skip
def ecs_file_not_in_artifact(bundle: Bundle) -> Iterator[BundleHit]:
    files = {PurePosixPath(e.path).name for e in bundle.entries}
    for pipeline in bundle.of("pipeline"):
        sources = _source_artifacts(pipeline)
        for action in _actions(pipeline):
            wanted: list[tuple[str, str, str]] = []  # (config key, file, artifact)
            config = action.config
            if action.provider == "ECS":
                inputs = action.names("inputArtifacts")
                if inputs:
                    wanted.append(("FileName", str(config.get("FileName") or
                                                   "imagedefinitions.json"), inputs[0]))  # fmt: skip
            elif action.provider == "CodeDeployToECS":
                for key, artifact_key, default in (
                    ("TaskDefinitionTemplatePath", "TaskDefinitionTemplateArtifact",
                     "taskdef.json"),
                    ("AppSpecTemplatePath", "AppSpecTemplateArtifact", "appspec.yaml"),
                ):  # fmt: skip
                    artifact = config.get(artifact_key)
                    if isinstance(artifact, str):
                        wanted.append((key, str(config.get(key) or default), artifact))
            for key, name, artifact in wanted:
                where = _missing_from(bundle, pipeline, artifact, name, sources, files)
                if where is None:
                    continue
                path = (*action.path, "configuration", key) if key in config else (
                    *action.path, "configuration")  # fmt: skip
                yield BundleHit(pipeline.path, path, {
                    "provider": action.provider, "action": action.name, "file": name,
                    "artifact": artifact, "where": where[0], "where_ja": where[1]},
                    key=key not in config)  # fmt: skip


def _missing_from(
    bundle: Bundle, pipeline: Entry, artifact: str, name: str, sources: set[str],
    files: set[str],
) -> tuple[str, str] | None:  # fmt: skip
    """Why ``name`` is not in ``artifact`` (en, ja), or None when it is (or cannot tell)."""
    if artifact in sources:
        # the directory on disk, not only the files given (a hook may pass pipeline.json
        # alone); and only a directory with sources of its own stands for the source artifact
        # (pipeline.json in an infrastructure repository deploys another repository)
        if name in files or "/" in name or os.path.lexists(os.path.join(bundle.directory, name)):
            return None
        if not _has_sources(bundle.directory):
            return None
        return "in the source directory", "ソースのディレクトリにありません"
    producer = _producer(pipeline, artifact)
    spec = _buildspec(bundle)
    if producer is None or producer.provider != "CodeBuild" or spec is None:
        return None
    outputs = producer.names("outputArtifacts")
    primary = outputs.index(artifact) == 0 if artifact in outputs else True
    patterns = _artifact_files(spec, artifact, primary and len(outputs) == 1)
    if patterns is None:
        patterns = _artifact_files(spec, artifact, True) if primary else None
    if patterns is None or _lists(patterns, name):
        return None
    shown = PurePosixPath(spec.path).name
    return (
        f"listed in {shown}'s artifacts.files (names are case-sensitive)",
        f"{shown} の artifacts.files にありません (大文字と小文字は区別されます)",
    )


@rule(
    "XF111", "secondary-artifacts-mismatch", "bundle", E,
    en="the CodeBuild action {action!r} has {count} output artifacts, but the buildspec has "
    "no secondary artifact {name!r}{have}",
    ja="CodeBuild アクション {action!r} には出力アーティファクトが {count} 個ありますが、"
    "buildspec にセカンダリアーティファクト {name!r} がありません{have_ja}",
    explain_en="\"When more than one output artifact is specified, all artifacts referenced "
    "must be defined as secondary artifacts in the build spec file. The names of the output "
    "artifacts in CodePipeline must match the artifact identifiers in the build spec file.\" "
    "(CodePipeline User Guide, CodeBuild build and test action reference). A name with no "
    "matching identifier gets none of the build's files.",
    explain_ja="「複数の出力アーティファクトを指定するときは、参照するアーティファクトをすべて "
    "buildspec のセカンダリアーティファクトとして定義する。CodePipeline の出力アーティファクトの"
    "名前は buildspec のアーティファクト識別子と一致しなければならない」とされています "
    "(CodePipeline ユーザーガイドの CodeBuild アクションリファレンス)。識別子のない名前には"
    "ビルドのファイルが入りません。",
    bad_files={"pipeline.json": json.dumps({"pipeline": {**DECLARATION, "stages": [
        DECLARATION["stages"][0], {"name": "Build", "actions": [{
            **DECLARATION["stages"][1]["actions"][0],
            "outputArtifacts": [{"name": "Images"}, {"name": "Templates"}]}]}]}}, indent=2),
        "buildspec.yml": _BUILDSPEC + "  secondary-artifacts:\n    images:\n      files:\n"
        "        - imagedefinitions.json\n    Templates:\n      files:\n"
        "        - imagedefinitions.json\n"},
    good_files={"pipeline.json": json.dumps({"pipeline": {**DECLARATION, "stages": [
        DECLARATION["stages"][0], {"name": "Build", "actions": [{
            **DECLARATION["stages"][1]["actions"][0],
            "outputArtifacts": [{"name": "Images"}, {"name": "Templates"}]}]}]}}, indent=2),
        "buildspec.yml": _BUILDSPEC + "  secondary-artifacts:\n    Images:\n      files:\n"
        "        - imagedefinitions.json\n    Templates:\n      files:\n"
        "        - imagedefinitions.json\n"},
)  # fmt: skip
def secondary_artifacts_mismatch(bundle: Bundle) -> Iterator[BundleHit]:
    spec = _buildspec(bundle)
    if spec is None or not isinstance(spec.doc.data, dict):
        return
    section = spec.doc.data.get("artifacts")
    secondary = section.get("secondary-artifacts") if isinstance(section, dict) else None
    identifiers = sorted(secondary) if isinstance(secondary, dict) else []
    for pipeline in bundle.of("pipeline"):
        for action in _actions(pipeline):
            outputs = action.names("outputArtifacts")
            if action.provider != "CodeBuild" or len(outputs) < 2:
                continue
            for i, name in enumerate(outputs):
                if name in identifiers:
                    continue
                have = ", ".join(identifiers) or "none"
                yield BundleHit(pipeline.path, (*action.path, "outputArtifacts", i, "name"), {
                    "action": action.name, "count": len(outputs), "name": name,
                    "have": f" (it has {have})", "have_ja": f" (あるのは {have})"})  # fmt: skip


@rule(
    "XF112", "image-container-not-in-taskdef", "bundle", E,
    en="Image{n}ContainerName is {name!r}, but no container of {taskdef} has the image "
    "<{name}>; the image URI would replace nothing",
    ja="Image{n}ContainerName が {name!r} ですが、{taskdef} にイメージが <{name}> の"
    "コンテナがありません。イメージの URI は何も置き換えません",
    explain_en="CodeDeployToECS writes the image URI from the artifact named by "
    "Image<N>ArtifactName into the task definition template where the placeholder "
    "<Image<N>ContainerName> stands: with Image1ContainerName IMAGE1_NAME, the template's "
    "image must be \"<IMAGE1_NAME>\" (CodePipeline action reference, Amazon ECS and "
    "CodeDeploy blue-green; the tutorial's taskdef.json). Without it, ECS is asked to pull "
    "the template's image as written.",
    explain_ja="CodeDeployToECS は、Image<N>ArtifactName のアーティファクトにあるイメージの URI を、"
    "タスク定義テンプレートのプレースホルダー <Image<N>ContainerName> の場所に書き込みます。"
    "Image1ContainerName が IMAGE1_NAME なら、テンプレートの image は \"<IMAGE1_NAME>\" でなければ"
    "なりません (CodePipeline アクションリファレンスの Amazon ECS and CodeDeploy blue-green、"
    "チュートリアルの taskdef.json)。なければ、ECS はテンプレートに書かれたままのイメージを取得"
    "しようとします。",
    bad_files={"pipeline.json": _pipeline(_blue_green("WEB_IMAGE")), "taskdef.json": _TASKDEF,
               "appspec.yaml": _APPSPEC, "buildspec.yml": _IMAGE_DETAIL_SPEC},
    good_files={"pipeline.json": _pipeline(_blue_green()), "taskdef.json": _TASKDEF,
                "appspec.yaml": _APPSPEC, "buildspec.yml": _IMAGE_DETAIL_SPEC},
)  # fmt: skip
def image_container_not_in_taskdef(bundle: Bundle) -> Iterator[BundleHit]:
    taskdef = bundle.first("taskdef")
    if taskdef is None or not isinstance(taskdef.doc.data, dict):
        return
    defs = taskdef.doc.data.get("containerDefinitions")
    images = {str(c.get("image")) for c in defs if isinstance(c, dict)} if isinstance(
        defs, list) else set()  # fmt: skip
    for pipeline in bundle.of("pipeline"):
        for action in _actions(pipeline):
            if action.provider != "CodeDeployToECS":
                continue
            for n in range(1, 5):
                key = f"Image{n}ContainerName"
                name = action.config.get(key)
                if isinstance(name, str) and f"<{name}>" not in images:
                    yield BundleHit(
                        pipeline.path,
                        (*action.path, "configuration", key),
                        {"n": n, "name": name, "taskdef": PurePosixPath(taskdef.path).name},
                    )


@rule(
    "XF113", "deployment-group-mismatch", "bundle", E,
    en="the {provider} action {action!r} deploys with {key} {value!r}, but {group_file} is "
    "{actual!r}",
    ja="{provider} アクション {action!r} の {key} は {value!r} ですが、{group_file} は "
    "{actual!r} です",
    explain_en="CodeDeployToECS starts a deployment of the CodeDeploy application and "
    "deployment group its ApplicationName and DeploymentGroupName name (CodePipeline action "
    "reference). When the directory also holds that deployment group "
    "(deployment-group.json), the names must be the same, or the pipeline deploys with "
    "another group than the one written here.",
    explain_ja="CodeDeployToECS は、ApplicationName と DeploymentGroupName で指定した CodeDeploy の"
    "アプリケーションとデプロイグループでデプロイを始めます (CodePipeline アクションリファレンス)。"
    "同じディレクトリにそのデプロイグループ (deployment-group.json) があるなら、名前が一致しない"
    "と、パイプラインはここに書いたものとは別のグループでデプロイします。",
    bad_files={"pipeline.json": _pipeline(_blue_green()), "taskdef.json": _TASKDEF,
               "appspec.yaml": _APPSPEC, "buildspec.yml": _IMAGE_DETAIL_SPEC,
               "deployment-group.json": json.dumps({
                   "applicationName": "web", "deploymentGroupName": "web-bluegreen",
                   "serviceRoleArn": "arn:aws:iam::123456789012:role/codedeploy"}, indent=2)},
    good_files={"pipeline.json": _pipeline(_blue_green()), "taskdef.json": _TASKDEF,
                "appspec.yaml": _APPSPEC, "buildspec.yml": _IMAGE_DETAIL_SPEC},
)  # fmt: skip
def deployment_group_mismatch(bundle: Bundle) -> Iterator[BundleHit]:
    group = bundle.first("deployment-group")
    if group is None or not isinstance(group.doc.data, dict):
        return
    names = {k: group.doc.data.get(k) for k in ("applicationName", "deploymentGroupName")}
    for pipeline in bundle.of("pipeline"):
        deploys = [a for a in _actions(pipeline) if a.provider in ("CodeDeployToECS", "CodeDeploy")]
        # the file describes one group: only when no action deploys with it is one wrong
        if any(a.config.get("ApplicationName") == names["applicationName"]
               and a.config.get("DeploymentGroupName") == names["deploymentGroupName"]
               for a in deploys) or len(deploys) != 1:  # fmt: skip
            continue
        (action,) = deploys
        for key, field in (("ApplicationName", "applicationName"),
                           ("DeploymentGroupName", "deploymentGroupName")):  # fmt: skip
            value, actual = action.config.get(key), names[field]
            if isinstance(value, str) and isinstance(actual, str) and value != actual:
                yield BundleHit(pipeline.path, (*action.path, "configuration", key), {
                    "provider": action.provider, "action": action.name, "key": key,
                    "value": value, "group_file": f"{PurePosixPath(group.path).name}'s {field}",
                    "actual": actual})  # fmt: skip


def _docker(spec: Entry) -> str:
    from .codebuild_project import docker_line

    for _, command in command_items(spec.doc.data):
        line = docker_line(command)
        if line:
            return line
    return ""


@rule(
    "XF114", "project-not-privileged", "bundle", E,
    en="{buildspec} runs {command!r}, but the CodeBuild project's environment.privilegedMode "
    "is not true: the build fails with 'Cannot connect to the Docker daemon'",
    ja="{buildspec} が {command!r} を実行しますが、CodeBuild プロジェクトの "
    "environment.privilegedMode が true ではありません。ビルドは 'Cannot connect to the Docker "
    "daemon' で失敗します",
    explain_en="The buildspec file of a CodeBuild project runs with the project's environment; "
    "the Docker daemon is there only in privileged mode (CB110, and the CodeBuild "
    "troubleshooting guide: \"Cannot connect to the Docker daemon ... You are not running "
    "your build in privileged mode\").",
    explain_ja="CodeBuild プロジェクトの buildspec ファイルは、そのプロジェクトの環境で実行されます。"
    "Docker デーモンがあるのは特権モードのときだけです (CB110、CodeBuild のトラブルシューティング"
    "の \"Cannot connect to the Docker daemon ... You are not running your build in privileged "
    "mode\")。",
    bad_files={"codebuild-project.json": json.dumps({
        "name": "web", "source": {"type": "CODEPIPELINE"}, "artifacts": {"type": "CODEPIPELINE"},
        "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                        "computeType": "BUILD_GENERAL1_SMALL"},
        "serviceRole": "arn:aws:iam::123456789012:role/web"}, indent=2),
        "buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - docker build -t web .\n"},
    good_files={"codebuild-project.json": json.dumps({
        "name": "web", "source": {"type": "CODEPIPELINE"}, "artifacts": {"type": "CODEPIPELINE"},
        "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                        "computeType": "BUILD_GENERAL1_SMALL", "privilegedMode": True},
        "serviceRole": "arn:aws:iam::123456789012:role/web"}, indent=2),
        "buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - docker build -t web .\n"},
)  # fmt: skip
def project_not_privileged(bundle: Bundle) -> Iterator[BundleHit]:
    project = bundle.first("codebuild-project")
    spec = _buildspec(bundle)
    if project is None or spec is None or not isinstance(project.doc.data, dict):
        return
    from .codebuild_project import no_daemon_needed

    env = project.doc.data.get("environment")
    env = env if isinstance(env, dict) else {}
    if no_daemon_needed(env):
        return
    command = _docker(spec)
    if command:
        path: NodePath = ("environment", "privilegedMode") if "privilegedMode" in env else (
            ("environment",))  # fmt: skip
        yield BundleHit(project.path, path, {"buildspec": PurePosixPath(spec.path).name,
                        "command": command}, key="privilegedMode" not in env)  # fmt: skip
