"""The board summary and full report PDFs, and the URL fetcher that guards them."""

import io
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from assessments import comments
from maturity.models import Question, Theme
from maturity.versioning import load_bank
from reports import pdf
from tests.factories import (
    OrganisationFactory,
    RoundFactory,
    closed_round,
    default_bank,
    draft_version,
    member_of,
    peer_rounds,
    submit_responses,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def get_pdf(client, round, name="reports:board_pdf"):
    response = client.get(reverse(name, args=[round.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def pdf_text(reader):
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_board_summary_holds_the_organisation_and_theme_scores(lead_client, round):
    first = round.questionnaire_version.themes.first()
    submit_responses(round, 4, levels={first.key: 5})
    reader = get_pdf(lead_client, round)
    text = pdf_text(reader)
    assert round.organisation.name in text
    assert round.title in text
    # Theme 1: (6 x 50 + 4 x 100) / 10 = 70, level 4; theme 2: 50, level 3; overall 60.
    assert re.search(r"Theme 1 70 ±\d+ 4 Embedded", text)
    assert re.search(r"Theme 2 50 ±1 3 Established", text)
    assert "60 out of 100" in text
    assert "Page 1 of 2" in text


def test_pdf_metadata_names_the_report_and_its_language(lead_client, round):
    reader = get_pdf(lead_client, round, "reports:full_pdf")
    assert reader.metadata.title == (f"Full report: {round.title}, {round.organisation.name}")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in catalog  # tagged
    assert catalog["/MarkInfo"]["/Marked"]
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()


def test_full_report_has_everything_the_page_has(client, version):
    organisation = OrganisationFactory()
    previous = closed_round(organisation, version)
    submit_responses(previous, 5, level=2)
    peer_rounds(version, 5)
    round = closed_round(organisation, version, days_ago=1)
    submit_responses(round, 5, role_group="digital", comment="Budgets are set a year ahead.")
    submit_responses(round, 5, role_group="frontline", level=2)
    client.force_login(member_of(organisation))
    text = pdf_text(get_pdf(client, round, "reports:full_pdf"))
    for heading in (
        "Each theme in detail",
        "Priorities and recommendations",
        "How different groups see the organisation",
        "Change since an earlier round",
        "6 of 6 questions comparable",
        "Compared with similar organisations",
        "Answers to each question",
        "What staff said",
        "Budgets are set a year ahead.",
        "How scores are calculated",
    ):
        assert heading in text


def test_the_board_summary_never_reads_what_staff_wrote(lead_client, round, monkeypatch):
    """It prints no comment, so it does not screen a large round's comments to leave them out
    (half its time at 10,000 responses); the full report still prints them."""
    submit_responses(round, 5, comment="Budgets are set a year ahead.")
    screened = []
    screen_all = comments._screened_comments

    def counting(*args, **kwargs):
        screened.append(args)
        return screen_all(*args, **kwargs)

    monkeypatch.setattr(comments, "_screened_comments", counting)

    get_pdf(lead_client, round)
    assert screened == []
    assert "Budgets are set a year ahead." in pdf_text(
        get_pdf(lead_client, round, "reports:full_pdf")
    )
    assert len(screened) == 1


def test_board_summary_of_the_full_question_bank_fits_two_pages(client):
    """The longest board summary: nine themes, a previous round and a peer benchmark."""
    version, _ = load_bank(default_bank())
    organisation = OrganisationFactory()
    submit_responses(closed_round(organisation, version), 5, level=2)
    peer_rounds(version, 5)
    round = RoundFactory(organisation=organisation, questionnaire_version=version)
    submit_responses(round, 5, level=3, role_group="digital")
    submit_responses(round, 5, level=1, role_group="frontline")
    client.force_login(member_of(organisation))
    reader = get_pdf(client, round)
    assert len(reader.pages) <= 2
    text = pdf_text(reader)
    assert "Strengths" in text and "Priorities" in text
    assert all(theme.title in text for theme in version.themes.all())


def test_a_round_under_k_gives_a_pdf_with_its_count_and_nothing_else(client):
    round = RoundFactory()
    submit_responses(round, 2, level=5)
    client.force_login(member_of(round.organisation))
    text = pdf_text(get_pdf(client, round))
    assert "2 responses submitted" in text
    assert "No figures yet" in text
    assert "Theme 1" not in text and "out of 100" not in text


def test_another_organisation_gets_404_for_the_pdf(client, round):
    client.force_login(member_of(OrganisationFactory()))
    assert client.get(reverse("reports:board_pdf", args=[round.pk])).status_code == 404


def test_admin_text_is_printed_as_text_not_markup(client):
    version = draft_version()
    Theme.objects.filter(pk=version.themes.first().pk).update(title="<script>alert(1)</script>")
    question = Question.objects.filter(theme__questionnaire_version=version).first()
    Question.objects.filter(pk=question.pk).update(text='Q <img src="file:///etc/passwd">')
    version.publish()
    round = closed_round(version=version)
    submit_responses(round, 5)
    client.force_login(member_of(round.organisation))
    text = pdf_text(get_pdf(client, round, "reports:full_pdf"))
    assert "<script>alert(1)</script>" in text
    assert 'Q <img src="file:///etc/passwd">' in text


def test_pdfs_are_cached_until_the_next_snapshot(client, monkeypatch):
    rendered = []
    render = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda html: rendered.append(html) or render(html))
    round = RoundFactory(anonymity_threshold=3)
    submit_responses(round, 6)
    client.force_login(member_of(round.organisation))
    url = reverse("reports:board_pdf", args=[round.pk])
    first = client.get(url).content
    assert client.get(url).content == first
    assert len(rendered) == 1
    submit_responses(round, 1)  # not enough to move the figures: the same PDF
    assert client.get(url).content == first and len(rendered) == 1
    submit_responses(round, 2)
    assert "These figures include 6 of the 9 responses" in pdf_text(
        PdfReader(io.BytesIO(client.get(url).content))
    )
    assert len(rendered) == 2


def test_every_input_of_a_pdf_changes_it(client, version):
    """The snapshot, the comparison round and its snapshot, and the words about the round:
    change any of them and the PDF is made again, never served stale."""
    organisation = OrganisationFactory()
    older = closed_round(organisation, version, days_ago=300)
    submit_responses(older, 5, level=1)
    latest = closed_round(organisation, version, days_ago=100)
    submit_responses(latest, 5, level=2)
    round = RoundFactory(organisation=organisation, questionnaire_version=version)
    submit_responses(round, 10)
    client.force_login(member_of(organisation))
    url = reverse("reports:board_pdf", args=[round.pk])

    def board():
        return pdf_text(PdfReader(io.BytesIO(client.get(url).content)))

    before = board()
    assert f"since {latest.title}" in before
    round.comparison_round = older
    round.save(update_fields=["comparison_round"])
    assert f"since {older.title}" in board()
    round.title = "Renamed round"
    round.save(update_fields=["title"])
    assert "Renamed round" in board()
    submit_responses(round, 5)
    assert "These figures include 10 of the 15 responses" in board()


# The URL fetcher


def test_fetcher_serves_our_static_files():
    fetched = pdf.StaticFilesFetcher().fetch("https://pdf.invalid/static/css/report-pdf.css")
    assert b"@page" in fetched.read()
    assert fetched.content_type == "text/css"


def test_fetcher_serves_collected_files_with_hashed_names(settings, tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "report-pdf.0123abcd.css").write_text("@page { size: A4 }")
    settings.STATIC_ROOT = tmp_path
    url = "https://pdf.invalid/static/css/report-pdf.0123abcd.css"
    assert pdf.StaticFilesFetcher().fetch(url).read() == b"@page { size: A4 }"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/logo.png",
        "https://example.com/static/css/report-pdf.css",
        "http://pdf.invalid/static/css/report-pdf.css",
        "https://pdf.invalid/etc/passwd",
        "https://pdf.invalid/static/../../../etc/passwd",
        "https://pdf.invalid/static/%2e%2e/%2e%2e/maturity/settings.py",
        "https://pdf.invalid/static//etc/passwd",
        "https://pdf.invalid/static/no-such-file.css",
        "data:text/plain,hello",
        "ftp://example.com/x",
    ],
)
def test_fetcher_refuses_everything_else(url):
    with pytest.raises(ValueError):
        pdf.StaticFilesFetcher().fetch(url)


def test_a_document_naming_outside_resources_fetches_only_static_files(monkeypatch):
    served, refused = [], []

    class Recording(pdf.StaticFilesFetcher):
        def fetch(self, url, headers=None):
            try:
                response = super().fetch(url, headers)
            except ValueError:
                refused.append(url)
                raise
            served.append(url)
            return response

    monkeypatch.setattr(pdf, "StaticFilesFetcher", Recording)
    html = (
        '<html lang="en-GB"><head><title>t</title>'
        '<link rel="stylesheet" href="/static/css/report-pdf.css">'
        '<link rel="stylesheet" href="https://example.com/evil.css"></head>'
        '<body><p>Hello</p><img src="file:///etc/passwd" alt="">'
        '<img src="http://169.254.169.254/latest/meta-data/" alt=""></body></html>'
    )
    assert pdf.render_pdf(html).startswith(b"%PDF")
    assert served == ["https://pdf.invalid/static/css/report-pdf.css"]
    assert sorted(refused) == [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/evil.css",
    ]


def figure_alternatives(node):
    """The /Alt of every /Figure in a tagged PDF's structure tree."""
    node = node.get_object()
    found = [str(node["/Alt"])] if node.get("/S") == "/Figure" and "/Alt" in node else []
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict):
            found += figure_alternatives(kid)
    return found


