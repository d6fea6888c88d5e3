"""The database side of scoring: the one adapter from ORM rows to `assessments.scoring`.

A round's figures come from two GROUP BY queries over its submitted answers, per question
(kind, level) counts and per (response, theme) integer sums, fed to the same
`scoring.figures_from_sums` the pure path uses, so the two cannot drift. Four queries
whatever the number of responses (one when the round is under its anonymity threshold), and
the same four for a batch of rounds, which peer benchmarks use to fill a cold cache.

Figures are cached in `RoundResult` for one value of `Round.submitted_count`, which every
submission bumps, so a cached copy is never served after a new submission.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessments import scoring
from assessments.models import Answer, Response, Round, RoundResult
from maturity.models import Question, Theme


@dataclass(frozen=True)
class _Bank:
    themes: tuple[scoring.ThemeSpec, ...]
    theme_keys: dict[int, str]  # Theme.pk -> key
    question_keys: dict[int, str]  # Question.pk -> concept key


def _banks(version_ids):
    """Each version's question bank, in bank order, in one query."""
    rows = (
        Question.objects.filter(theme__questionnaire_version_id__in=version_ids)
        .order_by("theme__questionnaire_version_id", "theme__order", "theme_id", "order", "id")
        .values_list(
            "theme__questionnaire_version_id",
            "theme_id",
            "theme__key",
            "theme__weight",
            "id",
            "concept_key",
            "weight",
        )
    )
    questions = defaultdict(dict)  # version -> theme key -> [QuestionSpec]
    theme_weights, theme_keys, question_keys = {}, defaultdict(dict), defaultdict(dict)
    for version_id, theme_id, theme_key, theme_weight, question_id, concept_key, weight in rows:
        spec = scoring.QuestionSpec(concept_key, weight)
        questions[version_id].setdefault(theme_key, []).append(spec)
        theme_weights[version_id, theme_key] = theme_weight
        theme_keys[version_id][theme_id] = theme_key
        question_keys[version_id][question_id] = concept_key
    return {
        version_id: _Bank(
            tuple(
                scoring.ThemeSpec(key, tuple(specs), theme_weights[version_id, key])
                for key, specs in questions[version_id].items()
            ),
            theme_keys[version_id],
            question_keys[version_id],
        )
        for version_id in version_ids
    }


def theme_specs(version):
    """The version's themes and question weights in bank order, in one query.

    A theme without questions is left out; publication refuses such a bank anyway.
    """
    return _banks([version.pk])[version.pk].themes


def response_scores(response):
    """The respondent's own theme scores, for their confirmation page."""
    answers = response.answers.values_list("question__concept_key", "kind", "level")
    version_id = response.round.questionnaire_version_id
    return scoring.respondent_scores(
        _banks([version_id])[version_id].themes, (scoring.AnswerValue(*row) for row in answers)
    )


def compute_round_figures(round):
    """The round's figures from database aggregates; submitted responses only."""
    return _compute([round])[round.pk]


def _compute(rounds):
    """Figures of any number of rounds in four queries, whatever their number of responses:
    responses by role group, the banks, answers by (question, kind, level), and integer sums
    by (response, theme). The divisions happen in scoring, as on the pure path."""
    group_counts = defaultdict(dict)
    for round_id, role_group, n in (
        Response.objects.filter(round__in=rounds, submitted_at__isnull=False)
        .order_by()
        .values_list("round_id", "role_group")
        .annotate(n=Count("pk"))
    ):
        group_counts[round_id][role_group] = n
    # Under k nothing beyond the count is read, so nothing beyond it can leak.
    figures = {
        r.pk: scoring.RoundFigures(sum(group_counts[r.pk].values()), r.anonymity_threshold)
        for r in rounds
    }
    reportable = [r for r in rounds if not figures[r.pk].suppressed]
    if not reportable:
        return figures
    banks = _banks({r.questionnaire_version_id for r in reportable})
    answers = Answer.objects.filter(
        response__round__in=reportable,
        response__submitted_at__isnull=False,
        kind__in=[scoring.LEVEL, scoring.NOT_APPLICABLE, scoring.DONT_KNOW],
    ).order_by()

    tallies = defaultdict(lambda: defaultdict(dict))  # round -> question -> level or kind -> n
    for round_id, question_id, kind, level, n in answers.values_list(
        "response__round_id", "question_id", "kind", "level"
    ).annotate(n=Count("pk")):
        tallies[round_id][question_id][level or kind] = n

    level = Q(kind=scoring.LEVEL)
    not_applicable = Q(kind=scoring.NOT_APPLICABLE)
    sums = defaultdict(list)  # round -> [(role group, theme id, totals)]
    for round_id, role_group, theme_id, *totals in (
        answers.values_list(
            "response_id", "response__round_id", "response__role_group", "question__theme_id"
        )
        .annotate(
            points=Coalesce(Sum(F("question__weight") * (F("level") - 1), filter=level), 0),
            answered_weight=Coalesce(Sum("question__weight", filter=level), 0),
            not_applicable_weight=Coalesce(Sum("question__weight", filter=not_applicable), 0),
            not_applicable=Count("pk", filter=not_applicable),
            dont_know=Count("pk", filter=Q(kind=scoring.DONT_KNOW)),
        )
        .values_list(
            "response__round_id",
            "response__role_group",
            "question__theme_id",
            "points",
            "answered_weight",
            "not_applicable_weight",
            "not_applicable",
            "dont_know",
        )
    ):
        sums[round_id].append((role_group, theme_id, totals))

    for r in reportable:
        bank = banks[r.questionnaire_version_id]
        question_figures = {
            bank.question_keys[question_id]: scoring.QuestionFigures(
                bank.question_keys[question_id],
                tuple(tally.get(level, 0) for level in range(1, 6)),
                tally.get(scoring.NOT_APPLICABLE, 0),
                tally.get(scoring.DONT_KNOW, 0),
            )
            for question_id, tally in tallies[r.pk].items()
            if question_id in bank.question_keys
        }
        figures[r.pk] = scoring.figures_from_sums(
            bank.themes,
            k=r.anonymity_threshold,
            group_counts=group_counts[r.pk],
            question_figures=question_figures,
            response_sums=[
                (role_group, scoring.ThemeSums(bank.theme_keys[theme_id], *totals))
                for role_group, theme_id, totals in sums[r.pk]
                if theme_id in bank.theme_keys
            ],
        )
    return figures


