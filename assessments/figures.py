"""The database side of the figures: the one adapter from ORM rows to the pure modules, and the
snapshots a round's figures are published in.

A snapshot's figures come from two GROUP BY queries over the answers it counts, per question
(kind, level) counts and per (response, theme) integer sums, fed to the same
`aggregates.figures_from_sums` the pure path uses, so the two cannot drift. Three queries
whatever the number of responses, and the same three for a batch of rounds.

Readers never see live figures: the report, the PDFs, the CSVs and the round page all read
`current_snapshot(round)`. `publish_snapshot(round)` cuts what can be cut now
(`assessments.anonymity`) after each submission, and the final snapshot when the round closes.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessments import aggregates, anonymity, comparison, sampling, scoring
from assessments.models import Answer, Response, Round, Snapshot
from maturity.versioning import version_content


@dataclass(frozen=True)
class _Bank:
    themes: tuple[scoring.ThemeSpec, ...]
    theme_keys: dict[int, str]  # Theme.pk -> key
    question_keys: dict[int, str]  # Question.pk -> concept key


def _bank(version):
    """The version's themes and question weights as scoring takes them, from the shared copy
    of the version (no query once it is read)."""
    themes = version_content(version).themes
    return _Bank(
        tuple(
            scoring.ThemeSpec(
                theme.key,
                tuple(scoring.QuestionSpec(q.concept_key, q.weight) for q in theme.questions.all()),
                theme.weight,
            )
            for theme in themes
        ),
        {theme.pk: theme.key for theme in themes},
        {q.pk: q.concept_key for theme in themes for q in theme.questions.all()},
    )


def response_scores(response):
    """The respondent's own theme scores, for their confirmation page: over the questions
    they were asked, in a short round."""
    answers = list(response.answers.values_list("question__concept_key", "kind", "level"))
    themes = _bank(response.round.questionnaire_version).themes
    if response.round.is_short:
        asked = {key for key, _, _ in answers}
        themes = tuple(
            scoring.ThemeSpec(t.key, tuple(q for q in t.questions if q.key in asked), t.weight)
            for t in themes
        )
    return scoring.respondent_scores(themes, (scoring.AnswerValue(*row) for row in answers))


def _group_field(round):
    return "unit_id" if round.breakdown == Round.Breakdown.UNIT else "role_group"


def _group(counts_in_group, value):
    """A response's group key in the figures: None when it counts in the overall figures only."""
    if not counts_in_group:
        return None
    return "" if value is None else str(value)


def snapshot_figures(round, number):
    """The round's figures over the responses counted by snapshot `number` and those before it.

    Three queries whatever the number of responses: responses by group, answers by (question,
    kind, level), and integer sums by (response, theme); the divisions happen in the pure
    modules, as on the pure path.
    """
    field = _group_field(round)
    counted = Response.objects.filter(round=round, snapshot__lte=number)
    group_counts = defaultdict(int)
    for in_group, value, n in (
        counted.order_by().values_list("counts_in_group", field).annotate(n=Count("pk"))
    ):
        group_counts[_group(in_group, value)] += n
    k = round.anonymity_threshold
    if sum(group_counts.values()) < k:
        # Under k nothing beyond the count is read, so nothing beyond it can leak.
        return aggregates.RoundFigures(sum(group_counts.values()), k)
    bank = _bank(round.questionnaire_version)
    if round.is_short:
        return _short_figures(round, number, bank, field)
    answers = Answer.objects.filter(
        response__round=round,
        response__snapshot__lte=number,
        kind__in=[scoring.LEVEL, scoring.NOT_APPLICABLE, scoring.DONT_KNOW],
    ).order_by()
    tallies = defaultdict(dict)  # question -> level or kind -> n
    for question_id, kind, level, n in answers.values_list("question_id", "kind", "level").annotate(
        n=Count("pk")
    ):
        tallies[question_id][level or kind] = n
    level = Q(kind=scoring.LEVEL)
    not_applicable = Q(kind=scoring.NOT_APPLICABLE)
    sums = (
        answers.values_list("response_id", "question__theme_id")
        .annotate(
            points=Coalesce(Sum(F("question__weight") * (F("level") - 1), filter=level), 0),
            answered_weight=Coalesce(Sum("question__weight", filter=level), 0),
            not_applicable_weight=Coalesce(Sum("question__weight", filter=not_applicable), 0),
            not_applicable=Count("pk", filter=not_applicable),
            dont_know=Count("pk", filter=Q(kind=scoring.DONT_KNOW)),
        )
        .values_list(
            "response_id",
            f"response__{field}",
            "response__counts_in_group",
            "question__theme_id",
            "points",
            "answered_weight",
            "not_applicable_weight",
            "not_applicable",
            "dont_know",
        )
    )
    question_figures = {
        bank.question_keys[question_id]: aggregates.QuestionFigures(
            bank.question_keys[question_id],
            tuple(tally.get(level, 0) for level in range(1, 6)),
            tally.get(scoring.NOT_APPLICABLE, 0),
            tally.get(scoring.DONT_KNOW, 0),
        )
        for question_id, tally in tallies.items()
        if question_id in bank.question_keys
    }
    return aggregates.figures_from_sums(
        bank.themes,
        k=k,
        group_counts=group_counts,
        question_figures=question_figures,
        response_sums=[
            (
                response_id,
                _group(in_group, value),
                scoring.ThemeSums(bank.theme_keys[theme_id], *totals),
            )
            for response_id, value, in_group, theme_id, *totals in sums
            if theme_id in bank.theme_keys
        ],
    )


