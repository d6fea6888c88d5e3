"""The respondent's journey through the Django test client, from link to confirmation."""

import datetime
import math
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Response, Round
from assessments.views.session import SESSION_KEY
from maturity.versioning import load_bank
from tests.factories import ResponseFactory, RoundFactory, default_bank, published_version

pytestmark = pytest.mark.django_db


def open_url(round):
    return reverse("assessments:open_link", args=[round.open_token])


def resume_url(response):
    return reverse("assessments:resume", args=[response.token])


def theme_url(theme):
    return reverse("assessments:theme", args=[theme.key])


def themes_of(round):
    return list(round.questionnaire_version.themes.prefetch_related("questions__options"))


def level_answers(theme, level=3):
    return {
        f"q-{question.pk}": str(question.options.get(level=level).pk)
        for question in theme.questions.all()
    }


def start(client, round):
    client.post(open_url(round))
    return Response.objects.get(token=client.session[SESSION_KEY])


def test_whole_journey_from_open_link_to_confirmation(client):
    round = RoundFactory()
    themes = themes_of(round)

    page = client.get(open_url(round))
    assert page.status_code == 200
    assert b"Start now" in page.content
    assert b"anonymity threshold is 5" in page.content
    assert not Response.objects.exists()

    started = client.post(open_url(round))
    assert started.status_code == 302
    assert started.url == reverse("assessments:about_you")
    response = Response.objects.get()
    assert response.started_at is not None
    assert not response.is_personal

    assert client.get(started.url).status_code == 200
    saved = client.post(started.url, {"role_group": Response.RoleGroup.DIGITAL})
    assert saved.url == reverse("assessments:tasks")

    tasks = client.get(saved.url)
    assert b"You have completed 0 of 2 themes" in tasks.content
    assert resume_url(response).encode() in tasks.content

    for position, theme in enumerate(themes):
        page = client.get(theme_url(theme))
        assert f"Theme {position + 1} of 2".encode() in page.content
        data = {**level_answers(theme, level=position + 2), "action": "continue"}
        data[f"comment-{theme.questions.first().pk}"] = "We are working on it."
        after = client.post(theme_url(theme), data)
        expected = theme_url(themes[1]) if position == 0 else reverse("assessments:tasks")
        assert after.url == expected

    tasks = client.get(reverse("assessments:tasks"))
    assert b"You have completed 2 of 2 themes" in tasks.content
    assert b"Check your answers</a>" in tasks.content

    check = client.get(reverse("assessments:check"))
    assert check.status_code == 200
    assert b"Level 2 practice" in check.content
    assert b"We are working on it." in check.content

    submitted = client.post(reverse("assessments:submit"))
    assert submitted.url == reverse("reports:confirmation")
    done = client.get(submitted.url)
    assert done.status_code == 200
    assert b"Answers submitted" in done.content
    # Level 2 everywhere in theme 1 scores 25, level 3 in theme 2 scores 50.
    assert [row["score"] for row in done.context["scores"]] == [25, 50]
    assert [row["level_name"] for row in done.context["scores"]] == ["Emerging", "Established"]

    response.refresh_from_db()
    round.refresh_from_db()
    assert response.is_submitted
    assert response.role_group == Response.RoleGroup.DIGITAL
    assert response.answers.filter(kind=Answer.Kind.LEVEL).count() == 6
    assert round.submitted_count == 1


def test_prefetching_the_open_link_creates_nothing(client):
    round = RoundFactory()
    client.get(open_url(round))
    client.head(open_url(round))
    assert not Response.objects.exists()


def test_start_page_estimates_the_time_from_the_rounds_own_words(client):
    round = RoundFactory()
    version = round.questionnaire_version
    themes = list(version.themes.prefetch_related("questions__options"))
    words = len(version.description.split()) + sum(
        len(f"{t.title} {t.description}".split())
        + sum(
            len(q.text.split()) + sum(len(o.descriptor.split()) for o in q.options.all())
            for q in t.questions.all()
        )
        for t in themes
    )
    questions = sum(len(t.questions.all()) for t in themes)
    # 180 words a minute, 8 seconds an answer, 10 a page (each theme, and three more).
    seconds = 60 * words / 180 + 8 * questions + 10 * (len(themes) + 3)
    assert client.get(open_url(round)).context["minutes"] == math.ceil(seconds / 60)


