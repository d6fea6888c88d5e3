"""Reports under attack: private pages kept out of caches, and text that cannot reverse one."""

import logging

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from assessments.models import Answer
from maturity.versioning import version_content
from reports import pdf, svg
from reports.report import build_report
from tests.assessments.test_hardening_survey import answered_response, open_with_link
from tests.bidi import unisolated
from tests.factories import (
    OrganisationFactory,
    RoundFactory,
    closed_round,
    member_of,
    submit_responses,
)

pytestmark = pytest.mark.django_db

DOWNLOADS = ["board_pdf", "full_pdf", "figures_csv", "answers_csv", "method_json"]


def test_every_report_page_and_download_is_kept_out_of_caches(lead_client, round):
    themes = version_content(round.questionnaire_version).themes
    urls = [
        reverse("reports:round", args=[round.pk]),
        *(reverse("reports:theme", args=[round.pk, theme.key]) for theme in themes),
        *(reverse(f"reports:{name}", args=[round.pk]) for name in DOWNLOADS),
        reverse("reports:comments", args=[round.pk]),
    ]
    for url in urls:
        response = lead_client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


# Text people wrote cannot reverse the page around it

ORGANISATION = "מרכז Health Board"
TITLE = "סקר staff survey 2026"
COMMENT = "תגובה: the new system is slower"


@pytest.fixture
def rtl_round(db):
    organisation = OrganisationFactory(name=ORGANISATION)
    round = closed_round(organisation=organisation, title=TITLE)
    submit_responses(round, 6, comment=COMMENT)
    return round


def test_names_titles_and_comments_are_isolated_on_every_lead_page(client, rtl_round):
    client.force_login(member_of(rtl_round.organisation))
    content = version_content(rtl_round.questionnaire_version)
    organisation = rtl_round.organisation
    urls = [
        reverse("assessments:organisations"),
        reverse("assessments:organisation", args=[organisation.pk]),
        reverse("assessments:access_log", args=[organisation.pk]),
        reverse("assessments:round", args=[rtl_round.pk]),
        reverse("assessments:edit_round", args=[rtl_round.pk]),
        reverse("assessments:personal_links", args=[rtl_round.pk]),
        reverse("reports:round", args=[rtl_round.pk]),
        reverse("reports:comments", args=[rtl_round.pk]),
        *(reverse("reports:theme", args=[rtl_round.pk, theme.key]) for theme in content.themes),
    ]
    texts = [ORGANISATION, TITLE, COMMENT, *(theme.title for theme in content.themes)]
    for url in urls:
        html = client.get(url).content.decode()
        for text in texts:
            assert unisolated(html, text) == [], (url, text)


@pytest.mark.parametrize("variant", [pdf.BOARD, pdf.FULL])
def test_names_titles_and_comments_are_isolated_in_the_pdfs(rtl_round, variant):
    report = build_report(rtl_round)
    svg.add_pdf_charts(report)
    html = render_to_string(pdf.TEMPLATES[variant], {**report, "service_name": "Service"})
    content = version_content(rtl_round.questionnaire_version)
    for text in [ORGANISATION, TITLE, *(theme.title for theme in content.themes)]:
        assert text in html
        assert unisolated(html, text) == [], text


def test_comments_typed_with_control_characters_draw_no_glyph_warnings(client, caplog):
    """Each control character in a PDF made WeasyPrint warn of a missing glyph."""
    round = RoundFactory(anonymity_threshold=3)
    theme = round.questionnaire_version.themes.first()
    question = theme.questions.first()
    for n in range(4):
        respondent = Client()
        response = answered_response(round)
        open_with_link(respondent, response)
        respondent.post(
            reverse("assessments:theme", args=[theme.key]),
            {
                **{f"q-{q.pk}": str(q.options.get(level=3).pk) for q in theme.questions.all()},
                f"comment-{question.pk}": f"Slow\x07 logins\x1b number {n}\x85",
            },
        )
        assert respondent.post(reverse("assessments:submit")).status_code == 302
    round.close()
    client.force_login(member_of(round.organisation))

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        assert client.get(reverse("reports:full_pdf", args=[round.pk])).status_code == 200

    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert Answer.objects.filter(comment__startswith="Slow logins number").count() == 4
