"""How respondents get in: a round's open link, personal and resume links, and the start page.

A token stays in a URL for one redirect only: these views put it in the session (as Django's
PasswordResetConfirmView does) and the survey's pages (assessments.views.survey) find the
response there, so it does not leak through Referer headers or later log lines.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from assessments.models import Response, Round
from assessments.responses import start_personal_response, start_response, survey_plan
from assessments.throttling import token_link, too_many
from assessments.views.session import remember, session_response, survey_page, unavailable
from assessments.views.survey import link_not_valid, refused
from maturity.throttling import client_address, count_request


def _start_page(request, round, *, action, current=None):
    plan = survey_plan(round.questionnaire_version)
    minutes = plan.short_minutes if round.is_short else plan.full_minutes
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
        return link_not_valid(request)
    if closed := unavailable(request, round):
        return closed
    if not round.open_link_enabled:
        return render(request, "assessments/link_off.html", {"round": round}, status=403)
    if request.method == "POST":
        # Each start is a new response: a cap per address makes filling a group with
        # made-up responses slow, without stopping an office that shares one address.
        started = count_request("open-start", client_address(request), seconds=3600)
        if started > settings.OPEN_LINK_STARTS_PER_HOUR:
            return too_many(request, retry_after=3600)
        try:
            response = start_response(round=round)
        except ValidationError:
            round.refresh_from_db()
            return unavailable(request, round) or link_not_valid(request)
        remember(request, response)
        return redirect("assessments:about_you")
    current = session_response(request)
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
        return link_not_valid(request)
    remember(request, response)
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
            return refused(request, response, error)
        return redirect("assessments:about_you")
    return _start_page(request, response.round, action=request.path)
