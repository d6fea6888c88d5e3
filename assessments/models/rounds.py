"""Assessment rounds, and the snapshots of figures each round publishes."""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models.organisations import Organisation, OrganisationRowsQuerySet
from maturity.models import QuestionnaireVersion

MIN_ANONYMITY_THRESHOLD = 3


def check_dates(opens_on, closes_on):
    """A round closes on or after the day it opens (the database holds the same rule)."""
    if closes_on < opens_on:
        message = "The date the round closes must be the same as or after the date it opens"
        raise ValidationError({"closes_on": ValidationError(message, code="closes_before_opening")})


def new_token():
    """256 random bits, URL-safe: unguessable, and not derived from anything stored."""
    return secrets.token_urlsafe(32)


class RoundQuerySet(OrganisationRowsQuerySet):
    def closed(self, today=None):
        """Rounds closed by a lead, or open rounds whose closing date has passed."""
        today = today or timezone.localdate()
        return self.filter(
            models.Q(status=Round.Status.CLOSED)
            | models.Q(status=Round.Status.OPEN, closes_on__lt=today)
        )


class Round(models.Model):
    """One assessment of an organisation against a published questionnaire version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Length(models.TextChoices):
        FULL = "full", "Full: every question"
        # Each respondent answers a balanced random part of each theme (assessments.sampling).
        SHORT = "short", "Short: part of each theme"

    class Breakdown(models.TextChoices):
        # One breakdown a round: figures by role group and by unit side by side could be
        # subtracted from each other to reach groups of fewer than k (docs/decisions/0012).
        ROLE = "role", "Role group"
        UNIT = "unit", "Unit"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="rounds")
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="rounds",
        limit_choices_to={"status": QuestionnaireVersion.Status.PUBLISHED},
    )
    title = models.CharField(max_length=200)
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    anonymity_threshold = models.PositiveSmallIntegerField(
        "anonymity threshold",
        default=5,
        validators=[MinValueValidator(MIN_ANONYMITY_THRESHOLD)],
        help_text="Figures for a group of respondents are shown only when it has at least "
        "this many responses.",
    )
    length = models.CharField(
        "survey length",
        max_length=10,
        choices=Length,
        default=Length.FULL,
        help_text="Short: each respondent answers part of each theme; fixed once it opens.",
    )
    breakdown = models.CharField(
        "compare staff by",
        max_length=10,
        choices=Breakdown,
        default=Breakdown.ROLE,
        help_text="The groups of staff whose views the report compares; fixed once it opens.",
    )
    open_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    comparison_round = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The round its report compares with; empty for the latest eligible one.",
    )
    open_link_enabled = models.BooleanField(
        "open link on", default=True, help_text="Whether the open link starts new responses."
    )
    # Bumped by every submission; figures move only with snapshots (assessments.anonymity).
    submitted_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(anonymity_threshold__gte=MIN_ANONYMITY_THRESHOLD),
                name="round_anonymity_threshold_at_least_3",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.title}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.check_version()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("reports:round", args=[self.pk])

    def clean(self):
        if self.opens_on and self.closes_on:
            check_dates(self.opens_on, self.closes_on)
        if self._state.adding and self.questionnaire_version_id:
            try:
                self.check_version()
            except ValidationError as error:
                raise ValidationError({"questionnaire_version": error}) from None

    def check_version(self):
        """Answers must keep their meaning: a new round uses an immutable, published version."""
        if self.questionnaire_version.status != QuestionnaireVersion.Status.PUBLISHED:
            raise ValidationError(
                "A round must use a published questionnaire version.",
                code="version_not_published",
            )

    @property
    def is_short(self):
        return self.length == self.Length.SHORT

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED or (
            self.status == self.Status.OPEN and self.closes_on < timezone.localdate()
        )

    @property
    def closed_on(self) -> date:
        """The date respondents are told the round closed."""
        if self.closed_at:
            return timezone.localdate(self.closed_at)
        return self.closes_on

    @property
    def is_accepting_responses(self):
        today = timezone.localdate()
        return self.status == self.Status.OPEN and self.opens_on <= today <= self.closes_on

    @transaction.atomic
    def open(self):
        """Open the round to respondents."""
        locked = Round.objects.select_for_update().get(pk=self.pk)
        if locked.status != self.Status.DRAFT:
            raise ValidationError(
                f"“{self.title}” is already {locked.get_status_display().lower()}.",
                code="not_draft",
            )
        if self.closes_on < timezone.localdate():
            raise ValidationError(
                "The closing date has passed: change it before opening the round.",
                code="closing_date_passed",
            )
        if self.breakdown == self.Breakdown.UNIT and not self.organisation.units.exists():
            raise ValidationError(
                "The round compares staff by unit, but the organisation has no units: add "
                "them, or compare by role group, before opening it.",
                code="no_units",
            )
        self.status = self.Status.OPEN
        self.opened_at = timezone.now()
        self.save(update_fields=["status", "opened_at"])

    @transaction.atomic
    def update_details(self, **fields):
        """Change the title and dates, and while a draft the anonymity threshold, the survey's
        length and the breakdown.

        Checked again under a lock, as the round may have been opened or closed in another tab
        since the lead's form loaded: a closed round keeps what it was answered under, and the
        threshold is fixed once respondents have been told it.
        """
        locked = Round.objects.select_for_update().get(pk=self.pk)
        told = {"anonymity_threshold", "length", "breakdown"}  # respondents are told these
        if locked.is_closed or (told & set(fields) and locked.status != self.Status.DRAFT):
            raise ValidationError(
                f"“{self.title}” changed while you were editing it.", code="changed"
            )
        check_dates(
            fields.get("opens_on", locked.opens_on), fields.get("closes_on", locked.closes_on)
        )
        for name, value in fields.items():
            setattr(locked, name, value)
            setattr(self, name, value)
        locked.save(update_fields=list(fields))

    @transaction.atomic
    def close(self):
        """Close the round; drafts stay in the database but never count."""
        locked = Round.objects.select_for_update().get(pk=self.pk)
        if locked.status == self.Status.CLOSED:
            raise ValidationError(f"“{self.title}” is already closed.", code="already_closed")
        if locked.status == self.Status.DRAFT:
            raise ValidationError(f"“{self.title}” has not been opened yet.", code="not_open")
        self.status = self.Status.CLOSED
        self.closed_at = timezone.now()
        self.save(update_fields=["status", "closed_at"])


class Snapshot(models.Model):
    """The figures a round shows, from the first `responses` submissions counted into them.

    Figures move only from one snapshot to the next, and each adds cells of at least k
    responses (assessments.anonymity), so no two things a reader sees differ by fewer than k
    people. The last snapshot of a closed round is final and never changes again: its peer
    benchmark is the one its reports keep.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField()
    responses = models.PositiveIntegerField()
    final = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    figures = models.JSONField(help_text="assessments.aggregates.RoundFigures.to_dict()")
    # Theme key -> mean, read by other organisations' peer benchmarks without the figures.
    theme_means = models.JSONField(default=dict, blank=True)
    # The peer benchmark as it was when this snapshot was made (None: too few peers).
    peers = models.JSONField(null=True, blank=True)
    # Responses counted through each channel: personal links and the open link.
    channels = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["round", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="unique_snapshot_number"),
            models.UniqueConstraint(
                fields=["round"], condition=models.Q(final=True), name="one_final_snapshot"
            ),
        ]

    def __str__(self):
        return f"{self.round}: snapshot {self.number} ({self.responses} responses)"
