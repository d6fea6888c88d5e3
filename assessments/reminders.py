"""Reminders to invited staff (assessments.outreach): only to those who have not submitted,
whose invitation was sent, and who have not used the "stop reminding me" link; at most one a
day each. "Now", or on days before closing the lead chose, sent by `send_due_reminders` (the
management command of that name, run hourly by cron).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import Reminder, Round, StaffEmail, StaffInvitation
from assessments.outreach import check_can_invite, queue_to_invitees, reachable_invitations
from maturity.models import Email

# Days before closing a lead may choose for scheduled reminders.
REMINDER_DAYS = [14, 7, 3, 2, 1]


@transaction.atomic
def schedule_reminders(*, round: Round, days: list[int], scheduled_by=None) -> list[Reminder]:
    """Reminders on each of `days` days before the round closes, in place of those scheduled
    and not yet sent. Days already past are refused."""
    check_can_invite(round)
    today = timezone.localdate()
    unknown = sorted(set(days) - set(REMINDER_DAYS))
    if unknown:
        raise ValidationError(f"{unknown[0]} days is not one of the choices.", code="unknown_day")
    past = [d for d in days if round.closes_on - datetime.timedelta(days=d) < today]
    if past:
        raise ValidationError(
            f"{past[0]} days before closing has passed: choose a later day.", code="past_day"
        )
    round.reminders.filter(sent_at=None, days_before__isnull=False).delete()
    return Reminder.objects.bulk_create(
        Reminder(
            round=round,
            due_on=round.closes_on - datetime.timedelta(days=d),
            days_before=d,
            created_by=scheduled_by,
        )
        for d in sorted(set(days), reverse=True)
    )


@transaction.atomic
def send_reminder(*, reminder: Reminder, base_url: str) -> int:
    """Queue the reminder to every invitee who has not submitted, has not asked to stop and
    was not reminded today; return how many. A reminder is sent once: again, it does nothing.
    """
    reminder = (
        Reminder.objects.select_for_update()
        .select_related("round__organisation")
        .get(pk=reminder.pk)
    )
    if reminder.sent_at is not None:
        return 0
    round, today = reminder.round, timezone.localdate()
    reminded = []
    if round.is_accepting_responses:
        reminded = list(
            reachable_invitations(round)
            .filter(response__submitted_at=None, reminders_stopped_at=None)
            .exclude(last_reminded_on=today)
            # Not before the invitation itself has gone.
            .filter(email__status=Email.Status.SENT)
        )
        StaffInvitation.objects.filter(pk__in=[i.pk for i in reminded]).update(
            last_reminded_on=today
        )
        queue_to_invitees(
            invitations=reminded,
            kind=StaffEmail.Kind.REMINDER,
            template="assessments/outreach/reminder",
            context={"round": round},
            base_url=base_url,
        )
    reminder.sent_at, reminder.reminded = timezone.now(), len(reminded)
    reminder.save(update_fields=["sent_at", "reminded"])
    return len(reminded)


def remind_now(*, round: Round, base_url: str, reminded_by=None) -> int:
    check_can_invite(round)
    reminder = Reminder.objects.create(
        round=round, due_on=timezone.localdate(), created_by=reminded_by
    )
    return send_reminder(reminder=reminder, base_url=base_url)


def send_due_reminders(*, base_url: str) -> int:
    """Send every scheduled reminder whose day has come; return how many people they reached.
    A round that has closed sends its remaining reminders to nobody."""
    due = Reminder.objects.filter(sent_at=None, due_on__lte=timezone.localdate())
    return sum(send_reminder(reminder=reminder, base_url=base_url) for reminder in due)


def stop_reminders(*, invitation: StaffInvitation) -> None:
    StaffInvitation.objects.filter(pk=invitation.pk, reminders_stopped_at=None).update(
        reminders_stopped_at=timezone.now()
    )
