"""factory_boy factories shared by the tests.

`published_version()` builds a complete, published questionnaire version in one call, for the
tests that need a bank of their own; every other round uses `shared_version()`, built once
per test database. `closed_round()` and `submit_responses()` build rounds as they are once
staff have answered.
"""

import copy
import datetime
import functools

import factory
from django.db.models import F
from django.utils import timezone

from assessments.figures import publish_snapshot
from assessments.models import (
    Action,
    Answer,
    LeadershipView,
    Membership,
    Organisation,
    Response,
    Round,
    Target,
)
from maturity.bank import DEFAULT_BANK, read_bank_file
from maturity.models import (
    AnswerOption,
    MaturityLevel,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Recommendation,
    Theme,
    User,
)

PASSWORD = "correct horse battery staple"
LEVEL_NAMES = ["Initial", "Emerging", "Established", "Embedded", "Leading"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.SelfAttribute("username")
    password = factory.django.Password(PASSWORD)


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire
        django_get_or_create = ["slug"]

    slug = "digital-maturity"
    name = "Digital maturity self-assessment"


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionnaireVersion

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = factory.LazyAttribute(
        lambda o: (
            (
                o.questionnaire.versions.order_by("-number")
                .values_list("number", flat=True)
                .first()
                or 0
            )
            + 1
        )
    )
    description = "A test questionnaire."


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    questionnaire_version = factory.SubFactory(VersionFactory)
    key = factory.Sequence(lambda n: f"theme-{n}")
    title = factory.Sequence(lambda n: f"Theme {n}")
    description = "What this theme covers."
    order = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    theme = factory.SubFactory(ThemeFactory)
    concept_key = factory.Sequence(lambda n: f"question-{n}")
    text = factory.Sequence(lambda n: f"How well does the organisation do thing {n}?")
    why = "Because it matters."
    good = "Good looks like this."
    order = factory.Sequence(lambda n: n)
    allow_not_applicable = True
    allow_dont_know = True

    @factory.post_generation
    def options(question, create, extracted, **kwargs):
        if create and extracted is not False:
            AnswerOption.objects.bulk_create(
                AnswerOption(
                    question=question,
                    level=level,
                    descriptor=f"Level {level} practice for {question.concept_key}.",
                )
                for level in range(1, 6)
            )


def draft_version(
    *, themes=2, questions=3, questionnaire=None, theme_keys=None, question_keys=None, weights=None
):
    """A complete draft: five levels, `themes` themes of `questions` questions each.

    `theme_keys` and `question_keys` (a list per theme) name them, for tests of matching
    across versions; `weights` (a list per theme) sets question weights.
    """
    version = VersionFactory(**({"questionnaire": questionnaire} if questionnaire else {}))
    MaturityLevel.objects.bulk_create(
        MaturityLevel(
            questionnaire_version=version, level=level, name=name, description=f"{name} practice."
        )
        for level, name in enumerate(LEVEL_NAMES, start=1)
    )
    for t in range(themes):
        key = theme_keys[t] if theme_keys else f"v{version.pk}-theme-{t + 1}"
        theme = ThemeFactory(
            questionnaire_version=version, key=key, order=t + 1, title=f"Theme {t + 1}"
        )
        keys = question_keys[t] if question_keys else [f"{key}-q{q + 1}" for q in range(questions)]
        for q, concept_key in enumerate(keys):
            QuestionFactory(
                theme=theme,
                concept_key=concept_key,
                order=q + 1,
                weight=weights[t][q] if weights else 1,
            )
        Recommendation.objects.bulk_create(
            Recommendation(theme=theme, level=level, text=f"Next steps from level {level}.")
            for level in range(1, 6)
        )
    return version


def published_version(**kwargs):
    version = draft_version(**kwargs)
    version.publish()
    return version


SHARED_QUESTIONNAIRE = "shared-test-bank"


def shared_version():
    """The published version rounds use unless given one: two themes of three questions.

    Built once per test database, outside any test (see django_db_setup in conftest.py), so
    that a round does not cost a bank; published versions never change, so tests cannot
    disturb one another through it. It has its own questionnaire, which publishing another
    version never retires, named to sort after the real bank's, which pages choosing the
    first published questionnaire (creating a round) then find. Built here again if a
    transactional test flushed it away.
    """
    version = QuestionnaireVersion.objects.filter(
        questionnaire__slug=SHARED_QUESTIONNAIRE, status=QuestionnaireVersion.Status.PUBLISHED
    ).first()
    if version is None:
        questionnaire = QuestionnaireFactory(
            slug=SHARED_QUESTIONNAIRE, name="Shared test questionnaire"
        )
        version = published_version(questionnaire=questionnaire)
    return version


def default_bank():
    """The question bank file's content, as `read_bank_file` returns it.

    Read once per test run: parsing the file takes a quarter of a second, and only the tests
    of reading bank files need to pay for it each time.
    """
    return copy.deepcopy(_read_default_bank())


@functools.cache
def _read_default_bank():
    return read_bank_file(DEFAULT_BANK)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Borough Council {n}")
    function = Organisation.Function.GENERAL_PUBLIC_SERVICES
    size_band = Organisation.SizeBand.UNDER_5000
    region = Organisation.Region.NORTH_WEST


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.LEAD


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    organisation = factory.SubFactory(OrganisationFactory)
    questionnaire_version = factory.LazyFunction(shared_version)
    title = factory.Sequence(lambda n: f"Assessment round {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))
    status = Round.Status.OPEN
    opened_at = factory.LazyFunction(timezone.now)


def remove_shared_version():
    """Take shared_version() out of the database, for tests of an empty question bank; the
    test's transaction brings it back. Queryset deletes, as a published version refuses
    delete()."""
    QuestionnaireVersion.objects.filter(questionnaire__slug=SHARED_QUESTIONNAIRE).delete()
    Questionnaire.objects.filter(slug=SHARED_QUESTIONNAIRE).delete()


def closed_round(organisation=None, version=None, *, days_ago=60, **fields):
    """A round that closed `days_ago` days ago, after four weeks open."""
    closes_on = timezone.localdate() - datetime.timedelta(days=days_ago)
    return RoundFactory(
        **({"organisation": organisation} if organisation else {}),
        questionnaire_version=version or shared_version(),
        opens_on=closes_on - datetime.timedelta(days=28),
        closes_on=closes_on,
        status=Round.Status.CLOSED,
        closed_at=timezone.now() - datetime.timedelta(days=days_ago),
        **fields,
    )


def peer_rounds(version, count, *, level=3, function=None):
    """`count` other organisations, each with a closed round of `version` that reached k."""
    rounds = []
    for _ in range(count):
        organisation = OrganisationFactory(**({"function": function} if function else {}))
        rounds.append(closed_round(organisation, version))
        submit_responses(rounds[-1], 5, level=level)
        # Their final figures, as closing does: peer benchmarks read only final figures.
        publish_snapshot(rounds[-1])
    return rounds


def member_of(organisation, role=Membership.Role.LEAD):
    """A new user who is a member of `organisation`, with `role`."""
    return MembershipFactory(organisation=organisation, role=role).user


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    round = factory.SubFactory(RoundFactory)
    role_group = Response.RoleGroup.FRONTLINE
    started_at = factory.LazyFunction(timezone.now)
    last_saved_at = factory.LazyFunction(timezone.now)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)
    kind = Answer.Kind.LEVEL
    option = factory.LazyAttribute(lambda o: o.question.options.get(level=3))
    level = factory.LazyAttribute(lambda o: o.option.level if o.option else None)


def submit_responses(
    round, n, *, level=3, levels=None, role_group=Response.RoleGroup.DIGITAL, comment="", **fields
):
    """`n` submitted responses answering every question of `round`, in bulk, as
    `submit_response` leaves them (the round's submitted_count bumped, and its next snapshot
    published if one can be cut).

    Every answer is at `level`, or at `levels[theme key]` for the themes it names (`levels`
    may also be a list of such dicts, one for each response); each response is submitted a
    second after the one before, so submission order is creation order. Extra `fields` go to
    each Response (e.g. is_personal=True).
    """
    each = levels if isinstance(levels, list) else [levels or {}] * n
    questions = Question.objects.filter(
        theme__questionnaire_version=round.questionnaire_version_id
    ).values_list("pk", "theme__key")
    options = {
        (o.question_id, o.level): o.pk
        for o in AnswerOption.objects.filter(question__in=[pk for pk, _ in questions])
    }
    start = timezone.now() - datetime.timedelta(hours=1)
    responses = Response.objects.bulk_create(
        Response(
            round=round,
            role_group=role_group,
            started_at=start,
            submitted_at=start + datetime.timedelta(seconds=i + 1 + round.submitted_count),
            **fields,
        )
        for i in range(n)
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question_id=question_id,
            kind=Answer.Kind.LEVEL,
            option_id=options[question_id, levels.get(theme_key, level)],
            level=levels.get(theme_key, level),
            comment=comment,
        )
        for response, levels in zip(responses, each, strict=True)
        for question_id, theme_key in questions
    )
    Round.objects.filter(pk=round.pk).update(submitted_count=F("submitted_count") + n)
    round.refresh_from_db(fields=["submitted_count"])
    # As submit_response does, while the round is open; a closed round's final snapshot is
    # made when it is first read, so that several calls can fill it.
    if not round.is_closed:
        publish_snapshot(round)
    return responses


