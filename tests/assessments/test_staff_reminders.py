"""Reminders to invited staff: only those who have not submitted or stopped them, at most one
a day each, now or on the days chosen; and the public "stop reminding me" link."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Reminder, StaffInvitation
from assessments.outreach import Invitee, invite_staff
from assessments.reminders import remind_now, schedule_reminders
from tests.factories import RoundFactory, member_of

pytestmark = pytest.mark.django_db

BASE = "https://maturity.example.gov.uk"
TODAY = timezone.localdate


@pytest.fixture
def round(version, django_capture_on_commit_callbacks):
    round = RoundFactory(closes_on=TODAY() + datetime.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(
            round=round,
            invitees=[Invitee(f"{name}@example.gov.uk") for name in ("ann", "bob", "cat")],
            base_url=BASE,
        )
    mail.outbox.clear()
    return round


@pytest.fixture
def lead(round):
    client = Client()
    client.force_login(member_of(round.organisation))
    return client


def invitation(address):
    return StaffInvitation.objects.select_related("response").get(address=address)


def remind(round, capture):
    with capture(execute=True):
        return remind_now(round=round, base_url=BASE)


def test_only_those_who_have_not_submitted_or_stopped_are_reminded(
    round, django_capture_on_commit_callbacks
):
    ann = invitation("ann@example.gov.uk").response
    ann.submitted_at = timezone.now()
    ann.save()
    StaffInvitation.objects.filter(address="bob@example.gov.uk").update(
        reminders_stopped_at=timezone.now()
    )
    assert remind(round, django_capture_on_commit_callbacks) == 1
    (message,) = mail.outbox
    assert message.to == ["cat@example.gov.uk"]
    assert f"{round.closes_on:%-d %B %Y}" in message.subject
    token = invitation("cat@example.gov.uk").response.token
    assert f"{BASE}/r/{token}/" in message.body
    assert f"{BASE}/stop-reminders/{invitation('cat@example.gov.uk').stop_token}/" in message.body


def test_nobody_is_reminded_twice_in_a_day(round, django_capture_on_commit_callbacks):
    assert remind(round, django_capture_on_commit_callbacks) == 3
    assert remind(round, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 3
    StaffInvitation.objects.update(last_reminded_on=TODAY() - datetime.timedelta(days=1))
    assert remind(round, django_capture_on_commit_callbacks) == 3


def test_scheduled_reminders_go_on_their_day_from_the_command(
    round, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = BASE
    schedule_reminders(round=round, days=[7, 2])
    assert sorted(Reminder.objects.values_list("due_on", flat=True)) == [
        round.closes_on - datetime.timedelta(days=7),
        round.closes_on - datetime.timedelta(days=2),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders", verbosity=0)
    assert mail.outbox == []  # 7 days before closing is 3 days away
    Reminder.objects.filter(days_before=7).update(due_on=TODAY())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders", verbosity=0)
        call_command("send_due_reminders", verbosity=0)  # cron again within the day
    assert len(mail.outbox) == 3
    assert Reminder.objects.get(days_before=7).reminded == 3
    assert Reminder.objects.get(days_before=2).sent_at is None


def test_a_reminder_due_after_the_round_closed_reaches_nobody(
    round, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = BASE
    schedule_reminders(round=round, days=[2])
    round.close()
    Reminder.objects.update(due_on=TODAY())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders", verbosity=0)
    assert mail.outbox == []
    assert Reminder.objects.get().reminded == 0


def test_the_lead_schedules_and_sends_reminders_and_sees_how_many(
    lead, round, django_capture_on_commit_callbacks
):
    url = reverse("assessments:reminders", args=[round.pk])
    assert lead.post(url, {"days": ["7", "2"]}).status_code == 302
    assert Reminder.objects.filter(sent_at=None).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        sent = lead.post(url, {"now": "1"}, follow=True)
    assert "3 people will be reminded" in sent.content.decode()
    page = lead.get(reverse("assessments:staff", args=[round.pk])).content.decode()
    assert re.search(r"<td[^>]*>3</td>", page)  # people reminded
    assert "Scheduled" in page
    assert "ann@example.gov.uk" not in page


def test_a_day_already_past_is_an_error(lead, round):
    round.closes_on = TODAY() + datetime.timedelta(days=1)
    round.save()
    url = reverse("assessments:reminders", args=[round.pk])
    page = lead.post(url, {"days": ["7"]})
    assert page.status_code == 400
    assert "7 days before closing has passed" in page.content.decode()
    assert Reminder.objects.count() == 0


def test_stop_reminding_me_works_without_signing_in(round, django_capture_on_commit_callbacks):
    bob = invitation("bob@example.gov.uk")
    url = reverse("assessments:stop_reminders", args=[bob.stop_token])
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and "Stop reminding me" in page.content.decode()
    bob.refresh_from_db()
    assert bob.reminders_stopped_at is None  # following the link changes nothing
    done = client.post(url)
    assert "You will not be reminded again" in done.content.decode()
    assert remind(round, django_capture_on_commit_callbacks) == 2
    assert "bob@example.gov.uk" not in [m.to[0] for m in mail.outbox]


def test_stop_link_of_a_closed_round_or_a_bad_token_is_a_clear_page(round):
    client = Client()
    bad = client.get(reverse("assessments:stop_reminders", args=["not-a-token"]))
    assert bad.status_code == 404 and "This link is not valid" in bad.content.decode()
    round.close()
    url = reverse("assessments:stop_reminders", args=[invitation("ann@example.gov.uk").stop_token])
    closed = client.post(url)
    assert closed.status_code == 200
    assert "no more reminders" in closed.content.decode()
