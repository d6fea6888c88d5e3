"""The report's charts as plotly figures (plain dicts) for the page.

What they draw and how each line looks is in `reports.palette`; `reports.svg` draws the same
charts as SVG for the PDFs from it, so the PDF's radar has the colours, dashes, markers, axes
and order of the page's. Pure: no Django, no database; the views pass in titles and
whole-point scores.

Every label comes from text an admin or a respondent typed, and plotly renders a subset of
HTML in labels, so `label()` escapes &, < and > before any text is sent to it; the SVG
escapes its text the same way. Line breaks in labels are our own <br>, added after escaping.
"""

import math
import textwrap
from collections.abc import Sequence
from html import escape
from typing import Any

from reports.palette import (
    DONT_KNOW_COLOUR,
    FONT,
    GAP_BETWEEN,
    GAP_COLOUR,
    GAP_HIGH,
    GAP_LOW,
    GRID_COLOUR,
    LEVEL_COLOURS,
    NOT_APPLICABLE_COLOUR,
    OUTLINE_COLOUR,
    TEXT_COLOUR,
    Gap,
    Series,
    chart_key,
    gaps,
    radar_series,
)

Figure = dict[str, Any]

# Plotly's config for every chart: no toolbar (its buttons need inline styles, which our
# Content-Security-Policy refuses) and resizing with the page.
CONFIG = {"displayModeBar": False, "responsive": True}
# Names on a chart, beside a point: a halo in the background colour keeps them legible
# where a line runs under them.
NAME_FONT = {"color": TEXT_COLOUR, "size": 13, "shadow": "auto"}
# Bar charts keep the legend above the bars, where it is read before them.
LEGEND_ABOVE = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"}


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


def label_points(series: Sequence[Series]) -> list[tuple[int, bool] | None]:
    """Where to name each line on the chart: the axis where it is furthest from the other
    lines (an axis no other line is named at, if there is one), and whether it is the
    highest line there, so that its name goes outside the ring rather than inside. None for
    a line with no value, or when there is one line, which needs no name beside it."""
    if len(series) < 2:
        return [None] * len(series)
    taken: set[int] = set()
    places: list[tuple[int, bool] | None] = []
    for item in series:
        best: tuple[bool, float, int] | None = None
        for axis, value in enumerate(item.values):
            if value is None:
                continue
            others = [o.values[axis] for o in series if o is not item]
            known = [v for v in others if v is not None]
            room = min((abs(value - v) for v in known), default=100.0)
            # Prefer an axis not taken, then the most room; ties go to the first axis.
            rank = (axis not in taken, room, -axis)
            if best is None or rank > best:
                best = rank
        if best is None:
            places.append(None)
            continue
        axis = -best[2]
        taken.add(axis)
        value = item.values[axis] or 0
        places.append((axis, all(value >= (v or 0) for v in (o.values[axis] for o in series))))
    return places


def name_above(place: tuple[int, bool], axes: int) -> bool:
    """Whether a line's name goes above its point on the screen: outside the ring for the
    highest line at that axis, inside it for the others."""
    axis, highest = place
    upper = math.cos(2 * math.pi * axis / max(axes, 1)) >= -1e-9
    return upper == highest


def radar_figure(axes: Sequence[str], series: Sequence[Series]) -> Figure:
    """A plotly radar: the first axis at the top, the others clockwise, 0 to 100; each line
    with its own dash and marker, and named beside one of its points."""
    ticks = [label(axis) for axis in axes]
    # Axes by angle in degrees, not by category name, so two themes with one title stay two.
    angles = [360 * i / len(axes) for i in range(len(axes))]
    data = []
    for item, place in zip(series, label_points(series), strict=True):
        # Closed by repeating the first point; a None leaves a gap in the line.
        values = [*item.values, item.values[0]] if item.values else []
        names = [""] * len(values)
        if place is not None:
            names[place[0]] = label(item.name)
        data.append(
            {
                "type": "scatterpolar",
                "name": label(item.name),
                "r": values,
                "theta": [*angles, 0] if axes else [],
                "customdata": [*ticks, ticks[0]] if ticks else [],
                "mode": "lines+markers+text" if place else "lines+markers",
                "text": names,
                "textposition": "top center"
                if place and name_above(place, len(axes))
                else "bottom center",
                "textfont": NAME_FONT,
                "line": {"color": item.colour, "dash": item.dash, "width": 3},
                "marker": {
                    "symbol": item.marker,
                    "size": 9,
                    "color": item.colour,
                    "line": {"color": item.colour, "width": 2},
                },
                "fill": "toself" if item.fill else "none",
                "fillcolor": translucent(item.colour),
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
                    "linecolor": GRID_COLOUR,
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
                    "linecolor": GRID_COLOUR,
                },
            },
        ),
        "config": CONFIG,
    }


def translucent(colour: str, opacity: float = 0.15) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {opacity})"


# Horizontal bars: answers to each question, stacked


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
            # The lighter fills have under 3:1 contrast with the page: an outline that has
            # it marks where each segment begins and ends.
            "marker": {
                "color": colours[c % len(colours)],
                "line": {"color": OUTLINE_COLOUR, "width": 1},
            },
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


