"""Sphinx directives that put pipespec's real output on a page, computed at build time.

Enable with ``extensions = ["pipespec.sphinxext"]``. Options (``conf.py``):

``pipespec_root``
    Directory that paths in the output are shown relative to (default: the parent of the
    Sphinx source directory, i.e. the repository root when the docs live in ``docs/``). A
    relative path is taken from the directory of ``conf.py``.
``pipespec_lang``
    Message language, ``"ja"`` (default) or ``"en"``.
``pipespec_run_records``
    Directory (relative to ``conf.py``) of the recorded dry runs (:mod:`pipespec.run.record`):
    where the sandbox is not available, ``pipespec-run`` shows the record of a sandboxed
    run of exactly the same directory. Default: none.
``pipespec_run_unsafe_no_sandbox``
    ``True`` lets ``pipespec-run`` execute commands without the sandbox where it is not
    available. Default ``False``: the build fails instead. Never set it for a project whose
    examples come from people you do not trust.

Directives:

``pipespec-check PATH``
    Runs ``pipespec check`` on a file or directory (relative to the page, or to the
    source directory with a leading ``/``) and shows the command and its text output.
    Options: ``:lang:``, ``:kind:``, ``:expect: clean|findings`` (fail the build when the
    result is not what the page claims).
``pipespec-run DIR``
    Dry-runs DIR (``pipespec run``: **the buildspec's commands are executed**, in the
    sandbox; without it, the build fails, see the two options above) with the fixed fake
    commit and shows the build log; option ``:show:`` lists
    more to show after the log: ``artifacts`` (the collected files) and ``rendered`` (the
    task definition and AppSpec as the deploy stage receives them). ``:expect:
    success|failure`` fails the build when the dry run ends otherwise.
``pipespec-rules``
    The rule reference: one section per rule (ID, name, severity, explanation, the bad
    example with its real output, the good example), labelled ``rule-<id>``. Option
    ``:prefix:`` keeps the rules whose IDs start with one of the given prefixes
    (``BS``, ``AS``, ``TD``, ``IF``, ``IM``, ``XF``, ``LD``, ``PS``).

Incremental builds stay correct: every file ``pipespec-check`` and ``pipespec-run`` read
is a dependency of the page (``env.note_dependency``: a changed or removed file re-reads
it), and so is the listing of the directories they looked in (a directory, with its
subdirectories; for a file, the files beside it, which the cross-file rules may read): at
the next build, ``env-get-outdated`` re-reads the page when a file was added to one
(:func:`_listing`). The record a ``pipespec-run`` shows is a dependency too.

``SH0001`` (ShellCheck is not installed, or did not run) is shown but never counts for
``:expect:``: the documented setup passes on a plain ``pip install pipespec``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError, ExtensionError
from sphinx.util.docutils import SphinxDirective

from . import __version__, catalog
from .check import check_paths, check_text
from .discover import SKIP_DIRS
from .document import Lang
from .findings import Finding, Severity
from .report import text as text_report
from .rules import RULES, Rule

SEVERITY_JA = {Severity.ERROR: "エラー", Severity.WARNING: "警告", Severity.INFO: "情報"}
KIND_JA = {
    "buildspec": "buildspec.yml",
    "appspec": "AppSpec",
    "taskdef": "taskdef.json",
    "imagedefinitions": "imagedefinitions.json",
    "imagedetail": "imageDetail.json",
    "bundle": "ファイル間",
    "load": "読み込み",
    "schema": "スキーマ",
    "pipespec": "pipespec",
}


#: Outputs longer than this many lines are collapsed under a one-line summary (HTML).
COLLAPSE_LINES = 12
#: Findings that say something about the machine that built the page, not about the files:
#: shown, never counted for ``:expect:``.
UNCOUNTED = frozenset({"SH0001"})


#: What :func:`_watch` keeps per page: directory -> (with subdirectories, listing digest).
Listings = dict[str, dict[str, tuple[bool, str]]]


def _files(directory: Path, recursive: bool) -> list[Path]:
    """The entries of ``directory`` (with those of its subdirectories when ``recursive``),
    but none under a directory that checks never search (version control, tool caches)."""
    try:
        entries = directory.rglob("*") if recursive else directory.iterdir()
        return sorted(
            p for p in entries if not SKIP_DIRS.intersection(p.relative_to(directory).parts)
        )
    except OSError:
        return []


def _listing(directory: Path, recursive: bool) -> str:
    """A digest of the names in ``directory`` (:func:`_files`): it changes when a file is
    added, removed or renamed there."""
    names = "\0".join(p.relative_to(directory).as_posix() for p in _files(directory, recursive))
    return hashlib.sha256(names.encode("utf-8", "surrogateescape")).hexdigest()


def _listings(env: Any) -> Listings:
    """The listings kept in the build environment (pickled with it between builds)."""
    kept: Listings | None = getattr(env, "pipespec_listings", None)
    if kept is None:
        kept = {}
        env.pipespec_listings = kept
    return kept


def _watch(directive: SphinxDirective, target: Path) -> None:
    """Make what a check or run of ``target`` reads a dependency of the page: its files
    (:meth:`~sphinx.environment.BuildEnvironment.note_dependency`: noted, never opened; the
    lines shown come from what the check read) and the listing of its directory
    (:func:`_outdated`); for a file, the files beside it and their listing too."""
    env = directive.env
    recursive = target.is_dir()
    directory = target if recursive else target.parent
    files = [p for p in _files(directory, recursive) if p.is_file()]
    if target.is_file() and target not in files:
        files.append(target)
    for f in files:
        env.note_dependency(str(f))
    _listings(env).setdefault(env.docname, {})[str(directory)] = (
        recursive,
        _listing(directory, recursive),
    )


def _outdated(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: the pages whose checked directories hold other files now."""
    return [
        docname
        for docname, watched in _listings(env).items()
        if docname not in removed
        and any(_listing(Path(d), deep) != digest for d, (deep, digest) in watched.items())
    ]


