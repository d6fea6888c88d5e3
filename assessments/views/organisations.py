"""An organisation's pages for its members: the organisations a user belongs to, an
organisation's rounds with what each report shows, and its leads' access log.

Every view reads through the signed-in user's memberships, so another organisation is a 404,
never a 403 that would confirm it exists (assessments.views.rounds does the same for rounds).
"""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from assessments.figures import current_snapshot, snapshot_round_figures
from assessments.models import Membership
from assessments.scoring import margin_points, whole_points

ACCESS_LOG_PAGE = 50
ROUNDS_PAGE = 20


def membership_of(request, organisation_id, *, lead=False):
    """The user's membership of the organisation (a lead's, if `lead`), or 404."""
    memberships = Membership.objects.select_related("organisation").filter(user=request.user)
    if lead:
        memberships = memberships.filter(role=Membership.Role.LEAD)
    return get_object_or_404(memberships, organisation_id=organisation_id)


@require_safe
def organisations(request):
    """The organisations the user belongs to; straight to the only one if there is one."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .annotate(round_count=Count("organisation__rounds"))
        .order_by("organisation__name")
    )
    if len(memberships) == 1:
        return redirect("assessments:organisation", memberships[0].organisation_id)
    return render(request, "assessments/rounds/organisations.html", {"memberships": memberships})


@require_safe
def organisation(request, pk):
    membership = membership_of(request, pk)
    rounds = membership.organisation.rounds.select_related(
        "organisation", "questionnaire_version__questionnaire"
    ).order_by("-opens_on", "-pk")
    # Each row reads its round's figures: a page of them at a time.
    page = Paginator(rounds, ROUNDS_PAGE).get_page(request.GET.get("page"))
    for round in page:
        # What each round's report shows now: the responses in its figures, the overall score.
        figures = snapshot_round_figures(round, current_snapshot(round))
        overall = None if figures.suppressed else figures.overall_estimate
        round.overall = (
            None
            if overall is None or overall.mean is None
            else {
                "points": whole_points(overall.mean),
                "margin": None if overall.margin is None else margin_points(overall.margin),
            }
        )
    context = {
        "organisation": membership.organisation,
        "is_lead": membership.role == Membership.Role.LEAD,
        "rounds": page.object_list,
        "page": page,
        "several_organisations": Membership.objects.filter(user=request.user).count() > 1,
    }
    return render(request, "assessments/rounds/organisation.html", context)


@never_cache
@require_safe
def access_log(request, pk):
    """What the organisation's members did with its results, for its leads."""
    membership = membership_of(request, pk, lead=True)
    entries = membership.organisation.access_log.select_related("user", "round")
    page = Paginator(entries, ACCESS_LOG_PAGE).get_page(request.GET.get("page"))
    context = {"organisation": membership.organisation, "page": page}
    return render(request, "assessments/rounds/access_log.html", context)
