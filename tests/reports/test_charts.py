"""The chart builders: pure functions, tested without a database; and every plotly figure
the pages embed, checked against plotly's own schema."""

import copy
import json
import re
import xml.etree.ElementTree as ET

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
