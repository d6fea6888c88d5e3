"""A lead's page for reaching staff by e-mail (invitations, reminders, the staff summary), and
the public "stop reminding me" link.

The lead's page shows counts only: e-mails sent, waiting and failed, people reminded. It never
lists an address, nor says who has answered. Reading a list of addresses shows what sending it
would do, and sends nothing; "Send invitations" then sends the checked list, read again.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from assessments.forms.outreach import (
    ConfirmInvitationsForm,
    InviteStaffForm,
    ReminderScheduleForm,
)
from assessments.models import Round, StaffEmail, StaffInvitation, StaffOutreach
from assessments.outreach import (
    decline_staff_summary,
    email_counts,
    invitation_counts,
    invite_staff,
    preview_invitations,
    publish_staff_summary,
)
from assessments.reminders import remind_now, schedule_reminders, stop_reminders
from assessments.throttling import token_link
from maturity.views import site_url


def _led_round(request, pk):
    return get_object_or_404(
        Round.objects.led_by(request.user).select_related("organisation"), pk=pk
    )


def _page(request, round, *, form=None, schedule_form=None, status=200, **extra):
    outreach = StaffOutreach.objects.filter(round=round).first()
    scheduled = round.reminders.filter(sent_at=None, days_before__isnull=False)
    context = {
        "round": round,
        "form": form or InviteStaffForm(units=round.organisation.units.all()),
        "schedule_form": schedule_form
        or ReminderScheduleForm(
            initial={"days": [r.days_before for r in scheduled]}, closes_on=round.closes_on
        ),
        "by_unit": round.invitations.filter(unit__isnull=False)
        .values("unit__name")
        .annotate(invited=Count("pk"))
        .order_by("unit__name"),
        "invitations": invitation_counts(round),
        "reminder_emails": email_counts(round, StaffEmail.Kind.REMINDER),
        "summary_emails": email_counts(round, StaffEmail.Kind.SUMMARY),
        "reminders": round.reminders.all(),
        "outreach": outreach,
        "units": round.organisation.units.exists(),
        "today": timezone.localdate(),
        **extra,
    }
    return render(request, "assessments/outreach/staff.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def staff(request, pk):
    """Invite staff: check a list of addresses, then send it."""
    round = _led_round(request, pk)
    units = round.organisation.units.all()
    if request.method != "POST":
        return _page(request, round)
    if "send" in request.POST:
        confirm = ConfirmInvitationsForm(request.POST, units=units)
        if not confirm.is_valid():
            messages.error(request, "The list could not be read again: check it again.")
            return redirect("assessments:staff", round.pk)
        try:
            invited = invite_staff(
                round=round,
                invitees=confirm.cleaned_data["invitees"],
                base_url=site_url(request),
                invited_by=request.user,
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("assessments:staff", round.pk)
        messages.success(
            request,
            f"{invited:,} invitation{'s' if invited != 1 else ''} will be sent in the next few "
            "minutes."
            if invited
            else "Everyone on the list had been invited already: nothing was sent.",
        )
        return redirect("assessments:staff", round.pk)
    form = InviteStaffForm(request.POST, request.FILES, units=units)
    if not form.is_valid():
        found = form.cleaned_data.get("found")
        preview = preview_invitations(round=round, invitees=found.invitees) if found else None
        return _page(request, round, form=form, status=400, found=found, preview=preview)
    found = form.cleaned_data["found"]
    context = {
        "round": round,
        "found": found,
        "preview": preview_invitations(round=round, invitees=found.invitees),
        "confirm": ConfirmInvitationsForm(initial={"invitees": found.as_text()}, units=units),
    }
    return render(request, "assessments/outreach/preview.html", context)


@require_POST
def reminders(request, pk):
    """Remind now, or choose the days before closing that reminders go."""
    round = _led_round(request, pk)
    try:
        if "now" in request.POST:
            reminded = remind_now(round=round, base_url=site_url(request), reminded_by=request.user)
            messages.success(
                request,
                f"{reminded:,} {'person' if reminded == 1 else 'people'} will be reminded in "
                "the next few minutes."
                if reminded
                else "Nobody needed a reminder: everyone invited has submitted, asked not to "
                "be reminded, was reminded today, or has not had their invitation yet.",
            )
            return redirect("assessments:staff", round.pk)
        form = ReminderScheduleForm(request.POST, closes_on=round.closes_on)
        if form.is_valid():
            days = form.cleaned_data["days"]
            schedule_reminders(round=round, days=days, scheduled_by=request.user)
            messages.success(
                request,
                "Reminders are scheduled." if days else "No reminders are scheduled.",
            )
            return redirect("assessments:staff", round.pk)
    except ValidationError as error:
        form = ReminderScheduleForm(request.POST, closes_on=round.closes_on)
        form.is_valid()
        form.add_error("days", error.messages[0])
    return _page(request, round, schedule_form=form, status=400)


@require_POST
def staff_summary(request, pk):
    """Publish the closed round's staff summary (and e-mail it to invitees), or decline to."""
    round = _led_round(request, pk)
    try:
        if request.POST.get("decision") == "publish":
            sent = publish_staff_summary(
                round=round, base_url=site_url(request), published_by=request.user
            )
            messages.success(
                request,
                "The staff summary is published on the round’s open link"
                + (f" and will be emailed to {sent:,} invited staff." if sent else "."),
            )
        elif request.POST.get("decision") == "decline":
            decline_staff_summary(round=round, declined_by=request.user)
            messages.success(
                request, "No summary will be shared. The invited staff’s addresses are erased."
            )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("assessments:staff", round.pk)


@token_link
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def stop(request, stop_token):
    """The "stop reminding me" link: a page with a button, so that mail scanners following the
    link change nothing; no sign-in."""
    invitation = (
        StaffInvitation.objects.select_related("round__organisation")
        .filter(stop_token=stop_token)
        .first()
    )
    if invitation is None:
        return render(request, "assessments/outreach/stop_not_valid.html", status=404)
    round = invitation.round
    context = {"round": round, "stopped": invitation.reminders_stopped_at is not None}
    if round.is_closed:
        return render(request, "assessments/outreach/stop_closed.html", context)
    if request.method == "POST":
        stop_reminders(invitation=invitation)
        context.update(stopped=True, just_stopped=True, at=timezone.now())
    return render(request, "assessments/outreach/stop.html", context)
