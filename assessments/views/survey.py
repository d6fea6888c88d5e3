"""The respondent's survey.

People arrive from a round's open link (`s/<open_token>/`), which starts a new anonymous
response, or from a personal link (`r/<token>/`). Either way the response's token goes into
the session and the survey pages (`survey/…`) find the response there: a token stays in a URL
for one redirect only, as in Django's PasswordResetConfirmView, so it does not leak through
Referer headers or later log lines.

Pages that cannot be shown get a page of their own saying why, with a 4xx status:
403 without a response in the session or before the round opens, 404 for a link that is not
valid, 409 for a change to submitted answers, 410 once the round has closed, and 400 for a
post that saves nothing.
"""

import math
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments.forms.survey import AboutYouForm, ThemeAnswersForm
from assessments.models import Answer, Response, Round
from assessments.responses import (
    resume_url,
    save_answers,
    save_role_group,
    start_personal_response,
    start_response,
    submit_response,
    theme_progress,
    unanswered_questions,
)
from assessments.throttling import token_link
from maturity.versioning import version_content
from maturity.views import site_url

SESSION_KEY = "survey_token"
SECONDS_PER_QUESTION = 30
# Names a form may post besides its fields: the CSRF token and the button pressed.
FORM_EXTRAS = {"csrfmiddlewaretoken", "action"}
RETURN_TO_CHECK = "?return=check"
# Where submitting with gaps sends people: the page, marked with what is missing.
SHOW_MISSING = "?return=check&validate=1"


def _unavailable(request, round):
    """The page for a round that does not take answers today, or None if it does."""
    if round.is_closed:
        # 410 Gone rather than 403: the survey existed and will not come back, and the page
        # says so; nothing sent to a closed round is saved.
        return render(request, "assessments/closed.html", {"round": round}, status=410)
    if not round.is_accepting_responses:
        opens_later = round.opens_on > timezone.localdate()
        context = {"round": round, "opens_later": opens_later}
        return render(request, "assessments/not_open.html", context, status=403)
    return None


def _link_not_valid(request):
    return render(request, "assessments/link_not_valid.html", status=404)


def _bad_request(request, back_url):
    return render(request, "assessments/bad_request.html", {"back_url": back_url}, status=400)


def _already_submitted(request, response):
    context = {"response": response}
    return render(request, "assessments/already_submitted.html", context, status=409)


def _refused(request, response, error):
    """The page for a write a domain function refused, e.g. because the round just closed."""
    if error.code == "submitted":
        response.refresh_from_db(fields=["submitted_at"])
        return _already_submitted(request, response)
    response.round.refresh_from_db()
    return _unavailable(request, response.round) or _bad_request(
        request, reverse("assessments:tasks")
    )


def _remember(request, response):
    # A new session key whenever the session gains a response, as login does for a user.
    request.session.cycle_key()
    request.session[SESSION_KEY] = response.token


def _session_response(request):
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    return (
        Response.objects.select_related("round__organisation", "round__questionnaire_version")
        .filter(token=token)
        .first()
    )


def survey_page(view):
    """Call `view(request, response, …)` with the session's response, if its round is open.

    Public: respondents have no accounts, and the response in the session is their key.
    """

    @login_not_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = _session_response(request)
        if response is None:
            # 403: without their link we cannot tell whose survey this would be.
            return render(request, "assessments/no_session.html", status=403)
        return _unavailable(request, response.round) or view(request, response, *args, **kwargs)

    return wrapper


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
        **context,
    }
    return render(request, template, context, status=status)


def _returning_to_check(request):
    # Only ever this one value, so the parameter cannot redirect anywhere else.
    return request.GET.get("return") == "check"


def _start_page(request, round, *, action, current=None):
    questions = len(version_content(round.questionnaire_version).questions())
    # Rounded up to five minutes: an estimate, and better long than short.
    minutes = max(5, 5 * math.ceil(questions * SECONDS_PER_QUESTION / 300))
    context = {"round": round, "minutes": minutes, "action": action, "current": current}
    return render(request, "assessments/start.html", context)


