"""The lead's forms: a round's details, and how many personal links to make.

GOV.UK components through crispy-forms-gds; browser validation off, so that every error comes
back in the GOV.UK error summary, each linking to the box at fault.
"""

import datetime

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone
from django.utils.text import capfirst

from assessments.forms.survey import ErrorSummaryMixin, first_input_id, form_helper
from assessments.models import MIN_ANONYMITY_THRESHOLD, Round, check_dates
from assessments.responses import MAX_PERSONAL_LINKS

# Above this a group of staff would need to be implausibly large to be reported at all.
MAX_ANONYMITY_THRESHOLD = 50


class DateField(DateInputField):
    """A GOV.UK date input (day, month and year boxes) with the design system's messages.

    `describes` names the date in messages, e.g. "the date the round opens". Boxes at fault
    are marked on their widgets, which crispy-forms-gds reads to draw red borders (all three
    when the whole date is wrong); `invalid_part` is the first of them, for the error summary.
    """

    PARTS = ("day", "month", "year")

    def __init__(self, *, describes, **kwargs):
        self.describes = describes
        self.invalid_part = 0
        super().__init__(**kwargs)

    def _error(self, message, code, parts=()):
        for index, field in enumerate(self.fields):
            field.widget.errors = [message] if index in parts else []
        self.invalid_part = parts[0] if parts else 0
        return forms.ValidationError(message, code=code)

    def clean(self, value):
        values = [str(part or "").strip() for part in (value or [])]
        day, month, year = (values + ["", "", ""])[:3]
        what = capfirst(self.describes)
        missing = [i for i, part in enumerate((day, month, year)) if not part]
        if len(missing) == 3:
            raise self._error(f"Enter {self.describes}", "required")
        if missing:
            names = " and a ".join(self.PARTS[i] for i in missing)
            raise self._error(f"{what} must include a {names}", "incomplete", missing)
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise self._error(f"{what} must be a real date", "invalid")
        if len(year) != 4:
            raise self._error("Year must include 4 numbers", "year_digits", [2])
        try:
            cleaned = datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise self._error(f"{what} must be a real date", "invalid") from None
        self._error("", "", ())  # clears marks left by an earlier clean
        return cleaned


class LeadFormMixin(ErrorSummaryMixin):
    """Error summary links that land on a date's first faulty box, not its fieldset."""

    def error_summary(self):
        # Errors of the whole form (a cap reached) link to the form's first box.
        first = f"#{first_input_id(next(iter(self)))}"
        summary = [(error, first) for error in self.non_field_errors()]
        for field in self:
            for error in field.errors:
                if isinstance(field.field, DateField):
                    summary.append((error, f"#{field.auto_id}_{field.field.invalid_part}"))
                else:
                    summary.append((error, f"#{first_input_id(field)}"))
        return summary


def _number_input(width):
    # GOV.UK asks for text inputs with a numeric keyboard rather than type="number", whose
    # spinners and scroll-wheel changes cause mistakes.
    return forms.TextInput(
        attrs={
            "inputmode": "numeric",
            "spellcheck": "false",
            "class": f"govuk-input--width-{width}",
        }
    )


