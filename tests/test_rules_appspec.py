"""AppSpec rules beyond their bad/good examples: key case, platforms, edge values, odd input."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from pipespec import catalog
from pipespec.check import check_text
from pipespec.findings import Finding, Severity
from pipespec.load import load_text
from pipespec.rules.appspec import _ruby_to_i, normalise_keys


def findings(text: str, path: str = "appspec.yml", lang: str = "en") -> list[Finding]:
    return check_text(text, "appspec", path=path, lang=lang)  # type: ignore[arg-type]


def ids(text: str, path: str = "appspec.yml") -> list[str]:
    return [f.rule for f in findings(text, path)]


SERVER = "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n"
ECS = (
    "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
    "      Properties:\n        TaskDefinition: <TASK_DEFINITION>\n"
    "        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 80\n"
)
LAMBDA = (
    "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n"
    "      Properties:\n        Name: fn\n        Alias: live\n"
    '        CurrentVersion: "1"\n        TargetVersion: "2"\n'
)


# --------------------------------------------------------------------------- key case

LAMBDA_LOWER = """{
  "version": 0.0,
  "resources": [{"fn": {"type": "AWS::Lambda::Function", "properties": {
    "name": "fn", "alias": "live", "currentversion": "1", "targetversion": "two"}}}],
  "hooks": [{"BeforeAllowTraffic": "check"}]
}
"""


def test_lambda_with_lower_case_keys_is_detected_and_checked() -> None:
    doc = load_text(LAMBDA_LOWER, "appspec.json")
    assert catalog.appspec_platform(doc.data) == "lambda"
    found = findings(LAMBDA_LOWER, "appspec.json")
    assert [f.rule for f in found] == ["AS108"]
    # the position is where the user wrote the lower-case key's value
    assert (found[0].line, found[0].column) == (4, 76)
    assert "TargetVersion 'two'" in found[0].message


def test_normalise_keys_moves_positions_and_plain_scalars() -> None:
    text = ECS.replace("ContainerPort: 80", "containerport: 0755").replace(
        "Properties:", "properties:"
    )
    doc = load_text(text, "appspec.yaml")
    before = doc.positions[("Resources", 0, "TargetService", "properties")]
    normalise_keys(doc, "ecs")
    props = ("Resources", 0, "TargetService", "Properties")
    assert doc.data["Resources"][0]["TargetService"]["Properties"]["LoadBalancerInfo"] == {
        "ContainerName": "web",
        "ContainerPort": 493,
    }
    assert doc.positions[props] == before
    assert ("Resources", 0, "TargetService", "properties") not in doc.positions
    assert doc.key_positions[(*props, "LoadBalancerInfo", "ContainerPort")] == (9, 11)
    assert doc.plain_scalars[(*props, "LoadBalancerInfo", "ContainerPort")] == "0755"


def test_normalise_keys_keeps_unknown_keys_and_existing_spellings() -> None:
    text = ECS + "Hooks: []\nhooks: []\nExtra: 1\n"
    doc = load_text(text, "appspec.yaml")
    normalise_keys(doc, "ecs")
    assert set(doc.data) == {"version", "Resources", "Hooks", "hooks", "Extra"}
    unknown = [f for f in findings(text, "appspec.yaml") if f.rule == "AS001"]
    assert sorted(f.message for f in unknown) == [
        "unknown key 'Extra' in the document",
        "unknown key 'hooks' in the document; did you mean 'Hooks'?",
    ]


def test_server_keys_are_case_sensitive() -> None:
    doc = load_text("Version: 0.0\nOS: linux\n", "appspec.yml")
    normalise_keys(doc, "server")
    assert set(doc.data) == {"Version", "OS"}
    assert ids("Version: 0.0\nos: linux\n") == ["AS001", "AS003"]


@pytest.mark.parametrize(
    ("text", "platform"),
    [
        (SERVER, "server"),
        (ECS, "ecs"),
        (LAMBDA, "lambda"),
        (LAMBDA_LOWER, "lambda"),
        ("version: 0.0\nhooks:\n  - BeforeAllowTraffic: f\n", "lambda"),
        ("version: 0.0\nresources: []\nhooks: []\n", "ecs"),
        ("version: 0.0\nhooks:\n  AfterInstall: []\n", "server"),
        ("", "server"),
        (
            "version: 0.0\nResources:\n  - f:\n      Type: AWS::Lambda::function\n"
            "      Properties: {Alias: live}\n",
            "lambda",
        ),
        (
            "version: 0.0\nResources:\n  - s:\n      type: ECS\n"
            "      properties: {taskDefinition: x}\n",
            "ecs",
        ),
    ],
)
def test_platform_detection(text: str, platform: str) -> None:
    assert catalog.appspec_platform(load_text(text, "appspec.yml").data) == platform


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("value", "expected"),
    [(300, 300), ("300", 300), (" 42s", 42), ("1_000", 1000), ("five", 0), ("-5", -5),
     (0.5, 0), (True, None), (None, None)],
)  # fmt: skip
def test_ruby_to_i(value: Any, expected: int | None) -> None:
    assert _ruby_to_i(value) == expected


@pytest.mark.parametrize(
    ("version", "server", "other"),
    [
        ("0.0", [], []),
        ("0", [], []),
        ('"0.0"', ["AS114"], []),
        ("1.0", ["AS101"], ["AS101"]),
        ('"1"', ["AS101"], ["AS101"]),
    ],
)
def test_version_per_platform(version: str, server: list[str], other: list[str]) -> None:
    assert ids(SERVER.replace("0.0", version, 1)) == server
    ecs = findings(ECS.replace("0.0", version, 1), "appspec.yaml")
    assert [f.rule for f in ecs] == other
    assert all(f.severity is Severity.WARNING for f in ecs)


def test_string_timeouts_work_like_the_agent() -> None:
    text = SERVER + "hooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: '{}'\n"
    assert ids(text.format("300")) == []
    assert ids(text.format("4000")) == ["AS104"]
    assert ids(text.format("soon")) == ["AS115"]


def test_quoted_and_three_digit_modes_are_fine() -> None:
    for mode in ('"0644"', "644", "4755", '"755"', "7"):
        text = SERVER + f"permissions:\n  - object: /srv/app\n    mode: {mode}\n"
        assert ids(text) == [], mode


def test_container_port_placeholder_and_number_forms() -> None:
    def port(value: str) -> list[Finding]:
        return findings(ECS.replace("ContainerPort: 80", f"ContainerPort: {value}"), "appspec.yaml")

    assert port("8080") == []
    assert [(f.rule, f.severity) for f in port('"${PORT}"')] == [("AS105", Severity.WARNING)]
    assert [(f.rule, f.severity) for f in port("0")] == [("AS105", Severity.ERROR)]
    assert [f.rule for f in port("80.5")] == ["AS002"]


def test_one_lambda_function() -> None:
    two = LAMBDA + (
        "  - other:\n      Type: AWS::Lambda::Function\n      Properties:\n"
        '        Name: b\n        Alias: live\n        CurrentVersion: "1"\n'
        '        TargetVersion: "2"\n'
    )
    found = findings(two)
    assert [f.rule for f in found] == ["AS106"]
    assert "2 functions" in found[0].message


def test_task_definition_forms() -> None:
    def td(value: str) -> list[str]:
        return ids(ECS.replace("<TASK_DEFINITION>", value), "appspec.yaml")

    assert td("arn:aws:ecs:us-east-1:123456789012:task-definition/web:12") == []
    assert td("arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web") == []
    assert td("web:12") == ["AS112"]
    assert td('"<TASK_DEFINITION> "') == ["AS112"]

    def severity(value: str) -> Severity:
        (found,) = findings(ECS.replace("<TASK_DEFINITION>", value), "appspec.yaml")
        return found.severity

    # what deploys the AppSpec (aws ecs deploy, the GitHub Action, a build step) fills these
    for filled in (
        "web:12",
        "web",
        '"<PLACEHOLDER>"',
        '"[Your task definition arn]"',
        "'{{TASK_DEF}}'",
        "arn::ecs:<region>:<account id>:task-definition/web:*",
    ):
        assert severity(filled) is Severity.INFO, filled
    # not a task definition, and not a placeholder either
    for wrong in ("arn:aws:ecs:us-east-1:123456789012:service/web/web", "'my task def'"):
        assert severity(wrong) is Severity.WARNING, wrong


def test_reserved_events_are_not_also_unknown() -> None:
    text = SERVER + "hooks:\n  install:\n    - location: a.sh\n  Start:\n    - location: b.sh\n"
    assert ids(text) == ["AS103", "AS103"]


def test_crlf_is_one_finding_and_only_where_it_matters() -> None:
    text = "version: 0.0\r\nos: linux\r\n"
    found = findings(text)
    assert [(f.rule, f.line, f.column) for f in found] == [("AS109", 1, 13)]  # the first CRLF
    assert ids(text.replace("linux", "windows")) == []  # AWS's Windows sample is CRLF
    # the ECS and Lambda forms are read by the CodeDeploy service: CR is a line break there
    assert ids(ECS.replace("\n", "\r\n")) == []
    assert ids(LAMBDA.replace("\n", "\r\n")) == []
    # an AppSpec that cannot be read has no platform: the loader's LD004 says it, once
    broken = findings("version: 0.0\r\nos: [linux\r\n")
    assert [f.rule for f in broken if f.severity is Severity.WARNING] == ["LD004"]
    assert "AS109" not in [f.rule for f in broken]


# --------------------------------------------------------------------------- hooks


def test_unknown_hook_script_keys_are_warnings_with_a_hint() -> None:
    text = SERVER + (
        "hooks:\n  AfterInstall:\n    - location: a.sh\n      timeOut: 300\n"
        "      overwrite: true\n      sudo: true\n      runas: app\n"
    )
    found = findings(text)
    assert [(f.rule, f.severity, f.line) for f in found] == [
        ("AS118", Severity.WARNING, 9),
        ("AS118", Severity.WARNING, 10),
    ]
    assert found[0].message == (
        "'timeOut' in hooks.AfterInstall[0] is not a hook script key and the CodeDeploy agent "
        "ignores it; did you mean 'timeout'?"
    )
    assert found[1].message.endswith("the CodeDeploy agent ignores it")
    ja = findings(text, lang="ja")[0].message
    assert "エージェントは無視します" in ja and "'timeout' の誤り" in ja
    # location is still required, and ECS/Lambda hooks are not scripts
    assert "AS003" in ids(SERVER + "hooks:\n  AfterInstall:\n    - timeout: 300\n")
    assert ids(ECS + "Hooks:\n  - BeforeInstall: fn\n") == []


@pytest.mark.parametrize("key", ["hooks", "files", "permissions"])
def test_server_sections_with_every_entry_commented_out(key: str) -> None:
    # the agent reads a null section as empty (yaml_hash['hooks'] || {})
    text = "version: 0.0\nos: linux\n" + key + ":\n#  - source: /\n"
    assert ids(text) == []


def test_null_lifecycle_event_is_still_an_error() -> None:
    # the agent calls scripts.each on it: the deployment fails
    text = SERVER + "hooks:\n  AfterInstall:\n#    - location: a.sh\n"
    assert [(f.rule, f.severity) for f in findings(text)] == [("AS002", Severity.ERROR)]


@pytest.mark.parametrize("head", [ECS, LAMBDA])
def test_ecs_and_lambda_hooks_commented_out(head: str) -> None:
    assert ids(head + "Hooks:\n#  - BeforeAllowTraffic: check\n") == []
    assert ids(head + "Hooks: 3\n") == ["AS002"]


def _network(subnets: list[str], groups: list[str]) -> str:
    return ECS + (
        "        NetworkConfiguration:\n          AwsvpcConfiguration:\n"
        f"            Subnets: {subnets}\n            SecurityGroups: {groups}\n"
        "            AssignPublicIp: DISABLED\n"
    )


def test_subnet_and_security_group_ids() -> None:
    good = ["subnet-0123abcd", "subnet-0123456789abcdef0", "SUBNET-0123456789ABCDEF0"]
    assert ids(_network(good, ["sg-0123abcd", "sg-0123456789abcdef0"]), "appspec.yaml") == []
    bad = ["private-a", "subnet-0123", "subnet-0123456789abcdefg", "10.0.0.0/24", "subnet"]
    found = findings(_network(bad, ["web-sg", "sg-12345678"]), "appspec.yaml")
    assert [(f.rule, f.severity) for f in found] == [("AS119", Severity.ERROR)] * 6
    assert found[-1].message == (
        "SecurityGroups 'web-sg' is not a security group ID such as sg-0123456789abcdef0; ECS "
        "rejects it when CodeDeploy starts the replacement task set"
    )


def test_placeholder_subnets_are_not_checked() -> None:
    # as real AppSpecs write them, for a build step to replace
    tokens = ["'<PLACEHOLDER>'", "PLACEHOLDER_SUBNET", "SUBNET_1", "'${SUBNET_ID}'", "$SUBNET",
              "'{{subnet}}'", "subnet_placeholder", "subnet-xxxxxxxx", "subnet-XXXXXXXXXXXXXXXXX",
              "subnet-..."]  # fmt: skip
    text = ECS + (
        "        NetworkConfiguration:\n          AwsvpcConfiguration:\n"
        "            Subnets: [" + ", ".join(tokens) + "]\n"
        "            SecurityGroups: [PLACEHOLDER_SECURITY_GROUP, '<SG>', sg-xxxxxxxx]\n"
        "            AssignPublicIp: DISABLED\n"
    )
    assert ids(text, "appspec.yaml") == []


def test_a_skeleton_s_stand_in_is_only_skipped_when_it_replaces_every_digit() -> None:
    text = _network(["subnet-xxxx1234", "subnet-x", "subnet-*"], ["sg-xyz", "sg-xxxxxxxx"])
    found = findings(text, "appspec.yaml")
    assert [(f.rule, f.message.split()[1]) for f in found] == [
        ("AS119", "'subnet-xxxx1234'"), ("AS119", "'subnet-x'"), ("AS119", "'subnet-*'"),
        ("AS119", "'sg-xyz'"),
    ]  # fmt: skip


def test_lower_case_network_keys_are_checked_too() -> None:
    text = _network(["private-a"], ["sg-12345678"]).replace(
        "AwsvpcConfiguration", "awsvpcConfiguration"
    )
    text = text.replace("Subnets", "subnets")
    assert ids(text, "appspec.yaml") == ["AS119"]


# --------------------------------------------------------------------------- robustness

ODD_VALUES: list[str] = ["~", "[]", "{}", "[1, {a: b}]", "{x: [1, 2]}", "true", "'str'", "3.5"]
PLACES = [
    "version",
    "os",
    "files",
    "permissions",
    "hooks",
    "Resources",
    "Hooks",
]


@pytest.mark.parametrize(("place", "value"), list(itertools.product(PLACES, ODD_VALUES)))
def test_rules_never_crash_on_odd_values(place: str, value: str) -> None:
    for base in (SERVER, ECS, LAMBDA):
        lines = [line for line in base.splitlines() if not line.startswith(f"{place}:")]
        text = "\n".join(lines) + f"\n{place}: {value}\n"
        if place in ("Resources", "files"):
            text = f"version: 0.0\n{place}: {value}\n"
        assert "PS999" not in ids(text), text


@pytest.mark.parametrize(
    "body",
    [
        "Resources:\n  - ~\n  - TargetService: ~\n  - TargetService:\n      Properties: []\n",
        "Resources:\n  - T:\n      Properties:\n        LoadBalancerInfo: []\n"
        "        NetworkConfiguration:\n          AwsvpcConfiguration: []\n",
        "Resources:\n  - T:\n      Type: AWS::ECS::Service\n      Properties:\n"
        "        NetworkConfiguration: {AwsvpcConfiguration: {}}\n",
        "Hooks:\n  - ~\n  - [a]\n  - {1: 2}\n",
        "os: linux\npermissions:\n  - ~\n  - mode: []\n  - mode: true\nhooks:\n"
        "  A: ~\n  B: [~, {timeout: []}, {timeout: ~}]\nfiles: [~, {overwrite: 1}]\n",
    ],
)
def test_rules_never_crash_on_odd_structures(body: str) -> None:
    for path in ("appspec.yml", "appspec.yaml"):
        assert "PS999" not in ids("version: 0.0\n" + body, path)


def test_japanese_messages_are_complete() -> None:
    text = (
        SERVER.replace("0.0", '"0.0"', 1)
        + "  - source: x\n    destination: rel\n    overwrite: true\n"
        + "permissions:\n  - object: /srv\n    mode: 0644\n  - object: /srv\n    mode: 9\n"
        + "hooks:\n  Before Install:\n    - location: a.sh\n      timeout: 4000\n"
        + "  Install:\n    - location: b.sh\n      timeout: 0\n"
    )
    found = findings(text, lang="ja")
    assert {f.rule for f in found} >= {
        "AS102", "AS103", "AS104", "AS110", "AS113", "AS114", "AS115", "AS116", "AS117",
    }  # fmt: skip
    for f in found:
        assert "{" not in f.message, f.message
        assert any(ord(ch) > 0x3000 for ch in f.message), f.message
