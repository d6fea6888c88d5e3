"""The database side of the figures: the SQL path equals the pure path, snapshots publish
cells of k, and the comparison round and the peers are the right ones."""

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
from assessments.models import Answer, Organisation, Response, Round, Snapshot
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
    """A round on a bank shaped like `bank`, with `drawn` (role group, submitted, in group,
    answers): the submitted responses counted by snapshot 1, in their group or overall only."""
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
        submitted_count=sum(1 for _, submitted, _, _ in drawn if submitted),
    )
    responses = Response.objects.bulk_create(
        Response(
            round=round,
            role_group=group,
            submitted_at=now if submitted else None,
            snapshot=1 if submitted else None,
            counts_in_group=in_group,
        )
        for group, submitted, in_group, _ in drawn
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
        for response, (_, _, _, answers) in zip(responses, drawn, strict=True)
        for a in answers
    )
    return round


@pytest.mark.django_db
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_sql_figures_equal_pure_figures(data):
    bank = data.draw(banks())
    submitted = st.sampled_from([True, True, True, False])  # drafts too, which must not count
    in_group = st.sampled_from([True, True, False])  # some counted overall only
    # Four groups and up to 30 responses (sized outright: hypothesis keeps lists short), so
    # that many examples reach k and show some groups.
    size = data.draw(st.integers(0, 30))
    response = st.tuples(st.sampled_from(ROLE_GROUPS), submitted, in_group, answer_sets(bank))
    drawn = data.draw(st.lists(response, min_size=size, max_size=size))
    k = data.draw(st.integers(3, 5))
    expected = aggregates.round_figures(
        bank.themes,
        [scoring.ResponseAnswers(g if i else None, a) for g, s, i, a in drawn if s],
        k,
    )
    event("suppressed" if expected.suppressed else f"{len(expected.visible_groups)} groups shown")
    with transaction.atomic():
        round = build_round(bank, drawn, k)
        computed = figures.snapshot_figures(round, 1)
        assert computed == expected
        # And the same after a round trip through the JSON a snapshot stores.
        assert aggregates.RoundFigures.from_dict(computed.to_dict()) == expected
        transaction.set_rollback(True)


