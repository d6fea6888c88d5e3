"""Downloads of a round: its figures (CSV), its respondents' answers for analysts (CSV), and
the method file (JSON) that lets an auditor recompute the figures from the two.

The CSVs are streamed, UTF-8 with a byte order mark so that Excel reads them as UTF-8, and
every text cell that a spreadsheet would take for a formula (starting with =, +, -, @, a tab
or a carriage return) gets a leading apostrophe: titles, question texts and keys are typed by
admins. Numbers are written as numbers, unrounded figures to PLACES decimals, halves up (the
one rounding rule, assessments.scoring). Under the anonymity threshold both CSVs have a header
row and no rows. docs/methodology.md explains every column and key.
"""

import csv
import json

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from assessments import aggregates, margins, scoring
from assessments.comparison import question_estimate
from assessments.figures import current_snapshot
from assessments.models import Answer, Response
from maturity.versioning import version_content

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ANSWER_VALUES = {scoring.NOT_APPLICABLE: "na", scoring.DONT_KNOW: "dk"}
NOT_STATED = "not stated"
OVERALL_ONLY = "overall only"
# Unrounded figures are written to this many decimal places.
PLACES = 4
# Answers are read this many responses at a time (50 questions make 25,000 rows).
RESPONSES_PER_CHUNK = 500


def neutralise(value):
    """A cell a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file whose write() returns what it was given, so csv.writer yields lines."""

    def write(self, value):
        return value


def _lines(header, rows):
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def filename(round, what, extension):
    """organisation-round-what-date.extension, ASCII only."""
    name = "-".join(
        part
        for part in (slugify(round.organisation.name), slugify(round.title), what)
        if part  # slugify drops letters outside ASCII: an empty part is left out
    )
    return f"{name}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _response(round, what, header, rows):
    response = StreamingHttpResponse(_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(round, what, "csv")}"'
    return response


def _number(value, places=PLACES):
    return "" if value is None else float(scoring.round_half_up(value, places))


# Figures

FIGURE_COLUMNS = [
    "row",
    "theme",
    "question",
    "group",
    "title",
    "responses",
    "scored",
    "not_scored",
    "mean",
    "se",
    "margin",
    "level",
    "sd",
    "q1",
    "median",
    "q3",
    "iqr",
    "disagreement",
    "dont_know_share",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
    "not_applicable",
    "dont_know",
    "previous_mean",
    "previous_se",
    "previous_n",
    "change",
    "change_margin",
    "direction",
    "peer_median",
    "peer_q1",
    "peer_q3",
    "peer_organisations",
    "personal_link",
    "open_link",
]


def _row(**cells):
    return [cells.get(column, "") for column in FIGURE_COLUMNS]


def _estimate(estimate):
    return {
        "mean": _number(estimate.mean),
        "se": _number(estimate.se),
        "margin": _number(estimate.margin),
        "level": "" if estimate.mean is None else scoring.level_of(estimate.mean),
    }


def _spread(summary):
    return {
        "scored": summary.n,
        "not_scored": summary.not_scored,
        **_estimate(summary.estimate),
        "sd": _number(summary.sd),
        "q1": _number(summary.q1),
        "median": _number(summary.median),
        "q3": _number(summary.q3),
        "iqr": _number(summary.iqr),
        "disagreement": "yes" if summary.disagreement else "no",
    }


def _change(change):
    if change is None:
        return {}
    return {
        "previous_mean": _number(change.previous.mean),
        "previous_se": _number(change.previous.se),
        "previous_n": change.previous.n or "",
        "change": _number(change.interval.delta),
        "change_margin": _number(change.interval.margin),
        "direction": {"up": "up", "down": "down", "steady": "no clear change"}.get(
            change.direction, "not stated"
        ),
    }


def figure_rows(report):
    """An overall row, then each theme, its questions, its figures for each shown group and
    for those counted overall only. Unrounded figures; the page shows whole points."""
    if report["suppressed"]:
        return
    figures, trend, channels = report["figures"], report["trend"], report["channels"]
    yield _row(
        row="overall",
        responses=figures.responses,
        scored=figures.overall_n,
        personal_link=channels["personal"],
        open_link=channels["open"],
        **_estimate(figures.overall_estimate),
        **_change(trend.overall if trend else None),
    )
    groups = figures.visible_groups
    for index, theme in enumerate(report["themes"]):
        t, peer = theme.figures, theme.peer
        yield _row(
            row="theme",
            theme=theme.key,
            title=theme.title,
            responses=figures.responses,
            dont_know_share=_number(t.knowledge_gap),
            **_spread(t),
            **_change(theme.trend),
            **(
                {
                    "peer_median": _number(peer.median),
                    "peer_q1": _number(peer.q1),
                    "peer_q3": _number(peer.q3),
                    "peer_organisations": peer.n,
                }
                if peer
                else {}
            ),
        )
        for question in theme.questions:
            q = question.figures
            levels = {f"level_{level}": n for level, n in enumerate(q.counts, start=1)}
            estimate = question.trend.current if question.trend else None
            yield _row(
                row="question",
                theme=theme.key,
                question=question.key,
                title=question.text,
                responses=q.answers,
                scored=q.answered,
                not_applicable=q.not_applicable,
                dont_know=q.dont_know,
                **levels,
                **_estimate(estimate or question_estimate(q)),
                sd=_number(margins.level_sd(q.counts)),
                **_change(question.trend),
            )
        for group, shown in zip(groups, report["groups"]["shown"], strict=True):
            yield _row(
                row="group",
                theme=theme.key,
                group=shown["label"],
                responses=group.responses,
                **_spread(group.themes[index]),
            )
        if figures.overall_only_themes:
            yield _row(
                row="group",
                theme=theme.key,
                group=OVERALL_ONLY,
                responses=figures.overall_only,
                **_spread(figures.overall_only_themes[index]),
            )


