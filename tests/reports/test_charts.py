"""The chart builders: pure functions, tested without a database; and every plotly figure
the pages embed, checked against plotly's own schema."""

import copy
import json
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from django.urls import reverse

from reports import charts, palette
from reports import svg as drawing
from tests.factories import (
    OrganisationFactory,
    RoundFactory,
    closed_round,
    member_of,
    peer_rounds,
    submit_responses,
)

SVG = "{http://www.w3.org/2000/svg}"
AXES = ["Leadership", "Data & <b>platforms</b>", "Skills"]


def series(*values, name="This round", colour=palette.THIS_ROUND, dash="solid"):
    return palette.Series(name, tuple(values), colour, dash)


def test_label_escapes_the_html_plotly_would_render():
    assert charts.label('<img src=x onerror="alert(1)"> & co') == (
        '&lt;img src=x onerror="alert(1)"&gt; &amp; co'
    )


def test_radar_starts_at_the_top_runs_clockwise_and_closes_its_ring():
    figure = charts.radar_figure(AXES, [series(10, 50, 90)])
    trace = figure["data"][0]
    assert trace["r"] == [10, 50, 90, 10]
    assert trace["theta"] == [0, 120, 240, 0]
    angular = figure["layout"]["polar"]["angularaxis"]
    assert (angular["rotation"], angular["direction"]) == (90, "clockwise")
    assert figure["layout"]["polar"]["radialaxis"]["range"] == [0, 100]


def test_radar_labels_are_escaped_everywhere_plotly_renders_text():
    figure = charts.radar_figure(AXES, [series(1, 2, 3, name="<i>Ours</i>")])
    trace = figure["data"][0]
    ticks = figure["layout"]["polar"]["angularaxis"]["ticktext"]
    assert ticks[1] == "Data &amp;<br>&lt;b&gt;platforms&lt;/b&gt;"
    assert trace["customdata"][1] == "Data &amp; &lt;b&gt;platforms&lt;/b&gt;"
    assert trace["name"] == "&lt;i&gt;Ours&lt;/i&gt;"
    assert "<i>" not in trace["hovertemplate"]


def test_radar_svg_is_well_formed_and_titled_and_escapes_its_text():
    svg = drawing.radar_svg(
        AXES, [series(10, None, 90)], title="Scores <b>", description="Same as the table & more"
    )
    root = ET.fromstring(svg)  # raises on markup an unescaped label would break
    assert root.find(f"{SVG}title").text == "Scores <b>"
    assert root.find(f"{SVG}desc").text == "Same as the table & more"
    # The label is text, shown as typed, never an element.
    assert "<b>platforms</b>" in "".join(root.itertext())
    assert root.find(f".//{SVG}b") is None


def test_radar_svg_draws_each_series_in_the_plotly_colour_and_dash():
    previous = series(20, 30, 40, name="Previous round", colour=palette.PREVIOUS_ROUND, dash="dash")
    svg = drawing.radar_svg(AXES, [series(10, 50, 90), previous], title="t", description="d")
    root = ET.fromstring(svg)
    lines = root.findall(f"{SVG}polyline")
    assert [line.get("stroke") for line in lines] == [palette.THIS_ROUND, palette.PREVIOUS_ROUND]
    assert lines[1].get("stroke-dasharray") == palette.DASHES["dash"]
    # Closed rings: four points for three axes, ending where they start.
    points = lines[0].get("points").split()
    assert len(points) == 4 and points[0] == points[-1]


def test_a_missing_value_breaks_the_radar_line():
    svg = drawing.radar_svg(
        ["A", "B", "C", "D"], [series(10, 20, None, 40)], title="t", description="d"
    )
    root = ET.fromstring(svg)
    # A-B is one segment; D alone has no neighbour to join, so no ring is closed.
    assert [len(line.get("points").split()) for line in root.findall(f"{SVG}polyline")] == [2]
    assert len(root.findall(f"{SVG}circle")) == 3


