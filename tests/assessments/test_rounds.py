"""A lead's pages: running a round from creation to report, viewers, isolation, bad input."""

import csv
import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Membership, Response, Round, Snapshot
from maturity.models import User
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    closed_round,
    submit_responses,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def signed_in(organisation, role=Membership.Role.LEAD):
    """A client signed in as a new member of `organisation` with `role`."""
    user = User.objects.create(username=f"{role}-{User.objects.count()}@example.gov.uk")
    MembershipFactory(user=user, organisation=organisation, role=role)
    client = Client()
    client.force_login(user)
    return client


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def round_data(title="Spring 2026", opens_on=None, closes_on=None, threshold=5):
    opens_on = opens_on or TODAY()
    closes_on = closes_on or TODAY() + datetime.timedelta(days=28)
    return {
        "title": title,
        **date_fields("opens_on", opens_on),
        **date_fields("closes_on", closes_on),
        "anonymity_threshold": threshold,
        "length": "full",
        "breakdown": "role",
    }


def url(name, obj):
    return reverse(f"assessments:{name}", args=[obj.pk])


def assert_gov_uk_error(page, message):
    html = page.content.decode()
    assert page.status_code == 400
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert message in html


@pytest.fixture
def draft(version):
    return RoundFactory(
        questionnaire_version=version,
        status=Round.Status.DRAFT,
        opened_at=None,
        anonymity_threshold=3,
    )


@pytest.fixture
def open_round(version):
    return RoundFactory(questionnaire_version=version, anonymity_threshold=3)


# The journey


def answer_from_open_link(open_link, role_group):
    """A respondent, without an account, answering every question and submitting."""
    respondent = Client()
    assert respondent.get(open_link).status_code == 200
    assert respondent.post(open_link).url == reverse("assessments:about_you")
    respondent.post(reverse("assessments:about_you"), {"role_group": role_group})
    round = Round.objects.get(open_token=open_link.rstrip("/").rsplit("/", 1)[1])
    for theme in round.questionnaire_version.themes.prefetch_related("questions__options"):
        answers = {
            f"q-{question.pk}": str(question.options.get(level=4).pk)
            for question in theme.questions.all()
        }
        respondent.post(reverse("assessments:theme", args=[theme.key]), answers)
    done = respondent.post(reverse("assessments:submit"))
    assert done.url == reverse("reports:confirmation")


def test_lead_runs_a_round_from_creation_to_report(version):
    organisation = OrganisationFactory()
    lead = signed_in(organisation)

    # One organisation: "Your organisations" goes straight to it.
    home = lead.get(reverse("home"), follow=True)
    assert home.redirect_chain[-1][0] == url("organisation", organisation)
    assert b"Create a round" in home.content

    created = lead.post(url("create_round", organisation), round_data(threshold=3))
    round = Round.objects.get()
    assert created.url == url("round", round)
    assert (round.status, round.questionnaire_version, round.anonymity_threshold) == (
        Round.Status.DRAFT,
        version,
        3,
    )
    assert round.created_by.memberships.get().organisation == organisation

    assert lead.post(url("open_round", round)).url == url("round", round)
    round.refresh_from_db()
    assert round.status == Round.Status.OPEN

    page = lead.get(url("round", round)).content.decode()
    open_link = re.search(r'id="open-link" type="text" value="([^"]+)"', page)[1]
    assert open_link == "http://testserver" + reverse(
        "assessments:open_link", args=[round.open_token]
    )
    for group in ["digital", "frontline", "frontline"]:
        answer_from_open_link(open_link.removeprefix("http://testserver"), group)

    page = lead.get(url("round", round)).content.decode()
    assert re.search(r"Submitted</dt>\s*<dd[^>]*>3</dd>", page)

    assert lead.post(url("close_round", round)).url == url("round", round)
    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED
    # Closing stores the final figures for reports and peer benchmarks.
    assert Snapshot.objects.get(round=round, final=True).responses == 3

    report = lead.get(reverse("reports:round", args=[round.pk]))
    assert report.status_code == 200
    figures = lead.get(reverse("reports:figures_csv", args=[round.pk]))
    assert figures.status_code == 200
    assert figures["Content-Type"].startswith("text/csv")
    pdf = lead.get(reverse("reports:board_pdf", args=[round.pk]))
    assert pdf.status_code == 200
    assert b"".join(pdf).startswith(b"%PDF")


