"""The report's charts as SVG: for the PDFs (WeasyPrint draws no JavaScript), and the dot chart
of the theme scores the page shows on a narrow screen or without JavaScript.

Each mirrors a plotly figure of `reports.charts` and draws from `reports.palette`, so the
PDF's radar has the page's colours, dashes, markers, axes and order. Pure but for marking the
finished markup safe for templates: every text is escaped as it is written.
"""

import base64
import math
import re
from collections.abc import Sequence
from html import escape
from typing import Any

from django.utils.safestring import mark_safe

from reports.charts import label_points, name_above, wrapped
from reports.palette import (
    BACKGROUND,
    DASHES,
    FONT,
    GAP_BETWEEN,
    GAP_COLOUR,
    GAP_HIGH,
    GAP_LOW,
    GRID_COLOUR,
    TEXT_COLOUR,
    Series,
    chart_key,
    gaps,
    radar_series,
)


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> str:
    # role="img" with <title> and <desc>: the chart's name and text alternative; the table
    # beside it carries the figures themselves. The background is painted, so that the
    # contrast of every line is the one the palette was checked for.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="app-svg-chart" '
        f'font-family="{escape(FONT)}" font-size="13" fill="{TEXT_COLOUR}">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        f'<rect width="{width}" height="{height}" fill="{BACKGROUND}"/>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, lines: Sequence[str], anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 1.15:.2f}em">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{spans}</text>'


def _name(x: float, y: float, lines: Sequence[str], anchor: str) -> str:
    """A name beside a point, on a patch of the background colour (as plotly's "shadow"),
    so that it stays legible where a line runs under it. A patch, not a halo of stroked
    text: WeasyPrint draws no stroke on text. Its size is reckoned at 7 pixels a character,
    about Arial's average at 13 pixels."""
    width = 7 * max(len(line) for line in lines) + 4
    height = 15 * len(lines) + 2
    left = {"start": x - 2, "middle": x - width / 2, "end": x - width + 2}[anchor]
    patch = (
        f'<rect x="{left:.1f}" y="{y - 12:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{BACKGROUND}" fill-opacity="0.85"/>'
    )
    return patch + _text(x, y, lines, anchor)


def marker(shape: str, x: float, y: float, colour: str, size: float = 9) -> str:
    """One of plotly's markers (those `palette.MARKER_WORDS` names) at (x, y), `size` across."""
    r = size / 2
    # Open markers are drawn hollow, on the background, so the line does not run through them.
    fill, stroke = (BACKGROUND, colour) if shape.endswith("-open") else (colour, colour)
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="2"'
    if shape.startswith("circle"):
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {paint}/>'
    if shape.startswith("square"):
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{size:.1f}" height="{size:.1f}" '
            f"{paint}/>"
        )
    if shape.startswith("diamond"):
        r *= 1.3
        corners = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    elif shape.startswith("triangle-up"):
        r *= 1.2
        corners = [(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)]
    else:
        raise ValueError(f"No SVG marker for {shape!r}.")
    points = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)
    return f'<polygon points="{points}" {paint}/>'


def _legend(series: Sequence[Series], y: float, width: int) -> list[str]:
    """A key of each line's dash and marker and its name, wrapping at `width`."""
    body, x = [], 20.0
    for item in series:
        size = 48 + 7.5 * len(item.name)
        if x + size > width and x > 20:
            x, y = 20.0, y + 22
        body.append(
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 34:.1f}" y2="{y:.1f}" '
            f'stroke="{item.colour}" stroke-width="3" stroke-dasharray="{DASHES[item.dash]}"/>'
        )
        body.append(marker(item.marker, x + 17, y, item.colour))
        body.append(_text(x + 42, y + 4.5, [item.name]))
        x += size
    return body


