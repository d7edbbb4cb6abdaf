"""The playground (``playground.html``): pipespec itself, in the reader's browser, offline.

* ``pipespec-playground`` (a directive, on ``docs/playground.md``): the editor, the kind
  selector and the results, or, when the engine is not bundled, a note saying how to get it;
* the engine: Pyodide from npm (``node_modules/pyodide``, installed by ``npm ci``), copied
  into ``_static/playground/pyodide/``, and two wheels written by this build into
  ``_static/playground/wheels/``: pipespec's own (its package, as ``pyproject.toml``
  packages it) and each runtime dependency's pure-Python files (PyYAML without its C
  extension). The page's Web Worker (``_static/playground/worker.js``) loads them from the
  site itself: nothing comes from a CDN, no request leaves the site;
* the Content-Security-Policy of the playground page alone also allows
  ``'wasm-unsafe-eval'`` (compiling WebAssembly) and names ``worker-src 'self'``;
* a 「試す」 link on every example file shown on the site (``literalinclude`` of a file
  under ``examples/`` that pipespec checks, inside a よくある間違い box or not): the link's
  fragment carries the files of the example's directory (its bundle, as ``pipespec check
  DIR`` sees it), deflate-compressed and base64url-encoded, so that the playground opens
  them as tabs, already checked. See :func:`fragment` for the format. Each rule's bad
  example in the rule reference gets one too, with its file or files.

Without ``node_modules/pyodide`` the site still builds, warning-free: the page then says
that its engine is not bundled and that ``npm ci`` brings it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.metadata
import json
import re
import shutil
import tomllib
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from pipespec import catalog
from pipespec.browser import MAX_FILES
from pipespec.document import MAX_BYTES

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PYODIDE = ROOT / "node_modules" / "pyodide"
#: What the worker loads from Pyodide's npm package (the lock file is written anew: the
#: playground loads no Pyodide package, so it lists none).
PYODIDE_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
PAGE = "playground"
#: Where the engine goes in the built site.
STATIC = PurePosixPath("_static/playground")
#: A link longer than this (the whole URL) opens the file's name only, with a note: some
#: browsers and chat tools cut long URLs.
MAX_URL = 32_000
#: Fixed timestamp of the wheels' members: the same sources give the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_COMPILED = re.compile(r"\.(?:so|pyd|dylib|pyc)$|(?:^|/)__pycache__/")


def engine_available() -> bool:
    return all((PYODIDE / name).is_file() for name in (*PYODIDE_FILES, "pyodide-lock.json"))


# ---- the wheels ---------------------------------------------------------------------


def _wheel(
    out: Path, name: str, version: str, members: dict[str, bytes], requires: list[str]
) -> Path:
    """Write a pure-Python wheel of ``members`` (archive name -> bytes) into ``out``."""
    dist = re.sub(r"[-_.]+", "_", name).lower()
    info = f"{dist}-{version}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    metadata += [f"Requires-Dist: {r}" for r in requires]
    files = dict(sorted(members.items()))
    files[f"{info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: pipespec-docs\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = []
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = out / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for arcname, data in files.items():
            zf.writestr(zipfile.ZipInfo(arcname, _EPOCH), data, zipfile.ZIP_DEFLATED)
    return path


def _project() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        project: dict[str, Any] = tomllib.load(fh)["project"]
    return project


def pipespec_wheel(out: Path) -> Path:
    """pipespec's wheel: its package (``src/pipespec``: modules and package data, no
    bytecode), as ``pyproject.toml`` declares it, with its runtime dependencies."""
    package = ROOT / "src" / "pipespec"
    version = re.search(r'^__version__ = "([^"]+)"', (package / "__init__.py").read_text(), re.M)
    assert version is not None
    members = {
        "pipespec/" + p.relative_to(package).as_posix(): p.read_bytes()
        for p in sorted(package.rglob("*"))
        if p.is_file() and not _COMPILED.search(p.relative_to(package).as_posix())
    }
    return _wheel(out, "pipespec", version.group(1), members, _project()["dependencies"])


def _requirement_name(requirement: str) -> str:
    m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert m is not None, requirement
    return m.group()


def dependency_wheels(out: Path) -> list[Path]:
    """A pure-Python wheel of each runtime dependency, from the installed distribution:
    its modules and data without compiled extensions (PyYAML falls back to its Python
    parser, which is the one pipespec uses anyway when libyaml is absent)."""
    wheels = []
    for requirement in _project()["dependencies"]:
        dist = importlib.metadata.distribution(_requirement_name(requirement))
        members = {}
        for file in dist.files or []:
            name = file.as_posix()
            top = name.split("/", 1)[0]
            if (
                top.endswith((".dist-info", ".data"))
                or name.startswith("..")
                or _COMPILED.search(name)
            ):
                continue
            path = Path(str(file.locate()))
            if path.is_file():
                members[name] = path.read_bytes()
        if not any(n.endswith(".py") for n in members):
            raise RuntimeError(f"{dist.metadata['Name']}: no Python modules to bundle")
        wheels.append(_wheel(out, dist.metadata["Name"], dist.version, members, []))
    return wheels


def _lock_file() -> bytes:
    """Pyodide's lock file without its packages: the playground loads none of them."""
    lock = json.loads((PYODIDE / "pyodide-lock.json").read_text(encoding="utf-8"))
    return (json.dumps({"info": lock["info"], "packages": {}}, indent=1) + "\n").encode()


