"""Question markup kept between respondents (ThemeAnswersForm.render_questions): a kept
question must show one respondent nothing of another's, and the page must read the same as
when every question is rendered afresh."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments.forms import survey
from assessments.models import Response
from assessments.views.session import SESSION_KEY
from tests.factories import RoundFactory, draft_version

pytestmark = pytest.mark.django_db

COMMENT = "Only the finance team knows about this."


@pytest.fixture(autouse=True)
def _nothing_kept():
    survey.KEPT_QUESTIONS.clear()
    yield
    survey.KEPT_QUESTIONS.clear()


def respondent(round):
    client = Client()
    client.post(reverse("assessments:open_link", args=[round.open_token]))
    response = Response.objects.get(token=client.session[SESSION_KEY])
    client.post(reverse("assessments:about_you"), {"role_group": Response.RoleGroup.DIGITAL})
    return client, response


def first_theme(round):
    return round.questionnaire_version.themes.prefetch_related("questions__options").first()


def theme_url(theme, query=""):
    return reverse("assessments:theme", args=[theme.key]) + query


def option(question, level):
    return str(question.options.get(level=level).pk)


def radio(question, level):
    """The (name, value) of a question's radio for `level`, as `checked` gives them."""
    return (f"q-{question.pk}", option(question, level))


def save(client, theme, answers, comments=None):
    data = {"action": "tasks"}
    data.update({f"q-{question.pk}": value for question, value in answers.items()})
    data.update({f"comment-{q.pk}": text for q, text in (comments or {}).items()})
    saved = client.post(theme_url(theme), data)
    assert saved.status_code == 302, saved.content[:500]


def checked(page):
    """The (name, value) of every checked radio on a page."""
    inputs = re.findall(r"<input [^>]*\bchecked\b[^>]*>", page.content.decode())
    return {
        (re.search(r'name="([^"]+)"', tag)[1], re.search(r'value="([^"]+)"', tag)[1])
        for tag in inputs
    }


def without_csrf_token(page):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page.content)


def test_a_kept_question_shows_one_respondent_nothing_of_another():
    round = RoundFactory()
    theme = first_theme(round)
    first, second, third = list(theme.questions.all())[:3]
    alice, _ = respondent(round)
    bob, _ = respondent(round)

    save(alice, theme, {first: option(first, 3), second: option(second, 2)}, {first: COMMENT})
    page = alice.get(theme_url(theme))
    assert checked(page) == {radio(first, 3), radio(second, 2)}
    assert COMMENT in page.content.decode()
    # Asked to review, Alice's unanswered questions are in error, each under its question;
    # with nothing kept yet that could stand in for them.
    survey.KEPT_QUESTIONS.clear()
    review = alice.get(theme_url(theme, "?validate=1"))
    assert f'id="id_q-{third.pk}_1_error"' in review.content.decode()

    # Bob has answered nothing: none of Alice's answers, comment or errors.
    page = bob.get(theme_url(theme))
    assert checked(page) == set()
    assert COMMENT not in page.content.decode()
    assert "govuk-error-message" not in page.content.decode()

    # Bob gives the answer Alice commented on, without a comment: still not hers.
    save(bob, theme, {first: option(first, 3), second: option(second, 4)})
    page = bob.get(theme_url(theme))
    assert checked(page) == {radio(first, 3), radio(second, 4)}
    assert COMMENT not in page.content.decode()

    page = alice.get(theme_url(theme))
    assert checked(page) == {radio(first, 3), radio(second, 2)}
    assert COMMENT in page.content.decode()


def test_the_theme_page_reads_the_same_kept_or_rendered_afresh():
    round = RoundFactory()
    theme = first_theme(round)
    first, second = list(theme.questions.all())[:2]
    client, _ = respondent(round)
    save(client, theme, {first: option(first, 1), second: "dk"}, {second: COMMENT})

    afresh = client.get(theme_url(theme))
    assert survey.KEPT_QUESTIONS, "nothing was kept"
    kept = client.get(theme_url(theme))

    assert without_csrf_token(kept) == without_csrf_token(afresh)


def test_a_draft_is_rendered_afresh_for_its_preview(admin_client):
    theme = draft_version().themes.first()
    question = theme.questions.first()
    url = reverse("admin:maturity_theme_preview", args=[theme.pk])
    assert question.text in admin_client.get(url).content.decode()

    question.text = "How often do teams ship a change to users?"
    question.save()
    assert question.text in admin_client.get(url).content.decode()
    assert not survey.KEPT_QUESTIONS


def test_kept_questions_stay_within_their_bound(monkeypatch):
    monkeypatch.setattr(survey, "KEPT_QUESTIONS_MAX", 2)
    round = RoundFactory()
    theme = first_theme(round)
    assert theme.questions.count() > 2
    client, _ = respondent(round)

    page = client.get(theme_url(theme))

    assert page.status_code == 200
    assert 1 <= len(survey.KEPT_QUESTIONS) <= 2
