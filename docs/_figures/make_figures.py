#!/usr/bin/env python3
"""Generate the hand-designed SVG figures of the documentation.

Run ``python docs/_figures/make_figures.py`` from the repository root to
(re)write ``docs/_static/figures/*.svg``.  The script uses the standard
library only and its output is byte-identical on every run.

Each figure is drawn twice: a ``-light`` variant for furo's light mode
(white page) and a ``-dark`` variant for furo's dark mode (page background
``#131416``).  The SVG canvas itself is transparent; every box has its own
fill.

While drawing, every text and every stroke records which palette colour it
uses on which background, so :func:`contrast_pairs` and :func:`line_pairs`
reflect exactly what is drawn (``tests/test_figures.py`` checks their WCAG
contrast).  The drawing also checks its own layout and raises
:class:`LayoutError` when a label would overflow its box, two labels or
boxes overlap, or an arrow runs through a label.
"""

from __future__ import annotations

import itertools
import math
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

FIGURE_NAMES: tuple[str, ...] = ("pipeline", "codedeploy-agent", "ecs-bluegreen")
THEMES: tuple[str, ...] = ("light", "dark")
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "_static" / "figures"
REGENERATE_COMMAND = "python docs/_figures/make_figures.py"

FONT_FAMILY = (
    "'IPAexGothic', 'IPAGothic', 'Noto Sans CJK JP', 'Hiragino Sans', "
    "'Yu Gothic', 'Meiryo', sans-serif"
)

# Palette keys: "page" is furo's page background (not drawn: the SVG is
# transparent); "*_fill" are box fills, "*_stroke" box borders, "text" and
# "*_text" label colours, "line" arrows and icons, "accent" the CodeDeploy
# control arrow.
PALETTES: dict[str, dict[str, str]] = {
    "light": {
        "page": "#ffffff",
        "text": "#1f2328",
        "line": "#4b5563",
        "accent": "#b35300",
        "frame_fill": "#f6f8fa",
        "frame_stroke": "#6e7781",
        "box_fill": "#ffffff",
        "box_stroke": "#6e7781",
        "service_fill": "#fff3e0",
        "service_stroke": "#b35300",
        "storage_fill": "#ebf5ec",
        "storage_stroke": "#2e7d32",
        "note_fill": "#fff8d6",
        "note_stroke": "#8a6d00",
        "blue_fill": "#e6efff",
        "blue_stroke": "#1f5fbf",
        "blue_text": "#0b3d91",
        "green_fill": "#e4f5e8",
        "green_stroke": "#1e7b34",
        "green_text": "#0b5a1f",
    },
    "dark": {
        "page": "#131416",
        "text": "#e6e8eb",
        "line": "#a3acb7",
        "accent": "#f29b38",
        "frame_fill": "#1b1d21",
        "frame_stroke": "#8b949e",
        "box_fill": "#22252a",
        "box_stroke": "#8b949e",
        "service_fill": "#2c1f10",
        "service_stroke": "#f29b38",
        "storage_fill": "#15281a",
        "storage_stroke": "#5cb86b",
        "note_fill": "#2a2610",
        "note_stroke": "#c9a83a",
        "blue_fill": "#10243f",
        "blue_stroke": "#5b9cf0",
        "blue_text": "#cfe3ff",
        "green_fill": "#112a1a",
        "green_stroke": "#4cbf6b",
        "green_text": "#cdf5d8",
    },
}

TITLES: dict[str, str] = {
    "pipeline": "CodePipeline の全体像",
    "codedeploy-agent": "オンプレミスサーバーへの CodeDeploy の仕組み",
    "ecs-bluegreen": "Amazon ECS のブルー/グリーンデプロイ",
}

