import re

import pytest
from django.core import mail
from django.urls import reverse

from maturity.models import Email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_lead_signs_in_and_out(client):
    user = UserFactory()

    response = sign_in(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_wrong_password_gets_a_clear_error(client):
    user = UserFactory()

    response = sign_in(client, user.username, "not the password")

    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in content
    assert "Enter the email address and password of your account" in content
    assert "govuk-error-summary" in content


def test_empty_sign_in_names_each_field(client):
    response = sign_in(client, "", "")

    content = response.content.decode()
    assert "Enter your email address" in content
    assert "Enter your password" in content


def test_repeated_failures_lock_the_account_out(client):
    user = UserFactory()
    for _ in range(5):
        sign_in(client, user.username, "wrong")

    response = sign_in(client, user.username, PASSWORD)

    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="lead@example.gov.uk")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "lead@example.gov.uk"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body)[1]
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(
        form_url,
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a new long passphrase")


def test_used_or_expired_reset_link_says_so(client, django_capture_on_commit_callbacks):
    UserFactory(email="lead@example.gov.uk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "lead@example.gov.uk"})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", mail.outbox[0].body)[1]
    form_url = client.get(link).url
    client.post(
        form_url,
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )

    response = client.get(link, follow=True)

    assert "This link has expired" in response.content.decode()
    assert "Ask for a new link" in response.content.decode()


def test_reset_for_an_unknown_address_reveals_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.gov.uk"})

    assert response.status_code == 302
    assert mail.outbox == []
    assert not Email.objects.exists()
