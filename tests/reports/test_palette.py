"""The palette, as readers with a colour-vision deficiency and readers of a grey print see it.

Colour-blindness is simulated with the matrices of Machado, Oliveira and Fernandes (2009, "A
physiologically-based model for simulation of color vision deficiency"), severity 1.0, on
linear RGB; colours are compared by CIEDE2000 in CIELAB. Contrast is WCAG 2's. Every colour
a chart of theme scores or of the perception gap draws is checked, in plotly and in SVG.
"""

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest

from reports import charts, palette
from reports import svg as drawing

MACHADO = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
# Two lines are told apart at a glance at about 20 CIEDE2000 units (1 is the least a trained
# eye sees side by side); the palette this one replaced had 8.9 between its blue and purple
# for a deuteranope.
DISTINCT = 20
# Two lines printed in grey: at least this much apart in lightness (L*, 0 to 100).
GREY_APART = 12


def linear(colour):
    channels = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def luminance(rgb):
    red, green, blue = rgb
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(colour, background):
    high, low = sorted((luminance(linear(colour)), luminance(linear(background))), reverse=True)
    return (high + 0.05) / (low + 0.05)


def simulate(rgb, deficiency):
    simulated = (sum(m * c for m, c in zip(row, rgb, strict=True)) for row in MACHADO[deficiency])
    return tuple(min(1.0, max(0.0, c)) for c in simulated)


def lab(rgb):
    """CIELAB (D65) of linear sRGB."""
    red, green, blue = rgb
    x = (0.4124 * red + 0.3576 * green + 0.1805 * blue) / 0.95047
    y = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    z = (0.0193 * red + 0.1192 * green + 0.9505 * blue) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def ciede2000(first, second):
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = first, second
    mean_c = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(mean_c**7 / (mean_c**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1 = math.degrees(math.atan2(b1, a1)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, a2)) % 360 if c2 else 0.0
    dh = 0.0
    if c1 * c2:
        dh = h2 - h1 - 360 * (h2 - h1 > 180) + 360 * (h2 - h1 < -180)
    big_dh = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    mean_l, mean_cp = (l1 + l2) / 2, (c1 + c2) / 2
    if not c1 * c2:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    else:
        mean_h = (h1 + h2 + 360 * (1 if h1 + h2 < 360 else -1)) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(mean_h - 30))
        + 0.24 * math.cos(math.radians(2 * mean_h))
        + 0.32 * math.cos(math.radians(3 * mean_h + 6))
        - 0.20 * math.cos(math.radians(4 * mean_h - 63))
    )
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c, s_h = 1 + 0.045 * mean_cp, 1 + 0.015 * mean_cp * t
    r_t = (
        -2
        * math.sqrt(mean_cp**7 / (mean_cp**7 + 25**7))
        * math.sin(math.radians(60 * math.exp(-(((mean_h - 275) / 25) ** 2))))
    )
    dl, dc, dh_s = (l2 - l1) / s_l, (c2 - c1) / s_c, big_dh / s_h
    return math.sqrt(dl**2 + dc**2 + dh_s**2 + r_t * dc * dh_s)


def difference(first, second, deficiency=None):
    one, two = linear(first), linear(second)
    if deficiency:
        one, two = simulate(one, deficiency), simulate(two, deficiency)
    return ciede2000(lab(one), lab(two))


# The colours told apart on one chart: the lines of the theme scores (and one spare, for a
# line to come), and the ends of the perception gap's bars.
PAIRS = [
    *itertools.combinations(palette.LINE_COLOURS, 2),
    (palette.GAP_LOW.colour, palette.GAP_HIGH.colour),
]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    # Sharma, Wu and Dalal's published test pairs.
    [
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
    ],
)
def test_ciede2000_matches_the_published_test_data(first, second, expected):
    assert ciede2000(first, second) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("deficiency", MACHADO)
def test_each_pair_of_line_colours_stays_distinct_with_a_colour_vision_deficiency(deficiency):
    for first, second in PAIRS:
        assert difference(first, second) >= DISTINCT, (first, second)
        assert difference(first, second, deficiency) >= DISTINCT, (first, second)


def test_the_former_blue_and_purple_were_alike_for_a_deuteranope():
    # What the check catches: the report's former this-round and peer-median colours.
    assert difference("#1d70b8", "#912b88", "deuteranopia") < DISTINCT


