"""An organisation's plan: a target for each theme, the leadership team's view of where the
organisation stands with the evidence for it, and the actions it takes.

A plan belongs to the organisation, not to a round: targets, views and actions carry from one
round to the next, and each round's report reads them. Themes are named by their key, which
the question bank keeps across versions (maturity.models.Theme.key).

Targets are kept as set, a row each time: the report of a round says which targets moved since
the round it is compared with, so a target set earlier cannot be overwritten. Views and actions
change in place, each with a version number that every save checks and bumps, so that of two
leads editing the same thing the later save is refused rather than silently winning. Every
change is written to the organisation's access log by the functions at the end of this module.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from assessments.models.organisations import (
    AccessLog,
    Organisation,
    OrganisationRowsQuerySet,
)
from maturity.models import LEVEL_RANGE, QuestionnaireVersion, Recommendation

CHANGED = "changed since you opened it"


class TargetQuerySet(OrganisationRowsQuerySet):
    def latest_by_theme(self, *, organisation, until=None):
        """Each theme's target as it stood at `until` (a datetime; now if None), by key."""
        rows = self.filter(organisation=organisation)
        if until is not None:
            rows = rows.filter(set_at__lte=until)
        latest = {}
        for target in rows.order_by("theme_key", "-set_at", "-id"):
            latest.setdefault(target.theme_key, target)
        return latest


class Target(models.Model):
    """The level a theme should reach, and by when, as the organisation's leads set it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="targets")
    theme_key = models.SlugField(max_length=80)
    level = models.PositiveSmallIntegerField("target level")
    target_on = models.DateField("target date")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "theme_key", "-set_at", "-id"]
        constraints = [models.CheckConstraint(condition=LEVEL_RANGE, name="target_level_1_to_5")]
        indexes = [
            models.Index(fields=["organisation", "theme_key", "set_at"], name="target_when"),
        ]

    def __str__(self):
        return f"{self.theme_key}: level {self.level} by {format_date(self.target_on, 'j M Y')}"


class LeadershipView(models.Model):
    """The level the leadership team agrees the organisation is at in a theme, and why.

    The report sets it beside what staff said; it is stale once its review date has passed.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="leadership_views"
    )
    theme_key = models.SlugField(max_length=80)
    level = models.PositiveSmallIntegerField("agreed level")
    evidence = models.TextField(blank=True)
    links = models.TextField(blank=True, help_text="Web addresses of the evidence, one a line.")
    agreed_by = models.CharField(max_length=200)
    agreed_on = models.DateField("date agreed")
    review_by = models.DateField("review date")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrganisationRowsQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "theme_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "theme_key"], name="one_leadership_view_a_theme"
            ),
            models.CheckConstraint(condition=LEVEL_RANGE, name="leadership_view_level_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(review_by__gte=F("agreed_on")),
                name="leadership_view_reviewed_after_agreed",
            ),
        ]

    def __str__(self):
        return f"{self.theme_key}: level {self.level}, agreed by {self.agreed_by}"

    @property
    def link_list(self):
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    @property
    def evidenced(self):
        return bool(self.evidence.strip() or self.link_list)

    def is_stale(self, today=None):
        return self.review_by < (today or timezone.localdate())


class Action(models.Model):
    """One thing the organisation will do in a theme, perhaps from a report's recommendation."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="actions")
    theme_key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=200, blank=True)
    due_on = models.DateField("due date")
    status = models.CharField(max_length=12, choices=Status, default=Status.PLANNED)
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The day it was marked done: what the next round's report counts as done since.
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrganisationRowsQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True) | models.Q(status="done"),
                name="action_completed_only_when_done",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="action_status")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessments:edit_action", args=[self.organisation_id, self.pk])

    @property
    def is_open(self):
        return self.status in self.OPEN

    def is_overdue(self, today=None):
        return self.is_open and self.due_on < (today or timezone.localdate())


def plan_version(organisation):
    """The question bank version whose themes the organisation's plan lists: that of its
    latest round, or before its first round the one a new round would use."""
    latest = organisation.rounds.order_by("-opens_on", "-pk").first()
    if latest is not None:
        return latest.questionnaire_version
    return (
        QuestionnaireVersion.objects.filter(status=QuestionnaireVersion.Status.PUBLISHED)
        .order_by("questionnaire__name")
        .first()
    )


def plan_themes(organisation):
    """The themes the organisation plans for, in bank order (maturity.models.Theme)."""
    version = plan_version(organisation)
    return list(version.themes.all()) if version else []


def _log(organisation, user, detail):
    AccessLog.objects.record(
        organisation=organisation, user=user, action=AccessLog.Action.CHANGE, detail=detail
    )


@transaction.atomic
def set_target(*, organisation, theme, level, target_on, user, seen):
    """A new target for `theme`. `seen` is the id of the target the lead's form showed (0 for
    none): if another has been set since, nothing is saved."""
    Organisation.objects.select_for_update().get(pk=organisation.pk)  # one setter at a time
    current = Target.objects.latest_by_theme(organisation=organisation).get(theme.key)
    if (current.pk if current else 0) != seen:
        raise ValidationError(f"The target for {theme.title} {CHANGED}.", code="changed")
    target = Target.objects.create(
        organisation=organisation,
        theme_key=theme.key,
        level=level,
        target_on=target_on,
        set_by=user,
    )
    _log(
        organisation,
        user,
        f"Target for {theme.title}: level {level} by {format_date(target_on, 'j M Y')}",
    )
    return target


@transaction.atomic
def save_leadership_view(*, organisation, theme, user, version, **fields):
    """Record the leadership team's view of `theme`: a new one when `version` is 0, else the
    change of the one at `version`. Refused if it changed since the lead's form loaded."""
    refused = ValidationError(f"The leadership view of {theme.title} {CHANGED}.", code="changed")
    now = timezone.now()
    if version == 0:
        try:
            with transaction.atomic():
                LeadershipView.objects.create(
                    organisation=organisation, theme_key=theme.key, recorded_by=user, **fields
                )
        except IntegrityError:  # another lead recorded one first
            raise refused from None
    else:
        updated = LeadershipView.objects.filter(
            organisation=organisation, theme_key=theme.key, version=version
        ).update(version=F("version") + 1, updated_at=now, recorded_by=user, **fields)
        if not updated:
            raise refused
    _log(organisation, user, f"Leadership view of {theme.title}: level {fields['level']}")


@transaction.atomic
def create_action(*, organisation, theme, user, **fields):
    action = Action.objects.create(
        organisation=organisation, theme_key=theme.key, created_by=user, **fields
    )
    _log(organisation, user, f"Action added in {theme.title}: {action.title}")
    return action


@transaction.atomic
def update_action(*, action, user, version, **fields):
    """Save `fields` on `action` if it is still at `version`; marking it done dates it today,
    moving it out of done takes the date away."""
    if fields.get("status", action.status) == Action.Status.DONE:
        done = action.status == Action.Status.DONE and action.completed_on
        fields["completed_on"] = action.completed_on if done else timezone.localdate()
    else:
        fields["completed_on"] = None
    updated = Action.objects.filter(pk=action.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if not updated:
        raise ValidationError(f"The action “{action.title}” {CHANGED}.", code="changed")
    action.refresh_from_db()
    _log(
        action.organisation,
        user,
        f"Action {action.title}: {action.get_status_display().lower()}, due "
        f"{format_date(action.due_on, 'j M Y')}",
    )
    return action
