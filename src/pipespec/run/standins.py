"""Stand-ins for ``aws`` and ``docker``: they record what they were asked and answer the
way the real tools would, without touching AWS, a registry or a Docker daemon.

Each call is appended as one JSON line ``{"tool": ..., "argv": [...]}`` to the file named
by ``PIPESPEC_CALLS``. The answers are deterministic (derived from the arguments and the
``PIPESPEC_FAKE_*`` variables), so a dry run's log is the same on every machine.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

_COMMON = r"""
import hashlib, json, os, sys

def record(tool):
    path = os.environ.get("PIPESPEC_CALLS")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"tool": tool, "argv": sys.argv[1:]}) + "\n")

def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()
"""

AWS = (
    _COMMON
    + r"""
record("aws")
args = [a for a in sys.argv[1:]]
words = [a for a in args if not a.startswith("-")]
account = os.environ.get("PIPESPEC_FAKE_ACCOUNT", "123456789012")
region = os.environ.get("AWS_DEFAULT_REGION", "ap-northeast-1")
if words[:2] == ["ecr", "get-login-password"]:
    print("PIPESPEC-DRY-RUN-ECR-PASSWORD")
elif words[:2] == ["ecr", "get-login"]:
    sys.stderr.write(
        "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
        "aws: error: argument operation: Invalid choice, valid choices are:\n\n"
        "get-login-password | ... (get-login was removed in AWS CLI v2)\n")
    sys.exit(252)
elif words[:2] == ["sts", "get-caller-identity"]:
    if "--query" in args and "Account" in args:
        print(account)
    else:
        print(json.dumps({"UserId": "AIDAPIPESPECDRYRUN", "Account": account,
                          "Arn": f"arn:aws:iam::{account}:role/codebuild-dry-run"}, indent=4))
elif words[:2] == ["ecs", "register-task-definition"]:
    print(json.dumps({"taskDefinition": {"taskDefinitionArn":
        f"arn:aws:ecs:{region}:{account}:task-definition/dry-run:1", "revision": 1}}, indent=4))
elif words[:1] == ["--version"] or args[:1] == ["--version"]:
    print("aws-cli/2.0.0 Python/3 Linux/pipespec-dry-run")
# every other call succeeds silently, as most AWS CLI writes do with --output text
"""
)

DOCKER = (
    _COMMON
    + r"""
record("docker")
args = sys.argv[1:]
command = args[0] if args else ""
def option_values(flag):
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a == flag]
if command == "login":
    if "--password-stdin" in args:
        sys.stdin.read()
    print("Login Succeeded")
elif command == "build":
    tags = option_values("-t") + option_values("--tag")
    image = digest(" ".join(args))[:12]
    print("Step 1/1 : (pipespec dry run: nothing is built)")
    print(f"Successfully built {image}")
    for tag in tags:
        print(f"Successfully tagged {tag}")
elif command == "push":
    ref = args[-1] if len(args) > 1 else ""
    tag = ref.rsplit(":", 1)[1] if ":" in ref.rsplit("/", 1)[-1] else "latest"
    print(f"The push refers to repository [{ref.rsplit(':', 1)[0]}]")
    print(f"{tag}: digest: sha256:{digest(ref)} size: 1573")
elif command == "--version" or command == "version":
    print("Docker version 0.0.0, build pipespec-dry-run")
# tag, pull, images, rm ...: succeed silently
"""
)


def install(bindir: Path, python: str = sys.executable) -> list[str]:
    """Write the stand-ins into ``bindir``, run by ``python`` in isolated mode; their names."""
    bindir.mkdir(parents=True, exist_ok=True)
    names = []
    for name, body in (("aws", AWS), ("docker", DOCKER)):
        path = bindir / name
        path.write_text(f"#!{python} -IS\n{body}", encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        names.append(name)
    return names
