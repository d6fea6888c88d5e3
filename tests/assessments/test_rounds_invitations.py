"""Site admins invite members: an account if needed, a membership, an email with a link."""

import re
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, TestCase
from django.urls import reverse

from assessments.models import Membership
from maturity.models import Email, User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

INVITE = reverse("admin:assessments_membership_invite")


def invite(client, organisation, email="new.lead@example.gov.uk", role="lead"):
    # The email goes to the worker once the invitation commits, as it would outside a test.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(INVITE, {"email": email, "organisation": organisation.pk, "role": role})


def link_in(message):
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+)", message.body)[1]


def test_invited_lead_sets_a_password_and_signs_in(admin_client):
    organisation = OrganisationFactory(name="Northshire County Council")

    done = invite(admin_client, organisation, email="New.Lead@Example.gov.uk")

    assert done.url == reverse("admin:assessments_membership_changelist")
    user = User.objects.get(username="new.lead@example.gov.uk")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Membership.Role.LEAD
    notice = admin_client.get(done.url).content.decode()
    assert "Created an account for new.lead@example.gov.uk" in notice
    assert "with a link to choose a password" in notice
    (message,) = mail.outbox
    assert message.to == ["new.lead@example.gov.uk"]
    assert message.subject == (
        "You have been added to Northshire County Council on Digital maturity self-assessment"
    )
    assert "as a lead" in message.body

    invited = Client()
    form = invited.get(link_in(message))
    assert form.status_code == 302  # Django swaps the token for a session marker
    password = "a long and memorable passphrase"
    saved = invited.post(form.url, {"new_password1": password, "new_password2": password})
    assert saved.status_code == 302
    signed_in = invited.post(
        reverse("login"), {"username": "new.lead@example.gov.uk", "password": password}
    )
    assert signed_in.status_code == 302
    organisations = invited.get(reverse("assessments:organisations"), follow=True)
    assert b"Northshire County Council" in organisations.content


def test_inviting_someone_with_a_password_adds_them_without_a_link(admin_client):
    user = UserFactory(username="viewer@example.gov.uk", email="viewer@example.gov.uk")
    organisation = OrganisationFactory()

    invite(admin_client, organisation, email="viewer@example.gov.uk", role="viewer")

    assert Membership.objects.get(user=user, organisation=organisation).role == "viewer"
    assert User.objects.count() == 2
    (message,) = mail.outbox
    assert "/accounts/password/reset/" not in message.body
    assert "your usual password" in message.body


def test_inviting_again_changes_the_role_and_sends_a_fresh_link(admin_client):
    membership = MembershipFactory(
        user=User.objects.create(username="pending@example.gov.uk", email="pending@example.gov.uk"),
        role=Membership.Role.VIEWER,
    )
    membership.user.set_unusable_password()
    membership.user.save()

    invite(admin_client, membership.organisation, email="pending@example.gov.uk")

    membership.refresh_from_db()
    assert membership.role == Membership.Role.LEAD
    assert Membership.objects.count() == 1
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_a_mail_server_that_is_down_delays_the_email_and_keeps_the_invitation(admin_client):
    organisation = OrganisationFactory()

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("refused"),
    ):
        done = invite(admin_client, organisation)

    assert "is queued" in admin_client.get(done.url).content.decode()
    assert Membership.objects.get(organisation=organisation).user.email == (
        "new.lead@example.gov.uk"
    )
    email = Email.objects.get()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)
    assert "/accounts/password/reset/" in email.body


def test_an_invitation_that_fails_queues_no_email(admin_client):
    organisation = OrganisationFactory()

    with mock.patch(
        "assessments.invitations.set_password_url", side_effect=ValidationError("broken")
    ):
        page = invite(admin_client, organisation)

    assert "Nothing was saved" in page.content.decode()
    assert not Membership.objects.exists()
    assert not Email.objects.exists()
    assert mail.outbox == []


def test_a_bad_address_is_refused(admin_client):
    page = invite(admin_client, OrganisationFactory(), email="not an address")
    assert page.status_code == 200
    assert b"Enter a valid email address" in page.content
    assert not Membership.objects.exists()
    assert mail.outbox == []


def test_invite_form_starts_with_the_organisation_it_came_from(admin_client):
    organisation = OrganisationFactory()
    change = admin_client.get(
        reverse("admin:assessments_organisation_change", args=[organisation.pk])
    )
    link = f"{INVITE}?organisation={organisation.pk}"
    assert link in change.content.decode()
    form = admin_client.get(link).content.decode()
    assert f'<option value="{organisation.pk}" selected>' in form


def test_only_admins_with_permission_to_add_members_can_invite(db):
    staff = User.objects.create(username="helpdesk@example.gov.uk", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(INVITE).status_code == 403
    assert invite(client, OrganisationFactory()).status_code == 403
    assert not Membership.objects.exists()


def test_an_expired_invitation_can_be_replaced_from_forgotten_password(db):
    user = User.objects.create(username="late@example.gov.uk", email="late@example.gov.uk")
    user.set_unusable_password()
    user.save()

    with TestCase.captureOnCommitCallbacks(execute=True):
        Client().post(reverse("password_reset"), {"email": "late@example.gov.uk"})

    assert len(mail.outbox) == 1