def test_start_page_offers_to_continue_an_unsubmitted_response(client):
    round = RoundFactory()
    first = start(client, round)
    page = client.get(open_url(round))
    assert b"Continue where you left off" in page.content
    client.post(open_url(round))
    assert client.session[SESSION_KEY] != first.token
    assert Response.objects.filter(round=round).count() == 2


def test_resume_link_takes_the_token_out_of_the_url(client):
    response = ResponseFactory()
    redirected = client.get(resume_url(response))
    assert redirected.status_code == 302
    assert redirected.url == reverse("assessments:tasks")
    assert client.session[SESSION_KEY] == response.token
    page = client.get(redirected.url)
    assert page.status_code == 200
    # Later pages link only to token-free URLs, apart from the resume link itself.
    links = page.content.decode().replace(resume_url(response), "")
    assert response.token not in links


def test_resume_in_a_new_browser_shows_what_was_saved(client):
    round = RoundFactory()
    theme = themes_of(round)[0]
    response = start(client, round)
    client.post(reverse("assessments:about_you"), {"role_group": "other"})
    question = theme.questions.first()
    option = question.options.get(level=4)
    client.post(theme_url(theme), {f"q-{question.pk}": option.pk, f"comment-{question.pk}": "Hi"})

    other_device = Client()
    other_device.get(resume_url(response))
    page = other_device.get(theme_url(theme))
    form = page.context["form"]
    assert form[f"q-{question.pk}"].value() == str(option.pk)
    assert form[f"comment-{question.pk}"].value() == "Hi"
    assert re.search(rf'value="{option.pk}"\s+checked', page.content.decode())
    tasks = other_device.get(reverse("assessments:tasks"))
    assert b"In progress" in tasks.content


def test_unused_personal_link_shows_the_start_page_and_starts_on_post(client):
    response = ResponseFactory(is_personal=True, started_at=None, role_group="")
    assert client.get(resume_url(response)).url == reverse("assessments:tasks")
    assert client.get(reverse("assessments:tasks")).url == reverse("assessments:start")
    page = client.get(reverse("assessments:start"))
    assert page.status_code == 200
    assert b"Start now" in page.content
    response.refresh_from_db()
    assert response.started_at is None

    started = client.post(reverse("assessments:start"))
    assert started.url == reverse("assessments:about_you")
    response.refresh_from_db()
    assert response.started_at is not None
    assert Response.objects.count() == 1


def test_submitted_response_link_shows_the_confirmation(client):
    response = ResponseFactory(submitted_at=timezone.now())
    client.get(resume_url(response))
    assert client.get(reverse("assessments:tasks")).url == reverse("reports:confirmation")
    assert client.get(reverse("reports:confirmation")).status_code == 200


def test_change_link_comes_back_to_check_answers(client):
    round = RoundFactory()
    theme = themes_of(round)[1]
    start(client, round)
    check = client.get(reverse("assessments:check"))
    change = f"{theme_url(theme)}?return=check#q-{theme.questions.first().pk}"
    assert change.encode() in check.content
    page = client.get(f"{theme_url(theme)}?return=check")
    assert page.context["back_url"] == reverse("assessments:check")
    saved = client.post(f"{theme_url(theme)}?return=check", level_answers(theme))
    assert saved.url == reverse("assessments:check")


def test_return_parameter_never_redirects_elsewhere(client):
    round = RoundFactory()
    theme = themes_of(round)[0]
    start(client, round)
    saved = client.post(f"{theme_url(theme)}?return=https://evil.example/", level_answers(theme))
    assert saved.url == theme_url(themes_of(round)[1])


def test_save_and_return_to_task_list(client):
    round = RoundFactory()
    theme = themes_of(round)[0]
    start(client, round)
    saved = client.post(theme_url(theme), {"action": "tasks"})
    assert saved.url == reverse("assessments:tasks")


def test_saving_an_incomplete_page_shows_no_errors_and_keeps_answers(client):
    round = RoundFactory()
    theme = themes_of(round)[0]
    response = start(client, round)
    question = theme.questions.first()
    data = {f"q-{question.pk}": Answer.Kind.DONT_KNOW}
    assert client.post(theme_url(theme), data).status_code == 302
    assert response.answers.get().kind == Answer.Kind.DONT_KNOW
    tasks = client.get(reverse("assessments:tasks"))
    assert [item.status for item in tasks.context["progress"]] == ["In progress", "Not started"]


