"""Plaintext secrets in environment variables (``BS130`` buildspec, ``TD130`` task definition).

A buildspec's ``env.variables`` and a container's ``environment`` are stored and shown in
plain text: in the repository, in the CodeBuild console and build logs, and in every
``describe-task-definition`` output. AWS says to keep sensitive values elsewhere: a
buildspec reads them with ``env.parameter-store`` or ``env.secrets-manager``, a task
definition with ``secrets`` (``valueFrom`` an SSM parameter or a Secrets Manager secret).

A variable is reported when its *name* says it holds a secret (PASSWORD, SECRET, TOKEN,
API_KEY, PRIVATE_KEY ... as a whole word of the name) and its value is a literal: not
empty, not a placeholder (``<DB_PASSWORD>``, ``${DB_PASSWORD}``, ``$DB_PASSWORD``,
``{{db_password}}``), or when its *value* looks like an AWS access key ID
(``AKIA``/``ASIA`` and 16 more capitals or digits), whatever the name. In a buildspec, a
value that only stands in for a secret (:func:`stand_in`: a mock value, another variable's
name, a value that spells the name's own words such as ``fbAppSecret``) is not reported.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Severity
from . import Hit, rule

if TYPE_CHECKING:
    from ..context import Context

W = Severity.WARNING

#: An AWS access key ID (long-term AKIA, temporary ASIA) anywhere in a value.
ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
#: Words of a variable name that say the value is a secret.
SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "PASS", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "APIKEY",
     "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY"}
)  # fmt: skip
#: Two-word secrets: API_KEY, PRIVATE_KEY, ACCESS_KEY (as in AWS_SECRET_ACCESS_KEY).
SECRET_PAIRS = frozenset({("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY")})
#: A last word that makes the value a reference to a secret, not the secret itself.
REFERENCE_WORDS = frozenset(
    {"ARN", "NAME", "ID", "PATH", "FILE", "PARAM", "PARAMETER", "URL", "URI", "ENDPOINT",
     "HOST", "REGION", "TTL", "EXPIRY", "TYPE", "HEADER", "PREFIX", "LENGTH", "ENABLED"}
)  # fmt: skip
#: Words of a name or value that say the value stands in for a secret.
STAND_IN_WORDS = frozenset({"MOCK", "FAKE", "DUMMY", "PLACEHOLDER", "CHANGEME"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_PLACEHOLDER = re.compile(r"^<[^<>]*>$|\$\{|\$\(|^\$[A-Za-z_]|\{\{.*\}\}")


def words(name: str) -> list[str]:
    """``DB_PASSWORD`` / ``dbPassword`` / ``db-password`` -> ``["DB", "PASSWORD"]``."""
    return [w.upper() for w in _WORD.findall(name)]


def secret_name(name: str) -> bool:
    """True when the variable's name says its value is a secret."""
    parts = words(name)
    if not parts or parts[-1] in REFERENCE_WORDS or (parts[-2:] == ["KEY", "ID"]):
        return False
    if any(w in SECRET_WORDS for w in parts):
        return True
    return any(pair in SECRET_PAIRS for pair in itertools.pairwise(parts))


def literal(value: Any) -> str | None:
    """The value as written when it is a literal one could leak, else None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    if not text or _PLACEHOLDER.search(text):
        return None
    return text


def stand_in(name: str, text: str) -> bool:
    """True when ``text`` stands in for the secret ``name`` holds rather than being one: a
    mock (MOCK, FAKE, DUMMY, PLACEHOLDER, CHANGEME in the name or the value), the name of
    another variable (``ENV_VAR_WITH_SECRETS: OTHER_VARIABLE``), or letters only that spell
    some of the name's own words (``FACEBOOK_APP_SECRET: fbAppSecret``)."""
    name_words, text_words = set(words(name)), words(text)
    if STAND_IN_WORDS & (name_words | set(text_words)):
        return True
    if _ENV_NAME.fullmatch(text):
        return True
    return text.isalpha() and len(text_words) >= 2 and bool(name_words & set(text_words))


