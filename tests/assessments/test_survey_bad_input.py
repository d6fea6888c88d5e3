"""Posts no browser would send, or that the round no longer accepts: a clear 4xx page each,
and nothing from that request saved."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Response
from assessments.views.session import SESSION_KEY
from tests.factories import AnswerFactory, ResponseFactory, RoundFactory, draft_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(client):
    """A started response in the client's session, with one saved answer in its first theme."""
    round = RoundFactory()
    response = ResponseFactory(round=round)
    client.get(reverse("assessments:resume", args=[response.token]))
    first, second = round.questionnaire_version.themes.all()
    questions = list(first.questions.all())
    saved = AnswerFactory(response=response, question=questions[0])
    return {
        "response": response,
        "theme": first,
        "other_theme": second,
        "questions": questions,
        "saved": saved,
        "url": reverse("assessments:theme", args=[first.key]),
    }


def good_data(survey):
    """A valid post for the whole page: level 2 everywhere."""
    return {f"q-{q.pk}": str(q.options.get(level=2).pk) for q in survey["questions"]}


def assert_nothing_saved(survey):
    answers = list(Answer.objects.all())
    assert answers == [survey["saved"]]
    assert answers[0].level == 3
    assert answers[0].comment == ""


def test_option_of_another_question_is_refused(client, survey):
    data = good_data(survey)
    other = survey["other_theme"].questions.first().options.get(level=5)
    data[f"q-{survey['questions'][1].pk}"] = str(other.pk)
    page = client.post(survey["url"], data)
    assert page.status_code == 400
    assert b"Select one of the answers shown" in page.content
    assert_nothing_saved(survey)


def test_option_of_another_question_on_the_same_page_is_refused(client, survey):
    data = good_data(survey)
    first, second = survey["questions"][:2]
    data[f"q-{first.pk}"] = str(second.options.get(level=1).pk)
    assert client.post(survey["url"], data).status_code == 400
    assert_nothing_saved(survey)


@pytest.mark.parametrize("value", ["na", "dk"])
def test_not_applicable_or_dont_know_where_not_offered_is_refused(client, value):
    # Published questions cannot change: build a version whose question offers neither.
    version = draft_version(themes=1, questions=1)
    version.themes.get().questions.update(allow_not_applicable=False, allow_dont_know=False)
    version.publish()
    round = RoundFactory(questionnaire_version=version)
    response = ResponseFactory(round=round)
    client.get(reverse("assessments:resume", args=[response.token]))
    theme = round.questionnaire_version.themes.first()
    question = theme.questions.first()
    page = client.post(reverse("assessments:theme", args=[theme.key]), {f"q-{question.pk}": value})
    assert page.status_code == 400
    assert not response.answers.exists()


def test_unknown_question_id_is_refused(client, survey):
    data = {**good_data(survey), "q-999999": "1"}
    page = client.post(survey["url"], data)
    assert page.status_code == 400
    assert b"nothing from it was saved" in page.content
    assert_nothing_saved(survey)


def test_question_of_another_theme_is_refused(client, survey):
    other = survey["other_theme"].questions.first()
    data = {**good_data(survey), f"q-{other.pk}": str(other.options.get(level=1).pk)}
    assert client.post(survey["url"], data).status_code == 400
    assert_nothing_saved(survey)


def test_unknown_field_is_refused(client, survey):
    data = {**good_data(survey), "role_group": "leadership"}
    assert client.post(survey["url"], data).status_code == 400
    assert_nothing_saved(survey)
    survey["response"].refresh_from_db()
    assert survey["response"].role_group == Response.RoleGroup.FRONTLINE


def test_unknown_field_on_about_you_is_refused(client, survey):
    page = client.post(reverse("assessments:about_you"), {"role_group": "other", "name": "Ann"})
    assert page.status_code == 400
    survey["response"].refresh_from_db()
    assert survey["response"].role_group == Response.RoleGroup.FRONTLINE


def test_unknown_role_group_is_refused(client, survey):
    page = client.post(reverse("assessments:about_you"), {"role_group": "ceo"})
    assert page.status_code == 400
    survey["response"].refresh_from_db()
    assert survey["response"].role_group == Response.RoleGroup.FRONTLINE


def test_over_long_comment_shows_an_error_and_saves_nothing_from_the_page(client, survey):
    data = good_data(survey)
    question = survey["questions"][2]
    data[f"comment-{question.pk}"] = "x" * 2001
    page = client.post(survey["url"], data)
    assert page.status_code == 400
    html = page.content.decode()
    assert "<title>Error: " in html
    assert "must be 2,000 characters or less" in html
    assert f'href="#id_comment-{question.pk}"' in html
    # What was typed is still on the page, ready to be shortened.
    assert "x" * 2001 in html
    assert (
        page.context["form"][f"q-{survey['questions'][1].pk}"].value()
        == data[f"q-{survey['questions'][1].pk}"]
    )
    assert_nothing_saved(survey)


def test_comment_of_exactly_2000_characters_with_line_breaks_is_saved(client, survey):
    question = survey["questions"][1]
    # 1,000 line breaks sent as CRLF are 2,000 characters as the character count sees them.
    comment = "a\r\n" * 500 + "b" * 1000
    page = client.post(survey["url"], {f"comment-{question.pk}": comment})
    assert page.status_code == 302
    assert len(Answer.objects.get(question=question).comment) == 2000


def test_saving_to_a_submitted_response_is_refused(client, survey):
    Response.objects.filter(pk=survey["response"].pk).update(submitted_at=timezone.now())
    page = client.post(survey["url"], good_data(survey))
    assert page.status_code == 409
    assert b"You have already submitted your answers" in page.content
    assert client.post(reverse("assessments:about_you"), {"role_group": "other"}).status_code == 409
    assert_nothing_saved(survey)


def test_invalid_token_in_the_session_asks_for_the_link(client, survey):
    session = client.session
    session[SESSION_KEY] = "forged"
    session.save()
    page = client.post(survey["url"], good_data(survey))
    assert page.status_code == 403
    assert_nothing_saved(survey)


def test_get_cannot_submit(client, survey):
    assert client.get(reverse("assessments:submit")).status_code == 405
    survey["response"].refresh_from_db()
    assert not survey["response"].is_submitted


def test_percent_signs_in_a_question_show_in_its_error_messages(client):
    version = draft_version(themes=1, questions=1)
    version.themes.get().questions.update(text="Are 100% of services online?")
    version.publish()
    response = ResponseFactory(round=RoundFactory(questionnaire_version=version))
    client.get(reverse("assessments:resume", args=[response.token]))
    theme = version.themes.get()
    question = theme.questions.get()
    data = {f"q-{question.pk}": "999999", f"comment-{question.pk}": "x" * 2001}
    page = client.post(reverse("assessments:theme", args=[theme.key]), data)
    assert page.status_code == 400
    assert (
        "Select one of the answers shown for “Are 100% of services online?”"
        in page.content.decode()
    )
    assert "Your comment on “Are 100% of services online?” must be" in page.content.decode()
