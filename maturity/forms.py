"""Sign-in and password forms, laid out with GOV.UK components."""

import hashlib

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from maturity.mail import queue_email
from maturity.models import User
from maturity.throttling import count_request


class GovukFormMixin:
    """A GOV.UK layout of `self.fields`, and red borders on invalid email and password inputs.

    crispy-forms-gds marks invalid text inputs only; widths go on the widgets rather than the
    layout, where they would replace the error class.
    """

    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "govuk-input--width-20")
        self.helper = FormHelper()
        # The templates write the <form> and its CSRF token, so the error summary sits above.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *(Field(name) for name in self.fields),
            Button("submit", self.submit_label, type="submit"),
        )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} govuk-input--error".strip()


class LoginForm(GovukFormMixin, auth_forms.AuthenticationForm):
    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter the email address and password of your account",
        "inactive": "This account has been switched off. Ask your site administrator.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean(self):
        """Django checks the length of a user name only in the browser (maxlength); a longer
        one still goes to authenticate(), which counts the failure, and then gets its own
        message here."""
        username = self.cleaned_data.get("username") or ""
        limit = self.fields["username"].max_length
        try:
            return super().clean()
        except ValidationError:
            if len(username) > limit:
                raise ValidationError(
                    f"Email address must be {limit} characters or fewer", code="max_length"
                ) from None
            raise


class PasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    submit_label = "Send reset link"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.gov.uk"
        )

    def save(self, *args, **kwargs):
        """Send the link, unless this address has asked PASSWORD_RESETS_PER_ADDRESS times this
        hour. The count is kept whether or not the address has an account, and the next page
        is the same either way, so neither says which addresses have one."""
        email = self.cleaned_data["email"].casefold()
        # The cache keeps a digest, not the address.
        key = hashlib.sha256(email.encode()).hexdigest()
        if count_request("reset-email", key, seconds=3600) > settings.PASSWORD_RESETS_PER_ADDRESS:
            return
        super().save(*args, **kwargs)

    def get_users(self, email):
        """Active users with this address, including those with no password yet.

        Django leaves out unusable passwords; here that only means an invited member who has
        not chosen one yet (assessments.invitations), and if their invitation link expired
        this is how they get a new one.
        """
        field = User.get_email_field_name()
        users = User._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
        return (user for user in users if getattr(user, field).casefold() == email.casefold())

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs
    ):
        """Queue the link for the worker. The page no longer waits for the mail server,
        whose delay also hinted at whether the address has an account."""
        queue_email(
            to=to_email,
            subject=render_to_string(subject_template_name, context),
            body=render_to_string(email_template_name, context),
        )


class SetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Save password"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"


class PasswordChangeForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    submit_label = "Change password"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
