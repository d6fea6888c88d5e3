"""Organisations, their assessment rounds, and the responses staff give in them.

Respondents have no accounts: a response is reached only through its random token, which
is never a primary key and never stays in a URL longer than one redirect.
"""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from maturity.models import AnswerOption, Question, QuestionnaireVersion

MIN_ANONYMITY_THRESHOLD = 3
COMMENT_MAX_LENGTH = 2000


def check_dates(opens_on, closes_on):
    """A round closes on or after the day it opens (the database holds the same rule)."""
    if closes_on < opens_on:
        message = "The date the round closes must be the same as or after the date it opens"
        raise ValidationError({"closes_on": ValidationError(message, code="closes_before_opening")})


def new_token():
    """256 random bits, URL-safe: unguessable, and not derived from anything stored."""
    return secrets.token_urlsafe(32)


class Organisation(models.Model):
    class Function(models.TextChoices):
        # The ten divisions of the UN Classification of the Functions of Government (COFOG).
        GENERAL_PUBLIC_SERVICES = "01", "General public services"
        DEFENCE = "02", "Defence"
        PUBLIC_ORDER = "03", "Public order and safety"
        ECONOMIC_AFFAIRS = "04", "Economic affairs"
        ENVIRONMENT = "05", "Environmental protection"
        HOUSING = "06", "Housing and community amenities"
        HEALTH = "07", "Health"
        RECREATION = "08", "Recreation, culture and religion"
        EDUCATION = "09", "Education"
        SOCIAL_PROTECTION = "10", "Social protection"

    class SizeBand(models.TextChoices):
        UNDER_250 = "s", "Fewer than 250 staff"
        UNDER_1000 = "m", "250 to 999 staff"
        UNDER_5000 = "l", "1,000 to 4,999 staff"
        UNDER_20000 = "xl", "5,000 to 19,999 staff"
        LARGER = "xxl", "20,000 staff or more"

    class Region(models.TextChoices):
        UK_WIDE = "uk", "UK-wide"
        NORTH_EAST = "ne", "North East"
        NORTH_WEST = "nw", "North West"
        YORKSHIRE = "yh", "Yorkshire and The Humber"
        EAST_MIDLANDS = "em", "East Midlands"
        WEST_MIDLANDS = "wm", "West Midlands"
        EAST = "ee", "East of England"
        LONDON = "ld", "London"
        SOUTH_EAST = "se", "South East"
        SOUTH_WEST = "sw", "South West"
        SCOTLAND = "sc", "Scotland"
        WALES = "wa", "Wales"
        NORTHERN_IRELAND = "ni", "Northern Ireland"

    name = models.CharField(max_length=200, unique=True)
    function = models.CharField(
        "government function",
        max_length=2,
        choices=Function,
        help_text="COFOG division; organisations are compared with peers of the same function.",
    )
    size_band = models.CharField(max_length=3, choices=SizeBand)
    region = models.CharField("nation or region", max_length=2, choices=Region)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's role in one organisation: leads run rounds, viewers read reports."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display().lower()}, {self.organisation})"


class RoundQuerySet(models.QuerySet):
    def for_user(self, user):
        """Rounds of the organisations `user` belongs to; nothing for anyone else."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__memberships__user=user)

    def led_by(self, user):
        """Rounds `user` may change: those of organisations where they are a lead."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            organisation__memberships__user=user,
            organisation__memberships__role=Membership.Role.LEAD,
        )

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
    open_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # Bumped by every submission: cached figures and PDFs are valid for one value of it.
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
        self.status = self.Status.OPEN
        self.opened_at = timezone.now()
        self.save(update_fields=["status", "opened_at"])

    @transaction.atomic
    def update_details(self, **fields):
        """Change the title and dates, and while a draft the anonymity threshold.

        Checked again under a lock, as the round may have been opened or closed in another tab
        since the lead's form loaded: a closed round keeps what it was answered under, and the
        threshold is fixed once respondents have been told it.
        """
        locked = Round.objects.select_for_update().get(pk=self.pk)
        if locked.is_closed or (
            "anonymity_threshold" in fields and locked.status != self.Status.DRAFT
        ):
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


class Response(models.Model):
    """One respondent's answers in a round, reached through its token."""

    class RoleGroup(models.TextChoices):
        SENIOR_LEADERSHIP = "leadership", "Senior leadership"
        DIGITAL = "digital", "Digital, IT or data"
        FRONTLINE = "frontline", "Frontline service delivery"
        CORPORATE = "corporate", "Corporate services"
        COMMERCIAL = "commercial", "Commercial or procurement"
        OTHER = "other", "Other"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    is_personal = models.BooleanField(
        default=False, help_text="Issued as a personal link rather than started from the open link."
    )
    role_group = models.CharField(max_length=20, choices=RoleGroup, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    last_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "id"]
        indexes = [
            models.Index(fields=["round", "submitted_at"], name="response_round_submitted"),
        ]

    def __str__(self):
        # Never the token: this string can end up in logs and the admin.
        return f"Response {self.pk} to {self.round}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class Answer(models.Model):
    class Kind(models.TextChoices):
        UNANSWERED = "", "Not answered"
        LEVEL = "level", "A level"
        NOT_APPLICABLE = "na", "Not applicable"
        DONT_KNOW = "dk", "Don’t know"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    kind = models.CharField(max_length=5, choices=Kind, blank=True)
    option = models.ForeignKey(
        AnswerOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The option's level, copied so that reports aggregate answers without a join.
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(
        blank=True,
        max_length=COMMENT_MAX_LENGTH,
        validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)],
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["response", "question__theme__order", "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="unique_answer"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="level", option__isnull=False, level__gte=1, level__lte=5)
                    | models.Q(kind__in=["", "na", "dk"], option__isnull=True, level__isnull=True)
                ),
                name="answer_kind_matches_level",
            ),
        ]
        indexes = [
            models.Index(fields=["question", "kind", "level"], name="answer_question_level"),
        ]

    def __str__(self):
        return f"Answer to {self.question.concept_key}"


class RoundResult(models.Model):
    """A round's figures, cached for one value of `Round.submitted_count` (see
    `assessments.figures.round_figures`). Safe to delete: it is recomputed on demand."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="result")
    # The round's submitted_count read before computing: a submission during the computation
    # leaves a stale stamp, so the next reader recomputes rather than trusting these figures.
    submitted_count = models.PositiveIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)
    figures = models.JSONField(help_text="assessments.scoring.RoundFigures.to_dict()")
    # Theme key -> mean, read by other organisations' peer benchmarks without the full figures.
    theme_means = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["round"]

    def __str__(self):
        return f"Figures for {self.round_id} at {self.submitted_count} submissions"
