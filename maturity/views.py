"""Site-wide pages: home, the accessibility statement, privacy, and the health check.

All public: LoginRequiredMiddleware asks for sign-in everywhere else.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


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
