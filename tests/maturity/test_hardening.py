"""Sign-in and password reset under attack: over-long user names, guessing across accounts,
reset requests by the dozen."""

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db import connection
from django.urls import reverse

from maturity.models import Email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_in(client, username, password, address="203.0.113.20"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_an_over_long_user_name_gets_a_clear_error_and_is_counted(client, settings, length):
    """On PostgreSQL a user name longer than axes' 255-character column used to fail its
    insert: a server error, and the attempt not counted. (SQLite does not enforce lengths.)"""
    username = "a" * length

    response = sign_in(client, username, "a guess")

    assert response.status_code == 200, connection.vendor
    content = response.content.decode()
    assert "Email address must be 150 characters or fewer" in content
    assert "govuk-error-summary" in content
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.username == username[:255]
    assert attempt.failures_since_start == 1


def test_over_long_user_names_are_locked_out_like_any_other(client, settings):
    username = "b" * 300
    statuses = [sign_in(client, username, "a guess").status_code for _ in range(6)]
    # Axes answers the failure that reaches the limit with the lockout page.
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses == [200] * (limit - 1) + [429] * (6 - limit + 1)


def test_one_address_guessing_across_accounts_is_locked_out(client, settings):
    """Four wrong passwords on each of six accounts stay under the per-account limit; the
    address's own limit stops them, and then even a right password waits."""
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 20
    users = UserFactory.create_batch(6)
    statuses = [
        sign_in(client, user.username, f"guess {n}").status_code for user in users for n in range(4)
    ]

    assert statuses == [200] * 19 + [429] * 5
    locked = sign_in(client, users[0].username, PASSWORD)
    assert locked.status_code == 429
    assert b"too many unsuccessful attempts to sign in from your connection" in locked.content
    assert "_auth_user_id" not in client.session
    # Another address, and the same accounts, are not held up.
    assert sign_in(client, users[0].username, PASSWORD, address="198.51.100.4").status_code == 302


# Password reset


def ask_for_reset(client, email, address="203.0.113.30"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_sends_a_few_emails_an_hour_to_one_account(
    client, settings, django_capture_on_commit_callbacks
):
    """25 requests for one account sent 25 emails; now the first few, then the same page."""
    UserFactory(email="lead@example.gov.uk")
    with django_capture_on_commit_callbacks(execute=True):
        replies = [
            # From many addresses, as a botnet would, so only the account's own limit applies.
            ask_for_reset(client, "Lead@Example.gov.uk", address=f"198.51.100.{n}")
            for n in range(25)
        ]

    assert len(mail.outbox) == settings.PASSWORD_RESETS_PER_ADDRESS
    assert {(reply.status_code, reply["Location"]) for reply in replies} == {
        (302, reverse("password_reset_done"))
    }


def test_password_reset_replies_the_same_with_and_without_an_account(client, settings):
    UserFactory(email="lead@example.gov.uk")
    replies = {}
    for email in ["lead@example.gov.uk", "nobody@example.gov.uk"]:
        replies[email] = [
            (reply.status_code, reply.get("Location"))
            for reply in (ask_for_reset(client, email, address=f"198.51.100.{n}") for n in range(6))
        ]
    assert replies["lead@example.gov.uk"] == replies["nobody@example.gov.uk"]


def test_password_reset_requests_from_one_address_are_limited(
    client, settings, django_capture_on_commit_callbacks
):
    users = UserFactory.create_batch(12)
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [ask_for_reset(client, user.email).status_code for user in users]

    limit = settings.PASSWORD_RESET_REQUESTS_PER_HOUR
    assert statuses == [302] * limit + [429] * (12 - limit)
    assert len(mail.outbox) == limit
    refused = ask_for_reset(client, users[0].email)
    assert refused["Retry-After"] == "3600"
    assert "no-store" in refused["Cache-Control"]
    assert b"too many requests to reset a password" in refused.content
    # Another address is counted on its own.
    assert ask_for_reset(client, users[-1].email, address="198.51.100.77").status_code == 302


# No secrets in logs


def test_a_worker_without_a_mail_server_prints_no_set_password_link(
    client, settings, capsys, caplog, django_capture_on_commit_callbacks
):
    """With DEBUG off, the console backend wrote a working set-password link to the log."""
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    UserFactory(email="lead@example.gov.uk")

    with django_capture_on_commit_callbacks(execute=True):
        ask_for_reset(client, "lead@example.gov.uk")

    printed = capsys.readouterr()
    assert "/accounts/password/reset/" not in printed.out + printed.err
    email = Email.objects.get()
    assert email.status == Email.Status.QUEUED
    assert f"Emails {email.pk} not sent: EMAIL_BACKEND" in caplog.text
    assert "/accounts/password/reset/" not in caplog.text
