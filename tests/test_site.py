"""The site: it builds with zero warnings, shows only real files, and carries the whole seed.

One ``sphinx-build -W --keep-going`` runs per test session (the ``site`` fixture in
``conftest.py``); the tests then read its output: the HTML, the pickled doctrees and the
build environment.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docutils import nodes
from markdown_it import MarkdownIt
from sitebuild import Site

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
SEED = ROOT.parent / "shared" / "seed" / "code-kyodai-notebook.md"
CONFIG_SUFFIXES = {".yml", ".yaml", ".json"}
CONFIG_LANGUAGES = {"yaml", "yml", "json", "jsonc", "json5"}
# The pickled doctrees hold nodes of the site's own extensions.
sys.path.insert(0, str(DOCS / "_ext"))


def page_sources() -> list[Path]:
    return sorted(
        p for p in DOCS.rglob("*.md") if not any(part.startswith("_") for part in p.parts)
    )


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*") if p.suffix in CONFIG_SUFFIXES)


def test_build_has_no_warnings(site: Site) -> None:
    assert "WARNING" not in site.output
    assert "ERROR" not in site.output


def test_every_example_is_included_by_a_page(site: Site) -> None:
    srcdir = Path(site.env.srcdir)
    included = {(srcdir / dep).resolve() for deps in site.env.dependencies.values() for dep in deps}
    missing = [p.relative_to(ROOT).as_posix() for p in example_files() if p not in included]
    assert not missing, f"examples no page includes: {missing}"


def test_no_page_pastes_a_config_block_inline(site: Site) -> None:
    md = MarkdownIt("commonmark")
    inline = []
    for page in page_sources():
        for token in md.parse(page.read_text(encoding="utf-8")):
            if token.type != "fence":
                continue
            words = token.info.replace("{", " ").replace("}", " ").split()
            if CONFIG_LANGUAGES & {w.lower() for w in words}:
                inline.append(f"{page.relative_to(ROOT)}:{token.map[0] + 1 if token.map else 0}")
    for docname, tree in site.doctrees_all():
        for block in tree.findall(nodes.literal_block):
            language = str(block.get("language", "")).lower()
            source = block.get("source")
            from_example = source and EXAMPLES in Path(source).resolve().parents
            # the rule reference renders each rule's bad/good example from the registry,
            # where tests/test_rules.py proves them; they are data of pipespec, not pasted
            from_registry = "pipespec-rule-example" in block["classes"]
            # what `pipespec run` computed while the site was built (never hand-written)
            from_registry = from_registry or "pipespec-rendered-file" in block["classes"]
            if language in CONFIG_LANGUAGES and not (from_example or from_registry):
                inline.append(f"{docname}: {block.astext()[:40]!r}")
    assert not inline, f"inline YAML/JSON blocks (use literalinclude): {inline}"


def test_every_page_starts_with_an_explicit_label() -> None:
    bad = []
    for page in page_sources():
        lines = [line for line in page.read_text(encoding="utf-8").splitlines() if line.strip()]
        if not (re.fullmatch(r"\([a-z0-9-]+\)=", lines[0]) and lines[1].startswith("# ")):
            bad.append(page.relative_to(ROOT).as_posix())
    assert not bad, f"pages without a '(label)=' line before the title: {bad}"


def test_no_link_relies_on_an_automatic_id(site: Site) -> None:
    bad = []
    for page in site.html.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        # permalinks ("¶") point at their own element; every other link must use a label
        for target in re.findall(r'<a (?![^>]*headerlink)[^>]*href="[^"#]*#(id\d+)"', html):
            bad.append(f"{page.relative_to(site.html)}#{target}")
    assert not bad


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not beside this checkout")
def test_every_seed_link_is_on_the_site() -> None:
    seed = SEED.read_text(encoding="utf-8")
    images = set(re.findall(r"!\[[^\]]*\]\((https?://[^)\s]+)\)", seed))
    links = {u.rstrip(".,)") for u in re.findall(r"https?://[^\s)>]+", seed)} - images
    assert len(links) >= 15  # the seed's reference links, not its pictures
    site_text = "\n".join(p.read_text(encoding="utf-8") for p in page_sources())
    missing = sorted(u for u in links if u not in site_text)
    assert not missing, f"seed links missing from the site: {missing}"


REQUIRED_LABELS = {
    # seed topic -> the label of the section that carries it
    "the four services and how CodePipeline chains them": "code-services",
    "buildspec.yml: ECR login, commit-hash and latest tags, artifacts": "codebuild-buildspec",
    "deployment types per platform, with a comparison table": "codedeploy-deployment-types",
    "on-premises in-place with the CodeDeploy agent": "codedeploy-on-premises",
    "EC2 in-place and blue/green": "codedeploy-ec2",
    "Lambda blue/green": "codedeploy-lambda",
    "Auto Scaling and ELB/ALB/NLB during in-place deployments": "codedeploy-integrations",
    "ECS rolling update with imagedefinitions.json": "ecs-rolling-update",
    "ECS blue/green": "ecs-blue-green",
    "ECS blue/green appspec": "ecs-bg-appspec",
    "ECS blue/green imageDetail.json": "ecs-bg-imagedetail",
    "ECS blue/green taskdef.json": "ecs-bg-taskdef",
    "<IMAGE1_NAME> and <TASK_DEFINITION> substitution": "ecs-bg-substitution",
    "mistake: preBuild/postBuild": "mistake-camelcase-phases",
    "mistake: runtime-versions docker: 18": "mistake-docker-runtime",
    "mistake: imagedefinitions written, imageDetail listed": "mistake-wrong-artifact",
    "mistake: JSON with comments": "mistake-json-comments",
    "mistake: ContainerPort as a string": "mistake-containerport-string",
    "the list of mistakes": "mistakes",
}


@pytest.mark.parametrize("topic", sorted(REQUIRED_LABELS))
def test_seed_topic_has_its_section(site: Site, topic: str) -> None:
    labels = site.env.domaindata["std"]["anonlabels"]  # sections and boxes alike
    assert REQUIRED_LABELS[topic] in labels, f"no section labelled {REQUIRED_LABELS[topic]}"


def test_blue_green_procedure_is_an_eight_step_definition_list(site: Site) -> None:
    docname = site.env.domaindata["std"]["labels"]["ecs-blue-green"][0]
    lists = list(site.doctree(docname).findall(nodes.definition_list))
    assert any(len(dl.children) == 8 for dl in lists)


def test_deployment_types_have_one_comparison_table(site: Site) -> None:
    docname = site.env.domaindata["std"]["labels"]["codedeploy-deployment-types"][0]
    tables = [
        t
        for t in site.doctree(docname).findall(nodes.table)
        if all(word in t.astext() for word in ("オンプレミス", "EC2", "Lambda", "ECS"))
    ]
    assert len(tables) >= 1


@pytest.mark.parametrize(
    ("label", "tabs"),
    [
        ("codedeploy-deployment-types", ["EC2/オンプレミス", "Lambda", "ECS"]),
        (
            "codebuild-buildspec",
            [
                "ローリングアップデート (imagedefinitions.json)",
                "ブルー/グリーン (imageDetail.json)",
            ],
        ),
    ],
)
def test_platform_variants_are_tabs(site: Site, label: str, tabs: list[str]) -> None:
    docname = site.env.domaindata["std"]["labels"][label][0]
    html = site.page(docname)
    found = re.findall(r'<button[^>]*class="sphinx-tabs-tab[^"]*"[^>]*>(.*?)</button>', html, re.S)
    labels = {re.sub(r"<[^>]+>", "", f).strip() for f in found}
    assert set(tabs) <= labels, f"tabs on {docname}: {labels}"


@pytest.mark.parametrize("figure", ["pipeline", "codedeploy-agent", "ecs-bluegreen"])
def test_each_figure_is_shown_in_both_themes_with_alt_text(site: Site, figure: str) -> None:
    pages = [p.read_text(encoding="utf-8") for p in site.html.rglob("*.html")]
    for theme in ("light", "dark"):
        imgs = [
            m
            for html in pages
            for m in re.findall(rf'<img [^>]*src="[^"]*{figure}-{theme}\.svg"[^>]*>', html)
        ]
        assert imgs, f"{figure}-{theme}.svg is on no page"
        for img in imgs:
            alt = re.search(r'alt="([^"]*)"', img)
            assert alt and len(alt.group(1)) > 20
            assert f"only-{theme}" in img


def test_every_mistake_file_is_shown_in_a_labelled_mistake_box(site: Site) -> None:
    shown: dict[Path, str] = {}
    for _docname, tree in site.doctrees_all():
        for box in tree.findall(nodes.admonition):
            if "mistake" not in box["classes"]:
                continue
            assert any(i.startswith("mistake-") for i in box["ids"]), box.astext()[:60]
            assert box.next_node(nodes.title).astext().startswith("よくある間違い")
            for block in box.findall(nodes.literal_block):
                if block.get("source"):
                    shown[Path(block["source"]).resolve()] = box["ids"][-1]
    mistakes = [p for p in example_files() if "mistakes" in p.relative_to(EXAMPLES).parts]
    missing = [p.relative_to(ROOT).as_posix() for p in mistakes if p not in shown]
    assert mistakes and not missing, f"mistake files outside a よくある間違い box: {missing}"


def test_mistake_index_lists_every_box(site: Site) -> None:
    boxes = {
        box["ids"][-1]
        for _docname, tree in site.doctrees_all()
        for box in tree.findall(nodes.admonition)
        if "mistake" in box["classes"]
    }
    index = site.page("mistakes/index")
    linked = set(re.findall(r'href="[^"]*#(mistake-[a-z0-9-]+)"', index))
    assert boxes and boxes == linked


def test_pages_are_self_contained(site: Site) -> None:
    external = []
    # <link rel="canonical"> names the page's published URL; the browser loads nothing from it
    pattern = re.compile(
        r'<(?:script|img|link(?! rel="canonical")|iframe|source)\b[^>]*\b(?:src|href)="(https?:)?//'
    )
    for page in site.html.rglob("*.html"):
        if pattern.search(page.read_text(encoding="utf-8")):
            external.append(page.relative_to(site.html).as_posix())
    assert not external, f"pages loading resources from outside the site: {external}"


def test_each_page_links_to_its_source_and_shows_a_date(site: Site) -> None:
    for docname in sorted(site.env.found_docs):
        html = site.page(docname)
        assert f"_sources/{docname}.md.txt" in html, docname
        assert re.search(r"\d{4}-\d{2}-\d{2}", html), docname
        assert (site.html / "_sources" / f"{docname}.md.txt").exists()


def test_search_index_is_japanese(site: Site) -> None:
    options = (site.html / "_static" / "documentation_options.js").read_text(encoding="utf-8")
    assert "LANGUAGE: 'ja'" in options
    raw = (site.html / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    terms = index["terms"]
    # Japanese text is split into words (TinySegmenter), not indexed as whole sentences
    for term in ("buildspec", "imagedefinitions", "デプロイ", "コンテナ", "ブルー"):
        assert term in terms, term


def test_every_heading_has_an_explicit_label() -> None:
    """Headings get stable anchors (Japanese titles otherwise become ``#id4``)."""
    md = MarkdownIt("commonmark")
    bad = []
    for page in page_sources():
        text = page.read_text(encoding="utf-8")
        lines = text.splitlines()
        for token in md.parse(text):
            if token.type == "heading_open" and token.map:
                before = [line for line in lines[: token.map[0]] if line.strip()]
                if not before or not re.fullmatch(r"\([a-z0-9-]+\)=", before[-1]):
                    bad.append(f"{page.relative_to(ROOT)}:{token.map[0] + 1}")
    assert not bad, f"headings without a '(label)=' line: {bad}"


def test_japanese_line_breaks_do_not_become_spaces(site: Site) -> None:
    """A source line break inside a Japanese sentence must not render as a space."""
    bad = []
    for page in site.html.rglob("*.html"):
        for para in re.findall(r"<p>(.*?)</p>", page.read_text(encoding="utf-8"), re.S):
            text = re.sub(r"<[^>]+>", "", para)
            for m in re.finditer(r"[。、）」ぁ-んァ-ヶ一-龠]\n\s*[ぁ-んァ-ヶ一-龠]", text):
                bad.append(f"{page.relative_to(site.html)}: {m.group()!r}")
    assert not bad, bad[:5]


def test_cjk_line_join_rules() -> None:
    from cjk_linebreaks import join_lines

    assert join_lines("です。\n次に") == "です。次に"
    assert join_lines("です。\nYAML") == "です。YAML"
    assert join_lines("使う\n  場合") == "使う場合"
    assert join_lines("the\nword") == "the\nword"
    assert join_lines("ECS\nの") == "ECS\nの"
    # context characters come from neighbouring nodes and are never removed
    assert join_lines("。", "ん", "\n") == "。"
    assert join_lines("\n", "。", "直") == ""
    assert join_lines("\nYAML", "。") == "YAML"


def test_mistake_boxes_show_pipespec_output(site: Site) -> None:
    """Every よくある間違い about one of pipespec's five kinds shows its real diagnostics."""
    from pipespec import catalog

    for _docname, tree in site.doctrees_all():
        for box in tree.findall(nodes.admonition):
            if "mistake" not in box["classes"]:
                continue
            files = [Path(b["source"]) for b in box.findall(nodes.literal_block) if b.get("source")]
            if not any(catalog.detect(f.name) for f in files):
                continue
            outputs = [
                b.astext() for b in box.findall(nodes.literal_block)
                if "pipespec-output" in b["classes"]
            ]  # fmt: skip
            assert outputs, box["ids"]
            for f in files:
                golden = f.parent / "expected.out"
                for line in golden.read_text(encoding="utf-8").splitlines():
                    if line.startswith(f.relative_to(ROOT).as_posix() + ":"):
                        rule = line.rsplit("[", 1)[1]
                        assert any(f"[{rule}" in out for out in outputs), (box["ids"], rule)


def test_rule_reference_covers_every_rule(site: Site) -> None:
    from pipespec.rules import RULES

    labels = site.env.domaindata["std"]["labels"]
    missing = [r for r in RULES if f"rule-{r.lower()}" not in labels]
    assert not missing


def test_no_markdown_leaks_into_the_text(site: Site) -> None:
    """CommonMark does not close ``**`` before CJK text after punctuation: catch such leaks."""
    bad = []
    for page in site.html.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for para in re.findall(r"<p>(.*?)</p>", html, re.S):
            text = re.sub(r"<code.*?</code>", "", para, flags=re.S)
            text = re.sub(r"<[^>]+>", "", text)
            if "**" in text or re.search(r"(?<![\w`])`[^`]+`(?![\w`])", text):
                bad.append(f"{page.relative_to(site.html)}: {text[:60]!r}")
    assert not bad, bad


def test_the_sidebar_has_two_sections_learning_and_the_tool(site: Site) -> None:
    # Learning the services and using pipespec are two sections of the sidebar: a reader
    # of the CodeDeploy pages does not walk through the CLI, benchmarks or pre-commit.
    page = site.page("index")  # the links are relative to the page: from the root, as named
    sidebar = page[page.index('class="sidebar-tree"') :]
    sidebar = sidebar[: sidebar.index("</div>\n</div>")] if "</div>\n</div>" in sidebar else sidebar
    captions = re.findall(r'<p class="caption"[^>]*><span class="caption-text">([^<]+)', sidebar)
    assert captions == ["サービスを学ぶ", "pipespec を使う"]
    tool = sidebar[sidebar.index("pipespec を使う") :]
    learning = sidebar[: sidebar.index("pipespec を使う")]
    for href in ("reference/index.html", "howto/index.html", "contributing.html"):
        assert href in tool and href not in learning, href
    for href in ("tutorial/index.html", "codedeploy/index.html", "troubleshooting/index.html",
                 "mistakes/index.html", "glossary.html"):  # fmt: skip
        assert href in learning, href


def test_the_single_page_edition_has_every_page_and_sound_links(site: Site) -> None:
    """``single/index.html``: every page's heading once, each link found on the page."""
    single = (site.html / "single" / "index.html").read_text(encoding="utf-8")
    included = {d for docs in site.env.toctree_includes.values() for d in docs}
    assert len(included) > 30
    for docname in sorted(included):
        title = site.env.titles[docname].astext()
        assert f'id="document-{docname}"' in single, docname
        assert title in single, (docname, title)
    missing = site.env.found_docs - included - {"index"}
    assert all("orphan" in site.env.metadata[d] for d in missing), missing
    ids = set(re.findall(r'id="([^"]+)"', single))
    targets = re.findall(r'(?:href|action)="([^"]+)"', single)
    assert len(targets) > 1000
    broken = []
    for target in targets:
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, fragment = target.partition("#")
        if not path:
            if fragment and fragment not in ids:
                broken.append(target)
        elif not (site.html / "single" / path.split("?")[0]).resolve().is_file():
            broken.append(target)
    assert not broken, broken[:20]
    front = site.page("index")
    assert 'href="single/index.html"' in front
    assert "single-page-edition" not in single  # the link to itself is left out


# ---- beside the publishing libraries: site_publish.py ---------------------------------


def test_the_description_keeps_japanese_text_whole() -> None:
    """Inline code in a Japanese sentence gets no spaces around it, unlike the library's."""
    from docutils.core import publish_doctree
    from site_publish import description
    from sphinxext.opengraph._description_parser import get_description

    text = "CodeBuild は、``buildspec.yml`` に書かれたコマンドを実行します。"
    doctree = publish_doctree(f".. note:: 注記は飛ばします。\n\n{text}\n")
    assert description(doctree) == "CodeBuild は、buildspec.yml に書かれたコマンドを実行します。"
    # what sphinxext-opengraph makes of it (when it stops, so can this module's own)
    assert "、 buildspec.yml" in get_description(doctree, 160)
    long = publish_doctree("あ" * 200)
    assert description(long) == "あ" * 159 + "…"
    assert description(None) == ""


#: One page that shows a file of a directory, as pipespec-check shows a directory: the
#: directive notes the directory (a file added there rebuilds the page) and the file.
MINI_CONF = """
import subprocess
import sys
sys.path[:0] = [{ext!r}, {here!r}]
extensions = ["sphinx_last_updated_by_git", "notfound.extension", "site_publish", "shows_data"]
html_theme = "furo"
templates_path = [{templates!r}]
html_last_updated_fmt = "%Y-%m-%d"
git_last_updated_timezone = "UTC"
"""
MINI_DIRECTIVE = """
from pathlib import Path
from sphinx.util.docutils import SphinxDirective

class ShowsData(SphinxDirective):
    def run(self):
        data = Path(self.env.srcdir).parent / "data"
        self.env.note_dependency(str(data))
        self.env.note_dependency(str(data / "shown.txt"))
        return []

def setup(app):
    app.add_directive("shows-data", ShowsData)
"""


def _mini_project(root: Path) -> None:
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "shown.txt").write_text("shown\n")
    conf = MINI_CONF.format(
        ext=str(DOCS / "_ext"), here=str(docs), templates=str(DOCS / "_templates")
    )
    (docs / "conf.py").write_text(conf)
    (docs / "shows_data.py").write_text(MINI_DIRECTIVE)
    (docs / "index.rst").write_text("Page\n====\n\n.. shows-data::\n\nText.\n")


