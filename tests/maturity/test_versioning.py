import pytest
from django.core.exceptions import ValidationError

from maturity.models import (
    AnswerOption,
    MaturityLevel,
    Question,
    QuestionnaireVersion,
    Recommendation,
    Theme,
    VersionLockedError,
)
from maturity.versioning import clone_version
from tests.factories import QuestionFactory, ThemeFactory, draft_version, published_version

pytestmark = pytest.mark.django_db


def test_publishing_a_complete_draft_retires_the_previous_version():
    first = published_version()
    second = draft_version(questionnaire=first.questionnaire)

    second.publish()

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == QuestionnaireVersion.Status.PUBLISHED
    assert second.published_at is not None
    assert first.status == QuestionnaireVersion.Status.RETIRED
    assert first.questionnaire.current_version() == second


@pytest.mark.parametrize(
    "change",
    [
        lambda v: Question.objects.filter(theme__questionnaire_version=v).first().save(),
        lambda v: Theme.objects.filter(questionnaire_version=v).first().delete(),
        lambda v: (
            AnswerOption.objects.filter(question__theme__questionnaire_version=v).first().save()
        ),
        lambda v: Recommendation.objects.filter(theme__questionnaire_version=v).first().delete(),
        lambda v: MaturityLevel.objects.filter(questionnaire_version=v).first().save(),
        lambda v: Question.objects.filter(theme__questionnaire_version=v).update(text="Changed"),
        lambda v: AnswerOption.objects.filter(question__theme__questionnaire_version=v).delete(),
        lambda v: Theme.objects.create(questionnaire_version=v, key="new", title="New"),
        lambda v: QuestionnaireVersion.objects.get(pk=v.pk).delete(),
        lambda v: QuestionnaireVersion.objects.get(pk=v.pk).save(),
    ],
    ids=[
        "save question",
        "delete theme",
        "save option",
        "delete recommendation",
        "save level",
        "bulk update questions",
        "bulk delete options",
        "add theme",
        "delete version",
        "save version",
    ],
)
def test_published_version_cannot_change(change):
    version = published_version()
    before = Question.objects.filter(theme__questionnaire_version=version).count()

    with pytest.raises(VersionLockedError):
        change(version)

    assert Question.objects.filter(theme__questionnaire_version=version).count() == before
    assert not Question.objects.filter(text="Changed").exists()


def test_retired_version_cannot_change():
    first = published_version()
    draft_version(questionnaire=first.questionnaire).publish()

    with pytest.raises(VersionLockedError):
        Question.objects.filter(theme__questionnaire_version=first).update(text="Changed")


def test_draft_content_can_change():
    version = draft_version()
    question = Question.objects.filter(theme__questionnaire_version=version).first()

    question.text = "Reworded"
    question.save()

    assert Question.objects.get(pk=question.pk).text == "Reworded"


def test_status_changes_only_through_publish():
    version = draft_version()
    version.status = QuestionnaireVersion.Status.PUBLISHED

    with pytest.raises(ValidationError):
        version.save()

    assert QuestionnaireVersion.objects.get(pk=version.pk).status == "draft"


def test_publish_reports_every_problem_at_once():
    version = draft_version(themes=2, questions=2)
    theme, other = version.themes.all()
    ThemeFactory(questionnaire_version=version, key="empty-theme")
    q1, q2 = theme.questions.all()
    q1.options.get(level=5).delete()
    q2.concept_key = other.questions.first().concept_key
    q2.save()
    version.levels.get(level=3).delete()
    other.recommendations.get(level=2).delete()
    QuestionFactory(theme=other, concept_key="no-text", text="")

    with pytest.raises(ValidationError) as raised:
        version.publish()

    problems = raised.value.messages
    assert any("theme 'empty-theme'" in p and "no questions" in p for p in problems)
    assert any(f"question '{q1.concept_key}'" in p and "missing level 5" in p for p in problems)
    assert any(f"question key '{q2.concept_key}' is used by 2" in p for p in problems)
    assert any(p.startswith("levels:") and "missing level 3" in p for p in problems)
    assert any("recommendations" in p and "missing level 2" in p for p in problems)
    assert any("question 'no-text'" in p and "'text' is empty" in p for p in problems)
    assert len(problems) >= 7  # the recommendations of the empty theme are missing too
    version.refresh_from_db()
    assert version.status == QuestionnaireVersion.Status.DRAFT


def test_publishing_twice_is_refused():
    version = published_version()

    with pytest.raises(ValidationError, match="already published"):
        version.publish()


def test_clone_copies_everything_into_a_new_draft():
    source = published_version(themes=3, questions=4)

    draft = clone_version(source=source)

    assert draft.status == QuestionnaireVersion.Status.DRAFT
    assert draft.number == source.number + 1
    assert draft.based_on == source
    assert draft.as_bank() == source.as_bank()
    assert not set(
        Question.objects.filter(theme__questionnaire_version=draft).values_list("pk", flat=True)
    ) & set(
        Question.objects.filter(theme__questionnaire_version=source).values_list("pk", flat=True)
    )


def test_editing_a_clone_leaves_the_source_unchanged():
    source = published_version()
    draft = clone_version(source=source)
    question = Question.objects.filter(theme__questionnaire_version=draft).first()
    question.text = "A better question?"
    question.save()

    assert not Question.objects.filter(
        theme__questionnaire_version=source, text="A better question?"
    ).exists()
    draft.publish()
    assert draft.questionnaire.current_version() == draft
