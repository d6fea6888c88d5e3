"""Sign-in and password forms, laid out with GOV.UK components; and the question-bank
editor's inline formsets, whose every input says which row it belongs to."""

import hashlib

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.utils.text import Truncator, capfirst
from nested_admin.formsets import NestedInlineFormSet

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


def quoted(text):
    return f"‘{Truncator(text).words(8)}’"


class LabelledRowsMixin:
    """Gives each input of an inline row a name that says which row it is in.

    A table's inputs are labelled only by its column headings, which assistive technology
    does not tie to them, and a page of 30 "Descriptor" boxes and "Delete" boxes needs to say
    whose each one is: "Descriptor for level 3 of question ‘…’". Each subclass names its rows
    with `row_name(obj)`. Tables drop help text from their rows, where it has nowhere to
    show, or Django would point each input's aria-describedby at nothing.
    """

    tabular = True

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = self.row_name(form.instance)
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            if name == DELETION_FIELD_NAME:
                field.widget.attrs["aria-label"] = f"Delete {row}"
            else:
                field.widget.attrs["aria-label"] = f"{capfirst(field.label or name)} for {row}"
            if self.tabular:
                field.help_text = ""


class OptionRowsMixin(LabelledRowsMixin):
    def row_name(self, option):
        question = self.instance
        whose = f"question {quoted(question.text)}" if question.pk else "a new question"
        return f"level {option.level} of {whose}" if option.pk else f"a new option of {whose}"


class OptionFormSet(OptionRowsMixin, NestedInlineFormSet):
    """A question's five options on its theme's page."""


class FlatOptionFormSet(OptionRowsMixin, BaseInlineFormSet):
    """A question's five options on the question's own page."""


class QuestionFormSet(LabelledRowsMixin, NestedInlineFormSet):
    tabular = False

    def row_name(self, question):
        return f"question {quoted(question.text)}" if question.pk else "a new question"


class RecommendationFormSet(LabelledRowsMixin, NestedInlineFormSet):
    def row_name(self, recommendation):
        if recommendation.pk:
            return f"the recommendation for level {recommendation.level}"
        return "a new recommendation"


class LevelFormSet(LabelledRowsMixin, BaseInlineFormSet):
    def row_name(self, level):
        return f"level {level.level}" if level.pk else "a new level"


class ThemeFormSet(LabelledRowsMixin, BaseInlineFormSet):
    def row_name(self, theme):
        return f"theme {quoted(theme.title)}" if theme.pk else "a new theme"