def test_distribution_gives_each_category_its_share_of_the_answers():
    figure = charts.distribution_figure(
        ["Q1", "Q2"], [[1, 1, 0, 0, 2, 0, 0], [0, 0, 0, 0, 0, 0, 0]], ["1", "2", "3", "4", "5"]
    )
    level_1, level_5 = figure["data"][0], figure["data"][4]
    assert level_1["x"] == [25.0, 0.0] and level_1["customdata"] == [1, 0]
    assert level_5["x"] == [50.0, 0.0]
    assert figure["layout"]["barmode"] == "stack"


def test_gap_svg_is_well_formed_with_escaped_labels():
    groups = drawing.gap_svg(
        ["<img src=x>"],
        [series(40, name="<script>x</script>"), series(60, name="Frontline")],
        title="t",
        description="d",
    )
    root = ET.fromstring(groups)
    assert root.find(f".//{SVG}script") is None and root.find(f".//{SVG}img") is None
    assert "&lt;img src=x&gt;" in groups and "&lt;script&gt;" in groups


def test_long_labels_wrap_to_a_few_lines():
    lines = charts.wrapped("word " * 40, 20, lines=3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) <= 20 for line in lines)


# Against plotly's schema: plotly.py validates every property and value of a figure as it
# builds it, from the same schema plotly.js is generated from, and raises ValueError on a
# property plotly.js does not have (which plotly.js itself would silently ignore).


def check_plotly(figure):
    """Build `figure` with plotly.py, which raises ValueError if it is not valid. (Its
    `config` goes to plotly.js at drawing time; plotly.py has no schema for it.)"""
    assert set(figure) == {"data", "layout", "config"}
    assert figure["data"], "a figure without traces"
    go.Figure({"data": figure["data"], "layout": figure["layout"]})


PREVIOUS = series(20, None, 40, name="Previous round", colour=palette.PREVIOUS_ROUND, dash="dash")
PEERS = series(30, 40, 50, name="Peer median", colour=palette.PEER_MEDIAN, dash="dot")
FIGURES = {
    "radar": lambda: charts.radar_figure(AXES, [series(10, 50, 90), PREVIOUS, PEERS]),
    "radar of one theme": lambda: charts.radar_figure(["Only"], [series(None)]),
    "filled radar": lambda: charts.radar_figure(
        AXES, [palette.Series("Your scores", (10, 50, 90), palette.THIS_ROUND, fill=True)]
    ),
    "distribution": lambda: charts.distribution_figure(
        ["Q1 " * 30, "<b>Q2</b>"],
        [[1, 1, 0, 0, 2, 0, 3], [0] * 7],
        ["1 Initial", "2", "3", "4", "5 Leading", "N/A", "Don’t know"],
    ),
    "groups": lambda: charts.gap_figure(
        AXES, [series(40, 50, None, name="Digital"), series(60, 70, 80, name="Frontline")]
    ),
}


@pytest.mark.parametrize("name", FIGURES)
def test_chart_builders_make_figures_plotly_accepts(name):
    check_plotly(FIGURES[name]())


@pytest.mark.parametrize(
    "spoil",
    [
        lambda f: f["data"][0]["line"].update(colour="#000000"),
        lambda f: f["layout"]["polar"]["radialaxis"].update(range="0 to 100"),
        lambda f: f["layout"].update(legend_position="top"),
        lambda f: f["data"][0].update(type="radar"),
    ],
    ids=["misspelt property", "wrong type of value", "unknown layout property", "unknown trace"],
)
def test_the_plotly_check_refuses_what_plotly_js_would_ignore(spoil):
    figure = copy.deepcopy(FIGURES["radar"]())
    spoil(figure)
    with pytest.raises(ValueError):
        check_plotly(figure)


def embedded_figures(page):
    """The figures a page embeds with json_script, by element id."""
    scripts = re.findall(
        r'<script id="([^"]+)" type="application/json">(.*?)</script>',
        page.content.decode(),
        re.S,
    )
    return {element_id: json.loads(content) for element_id, content in scripts}


