"""imagedefinitions.json (``IF1xx``) and imageDetail.json (``IM1xx``) rules.

The two files do the same job for two CodePipeline actions and are easily swapped:
imagedefinitions.json (ECS standard deploy) is a JSON *list* of ``{"name", "imageUri"}``,
imageDetail.json (ECS blue/green, CodeDeployToECS) a JSON *object* ``{"ImageURI"}``. The
wrong top-level type is routed from the schemas to ``IF101`` / ``IM101``, which quote the
error CodePipeline reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Severity
from . import Hit, Rule, register, rule

if TYPE_CHECKING:
    from ..context import Context

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
DEFS, DETAIL = "imagedefinitions.json", "imageDetail.json"

#: CodePipeline's documented size limit for imagedefinitions.json (100 KB).
MAX_IMAGEDEFINITIONS_BYTES = 100 * 1024

IF101_ERROR = "The image definition file imagedefinitions.json contains invalid JSON format"
IM101_ERROR = (
    "Invalid action configuration Exception while trying to read the image artifact file "
    "from the artifact: BuildArtifact."
)

#: Characters of a template placeholder (<REPO_URL>, ${IMAGE}, {{image}}): not a real URI yet.
_PLACEHOLDER = re.compile(r"[<>{}$]")

DEFS_GOOD = """\
[
  {
    "name": "web",
    "imageUri": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1a2b3c4"
  }
]
"""
DETAIL_GOOD = """\
{
  "ImageURI": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1a2b3c4"
}
"""


def has_tag_or_digest(uri: str) -> bool:
    """True for ``repo:tag`` and ``repo@sha256:…``; a registry port (``host:5000/repo``) is no tag."""
    return "@" in uri or ":" in uri.rsplit("/", 1)[-1]


def untagged(uri: Any) -> bool:
    """An image reference (not a placeholder) that names neither a tag nor a digest."""
    return (
        isinstance(uri, str)
        and uri.strip() != ""
        and not _PLACEHOLDER.search(uri)
        and not has_tag_or_digest(uri)
    )


# --------------------------------------------------------------------------- imagedefinitions

register(
    Rule(
        "IF101", "imagedefinitions-not-a-list", "schema", E,
        "imagedefinitions.json must be a JSON list ([...]) of name/imageUri objects, not "
        f"{{actual}}; CodePipeline fails with \"{IF101_ERROR}\"",
        "imagedefinitions.json は name と imageUri のオブジェクトを並べた JSON のリスト ([...]) "
        f"にします ({{actual}}になっています)。CodePipeline は \"{IF101_ERROR}\" で失敗します",
        "The Amazon ECS standard deploy action reads imagedefinitions.json as a JSON array, even "
        "for a single container: `[{\"name\": \"web\", \"imageUri\": \"...\"}]` (CodePipeline User "
        "Guide, image definitions file reference). A bare object, often written by "
        "`printf '{\"name\":...}'` in a buildspec or copied from the blue/green imageDetail.json "
        f"format, fails with `{IF101_ERROR}`.",
        "Amazon ECS 標準デプロイアクションは imagedefinitions.json を JSON の配列として読みます。"
        "コンテナが 1 つでも `[{\"name\": \"web\", \"imageUri\": \"...\"}]` と書きます (CodePipeline "
        "ユーザーガイド「イメージ定義ファイルのリファレンス」)。buildspec の "
        "`printf '{\"name\":...}'` で書いたオブジェクトや、Blue/Green 用の imageDetail.json の形式は "
        f"`{IF101_ERROR}` で失敗します。",
        bad='{\n  "name": "web",\n  "imageUri": '
        '"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1a2b3c4"\n}\n',
        good=DEFS_GOOD,
        example_name=DEFS,
    )
)  # fmt: skip

register(
    Rule(
        "IF105", "imagedefinitions-empty", "schema", E,
        "imagedefinitions.json is an empty list; add one {{\"name\": ..., \"imageUri\": ...}} "
        "entry per container to update",
        "imagedefinitions.json が空のリストです。更新するコンテナごとに "
        "{{\"name\": ..., \"imageUri\": ...}} を 1 つずつ書いてください",
        "An empty list names no container to update, so the ECS standard deploy action has "
        "nothing to deploy. The usual cause is a buildspec that wrote the file before the image "
        "URI was known, or a `jq` filter that matched nothing.",
        "空のリストでは更新するコンテナが 1 つもなく、ECS 標準デプロイアクションは何もデプロイ"
        "できません。よくある原因は、イメージ URI が決まる前に buildspec がファイルを書いたことや、"
        "`jq` のフィルタが何にも一致しなかったことです。",
        bad="[]\n",
        good=DEFS_GOOD,
        example_name=DEFS,
    )
)  # fmt: skip


@rule(
    "IF102", "imagedefinitions-duplicate-name", "imagedefinitions", W,
    en="container {name!r} is listed twice (first at [{first}]); only one image can be "
    "deployed to it",
    ja="コンテナ {name!r} が 2 回書かれています (最初は [{first}])。1 つのコンテナに"
    "デプロイできるイメージは 1 つだけです",
    explain_en="Each entry maps one container of the service's task definition to an image. Two "
    "entries for the same container contradict each other; which one the deploy action uses "
    "is not documented. Keep one entry per container name.",
    explain_ja="各エントリはサービスのタスク定義のコンテナ 1 つをイメージに対応付けます。同じコンテナ"
    "に 2 つのエントリがあると互いに矛盾し、デプロイアクションがどちらを使うかは文書化されて"
    "いません。コンテナ名ごとに 1 エントリにします。",
    bad='[\n  {"name": "web", "imageUri": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/'
    'web:1a2b3c4"},\n  {"name": "web", "imageUri": "123456789012.dkr.ecr.ap-northeast-1.'
    'amazonaws.com/web:5d6e7f8"}\n]\n',
    good='[\n  {"name": "web", "imageUri": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/'
    'web:1a2b3c4"},\n  {"name": "worker", "imageUri": "123456789012.dkr.ecr.ap-northeast-1.'
    'amazonaws.com/worker:1a2b3c4"}\n]\n',
    example_name=DEFS,
)  # fmt: skip
def imagedefinitions_duplicate_name(ctx: Context) -> Iterator[Hit]:
    first: dict[str, int] = {}
    for i, item in enumerate(ctx.sequence()):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            yield Hit((i, "name"), {"name": name, "first": first[name]})
        else:
            first[name] = i


_UNTAGGED_EXPLAIN_EN = (
    "An image reference without `:tag` or `@sha256:` digest means the `latest` tag: each "
    "deployment runs what was pushed last under that name, not necessarily what this "
    "pipeline built, and rolling back to an older task definition revision starts the "
    "newest `latest` again. Within one deployment ECS resolves the tag to a digest, so every "
    "task of a service runs the same image (Amazon ECS Developer Guide, container image "
    "resolution: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
    "deployment-type-ecs.html#deployment-container-image-stability), and AWS's own file "
    "reference writes sidecars such as `mysql` without a tag; nothing fails, hence "
    "information, not a warning. Use the tag the build pushed (e.g. the commit ID) or the "
    "digest. Template placeholders such as `<REPO_URL>` are not checked."
)
_UNTAGGED_EXPLAIN_JA = (
    "`:タグ` も `@sha256:` ダイジェストもないイメージ指定は `latest` タグの意味になります。"
    "デプロイのたびにその名前で最後にプッシュされたものが動き、このパイプラインがビルドした"
    "ものとは限りません。古いタスク定義のリビジョンへ戻しても、最新の `latest` が起動します。"
    "1 回のデプロイの中では ECS がタグをダイジェストに解決するため、サービスのタスクはすべて"
    "同じイメージで動きます (Amazon ECS 開発者ガイド「コンテナイメージの解決」: "
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
    "deployment-type-ecs.html#deployment-container-image-stability)。AWS のファイル"
    "リファレンス自身も `mysql` のようなサイドカーをタグなしで書いており、何かが失敗するわけでは"
    "ないので、警告ではなく情報にしています。ビルドでプッシュしたタグ (コミット ID など) か"
    "ダイジェストを指定します。`<REPO_URL>` のようなテンプレートのプレースホルダーは検査しません。"
)


@rule(
    "IF103", "imagedefinitions-untagged-image", "imagedefinitions", INFO,
    en="imageUri {uri!r} has no tag or digest, so ECS pulls the 'latest' tag; use the tag "
    "the build pushed",
    ja="imageUri {uri!r} にタグもダイジェストもないため、ECS は 'latest' タグを取得します。"
    "ビルドでプッシュしたタグを指定してください",
    explain_en=_UNTAGGED_EXPLAIN_EN,
    explain_ja=_UNTAGGED_EXPLAIN_JA,
    bad='[\n  {\n    "name": "web",\n    "imageUri": '
    '"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web"\n  }\n]\n',
    good=DEFS_GOOD,
    example_name=DEFS,
)  # fmt: skip
def imagedefinitions_untagged_image(ctx: Context) -> Iterator[Hit]:
    for i, item in enumerate(ctx.sequence()):
        uri = item.get("imageUri") if isinstance(item, dict) else None
        if untagged(uri):
            yield Hit((i, "imageUri"), {"uri": uri})


@rule(
    "IF104", "imagedefinitions-too-large", "imagedefinitions", E,
    en="imagedefinitions.json is {size} bytes; CodePipeline accepts at most 100 KB",
    ja="imagedefinitions.json が {size} バイトあります。CodePipeline の上限は 100 KB です",
    explain_en="\"The maximum file size limit for the image definitions file is 100 KB\" "
    "(CodePipeline User Guide, image definitions file reference). A file this large usually "
    "holds something else, such as a whole `docker inspect` or describe output.",
    explain_ja="CodePipeline ユーザーガイド「イメージ定義ファイルのリファレンス」に「イメージ定義"
    "ファイルの最大サイズは 100 KB」とあります。これほど大きいファイルは、たいてい "
    "`docker inspect` や describe の出力全体など別の内容です。",
)  # fmt: skip
def imagedefinitions_too_large(ctx: Context) -> Iterator[Hit]:
    size = len(ctx.doc.text.encode())
    if size > MAX_IMAGEDEFINITIONS_BYTES:
        yield Hit((), {"size": size})


# --------------------------------------------------------------------------- imageDetail

register(
    Rule(
        "IM101", "imagedetail-not-an-object", "schema", E,
        "imageDetail.json must be a JSON object {{\"ImageURI\": ...}}, not {actual} (is this the "
        f"imagedefinitions.json format?); CodeDeployToECS fails with \"{IM101_ERROR}\"",
        "imageDetail.json は JSON のオブジェクト {{\"ImageURI\": ...}} にします ({actual}に"
        "なっています。imagedefinitions.json の形式ではありませんか)。CodeDeployToECS は "
        f"\"{IM101_ERROR}\" で失敗します",
        "The ECS blue/green deploy action (CodeDeployToECS) reads imageDetail.json, a JSON object "
        "with the key ImageURI, and puts that URI into the task definition in place of "
        "`<IMAGE1_NAME>`. The list format of imagedefinitions.json belongs to the ECS standard "
        f"deploy action; given to the blue/green action it fails with `{IM101_ERROR}` (CodePipeline "
        "User Guide, image definitions file reference and troubleshooting).",
        "ECS Blue/Green デプロイアクション (CodeDeployToECS) は imageDetail.json を、キー ImageURI "
        "を持つ JSON オブジェクトとして読み、その URI をタスク定義の `<IMAGE1_NAME>` の位置に入れます。"
        "imagedefinitions.json のリスト形式は ECS 標準デプロイアクション用で、Blue/Green アクション"
        f"に渡すと `{IM101_ERROR}` で失敗します (CodePipeline ユーザーガイド「イメージ定義ファイルの"
        "リファレンス」「トラブルシューティング」)。",
        bad='[\n  {\n    "name": "web",\n    "imageUri": '
        '"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1a2b3c4"\n  }\n]\n',
        good=DETAIL_GOOD,
        example_name=DETAIL,
    )
)  # fmt: skip


@rule(
    "IM102", "imagedetail-untagged-image", "imagedetail", INFO,
    en="ImageURI {uri!r} has no tag or digest, so ECS pulls the 'latest' tag; use the tag "
    "the build pushed",
    ja="ImageURI {uri!r} にタグもダイジェストもないため、ECS は 'latest' タグを取得します。"
    "ビルドでプッシュしたタグを指定してください",
    explain_en=_UNTAGGED_EXPLAIN_EN,
    explain_ja=_UNTAGGED_EXPLAIN_JA,
    bad='{\n  "ImageURI": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web"\n}\n',
    good=DETAIL_GOOD,
    example_name=DETAIL,
)  # fmt: skip
def imagedetail_untagged_image(ctx: Context) -> Iterator[Hit]:
    uri = ctx.get("ImageURI")
    if untagged(uri):
        yield Hit(("ImageURI",), {"uri": uri})
