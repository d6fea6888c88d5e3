"""The round report page: who may see it, what it shows, and what it must not."""

import base64
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Membership, Response
from maturity.models import Question, Theme
from tests.factories import (
    OrganisationFactory,
    ResponseFactory,
    RoundFactory,
    closed_round,
    draft_version,
    member_of,
    peer_rounds,
    published_version,
    submit_responses,
)

pytestmark = pytest.mark.django_db


def report_url(round):
    return reverse("reports:round", args=[round.pk])


def chart(page, element_id):
    """The figure a json_script element holds, as plotly.js will read it."""
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        page.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def text(page):
    """The page's visible text, tags removed and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())


# Access


@pytest.mark.parametrize("role", [Membership.Role.LEAD, Membership.Role.VIEWER])
def test_members_of_the_organisation_see_the_report(client, round, role):
    client.force_login(member_of(round.organisation, role))
    page = client.get(report_url(round))
    assert page.status_code == 200
    assert round.title in page.content.decode()


def test_a_member_of_another_organisation_gets_404(client, round):
    client.force_login(member_of(OrganisationFactory()))
    assert client.get(report_url(round)).status_code == 404


def test_staff_are_not_members_by_being_staff(admin_client, round):
    assert admin_client.get(report_url(round)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, round):
    page = client.get(report_url(round))
    assert page.status_code == 302
    assert page.url.startswith(reverse("login"))


def test_the_report_only_answers_get_and_head(lead_client, round):
    assert lead_client.post(report_url(round)).status_code == 405


# Under the anonymity threshold


def test_a_round_under_k_shows_its_response_count_and_nothing_else(client):
    round = RoundFactory(anonymity_threshold=5)
    submit_responses(round, 4, level=5, comment="A comment nobody may read yet")
    client.force_login(member_of(round.organisation))
    page = client.get(report_url(round))
    body = text(page)
    assert "4 responses submitted" in body
    assert "No figures yet" in body
    for absent in ("out of 100", "Theme 1", "Level", "A comment", "radar-data"):
        assert absent not in body
    assert "reports/" not in page.content.decode().split("<main")[1]  # no download links
    assert "plotly" not in page.content.decode()


# What the page shows


def test_headline_shows_overall_score_level_band_and_weakest_theme(lead_client, round):
    submit_responses(round, 5, levels={round.questionnaire_version.themes.first().key: 1})
    page = lead_client.get(report_url(round))
    body = text(page)
    # Theme 1: 6 at level 3 and 5 at level 1 -> (6 x 50) / 11 = 27.3; theme 2: 50. Theme 1's
    # scores are 50 (6) and 0 (5): SD 26.1, se 7.9, t(10) 2.23: a margin of 18.
    assert re.search(r"Overall score 39 out of 100 ±\d+ Level 2: Emerging", body)
    assert "Weakest theme 27 ±18 Theme 1 Level 2: Emerging" in body
    assert "Responses 11" in body
    assert "EU band" not in body and "Maturity level" not in body


def test_response_rate_counts_personal_links_only(lead_client, round):
    submit_responses(round, 3, is_personal=True)
    ResponseFactory.create_batch(7, round=round, is_personal=True)  # issued, not submitted
    body = text(lead_client.get(report_url(round)))
    assert "3 by personal link (30% of 10 sent), 6 by open link" in body


def test_theme_cards_show_spread_disagreement_and_knowledge_gap(lead_client, round):
    first = round.questionnaire_version.themes.first()
    submit_responses(round, 6, levels={first.key: 5})  # 6 at 50 and 6 at 100: IQR 50
    question = first.questions.first()
    response = round.responses.first()
    response.answers.filter(question=question).update(kind="dk", option=None, level=None)
    page = lead_client.get(report_url(round))
    card = text(page).split("Each theme in detail")[2].split("Theme 2")[0]
    assert "Staff disagree" in card
    assert "Middle half 50 to 100 (range 50)" in card
    assert "Don’t know 3% of answers" in card  # 1 of 36 answers


def test_recommendations_come_weakest_first_for_each_themes_level(lead_client, round):
    first, second = round.questionnaire_version.themes.all()
    submit_responses(round, 30, levels={first.key: 5, second.key: 2})
    page = lead_client.get(report_url(round))
    assert [theme.key for theme in page.context["priorities"]] == [second.key, first.key]
    section = text(page).split("Priorities and recommendations")[2]
    # Theme 2: (6 x 50 + 30 x 25) / 36 = 29, level 2; theme 1: (6 x 50 + 30 x 100) / 36 = 92,
    # level 5, which the bank's level-5 text sustains.
    assert section.index("Next steps from level 2.") < section.index("Next steps from level 5.")
    assert "Towards level 3, Established" in section
    assert "Sustaining the highest level" in section


def test_comments_are_shown_escaped_and_without_role_group(client):
    round = closed_round()
    submit_responses(round, 5, comment="<script>alert('x')</script> too slow", role_group="digital")
    client.force_login(member_of(round.organisation))
    theme = round.questionnaire_version.themes.first()
    page = client.get(reverse("reports:theme", args=[round.pk, theme.key]))
    html = page.content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; too slow" in html
    comments = html.split('id="comments"')[1]
    assert "Digital, IT or data" not in comments
    assert "5 of 5 comments" not in comments  # all five shown, so no "of" line


def test_perception_gap_names_hidden_groups_without_their_counts(client):
    round = closed_round()
    submit_responses(round, 7, role_group="frontline", level=2)
    submit_responses(round, 8, role_group="corporate", level=4)
    submit_responses(round, 6, role_group="digital")
    submit_responses(round, 2, role_group="commercial")
    client.force_login(member_of(round.organisation))
    page = client.get(report_url(round))
    section = (
        text(page)
        .split("How different groups see the organisation")[2]
        .split("Change since an earlier round")[0]
    )
    # At close the two commercial responses cannot be a cell of their own: the smallest
    # group cell (digital, 6) joins them, so 8 count in the overall figures only.
    assert "Corporate services (8)" in section and "Frontline service delivery (7)" in section
    assert "8 more count in the overall figures only" in section
    assert "(6)" not in section and "(2)" not in section
    hidden = section.split("Not shown separately")[1]
    for label in ("Digital, IT or data", "Commercial or procurement", "Senior leadership"):
        assert label in hidden
    assert [g["label"] for g in page.context["groups"]["shown"]] == [
        "Corporate services",
        "Frontline service delivery",
    ]
    # The chart names each theme's lowest and highest group beside its score.
    figure = chart(page, "groups-data")
    low, high = (trace for trace in figure["data"] if trace.get("text"))
    assert low["customdata"] == ["Frontline service delivery"] * 2 and low["x"] == [25, 25]
    assert high["customdata"] == ["Corporate services"] * 2 and high["x"] == [75, 75]
    assert high["text"] == ["Corporate services 75"] * 2


def test_trend_states_how_many_questions_are_comparable_across_versions(client):
    organisation = OrganisationFactory()
    old = published_version(
        theme_keys=["a", "b"], question_keys=[["a1", "a2", "a3"], ["b1", "b2", "b3"]]
    )
    new = published_version(
        questionnaire=old.questionnaire,
        theme_keys=["a", "b"],
        question_keys=[["a1", "a2", "a9"], ["b1", "b2", "b3"]],
    )
    previous = closed_round(organisation, old, days_ago=90)
    submit_responses(previous, 12, level=2)
    round = closed_round(organisation, new, days_ago=1)
    submit_responses(round, 12, level=4)
    client.force_login(member_of(organisation))
    page = client.get(report_url(round))
    body = text(page)
    assert "5 of 6 questions comparable" in body
    assert f"Compared with “{previous.title}”" in body
    # Previous 25, this round 75, up 50 points (everyone alike: the smallest margin, ±1);
    # 2 of 3 questions comparable in theme a.
    assert "Theme 1 25 75 ▲ Up 50 (±1) 2 of 3" in body
    assert "Theme 2 25 75 ▲ Up 50 (±1) 3 of 3" in body
    assert f"Since {previous.title} 25 → 75; 2 of 3 questions comparable" in body
    radar = chart(page, "radar-data")
    assert [trace["name"] for trace in radar["data"]] == ["This round", "Previous round"]
    assert radar["data"][1]["r"] == [25, 25, 25]  # closed ring: two themes and the first again


def test_without_a_previous_round_there_is_no_trend(lead_client, round):
    body = text(lead_client.get(report_url(round)))
    assert "nothing to compare with yet" in body
    assert "questions comparable" not in body


def test_peer_benchmark_shows_median_spread_and_n_but_no_ranking(lead_client, round):
    peers = peer_rounds(round.questionnaire_version, 5, level=4)
    page = lead_client.get(report_url(round))
    section = (
        text(page)
        .split("Compared with similar organisations")[2]
        .split("Answers to each question")[0]
    )
    assert "How 5 other general public services organisations" in section
    assert "Theme 1 50 75 75 to 75 5 Below the middle half" in section
    for ranking in ("league", " of 6", "1st", "6th", "position", "percentile"):
        assert ranking not in section.lower()
    assert not any(peer.organisation.name in page.content.decode() for peer in peers)
    radar = chart(page, "radar-data")
    assert radar["data"][-1]["name"] == "Peer median"


def test_peer_benchmark_is_hidden_under_five_organisations(lead_client, round):
    peer_rounds(round.questionnaire_version, 4)
    page = lead_client.get(report_url(round))
    assert "Not shown: fewer than 5 other general public services organisations" in text(page)
    assert page.context["peers"] is None
    assert "Peer median" not in json.dumps(chart(page, "radar-data"))


def test_admin_text_is_escaped_in_the_page_and_in_chart_labels(client):
    version = draft_version()
    Theme.objects.filter(pk=version.themes.first().pk).update(title='<script>alert("t")</script>')
    question = Question.objects.filter(theme__questionnaire_version=version).first()
    Question.objects.filter(pk=question.pk).update(text="<img src=x onerror=alert(1)>")
    version.publish()
    round = closed_round(version=version)
    submit_responses(round, 5)
    client.force_login(member_of(round.organisation))
    page = client.get(report_url(round))
    html = page.content.decode()
    assert '<script>alert("t")' not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    # json_script makes the JSON safe in the page; the labels inside it are escaped too, so
    # plotly.js, which renders some HTML in labels, shows them as text.
    radar = chart(page, "radar-data")
    assert radar["data"][0]["customdata"][0] == '&lt;script&gt;alert("t")&lt;/script&gt;'
    theme_page = client.get(reverse("reports:theme", args=[round.pk, version.themes.first().key]))
    assert "<img src=x" not in theme_page.content.decode()
    bars = chart(theme_page, "distribution-1")
    assert bars["layout"]["yaxis"]["ticktext"][0].startswith("&lt;img src=x")
    assert "<img" not in json.dumps(bars) and "<script" not in json.dumps(radar)


def test_charts_are_data_for_a_static_script_not_inline_code(lead_client, round):
    html = lead_client.get(report_url(round)).content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all('type="application/json"' in attrs or "src=" in attrs for attrs in scripts)
    assert "/static/build/plotly.min.js" in html and "/static/js/report-charts.js" in html
    assert "cdn" not in html.lower()
    assert 'style="' not in html


# Cost


def count_queries(client, round):
    client.get(report_url(round))  # fills the figures cache
    with CaptureQueriesContext(connection) as queries:
        page = client.get(report_url(round))
    assert page.status_code == 200
    return len(queries)


def test_report_page_costs_the_same_queries_for_10_and_60_responses(client):
    counts = []
    for n in (10, 60):
        version = published_version(themes=3, questions=4)
        organisation = OrganisationFactory()
        previous = closed_round(organisation, version)
        submit_responses(previous, 5)
        peer_rounds(version, 5)
        round = RoundFactory(organisation=organisation, questionnaire_version=version)
        submit_responses(round, n // 2, role_group="digital", comment="Slow.")
        submit_responses(round, n // 2, role_group="frontline", level=2, is_personal=True)
        client.force_login(member_of(organisation))
        counts.append(count_queries(client, round))
    # Session, user, round; figures, previous round and its figures, peers (3), bank (4),
    # comments, response rate; the organisation's plan (targets, views, actions).
    assert counts[0] == counts[1] <= 16


def test_report_page_counts_only_submitted_responses(lead_client, round):
    ResponseFactory.create_batch(3, round=round)  # drafts
    assert round.responses.filter(submitted_at__isnull=True).count() == 3
    body = text(lead_client.get(report_url(round)))
    assert "6 responses submitted" in body
    assert Response.objects.filter(round=round).count() == 9


def test_a_dot_chart_drawn_on_the_server_stands_in_for_the_radar(lead_client, round):
    # For narrow screens and browsers without JavaScript: an SVG in the page itself, each
    # theme with a row per line, named, and its score.
    peer_rounds(round.questionnaire_version, 5, level=4)
    page = lead_client.get(report_url(round))
    html = page.content.decode()
    figure = re.search(
        r'<figure class="app-dots"><img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"',
        html,
    )
    drawing = base64.b64decode(figure.group(1)).decode()
    assert drawing.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "the table that follows gives the same figures" in figure.group(2).lower()
    texts = re.findall(r"<tspan [^>]*>([^<]*)</tspan>", drawing)
    for theme in page.context["themes"]:
        assert theme.title in texts
        assert str(theme.score.points) in texts
    assert texts.count("This round") == texts.count("Peer median") == len(page.context["themes"])
    assert "Peer median: dotted line with filled diamonds." in text(page)