def test_submit_with_gaps_shows_the_first_incomplete_theme_with_errors(client):
    round = RoundFactory()
    first, second = themes_of(round)
    response = start(client, round)
    client.post(reverse("assessments:about_you"), {"role_group": "other"})
    client.post(theme_url(first), level_answers(first))
    answered = second.questions.first()
    client.post(theme_url(second), {f"q-{answered.pk}": "na"})

    refused = client.post(reverse("assessments:submit"))
    assert refused.url == f"{theme_url(second)}?return=check&validate=1"
    page = client.get(refused.url)
    html = page.content.decode()
    assert "<title>Error: " in html
    assert 'data-module="govuk-error-summary"' in html
    missing = list(second.questions.exclude(pk=answered.pk))
    for question in missing:
        assert f'href="#id_q-{question.pk}_1"' in html
        assert f'id="id_q-{question.pk}_1"' in html
    assert f'href="#id_q-{answered.pk}_1"' not in html
    assert len(page.context["form"].error_summary()) == 2

    response.refresh_from_db()
    assert not response.is_submitted
    assert response.answers.count() == 4


def test_submit_without_role_group_goes_to_about_you_with_an_error(client):
    round = RoundFactory()
    response = start(client, round)
    for theme in themes_of(round):
        client.post(theme_url(theme), level_answers(theme))
    refused = client.post(reverse("assessments:submit"))
    assert refused.url == f"{reverse('assessments:about_you')}?return=check&validate=1"
    page = client.get(refused.url)
    assert b'href="#id_role_group_1"' in page.content
    response.refresh_from_db()
    assert not response.is_submitted


def test_about_you_requires_a_role_group(client):
    round = RoundFactory()
    response = start(client, round)
    page = client.post(reverse("assessments:about_you"), {})
    assert page.status_code == 400
    assert "<title>Error: Which of these best describes your role?" in page.content.decode()
    assert b"Select the group that best describes your role" in page.content
    response.refresh_from_db()
    assert response.role_group == ""


def test_double_submit_counts_once(client):
    round = RoundFactory()
    response = start(client, round)
    client.post(reverse("assessments:about_you"), {"role_group": "other"})
    for theme in themes_of(round):
        client.post(theme_url(theme), level_answers(theme))
    assert client.post(reverse("assessments:submit")).url == reverse("reports:confirmation")
    assert client.post(reverse("assessments:submit")).url == reverse("reports:confirmation")
    round.refresh_from_db()
    response.refresh_from_db()
    assert round.submitted_count == 1
    assert response.is_submitted


@pytest.mark.parametrize(
    "status, closes_in_days",
    [(Round.Status.CLOSED, 5), (Round.Status.OPEN, -1)],
    ids=["closed-by-lead", "past-closing-date"],
)
def test_closed_round_links_show_the_closed_page_and_save_nothing(client, status, closes_in_days):
    today = timezone.localdate()
    round = RoundFactory(
        status=status,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=closes_in_days),
    )
    response = ResponseFactory(round=round, role_group="")
    theme = themes_of(round)[0]

    page = client.get(open_url(round))
    assert page.status_code == 410
    assert b"This assessment closed on" in page.content
    assert client.post(open_url(round)).status_code == 410

    client.get(resume_url(response))
    assert client.get(reverse("assessments:tasks")).status_code == 410
    assert client.post(theme_url(theme), level_answers(theme)).status_code == 410
    assert client.post(reverse("assessments:about_you"), {"role_group": "other"}).status_code == 410
    assert client.post(reverse("assessments:submit")).status_code == 410

    assert Response.objects.count() == 1
    assert not Answer.objects.exists()
    response.refresh_from_db()
    assert response.role_group == ""


def test_closed_page_gives_the_closing_date(client):
    round = RoundFactory(status=Round.Status.CLOSED, closes_on=datetime.date(2027, 3, 12))
    assert b"This assessment closed on 12 March 2027" in client.get(open_url(round)).content


