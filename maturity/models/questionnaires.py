"""The question bank: questionnaires in numbered versions, and what a version holds.

A version is edited while it is a draft. Once published it never changes again, so that
answers given against it keep their meaning; changes go into a new draft made from it
(`maturity.versioning.clone_version`). The rule is enforced here, in `save()`, `delete()`
and the query sets, not only by the admin hiding its buttons. What a publishable version
holds is `maturity.bank`'s to say: `as_bank()` hands it the version's content.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from maturity import bank

level_validators = [MinValueValidator(min(bank.LEVELS)), MaxValueValidator(max(bank.LEVELS))]
weight_validators = [MinValueValidator(1), MaxValueValidator(bank.MAX_WEIGHT)]
# The database's copy of the rule that levels run 1 to 5.
LEVEL_RANGE = models.Q(level__gte=min(bank.LEVELS), level__lte=max(bank.LEVELS))


class VersionLockedError(ValidationError):
    """Raised on any attempt to change the content of a published or retired version."""

    def __init__(self, version):
        super().__init__(
            f"{version} is {version.get_status_display().lower()} and cannot be changed. "
            "Create a new draft from it instead.",
            code="version_locked",
        )


class Questionnaire(models.Model):
    slug = models.SlugField(unique=True, help_text="Stable identifier used by the bank file.")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def current_version(self):
        """The published version new rounds use, or None."""
        return self.versions.filter(status=QuestionnaireVersion.Status.PUBLISHED).first()


class QuestionnaireVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    description = models.TextField(
        blank=True, help_text="Shown to respondents on the start page of the survey."
    )
    notes = models.TextField(blank=True, help_text="What changed in this version, for admins.")
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="unique_version_number"
            ),
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=models.Q(status="published"),
                name="one_published_version_per_questionnaire",
            ),
        ]

    def __str__(self):
        return f"{self.questionnaire} v{self.number}"

    def save(self, *args, **kwargs):
        # Status changes only through publish(), which validates; content only while a draft.
        stored = None
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored is None and self.status != self.Status.DRAFT:
            raise ValidationError("A new version starts as a draft.", code="not_draft")
        if stored is not None and stored != self.Status.DRAFT:
            raise VersionLockedError(self)
        if stored is not None and self.status != stored:
            raise ValidationError("Use publish() to change a version's status.", code="status")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != self.Status.DRAFT:
            raise VersionLockedError(self)
        return super().delete(*args, **kwargs)

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT

    def as_bank(self) -> dict[str, Any]:
        """The version's content in the bank structure (`maturity.bank`); for an incomplete
        draft, as far as it goes."""
        themes = self.themes.prefetch_related("questions__options", "recommendations")
        return {
            "format": bank.FORMAT,
            "questionnaire": {
                "slug": self.questionnaire.slug,
                "name": self.questionnaire.name,
                "description": self.description,
            },
            "levels": [bank.bank_values(bank.LEVEL_FIELDS, level) for level in self.levels.all()],
            "themes": [
                {
                    **bank.bank_values(bank.THEME_FIELDS, theme),
                    "questions": [
                        {
                            **bank.bank_values(bank.QUESTION_FIELDS, question),
                            "levels": {o.level: o.descriptor for o in question.options.all()},
                        }
                        for question in theme.questions.all()
                    ],
                    "recommendations": {r.level: r.text for r in theme.recommendations.all()},
                }
                for theme in themes
            ],
        }

    def publication_problems(self):
        """Every reason this version cannot be published, as sentences; empty if it can."""
        return bank.bank_problems(self.as_bank())

    @transaction.atomic
    def publish(self) -> None:
        """Publish this draft and retire the version it replaces.

        Raises ValidationError listing every problem at once if the draft is incomplete.
        """
        locked = type(self).objects.select_for_update().get(pk=self.pk)
        if locked.status != self.Status.DRAFT:
            raise ValidationError(
                f"{self} is already {locked.get_status_display().lower()}.", code="not_draft"
            )
        problems = self.publication_problems()
        if problems:
            raise ValidationError(problems, code="incomplete")
        now = timezone.now()
        # Queryset updates: the only status changes there are, and only here.
        type(self).objects.filter(
            questionnaire_id=self.questionnaire_id, status=self.Status.PUBLISHED
        ).update(status=self.Status.RETIRED, retired_at=now)
        type(self).objects.filter(pk=self.pk).update(status=self.Status.PUBLISHED, published_at=now)
        self.status = self.Status.PUBLISHED
        self.published_at = now


class VersionContentQuerySet(models.QuerySet):
    """Bulk updates and deletes refuse to touch the content of a locked version."""

    def _check_unlocked(self):
        path = self.model.version_path
        locked = self.exclude(**{f"{path}__status": QuestionnaireVersion.Status.DRAFT})
        first = locked.select_related(path).first()
        if first is not None:
            raise VersionLockedError(first.version)

    def update(self, **kwargs):
        self._check_unlocked()
        return super().update(**kwargs)

    def delete(self):
        self._check_unlocked()
        return super().delete()


class VersionContent(models.Model):
    """Content that belongs to one questionnaire version and is frozen with it."""

    # Lookup from the model to its QuestionnaireVersion, used by the query set guard.
    version_path = "version"

    objects = VersionContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.check_editable()
        return super().delete(*args, **kwargs)

    @property
    def version(self):
        raise NotImplementedError

    def check_editable(self):
        status = (
            QuestionnaireVersion.objects.filter(pk=self.version.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status is not None and status != QuestionnaireVersion.Status.DRAFT:
            raise VersionLockedError(self.version)


class MaturityLevel(VersionContent):
    """One of the five named levels a score is reported against."""

    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="levels"
    )
    level = models.PositiveSmallIntegerField(validators=level_validators)
    name = models.CharField(max_length=60)
    description = models.TextField()

    version_path = "questionnaire_version"

    class Meta:
        ordering = ["questionnaire_version", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire_version", "level"], name="unique_maturity_level"
            ),
            models.CheckConstraint(condition=LEVEL_RANGE, name="maturity_level_1_to_5"),
        ]

    def __str__(self):
        return f"{self.level} {self.name}"

    @property
    def version(self):
        return self.questionnaire_version


class Theme(VersionContent):
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="themes"
    )
    key = models.SlugField(
        max_length=80, help_text="Stable identifier; keep it across versions to compare trends."
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    weight = models.PositiveSmallIntegerField(
        default=1,
        validators=weight_validators,
        help_text="Orders the priorities in reports: a theme of weight 2 counts its gap twice.",
    )

    version_path = "questionnaire_version"

    class Meta:
        ordering = ["questionnaire_version", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire_version", "key"], name="unique_theme_key"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def version(self):
        return self.questionnaire_version


class Question(VersionContent):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="questions")
    concept_key = models.SlugField(
        max_length=80,
        help_text=(
            "Stable identifier of what the question measures. Keep it when rewording a "
            "question so trends stay comparable; change it when the meaning changes."
        ),
    )
    text = models.TextField()
    why = models.TextField("why it matters", blank=True)
    good = models.TextField("what good looks like", blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    weight = models.PositiveSmallIntegerField(default=1, validators=weight_validators)
    allow_not_applicable = models.BooleanField("offer “Not applicable”", default=False)
    allow_dont_know = models.BooleanField("offer “Don’t know”", default=True)
    references = models.TextField(
        blank=True, help_text="Related framework points, one per line (names only, no quotes)."
    )

    version_path = "theme__questionnaire_version"

    class Meta:
        ordering = ["theme__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "concept_key"], name="unique_question_key"),
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else f"{self.text[:79]}…"

    @property
    def version(self):
        return self.theme.questionnaire_version


class AnswerOption(VersionContent):
    """One of the five answers to a question, describing what that level looks like."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    level = models.PositiveSmallIntegerField(validators=level_validators)
    descriptor = models.TextField()

    version_path = "question__theme__questionnaire_version"

    class Meta:
        ordering = ["question", "level"]
        constraints = [
            models.UniqueConstraint(fields=["question", "level"], name="unique_option_level"),
            models.CheckConstraint(condition=LEVEL_RANGE, name="option_level_1_to_5"),
        ]

    def __str__(self):
        return f"Level {self.level}: {self.descriptor[:60]}"

    @property
    def version(self):
        return self.question.theme.questionnaire_version


class Recommendation(VersionContent):
    """What an organisation at `level` in a theme should do to reach the next level."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="recommendations")
    level = models.PositiveSmallIntegerField(validators=level_validators)
    text = models.TextField()

    version_path = "theme__questionnaire_version"

    class Meta:
        ordering = ["theme", "level"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "level"], name="unique_recommendation_level"),
            models.CheckConstraint(condition=LEVEL_RANGE, name="recommendation_level_1_to_5"),
        ]

    def __str__(self):
        return f"{self.theme} at level {self.level}"

    @property
    def version(self):
        return self.theme.questionnaire_version