@pytest.mark.django_db
def test_every_figure_the_report_and_confirmation_pages_embed_is_valid_plotly(client, version):
    # A report with every chart: a previous round, a peer benchmark, two role groups shown.
    organisation = OrganisationFactory()
    submit_responses(closed_round(organisation, version), 5, level=2)
    peer_rounds(version, 5)
    round = closed_round(organisation, version, days_ago=1)
    submit_responses(round, 5, role_group="digital", level=4)
    submit_responses(round, 5, role_group="frontline", level=2)
    (respondent,) = submit_responses(RoundFactory(questionnaire_version=version), 1)
    client.force_login(member_of(organisation))
    report = embedded_figures(client.get(reverse("reports:round", args=[round.pk])))
    # Each theme's answers chart is on the theme's own page.
    for theme in version.themes.all():
        page = client.get(reverse("reports:theme", args=[round.pk, theme.key]))
        report.update(embedded_figures(page))
    client.logout()
    client.get(reverse("assessments:resume", args=[respondent.token]))
    confirmation = embedded_figures(client.get(reverse("reports:confirmation")))

    themes = version.themes.count()
    assert set(report) == {
        "radar-data",
        "groups-data",
        *(f"distribution-{n}" for n in range(1, themes + 1)),
    }
    assert [trace["name"] for trace in report["radar-data"]["data"]] == [
        "This round",
        "Previous round",
        "Peer median",
    ]
    assert set(confirmation) == {"respondent-radar"}
    for figure in [*report.values(), *confirmation.values()]:
        check_plotly(figure)


# Lines told apart without colour, and named on the chart


THREE = [
    palette.Series(line.name, values, line.colour, line.dash, line.fill, line.marker)
    for line, values in zip(
        palette.THEME_LINES[:3], [(10, 50, 90), (20, None, 40), (30, 40, 50)], strict=True
    )
]


def test_each_radar_line_has_its_own_dash_and_marker_and_its_name_beside_a_point():
    traces = charts.radar_figure(AXES, THREE)["data"]
    assert len({t["line"]["dash"] for t in traces}) == len({t["marker"]["symbol"] for t in traces})
    assert len({t["line"]["dash"] for t in traces}) == 3
    for trace in traces:
        assert [text for text in trace["text"] if text] == [trace["name"]]
        assert "text" in trace["mode"]
    # Each named at its own axis, where it is furthest from the others.
    assert [t["text"].index(t["name"]) for t in traces] == [2, 0, 1]


def test_a_line_is_named_outside_the_ring_where_it_is_highest():
    places = charts.label_points(THREE)
    # This round is highest at the third axis (90), which is in the lower half of the ring:
    # outside it is below the point.
    assert places[0] == (2, True)
    assert not charts.name_above(places[0], 3)
    assert charts.name_above((0, True), 3) and not charts.name_above((0, False), 3)


def test_a_single_line_needs_no_name_on_the_chart():
    (trace,) = charts.radar_figure(AXES, THREE[:1])["data"]
    assert trace["mode"] == "lines+markers" and not any(trace["text"])


def test_radar_svg_draws_each_line_with_its_marker_and_names_it():
    root = ET.fromstring(drawing.radar_svg(AXES, THREE, title="t", description="d"))
    # Markers: circles for this round, open squares for the previous one (two of its three
    # values), diamonds for the peer median; the key below repeats one of each.
    assert len(root.findall(f"{SVG}circle")) == 3
    # Besides the background and the patches under the names (translucent), two squares,
    # open: filled with the background.
    squares = [r for r in root.findall(f"{SVG}rect")[1:] if not r.get("fill-opacity")]
    assert len(squares) == 2
    assert all(r.get("fill") == palette.BACKGROUND for r in squares)
    texts = ["".join(t.itertext()) for t in root.findall(f"{SVG}text")]
    assert all(line.name in texts for line in palette.THEME_LINES[:3])


def test_dot_chart_names_every_line_in_every_theme_with_its_score():
    svg = drawing.dots_svg(AXES, THREE, title="Scores", description="d")
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    for axis in AXES:
        assert axis in texts
    assert texts.count("This round") == texts.count("Peer median") == len(AXES)
    assert {"10", "50", "90", "20", "–", "40"} <= set(texts)
    # Drawn 300 wide to be shown at a phone's width: no text under 13 units.
    assert root.get("viewBox").split()[2] == "300"
    assert all(
        float(t.get("font-size", root.get("font-size"))) >= 13 for t in root.iter(f"{SVG}text")
    )
    # One marker per score, each of its line's shape: no missing value is drawn.
    assert len(root.findall(f"{SVG}circle")) == 3 and len(root.findall(f"{SVG}polygon")) == 3


