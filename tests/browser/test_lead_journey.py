"""An organisation lead runs a round in Chromium, from signing in to the downloads."""

import csv
import re

import pytest
from playwright.sync_api import expect

from assessments.models import Round
from maturity.versioning import load_bank
from reports.exports import FIGURE_COLUMNS
from tests.factories import PASSWORD, MembershipFactory, default_bank, submit_responses

pytestmark = pytest.mark.browser


def test_lead_creates_and_opens_a_round_then_reads_and_downloads_its_report(page):
    version, _ = load_bank(default_bank(), publish=True)
    themes = list(version.themes.all())
    lead = MembershipFactory(
        user__username="lead@northshire.example", organisation__name="Northshire Council"
    ).user

    page.goto("/")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email address").fill(lead.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Their one organisation's page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Northshire Council")

    page.get_by_role("button", name="Create a round").click()
    page.get_by_label("Title").fill("Spring assessment")
    # The dates are filled in already: from today, for four weeks.
    page.get_by_role("button", name="Create round").click()
    expect(page.get_by_role("alert")).to_contain_text("“Spring assessment” has been created")
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()

    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open “Spring assessment” to staff?")
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("alert")).to_contain_text("“Spring assessment” is open")
    round = Round.objects.get(title="Spring assessment")
    expect(page.get_by_label("Open link")).to_have_value(
        re.compile(rf"^http://.+/s/{round.open_token}/$")
    )

    # Staff answer. While the round is open, figures trail the count by 5 to 9 responses
    # (anonymity in steps of k): with 6 in there are none yet, with 10 the first 5 show.
    submit_responses(round, 6, levels={theme.key: 1 + n % 5 for n, theme in enumerate(themes)})
    page.reload()
    page.get_by_role("button", name="View the report").click()
    expect(page.get_by_text("No figures yet")).to_be_visible()
    page.go_back()
    submit_responses(round, 4, levels={theme.key: 1 + n % 5 for n, theme in enumerate(themes)})
    page.reload()
    page.get_by_role("button", name="View the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring assessment")
    included = page.get_by_text("These figures include 5 of the 10 responses submitted")
    expect(included).to_be_visible()
    # plotly drew the radar: one trace, this round (no earlier round, no peers yet).
    expect(page.locator("[data-chart='radar-data'] .scatterlayer .trace")).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("link", name="Board summary (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    with page.expect_download() as download:
        page.get_by_role("link", name="Theme and question figures (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == FIGURE_COLUMNS
    assert [row[0] for row in rows[1:3]] == ["overall", "theme"]
