"""The results shared back with staff, and the erasure of their addresses afterwards."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import StaffEmail, StaffInvitation, StaffOutreach
from assessments.outreach import (
    KEEP_ADDRESSES_DAYS,
    Invitee,
    erase_addresses,
    invite_staff,
    publish_staff_summary,
)
from maturity.models import Email
from tests.factories import RoundFactory, member_of, submit_responses

pytestmark = pytest.mark.django_db

BASE = "https://maturity.example.gov.uk"
ADDRESSES = [f"person{n}@example.gov.uk" for n in range(6)]


@pytest.fixture
def round(version, django_capture_on_commit_callbacks):
    round = RoundFactory(title="Spring survey")
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(round=round, invitees=[Invitee(a) for a in ADDRESSES], base_url=BASE)
    submit_responses(round, 6, level=4)
    mail.outbox.clear()
    return round


@pytest.fixture
def lead(round):
    client = Client()
    client.force_login(member_of(round.organisation))
    return client


def decide(lead, round, decision, capture):
    with capture(execute=True):
        return lead.post(
            reverse("assessments:staff_summary", args=[round.pk]), {"decision": decision}
        )


def no_addresses_left():
    """Nothing in the database holds an invitee's address any more."""
    kept = list(StaffInvitation.objects.exclude(address="").values_list("address", flat=True))
    outbox = list(Email.objects.filter(to__in=ADDRESSES).values_list("to", flat=True))
    return kept == [] and outbox == []


def test_the_summary_waits_for_the_round_to_close(lead, round, django_capture_on_commit_callbacks):
    decide(lead, round, "publish", django_capture_on_commit_callbacks)
    assert not StaffOutreach.objects.filter(summary="published").exists()
    assert mail.outbox == []


def test_a_published_summary_is_emailed_and_reached_from_the_open_link(
    lead, round, django_capture_on_commit_callbacks
):
    round.close()
    page = lead.get(reverse("assessments:staff", args=[round.pk])).content.decode()
    assert "Publish the staff summary" in page
    decide(lead, round, "publish", django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ADDRESSES
    summary_url = reverse("reports:staff_summary", args=[round.open_token])
    assert f"http://testserver{summary_url}" in mail.outbox[0].body

    public = Client()
    closed = public.get(reverse("assessments:open_link", args=[round.open_token]))
    assert summary_url in closed.content.decode()
    summary = public.get(summary_url)
    assert summary.status_code == 200
    html = summary.content.decode()
    assert "The results of" in html and "Spring survey" in html
    assert "out of 100" in html
    assert not any(address in html for address in ADDRESSES)


def test_the_summary_is_not_public_until_published(round):
    round.close()
    url = reverse("reports:staff_summary", args=[round.open_token])
    assert Client().get(url).status_code == 404


def test_declining_erases_the_addresses_at_once(lead, round, django_capture_on_commit_callbacks):
    round.close()
    decide(lead, round, "decline", django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert StaffInvitation.objects.count() == len(ADDRESSES)  # the counts stay
    assert no_addresses_left()
    page = lead.get(reverse("assessments:staff", args=[round.pk])).content.decode()
    assert "were erased on" in page


def test_addresses_are_erased_once_the_summary_has_been_sent(
    lead, round, django_capture_on_commit_callbacks
):
    round.close()
    with django_capture_on_commit_callbacks(execute=False):
        # The summary e-mails are still waiting: their addresses are still needed.
        publish_staff_summary(round=round, base_url=BASE)
    assert erase_addresses() == 0
    Email.objects.update(status=Email.Status.SENT)
    call_command("erase_staff_addresses", verbosity=0)
    assert no_addresses_left()
    assert not StaffEmail.objects.exists()


def test_addresses_are_erased_30_days_after_closing_whatever_was_decided(round):
    round.close()
    assert erase_addresses() == 0
    round.closed_at = timezone.now() - datetime.timedelta(days=KEEP_ADDRESSES_DAYS + 1)
    round.save()
    assert erase_addresses() == 1
    assert no_addresses_left()


def test_addresses_never_reach_the_answers_export(lead, round):
    round.close()
    for name in ("answers_csv", "figures_csv", "method_json"):
        download = lead.get(reverse(f"reports:{name}", args=[round.pk]))
        assert download.status_code == 200, name
        content = b"".join(download.streaming_content) if download.streaming else download.content
        assert b"example.gov.uk" not in content, name


def test_the_privacy_page_says_when_addresses_are_erased(client):
    page = client.get(reverse("privacy")).content.decode()
    assert f"in any case {KEEP_ADDRESSES_DAYS} days after the survey closed" in page
