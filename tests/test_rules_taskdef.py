"""Edge cases of the task definition rules (TD1xx) beyond each rule's bad and good example."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipespec.check import check_text
from pipespec.findings import Severity
from pipespec.rules.taskdef import (
    FARGATE_SIZES,
    GOOD,
    allowed_memory,
    parse_cpu,
    parse_memory,
)


def taskdef(**top: Any) -> dict[str, Any]:
    """The rule module's good example, with top-level keys replaced (None deletes)."""
    data: dict[str, Any] = json.loads(GOOD)
    for key, value in top.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def rules(data: Any, lang: str = "en") -> list[str]:
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    return [f.rule for f in check_text(text, "taskdef", path="taskdef.json", lang=lang)]  # type: ignore[arg-type]


def messages(data: Any, rule: str, lang: str = "en") -> list[str]:
    text = json.dumps(data, indent=2)
    found = check_text(text, "taskdef", path="taskdef.json", lang=lang)  # type: ignore[arg-type]
    return [f.message for f in found if f.rule == rule]


# --------------------------------------------------------------------------- TD101


@pytest.mark.parametrize(
    ("text", "units"),
    [("256", 256), ("1 vCPU", 1024), ("1vcpu", 1024), (".25 vCPU", 256), ("0.5 VCPU", 512),
     ("16 vCPU", 16384), (" 2048 ", 2048), ("1.3 vCPU", None), ("<CPU>", None), ("", None),
     (256, None), (None, None), ("1 GB", None)],
)  # fmt: skip
def test_parse_cpu(text: Any, units: int | None) -> None:
    assert parse_cpu(text) == units


@pytest.mark.parametrize(
    ("text", "mib"),
    [("512", 512), ("1 GB", 1024), ("2GB", 2048), ("0.5 gb", 512), ("120 GB", 122880),
     ("PLACEHOLDER", None), (512, None), ("1 vCPU", None), ("1.1 GB", None)],
)  # fmt: skip
def test_parse_memory(text: Any, mib: int | None) -> None:
    assert parse_memory(text) == mib


def test_allowed_memory_text() -> None:
    assert allowed_memory(256) == "512, 1024 or 2048"
    assert allowed_memory(512) == "1024, 2048, 3072 or 4096"
    assert allowed_memory(2048) == "4096 to 16384 in steps of 1024"
    assert allowed_memory(8192) == "16384 to 61440 in steps of 4096"
    assert allowed_memory(16384, "ja") == "32768〜122880 の 8192 刻み"


def test_every_documented_fargate_size_is_accepted() -> None:
    for cpu, memories in FARGATE_SIZES.items():
        for memory in memories:
            assert "TD101" not in rules(taskdef(cpu=str(cpu), memory=str(memory))), (cpu, memory)


@pytest.mark.parametrize(
    ("cpu", "memory"),
    [("256", "4096"), ("512", "512"), ("1024", "9216"), ("4096", "31744"), ("8192", "18432"),
     ("16384", "36864"), ("128", "512"), ("32768", "65536"), ("1 vCPU", "1 GB")],
)  # fmt: skip
def test_undocumented_fargate_sizes_are_errors(cpu: str, memory: str) -> None:
    assert rules(taskdef(cpu=cpu, memory=memory)).count("TD101") == 1


def test_fargate_size_with_ec2_too() -> None:
    # the table applies "even if EC2 is also specified"
    data = taskdef(requiresCompatibilities=["EC2", "FARGATE"], cpu="256", memory="4096")
    assert "TD101" in rules(data)


def test_ec2_only_is_not_held_to_fargate_sizes() -> None:
    data = taskdef(requiresCompatibilities=["EC2"], cpu="384", memory="700")
    assert "TD101" not in rules(data)
    assert "TD101" not in rules(taskdef(requiresCompatibilities=None, cpu="384", memory="700"))


