"""Four schema rules per kind: unknown key, wrong type, missing key, value not allowed."""

from __future__ import annotations

from ..catalog import SCHEMA_KINDS
from ..findings import Severity
from . import Rule, register

#: Unknown keys: what AWS does with them decides the severity.
UNKNOWN_KEY_SEVERITY = {
    # CodeBuild runs real buildspecs with undocumented keys (e.g. env.compute-type).
    "buildspec": Severity.WARNING,
    "appspec": Severity.ERROR,
    # RegisterTaskDefinition rejects unknown parameters.
    "taskdef": Severity.ERROR,
    "imagedefinitions": Severity.WARNING,
    # An ECR source action writes more keys than ImageURI.
    "imagedetail": Severity.WARNING,
    # The AWS CLI and SDKs validate the input against the API's model: "Unknown parameter".
    "pipeline": Severity.ERROR,
    "deployment-group": Severity.ERROR,
    "codebuild-project": Severity.ERROR,
}

for _kind in SCHEMA_KINDS.values():
    _p, _t = _kind.prefix, _kind.title
    register(
        Rule(
            f"{_p}001", f"{_kind.name}-unknown-key", "schema", UNKNOWN_KEY_SEVERITY[_kind.name],
            "unknown key {key!r} in {name}{dym}",
            "{name} に未知のキー {key!r} があります{dym}",
            f"A key that the {_t} format does not define, usually a typo or a key from another "
            "format. The message suggests the closest known key.",
            f"{_t} の形式にないキーです。多くはつづりの誤りか、別の形式のキーです。"
            "近いキーがあれば候補を示します。",
        )
    )  # fmt: skip
    register(
        Rule(
            f"{_p}002", f"{_kind.name}-wrong-type", "schema", Severity.ERROR,
            "{name} must be {expected}, not {actual} ({shown})",
            "{name} は{expected}で書きます ({actual} {shown} になっています)",
            f"A value of the wrong type for the {_t} format, such as a string where a number "
            "is required.",
            f"{_t} の形式と型が合わない値です (数値が必要な場所の文字列など)。",
        )
    )  # fmt: skip
    register(
        Rule(
            f"{_p}003", f"{_kind.name}-missing-key", "schema", Severity.ERROR,
            "{name} is missing the required key {key!r}",
            "{name} に必須のキー {key!r} がありません",
            f"A key that the {_t} format requires is missing.",
            f"{_t} の形式で必須のキーがありません。",
        )
    )  # fmt: skip
    register(
        Rule(
            f"{_p}004", f"{_kind.name}-bad-value", "schema", Severity.ERROR,
            "{name} must be {constraint}, not {shown}{dym}",
            "{name} は {constraint}にします ({shown} は使えません){dym}",
            f"A value outside what the {_t} format allows: not one of the listed values, out "
            "of range, or a list of the wrong length.",
            f"{_t} の形式で許されない値です (決められた値以外、範囲外、要素数の誤りなど)。",
        )
    )  # fmt: skip
