"""The respondent's forms: "about you", and one page of answers per theme; and the lead's:
a round's details, and how many personal links to make.

All render through crispy-forms-gds. Browser validation is off (the helper drops the
`required` attribute) so that errors always come back as a GOV.UK error summary.
"""

import datetime

from crispy_forms.layout import LayoutObject
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Layout, Size
from django import forms
from django.core.validators import MaxLengthValidator
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.text import capfirst

from assessments.models import COMMENT_MAX_LENGTH, MIN_ANONYMITY_THRESHOLD, Answer, Response
from assessments.survey import MAX_PERSONAL_LINKS, AnswerInput

RoleGroup = Response.RoleGroup
ROLE_GROUP_HINTS = {
    RoleGroup.SENIOR_LEADERSHIP: "For example, chief executive, director or head of service",
    RoleGroup.DIGITAL: "For example, IT, digital, data, cyber security or information management",
    RoleGroup.FRONTLINE: "You deliver services to the public or work directly with the people "
    "who use them",
    RoleGroup.CORPORATE: "For example, finance, HR, legal, policy or communications",
    RoleGroup.COMMERCIAL: "You buy services or manage contracts and suppliers",
}


def answer_field_name(question):
    return f"q-{question.pk}"


def comment_field_name(question):
    return f"comment-{question.pk}"


def first_input_id(bound_field):
    """The id an error summary links to: a radio group's first radio, else the field."""
    if isinstance(bound_field.field.widget, forms.RadioSelect):
        # crispy-forms-gds numbers radios from 1 after the field's html name.
        return f"id_{bound_field.html_name}_1"
    return bound_field.auto_id


class ErrorSummaryMixin:
    def error_summary(self):
        """(message, link) for every field error, in page order."""
        return [(error, f"#{first_input_id(field)}") for field in self for error in field.errors]


def _helper(layout):
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = layout
    return helper


