"""An organisation's plan: its targets, the leadership's view of each theme with its
evidence, and its actions, on one page that members read and leads change.

As everywhere, another organisation's plan is a 404; the views that change anything read
through the lead's membership (or `led_by()`), so a viewer's request is a 404 too. Bad input
re-renders the form with a GOV.UK error summary and status 400, and saves nothing; a save over
a newer change made in another tab or by another lead is refused (409) and the form shows what
is saved now. Every change is written to the access log (assessments.models.plans).
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments.forms.plans import ActionForm, LeadershipViewForm, TargetForm
from assessments.forms.survey import first_input_id
from assessments.models import (
    Action,
    Membership,
    Round,
    Target,
    create_action,
    plan_themes,
    plan_version,
    save_leadership_view,
    set_target,
    update_action,
)
from assessments.views.organisations import membership_of
from maturity.models import Recommendation
from maturity.versioning import version_content

# A new action's due date, when it comes from a recommendation: a quarter ahead.
DAYS_TO_DO = 91


def _theme(organisation, key):
    theme = next((t for t in plan_themes(organisation) if t.key == key), None)
    if theme is None:
        raise Http404("No such theme in this organisation's plan.")
    return theme


def _level_names(organisation):
    version = plan_version(organisation)
    return version_content(version).level_names if version else {}


def _plan_url(organisation, part):
    return reverse("assessments:plan", args=[organisation.pk]) + f"#{part}"


def _refused(form, error, first_field):
    """The form with what is saved now, and the refusal in its error summary."""
    return [
        (
            error.messages[0] + " It now shows what is saved: make your change again.",
            f"#{first_input_id(form[first_field])}",
        )
    ]


@never_cache
@require_safe
def plan(request, pk):
    membership = membership_of(request, pk)
    organisation = membership.organisation
    today = timezone.localdate()
    targets = Target.objects.latest_by_theme(organisation=organisation)
    views = {v.theme_key: v for v in organisation.leadership_views.all()}
    actions = list(organisation.actions.all())
    themes = plan_themes(organisation)
    titles = {theme.key: theme.title for theme in themes}
    rows = [
        {
            "theme": theme,
            "target": targets.get(theme.key),
            "view": views.get(theme.key),
            "stale": theme.key in views and views[theme.key].is_stale(today),
            "open_actions": sum(a.is_open for a in actions if a.theme_key == theme.key),
        }
        for theme in themes
    ]
    for action in actions:
        action.theme_title = titles.get(action.theme_key, action.theme_key)
        action.overdue = action.is_overdue(today)
    context = {
        "organisation": organisation,
        "is_lead": membership.role == Membership.Role.LEAD,
        "rows": rows,
        "actions": actions,
        "level_names": _level_names(organisation),
    }
    return render(request, "assessments/plans/plan.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_target(request, pk, key):
    organisation = membership_of(request, pk, lead=True).organisation
    theme = _theme(organisation, key)
    names = _level_names(organisation)

    def saved_form():
        target = Target.objects.latest_by_theme(organisation=organisation).get(key)
        initial = {"level": target.level, "target_on": target.target_on} if target else {}
        return TargetForm(
            initial={**initial, "version": target.pk if target else 0}, level_names=names
        )

    form, errors, status = saved_form(), None, 200
    if request.method == "POST":
        form = TargetForm(request.POST, level_names=names)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                set_target(
                    organisation=organisation,
                    theme=theme,
                    level=data["level"],
                    target_on=data["target_on"],
                    user=request.user,
                    seen=data["version"],
                )
            except ValidationError as error:
                form = saved_form()
                errors, status = _refused(form, error, "level"), 409
            else:
                messages.success(request, f"The target for {theme.title} has been saved.")
                return redirect(_plan_url(organisation, "themes"))
    context = {"organisation": organisation, "theme": theme, "form": form, "refused": errors}
    return render(request, "assessments/plans/target.html", context, status=status)


VIEW_FIELDS = ("level", "evidence", "links", "agreed_by", "agreed_on", "review_by")


@require_http_methods(["GET", "HEAD", "POST"])
def edit_view(request, pk, key):
    organisation = membership_of(request, pk, lead=True).organisation
    theme = _theme(organisation, key)
    names = _level_names(organisation)

    def saved_form():
        view = organisation.leadership_views.filter(theme_key=key).first()
        initial = {name: getattr(view, name) for name in VIEW_FIELDS} if view else {}
        return LeadershipViewForm(
            initial={**initial, "version": view.version if view else 0}, level_names=names
        )

    form, errors, status = saved_form(), None, 200
    if request.method == "POST":
        form = LeadershipViewForm(request.POST, level_names=names)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                save_leadership_view(
                    organisation=organisation,
                    theme=theme,
                    user=request.user,
                    version=data["version"],
                    **{name: data[name] for name in VIEW_FIELDS},
                )
            except ValidationError as error:
                form = saved_form()
                errors, status = _refused(form, error, "level"), 409
            else:
                messages.success(request, f"The leadership view of {theme.title} has been saved.")
                return redirect(_plan_url(organisation, "themes"))
    context = {"organisation": organisation, "theme": theme, "form": form, "refused": errors}
    return render(request, "assessments/plans/view.html", context, status=status)


ACTION_FIELDS = ("title", "theme_key", "owner", "due_on", "status")


@require_http_methods(["GET", "HEAD", "POST"])
def add_action(request, pk):
    organisation = membership_of(request, pk, lead=True).organisation
    themes = plan_themes(organisation)
    initial = {"version": 0, "status": Action.Status.PLANNED, "theme_key": request.GET.get("theme")}
    form, status = ActionForm(initial=initial, themes=themes), 200
    if request.method == "POST":
        form = ActionForm(request.POST, themes=themes)
        status = 400
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in ACTION_FIELDS}
            theme = _theme(organisation, data.pop("theme_key"))
            if data["status"] == Action.Status.DONE:
                data["completed_on"] = timezone.localdate()
            create_action(organisation=organisation, theme=theme, user=request.user, **data)
            messages.success(request, f"“{data['title']}” has been added to the plan.")
            return redirect(_plan_url(organisation, "actions"))
    context = {"organisation": organisation, "form": form, "action": None, "refused": None}
    return render(request, "assessments/plans/action.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_action(request, pk, action_pk):
    organisation = membership_of(request, pk, lead=True).organisation
    action = get_object_or_404(
        Action.objects.led_by(request.user), organisation=organisation, pk=action_pk
    )
    themes = plan_themes(organisation)

    def saved_form():
        initial = {name: getattr(action, name) for name in ACTION_FIELDS}
        return ActionForm(initial={**initial, "version": action.version}, themes=themes)

    form, errors, status = saved_form(), None, 200
    if request.method == "POST":
        form = ActionForm(request.POST, themes=themes)
        status = 400
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in ACTION_FIELDS}
            try:
                update_action(
                    action=action, user=request.user, version=form.cleaned_data["version"], **data
                )
            except ValidationError as error:
                action.refresh_from_db()
                form = saved_form()
                errors, status = _refused(form, error, "title"), 409
            else:
                messages.success(request, f"“{action.title}” has been saved.")
                return redirect(_plan_url(organisation, "actions"))
    context = {"organisation": organisation, "form": form, "action": action, "refused": errors}
    return render(request, "assessments/plans/action.html", context, status=status)


@require_POST
def action_from_recommendation(request, pk):
    """An action from one of the report's recommendations, in one click: planned, due in a
    quarter, for the lead to give an owner. A second click finds the open one made before."""
    round = get_object_or_404(
        Round.objects.led_by(request.user).select_related("organisation"), pk=pk
    )
    chosen = request.POST.get("recommendation", "")
    # Only the round's own bank's recommendations: any other id, or none, is a 404.
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("theme"),
        pk=int(chosen) if chosen.isdigit() else None,
        theme__questionnaire_version=round.questionnaire_version_id,
    )
    organisation, theme = round.organisation, recommendation.theme
    existing = organisation.actions.filter(
        recommendation=recommendation, status__in=Action.OPEN
    ).first()
    if existing:
        messages.info(request, "The plan already has an open action from this recommendation.")
        return redirect(existing)
    action = create_action(
        organisation=organisation,
        theme=theme,
        user=request.user,
        title=Truncator(" ".join(recommendation.text.split())).chars(200),
        due_on=timezone.localdate() + datetime.timedelta(days=DAYS_TO_DO),
        recommendation=recommendation,
    )
    messages.success(
        request, "The recommendation is now an action: give it an owner and a due date."
    )
    return redirect(action)
