"""Staff invitations end to end: the lead's list, the real database worker in its own process,
a real SMTP server (tests/conftest.py: smtp_server), and the invitee following the link that
arrived to answer; a worker killed mid-batch, restarted, sends each invitation once."""

import re
from collections import Counter
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments.models import Response, StaffInvitation, Unit
from assessments.outreach import Invitee, invite_staff
from maturity.models import Email
from tests.factories import RoundFactory, member_of
from tests.maturity.test_mail_worker import (
    DB_WORKER,
    SENDER,
    kill_worker_mid_batch,
    manage,
    worker_environment,
)

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker(sink):
    worker = manage(*DB_WORKER, "--batch", env=worker_environment(sink))
    assert worker.returncode == 0, worker.stderr
    return worker


def answer_everything(client, round):
    """Start, say which unit, answer every question at level 3, submit."""
    assert client.post(reverse("assessments:start")).url == reverse("assessments:about_you")
    about = client.get(reverse("assessments:about_you")).content.decode()
    unit = Unit.objects.get(name="Finance")
    # The unit the lead gave is chosen already.
    assert re.search(rf'value="{unit.pk}"[^>]*checked', about)
    client.post(reverse("assessments:about_you"), {"unit": str(unit.pk)})
    for theme in round.questionnaire_version.themes.prefetch_related("questions__options"):
        answers = {f"q-{q.pk}": str(q.options.get(level=3).pk) for q in theme.questions.all()}
        client.post(
            reverse("assessments:theme", args=[theme.key]), {**answers, "action": "continue"}
        )
    return client.post(reverse("assessments:submit"))


def test_an_invitation_arrives_by_smtp_and_its_link_answers_the_survey(
    smtp_server, database_tasks, settings, version
):
    settings.DEFAULT_FROM_EMAIL = SENDER
    round = RoundFactory(
        title="Spring survey", organisation__name="Anytown Council", breakdown="unit"
    )
    Unit.objects.create(organisation=round.organisation, name="Finance")
    lead = Client()
    lead.force_login(member_of(round.organisation))
    staff = reverse("assessments:staff", args=[round.pk])
    # As Excel saves it in many European locales: a byte-order mark, semicolons, CRLF.
    csv = (
        b"\xef\xbb\xbfEmail;Unit\r\n"
        b"Ann Smith <Ann@Example.gov.uk>;Finance\r\n"
        b"bob@example.gov.uk;finance\r\n"
    )
    checked = lead.post(staff, {"file": SimpleUploadedFile("staff.csv", csv, "text/csv")})
    assert "Send 2 invitations" in checked.content.decode()
    invitees = re.search(r'name="invitees" value="([^"]*)"', checked.content.decode())[1]
    lead.post(staff, {"send": "1", "invitees": unescape(invitees)})
    assert smtp_server.messages == []  # the request only saved the invitations

    worker = run_worker(smtp_server)
    assert "example.gov.uk" not in worker.stdout + worker.stderr
    by_address = {message["To"]: message for message in smtp_server.messages}
    assert sorted(by_address) == ["ann@example.gov.uk", "bob@example.gov.uk"]
    message = by_address["ann@example.gov.uk"]
    assert message["From"] == SENDER
    assert message["Subject"] == "Anytown Council: have your say in Spring survey"
    text = message.get_body(["plain"]).get_content()
    html = message.get_body(["html"]).get_content()
    assert "Anytown Council" in text and f"{round.closes_on:%-d %B %Y}" in text
    assert "<img" not in html
    path = re.search(r"http://testserver(/r/\S+/)", text)[1]
    assert f'href="http://testserver{path}"' in html

    ann = Client()
    assert ann.get(path).url == reverse("assessments:tasks")
    assert answer_everything(ann, round).url == reverse("reports:confirmation")
    submitted = StaffInvitation.objects.get(address="ann@example.gov.uk").response
    submitted.refresh_from_db()
    assert submitted.is_submitted and submitted.unit.name == "Finance"

    # A reminder now goes to Bob only, with a stop link that works.
    smtp_server.messages.clear()
    lead.post(reverse("assessments:reminders", args=[round.pk]), {"now": "1"})
    run_worker(smtp_server)
    (reminder,) = smtp_server.messages
    assert reminder["To"] == "bob@example.gov.uk"
    stop = re.search(
        r"http://testserver(/stop-reminders/\S+/)", reminder.get_body(["plain"]).get_content()
    )[1]
    assert "You will not be reminded again" in Client().post(stop).content.decode()
    page = lead.get(staff).content.decode()
    assert re.search(r"Sent</dt>\s*<dd[^>]*>2<", page)
    assert "ann@example.gov.uk" not in page and "bob@example.gov.uk" not in page


def test_a_worker_killed_mid_batch_then_restarted_sends_each_invitation_once(
    smtp_server, database_tasks, settings, version
):
    settings.DEFAULT_FROM_EMAIL = SENDER
    round = RoundFactory()
    invite_staff(
        round=round,
        invitees=[Invitee(f"staff{n}@example.gov.uk") for n in range(60)],
        base_url="https://maturity.example.gov.uk",
    )
    env = worker_environment(smtp_server)
    kill_worker_mid_batch(smtp_server, env, after=20)

    # Restarted as docs/deploy.md says: lost deliveries queued again, then the worker.
    assert manage("requeue_email", env=env).returncode == 0
    run_worker(smtp_server)
    received = Counter(message["To"] for message in smtp_server.messages)
    assert received == Counter(f"staff{n}@example.gov.uk" for n in range(60))
    assert Email.objects.filter(status=Email.Status.SENT).count() == 60
    assert Response.objects.filter(round=round, is_personal=True).count() == 60