@token_link
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def open_link(request, open_token):
    """A round's shareable link: its start page, and a new anonymous response on "Start now".

    The response is made only by the button's POST, so link previews and prefetchers that
    follow the link create nothing.
    """
    round = (
        Round.objects.select_related("organisation", "questionnaire_version")
        .filter(open_token=open_token)
        .first()
    )
    if round is None:
        return _link_not_valid(request)
    if unavailable := _unavailable(request, round):
        return unavailable
    if request.method == "POST":
        try:
            response = start_response(round=round)
        except ValidationError:
            round.refresh_from_db()
            return _unavailable(request, round) or _link_not_valid(request)
        _remember(request, response)
        return redirect("assessments:about_you")
    current = _session_response(request)
    if current and (current.round_id != round.pk or current.is_submitted):
        current = None
    return _start_page(request, round, action=request.path, current=current)


@token_link
@never_cache
@require_safe
def resume(request, token):
    """A personal or resume link: keep the token in the session and take it out of the URL."""
    response = Response.objects.filter(token=token).first()
    if response is None:
        return _link_not_valid(request)
    _remember(request, response)
    return redirect("assessments:tasks")


@require_http_methods(["GET", "HEAD", "POST"])
@survey_page
def start(request, response):
    """The start page of a personal link that has not been used yet."""
    if response.is_submitted:
        return redirect("reports:confirmation")
    if response.started_at is not None:
        return redirect("assessments:tasks")
    if request.method == "POST":
        try:
            start_personal_response(response=response)
        except ValidationError as error:
            return _refused(request, response, error)
        return redirect("assessments:about_you")
    return _start_page(request, response.round, action=request.path)


@require_safe
@answering
def tasks(request, response):
    progress = theme_progress(response=response)
    completed = sum(1 for item in progress if item.is_complete)
    context = {
        "progress": progress,
        "completed": completed,
        "all_complete": bool(response.role_group) and completed == len(progress),
    }
    return render_survey_page(request, response, "assessments/tasks.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@answering
def about_you(request, response):
    to_check = _returning_to_check(request)
    status = 200
    if request.method == "POST":
        if set(request.POST) - FORM_EXTRAS - {"role_group"}:
            return _bad_request(request, request.get_full_path())
        form = AboutYouForm(request.POST)
        if form.is_valid():
            try:
                save_role_group(response=response, role_group=form.cleaned_data["role_group"])
            except ValidationError as error:
                return _refused(request, response, error)
            return redirect("assessments:check" if to_check else "assessments:tasks")
        status = 400
    elif request.GET.get("validate"):
        form = AboutYouForm({"role_group": response.role_group})
    else:
        form = AboutYouForm(initial={"role_group": response.role_group or None})
    context = {
        "form": form,
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
    questions = list(theme.questions.all())
    answers = {
        answer.question_id: answer for answer in response.answers.filter(question__theme=theme)
    }
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
                    return _refused(request, response, error)
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
        "position": index + 1,
        "theme_count": len(themes),
        "action": action,
        "back_url": back_url,
        "error_description": error_description,
    }
    return render_survey_page(request, response, "assessments/theme.html", context, status)


def _answer_text(answer):
    if answer is None:
        return Answer.Kind.UNANSWERED.label
    if answer.kind == Answer.Kind.LEVEL:
        return answer.option.descriptor
    return answer.get_kind_display()


@require_safe
@answering
def check(request, response):
    themes = version_content(response.round.questionnaire_version).themes
    answers = {answer.question_id: answer for answer in response.answers.select_related("option")}
    sections = []
    unanswered = 0
    for theme in themes:
        rows = []
        for question in theme.questions.all():
            answer = answers.get(question.pk)
            answered = answer is not None and answer.kind != Answer.Kind.UNANSWERED
            unanswered += not answered
            change_url = reverse("assessments:theme", args=[theme.key])
            rows.append(
                {
                    "question": question,
                    "answer": _answer_text(answer),
                    "answered": answered,
                    "comment": answer.comment if answer else "",
                    "change_url": f"{change_url}{RETURN_TO_CHECK}#q-{question.pk}",
                }
            )
        sections.append({"theme": theme, "rows": rows})
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
    if not response.role_group:
        return redirect(reverse("assessments:about_you") + SHOW_MISSING)
    missing = unanswered_questions(response=response)
    if missing:
        return redirect(reverse("assessments:theme", args=[missing[0].theme.key]) + SHOW_MISSING)
    try:
        submit_response(response=response)
    except ValidationError as error:
        if error.code == "submitted":
            return redirect("reports:confirmation")
        return _refused(request, response, error)
    return redirect("reports:confirmation")
