"""The SQL path of scoring: it equals the pure path, caches, and finds previous rounds and peers."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assessments import aggregates, comparison, figures, scoring
from assessments.models import Answer, Organisation, Response, Round, RoundResult
from maturity.models import AnswerOption, Question, Questionnaire, QuestionnaireVersion, Theme
from maturity.versioning import version_content
from tests.assessments.test_scoring import ROLE_GROUPS, answer_sets, banks
from tests.factories import (
    OrganisationFactory,
    RoundFactory,
    closed_round,
    published_version,
    submit_responses,
)

slugs = itertools.count()


def build_round(bank, drawn, k):
    """A round on a bank shaped like `bank`, with `drawn` (role group, submitted, answers)."""
    questionnaire = Questionnaire.objects.create(slug=f"random-{next(slugs)}", name="Random")
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    themes = Theme.objects.bulk_create(
        Theme(questionnaire_version=version, key=t.key, title=t.key, order=i, weight=t.weight)
        for i, t in enumerate(bank.themes)
    )
    questions = Question.objects.bulk_create(
        Question(
            theme=theme,
            concept_key=q.key,
            text=q.key,
            order=j,
            weight=q.weight,
            allow_not_applicable=bank.allow_na[q.key],
            allow_dont_know=bank.allow_dk[q.key],
        )
        for theme, spec in zip(themes, bank.themes, strict=True)
        for j, q in enumerate(spec.questions)
    )
    options = AnswerOption.objects.bulk_create(
        AnswerOption(question=q, level=level, descriptor="-")
        for q in questions
        for level in range(1, 6)
    )
    # Publishing checks a full bank (levels, recommendations); these tests need only the shape.
    QuestionnaireVersion.objects.filter(pk=version.pk).update(
        status="published", published_at=timezone.now()
    )
    version.refresh_from_db()
    now = timezone.now()
    round = RoundFactory(
        questionnaire_version=version,
        anonymity_threshold=k,
        submitted_count=sum(1 for _, submitted, _ in drawn if submitted),
    )
    responses = Response.objects.bulk_create(
        Response(round=round, role_group=group, submitted_at=now if submitted else None)
        for group, submitted, _ in drawn
    )
    question_ids = {q.concept_key: q.pk for q in questions}
    option_ids = {(o.question_id, o.level): o.pk for o in options}
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question_id=question_ids[a.question],
            kind=a.kind,
            level=a.level,
            option_id=option_ids[question_ids[a.question], a.level] if a.level else None,
        )
        for response, (_, _, answers) in zip(responses, drawn, strict=True)
        for a in answers
    )
    return round


@pytest.mark.django_db
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_sql_figures_equal_pure_figures(data):
    bank = data.draw(banks())
    submitted = st.sampled_from([True, True, True, False])  # drafts too, which must not count
    # Four groups and up to 30 responses (sized outright: hypothesis keeps lists short), so
    # that many examples reach k and show some groups.
    size = data.draw(st.integers(0, 30))
    response = st.tuples(st.sampled_from(ROLE_GROUPS), submitted, answer_sets(bank))
    drawn = data.draw(st.lists(response, min_size=size, max_size=size))
    k = data.draw(st.integers(3, 5))
    expected = aggregates.round_figures(
        bank.themes, [scoring.ResponseAnswers(g, a) for g, s, a in drawn if s], k
    )
    event("suppressed" if expected.suppressed else f"{len(expected.visible_groups)} groups shown")
    with transaction.atomic():
        round = build_round(bank, drawn, k)
        assert figures.round_figures(round) == expected  # computed and stored
        assert figures.round_figures(round) == expected  # read back from the JSON cache
        transaction.set_rollback(True)


def submit(round, n, level=3, role_group="digital", submitted=True):
    """`n` responses answering every question at `level`; submitted ones bump the count."""
    options = dict(
        AnswerOption.objects.filter(
            question__theme__questionnaire_version=round.questionnaire_version_id, level=level
        ).values_list("question_id", "id")
    )
    now = timezone.now()
    responses = Response.objects.bulk_create(
        Response(round=round, role_group=role_group, submitted_at=now if submitted else None)
        for _ in range(n)
    )
    Answer.objects.bulk_create(
        Answer(response=r, question_id=q, kind="level", option_id=o, level=level)
        for r in responses
        for q, o in options.items()
    )
    if submitted:
        Round.objects.filter(pk=round.pk).update(submitted_count=F("submitted_count") + n)
    round.refresh_from_db()
    return responses


@pytest.fixture
def round(version):
    return RoundFactory(questionnaire_version=version, anonymity_threshold=3)


def test_response_scores_are_the_respondents_own(round):
    response = submit(round, 1, level=4)[0]
    scores = figures.response_scores(response)
    assert [s.score for s in scores.values()] == [75, 75]
    assert list(scores) == list(round.questionnaire_version.themes.values_list("key", flat=True))


def test_drafts_never_count(round):
    submit(round, 3, level=2)
    submit(round, 5, level=5, submitted=False)
    result = figures.round_figures(round)
    assert result.responses == 3
    assert {t.mean for t in result.themes} == {25}
    assert all(q.answered == 3 for t in result.themes for q in t.questions)


def test_round_under_k_reads_only_its_count(round, django_assert_num_queries):
    submit(round, 2)
    # The cache check, the count by role group, and storing that count.
    with django_assert_num_queries(3):
        result = figures.round_figures(round)
    assert result == aggregates.RoundFigures(responses=2, anonymity_threshold=3)


@pytest.mark.parametrize("n", [6, 200])
def test_query_count_does_not_grow_with_responses(round, n, django_assert_num_queries):
    submit(round, n - n // 2, level=2, role_group="digital")
    submit(round, n // 2, level=4, role_group="frontline")
    figures.round_figures(round)  # reads the bank into the process's shared copy
    # The round's count, the three aggregates (by role group, by question and level, and by
    # response and theme), and storing them.
    with django_assert_num_queries(5):
        result = figures.refresh_round_figures(round)
    assert result.responses == n
    assert {g.role_group: g.themes[0].mean for g in result.visible_groups} == {
        "digital": 25,
        "frontline": 75,
    }


def test_figures_are_cached_for_the_current_submitted_count(round, django_assert_num_queries):
    submit(round, 3)
    first = figures.round_figures(round)
    with django_assert_num_queries(1):
        assert figures.round_figures(round) == first
    assert RoundResult.objects.get(round=round).theme_means == {t.theme: 50 for t in first.themes}


def test_a_new_submission_recomputes(round):
    submit(round, 3, level=1)
    assert figures.round_figures(round).themes[0].mean == 0
    submit(round, 1, level=5)
    result = figures.round_figures(round)
    assert (result.responses, result.themes[0].mean) == (4, 25)
    assert RoundResult.objects.get(round=round).submitted_count == 4


def test_a_stale_stamp_is_recomputed(round):
    # As if a submission landed while the figures were computed: stamped with the older count.
    submit(round, 3)
    figures.round_figures(round)
    RoundResult.objects.filter(round=round).update(submitted_count=2)
    figures.round_figures(round)
    assert RoundResult.objects.get(round=round).submitted_count == 3


def test_figures_in_an_old_format_or_for_another_k_are_recomputed(round):
    submit(round, 3)
    figures.round_figures(round)
    RoundResult.objects.filter(round=round).update(figures={"format": 0})
    assert figures.round_figures(round).responses == 3
    Round.objects.filter(pk=round.pk).update(anonymity_threshold=4)
    assert figures.round_figures(round).suppressed
    assert RoundResult.objects.get(round=round).figures["anonymity_threshold"] == 4


def test_closing_a_round_leaves_fresh_figures(round):
    submit(round, 3)
    round.close()
    result = figures.refresh_round_figures(round)
    cached = RoundResult.objects.get(round=round)
    assert (cached.submitted_count, cached.figures) == (3, result.to_dict())


# Previous round and trend


def test_previous_round_is_the_latest_closed_one_before(version, round):
    organisation = round.organisation
    closed_round(organisation, version, days_ago=400)
    tied_first = closed_round(organisation, version, days_ago=100)
    tied_second = closed_round(organisation, version, days_ago=100)
    # Not before, not closed, not this organisation's: never chosen.
    closed_round(OrganisationFactory(), version, days_ago=50)
    RoundFactory(
        organisation=organisation, questionnaire_version=version, status=Round.Status.DRAFT
    )
    assert figures.previous_round(round) == tied_second
    assert figures.previous_round(tied_second) == tied_first
    assert figures.previous_round(closed_round(organisation, version, days_ago=500)) is None


def test_previous_round_ignores_other_questionnaires(round):
    other = published_version(questionnaire=Questionnaire.objects.create(slug="other", name="O"))
    closed_round(round.organisation, other, days_ago=30)
    assert figures.previous_round(round) is None


def test_round_trend_compares_with_the_previous_round(version, round):
    before = closed_round(round.organisation, version, days_ago=90, anonymity_threshold=3)
    submit(before, 3, level=2)
    submit(round, 3, level=4)
    previous = figures.round_figures(figures.previous_round(round))
    trend = comparison.compare_rounds(figures.round_figures(round), previous)
    assert trend.summary == "6 of 6 questions comparable"
    assert [(t.delta, t.direction) for t in trend.themes] == [(50, "up"), (50, "up")]


def test_no_trend_without_a_previous_round(round):
    submit(round, 3)
    assert figures.previous_round(round) is None


# Peer benchmark


def peer(version, *, level=3, size_band="l", function="01", days=30, responses=3):
    organisation = OrganisationFactory(function=function, size_band=size_band)
    peer_round = closed_round(organisation, version, days_ago=days, anonymity_threshold=3)
    submit(peer_round, responses, level=level)
    return peer_round


@pytest.fixture
def own(round):
    Organisation.objects.filter(pk=round.organisation_id).update(function="01", size_band="l")
    return round


def test_peer_benchmark_is_hidden_under_5_organisations(version, own):
    for _ in range(4):
        peer(version)
    peer(version, function="07")
    assert figures.peer_benchmark(own) is None


def test_peer_benchmark_uses_each_organisations_latest_reportable_round(version, own):
    peers = [peer(version, level=level) for level in (1, 2, 3, 4)]
    # The latest round of the first peer replaces its earlier one.
    submit(
        closed_round(peers[0].organisation, version, days_ago=10, anonymity_threshold=3), 3, level=5
    )
    # Its own organisation's earlier rounds, open rounds and rounds under k never count.
    submit(closed_round(own.organisation, version, days_ago=60, anonymity_threshold=3), 3, level=1)
    latest_under_k = closed_round(peers[1].organisation, version, days_ago=5, anonymity_threshold=3)
    submit(latest_under_k, 2, level=5)
    open_round = RoundFactory(organisation=peers[2].organisation, questionnaire_version=version)
    submit(open_round, 3, level=5)
    assert figures.peer_benchmark(own) is None  # four organisations so far
    peer(version, level=5)
    result = figures.peer_benchmark(own)
    assert (result.group, result.organisations) == (comparison.PEERS_FUNCTION_AND_SIZE, 5)
    # Peer means 100, 25, 50, 75, 100.
    assert [(t.n, t.q1, t.median, t.q3) for t in result.themes] == [(5, 50, 75, 100)] * 2


def test_peer_benchmark_falls_back_to_the_function(version, own):
    for level in (1, 2, 3, 4):
        peer(version, level=level)
    peer(version, level=5, size_band="s")
    peer(version, level=5, function="07")
    result = figures.peer_benchmark(own)
    assert (result.group, result.organisations) == (comparison.PEERS_FUNCTION, 5)
    assert result.themes[0].median == 50


@pytest.mark.parametrize("organisations", [5, 12])
def test_peer_benchmark_query_count_does_not_grow_with_peers(
    version, own, organisations, django_assert_num_queries
):
    for i in range(organisations):
        peer(version, level=1 + i % 5)
    version_content(version)  # read once a process
    with django_assert_num_queries(7):  # peers' figures computed in one batch, then cached
        cold = figures.peer_benchmark(own)
    with django_assert_num_queries(2):
        assert figures.peer_benchmark(own) == cold
    assert cold.organisations == organisations


def test_refresh_figures_command_fills_only_missing_or_stale_caches(db):
    version = published_version(themes=1, questions=2)
    past = RoundFactory(
        questionnaire_version=version,
        opens_on=timezone.localdate() - datetime.timedelta(days=60),
        closes_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    fresh = closed_round(version=version)
    still_open = RoundFactory(questionnaire_version=version)
    for round in (past, fresh, still_open):
        submit_responses(round, 5)
    figures.refresh_round_figures(fresh)
    computed_at = RoundResult.objects.get(round=fresh).computed_at
    out = StringIO()

    call_command("refresh_figures", stdout=out)

    assert "Refreshed the figures of 1 closed round(s)." in out.getvalue()
    assert RoundResult.objects.get(round=past).submitted_count == 5
    assert RoundResult.objects.get(round=fresh).computed_at == computed_at
    assert not RoundResult.objects.filter(round=still_open).exists()