def test_line_colours_differ_in_lightness_when_printed_in_grey():
    for first, second in PAIRS:
        grey = [lab(linear(colour))[0] for colour in (first, second)]
        assert abs(grey[0] - grey[1]) >= GREY_APART, (first, second)


def test_every_line_has_its_own_colour_dash_and_marker_so_colour_is_never_alone():
    lines = palette.THEME_LINES
    for look in ("colour", "dash", "marker"):
        assert len({getattr(line, look) for line in lines}) == len(lines), look
    assert all(line.colour in palette.LINE_COLOURS for line in lines)
    assert len(palette.DASHES) >= len(lines) and len(palette.MARKER_WORDS) >= len(lines)


# Contrast with the background, in every figure drawn


def plotly_colours(figure):
    """Every colour a plotly figure draws a line, a marker or a name in. A bar's fill only
    where it has no outline: an outline with 3:1 contrast shows the bar on its own."""
    for trace in figure["data"]:
        yield trace.get("line", {}).get("color")
        marker = trace.get("marker", {})
        outline = marker.get("line", {}).get("color")
        if trace["type"] != "bar" or not outline:
            yield marker.get("color")
        yield outline
        yield trace.get("textfont", {}).get("color")
    layout = figure["layout"]
    axes = [layout.get("xaxis", {}), *layout.get("polar", {}).values()]
    for axis in axes:
        yield axis.get("gridcolor")
        yield axis.get("linecolor")


def svg_colours(markup):
    """Every stroke and solid fill of an SVG chart, and its background: a translucent fill
    (the radar's area, the patches under names) is shading, not a line to see."""
    root = ET.fromstring(markup)
    painted = (e for e in root.iter() if e is not root and (e.get("fill") or e.get("stroke")))
    background, *elements = painted
    assert background.tag.endswith("rect") and background.get("width") == root.get("width")
    colours = {root.get("fill")}  # the text's
    for element in elements:
        if element.get("stroke") not in (None, "none"):
            colours.add(element.get("stroke"))
        fill = element.get("fill")
        if fill not in (None, "none") and element.get("fill-opacity") is None:
            colours.add(fill)
    return background.get("fill"), colours - {background.get("fill")}


AXES = ["Leadership", "Data and platforms", "Skills", "Services"]
LINES = [
    palette.Series(line.name, (40, 55, 70, 60), line.colour, line.dash, line.fill, line.marker)
    for line in palette.THEME_LINES
]
GROUPS = [
    palette.Series("Frontline", (30, 50, 70, 55), palette.BLUE),
    palette.Series("Digital", (60, 40, 80, 50), palette.BLUE),
    palette.Series("Corporate", (45, 45, 75, 50), palette.BLUE),
]


@pytest.mark.parametrize(
    "figure",
    [
        charts.radar_figure(AXES, LINES),
        charts.gap_figure(AXES, GROUPS),
        charts.distribution_figure(["Q1", "Q2"], [[1, 2, 3, 4, 5, 1, 1]] * 2, list("1234567")),
    ],
    ids=["radar", "gap", "answers"],
)
def test_every_plotly_line_marker_and_name_has_3_to_1_contrast_with_the_page(figure):
    # The figure is transparent on the page, whose background is the palette's.
    assert figure["layout"]["paper_bgcolor"] == "rgba(0, 0, 0, 0)"
    colours = {colour for colour in plotly_colours(figure) if colour}
    assert len(colours) >= 2
    for colour in colours:
        assert contrast(colour, palette.BACKGROUND) >= 3, colour


@pytest.mark.parametrize(
    "markup",
    [
        drawing.radar_svg(AXES, LINES, title="t", description="d"),
        drawing.dots_svg(AXES, LINES, title="t", description="d"),
        drawing.gap_svg(AXES, GROUPS, title="t", description="d"),
    ],
    ids=["radar", "dots", "gap"],
)
def test_every_svg_stroke_and_fill_has_3_to_1_contrast_with_its_background(markup):
    background, colours = svg_colours(markup)
    assert background == palette.BACKGROUND
    assert len(colours) >= 3
    for colour in colours:
        assert re.fullmatch(r"#[0-9a-f]{6}", colour), colour
        assert contrast(colour, background) >= 3, colour