def _copy(source: Path, target: Path) -> None:
    """Copy ``source`` unless ``target`` already holds the same bytes."""
    same_size = target.is_file() and target.stat().st_size == source.stat().st_size
    if same_size and target.read_bytes() == source.read_bytes():
        return
    shutil.copyfile(source, target)


def write_engine(outdir: Path) -> dict[str, Any]:
    """Pyodide, the wheels and ``engine.json`` (what the worker loads) under ``outdir``."""
    static = outdir / STATIC
    engine = static / "pyodide"
    wheels = static / "wheels"
    for directory in (engine, wheels):
        directory.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        _copy(PYODIDE / name, engine / name)
    (engine / "pyodide-lock.json").write_bytes(_lock_file())
    for old in wheels.glob("*.whl"):
        old.unlink()
    built = [*dependency_wheels(wheels), pipespec_wheel(wheels)]
    version = json.loads((PYODIDE / "package.json").read_text(encoding="utf-8"))["version"]
    manifest = {"pyodide": version, "wheels": [w.name for w in built]}
    (static / "engine.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


# ---- the fragment of a 「試す」 link --------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def fragment(files: Iterable[tuple[str, str | None]], active: int = 0, note: str = "") -> str:
    """``#z=`` and the base64url (no padding) of the raw-deflate (``wbits=-15``) of the
    UTF-8 JSON ``{"f": [[name, text], ...], "a": active}`` (``text`` None: the name only,
    with ``"n": note``); the page decodes it with ``DecompressionStream("deflate-raw")``.
    The page's own links (「この内容のリンクを作る」) may add ``"k": [kind or null, ...]``,
    the kinds chosen instead of the names'."""
    data: dict[str, Any] = {"f": [list(f) for f in files], "a": active}
    if note:
        data["n"] = note
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return "z=" + _b64(compressor.compress(raw) + compressor.flush())


def decode_fragment(text: str) -> dict[str, Any]:
    """The inverse of :func:`fragment` (for tests)."""
    body = text.removeprefix("#").removeprefix("z=")
    raw = zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), wbits=-15)
    result: dict[str, Any] = json.loads(raw)
    return result


def bundle(path: Path) -> list[Path]:
    """The files ``pipespec check DIR`` checks together with ``path``: those of its
    directory that pipespec reads (by name), ``path`` first among them in name order."""
    siblings = sorted(p for p in path.parent.iterdir() if p.is_file() and catalog.detect(p.name))
    return siblings[:MAX_FILES] if path in siblings[:MAX_FILES] else [path]


def try_fragment(path: Path) -> str:
    """The fragment for ``path``: its bundle, or ``path`` alone, or its name alone."""
    files = bundle(path)
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in files]
    link = fragment(texts, files.index(path))
    if len(link) > MAX_URL and len(files) > 1:
        link = fragment([(path.name, path.read_text(encoding="utf-8"))])
    if len(link) > MAX_URL:
        link = fragment([(path.name, None)], note="too-long")
    return link


