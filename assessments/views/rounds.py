"""An organisation lead's pages: their organisations, and running a round from start to end.

Every view reads through a queryset scoped to the signed-in user's memberships, so another
organisation's round is a 404, never a 403 that would confirm it exists. Viewers see the same
pages without the buttons; the views that change anything read through
`Round.objects.led_by()` (or the lead's memberships), so a viewer's request is a 404 too.
Sign-in itself is required by LoginRequiredMiddleware.

Bad input re-renders the page with a GOV.UK error summary and status 400, and saves nothing.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments.anonymity import responses_until_next
from assessments.figures import (
    current_snapshot,
    identical_submissions,
    publish_snapshot,
)
from assessments.forms.rounds import PersonalLinksForm, RoundForm
from assessments.models import AccessLog, Response, Round
from assessments.responses import issue_personal_links, survey_plan, write_personal_links_csv
from assessments.scoring import response_rate
from assessments.views.organisations import membership_of
from maturity.models import QuestionnaireVersion
from maturity.views import site_url

# A new round's suggested length: long enough for staff to find time, short enough to chase.
SUGGESTED_DAYS_OPEN = 28


def _readable_round(request, pk):
    return get_object_or_404(
        Round.objects.for_user(request.user).select_related(
            "organisation", "questionnaire_version__questionnaire"
        ),
        pk=pk,
    )


def _led_round(request, pk):
    return get_object_or_404(
        Round.objects.led_by(request.user).select_related(
            "organisation", "questionnaire_version__questionnaire"
        ),
        pk=pk,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def create_round(request, pk):
    """A new draft round of the organisation, on the current published questionnaire."""
    membership = membership_of(request, pk, lead=True)
    organisation = membership.organisation
    # One questionnaire in practice; should there be several, the first by name is used
    # until someone needs to choose.
    version = (
        QuestionnaireVersion.objects.filter(status=QuestionnaireVersion.Status.PUBLISHED)
        .select_related("questionnaire")
        .order_by("questionnaire__name")
        .first()
    )
    status = 200
    plan = survey_plan(version) if version else None
    units = organisation.units.count()
    if request.method == "POST" and version is not None:
        form = RoundForm(request.POST, plan=plan, units=units)
        cap = settings.MAX_ROUNDS_PER_ORGANISATION
        if form.is_valid() and organisation.rounds.count() >= cap:
            form.add_error(
                None,
                ValidationError(
                    f"An organisation can have up to {cap} rounds, and {organisation.name} "
                    "has that many. Ask your site administrator to remove draft rounds that "
                    "will not be used.",
                    code="round_cap",
                ),
            )
        if form.is_valid():
            round = Round.objects.create(
                organisation=organisation,
                questionnaire_version=version,
                created_by=request.user,
                **form.cleaned_data,
            )
            messages.success(
                request,
                format_html(
                    "“<bdi>{}</bdi>” has been created. Open it when you are ready.", round.title
                ),
            )
            return redirect("assessments:round", round.pk)
        status = 400
    else:
        today = timezone.localdate()
        form = RoundForm(
            plan=plan,
            units=units,
            initial={
                "title": f"Digital maturity assessment, {today:%B %Y}",
                "length": Round.Length.FULL,
                "breakdown": Round.Breakdown.ROLE,
                "opens_on": today,
                "closes_on": today + datetime.timedelta(days=SUGGESTED_DAYS_OPEN),
                "anonymity_threshold": Round._meta.get_field("anonymity_threshold").default,
            },
        )
    context = {"organisation": organisation, "form": form, "version": version}
    return render(request, "assessments/rounds/create.html", context, status=status)


def _response_figures(round):
    """What the round page counts: responses so far (counts only, never anything about one
    response), and from the current snapshot the responses its figures include, by group and
    by channel.

    Group counts come from the snapshot's cells, each of at least k responses
    (assessments.anonymity), so a group shows its count or, whatever its true count, the same
    words; the counts move only when the figures do.
    """
    counts = round.responses.aggregate(
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        in_progress=Count("pk", filter=Q(submitted_at__isnull=True, started_at__isnull=False)),
        personal=Count("pk", filter=Q(is_personal=True)),
    )
    snapshot = current_snapshot(round)
    number = snapshot.number if snapshot else 0
    field = "unit_id" if round.breakdown == Round.Breakdown.UNIT else "role_group"
    in_groups = dict(
        round.responses.filter(snapshot__lte=number, counts_in_group=True)
        .order_by()
        .values_list(field)
        .annotate(n=Count("pk"))
    )
    k = round.anonymity_threshold
    if round.breakdown == Round.Breakdown.UNIT:
        choices = [(unit.pk, unit.name) for unit in round.organisation.units.all()]
        choices.append((None, "Not stated"))
    else:
        choices = [*Response.RoleGroup.choices, ("", "Not stated")]
    # The same words whatever the true count: the group has no cell of its own yet.
    groups = [
        {
            "label": label,
            "shown": str(in_groups[value]) if value in in_groups else "Not shown separately",
        }
        for value, label in choices
    ]
    channels = snapshot.channels if snapshot else {}
    included = snapshot.responses if snapshot else 0
    return {
        **counts,
        "included": included,
        "overall_only": included - sum(in_groups.values()),
        "groups": groups,
        "channels": channels,
        "response_rate": response_rate(
            issued=counts["personal"], submitted=channels.get("personal", 0)
        ),
        "next_move": None
        if round.is_closed
        else responses_until_next(counts["submitted"] - included, k),
        "identical": identical_submissions(round),
    }


@never_cache
@require_safe
def round_detail(request, pk):
    round = _readable_round(request, pk)
    is_lead = Round.objects.led_by(request.user).filter(pk=round.pk).exists()
    context = {
        "round": round,
        "is_lead": is_lead,
        "can_change": is_lead and not round.is_closed,
        "open_link": site_url(request) + reverse("assessments:open_link", args=[round.open_token]),
        "figures": _response_figures(round),
    }
    return render(request, "assessments/rounds/round.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_round(request, pk):
    """Change a round's title and dates while it is a draft or open (and its threshold while
    a draft). A closed round keeps what it was answered under."""
    round = _led_round(request, pk)
    if round.is_closed:
        messages.error(
            request,
            format_html("“<bdi>{}</bdi>” has closed, so its details cannot change.", round.title),
        )
        return redirect("assessments:round", round.pk)
    is_draft = round.status == Round.Status.DRAFT
    status = 200
    options = {
        "threshold_editable": is_draft,
        "plan": survey_plan(round.questionnaire_version),
        "units": round.organisation.units.count(),
    }
    if request.method == "POST":
        form = RoundForm(request.POST, **options)
        if form.is_valid():
            try:
                round.update_details(**form.cleaned_data)
            except ValidationError as error:
                if error.code != "changed":
                    raise
                messages.error(request, f"{error.messages[0]} Try again.")
                return redirect("assessments:round", round.pk)
            messages.success(request, "The round’s details have been saved.")
            return redirect("assessments:round", round.pk)
        status = 400
    else:
        form = RoundForm(
            initial={
                "title": round.title,
                "opens_on": round.opens_on,
                "closes_on": round.closes_on,
                "anonymity_threshold": round.anonymity_threshold,
                "length": round.length,
                "breakdown": round.breakdown,
            },
            **options,
        )
    context = {"round": round, "form": form, "is_draft": is_draft}
    return render(request, "assessments/rounds/edit.html", context, status=status)


def _change_status(request, pk, *, action):
    """The confirmation page for opening or closing a round, and the POST that does it."""
    round = _led_round(request, pk)
    errors = []
    if request.method == "POST":
        try:
            if action == "open":
                round.open()
            else:
                round.close()
        except ValidationError as error:
            # The message links to where the lead can put it right.
            if error.code == "closing_date_passed":
                link = reverse("assessments:edit_round", args=[round.pk])
            else:
                link = reverse("assessments:round", args=[round.pk])
            errors = [(message, link) for message in error.messages]
            round.refresh_from_db()
        else:
            if action == "close":
                # After the close has committed: reports and other organisations' peer
                # benchmarks then find the final figures ready. Were this to fail, the round
                # would still be closed and its figures computed on first reading.
                publish_snapshot(round)
                messages.success(
                    request,
                    format_html(
                        "“<bdi>{}</bdi>” is closed. Its report now shows the final figures.",
                        round.title,
                    ),
                )
            else:
                messages.success(
                    request,
                    format_html(
                        "“<bdi>{}</bdi>” is open. Share the open link or personal links with "
                        "staff.",
                        round.title,
                    ),
                )
            return redirect("assessments:round", round.pk)
    # Rounds go one way, draft to open to closed; an open round past its closing date can
    # still be closed, so that its final figures are stored.
    next_status = Round.Status.OPEN if action == "open" else Round.Status.CLOSED
    previous_status = Round.Status.DRAFT if action == "open" else Round.Status.OPEN
    context = {
        "round": round,
        "action": action,
        "errors": errors,
        "can_act": round.status == previous_status,
        "already": round.status == next_status,
    }
    return render(
        request, "assessments/rounds/confirm.html", context, status=400 if errors else 200
    )


@require_http_methods(["GET", "HEAD", "POST"])
def open_round(request, pk):
    return _change_status(request, pk, action="open")


@require_http_methods(["GET", "HEAD", "POST"])
def close_round(request, pk):
    return _change_status(request, pk, action="close")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def personal_links(request, pk):
    """Make N personal links and download them as CSV, for a mail merge.

    The links are made only by the POST, all at once or not at all, and only this download
    lists them: the CSV never reaches the page or the logs.
    """
    round = _led_round(request, pk)
    status = 200
    if request.method == "POST":
        form = PersonalLinksForm(request.POST)
        if form.is_valid():
            try:
                responses = issue_personal_links(round=round, count=form.cleaned_data["count"])
            except ValidationError as error:
                form.add_error("count", error)
            else:
                stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M%S")
                response = HttpResponse(content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = (
                    f'attachment; filename="personal-links-round-{round.pk}-{stamp}.csv"'
                )
                write_personal_links_csv(
                    responses=responses, base_url=site_url(request), file=response
                )
                AccessLog.objects.record(
                    organisation=round.organisation,
                    round=round,
                    user=request.user,
                    action=AccessLog.Action.PERSONAL_LINKS,
                    detail=f"{len(responses):,} personal links for “{round.title}”",
                )
                return response
        status = 400
    else:
        form = PersonalLinksForm()
    issued = round.responses.filter(is_personal=True).count()
    context = {"round": round, "form": form, "issued": issued}
    return render(request, "assessments/rounds/personal_links.html", context, status=status)


@require_POST
def switch_open_link(request, pk):
    """Switch the round's open link off (no new responses start from it) or on again."""
    round = _led_round(request, pk)
    on = request.POST.get("on") == "true"
    Round.objects.filter(pk=round.pk).update(open_link_enabled=on)
    AccessLog.objects.record(
        organisation=round.organisation,
        round=round,
        user=request.user,
        action=AccessLog.Action.OPEN_LINK,
        detail=f"Switched the open link of “{round.title}” {'on' if on else 'off'}",
    )
    messages.success(
        request,
        "The open link is on: anyone with it can answer."
        if on
        else "The open link is off: nobody can start answering from it. Personal links still work.",
    )
    return redirect("assessments:round", round.pk)