def test_round_page_links_to_the_report_pdfs_and_csvs(open_round):
    lead = signed_in(open_round.organisation)
    page = lead.get(url("round", open_round)).content.decode()
    for name in ["round", "board_pdf", "full_pdf", "figures_csv", "method_json", "comments"]:
        assert reverse(f"reports:{name}", args=[open_round.pk]) in page
    # Respondent-level answers only once the round has closed.
    assert reverse("reports:answers_csv", args=[open_round.pk]) not in page
    open_round.close()
    page = lead.get(url("round", open_round)).content.decode()
    assert reverse("reports:answers_csv", args=[open_round.pk]) in page


def test_organisations_page_lists_each_membership_with_its_role(version):
    first, second = OrganisationFactory(name="Aardale Council"), OrganisationFactory()
    user = User.objects.create(username="both@example.gov.uk")
    MembershipFactory(user=user, organisation=first, role=Membership.Role.LEAD)
    MembershipFactory(user=user, organisation=second, role=Membership.Role.VIEWER)
    client = Client()
    client.force_login(user)

    page = client.get(reverse("assessments:organisations")).content.decode()

    assert page.index("Aardale Council") < page.index(second.name)
    assert "Lead: you run its assessment rounds" in page
    assert "Viewer: you can read its rounds and reports" in page


def test_organisation_page_lists_rounds_with_status_and_responses(version):
    organisation = OrganisationFactory()
    closed = closed_round(organisation, version, title="Last year")
    submit_responses(closed, 4)
    RoundFactory(organisation=organisation, questionnaire_version=version, title="This year")
    RoundFactory(
        organisation=organisation,
        questionnaire_version=version,
        title="Next year",
        status=Round.Status.DRAFT,
    )

    page = signed_in(organisation).get(url("organisation", organisation)).content.decode()

    assert re.search(r"Last year</bdi></a>\s*<strong[^>]*>Closed</strong>.*?>4</td>", page, re.S)
    assert re.search(r"This year</bdi></a>\s*<strong[^>]*>Open</strong>.*?>0</td>", page, re.S)
    assert re.search(r"Next year</bdi></a>\s*<strong[^>]*>Draft</strong>", page, re.S)


def test_organisation_page_shows_each_rounds_overall_score_and_links_its_report(version):
    organisation = OrganisationFactory()
    scored = closed_round(organisation, version, title="Last year")
    submit_responses(scored, 6, levels=[{}] * 3 + [{t.key: 5 for t in version.themes.all()}] * 3)
    under = closed_round(organisation, version, title="Too few", days_ago=300)
    submit_responses(under, 2)

    page = signed_in(organisation).get(url("organisation", organisation)).content.decode()

    # Three at level 3 (50) and three at level 5 (100): 75, with its margin.
    row = re.search(r"Last year</bdi></a>.*?</tr>", page, re.S).group()
    assert re.search(r"<strong>75</strong> <span[^>]*>±\d+</span>", row)
    assert f'href="{reverse("reports:round", args=[scored.pk])}"' in row
    row = re.search(r"Too few</bdi></a>.*?</tr>", page, re.S).group()
    assert "No figures yet" in row and "/report/" not in row


def test_personal_links_download_as_csv_for_a_mail_merge(open_round):
    lead = signed_in(open_round.organisation)

    download = lead.post(url("personal_links", open_round), {"count": "3"})

    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    tokens = set(
        Response.objects.filter(round=open_round, is_personal=True).values_list("token", flat=True)
    )
    assert rows[0] == ["link"]
    assert {row[0] for row in rows[1:]} == {
        f"http://testserver{reverse('assessments:resume', args=[token])}" for token in tokens
    }
    assert len(tokens) == 3


def test_round_page_counts_responses_and_response_rate(open_round):
    submit_responses(open_round, 6, is_personal=True)
    Response.objects.bulk_create(Response(round=open_round, is_personal=True) for _ in range(6))
    Response.objects.create(round=open_round, started_at=timezone.now())

    page = signed_in(open_round.organisation).get(url("round", open_round)).content.decode()

    assert re.search(r"Submitted</dt>\s*<dd[^>]*>6</dd>", page)
    # k = 3: three are in the figures, the newest three wait.
    assert re.search(r"In the figures</dt>\s*<dd[^>]*>3<", page)
    assert re.search(r"In progress</dt>\s*<dd[^>]*>1<", page)
    assert re.search(r"Personal links issued</dt>\s*<dd[^>]*>12</dd>", page)
    # The rate counts the responses in the figures: 3 of 12.
    assert "25%" in page
    assert "3 responses in the figures came through the 12 personal links issued" in page