def _example_file(block: nodes.literal_block) -> Path | None:
    source = block.get("source")
    if not source or block.get("language") == "console":
        return None
    path = Path(source).resolve()
    try:
        path.relative_to(EXAMPLES)
    except ValueError:
        return None
    return path if path.is_file() and catalog.detect(path.name) else None


def _rule_example(box: nodes.container) -> list[tuple[str, str]]:
    """The files of a rule's bad example in the rule reference (``pipespec-rules``: a
    ``pipespec-rule-case`` box with the example's output), as (name, text)."""
    files: list[tuple[str, str]] = []
    name = None
    for child in box.children:
        if isinstance(child, nodes.paragraph) and "pipespec-file-name" in child["classes"]:
            name = child.astext()
        elif isinstance(child, nodes.literal_block) and name is not None:
            files.append((name, child.astext()))
            name = None
    return files


def _note_bundles(app: Sphinx, doctree: nodes.document) -> None:
    """A page is written again when any file of its examples' bundles changes: its links
    carry them all, not only the file it shows."""
    for block in doctree.findall(nodes.literal_block):
        path = _example_file(block)
        for other in bundle(path) if path is not None else []:
            app.env.note_dependency(str(other))


def _link(href: str, label: str) -> nodes.raw:
    text = (
        f'<a class="pipespec-try" href="{html.escape(href)}" '
        f'aria-label="{html.escape(label)}">試す</a>'
    )
    return nodes.raw("", text, format="html")


def _add_try_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or app.builder.name == "singlehtml" or docname == PAGE:
        return
    if PAGE not in app.env.found_docs:
        return
    target = app.builder.get_relative_uri(docname, PAGE)
    for block in list(doctree.findall(nodes.literal_block)):
        path = _example_file(block)
        if path is None:
            continue
        shown = path.relative_to(ROOT).as_posix()
        link = _link(f"{target}#{try_fragment(path)}", f"{shown} をプレイグラウンドで試す")
        wrapper = block.parent
        caption = wrapper.next_node(nodes.caption) if wrapper.get("literal_block") else None
        if caption is not None:
            caption += nodes.Text(" ")
            caption += link
        else:
            para = nodes.paragraph(classes=["pipespec-try-line"])
            para += link
            block.parent.insert(block.parent.index(block) + 1, para)
    for box in list(doctree.findall(nodes.container)):
        bad = "pipespec-rule-case" in box["classes"] and any(
            "pipespec-output" in b["classes"] for b in box.findall(nodes.literal_block)
        )
        files = _rule_example(box) if bad else []
        section = box.parent
        if not files or not isinstance(section, nodes.section) or not section["ids"]:
            continue
        rule = section["ids"][0].removeprefix("rule-").upper()
        names = "・".join(name for name, _ in files)
        para = nodes.paragraph(classes=["pipespec-try-line"])
        para += _link(
            f"{target}#{fragment(files)}", f"{rule} の誤った例 ({names}) をプレイグラウンドで試す"
        )
        last = max(box.index(b) for b in box.children if isinstance(b, nodes.literal_block)
                   and "pipespec-rule-example" in b["classes"])  # fmt: skip
        box.insert(last + 1, para)


# ---- the page -----------------------------------------------------------------------


def _kind_options() -> str:
    options = ['<option value="">自動 (ファイル名から判定)</option>']
    for kind in catalog.KINDS.values():
        options.append(
            f'<option value="{html.escape(kind.name)}">{html.escape(kind.name)}'
            f" ({html.escape(kind.title)})</option>"
        )
    return "\n".join(options)


