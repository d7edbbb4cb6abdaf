"""``pipespec check --format sarif``: valid against the official SARIF 2.1.0 schema
(``tests/data/sarif/``, with jsonschema), URIs relative to the repository root and
percent-encoded, whatever the file names hold and wherever the command runs, and rules that
carry their help.

Every log here comes from the real command (``python -m pipespec check``), except the
property test on arbitrary path text, which calls the formatter.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rfc3986_validator import validate_rfc3986

from pipespec import report, sarif
from pipespec.findings import Finding, Severity
from pipespec.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
#: draft 4, as the schema says, with every format jsonschema knows checked ("uri" and
#: "uri-reference" by rfc3986-validator; draft 4's own checker has no "uri-reference")
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
BAD = "version: 0.2\nphases:\n  preBuild:\n    commands:\n      - make\n"

#: directory names that a URI must encode, and how (bytes: a name that is not UTF-8)
HOSTILE: dict[str | bytes, str] = {
    "my dir": "my%20dir",
    "100%": "100%25",
    "a#b": "a%23b",
    "q?x=1": "q%3Fx%3D1",
    "a:b": "a%3Ab",  # a relative reference whose first segment holds ":" reads as a scheme
    "é": "%C3%A9",
    "日本語": "%E6%97%A5%E6%9C%AC%E8%AA%9E",
    "tab\tand\x01\x1b[2J": "tab%09and%01%1B%5B2J",
    "new\nline": "new%0Aline",
    "back\\slash": "back%5Cslash",
    "[x]+&;,": "%5Bx%5D%2B%26%3B%2C",
    b"\xff\xfe": "%FF%FE",
}


def errors(log: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(log)
    ]


def pipespec_sarif(*paths: str | bytes, cwd: Path, env: dict[str, str] | None = None) -> Any:
    proc = subprocess.run(
        [sys.executable, "-m", "pipespec", "check", "--no-config", "--format", "sarif", *paths],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr.decode(errors="replace")
    log = json.loads(proc.stdout.decode("utf-8"))
    assert errors(log) == []
    return log


def git_init(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


def write_bad(directory: Path | bytes) -> bytes:
    """A buildspec with one error (BS101) in ``directory``; its path as bytes."""
    folder = os.fsencode(directory)
    os.makedirs(folder, exist_ok=True)
    path = folder + b"/buildspec.yml"
    with open(path, "wb") as fh:
        fh.write(BAD.encode())
    return path


def located(log: dict[str, Any]) -> list[tuple[bytes, dict[str, str]]]:
    """Each BS101 result's file, as a consumer resolves it: (the path's bytes, the
    artifactLocation)."""
    run = log["runs"][0]
    bases = {k: v["uri"] for k, v in run["originalUriBaseIds"].items()}
    out = []
    for result in run["results"]:
        if result["ruleId"] != "BS101":
            continue
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        uri = location["uri"]
        if "uriBaseId" in location:
            assert not urlsplit(uri).scheme, uri  # relative, as a uriBaseId requires
            uri = urljoin(bases[location["uriBaseId"]], uri)
        parts = urlsplit(uri)
        assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("file", "", "", "")
        out.append((unquote_to_bytes(parts.path), location))
    return out


# --------------------------------------------------------------------------- the schema


def test_the_vendored_schema_is_the_official_one() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert SCHEMA["id"] == sarif.SCHEMA_URI
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    checkers = VALIDATOR.format_checker.checkers if VALIDATOR.format_checker else {}
    assert {"uri", "uri-reference", "date-time"} - {"date-time"} <= set(checkers)


def test_the_validator_rejects_what_the_old_output_got_wrong() -> None:
    """The schema check can fail: a raw space in a URI, a relative originalUriBaseIds."""
    log = json.loads(report.sarif([]))
    assert errors(log) == []
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["results"] = [
        {"message": {"text": "m"}, "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": "my dir/buildspec.yml"}}}
        ]}
    ]  # fmt: skip
    assert errors(bad) == ["runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: "
                           "'my dir/buildspec.yml' is not a 'uri-reference'"]  # fmt: skip
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///a b/"
    assert errors(bad)


# --------------------------------------------------------------------------- paths


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding a bad buildspec under each hostile directory name, and
    ci/; a bad buildspec outside it, in ``outside dir/``."""
    root = tmp_path / "the repo"
    root.mkdir()
    git_init(root)
    for name in HOSTILE:
        write_bad(os.fsencode(root) + b"/" + os.fsencode(name))
    (root / "ci").mkdir()
    write_bad(tmp_path / "outside dir")
    return root


def hostile_files(root: Path, prefix: bytes) -> list[bytes]:
    return [prefix + os.fsencode(name) + b"/buildspec.yml" for name in HOSTILE]


