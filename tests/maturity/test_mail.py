"""The outbox (maturity.mail): queued after commit, sent once, retried, given up, found again."""

import datetime
import logging
import re

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maturity import mail as outbox
from maturity.mail import (
    RETRY_DELAYS,
    deliver_email,
    html_paragraphs,
    queue_email,
    queue_emails,
    requeue_email,
)
from maturity.models import Email, User

pytestmark = pytest.mark.django_db

LINK = "https://maturity.example.gov.uk/accounts/password/reset/MQ/cz7-0a1b2c3d/"
BODY = f"Choose a password <here> & now:\n\n{LINK}\n\nThen sign in."


def queue(**kwargs):
    return queue_email(
        **{"to": "lead@example.gov.uk", "subject": "Set a password", "body": BODY, **kwargs}
    )


def test_email_is_sent_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = queue()
        assert mail.outbox == []

    assert len(callbacks) == 1
    (message,) = mail.outbox
    assert message.to == ["lead@example.gov.uk"]
    assert message.from_email == "no-reply@localhost"
    assert message.extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert email.sent_at is not None
    assert email.body == ""  # the link is not kept once sent


def test_email_of_a_rolled_back_transaction_is_never_sent(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the invitation failed after queueing its email")

    assert mail.outbox == []
    assert not Email.objects.exists()


def test_message_has_a_plain_text_and_a_simple_html_part(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(subject="Set a\npassword")

    (message,) = mail.outbox
    assert message.subject == "Set a password"  # one line, whatever the template gave
    assert message.body == BODY
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f'<a href="{LINK}"' in html
    assert "Choose a password &lt;here&gt; &amp; now:" in html
    assert '<html lang="en-GB">' in html
    assert "<title>Set a password</title>" in html
    # Nothing that loads from elsewhere or reports an opening: the only address is the link.
    assert not re.search(r"<(img|script|link|iframe)\b|\bsrc=|url\(", html)
    assert set(re.findall(r"https?://[^\s\"<]+", html)) == {LINK}


def test_delivering_again_sends_nothing(smtp_server):
    email = queue()

    assert deliver_email.call([email.pk]) == {"sent": 1}
    assert deliver_email.call([email.pk]) == {"not queued": 1}
    assert len(smtp_server.messages) == 1


def test_a_temporary_refusal_schedules_the_next_attempt(
    smtp_server, database_tasks, django_capture_on_commit_callbacks
):
    smtp_server.refuse = 1
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    (first,) = DBTaskResult.objects.all()

    assert deliver_email.call([email.pk]) == {"retry": 1}

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)
    assert "451" in email.last_error
    assert email.body == BODY
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert email.task_id == str(retry.pk)
    wait = retry.run_after - timezone.now()
    assert RETRY_DELAYS[0] - datetime.timedelta(seconds=5) < wait <= RETRY_DELAYS[0]
    assert smtp_server.messages == []


def test_attempts_wait_longer_each_time_then_give_up(smtp_server, database_tasks):
    smtp_server.stop()  # connections are refused
    email = queue()
    waits = []
    for _ in range(len(RETRY_DELAYS)):
        assert deliver_email.call([email.pk]) == {"retry": 1}
        waits.append(DBTaskResult.objects.latest("enqueued_at").run_after - timezone.now())

    assert deliver_email.call([email.pk]) == {"given up": 1}

    assert waits == sorted(waits) and len(set(waits)) == len(waits)
    assert waits[0] <= datetime.timedelta(minutes=1) and waits[-1] > datetime.timedelta(hours=5)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.body) == (
        Email.Status.FAILED,
        len(RETRY_DELAYS) + 1,
        "",
    )
    assert "ConnectionRefusedError" in email.last_error
    assert DBTaskResult.objects.count() == len(RETRY_DELAYS)  # nothing after giving up


def test_a_permanent_refusal_gives_up_at_once(smtp_server, database_tasks):
    async def no_such_mailbox(server, session, envelope, address, options):
        return "550 5.1.1 No such mailbox"

    smtp_server.handle_RCPT = no_such_mailbox
    email = queue()

    assert deliver_email.call([email.pk]) == {"given up": 1}

    assert not DBTaskResult.objects.exists()  # no retry
    email.refresh_from_db()
    assert (email.status, email.attempts, email.body) == (Email.Status.FAILED, 1, "")
    assert "550" in email.last_error


def staff_emails(count):
    return queue_emails(
        [
            Email(to=f"staff{n}@example.gov.uk", subject=f"Reminder {n}", body=BODY)
            for n in range(count)
        ]
    )