class AboutYouForm(ErrorSummaryMixin, forms.Form):
    role_group = forms.ChoiceField(
        label="Which of these best describes your role?",
        help_text="We use this only to compare how different groups of staff see the "
        "organisation. We do not ask for your name or email address.",
        choices=[
            Choice(value, label, hint=ROLE_GROUP_HINTS.get(value, ""))
            for value, label in RoleGroup.choices
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the group that best describes your role"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Layout(Field.radios("role_group", legend_size=Size.LARGE, legend_tag="h1"))
        )


class CommentField(forms.CharField):
    def to_python(self, value):
        # Browsers send a textarea's line breaks as CRLF, but the character count counts each
        # as one character: count them the same way here, or a comment the page accepted
        # would fail on the server.
        value = super().to_python(value)
        return value.replace("\r\n", "\n")


class QuestionGuidance(LayoutObject):
    """The question's "why it matters", "what good looks like" and references, in a details."""

    template = "assessments/_guidance.html"

    def __init__(self, question):
        self.question = question
        self.fields = []

    def render(self, form, context, template_pack=None, **kwargs):
        return render_to_string(self.template, {"question": self.question})


def question_choices(question):
    """The question's five levels, then "Not applicable" and "Don't know" if it offers them."""
    extra = []
    if question.allow_not_applicable:
        extra.append(Choice(Answer.Kind.NOT_APPLICABLE, "Not applicable"))
    if question.allow_dont_know:
        extra.append(Choice(Answer.Kind.DONT_KNOW, "Don’t know"))
    options = list(question.options.all())
    levels = [
        Choice(
            option.pk,
            option.descriptor,
            hint=f"Level {option.level}",
            **({"divider": "or"} if extra and option is options[-1] else {}),
        )
        for option in options
    ]
    return levels + extra


def saved_values(questions, answers):
    """Field values showing the saved `answers` (a dict by question id) to `questions`."""
    values = {}
    for question in questions:
        saved = answers.get(question.pk)
        if saved is None:
            continue
        values[answer_field_name(question)] = (
            str(saved.option_id) if saved.kind == Answer.Kind.LEVEL else saved.kind
        )
        values[comment_field_name(question)] = saved.comment
    return values


class ThemeAnswersForm(ErrorSummaryMixin, forms.Form):
    """A radio group and an optional comment for each question of one theme.

    Each radio group offers only its own question's options (by id), and "na" and "dk" only
    where the question allows them, so a value naming another question's option, or an answer
    the question does not offer, is an invalid choice. Unanswered questions are allowed, so a
    half-finished page can be saved, unless `require_answers` (used to show what is missing
    before submitting).

    `answers` maps question ids to the saved `Answer`s shown when the form is not bound.
    """

    def __init__(self, data=None, *, questions, answers, require_answers=False):
        self.questions = list(questions)
        super().__init__(data, initial=saved_values(self.questions, answers))
        layout = []
        for question in self.questions:
            name = answer_field_name(question)
            comment = comment_field_name(question)
            # Messages given params are %-formatted: a "%" in the question must be doubled.
            quoted = question.text.replace("%", "%%")
            self.fields[name] = forms.ChoiceField(
                # crispy-forms-gds marks legends safe: bank text must be escaped first.
                label=conditional_escape(question.text),
                choices=question_choices(question),
                widget=forms.RadioSelect,
                required=require_answers,
                error_messages={
                    "required": f"Select an answer to “{question.text}”",
                    "invalid_choice": f"Select one of the answers shown for “{quoted}”",
                },
            )
            self.fields[comment] = CommentField(
                # Every question has one: screen reader users hear which this is.
                label=format_html(
                    'Comment<span class="govuk-visually-hidden"> on “{}”</span> (optional)',
                    question.text,
                ),
                help_text="Do not include names or anything else that identifies a person.",
                widget=forms.Textarea,
                required=False,
                validators=[
                    MaxLengthValidator(
                        COMMENT_MAX_LENGTH,
                        message=f"Your comment on “{quoted}” must be "
                        f"{COMMENT_MAX_LENGTH:,} characters or less",
                    )
                ],
            )
            blocks = [Field.radios(name, legend_size=Size.MEDIUM, legend_tag="h2")]
            if question.why or question.good or question.references:
                blocks.append(QuestionGuidance(question))
            blocks.append(
                Field.textarea(
                    comment, label_size=Size.SMALL, rows=3, max_characters=COMMENT_MAX_LENGTH
                )
            )
            layout.append(Div(*blocks, css_class="app-question", css_id=f"q-{question.pk}"))
        self.helper = _helper(Layout(*layout))

    @classmethod
    def for_review(cls, *, questions, answers):
        """The saved answers as a bound form requiring every answer, to show what is missing."""
        data = saved_values(questions, answers)
        return cls(data, questions=questions, answers=answers, require_answers=True)

    def answers(self):
        """The cleaned answers by question id, as `save_answers` takes them."""
        return {
            question.pk: AnswerInput(
                choice=self.cleaned_data[answer_field_name(question)],
                comment=self.cleaned_data[comment_field_name(question)],
            )
            for question in self.questions
        }


# The lead's forms: a round's details, and how many personal links to make.

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
        summary = []
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

    def __init__(self, *args, threshold_editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not threshold_editable:
            del self.fields["anonymity_threshold"]
        layout = [
            Field.text("title", label_size=Size.SMALL),
            Field("opens_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field("closes_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
        ]
        if threshold_editable:
            layout.append(Field.text("anonymity_threshold", label_size=Size.SMALL))
        self.helper = _helper(Layout(*layout))

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
        elif opens_on and closes_on and closes_on < opens_on:
            self.add_error(
                "closes_on",
                forms.ValidationError(
                    "The date the round closes must be the same as or after the date it opens",
                    code="closes_before_opening",
                ),
            )
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
        self.helper = _helper(Layout(Field.text("count", label_size=Size.MEDIUM, label_tag="h2")))