def _short_figures(round, number, bank, field):
    """A short round's figures from each counted answer (assessments.sampling): its
    estimator needs who answered what, not sums. One query."""
    answers = defaultdict(list)
    groups = {}
    for response_id, in_group, value, question_id, kind, level in (
        Answer.objects.filter(
            response__round=round,
            response__snapshot__lte=number,
            kind__in=[scoring.LEVEL, scoring.NOT_APPLICABLE, scoring.DONT_KNOW],
        )
        .order_by()
        .values_list(
            "response_id",
            "response__counts_in_group",
            f"response__{field}",
            "question_id",
            "kind",
            "level",
        )
    ):
        groups[response_id] = _group(in_group, value)
        if question_id in bank.question_keys:
            answers[response_id].append(
                scoring.AnswerValue(bank.question_keys[question_id], kind, level)
            )
    responses = [scoring.ResponseAnswers(groups[pk], tuple(answers[pk])) for pk in sorted(groups)]
    return sampling.short_round_figures(bank.themes, responses, round.anonymity_threshold)


def publish_snapshot(round):
    """Publish the round's next snapshot if a batch can be cut now, and the final snapshot
    once it has closed; return the current snapshot (None before the first).

    One transaction holding the round's row: two requests cannot cut at once, and a submission
    that commits meanwhile is in this snapshot or waits for the next, never half in. While the
    round is open, snapshots come at most every SNAPSHOT_INTERVAL seconds: each recomputes the
    round's figures, and a busy round need not do that for every few submissions.
    """
    with transaction.atomic():
        round = (
            Round.objects.select_for_update(of=("self",))
            .select_related("questionnaire_version", "organisation")
            .get(pk=round.pk)
        )
        latest = round.snapshots.first()
        if latest and latest.final:
            return latest
        final = round.is_closed
        if not final and latest and timezone.now() - latest.created_at < _interval():
            return latest
        field = _group_field(round)
        waiting = [
            anonymity.Submission(pk, "" if value is None else str(value))
            for pk, value in round.responses.filter(
                submitted_at__isnull=False, snapshot__isnull=True
            )
            .order_by("submitted_at", "pk")
            .values_list("pk", field)
        ]
        batches = []
        while batch := anonymity.next_batch(waiting, round.anonymity_threshold, final=final):
            batches.append(batch)
            taken = {*batch.in_group, *batch.overall_only}
            waiting = [s for s in waiting if s.id not in taken]
            if final:
                break
        if not batches and not final:
            return latest
        number = (latest.number if latest else 0) + 1
        for batch in batches:
            # Consecutive batches can share a snapshot: each cell stays whole, at least k.
            Response.objects.filter(pk__in=batch.in_group).update(
                snapshot=number, counts_in_group=True
            )
            Response.objects.filter(pk__in=batch.overall_only).update(
                snapshot=number, counts_in_group=False
            )
        figures = snapshot_figures(round, number)
        peers = peer_benchmark(round)
        channels = dict(
            round.responses.filter(snapshot__lte=number)
            .order_by()
            .values_list("is_personal")
            .annotate(n=Count("pk"))
        )
        return Snapshot.objects.create(
            round=round,
            number=number,
            responses=figures.responses,
            final=final,
            figures=figures.to_dict(),
            theme_means={t.theme: t.mean for t in figures.scored_themes},
            peers=peers.to_dict() if peers else None,
            channels={"personal": channels.get(True, 0), "open": channels.get(False, 0)},
        )


def _interval():
    return datetime.timedelta(seconds=settings.SNAPSHOT_INTERVAL)


