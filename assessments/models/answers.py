"""The responses staff give in a round, and their answers.

Respondents have no accounts: a response is reached only through its random token, which
is never a primary key and never stays in a URL longer than one redirect.
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from assessments.models.organisations import Unit
from assessments.models.rounds import Round, new_token
from maturity.models import AnswerOption, Question

COMMENT_MAX_LENGTH = 2000


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
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    # "I would rather not say", when asked for a unit: the question is answered, the unit not.
    unit_declined = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    last_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The snapshot that first counted this response (None: not yet), and whether it counts in
    # its group's figures or in the overall figures only (assessments.anonymity).
    snapshot = models.PositiveIntegerField(null=True, blank=True, editable=False)
    counts_in_group = models.BooleanField(default=False, editable=False)
    # A digest of the submitted answers, so that many identical submissions can be noticed
    # without anyone reading them.
    answers_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["round", "id"]
        indexes = [
            models.Index(fields=["round", "submitted_at"], name="response_round_submitted"),
            models.Index(fields=["round", "snapshot"], name="response_round_snapshot"),
        ]

    def __str__(self):
        # Never the token: this string can end up in logs and the admin.
        return f"Response {self.pk} to {self.round}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def channel(self):
        return "personal" if self.is_personal else "open"

    @property
    def told_about_themselves(self):
        """Whether the "about you" question of the round's breakdown has been answered."""
        if self.round.breakdown == Round.Breakdown.UNIT:
            return self.unit_id is not None or self.unit_declined
        return bool(self.role_group)

    def group(self, breakdown):
        """This response's group under the round's breakdown: "" when the respondent did not
        say."""
        if breakdown == Round.Breakdown.UNIT:
            return str(self.unit_id or "")
        return self.role_group


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
    # Hidden from reports by a lead (assessments.comments); kept, never deleted.
    comment_hidden = models.BooleanField(default=False)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The unique (response, question) index's own order. Ordering through the response or
        # the question would follow their orderings too, joining the round, organisation and
        # theme tables into every query of answers, the survey's save and pages among them.
        ordering = ["response_id", "question_id"]
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