def test_the_radar_is_a_tagged_figure_with_a_text_alternative(lead_client, round):
    reader = get_pdf(lead_client, round)
    alternatives = figure_alternatives(reader.trailer["/Root"]["/StructTreeRoot"])
    assert alternatives == [
        "Radar chart of the theme scores out of 100 (this round); "
        "the table that follows gives the same figures."
    ]


def test_commands_start_without_loading_weasyprint():
    """Every command and worker loads the URLs (the system checks do); WeasyPrint takes most
    of a second to import, so it waits for the first PDF (decision record 22)."""
    probe = (
        "import sys, django; django.setup(); "
        "from django.core.management import call_command; call_command('check'); "
        "print('weasyprint' in sys.modules, 'reports.views.report' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split() == ["False", "True"]


def test_weasyprints_stylesheet_still_has_the_rules_the_pdfs_leave_out():
    """The PDFs are laid out with WeasyPrint's user-agent stylesheet less its rules for
    footnotes and for every element's marker. When a release changes them, this says so
    (the PDFs then fall back to its own stylesheet, correct but slower)."""
    assert pdf.LEAN_STYLESHEET
    assert not re.search(r"^::", pdf.LEAN_CSS, re.MULTILINE)
    assert pdf.lean_user_agent_css("::marker { color: red }\n") is None


def boxes_of(document):
    """Every box of a laid-out document: its page, kind, element and geometry."""
    found = []
    for number, page in enumerate(document.pages):
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            found.append(
                (number, type(box).__name__, box.element_tag)
                + tuple(round(n, 3) for n in (box.position_x, box.position_y))
                + (round(box.width, 3), round(box.height, 3), getattr(box, "text", None))
            )
            stack.extend(getattr(box, "children", ()))
    return found


def test_the_lean_stylesheet_lays_out_the_full_report_as_weasyprints_own(
    client, version, monkeypatch
):
    organisation = OrganisationFactory()
    peer_rounds(version, 5)
    round = closed_round(organisation, version)
    submit_responses(round, 5, role_group="digital", comment="Budgets are set a year ahead.")
    submit_responses(round, 5, role_group="frontline", level=2)
    documents = []
    monkeypatch.setattr(pdf, "render_pdf", lambda html: documents.append(html) or b"%PDF")
    client.force_login(member_of(organisation))
    client.get(reverse("reports:full_pdf", args=[round.pk]))
    [html] = documents
    own = pdf.HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.StaticFilesFetcher())
    laid_out = boxes_of(pdf.document(html).render())
    assert laid_out == boxes_of(own.render())
    # The method's bullet list keeps its markers.
    assert ("TextBox", "li::marker") in {box[1:3] for box in laid_out}
