"""Secrets: the site shows none, and pipespec warns about plaintext ones (BS130, TD130).

The scan covers every file the site is built from (``docs/``, ``examples/``) and every
rule's bad and good example (the rule reference shows them). What it looks for:

* an AWS access key ID: ``AKIA`` or ``ASIA`` and 16 capitals or digits;
* a secret access key: 40 base64 characters assigned to something named aws_secret...;
* an AWS account ID other than the documentation account ``123456789012``: a 12-digit
  number in an ARN, an ECR host, or assigned to something named account id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipespec.check import check_text
from pipespec.rules import RULES
from pipespec.rules.secrets import plaintext_secret, secret_name

ROOT = Path(__file__).resolve().parent.parent
DOC_ACCOUNT = "123456789012"
SKIP_DIRS = {"_build", "__pycache__", ".doctrees"}

ACCESS_KEY = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
SECRET_KEY = re.compile(
    r"(?i)aws_?secret[a-z_]*[\"']?\s*[:=]\s*[\"']?(?P<key>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
)
ACCOUNT_IDS = [
    re.compile(r"arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(?P<id>\d{12}):"),
    re.compile(r"(?<!\d)(?P<id>\d{12})\.dkr\.ecr\."),
    re.compile(r"(?i)account[_-]?id[\"']?\s*[:=]\s*[\"']?(?P<id>\d{12})(?!\d)"),
]


def problems(text: str) -> list[str]:
    found = [f"access key ID {m.group()}" for m in ACCESS_KEY.finditer(text)]
    found += [f"secret access key {m.group('key')[:4]}..." for m in SECRET_KEY.finditer(text)]
    for pattern in ACCOUNT_IDS:
        found += [
            f"account ID {m.group('id')}"
            for m in pattern.finditer(text)
            if m.group("id") != DOC_ACCOUNT
        ]
    return found


def site_sources() -> Iterator[Path]:
    for top in ("docs", "examples"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and not SKIP_DIRS.intersection(path.parts):
                yield path


def test_the_scanner_finds_what_it_looks_for() -> None:
    key = "AKIA" + "Q3EGRIY7HUVXJ2NM"  # split: this file is not scanned, but other tools do
    secret = "k7/QxZ2pWm4R9tLbNc8vYhJf3GdSe6UaKo1XiT5B"
    assert problems(f"aws_access_key_id = {key}") == [f"access key ID {key}"]
    assert problems(f"aws_secret_access_key: {secret}") == ["secret access key k7/Q..."]
    assert problems("arn:aws:iam::210987654321:role/x") == ["account ID 210987654321"]
    assert problems("210987654321.dkr.ecr.us-east-1.amazonaws.com/web:1") == [
        "account ID 210987654321"
    ]
    assert problems('"AWS_ACCOUNT_ID": "210987654321"') == ["account ID 210987654321"]
    assert problems(f"arn:aws:iam::{DOC_ACCOUNT}:role/x {DOC_ACCOUNT}.dkr.ecr.x") == []
    assert problems("version 2024010112345 build 1234567890123") == []


def test_the_site_shows_no_real_key_or_account() -> None:
    found = []
    scanned = 0
    for path in site_sources():
        text = path.read_bytes().decode("utf-8", errors="replace")
        scanned += 1
        found += [f"{path.relative_to(ROOT)}: {p}" for p in problems(text)]
    assert scanned > 20
    assert not found, "use only the documentation account 123456789012:\n" + "\n".join(found)


def test_rule_examples_show_no_real_key_or_account() -> None:
    found = []
    for r in RULES.values():
        texts = [r.bad, r.good, *r.bad_files.values(), *r.good_files.values()]
        found += [f"{r.id}: {p}" for text in texts for p in problems(text)]
    assert not found, found


# --------------------------------------------------------------------------- BS130 / TD130


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DB_PASSWORD", True),
        ("dbPassword", True),
        ("db-passwd", True),
        ("GITHUB_TOKEN", True),
        ("npmAuthToken", True),
        ("API_KEY", True),
        ("ApiKey", True),
        ("APIKEY", True),
        ("STRIPE_SECRET_KEY", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("SSH_PRIVATE_KEY", True),
        ("DOCKERHUB_CREDENTIALS", True),
        ("SECRET_ARN", False),
        ("SECRET_NAME", False),
        ("DB_PASSWORD_PARAM", False),
        ("TOKEN_URL", False),
        ("AWS_ACCESS_KEY_ID", False),  # the value is checked for an access key ID instead
        ("BYPASS_CACHE", False),
        ("TOKENIZER", False),
        ("CACHE_KEY", False),
        ("KEYSTONE", False),
        ("", False),
    ],
)
def test_secret_names(name: str, expected: bool) -> None:
    assert secret_name(name) is expected


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("DB_PASSWORD", "hunter2", "name"),
        ("DB_PASSWORD", 1234, "name"),
        ("DB_PASSWORD", "", None),
        ("DB_PASSWORD", "   ", None),
        ("DB_PASSWORD", "<DB_PASSWORD>", None),
        ("DB_PASSWORD", "${DB_PASSWORD}", None),
        ("DB_PASSWORD", "$DB_PASSWORD", None),
        ("DB_PASSWORD", "$(cat /run/secrets/db)", None),
        ("DB_PASSWORD", "{{resolve:ssm-secure:db}}", None),
        ("DB_PASSWORD", True, None),
        ("DB_PASSWORD", None, None),
        ("DB_PASSWORD", ["x"], None),
        ("DB_PASSWORD", "pa$$word", "name"),
        ("KEY", "AKIAIOSFODNN7EXAMPLE", "key"),
        ("NOTES", "creds: ASIAIOSFODNN7EXAMPLE here", "key"),
        ("NOTES", "AKIAIOSFODNN7EXAMPLEX", None),  # 17 characters after AKIA: not a key ID
        ("REGION", "ap-northeast-1", None),
        (None, "AKIAIOSFODNN7EXAMPLE", "key"),
    ],
)
def test_plaintext_secret(name: object, value: object, why: str | None) -> None:
    assert plaintext_secret(name, value) == why


def test_bs130_points_at_the_value_in_both_languages() -> None:
    text = "version: 0.2\nenv:\n  variables:\n    DB_PASSWORD: hunter2\nphases:\n  build:\n" \
        "    commands: [make]\n"  # fmt: skip
    (en,) = [f for f in check_text(text, "buildspec", path="buildspec.yml") if f.rule == "BS130"]
    assert (en.line, en.column, en.severity) == (4, 18, "warning")
    assert "env.parameter-store or env.secrets-manager" in en.message
    (ja,) = [f for f in check_text(text, "buildspec", lang="ja") if f.rule == "BS130"]
    assert "名前から秘密情報と分かる" in ja.message


def test_td130_names_the_container_and_points_at_the_value() -> None:
    text = (
        '{"family": "f", "containerDefinitions": [{"name": "app", "image": "a:1", '
        '"memory": 128, "essential": true,\n'
        '"environment": [{"name": "X", "value": "AKIAIOSFODNN7EXAMPLE"}, {"name": "TOKEN"}]}]}'
    )
    findings = check_text(text, "taskdef", path="taskdef.json")
    (hit,) = [f for f in findings if f.rule == "TD130"]
    assert (hit.line, hit.column) == (2, 40)
    assert "'X' of container 'app'" in hit.message and "AWS access key ID" in hit.message
    assert "secrets with valueFrom" in hit.message


def test_secret_rules_ignore_odd_shapes() -> None:
    for text in (
        "version: 0.2\nenv: [a]\nphases: {build: {commands: [make]}}\n",
        "version: 0.2\nenv: {variables: [DB_PASSWORD]}\nphases: {build: {commands: [make]}}\n",
        "version: 0.2\nenv: {variables: {DB_PASSWORD: {a: b}}}\nphases: {build: {commands: [x]}}\n",
    ):
        findings = check_text(text, "buildspec")
        assert not [f for f in findings if f.rule in ("BS130", "PS999")], findings
    for text in (
        '{"family": "f", "containerDefinitions": "x"}',
        '{"family": "f", "containerDefinitions": [1, {"environment": {"a": 1}}]}',
        '{"family": "f", "containerDefinitions": [{"environment": [1, {"name": 5}]}]}',
    ):
        findings = check_text(text, "taskdef")
        assert not [f for f in findings if f.rule in ("TD130", "PS999")], findings
