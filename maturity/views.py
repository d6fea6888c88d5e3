"""Site-wide pages: home, the accessibility statement, privacy, and the health check.

LoginRequiredMiddleware asks for sign-in everywhere, so a public view says so where it is
defined, with @login_not_required, here and in every app: its decorators are the one place
that shows who may see it.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from maturity.forms import PasswordResetForm
from maturity.throttling import client_address, count_request


def site_url(request):
    """The site's address without a final slash, for links that leave it (e-mails, CSVs):
    SITE_URL when set, else the address this request came to."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


@login_not_required
@require_safe
def home(request):
    if request.user.is_authenticated:
        return redirect("assessments:organisations")
    return render(request, "home.html")


@login_not_required
@require_safe
def accessibility(request):
    return render(request, "accessibility.html")


@login_not_required
@require_safe
def privacy(request):
    return render(request, "privacy.html")


@login_not_required
@never_cache
@require_safe
def health(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


_password_reset = auth_views.PasswordResetView.as_view(
    form_class=PasswordResetForm,
    extra_email_context={"site_name": settings.SERVICE_NAME},
)


@login_not_required
def password_reset(request):
    """Django's password reset page, answering 429 past PASSWORD_RESET_REQUESTS_PER_HOUR
    requests from one client address (each sends an e-mail, to whatever address is typed)."""
    if request.method == "POST":
        sent = count_request("reset", client_address(request), seconds=3600)
        if sent > settings.PASSWORD_RESET_REQUESTS_PER_HOUR:
            response = render(request, "registration/too_many_resets.html", status=429)
            response["Retry-After"] = "3600"
            add_never_cache_headers(response)
            return response
    return _password_reset(request)
