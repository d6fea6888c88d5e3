"""Organisations, their units, their members, and the log of what members did with results."""

from django.conf import settings
from django.db import models
from django.utils import timezone


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


class Unit(models.Model):
    """A part of an organisation (a directorate, a department) that staff can say they work in."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_unit_name"),
        ]

    def __str__(self):
        return self.name


class OrganisationRowsQuerySet(models.QuerySet):
    """Who may see and change rows that belong to an organisation (its rounds, its plan):
    every view scopes its queries with these, so another organisation's row is a 404."""

    def for_user(self, user):
        """Rows of the organisations `user` belongs to; nothing for anyone else."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__memberships__user=user)

    def led_by(self, user):
        """Rows `user` may change: those of organisations where they are a lead."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            organisation__memberships__user=user,
            organisation__memberships__role=Membership.Role.LEAD,
        )


class AccessLogQuerySet(models.QuerySet):
    def record(self, *, organisation, user, action, detail, round=None):
        """One line in the organisation's access log: who did what, when."""
        return self.create(
            organisation=organisation, round=round, user=user, action=action, detail=detail[:300]
        )


class AccessLog(models.Model):
    """What members did with their organisation's results: every download, every personal link
    made, every comment hidden, every change to the open link. Read by the organisation's leads
    and by site admins; never edited."""

    class Action(models.TextChoices):
        DOWNLOAD = "download", "Downloaded"
        PERSONAL_LINKS = "personal_links", "Made personal links"
        INVITATIONS = "invitations", "Invited staff by e-mail"
        OPEN_LINK = "open_link", "Changed the open link"
        HIDE_COMMENT = "hide_comment", "Hid a comment"
        SHOW_COMMENT = "show_comment", "Showed a hidden comment"
        CHANGE = "change", "Changed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="access_log"
    )
    round = models.ForeignKey(
        "assessments.Round", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action)
    detail = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="access_log_when")]

    def __str__(self):
        return f"{self.user} {self.get_action_display().lower()}: {self.detail}"