def radar_svg(
    axes: Sequence[str], series: Sequence[Series], *, title: str, description: str
) -> str:
    """The radar of `radar_figure` as SVG, for the PDFs: same axes, order, lines, scale."""
    width, radius = 640, 170
    cx, cy = width / 2, 250
    count = max(len(axes), 1)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count  # first at the top, clockwise
        r = radius * value / 100
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    body = []
    for ring in (25, 50, 75, 100):
        corners = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count)))
        body.append(f'<polygon points="{corners}" fill="none" stroke="{GRID_COLOUR}"/>')
        body.append(_text(cx + 4, cy - radius * ring / 100 - 3, [str(ring)], font_size="11"))
    for index, axis in enumerate(axes):
        x, y = point(index, 100)
        body.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>'
        )
        lx, ly = point(index, 112)
        anchor = "middle" if abs(lx - cx) < 20 else ("start" if lx > cx else "end")
        lines = wrapped(axis, 20)
        # Labels above the centre grow upwards, so they never run into the chart.
        offset = -(len(lines) - 1) * 15 if ly < cy - 20 else (0 if ly > cy + 20 else -7)
        body.append(_text(lx, ly + offset + 4, lines, anchor, font_size="12"))
    names = []
    for item, place in zip(series, label_points(series), strict=True):
        points = [None if v is None else point(i, v) for i, v in enumerate(item.values)]
        # A missing value breaks the line, as in plotly; a full ring is closed.
        runs: list[list[tuple[float, float]]] = [[]]
        for p in points:
            if p is None:
                runs.append([])
            else:
                runs[-1].append(p)
        if len(runs) == 1 and runs[0]:
            outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in runs[0])
            if item.fill:
                body.append(
                    f'<polygon points="{outline}" fill="{item.colour}" fill-opacity="0.12" '
                    'stroke="none"/>'
                )
            runs[0].append(runs[0][0])
        for segment in runs:
            if len(segment) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                body.append(
                    f'<polyline points="{path}" fill="none" stroke="{item.colour}" '
                    f'stroke-width="2.5" stroke-dasharray="{DASHES[item.dash]}"/>'
                )
        body.extend(marker(item.marker, p[0], p[1], item.colour) for p in points if p)
        if place is not None:
            # The line's name beside one of its points, as in plotly.
            x, y = points[place[0]] or (cx, cy)
            above = name_above(place, count)
            names.append(_name(x, y - 10 if above else y + 19, [item.name], "middle"))
    body.extend(names)  # over every line, so that no line crosses a name
    body.append('<g class="app-chart-key">' + "".join(_legend(series, 520, width)) + "</g>")
    return _svg(width, 540 + 22 * (len(series) > 3), title, description, body)


def dots_svg(axes: Sequence[str], series: Sequence[Series], *, title: str, description: str) -> str:
    """The theme scores for a narrow screen: for each theme, its title, then a row for each
    line, named, with its marker on a 0-100 scale and its score. Drawn 300 wide, to be shown
    at about that width, so that its text is 13 to 14 pixels there, 12.6 at the least on a
    320-pixel screen."""
    width, left, right = 300, 104, 258
    scale = (right - left) / 100
    body = [_text(left + tick * scale, 14, [str(tick)], "middle") for tick in (0, 50, 100)]
    y = 24.0
    for index, axis in enumerate(axes):
        lines = wrapped(axis, 34, 2)
        body.append(_text(0, y + 16, lines, font_size="14", font_weight="bold"))
        y += 8 + 17 * len(lines)
        # The scale's lines beside the theme's rows, not through its title.
        body.extend(
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y + 22 * len(series):.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-dasharray="2 3"/>'
            for x in (left + tick * scale for tick in (0, 50, 100))
        )
        for item in series:
            value = item.values[index] if index < len(item.values) else None
            body.append(_text(0, y + 15, [item.name]))
            body.append(
                f'<line x1="{left}" y1="{y + 11:.1f}" x2="{right}" y2="{y + 11:.1f}" '
                f'stroke="{GRID_COLOUR}"/>'
            )
            if value is not None:
                body.append(marker(item.marker, left + value * scale, y + 11, item.colour, 11))
            body.append(_text(width, y + 15, ["–" if value is None else f"{value:.0f}"], "end"))
            y += 22
        y += 6
    return _svg(width, int(y) + 4, title, description, body)


