"""pipespec's benchmark (``nox -s bench``): throughput, whole-process time against peers,
the docs build, and scale. Not a test; it writes ``results.json`` and the site's chart of it,
``results-{light,dark}.svg`` (drawn by ``docs/_ext/bench_results.py``, as the docs build does).

    python tests/bench/bench.py [--out docs/_static/bench] [--n 40] [--runs 7] [--quick]

Every number comes from this run on this machine; the JSON records the machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
BIN = Path(sys.executable).parent

KIND_NAMES = {
    "buildspec": "buildspec.yml",
    "appspec-ec2": "appspec.yml",
    "appspec-ecs": "appspec.yaml",
    "appspec-lambda": "appspec.yml",
    "taskdef": "taskdef.json",
    "imagedefinitions": "imagedefinitions.json",
    "imagedetail": "imageDetail.json",
}


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    import pipespec

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pipespec": pipespec.__version__,
        "commit": commit,
    }


# ----------------------------------------------------------------------------- corpus


def sources() -> list[tuple[str, str]]:
    """(file name, text) of every example and real-world file of the five kinds."""
    found: list[tuple[str, str]] = []
    from pipespec import catalog

    for path in sorted(EXAMPLES.rglob("*")):
        if path.is_file() and catalog.detect(path.name):
            found.append((path.name, path.read_text(encoding="utf-8")))
    manifest = CORPUS / "MANIFEST.tsv"
    if manifest.exists():
        for row in manifest.read_text(encoding="utf-8").splitlines()[1:]:
            kind, name = row.split("\t")[:2]
            path = CORPUS / name
            if path.is_file() and kind in KIND_NAMES:
                text = path.read_text(encoding="utf-8", errors="replace")
                found.append((KIND_NAMES[kind], text))
    return found


def mutate(text: str, rng: random.Random) -> str:
    """A broken variant: a misspelt key, a wrong type, or a JSON syntax error."""
    choice = rng.randrange(4)
    if choice == 0 and "commands" in text:
        return text.replace("commands", "comands", 1)
    if choice == 1 and '"cpu": "' in text:
        return text.replace('"cpu": "', '"cpu": 1', 1).replace("1256", "256")
    if choice == 2 and text.rstrip().endswith(("}", "]")):
        return text.rstrip()[:-1] + ",\n" + text.rstrip()[-1] + "\n"
    lines = text.splitlines()
    if len(lines) > 3:
        i = rng.randrange(1, len(lines))
        lines[i] = "  " + lines[i]
    return "\n".join(lines) + "\n"


def make_corpus(dest: Path, n: int) -> list[Path]:
    rng = random.Random(1234)
    files = []
    base = sources()
    for i in range(n):
        for j, (name, text) in enumerate(base):
            d = dest / f"r{i:04d}" / f"f{j:03d}"
            d.mkdir(parents=True)
            body = mutate(text, rng) if (i + j) % 2 else text
            (d / name).write_text(body, encoding="utf-8")
            files.append(d / name)
    return files


# ----------------------------------------------------------------------------- timing


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def throughput(files: list[Path], runs: int) -> dict[str, Any]:
    """Files per second: the bare parse, every check, and every check but ShellCheck.

    ShellCheck is a separate program (Haskell) that pipespec runs once per batch; without
    it, what is left is pipespec's own work in this process, the figure the target is about.
    """
    import yaml

    from pipespec import shellcheck
    from pipespec.check import check_paths

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = [(p, p.read_bytes()) for p in files]

    def bare() -> None:
        for path, data in raw:
            try:
                if path.suffix == ".json":
                    json.loads(data)
                else:
                    yaml.load(data, Loader=loader)  # CSafeLoader, or SafeLoader
            except (ValueError, yaml.YAMLError):
                pass

    root = files[0].parents[2]
    bare_s = median_time(bare, runs)
    check_s = median_time(lambda: check_paths([root]), runs)
    found = shellcheck.find_shellcheck
    shellcheck.find_shellcheck = lambda: None  # type: ignore[assignment]
    try:
        own_s = median_time(lambda: check_paths([root]), runs)
    finally:
        shellcheck.find_shellcheck = found  # type: ignore[assignment]
    return {
        "files": len(files),
        "bytes": sum(len(d) for _, d in raw),
        "bare_parse_files_per_s": len(files) / bare_s,
        "pipespec_files_per_s": len(files) / check_s,
        "ratio": bare_s / check_s,
        "in_process_files_per_s": len(files) / own_s,
        "in_process_ratio": bare_s / own_s,
    }


def wall(argv: Sequence[str], runs: int, cwd: Path = ROOT) -> float | None:
    if shutil.which(argv[0]) is None and not Path(argv[0]).exists():
        return None

    def once() -> None:
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    once()  # warm the page cache
    return median_time(once, runs)


def tool(name: str) -> str:
    return str(BIN / name) if (BIN / name).exists() else name


def peers(runs: int, work: Path) -> dict[str, Any]:
    # Lone copies: beside its siblings, pipespec check FILE reads them for the cross-file
    # rules, and the peers would not be checking the same input.
    lone = work / "lone"
    lone.mkdir()
    for name in ("buildspec.yml", "taskdef.json"):
        (lone / name).write_bytes((ROOT / "examples" / "ecs-bluegreen" / name).read_bytes())
    one = str(lone / "buildspec.yml")
    taskdef = lone / "taskdef.json"
    template = work / "template.json"
    template.write_text(json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"TaskDef": {"Type": "AWS::ECS::TaskDefinition",
                                  "Properties": json.loads(taskdef.read_text())}},
    }))  # fmt: skip
    schemas = ROOT / "src" / "pipespec" / "schemas"
    schema = work / "buildspec.schema.json"
    schema.write_text((schemas / "buildspec.schema.json").read_text())
    td_schema = work / "taskdef.schema.json"
    td_schema.write_text((schemas / "taskdef.schema.json").read_text())
    jsonschema = tool("check-jsonschema")
    script = work / "buildspec.sh"  # what pipespec gives ShellCheck for that buildspec
    cases: dict[str, list[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import yaml'": [sys.executable, "-c", "import yaml"],
        "shellcheck (the buildspec's commands)": _shellcheck_argv(ROOT / one, script),
        "pipespec check (1 file)": [tool("pipespec"), "check", one],
        "pipespec check examples/": [tool("pipespec"), "check", "examples"],
        "pipespec check taskdef.json": [tool("pipespec"), "check", str(taskdef)],
        "yamllint (1 file)": [tool("yamllint"), one],
        "yamllint examples/": [tool("yamllint"), "examples"],
        "yamllint taskdef.json": [tool("yamllint"), str(taskdef)],
        "check-jsonschema (1 file)": [jsonschema, "--schemafile", str(schema), one],
        "check-jsonschema taskdef.json": [jsonschema, "--schemafile", str(td_schema), str(taskdef)],
        "cfn-lint (taskdef as template)": [tool("cfn-lint"), str(template)],
    }
    times = {name: wall(argv, runs) for name, argv in cases.items()}
    pairs = {
        # same input for both tools: the buildspec, then the task definition
        "pipespec / yamllint (1 file)": ("pipespec check (1 file)", "yamllint (1 file)"),
        "pipespec / check-jsonschema (1 file)": (
            "pipespec check (1 file)", "check-jsonschema (1 file)"),
        "pipespec / yamllint (taskdef.json)": (
            "pipespec check taskdef.json", "yamllint taskdef.json"),
        "pipespec / check-jsonschema (taskdef.json)": (
            "pipespec check taskdef.json", "check-jsonschema taskdef.json"),
        "pipespec / cfn-lint": ("pipespec check taskdef.json", "cfn-lint (taskdef as template)"),
    }  # fmt: skip
    ratios = {}
    for name, (ours, theirs) in pairs.items():
        a, b = times[ours], times[theirs]
        if a and b:
            ratios[name] = a / b
    # what no Python YAML checker that runs ShellCheck can go below: start Python, import
    # PyYAML, run ShellCheck on the commands (nothing of pipespec's own)
    floor = [times["python -c 'import yaml'"], times["shellcheck (the buildspec's commands)"]]
    if all(floor) and times["yamllint (1 file)"]:
        ratios["floor (python + import yaml + shellcheck) / yamllint (1 file)"] = (
            sum(floor) / times["yamllint (1 file)"]  # type: ignore[arg-type, operator]
        )
    return {"median_seconds": times, "ratios": ratios, "runs": runs}


def _shellcheck_argv(buildspec: Path, script: Path) -> list[str]:
    """ShellCheck as pipespec runs it on ``buildspec``'s commands (written to ``script``)."""
    from pipespec import shellcheck
    from pipespec.check import _kind, _prepare
    from pipespec.load import load_path
    from pipespec.rules.shell import scripts_for

    _, ctx = _prepare(load_path(buildspec), _kind("buildspec"), "en", None)
    assert ctx is not None
    (only,) = scripts_for(ctx)
    script.write_text(only.text, encoding="utf-8")
    exe = shellcheck.find_shellcheck() or "shellcheck"
    return [*shellcheck.Batch()._args(exe), str(script)]