def current_snapshot(round):
    """The snapshot readers see: the latest, or for a closed round its final one (made now if
    the round closed by passing its closing date and nobody has looked since). An open round
    whose submissions came faster than SNAPSHOT_INTERVAL gets the snapshot they were owed."""
    latest = round.snapshots.first()
    if round.is_closed and (latest is None or not latest.final):
        return publish_snapshot(round)
    counted = latest.responses if latest else 0
    if round.submitted_count - counted >= 2 * round.anonymity_threshold and (
        latest is None or timezone.now() - latest.created_at >= _interval()
    ):
        return publish_snapshot(round)
    return latest


def snapshot_round_figures(round, snapshot):
    """The figures of `snapshot` (None: nothing published yet, only the count is known)."""
    if snapshot is None:
        return aggregates.RoundFigures(0, round.anonymity_threshold)
    return aggregates.RoundFigures.from_dict(snapshot.figures)


def publish_final_snapshots(rounds):
    """Make the final snapshot of every closed round in `rounds` that has none; return how
    many were made. For a daily job: a round that closes by passing its closing date is never
    closed by a view, so nothing else publishes its final figures before someone reads them
    or another organisation's peer benchmark needs them."""
    missing = (
        rounds.closed()
        .exclude(snapshots__final=True)
        .select_related("questionnaire_version", "organisation")
    )
    made = 0
    for round in missing:
        publish_snapshot(round)
        made += 1
    return made


def identical_submissions(round):
    """How many responses through the open link gave exactly the same answers as at least
    IDENTICAL_SUBMISSIONS_FLAG - 1 others: a sign someone may be filling a group with made-up
    responses. A count only, never which responses."""
    repeated = (
        round.responses.filter(submitted_at__isnull=False, is_personal=False)
        .exclude(answers_digest="")
        .order_by()
        .values("answers_digest")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.IDENTICAL_SUBMISSIONS_FLAG)
    )
    return sum(row["n"] for row in repeated)


def comparison_rounds(round):
    """The rounds this one's report may compare with, latest first: the organisation's rounds
    of the same questionnaire that closed before this one opened, with final figures from at
    least their own k responses."""
    closed_before = Q(closed_at__isnull=False, closed_at__date__lt=round.opens_on) | Q(
        closed_at__isnull=True, closes_on__lt=round.opens_on
    )
    # Rounds closed by their date may not have their final figures yet.
    publish_final_snapshots(Round.objects.filter(organisation_id=round.organisation_id))
    candidates = (
        Round.objects.closed()
        .filter(closed_before)
        .filter(
            organisation_id=round.organisation_id,
            questionnaire_version__questionnaire_id=round.questionnaire_version.questionnaire_id,
            snapshots__final=True,
            snapshots__responses__gte=F("anonymity_threshold"),
        )
        .exclude(pk=round.pk)
        .select_related("questionnaire_version", "organisation")
    )
    return sorted(candidates, key=lambda r: (r.closed_on, r.pk), reverse=True)


def comparison_round(round):
    """The round the report compares with: the lead's choice while it is still eligible, else
    the latest eligible one; None when there is none."""
    eligible = comparison_rounds(round)
    chosen = [r for r in eligible if r.pk == round.comparison_round_id]
    return (chosen or eligible or [None])[0]


def peer_benchmark(round):
    """Other organisations' theme means: median and quartiles, or None under 5 organisations.

    Each organisation counts once, with the final figures of its latest closed round of the
    same questionnaire that reached its own anonymity threshold. Peers share the government
    function, and the size band too when that still gives 5 organisations. Only final
    snapshots count, so peer figures move a whole organisation's round at a time.
    """
    function, size_band, questionnaire_id = (
        Round.objects.filter(pk=round.pk)
        .values_list(
            "organisation__function",
            "organisation__size_band",
            "questionnaire_version__questionnaire_id",
        )
        .get()
    )
    finals = Snapshot.objects.filter(final=True, responses__gte=F("round__anonymity_threshold"))
    eligible = Round.objects.filter(
        questionnaire_version__questionnaire_id=questionnaire_id,
        pk__in=finals.values("round_id"),
    )
    latest = (
        eligible.filter(organisation=OuterRef("organisation"))
        .order_by("-closes_on", "-pk")
        .values("pk")[:1]
    )
    rows = (
        finals.filter(
            round__organisation__function=function,
            round__in=eligible.filter(pk=Subquery(latest)),
        )
        .exclude(round__organisation_id=round.organisation_id)
        .values_list("round__organisation_id", "round__organisation__size_band", "theme_means")
    )
    candidates = [
        comparison.PeerCandidate(organisation_id, function, peer_size_band, theme_means)
        for organisation_id, peer_size_band, theme_means in rows
        if theme_means
    ]
    group, peers = comparison.choose_peer_group(candidates, function=function, size_band=size_band)
    return comparison.benchmark(
        [theme.key for theme in version_content(round.questionnaire_version).themes],
        [peer.theme_means for peer in peers],
        group,
    )