def role_group_counts(page):
    rows = re.findall(
        r'<th scope="row"[^>]*>(?:<bdi>)?([^<]+)(?:</bdi>)?</th>\s*<td[^>]*>([^<]+)</td>',
        page.content.decode(),
    )
    return dict(rows)


def test_counts_by_group_come_from_the_figures_cells(version):
    round = RoundFactory(questionnaire_version=version, anonymity_threshold=5)
    submit_responses(round, 7, role_group=Response.RoleGroup.FRONTLINE)
    submit_responses(round, 6, role_group=Response.RoleGroup.DIGITAL)
    submit_responses(round, 2, role_group=Response.RoleGroup.CORPORATE)

    counts = role_group_counts(signed_in(round.organisation).get(url("round", round)))

    # 15 submitted, the newest 5 wait: of the first ten, frontline's seven are a cell; the
    # three digital wait for their group to reach 5.
    assert counts["Frontline service delivery"] == "7"
    assert counts["Digital, IT or data"] == "Not shown separately"
    assert counts["Corporate services"] == "Not shown separately"
    assert counts["Senior leadership"] == "Not shown separately"


def test_group_counts_read_the_same_whatever_the_true_count(version):
    """A group of none, one or k - 1: the round page says the same of each."""
    pages = []
    for digital in (0, 1, 4):
        round = RoundFactory(questionnaire_version=version, anonymity_threshold=5)
        submit_responses(round, 12, role_group=Response.RoleGroup.FRONTLINE)
        submit_responses(round, digital, role_group=Response.RoleGroup.DIGITAL)
        submit_responses(round, 6 - digital, role_group=Response.RoleGroup.FRONTLINE)
        page = signed_in(round.organisation).get(url("round", round))
        pages.append(role_group_counts(page)["Digital, IT or data"])
    assert len(set(pages)) == 1


def test_round_page_shows_no_response_tokens(open_round):
    responses = submit_responses(open_round, 3, is_personal=True)
    page = signed_in(open_round.organisation).get(url("round", open_round)).content.decode()
    assert not any(response.token in page for response in responses)


def test_lead_changes_title_and_dates_of_an_open_round(open_round):
    lead = signed_in(open_round.organisation)
    closes_on = TODAY() + datetime.timedelta(days=60)
    data = round_data(title="Renamed", opens_on=open_round.opens_on, closes_on=closes_on)
    data.pop("anonymity_threshold")

    assert lead.post(url("edit_round", open_round), data).url == url("round", open_round)

    open_round.refresh_from_db()
    assert (open_round.title, open_round.closes_on) == ("Renamed", closes_on)


def test_threshold_is_fixed_once_the_round_opens(open_round):
    lead = signed_in(open_round.organisation)
    assert b"anonymity_threshold" not in lead.get(url("edit_round", open_round)).content

    lead.post(url("edit_round", open_round), round_data(opens_on=open_round.opens_on, threshold=10))

    open_round.refresh_from_db()
    assert open_round.anonymity_threshold == 3


def test_lead_changes_the_threshold_of_a_draft(draft):
    lead = signed_in(draft.organisation)
    lead.post(url("edit_round", draft), round_data(threshold=10))
    draft.refresh_from_db()
    assert draft.anonymity_threshold == 10


# Viewers read everything and change nothing


def test_viewer_sees_the_round_without_buttons(open_round):
    viewer = signed_in(open_round.organisation, Membership.Role.VIEWER)

    page = viewer.get(url("round", open_round)).content.decode()

    assert page.count("govuk-button--warning") == 0
    for name in ["edit_round", "open_round", "close_round", "personal_links"]:
        assert url(name, open_round) not in page
    assert reverse("reports:round", args=[open_round.pk]) in page
    organisation_page = viewer.get(url("organisation", open_round.organisation))
    assert b"Create a round" not in organisation_page.content


