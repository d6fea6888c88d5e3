"""The question bank (questionnaires in numbered versions), the site's users, the outbox.

A version is edited while it is a draft. Once published it never changes again, so that
answers given against it keep their meaning; changes go into a new draft made from it
(`maturity.versioning.clone_version`). `questionnaires.py` enforces that rule in `save()`,
`delete()` and the query sets, not only in the admin.
"""

from maturity.models.outbox import Email
from maturity.models.questionnaires import (
    LEVEL_RANGE,
    AnswerOption,
    MaturityLevel,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Recommendation,
    Theme,
    VersionContent,
    VersionLockedError,
)
from maturity.models.users import User

__all__ = [
    "LEVEL_RANGE",
    "AnswerOption",
    "Email",
    "MaturityLevel",
    "Question",
    "Questionnaire",
    "QuestionnaireVersion",
    "Recommendation",
    "Theme",
    "User",
    "VersionContent",
    "VersionLockedError",
]