def vary_answers(round, rng, *, short=False, lower_theme=None):
    """Rewrite the answers of `round`'s submitted responses, before its final figures are
    made, with answers of every kind drawn from `rng`: levels, "Not applicable" where offered,
    "Don't know". `short` drops about half of each theme's questions after its first, as a
    short round asks them; the theme ordered `lower_theme` gets lower levels.
    """
    options = {
        (o.question_id, o.level): o.pk
        for o in AnswerOption.objects.filter(
            question__theme__questionnaire_version=round.questionnaire_version_id
        )
    }
    answers = Answer.objects.filter(response__round=round).select_related("question__theme")
    for answer in answers:
        draw = rng.random()
        if short and rng.random() < 0.5 and answer.question.order > 1:
            answer.delete()  # a short round asked them only part of each theme
            continue
        if draw < 0.08 and answer.question.allow_not_applicable:
            answer.kind, answer.option_id, answer.level = "na", None, None
        elif draw < 0.18:
            answer.kind, answer.option_id, answer.level = "dk", None, None
        else:
            levels = (1, 1, 2, 2, 3) if answer.question.theme.order == lower_theme else None
            level = rng.choice(levels or (1, 2, 2, 3, 3, 3, 4, 4, 5))
            answer.kind, answer.option_id, answer.level = (
                "level",
                options[answer.question_id, level],
                level,
            )
        answer.save()


def days(n):
    """The date `n` days from today (negative: ago)."""
    return timezone.localdate() + datetime.timedelta(days=n)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    organisation = factory.SubFactory(OrganisationFactory)
    theme_key = "theme-1"
    level = 4
    target_on = factory.LazyFunction(lambda: days(180))


class LeadershipViewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadershipView

    organisation = factory.SubFactory(OrganisationFactory)
    theme_key = "theme-1"
    level = 3
    evidence = "The board paper of March."
    agreed_by = "Executive leadership team"
    agreed_on = factory.LazyFunction(lambda: days(-10))
    review_by = factory.LazyFunction(lambda: days(170))


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    organisation = factory.SubFactory(OrganisationFactory)
    theme_key = "theme-1"
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = "Head of Digital"
    due_on = factory.LazyFunction(lambda: days(60))