def plaintext_secret(name: Any, value: Any) -> str | None:
    """Why ``name=value`` looks like a plaintext secret: ``"key"``, ``"name"`` or None."""
    text = literal(value)
    if text is None:
        return None
    if ACCESS_KEY_ID.search(text):
        return "key"
    if isinstance(name, str) and secret_name(name):
        return "name"
    return None


_WHY_EN = {"name": "its name says it is a secret", "key": "it looks like an AWS access key ID"}
_WHY_JA = {"name": "名前から秘密情報と分かる", "key": "AWS のアクセスキー ID の形をしている"}

BS_GOOD = """\
version: 0.2
env:
  variables:
    DB_HOST: db.example.internal
  parameter-store:
    DB_PASSWORD: /myapp/prod/db-password
phases:
  build:
    commands:
      - ./migrate.sh
"""
BS_BAD = BS_GOOD.replace(
    "    DB_HOST: db.example.internal\n  parameter-store:\n    DB_PASSWORD: /myapp/prod/db-password\n",
    "    DB_HOST: db.example.internal\n    DB_PASSWORD: hunter2\n",
)


@rule(
    "BS130", "plaintext-secret-buildspec", "buildspec", W,
    en="env.variables {name!r} holds a plaintext value and {why_en}; read it from "
    "env.parameter-store or env.secrets-manager instead",
    ja="env.variables の {name!r} に平文の値があり、{why_ja}ものです。env.parameter-store か "
    "env.secrets-manager から読むようにしてください",
    explain_en="Values under `env.variables` are plain text: they are committed with the "
    "buildspec and shown in the CodeBuild console and the build's environment. The buildspec "
    "reference advises against storing sensitive values, especially AWS access keys, in "
    "`env.variables`, and provides `env.parameter-store` (the name of a Systems Manager "
    "parameter) and `env.secrets-manager` (`secret-id:json-key:version-stage:version-id`) "
    "instead. pipespec warns when a variable's name contains a word such as PASSWORD, SECRET, "
    "TOKEN, API_KEY or PRIVATE_KEY and its value is a literal (not empty and not a placeholder "
    "such as `<...>` or `${...}`), or when any value looks like an AWS access key ID "
    "(`AKIA...`, `ASIA...`). A value that only stands in for a secret is left alone: the word "
    "MOCK, FAKE, DUMMY, PLACEHOLDER or CHANGEME in the name or the value, a value that is "
    "another variable's name (`SECRETS_VAR: OTHER_VARIABLE`), or letters only that spell "
    "some of the name's own words (`FACEBOOK_APP_SECRET: fbAppSecret`), as test suites' mock "
    "credentials are.",
    explain_ja="`env.variables` の値は平文です。buildspec と一緒にコミットされ、CodeBuild の"
    "コンソールやビルドの環境にそのまま現れます。buildspec のリファレンスは機密情報、特に AWS の"
    "アクセスキーを `env.variables` に置かないよう勧めており、代わりに `env.parameter-store` "
    "(Systems Manager のパラメータ名) と `env.secrets-manager` "
    "(`secret-id:json-key:version-stage:version-id`) を用意しています。pipespec は、変数名に "
    "PASSWORD・SECRET・TOKEN・API_KEY・PRIVATE_KEY などの語を含み値がリテラル (空でも "
    "`<...>` や `${...}` のようなプレースホルダーでもない) のとき、または値が AWS のアクセス"
    "キー ID (`AKIA...`・`ASIA...`) の形をしているときに警告します。秘密情報の代わりに置いた"
    "だけの値は報告しません: 名前か値に MOCK・FAKE・DUMMY・PLACEHOLDER・CHANGEME の語がある"
    "とき、値がほかの変数の名前 (`SECRETS_VAR: OTHER_VARIABLE`) のとき、値が英字だけで名前の"
    "語の一部をつづっているとき (`FACEBOOK_APP_SECRET: fbAppSecret`) で、テストの模擬の"
    "認証情報がこの形です。",
    bad=BS_BAD,
    good=BS_GOOD,
    example_name="buildspec.yml",
)  # fmt: skip
def plaintext_secret_buildspec(ctx: Context) -> Iterator[Hit]:
    for name, value in ctx.mapping("env", "variables").items():
        why = plaintext_secret(name, value)
        if why == "name" and stand_in(name, literal(value) or ""):
            continue  # test fixtures' mock credentials (see stand_in)
        if why:
            yield Hit(("env", "variables", name), _params(name, why))


