"""What the report's charts draw and how each thing looks, for plotly (`reports.charts`) and
SVG (`reports.svg`) alike: the palette, the lines of the theme-score charts, and each theme's
gap between groups. Pure: no Django, no database.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# The palette. Lines are told apart by their dash and marker as well as their colour, and
# named on the chart, so that no chart relies on colour alone; the colours themselves come
# from Okabe and Ito's set for colour-blind readers (blue, black; their vermillion lightened
# a little towards orange, and Tol's wine for a fourth line), chosen so that any two differ
# clearly for a reader with protanopia, deuteranopia or tritanopia, and in lightness when
# printed in grey, and each has at least 3:1 contrast with the white page, as lines and
# markers need (tests/reports/test_palette.py checks all three).
BACKGROUND = "#ffffff"
BLUE = "#0072b2"
ORANGE = "#e07000"
BLACK = "#000000"
WINE = "#882255"
LINE_COLOURS = (BLUE, ORANGE, BLACK, WINE)
THIS_ROUND = BLUE
PREVIOUS_ROUND = ORANGE
PEER_MEDIAN = BLACK
TARGET = WINE
GROUP_COLOURS = LINE_COLOURS
GAP_COLOUR = "#505a5f"  # the bar joining a theme's lowest and highest group
# Answers, from level 1 (light) to level 5 (dark), then "Not applicable" and "Don't know".
LEVEL_COLOURS = ("#d2e2f1", "#a5c6e3", "#5694ca", "#1d70b8", "#003078")
NOT_APPLICABLE_COLOUR = "#b1b4b6"
DONT_KNOW_COLOUR = "#f47738"
OUTLINE_COLOUR = "#505a5f"  # around a bar whose fill is too light to see on its own
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#8e9295"  # 3.1:1 on white: the scale stays readable, lighter than any line
FONT = 'arial, "Liberation Sans", "DejaVu Sans", sans-serif'

# Plotly's dash names, with the SVG dash pattern and the words that describe each.
DASHES = {"solid": "", "dash": "8 4", "dot": "2 3", "dashdot": "8 3 2 3"}
DASH_WORDS = {"solid": "solid", "dash": "dashed", "dot": "dotted", "dashdot": "dash-dot"}
# Plotly's marker names; reports.svg draws each of them.
MARKER_WORDS = {
    "circle": "filled circles",
    "square-open": "open squares",
    "diamond": "filled diamonds",
    "triangle-up-open": "open triangles",
}


@dataclass(frozen=True)
class Series:
    """One line or one set of bars: a value (whole points, 0-100) per axis, None for none."""

    name: str
    values: tuple[float | None, ...]
    colour: str
    dash: str = "solid"
    fill: bool = False
    marker: str = "circle"

    @property
    def key(self) -> str:
        """How the line looks, in words, for the text beside a chart."""
        return f"{DASH_WORDS[self.dash]} line with {MARKER_WORDS[self.marker]}"


@dataclass(frozen=True)
class Line:
    """One line of the charts of theme scores (the radar, the dot chart): its name, its look
    and its value for each theme of a report, None where the report has no such line. A new
    line is one more entry in `THEME_LINES`, with a dash and a marker of its own."""

    name: str
    colour: str
    dash: str
    marker: str
    values: Callable[[dict[str, Any]], Sequence[float | None] | None]
    fill: bool = False


def _this_round(report: dict[str, Any]) -> list[float | None]:
    return [t.score.points if t.score else None for t in report["themes"]]


def _previous_round(report: dict[str, Any]) -> list[float | None] | None:
    if not report["trend"]:
        return None
    return [t.shift.previous if t.shift else None for t in report["themes"]]


def _peer_median(report: dict[str, Any]) -> list[float | None] | None:
    return [t.peer_median for t in report["themes"]] if report["peers"] else None


def _target(report: dict[str, Any]) -> list[float | None] | None:
    """Each theme's target level drawn at the lowest score of that level (reports.plans)."""
    values = [t.plan.target_points if t.plan else None for t in report["themes"]]
    return values if any(value is not None for value in values) else None


THEME_LINES = (
    Line("This round", THIS_ROUND, "solid", "circle", _this_round, fill=True),
    Line("Previous round", PREVIOUS_ROUND, "dash", "square-open", _previous_round),
    Line("Peer median", PEER_MEDIAN, "dot", "diamond", _peer_median),
    Line("Target", TARGET, "dashdot", "triangle-up-open", _target),
)


def radar_series(report: dict[str, Any]) -> list[Series]:
    """The lines of `THEME_LINES` the report has, a value per theme in bank order. This
    round always; any other line only where it has a value for some theme."""
    series: list[Series] = []
    for line in THEME_LINES:
        values = line.values(report)
        if values is None or (series and all(v is None for v in values)):
            continue
        series.append(
            Series(line.name, tuple(values), line.colour, line.dash, line.fill, line.marker)
        )
    return series


def chart_key(series: Sequence[Series]) -> str:
    """The text beside a chart that says which line is which, without colour."""
    return "; ".join(f"{item.name}: {item.key}" for item in series) + "."


# The perception gap: for each theme, its lowest and highest group


@dataclass(frozen=True)
class Gap:
    """One theme's group scores: the lowest and highest (names, score) where two or more
    groups have a score, and every (name, score) between them; or, where one group alone
    has a score, that score in `between`, with no gap."""

    theme: str
    low: tuple[str, float] | None
    high: tuple[str, float] | None
    between: tuple[tuple[str, float], ...]

    @property
    def points(self) -> float | None:
        return self.high[1] - self.low[1] if self.low and self.high else None

    @property
    def heading(self) -> str:
        """The theme's title, with its gap where it has one."""
        points = self.points
        return self.theme if points is None else f"{self.theme}: gap of {points:.0f}"


def gaps(themes: Sequence[str], series: Sequence[Series]) -> list[Gap]:
    """Each theme's gap between groups, from a series of scores per group; groups level at
    the top or bottom are named together."""
    rows = []
    for index, theme in enumerate(themes):
        scores = [
            (item.name, value)
            for item in series
            if index < len(item.values) and (value := item.values[index]) is not None
        ]
        if len(scores) < 2:
            rows.append(Gap(theme, None, None, tuple(scores)))
            continue
        lowest = min(value for _, value in scores)
        highest = max(value for _, value in scores)
        rows.append(
            Gap(
                theme,
                (_named(scores, lowest), lowest),
                (_named(scores, highest), highest),
                tuple((n, v) for n, v in scores if lowest < v < highest),
            )
        )
    return rows


def _named(scores: Sequence[tuple[str, float]], score: float) -> str:
    return " and ".join(name for name, value in scores if value == score)


# How the gap chart draws its three kinds of point, in plotly's terms (reports.svg too).
GAP_LOW = Series("Lowest group", (), ORANGE, marker="diamond")
GAP_HIGH = Series("Highest group", (), BLUE, marker="circle")
GAP_BETWEEN = Series("Other groups", (), BLACK, marker="square-open")