# The <desc> of each figure; reuse it as the ``:alt:`` text of the image.
ALT_TEXT: dict[str, str] = {
    "pipeline": (
        "開発者の git push を起点に、AWS CodePipeline がソース (CodeCommit / GitHub など)、"
        "ビルド (CodeBuild が buildspec.yml を実行して docker build & push)、"
        "デプロイ (CodeDeploy / Amazon ECS) の 3 ステージを左から右へ順に実行し、"
        "ステージ間でアーティファクトを受け渡す図。"
        "アーティファクトは各ステージが S3 のアーティファクトストアに保存・取得し、"
        "コンテナイメージは CodeBuild が Amazon ECR へ push して、デプロイ先が ECR から pull する。"
    ),
    "codedeploy-agent": (
        "左に AWS クラウド側の CodeDeploy とリビジョン (アプリの zip / tar) を置いた S3 バケット、"
        "右にオンプレミスサーバー上の CodeDeploy エージェントとアプリケーションを置いた図。"
        "① エージェントがサーバーから外向きに HTTPS (443) で CodeDeploy をポーリングし、"
        "② 応答としてデプロイ指示を受け取り、③ S3 からリビジョンを取得して、"
        "④ appspec.yml のフックを実行する"
        " (サーバーは事前に register-on-premises-instance でオンプレミスインスタンスとして登録しておく)。"
    ),
    "ecs-bluegreen": (
        "ALB の本番リスナー (:80) がユーザーのトラフィックをターゲットグループ 1 "
        "(ブルー、現行タスクセット) へ、テストリスナー (:8080) が社内の動作確認の"
        "トラフィックをターゲットグループ 2 (グリーン、置き換えタスクセット) へ転送し、"
        "2 つのタスクセットは同じ ECS サービスに属する図。"
        "上部の CodeDeploy が本番リスナーのトラフィックを切り替え、"
        "切り替え後は本番トラフィックもターゲットグループ 2 (グリーン) へ向かう。"
    ),
}

PREFIXES: dict[str, str] = {
    "pipeline": "pl",
    "codedeploy-agent": "cda",
    "ecs-bluegreen": "ebg",
}


# --------------------------------------------------------------------------
# Text metrics and geometry
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TextStyle:
    size: float
    bold: bool = False

    @property
    def line_height(self) -> float:
        return round(self.size * 1.45)


TITLE = TextStyle(15, bold=True)
BODY = TextStyle(14)
LABEL = TextStyle(13)

BOX_PAD_X = 12.0  # minimum horizontal padding between text and box border
TEXT_MARGIN = 3.0  # minimum distance between a label and its region's edge
ARROW_TIP = 3.0  # the line stops this far before the tip of its arrowhead


def em_width(char: str) -> float:
    """Estimated advance of one character in em (wide = 1, otherwise 0.6)."""
    if unicodedata.east_asian_width(char) in ("W", "F", "A"):
        return 1.0
    return 0.6


def text_width(text: str, style: TextStyle) -> float:
    """Conservative estimate of the rendered width of ``text`` in px."""
    width = sum(em_width(char) for char in text) * style.size
    return width * (1.05 if style.bold else 1.0)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def contains(self, other: Rect, inset: float = 0.0) -> bool:
        return (
            other.x >= self.x + inset
            and other.y >= self.y + inset
            and other.right <= self.right - inset
            and other.bottom <= self.bottom - inset
        )

    def overlaps(self, other: Rect) -> bool:
        """True if the interiors intersect (touching edges do not count)."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def contains_point(self, px: float, py: float) -> bool:
        return self.x < px < self.right and self.y < py < self.bottom


@dataclass(frozen=True)
class Region:
    """A filled area that text and arrows can be placed on."""

    rect: Rect
    fill: str  # palette key
    name: str


@dataclass(frozen=True)
class Line:
    """One line of text inside a box."""

    text: str
    style: TextStyle = BODY
    color: str = "text"


Point = tuple[float, float]


class LayoutError(ValueError):
    """A label does not fit, or elements of a figure overlap."""


def num(value: float) -> str:
    """Format a coordinate deterministically (at most 2 decimals)."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def attr_text(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def element(tag: str, attrs: dict[str, str], content: str | None = None) -> str:
    """One XML element with its attributes in sorted order."""
    rendered = "".join(f' {key}="{attr_text(attrs[key])}"' for key in sorted(attrs))
    if content is None:
        return f"<{tag}{rendered}/>"
    return f"<{tag}{rendered}>{content}</{tag}>"


def box_width(lines: Sequence[Line], pad: float = BOX_PAD_X) -> float:
    return math.ceil(max(text_width(line.text, line.style) for line in lines) + 2 * pad)


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------