def test_placeholders_and_numbers_are_left_alone() -> None:
    assert "TD101" not in rules(taskdef(cpu="<PLACEHOLDER>", memory="<PLACEHOLDER>"))
    assert "TD101" not in rules(taskdef(cpu="256", memory="${MEMORY}"))
    found = rules(taskdef(cpu=256, memory=512))
    assert "TD101" not in found and found.count("TD002") == 2


def test_bad_cpu_without_memory() -> None:
    data = taskdef(cpu="300", memory="<MEM>")
    assert messages(data, "TD101") == [
        "Fargate has no task size cpu 300 (RegisterTaskDefinition: Invalid 'cpu' setting for "
        "task.); cpu must be 256, 512, 1024, 2048, 4096, 8192 or 16384"
    ]


def test_windows_sizes() -> None:
    windows = {"operatingSystemFamily": "WINDOWS_SERVER_2019_FULL"}
    assert "TD101" in rules(taskdef(runtimePlatform=windows, cpu="256", memory="512"))
    assert "TD101" in rules(taskdef(runtimePlatform=windows, cpu="8192", memory="16384"))
    assert "TD101" not in rules(taskdef(runtimePlatform=windows, cpu="1024", memory="2048"))
    linux = {"operatingSystemFamily": "LINUX"}
    assert "TD101" not in rules(taskdef(runtimePlatform=linux, cpu="256", memory="512"))


def test_japanese_message() -> None:
    (msg,) = messages(taskdef(cpu="512", memory="512"), "TD101", "ja")
    assert msg == (
        "Fargate に cpu 512・memory 512 のタスクサイズはありません (RegisterTaskDefinition の"
        "エラー: Invalid 'cpu' setting for task.)。cpu 512 の memory は 1024・2048・3072・4096 "
        "(MiB) のどれかです"
    )


# --------------------------------------------------------------------------- TD102


def _ports(*mappings: dict[str, Any], mode: str = "awsvpc") -> dict[str, Any]:
    data = taskdef(networkMode=mode)
    data["containerDefinitions"][0]["portMappings"] = list(mappings)
    if mode != "awsvpc":
        data["requiresCompatibilities"] = ["EC2"]
    return data


def test_host_mode_needs_equal_ports_too() -> None:
    assert "TD102" in rules(_ports({"containerPort": 80, "hostPort": 8080}, mode="host"))


def test_bridge_mode_maps_freely() -> None:
    found = rules(_ports({"containerPort": 80, "hostPort": 8080}, {"containerPort": 81,
                         "hostPort": 0}, mode="bridge"))  # fmt: skip
    assert "TD102" not in found


def test_port_ranges_and_missing_ports_are_fine() -> None:
    found = rules(_ports({"containerPortRange": "8000-8100"}, {"hostPort": 80},
                         {"containerPort": 80}))  # fmt: skip
    assert "TD102" not in found


def test_string_ports_are_the_schemas_business() -> None:
    found = rules(_ports({"containerPort": "80", "hostPort": 8080}))
    assert "TD102" not in found and "TD002" in found


# --------------------------------------------------------------------------- TD103, TD105


def test_network_mode_messages() -> None:
    assert messages(taskdef(networkMode=None), "TD103") == [
        'Fargate requires "networkMode": "awsvpc"; networkMode is not set, so the task would '
        "use bridge"
    ]
    assert messages(taskdef(networkMode="host"), "TD103") == [
        'Fargate requires "networkMode": "awsvpc"; this task uses \'host\''
    ]
    assert "TD103" not in rules(taskdef(requiresCompatibilities=["EC2"], networkMode=None))


def test_only_the_missing_size_is_reported() -> None:
    assert messages(taskdef(memory=None), "TD105") == [
        "Fargate requires task-level 'memory' next to requiresCompatibilities, e.g. "
        '"memory": "512"'
    ]
    assert "TD105" not in rules(taskdef(requiresCompatibilities=["EC2"], cpu=None, memory=None))


def test_null_task_size_counts_as_missing() -> None:
    found = rules(taskdef(cpu=None) | {"cpu": None})
    assert "TD105" in found and "TD109" in found


