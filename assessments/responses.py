"""What respondents do: start a response, save answers a theme at a time, submit; and the
personal links a lead issues.

Every write is one transaction that checks everything before writing anything, so a request
with one bad value saves nothing, and each refuses a submitted response or a round that is not
open. The reading helpers for the survey pages live here too, so that the task list, the check
page and submission agree on what "answered" means: an option, "Not applicable" or "Don't know".
"""

import csv
import hashlib
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assessments import sampling
from assessments.figures import publish_snapshot
from assessments.models import COMMENT_MAX_LENGTH, Answer, Response, Round, Unit
from maturity.models import Question, QuestionnaireVersion, Theme
from maturity.versioning import version_content

MAX_PERSONAL_LINKS = 5000
ANSWERED = [Answer.Kind.LEVEL, Answer.Kind.NOT_APPLICABLE, Answer.Kind.DONT_KNOW]


class AnswerInput(NamedTuple):
    """One question's answer as sent: `choice` is an option id, "na", "dk" or "" (none)."""

    choice: str
    comment: str = ""


@dataclass(frozen=True)
class Plan:
    """How long a version's survey takes, full and short, and what a short one asks."""

    full_minutes: int
    short_minutes: int
    short_counts: dict[str, int]  # questions asked of each theme, by theme key


def _words(text: str) -> int:
    return len(text.split())


def survey_plan(version: QuestionnaireVersion) -> Plan:
    """The time estimates shown to leads and respondents, from the version's own words."""
    content = version_content(version)
    question_words = {
        theme.key: [
            _words(q.text) + sum(_words(o.descriptor) for o in q.options.all())
            for q in theme.questions.all()
        ]
        for theme in content.themes
    }
    fixed = _words(version.description) + sum(
        _words(theme.title) + _words(theme.description) for theme in content.themes
    )
    counts = sampling.short_counts(question_words, fixed)
    return Plan(
        full_minutes=sampling.survey_minutes(question_words, fixed),
        short_minutes=sampling.survey_minutes(question_words, fixed, counts),
        short_counts=counts,
    )


def _ask(response: Response) -> None:
    """In a short round, choose the questions this respondent is asked (assessments.sampling)
    and write them down as answers not given yet."""
    round = response.round
    if not round.is_short:
        return
    plan = survey_plan(round.questionnaire_version)
    asked = dict(
        Answer.objects.filter(response__round=round)
        .order_by()
        .values_list("question_id")
        .annotate(n=Count("pk"))
    )
    rng = random.SystemRandom()
    rows = []
    for theme in version_content(round.questionnaire_version).themes:
        questions = {q.concept_key: q for q in theme.questions.all()}
        counts = {key: asked.get(q.pk, 0) for key, q in questions.items()}
        for key in sampling.choose_questions(counts, plan.short_counts[theme.key], rng):
            rows.append(Answer(response=response, question=questions[key]))
    Answer.objects.bulk_create(rows)


def asked_questions(response: Response) -> set[int] | None:
    """The ids of the questions a short round's respondent is asked; None: every question."""
    if not response.round.is_short:
        return None
    return set(response.answers.values_list("question_id", flat=True))


@dataclass(frozen=True)
class ThemeProgress:
    theme: Theme
    answered: int
    total: int

    @property
    def is_complete(self) -> bool:
        return self.answered >= self.total

    @property
    def status(self) -> str:
        if self.is_complete:
            return "Completed"
        return "In progress" if self.answered else "Not started"


def check_round_open(round: Round) -> None:
    """Raise ValidationError unless `round` accepts answers today."""
    if round.is_closed:
        raise ValidationError(
            f"This assessment closed on {date_format(round.closed_on, 'j F Y')}.",
            code="round_closed",
        )
    if not round.is_accepting_responses:
        raise ValidationError("This assessment is not open yet.", code="round_not_open")


def _lock(response: Response) -> Response:
    """The response's row, locked until the transaction ends, if it may still change."""
    # of=("self",): lock the response, not the round every other respondent shares.
    locked = (
        Response.objects.select_for_update(of=("self",)).select_related("round").get(pk=response.pk)
    )
    if locked.is_submitted:
        raise ValidationError("These answers have already been submitted.", code="submitted")
    check_round_open(locked.round)
    return locked


@transaction.atomic
def start_response(*, round: Round) -> Response:
    """A new anonymous response, for someone who followed the round's open link."""
    check_round_open(round)
    if not round.open_link_enabled:
        raise ValidationError("This link has been switched off.", code="open_link_off")
    response = Response.objects.create(round=round, started_at=timezone.now())
    _ask(response)
    return response