class Drawing:
    """Accumulates the SVG body of one figure and checks its layout."""

    def __init__(self, figure: str, width: int, height: int, theme: str) -> None:
        self.figure = figure
        self.prefix = PREFIXES[figure]
        self.theme = theme
        self.width = width
        self.height = height
        self.page = Region(Rect(0, 0, width, height), "page", "ページ背景")
        self._body: list[str] = []
        self._regions: list[Region] = []
        self._texts: list[tuple[Rect, Region, str]] = []
        self._segments: list[tuple[Point, Point, str]] = []
        self._markers: set[str] = set()
        # (sample text, text colour key, background key)
        self.text_uses: list[tuple[str, str, str]] = []
        # (what, stroke colour key, background key)
        self.line_uses: list[tuple[str, str, str]] = []

    def color(self, key: str) -> str:
        return PALETTES[self.theme][key]

    # -- primitives -------------------------------------------------------

    def rect(
        self,
        rect: Rect,
        *,
        on: Region,
        fill: str,
        stroke: str,
        name: str,
        dashed: bool = False,
        radius: float = 8,
    ) -> Region:
        if not on.rect.contains(rect):
            raise LayoutError(f"{self.figure}: {name} sticks out of {on.name}")
        attrs = {
            "x": num(rect.x),
            "y": num(rect.y),
            "width": num(rect.w),
            "height": num(rect.h),
            "rx": num(radius),
            "fill": self.color(fill),
            "stroke": self.color(stroke),
            "stroke-width": "1.5",
        }
        if dashed:
            attrs["stroke-dasharray"] = "5 4"
        self._body.append(element("rect", attrs))
        self.line_uses.append((f"{name} の枠線", stroke, on.fill))
        region = Region(rect, fill, name)
        self._regions.append(region)
        return region

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        on: Region,
        style: TextStyle = LABEL,
        color: str = "text",
        anchor: str = "middle",
    ) -> None:
        """Place one line of text; ``y`` is the baseline."""
        width = text_width(content, style)
        if anchor == "middle":
            left = x - width / 2
        elif anchor == "start":
            left = x
        elif anchor == "end":
            left = x - width
        else:
            raise ValueError(anchor)
        bbox = Rect(left, y - 0.88 * style.size, width, style.size)
        self._texts.append((bbox, on, content))
        self.text_uses.append((content, color, on.fill))
        attrs = {
            "x": num(x),
            "y": num(y),
            "fill": self.color(color),
            "font-size": num(style.size),
        }
        if style.bold:
            attrs["font-weight"] = "bold"
        if anchor != "start":
            attrs["text-anchor"] = anchor
        self._body.append(element("text", attrs, escape(content)))

    def box(
        self,
        rect: Rect,
        lines: Sequence[Line],
        *,
        on: Region,
        fill: str = "box_fill",
        stroke: str = "box_stroke",
        name: str,
        dashed: bool = False,
    ) -> Region:
        """A rounded box with lines of text centred in it."""
        region = self.rect(rect, on=on, fill=fill, stroke=stroke, name=name, dashed=dashed)
        block = sum(line.style.line_height for line in lines)
        if block > rect.h - 6:
            raise LayoutError(f"{self.figure}: text of {name} is too tall for its box")
        if box_width(lines) > rect.w:
            raise LayoutError(f"{self.figure}: text of {name} is too wide for its box")
        top = rect.cy - block / 2
        for line in lines:
            height = line.style.line_height
            baseline = top + height / 2 + 0.35 * line.style.size
            self.text(
                rect.cx,
                baseline,
                line.text,
                on=region,
                style=line.style,
                color=line.color,
            )
            top += height
        return region

    def marker_id(self, color: str) -> str:
        self._markers.add(color)
        return f"{self.prefix}-arrow" if color == "line" else f"{self.prefix}-arrow-{color}"

    def arrow(
        self,
        points: Sequence[Point],
        *,
        on: Sequence[Region],
        name: str,
        color: str = "line",
        dashed: bool = False,
        both_ends: bool = False,
    ) -> None:
        """A polyline with an arrowhead whose tip is exactly at the last point."""
        pts = [(float(x), float(y)) for x, y in points]
        for start, end in itertools.pairwise(pts):
            self._segments.append((start, end, name))
        pts[-1] = _shorten(pts[-2], pts[-1])
        if both_ends:
            pts[0] = _shorten(pts[1], pts[0])
        path = "M" + " L".join(f"{num(x)} {num(y)}" for x, y in pts)
        marker = f"url(#{self.marker_id(color)})"
        attrs = {
            "d": path,
            "fill": "none",
            "stroke": self.color(color),
            "stroke-width": "1.6",
            "marker-end": marker,
        }
        if both_ends:
            attrs["marker-start"] = marker
        if dashed:
            attrs["stroke-dasharray"] = "6 4"
        self._body.append(element("path", attrs))
        for region in on:
            self.line_uses.append((f"矢印「{name}」", color, region.fill))

    def legend_line(self, start: Point, end: Point, *, on: Region, color: str, name: str) -> None:
        """A short dashed sample line for a legend (no arrowhead)."""
        self._segments.append((start, end, name))
        attrs = {
            "d": f"M{num(start[0])} {num(start[1])} L{num(end[0])} {num(end[1])}",
            "fill": "none",
            "stroke": self.color(color),
            "stroke-width": "1.6",
            "stroke-dasharray": "6 4",
        }
        self._body.append(element("path", attrs))
        self.line_uses.append((f"凡例「{name}」", color, on.fill))

    def person(self, cx: float, top: float, *, on: Region, name: str) -> Rect:
        """A simple person icon (head and shoulders); returns its bounds."""
        bounds = Rect(cx - 18, top, 36, 42)
        if not on.rect.contains(bounds):
            raise LayoutError(f"{self.figure}: icon {name} sticks out of {on.name}")
        fill = self.color("line")
        self._body.append(
            element("circle", {"cx": num(cx), "cy": num(top + 10), "r": "10", "fill": fill})
        )
        shoulders = (
            f"M{num(cx - 18)} {num(top + 42)} "
            f"C{num(cx - 18)} {num(top + 28)} {num(cx - 10)} {num(top + 23)} {num(cx)} {num(top + 23)} "
            f"C{num(cx + 10)} {num(top + 23)} {num(cx + 18)} {num(top + 28)} {num(cx + 18)} {num(top + 42)} Z"
        )
        self._body.append(element("path", {"d": shoulders, "fill": fill}))
        self.line_uses.append((f"アイコン「{name}」", "line", on.fill))
        self._regions.append(Region(bounds, on.fill, f"icon {name}"))
        return bounds

    # -- checks and output --------------------------------------------------

    def check_layout(self) -> None:
        regions = self._regions
        for i, first in enumerate(regions):
            for second in regions[i + 1 :]:
                nested = first.rect.contains(second.rect) or second.rect.contains(first.rect)
                if first.rect.overlaps(second.rect) and not nested:
                    raise LayoutError(f"{self.figure}: {first.name} overlaps {second.name}")
        for bbox, on, content in self._texts:
            if not on.rect.contains(bbox, TEXT_MARGIN):
                raise LayoutError(f"{self.figure}: 「{content}」 overflows {on.name}")
            for region in regions:
                if region is on or region.rect.contains(on.rect):
                    continue
                if region.rect.overlaps(bbox):
                    raise LayoutError(f"{self.figure}: 「{content}」 overlaps {region.name}")
        for i, (box_a, _, a) in enumerate(self._texts):
            for box_b, _, b in self._texts[i + 1 :]:
                if box_a.overlaps(box_b):
                    raise LayoutError(f"{self.figure}: 「{a}」 overlaps 「{b}」")
        for start, end, name in self._segments:
            length = math.dist(start, end)
            steps = max(1, math.ceil(length))
            for step in range(steps + 1):
                t = step / steps
                px = start[0] + (end[0] - start[0]) * t
                py = start[1] + (end[1] - start[1]) * t
                for bbox, _, content in self._texts:
                    if bbox.contains_point(px, py):
                        raise LayoutError(f"{self.figure}: arrow {name} crosses 「{content}」")

    def render(self) -> str:
        self.check_layout()
        prefix = self.prefix
        root_attrs = {
            "viewBox": f"0 0 {self.width} {self.height}",
            "width": str(self.width),
            "height": str(self.height),
            "role": "img",
            "aria-labelledby": f"{prefix}-title",
            "aria-describedby": f"{prefix}-desc",
            "xml:lang": "ja",
            "font-family": FONT_FAMILY,
        }
        rendered_root = "".join(
            f' {key}="{attr_text(root_attrs[key])}"' for key in sorted(root_attrs)
        )
        markers = []
        for color in sorted(self._markers):
            path = element("path", {"d": "M0 0L10 5L0 10Z", "fill": self.color(color)})
            attrs = {
                "id": self.marker_id(color),
                "viewBox": "0 0 10 10",
                "refX": num(10 - ARROW_TIP),
                "refY": "5",
                "markerWidth": "10",
                "markerHeight": "10",
                "markerUnits": "userSpaceOnUse",
                "orient": "auto-start-reverse",
            }
            markers.append(element("marker", attrs, path))
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg"{rendered_root}>',
            element("title", {"id": f"{prefix}-title"}, escape(TITLES[self.figure])),
            element("desc", {"id": f"{prefix}-desc"}, escape(ALT_TEXT[self.figure])),
            "<defs>",
            *markers,
            "</defs>",
            *self._body,
            "</svg>",
        ]
        return "\n".join(parts) + "\n"


