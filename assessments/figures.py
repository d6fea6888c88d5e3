"""The database side of scoring: the one adapter from ORM rows to `assessments.scoring`.

A round's figures come from two GROUP BY queries over its submitted answers, per question
(kind, level) counts and per (response, theme) integer sums, fed to the same
`aggregates.figures_from_sums` the pure path uses, so the two cannot drift. Four queries
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

from assessments import aggregates, comparison, scoring
from assessments.models import Answer, Response, Round, RoundResult
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
    """The respondent's own theme scores, for their confirmation page."""
    answers = response.answers.values_list("question__concept_key", "kind", "level")
    return scoring.respondent_scores(
        _bank(response.round.questionnaire_version).themes,
        (scoring.AnswerValue(*row) for row in answers),
    )


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
        r.pk: aggregates.RoundFigures(sum(group_counts[r.pk].values()), r.anonymity_threshold)
        for r in rounds
    }
    reportable = [r for r in rounds if not figures[r.pk].suppressed]
    if not reportable:
        return figures
    banks = {r.questionnaire_version_id: _bank(r.questionnaire_version) for r in reportable}
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
            bank.question_keys[question_id]: aggregates.QuestionFigures(
                bank.question_keys[question_id],
                tuple(tally.get(level, 0) for level in range(1, 6)),
                tally.get(scoring.NOT_APPLICABLE, 0),
                tally.get(scoring.DONT_KNOW, 0),
            )
            for question_id, tally in tallies[r.pk].items()
            if question_id in bank.question_keys
        }
        figures[r.pk] = aggregates.figures_from_sums(
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
            figures = aggregates.RoundFigures.from_dict(cached)
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
        for r in rounds.select_related("result", "questionnaire_version")
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


def response_rate(*, issued, submitted):
    """Submitted personal links as a share of those issued, in whole percent (halves up); None
    when no personal link was issued. Responses through the open link are not part of it: no
    one knows how many people saw that link."""
    return scoring.whole_points(100 * submitted / issued) if issued else None


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
    fresh = {}
    if stale:
        fresh = _store(
            list(Round.objects.filter(pk__in=stale).select_related("questionnaire_version"))
        )
    candidates = []
    for pk, organisation_id, peer_size_band, _, _, theme_means in rows:
        if pk in fresh:
            theme_means = {t.theme: t.mean for t in fresh[pk].scored_themes}
        # No means: fewer submitted responses than submitted_count claimed, or none scored.
        if theme_means:
            candidates.append(
                comparison.PeerCandidate(organisation_id, function, peer_size_band, theme_means)
            )
    group, peers = comparison.choose_peer_group(candidates, function=function, size_band=size_band)
    return comparison.benchmark(
        [theme.key for theme in version_content(round.questionnaire_version).themes],
        [peer.theme_means for peer in peers],
        group,
    )