def test_uris_are_relative_to_the_repository_root_and_percent_encoded(repo: Path) -> None:
    outside = os.fsencode(repo.parent / "outside dir" / "buildspec.yml")
    log = pipespec_sarif(*hostile_files(repo, b""), outside, cwd=repo)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root_uri == "file://" + str(repo.resolve()).replace(" ", "%20") + "/"
    found = located(log)
    assert sorted(path for path, _ in found) == sorted(
        [os.fsencode(repo.resolve()) + b"/" + p for p in hostile_files(repo, b"")] + [outside]
    )
    uris = {loc["uri"] for _, loc in found if loc.get("uriBaseId") == "%SRCROOT%"}
    assert uris == {f"{encoded}/buildspec.yml" for encoded in HOSTILE.values()}
    (absolute,) = [loc for _, loc in found if "uriBaseId" not in loc]
    assert absolute["uri"] == "file://" + str(repo.parent).replace(" ", "%20") + (
        "/outside%20dir/buildspec.yml"
    )
    for uri in uris:
        assert validate_rfc3986(uri, rule="URI_reference"), uri


def test_the_same_uris_from_a_subdirectory(repo: Path) -> None:
    """Run from ci/, the files are ../<name>/buildspec.yml on the command line, and the
    SARIF names them as from the root; the outside file given relative too."""
    from_root = located(pipespec_sarif(*hostile_files(repo, b""), cwd=repo))
    from_ci = pipespec_sarif(
        *hostile_files(repo, b"../"), b"../../outside dir/buildspec.yml", cwd=repo / "ci"
    )
    assert from_ci["runs"][0]["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": "file://" + str(repo.resolve()).replace(" ", "%20") + "/"}
    }
    in_ci = located(from_ci)
    assert sorted(loc["uri"] for _, loc in in_ci if "uriBaseId" in loc) == sorted(
        loc["uri"] for _, loc in from_root
    )
    assert not any(".." in loc["uri"] for _, loc in in_ci)
    assert [path for path, loc in in_ci if "uriBaseId" not in loc] == [
        os.fsencode(repo.parent / "outside dir" / "buildspec.yml")
    ]


def test_a_directory_given_from_a_subdirectory(repo: Path) -> None:
    log = pipespec_sarif("../my dir", cwd=repo / "ci")
    assert [loc for _, loc in located(log)] == [
        {"uri": "my%20dir/buildspec.yml", "uriBaseId": "%SRCROOT%"}
    ]


def test_a_hooks_git_environment_does_not_move_the_root(repo: Path, tmp_path: Path) -> None:
    """Git runs hooks (pre-commit's among them) with GIT_DIR and GIT_INDEX_FILE set; the
    root stays the files' repository."""
    other = tmp_path / "other"
    git_init(other)
    env = {"GIT_DIR": str(other / ".git"), "GIT_INDEX_FILE": str(other / ".git" / "index")}
    log = pipespec_sarif("../my dir/buildspec.yml", cwd=repo / "ci", env=env)
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/the%20repo/")
    assert [loc["uri"] for _, loc in located(log)] == ["my%20dir/buildspec.yml"]


def test_outside_a_repository_the_root_is_the_current_directory(tmp_path: Path) -> None:
    work = tmp_path / "work space"
    write_bad(work / "deploy")
    write_bad(tmp_path / "elsewhere")
    (work / "ci").mkdir()
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}  # no repository above, whatever the machine
    log = pipespec_sarif("deploy/buildspec.yml", str(tmp_path / "elsewhere"), cwd=work, env=env)
    root_uri = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert unquote(root_uri) == f"file://{work}/"
    assert sorted(loc["uri"] for _, loc in located(log)) == [
        "deploy/buildspec.yml",
        "file://" + str(tmp_path).replace(" ", "%20") + "/elsewhere/buildspec.yml",
    ]
    # from ci/, ci/ is the root: ../deploy is outside it, an absolute URI
    log = pipespec_sarif("../deploy", cwd=work / "ci", env=env)
    assert unquote(log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]) == f"file://{work}/ci/"
    assert [path for path, _ in located(log)] == [os.fsencode(work / "deploy" / "buildspec.yml")]


