"""``bench-results``: the benchmark's own numbers (``_static/bench/results.json``) as tables.

``nox -s bench`` writes the JSON (and charts of its own); this directive only formats it,
so the page can never show numbers that the benchmark did not measure. The chart of the
peers' times (``results-light.svg``, ``results-dark.svg``) is drawn here too, from the
same JSON, in Japanese, each label on its own line above its bar (never clipped, however
long), narrow enough to stay readable on a phone: the build writes it over the copies in
the output. ``python docs/_ext/bench_results.py`` rewrites the files in ``_static/bench``.
"""

from __future__ import annotations

import html
import json
import sys
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


#: The peers' command names as the page and the chart show them.
PEER_LABELS = {
    "python -c pass": "Python の起動だけ (python -c pass)",
    "python -c 'import yaml'": "Python と PyYAML の読み込みだけ",
    "shellcheck (the buildspec's commands)": "ShellCheck (buildspec のコマンド)",
    "pipespec check (1 file)": "pipespec check (buildspec 1 ファイル)",
    "pipespec check examples/": "pipespec check examples/ (例すべて)",
    "pipespec check taskdef.json": "pipespec check taskdef.json",
    "yamllint (1 file)": "yamllint (buildspec 1 ファイル)",
    "yamllint examples/": "yamllint examples/ (例すべて)",
    "yamllint taskdef.json": "yamllint taskdef.json",
    "check-jsonschema (1 file)": "check-jsonschema (buildspec 1 ファイル)",
    "check-jsonschema taskdef.json": "check-jsonschema taskdef.json",
    "cfn-lint (taskdef as template)": "cfn-lint (taskdef をテンプレートに包んで)",
}
#: (text, pipespec's bars, the other bars) for furo's light and dark backgrounds
CHART_THEMES = {
    "light": ("#1f2937", "#c2410c", "#4b5563"),
    "dark": ("#e5e7eb", "#f59e0b", "#9ca3af"),
}


def peer_label(name: str) -> str:
    """A command's name in Japanese; an unknown name with its English parts translated."""
    if name in PEER_LABELS:
        return PEER_LABELS[name]
    return name.replace("(1 file)", "(1 ファイル)")


def chart_svg(results: dict[str, Any], theme: str) -> str:
    """The peers' median times as a bar chart: each label on its own line above its bar.

    560 user units wide with 16-unit labels: on a 390 px phone (a column of about 358 px)
    the labels are still about 10 px high."""
    text, accent, other = CHART_THEMES[theme]
    times = {k: v for k, v in results["peers"]["median_seconds"].items() if v}
    width, left, bar_h, row_h, top = 560, 8, 14, 46, 40
    room = width - left - 90  # the longest bar leaves room for its value
    height = top + len(times) * row_h + 8
    longest = max(times.values()) if times else 1.0
    rows = []
    for i, (name, seconds) in enumerate(sorted(times.items(), key=lambda kv: kv[1])):
        y = top + i * row_h
        w = max(2.0, room * seconds / longest)
        colour = accent if name.startswith("pipespec") else other
        rows.append(
            f'<text x="{left}" y="{y + 16}">{html.escape(peer_label(name))}</text>'
            f'<rect x="{left}" y="{y + 22}" width="{w:.1f}" height="{bar_h}" rx="3" '
            f'fill="{colour}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + 34}">{seconds * 1000:.0f} ms</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="t d">'
        '<title id="t">pipespec と類似ツールの実行時間 (中央値)</title>'
        '<desc id="d">pipespec と yamllint・check-jsonschema・cfn-lint などを 1 ファイルに'
        "実行したときの実時間の中央値を比べた横棒グラフ。短いほど速い。</desc>"
        f"<style>text{{font:16px sans-serif;fill:{text}}}.h{{font-weight:bold}}</style>"
        f'<text class="h" x="{left}" y="24">'
        "実行時間の中央値 (短いほど速い)</text>" + "".join(rows) + "</svg>\n"
    )


def _write_charts(app: Sphinx, exception: Exception | None) -> None:
    """Draw the chart over the copies of ``_static/bench/results-*.svg`` in the output."""
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.srcdir) / "_static" / "bench" / "results.json"
    if not path.exists():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    out = Path(app.outdir)
    for theme in CHART_THEMES:
        name = f"results-{theme}.svg"
        for copy in (out / "_images" / name, out / "_static" / "bench" / name):
            if copy.exists():
                copy.write_text(chart_svg(data, theme), encoding="utf-8")


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.0f} ms"


#: The speed targets the page states: (label, where in results.json, comparison, limit)
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
            rows = [[peer_label(name), _ms(s)] for name, s in p["median_seconds"].items()]
            ratios = [[peer_label(name), f"{r:.2f}"] for name, r in p["ratios"].items()]
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
    app.connect("build-finished", _write_charts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    bench = Path(__file__).resolve().parent.parent / "_static" / "bench"
    results = json.loads((bench / "results.json").read_text(encoding="utf-8"))
    for theme in CHART_THEMES:
        (bench / f"results-{theme}.svg").write_text(chart_svg(results, theme), encoding="utf-8")
    print(f"wrote {bench}/results-{{light,dark}}.svg", file=sys.stderr)
