"""The respondent's session: which response this browser may answer, and for how long.

Respondents have no accounts: a token link (assessments.views.links) puts their response's
token in the session, and the survey's pages find it there. The session ends
SURVEY_IDLE_MINUTES after the last survey page. Submitting closes the survey in this browser
at once: the session keeps only a pass to the confirmation page, and ends
SURVEY_CONFIRMATION_MINUTES later, so that the next person at a shared computer finds neither
the survey nor someone's scores open.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from assessments.models import Response

SESSION_KEY = "survey_token"
# After submitting, the session holds this instead: good for the confirmation page alone.
SUBMITTED_KEY = "survey_submitted"
# When the idle time last started again, in seconds since the epoch.
SEEN_KEY = "survey_seen"
REFRESH_SECONDS = 300


def unavailable(request, round):
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


def time_phrase(minutes):
    """ "2 hours", "90 minutes": how the pages say SURVEY_IDLE_MINUTES and the like."""
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def remember(request, response):
    # A new session key whenever the session gains a response, as login does for a user.
    request.session.cycle_key()
    if response.is_submitted:
        end_survey(request, response)
    else:
        # A pass left by an earlier submission, and its clock, go: this is a new survey.
        request.session.pop(SUBMITTED_KEY, None)
        request.session.pop(SEEN_KEY, None)
        request.session[SESSION_KEY] = response.token
        keep_open(request)


def keep_open(request):
    """Start the idle time again: the session ends SURVEY_IDLE_MINUTES after the last survey
    page, however long the survey takes. At most every few minutes, since each is a write."""
    now = int(time.time())
    if now - request.session.get(SEEN_KEY, 0) >= REFRESH_SECONDS:
        request.session[SEEN_KEY] = now
        request.session.set_expiry(settings.SURVEY_IDLE_MINUTES * 60)


def end_survey(request, response):
    """Once a response is submitted its survey pages close in this browser, so that the next
    person at a shared computer finds nothing open: the session keeps only a pass to the
    confirmation page, and ends SURVEY_CONFIRMATION_MINUTES later."""
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SEEN_KEY, None)
    request.session[SUBMITTED_KEY] = response.token
    request.session.set_expiry(settings.SURVEY_CONFIRMATION_MINUTES * 60)


def _response_with(token):
    if not token:
        return None
    return (
        Response.objects.select_related("round__organisation", "round__questionnaire_version")
        .filter(token=token)
        .first()
    )


def session_response(request):
    return _response_with(request.session.get(SESSION_KEY))


def submitted_response(request):
    """The response whose confirmation this session may show, if any."""
    response = _response_with(request.session.get(SUBMITTED_KEY))
    if response is None:
        # Submitted elsewhere (another device, or from this one before the pass existed).
        response = session_response(request)
        if response is not None and response.is_submitted:
            end_survey(request, response)
    return response if response is not None and response.is_submitted else None


def survey_page(view):
    """Call `view(request, response, …)` with the session's response, if its round is open.

    Public: respondents have no accounts, and the response in the session is their key.
    """

    @login_not_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = session_response(request)
        if response is None:
            if request.session.get(SUBMITTED_KEY):
                return redirect("reports:confirmation")
            # 403: without their link we cannot tell whose survey this would be.
            return render(request, "assessments/no_session.html", status=403)
        if not response.is_submitted:
            keep_open(request)
        return unavailable(request, response.round) or view(request, response, *args, **kwargs)

    return wrapper


def confirmation_page(view):
    """Call `view(request, response)` with the response this session submitted."""

    @login_not_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = submitted_response(request)
        if response is None:
            if session_response(request) is not None:
                return redirect("assessments:tasks")
            return render(request, "assessments/no_session.html", status=403)
        return view(request, response, *args, **kwargs)

    return wrapper
