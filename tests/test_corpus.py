"""Real-world files (../shared/corpus/real, read in place, never copied into the repo).

Files that run in real pipelines must get no error (warnings are fine); the files that
MANIFEST.tsv marks INVALID (or not valid until a template is filled) must be caught (at
least one error or warning); files it marks SUSPECT, and skeletons of placeholders, are
checked without a verdict.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipespec.check import check_paths
from pipespec.findings import Severity

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "real"
MANIFEST = CORPUS / "MANIFEST.tsv"


def rows() -> list[dict[str, str]]:
    if not MANIFEST.exists():
        return []
    with MANIFEST.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


ROWS = rows()
pytestmark = pytest.mark.skipif(
    not ROWS, reason="../shared/corpus/real is not beside this checkout"
)


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_corpus_file(row: dict[str, str]) -> None:
    kind = row["kind"].split("-")[0]
    result = check_paths([CORPUS / row["file"]], kind=kind)
    shown = [f.format() for f in result.findings]
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    notes = row["notes"]
    assert not [f for f in result.findings if f.rule == "PS999"], "\n".join(shown)
    if "INVALID" in notes or "not valid JSON until substituted" in notes:
        caught = [f for f in result.findings if f.severity is not Severity.INFO]
        assert caught, f"INVALID file not caught: {notes}"
    elif "SUSPECT" not in notes and "(skeleton)" not in notes:
        # SUSPECT: the manifest's authors doubt the file; skeleton: a template of placeholders
        # that is not meant to run as it is. pipespec may or may not object to either.
        assert not errors, "\n".join(shown)


def test_corpus_is_complete() -> None:
    assert len(ROWS) >= 100