@transaction.atomic
def start_personal_response(*, response: Response) -> None:
    """Mark a personal link's response as started (the first time only)."""
    locked = _lock(response)
    if locked.started_at is None:
        response.started_at = timezone.now()
        response.save(update_fields=["started_at"])
        _ask(locked)


@transaction.atomic
def save_unit(*, response: Response, unit: Unit | None) -> None:
    """The unit the respondent works in, or None for "I would rather not say"."""
    if unit is not None and unit.organisation_id != response.round.organisation_id:
        raise ValidationError("Choose one of your organisation's units.", code="invalid_unit")
    _lock(response)
    response.unit = unit
    response.unit_declined = unit is None
    response.last_saved_at = timezone.now()
    response.save(update_fields=["unit", "unit_declined", "last_saved_at"])


@transaction.atomic
def save_role_group(*, response: Response, role_group: str) -> None:
    if role_group not in Response.RoleGroup.values:
        raise ValidationError("Choose one of the role groups.", code="invalid_role_group")
    _lock(response)
    response.role_group = role_group
    response.last_saved_at = timezone.now()
    response.save(update_fields=["role_group", "last_saved_at"])


def _parse(question: Question, given: AnswerInput) -> tuple[str, int | None, int | None]:
    """(kind, option id, level) for an answer to `question`, or ValidationError."""
    if given.choice == "":
        return Answer.Kind.UNANSWERED, None, None
    if given.choice == Answer.Kind.NOT_APPLICABLE and question.allow_not_applicable:
        return Answer.Kind.NOT_APPLICABLE, None, None
    if given.choice == Answer.Kind.DONT_KNOW and question.allow_dont_know:
        return Answer.Kind.DONT_KNOW, None, None
    for option in question.options.all():
        if given.choice == str(option.pk):
            return Answer.Kind.LEVEL, option.pk, option.level
    raise ValidationError(
        f"“{given.choice}” is not an answer to question {question.pk}.", code="invalid_choice"
    )


@transaction.atomic
def save_answers(*, response: Response, theme: Theme, answers: Mapping[int, AnswerInput]) -> None:
    """Save answers (by question id) to questions of `theme`: all of them, or none.

    A question sent without a choice keeps any choice saved before: a radio cannot be
    cleared in a browser, so an empty one means "not answered on this page", perhaps because
    the answer was saved from another tab since it loaded. Comments are saved as sent.
    """
    if theme.questionnaire_version_id != response.round.questionnaire_version_id:
        raise ValidationError("That theme is not part of this assessment.", code="wrong_theme")
    # The shared copy of the bank: the questions and their options without a query.
    content = version_content(response.round.questionnaire_version)
    asked = asked_questions(response)
    questions = {
        q.pk: q
        for t in content.themes
        if t.pk == theme.pk
        for q in t.questions.all()
        if asked is None or q.pk in asked
    }
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError(
            "Unknown questions: %(ids)s.", code="unknown_question", params={"ids": sorted(unknown)}
        )
    parsed = {}
    for question_id, given in answers.items():
        if len(given.comment) > COMMENT_MAX_LENGTH:
            raise ValidationError(
                f"Comments must be {COMMENT_MAX_LENGTH:,} characters or less.",
                code="comment_too_long",
            )
        parsed[question_id] = _parse(questions[question_id], given)
    _lock(response)

    saved = {a.question_id: a for a in response.answers.filter(question__in=list(answers))}
    now = timezone.now()
    rows = []
    for question_id, (kind, option_id, level) in parsed.items():
        comment = answers[question_id].comment
        before = saved.get(question_id)
        if before is not None and not kind:
            kind, option_id, level = before.kind, before.option_id, before.level
        if before is None and not kind and not comment:
            continue
        if before is not None and (before.kind, before.option_id, before.comment) == (
            kind,
            option_id,
            comment,
        ):
            continue
        rows.append(
            Answer(
                response=response,
                question_id=question_id,
                kind=kind,
                option_id=option_id,
                level=level,
                comment=comment,
                saved_at=now,
            )
        )
    # One statement whatever the number of questions, and safe against a second tab saving
    # the same answers at the same moment.
    Answer.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["response", "question"],
        update_fields=["kind", "option", "level", "comment", "saved_at"],
    )
    response.last_saved_at = now
    response.save(update_fields=["last_saved_at"])


def _answered_ids(response: Response) -> set[int]:
    return set(response.answers.filter(kind__in=ANSWERED).values_list("question_id", flat=True))