@pytest.mark.parametrize(
    "name, data",
    [
        ("edit_round", round_data(title="Changed")),
        ("open_round", {}),
        ("close_round", {}),
        ("personal_links", {"count": "10"}),
    ],
)
def test_viewer_cannot_change_a_round(draft, open_round, name, data):
    for round in (draft, open_round):
        viewer = signed_in(round.organisation, Membership.Role.VIEWER)
        before = Round.objects.values().get(pk=round.pk)

        assert viewer.get(url(name, round)).status_code == 404
        assert viewer.post(url(name, round), data).status_code == 404

        assert Round.objects.values().get(pk=round.pk) == before
        assert not round.responses.exists()


def test_viewer_cannot_create_a_round(version):
    organisation = OrganisationFactory()
    viewer = signed_in(organisation, Membership.Role.VIEWER)

    assert viewer.get(url("create_round", organisation)).status_code == 404
    assert viewer.post(url("create_round", organisation), round_data()).status_code == 404
    assert not Round.objects.exists()


# Another organisation's lead reaches none of it


def test_other_organisation_gets_404_on_every_scoped_url(open_round):
    submit_responses(open_round, 3)
    other = signed_in(OrganisationFactory())
    organisation = open_round.organisation
    before = Round.objects.values().get(pk=open_round.pk)
    urls = [
        url("organisation", organisation),
        url("create_round", organisation),
        *(
            url(name, open_round)
            for name in ["round", "edit_round", "open_round", "close_round", "personal_links"]
        ),
        *(
            reverse(f"reports:{name}", args=[open_round.pk])
            for name in ["round", "board_pdf", "full_pdf", "figures_csv", "answers_csv"]
        ),
    ]

    for address in urls:
        assert other.get(address).status_code == 404, address
        assert other.post(address, {**round_data(), "count": "5"}).status_code in (404, 405), (
            address
        )

    assert Round.objects.values().get(pk=open_round.pk) == before
    assert Round.objects.count() == 1
    assert not open_round.responses.filter(is_personal=True).exists()


def test_staff_without_membership_get_404_on_organisation_pages(open_round):
    staff = User.objects.create(username="admin@example.gov.uk", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(url("round", open_round)).status_code == 404
    page = client.get(reverse("assessments:organisations")).content.decode()
    assert "You are not a member of any organisation yet" in page
    assert reverse("admin:index") in page


# Bad input: a clear message, nothing saved


def test_closing_a_closed_round_says_so_and_changes_nothing(open_round):
    lead = signed_in(open_round.organisation)
    lead.post(url("close_round", open_round))
    open_round.refresh_from_db()
    closed_at = open_round.closed_at

    page = lead.post(url("close_round", open_round))

    assert_gov_uk_error(page, "is already closed")
    assert b"Close the round</button>" not in page.content
    open_round.refresh_from_db()
    assert open_round.closed_at == closed_at


def test_opening_a_round_whose_closing_date_has_passed_is_refused(version):
    round = RoundFactory(
        questionnaire_version=version,
        status=Round.Status.DRAFT,
        opened_at=None,
        opens_on=TODAY() - datetime.timedelta(days=10),
        closes_on=TODAY() - datetime.timedelta(days=1),
    )
    lead = signed_in(round.organisation)

    page = lead.post(url("open_round", round))

    assert_gov_uk_error(page, "The closing date has passed")
    # The message links to where the date can be changed.
    assert f'href="{url("edit_round", round)}"' in page.content.decode()
    round.refresh_from_db()
    assert round.status == Round.Status.DRAFT


def test_opening_an_open_round_is_refused(open_round):
    page = signed_in(open_round.organisation).post(url("open_round", open_round))
    assert_gov_uk_error(page, "is already open")


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {
                "closes_on": TODAY() + datetime.timedelta(days=1),
                "opens_on": TODAY() + datetime.timedelta(days=5),
            },
            "The date the round closes must be the same as or after the date it opens",
        ),
        (
            {"closes_on": TODAY() - datetime.timedelta(days=1)},
            "The date the round closes must be today or in the future",
        ),
    ],
)
def test_dates_that_end_before_they_start_are_refused(version, draft, changes, message):
    organisation = draft.organisation
    lead = signed_in(organisation)
    data = round_data(**changes)

    assert_gov_uk_error(lead.post(url("create_round", organisation), data), message)
    assert Round.objects.count() == 1

    before = Round.objects.values().get(pk=draft.pk)
    assert_gov_uk_error(lead.post(url("edit_round", draft), data), message)
    assert Round.objects.values().get(pk=draft.pk) == before


