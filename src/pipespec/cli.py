"""Command line: argument parsing and exit codes only (0 clean, 1 errors found, 2 usage)."""

from __future__ import annotations

import argparse
import codecs
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, catalog, config
from .check import UsageError
from .discover import Stdin, discover
from .document import MAX_BYTES, Lang
from .findings import visible
from .parallel import check_tree
from .report import FORMATS, JSON_FORMATS


def default_lang(environ: os._Environ[str] | dict[str, str] = os.environ) -> Lang:
    """``ja`` when the locale says Japanese (LC_ALL, LC_MESSAGES, LANG), else ``en``."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {visible(message)}\n")


COMMANDS = ("check", "rules", "run", "schema")


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without ``shutil`` (argparse builds one for every option
    it adds, and importing shutil costs ~1.5 ms at every start)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:  # fmt: skip
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    """Like ``shutil.get_terminal_size().columns``: $COLUMNS, the terminal, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``command``, only that subcommand is built (each parser and
    option costs argparse gettext lookups: ~3 ms for all of them, at every start)."""

    def wanted(name: str) -> bool:
        return command not in COMMANDS or command == name

    parser = _Parser(
        prog="pipespec",
        formatter_class=_Formatter,
        description="Validate AWS CodeBuild/CodeDeploy/ECS pipeline files: buildspec, appspec, "
        "taskdef, imagedefinitions.json and imageDetail.json.",
    )
    parser.add_argument("--version", action="version", version=f"pipespec {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    if wanted("check"):
        check = sub.add_parser(
            "check",
            help="check files and directories",
            description="Check files and directories (searched recursively, as .gitignore "
            "says; a file named is checked with the files beside it for the cross-file rules). "
            "Exit status: 0 when there is no error (with --strict, no warning either), 1 when "
            "there is, 2 for usage errors.",
            formatter_class=_Formatter,
        )
        _check_options(check)
    if wanted("rules"):
        rules = sub.add_parser("rules", help="list every rule", formatter_class=_Formatter)
        rules.add_argument("--format", choices=["text", "json"], default="text")
        rules.add_argument("--lang", choices=["en", "ja"])
    if wanted("run"):
        run = sub.add_parser(
            "run",
            help="dry-run a buildspec: RUNS ITS COMMANDS in a sandbox, then renders the deploy "
            "stage",
            description=RUN_DESCRIPTION,
            formatter_class=_Formatter,
        )
        _run_options(run)
    if wanted("schema"):
        schema = sub.add_parser(
            "schema", help="print the JSON Schema of a kind", formatter_class=_Formatter
        )
        schema.add_argument("kind", choices=list(catalog.KINDS))
    return parser


def _check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="files and directories; - reads the standard input")  # fmt: skip
    check.add_argument(
        "--format", choices=sorted(FORMATS),
        help="output format (default: github when GITHUB_ACTIONS=true, else text)",
    )  # fmt: skip
    check.add_argument("--kind", choices=list(catalog.KINDS), help="override detection by name")
    check.add_argument("--lang", choices=["en", "ja"], help="message language (default: locale)")
    check.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="the name of the file read from - (its kind and the path shown)",
    )
    check.add_argument(
        "--select", action="append", default=[], metavar="IDS",
        help="only these rules: IDs or prefixes, comma-separated (BS,AS1)",
    )  # fmt: skip
    check.add_argument(
        "--ignore", action="append", default=[], metavar="IDS",
        help="never these rules: IDs or prefixes, comma-separated (BS112)",
    )  # fmt: skip
    check.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1) on warnings too; no files to check is exit 2",
    )
    check.add_argument("-q", "--quiet", action="store_true",
                       help="print the findings only: no summary, no notes")  # fmt: skip
    check.add_argument(
        "--config", metavar="FILE", help="use this configuration file for every file "
        "(default: the nearest .pipespec.toml, pipespec.toml or pyproject.toml "
        "[tool.pipespec] at or above each file)",
    )  # fmt: skip
    check.add_argument("--no-config", action="store_true", help="use no configuration file")
    check.add_argument(
        "--jobs", "-j", type=int, default=1, metavar="N",
        help="check with N processes (0: one per core); memory stays bounded either way",
    )  # fmt: skip


RUN_DESCRIPTION = (
    "Dry-run a CodePipeline artifact root. WARNING: this EXECUTES the shell "
    "commands of DIR's buildspec. They run in a temporary copy of DIR inside a bubblewrap "
    "sandbox (no network, no host files but the system directories, no capabilities, an "
    "empty environment but the build's), with Landlock and resource limits inside it, "
    "stand-ins for aws and docker first on PATH, and a timeout. Without bubblewrap "
    "(apt-get install bubblewrap) it refuses to run, unless --unsafe-no-sandbox is given. "
    "Then artifacts.files are collected into OUTDIR, the "
    "ECS deploy stage is rendered (imagedefinitions.json or imageDetail.json applied to "
    "taskdef.json, <TASK_DEFINITION> in the appspec) and the rendered files are checked. "
    "Exit status: 0 when everything succeeded, 1 otherwise, 2 for usage errors and when "
    "the sandbox is not available."
)


def _run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("directory", metavar="DIR")
    run.add_argument("--out", metavar="OUTDIR", help="where artifacts and rendered files go "
                     "(default: a new temporary directory)")  # fmt: skip
    run.add_argument("--format", choices=["text", "json"], default="text")
    run.add_argument("--buildspec", help="run this buildspec of DIR alone (default: DIR's "
                     "pipeline.json when there is one, else buildspec.yml)")  # fmt: skip
    run.add_argument("--pipeline", metavar="FILE", help="the pipeline declaration inside DIR "
                     "to follow (default: pipeline.json when DIR has one)")  # fmt: skip
    run.add_argument("--no-pipeline", action="store_true",
                     help="run the buildspec alone even when DIR has a pipeline.json")  # fmt: skip
    run.add_argument(
        "--artifact", action="append", default=[], metavar="NAME=DIR",
        help="the directory of a source action's output artifact NAME (default: DIR; "
        "repeatable)",
    )  # fmt: skip
    run.add_argument("--source-version", help="CODEBUILD_RESOLVED_SOURCE_VERSION (a commit id)")
    run.add_argument("--region", default="ap-northeast-1", help="AWS_DEFAULT_REGION")
    run.add_argument("--account-id", default="123456789012", help="the account the stand-ins use")
    run.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="a project environment variable (repeatable)",
    )  # fmt: skip
    run.add_argument("--timeout", type=float, default=120.0, help="seconds (default 120)")
    run.add_argument(
        "--unsafe-no-sandbox", action="store_true",
        help="run the commands WITHOUT bubblewrap (only Landlock and limits): they can reach "
        "the network and read your files; never on a source you do not trust",
    )  # fmt: skip


def _json_escapes(exc: UnicodeError) -> tuple[str, int]:
    """The ``pipespec-json`` error handler: what the encoding cannot hold as JSON's
    ``\\uXXXX`` escapes (a surrogate pair beyond U+FFFF), valid in a JSON string."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        n = ord(ch)
        if n > 0xFFFF:
            n -= 0x10000
            out.append(f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}")
        else:
            out.append(f"\\u{n:04x}")
    return "".join(out), exc.end