def gap_svg(
    themes: Sequence[str], series: Sequence[Series], *, title: str, description: str
) -> str:
    """`gap_figure` as SVG: for each theme a bar from its lowest group to its highest, each
    end marked and named, the groups between as open squares; 0 to 100."""
    width, left, right = 640, 170, 470
    scale = (right - left) / 100
    body = [
        _text(left + t * scale, 12, [str(t)], "middle", font_size="11") for t in range(0, 101, 25)
    ]
    y = 20.0
    rows = gaps(themes, series)
    for row in rows:
        start = len(body)
        lines = wrapped(row.heading, 80, 2)
        body.append(_text(0, y + 14, lines, font_weight="bold"))
        y += 10 + 16 * len(lines)
        middle = y + 12
        if row.low and row.high:
            x_low, x_high = left + row.low[1] * scale, left + row.high[1] * scale
            body.append(
                f'<line x1="{x_low:.1f}" y1="{middle:.1f}" x2="{x_high:.1f}" y2="{middle:.1f}" '
                f'stroke="{GAP_COLOUR}" stroke-width="4"/>'
            )
            for kind, (name, value), x, anchor in (
                (GAP_LOW, row.low, x_low - 12, "end"),
                (GAP_HIGH, row.high, x_high + 12, "start"),
            ):
                named = wrapped(f"{name} {value:.0f}", 24, 2)
                body.append(_name(x, middle + 4.5 - 7.5 * (len(named) - 1), named, anchor))
                body.append(marker(kind.marker, left + value * scale, middle, kind.colour, 12))
        body.extend(
            marker(GAP_BETWEEN.marker, left + value * scale, middle, GAP_BETWEEN.colour, 8)
            for _, value in row.between
        )
        # The scale's lines beside each bar, not through the theme's title above it.
        body[start:start] = [
            f'<line x1="{x:.1f}" y1="{middle - 14:.1f}" x2="{x:.1f}" y2="{middle + 14:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
            for x in (left + tick * scale for tick in range(0, 101, 25))
        ]
        y += 34
    key, x = [], 0.0
    kinds = [GAP_LOW, GAP_HIGH] + [GAP_BETWEEN] * any(row.between for row in rows)
    for kind in kinds:
        key.append(marker(kind.marker, x + 6, y + 14, kind.colour, 11))
        key.append(_text(x + 18, y + 18.5, [kind.name]))
        x += 30 + 7.5 * len(kind.name)
    body.append('<g class="app-chart-key">' + "".join(key) + "</g>")
    return _svg(width, int(y) + 30, title, description, body)


# The report's charts, from the context `reports.report.build_report` makes; every text in
# them is escaped (see above), so the markup is marked safe to insert as it is.


def _theme_series(report: dict[str, Any]) -> tuple[list[str], list[Series], str]:
    series = radar_series(report)
    return [theme.title for theme in report["themes"]], series, chart_key(series)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def add_dot_chart(report: dict[str, Any]) -> None:
    """The dot chart of the theme scores, for the page: an image, not inline SVG, because
    its 200-odd elements would be a seventh of the page's DOM for a chart that the table
    after it repeats, and that a desktop with JavaScript does not even show."""
    titles, series, key = _theme_series(report)
    drawing = dots_svg(titles, series, title="Chart of the theme scores", description=key)
    report["dots"] = {
        "src": data_uri(drawing),
        "alt": f"Chart of the theme scores out of 100, a row for each of: {key} "
        "The table that follows gives the same figures.",
        "size": _size(drawing),
    }


def _size(svg: str) -> tuple[str, str]:
    """An SVG's width and height from its view box: an image's, so the page does not jump."""
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    if box is None:
        raise ValueError("an SVG drawn here always has a view box")
    return box.group(1), box.group(2)


GAP_TITLE = (
    "Chart of each theme’s lowest and highest group score; the table that follows gives "
    "every group’s figures."
)
GAP_DESCRIPTION = (
    "For each theme, a bar from the lowest group’s score to the highest, each end named, 0 to 100."
)


def add_gap_chart(report: dict[str, Any]) -> None:
    """The perception gap as an image, for the page on a narrow screen or without JavaScript,
    where plotly is not loaded at all (static/js/report-charts.js)."""
    if not report["groups"]["series"]:
        return
    titles = [theme.title for theme in report["themes"]]
    drawing = gap_svg(
        titles, report["groups"]["series"], title=GAP_TITLE, description=GAP_DESCRIPTION
    )
    report["gap_image"] = {"src": data_uri(drawing), "alt": GAP_TITLE, "size": _size(drawing)}


def add_pdf_charts(report: dict[str, Any]) -> None:
    """The page's charts as SVG for the PDFs."""
    titles, series, key = _theme_series(report)
    names = ", ".join(s.name.lower() for s in series)
    report["chart_key"] = key
    report["radar_svg"] = mark_safe(
        radar_svg(
            titles,
            series,
            # The title is also the PDF's alternative text for the chart.
            title=f"Radar chart of the theme scores out of 100 ({names}); "
            "the table that follows gives the same figures.",
            description=f"One spoke per theme, 0 at the centre and 100 at the edge. {key}",
        )
    )
    if report["groups"]["series"]:
        report["groups_svg"] = mark_safe(
            gap_svg(
                titles, report["groups"]["series"], title=GAP_TITLE, description=GAP_DESCRIPTION
            )
        )