@pytest.mark.parametrize(
    "fields, message, part",
    [
        (
            {"opens_on_0": "", "opens_on_1": "", "opens_on_2": ""},
            "Enter the date the round opens",
            0,
        ),
        ({"opens_on_1": ""}, "The date the round opens must include a month", 1),
        (
            {"opens_on_0": "", "opens_on_2": ""},
            "The date the round opens must include a day and a year",
            0,
        ),
        (
            {"opens_on_0": "31", "opens_on_1": "2"},
            "The date the round opens must be a real date",
            0,
        ),
        ({"opens_on_0": "first"}, "The date the round opens must be a real date", 0),
        ({"opens_on_2": "26"}, "Year must include 4 numbers", 2),
    ],
)
def test_incomplete_or_impossible_dates_get_gov_uk_messages(version, fields, message, part):
    organisation = OrganisationFactory()
    data = {**round_data(), **fields}

    page = signed_in(organisation).post(url("create_round", organisation), data)

    assert_gov_uk_error(page, message)
    # The error summary links to the first box at fault.
    assert f'<a href="#id_opens_on_{part}">{message}</a>' in page.content.decode()
    assert not Round.objects.exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": ""}, "Enter a title for the round"),
        ({"title": "x" * 201}, "The title must be 200 characters or less"),
        ({"anonymity_threshold": "2"}, "The anonymity threshold must be 3 or more"),
        ({"anonymity_threshold": "51"}, "The anonymity threshold must be 50 or less"),
        ({"anonymity_threshold": "five"}, "The anonymity threshold must be a whole number"),
    ],
)
def test_bad_title_or_threshold_is_refused(version, fields, message):
    organisation = OrganisationFactory()
    page = signed_in(organisation).post(
        url("create_round", organisation), {**round_data(), **fields}
    )
    assert_gov_uk_error(page, message)
    assert not Round.objects.exists()


@pytest.mark.parametrize(
    "count, message",
    [
        ("0", "Enter a number of links from 1 to 5,000"),
        ("5001", "Enter a number of links from 1 to 5,000"),
        ("-3", "Enter a number of links from 1 to 5,000"),
        ("ten", "Enter the number of links as a whole number"),
        ("", "Enter how many links you need"),
    ],
)
def test_personal_link_counts_outside_1_to_5000_are_refused(open_round, count, message):
    page = signed_in(open_round.organisation).post(
        url("personal_links", open_round), {"count": count}
    )
    assert_gov_uk_error(page, message)
    assert not open_round.responses.exists()


def test_personal_links_for_a_closed_round_are_refused(open_round):
    lead = signed_in(open_round.organisation)
    lead.post(url("close_round", open_round))

    assert b"no more links can be generated" in lead.get(url("personal_links", open_round)).content
    page = lead.post(url("personal_links", open_round), {"count": "5"})

    assert_gov_uk_error(page, "Links cannot be issued for a closed round")
    assert not open_round.responses.exists()


def test_a_closed_round_cannot_be_changed(open_round):
    lead = signed_in(open_round.organisation)
    lead.post(url("close_round", open_round))
    before = Round.objects.values().get(pk=open_round.pk)

    page = lead.post(url("edit_round", open_round), round_data(title="Too late"), follow=True)

    assert "has closed, so its details cannot change" in page.content.decode()
    assert Round.objects.values().get(pk=open_round.pk) == before


def test_no_published_questionnaire_means_no_round(empty_bank):
    organisation = OrganisationFactory()
    lead = signed_in(organisation)
    page = lead.get(url("create_round", organisation))
    assert b"There is no published questionnaire yet" in page.content
    lead.post(url("create_round", organisation), round_data())
    assert not Round.objects.exists()


def test_new_round_form_suggests_dates_and_the_default_threshold(version):
    organisation = OrganisationFactory()
    page = signed_in(organisation).get(url("create_round", organisation)).content.decode()
    closes = TODAY() + datetime.timedelta(days=28)
    assert f'name="closes_on_2" value="{closes.year}"' in page
    assert 'name="anonymity_threshold" value="5"' in page