codecs.register_error("pipespec-json", _json_escapes)


def write(text: str, *, json_output: bool = False) -> None:
    """Write to stdout; what its encoding cannot hold (Japanese under a Latin-1 locale) is
    written as backslash escapes instead of failing: Python's (``\\u3042``, ``\\U0001f600``),
    or JSON's for the JSON formats, so that they stay valid JSON. (Every format escapes
    lone surrogates itself.) Nothing, when the command was started with stdout closed
    (``>&-``)."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "utf-8"
        errors = "pipespec-json" if json_output else "backslashreplace"
        sys.stdout.write(text.encode(encoding, errors).decode(encoding))


def _selectors(values: list[str], option: str) -> frozenset[str] | None:
    """``--select``/``--ignore`` values (repeatable, comma-separated); None when not given."""
    if not values:
        return None
    for value in values:  # --select "$RULES" with RULES unset must not select nothing
        if not value.replace(",", "").strip():
            raise UsageError(f"{option} expects rule IDs or prefixes, got {value!r}")
    try:
        return config.parse_selectors(v for value in values for v in value.split(","))
    except config.UnknownRule as exc:
        raise UsageError(f"{option}: {exc}") from None


def _read_stdin() -> bytes:
    """The standard input, at most :data:`~pipespec.document.MAX_BYTES` + 1 bytes of it (more
    is an ``LD006`` finding, as for a file; the rest is never read)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise UsageError("- reads the standard input, and it is closed")
    chunks: list[bytes] = []
    total = 0
    while total <= MAX_BYTES:
        chunk = stream.read(min(1 << 16, MAX_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _check(args: argparse.Namespace) -> int:
    lang: Lang = args.lang or default_lang()
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 or more")
    if args.config and args.no_config:
        raise UsageError("--config and --no-config: give one of them")
    paths = list(args.paths) or (["-"] if args.stdin_filename else [])
    if not paths:
        raise UsageError("no PATH given (- reads the standard input)")
    if paths.count("-") > 1:
        raise UsageError("- (the standard input) is given more than once")
    if args.stdin_filename is not None and "-" not in paths:
        raise UsageError("--stdin-filename names the standard input: give - among the paths")
    select, ignore = _selectors(args.select, "--select"), _selectors(args.ignore, "--ignore")
    configs = config.Configs(
        Path(args.config) if args.config else None, enabled=not args.no_config,
        select=select, ignore=ignore or frozenset(),
    )  # fmt: skip
    stdin = Stdin(_read_stdin(), args.stdin_filename) if "-" in paths else None
    found = discover(paths, args.kind, stdin=stdin, gitignore=True, siblings=True)
    for f in found:  # every configuration read (and any error in one said) before a check
        configs.for_file(f.path)
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if not found:
        write(FORMATS[fmt]([], None), json_output=fmt in JSON_FORMATS)
        if args.strict:
            print("pipespec: error: no files to check", file=sys.stderr)
            return 2
        if not args.quiet:
            print("pipespec: no files to check", file=sys.stderr)
        return 0
    result = check_tree(found, kind=args.kind, lang=lang, settings=configs, jobs=args.jobs)
    write(FORMATS[fmt](result.findings, result.source), json_output=fmt in JSON_FORMATS)
    if fmt == "text" and not args.quiet:
        summary = (
            f"{result.errors} 件のエラー、{result.warnings} 件の警告 ({result.files} ファイル)"
            if lang == "ja"
            else f"{result.errors} error(s), {result.warnings} warning(s) in {result.files} file(s)"
        )
        print(summary, file=sys.stderr)
    return 1 if result.errors or (args.strict and result.warnings) else 0


def _rules(args: argparse.Namespace) -> int:
    from .rules import load_all

    lang: Lang = args.lang or default_lang()
    rows = [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "severity": r.severity.value,
            "explanation": r.explain_ja if lang == "ja" else r.explain_en,
        }
        for r in sorted(load_all().values(), key=lambda r: r.id)
    ]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['id']}  {row['severity']:<7}  {row['name']}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(catalog.schema(catalog.KINDS[args.kind].schema), indent=2, ensure_ascii=False))
    return 0


