"""The survey on a shared computer: sessions that end, and a resume link kept out of sight."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from assessments.views.session import SESSION_KEY
from maturity.models import Question
from tests.factories import AnswerFactory, ResponseFactory, RoundFactory

pytestmark = pytest.mark.django_db


def answered_response(round):
    """A started response with every question answered, ready to submit."""
    response = ResponseFactory(round=round)
    questions = Question.objects.filter(theme__questionnaire_version=round.questionnaire_version)
    for question in questions:
        AnswerFactory(response=response, question=question)
    return response


def open_with_link(client, response):
    return client.get(reverse("assessments:resume", args=[response.token]))


def test_the_session_ends_after_a_short_idle_time(client, settings):
    response = ResponseFactory(round=RoundFactory())
    open_with_link(client, response)
    page = client.get(reverse("assessments:tasks"))

    assert page.status_code == 200
    idle = settings.SURVEY_IDLE_MINUTES * 60
    assert idle <= 4 * 3600
    assert client.session.get_expiry_age() == idle
    assert client.cookies["sessionid"]["max-age"] == idle
    # Past the idle time the server has forgotten the survey, whatever the browser kept.
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get(reverse("assessments:tasks")).status_code == 403


def test_submitting_closes_the_survey_in_this_browser(client, settings):
    response = answered_response(RoundFactory())
    open_with_link(client, response)

    submitted = client.post(reverse("assessments:submit"))

    assert submitted.url == reverse("reports:confirmation")
    assert SESSION_KEY not in client.session
    closes_in = settings.SURVEY_CONFIRMATION_MINUTES * 60
    assert closes_in <= 30 * 60
    assert client.session.get_expiry_age() == closes_in
    confirmation = client.get(reverse("reports:confirmation"))
    assert confirmation.status_code == 200
    assert "the survey is now closed in this browser" in confirmation.content.decode()
    assert f"closes {settings.SURVEY_CONFIRMATION_MINUTES} minutes after you submitted" in (
        confirmation.content.decode()
    )
    # The survey's pages lead only to the confirmation, and a second click counts once.
    for name in ["tasks", "check", "about_you"]:
        assert client.get(reverse(f"assessments:{name}")).url == reverse("reports:confirmation")
    assert client.post(reverse("assessments:submit")).url == reverse("reports:confirmation")
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get(reverse("reports:confirmation")).status_code == 403


def test_the_resume_link_is_behind_a_disclosure_on_every_page(client):
    response = ResponseFactory(round=RoundFactory())
    open_with_link(client, response)
    theme = response.round.questionnaire_version.themes.first()
    for url in [
        reverse("assessments:tasks"),
        reverse("assessments:about_you"),
        reverse("assessments:theme", args=[theme.key]),
        reverse("assessments:check"),
    ]:
        html = client.get(url).content.decode()
        assert response.token in html, url
        # Every mention of the token is inside the one <details>.
        details = re.findall(r'<details class="govuk-details">.*?</details>', html, re.S)
        outside = re.sub(r'<details class="govuk-details">.*?</details>', "", html, flags=re.S)
        assert sum(response.token in d for d in details) == 1, url
        assert response.token not in outside, url


def test_a_new_survey_in_the_same_browser_drops_the_earlier_confirmation(client, settings):
    round = RoundFactory()
    open_with_link(client, answered_response(round))
    client.post(reverse("assessments:submit"))
    later = ResponseFactory(round=round)

    open_with_link(client, later)

    assert client.session.get_expiry_age() == settings.SURVEY_IDLE_MINUTES * 60
    assert client.get(reverse("reports:confirmation")).url == reverse("assessments:tasks")