def unanswered_questions(*, response: Response) -> list[Question]:
    """The questions asked in the response still without an answer, in survey order."""
    answered = _answered_ids(response)
    asked = asked_questions(response)
    content = version_content(response.round.questionnaire_version)
    return [
        question
        for question in content.questions()
        if question.pk not in answered and (asked is None or question.pk in asked)
    ]


def theme_progress(*, response: Response) -> list[ThemeProgress]:
    """Each theme of the response's round, in order, with how many of the questions asked
    are answered."""
    answered = _answered_ids(response)
    asked = asked_questions(response)
    progress = []
    for theme in version_content(response.round.questionnaire_version).themes:
        questions = [q for q in theme.questions.all() if asked is None or q.pk in asked]
        done = sum(1 for question in questions if question.pk in answered)
        progress.append(ThemeProgress(theme, done, len(questions)))
    return progress


def answers_digest(response: Response) -> str:
    """A digest of the response's answers, equal for two responses exactly when they gave the
    same answer to every question: identical submissions can be counted without reading them."""
    answers = response.answers.filter(kind__in=ANSWERED).order_by("question_id")
    text = ";".join(
        f"{q}:{kind}:{level or ''}"
        for q, kind, level in answers.values_list("question_id", "kind", "level")
    )
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def submit_response(*, response: Response) -> None:
    """Submit the response: every question answered and the group asked for given, once only.

    The round's next snapshot is published in the same transaction, when one can be cut
    (assessments.figures): figures never show a submission half-counted.
    """
    locked = _lock(response)
    if not locked.told_about_themselves:
        if locked.round.breakdown == Round.Breakdown.UNIT:
            raise ValidationError("Say which part of the organisation you work in.", code="no_unit")
        raise ValidationError("Say which group best describes your role.", code="no_role_group")
    if unanswered_questions(response=locked):
        raise ValidationError("Answer every question before submitting.", code="incomplete")
    now = timezone.now()
    # The condition guards a double submit where rows are not locked (SQLite): only one
    # request can change submitted_at from empty, and only that one counts.
    submitted = Response.objects.filter(pk=response.pk, submitted_at=None).update(
        submitted_at=now, answers_digest=answers_digest(locked)
    )
    if not submitted:
        raise ValidationError("These answers have already been submitted.", code="submitted")
    # Counted only while the round is open: this update waits for a close in progress, and
    # then finds the round closed, so no submission lands after the final snapshot.
    counted = Round.objects.filter(
        pk=locked.round_id, status=Round.Status.OPEN, closes_on__gte=timezone.localdate()
    ).update(submitted_count=F("submitted_count") + 1)
    if not counted:
        raise ValidationError("This assessment has closed.", code="round_closed")
    response.submitted_at = now
    publish_snapshot(locked.round)


@transaction.atomic
def issue_personal_links(*, round: Round, count: int) -> list[Response]:
    """`count` new personal responses for `round`, each reached by its own link."""
    if (
        isinstance(count, bool)
        or not isinstance(count, int)
        or not 1 <= count <= MAX_PERSONAL_LINKS
    ):
        raise ValidationError(
            f"Enter a number of links from 1 to {MAX_PERSONAL_LINKS:,}.", code="link_count"
        )
    if round.is_closed:
        raise ValidationError("Links cannot be issued for a closed round.", code="round_closed")
    # Links of closed rounds no longer open anything, so only the others count towards the cap.
    live = Response.objects.filter(
        round__organisation=round.organisation_id, is_personal=True
    ).exclude(round__in=Round.objects.closed())
    cap = settings.MAX_PERSONAL_LINKS_PER_ORGANISATION
    if live.count() + count > cap:
        raise ValidationError(
            f"An organisation can have up to {cap:,} personal links in rounds that have not "
            f"closed, and this one has {live.count():,}. Close a round you have finished "
            "with, or make fewer links.",
            code="organisation_link_cap",
        )
    return Response.objects.bulk_create(
        Response(round=round, is_personal=True) for _ in range(count)
    )


def resume_url(*, response: Response, base_url: str) -> str:
    """The response's personal link; `base_url` is the site's address without a final slash."""
    return base_url + reverse("assessments:resume", args=[response.token])


def write_personal_links_csv(
    *, responses: Iterable[Response], base_url: str, file: IO[str]
) -> None:
    """Write one personal link a row, under a "link" header, for a mail merge.

    Nothing else about a response is written: the file is shared with whoever sends the mail.
    """
    writer = csv.writer(file)
    writer.writerow(["link"])
    for response in responses:
        writer.writerow([resume_url(response=response, base_url=base_url)])