def _shorten(towards: Point, tip: Point) -> Point:
    """Move ``tip`` ARROW_TIP px back towards ``towards`` (hidden by the arrowhead)."""
    length = math.dist(towards, tip)
    if length <= ARROW_TIP:
        raise LayoutError("arrow segment is too short")
    ratio = (length - ARROW_TIP) / length
    return (
        towards[0] + (tip[0] - towards[0]) * ratio,
        towards[1] + (tip[1] - towards[1]) * ratio,
    )


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def draw_pipeline(theme: str) -> Drawing:
    d = Drawing("pipeline", 820, 372, theme)
    page = d.page

    frame = d.rect(
        Rect(138, 80, 674, 282),
        on=page,
        fill="frame_fill",
        stroke="frame_stroke",
        name="CodePipeline",
        radius=10,
    )
    d.text(
        frame.rect.x + 14,
        frame.rect.y + 24,
        "AWS CodePipeline",
        on=frame,
        style=TITLE,
        anchor="start",
    )

    stage_lines = [
        [Line("ソース", TITLE), Line("CodeCommit"), Line("GitHub など")],
        [
            Line("ビルド", TITLE),
            Line("CodeBuild"),
            Line("buildspec.yml を実行"),
            Line("docker build & push"),
        ],
        [Line("デプロイ", TITLE), Line("CodeDeploy"), Line("Amazon ECS")],
    ]
    stage_names = ["ソース", "ビルド", "デプロイ"]
    artifact = "アーティファクト"
    gap = math.ceil(text_width(artifact, LABEL) + 14)
    inner = frame.rect.w - 2 * 14
    widths = [box_width(lines) for lines in stage_lines]
    slack = inner - 2 * gap - sum(widths)
    if slack < 0:
        raise LayoutError(f"pipeline: stages are {-slack} px too wide")
    widths = [w + slack / 3 for w in widths]

    stage_y, stage_h = 130.0, 100.0
    stages: list[Region] = []
    x = frame.rect.x + 14
    for lines, width, name in zip(stage_lines, widths, stage_names, strict=True):
        stages.append(
            d.box(
                Rect(x, stage_y, width, stage_h),
                lines,
                on=frame,
                fill="service_fill",
                stroke="service_stroke",
                name=name,
            )
        )
        x += width + gap
    source, build, deploy = stages
    mid = stage_y + stage_h / 2

    for left, right in itertools.pairwise(stages):
        d.arrow([(left.rect.right, mid), (right.rect.x, mid)], on=[frame], name=artifact)
        d.text((left.rect.right + right.rect.x) / 2, mid - 8, artifact, on=frame)

    # Developer pushing to the source stage.
    icon = d.person(38, 140, on=page, name="開発者")
    d.text(38, icon.bottom + 20, "開発者", on=page, style=BODY)
    push_start = 64.0
    d.arrow([(push_start, mid), (source.rect.x, mid)], on=[page, frame], name="git push")
    d.text((push_start + frame.rect.x) / 2, mid - 8, "git push", on=page)

    # Amazon ECR above the frame, between the build and the deploy stages.
    ecr_rect = Rect(build.rect.right - 64, 10, deploy.rect.x + 64 - (build.rect.right - 64), 54)
    ecr = d.box(
        ecr_rect,
        [Line("Amazon ECR", TITLE), Line("コンテナイメージ")],
        on=page,
        fill="service_fill",
        stroke="service_stroke",
        name="Amazon ECR",
    )
    label_y = frame.rect.y + 32
    push_x = build.rect.right - 24
    d.arrow([(push_x, stage_y), (push_x, ecr.rect.bottom)], on=[frame, page], name="push")
    d.text(push_x - 6, label_y, "push", on=frame, anchor="end")
    pull_x = deploy.rect.x + 24
    d.arrow([(pull_x, ecr.rect.bottom), (pull_x, stage_y)], on=[page, frame], name="pull")
    d.text(pull_x + 6, label_y, "pull", on=frame, anchor="start")

    # Artifact store (S3) at the bottom of the frame.
    store = d.box(
        Rect(source.rect.x, 292, deploy.rect.right - source.rect.x, 50),
        [Line("アーティファクトストア (Amazon S3)", TITLE)],
        on=frame,
        fill="storage_fill",
        stroke="storage_stroke",
        name="アーティファクトストア",
    )
    top, bottom = stage_y + stage_h, store.rect.y
    label_base = (top + bottom) / 2 + 5

    def store_arrow(x: float, write: bool, label_side: str) -> None:
        points = [(x, top), (x, bottom)] if write else [(x, bottom), (x, top)]
        label = "保存" if write else "取得"
        d.arrow(points, on=[frame], name=label, dashed=True)
        if label_side == "right":
            d.text(x + 6, label_base, label, on=frame, anchor="start")
        else:
            d.text(x - 6, label_base, label, on=frame, anchor="end")

    store_arrow(source.rect.cx, True, "right")
    store_arrow(build.rect.cx - 30, False, "left")
    store_arrow(build.rect.cx + 30, True, "right")
    store_arrow(deploy.rect.cx, False, "right")
    return d


