"""The plan in a round's report: targets on the radar, in the theme table and the priorities;
the leadership's view beside the staff's score; evidence coverage, open and overdue actions on
the board summary; what was done since the comparison round."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Action, Membership, Target
from maturity.models import Recommendation
from maturity.versioning import load_bank
from reports import palette, plans
from reports.report import Score, build_report, cache_key
from reports.svg import add_pdf_charts
from tests.factories import (
    ActionFactory,
    LeadershipViewFactory,
    OrganisationFactory,
    RoundFactory,
    TargetFactory,
    closed_round,
    days,
    default_bank,
    member_of,
    peer_rounds,
    submit_responses,
)
from tests.reports.test_pdf import get_pdf, pdf_text
from tests.reports.test_report_page import chart, text

pytestmark = pytest.mark.django_db


# The arithmetic, from scores as shown


def score(points, margin, level):
    return Score(points=points, margin=margin, level=level, name="")


@pytest.mark.parametrize(
    ("level", "direction", "points", "levels"),
    [
        (4, plans.HIGHER, 9, 1),  # 60 lies 9 above 45 + 6
        (5, plans.HIGHER, 29, 2),
        (1, plans.LOWER, 20, -2),  # 19 lies 20 below 45 - 6
        (3, plans.WITHIN, 0, 0),
        (2, plans.WITHIN, 0, -1),  # 20-39 reaches 39, the bottom of 45 ± 6
    ],
)
def test_the_claim_gap_is_the_distance_from_the_staff_interval_to_the_leaderships_band(
    level, direction, points, levels
):
    gap = plans.ClaimGap.of(level, score(45, 6, 3))
    assert (gap.direction, gap.points, gap.levels) == (direction, points, levels)


def test_points_to_go_count_to_the_lowest_score_of_the_target_level():
    assert [plans.points_to_go(level, score(45, 6, 3)) for level in (1, 3, 4, 5)] == [0, 0, 15, 35]
    assert plans.target_points(4) == 60


# A round compared with an earlier one, and its organisation's plan


@pytest.fixture
def round(db):
    """An open round of the shared bank (Theme 1 and Theme 2), half its answers at level 2 and
    half at level 4, after a closed round 60 days ago answered at level 2."""
    organisation = OrganisationFactory()
    submit_responses(closed_round(organisation, days_ago=60), 12, level=2)
    round = RoundFactory(organisation=organisation)
    submit_responses(round, 10, level=2)
    submit_responses(round, 10, level=4)
    return round


@pytest.fixture
def keys(round):
    return [theme.key for theme in round.questionnaire_version.themes.all()]


def lead_of(client, round, role=Membership.Role.LEAD):
    client.force_login(member_of(round.organisation, role))
    return client


def report_page(client, round):
    return client.get(reverse("reports:round", args=[round.pk]))


def test_a_target_is_its_own_line_on_the_radar_and_a_column_with_points_to_go(client, round, keys):
    TargetFactory(organisation=round.organisation, theme_key=keys[0], level=4)
    page = report_page(lead_of(client, round), round)
    shown = build_report(round)["themes"][0].score.points
    target = next(t for t in chart(page, "radar-data")["data"] if t["name"] == "Target")
    # Level 4 starts at 60; the second theme has no target, so a gap; the ring closes.
    assert target["r"] == [60, None, 60]
    assert target["line"]["color"] == palette.TARGET and target["line"]["dash"] == "dashdot"
    body = text(page)
    assert f"level 4 by {days(180):%b %Y} {60 - shown} points to go" in body
    assert "None set" in body


def test_without_targets_the_radar_has_no_target_line(client, round):
    page = report_page(lead_of(client, round), round)
    assert "Target" not in json.dumps(chart(page, "radar-data"))


def test_the_pdf_radar_draws_the_target_line(round, keys):
    TargetFactory(organisation=round.organisation, theme_key=keys[1], level=5)
    report = build_report(round)
    add_pdf_charts(report)
    assert palette.TARGET in report["radar_svg"] and ">Target<" in report["radar_svg"]


def test_the_leadership_view_is_set_beside_the_staff_score_and_stale_evidence_flagged(
    client, round, keys
):
    LeadershipViewFactory(organisation=round.organisation, theme_key=keys[0], level=5)
    LeadershipViewFactory(
        organisation=round.organisation,
        theme_key=keys[1],
        level=3,
        links="https://intranet.example/paper",
        agreed_on=days(-300),
        review_by=days(-1),
    )
    report = build_report(round)
    first, second = report["themes"]
    assert first.score.level == 3 and first.plan.claim.direction == plans.HIGHER
    assert first.plan.claim.points == 80 - first.score.points - first.score.margin
    assert second.plan.claim.direction == plans.WITHIN and second.plan.stale
    assert (report["plan"]["evidenced"], report["plan"]["stale"]) == (1, 1)
    body = text(report_page(lead_of(client, round), round))
    assert "1 of 2 themes has a current, evidenced view; 1 view is past its review date" in body
    assert "Leadership higher, by" in body and "Out of date" in body
    assert 'href="https://intranet.example/paper"' in report_page(client, round).content.decode()


def test_leads_and_only_leads_get_a_button_making_a_recommendation_an_action(client, round):
    recommendation = Recommendation.objects.get(
        theme__questionnaire_version=round.questionnaire_version,
        theme__order=1,
        level=3,
    )
    button = f'name="recommendation" value="{recommendation.pk}"'
    assert button in report_page(lead_of(client, round), round).content.decode()
    viewer = lead_of(client, round, Membership.Role.VIEWER)
    assert button not in report_page(viewer, round).content.decode()


def test_the_board_summary_shows_evidence_coverage_the_top_open_actions_and_the_overdue(
    client, round, keys
):
    organisation = round.organisation
    LeadershipViewFactory(organisation=organisation, theme_key=keys[0])
    TargetFactory(organisation=organisation, theme_key=keys[0])
    ActionFactory(organisation=organisation, theme_key=keys[0], title="Late one", due_on=days(-3))
    for n in range(4):
        ActionFactory(
            organisation=organisation, theme_key=keys[1], title=f"Open {n}", due_on=days(10 + n)
        )
    ActionFactory(organisation=organisation, theme_key=keys[1], title="Given up", status="dropped")
    words = pdf_text(get_pdf(lead_of(client, round), round))
    assert "1 of 2 themes has a current, evidenced leadership view" in words
    assert "1 of 2 has a target" in words
    assert "5 open actions, 1 overdue; the 3 due soonest" in words
    assert "Late one" in words and "Overdue" in words
    assert "Open 0" in words and "Open 1" in words and "Open 3" not in words
    assert "Given up" not in words


def test_the_report_shows_what_was_done_since_the_comparison_round(client, round, keys):
    organisation = round.organisation
    previous_close = round.organisation.rounds.get(status="closed").closed_on
    ActionFactory(
        organisation=organisation,
        theme_key=keys[0],
        title="Done since",
        status=Action.Status.DONE,
        completed_on=previous_close + datetime.timedelta(days=1),
    )
    ActionFactory(
        organisation=organisation,
        theme_key=keys[0],
        title="Done before",
        status=Action.Status.DONE,
        completed_on=previous_close,
    )
    before = TargetFactory(organisation=organisation, theme_key=keys[1], level=3)
    moved = TargetFactory(organisation=organisation, theme_key=keys[1], level=4)
    Target.objects.filter(pk=before.pk).update(set_at=timezone.now() - datetime.timedelta(days=90))
    report = build_report(round)
    first, second = report["themes"]
    assert [a.title for a in first.plan.done_since] == ["Done since"]
    assert second.plan.target_move.before == before and second.plan.target_move.after == moved
    assert first.plan.target_move is None
    body = text(report_page(lead_of(client, round), round))
    assert "1 action completed, 1 target changed" in body
    assert re.search(r"Level 3 by \w+ \d{4} to level 4 by", body)
    assert "Done before" not in body.split("What was done since")[1]


def test_a_change_to_the_plan_makes_a_new_pdf(round, keys):
    key = cache_key(round)
    action = ActionFactory(organisation=round.organisation, theme_key=keys[0])
    assert cache_key(round) != key
    key = cache_key(round)
    Action.objects.filter(pk=action.pk).update(
        status="done",
        completed_on=days(0),
        updated_at=timezone.now() + datetime.timedelta(seconds=1),
    )
    assert cache_key(round) != key


def test_the_board_summary_of_the_full_bank_with_a_full_plan_fits_three_pages(client):
    version, _ = load_bank(default_bank())
    organisation = OrganisationFactory()
    submit_responses(closed_round(organisation, version), 5, level=2)
    peer_rounds(version, 5)
    round = RoundFactory(organisation=organisation, questionnaire_version=version)
    submit_responses(round, 5, level=3, role_group="digital")
    submit_responses(round, 5, level=1, role_group="frontline")
    for theme in version.themes.all():
        TargetFactory(organisation=organisation, theme_key=theme.key)
        LeadershipViewFactory(organisation=organisation, theme_key=theme.key, level=5)
        ActionFactory(organisation=organisation, theme_key=theme.key, due_on=days(-1))
    reader = get_pdf(lead_of(client, round), round)
    assert len(reader.pages) <= 3
    assert "9 open actions, 9 overdue" in pdf_text(reader)
