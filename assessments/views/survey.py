"""The respondent's survey: about you, the task list, each theme's page, check and submit.

People arrive from a round's open link or a personal link (assessments.views.links), which
put the response's token in the session: the survey pages (`survey/…`) find it there.

Pages that cannot be shown get a page of their own saying why, with a 4xx status:
403 without a response in the session or before the round opens, 404 for a link that is not
valid, 409 for a change to submitted answers, 410 once the round has closed, and 400 for a
post that saves nothing.
"""

import re
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments.forms.survey import AboutYouForm, AboutYourUnitForm, ThemeAnswersForm
from assessments.models import Answer, Round
from assessments.responses import (
    resume_url,
    save_answers,
    save_role_group,
    save_unit,
    submit_response,
    theme_progress,
    unanswered_questions,
)
from assessments.views.session import end_survey, survey_page, time_phrase, unavailable
from maturity.versioning import version_content
from maturity.views import site_url

# Names a form may post besides its fields: the CSRF token and the button pressed.
FORM_EXTRAS = {"csrfmiddlewaretoken", "action"}
RETURN_TO_CHECK = "?return=check"
# Where submitting with gaps sends people: the page, marked with what is missing.
SHOW_MISSING = "?return=check&validate=1"


def link_not_valid(request):
    return render(request, "assessments/link_not_valid.html", status=404)


def _bad_request(request, back_url):
    return render(request, "assessments/bad_request.html", {"back_url": back_url}, status=400)


def _already_submitted(request, response):
    context = {"response": response}
    return render(request, "assessments/already_submitted.html", context, status=409)


def refused(request, response, error):
    """The page for a write a domain function refused, e.g. because the round just closed."""
    if error.code == "submitted":
        response.refresh_from_db(fields=["submitted_at"])
        return _already_submitted(request, response)
    response.round.refresh_from_db()
    return unavailable(request, response.round) or _bad_request(
        request, reverse("assessments:tasks")
    )


def answering(view):
    """A `survey_page` that changes answers: only for a started, unsubmitted response."""

    @survey_page
    @wraps(view)
    def wrapper(request, response, *args, **kwargs):
        if response.is_submitted:
            if request.method == "POST":
                return _already_submitted(request, response)
            return redirect("reports:confirmation")
        if response.started_at is None:
            return redirect("assessments:start")
        return view(request, response, *args, **kwargs)

    return wrapper


def render_survey_page(request, response, template, context, status=200):
    """A survey page: the response, its round and its resume link, and `context`."""
    context = {
        "response": response,
        "round": response.round,
        "resume_url": resume_url(response=response, base_url=site_url(request)),
        "idle_time": time_phrase(settings.SURVEY_IDLE_MINUTES),
        **context,
    }
    return render(request, template, context, status=status)


def _returning_to_check(request):
    # Only ever this one value, so the parameter cannot redirect anywhere else.
    return request.GET.get("return") == "check"