# The perception gap: a dumbbell per theme


def _gap_points(rows: Sequence[Gap], kind: Series, end: str | None) -> Figure:
    xs: list[float] = []
    ys: list[int] = []
    names: list[str] = []
    for index, row in enumerate(rows):
        points = [getattr(row, end)] if end and getattr(row, end) else []
        for name, value in points if end else row.between:
            xs.append(value)
            ys.append(index)
            names.append(name)
    trace: Figure = {
        "type": "scatter",
        "name": label(kind.name),
        "x": xs,
        "y": ys,
        "customdata": [label(name) for name in names],
        "mode": "markers",
        "marker": {
            "symbol": kind.marker,
            "size": 13 if end else 9,
            "color": kind.colour,
            "line": {"color": kind.colour, "width": 2},
        },
        "cliponaxis": False,
        "hovertemplate": "%{customdata}: %{x:.0f}<extra></extra>",
    }
    if end:
        # Each end named beside it: the lowest to its left, the highest to its right.
        trace["mode"] = "markers+text"
        trace["text"] = [
            _plotly_label(f"{name} {value:.0f}", 22, 2)
            for name, value in zip(names, xs, strict=True)
        ]
        trace["textposition"] = "middle left" if end == "low" else "middle right"
        trace["textfont"] = NAME_FONT
    return trace


GAP_MARGIN = 170  # either side, for the names of the lowest and highest groups


def gap_figure(themes: Sequence[str], series: Sequence[Series]) -> Figure:
    """A dumbbell per theme: a bar from its lowest group's score to its highest, each end
    named, the other groups as open squares on the bar; 0 to 100."""
    rows = gaps(themes, series)
    bars: Figure = {
        "type": "scatter",
        "name": "Gap",
        "x": [x for row in rows if row.low and row.high for x in (row.low[1], row.high[1], None)],
        "y": [y for i, row in enumerate(rows) if row.low and row.high for y in (i, i, None)],
        "mode": "lines",
        "line": {"color": GAP_COLOUR, "width": 4},
        "hoverinfo": "skip",
        "showlegend": False,
    }
    headings = [
        {
            # Bold by the font, not by <b>: plotly would write that as a style attribute,
            # which the Content-Security-Policy refuses.
            "text": _plotly_label(row.heading, 60, 2),
            "font": {"weight": "bold"},
            "bgcolor": "rgba(255, 255, 255, 0.85)",  # over the scale's lines
            # At the left edge of the figure, over the names of the lowest groups.
            "x": 0,
            "xref": "paper",
            "xshift": -GAP_MARGIN,
            "xanchor": "left",
            "y": index - 0.35,
            "yanchor": "bottom",
            "align": "left",
            "showarrow": False,
        }
        for index, row in enumerate(rows)
    ]
    return {
        "data": [
            bars,
            _gap_points(rows, GAP_LOW, "low"),
            _gap_points(rows, GAP_HIGH, "high"),
            _gap_points(rows, GAP_BETWEEN, None),
        ],
        "layout": _layout(
            height=130 + 84 * len(rows),
            margin={"l": GAP_MARGIN, "r": GAP_MARGIN, "t": 30, "b": 40},
            annotations=headings,
            xaxis={
                # A little beyond 0 and 100, so that their grid lines show.
                "range": [-1, 101],
                "tickvals": [0, 25, 50, 75, 100],
                "gridcolor": GRID_COLOUR,
                "zeroline": False,
                "side": "top",
            },
            yaxis={
                "range": [len(rows) - 0.5, -0.9],
                "showticklabels": False,
                "showgrid": False,
                "zeroline": False,
            },
            legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top"},
        ),
        "config": CONFIG,
    }


# The report's charts, from the context `reports.report.build_report` makes


def answer_categories(report: dict[str, Any]) -> list[str]:
    """The answer categories of the stacked bars: levels 1 to 5, then N/A and don't know."""
    names = report["level_names"]
    return [*(f"{i} {name}".strip() for i, name in enumerate(names, 1)), "N/A", "Don’t know"]


def answer_counts(theme: Any) -> list[list[int]]:
    return [
        [*q.figures.counts, q.figures.not_applicable, q.figures.dont_know] for q in theme.questions
    ]


def add_page_charts(report: dict[str, Any]) -> None:
    """Plotly figures for the page, each embedded with json_script and drawn by
    static/js/report-charts.js; and the dot chart of the theme scores as SVG, drawn by
    `reports.svg` for narrow screens and browsers without JavaScript."""
    themes = report["themes"]
    titles = [theme.title for theme in themes]
    series = radar_series(report)
    report["radar"] = radar_figure(titles, series)
    report["chart_key"] = chart_key(series)
    if report["groups"]["series"]:
        report["groups_chart"] = gap_figure(titles, report["groups"]["series"])
    categories = answer_categories(report)
    for theme in themes:
        theme.chart = distribution_figure(
            [q.text for q in theme.questions], answer_counts(theme), categories
        )
