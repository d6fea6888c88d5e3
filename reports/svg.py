"""The report's charts as SVG, drawn here for the PDFs (WeasyPrint draws no JavaScript).

Each mirrors a plotly figure of `reports.charts`, with its palette, axes and order, so the
PDF's radar is the page's radar. Pure but for marking the finished markup safe for templates:
every text is escaped as it is written.
"""

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from django.utils.safestring import mark_safe

from reports.charts import (
    DASHES,
    FONT,
    GRID_COLOUR,
    TEXT_COLOUR,
    Series,
    radar_series,
    target_series,
    wrapped,
)


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> str:
    # role="img" with <title> and <desc>: the chart's name and text alternative; the table
    # beside it carries the figures themselves.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="app-svg-chart" '
        f'font-family="{escape(FONT)}" font-size="13" fill="{TEXT_COLOUR}">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, lines: Sequence[str], anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 1.15:.2f}em">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{spans}</text>'


def _legend(series: Sequence[Series], y: float, width: int) -> list[str]:
    body, x = [], 20.0
    for item in series:
        size = 34 + 7.5 * len(item.name)
        if x + size > width and x > 20:
            x, y = 20.0, y + 22
        body.append(
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 26:.1f}" y2="{y:.1f}" '
            f'stroke="{item.colour}" stroke-width="3" stroke-dasharray="{DASHES[item.dash]}"/>'
        )
        body.append(_text(x + 32, y + 4.5, [item.name]))
        x += size
    return body


def radar_svg(
    axes: Sequence[str], series: Sequence[Series], *, title: str, description: str
) -> str:
    """The radar of `radar_figure` as SVG, for the PDFs: same axes, order, colours, scale."""
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
    for item in series:
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
        for p in points:
            if p is not None:
                body.append(
                    f'<circle cx="{p[0]:.1f}" cy="{p[1]:.1f}" r="3.5" fill="{item.colour}"/>'
                )
    body.extend(_legend(series, 520, width))
    return _svg(width, 540 + 22 * (len(series) > 3), title, description, body)


def _swatches(series: Sequence[Series], y: float, width: int = 640) -> tuple[list[str], float]:
    """A legend of colour squares, wrapping at `width`; returns it and its height."""
    body, x, top = [], 0.0, y
    for item in series:
        size = 28 + 6 * len(item.name)
        if x + size > width and x > 0:
            x, y = 0.0, y + 18
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{item.colour}"/>')
        body.append(_text(x + 16, y + 10.5, [item.name], font_size="11"))
        x += size
    return body, y - top + 18


def groups_svg(
    themes: Sequence[str], series: Sequence[Series], *, title: str, description: str
) -> str:
    """`groups_figure` as SVG: for each theme, a bar per role group on a 0-100 scale."""
    width, left, bar = 640, 200, 10
    scale = (width - left - 30) / 100
    body, y = [], 4.0
    for tick in (0, 25, 50, 75, 100):
        x = left + tick * scale
        body.append(_text(x, y + 10, [str(tick)], "middle", font_size="10"))
    y += 16
    top = y
    for index, theme in enumerate(themes):
        height = bar * len(series) + 12
        lines = wrapped(theme, 30, 2)
        body.append(_text(0, y + height / 2 - 7 * (len(lines) - 1) + 4, lines, font_size="11"))
        for s, item in enumerate(series):
            value = item.values[index] if index < len(item.values) else None
            if value is not None:
                body.append(
                    f'<rect x="{left}" y="{y + 6 + s * bar:.1f}" width="{value * scale:.1f}" '
                    f'height="{bar - 1}" fill="{item.colour}"/>'
                )
        y += height
    for tick in (0, 25, 50, 75, 100):
        x = left + tick * scale
        body.insert(
            0,
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>',
        )
    swatches, legend = _swatches(series, y + 8, width)
    return _svg(width, int(y + 8 + legend) + 6, title, description, [*body, *swatches])


# The report's charts, from the context `reports.report.build_report` makes


def add_pdf_charts(report: dict[str, Any]) -> None:
    """The page's charts as SVG for the PDFs; every text in them is escaped (see above), so
    the markup is marked safe to insert as it is."""
    themes = report["themes"]
    titles = [theme.title for theme in themes]
    series = [*radar_series(report), *target_series(report)]
    names = ", ".join(s.name.lower() for s in series)
    report["radar_svg"] = mark_safe(
        radar_svg(
            titles,
            series,
            # The title is also the PDF's alternative text for the chart.
            title=f"Radar chart of the theme scores out of 100 ({names}); "
            "the table that follows gives the same figures.",
            description=f"One spoke per theme, 0 at the centre and 100 at the edge: {names}.",
        )
    )
    if report["groups"]["series"]:
        report["groups_svg"] = mark_safe(
            groups_svg(
                titles,
                report["groups"]["series"],
                title="Bar chart of the theme scores by role group; "
                "the table that follows gives the same figures.",
                description="For each theme, a bar for each role group shown, 0 to 100.",
            )
        )
