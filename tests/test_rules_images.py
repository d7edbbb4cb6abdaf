"""Edge cases of the imagedefinitions.json (IF1xx) and imageDetail.json (IM1xx) rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipespec.check import check_text
from pipespec.findings import Severity
from pipespec.rules.images import (
    IF101_ERROR,
    IM101_ERROR,
    MAX_IMAGEDEFINITIONS_BYTES,
    has_tag_or_digest,
    untagged,
)

ECR = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"


def defs(data: Any, lang: str = "en") -> list[tuple[str, Severity]]:
    text = data if isinstance(data, str) else json.dumps(data)
    found = check_text(text, "imagedefinitions", path="imagedefinitions.json", lang=lang)  # type: ignore[arg-type]
    return [(f.rule, f.severity) for f in found]


def detail(data: Any, lang: str = "en") -> list[tuple[str, Severity]]:
    text = data if isinstance(data, str) else json.dumps(data)
    found = check_text(text, "imagedetail", path="imageDetail.json", lang=lang)  # type: ignore[arg-type]
    return [(f.rule, f.severity) for f in found]


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@pytest.mark.parametrize(
    ("uri", "tagged"),
    [(f"{ECR}/web:1a2b3c4", True), (f"{ECR}/web", False), ("nginx", False), ("nginx:1.27", True),
     ("localhost:5000/app", False), ("localhost:5000/app:v1", True),
     (f"{ECR}/web@sha256:abc", True), ("ghcr.io/org/team/app:main", True),
     ("ghcr.io/org/team/app", False)],
)  # fmt: skip
def test_has_tag_or_digest(uri: str, tagged: bool) -> None:
    assert has_tag_or_digest(uri) is tagged


@pytest.mark.parametrize(
    "uri", ["<REPO_URL>", "${REPOSITORY_URI}", "{{IMAGE}}", "$IMAGE", "", "  ", None, 3]
)
def test_placeholders_and_non_strings_are_not_untagged(uri: Any) -> None:
    assert not untagged(uri)


# --------------------------------------------------------------------------- imagedefinitions


def test_valid_file_is_clean() -> None:
    assert defs([{"name": "web", "imageUri": f"{ECR}/web:1"}]) == []


@pytest.mark.parametrize("data", [{"name": "web", "imageUri": "web:1"}, '"web:1"', 3, None, True])
def test_anything_but_a_list_is_if101(data: Any) -> None:
    assert defs(data) == [("IF101", E)]


def test_if101_quotes_codepipeline(tmp_path: Any) -> None:
    (f,) = check_text('{"name": "web"}', "imagedefinitions", path="imagedefinitions.json")
    assert IF101_ERROR in f.message and (f.line, f.column) == (1, 1)
    (f,) = check_text(
        '{"name": "web"}', "imagedefinitions", path="imagedefinitions.json", lang="ja"
    )
    assert IF101_ERROR in f.message and "マッピング" in f.message


def test_empty_list_is_if105_only() -> None:
    assert defs([]) == [("IF105", E)]


def test_item_problems_are_generic() -> None:
    assert defs(["web:1"]) == [("IF002", E)]
    assert defs([{"name": "web"}]) == [("IF003", E)]
    assert defs([{"name": "web", "imageUri": "web:1", "tag": "1"}]) == [("IF001", W)]
    assert defs([{"name": 1, "imageUri": "web:1"}]) == [("IF002", E)]


def test_imagedetail_keys_in_imagedefinitions_get_a_hint() -> None:
    found = check_text(
        json.dumps([{"name": "web", "ImageURI": "web:1"}]), "imagedefinitions",
        path="imagedefinitions.json",
    )  # fmt: skip
    assert [f.rule for f in found] == ["IF003", "IF001"]
    assert "did you mean 'imageUri'?" in found[1].message


def test_duplicate_names_skip_odd_items() -> None:
    data = [{"name": "web", "imageUri": "a:1"}, "junk", {"imageUri": "b:1"},
            {"name": "web", "imageUri": "c:1"}]  # fmt: skip
    assert ("IF102", W) in defs(data)
    assert [r for r, _ in defs(data)].count("IF102") == 1


def test_untagged_per_item() -> None:
    data = [{"name": "a", "imageUri": f"{ECR}/a"}, {"name": "b", "imageUri": "<IMAGE>"},
            {"name": "c", "imageUri": "c:1"}, {"name": "d", "imageUri": "mysql"}]  # fmt: skip
    # information, not a warning: ECS pins a deployment's tasks to one digest, and AWS's own
    # file reference names sidecars such as mysql without a tag
    assert defs(data) == [("IF103", INFO), ("IF103", INFO)]


def test_size_limit_boundary() -> None:
    item = '{"name": "web", "imageUri": "web:1"}'
    head = "[" + item + "]"
    exactly = head + " " * (MAX_IMAGEDEFINITIONS_BYTES - len(head))
    assert len(exactly.encode()) == MAX_IMAGEDEFINITIONS_BYTES
    assert defs(exactly) == []
    assert defs(exactly + " ") == [("IF104", E)]


def test_size_counts_bytes_not_characters() -> None:
    name = "ウェブ" * 12000  # 36,000 characters, 108,000 bytes in UTF-8
    assert ("IF104", E) in defs([{"name": name, "imageUri": "web:1"}])


# --------------------------------------------------------------------------- imageDetail


def test_ecr_source_output_is_clean() -> None:
    data = {
        "ImageSizeInBytes": "44728918", "ImageDigest": "sha256:abc", "Version": "1.0",
        "ImagePushedAt": "Mon Jan 21 20:04:00 UTC 2019", "RegistryId": "123456789012",
        "RepositoryName": "web", "ImageURI": f"{ECR}/web@sha256:abc", "ImageTags": ["latest"],
    }  # fmt: skip
    assert detail(data) == []
    assert detail(data | {"ImageSizeInBytes": 44728918}) == []


@pytest.mark.parametrize("data", [[{"name": "web", "imageUri": "web:1"}], [], '"web:1"', 1])
def test_anything_but_an_object_is_im101(data: Any) -> None:
    assert detail(data) == [("IM101", E)]


def test_im101_quotes_codepipeline() -> None:
    (f,) = check_text("[]", "imagedetail", path="imageDetail.json")
    assert IM101_ERROR in f.message


def test_imagedetail_unknown_keys_are_warnings() -> None:
    assert detail({"ImageURI": "web:1", "Extra": 1}) == [("IM001", W)]
    assert detail({"ImageUri": "web:1"}) == [("IM003", E), ("IM001", W)]


def test_imagedetail_untagged() -> None:
    assert detail({"ImageURI": f"{ECR}/web"}) == [("IM102", INFO)]
    assert detail({"ImageURI": "<IMAGE_URI>"}) == []
    assert detail({"ImageURI": ""}) == [("IM004", E)]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_odd_documents_do_not_crash(lang: str) -> None:
    for text in ("{}", "[null, 1, []]", '{"ImageURI": null}', '[{"name": [], "imageUri": {}}]'):
        assert ("PS999", E) not in defs(text, lang)
        assert ("PS999", E) not in detail(text, lang)
