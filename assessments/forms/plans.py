"""The forms of an organisation's plan: a theme's target, the leadership's view of a theme,
an action.

Each carries a hidden `version`: what the lead's page showed when it loaded. The save checks
it (assessments.models.plans), so a lead who saves over another lead's newer change is told so
and nothing is saved. Dates are GOV.UK date inputs with the design system's messages.
"""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from assessments.forms.rounds import DateField, LeadFormMixin
from assessments.forms.survey import form_helper
from assessments.models import Action
from maturity.bank import LEVELS

LEVEL_ERRORS = {
    "required": "Choose a level from 1 to 5",
    "invalid_choice": "Choose a level from 1 to 5",
}
VERSION_ERRORS = {"required": "Reload the page and try again", "invalid": "Reload the page"}
web_address = URLValidator(schemes=["http", "https"])


def level_field(label, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=LEVEL_ERRORS,
    )


def level_choices(level_names):
    return [Choice(level, f"{level} {level_names.get(level, '')}".strip()) for level in LEVELS]


class TargetForm(LeadFormMixin, forms.Form):
    level = level_field("Target level")
    target_on = DateField(
        label="Target date",
        describes="the target date",
        help_text="The date by which the theme should be at this level. For example, 31 3 2027",
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, error_messages=VERSION_ERRORS
    )

    def __init__(self, *args, level_names, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices(level_names)
        self.helper = form_helper(
            Layout(
                Field.radios("level", legend_size=Size.MEDIUM, legend_tag="h2"),
                Field("target_on", context={"legend_size": Size.for_legend(Size.MEDIUM)}),
                "version",
            )
        )

    def clean_target_on(self):
        target_on = self.cleaned_data["target_on"]
        if target_on < timezone.localdate():
            raise forms.ValidationError(
                "The target date must be today or in the future", code="target_in_past"
            )
        return target_on


class LeadershipViewForm(LeadFormMixin, forms.Form):
    level = level_field(
        "Level the leadership team agrees the organisation is at",
        "The report sets it beside the score staff gave the theme.",
    )
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=2000,
        help_text="What the leadership team based its view on: papers, audits, measures.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The evidence must be 2,000 characters or less"},
    )
    links = forms.CharField(
        label="Links to the evidence (optional)",
        required=False,
        max_length=2000,
        help_text="Web addresses, one on each line, starting with https:// or http://",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        error_messages={"max_length": "The links must be 2,000 characters or less"},
    )
    agreed_by = forms.CharField(
        label="Who agreed it",
        max_length=200,
        help_text="For example, Executive leadership team",
        error_messages={
            "required": "Enter who agreed the view",
            "max_length": "Who agreed it must be 200 characters or less",
        },
    )
    agreed_on = DateField(
        label="Date agreed", describes="the date agreed", help_text="For example, 14 11 2026"
    )
    review_by = DateField(
        label="Review date",
        describes="the review date",
        help_text="The report marks the view as out of date after this day. For example, 14 5 2027",
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, error_messages=VERSION_ERRORS
    )

    def __init__(self, *args, level_names, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices(level_names)
        date = {"legend_size": Size.for_legend(Size.SMALL)}
        self.helper = form_helper(
            Layout(
                Field.radios("level", legend_size=Size.MEDIUM, legend_tag="h2"),
                Field.textarea("evidence", label_size=Size.SMALL),
                Field.textarea("links", label_size=Size.SMALL),
                Field.text("agreed_by", label_size=Size.SMALL),
                Field("agreed_on", context=date),
                Field("review_by", context=date),
                "version",
            )
        )

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        for number, line in enumerate(lines, 1):
            try:
                web_address(line)
            except forms.ValidationError:
                raise forms.ValidationError(
                    f"Link {number} must be a web address starting with https:// or http://",
                    code="not_a_web_address",
                ) from None
        return "\n".join(lines)

    def clean_agreed_on(self):
        agreed_on = self.cleaned_data["agreed_on"]
        if agreed_on > timezone.localdate():
            raise forms.ValidationError(
                "The date agreed must be today or in the past", code="agreed_in_future"
            )
        return agreed_on

    def clean(self):
        cleaned = super().clean()
        agreed_on, review_by = cleaned.get("agreed_on"), cleaned.get("review_by")
        if agreed_on and review_by and review_by < agreed_on:
            self.add_error(
                "review_by",
                forms.ValidationError(
                    "The review date must be the same as or after the date agreed",
                    code="review_before_agreed",
                ),
            )
        return cleaned


class ActionForm(LeadFormMixin, forms.Form):
    title = forms.CharField(
        label="What will be done",
        max_length=200,
        error_messages={
            "required": "Enter what will be done",
            "max_length": "What will be done must be 200 characters or less",
        },
    )
    theme_key = forms.ChoiceField(
        label="Theme",
        error_messages={"required": "Choose a theme", "invalid_choice": "Choose a theme"},
    )
    owner = forms.CharField(
        label="Owner (optional)",
        required=False,
        max_length=200,
        help_text="A name or a role, for example Head of Digital",
        error_messages={"max_length": "The owner must be 200 characters or less"},
    )
    due_on = DateField(
        label="Due date", describes="the due date", help_text="For example, 30 6 2027"
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Action.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status", "invalid_choice": "Choose a status"},
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, error_messages=VERSION_ERRORS
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme_key"].choices = [(theme.key, theme.title) for theme in themes]
        self.helper = form_helper(
            Layout(
                Field.text("title", label_size=Size.SMALL),
                Field.select("theme_key"),
                Field.text("owner", label_size=Size.SMALL),
                Field("due_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
                Field.radios("status", legend_size=Size.SMALL, inline=False),
                "version",
            )
        )