@require_safe
@answering
def tasks(request, response):
    progress = theme_progress(response=response)
    completed = sum(1 for item in progress if item.is_complete)
    context = {
        "progress": progress,
        "completed": completed,
        "all_complete": response.told_about_themselves and completed == len(progress),
    }
    return render_survey_page(request, response, "assessments/tasks.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@answering
def about_you(request, response):
    """The one question about the respondent: their role group, or their unit, whichever the
    round compares staff by (never both: docs/decisions/0013)."""
    to_check = _returning_to_check(request)
    by_unit = response.round.breakdown == Round.Breakdown.UNIT
    field = "unit" if by_unit else "role_group"
    units = list(response.round.organisation.units.all()) if by_unit else []

    def make(*args, **kwargs):
        return (
            AboutYourUnitForm(*args, units=units, **kwargs)
            if by_unit
            else AboutYouForm(*args, **kwargs)
        )

    if by_unit:
        saved = str(response.unit_id) if response.unit_id else None
        saved = AboutYourUnitForm.DECLINED if response.unit_declined else saved
    else:
        saved = response.role_group or None
    status = 200
    if request.method == "POST":
        if set(request.POST) - FORM_EXTRAS - {field}:
            return _bad_request(request, request.get_full_path())
        form = make(request.POST)
        if form.is_valid():
            try:
                if by_unit:
                    save_unit(response=response, unit=form.chosen_unit())
                else:
                    save_role_group(response=response, role_group=form.cleaned_data[field])
            except ValidationError as error:
                return refused(request, response, error)
            return redirect("assessments:check" if to_check else "assessments:tasks")
        status = 400
    elif request.GET.get("validate"):
        form = make({field: saved})
    else:
        form = make(initial={field: saved})
    context = {
        "form": form,
        "question": form.fields[field].label,
        "action": request.path + (RETURN_TO_CHECK if to_check else ""),
        "back_url": reverse("assessments:check" if to_check else "assessments:tasks"),
    }
    return render_survey_page(request, response, "assessments/about_you.html", context, status)


@require_http_methods(["GET", "HEAD", "POST"])
@answering
def theme_page(request, response, theme_key):
    themes = version_content(response.round.questionnaire_version).themes
    index = next((i for i, theme in enumerate(themes) if theme.key == theme_key), None)
    if index is None:
        raise Http404("No such theme in this assessment.")
    theme = themes[index]
    answers = {
        answer.question_id: answer for answer in response.answers.filter(question__theme=theme)
    }
    # A short round asks part of each theme: the questions it wrote down for this response.
    questions = [q for q in theme.questions.all() if not response.round.is_short or q.pk in answers]
    to_check = _returning_to_check(request)
    action = request.path + (RETURN_TO_CHECK if to_check else "")
    status = 200
    error_description = "Nothing from this page has been saved. Correct these and save again."

    if request.method == "POST":
        form = ThemeAnswersForm(request.POST, questions=questions, answers=answers)
        if set(request.POST) - FORM_EXTRAS - set(form.fields):
            return _bad_request(request, action)
        if form.is_valid():
            try:
                save_answers(response=response, theme=theme, answers=form.answers())
            except ValidationError as error:
                if error.code in ("submitted", "round_closed", "round_not_open"):
                    return refused(request, response, error)
                return _bad_request(request, action)
            if request.POST.get("action") == "tasks":
                return redirect("assessments:tasks")
            if to_check:
                return redirect("assessments:check")
            if index + 1 < len(themes):
                return redirect("assessments:theme", theme_key=themes[index + 1].key)
            return redirect("assessments:tasks")
        status = 400
    elif request.GET.get("validate"):
        form = ThemeAnswersForm.for_review(questions=questions, answers=answers)
        others = sum(
            1
            for item in theme_progress(response=response)
            if not item.is_complete and item.theme.pk != theme.pk
        )
        error_description = "Answer every question before you submit."
        if others == 1:
            error_description += " 1 other theme also needs answers."
        elif others:
            error_description += f" {others} other themes also need answers."
    else:
        form = ThemeAnswersForm(questions=questions, answers=answers)

    if to_check:
        back_url = reverse("assessments:check")
    elif index:
        back_url = reverse("assessments:theme", args=[themes[index - 1].key])
    else:
        back_url = reverse("assessments:tasks")
    context = {
        "theme": theme,
        "form": form,
        "questions": form.render_questions(response.round),
        "position": index + 1,
        "theme_count": len(themes),
        "action": action,
        "back_url": back_url,
        "error_description": error_description,
    }
    return render_survey_page(request, response, "assessments/theme.html", context, status)


def _answer_text(answer, names):
    """The answer in short: the level and its name, and the first sentence of its descriptor
    (written to stand alone, docs/question-bank.md)."""
    if answer is None:
        return Answer.Kind.UNANSWERED.label
    if answer.kind == Answer.Kind.LEVEL:
        first = re.match(r".+?[.!?](?=\s|$)", answer.option.descriptor)
        summary = first.group(0) if first else answer.option.descriptor
        return f"Level {answer.level} {names.get(answer.level, '')}: {summary}"
    return answer.get_kind_display()


def _short_level(answer):
    if answer is None or answer.kind == Answer.Kind.UNANSWERED:
        return "–"
    if answer.kind == Answer.Kind.LEVEL:
        return str(answer.level)
    return "N/A" if answer.kind == Answer.Kind.NOT_APPLICABLE else "Don’t know"


@require_safe
@answering
def check(request, response):
    """Every answer, a theme a card: the levels chosen at a glance, each answer in short
    behind a disclosure, so that the page fits a phone's few screens."""
    content = version_content(response.round.questionnaire_version)
    themes = content.themes
    answers = {answer.question_id: answer for answer in response.answers.select_related("option")}
    sections = []
    unanswered = 0
    for theme in themes:
        rows = []
        for question in theme.questions.all():
            if response.round.is_short and question.pk not in answers:
                continue
            answer = answers.get(question.pk)
            answered = answer is not None and answer.kind != Answer.Kind.UNANSWERED
            unanswered += not answered
            change_url = reverse("assessments:theme", args=[theme.key])
            rows.append(
                {
                    "question": question,
                    "answer": _answer_text(answer, content.level_names),
                    "level": _short_level(answer),
                    "answered": answered,
                    "comment": answer.comment if answer else "",
                    "change_url": f"{change_url}{RETURN_TO_CHECK}#q-{question.pk}",
                }
            )
        sections.append(
            {
                "theme": theme,
                "rows": rows,
                "answered": sum(1 for row in rows if row["answered"]),
                "change_url": reverse("assessments:theme", args=[theme.key]) + RETURN_TO_CHECK,
            }
        )
    context = {"sections": sections, "unanswered": unanswered}
    return render_survey_page(request, response, "assessments/check.html", context)


@require_POST
@survey_page
def submit(request, response):
    # A second click on "Submit" lands on the confirmation, as the first did.
    if response.is_submitted:
        return redirect("reports:confirmation")
    if response.started_at is None:
        return redirect("assessments:start")
    if not response.told_about_themselves:
        return redirect(reverse("assessments:about_you") + SHOW_MISSING)
    missing = unanswered_questions(response=response)
    if missing:
        return redirect(reverse("assessments:theme", args=[missing[0].theme.key]) + SHOW_MISSING)
    try:
        submit_response(response=response)
    except ValidationError as error:
        if error.code != "submitted":
            return refused(request, response, error)
    response.refresh_from_db(fields=["submitted_at"])
    end_survey(request, response)
    return redirect("reports:confirmation")