def test_adding_a_line_is_one_entry_in_the_line_definitions(monkeypatch):
    # The organisation's target was added so; here it stands in for any new line.
    themes = [
        SimpleNamespace(score=SimpleNamespace(points=p), shift=None, peer_median=None)
        for p in (40, 60, 80)
    ]
    target = palette.Line(
        "Target", palette.WINE, "dashdot", "triangle-up-open", lambda report: [70, 70, 90]
    )
    monkeypatch.setattr(palette, "THEME_LINES", (*palette.THEME_LINES[:3], target))
    report = {"themes": themes, "trend": None, "peers": None}
    series = palette.radar_series(report)
    assert [s.name for s in series] == ["This round", "Target"]
    figure = charts.radar_figure(AXES, series)
    assert figure["data"][1]["line"]["dash"] == "dashdot"
    assert figure["data"][1]["marker"]["symbol"] == "triangle-up-open"
    check_plotly(figure)
    assert "Target: dash-dot line with open triangles." in palette.chart_key(series)
    for draw in (drawing.radar_svg, drawing.dots_svg):
        root = ET.fromstring(draw(AXES, series, title="t", description="d"))
        assert "Target" in "".join(root.itertext())


@pytest.mark.parametrize("shape", palette.MARKER_WORDS)
def test_svg_draws_every_marker_the_lines_may_use(shape):
    element = ET.fromstring(
        f'<svg xmlns="http://www.w3.org/2000/svg">{drawing.marker(shape, 10, 10, "#000000")}</svg>'
    )[0]
    assert element.get("fill") == ("#ffffff" if shape.endswith("-open") else "#000000")


# The perception gap: a dumbbell per theme, both ends named

GROUPS = [
    palette.Series("Frontline", (30, 50, None), palette.BLUE),
    palette.Series("Digital <b>", (60, 40, 80), palette.BLUE),
    palette.Series("Corporate", (45, 50, None), palette.BLUE),
]


def test_gaps_name_each_themes_lowest_and_highest_group():
    first, second, third = palette.gaps(AXES[:3], GROUPS)
    assert (first.low, first.high, first.points) == (("Frontline", 30), ("Digital <b>", 60), 30)
    assert first.between == (("Corporate", 45),)
    # Level at the top: both named.
    assert second.high == ("Frontline and Corporate", 50) and second.low == ("Digital <b>", 40)
    # One group alone has no gap.
    assert (third.low, third.high, third.points) == (None, None, None)


def test_gap_figure_names_the_groups_at_each_end_of_each_bar():
    figure = charts.gap_figure(AXES[:3], GROUPS)
    check_plotly(figure)
    bars, low, high, between = figure["data"]
    assert bars["x"] == [30, 60, None, 40, 50, None]
    assert low["text"] == ["Frontline 30", "Digital &lt;b&gt; 40"]
    assert high["text"] == ["Digital &lt;b&gt; 60", "Frontline and<br>Corporate 50"]
    assert (low["textposition"], high["textposition"]) == ("middle left", "middle right")
    # The groups between the ends; and a theme's one score, with no gap to draw.
    assert between["x"] == [45, 80] and between["customdata"] == ["Corporate", "Digital &lt;b&gt;"]
    assert len({t["marker"]["symbol"] for t in (low, high, between)}) == 3
    headings = [a["text"] for a in figure["layout"]["annotations"]]
    assert headings == [
        "Leadership: gap of 30",
        "Data &amp; &lt;b&gt;platforms&lt;/b&gt;: gap of 10",
        "Skills",
    ]
    assert figure["layout"]["annotations"][0]["font"] == {"weight": "bold"}


def test_gap_svg_names_the_groups_at_each_end_as_text():
    svg = drawing.gap_svg(AXES[:3], GROUPS, title="t", description="d")
    root = ET.fromstring(svg)
    texts = [" ".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Frontline 30" in texts and "Digital <b> 60" in texts
    assert "Leadership: gap of 30" in texts
    assert root.find(f".//{SVG}b") is None
    assert {"Lowest group", "Highest group", "Other groups"} <= set(texts)