def draw_codedeploy_agent(theme: str) -> Drawing:
    d = Drawing("codedeploy-agent", 820, 350, theme)
    page = d.page

    cloud = d.rect(
        Rect(8, 10, 280, 234),
        on=page,
        fill="frame_fill",
        stroke="frame_stroke",
        name="AWS クラウド",
        radius=10,
    )
    d.text(
        cloud.rect.x + 14,
        cloud.rect.y + 24,
        "AWS クラウド",
        on=cloud,
        style=TITLE,
        anchor="start",
    )
    codedeploy = d.box(
        Rect(28, 50, 240, 76),
        [Line("AWS CodeDeploy", TITLE), Line("デプロイを管理")],
        on=cloud,
        fill="service_fill",
        stroke="service_stroke",
        name="CodeDeploy",
    )
    s3 = d.box(
        Rect(28, 142, 240, 84),
        [
            Line("Amazon S3 バケット", TITLE),
            Line("リビジョン"),
            Line("(アプリの zip / tar)"),
        ],
        on=cloud,
        fill="storage_fill",
        stroke="storage_stroke",
        name="S3 バケット",
    )

    server = d.rect(
        Rect(512, 10, 300, 332),
        on=page,
        fill="frame_fill",
        stroke="frame_stroke",
        name="オンプレミスサーバー",
        radius=10,
    )
    d.text(
        server.rect.x + 14,
        server.rect.y + 24,
        "オンプレミスサーバー",
        on=server,
        style=TITLE,
        anchor="start",
    )
    agent = d.box(
        Rect(532, 50, 260, 176),
        [Line("CodeDeploy エージェント", TITLE), Line("(サーバー上で常駐)")],
        on=server,
        fill="service_fill",
        stroke="service_stroke",
        name="CodeDeploy エージェント",
    )
    app = d.box(
        Rect(532, 272, 260, 54),
        [Line("アプリケーション", TITLE), Line("(デプロイ先)")],
        on=server,
        name="アプリケーション",
    )

    gap_cx = (cloud.rect.right + server.rect.x) / 2
    # ① polling: outbound from the server.
    y1 = 82.0
    d.arrow(
        [(agent.rect.x, y1), (codedeploy.rect.right, y1)],
        on=[server, page, cloud],
        name="①",
    )
    d.text(gap_cx, y1 - 25, "① ポーリング", on=page)
    d.text(gap_cx, y1 - 8, "HTTPS 443 (アウトバウンド)", on=page)
    # ② the deployment instruction comes back as the response.
    y2 = 106.0
    d.arrow(
        [(codedeploy.rect.right, y2), (agent.rect.x, y2)],
        on=[cloud, page, server],
        name="②",
    )
    d.text(gap_cx, y2 + 20, "② デプロイ指示 (応答)", on=page)
    # ③ the agent downloads the revision from S3.
    y3 = 198.0
    d.arrow([(s3.rect.right, y3), (agent.rect.x, y3)], on=[cloud, page, server], name="③")
    d.text(gap_cx, y3 - 9, "③ S3 からリビジョンを取得", on=page)
    # ④ hooks of appspec.yml run inside the server.
    x4 = agent.rect.x + 28
    d.arrow([(x4, agent.rect.bottom), (x4, app.rect.y)], on=[server], name="④")
    d.text(
        x4 + 8,
        (agent.rect.bottom + app.rect.y) / 2 + 5,
        "④ appspec.yml のフックを実行",
        on=server,
        anchor="start",
    )

    note_lines = [
        Line("※ サーバーは事前にオンプレミスインスタンスとして登録"),
        Line("(register-on-premises-instance)"),
    ]
    d.box(
        Rect(8, 266, box_width(note_lines), 60),
        note_lines,
        on=page,
        fill="note_fill",
        stroke="note_stroke",
        name="注記",
        dashed=True,
    )
    return d