@pytest.mark.parametrize(
    "status, opens_in_days, heading",
    [
        (Round.Status.OPEN, 3, b"This assessment opens on"),
        (Round.Status.DRAFT, -3, b"This assessment is not open yet"),
    ],
    ids=["before-opening-date", "draft"],
)
def test_round_not_yet_open_shows_when_it_opens(client, status, opens_in_days, heading):
    today = timezone.localdate()
    round = RoundFactory(status=status, opens_on=today + datetime.timedelta(days=opens_in_days))
    page = client.get(open_url(round))
    assert page.status_code == 403
    assert heading in page.content
    assert client.post(open_url(round)).status_code == 403
    assert not Response.objects.exists()


def test_unknown_token_shows_link_not_valid(client):
    for url in (
        reverse("assessments:resume", args=["not-a-token"]),
        reverse("assessments:open_link", args=["not-a-token"]),
    ):
        page = client.get(url)
        assert page.status_code == 404
        assert b"This link is not valid" in page.content
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "name",
    [
        "assessments:tasks",
        "assessments:about_you",
        "assessments:check",
        "reports:confirmation",
        "assessments:start",
    ],
)
def test_survey_pages_without_a_session_ask_for_the_link(client, name):
    page = client.get(reverse(name))
    assert page.status_code == 403
    assert b"Use your link to carry on" in page.content


def test_unknown_theme_is_404(client):
    start(client, RoundFactory())
    assert client.get(reverse("assessments:theme", args=["no-such-theme"])).status_code == 404


def test_theme_of_another_version_is_404(client):
    other = RoundFactory(questionnaire_version=published_version())
    start(client, RoundFactory())
    assert client.get(theme_url(themes_of(other)[0])).status_code == 404


def test_resume_link_appears_after_the_first_save(client):
    round = RoundFactory()
    theme = themes_of(round)[0]
    response = start(client, round)
    assert resume_url(response).encode() not in client.get(theme_url(theme)).content
    client.post(reverse("assessments:about_you"), {"role_group": "other"})
    assert resume_url(response).encode() in client.get(theme_url(theme)).content


def test_resume_link_uses_site_url_when_set(client, settings):
    settings.SITE_URL = "https://maturity.example.gov.uk"
    response = ResponseFactory()
    client.get(resume_url(response))
    page = client.get(reverse("assessments:tasks"))
    assert f"https://maturity.example.gov.uk{resume_url(response)}".encode() in page.content


def test_a_short_round_asks_part_of_each_theme_in_fifteen_minutes_and_says_so(client):
    """The whole journey of a short round on the real question bank: the start page promises
    at most 15 minutes, computed; each theme page asks part of its questions; the respondent's
    scores say they cover the questions asked."""
    version, _ = load_bank(default_bank())
    round = RoundFactory(questionnaire_version=version, length=Round.Length.SHORT)
    themes = themes_of(round)
    full = RoundFactory(questionnaire_version=version)
    assert client.get(open_url(round)).context["minutes"] <= 15
    assert client.get(open_url(full)).context["minutes"] > 15

    response = start(client, round)
    client.post(reverse("assessments:about_you"), {"role_group": Response.RoleGroup.DIGITAL})
    asked_in_all = 0
    for theme in themes:
        page = client.get(theme_url(theme)).content.decode()
        asked = {int(pk) for pk in re.findall(r'name="q-(\d+)"', page)}
        questions = {q.pk: q for q in theme.questions.all()}
        assert asked and asked <= set(questions)
        asked_in_all += len(asked)
        data = {f"q-{pk}": str(questions[pk].options.get(level=4).pk) for pk in asked} | {
            "action": "continue"
        }
        client.post(theme_url(theme), data)
    assert asked_in_all < sum(len(t.questions.all()) for t in themes)

    submitted = client.post(reverse("assessments:submit"))
    assert submitted.url == reverse("reports:confirmation")
    done = client.get(submitted.url)
    assert "your scores cover only the questions you were asked" in done.content.decode()
    rows = done.context["scores"]
    assert [row["score"] for row in rows] == [75] * len(themes)
    assert sum(row["asked"] for row in rows) == asked_in_all
    assert [row["questions"] for row in rows] == [len(t.questions.all()) for t in themes]
    response.refresh_from_db()
    assert response.is_submitted