# --------------------------------------------------------------------------- TD104, TD106, TD109


def test_read_only_keys_are_one_warning() -> None:
    text = json.dumps(taskdef(revision=3, taskDefinitionArn="arn:aws:ecs:...:1"), indent=1)
    (found,) = check_text(text, "taskdef", path="taskdef.json")
    assert (found.rule, found.severity, found.line) == ("TD104", Severity.WARNING, 24)
    assert found.message == (
        "'revision' and 'taskDefinitionArn' are output of describe-task-definition, not "
        "input: RegisterTaskDefinition rejects them; remove them"
    )
    assert messages(taskdef(revision=3), "TD104") == [
        "'revision' is output of describe-task-definition, not input: RegisterTaskDefinition "
        "rejects it; remove it"
    ]
    pasted = ("revision", "status", "registeredAt", "registeredBy", "compatibilities",
              "requiresAttributes", "deregisteredAt")  # fmt: skip
    many = taskdef(**dict.fromkeys(pasted, "x"))
    (shown,) = messages(many, "TD104")
    assert shown.startswith("'revision', 'status', ") and " and 1 more are output" in shown
    (ja,) = messages(many, "TD104", "ja")
    assert "'revision'・'status'" in ja and "ほか 1 個" in ja


def test_nested_unknown_keys_are_not_read_only() -> None:
    data = taskdef()
    data["containerDefinitions"][0]["status"] = "ACTIVE"
    assert rules(data) == ["TD001"]


def test_wrapper_only_when_it_holds_an_object() -> None:
    assert "TD106" in rules({"taskDefinition": taskdef()})
    assert "TD106" not in rules(taskdef(taskDefinition="web:3"))


def test_null_values_one_warning_per_object() -> None:
    data = taskdef(ipcMode=None) | {"ipcMode": None, "pidMode": None}
    data["containerDefinitions"][0]["environment"] = None
    found = check_text(json.dumps(data), "taskdef", path="taskdef.json")
    assert {(f.rule, f.severity) for f in found} == {("TD109", Severity.WARNING)}
    assert sorted(f.message for f in found) == [
        "containerDefinitions[0].environment is null; the AWS CLI rejects null and other "
        "tools drop the key: remove it",
        "the task definition has 2 null values: ipcMode and pidMode; the AWS CLI rejects null "
        "and other tools drop the key: remove them",
    ]
    ja = sorted(f.message for f in check_text(json.dumps(data), "taskdef", lang="ja"))
    assert ja[1].startswith("タスク定義に null の値が 2 個あります (ipcMode・pidMode)。")


def test_many_nulls_in_one_container_are_one_finding() -> None:
    data = taskdef()
    keys = ["user", "links", "hostname", "workingDirectory", "dnsServers", "entryPoint",
            "command", "ulimits"]  # fmt: skip
    data["containerDefinitions"][0] |= dict.fromkeys(keys)
    (found,) = messages(data, "TD109")
    assert found.startswith("containerDefinitions[0] has 8 null values: user, links, ")
    assert "entryPoint and 2 more;" in found


def test_null_in_a_required_key_is_an_error() -> None:
    # secretOptions[].name is required: a tool that drops null keys then misses it, and
    # the AWS CLI rejects null, so every tool fails
    data = taskdef()
    data["containerDefinitions"][0]["logConfiguration"] = {
        "logDriver": "awsfirelens",
        "secretOptions": [{"name": None, "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/k"}],
    }
    found = check_text(json.dumps(data), "taskdef", path="taskdef.json")
    assert [(f.rule, f.severity) for f in found] == [("TD002", Severity.ERROR)]
    assert found[0].message == (
        "containerDefinitions[0].logConfiguration.secretOptions[0].name must be a string, not "
        "null (no value)"
    )
    # and a missing one, as before
    del data["containerDefinitions"][0]["logConfiguration"]["secretOptions"][0]["name"]
    assert rules(data) == ["TD003"]