def round_figures(round):
    """The round's figures, from the cache when it was filled at the current submitted_count."""
    count, k, stamp, cached = (
        Round.objects.filter(pk=round.pk)
        .values_list(
            "submitted_count", "anonymity_threshold", "result__submitted_count", "result__figures"
        )
        .get()
    )
    if stamp == count and cached is not None:
        try:
            figures = scoring.RoundFigures.from_dict(cached)
        except (KeyError, TypeError, ValueError):
            figures = None  # written by an older shape of the figures: recompute
        if figures is not None and figures.anonymity_threshold == k:
            return figures
    round.anonymity_threshold = k  # a lead may have changed it since `round` was loaded
    round.submitted_count = count
    return _store([round])[round.pk]


def refresh_round_figures(round):
    """Recompute and cache the round's figures now; call it when a round closes, so reports
    and other organisations' peer benchmarks find them ready."""
    round.refresh_from_db(fields=["submitted_count", "anonymity_threshold"])
    return _store([round])[round.pk]


def refresh_stale_figures(rounds):
    """Compute and cache the figures of those `rounds` whose cache is missing or out of date,
    in one batch; return how many were computed. For a daily job over closed rounds: a round
    that closes by passing its closing date is never closed by a view, so nothing else
    computes its final figures before the first peer benchmark that needs them."""
    stale = [
        r
        for r in rounds.select_related("result")
        if not hasattr(r, "result") or r.result.submitted_count != r.submitted_count
    ]
    if stale:
        _store(stale)
    return len(stale)


def _store(rounds):
    """Compute and cache, stamped with each round's submitted_count as loaded *before*
    computing: if a submission lands meanwhile, the stamp is stale and the next reader
    recomputes, so these figures are never served as newer than they are."""
    figures = _compute(rounds)
    now = timezone.now()
    # One upsert: no read-then-write race between two requests filling the same cache.
    RoundResult.objects.bulk_create(
        [
            RoundResult(
                round=r,
                submitted_count=r.submitted_count,
                computed_at=now,
                figures=figures[r.pk].to_dict(),
                theme_means={t.theme: t.mean for t in figures[r.pk].scored_themes},
            )
            for r in rounds
        ],
        update_conflicts=True,
        unique_fields=["round"],
        update_fields=["submitted_count", "computed_at", "figures", "theme_means"],
    )
    return figures


def previous_round(round):
    """The organisation's most recent closed round of the same questionnaire before this one,
    by closing date then id; None if there is none."""
    return (
        Round.objects.closed()
        .filter(
            organisation_id=round.organisation_id,
            questionnaire_version__questionnaire__versions=round.questionnaire_version_id,
        )
        .filter(Q(closes_on__lt=round.closes_on) | Q(closes_on=round.closes_on, pk__lt=round.pk))
        .order_by("-closes_on", "-pk")
        .first()
    )


def round_trend(round, figures):
    """`figures` (this round's) against the previous closed round; None without one, or when
    either round is under its anonymity threshold."""
    previous = previous_round(round)
    if previous is None:
        return None
    return scoring.compare_rounds(figures, round_figures(previous))


def peer_benchmark(round):
    """Other organisations' theme means: median and quartiles, or None under 5 organisations.

    Each organisation counts once, with its latest closed round of the same questionnaire
    that reached its own anonymity threshold. Peers share the government function, and the
    size band too when that still gives 5 organisations. A few queries for any number of
    organisations once their figures are cached; missing ones are computed here once.
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
    reportable = Round.objects.closed().filter(
        questionnaire_version__questionnaire_id=questionnaire_id,
        submitted_count__gte=F("anonymity_threshold"),
    )
    latest = (
        reportable.filter(organisation=OuterRef("organisation"))
        .order_by("-closes_on", "-pk")
        .values("pk")[:1]
    )
    rows = list(
        reportable.filter(organisation__function=function, pk=Subquery(latest))
        .exclude(organisation_id=round.organisation_id)
        .values_list(
            "pk",
            "organisation_id",
            "organisation__size_band",
            "submitted_count",
            "result__submitted_count",
            "result__theme_means",
        )
    )
    stale = [pk for pk, _, _, count, stamp, _ in rows if stamp != count]
    fresh = _store(list(Round.objects.filter(pk__in=stale))) if stale else {}
    candidates = []
    for pk, organisation_id, peer_size_band, _, _, theme_means in rows:
        if pk in fresh:
            theme_means = {t.theme: t.mean for t in fresh[pk].scored_themes}
        # No means: fewer submitted responses than submitted_count claimed, or none scored.
        if theme_means:
            candidates.append(
                scoring.PeerCandidate(organisation_id, function, peer_size_band, theme_means)
            )
    group, peers = scoring.choose_peer_group(candidates, function=function, size_band=size_band)
    theme_keys = Theme.objects.filter(questionnaire_version_id=round.questionnaire_version_id)
    return scoring.benchmark(
        list(theme_keys.order_by("order", "id").values_list("key", flat=True)),
        [peer.theme_means for peer in peers],
        group,
    )
