"""Hypothesis strategies: documents of every kind pipespec checks, valid and mutated.

``documents()`` draws a :class:`Sample`: a file name (which decides the kind and the
format), the data it was made from, and its text. ``valid_documents()`` are well-formed
buildspec / appspec (server, Lambda, ECS) / taskdef / imagedefinitions / imageDetail files
that pipespec must accept without an error; ``hostile_documents()`` are those, mutated
(byte flips, truncation, inserted tabs, NULs, BOMs, CRs, random unicode, YAML syntax,
aliases, tags, deep nesting) or replaced by random bytes and text. Used by
``test_properties.py`` and by the fuzz target's fallback (``fuzz_pipespec.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"

#: name -> kind, as pipespec detects it
FILES = {
    "buildspec.yml": "buildspec",
    "appspec.yml": "appspec",
    "appspec.json": "appspec",
    "taskdef.json": "taskdef",
    "imagedefinitions.json": "imagedefinitions",
    "imageDetail.json": "imagedetail",
}


@dataclass(frozen=True)
class Sample:
    name: str
    data: Any
    text: bytes

    @property
    def kind(self) -> str:
        return FILES[self.name]


names = st.from_regex(r"[a-z][a-z0-9-]{0,14}", fullmatch=True)
env_names = st.from_regex(r"[A-Z][A-Z0-9_]{0,14}", fullmatch=True).filter(
    lambda n: not n.startswith(("CODEBUILD_", "AWS_"))
)
#: printable text without surrogates; YAML and JSON can both carry it
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=24)
commands = st.one_of(
    st.sampled_from(
        [
            "make",
            "npm ci",
            "npm test",
            "pytest -q",
            "docker build -t web .",
            'echo "$CODEBUILD_RESOLVED_SOURCE_VERSION"',
            "aws --version",
            "./gradlew build",
            "go test ./...",
        ]
    ),
    st.from_regex(r"echo [a-z0-9]{1,12}", fullmatch=True),
)
tags = st.from_regex(r"[a-z0-9][a-z0-9.-]{0,9}", fullmatch=True)


@st.composite
def image_uris(draw: st.DrawFn, name: str | None = None) -> str:
    repo = name or draw(names)
    return f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repo}:{draw(tags)}"


@st.composite
def buildspecs(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"version": 0.2}
    if draw(st.booleans()):
        env: dict[str, Any] = {}
        if draw(st.booleans()):
            env["variables"] = draw(st.dictionaries(env_names, texts, max_size=4))
        if draw(st.booleans()):
            env["parameter-store"] = draw(
                st.dictionaries(env_names, names.map(lambda n: f"/app/{n}"), max_size=3)
            )
        if draw(st.booleans()):
            env["shell"] = "bash"
        doc["env"] = env
    phases: dict[str, Any] = {}
    chosen = draw(
        st.lists(
            st.sampled_from(["install", "pre_build", "build", "post_build"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    for phase in ("install", "pre_build", "build", "post_build"):
        if phase in chosen:
            body: dict[str, Any] = {"commands": draw(st.lists(commands, min_size=1, max_size=4))}
            if draw(st.booleans()):
                body["on-failure"] = draw(st.sampled_from(["ABORT", "CONTINUE"]))
            if draw(st.booleans()):
                body["finally"] = draw(st.lists(commands, min_size=1, max_size=2))
            phases[phase] = body
    doc["phases"] = phases
    if draw(st.booleans()):
        files = st.sampled_from(["**/*", "imagedefinitions.json", "dist/**/*"])
        doc["artifacts"] = {"files": draw(st.lists(files, min_size=1))}
    if draw(st.booleans()):
        doc["cache"] = {"paths": ["/root/.npm/**/*"]}
    return doc


SERVER_EVENTS = ["ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart",
                 "ValidateService"]  # fmt: skip
ECS_EVENTS = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic",
              "AfterAllowTraffic"]  # fmt: skip


@st.composite
def server_appspecs(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"version": 0.0, "os": "linux"}
    if draw(st.booleans()):
        doc["files"] = [{"source": "/", "destination": f"/var/www/{draw(names)}"}]
    hooks: dict[str, Any] = {}
    for event in draw(st.lists(st.sampled_from(SERVER_EVENTS), unique=True, max_size=5)):
        hook: dict[str, Any] = {"location": f"scripts/{draw(names)}.sh"}
        if draw(st.booleans()):
            hook["timeout"] = draw(st.integers(1, 3600))
        if draw(st.booleans()):
            hook["runas"] = "root"
        hooks[event] = [hook]
    if hooks:
        doc["hooks"] = hooks
    return doc


@st.composite
def lambda_appspecs(draw: st.DrawFn) -> dict[str, Any]:
    current = draw(st.integers(1, 1000))
    doc: dict[str, Any] = {
        "version": 0.0,
        "Resources": [
            {
                draw(names.map(str.title)): {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": draw(names),
                        "Alias": draw(names),
                        "CurrentVersion": str(current),
                        "TargetVersion": str(current + draw(st.integers(1, 5))),
                    },
                }
            }
        ],
    }
    events = draw(
        st.lists(st.sampled_from(["BeforeAllowTraffic", "AfterAllowTraffic"]), unique=True)
    )
    if events:
        doc["Hooks"] = [{event: draw(names)} for event in events]
    return doc


@st.composite
def ecs_appspecs(draw: st.DrawFn) -> dict[str, Any]:
    props: dict[str, Any] = {
        "TaskDefinition": "<TASK_DEFINITION>",
        "LoadBalancerInfo": {
            "ContainerName": draw(names),
            "ContainerPort": draw(st.integers(1, 65535)),
        },
    }
    if draw(st.booleans()):
        props["PlatformVersion"] = "1.4.0"
    doc: dict[str, Any] = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": props}}],
    }
    events = draw(st.lists(st.sampled_from(ECS_EVENTS), unique=True, max_size=5))
    if events:
        doc["Hooks"] = [{event: draw(names)} for event in events]
    return doc


FARGATE = [("256", "512"), ("512", "1024"), ("1024", "2048"), ("2048", "4096")]


@st.composite
def taskdefs(draw: st.DrawFn) -> dict[str, Any]:
    container_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    containers = []
    for i, name in enumerate(container_names):
        c: dict[str, Any] = {"name": name, "image": draw(image_uris(name)), "essential": i == 0}
        if draw(st.booleans()):
            port = draw(st.integers(1, 65535))
            c["portMappings"] = [{"containerPort": port, "hostPort": port, "protocol": "tcp"}]
        if draw(st.booleans()):
            c["environment"] = [
                {"name": n, "value": v}
                for n, v in draw(st.dictionaries(env_names, texts, max_size=3)).items()
            ]
        if draw(st.booleans()):
            c["secrets"] = [
                {"name": n, "valueFrom": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{n.lower()}"}
                for n in draw(st.lists(env_names, max_size=2, unique=True))
            ]
        containers.append(c)
    cpu, memory = draw(st.sampled_from(FARGATE))
    doc: dict[str, Any] = {
        "family": draw(names),
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": cpu,
        "memory": memory,
        "containerDefinitions": containers,
    }
    # Fargate pulls from a private ECR repository and reads secrets with the task execution
    # role: without one, RegisterTaskDefinition rejects the document (TD110)
    needs_role = any(".dkr.ecr." in c["image"] or c.get("secrets") for c in containers)
    if needs_role or draw(st.booleans()):
        doc["executionRoleArn"] = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
    return doc


@st.composite
def imagedefinitions(draw: st.DrawFn) -> list[dict[str, str]]:
    return [
        {"name": n, "imageUri": draw(image_uris(n))}
        for n in draw(st.lists(names, min_size=1, max_size=3, unique=True))
    ]


@st.composite
def imagedetails(draw: st.DrawFn) -> dict[str, str]:
    return {"ImageURI": draw(image_uris())}


@st.composite
def as_yaml(draw: st.DrawFn, data: Any) -> bytes:
    text = yaml.safe_dump(
        data,
        sort_keys=False,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, None, True])),
        indent=draw(st.sampled_from([2, 4])),
        explicit_start=draw(st.booleans()),
    )
    return text.encode("utf-8")


@st.composite
def as_json(draw: st.DrawFn, data: Any) -> bytes:
    text = json.dumps(
        data, indent=draw(st.sampled_from([None, 2, 4])), ensure_ascii=draw(st.booleans())
    )
    return (text + "\n").encode("utf-8")


@st.composite
def valid_documents(draw: st.DrawFn) -> Sample:
    """A well-formed file of any kind, as YAML or JSON as its name says."""
    name, data = draw(
        st.one_of(
            st.tuples(st.just("buildspec.yml"), buildspecs()),
            st.tuples(
                st.sampled_from(["appspec.yml", "appspec.json"]),
                st.one_of(server_appspecs(), lambda_appspecs(), ecs_appspecs()),
            ),
            st.tuples(st.just("taskdef.json"), taskdefs()),
            st.tuples(st.just("imagedefinitions.json"), imagedefinitions()),
            st.tuples(st.just("imageDetail.json"), imagedetails()),
        )
    )
    text = draw(as_json(data) if name.endswith(".json") else as_yaml(data))
    return Sample(name, data, text)


# --------------------------------------------------------------------------- mutations

#: Fragments a mutation inserts: whitespace and encoding traps, YAML syntax, tags, aliases.
FRAGMENTS = [
    b"\t", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\r", b"\r\n", b"\n", b" ", b"\xff",
    b"\xc3", b"\xed\xa0\x80", b"\xe2\x80\xa8", b"\xc2\x85", b"\x7f", b"\x1b[31m",
    b"&a ", b"*a", b"<<: *a\n", b"<<: ", b"? ", b"- ", b": ", b"[", b"]", b"{", b"}", b",",
    b'"', b"'", b"#", b"---\n", b"...\n", b"%YAML 1.1\n", b"%TAG ! tag:x,2000:\n", b"|\n",
    b">-\n", b"!!binary ", b"!!python/object/apply:os.system ['true'] ", b"!Ref ", b"!!set ",
    b"!!omap ", b"!!timestamp ", b"~", b"=", b"yes", b"0o17", b"1:2:3", b".nan", b"-.inf",
    b"1e400", b"0x1F", b"2001-02-30", b"\\u0000", b"\\ud800", b"\\", b"NaN", b"Infinity",
    b"null", b"true", b"-0", b"1" * 50, b"//", b"/*",
]  # fmt: skip


@st.composite
def _mutate(draw: st.DrawFn, data: bytes) -> bytes:
    op = draw(
        st.sampled_from(
            ["flip", "delete", "truncate", "insert", "insert_text", "repeat", "nest", "recode"]
        )
    )
    at = draw(st.integers(0, len(data)))
    if op == "flip" and data:
        i = min(at, len(data) - 1)
        return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]
    if op == "delete":
        return data[:at] + data[at + draw(st.integers(1, 16)) :]
    if op == "truncate":
        return data[:at]
    if op == "insert":
        return data[:at] + draw(st.sampled_from(FRAGMENTS)) + data[at:]
    if op == "insert_text":
        return data[:at] + draw(st.text(max_size=8)).encode("utf-8", "surrogatepass") + data[at:]
    if op == "repeat":
        end = min(len(data), at + draw(st.integers(1, 40)))
        return data[:at] + data[at:end] * draw(st.integers(2, 50)) + data[end:]
    if op == "nest":
        depth = draw(st.integers(1, 300))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b"{a: ", b"}"), (b'{"a":', b"}")]))
        return opener * depth + data + closer * depth
    if op == "recode":
        codec = draw(st.sampled_from(["utf-16", "utf-16-be", "utf-32", "latin-1", "shift_jis"]))
        return data.decode("utf-8", "replace").encode(codec, "replace")
    return data


@st.composite
def mutated(draw: st.DrawFn, sample: Sample) -> Sample:
    text = sample.text
    for _ in range(draw(st.integers(1, 4))):
        text = draw(_mutate(text))
    return Sample(sample.name, None, text)


#: Prefixes that turn any YAML document into an alias bomb or a recursive structure.
BOMBS = [
    b"a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
    b"a: &a {}\nb: &b {<<: [*a,*a,*a,*a,*a,*a,*a,*a]}\nc: &c {<<: [*b,*b,*b,*b,*b,*b,*b,*b]}\n",
    b"r: &r\n  k: v\n  <<: [*r]\n",
    b"s: &s [x, *s]\n",
]


@st.composite
def hostile_documents(draw: st.DrawFn) -> Sample:
    """A file of any kind whose content is anything from slightly broken to pure noise."""
    name = draw(st.sampled_from(sorted(FILES)))
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return Sample(name, None, draw(st.binary(max_size=512)))
    if choice == 1:
        return Sample(name, None, draw(st.text(max_size=256)).encode("utf-8", "surrogatepass"))
    base = draw(valid_documents())
    if choice == 2:
        return Sample(base.name, None, draw(st.sampled_from(BOMBS)) + base.text)
    return draw(mutated(base))


# --------------------------------------------------------------------------- JSON

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)

#: text that is nearly JSON: its own alphabet, so most draws are interesting to both parsers
json_like = st.text(
    alphabet=st.sampled_from(list('{}[]",:0123456789.eE+- \t\n\r\\/utrfalsnbINy\x00\x1f\x7fé')),
    max_size=40,
)