def docs_build(work: Path) -> dict[str, float]:
    out = work / "docs-html"
    argv = [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(ROOT / "docs"), str(out)]

    def once() -> float:
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        return time.perf_counter() - start

    cold = once()
    unchanged = once()
    page = ROOT / "docs" / "contributing.md"
    os.utime(page)  # "one page changed"
    changed = once()
    return {"cold_s": cold, "no_change_s": unchanged, "one_page_changed_s": changed}


#: Runs argv; prints the largest resident size of its processes (KiB) and its exit status.
_PEAK = (
    "import resource, subprocess, sys; "
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)"
)


def scale(work: Path, files: int) -> dict[str, Any]:
    dest = work / "scale"
    made = make_corpus(dest, max(1, files // max(1, len(sources()))))
    result: dict[str, Any] = {"files": len(made)}
    for jobs in (1, os.cpu_count() or 1):
        argv = [tool("pipespec"), "check", "--jobs", str(jobs), "--format", "json", str(dest)]
        start = time.perf_counter()
        # a fresh parent, so that the peak is this run's (the largest of its processes)
        proc = subprocess.run([sys.executable, "-c", _PEAK, *argv], capture_output=True,
                              text=True)  # fmt: skip
        seconds = time.perf_counter() - start
        peak_kib, code = (int(x) for x in proc.stdout.split())
        result[f"jobs_{jobs}"] = {"seconds": seconds, "exit": code,
                                  "peak_rss_mib": peak_kib / 1024}  # fmt: skip
    one = result["jobs_1"]["seconds"]
    many = result[f"jobs_{os.cpu_count() or 1}"]["seconds"]
    result["speedup"] = one / many if many else None
    return result


# ----------------------------------------------------------------------------- output


def charts() -> Any:
    """The site's own chart (docs/_ext/bench_results.py): Japanese labels, never clipped."""
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    import bench_results

    return bench_results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "_static" / "bench")
    parser.add_argument("--n", type=int, default=20, help="copies of every source file")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale-files", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="small numbers, for a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.runs, args.scale_files = 2, 3, 300
    results: dict[str, Any] = {"machine": machine()}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = make_corpus(work / "corpus", args.n)
        print(f"corpus: {len(files)} files", file=sys.stderr)
        results["throughput"] = throughput(files, args.runs)
        print(f"throughput: {results['throughput']}", file=sys.stderr)
        results["peers"] = peers(args.runs, work)
        print(f"peers: {results['peers']}", file=sys.stderr)
        results["docs"] = docs_build(work)
        print(f"docs: {results['docs']}", file=sys.stderr)
        results["scale"] = scale(work, args.scale_files)
        print(f"scale: {results['scale']}", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    site = charts()
    for theme in site.CHART_THEMES:
        chart = site.chart_svg(results, theme)
        (args.out / f"results-{theme}.svg").write_text(chart, encoding="utf-8")
    print(f"wrote {args.out}/results.json and results-{{light,dark}}.svg", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