UI = """<div id="pipespec-playground" class="pipespec-playground" data-max-bytes="{max_bytes}" data-max-files="{max_files}" data-max-url="{max_url}" data-rules="{rules}">
<div class="pg-status" id="pipespec-playground-status" role="status">
<progress class="pg-progress" hidden></progress>
<span class="pg-status-text">ファイルの内容を入力すると、この場で検査します。</span>
</div>
<div class="pg-tabs" role="tablist" aria-label="ファイル"></div>
<div class="pg-fields">
<label class="pg-field">ファイル名
<input id="pipespec-playground-name" type="text" value="buildspec.yml" spellcheck="false" autocomplete="off"></label>
<label class="pg-field">種類
<select id="pipespec-playground-kind">
{kinds}
</select></label>
<label class="pg-field">メッセージ
<select id="pipespec-playground-lang">
<option value="ja">日本語</option>
<option value="en">English</option>
</select></label>
</div>
<p class="pg-detected" id="pipespec-playground-detected"></p>
<div class="pg-buttons">
<button type="button" class="pg-add">ファイルを追加</button>
<button type="button" class="pg-remove">このファイルを閉じる</button>
<button type="button" class="pg-share">この内容のリンクを作る</button>
</div>
<label class="pg-editor-label" for="pipespec-playground-input">ファイルの内容</label>
<div class="pg-editor-box">
<div class="pg-gutter" aria-hidden="true"><pre></pre></div>
<textarea id="pipespec-playground-input" class="pg-editor" spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off" rows="18"></textarea>
</div>
<p class="pg-note" id="pipespec-playground-note" hidden></p>
<h2 class="pg-results-title">検査結果</h2>
<div id="pipespec-playground-results" class="pg-results" aria-live="polite"></div>
</div>
"""

MISSING = """<div id="pipespec-playground" class="pipespec-playground pg-missing">
<p class="admonition-title">検査エンジンが入っていません</p>
<p>このサイトは、検査エンジン (WebAssembly 版の Python、Pyodide) を含めずにビルドされています。
リポジトリのディレクトリで <code>npm ci</code> を実行して Pyodide を入れてから、サイトをビルドし直すと、
このページで検査できるようになります。手元で検査するときは <code>pipespec check</code> を使ってください。</p>
</div>
"""


class PlaygroundDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(PYODIDE / "package.json"))
        if not engine_available():
            return [nodes.raw("", MISSING, format="html")]
        text = UI.format(
            max_bytes=MAX_BYTES,
            max_files=MAX_FILES,
            max_url=MAX_URL,
            kinds=_kind_options(),
            rules=html.escape(self.env.app.builder.get_relative_uri(PAGE, "reference/rules")),
        )
        return [nodes.raw("", text, format="html")]


# ---- the page's scripts and policy ---------------------------------------------------


def playground_csp(policy: str) -> str:
    """``policy`` with ``'wasm-unsafe-eval'`` in ``script-src`` and ``worker-src 'self'``."""
    directives = [d.split() for d in policy.split(";") if d.strip()]
    names = [d[0] for d in directives]
    for d in directives:
        if d[0] == "script-src" and "'wasm-unsafe-eval'" not in d:
            d.append("'wasm-unsafe-eval'")
    if "worker-src" not in names:
        at = names.index("script-src") + 1 if "script-src" in names else len(directives)
        directives.insert(at, ["worker-src", "'self'"])
    return "; ".join(" ".join(d) for d in directives)


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if pagename != PAGE or not engine_available():
        return
    app.add_js_file("playground/playground.js", priority=600)
    app.add_css_file("playground/playground.css")
    if context.get("pipespec_csp"):
        context["pipespec_csp"] = playground_csp(context["pipespec_csp"])


_META_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')


def _build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html" or app.builder.name == "singlehtml":
        return
    outdir = Path(app.outdir)
    if not engine_available():
        return
    write_engine(outdir)
    # site_publish rewrites every page's policy after the build (the style hashes): the
    # playground's own additions are put back, on its page alone.
    page = outdir / app.builder.get_target_uri(PAGE)
    if page.is_file():
        text = page.read_text(encoding="utf-8")
        fixed = _META_CSP.sub(
            lambda m: (
                m.group(1)
                + html.escape(playground_csp(html.unescape(m.group(2))), quote=False)
                + m.group(3)
            ),
            text,
            count=1,
        )
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("pipespec-playground", PlaygroundDirective)
    app.add_css_file("playground/try.css")
    app.connect("doctree-read", _note_bundles)
    app.connect("doctree-resolved", _add_try_links)
    app.connect("html-page-context", _page_context, priority=900)
    app.connect("build-finished", _build_finished, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
