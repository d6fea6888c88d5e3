"""The organisation's plan: targets, the leadership's view, actions. Who may change what, every
bad input refused with nothing saved, a later save over a newer change refused, every change
in the access log."""

import pytest
from django.urls import reverse

from assessments.models import AccessLog, Action, LeadershipView, Membership, Target
from maturity.models import Recommendation
from tests.factories import (
    ActionFactory,
    LeadershipViewFactory,
    OrganisationFactory,
    RoundFactory,
    TargetFactory,
    days,
    member_of,
    published_version,
    shared_version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(db):
    """An organisation with a round of the shared two-theme bank."""
    return RoundFactory().organisation


@pytest.fixture
def theme(organisation):
    return shared_version().themes.first()


@pytest.fixture
def lead(client, organisation):
    client.force_login(member_of(organisation))
    return client


def date_fields(name, date):
    return {f"{name}_0": date.day, f"{name}_1": date.month, f"{name}_2": date.year}


def target_url(organisation, theme):
    return reverse("assessments:edit_target", args=[organisation.pk, theme.key])


def view_url(organisation, theme):
    return reverse("assessments:edit_view", args=[organisation.pk, theme.key])


def target_post(level="4", when=None, version=0):
    return {"level": level, "version": version, **date_fields("target_on", when or days(90))}


def view_post(version=0, **changes):
    data = {
        "level": "3",
        "evidence": "The audit committee's review.",
        "links": "https://intranet.example/audit\nhttp://intranet.example/board",
        "agreed_by": "Executive leadership team",
        "version": version,
        **date_fields("agreed_on", days(-5)),
        **date_fields("review_by", days(100)),
    }
    data.update(changes)
    return data


def action_post(theme, version=0, **changes):
    data = {
        "title": "Appoint a chief data officer",
        "theme_key": theme.key,
        "owner": "Director of resources",
        "status": Action.Status.PLANNED,
        "version": version,
        **date_fields("due_on", days(60)),
    }
    data.update(changes)
    return data


def logged(organisation):
    return list(organisation.access_log.values_list("action", "detail"))


# Reading


def test_members_read_the_plan_and_only_leads_see_the_links_to_change_it(client, organisation):
    ActionFactory(organisation=organisation, theme_key="x", title="Write the data strategy")
    url = reverse("assessments:plan", args=[organisation.pk])
    client.force_login(member_of(organisation, Membership.Role.VIEWER))
    page = client.get(url).content.decode()
    assert "Write the data strategy" in page and "Add an action" not in page
    client.force_login(member_of(organisation))
    assert "Add an action" in client.get(url).content.decode()


def test_another_organisations_plan_and_forms_are_404(client, organisation, theme):
    client.force_login(member_of(OrganisationFactory()))
    for url in (
        reverse("assessments:plan", args=[organisation.pk]),
        target_url(organisation, theme),
        view_url(organisation, theme),
        reverse("assessments:add_action", args=[organisation.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(target_url(organisation, theme), target_post()).status_code == 404
    assert not Target.objects.exists()


def test_a_theme_not_in_the_bank_is_404(lead, organisation):
    url = reverse("assessments:edit_target", args=[organisation.pk, "no-such-theme"])
    assert lead.post(url, target_post()).status_code == 404
    assert not Target.objects.exists()


# Targets


def test_a_lead_sets_a_target_and_it_is_logged(lead, organisation, theme):
    page = lead.post(target_url(organisation, theme), target_post("4", days(120)))
    assert page.status_code == 302
    target = Target.objects.get()
    assert (target.theme_key, target.level, target.target_on) == (theme.key, 4, days(120))
    assert logged(organisation) == [
        (AccessLog.Action.CHANGE, f"Target for {theme.title}: level 4 by {days(120):%-d %b %Y}")
    ]


@pytest.mark.parametrize("level", ["0", "6", "four", ""])
def test_a_target_level_outside_1_to_5_is_refused(lead, organisation, theme, level):
    page = lead.post(target_url(organisation, theme), target_post(level))
    assert page.status_code == 400
    assert "Choose a level from 1 to 5" in page.content.decode()
    assert not Target.objects.exists() and not AccessLog.objects.exists()


def test_a_target_date_in_the_past_is_refused(lead, organisation, theme):
    page = lead.post(target_url(organisation, theme), target_post(when=days(-1)))
    assert page.status_code == 400
    assert "The target date must be today or in the future" in page.content.decode()
    assert not Target.objects.exists()


def test_a_new_target_is_a_new_row_so_the_old_one_is_kept(lead, organisation, theme):
    first = TargetFactory(organisation=organisation, theme_key=theme.key, level=3)
    lead.post(target_url(organisation, theme), target_post("5", version=first.pk))
    assert list(Target.objects.values_list("level", flat=True).order_by("id")) == [3, 5]


@pytest.mark.parametrize("seen", [0, 999999])
def test_a_target_changed_since_the_form_loaded_is_not_overwritten(lead, organisation, theme, seen):
    """A second lead's form still shows no target (0), or a tampered id."""
    TargetFactory(organisation=organisation, theme_key=theme.key, level=3)
    page = lead.post(target_url(organisation, theme), target_post("5", version=seen))
    assert page.status_code == 409
    assert "changed since you opened it" in page.content.decode()
    assert list(Target.objects.values_list("level", flat=True)) == [3]


def test_a_viewer_posting_a_target_gets_404(client, organisation, theme):
    client.force_login(member_of(organisation, Membership.Role.VIEWER))
    assert client.post(target_url(organisation, theme), target_post()).status_code == 404
    assert not Target.objects.exists()


# The leadership's view


def test_a_lead_records_the_leadership_view_with_its_evidence(lead, organisation, theme):
    assert lead.post(view_url(organisation, theme), view_post()).status_code == 302
    view = LeadershipView.objects.get()
    assert view.link_list == ["https://intranet.example/audit", "http://intranet.example/board"]
    assert view.evidenced and not view.is_stale() and view.version == 1
    assert logged(organisation) == [
        (AccessLog.Action.CHANGE, f"Leadership view of {theme.title}: level 3")
    ]


@pytest.mark.parametrize(
    "links",
    [
        "javascript:alert(1)",
        "ftp://files.example/a",
        "intranet/board",
        "https://ok.example\nmailto:a@b.example",
    ],
)
def test_a_link_that_is_not_http_or_https_is_refused(lead, organisation, theme, links):
    page = lead.post(view_url(organisation, theme), view_post(links=links))
    assert page.status_code == 400
    assert "must be a web address starting with https:// or http://" in page.content.decode()
    assert not LeadershipView.objects.exists()


def test_a_review_date_before_the_date_agreed_is_refused(lead, organisation, theme):
    data = view_post(**date_fields("review_by", days(-6)))
    page = lead.post(view_url(organisation, theme), data)
    assert page.status_code == 400
    assert "The review date must be the same as or after the date agreed" in page.content.decode()
    assert not LeadershipView.objects.exists()


def test_a_date_agreed_in_the_future_is_refused(lead, organisation, theme):
    page = lead.post(view_url(organisation, theme), view_post(**date_fields("agreed_on", days(1))))
    assert page.status_code == 400
    assert not LeadershipView.objects.exists()


def test_of_two_leads_editing_one_view_the_later_save_is_refused(client, organisation, theme):
    view = LeadershipViewFactory(organisation=organisation, theme_key=theme.key, level=2)
    first, second = client, client.__class__()
    first.force_login(member_of(organisation))
    second.force_login(member_of(organisation))
    assert (
        first.post(view_url(organisation, theme), view_post(view.version, level="3")).status_code
        == 302
    )
    page = second.post(view_url(organisation, theme), view_post(view.version, level="5"))
    assert page.status_code == 409
    assert "changed since you opened it" in page.content.decode()
    view.refresh_from_db()
    assert (view.level, view.version) == (3, 2)


@pytest.mark.parametrize("version", [0, 7])
def test_a_tampered_view_version_saves_nothing(lead, organisation, theme, version):
    view = LeadershipViewFactory(organisation=organisation, theme_key=theme.key, level=2)
    assert lead.post(view_url(organisation, theme), view_post(version)).status_code == 409
    view.refresh_from_db()
    assert (view.level, view.version) == (2, 1)


def test_a_view_past_its_review_date_is_stale():
    view = LeadershipView(agreed_on=days(-200), review_by=days(-1), evidence="x")
    assert view.is_stale() and not LeadershipView(review_by=days(0)).is_stale()


# Actions


def test_a_lead_adds_an_action_and_it_is_logged(lead, organisation, theme):
    page = lead.post(reverse("assessments:add_action", args=[organisation.pk]), action_post(theme))
    assert page.status_code == 302
    action = Action.objects.get()
    assert (action.theme_key, action.due_on, action.completed_on) == (theme.key, days(60), None)
    assert logged(organisation) == [
        (AccessLog.Action.CHANGE, f"Action added in {theme.title}: Appoint a chief data officer")
    ]


@pytest.mark.parametrize("title", ["", "   "])
def test_an_action_without_a_title_is_refused(lead, organisation, theme, title):
    url = reverse("assessments:add_action", args=[organisation.pk])
    page = lead.post(url, action_post(theme, title=title))
    assert page.status_code == 400
    assert "Enter what will be done" in page.content.decode()
    assert not Action.objects.exists()


def test_an_action_in_a_theme_not_in_the_bank_is_refused(lead, organisation, theme):
    url = reverse("assessments:add_action", args=[organisation.pk])
    assert lead.post(url, action_post(theme, theme_key="made-up")).status_code == 400
    assert not Action.objects.exists()


def test_marking_an_action_done_dates_it_and_undoing_it_clears_the_date(lead, organisation, theme):
    action = ActionFactory(organisation=organisation, theme_key=theme.key)
    lead.post(action.get_absolute_url(), action_post(theme, 1, status="done"))
    action.refresh_from_db()
    assert (action.status, action.completed_on, action.version) == ("done", days(0), 2)
    lead.post(action.get_absolute_url(), action_post(theme, 2, status="in_progress"))
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("in_progress", None)


def test_another_organisations_action_by_id_is_404(lead, organisation, theme):
    other = ActionFactory(title="Theirs")
    # Their id under our organisation's address, and under theirs.
    for url in (
        reverse("assessments:edit_action", args=[organisation.pk, other.pk]),
        other.get_absolute_url(),
    ):
        assert lead.get(url).status_code == 404
        assert lead.post(url, action_post(theme, 1)).status_code == 404
    other.refresh_from_db()
    assert other.title == "Theirs" and other.version == 1


def test_a_viewer_posting_an_action_gets_404(client, organisation, theme):
    action = ActionFactory(organisation=organisation, theme_key=theme.key, title="Ours")
    client.force_login(member_of(organisation, Membership.Role.VIEWER))
    assert client.post(action.get_absolute_url(), action_post(theme, 1)).status_code == 404
    url = reverse("assessments:add_action", args=[organisation.pk])
    assert client.post(url, action_post(theme)).status_code == 404
    assert list(Action.objects.values_list("title", flat=True)) == ["Ours"]


@pytest.mark.parametrize("version", [0, 2, "x"])
def test_an_action_saved_over_a_newer_change_or_a_tampered_version_is_refused(
    lead, organisation, theme, version
):
    action = ActionFactory(organisation=organisation, theme_key=theme.key, title="Ours")
    page = lead.post(action.get_absolute_url(), action_post(theme, version, title="Changed"))
    assert page.status_code in (400, 409)
    action.refresh_from_db()
    assert (action.title, action.version) == ("Ours", 1)
    assert not AccessLog.objects.exists()


def test_of_two_leads_editing_one_action_the_later_save_is_refused(client, organisation, theme):
    action = ActionFactory(organisation=organisation, theme_key=theme.key)
    other = client.__class__()
    client.force_login(member_of(organisation))
    other.force_login(member_of(organisation))
    assert (
        client.post(action.get_absolute_url(), action_post(theme, 1, owner="Ann")).status_code
        == 302
    )
    page = other.post(action.get_absolute_url(), action_post(theme, 1, owner="Bob"))
    assert page.status_code == 409
    assert "It now shows what is saved" in page.content.decode()
    action.refresh_from_db()
    assert action.owner == "Ann"


# An action from a report's recommendation


def from_recommendation(client, round, recommendation):
    url = reverse("assessments:action_from_recommendation", args=[round.pk])
    return client.post(url, {"recommendation": recommendation})


def test_a_recommendation_becomes_an_action_in_one_click_and_only_once(lead, organisation):
    round = organisation.rounds.get()
    recommendation = Recommendation.objects.filter(
        theme__questionnaire_version=round.questionnaire_version
    ).first()
    page = from_recommendation(lead, round, recommendation.pk)
    action = Action.objects.get()
    assert page.url == action.get_absolute_url()
    assert (action.recommendation, action.theme_key) == (recommendation, recommendation.theme.key)
    assert action.title == recommendation.text and action.status == Action.Status.PLANNED
    from_recommendation(lead, round, recommendation.pk)
    assert Action.objects.count() == 1


def test_a_recommendation_of_another_bank_or_a_tampered_id_is_404(lead, organisation):
    round = organisation.rounds.get()
    elsewhere = Recommendation.objects.filter(
        theme__questionnaire_version=published_version()
    ).first()
    for value in (elsewhere.pk, "", "1 OR 1=1", "-1"):
        assert from_recommendation(lead, round, value).status_code == 404
    assert not Action.objects.exists()


def test_a_viewer_or_another_organisation_cannot_make_an_action_from_a_recommendation(
    client, organisation
):
    round = organisation.rounds.get()
    recommendation = Recommendation.objects.filter(
        theme__questionnaire_version=round.questionnaire_version
    ).first()
    for user in (member_of(organisation, Membership.Role.VIEWER), member_of(OrganisationFactory())):
        client.force_login(user)
        assert from_recommendation(client, round, recommendation.pk).status_code == 404
    assert not Action.objects.exists()


# The CSV


def test_members_download_the_actions_as_csv_with_formulas_neutralised(client, organisation, theme):
    ActionFactory(organisation=organisation, theme_key=theme.key, title="=HYPERLINK(1)")
    client.force_login(member_of(organisation, Membership.Role.VIEWER))
    response = client.get(reverse("reports:actions_csv", args=[organisation.pk]))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("theme,title,owner,due_on,status")
    assert lines[1].startswith(f"{theme.title},'=HYPERLINK(1),Head of Digital,")
    assert logged(organisation) == [(AccessLog.Action.DOWNLOAD, "Actions CSV")]


def test_another_organisations_actions_csv_is_404(client, organisation):
    client.force_login(member_of(OrganisationFactory()))
    assert client.get(reverse("reports:actions_csv", args=[organisation.pk])).status_code == 404