def _run(args: argparse.Namespace) -> int:
    from .run import FAKE_COMMIT, RunOptions, RunResult, dry_run
    from .run.pipeline import PipelineResult, find_pipeline, run_pipeline

    env: dict[str, str] = {}
    for item in args.env:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--env expects NAME=VALUE, got {item!r}")
        env[name] = value
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    sources: dict[str, Path] = {}
    for item in args.artifact:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise UsageError(f"--artifact expects NAME=DIR, got {item!r}")
        if not Path(value).is_dir():
            raise UsageError(f"--artifact {name}: not a directory: {value}")
        sources[name] = Path(value)
    opts = RunOptions(
        source_version=args.source_version or FAKE_COMMIT,
        region=args.region,
        account=args.account_id,
        timeout=args.timeout,
        env=env,
        buildspec=args.buildspec or "buildspec.yml",
        unsafe_no_sandbox=args.unsafe_no_sandbox,
    )
    if args.pipeline and (args.no_pipeline or args.buildspec):
        raise UsageError("--pipeline follows a pipeline; --buildspec and --no-pipeline run "
                         "one buildspec alone: give one of them")  # fmt: skip
    directory = Path(args.directory)
    out = Path(args.out) if args.out else None
    pipeline = args.pipeline
    if pipeline is None and not args.no_pipeline and not args.buildspec and directory.is_dir():
        pipeline = find_pipeline(directory)
    if sources and pipeline is None:
        raise UsageError("--artifact names a source artifact of a pipeline, and no pipeline "
                         "is followed")  # fmt: skip
    if args.unsafe_no_sandbox:
        print("pipespec: WARNING: --unsafe-no-sandbox: the buildspec's commands run without "
              "the bubblewrap sandbox", file=sys.stderr)  # fmt: skip
    result: RunResult | PipelineResult
    if pipeline is not None:
        result = run_pipeline(directory, out, opts, pipeline, sources)
    else:
        result = dry_run(directory, out, opts)
    if args.format == "json":
        print(json.dumps({**result.summary(), "out": str(result.out)}, indent=2, ensure_ascii=True))
    else:
        sys.stdout.write(result.text())
        print(f"[pipespec] output in {result.out}", file=sys.stderr)
    return result.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = None  # the subcommand; None (build them all) for help before it
    for arg in argv:
        if arg in ("-h", "--help"):
            break
        if not arg.startswith("-"):
            command = arg
            break
    args = build_parser(command).parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "run":
            return _run(args)
        return _schema(args)
    except (UsageError, config.ConfigError) as exc:  # they may quote a path: made visible
        print(f"pipespec: error: {visible(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        print("pipespec: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback
        print(
            f"pipespec: internal error: {visible(repr(exc))} (please report this)", file=sys.stderr
        )
        return 2


def entry() -> None:
    """The ``pipespec`` command (and ``python -m pipespec``): :func:`main`, then exit
    without tearing the interpreter down, as mypy does. Freeing every module and object
    costs ~5 ms and serves nothing here: the output is flushed below, child processes have
    been waited for and temporary directories removed."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with that descriptor closed: nothing was written
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
