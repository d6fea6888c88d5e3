import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Round
from tests.factories import AnswerFactory, ResponseFactory, RoundFactory

pytestmark = pytest.mark.django_db


def test_response_admin_never_shows_tokens_or_answers(admin_client):
    response = ResponseFactory(submitted_at=timezone.now())
    answer = AnswerFactory(response=response, comment="A private comment")
    for url in (
        reverse("admin:assessments_response_changelist"),
        reverse("admin:assessments_response_change", args=[response.pk]),
    ):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert response.token.encode() not in page.content
        assert answer.comment.encode() not in page.content
        assert answer.option.descriptor.encode() not in page.content


def test_responses_are_read_only_in_the_admin(admin_client):
    response = ResponseFactory()
    assert admin_client.get(reverse("admin:assessments_response_add")).status_code == 403
    page = admin_client.get(reverse("admin:assessments_response_change", args=[response.pk]))
    assert b'name="_save"' not in page.content


@pytest.mark.parametrize("name", ["organisation", "round", "membership", "response"])
def test_admin_lists_load(admin_client, name):
    RoundFactory()
    assert admin_client.get(reverse(f"admin:assessments_{name}_changelist")).status_code == 200


def test_round_admin_close_action_closes_the_round(admin_client):
    round = RoundFactory()
    page = admin_client.post(
        reverse("admin:assessments_round_changelist"),
        {"action": "close_rounds", "_selected_action": [round.pk]},
        follow=True,
    )
    assert b"Closed 1 round" in page.content
    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED


def test_theme_preview_renders_the_survey_form(admin_client, version):
    theme = version.themes.first()
    page = admin_client.get(reverse("admin:maturity_theme_preview", args=[theme.pk]))
    assert page.status_code == 200
    question = theme.questions.first()
    assert f'id="id_q-{question.pk}_1"'.encode() in page.content
    assert b"Nothing you choose here is saved" in page.content
