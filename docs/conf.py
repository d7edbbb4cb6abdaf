"""Sphinx configuration for the pipespec site (Japanese)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

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
    "sphinx_last_updated_by_git",
    "notfound.extension",
    "sphinx_sitemap",
    "sphinxext.opengraph",
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

#: Where the site is published: canonical links, OpenGraph URLs, sitemap.xml, the published
#: schemas' $id. Override per deployment; on Read the Docs the version's canonical URL is
#: the default.
_published = os.environ.get("PIPESPEC_BASE_URL") or os.environ.get("READTHEDOCS_CANONICAL_URL")
html_baseurl = _published or "https://pipespec.github.io/pipespec/"
if not html_baseurl.endswith("/"):
    html_baseurl += "/"

#: sphinx-notfound-page: the host serves 404.html for a missing path at any depth, so its
#: links are absolute paths under this prefix. A deployment (either variable above set)
#: serves the site under its base URL's path; any other build is the one `nox -s docs`
#: serves at http://127.0.0.1:8000/, from the root.
notfound_urls_prefix = urlsplit(html_baseurl).path if _published else "/"
notfound_context = {
    "title": "ページが見つかりません",
    "metatags": '<meta name="robots" content="noindex">',
    "body": f"""<section id="not-found">
<h1>ページが見つかりません (404)</h1>
<p>お探しのページは移動したか、削除されたか、URL が間違っています。</p>
<ul>
<li><a href="{notfound_urls_prefix}index.html">トップページ</a> から探す</li>
<li><a href="{notfound_urls_prefix}search.html">サイト内検索</a> で探す</li>
<li><a href="{notfound_urls_prefix}mistakes/index.html">よくある間違いの一覧</a> を見る</li>
</ul>
</section>
""",
}

#: sphinx-sitemap: every page but search, the index and the 404 page, dated by its commit.
sitemap_url_scheme = "{link}"  # one language, one version: no ja/ or latest/ in the URLs
sitemap_locales = [None]  # _locales holds the theme's strings, not a translation
sitemap_show_lastmod = True
sitemap_excludes = ["404.html", "search.html", "genindex.html"]
sitemap_indent = 2

#: sphinxext-opengraph: the OpenGraph tags, from html_baseurl; no generated images. The
#: front page's og:type ("website") and every page's description: site_publish.py.
ogp_site_url = html_baseurl
ogp_type = "article"
ogp_social_cards = {"enable": False}
ogp_custom_meta_tags = ['<meta property="og:locale" content="ja_JP">']

#: sphinx-last-updated-by-git: each page's date is its last commit's (the page or a file it
#: includes), in UTC; a page git does not know shows the build date (site_publish.py).
git_last_updated_timezone = "UTC"
git_untracked_show_sourcelink = True
#: A dependency that is absent (one npm makes, before `npm ci`) has no date to give; Sphinx
#: itself only reads the page again. Outside git: site_publish.py.
suppress_warnings = ["git.dependency_not_found"]

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
