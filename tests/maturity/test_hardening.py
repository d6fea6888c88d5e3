"""Sign-in and password reset under attack: over-long user names, guessing across accounts,
reset requests by the dozen."""

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.urls import reverse

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