def figures_csv_response(round, report):
    return _response(round, "figures", FIGURE_COLUMNS, figure_rows(report))


# Answers, one row a respondent


def answer_rows(round, columns):
    """One row per counted response, numbered 1 to n in a random order, with a column per
    question: its level, "na", "dk", or blank (not asked, in a short survey).

    The numbers follow the responses' random tokens, not the order of submission, and no
    group, unit, date or comment is written: a lead who knows when a colleague submitted, or
    which group they are in, cannot find their row. Answers are read RESPONSES_PER_CHUNK
    responses at a time, by primary key through the (response, question) index, so memory
    stays bounded whatever the round's size.
    """
    counted = list(
        Response.objects.filter(round=round, snapshot__isnull=False)
        .order_by("token")
        .values_list("pk", flat=True)
    )
    if len(counted) < round.anonymity_threshold:
        return
    position = {pk: index for index, pk in enumerate(columns)}
    for start in range(0, len(counted), RESPONSES_PER_CHUNK):
        chunk = counted[start : start + RESPONSES_PER_CHUNK]
        numbers = {pk: number for number, pk in enumerate(chunk, start=start + 1)}
        rows = {pk: [numbers[pk]] + [""] * len(columns) for pk in chunk}
        for response_id, question_id, kind, level in Answer.objects.filter(
            response_id__in=chunk,
            kind__in=[scoring.LEVEL, scoring.NOT_APPLICABLE, scoring.DONT_KNOW],
        ).values_list("response_id", "question_id", "kind", "level"):
            if question_id in position:
                rows[response_id][1 + position[question_id]] = level or ANSWER_VALUES[kind]
        yield from (rows[pk] for pk in chunk)


def answers_csv_response(round):
    current_snapshot(round)  # a round closed by its date gets its final figures first
    questions = version_content(round.questionnaire_version).questions()
    header = ["response", *(q.concept_key for q in questions)]
    rows = answer_rows(round, [q.pk for q in questions])
    return _response(round, "answers", header, rows)


# The method


def method(round, report):
    """Everything an auditor needs besides the two CSVs to recompute the figures."""
    content = version_content(round.questionnaire_version)
    snapshot, previous = report["snapshot"], report.get("previous")
    return {
        "format": 1,
        "round": {
            "id": round.pk,
            "title": round.title,
            "organisation": round.organisation.name,
            "opens_on": round.opens_on.isoformat(),
            "closes_on": round.closes_on.isoformat(),
            "closed": round.is_closed,
            "survey": round.length,
            "compares_staff_by": round.breakdown,
            "questionnaire": str(round.questionnaire_version),
        },
        "snapshot": None
        if snapshot is None
        else {
            "number": snapshot.number,
            "responses": snapshot.responses,
            "final": snapshot.final,
            "made_at": snapshot.created_at.isoformat(),
        },
        "thresholds": {
            "anonymity_threshold": round.anonymity_threshold,
            "coverage": scoring.COVERAGE_NUMERATOR / scoring.COVERAGE_DENOMINATOR,
            "min_for_change": margins.MIN_FOR_CHANGE,
            "min_peers": report["min_peers"],
            "confidence": margins.CONFIDENCE,
            "disagreement_iqr": aggregates.DISAGREEMENT_IQR,
            "dont_know_note": report["dont_know_note"] / 100,
        },
        "rounding": f"halves up, to {PLACES} decimals in the figures CSV and to whole points on "
        "the page, where margins of error alone are rounded up (at least 1); a change on the "
        "page is the difference of the two scores as shown",
        "levels": [
            {"level": level, "name": name, "from": low, "to": high}
            for level, low, high, name in report["level_bands"]
        ],
        "themes": [
            {
                "key": theme.key,
                "title": theme.title,
                "weight": theme.weight,
                "questions": [
                    {
                        "key": q.concept_key,
                        "text": q.text,
                        "weight": q.weight,
                        "offers_not_applicable": q.allow_not_applicable,
                        "offers_dont_know": q.allow_dont_know,
                        "options": {o.level: o.descriptor for o in q.options.all()},
                    }
                    for q in theme.questions.all()
                ],
            }
            for theme in content.themes
        ],
        "comparison_round": None
        if previous is None
        else {"id": previous.pk, "title": previous.title, "closed_on": str(previous.closed_on)},
        "peers": None
        if not report.get("peers")
        else {"group": report["peer_group"], "organisations": report["peers"].organisations},
        "channels": report["channels"],
    }


def method_response(round, report):
    response = HttpResponse(
        json.dumps(method(round, report), indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(round, "method", "json")}"'
    return response
