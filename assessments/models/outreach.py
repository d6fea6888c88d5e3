"""Reaching a round's staff by e-mail: invitations, reminders, and the summary shared back.

An invitation holds an address only so that it can be sent to: the address is never shown
beside answers, and it is erased (assessments.outreach.erase_addresses) once the round has
closed and its staff summary has been sent or declined, 30 days after closing at the latest.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from assessments.models.answers import Response
from assessments.models.organisations import Unit
from assessments.models.rounds import Round, new_token
from maturity.models import Email


class StaffOutreach(models.Model):
    """A round's decisions about its staff: whether its staff summary is published, and when
    the invitees' addresses were erased."""

    class Summary(models.TextChoices):
        UNDECIDED = "", "Not decided"
        PUBLISHED = "published", "Published"
        DECLINED = "declined", "Declined"

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="outreach")
    summary = models.CharField(max_length=10, choices=Summary, blank=True)
    summary_decided_at = models.DateTimeField(null=True, blank=True)
    summary_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    addresses_erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round"]
        verbose_name_plural = "staff outreach"

    def __str__(self):
        return f"Staff outreach of {self.round}"

    @property
    def summary_published(self):
        return self.summary == self.Summary.PUBLISHED


class StaffInvitation(models.Model):
    """One member of staff invited to a round by e-mail, with their own personal link."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    # Lower case, so that one address is one invitation; "" once erased.
    address = models.EmailField(blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="invitation")
    # The invitation e-mail in the outbox, once the worker has written it.
    email = models.OneToOneField(
        Email, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The "stop reminding me" link's key: it reaches nothing else.
    stop_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    reminders_stopped_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "address"],
                condition=~models.Q(address=""),
                name="one_invitation_per_address",
            ),
        ]

    def __str__(self):
        # Never the address: this string can end up in logs and the admin.
        return f"Invitation {self.pk} to {self.round}"


class StaffEmail(models.Model):
    """Which later outbox e-mail went to which invitee, and why: so that its status can be
    counted and the e-mail deleted with the address."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        SUMMARY = "summary", "Staff summary"

    invitation = models.ForeignKey(StaffInvitation, on_delete=models.CASCADE, related_name="emails")
    email = models.OneToOneField(Email, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind)

    class Meta:
        ordering = ["invitation", "id"]
        indexes = [models.Index(fields=["kind", "invitation"], name="staff_email_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} for invitation {self.invitation_id}"


class Reminder(models.Model):
    """A reminder to the invitees who have not submitted: sent now, or on its day."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    # Days before the closing date it was chosen for; None for "now".
    days_before = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["round", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "days_before"],
                condition=models.Q(days_before__isnull=False),
                name="one_reminder_per_day_before",
            ),
        ]
        indexes = [models.Index(fields=["sent_at", "due_on"], name="reminder_due")]

    def __str__(self):
        return f"Reminder for {self.round} on {self.due_on}"
