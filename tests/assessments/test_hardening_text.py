"""Text people write: isolated for bidirectional text on the survey's pages, and without
control characters once posted, through any form."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Organisation, Round
from maturity.text import strip_controls
from tests.assessments.test_hardening_survey import answered_response, open_with_link
from tests.assessments.test_rounds import round_data, signed_in, url
from tests.bidi import unisolated
from tests.factories import OrganisationFactory, ResponseFactory, RoundFactory

pytestmark = pytest.mark.django_db

ORGANISATION = "מרכז Health Board"
TITLE = "סקר staff survey 2026"
# A bell, an escape sequence, a right-to-left override left open and a C1 control.
NOISE = "\x07\x1b[31m\u202e\x85"


def test_strip_controls_keeps_line_breaks_tabs_and_marks():
    text = "Line one\r\nLine\ttwo \u200fמרכז\u200e"
    assert strip_controls(text) == text
    assert strip_controls(f"Slow{NOISE} system\x00") == "Slow[31m system"


def test_survey_pages_isolate_names_titles_and_questions(client):
    round = RoundFactory(organisation=OrganisationFactory(name=ORGANISATION), title=TITLE)
    theme = round.questionnaire_version.themes.first()
    question = theme.questions.first()
    # (The test bank's theme titles, "Theme 1", are also the start of "Theme 1 of 2".)
    texts = [ORGANISATION, TITLE, question.text]
    start = client.get(reverse("assessments:open_link", args=[round.open_token]))
    response = answered_response(round)
    open_with_link(client, response)
    pages = [start] + [
        client.get(address)
        for address in [
            reverse("assessments:tasks"),
            reverse("assessments:theme", args=[theme.key]),
            reverse("assessments:check"),
        ]
    ]
    client.post(reverse("assessments:submit"))
    pages.append(client.get(reverse("reports:confirmation")))
    Round.objects.filter(pk=round.pk).update(closes_on=timezone.localdate() - datetime.timedelta(1))
    pages.append(client.get(reverse("assessments:open_link", args=[round.open_token])))
    for page in pages:
        html = page.content.decode()
        for text in texts:
            assert unisolated(html, text) == [], (page.request["PATH_INFO"], text)


def test_a_comment_is_saved_without_control_characters(client):
    response = ResponseFactory(round=RoundFactory())
    open_with_link(client, response)
    theme = response.round.questionnaire_version.themes.first()
    question = theme.questions.first()
    option = question.options.get(level=3)

    saved = client.post(
        reverse("assessments:theme", args=[theme.key]),
        {f"q-{question.pk}": str(option.pk), f"comment-{question.pk}": f"Too slow{NOISE}\nreally"},
    )

    assert saved.status_code == 302
    assert Answer.objects.get(response=response, question=question).comment == (
        "Too slow[31m\nreally"
    )


def test_a_round_title_is_saved_without_control_characters(version):
    organisation = OrganisationFactory()
    lead = signed_in(organisation)

    lead.post(url("create_round", organisation), round_data(title=f"Spring{NOISE} 2026"))

    assert organisation.rounds.get().title == "Spring[31m 2026"


def test_the_admin_saves_names_without_control_characters(admin_client, version):
    added = admin_client.post(
        reverse("admin:assessments_organisation_add"),
        {
            "name": f"Borsetshire{NOISE} Council",
            "function": Organisation.Function.GENERAL_PUBLIC_SERVICES,
            "size_band": Organisation.SizeBand.UNDER_5000,
            "region": Organisation.Region.NORTH_WEST,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    assert Organisation.objects.get().name == "Borsetshire[31m Council"