def _purge(app: Sphinx, env: Any, docname: str) -> None:
    _listings(env).pop(docname, None)


def _merge(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    """Parallel reads: the listings the other process kept."""
    theirs = _listings(other)
    _listings(env).update({d: theirs[d] for d in docnames if d in theirs})


class collapsible(nodes.General, nodes.Element):
    """Content collapsed under a one-line ``summary``: ``<details>`` in HTML; elsewhere
    (text, LaTeX, man) the content as it is."""


def _visit_collapsible_html(self: Any, node: collapsible) -> None:
    self.body.append(self.starttag(node, "details", CLASS="pipespec-details"))
    self.body.append(f"<summary>{self.encode(node['summary'])}</summary>\n")


def _depart_collapsible_html(self: Any, node: collapsible) -> None:
    self.body.append("</details>\n")


def _visit_collapsible_other(self: Any, node: collapsible) -> None:
    pass


def _collapsed(block: nodes.Element, summary: str, lines: int) -> nodes.Element:
    """``block``, collapsed under ``summary`` when it is longer than :data:`COLLAPSE_LINES`."""
    if lines <= COLLAPSE_LINES:
        return block
    box = collapsible(summary=summary)
    box += block
    return box


def _lang(value: str | None, default: str) -> Lang:
    return "ja" if (value or default) == "ja" else "en"


def _shown(path: Path, root: Path) -> str:
    """``path`` as the page shows it: relative to ``root`` when it is inside it."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def render_output(
    command: str,
    findings: list[Finding],
    sources: dict[str, list[str]] | Callable[[str, int], str],
    lang: Lang,
) -> str:
    """The console transcript: the command, the findings with source lines, the exit code.

    ``sources`` is the lines of each file shown, or a function from (path, line) to the
    line (:meth:`pipespec.check.Result.source`)."""

    def source(path: str, line: int) -> str:
        if callable(sources):
            return sources(path, line)
        lines = sources.get(path, [])
        return lines[line - 1] if 0 < line <= len(lines) else ""

    body = text_report(findings, source)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    status = 1 if errors else 0
    if lang == "ja":
        summary = f"(終了コード {status})" if findings else f"(指摘なし、終了コード {status})"
    else:
        summary = f"(exit status {status})" if findings else f"(no findings, exit status {status})"
    return f"$ {command}\n{body}{summary}"


class CheckDirective(SphinxDirective):
    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {
        "lang": lambda v: directives.choice(v, ("ja", "en")),
        "kind": lambda v: directives.choice(v, tuple(catalog.KINDS)),
        "expect": lambda v: directives.choice(v, ("clean", "findings")),
    }

    def run(self) -> list[nodes.Node]:
        config = self.env.config
        root = Path(config.pipespec_root or Path(self.env.srcdir).parent).resolve()
        _rel, absolute = self.env.relfn2path(self.arguments[0], self.env.docname)
        target = Path(absolute).resolve()
        if not target.exists():
            raise self.error(f"pipespec-check: {target} does not exist")
        lang = _lang(self.options.get("lang"), config.pipespec_lang)
        kind = self.options.get("kind")
        result = check_paths([target], kind=kind, lang=lang, base=root)
        shown = _shown(target, root)
        _watch(self, target)
        counted = [f for f in result.findings if f.rule not in UNCOUNTED]
        expect = self.options.get("expect")
        if expect == "clean" and counted:
            raise self.error(f"pipespec-check: expected no findings for {shown}")
        if expect == "findings" and not counted:
            raise self.error(f"pipespec-check: expected findings for {shown}")
        flags = ([f"--kind {kind}"] if kind else []) + [f"--lang {lang}"]
        command = " ".join(["pipespec", "check", *flags, shown])
        text = render_output(command, result.findings, result.source, lang)
        block = nodes.literal_block(text, text, classes=["pipespec-output"])
        block["language"] = "console"
        return [_collapsed(block, _check_summary(command, result.findings, lang), _lines(text))]


def _lines(text: str) -> int:
    return len(text.rstrip("\n").splitlines())


def _check_summary(command: str, findings: list[Finding], lang: Lang) -> str:
    """One line: the command, how many findings of each severity, the exit status."""
    status = 1 if any(f.severity is Severity.ERROR for f in findings) else 0
    counts = [
        (severity, sum(f.severity is severity for f in findings))
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    ]
    if lang == "ja":
        parts = [f"{SEVERITY_JA[s]} {n} 件" for s, n in counts if n] or ["指摘なし"]
        return f"$ {command}: {'、'.join(parts)}、終了コード {status} (出力を開く)"
    parts = [f"{n} {s.value}" for s, n in counts if n] or ["no findings"]
    return f"$ {command}: {', '.join(parts)}, exit status {status} (show the output)"


def _inline(text: str, classes: list[str] | None = None) -> nodes.paragraph:
    """A paragraph of plain text where `backquoted` parts become inline code."""
    para = nodes.paragraph(classes=classes or [])
    for i, part in enumerate(text.split("`")):
        if part:
            para += nodes.literal(text=part) if i % 2 else nodes.Text(part)
    return para


class RunDirective(SphinxDirective):
    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {
        "show": directives.unchanged,
        "expect": lambda v: directives.choice(v, ("success", "failure")),
    }

    def run(self) -> list[nodes.Node]:
        config = self.env.config
        root = Path(config.pipespec_root or Path(self.env.srcdir).parent).resolve()
        _rel, absolute = self.env.relfn2path(self.arguments[0], self.env.docname)
        target = Path(absolute).resolve()
        if not target.is_dir():
            raise self.error(f"pipespec-run: {target} is not a directory")
        _watch(self, target)
        shown = _shown(target, root)
        got = _dry_run_or_record(target, shown, config, Path(self.env.app.confdir), self.env)
        from .run import inert, record

        text = "\n".join(inert(line) for line in record.text(got).splitlines()) + "\n"
        expect = self.options.get("expect")
        if expect == "success" and got["exit_code"] != 0:
            raise self.error(f"pipespec-run: {shown} failed:\n{text}")
        if expect == "failure" and got["exit_code"] == 0:
            raise self.error(f"pipespec-run: {shown} was expected to fail")
        log = f"$ pipespec run {shown} --out out\n{text}"
        block = nodes.literal_block(log, log, classes=["pipespec-output"])
        block["language"] = "console"
        out: list[nodes.Node] = []
        if got["table"]:
            out.append(_run_table(got["table"], shown))
        summary = (
            f"$ pipespec run {shown} --out out: ビルドログ {_lines(log)} 行、"
            f"終了コード {got['exit_code']} (ログを開く)"
        )
        out.append(_collapsed(block, summary, _lines(log)))
        show = self.options.get("show", "").split()
        files: dict[str, str] = got["files"]
        for caption, body in files.items():
            kind = caption.split("/")[1]
            if kind not in show:
                continue
            container = nodes.container(classes=["literal-block-wrapper", "pipespec-rendered"])
            container += nodes.caption(caption, "", nodes.Text(caption))
            lit = nodes.literal_block(body, body, classes=["pipespec-rendered-file"])
            lit["language"] = "json" if caption.endswith(".json") else "yaml"
            container += lit
            out.append(container)
        return out


#: The pipeline-run table's column headings, in the site's language.
RUN_COLUMNS = {
    "stage": "ステージ", "action": "アクション", "provider": "プロバイダー", "status": "結果",
    "inputs": "入力アーティファクト", "outputs": "出力 (ファイル)",
}  # fmt: skip


def _run_table(rows: list[dict[str, str]], shown: str) -> nodes.table:
    """The pipeline run as a table, one row per action, computed by the dry run."""
    table = nodes.table(classes=["pipespec-run-table"])
    table += nodes.title(text=f"pipespec run {shown} の結果 (アクションごと)")
    group = nodes.tgroup(cols=len(RUN_COLUMNS))
    table += group
    for _ in RUN_COLUMNS:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for heading in RUN_COLUMNS.values():
        row += nodes.entry("", nodes.paragraph(text=heading))
    head += row
    body = nodes.tbody()
    group += body
    for values in rows:
        row = nodes.row(classes=[f"pipespec-status-{values['status'].lower()}"])
        for key in RUN_COLUMNS:
            entry = nodes.entry()
            for text in (values[key] or "-").split("\n"):  # an artifact or a file per line
                cell = nodes.literal(text=text) if key == "status" else nodes.Text(text)
                entry += nodes.paragraph("", "", cell)
            row += entry
        body += row
    return table


def _dry_run_or_record(
    target: Path, shown: str, config: Config, confdir: Path, env: Any = None
) -> dict[str, Any]:
    """The dry run's output: run in the sandbox (and checked against its record), or, where
    the sandbox is not available, the record of a sandboxed run of exactly this directory.

    Anything else is a build error (:class:`~sphinx.errors.ExtensionError`), never an
    unsandboxed run, unless ``conf.py`` sets ``pipespec_run_unsafe_no_sandbox = True``.
    """
    from .run import RunOptions, record, sandbox
    from .run.pipeline import run_directory

    records = Path(confdir, config.pipespec_run_records) if config.pipespec_run_records else None
    path = records / record.file_name(shown) if records is not None else None
    saved = record.load(path) if path is not None else None
    if path is not None and saved is not None and env is not None:
        env.note_dependency(str(path))  # shown, or compared with the run
    options = RunOptions(timeout=60, unsafe_no_sandbox=False)
    digest = record.inputs(target, f"timeout={options.timeout:g} "
                           f"source_version={options.source_version} region={options.region} "
                           f"account={options.account}")  # fmt: skip
    unsafe = bool(config.pipespec_run_unsafe_no_sandbox)
    isolation = sandbox.isolation()
    if not isolation.ok and not unsafe:
        if saved is not None and saved.get("inputs") == digest:
            return saved
        why = (
            f"there is no record of a sandboxed run of this directory in {path}"
            if path is not None and saved is None
            else f"the directory changed since its run was recorded in {path}"
            if path is not None
            else "no records are kept (pipespec_run_records)"
        )
        raise ExtensionError(
            f"pipespec-run: {shown} must run in the sandbox, and {isolation.problem}; "
            f"{why}. Install bubblewrap, or set pipespec_run_unsafe_no_sandbox = True in "
            "conf.py to run it unsandboxed (never for sources you do not trust)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        options.unsafe_no_sandbox = not isolation.ok
        result = run_directory(target, Path(tmp) / "out", options)
        fresh = record.make(shown, digest, result)
    if path is not None and isolation.ok and (saved is None or not record.same(saved, fresh)):
        if os.environ.get("PIPESPEC_RECORD_RUNS") == "1":
            record.save(path, fresh)
            if env is not None:
                env.note_dependency(str(path))
        else:
            raise ExtensionError(
                f"pipespec-run: the recorded run of {shown} in {path} is "
                f"{'missing' if saved is None else 'out of date'}; rebuild the docs with "
                "PIPESPEC_RECORD_RUNS=1 to record it"
            )
    return fresh


def _example_block(rule: Rule, text: str) -> nodes.literal_block:
    block = nodes.literal_block(text, text, classes=["pipespec-rule-example"])
    if rule.kind == "load" and text == rule.bad:
        block["language"] = "text"  # unreadable on purpose: no highlighting
    else:
        block["language"] = "json" if rule.example_name.endswith(".json") else "yaml"
    return block


class RulesDirective(SphinxDirective):
    option_spec: ClassVar[dict[str, Any]] = {"prefix": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        lang = _lang(None, self.env.config.pipespec_lang)
        prefixes = tuple(self.options.get("prefix", "").split())
        out: list[nodes.Node] = []
        for rule in sorted(RULES.values(), key=lambda r: r.id):
            if prefixes and not rule.id.startswith(prefixes):
                continue
            out.append(self._section(rule, lang))
        return out

    def _para(self, text: str) -> nodes.paragraph:
        parsed, _ = self.state.inline_text(text, self.lineno)
        return nodes.paragraph(text, "", *parsed)

    def _section(self, rule: Rule, lang: Lang) -> nodes.section:
        label = f"rule-{rule.id.lower()}"
        section = nodes.section(ids=[label], names=[label])
        section += nodes.title(text=f"{rule.id} {rule.name}")
        self.state.document.note_explicit_target(section)
        ja = lang == "ja"
        fields = nodes.field_list()
        for name, value in (
            ("重要度" if ja else "Severity",
             SEVERITY_JA[rule.severity] if ja else rule.severity.value),
            ("対象" if ja else "Applies to",
             KIND_JA.get(rule.kind, rule.kind) if ja else rule.kind),
        ):  # fmt: skip
            field = nodes.field()
            field += nodes.field_name(text=name)
            body = nodes.field_body()
            body += _inline(value)
            field += body
            fields += field
        section += fields
        section += _inline(rule.explain_ja if ja else rule.explain_en)
        if rule.bad or rule.bad_files:
            section += self._para("**誤った例**" if ja else "**Bad example**")
            section += self._example(rule, rule.bad, rule.bad_files, lang)
        if rule.good or rule.good_files:
            section += self._para("**正しい例**" if ja else "**Good example**")
            section += self._example(rule, rule.good, rule.good_files, lang, output=False)
        return section

    def _example(
        self, rule: Rule, text: str, files: dict[str, str], lang: Lang, *, output: bool = True
    ) -> nodes.container:
        box = nodes.container(classes=["pipespec-rule-case"])
        if files:
            with tempfile.TemporaryDirectory() as tmp:
                base = Path(tmp)
                for name, body in sorted(files.items()):
                    (base / name).write_text(body, encoding="utf-8")
                    caption = nodes.paragraph(text=name, classes=["pipespec-file-name"])
                    box += caption
                    block = nodes.literal_block(body, body, classes=["pipespec-rule-example"])
                    block["language"] = "json" if name.endswith(".json") else "yaml"
                    box += block
                findings = check_paths([base], lang=lang, base=base).findings
                sources = {n: b.splitlines() for n, b in files.items()}
                command = "pipespec check ."
        else:
            box += nodes.paragraph(text=rule.example_name, classes=["pipespec-file-name"])
            box += _example_block(rule, text)
            kind = catalog.detect(rule.example_name)
            assert kind is not None
            findings = check_text(text, kind.name, path=rule.example_name, lang=lang)
            sources = {rule.example_name: text.splitlines()}
            command = f"pipespec check {rule.example_name}"
        if output:
            transcript = render_output(command, findings, sources, lang)
            block = nodes.literal_block(transcript, transcript, classes=["pipespec-output"])
            block["language"] = "console"
            summary = _check_summary(command, findings, lang)
            box += _collapsed(block, summary, _lines(transcript))
        return box


def _config_inited(app: Sphinx, config: Config) -> None:
    """Resolve a relative ``pipespec_root`` against the directory of ``conf.py``; check
    ``pipespec_lang``."""
    if config.pipespec_root and not Path(config.pipespec_root).is_absolute():
        config.pipespec_root = str((Path(app.confdir) / config.pipespec_root).resolve())
    if config.pipespec_lang not in ("ja", "en"):
        raise ConfigError(f"pipespec_lang must be 'ja' or 'en', not {config.pipespec_lang!r}")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("pipespec_root", "", "env", types=frozenset({str}))
    app.add_config_value("pipespec_lang", "ja", "env", types=frozenset({str}))
    app.add_config_value("pipespec_run_records", "", "env", types=frozenset({str}))
    app.add_config_value("pipespec_run_unsafe_no_sandbox", False, "env", types=frozenset({bool}))
    app.connect("config-inited", _config_inited)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    other = (_visit_collapsible_other, _visit_collapsible_other)
    app.add_node(
        collapsible,
        html=(_visit_collapsible_html, _depart_collapsible_html),
        latex=other, text=other, man=other, texinfo=other,
    )  # fmt: skip
    app.add_directive("pipespec-check", CheckDirective)
    app.add_directive("pipespec-rules", RulesDirective)
    app.add_directive("pipespec-run", RunDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
