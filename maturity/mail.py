"""Email, sent by a worker rather than during a request: an outbox table and one task.

`queue_email()` (or `queue_emails()` for many) saves each message as an `Email` row inside
the caller's transaction and, once that commits, enqueues `deliver_email` with the rows' ids,
up to `BATCH_SIZE` a task. Only ids go on the queue, so no address or set-password link
waits in the task table or in Redis. The worker sends a batch over one connection:

- **Once.** Each row is claimed by an UPDATE that holds its lock (on SQLite, the database's
  write lock) for its SMTP conversation, and "sent" is written in that same transaction,
  committed as soon as the server has answered 250 to the message. A worker that dies
  before that answer leaves the row queued, and it is sent again later. One that dies after
  the server's 250 and before the commit, a window of a millisecond or so, leaves a
  delivered message marked queued, and it is sent a second time: both copies carry the same
  Message-ID, which many mail services use to drop the repeat. No scheme can close that
  window without the mail server's help; this one keeps it to a single database write.
- **Again, later,** when the server refuses for now (4xx) or cannot be reached: the task
  enqueues the message again to run after the next of `RETRY_DELAYS`, and gives up after
  the last. A server that cannot be reached fails the rest of the batch too, which waits
  with it. A permanent refusal (5xx for the recipient or the message) is given up at once.
- **Even after a crash.** The database backend never reruns a task whose worker died, so
  `requeue_email` (run before each worker starts, and by cron) enqueues every queued message
  whose task is no longer waiting to run; `deliver_email` skips any that is not queued.

The plain-text body is the message; the HTML part is made from it (paragraphs and links, no
images, nothing fetched from elsewhere), so the two always say the same.
"""

import contextlib
import datetime
import logging
import re
import smtplib
from collections import Counter
from email.utils import make_msgid, parseaddr
from itertools import groupby

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from maturity.models import Email

logger = logging.getLogger(__name__)
# Backends that print or save messages where the server's operators can read them: allowed
# only with DEBUG on, on a developer's machine.
WRITTEN_ON_THE_SERVER = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}

# After the first failed attempt, wait a minute; after the sixth, give up (about 10 hours on).
RETRY_DELAYS = [datetime.timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360)]
# Emails a task sends over one connection. Each is still marked sent on its own.
BATCH_SIZE = 50


class Undeliverable(Exception):
    """Raised by an email backend for a message it can never deliver, such as a bad address."""


def queue_email(*, to: str, subject: str, body: str) -> Email:
    """Have the worker send `body` (plain text) to `to` once the current transaction commits."""
    (email,) = queue_emails([Email(to=to, subject=subject, body=body)])
    return email


def queue_emails(emails: list[Email]) -> list[Email]:
    """Queue unsaved `Email(to=…, subject=…, body=…)`s, sent once the transaction commits."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    for email in emails:
        # A header is one line: a stray newline would otherwise fail at every attempt.
        email.subject = " ".join(email.subject.split())
        email.message_id = make_msgid(domain=domain)
    emails = Email.objects.bulk_create(emails)
    for batch in batched([email.pk for email in emails]):
        # robust: a queue that cannot be reached (Redis down) is logged, not the request's
        # error; the emails are saved, and requeue_email queues them later.
        transaction.on_commit(lambda batch=batch: enqueue_delivery(batch), robust=True)
    return emails


def batched(ids):
    return [ids[start : start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE)]


def enqueue_delivery(email_ids: list[int], *, run_after: datetime.datetime | None = None):
    task = deliver_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the immediate backend cannot wait: requeue_email tries again
        task = task.using(run_after=run_after)
    result = task.enqueue(email_ids)
    Email.objects.filter(pk__in=email_ids).update(task_id=result.id)


@task()
def deliver_email(email_ids: list[int]) -> dict[str, int]:
    """Send these queued emails, or schedule their next attempt (see the module docstring)."""
    if not settings.DEBUG and settings.EMAIL_BACKEND in WRITTEN_ON_THE_SERVER:
        # check --deploy refuses this (maturity.checks); a worker started without running it
        # must still not write set-password links to its log. The emails stay queued until
        # EMAIL_URL is set and requeue_email runs.
        logger.error(
            "Emails %s not sent: EMAIL_BACKEND %s writes them on the server. Set EMAIL_URL "
            "(docs/deploy.md).",
            ", ".join(str(pk) for pk in email_ids),
            settings.EMAIL_BACKEND,
        )
        return {"not sent": len(email_ids)}
    outcomes: Counter[str] = Counter()
    connection = mail.get_connection()
    sent_on_connection = 0
    try:
        for position, email_id in enumerate(email_ids):
            result = send_one(connection, email_id)
            if hung_up(result) and sent_on_connection:
                # Servers may close a connection after some messages: try a fresh one.
                close_quietly(connection)
                sent_on_connection = 0
                result = send_one(connection, email_id)
            if not isinstance(result, Exception):
                outcomes[result] += 1  # "sent", or "not queued"
                sent_on_connection += result == "sent"
                continue
            error = result
            # The connection may be broken: the next message opens a new one.
            close_quietly(connection)
            sent_on_connection = 0
            if is_permanent(error):
                outcomes["given up"] += give_up([email_id], error)
            elif about_the_message(error):
                outcomes.update(retry_later([email_id], error))
            else:
                # The server, not the message: the rest of the batch fails with it.
                rest = Email.objects.filter(pk__in=email_ids[position + 1 :])
                rest.filter(status=Email.Status.QUEUED).update(attempts=F("attempts") + 1)
                outcomes.update(retry_later(email_ids[position:], error))
                break
    finally:
        close_quietly(connection)
    return dict(+outcomes)  # without the zeros


def send_one(connection, email_id: int) -> str | Exception:
    """Send one queued email and mark it sent, in one transaction; or return the error."""
    with transaction.atomic():
        claimed = Email.objects.filter(pk=email_id, status=Email.Status.QUEUED).update(
            attempts=F("attempts") + 1
        )
        if not claimed:
            return "not queued"  # sent already, or given up
        email = Email.objects.get(pk=email_id)
        try:
            connection.open()
            connection.send_messages([email_message(email)])
        except Exception as error:
            return error  # the attempt is counted when this commits
        email.status, email.sent_at = Email.Status.SENT, timezone.now()
        email.body = email.last_error = ""
        email.save(update_fields=["status", "sent_at", "body", "last_error"])
    return "sent"


def close_quietly(connection):
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.close()


def is_permanent(error: Exception) -> bool:
    """Whether the server said it will never take this message (a 5xx for it)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    # Other refusals (the sender, the login) are the site's settings, not the message:
    # worth retrying once someone has fixed them.
    return isinstance(error, Undeliverable)


