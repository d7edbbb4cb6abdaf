"""The build's artifacts: secondary artifact identifiers, deploy inputs the artifact does
not collect, artifact files nothing writes (BS122, BS115, BS116)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ...document import NodePath
from .. import Hit, rule

if TYPE_CHECKING:
    from ...context import Context

from .structure import BS, E, W
from .writes import (
    DEPLOY_INPUTS,
    SOURCE_FILES,
    _artifact_sections,
    _matches,
    _patterns,
    session_writes,
)

#: CodePipeline's ArtifactName (botocore's codepipeline model: 1 to 100 of these characters).
ARTIFACT_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\Z")


@rule(
    "BS122",
    "secondary-artifact-identifier",
    "buildspec",
    E,
    en="secondary artifact identifier {name!r} {why}; CodePipeline names its artifacts with "
    "1 to 100 letters, digits, '_' and '-', and each identifier must be the name of one of the "
    "action's output artifacts",
    ja="セカンダリアーティファクトの識別子 {name!r} は{why_ja}。CodePipeline のアーティファクト名は"
    "英数字・'_'・'-' の 1〜100 文字で、識別子はアクションの出力アーティファクトの名前と同じでなければ"
    "なりません",
    explain_en="When CodePipeline runs the build, every key under secondary-artifacts must equal "
    "the name of one of the CodeBuild action's output artifacts, and CodePipeline's artifact "
    "names allow only letters, digits, '_' and '-' (1 to 100 characters). An identifier with a "
    "space, a dot or a '/' can never match, so the artifact is never delivered. pipespec run "
    "uses the identifier as a directory name and refuses such identifiers too.",
    explain_ja="CodePipeline がビルドを実行するとき、secondary-artifacts のキーはそれぞれ CodeBuild "
    "アクションの出力アーティファクトの名前と一致しなければなりません。CodePipeline のアーティファクト名"
    "に使えるのは英数字・'_'・'-' (1〜100 文字) だけなので、空白・'.'・'/' を含む識別子はどれとも"
    "一致せず、そのアーティファクトは届きません。pipespec run は識別子をディレクトリ名に使うので、"
    "このような識別子は受け付けません。",
    bad="version: 0.2\nphases:\n  build:\n    commands:\n      - make\nartifacts:\n"
    "  files: [app.zip]\n  secondary-artifacts:\n    image.detail:\n"
    "      files: [imageDetail.json]\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n      - make\nartifacts:\n"
    "  files: [app.zip]\n  secondary-artifacts:\n    ImageDetail:\n"
    "      files: [imageDetail.json]\n",
    example_name=BS,
)
def secondary_artifact_identifier(ctx: Context) -> Iterator[Hit]:
    for name in ctx.mapping("artifacts", "secondary-artifacts"):
        ident = str(name)
        if ARTIFACT_NAME.match(ident):
            continue
        if not ident:
            why, why_ja = "is empty", "空です"
        elif len(ident) > 100:
            why, why_ja = f"is {len(ident)} characters long", f" {len(ident)} 文字あります"
        else:
            bad = next(c for c in ident if not re.match(r"[A-Za-z0-9_-]", c))
            why, why_ja = f"contains {bad!r}", f" {bad!r} を含んでいます"
        yield Hit(("artifacts", "secondary-artifacts", name), {"name": ident, "why": why,
                  "why_ja": why_ja}, key=True)  # fmt: skip


@rule(
    "BS115",
    "deploy-file-not-collected",
    "buildspec",
    W,
    en="{file!r} is written by a command but not listed in artifacts.files, so the deploy "
    "stage will not receive it",
    ja="{file!r} はコマンドで書き出されていますが artifacts.files にないため、デプロイステージに"
    "届きません",
    explain_en="Only the files listed in artifacts.files leave the build. A deploy input such as "
    "imagedefinitions.json or imageDetail.json that a command writes but the artifact does not "
    "list is lost, and the deploy action fails to find it.",
    explain_ja="ビルドから外に出るのは artifacts.files に書いたファイルだけです。"
    "imagedefinitions.json や imageDetail.json などデプロイの入力をコマンドで書き出しても、"
    "artifacts に書かなければ失われ、デプロイアクションは見つけられません。",
    bad="version: 0.2\nphases:\n  build:\n    commands:\n"
    '      - printf \'{"ImageURI":"%s"}\' "$URI" > imageDetail.json\n'
    "artifacts:\n  files:\n    - appspec.yaml\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n"
    '      - printf \'{"ImageURI":"%s"}\' "$URI" > imageDetail.json\n'
    "artifacts:\n  files:\n    - appspec.yaml\n    - imageDetail.json\n",
    example_name=BS,
)
def deploy_file_not_collected(ctx: Context) -> Iterator[Hit]:
    patterns = [p for _, section in _artifact_sections(ctx) for p in _patterns(section)]
    for path, written, where in session_writes(ctx.data):
        if where is None or PurePosixPath(where).name not in DEPLOY_INPUTS:
            continue  # where it lands is not known (after a cd this walk cannot follow)
        if not any(_matches(where, p) for p in patterns):
            yield Hit(path, {"file": written if where == str(PurePosixPath(written)) else where})


@rule(
    "BS116",
    "artifact-never-written",
    "buildspec",
    W,
    en="artifacts.files lists {file!r}, but no command writes it and it is not in the source"
    "{written}; unless something else creates it, the build fails with 'CLIENT_ERROR Message: "
    "no matching artifact paths found'",
    ja="artifacts.files に {file!r} がありますが、書き出すコマンドもソース内のファイルもありません"
    "{written}。ほかに作るものがなければ、ビルドは 'CLIENT_ERROR Message: no matching artifact "
    "paths found' で失敗します",
    explain_en="CodeBuild fails the UPLOAD_ARTIFACTS phase when a listed artifact path matches "
    "nothing. For the deploy inputs (imagedefinitions.json, imageDetail.json, taskdef.json, "
    "the appspec files) pipespec looks for commands that write them with > or tee, following "
    "cd from command to command (in version 0.2 the commands share one shell session, "
    "working directory included), and for the file in the source. Any of them may be "
    "committed to the source: the CodePipeline image definitions reference says to upload "
    "imagedefinitions.json to the source repository when there is no build stage "
    "(https://docs.aws.amazon.com/codepipeline/latest/userguide/file-reference.html), and "
    "taskdef.json and the appspec files usually live there. So a file no command writes is "
    "reported only when the source can be seen: the buildspec is in a git work tree, and the "
    "file is neither beside the buildspec nor at the top of the work tree (where "
    "CODEBUILD_SRC_DIR starts). Elsewhere (a lone file, a buildspec written inline in a "
    "project or template) imagedefinitions.json and imageDetail.json are reported only when "
    "the commands write another deploy input, or the same file outside base-directory: a "
    "mix-up the source cannot explain. A file produced another way (a script, a tool's "
    "output) cannot be seen, hence a warning.",
    explain_ja="artifacts に書いたパスに一致するファイルがないと、CodeBuild は UPLOAD_ARTIFACTS "
    "で失敗します。デプロイの入力 (imagedefinitions.json・imageDetail.json・taskdef.json・"
    "appspec) について、pipespec は > や tee で書き出すコマンド (version 0.2 ではコマンドが 1 つの"
    "シェルセッションを共有するので、cd による作業ディレクトリの移動もたどります) と、ソースの"
    "ファイルを探します。どれもソースにコミットされていることがあります。CodePipeline のイメージ"
    "定義ファイルのリファレンス (https://docs.aws.amazon.com/codepipeline/latest/userguide/"
    "file-reference.html) は、ビルドステージがなければ imagedefinitions.json をソースの"
    "リポジトリに置くよう書いていて、taskdef.json と appspec のファイルはふつうソースにあります。"
    "そのため、書き出すコマンドのないファイルを報告するのはソースが見えるときだけです: buildspec "
    "が git の作業ツリーにあり、ファイルが buildspec と同じ場所にも作業ツリーの最上位 "
    "(CODEBUILD_SRC_DIR が始まる場所) にもないとき。それ以外 (単独のファイル、プロジェクトや"
    "テンプレートに書いたインラインの buildspec) では、imagedefinitions.json と imageDetail.json "
    "を、コマンドが別のデプロイの入力を書き出しているか、同じファイルを base-directory の外に"
    "書き出しているとき (ソースでは説明のつかない取り違え) だけ報告します。スクリプトなど別の"
    "方法で作られるファイルは見えないため、警告にとどめます。",
    bad="version: 0.2\nphases:\n  build:\n    commands:\n"
    "      - printf '[]' > imagedefinitions.json\n"
    "artifacts:\n  files:\n    - imageDetail.json\n",
    good="version: 0.2\nphases:\n  build:\n    commands:\n"
    "      - printf '[]' > imagedefinitions.json\n"
    "artifacts:\n  files:\n    - imagedefinitions.json\n",
    example_name=BS,
)
def artifact_never_written(ctx: Context) -> Iterator[Hit]:
    writes = list(session_writes(ctx.data))
    written = {where for _, _, where in writes if where is not None}
    somewhere = {PurePosixPath(name).name for _, name, where in writes if where is None}
    # an inline buildspec's source is not beside the project file that holds it
    roots = [] if ctx.project and ctx.project.inline else source_roots(ctx.file)
    for path, section in _artifact_sections(ctx):
        files = section.get("files")
        entries: list[tuple[Any, NodePath]] = (
            [(files, (*path, "files"))]
            if isinstance(files, str)
            else [
                (f, (*path, "files", i))
                for i, f in enumerate(files if isinstance(files, list) else [])
            ]
        )
        base = section.get("base-directory")
        prefix = f"{base.strip('/')}/" if isinstance(base, str) and base.strip("/") else ""
        for name, where in entries:
            if not isinstance(name, str) or any(ch in name for ch in "*?[$"):
                continue
            target = str(PurePosixPath(prefix + name.lstrip("./")))
            if target in written or PurePosixPath(target).name in somewhere:
                continue
            if PurePosixPath(target).name not in DEPLOY_INPUTS:
                continue  # build tools write other outputs in ways a linter cannot see
            if any(_exists(root / target) for root in roots):
                continue
            ja = ctx.lang == "ja"
            same = [
                w for w in sorted(written) if PurePosixPath(w).name == PurePosixPath(target).name
            ]
            similar = [w for w in sorted(written) if PurePosixPath(w).name in DEPLOY_INPUTS]
            if not roots and (PurePosixPath(target).name in SOURCE_FILES
                              or not (similar or (same and prefix))):  # fmt: skip
                continue  # the source is not seen: it may hold the file (see explain_en)
            if same and prefix:
                extra = (
                    f" ({same[0]!r} に書き出していますが、base-directory {base!r} の外です)"
                    if ja
                    else f" (it is written as {same[0]!r}, outside base-directory {base!r})"
                )
            elif similar:
                shown = ", ".join(repr(w) for w in similar)
                extra = f" (書き出しているのは {shown})" if ja else f" (commands write {shown})"
            else:
                extra = ""
            yield Hit(where, {"file": name, "written": extra})


def source_roots(file: Path | None) -> list[Path]:
    """Where the build's source can be seen: the buildspec's directory and the top of the
    git work tree it is in (CODEBUILD_SRC_DIR is a repository's top), or nothing when the
    file is in no work tree: then the source is not among the checked files."""
    if file is None:
        return []
    here = file.resolve().parent
    for directory in (here, *here.parents):
        if _exists(directory / ".git"):
            return list(dict.fromkeys((file.parent, directory)))
    return []


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; False when the system cannot even look it up (a name too
    long, a directory that cannot be searched): then the file is not seen."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False
