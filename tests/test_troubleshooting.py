"""The troubleshooting pages: every error message is on its page, as written, and search finds it.

Each entry of ``docs/troubleshooting/`` is a section headed by an error message exactly as AWS
prints it. The tests read the built site (the session's ``site`` fixture): the message is in a
code span or literal block of its section, the section says where the message appears and
links the pipespec rules that catch the mistake beforehand, and ``searchindex.js`` maps every
word of the message, split as the site's Japanese search splits a query, to that page. The
last test pastes each message into the search box of the served site in Chromium.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import pytest
from docutils import nodes
from sitebuild import Server, Site
from sphinx import addnodes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs" / "_ext"))


@dataclass(frozen=True)
class Entry:
    page: str  # docname under troubleshooting/
    label: str  # the section's explicit label
    message: str  # as AWS prints it; a reader pastes this into the search box
    rules: tuple[str, ...] = ()  # pipespec rules linked from the section


CB, CD, CP, ECS = (
    "troubleshooting/codebuild",
    "troubleshooting/codedeploy",
    "troubleshooting/codepipeline",
    "troubleshooting/ecs",
)

ENTRIES = [
    # CodeBuild
    Entry(CB, "troubleshooting-codebuild-yaml-file-error", "YAML_FILE_ERROR"),
    Entry(
        CB,
        "troubleshooting-codebuild-unknown-runtime",
        "YAML_FILE_ERROR Message: Unknown runtime named 'docker'",
        ("BS112",),
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-runtime-required",
        "YAML_FILE_ERROR: This build image requires selecting at least one runtime version",
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-found-subkeys",
        "YAML_FILE_ERROR: Expected Commands[0] to be of string type: found subkeys instead",
        ("BS109",),
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-buildspec-not-found",
        "buildspec.yml: no such file or directory",
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-no-matching-artifact",
        "CLIENT_ERROR: no matching artifact paths found",
        ("BS116", "BS115"),
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-no-matching-artifact",
        "Phase context status code: CLIENT_ERROR Message: no matching artifact paths found",
        ("BS116",),
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-docker-daemon",
        "Cannot connect to the Docker daemon at unix:/var/run/docker.sock."
        " Is the docker daemon running?",
        ("CB110", "XF114"),
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-command-execution-error",
        "COMMAND_EXECUTION_ERROR: Error while executing command:",
        ("BS120", "SH2086", "BS121"),
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-invalid-choice",
        "aws: error: argument operation: Invalid choice",
        ("BS121",),
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-toomanyrequests",
        "toomanyrequests: You have reached your pull rate limit",
    ),
    Entry(
        CB, "troubleshooting-codebuild-unable-to-pull-image", "BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE"
    ),
    Entry(
        CB,
        "troubleshooting-codebuild-assume-role",
        "CodeBuild is not authorized to perform: sts:AssumeRole",
    ),
    Entry(
        CB, "troubleshooting-codebuild-unable-to-locate-credentials", "Unable to locate credentials"
    ),
    # CodeDeploy
    Entry(
        CD,
        "troubleshooting-codedeploy-health-constraints",
        "The overall deployment failed because too many individual instances failed deployment,"
        " too few healthy instances are available for deployment, or some instances in your"
        " deployment group are experiencing problems. (Error code: HEALTH_CONSTRAINTS)",
        ("AS102", "AS109", "AS114"),
    ),
    Entry(
        CD, "troubleshooting-codedeploy-health-constraints-invalid", "HEALTH_CONSTRAINTS_INVALID"
    ),
    Entry(
        CD,
        "troubleshooting-codedeploy-script-failed",
        "Script at specified location: scripts/start_server.sh run as user root"
        " failed with exit code 1",
        ("AS109",),
    ),
    Entry(CD, "troubleshooting-codedeploy-script-failed", "ScriptFailed"),
    Entry(
        CD,
        "troubleshooting-codedeploy-application-stop",
        "Script at specified location: scripts/stop_server.sh failed with exit code 1",
    ),
    Entry(
        CD,
        "troubleshooting-codedeploy-script-timeout",
        "Script at specified location: after-install.sh failed to complete in 60 seconds",
        ("AS104", "AS115"),
    ),
    Entry(
        CD,
        "troubleshooting-codedeploy-file-already-exists",
        "The deployment failed because a specified file already exists at this location",
        ("AS113",),
    ),
    Entry(
        CD,
        "troubleshooting-codedeploy-appspec-not-found",
        "The CodeDeploy agent did not find an AppSpec file within the unpacked revision directory"
        ' at revision-relative path "appspec.yml".',
    ),
    Entry(
        CD,
        "troubleshooting-codedeploy-not-opened-for-reading",
        "UnknownError: not opened for reading",
    ),
    Entry(CD, "troubleshooting-codedeploy-iam-role", "IAM_ROLE_MISSING"),
    Entry(CD, "troubleshooting-codedeploy-iam-role", "IAM_ROLE_PERMISSIONS"),
    # CodePipeline
    Entry(
        CP,
        "troubleshooting-codepipeline-codecommit-permissions",
        "Make sure that the pipeline IAM role has sufficient permissions to access the repository.",
    ),
    Entry(
        CP,
        "troubleshooting-codepipeline-sufficient-permissions",
        "Deployment failed. The provided role does not have sufficient permissions",
    ),
    Entry(
        CP,
        "troubleshooting-codepipeline-s3-access-denied",
        "is getting S3 access denied for the S3 bucket",
    ),
    Entry(CP, "troubleshooting-codepipeline-job-failed", "JobFailed", ("PL115",)),
    Entry(
        CP,
        "troubleshooting-codepipeline-unknown-parameter",
        'Unknown parameter in input: "metadata", must be one of: pipeline',
        ("PL104", "TD104", "DG104", "CB104"),
    ),
    # ECS
    Entry(
        ECS,
        "troubleshooting-ecs-taskdef-artifact",
        "Exception while trying to read the task definition artifact file from:",
        ("XF110", "PL120"),
    ),
    Entry(
        ECS,
        "troubleshooting-ecs-image-artifact",
        "Invalid action configuration Exception while trying to read the image artifact file"
        " from the artifact: BuildArtifact.",
        ("XF104", "IM101"),
    ),
    Entry(
        ECS,
        "troubleshooting-ecs-image-definition-not-found",
        "Did not find the image definition file imagedefinitions.json"
        " in the input artifacts ZIP file",
        ("XF110", "BS115"),
    ),
    Entry(
        ECS,
        "troubleshooting-ecs-invalid-json-format",
        "The image definition file imagedefinitions.json contains invalid JSON format",
        ("IF101", "LD001"),
    ),
    Entry(ECS, "troubleshooting-ecs-cannot-pull-container", "CannotPullContainerError", ("XF112",)),
    Entry(
        ECS,
        "troubleshooting-ecs-cannot-pull-container",
        "CannotPullContainerError: API error (500): Get https://123456789012.dkr.ecr.ap-northeast-1"
        ".amazonaws.com/v2/: net/http: request canceled while waiting for connection",
    ),
    Entry(
        ECS,
        "troubleshooting-ecs-resource-initialization-error",
        "ResourceInitializationError: unable to pull secrets or registry auth",
    ),
    Entry(
        ECS,
        "troubleshooting-ecs-resource-initialization-error",
        "ResourceInitializationError: failed to validate logger args",
    ),
    Entry(
        ECS, "troubleshooting-ecs-invalid-cpu", "Invalid 'cpu' setting for task", ("TD101", "TD105")
    ),
    Entry(
        ECS,
        "troubleshooting-ecs-unable-to-start-tasks",
        "is unable to consistently start tasks successfully.",
    ),
    Entry(
        ECS,
        "troubleshooting-ecs-unable-to-place-task",
        "was unable to place a task because no container instance met all of its requirements.",
    ),
    Entry(
        ECS, "troubleshooting-ecs-essential-container-exited", "Essential container in task exited"
    ),
]

#: The messages the section must cover whatever else it holds (AWS's wording, searchable).
REQUIRED = [
    "YAML_FILE_ERROR",
    "CLIENT_ERROR: no matching artifact paths found",
    "Cannot connect to the Docker daemon",
    "CannotPullContainerError",
    "ResourceInitializationError",
    "HEALTH_CONSTRAINTS",
    "a specified file already exists at this location",
    "Exception while trying to read the task definition artifact file",
]


def _id(entry: Entry) -> str:
    return f"{entry.label}:{entry.message[:40]}"


def _section(site: Site, entry: Entry) -> nodes.section:
    tree = site.doctree(entry.page)
    for section in tree.findall(nodes.section):
        if entry.label in section["ids"]:
            return section
    pytest.fail(f"{entry.page} has no section labelled {entry.label}")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _literals(node: nodes.Node) -> list[str]:
    return [
        _flat(n.astext())
        for n in node.findall(lambda n: isinstance(n, (nodes.literal, nodes.literal_block)))
    ]


def _search_index(site: Site) -> dict[str, Any]:
    raw = (site.html / "searchindex.js").read_text(encoding="utf-8")
    index: dict[str, Any] = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    return index


def _query_terms(message: str) -> list[str]:
    """The words the search page looks up for ``message``, as ``ja_search.js`` makes them.

    The browser splits the query with the JavaScript twin of ``ja_search.Splitter``
    (``tests/test_browser.py`` proves they agree on every text of the site), drops words of
    one character, then ``searchtools.js`` lowercases them and skips numbers and stopwords
    (the ``ja`` language has none).
    """
    from ja_search import Splitter

    words = [w for w in Splitter({}).split(message) if len(w) >= 2]
    return [w.lower() for w in words if not re.fullmatch(r"\d+", w)]


def _pages(index: dict[str, Any], term: str) -> set[str]:
    found: set[str] = set()
    for table in (index["terms"], index["titleterms"]):
        hit = table.get(term)
        if hit is not None:
            found.update(index["docnames"][i] for i in ([hit] if isinstance(hit, int) else hit))
    return found


def test_the_troubleshooting_pages_are_in_the_table_of_contents(site: Site) -> None:
    pages = {CB, CD, CP, ECS}
    assert pages <= set(site.env.found_docs)
    children = set(site.env.toctree_includes["troubleshooting/index"])
    assert children == pages
    assert "troubleshooting/index" in site.env.toctree_includes["index"]


@pytest.mark.parametrize("message", REQUIRED)
def test_the_required_messages_are_covered(message: str) -> None:
    assert any(message in e.message for e in ENTRIES), message


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_the_message_is_in_a_literal_of_its_section(site: Site, entry: Entry) -> None:
    """Exactly as AWS prints it, in a code span or a literal block (copyable, not reworded)."""
    literals = _literals(_section(site, entry))
    assert any(_flat(entry.message) in text for text in literals), (entry.label, literals[:3])
    # and the reader sees it on the page
    html = re.sub(r"<[^>]+>", "", site.page(entry.page))
    html = html.replace("&quot;", '"').replace("&#39;", "'").replace("&amp;", "&")
    assert _flat(entry.message) in _flat(html)


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_the_section_says_where_it_appears_and_what_catches_it(site: Site, entry: Entry) -> None:
    section = _section(site, entry)
    text = section.astext()
    entry_sections = [s for s in section.findall(nodes.section) if s is not section]
    if entry_sections:  # a group of entries (YAML_FILE_ERROR): each child is a full entry
        for child in entry_sections:
            assert "表示される場所" in child.astext(), child["ids"]
            assert "事前に見つける" in child.astext(), child["ids"]
        return
    for heading in ("表示される場所", "原因", "直し方", "事前に見つける"):
        assert f"{heading}:" in text, (entry.label, heading)
    # the last paragraph names the rules, or says that no rule can see the cause
    beforehand = [
        p for p in section.findall(nodes.paragraph) if p.astext().startswith("事前に見つける")
    ]
    assert len(beforehand) == 1, entry.label
    rules = [
        x["reftarget"]
        for x in beforehand[0].findall(addnodes.pending_xref)
        if x["reftarget"].startswith("rule-")
    ]
    said = beforehand[0].astext()
    assert rules or "検出しません" in said or "分かりません" in said, (entry.label, said)
    assert {f"rule-{r.lower()}" for r in entry.rules} <= set(rules), (entry.label, rules)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.rules], ids=_id)
def test_the_section_links_the_rules_that_catch_it(site: Site, entry: Entry) -> None:
    """Each rule is a resolved link to its entry of the rule reference (``rule-<id>``)."""
    labels = site.env.domaindata["std"]["labels"]
    section = _section(site, entry)
    # the pickled doctree holds the pending references; the resolved links are in the HTML
    targets = {x["reftarget"] for x in section.findall(addnodes.pending_xref)}
    html = site.page(entry.page)
    for rule in entry.rules:
        label = f"rule-{rule.lower()}"
        assert labels[label][0] == "reference/rules", label
        assert label in targets, (entry.label, rule)
        assert f'href="../reference/rules.html#{label}"' in html, (entry.label, rule)


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_the_search_index_maps_the_message_to_its_page(site: Site, entry: Entry) -> None:
    """Every word the search page looks up for the pasted message leads to the entry's page.

    searchtools.js keeps a page only if it has every word of the query (in its text or
    titles), so one missing word would hide the page.
    """
    index = _search_index(site)
    terms = _query_terms(entry.message)
    assert terms, entry.message
    missing = [t for t in terms if entry.page not in _pages(index, t)]
    assert not missing, (entry.message, missing)


def test_the_index_page_lists_every_entry(site: Site) -> None:
    html = site.page("troubleshooting/index")
    linked = set(re.findall(r'href="[^"]*#(troubleshooting-[a-z0-9-]+)"', html))
    assert {e.label for e in ENTRIES} <= linked
    # and every entry of the pages is in the list, not only those this test names
    for page in (CB, CD, CP, ECS):
        tree = site.doctree(page)
        for section in tree.findall(nodes.section):
            label = section["ids"][0]
            if label.endswith("-sources") or section.parent is tree:
                continue
            if label in {"troubleshooting-ecs-actions", "troubleshooting-ecs-tasks"}:
                continue
            assert label in linked, label


# ---- in a real browser -----------------------------------------------------------------------

try:  # the browser fixtures of the site's browser tests (Chromium + Playwright, or a skip)
    from test_browser import _search, search_page
except ImportError:  # pragma: no cover
    search_page = None


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRIES if e.message in set(REQUIRED) or len(e.message) > 40],
    ids=_id,
)
def test_pasting_the_message_into_the_search_box_finds_its_page(
    search_page: Any, site_server: Server, entry: Entry
) -> None:
    search_page.goto(site_server.url + "index.html")
    hits = [urldefrag(h).url for h in _search(search_page, entry.message)]
    # The search page keeps the query's words for highlighting on the next page opened, and
    # sphinx_highlight.js throws on a word inside an inline SVG's <title> or <desc> (parent
    # has no getBBox); English words such as "task" are there. Forget them, as a new query does.
    search_page.evaluate("localStorage.removeItem('sphinx_highlight_terms')")
    assert f"{entry.page}.html" in hits, (entry.message, hits[:5])
