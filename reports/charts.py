"""The report's charts: plotly figures (plain dicts) for the page, SVG for the PDFs.

Both kinds are drawn here from one palette and one axis order, so the PDF's radar has the
colours, axes and order of the page's. Pure: no Django, no database; the views pass in
titles and whole-point scores.

Every label comes from text an admin or a respondent typed, and plotly renders a subset of
HTML in labels, so `label()` escapes &, < and > before any text is sent to it; the SVG
escapes its text the same way. Line breaks in labels are our own <br>, added after escaping.
"""

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

Figure = dict[str, Any]

# GOV.UK Frontend colours: each has at least 3:1 contrast with white, as lines and bars need.
THIS_ROUND = "#1d70b8"  # blue
PREVIOUS_ROUND = "#505a5f"  # dark grey, dashed
PEER_MEDIAN = "#912b88"  # purple, dotted
# Answers, from level 1 (light) to level 5 (dark), then "Not applicable" and "Don't know".
LEVEL_COLOURS = ("#d2e2f1", "#a5c6e3", "#5694ca", "#1d70b8", "#003078")
NOT_APPLICABLE_COLOUR = "#b1b4b6"
DONT_KNOW_COLOUR = "#f47738"
GROUP_COLOURS = ("#1d70b8", "#f47738", "#00703c", "#912b88", "#505a5f", "#28a197", "#d4351c")
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#b1b4b6"
FONT = 'arial, "Liberation Sans", "DejaVu Sans", sans-serif'

DASHES = {"solid": "", "dash": "6 4", "dot": "2 3"}
# Plotly's config for every chart: no toolbar (its buttons need inline styles, which our
# Content-Security-Policy refuses) and resizing with the page.
CONFIG = {"displayModeBar": False, "responsive": True}
# Bar charts keep the legend above the bars, where it is read before them.
LEGEND_ABOVE = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"}


@dataclass(frozen=True)
class Series:
    """One line or one set of bars: a value (whole points, 0-100) per axis, None for none."""

    name: str
    values: tuple[float | None, ...]
    colour: str
    dash: str = "solid"
    fill: bool = False


def label(text: str) -> str:
    """Text safe in a plotly label: &, < and > escaped, so no tag in it is rendered."""
    return escape(text, quote=False)


def wrapped(text: str, width: int, lines: int = 3) -> list[str]:
    """`text` in lines of about `width` characters, at most `lines` of them."""
    parts = textwrap.wrap(text, width) or [""]
    if len(parts) > lines:
        parts = [
            *parts[: lines - 1],
            textwrap.shorten(" ".join(parts[lines - 1 :]), width, placeholder=" …"),
        ]
    return parts


def _plotly_label(text: str, width: int, lines: int = 3) -> str:
    return "<br>".join(label(part) for part in wrapped(text, width, lines))


def _layout(**extra: Any) -> Figure:
    layout: Figure = {
        "font": {"family": FONT, "size": 14, "color": TEXT_COLOUR},
        # Transparent on the white page, so that the shadow showing that a chart scrolls
        # sideways on a small screen (app.scss) shows through.
        "paper_bgcolor": "rgba(0, 0, 0, 0)",
        "plot_bgcolor": "rgba(0, 0, 0, 0)",
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": -0.08, "yanchor": "top"},
        "hoverlabel": {"font": {"family": FONT, "size": 14}},
    }
    layout.update(extra)
    return layout


# Radar


def radar_figure(axes: Sequence[str], series: Sequence[Series]) -> Figure:
    """A plotly radar: the first axis at the top, the others clockwise, 0 to 100."""
    ticks = [label(axis) for axis in axes]
    # Axes by angle in degrees, not by category name, so two themes with one title stay two.
    angles = [360 * i / len(axes) for i in range(len(axes))]
    data = []
    for item in series:
        # Closed by repeating the first point; a None leaves a gap in the line.
        values = [*item.values, item.values[0]] if item.values else []
        data.append(
            {
                "type": "scatterpolar",
                "name": label(item.name),
                "r": values,
                "theta": [*angles, 0] if axes else [],
                "customdata": [*ticks, ticks[0]] if ticks else [],
                "mode": "lines+markers",
                "line": {"color": item.colour, "dash": item.dash, "width": 3},
                "marker": {"size": 7},
                "fill": "toself" if item.fill else "none",
                "fillcolor": _translucent(item.colour),
                "connectgaps": False,
                "hovertemplate": "%{customdata}: %{r:.0f} out of 100<extra>"
                + label(item.name)
                + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=560,
            margin={"l": 110, "r": 110, "t": 80, "b": 40},
            polar={
                "radialaxis": {
                    "range": [0, 100],
                    "tickvals": [0, 25, 50, 75, 100],
                    "angle": 90,
                    "tickangle": 90,
                    "gridcolor": GRID_COLOUR,
                    "tickfont": {"size": 12},
                },
                "angularaxis": {
                    "type": "linear",
                    "thetaunit": "degrees",
                    "tickmode": "array",
                    "tickvals": angles,
                    "ticktext": [_plotly_label(axis, 18) for axis in axes],
                    "direction": "clockwise",
                    "rotation": 90,
                    "gridcolor": GRID_COLOUR,
                },
            },
        ),
        "config": CONFIG,
    }


