"""``bench-results``: the benchmark's own numbers (``_static/bench/results.json``) as tables.

``nox -s bench`` writes the JSON and the two charts; this directive only formats them, so
the page can never show numbers that the benchmark did not measure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def _table(header: list[str], rows: list[list[str]]) -> nodes.table:
    table = nodes.table(classes=["bench-table"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    row = nodes.row()
    for cell in header:
        row += nodes.entry("", nodes.paragraph(text=cell))
    head += row
    group += head
    body = nodes.tbody()
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            row += nodes.entry("", nodes.paragraph(text=cell))
        body += row
    group += body
    return table


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.0f} ms"


class BenchResults(SphinxDirective):
    required_arguments = 1  # "machine", "throughput", "peers", "docs" or "scale"

    def run(self) -> list[nodes.Node]:
        path = Path(self.env.srcdir) / "_static" / "bench" / "results.json"
        self.env.note_dependency(str(path))
        if not path.exists():
            return [nodes.paragraph(text="(ベンチマークの結果はまだありません: nox -s bench)")]
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        part = self.arguments[0]
        if part == "machine":
            m = data["machine"]
            rows = [[k, str(v)] for k, v in m.items()]
            return [_table(["項目", "値"], rows)]
        if part == "throughput":
            t = data["throughput"]
            rows = [
                ["ファイル数", f"{t['files']:,}"],
                ["PyYAML C ローダー / json.loads だけで読む", f"{t['bare_parse_files_per_s']:,.0f} ファイル/秒"],
                ["pipespec check (プロセス内)", f"{t['pipespec_files_per_s']:,.0f} ファイル/秒"],
                ["比 (pipespec / 読むだけ)", f"{t['ratio']:.2f}"],
            ]
            return [_table(["項目", "値"], rows)]
        if part == "peers":
            p = data["peers"]
            rows = [[name, _ms(s)] for name, s in p["median_seconds"].items()]
            ratios = [[name, f"{r:.2f}"] for name, r in p["ratios"].items()]
            return [
                _table([f"コマンド (中央値、{p['runs']} 回)", "実時間"], rows),
                _table(["比", "値"], ratios),
            ]
        if part == "docs":
            d = data["docs"]
            labels = {"cold_s": "初回 (キャッシュなし)", "no_change_s": "変更なしで再ビルド",
                      "one_page_changed_s": "1 ページ変更して再ビルド"}  # fmt: skip
            return [_table(["ビルド", "時間"], [[labels[k], f"{v:.2f} s"] for k, v in d.items()])]
        if part == "scale":
            s = data["scale"]
            rows = [[k, json.dumps(v, ensure_ascii=False)] for k, v in s.items()]
            return [_table(["項目", "値"], rows)]
        raise self.error(f"bench-results: unknown part {part!r}")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("bench-results", BenchResults)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