def test_null_document_is_a_type_error_not_a_crash() -> None:
    assert rules("null") == ["TD002"]


# --------------------------------------------------------------------------- TD107, TD108


def _containers(*containers: dict[str, Any]) -> dict[str, Any]:
    return taskdef(containerDefinitions=list(containers))


def test_duplicate_names_reported_once_per_repeat() -> None:
    found = rules(
        _containers(
            {"name": "a", "image": "x:1"},
            {"name": "a", "image": "y:1"},
            {"name": "a", "image": "z:1"},
            {"name": 3, "image": "z:1"},
        )
    )
    assert found.count("TD107") == 2


def test_essential_defaults_to_true() -> None:
    assert "TD108" not in rules(_containers({"name": "a", "image": "x:1", "essential": False},
                                            {"name": "b", "image": "y:1"}))  # fmt: skip
    assert "TD108" in rules(_containers({"name": "a", "image": "x:1", "essential": False}))
    assert "TD108" not in rules(_containers())


def test_essential_as_string_is_not_false() -> None:
    found = rules(_containers({"name": "a", "image": "x:1", "essential": "false"}))
    assert "TD108" not in found and "TD002" in found


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "text",
    ["[]", '"taskdef"', "{}", '{"containerDefinitions": {"name": "web"}}',
     '{"requiresCompatibilities": "FARGATE", "cpu": "256"}',
     '{"requiresCompatibilities": ["FARGATE"], "runtimePlatform": "LINUX", "cpu": "256"}',
     '{"networkMode": "awsvpc", "containerDefinitions": [1, {"portMappings": "80"}, '
     '{"portMappings": [null, {"containerPort": 80, "hostPort": true}]}]}',
     '{"taskDefinition": []}'],
)  # fmt: skip
def test_odd_documents_do_not_crash(text: str) -> None:
    for lang in ("en", "ja"):
        assert "PS999" not in rules(text, lang)


# --------------------------------------------------------------------------- TD110-TD112

ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
ECR_IMAGE = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:1"
AWSLOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}
SECRET = {"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:ap-northeast-1:1:parameter/p"}


def _one(**container: Any) -> dict[str, Any]:
    data = taskdef(executionRoleArn=None)
    data["containerDefinitions"][0] |= container
    return data


@pytest.mark.parametrize(
    ("container", "what"),
    [
        ({"image": ECR_IMAGE}, "the Amazon ECR image of containerDefinitions[0] on Fargate"),
        ({"logConfiguration": AWSLOGS},
         "the awslogs log driver of containerDefinitions[0] on Fargate"),
        ({"secrets": [SECRET]}, "the secrets of containerDefinitions[0]"),
        ({"repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:x"}},
         "the private registry credentials of containerDefinitions[0]"),
        ({"logConfiguration": {"logDriver": "awsfirelens", "secretOptions": [SECRET]}},
         "the log secretOptions of containerDefinitions[0]"),
    ],
)  # fmt: skip
def test_execution_role_required(container: dict[str, Any], what: str) -> None:
    data = _one(**container)
    assert messages(data, "TD110") == [
        f"executionRoleArn is not set, but {what} needs the task execution role: "
        'RegisterTaskDefinition rejects the task definition; add "executionRoleArn"'
    ]
    assert "TD110" not in rules(data | {"executionRoleArn": ROLE})
    assert "TD110" in rules(data | {"executionRoleArn": " "})


def test_execution_role_on_ec2_only_for_secrets_and_registry_credentials() -> None:
    ec2 = {"requiresCompatibilities": ["EC2"], "networkMode": "bridge"}
    assert "TD110" not in rules(_one(image=ECR_IMAGE, logConfiguration=AWSLOGS) | ec2)
    assert "TD110" in rules(_one(secrets=[SECRET]) | ec2)
    # both launch types: Fargate's needs count
    both = {"requiresCompatibilities": ["EC2", "FARGATE"]}
    assert "TD110" in rules(_one(logConfiguration=AWSLOGS) | both)