def hung_up(result) -> bool:
    """Whether the server closed the connection (421: "closing", or no answer at all)."""
    if isinstance(result, smtplib.SMTPResponseException):
        return result.smtp_code == 421
    return isinstance(result, smtplib.SMTPServerDisconnected)


def about_the_message(error: Exception) -> bool:
    """Whether the server answered about this message, rather than failing for every one."""
    return isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


def give_up(email_ids: list[int], error: Exception) -> int:
    given_up = Email.objects.filter(pk__in=email_ids, status=Email.Status.QUEUED).update(
        status=Email.Status.FAILED, body="", last_error=describe(error)
    )
    log_failure(email_ids, error, "given up")
    return given_up


def retry_later(email_ids: list[int], error: Exception) -> Counter[str]:
    """Note a failed attempt: give up the emails that have had their last, retry the others."""
    queued = Email.objects.filter(pk__in=email_ids, status=Email.Status.QUEUED)
    failed = queued.update(last_error=describe(error))
    given_up = queued.filter(attempts__gt=len(RETRY_DELAYS)).update(
        status=Email.Status.FAILED, body=""
    )
    waiting = queued.order_by("attempts", "pk").values_list("attempts", "pk")
    now = timezone.now()
    for attempts, group in groupby(waiting, key=lambda row: row[0]):
        for batch in batched([pk for _, pk in group]):
            enqueue_delivery(batch, run_after=now + RETRY_DELAYS[attempts - 1])
    retried = failed - given_up
    log_failure(email_ids, error, f"{retried} will retry, {given_up} given up")
    return Counter({"retry": retried, "given up": given_up})


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def log_failure(email_ids: list[int], error: Exception, outcome: str) -> None:
    # Ids only: addresses and links stay out of the logs.
    ids = ", ".join(map(str, email_ids[:10])) + (" …" if len(email_ids) > 10 else "")
    logger.warning("Email %s not sent (%s): %s", ids, outcome, type(error).__name__)


def email_message(email: Email) -> mail.EmailMultiAlternatives:
    message = mail.EmailMultiAlternatives(
        email.subject, email.body, to=[email.to], headers={"Message-ID": email.message_id}
    )
    html = render_to_string(
        "email/message.html",
        {
            "subject": email.subject,
            "paragraphs": html_paragraphs(email.body),
            "service_name": settings.SERVICE_NAME,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# A web address runs to the next space, less any punctuation that ends the sentence.
WEB_ADDRESS = re.compile(r"https?://\S+?(?=[.,;:!?)\]]*(?:\s|$))")


def html_paragraphs(text: str) -> list[str]:
    """The text's paragraphs as HTML, each web address a link to itself."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        html, start = [], 0
        for address in WEB_ADDRESS.finditer(paragraph):
            html += [
                escape(paragraph[start : address.start()]),
                format_html('<a href="{0}">{0}</a>', address[0]),
            ]
            start = address.end()
        html.append(escape(paragraph[start:]))
        paragraphs.append(mark_safe("".join(html).replace("\n", "<br>\n")))
    return paragraphs


def requeue_email() -> int:
    """Enqueue a delivery for each queued email whose task is not waiting to run.

    That is a task lost with its worker, or one whose worker failed unexpectedly. Rows being
    sent right now are locked (on PostgreSQL) and left alone. A spare task is harmless:
    `deliver_email` sends nothing that is not still queued.
    """
    backend = deliver_email.get_backend()
    waiting: dict[str, bool] = {}
    lost = []
    for email in Email.objects.filter(status=Email.Status.QUEUED).only("pk", "task_id"):
        if email.task_id and email.task_id not in waiting:
            waiting[email.task_id] = task_waiting(backend, email.task_id)
        if email.task_id and waiting[email.task_id]:
            continue
        with transaction.atomic():
            if Email.objects.filter(pk=email.pk).select_for_update(skip_locked=True):
                lost.append(email.pk)
    for batch in batched(lost):
        enqueue_delivery(batch)
    return len(lost)


def task_waiting(backend, task_id: str) -> bool:
    try:
        return backend.get_result(task_id).status == TaskResultStatus.READY
    except (TaskResultDoesNotExist, NotImplementedError):
        return False
