"""Sphinx configuration for the pipespec site (Japanese)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

project = "pipespec"
author = "pipespec contributors"
copyright = "2026, pipespec contributors"
language = "ja"

extensions = [
    "myst_parser",
    "sphinx_tabs.tabs",
    "sphinx_copybutton",
    "themed_figure",
    "git_dates",
    "mistake_list",
    "cjk_linebreaks",
    "ja_search",
    "site_publish",
    "schema_files",
    "bench_results",
    "playground",
    "single_page",
    "pipespec.sphinxext",
]

# pipespec-run: where the sandbox (bubblewrap) is not available, show the recorded output
# of a sandboxed run of exactly the same directory; never run the commands unsandboxed.
pipespec_run_records = "_dryruns"

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 0  # cross-references use explicit labels only

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "_figures", "_dryruns"]
templates_path = ["_templates"]
html_static_path = ["_static"]

html_theme = "furo"
#: Short, for the sidebar (a long title wraps to five lines there); the full name of the
#: site, with all four services (CodePipeline, CodeCommit, CodeBuild, CodeDeploy), is the
#: front page's heading.
html_title = "Code兄弟ノート"
html_short_title = "Code兄弟ノート"
#: Layout at desktop and phone sizes, and print (tests/test_layout.py measures it).
html_css_files = ["pipespec-layout.css"]
#: Registered before sphinx_highlight.js (priority 200), so that its listener runs first.
html_js_files = [("pipespec-highlight.js", {"priority": 100})]
html_favicon = "_static/favicon.svg"

#: Where the site is published: canonical links, OpenGraph URLs, sitemap.xml, and the 404
#: page's links (absolute paths under it), the published schemas' $id. Override per
#: deployment; on Read the Docs the version's canonical URL is the default.
html_baseurl = (
    os.environ.get("PIPESPEC_BASE_URL")
    or os.environ.get("READTHEDOCS_CANONICAL_URL")
    or "https://pipespec.github.io/pipespec/"
)
if not html_baseurl.endswith("/"):
    html_baseurl += "/"

# Japanese for the theme's interface strings Sphinx's catalogue lacks ("最終更新: ...").
locale_dirs = ["_locales"]
html_last_updated_fmt = "%Y-%m-%d"
html_copy_source = True
html_show_sourcelink = True

#: Where the repository lives; used for the "edit this page" link. Override per deployment.
_repo = os.environ.get("PIPESPEC_REPO_URL", "https://github.com/pipespec/pipespec")
html_theme_options = {
    "source_repository": _repo.rstrip("/") + "/",
    "source_branch": os.environ.get("PIPESPEC_REPO_BRANCH", "main"),
    "source_directory": "docs/",
}

# Japanese search: Sphinx's built-in splitter (TinySegmenter), no extra dependency.
html_search_language = "ja"

# Copy buttons: copy exactly what the file holds (no prompts to strip in config files).
copybutton_exclude = ".linenos, .gp, .go"

# Tabs: do not close a tab when it is clicked twice.
sphinx_tabs_disable_tab_closing = True

nitpicky = True
