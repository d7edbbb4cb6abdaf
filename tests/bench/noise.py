"""Default-settings noise on ../shared/corpus/real: how many valid files get a warning.

"Valid" follows tests/test_corpus.py: a file the MANIFEST does not mark INVALID, SUSPECT,
"(skeleton)" or "not valid JSON until substituted". Each file is checked alone with the
kind the MANIFEST gives it, as ``pipespec check --kind KIND FILE`` would, with no
configuration. Prints, per kind, the share of valid files with at least one warning (or
error), then the warnings per rule.

    python tests/bench/noise.py            # table
    python tests/bench/noise.py --json     # the same numbers as JSON
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

from pipespec.check import check_paths
from pipespec.config import Settings
from pipespec.findings import Severity

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"


def valid(notes: str) -> bool:
    return not any(
        mark in notes
        for mark in ("INVALID", "SUSPECT", "(skeleton)", "not valid JSON until substituted")
    )


def measure() -> dict[str, object]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    per_kind: dict[str, list[int]] = {}
    per_rule: Counter[str] = Counter()
    files_per_rule: Counter[str] = Counter()
    for row in rows:
        if not valid(row["notes"]):
            continue
        kind = row["kind"].split("-")[0]
        result = check_paths([CORPUS / row["file"]], kind=kind, settings=Settings())
        loud = [f for f in result.findings if f.severity is not Severity.INFO]
        counts = per_kind.setdefault(kind, [0, 0])
        counts[0] += 1
        counts[1] += bool(loud)
        per_rule.update(f.rule for f in loud)
        files_per_rule.update({f.rule for f in loud})
    return {
        "kinds": {k: {"valid": v[0], "with_warning": v[1]} for k, v in sorted(per_kind.items())},
        "rules": {
            r: {"findings": n, "files": files_per_rule[r]} for r, n in per_rule.most_common()
        },
    }


def main() -> int:
    if not CORPUS.is_dir():
        print(f"{CORPUS} is not there", file=sys.stderr)
        return 2
    numbers = measure()
    if "--json" in sys.argv:
        print(json.dumps(numbers, indent=2))
        return 0
    print("kind                valid  with a warning")
    for kind, c in numbers["kinds"].items():  # type: ignore[attr-defined]
        share = c["with_warning"] / c["valid"] if c["valid"] else 0.0
        print(f"{kind:18} {c['valid']:6} {c['with_warning']:6}  ({share:.0%})")
    print("\nrule     findings  files")
    for rule, c in numbers["rules"].items():  # type: ignore[attr-defined]
        print(f"{rule:8} {c['findings']:8} {c['files']:6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