def _git(root: Path, *args: str, date: str = "2020-01-01T00:00:00Z") -> None:
    """git, with the commit dates given (after 2001-09-09: the library compares the
    timestamps' digits as text)."""
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )


def _mini_build(root: Path) -> tuple[int, str, str]:
    """``sphinx-build -W`` of the project; its exit status, output and the page."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIPESPEC_", "READTHEDOCS"))}
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-b", "html", "docs", "out"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    page = root / "out" / "index.html"
    html = page.read_text(encoding="utf-8") if page.exists() else ""
    return proc.returncode, proc.stdout + proc.stderr, html


def _committed_mini_project(root: Path) -> None:
    _mini_project(root)
    _git(root, "init", "-q")
    _git(root, "add", "docs")
    _git(root, "commit", "-q", "-m", "the page")
    _git(root, "add", "data")
    _git(root, "commit", "-q", "-m", "the file it shows", date="2021-02-02T12:00:00Z")


def test_a_page_is_dated_by_the_files_it_shows(tmp_path: Path) -> None:
    """The last commit of the page or of a file it shows; a directory noted beside the file
    does not stop sphinx-last-updated-by-git (it would, without site_publish.py)."""
    _committed_mini_project(tmp_path)
    status, output, html = _mini_build(tmp_path)
    assert status == 0, output
    assert "Last updated on 2021-02-02" in html


def test_outside_git_the_pages_show_the_build_date(tmp_path: Path) -> None:
    """An unpacked archive of the repository (no .git) builds with -W: build dates."""
    _mini_project(tmp_path)
    status, output, html = _mini_build(tmp_path)
    assert status == 0, output
    assert "no git work tree, every page shows the build date" in output
    shown = re.search(r"Last updated on (\d{4}-\d{2}-\d{2})", html)
    assert shown and shown.group(1) not in ("2020-01-01", "2021-02-02"), html[-2000:]


def test_a_shallow_clone_shows_the_build_date(tmp_path: Path) -> None:
    """A clone cut short has no true date for the page: the build date, and no -W failure."""
    _committed_mini_project(tmp_path / "full")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--depth", "1", (tmp_path / "full").as_uri(), str(clone))
    status, output, html = _mini_build(clone)
    assert status == 0, output
    assert "a shallow clone" in output
    shown = re.search(r"Last updated on (\d{4}-\d{2}-\d{2})", html)
    assert shown and shown.group(1) not in ("2020-01-01", "2021-02-02"), html[-2000:]
