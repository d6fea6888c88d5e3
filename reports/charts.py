"""The report's charts: one palette, and the plotly figures (plain dicts) for the page.

`reports.svg` draws the same charts as SVG for the PDFs from this palette and axis order, so
the PDF's radar has the colours, axes and order of the page's. Pure: no Django, no database;
the views pass in titles and whole-point scores.

Every label comes from text an admin or a respondent typed, and plotly renders a subset of
HTML in labels, so `label()` escapes &, < and > before any text is sent to it; the SVG
escapes its text the same way. Line breaks in labels are our own <br>, added after escaping.
"""

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

DASHES = {"solid": "", "dash": "6 4", "dot": "2 3", "longdash": "12 4"}
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


def translucent(colour: str, opacity: float = 0.15) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {opacity})"


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


# The report's charts, from the context `reports.report.build_report` makes


def radar_series(report: dict[str, Any]) -> list[Series]:
    """The radar's lines, a value per theme in bank order: this round, then the comparison
    round and the peer median where the report has them."""
    themes = report["themes"]
    scores = tuple(t.score.points if t.score else None for t in themes)
    series = [Series("This round", scores, THIS_ROUND, fill=True)]
    if report["trend"]:
        previous = tuple(t.shift.previous if t.shift else None for t in themes)
        if any(value is not None for value in previous):
            series.append(Series("Previous round", previous, PREVIOUS_ROUND, "dash"))
    if report["peers"]:
        medians = tuple(t.peer_median for t in themes)
        if any(value is not None for value in medians):
            series.append(Series("Peer median", medians, PEER_MEDIAN, "dot"))
    return series


# The organisation's targets: one line of their own, long dashes in GOV.UK green.
TARGET = "#00703c"


def target_series(report: dict[str, Any]) -> list[Series]:
    """The radar's target line, if any theme has a target (reports.plans): each target
    level drawn at the lowest score named that level, a gap where a theme has none."""
    values = tuple(t.plan.target_points if t.plan else None for t in report["themes"])
    if all(value is None for value in values):
        return []
    return [Series("Target", values, TARGET, "longdash")]


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
    static/js/report-charts.js."""
    themes = report["themes"]
    titles = [theme.title for theme in themes]
    report["radar"] = radar_figure(titles, [*radar_series(report), *target_series(report)])
    if report["groups"]["series"]:
        report["groups_chart"] = groups_figure(titles, report["groups"]["series"])
    categories = answer_categories(report)
    for theme in themes:
        theme.chart = distribution_figure(
            [q.text for q in theme.questions], answer_counts(theme), categories
        )