def submit(round, n, level=3, role_group="digital", submitted=True):
    """`n` responses answering every question at `level`, submitted (bumping the count) or
    left as drafts. Nothing is published: the tests below publish."""
    options = dict(
        AnswerOption.objects.filter(
            question__theme__questionnaire_version=round.questionnaire_version_id, level=level
        ).values_list("question_id", "id")
    )
    now = timezone.now()
    responses = Response.objects.bulk_create(
        Response(
            round=round,
            role_group=role_group,
            submitted_at=now + datetime.timedelta(microseconds=i) if submitted else None,
        )
        for i in range(n)
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
    round.close()
    result = figures.snapshot_round_figures(round, figures.current_snapshot(round))
    assert result.responses == 3
    assert {t.mean for t in result.themes} == {25}
    assert all(q.answered == 3 for t in result.themes for q in t.questions)


def test_round_under_k_reads_only_its_count(round, django_assert_num_queries):
    submit(round, 2)
    Response.objects.filter(round=round).update(snapshot=1)
    with django_assert_num_queries(1):
        result = figures.snapshot_figures(round, 1)
    assert result == aggregates.RoundFigures(responses=2, anonymity_threshold=3)


@pytest.mark.parametrize("n", [6, 200])
def test_query_count_does_not_grow_with_responses(round, n, django_assert_num_queries):
    submit(round, n - n // 2, level=2, role_group="digital")
    submit(round, n // 2, level=4, role_group="frontline")
    Response.objects.filter(round=round).update(snapshot=1, counts_in_group=True)
    version_content(round.questionnaire_version)  # read once a process
    # By group, by question and level, and by response and theme.
    with django_assert_num_queries(3):
        result = figures.snapshot_figures(round, 1)
    assert result.responses == n
    assert {g.group: g.themes[0].mean for g in result.visible_groups} == {
        "digital": 25,
        "frontline": 75,
    }


# Snapshots


def test_an_open_round_publishes_nothing_until_k_can_wait_beyond_k(round):
    submit(round, 5)
    assert figures.publish_snapshot(round) is None
    submit(round, 1)
    snapshot = figures.publish_snapshot(round)
    # Six waiting, k = 3: the first three are counted, the newest three wait.
    assert (snapshot.number, snapshot.responses, snapshot.final) == (1, 3, False)
    assert Response.objects.filter(round=round, snapshot=1, counts_in_group=True).count() == 3
    assert figures.current_snapshot(round) == snapshot


def test_figures_move_only_in_cells_of_k(round):
    submit(round, 6, role_group="digital")
    first = figures.publish_snapshot(round)
    submit(round, 2, role_group="digital")
    # Eight submitted, three counted: two more of the group are eligible, fewer than k.
    assert figures.publish_snapshot(round) == first
    submit(round, 1, role_group="digital")
    second = figures.publish_snapshot(round)
    assert (second.number, second.responses) == (2, 6)


def test_snapshots_come_at_most_every_interval(round, settings):
    settings.SNAPSHOT_INTERVAL = 3600
    submit(round, 6)
    first = figures.publish_snapshot(round)
    submit(round, 6)
    assert figures.publish_snapshot(round) == first


def test_a_reader_gets_the_snapshot_a_burst_of_submissions_was_owed(round, settings):
    """Submissions faster than the interval leave figures behind; once it has passed, the
    next reader sees them moved, without waiting for another submission."""
    settings.SNAPSHOT_INTERVAL = 3600
    submit(round, 10)
    first = figures.publish_snapshot(round)
    submit(round, 10)
    round.refresh_from_db()
    assert figures.current_snapshot(round) == first  # within the interval
    Snapshot.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert figures.current_snapshot(round).responses == first.responses + 10


def test_closing_publishes_final_figures_with_every_response(round):
    submit(round, 4, role_group="digital")
    submit(round, 3, role_group="frontline")
    figures.publish_snapshot(round)
    round.close()
    final = figures.publish_snapshot(round)
    assert (final.final, final.responses) == (True, 7)
    assert not Response.objects.filter(round=round, snapshot__isnull=True).exists()
    # A final snapshot is final: nothing moves it again.
    assert figures.publish_snapshot(round) == final
    assert Snapshot.objects.filter(round=round, final=True).count() == 1


def test_a_round_closed_by_its_date_gets_its_final_figures_when_read(round):
    submit(round, 4)
    Round.objects.filter(pk=round.pk).update(
        opens_on=timezone.localdate() - datetime.timedelta(days=30),
        closes_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    round.refresh_from_db()
    assert figures.current_snapshot(round).final


def test_a_closed_round_under_k_publishes_only_its_count(round):
    submit(round, 2)
    round.close()
    figures_ = figures.snapshot_round_figures(round, figures.current_snapshot(round))
    assert figures_.suppressed and not figures_.themes


@pytest.mark.django_db(transaction=True)
def test_a_submission_racing_a_snapshot_is_in_it_or_the_next(version):
    """A submission committed after the snapshot's transaction read the waiting responses is
    left for the next snapshot: the snapshot's figures and its responses' marks agree."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: there is no race to lose")
    round = RoundFactory(questionnaire_version=version, anonymity_threshold=3)
    submit(round, 6)
    late = submit(round, 1, submitted=False)[0]
    updated, done = threading.Event(), threading.Event()

    def submit_late():
        with transaction.atomic():
            Response.objects.filter(pk=late.pk).update(submitted_at=timezone.now())
            updated.set()
            done.wait(5)
        connection.close()

    worker = threading.Thread(target=submit_late)
    worker.start()
    assert updated.wait(5)  # submitted, not yet committed
    snapshot = figures.publish_snapshot(round)
    done.set()
    worker.join()
    counted = Response.objects.filter(round=round, snapshot=snapshot.number).count()
    assert counted == snapshot.responses == 3
    late.refresh_from_db()
    assert late.snapshot is None


def test_identical_open_link_submissions_are_counted_not_named(round, settings):
    settings.IDENTICAL_SUBMISSIONS_FLAG = 3
    for response in submit(round, 3):
        response.answers_digest = "same"
        response.save(update_fields=["answers_digest"])
    assert figures.identical_submissions(round) == 3
    Response.objects.filter(round=round).update(is_personal=True)
    assert figures.identical_submissions(round) == 0


# The comparison round


def closed_with(version, organisation, days_ago, n=3, **fields):
    other = closed_round(organisation, version, days_ago=days_ago, anonymity_threshold=3, **fields)
    submit(other, n)
    return other


def test_comparison_is_the_latest_round_closed_before_this_one_opened(version, round):
    organisation = round.organisation
    older = closed_with(version, organisation, 400)
    latest = closed_with(version, organisation, 100)
    # Closed after this one opened, under k, another organisation's, or not closed: never.
    closed_with(version, organisation, 2)
    closed_with(version, organisation, 50, n=2)
    closed_with(version, OrganisationFactory(), 30)
    RoundFactory(organisation=organisation, questionnaire_version=version)
    assert figures.comparison_round(round) == latest
    assert figures.comparison_rounds(round) == [latest, older]


def test_a_lead_may_choose_another_eligible_round(version, round):
    older = closed_with(version, round.organisation, 400)
    closed_with(version, round.organisation, 100)
    round.comparison_round = older
    assert figures.comparison_round(round) == older
    # A choice that is not eligible (here: not closed before) falls back to the latest.
    round.comparison_round = closed_with(version, round.organisation, 1)
    assert figures.comparison_round(round) != round.comparison_round


def test_comparison_ignores_other_questionnaires(round):
    other = published_version(questionnaire=Questionnaire.objects.create(slug="other", name="O"))
    closed_with(other, round.organisation, 30)
    assert figures.comparison_round(round) is None


def test_round_trend_compares_with_the_comparison_round(version, round):
    before = closed_with(version, round.organisation, 90, n=12)
    Answer.objects.filter(response__round=before).update(level=2)
    submit(round, 12, level=4)
    round.close()
    previous = figures.current_snapshot(figures.comparison_round(round))
    trend = comparison.compare_rounds(
        figures.snapshot_round_figures(round, figures.current_snapshot(round)),
        figures.snapshot_round_figures(before, previous),
    )
    assert trend.summary == "6 of 6 questions comparable"
    # Twelve people a side, everyone alike: a change well beyond its margin.
    assert [(t.shown, t.direction) for t in trend.themes] == [(50, "up"), (50, "up")]
    assert trend.overall.direction == "up"


# Peer benchmark


def peer(version, *, level=3, size_band="l", function="01", days=30, responses=3):
    organisation = OrganisationFactory(function=function, size_band=size_band)
    peer_round = closed_round(organisation, version, days_ago=days, anonymity_threshold=3)
    submit(peer_round, responses, level=level)
    figures.publish_snapshot(peer_round)
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


def test_peer_benchmark_uses_each_organisations_latest_final_figures(version, own):
    peers = [peer(version, level=level) for level in (1, 2, 3, 4)]
    # The latest round of the first peer replaces its earlier one.
    latest = closed_round(peers[0].organisation, version, days_ago=10, anonymity_threshold=3)
    submit(latest, 3, level=5)
    figures.publish_snapshot(latest)
    # Its own organisation's rounds, open rounds and rounds under k never count.
    own_earlier = closed_round(own.organisation, version, days_ago=60, anonymity_threshold=3)
    submit(own_earlier, 3, level=1)
    figures.publish_snapshot(own_earlier)
    latest_under_k = closed_round(peers[1].organisation, version, days_ago=5, anonymity_threshold=3)
    submit(latest_under_k, 2, level=5)
    figures.publish_snapshot(latest_under_k)
    open_round = RoundFactory(organisation=peers[2].organisation, questionnaire_version=version)
    submit(open_round, 9, level=5)
    figures.publish_snapshot(open_round)
    assert figures.peer_benchmark(own) is None  # four organisations so far
    peer(version, level=5)
    result = figures.peer_benchmark(own)
    assert (result.group, result.organisations) == (comparison.PEERS_FUNCTION_AND_SIZE, 5)
    # Peer means 100, 25, 50, 75, 100: the under-k round leaves the earlier one in place.
    assert [(t.n, t.q1, t.median, t.q3) for t in result.themes] == [(5, 50, 75, 100)] * 2


def test_peer_benchmark_falls_back_to_the_function(version, own):
    for level in (1, 2, 3, 4):
        peer(version, level=level)
    peer(version, level=5, size_band="s")
    peer(version, level=5, function="07")
    result = figures.peer_benchmark(own)
    assert (result.group, result.organisations) == (comparison.PEERS_FUNCTION, 5)
    assert result.themes[0].median == 50


def test_a_snapshot_keeps_the_peers_it_was_made_with(version, own):
    for level in (1, 2, 3, 4, 5):
        peer(version, level=level)
    submit(own, 3)
    own.close()
    final = figures.publish_snapshot(own)
    before = comparison.PeerBenchmark.from_dict(final.peers)
    # Another peer closes a round later: this round's final figures keep their peers.
    peer(version, level=5)
    peer(version, level=5)
    assert comparison.PeerBenchmark.from_dict(figures.current_snapshot(own).peers) == before
    assert figures.peer_benchmark(own) != before


@pytest.mark.parametrize("organisations", [5, 12])
def test_peer_benchmark_query_count_does_not_grow_with_peers(
    version, own, organisations, django_assert_num_queries
):
    for i in range(organisations):
        peer(version, level=1 + i % 5)
    version_content(version)  # read once a process
    with django_assert_num_queries(2):
        result = figures.peer_benchmark(own)
    assert result.organisations == organisations


def test_refresh_figures_command_publishes_final_figures_of_rounds_closed_by_date(db):
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
    final = figures.publish_snapshot(fresh)
    out = StringIO()

    call_command("refresh_figures", stdout=out)

    assert "Published the final figures of 1 closed round(s)." in out.getvalue()
    assert Snapshot.objects.get(round=past, final=True).responses == 5
    assert figures.current_snapshot(fresh) == final
    assert not Snapshot.objects.filter(round=still_open, final=True).exists()


def test_answers_loaded_without_a_snapshot_get_their_first_one_when_read(round, settings):
    """Responses that arrive without the survey's own submit (an import, a restored backup)
    publish nothing themselves: the first reader gets the snapshot they are owed."""
    settings.SNAPSHOT_INTERVAL = 3600
    submit(round, 10)
    Snapshot.objects.filter(round=round).delete()
    Response.objects.filter(round=round).update(snapshot=None)
    round.refresh_from_db()
    snapshot = figures.current_snapshot(round)
    k = round.anonymity_threshold
    assert snapshot is not None and k <= snapshot.responses <= 10 - k