class RoundForm(LeadFormMixin, forms.Form):
    """A round's title, dates and, while it is a draft, its anonymity threshold.

    The closing date may not be in the past (a round closed on creation is of no use) nor
    before the opening date. The threshold is fixed once the round opens: respondents are
    told it on the start page, and lowering it later could reveal small groups.
    """

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Staff see this on the survey’s start page. For example, Digital maturity, "
        "spring 2026",
        error_messages={
            "required": "Enter a title for the round",
            "max_length": "The title must be 200 characters or less",
        },
    )
    opens_on = DateField(
        label="Opening date",
        describes="the date the round opens",
        help_text="The first day respondents can answer. For example, 2 3 2026",
    )
    closes_on = DateField(
        label="Closing date",
        describes="the date the round closes",
        help_text="The last day respondents can answer. For example, 31 3 2026",
    )
    anonymity_threshold = forms.IntegerField(
        label="Anonymity threshold",
        min_value=MIN_ANONYMITY_THRESHOLD,
        max_value=MAX_ANONYMITY_THRESHOLD,
        help_text=(
            "Figures for a group of staff are shown only when at least this many of them have "
            f"answered. Between {MIN_ANONYMITY_THRESHOLD} and {MAX_ANONYMITY_THRESHOLD}; "
            "it cannot change once the round opens."
        ),
        widget=_number_input(2),
        error_messages={
            "required": "Enter the anonymity threshold",
            "invalid": "The anonymity threshold must be a whole number, like 5",
            "min_value": f"The anonymity threshold must be {MIN_ANONYMITY_THRESHOLD} or more",
            "max_value": f"The anonymity threshold must be {MAX_ANONYMITY_THRESHOLD} or less",
        },
    )

    length = forms.ChoiceField(
        label="How long should the survey be?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how long the survey should be"},
    )
    breakdown = forms.ChoiceField(
        label="Compare staff by",
        help_text="The report shows how these groups see the organisation differently. One "
        "breakdown a round keeps small groups from being worked out from two.",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which groups of staff to compare"},
    )

    def __init__(self, *args, threshold_editable=True, plan=None, units=0, **kwargs):
        super().__init__(*args, **kwargs)
        # What respondents are told cannot change once they start answering.
        if not threshold_editable:
            for name in ("anonymity_threshold", "length", "breakdown"):
                del self.fields[name]
        else:
            full = f"about {plan.full_minutes} minutes" if plan else ""
            short = f"about {plan.short_minutes} minutes" if plan else ""
            self.fields["length"].choices = [
                Choice(Round.Length.FULL, "Full", hint=f"Every question: {full}. The most detail."),
                Choice(
                    Round.Length.SHORT,
                    "Short",
                    hint=f"Each person answers part of each theme, chosen so every question is "
                    f"still answered by some: {short}. Scores have wider margins of error.",
                ),
            ]
            unit_hint = (
                f"The {units} units your organisation has listed"
                if units
                else "Your organisation has no units listed yet: add them before opening"
            )
            self.fields["breakdown"].choices = [
                Choice(Round.Breakdown.ROLE, "Role group", hint="Leadership, frontline, digital…"),
                Choice(Round.Breakdown.UNIT, "Unit", hint=unit_hint),
            ]
        layout = [
            Field.text("title", label_size=Size.SMALL),
            Field("opens_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field("closes_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
        ]
        if threshold_editable:
            layout += [
                Field.radios("length", legend_size=Size.SMALL),
                Field.radios("breakdown", legend_size=Size.SMALL),
                Field.text("anonymity_threshold", label_size=Size.SMALL),
            ]
        self.helper = form_helper(Layout(*layout))

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if closes_on and closes_on < timezone.localdate():
            self.add_error(
                "closes_on",
                forms.ValidationError(
                    "The date the round closes must be today or in the future",
                    code="closes_in_past",
                ),
            )
        elif opens_on and closes_on:
            try:
                check_dates(opens_on, closes_on)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned


class PersonalLinksForm(LeadFormMixin, forms.Form):
    count = forms.IntegerField(
        label="How many links do you need?",
        help_text=f"One for each person you will invite, up to {MAX_PERSONAL_LINKS:,}",
        min_value=1,
        max_value=MAX_PERSONAL_LINKS,
        widget=_number_input(4),
        error_messages={
            "required": "Enter how many links you need",
            "invalid": "Enter the number of links as a whole number, like 50",
            "min_value": f"Enter a number of links from 1 to {MAX_PERSONAL_LINKS:,}",
            "max_value": f"Enter a number of links from 1 to {MAX_PERSONAL_LINKS:,}",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Layout(Field.text("count", label_size=Size.MEDIUM, label_tag="h2"))
        )
