"""Tests for the generated SVG figures (docs/_figures/make_figures.py)."""

from __future__ import annotations

import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "_figures" / "make_figures.py"
FIGURE_DIR = ROOT / "docs" / "_static" / "figures"
REGENERATE = "python docs/_figures/make_figures.py"

FIGURES = ("pipeline", "codedeploy-agent", "ecs-bluegreen")
THEMES = ("light", "dark")
EXPECTED_FILES = sorted(f"{figure}-{theme}.svg" for figure in FIGURES for theme in THEMES)

# furo's page background in light and dark mode.
FURO_BACKGROUND = {"light": "#ffffff", "dark": "#131416"}

SVG_NS = "http://www.w3.org/2000/svg"
ALLOWED_URIS = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")
JAPANESE = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff]")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

TEXT_MIN_CONTRAST = 4.5
GRAPHIC_MIN_CONTRAST = 3.0


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB ``#rrggbb`` colour."""
    if not HEX_COLOUR.match(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def theme_of(name: str) -> str:
    return name.removesuffix(".svg").rsplit("-", 1)[1]


def figure_of(name: str) -> str:
    return name.removesuffix(".svg").rsplit("-", 1)[0]


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def low_contrast(pairs: list[tuple[str, str, str]], minimum: float) -> list[str]:
    return [
        f"{description}: {fg} on {bg} = {contrast_ratio(fg, bg):.2f} < {minimum}"
        for description, fg, bg in pairs
        if contrast_ratio(fg, bg) < minimum
    ]


def graphic_colours(root: ET.Element) -> Iterator[tuple[str, str]]:
    """(what, colour) for every stroke and every non-box, non-text fill."""
    for elem in root.iter():
        tag = local(elem.tag)
        stroke = elem.get("stroke")
        if stroke and stroke != "none":
            yield f"<{tag}> stroke", stroke
        fill = elem.get("fill")
        if tag in ("path", "circle", "polygon", "line") and fill and fill != "none":
            yield f"<{tag}> fill", fill


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_figures", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module


@pytest.fixture(scope="module")
def rendered(figures: ModuleType) -> dict[str, str]:
    result: dict[str, str] = figures.render_all()
    return result


def parse(name: str) -> ET.Element:
    return ET.parse(FIGURE_DIR / name).getroot()


# --------------------------------------------------------------------------
# (a) committed files are up to date
# --------------------------------------------------------------------------


def test_render_all_produces_the_six_files(rendered: dict[str, str]) -> None:
    assert sorted(rendered) == EXPECTED_FILES


def test_output_is_deterministic(figures: ModuleType, rendered: dict[str, str]) -> None:
    assert figures.render_all() == rendered


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_committed_svg_matches_script(name: str, rendered: dict[str, str]) -> None:
    path = FIGURE_DIR / name
    assert path.exists(), f"{path} is missing; regenerate it with `{REGENERATE}`"
    assert path.read_bytes() == rendered[name].encode("utf-8"), (
        f"{path.relative_to(ROOT)} is out of date with make_figures.py; "
        f"regenerate it with `{REGENERATE}` and commit the result"
    )


# --------------------------------------------------------------------------
# (b) well-formed, accessible SVG
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_svg_structure(name: str, figures: ModuleType) -> None:
    root = parse(name)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("role") == "img"

    view_box = root.get("viewBox")
    assert view_box, "missing viewBox"
    min_x, min_y, width, height = (float(v) for v in view_box.split())
    assert (min_x, min_y) == (0, 0)
    assert 700 <= width <= 840 and 100 <= height <= 600

    children = [local(child.tag) for child in root]
    assert children[:2] == ["title", "desc"], "title and desc must come first"
    title = root.find(f"{{{SVG_NS}}}title")
    desc = root.find(f"{{{SVG_NS}}}desc")
    assert title is not None and desc is not None
    assert title.text and JAPANESE.search(title.text), "title must be Japanese"
    assert desc.text and JAPANESE.search(desc.text), "desc must be Japanese"
    assert desc.text == figures.ALT_TEXT[figure_of(name)]
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")

    font_family = root.get("font-family") or ""
    assert font_family.startswith("'IPAexGothic'") and font_family.endswith("sans-serif")

    texts = list(root.iter(f"{{{SVG_NS}}}text"))
    assert texts, "figure has no labels"
    for text in texts:
        assert float(text.get("font-size", "0")) >= 13, f"font too small: {text.text!r}"


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_ids_are_prefixed_and_references_resolve(name: str, figures: ModuleType) -> None:
    root = parse(name)
    prefix = figures.PREFIXES[figure_of(name)] + "-"
    ids = [elem.get("id") for elem in root.iter() if elem.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert all(i is not None and i.startswith(prefix) for i in ids), ids
    assert any(local(elem.tag) == "marker" for elem in root.iter()), "arrows need a <marker>"
    text = (FIGURE_DIR / name).read_text(encoding="utf-8")
    for ref in re.findall(r"url\(#([^)]+)\)", text):
        assert ref in ids, f"url(#{ref}) points nowhere"


# --------------------------------------------------------------------------
# (c) no external references or active content
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_no_external_references(name: str) -> None:
    text = (FIGURE_DIR / name).read_text(encoding="utf-8")
    lowered = text.lower()
    for forbidden in ("<script", "<foreignobject", "@import", "javascript:"):
        assert forbidden not in lowered, f"{forbidden} is not allowed"

    stripped = lowered
    for uri in ALLOWED_URIS:
        stripped = stripped.replace(uri, "")
    assert not re.search(r"https?:|//", stripped), "only the SVG namespace URIs may be URLs"

    for match in re.finditer(r"url\(\s*(['\"]?)([^)'\"]*)", text):
        assert match.group(2).startswith("#"), f"external url(): {match.group(0)}"

    for elem in ET.parse(FIGURE_DIR / name).getroot().iter():
        if local(elem.tag) == "image":
            pytest.fail("<image> is not allowed")
        for key, value in elem.attrib.items():
            if local(key) == "href":
                assert value.startswith("#"), f"external href: {value}"
            if key.lower().startswith("on"):
                pytest.fail(f"event handler attribute {key}")


# --------------------------------------------------------------------------
# (d) contrast
# --------------------------------------------------------------------------


def test_contrast_ratio_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # #777777 on white is the classic "just fails AA" grey.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") >= 4.5


@pytest.mark.parametrize("theme", THEMES)
def test_palette_page_is_furo_background(theme: str, figures: ModuleType) -> None:
    assert figures.PALETTES[theme]["page"] == FURO_BACKGROUND[theme]
    for key, value in figures.PALETTES[theme].items():
        assert HEX_COLOUR.match(value), f"{theme}.{key} = {value!r}"


@pytest.mark.parametrize("theme", THEMES)
def test_text_contrast(theme: str, figures: ModuleType) -> None:
    pairs = figures.contrast_pairs(theme)
    assert len(pairs) >= 10, "contrast_pairs() should list every text/background use"
    failures = low_contrast(pairs, TEXT_MIN_CONTRAST)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_every_text_colour_is_checked(name: str, figures: ModuleType) -> None:
    """Each label colour in the SVG appears in contrast_pairs() of its theme."""
    checked = {fg.lower() for _, fg, _ in figures.contrast_pairs(theme_of(name))}
    for text in parse(name).iter(f"{{{SVG_NS}}}text"):
        fill = (text.get("fill") or "").lower()
        assert fill in checked, f"label {text.text!r} uses unchecked colour {fill!r}"


@pytest.mark.parametrize("theme", THEMES)
def test_line_contrast(theme: str, figures: ModuleType) -> None:
    pairs = figures.line_pairs(theme)
    assert pairs
    on_page = [(description, stroke, FURO_BACKGROUND[theme]) for description, stroke, _ in pairs]
    failures = low_contrast(on_page, GRAPHIC_MIN_CONTRAST)
    failures += low_contrast(pairs, GRAPHIC_MIN_CONTRAST)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_svg_graphics_contrast_with_page(name: str) -> None:
    """Arrows, markers, icons and borders as found in the file itself."""
    background = FURO_BACKGROUND[theme_of(name)]
    pairs = [(what, colour, background) for what, colour in graphic_colours(parse(name))]
    assert pairs
    failures = low_contrast(pairs, GRAPHIC_MIN_CONTRAST)
    assert not failures, "\n".join(failures)


def test_bad_palette_would_fail(figures: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contrast checks read the live palette, so a poor colour is caught."""
    monkeypatch.setitem(figures.PALETTES["light"], "text", "#999999")
    monkeypatch.setitem(figures.PALETTES["dark"], "line", "#3a3d42")
    assert low_contrast(figures.contrast_pairs("light"), TEXT_MIN_CONTRAST)
    dark_lines = [(d, s, FURO_BACKGROUND["dark"]) for d, s, _ in figures.line_pairs("dark")]
    assert low_contrast(dark_lines, GRAPHIC_MIN_CONTRAST)
    svg = figures.render_all()["pipeline-dark.svg"]
    assert low_contrast(
        [(w, c, FURO_BACKGROUND["dark"]) for w, c in graphic_colours(ET.fromstring(svg))],
        GRAPHIC_MIN_CONTRAST,
    )


def test_layout_check_catches_overflow(figures: ModuleType) -> None:
    drawing = figures.Drawing("pipeline", 800, 200, "light")
    with pytest.raises(figures.LayoutError):
        drawing.box(
            figures.Rect(10, 10, 60, 40),
            [figures.Line("とても長いラベルは箱に収まらない")],
            on=drawing.page,
            name="narrow",
        )
