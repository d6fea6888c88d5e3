"""Questionnaire versions: loading bank content into new versions, cloning, and reading them.

Loading is idempotent: content equal to an existing version changes nothing; changed content
becomes a new version (published, unless asked to stay a draft), never an edit of an existing
one. Cloning is creating a draft from the source's own content (`as_bank()`), so a version is
copied by exactly the rules that load it.

`version_content` is the one reader of a version's themes, questions, options, levels and
recommendations. Published versions never change (maturity.models), so each process keeps
one copy of each and serves every request from it: the survey's theme page, the busiest page
there is, then reads only the session, the response and its answers.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from maturity import bank
from maturity.models import (
    AnswerOption,
    MaturityLevel,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Recommendation,
    Theme,
)


@transaction.atomic
def load_bank(data: dict[str, Any], *, publish: bool = True) -> tuple[QuestionnaireVersion, bool]:
    """Load normalised bank `data`; return (version, created).

    Returns the existing version and False when one already holds exactly this content.
    """
    slug = data["questionnaire"]["slug"]
    questionnaire, _ = Questionnaire.objects.select_for_update().get_or_create(
        slug=slug, defaults={"name": data["questionnaire"]["name"]}
    )
    for version in questionnaire.versions.exclude(status=QuestionnaireVersion.Status.RETIRED):
        if bank.normalise_or_none(version.as_bank()) == data:
            return version, False
    if questionnaire.name != data["questionnaire"]["name"]:
        # The name is a label, not versioned content: answers do not depend on it.
        questionnaire.name = data["questionnaire"]["name"]
        questionnaire.save(update_fields=["name"])
    version = create_version(
        questionnaire=questionnaire, data=data, notes="Loaded from a bank file."
    )
    if publish:
        version.publish()
    return version, True


@transaction.atomic
def clone_version(*, source: QuestionnaireVersion, notes: str = "") -> QuestionnaireVersion:
    """Copy `source`, content and all, into a new draft numbered after the latest version."""
    return create_version(
        questionnaire=source.questionnaire,
        data=source.as_bank(),
        based_on=source,
        notes=notes or f"Draft made from version {source.number}.",
    )


@transaction.atomic
def create_version(
    *,
    questionnaire: Questionnaire,
    data: dict[str, Any],
    notes: str,
    based_on: QuestionnaireVersion | None = None,
) -> QuestionnaireVersion:
    """A new draft of `questionnaire` holding bank `data`, numbered after its latest version
    and based on `based_on` (default: that latest version)."""
    # Locked so that two loads or clones at once cannot take the same number.
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    latest = questionnaire.versions.order_by("-number").first()
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=latest.number + 1 if latest else 1,
        description=data["questionnaire"]["description"],
        notes=notes,
        based_on=based_on or latest,
    )
    MaturityLevel.objects.bulk_create(
        MaturityLevel(questionnaire_version=version, **bank.model_values(bank.LEVEL_FIELDS, level))
        for level in data["levels"]
    )
    themes = Theme.objects.bulk_create(
        Theme(questionnaire_version=version, order=order, **bank.model_values(bank.THEME_FIELDS, t))
        for order, t in enumerate(data["themes"], start=1)
    )
    pairs = [
        (Question(theme=theme, order=order, **bank.model_values(bank.QUESTION_FIELDS, q)), q)
        for theme, t in zip(themes, data["themes"], strict=True)
        for order, q in enumerate(t["questions"], start=1)
    ]
    Question.objects.bulk_create(question for question, _ in pairs)
    AnswerOption.objects.bulk_create(
        AnswerOption(question=question, level=level, descriptor=descriptor)
        for question, q in pairs
        for level, descriptor in q["levels"].items()
    )
    Recommendation.objects.bulk_create(
        Recommendation(theme=theme, level=level, text=text)
        for theme, t in zip(themes, data["themes"], strict=True)
        for level, text in t["recommendations"].items()
    )
    return version


@dataclass(frozen=True)
class Content:
    """A version's content, read once: themes in order, each with its questions (and their
    options) and recommendations prefetched, and the names of the maturity levels."""

    themes: tuple[Theme, ...]
    level_names: dict[int, str]

    def questions(self) -> list[Question]:
        """Every question, in survey order."""
        return [question for theme in self.themes for question in theme.questions.all()]

    def theme(self, key: str) -> Theme | None:
        return next((theme for theme in self.themes if theme.key == key), None)


def version_content(version: QuestionnaireVersion) -> Content:
    """The version's content: one shared copy for a published or retired version, read afresh
    for a draft (which the admin previews while editing it)."""
    if version.status == QuestionnaireVersion.Status.DRAFT:
        return _read(version.pk)
    # published_at is part of the key, so that a reused primary key (a new database, a test)
    # never finds another version's copy.
    return _shared(version.pk, version.published_at)


def _read(version_id: int) -> Content:
    questions = Question.objects.order_by("order", "id").prefetch_related("options")
    themes = Theme.objects.filter(questionnaire_version_id=version_id).prefetch_related(
        Prefetch("questions", queryset=questions), "recommendations"
    )
    names = MaturityLevel.objects.filter(questionnaire_version_id=version_id)
    return Content(tuple(themes), dict(names.values_list("level", "name")))


@lru_cache(maxsize=64)
def _shared(version_id: int, published_at: object) -> Content:
    return _read(version_id)
