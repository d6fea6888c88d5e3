"""CSV downloads of a round: its figures, and its anonymised answers for analysts.

Both are streamed, UTF-8 with a byte order mark so that Excel reads them as UTF-8, and every
text cell that a spreadsheet would take for a formula (starting with =, +, -, @, a tab or a
carriage return) gets a leading apostrophe: titles, question texts and keys are typed by
admins. Numbers are written as numbers. Under the anonymity threshold both have a header row
and no rows. Both are generated row by row as they are sent, never built whole in memory.
"""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from assessments import aggregates, scoring
from assessments.models import Answer, Response
from maturity.versioning import version_content

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ANSWER_VALUES = {scoring.NOT_APPLICABLE: "not applicable", scoring.DONT_KNOW: "don't know"}
NOT_STATED = "not stated"
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


def _number(value, places=2):
    return "" if value is None else round(value, places)


def _level(mean):
    return "" if mean is None else scoring.maturity_level(mean)


# Figures

FIGURE_COLUMNS = [
    "row",
    "theme",
    "question",
    "role_group",
    "title",
    "responses",
    "scored",
    "not_scored",
    "mean",
    "maturity_level",
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
    "change",
    "peer_median",
    "peer_q1",
    "peer_q3",
    "peer_organisations",
]


def _row(**cells):
    return [cells.get(column, "") for column in FIGURE_COLUMNS]


def _spread(summary):
    return {
        "scored": summary.n,
        "not_scored": summary.not_scored,
        "mean": _number(summary.mean),
        "maturity_level": _level(summary.mean),
        "sd": _number(summary.sd),
        "q1": _number(summary.q1),
        "median": _number(summary.median),
        "q3": _number(summary.q3),
        "iqr": _number(summary.iqr),
        "disagreement": "yes" if summary.disagreement else "no",
    }


def _change(trend):
    if trend is None:
        return {}
    return {"previous_mean": _number(trend.previous), "change": _number(trend.delta)}


def figure_rows(report):
    """An overall row, then each theme, its questions, and its figures for each shown role
    group. Unrounded figures to two decimal places; the page shows whole points."""
    if report["suppressed"]:
        return
    figures = report["figures"]
    yield _row(row="overall", responses=figures.responses, mean=_number(figures.overall))
    groups = figures.visible_groups
    for index, theme in enumerate(report["themes"]):
        t, peer = theme.figures, theme.peer
        yield _row(
            row="theme",
            theme=theme.key,
            title=theme.title,
            responses=figures.responses,
            dont_know_share=_number(t.knowledge_gap, 4),
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
            yield _row(
                row="question",
                theme=theme.key,
                question=question.key,
                title=question.text,
                responses=q.answers,
                scored=q.answered,
                mean=_number(q.mean),
                maturity_level=_level(q.mean),
                not_applicable=q.not_applicable,
                dont_know=q.dont_know,
                **levels,
                **_change(question.trend),
            )
        for group in groups:
            yield _row(
                row="role_group",
                theme=theme.key,
                role_group=group.role_group or NOT_STATED,
                responses=group.responses,
                **_spread(group.themes[index]),
            )


def figures_csv_response(round, report):
    return _response(round, "figures", FIGURE_COLUMNS, figure_rows(report))


# Answers

ANSWER_COLUMNS = ["response", "role_group", "theme", "question", "answer"]


def answer_rows(round):
    """One row per answer of each submitted response, numbered 1 to n in a random order.

    The numbers follow the responses' random tokens, not the order of submission: a lead
    who knows when a colleague submitted cannot find that colleague's row.

    The role group is given only for groups `aggregates.group_visibility` shows, so a blank
    stands for at least k people. Visibility and numbering come from one read of the
    submitted responses, and only those responses' answers are written, so a submission
    landing mid-download cannot make a blank group smaller than the rule allows.

    Answers are read RESPONSES_PER_CHUNK responses at a time, by primary key through the
    (response, question) index, with no join and no sort in the database: memory stays
    bounded, and the time grows with the number of answers whatever the planner thinks of
    the round (one query ordering all of a large round's answers through a server-side
    cursor was picked a fast-start plan that took minutes when statistics were stale).
    """
    submitted = list(
        Response.objects.filter(round=round, submitted_at__isnull=False)
        .order_by("token")
        .values_list("pk", "role_group")
    )
    if len(submitted) < round.anonymity_threshold:
        return
    counts = {}
    for _, role_group in submitted:
        counts[role_group] = counts.get(role_group, 0) + 1
    visibility = aggregates.group_visibility(counts, round.anonymity_threshold)
    # Question id -> (position in the questionnaire, theme key, concept key).
    content = version_content(round.questionnaire_version)
    questions = {
        question.pk: (position, question.theme.key, question.concept_key)
        for position, question in enumerate(content.questions())
    }
    for start in range(0, len(submitted), RESPONSES_PER_CHUNK):
        chunk = submitted[start : start + RESPONSES_PER_CHUNK]
        numbers = {pk: number for number, (pk, _) in enumerate(chunk, start=start + 1)}
        groups = {pk: (group or NOT_STATED) if not visibility[group] else "" for pk, group in chunk}
        answers = Answer.objects.filter(
            response_id__in=list(numbers),
            kind__in=[scoring.LEVEL, scoring.NOT_APPLICABLE, scoring.DONT_KNOW],
        ).values_list("response_id", "question_id", "kind", "level")
        rows = sorted(answers, key=lambda a: (numbers[a[0]], questions[a[1]][0]))
        for response_id, question_id, kind, level in rows:
            _, theme, concept = questions[question_id]
            yield [
                numbers[response_id],
                groups[response_id],
                theme,
                concept,
                level or ANSWER_VALUES[kind],
            ]


def answers_csv_response(round):
    return _response(round, "answers", ANSWER_COLUMNS, answer_rows(round))
