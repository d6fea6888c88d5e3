"""Inviting someone to an organisation: an account if they need one, a membership, an email.

A new account gets an unusable password and the email carries a set-password link made like
Django's password reset link (default_token_generator, password_reset_confirm), so nobody,
the site admin included, ever knows or sends a password. Someone who already has a password
is told they have been added and where to sign in.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments.models import Membership, Organisation
from maturity.mail import queue_email


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    created_user: bool
    # False when the membership already existed with this role: nothing changed but the email.
    changed: bool


def set_password_url(*, user, base_url: str) -> str:
    """A link to choose a password, valid once and for PASSWORD_RESET_TIMEOUT."""
    return base_url + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@transaction.atomic
def invite_member(
    *, email: str, organisation: Organisation, role: str, base_url: str, invited_by=None
) -> Invitation:
    """Give `email` the `role` in `organisation` and email them, all or nothing.

    The account is found by email address (also its username), or made with an unusable
    password. An existing membership takes the new role. The email is queued in the same
    transaction and handed to the worker when it commits, so there is never a membership
    without its email, nor an email about a membership that was not saved; a mail server that
    is down delays the email (the worker retries) rather than undoing the invitation.
    `base_url` is the site's address without a final slash.
    """
    if role not in Membership.Role.values:
        raise ValidationError("Choose lead or viewer.", code="invalid_role")
    User = get_user_model()
    email = email.strip().lower()
    user = User.objects.filter(username__iexact=email).first()
    created_user = user is None
    if created_user:
        user = User(username=email, email=email)
        user.set_unusable_password()
        user.save()
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    changed = created or membership.role != role
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])

    context = {
        "user": user,
        "organisation": organisation,
        "role": membership.get_role_display().lower(),
        "service_name": settings.SERVICE_NAME,
        "invited_by": invited_by,
        "sign_in_url": base_url + reverse("login"),
        # Someone who has never chosen a password (a new account, or an earlier invitation
        # not yet used) gets a fresh link to choose one.
        "set_password_url": (
            None if user.has_usable_password() else set_password_url(user=user, base_url=base_url)
        ),
        "timeout_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    subject = render_to_string("assessments/invitation_subject.txt", context).strip()
    body = render_to_string("assessments/invitation_email.txt", context)
    queue_email(to=user.email or email, subject=subject, body=body)
    return Invitation(membership=membership, created_user=created_user, changed=changed)
