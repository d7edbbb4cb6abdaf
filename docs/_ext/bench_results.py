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


#: issue 7's targets: (label, where in results.json, comparison, limit)
TARGETS = (
    ("buildspec 1 ファイル: yamllint の 0.5 倍以下", ("peers", "ratios", "pipespec / yamllint (1 file)"), "<=", 0.5),
    ("buildspec 1 ファイル: check-jsonschema の 0.3 倍以下", ("peers", "ratios", "pipespec / check-jsonschema (1 file)"), "<=", 0.3),
    ("taskdef.json 1 ファイル: yamllint の 0.5 倍以下 (参考)", ("peers", "ratios", "pipespec / yamllint (taskdef.json)"), "<=", 0.5),
    ("taskdef.json 1 ファイル: check-jsonschema の 0.3 倍以下 (参考)", ("peers", "ratios", "pipespec / check-jsonschema (taskdef.json)"), "<=", 0.3),
    ("スループット: 読むだけの速さの 1/3 以上 (プロセス内)", ("throughput", "in_process_ratio"), ">=", 1 / 3),
    ("スループット: 読むだけの速さの 1/3 以上 (ShellCheck を含む)", ("throughput", "ratio"), ">=", 1 / 3),
    ("サイトの初回ビルド: 10 秒以下", ("docs", "cold_s"), "<=", 10.0),
)  # fmt: skip


def _targets(data: dict[str, Any]) -> list[list[str]]:
    rows = []
    for label, where, op, limit in TARGETS:
        value: Any = data
        for key in where:
            value = value.get(key) if isinstance(value, dict) else None
        if not isinstance(value, (int, float)):
            rows.append([label, "—", "未計測"])
            continue
        met = value <= limit if op == "<=" else value >= limit
        shown = f"{value:.2f} s" if where[-1].endswith("_s") else f"{value:.2f}"
        rows.append([label, shown, "達成" if met else "未達"])
    return rows


class BenchResults(SphinxDirective):
    required_arguments = 1  # "machine", "targets", "throughput", "peers", "docs" or "scale"

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
                [
                    "PyYAML C ローダー / json.loads だけで読む",
                    f"{t['bare_parse_files_per_s']:,.0f} ファイル/秒",
                ],
                [
                    "pipespec check (すべての検査、ShellCheck を含む)",
                    f"{t['pipespec_files_per_s']:,.0f} ファイル/秒",
                ],
                ["比 (すべての検査 / 読むだけ)", f"{t['ratio']:.2f}"],
            ]
            if "in_process_files_per_s" in t:
                rows += [
                    ["pipespec check (プロセス内の検査だけ、ShellCheck なし)",
                     f"{t['in_process_files_per_s']:,.0f} ファイル/秒"],
                    ["比 (プロセス内の検査 / 読むだけ)", f"{t['in_process_ratio']:.2f}"],
                ]  # fmt: skip
            return [_table(["項目", "値"], rows)]
        if part == "peers":
            p = data["peers"]
            rows = [[name, _ms(s)] for name, s in p["median_seconds"].items()]
            ratios = [[name, f"{r:.2f}"] for name, r in p["ratios"].items()]
            return [
                _table([f"コマンド (中央値、{p['runs']} 回)", "実時間"], rows),
                _table(["比", "値"], ratios),
            ]
        if part == "targets":
            return [_table(["目標", "計測値", "達成"], _targets(data))]
        if part == "docs":
            d = data["docs"]
            labels = {"cold_s": "初回 (キャッシュなし)", "no_change_s": "変更なしで再ビルド",
                      "one_page_changed_s": "1 ページ変更して再ビルド"}  # fmt: skip
            return [_table(["ビルド", "時間"], [[labels[k], f"{v:.2f} s"] for k, v in d.items()])]
        if part == "scale":
            s = data["scale"]
            rows = []
            for key, run in s.items():
                if not (key.startswith("jobs_") and isinstance(run, dict)):
                    continue
                peak = run.get("peak_rss_mib", run.get("peak_rss_mib_so_far"))
                rows.append([
                    f"--jobs {key[5:]}", f"{run['seconds']:.1f} s",
                    "—" if peak is None else f"{peak:.0f} MiB", str(run["exit"]),
                ])  # fmt: skip
            speedup = s.get("speedup")
            return [
                nodes.paragraph(text=f"{s['files']:,} ファイルを pipespec check で検査しました。"),
                _table(["実行", "時間", "最大のプロセスのメモリ (RSS)", "終了コード"], rows),
                nodes.paragraph(text="—" if speedup is None else f"速度の向上: {speedup:.2f} 倍"),
            ]
        raise self.error(f"bench-results: unknown part {part!r}")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("bench-results", BenchResults)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