def test_columns_count_code_points(tmp_path: Path) -> None:
    """columnKind says what the columns count: a character outside the BMP is one column."""
    line = (
        '{"family": "\U0001f600\U0001f600", '
        '"containerDefinitions": [{"name": "a", "image": "b", "bogus": 1}]}'
    )
    (tmp_path / "taskdef.json").write_text(line + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pipespec", "check", "--no-config", "--format", "sarif", "."],
        cwd=tmp_path, capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    log = json.loads(proc.stdout)
    assert errors(log) == []
    (result,) = [r for r in log["runs"][0]["results"] if "'bogus'" in r["message"]["text"]]
    column = result["locations"][0]["physicalLocation"]["region"]["startColumn"]
    code_points = line.index('"bogus"') + 1
    assert code_points != len(line[: line.index('"bogus"')].encode("utf-16-le")) // 2 + 1
    assert column == code_points and log["runs"][0]["columnKind"] == "unicodeCodePoints"


_NASTY = ["/", "..", ".", " ", "%", "#", "?", ":", "\\", "\x00", "\x1b", "\n", "é", "\U0001f600",
          "\udcff", "\ud800", "a"]  # fmt: skip
paths = st.lists(st.one_of(st.sampled_from(_NASTY), st.characters()), min_size=1, max_size=12).map(
    "".join
)


@given(st.lists(paths, min_size=1, max_size=3))
@settings(max_examples=40, deadline=None)
def test_any_path_text_gives_a_valid_uri_that_names_it(texts: list[str]) -> None:
    cwd = str(ROOT)
    findings = [Finding(p, 1, 1, Severity.ERROR, "BS101", "m") for p in texts]
    log = sarif.sarif_log(findings, cwd=cwd)
    assert errors(json.loads(json.dumps(log))) == []
    root = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    for text, result in zip(texts, log["runs"][0]["results"], strict=True):
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        uri = location["uri"]
        assert re.fullmatch(r"[A-Za-z0-9\-._~/%:]*", uri), uri  # ASCII, percent-encoded
        full = urljoin(root, uri) if "uriBaseId" in location else uri
        if re.search("[\ud800-\udc7f\udd00-\udfff]", text):
            continue  # no file name decodes to such a surrogate: only validity counts
        wanted = os.path.normpath(os.path.join(cwd, text))
        assert unquote(urlsplit(full).path, errors="surrogateescape") == wanted, (text, full)


# --------------------------------------------------------------------------- rules


def test_every_rule_has_help_and_a_link_to_its_section_on_the_site() -> None:
    log = json.loads(report.sarif([]))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    for descriptor in rules:
        rule = RULES[descriptor["id"]]
        anchor = f"rule-{rule.id.lower()}"
        assert descriptor["helpUri"] == f"{report.SITE_URL}reference/rules.html#{anchor}"
        assert descriptor["help"]["text"] == f"{rule.explain_en}\n\nSee {descriptor['helpUri']}"
        assert descriptor["help"]["markdown"].endswith(f"]({descriptor['helpUri']})")


def test_the_site_url_is_the_projects_homepage_and_every_rule_has_its_section() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["urls"]["Homepage"] == report.SITE_URL
    # the rule reference page renders the rules of these prefixes, each under rule-<id>
    page = (ROOT / "docs" / "reference" / "rules.md").read_text(encoding="utf-8")
    prefixes = tuple(p for line in re.findall(r"^:prefix: (.+)$", page, re.M) for p in line.split())
    assert [r for r in RULES if not r.startswith(prefixes)] == []


def test_a_shellcheck_code_without_an_entry_links_to_shellchecks_wiki(tmp_path: Path) -> None:
    log = sarif.sarif_log([Finding("buildspec.yml", 5, 11, Severity.WARNING, "SH1010", "m")],
                          cwd=str(tmp_path))  # fmt: skip
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    (descriptor,) = [r for r in rules if r["id"] == "SH1010"]
    assert descriptor["helpUri"] == "https://www.shellcheck.net/wiki/SC1010"
    assert (
        "[The code on ShellCheck's wiki](https://www.shellcheck.net/wiki/SC1010)"
        in (descriptor["help"]["markdown"])
    )


def _inline_text(token: Any) -> str:
    """What an inline token shows as text; html_inline would be markup that leaked."""
    out = []
    for child in token.children or []:
        assert child.type != "html_inline", child
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append("\n")
    return "".join(out)


def test_the_markdown_help_renders_as_the_explanation_and_the_examples() -> None:
    """Rendered as CommonMark: the first paragraph reads exactly as the explanation (its
    `backquoted` parts as code, nothing else taken for markup), the code blocks are the
    examples."""
    md = MarkdownIt("commonmark")
    log = json.loads(report.sarif([]))
    for descriptor in log["runs"][0]["tool"]["driver"]["rules"]:
        rule = RULES[descriptor["id"]]
        tokens = md.parse(descriptor["help"]["markdown"])
        assert tokens[0].type == "paragraph_open", rule.id
        assert _inline_text(tokens[1]) == rule.explain_en.replace("`", ""), rule.id
        blocks = [t.content for t in tokens if t.type == "fence"]
        if rule.bad_files or rule.good_files:
            expected = [*(b for _, b in sorted(rule.bad_files.items())),
                        *(b for _, b in sorted(rule.good_files.items()))]  # fmt: skip
        else:  # an example about line ends or a byte order mark is not shown
            expected = [t for t in (rule.bad, rule.good) if t and not re.search("[\r\ufeff]", t)]
        assert blocks == [b.rstrip("\n") + "\n" for b in expected], rule.id