def test_execution_role_one_finding_naming_every_use() -> None:
    data = _one(image=ECR_IMAGE, logConfiguration=AWSLOGS, secrets=[SECRET])
    data["containerDefinitions"].append({"name": "b", "image": "<IMAGE2_NAME>",
                                         "logConfiguration": AWSLOGS})  # fmt: skip
    (found,) = messages(data, "TD110")
    assert "the Amazon ECR image of containerDefinitions[0] on Fargate, " in found
    assert "and the awslogs log driver of containerDefinitions[1] on Fargate need " in found
    (ja,) = messages(data, "TD110", "ja")
    assert ja.startswith("executionRoleArn がありませんが、Fargate での containerDefinitions[0]")


def test_execution_role_not_guessed_for_placeholders_or_public_images() -> None:
    for image in ("<IMAGE1_NAME>", "public.ecr.aws/nginx/nginx:1.27", "nginx:1.27",
                  "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com.evil/x"):  # fmt: skip
        assert "TD110" not in rules(_one(image=image)), image
    assert "TD110" not in rules(_one(secrets=[]))


def test_firelens_s3_config_only_on_fargate() -> None:
    options = {"config-file-type": "s3", "config-file-value": "arn:aws:s3:::b/c"}
    firelens = {"type": "fluentbit", "options": options}
    data = taskdef()
    data["containerDefinitions"][0]["firelensConfiguration"] = firelens
    assert rules(data) == ["TD111"]
    assert messages(data, "TD111")[0].startswith(
        "FireLens on Fargate reads its configuration file only from the image: "
        '"config-file-type": "s3" is not supported there'
    )
    ec2 = data | {"requiresCompatibilities": ["EC2"]}
    assert "TD111" not in rules(ec2)
    options["config-file-type"] = "file"
    assert "TD111" not in rules(data)
    del options["config-file-type"]
    assert "TD111" not in rules(data)


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ({"requiresCompatibilities": ["EC2"],
          "runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2019_FULL"}}, []),
        ({"requiresCompatibilities": ["EC2"]}, []),  # the OS is not known
        ({"requiresCompatibilities": None}, []),
        ({"requiresCompatibilities": ["EC2"],
          "runtimePlatform": {"operatingSystemFamily": "LINUX"}}, ["TD112"]),
        ({}, ["TD103"]),  # Fargate needs awsvpc
    ],
)  # fmt: skip
def test_default_network_mode(top: dict[str, Any], expected: list[str]) -> None:
    assert rules(taskdef(networkMode="default", **top)) == expected


def test_default_network_mode_is_in_the_schema_but_others_are_not() -> None:
    ec2 = {"requiresCompatibilities": ["EC2"]}
    assert rules(taskdef(networkMode="default", **ec2)) == []
    assert rules(taskdef(networkMode="nat", **ec2)) == ["TD004"]


# --------------------------------------------------------------------------- required members


def test_container_name_and_image_are_required() -> None:
    # botocore's model marks neither; RegisterTaskDefinition fails with "Container.image
    # should not be null or empty." (and the same for name)
    data = taskdef()
    del data["containerDefinitions"][0]["image"]
    assert messages(data, "TD003") == [
        "containerDefinitions[0] is missing the required key 'image'"
    ]
    del data["containerDefinitions"][0]["name"]
    assert rules(data) == ["TD003", "TD003"]


def test_required_members_of_nested_shapes() -> None:
    data = taskdef()
    data["containerDefinitions"][0]["logConfiguration"] = {
        "logDriver": "awsfirelens",
        "secretOptions": [{"valueFrom": "arn:aws:ssm:ap-northeast-1:1:parameter/k"}],
    }
    data["containerDefinitions"][0]["healthCheck"] = {"interval": 30}
    assert messages(data, "TD003") == [
        "containerDefinitions[0].logConfiguration.secretOptions[0] is missing the required key "
        "'name'",
        "containerDefinitions[0].healthCheck is missing the required key 'command'",
    ]