def test_many_emails_go_in_batches_each_over_one_connection(
    smtp_server, database_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(outbox, "BATCH_SIZE", 3)
    peers = []
    handle_data = smtp_server.handle_DATA

    async def note_connection(server, session, envelope):
        peers.append(session.peer)
        return await handle_data(server, session, envelope)

    smtp_server.handle_DATA = note_connection
    with django_capture_on_commit_callbacks(execute=True):
        emails = staff_emails(7)

    batches = [task.args_kwargs["args"][0] for task in DBTaskResult.objects.order_by("enqueued_at")]
    ids = [email.pk for email in emails]
    assert batches == [ids[0:3], ids[3:6], ids[6:7]]
    for batch in batches:
        assert deliver_email.call(batch) == {"sent": len(batch)}
    assert len(set(peers)) == 3
    assert [m["To"] for m in smtp_server.messages] == [f"staff{n}@example.gov.uk" for n in range(7)]


def test_a_message_refused_for_now_does_not_hold_up_the_rest_of_its_batch(
    smtp_server, database_tasks
):
    smtp_server.refuse = 1
    first, *others = staff_emails(3)

    assert deliver_email.call([first.pk, *(e.pk for e in others)]) == {"retry": 1, "sent": 2}

    (retry,) = DBTaskResult.objects.all()
    assert retry.args_kwargs["args"] == [[first.pk]]
    assert [m["To"] for m in smtp_server.messages] == [
        "staff1@example.gov.uk",
        "staff2@example.gov.uk",
    ]


def test_a_server_that_is_down_fails_the_whole_batch_which_waits_together(
    smtp_server, database_tasks
):
    smtp_server.stop()
    emails = staff_emails(3)
    ids = [email.pk for email in emails]

    assert deliver_email.call(ids) == {"retry": 3}

    (retry,) = DBTaskResult.objects.all()
    assert retry.args_kwargs["args"] == [ids]
    assert set(Email.objects.values_list("attempts", flat=True)) == {1}


def test_failures_are_logged_without_the_address_or_the_link(smtp_server, caplog):
    smtp_server.refuse = 1
    email = queue()
    with caplog.at_level(logging.DEBUG):
        deliver_email.enqueue([email.pk])  # the immediate backend logs the task too

    ours = "\n".join(record.getMessage() for record in caplog.records if record.name != "mail.log")
    assert f"Email {email.pk} not sent (1 will retry, 0 given up): SMTPDataError" in ours
    assert "lead@example.gov.uk" not in ours
    assert "cz7-0a1b2c3d" not in ours


def test_requeue_finds_deliveries_whose_task_was_lost(database_tasks):
    waiting, lost, sent, unqueued = (queue(to=f"{n}@example.gov.uk") for n in range(4))
    for email in (waiting, lost, sent):
        email.task_id = str(deliver_email.enqueue([email.pk]).id)
        email.save()
    # The worker that claimed this one was killed: its task stays "running" for ever.
    DBTaskResult.objects.filter(pk=lost.task_id).update(status="RUNNING")
    Email.objects.filter(pk=sent.pk).update(status=Email.Status.SENT)
    tasks_before = set(DBTaskResult.objects.values_list("pk", flat=True))

    assert requeue_email() == 2

    new_tasks = set(DBTaskResult.objects.values_list("pk", flat=True)) - tasks_before
    for email in (waiting, lost, unqueued):
        email.refresh_from_db()
    assert {str(pk) for pk in new_tasks} == {lost.task_id, unqueued.task_id}
    assert DBTaskResult.objects.get(pk=waiting.task_id).status == "READY"


@pytest.mark.parametrize(
    "text, html",
    [
        (
            "Sign in at https://a.example/x/.",
            'Sign in at <a href="https://a.example/x/">https://a.example/x/</a>.',
        ),
        (
            "(see https://a.example/x?a=1&b=2).",
            '(see <a href="https://a.example/x?a=1&amp;b=2">https://a.example/x?a=1&amp;b=2</a>).',
        ),
        ("Your account (lead@example.gov.uk).", "Your account (lead@example.gov.uk)."),
        (
            '<b onclick="x">"quoted"</b>',
            "&lt;b onclick=&quot;x&quot;&gt;&quot;quoted&quot;&lt;/b&gt;",
        ),
        ("javascript:alert(1) http://", "javascript:alert(1) http://"),
    ],
)
def test_html_keeps_every_character_of_the_text_and_links_web_addresses(text, html):
    (paragraph,) = html_paragraphs(text)
    assert paragraph == html


def test_html_paragraphs_follow_blank_lines_and_keep_line_breaks():
    assert html_paragraphs("One\nline two\n\n\nThree\n\n") == ["One<br>\nline two", "Three"]


def test_admin_lists_the_outbox_without_ever_showing_a_body(client):
    client.force_login(
        User.objects.create(username="admin@example.gov.uk", is_staff=True, is_superuser=True)
    )
    email = queue()

    listing = client.get(reverse("admin:maturity_email_changelist")).content.decode()
    page = client.get(reverse("admin:maturity_email_change", args=[email.pk])).content.decode()

    assert "lead@example.gov.uk" in listing and "Queued" in listing
    assert "Set a password" in page
    assert "cz7-0a1b2c3d" not in listing + page
    assert client.get(reverse("admin:maturity_email_add")).status_code == 403


def test_a_server_that_closes_the_connection_after_some_messages_gets_a_fresh_one(
    smtp_server, database_tasks
):
    async def two_a_connection(server, session, envelope, address, options):
        session.delivered = getattr(session, "delivered", 0)
        if session.delivered == 2:
            return "421 4.7.0 Too many messages on this connection"
        session.delivered += 1
        envelope.mail_from = address
        return "250 OK"

    smtp_server.handle_MAIL = two_a_connection
    emails = staff_emails(5)

    assert deliver_email.call([email.pk for email in emails]) == {"sent": 5}
    assert len(smtp_server.messages) == 5


def test_a_queue_that_cannot_be_reached_keeps_the_email_for_requeue(
    database_tasks, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def unreachable(*args, **kwargs):
        raise ConnectionError("the queue is down")

    with monkeypatch.context() as patched:
        patched.setattr("django_tasks_db.DatabaseBackend.enqueue", unreachable)
        with django_capture_on_commit_callbacks(execute=True):
            email = queue()  # the caller carries on

    assert "the queue is down" in caplog.text
    email.refresh_from_db()
    assert (email.status, email.task_id) == (Email.Status.QUEUED, "")
    assert requeue_email() == 1
    assert DBTaskResult.objects.get().args_kwargs["args"] == [[email.pk]]