TD_GOOD = """\
{
  "family": "web",
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  "containerDefinitions": [
    {
      "name": "web",
      "image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1a2b3c4",
      "essential": true,
      "memory": 512,
      "environment": [{"name": "DB_HOST", "value": "db.example.internal"}],
      "secrets": [
        {
          "name": "DB_PASSWORD",
          "valueFrom": "arn:aws:ssm:ap-northeast-1:123456789012:parameter/web/db-password"
        }
      ]
    }
  ]
}
"""
TD_BAD = """\
{
  "family": "web",
  "containerDefinitions": [
    {
      "name": "web",
      "image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1a2b3c4",
      "essential": true,
      "memory": 512,
      "environment": [
        {"name": "DB_HOST", "value": "db.example.internal"},
        {"name": "DB_PASSWORD", "value": "hunter2"}
      ]
    }
  ]
}
"""


@rule(
    "TD130", "plaintext-secret-taskdef", "taskdef", W,
    en="environment variable {name!r} of container {container!r} holds a plaintext value and "
    "{why_en}; move it to the container's secrets with valueFrom (Secrets Manager or "
    "Parameter Store)",
    ja="コンテナ {container!r} の環境変数 {name!r} に平文の値があり、{why_ja}ものです。"
    "コンテナの secrets に移し、valueFrom で Secrets Manager か Parameter Store を参照して"
    "ください",
    explain_en="A container's `environment` is stored in the task definition in plain text and "
    "returned by DescribeTaskDefinition to anyone who may read it. The Amazon ECS Developer "
    "Guide recommends against plaintext environment variables for sensitive data such as "
    "credentials; use the container's `secrets` list instead, each entry a `name` and a "
    "`valueFrom` naming a Secrets Manager secret or a Systems Manager parameter, which ECS "
    "resolves when the container starts (the task execution role needs read access). "
    "pipespec warns when a variable's name contains a word such as PASSWORD, SECRET, TOKEN, "
    "API_KEY or PRIVATE_KEY and its value is a literal, or when any value looks like an AWS "
    "access key ID (`AKIA...`, `ASIA...`).",
    explain_ja="コンテナの `environment` はタスク定義に平文で保存され、DescribeTaskDefinition "
    "で読める人には誰にでも返されます。Amazon ECS 開発者ガイドは認証情報のような機密データを"
    "平文の環境変数に置かないよう勧めています。代わりにコンテナの `secrets` に、`name` と "
    "Secrets Manager のシークレットか Systems Manager のパラメータを指す `valueFrom` を書くと、"
    "ECS がコンテナの起動時に値を取り出します (タスク実行ロールに読み取り権限が必要です)。"
    "pipespec は、変数名に PASSWORD・SECRET・TOKEN・API_KEY・PRIVATE_KEY などの語を含み値が"
    "リテラルのとき、または値が AWS のアクセスキー ID (`AKIA...`・`ASIA...`) の形をしている"
    "ときに警告します。",
    bad=TD_BAD,
    good=TD_GOOD,
    example_name="taskdef.json",
)  # fmt: skip
def plaintext_secret_taskdef(ctx: Context) -> Iterator[Hit]:
    for i, container in enumerate(ctx.sequence("containerDefinitions")):
        if not isinstance(container, dict):
            continue
        environment = container.get("environment")
        for j, variable in enumerate(environment if isinstance(environment, list) else []):
            if not isinstance(variable, dict):
                continue
            name = variable.get("name")
            why = plaintext_secret(name, variable.get("value"))
            if why:
                params = _params(name, why)
                params["container"] = container.get("name")
                yield Hit(("containerDefinitions", i, "environment", j, "value"), params)


def _params(name: Any, why: str) -> dict[str, Any]:
    return {"name": name, "why_en": _WHY_EN[why], "why_ja": _WHY_JA[why]}