def _translucent(colour: str, opacity: float = 0.15) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {opacity})"


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


# Horizontal bars: answers to each question (stacked) and scores by role group (grouped)


def distribution_figure(
    questions: Sequence[str], counts: Sequence[Sequence[int]], categories: Sequence[str]
) -> Figure:
    """Stacked bars, one a question: each answer category's share of the question's answers.

    `counts` holds a row per question with a count per category (levels 1 to 5, then "Not
    applicable" and "Don't know"); `categories` names them, in that order.
    """
    colours = (*LEVEL_COLOURS, NOT_APPLICABLE_COLOUR, DONT_KNOW_COLOUR)
    totals = [sum(row) or 1 for row in counts]
    ticks = [_plotly_label(question, 36) for question in questions]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": label(category),
            "y": list(range(len(questions))),
            "x": [
                round(100 * row[c] / total, 1) for row, total in zip(counts, totals, strict=True)
            ],
            "customdata": [row[c] for row in counts],
            "marker": {"color": colours[c % len(colours)]},
            "hovertemplate": label(category) + ": %{customdata} (%{x:.0f}%)<extra></extra>",
        }
        for c, category in enumerate(categories)
    ]
    return {
        "data": data,
        "layout": _layout(
            barmode="stack",
            height=140 + 62 * len(questions),
            margin={"l": 10, "r": 20, "t": 10, "b": 40},
            xaxis={"range": [0, 100], "ticksuffix": "%", "gridcolor": GRID_COLOUR},
            yaxis={
                "tickvals": list(range(len(questions))),
                "ticktext": ticks,
                "autorange": "reversed",
                "automargin": True,
            },
            legend=LEGEND_ABOVE,
        ),
        "config": CONFIG,
    }


def groups_figure(themes: Sequence[str], series: Sequence[Series]) -> Figure:
    """Grouped bars: each theme's score for each role group, 0 to 100."""
    ticks = [_plotly_label(theme, 24) for theme in themes]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": label(item.name),
            "y": list(range(len(themes))),
            "x": list(item.values),
            "customdata": [label(theme) for theme in themes],
            "marker": {"color": item.colour},
            "hovertemplate": "%{customdata}: %{x:.0f}<extra>" + label(item.name) + "</extra>",
        }
        for item in series
    ]
    return {
        "data": data,
        "layout": _layout(
            barmode="group",
            height=120 + len(themes) * (18 * len(series) + 26),
            margin={"l": 10, "r": 20, "t": 10, "b": 40},
            xaxis={"range": [0, 100], "tickvals": [0, 25, 50, 75, 100], "gridcolor": GRID_COLOUR},
            yaxis={
                "tickvals": list(range(len(themes))),
                "ticktext": ticks,
                "autorange": "reversed",
                "automargin": True,
            },
            legend=LEGEND_ABOVE,
        ),
        "config": CONFIG,
    }


def distribution_svg(
    questions: Sequence[str],
    counts: Sequence[Sequence[int]],
    categories: Sequence[str],
    *,
    title: str,
    description: str,
) -> str:
    """`distribution_figure` as SVG: a 100% bar per question, its label above it."""
    colours = (*LEVEL_COLOURS, NOT_APPLICABLE_COLOUR, DONT_KNOW_COLOUR)
    width, bar = 640, 16
    body, y = [], 6.0
    for question, row in zip(questions, counts, strict=True):
        lines = wrapped(question, 95, 2)
        body.append(_text(0, y + 12, lines, font_size="11"))
        y += 15 * len(lines) + 4
        x, total = 0.0, sum(row) or 1
        for c, count in enumerate(row):
            share = width * count / total
            if share:
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{share:.1f}" height="{bar}" '
                    f'fill="{colours[c % len(colours)]}"/>'
                )
            x += share
        y += bar + 10
    legend = [Series(name, (), colours[c % len(colours)]) for c, name in enumerate(categories)]
    swatches, legend_height = _swatches(legend, y + 6, width)
    return _svg(width, int(y + 6 + legend_height) + 6, title, description, [*body, *swatches])


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