def draw_ecs_bluegreen(theme: str) -> Drawing:
    d = Drawing("ecs-bluegreen", 800, 384, theme)
    page = d.page

    row_a, row_b = 190.0, 290.0
    frame_y, frame_h = 120.0, 222.0
    box_h = 58.0

    def row_rect(x: float, width: float, cy: float) -> Rect:
        return Rect(x, cy - box_h / 2, width, box_h)

    # Clients.
    user_lines = [Line("ユーザー", TITLE), Line("(本番)")]
    qa_lines = [Line("動作確認", TITLE), Line("(社内)")]
    client_w = max(box_width(user_lines), box_width(qa_lines))
    users = d.box(row_rect(8, client_w, row_a), user_lines, on=page, name="ユーザー")
    qa = d.box(row_rect(8, client_w, row_b), qa_lines, on=page, name="動作確認")

    # ALB with two listeners.
    prod_lines = [Line("本番リスナー", TITLE), Line(":80")]
    test_lines = [Line("テストリスナー", TITLE), Line(":8080")]
    listener_w = max(box_width(prod_lines), box_width(test_lines))
    alb = d.rect(
        Rect(users.rect.right + 40, frame_y, listener_w + 28, frame_h),
        on=page,
        fill="frame_fill",
        stroke="frame_stroke",
        name="ALB",
        radius=10,
    )
    d.text(alb.rect.x + 14, alb.rect.y + 24, "ALB", on=alb, style=TITLE, anchor="start")
    prod = d.box(
        row_rect(alb.rect.x + 14, listener_w, row_a),
        prod_lines,
        on=alb,
        name="本番リスナー",
    )
    test = d.box(
        row_rect(alb.rect.x + 14, listener_w, row_b),
        test_lines,
        on=alb,
        name="テストリスナー",
    )

    # Target groups.
    tg1_lines = [Line("ターゲットグループ 1", TITLE), Line("ブルー", BODY, "blue_text")]
    tg2_lines = [
        Line("ターゲットグループ 2", TITLE),
        Line("グリーン", BODY, "green_text"),
    ]
    tg_w = max(box_width(tg1_lines), box_width(tg2_lines))
    tg_x = alb.rect.right + 48
    tg1 = d.box(
        row_rect(tg_x, tg_w, row_a),
        tg1_lines,
        on=page,
        fill="blue_fill",
        stroke="blue_stroke",
        name="TG1",
    )
    tg2 = d.box(
        row_rect(tg_x, tg_w, row_b),
        tg2_lines,
        on=page,
        fill="green_fill",
        stroke="green_stroke",
        name="TG2",
    )

    # ECS service with the two task sets.
    blue_lines = [Line("ブルー", TITLE, "blue_text"), Line("現行タスクセット")]
    green_lines = [Line("グリーン", TITLE, "green_text"), Line("置き換えタスクセット")]
    ecs_x = tg1.rect.right + 44
    ecs = d.rect(
        Rect(ecs_x, frame_y, d.width - 8 - ecs_x, frame_h),
        on=page,
        fill="frame_fill",
        stroke="frame_stroke",
        name="ECS サービス",
        radius=10,
    )
    d.text(
        ecs.rect.x + 14,
        ecs.rect.y + 24,
        "ECS サービス",
        on=ecs,
        style=TITLE,
        anchor="start",
    )
    task_w = ecs.rect.w - 28
    if task_w < max(box_width(blue_lines), box_width(green_lines)):
        raise LayoutError("ecs-bluegreen: task set boxes are too narrow")
    blue = d.box(
        row_rect(ecs.rect.x + 14, task_w, row_a),
        blue_lines,
        on=ecs,
        fill="blue_fill",
        stroke="blue_stroke",
        name="ブルーのタスクセット",
    )
    green = d.box(
        row_rect(ecs.rect.x + 14, task_w, row_b),
        green_lines,
        on=ecs,
        fill="green_fill",
        stroke="green_stroke",
        name="グリーンのタスクセット",
    )

    # Traffic.
    d.arrow(
        [(users.rect.right, row_a), (prod.rect.x, row_a)],
        on=[page, alb],
        name="ユーザー",
    )
    d.arrow([(qa.rect.right, row_b), (test.rect.x, row_b)], on=[page, alb], name="動作確認")
    d.arrow([(prod.rect.right, row_a), (tg1.rect.x, row_a)], on=[alb, page], name="本番")
    d.arrow([(test.rect.right, row_b), (tg2.rect.x, row_b)], on=[alb, page], name="テスト")
    d.arrow([(tg1.rect.right, row_a), (blue.rect.x, row_a)], on=[page, ecs], name="TG1")
    d.arrow([(tg2.rect.right, row_b), (green.rect.x, row_b)], on=[page, ecs], name="TG2")
    after_y = prod.rect.bottom - 12
    d.arrow(
        [(prod.rect.right, after_y), (tg2.rect.x, tg2.rect.y + 12)],
        on=[alb, page],
        name="切り替え後",
        dashed=True,
    )

    # CodeDeploy switching the production listener.
    codedeploy = d.box(
        Rect(alb.rect.x, 10, alb.rect.w, 56),
        [Line("AWS CodeDeploy", TITLE), Line("(ブルー/グリーン)")],
        on=page,
        fill="service_fill",
        stroke="service_stroke",
        name="CodeDeploy",
    )
    switch_x = prod.rect.cx
    d.arrow(
        [(switch_x, codedeploy.rect.bottom), (switch_x, prod.rect.y)],
        on=[page, alb],
        name="トラフィックを切り替え",
        color="accent",
        dashed=True,
    )
    d.text(switch_x + 10, 100, "トラフィックを切り替え", on=page, anchor="start")

    # Legend for the dashed "after switching" arrow.
    legend_y = frame_y + frame_h + 26
    d.legend_line(
        (alb.rect.x, legend_y - 5),
        (alb.rect.x + 40, legend_y - 5),
        on=page,
        color="line",
        name="凡例",
    )
    d.text(
        alb.rect.x + 50,
        legend_y,
        "切り替え後の本番トラフィック (ターゲットグループ 2 へ)",
        on=page,
        anchor="start",
    )
    return d


