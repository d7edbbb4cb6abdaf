"""The check pipeline: discover → load → schema → rules → bundle → suppress → findings.

This is also the Python API (re-exported by :mod:`pipespec.api`)::

    from pipespec.check import check_paths, check_text
    findings = check_text("version: 0.2\\nphases: {}\\n", kind="buildspec")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from . import catalog, config
from .context import Bundle as Bundle
from .context import Context as Context
from .context import Entry as Entry
from .context import Project as Project
from .discover import SKIP_DIRS as SKIP_DIRS
from .discover import Found as Found
from .discover import UsageError as UsageError
from .discover import _Display, _kind, discover, siblings
from .findings import MAX_FINDINGS_PER_RULE as MAX_FINDINGS_PER_RULE
from .findings import Finding, Severity
from .load import Document, Lang, NodePath, load_path, load_text
from .rules import BundleHit, Rule, bundle_rules, for_kind, get
from .schema import Validator, keys_params, null_params, schema_params

if TYPE_CHECKING:
    from . import shellcheck
    from .cfn.opaque import Tracker

YAML11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n", "true", "false"})


def _finding(
    doc: Document, rule: Rule, path: NodePath, params: dict[str, Any], lang: Lang, *,
    key: bool = False, severity: Severity | None = None, position: tuple[int, int] | None = None,
) -> Finding:  # fmt: skip
    line, column = position or doc.position(path, key=key)
    return Finding(
        doc.path, line, column, severity or rule.severity, rule.id, rule.message(lang, params)
    )


# --------------------------------------------------------------------------- one document


def _schema_findings(ctx: Context) -> Iterator[Finding]:
    kind, doc = ctx.kind, ctx.doc
    if not kind.schema:
        return  # a CloudFormation template: its shape is cfn-lint's to check
    root = catalog.schema(kind.schema)
    validator = Validator(root)
    target = root["$defs"][ctx.platform] if kind.name == "appspec" and ctx.platform else root
    read_only = set(root.get("x-read-only-keys", []))
    generic = {
        "unknown-key": f"{kind.prefix}001",
        "wrong-type": f"{kind.prefix}002",
        "missing-key": f"{kind.prefix}003",
        "bad-value": f"{kind.prefix}004",
    }
    data = doc.data
    wrappers = catalog.WRAPPERS.get(kind.name, ())
    wrapped = isinstance(data, dict) and any(
        isinstance(data.get(w), (dict, list)) for w in wrappers
    )
    if wrapped:
        return  # describe/get output, wrapped: the kind's wrapper rule says so once
    if (
        kind.name == "pipeline"
        and isinstance(data, dict)
        and "pipeline" not in data
        and (
            "stages" in data or "name" in data  # a bare declaration, as the user guide shows
        )
    ):
        target = root["$defs"]["PipelineDeclaration"]
    names = catalog.NAME_OPTIONS.get(kind.name, {})
    nulls: dict[NodePath, list[NodePath]] = {}  # TD109: the null values of each object
    pasted: list[NodePath] = []  # TD104, PL104, ...: the read-only keys
    for v in validator.validate(data, target):
        rule_id = v.rule or generic[v.code]
        params = schema_params(v, ctx.lang)
        if v.code == "unknown-key" and len(v.path) == 1 and v.path[0] in read_only:
            pasted.append(v.path)  # one cause, a pasted describe output: one finding
            continue
        if v.code == "missing-key" and not v.path and v.params["key"] in names:
            rule_id = f"{kind.prefix}105"  # the command line may give it (--cli-input-json)
            params["option"] = names[v.params["key"]]
        if (
            kind.name == "taskdef" and v.code == "wrong-type" and v.params.get("actual") == "null"
            and v.path and not v.params.get("required")
        ):  # fmt: skip
            nulls.setdefault(v.path[:-1], []).append(v.path)  # the AWS CLI rejects it,
            continue  # other tools drop the key: one TD109 per object (a required key: TD002)
        if (
            v.code == "wrong-type"
            and v.params.get("actual") == "boolean"
            and "string" in v.params.get("expected", [])
            and doc.plain_scalars.get(v.path, "").lower() in YAML11_BOOLEANS
        ):
            rule_id = "LD011"
            params["source"] = doc.plain_scalars[v.path]
        yield _finding(doc, get(rule_id), v.path, params, ctx.lang, key=v.at_key)
    if pasted:
        params = keys_params([p[0] for p in pasted], ctx.lang)
        yield _finding(doc, get(f"{kind.prefix}104"), pasted[0], params, ctx.lang, key=True)
    for parent, paths in nulls.items():
        params = null_params(parent, [p[-1] for p in paths], ctx.lang)
        yield _finding(doc, get("TD109"), paths[0], params, ctx.lang)


def tracked_hits(check: Callable[[Any], Iterable[Any]], arg: Any,
                 trackers: Sequence[Tracker]) -> list[Any]:  # fmt: skip
    """The hits of ``check(arg)`` up to the first read of a value only CloudFormation
    knows (:mod:`pipespec.cfn.opaque`): what the rule says after it may be wrong. A rule
    that fails after such a read fails on that value: nothing is reported."""
    if not trackers:
        return list(check(arg))
    before = sum(t.reads for t in trackers)
    out = []
    try:
        for hit in check(arg):
            if sum(t.reads for t in trackers) != before:
                break
            out.append(hit)
    except Exception:
        if sum(t.reads for t in trackers) == before:
            raise
    return out


def rule_findings(
    ctx: Context, *, skip: frozenset[str] = frozenset(), tracker: Tracker | None = None
) -> Iterator[Finding]:
    """The findings of the semantic rules of ``ctx``'s kind (but ``skip``); with a
    ``tracker``, only those made before a rule read an opaque value (a template's)."""
    trackers = [tracker] if tracker is not None else []
    for rule in for_kind(ctx.kind.name):
        assert rule.check is not None
        if rule.id in skip:
            continue
        try:
            hits = tracked_hits(rule.check, ctx, trackers)
        except Exception as exc:  # a bug in a rule must not hide the other findings
            yield Finding(
                ctx.doc.path, 1, 1, Severity.ERROR, "PS999",
                get("PS999").message(ctx.lang, {"rule": rule.id, "error": repr(exc)}),
            )  # fmt: skip
            continue
        for hit in hits:
            yield _finding(
                ctx.doc,
                rule,
                hit.path,
                hit.params,
                ctx.lang,
                key=hit.key,
                severity=hit.severity,
                position=hit.position,
            )


_rule_findings = rule_findings


def _prepare(
    doc: Document, kind: catalog.Kind, lang: Lang, file: Path | None,
    project: Project | None = None,
) -> tuple[Entry, Context | None]:  # fmt: skip
    """The bundle entry of a loaded document, and its rule context when it loaded."""
    platform = catalog.appspec_platform(doc.data) if kind.name == "appspec" else None
    if kind.name != "appspec" or doc.ok:  # CR is whitespace in JSON, and YAML normalises
        # line breaks; in an AppSpec that loads, AS109 reports it where it matters
        doc.findings[:] = [f for f in doc.findings if f.rule != "LD004"]
    if kind.name == "cloudformation":
        from .cfn import looks_like_template

        if not looks_like_template(doc):  # template.yaml of another tool: not ours
            doc.findings.clear()
            doc.ok = False
            return Entry(doc.path, kind, doc, platform), None
    if kind.name == "pipeline" and PurePosixPath(doc.path).name == "pipeline.json":
        from .rules.pipeline.model import is_codepipeline

        if not is_codepipeline(doc):  # a pipeline.json of another tool: not ours
            doc.findings.clear()
            doc.ok = False
            return Entry(doc.path, kind, doc, platform), None
    if kind.name == "appspec":
        from .rules.appspec import normalise_keys

        normalise_keys(doc, platform)  # ECS/Lambda keys are case-insensitive
    entry = Entry(doc.path, kind, doc, platform)
    return entry, (Context(doc, kind, platform, lang, file, project) if doc.ok else None)


def _add_scripts(ctx: Context, batch: shellcheck.Batch) -> None:
    if ctx.kind.name == "buildspec":
        from .rules.shell import scripts_for

        batch.add(scripts_for(ctx))


def _findings(doc: Document, ctx: Context | None) -> list[Finding]:
    """Loader, schema and rule findings (ShellCheck's come from the batch)."""
    findings = list(doc.findings)
    if ctx is not None:
        findings += _schema_findings(ctx)
        findings += _rule_findings(ctx)
        if ctx.kind.name == "codebuild-project":
            from . import embedded  # an inline buildspec, checked where it is written

            findings += embedded.findings(ctx)
        if ctx.kind.name == "cloudformation":
            from . import cfn  # its resources as the API's documents, inline buildspecs

            findings += cfn.findings(ctx)
    return findings


def check_document(
    doc: Document, kind: catalog.Kind, *, lang: Lang = "en", file: Path | None = None,
    shell_batch: shellcheck.Batch | None = None,
) -> tuple[list[Finding], Entry]:  # fmt: skip
    """Schema and semantic findings for a loaded document (loader findings included).

    A buildspec's commands go to ``shell_batch``, whose owner runs ShellCheck once for all
    the files it collected; without one, ShellCheck runs here for this document alone.
    """
    if shell_batch is None:
        return _check_alone(doc, kind, lang, file, None)
    entry, ctx = _prepare(doc, kind, lang, file)
    if ctx is not None:
        _add_scripts(ctx, shell_batch)
    return _findings(doc, ctx), entry


def _check_alone(
    doc: Document, kind: catalog.Kind, lang: Lang, file: Path | None,
    settings: config.Settings | None, project: Project | None = None,
) -> tuple[list[Finding], Entry]:  # fmt: skip
    """One document with a ShellCheck run of its own, started first so that it works while
    the other rules run."""
    entry, ctx = _prepare(doc, kind, lang, file, project)
    batch = _new_batch(settings) if ctx is not None and kind.name == "buildspec" else None
    if ctx is not None and batch is not None:
        _add_scripts(ctx, batch)
        batch.start(lang)
    findings = _findings(doc, ctx)
    if batch is not None:
        findings += batch.run(lang)
    return findings, entry


def check_text(
    text: str | bytes, kind: str, *, path: str = "<text>", lang: Lang = "en",
    settings: config.Settings | None = None, project: Project | None = None,
) -> list[Finding]:  # fmt: skip
    """Check ``text`` as a file of ``kind`` (``buildspec``, ``appspec``, …); a buildspec's
    ``project``, when known."""
    k = _kind(kind)
    fmt: Literal["yaml", "json"] = (
        "json" if k.format == "json" or path.lower().endswith(".json") else "yaml"
    )
    doc = load_text(text, path, fmt, lang=lang, cloudformation=k.name == "cloudformation")
    findings, _ = _check_alone(doc, k, lang, None, settings, project)
    return _capped(sorted(findings, key=Finding.sort_key), lang)[0]


def _new_batch(settings: config.Settings | None) -> shellcheck.Batch:
    """A ShellCheck batch configured by ``[tool.pipespec]`` (defaults without settings)."""
    from . import shellcheck  # subprocess and the shell walk: only for buildspecs

    if settings is None:
        return shellcheck.Batch()
    return shellcheck.Batch(
        shellcheck.Settings(settings.shellcheck_disable, settings.shellcheck_severity)
    )


class Result(NamedTuple):
    findings: list[Finding]
    files: int
    #: the errors and warnings left out of ``findings`` (more than
    #: :data:`MAX_FINDINGS_PER_RULE` of a rule in a file: a ``PS003`` finding counts them)
    hidden_errors: int = 0
    hidden_warnings: int = 0
    #: the source line of each finding, by (path, line): the text format shows it, taken
    #: from the loaded document (a file is read once; a FIFO is never opened)
    lines: dict[tuple[str, int], str] = {}  # noqa: RUF012 - never mutated

    def source(self, path: str, line: int) -> str:
        """Line ``line`` of ``path`` when a finding points into it, else ""."""
        return self.lines.get((path, line), "")

    @property
    def errors(self) -> int:
        """Every error, those left out of ``findings`` included."""
        return self.hidden_errors + sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        """Every warning, those left out of ``findings`` included."""
        return self.hidden_warnings + sum(f.severity is Severity.WARNING for f in self.findings)


def check_paths(
    paths: Iterable[str | Path | Found],
    *,
    kind: str | None = None,
    lang: Lang = "en",
    settings: config.Settings | config.Configs | None = None,
    base: Path | None = None,
) -> Result:
    """Check files and directories (searched recursively); cross-file rules per directory.
    ``settings`` apply to every file; :class:`~pipespec.config.Configs`, each file's own."""
    return start_paths(paths, kind=kind, lang=lang, settings=settings, base=base).finish()


def start_paths(
    paths: Iterable[str | Path | Found],
    *,
    kind: str | None = None,
    lang: Lang = "en",
    settings: config.Settings | config.Configs | None = None,
    base: Path | None = None,
) -> Pending:
    """:func:`check_paths` up to the ShellCheck findings, which :meth:`Pending.finish` waits
    for: ShellCheck keeps working on these files while the caller starts on others.

    The files beside one named on the command line (:attr:`Found.siblings`) are loaded
    for the cross-file rules only: nothing is reported in them."""
    configs = settings if isinstance(settings, config.Configs) else None
    fixed = settings if isinstance(settings, config.Settings) else config.Settings()
    findings: list[Finding] = []
    bundles: dict[str, Bundle] = {}
    files = discover(paths, kind, base)
    context = siblings(files, _Display(base))
    batches: dict[tuple[frozenset[str], str], shellcheck.Batch] = {}  # one ShellCheck run each
    loaded: list[tuple[Document, Context | None]] = []
    applies: dict[str, tuple[config.Settings, str]] = {}  # shown path: settings, glob path
    for found in [*files, *context]:
        path, shown, k = found.path, found.shown, found.kind
        own = configs.for_file(path) if configs is not None else fixed
        applies.setdefault(shown, (own, own.relative(path, shown)))
        if found.outside is not None:
            rule = get("PS004")
            message = rule.message(lang, {"target": found.outside})
            findings.append(Finding(shown, 1, 1, rule.severity, rule.id, message))
            continue
        if k is None:
            findings.append(
                Finding(
                    shown, 1, 1, Severity.ERROR, "PS001",
                    get("PS001").message(lang, {"kinds": ", ".join(catalog.KINDS)}),
                )
            )  # fmt: skip
            continue
        doc = _load(found, k, lang)
        entry, ctx = _prepare(doc, k, lang, path)
        if not found.context:
            loaded.append((doc, ctx))
        directory = str(path.parent)
        bundle = bundles.setdefault(directory, Bundle(directory))
        bundle.entries.append(entry)
        if ctx is not None and k.name == "cloudformation":
            from .cfn import entries  # the template's pipeline, project, deployment group

            bundle.entries += entries(entry)
    _project_variables(bundles, {id(doc): ctx for doc, ctx in loaded if ctx is not None})
    for _, ctx in loaded:
        if ctx is not None and ctx.kind.name == "buildspec":
            own = applies[ctx.doc.path][0]
            key = (own.shellcheck_disable, own.shellcheck_severity)
            if key not in batches:
                batches[key] = _new_batch(own)
            _add_scripts(ctx, batches[key])
    for batch in batches.values():
        batch.start(lang)  # ShellCheck works while the other rules run
    for doc, ctx in loaded:
        findings += _findings(doc, ctx)
    for bundle in bundles.values():
        findings += bundle_findings(bundle, lang)
    read_only = frozenset(f.shown for f in context)
    where = _Where(applies, configs.for_file if configs is not None else lambda _: fixed)
    return Pending(findings, bundles, list(batches.values()), where, lang, len(files), read_only)


def _load(found: Found, kind: catalog.Kind, lang: Lang) -> Document:
    """The document of a found file: read from its path, or its :attr:`Found.data`."""
    cfn = kind.name == "cloudformation"
    if found.data is None:
        return load_path(found.path, lang=lang, display=found.shown, cloudformation=cfn)
    fmt: Literal["yaml", "json"] = (
        "json" if kind.format == "json" or found.path.suffix.lower() == ".json" else "yaml"
    )
    return load_text(found.data, found.shown, fmt, lang=lang, cloudformation=cfn)


class _Where:
    """The settings that apply to each finding's file, and the path its globs match."""

    def __init__(
        self, applies: dict[str, tuple[config.Settings, str]],
        fallback: Callable[[Path], config.Settings],
    ) -> None:  # fmt: skip
        self.applies = applies
        self.fallback = fallback

    def __call__(self, shown: str) -> tuple[config.Settings, str]:
        found = self.applies.get(shown)
        if found is None:  # a directory's finding (PS999 of a cross-file rule)
            own = self.fallback(Path(shown, "-"))
            found = self.applies[shown] = (own, own.relative(Path(shown), shown))
        return found


def _project_variables(bundles: dict[str, Bundle], contexts: dict[int, Context]) -> None:
    """Give each buildspec the environment variables of the directory's CodeBuild projects
    that run it (``source.buildspec`` names it, or is absent and it is ``buildspec.yml``),
    and those the directory's pipelines give these projects' actions."""
    from .embedded import buildspec_file, project_variables

    for bundle in bundles.values():
        projects = [(buildspec_file(p.doc.data), p) for p in bundle.of("codebuild-project")]
        if not projects:
            continue
        # only here: a JSON check imports neither the shell nor the pipeline's rules
        from .rules.bundle_pipeline import action_variables
        from .shelldialect import project_image

        given = action_variables(bundle.of("pipeline"))
        for spec in bundle.of("buildspec"):
            ctx = contexts.get(id(spec.doc))
            name = PurePosixPath(spec.path).name
            if ctx is not None:
                runs = [p.doc.data for file, p in projects if file == name]
                names = [project_variables(d) | given.get(_name(d), frozenset()) for d in runs]
                if names:
                    ctx.project = Project(
                        frozenset().union(*names), images=tuple(project_image(d) for d in runs)
                    )


def _name(data: Any) -> str:
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""


class Pending:
    """Checked files whose ShellCheck findings may still be coming (see :func:`start_paths`)."""

    def __init__(
        self, findings: list[Finding], bundles: dict[str, Bundle],
        batches: list[shellcheck.Batch], where: _Where, lang: Lang, files: int,
        read_only: frozenset[str] = frozenset(),
    ) -> None:  # fmt: skip
        self.findings = findings
        self.bundles = bundles
        self.batches = batches
        self.where = where
        self.lang: Lang = lang
        self.files = files
        #: the files read for the cross-file rules only (:func:`~pipespec.discover.siblings`)
        self.read_only = read_only

    def cancel(self) -> None:
        """Stop ShellCheck for these files: their findings are no longer wanted."""
        for batch in self.batches:
            batch.cancel()

    def finish(self) -> Result:
        """Every finding, ShellCheck's included, suppressions applied, in order."""
        findings = self.findings
        for batch in self.batches:
            findings += batch.run(self.lang)
        docs: dict[str, Document] = {}  # by path: one lookup per finding, not a scan of all
        for bundle in self.bundles.values():
            for e in bundle.entries:
                docs.setdefault(e.path, e.doc)
        kept = sorted(
            {
                f for f in findings
                if f.path not in self.read_only and not _suppressed(f, docs, self.where)
            },
            key=Finding.sort_key,
        )  # fmt: skip
        shown, errors, warnings = _capped(kept, self.lang)
        return Result(shown, self.files, errors, warnings, _source_lines(shown, docs))


def _capped(findings: list[Finding], lang: Lang) -> tuple[list[Finding], int, int]:
    """``findings`` (sorted) with at most :data:`MAX_FINDINGS_PER_RULE` of a rule in a
    file, and a ``PS003`` finding for each rule and file over the limit; the number of
    errors and of warnings left out."""
    counts: dict[tuple[str, str], int] = {}
    first_left_out: dict[tuple[str, str], Finding] = {}
    kept: list[Finding] = []
    errors = warnings = 0
    for f in findings:
        key = (f.path, f.rule)
        counts[key] = n = counts.get(key, 0) + 1
        if n <= MAX_FINDINGS_PER_RULE:
            kept.append(f)
            continue
        first_left_out.setdefault(key, f)
        errors += f.severity is Severity.ERROR
        warnings += f.severity is Severity.WARNING
    if not first_left_out:
        return findings, 0, 0
    rule = get("PS003")
    for (path, rule_id), f in first_left_out.items():
        count = counts[path, rule_id] - MAX_FINDINGS_PER_RULE
        params = {"count": count, "rule": rule_id, "limit": MAX_FINDINGS_PER_RULE,
                  "findings": "finding" if count == 1 else "findings"}  # fmt: skip
        message = rule.message(lang, params)
        kept.append(Finding(path, f.line, f.column, rule.severity, rule.id, message))
    return sorted(kept, key=Finding.sort_key), errors, warnings


def _source_lines(findings: list[Finding], docs: dict[str, Document]) -> dict[tuple[str, int], str]:
    """The lines the findings point into, from their documents."""
    lines: dict[tuple[str, int], str] = {}
    for f in findings:
        doc = docs.get(f.path)
        if doc is not None and (f.path, f.line) not in lines:
            text = doc.line_text(f.line)
            if text:
                lines[f.path, f.line] = text
    return lines


def bundle_findings(bundle: Bundle, lang: Lang) -> list[Finding]:
    out: list[Finding] = []
    trackers = [t for e in bundle.entries if (t := getattr(e.doc, "tracker", None)) is not None]
    for rule in bundle_rules({e.kind.name for e in bundle.entries if e.doc.ok}):
        assert rule.bundle_check is not None
        try:
            hits: list[BundleHit] = tracked_hits(rule.bundle_check, bundle, trackers)
        except Exception as exc:
            out.append(
                Finding(
                    bundle.directory, 1, 1, Severity.ERROR, "PS999",
                    get("PS999").message(lang, {"rule": rule.id, "error": repr(exc)}),
                )
            )  # fmt: skip
            continue
        for hit in hits:
            doc = bundle.entry(hit.file).doc
            out.append(_finding(doc, rule, hit.path, hit.params, lang, key=hit.key))
    return out


_IGNORE = re.compile(r"#\s*pipespec:\s*ignore(?:=([A-Za-z0-9_, ]+))?")


def _suppressed(f: Finding, docs: dict[str, Document], where: _Where) -> bool:
    settings, path = where(f.path)
    # an error saying the file could not be read or checked: `select` never hides it
    always = f.rule.startswith(("LD", "PS")) and f.severity is Severity.ERROR
    if settings.ignores(path, f.rule, always=always):
        return True
    doc = docs.get(f.path)
    return doc is not None and _inline_ignored(doc, f)


def _inline_ignored(doc: Document, f: Finding) -> bool:
    if doc.format != "yaml":
        return False
    candidates = [doc.line_text(f.line)]
    previous = doc.line_text(f.line - 1)
    if previous.lstrip().startswith("#"):
        candidates.append(previous)
    for line in candidates:
        m = _IGNORE.search(line)
        if m:
            ids = {i.strip() for i in (m.group(1) or "").split(",") if i.strip()}
            if not ids or f.rule in ids:
                return True
    return False
