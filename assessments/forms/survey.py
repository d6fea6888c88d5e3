"""The respondent's forms: "about you", and one page of answers per theme.

They render through crispy-forms-gds, except the theme page's questions, which have a plain
template of their own for speed, and are kept once rendered where nothing in them is the
respondent's but their answer (see ThemeAnswersForm.rendered_questions and render_questions).
Browser validation is off (no `required` attributes) so that errors always come back as a
GOV.UK error summary.
"""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.validators import MaxLengthValidator
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from assessments.models import (
    COMMENT_MAX_LENGTH,
    Answer,
    Response,
)
from assessments.responses import AnswerInput

RoleGroup = Response.RoleGroup
ROLE_GROUP_HINTS = {
    RoleGroup.SENIOR_LEADERSHIP: "For example, chief executive, director or head of service",
    RoleGroup.DIGITAL: "For example, IT, digital, data, cyber security or information management",
    RoleGroup.FRONTLINE: "You deliver services to the public or work directly with the people "
    "who use them",
    RoleGroup.CORPORATE: "For example, finance, HR, legal, policy or communications",
    RoleGroup.COMMERCIAL: "You buy services or manage contracts and suppliers",
}


QUESTION_TEMPLATE = "assessments/_question.html"
# Question markup kept by render_questions, in each process: a bank of 47 questions has some
# 380 to keep for each anonymity threshold in use. Emptied when full, so a process that sees
# many banks or thresholds stays small.
KEPT_QUESTIONS: dict[tuple, str] = {}
KEPT_QUESTIONS_MAX = 2_000


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


def form_helper(layout):
    """A crispy-forms helper for `layout`, the <form> tag left to the template."""
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
        self.helper = form_helper(
            Layout(Field.radios("role_group", legend_size=Size.LARGE, legend_tag="h1"))
        )


class AboutYourUnitForm(ErrorSummaryMixin, forms.Form):
    """The "about you" question of a round that compares staff by unit."""

    DECLINED = "none"

    unit = forms.ChoiceField(
        label="Which part of the organisation do you work in?",
        help_text="We use this only to compare how different parts of the organisation see "
        "it. We do not ask for your name or email address.",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the part of the organisation you work in"},
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(unit.pk): unit for unit in units}
        self.fields["unit"].choices = [
            *((pk, unit.name) for pk, unit in self.units.items()),
            Choice(self.DECLINED, "I would rather not say", divider="or"),
        ]
        self.helper = form_helper(
            Layout(Field.radios("unit", legend_size=Size.LARGE, legend_tag="h1"))
        )

    def chosen_unit(self):
        """The unit chosen, or None for "I would rather not say"."""
        return self.units.get(self.cleaned_data["unit"])


class CommentField(forms.CharField):
    def to_python(self, value):
        # Browsers send a textarea's line breaks as CRLF, but the character count counts each
        # as one character: count them the same way here, or a comment the page accepted
        # would fail on the server.
        value = super().to_python(value)
        return value.replace("\r\n", "\n")


def question_choices(question):
    """The question's five levels, then "Not applicable" and "Don't know" if it offers them.

    Each choice is (value, label, hint, divider): the divider "or" follows the last level when
    the special answers come after it.
    """
    extra = []
    if question.allow_not_applicable:
        extra.append((Answer.Kind.NOT_APPLICABLE.value, "Not applicable", "", ""))
    if question.allow_dont_know:
        extra.append((Answer.Kind.DONT_KNOW.value, "Don’t know", "", ""))
    options = list(question.options.all())
    levels = [
        (
            str(option.pk),
            option.descriptor,
            f"Level {option.level}",
            "or" if extra and option is options[-1] else "",
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
        self.choices = {}
        for question in self.questions:
            name = answer_field_name(question)
            # Messages given params are %-formatted: a "%" in the question must be doubled.
            quoted = question.text.replace("%", "%%")
            self.choices[question.pk] = question_choices(question)
            self.fields[name] = forms.ChoiceField(
                label=question.text,
                choices=[(value, label) for value, label, _, _ in self.choices[question.pk]],
                widget=forms.RadioSelect,
                required=require_answers,
                error_messages={
                    "required": f"Select an answer to “{question.text}”",
                    "invalid_choice": f"Select one of the answers shown for “{quoted}”",
                },
            )
            self.fields[comment_field_name(question)] = CommentField(
                label="Comment (optional)",
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

    def rendered_questions(self):
        """What templates/assessments/_question.html needs for each question, in order.

        The theme page is the busiest page of the service, so it is written out in one plain
        template rather than through crispy-forms' per-field templates, which took most of a
        request's time; ids are built here, once, rather than by template filters. The markup
        is GOV.UK Frontend's radios and character count.
        """
        for question in self.questions:
            answer = self[answer_field_name(question)]
            comment = self[comment_field_name(question)]
            chosen = str(answer.value() or "")
            name = answer.html_name
            yield {
                "question": question,
                "name": name,
                "chosen": chosen,
                # (id, value, label, hint, divider, checked); radios are numbered from 1, and
                # the error summary links to the first (`first_input_id`).
                "choices": [
                    (f"id_{name}_{n}", value, label, hint, divider, value == chosen)
                    for n, (value, label, hint, divider) in enumerate(
                        self.choices[question.pk], start=1
                    )
                ],
                "errors": [(f"id_{name}_{n}_error", e) for n, e in enumerate(answer.errors, 1)],
                "comment_name": comment.html_name,
                "comment_id": comment.auto_id,
                "comment": comment.value() or "",
                "comment_errors": [
                    (f"{comment.auto_id}_{n}_error", e) for n, e in enumerate(comment.errors, 1)
                ],
                "comment_max_length": COMMENT_MAX_LENGTH,
                "comment_max_length_text": f"{COMMENT_MAX_LENGTH:,}",
            }

    def render_questions(self, round=None):
        """Every question's markup, from QUESTION_TEMPLATE, for a theme page of `round` (or
        the admin's preview, without one).

        A question of a published bank shows nothing of the respondent's but the answer
        chosen, unless they wrote a comment or it is in error. So the markup of every other
        question is rendered once a process and kept, under the bank's version, the question,
        the answer and the anonymity threshold its hint names: rendering it took a third of
        the busiest page's time (docs/performance.md). A draft's questions change as the
        admin edits them, and are rendered every time.
        """
        version = round.questionnaire_version if round is not None else None
        kept = version is not None and not version.is_editable
        parts = []
        for q in self.rendered_questions():
            context = {"q": q, "round": round}
            if not kept or q["errors"] or q["comment"] or q["comment_errors"]:
                parts.append(render_to_string(QUESTION_TEMPLATE, context))
                continue
            key = (
                version.pk,
                version.published_at,
                round.anonymity_threshold,
                q["question"].pk,
                q["chosen"],
            )
            markup = KEPT_QUESTIONS.get(key)
            if markup is None:
                if len(KEPT_QUESTIONS) >= KEPT_QUESTIONS_MAX:
                    KEPT_QUESTIONS.clear()
                markup = KEPT_QUESTIONS[key] = render_to_string(QUESTION_TEMPLATE, context)
            parts.append(markup)
        # Each part is the template's output, escaped as it rendered.
        return mark_safe("".join(parts))

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