DRAWERS = {
    "pipeline": draw_pipeline,
    "codedeploy-agent": draw_codedeploy_agent,
    "ecs-bluegreen": draw_ecs_bluegreen,
}


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def render_all() -> dict[str, str]:
    """Return {file name: SVG text} for every figure in both themes."""
    result: dict[str, str] = {}
    for figure in FIGURE_NAMES:
        for theme in THEMES:
            result[f"{figure}-{theme}.svg"] = DRAWERS[figure](theme).render()
    return result


def contrast_pairs(theme: str) -> list[tuple[str, str, str]]:
    """(description, text colour, background colour) for every text-on-fill use."""
    palette = PALETTES[theme]
    seen: dict[tuple[str, str, str], str] = {}
    for figure in FIGURE_NAMES:
        drawing = DRAWERS[figure](theme)
        drawing.check_layout()
        for sample, fg, bg in drawing.text_uses:
            seen.setdefault((figure, fg, bg), sample)
    return [
        (f"{figure}: 「{sample}」 ({fg} on {bg})", palette[fg], palette[bg])
        for (figure, fg, bg), sample in sorted(seen.items())
    ]


def line_pairs(theme: str) -> list[tuple[str, str, str]]:
    """(description, stroke colour, background colour) for arrows, icons and borders."""
    palette = PALETTES[theme]
    seen: dict[tuple[str, str, str], str] = {}
    for figure in FIGURE_NAMES:
        for what, stroke, bg in DRAWERS[figure](theme).line_uses:
            seen.setdefault((figure, stroke, bg), what)
    return [
        (f"{figure}: {what} ({stroke} on {bg})", palette[stroke], palette[bg])
        for (figure, stroke, bg), what in sorted(seen.items())
    ]


def main(argv: Sequence[str] | None = None) -> int:
    del argv
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, svg in render_all().items():
        path = OUTPUT_DIR / name
        path.write_bytes(svg.encode("utf-8"))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
