"""Inviting staff by e-mail: reading the list, the preview, sending once per address, counts
only, bad input that saves nothing, and ten thousand at once."""

import datetime
import re
from html import unescape

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.forms.outreach import MAX_ADDRESSES, read_addresses
from assessments.models import AccessLog, Response, StaffInvitation, Unit
from assessments.outreach import (
    INVITATION_BATCH,
    Invitee,
    invitation_counts,
    invite_staff,
    requeue_invitations,
    write_invitations,
)
from maturity.mail import deliver_email
from maturity.models import Email
from tests.factories import RoundFactory, closed_round, member_of

pytestmark = pytest.mark.django_db

BASE = "https://maturity.example.gov.uk"


@pytest.fixture
def round(version):
    return RoundFactory(title="Spring survey", organisation__name="Anytown Council")


@pytest.fixture
def lead(round):
    client = Client()
    client.force_login(member_of(round.organisation))
    return client


def staff_url(round):
    return reverse("assessments:staff", args=[round.pk])


def check(client, round, text=None, file=None):
    data = {"addresses": text or ""}
    if file is not None:
        data["file"] = file
    return client.post(staff_url(round), data)


def send(client, round, page, capture):
    invitees = re.search(r'name="invitees" value="([^"]*)"', page.content.decode(), re.S)[1]
    with capture(execute=True):
        return client.post(staff_url(round), {"send": "1", "invitees": unescape(invitees)})


def upload(content: bytes, name="staff.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_pasted_addresses_are_previewed_then_each_gets_its_own_link(
    lead, round, django_capture_on_commit_callbacks
):
    page = check(lead, round, "ann@example.gov.uk\nBob@Example.gov.uk\n\nann@EXAMPLE.gov.uk\n")
    assert page.status_code == 200
    html = page.content.decode()
    assert "New: will be invited" in html and "Send 2 invitations" in html
    assert StaffInvitation.objects.count() == 0 and Response.objects.count() == 0

    done = send(lead, round, page, django_capture_on_commit_callbacks)
    assert done.status_code == 302
    assert sorted(StaffInvitation.objects.values_list("address", flat=True)) == [
        "ann@example.gov.uk",
        "bob@example.gov.uk",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.gov.uk", "bob@example.gov.uk"]
    links = {re.search(r"https?://\S+/r/(\S+)/", m.body)[1] for m in mail.outbox}
    assert links == set(
        Response.objects.filter(round=round, is_personal=True).values_list("token", flat=True)
    )
    assert AccessLog.objects.filter(action=AccessLog.Action.INVITATIONS).count() == 1


def test_the_email_names_the_organisation_and_closing_date_with_no_images(
    round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(round=round, invitees=[Invitee("ann@example.gov.uk")], base_url=BASE)
    (message,) = mail.outbox
    assert "Anytown Council" in message.subject and "Spring survey" in message.subject
    assert "Anytown Council" in message.body
    assert f"{round.closes_on:%-d %B %Y}" in message.body
    html = message.alternatives[0][0]
    assert "<img" not in html and "src=" not in html
    assert f"{BASE}/stop-reminders/" in message.body


def test_adding_more_later_sends_to_the_new_ones_only(round, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(round=round, invitees=[Invitee("ann@example.gov.uk")], base_url=BASE)
        invited = invite_staff(
            round=round,
            invitees=[Invitee("ann@example.gov.uk"), Invitee("cat@example.gov.uk")],
            base_url=BASE,
        )
    assert invited == 1
    assert [m.to[0] for m in mail.outbox] == ["ann@example.gov.uk", "cat@example.gov.uk"]
    assert round.invitations.count() == 2


def test_the_preview_counts_addresses_already_invited(lead, round):
    invite_staff(round=round, invitees=[Invitee("ann@example.gov.uk")], base_url=BASE)
    page = check(lead, round, "ANN@example.gov.uk\ncat@example.gov.uk")
    html = page.content.decode()
    assert re.search(r"New: will be invited</dt>\s*<dd[^>]*>1<", html)
    assert re.search(r"Invited already: not sent again</dt>\s*<dd[^>]*>1<", html)


def test_the_lead_sees_counts_and_never_an_address(lead, round, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(
            round=round,
            invitees=[Invitee("ann@example.gov.uk"), Invitee("bob@example.gov.uk")],
            base_url=BASE,
        )
    Email.objects.filter(to="bob@example.gov.uk").update(status=Email.Status.QUEUED, attempts=1)
    html = lead.get(staff_url(round)).content.decode()
    assert "ann@example.gov.uk" not in html and "bob@example.gov.uk" not in html
    assert re.search(r"Sent</dt>\s*<dd[^>]*>1<", html)
    assert re.search(r"Waiting to be sent</dt>\s*<dd[^>]*>1<", html)
    assert "could not be sent yet" in html
    assert invitation_counts(round) == {
        "total": 2,
        "sent": 1,
        "waiting": 1,
        "retrying": 1,
        "failed": 0,
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"\xef\xbb\xbfemail,unit\nann@example.gov.uk,Finance\n",
            [("ann@example.gov.uk", "Finance")],
        ),
        (
            b"Email;Unit\nann@example.gov.uk;Finance\nbob@example.gov.uk;\n",
            [("ann@example.gov.uk", "Finance"), ("bob@example.gov.uk", None)],
        ),
        (b'"Ann Smith <Ann@Example.gov.uk>",finance\n', [("ann@example.gov.uk", "Finance")]),
        (
            b"Ann <ann@example.gov.uk>; Bob <bob@example.gov.uk>\n",
            [("ann@example.gov.uk", None), ("bob@example.gov.uk", None)],
        ),
        (
            b"Name,Unit,E-mail address\nAnn,Finance,ann@example.gov.uk\n",
            [("ann@example.gov.uk", "Finance")],
        ),
    ],
    ids=["bom-and-header", "semicolons", "display-name", "outlook-to-line", "columns-by-header"],
)
def test_lists_as_spreadsheets_and_mail_programs_save_them_are_read(round, content, expected):
    finance = Unit.objects.create(organisation=round.organisation, name="Finance")
    found = read_addresses(content.decode("utf-8-sig"), units=[finance])
    assert found.errors == []
    assert [(i.address, i.unit.name if i.unit else None) for i in found.invitees] == expected


def test_every_bad_line_is_named_and_nothing_is_saved(lead, round):
    Unit.objects.create(organisation=round.organisation, name="Finance")
    text = "\n".join(
        [
            "ann@example.gov.uk,Finance",
            "not an address",
            "bob@example.gov.uk,Finanse",
            "ann@example.gov.uk,",
            "cat@example",
        ]
    )
    page = check(lead, round, text)
    html = page.content.decode()
    assert page.status_code == 400
    assert "govuk-error-summary" in html and "Nothing has been sent" in html
    assert "Line 2: “not an address” is not an email address" in html
    assert "Line 3: “Finanse” is not one of the units (Finance)" in html
    assert "Line 4: ann@example.gov.uk is also on line 1, with another unit" in html
    assert "Line 5: “cat@example” is not an email address" in html
    assert "4 lines have problems" in html
    assert StaffInvitation.objects.count() == Email.objects.count() == Response.objects.count() == 0


def test_a_file_that_is_not_utf8_names_its_line(lead, round):
    page = check(
        lead,
        round,
        file=upload("ann@example.gov.uk\nJosé <jose@example.gov.uk>\n".encode("cp1252")),
    )
    assert page.status_code == 400
    assert "Line 2 is not UTF-8 text" in page.content.decode()
    assert StaffInvitation.objects.count() == 0


def test_a_file_too_big_or_too_long_is_refused(lead, round):
    big = check(lead, round, file=upload(b"ann@example.gov.uk\n" * 600_000))  # 11 MB
    assert big.status_code == 400
    assert "The file must be 2 MB or smaller" in big.content.decode()
    rows = "".join(f"s{n}@example.gov.uk\n" for n in range(MAX_ADDRESSES + 1)).encode()
    long = check(lead, round, file=upload(rows))
    assert long.status_code == 400
    assert "The list has more than 20,000 addresses" in long.content.decode()
    assert StaffInvitation.objects.count() == 0


def test_an_empty_list_is_an_error(lead, round):
    page = check(lead, round, "  \n")
    assert page.status_code == 400
    assert "Paste email addresses or upload a CSV file" in page.content.decode()


def test_invitations_carry_their_unit_and_a_unit_round_chooses_it_for_them(
    lead, version, django_capture_on_commit_callbacks
):
    round = RoundFactory(breakdown="unit")
    finance = Unit.objects.create(organisation=round.organisation, name="Finance")
    lead.force_login(member_of(round.organisation))
    page = check(lead, round, file=upload(b"email,unit\nann@example.gov.uk,FINANCE\n"))
    send(lead, round, page, django_capture_on_commit_callbacks)
    invitation = StaffInvitation.objects.get()
    assert invitation.unit == finance
    assert invitation.response.unit == finance
    page = lead.get(staff_url(round)).content.decode()
    assert re.search(r"Finance</bdi></th>\s*<td[^>]*>1</td>", page)


def test_closed_draft_and_other_organisations_rounds_cannot_invite(lead, round, version):
    closed = closed_round(round.organisation)
    assert (
        "nobody can be invited"
        in lead.post(
            staff_url(closed), {"send": "1", "invitees": "ann@example.gov.uk"}, follow=True
        ).content.decode()
    )
    draft = RoundFactory(organisation=round.organisation, status="draft")
    assert "Open the round before inviting staff" in lead.get(staff_url(draft)).content.decode()
    other = RoundFactory()
    assert lead.get(staff_url(other)).status_code == 404
    viewer = Client()
    viewer.force_login(member_of(round.organisation, role="viewer"))
    assert viewer.get(staff_url(round)).status_code == 404
    assert StaffInvitation.objects.count() == 0


def test_ten_thousand_invitations_are_sent_from_the_page_in_one_request(
    lead, round, django_capture_on_commit_callbacks, database_tasks
):
    # How long the lead waits is checked by `make bench` (invite_10000_s), not here: a timed
    # test fails on a busy machine.
    invitees = "\n".join(f"person{n}@example.gov.uk" for n in range(10_000))
    with django_capture_on_commit_callbacks(execute=True):
        page = lead.post(staff_url(round), {"send": "1", "invitees": invitees})
    assert page.status_code == 302
    assert round.invitations.count() == 10_000
    # One task a batch of invitations; the worker writes and sends their e-mails.
    assert DBTaskResult.objects.count() == 10_000 // INVITATION_BATCH


def test_a_batch_run_twice_writes_each_email_once(round, database_tasks):
    invite_staff(
        round=round, invitees=[Invitee(f"p{n}@example.gov.uk") for n in range(3)], base_url=BASE
    )
    ids = list(round.invitations.values_list("pk", flat=True))
    assert write_invitations.call(ids, BASE) == 3
    assert write_invitations.call(ids, BASE) == 0
    assert Email.objects.count() == 3
    assert set(round.invitations.values_list("email__to", flat=True)) == {
        "p0@example.gov.uk",
        "p1@example.gov.uk",
        "p2@example.gov.uk",
    }


def test_invitations_whose_task_was_lost_are_queued_again(round, database_tasks):
    invite_staff(round=round, invitees=[Invitee("ann@example.gov.uk")], base_url=BASE)
    assert DBTaskResult.objects.count() == 0  # its task never reached the queue
    assert requeue_invitations(base_url=BASE) == 0  # too recent: perhaps still on its way
    StaffInvitation.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert requeue_invitations(base_url=BASE) == 1
    assert DBTaskResult.objects.count() == 1


def test_invitations_the_worker_reaches_after_closing_are_not_sent(round, database_tasks):
    invite_staff(round=round, invitees=[Invitee("ann@example.gov.uk")], base_url=BASE)
    round.close()
    ids = list(round.invitations.values_list("pk", flat=True))
    assert write_invitations.call(ids, BASE) == 0
    StaffInvitation.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert requeue_invitations(base_url=BASE) == 0
    assert not Email.objects.exists()


def test_a_refusing_mail_server_leaves_invitations_waiting_then_sends_them(
    lead, round, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse = 1  # "451 try again later"
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(round=round, invitees=[Invitee("ann@example.gov.uk")], base_url=BASE)
    assert smtp_server.messages == []
    page = lead.get(staff_url(round)).content.decode()
    assert re.search(r"Waiting to be sent</dt>\s*<dd[^>]*>1<", page)
    assert "1 of them could not be sent yet" in page

    # The retry, as the worker runs it when its time comes.
    deliver_email.call([StaffInvitation.objects.get().email_id])
    (message,) = smtp_server.messages
    assert message["To"] == "ann@example.gov.uk"
    page = lead.get(staff_url(round)).content.decode()
    assert re.search(r"Sent</dt>\s*<dd[^>]*>1<", page)
