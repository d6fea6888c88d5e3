"""A round's report: the page, the board summary and full report PDFs, and two CSVs; and the
one-person summary a respondent sees when they submit.

Members of the round's organisation, leads and viewers alike, see the report; anyone else
gets a 404, as if the round did not exist. What they show is arranged by
`reports.report.build_report`.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from assessments.figures import response_scores
from assessments.models import Round
from assessments.views.survey import render_survey_page, survey_page
from maturity.versioning import version_content
from reports import charts, exports, pdf, svg
from reports.report import Score, build_report, points


def _radar_series(report):
    """The radar's lines, a value per theme in bank order: this round, then the previous
    round and the peer median where the report has them."""
    themes = report["themes"]
    series = [
        charts.Series(
            "This round",
            tuple(points(t.figures.mean) for t in themes),
            charts.THIS_ROUND,
            fill=True,
        )
    ]
    if report["trend"]:
        previous = tuple(points(t.trend.previous) if t.trend else None for t in themes)
        if any(value is not None for value in previous):
            series.append(charts.Series("Previous round", previous, charts.PREVIOUS_ROUND, "dash"))
    if report["peers"]:
        medians = tuple(points(t.peer.median) if t.peer else None for t in themes)
        if any(value is not None for value in medians):
            series.append(charts.Series("Peer median", medians, charts.PEER_MEDIAN, "dot"))
    return series


def _categories(report):
    """The answer categories of the stacked bars: levels 1 to 5, then N/A and don't know."""
    names = report["level_names"]
    return [*(f"{i} {name}".strip() for i, name in enumerate(names, 1)), "N/A", "Don’t know"]


def _counts(theme):
    return [
        [*q.figures.counts, q.figures.not_applicable, q.figures.dont_know] for q in theme.questions
    ]


def web_charts(report):
    """Plotly figures for the page, each embedded with json_script and drawn by
    static/js/report-charts.js."""
    themes = report["themes"]
    titles = [theme.title for theme in themes]
    report["radar"] = charts.radar_figure(titles, _radar_series(report))
    if report["groups"]["series"]:
        report["groups_chart"] = charts.groups_figure(titles, report["groups"]["series"])
    categories = _categories(report)
    for theme in themes:
        theme.chart = charts.distribution_figure(
            [q.text for q in theme.questions], _counts(theme), categories
        )


def pdf_charts(report):
    """The same charts as SVG, drawn here, for the PDFs. charts.py escapes every text it
    writes into the SVG, so the markup is safe to insert as it is."""
    themes = report["themes"]
    titles = [theme.title for theme in themes]
    series = _radar_series(report)
    names = ", ".join(s.name.lower() for s in series)
    report["radar_svg"] = mark_safe(
        svg.radar_svg(
            titles,
            series,
            # The title is also the PDF's alternative text for the chart.
            title=f"Radar chart of the theme scores out of 100 ({names}); "
            "the table that follows gives the same figures.",
            description=f"One spoke per theme, 0 at the centre and 100 at the edge: {names}.",
        )
    )
    if report["groups"]["series"]:
        report["groups_svg"] = mark_safe(
            svg.groups_svg(
                titles,
                report["groups"]["series"],
                title="Bar chart of the theme scores by role group; "
                "the table that follows gives the same figures.",
                description="For each theme, a bar for each role group shown, 0 to 100.",
            )
        )
    categories = _categories(report)
    for theme in themes:
        theme.svg = mark_safe(
            svg.distribution_svg(
                [q.text for q in theme.questions],
                _counts(theme),
                categories,
                title=f"Bar chart of the answers to each question in {theme.title}; "
                "the table that follows gives the counts.",
                description="For each question, the share of answers at each level from 1 to "
                "5, then not applicable and don't know.",
            )
        )


def _round_for(request, pk):
    """The round, if the user belongs to its organisation; a 404 for everyone else."""
    return get_object_or_404(
        Round.objects.for_user(request.user).select_related(
            "organisation", "questionnaire_version"
        ),
        pk=pk,
    )


@require_safe
def round_report(request, pk):
    round = _round_for(request, pk)
    report = build_report(round)
    if not report["suppressed"]:
        web_charts(report)
    return render(request, "reports/round.html", report)


def _pdf_response(request, pk, variant):
    round = _round_for(request, pk)

    def context():
        report = build_report(round)
        if not report["suppressed"]:
            pdf_charts(report)
        return report

    content = pdf.cached_pdf(round, variant, context)
    filename = exports.filename(round, pdf.FILENAMES[variant], "pdf")
    response = HttpResponse(content, content_type="application/pdf")
    # inline: opens in the browser's viewer; the filename is used when it is saved.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def board_pdf(request, pk):
    return _pdf_response(request, pk, pdf.BOARD)


@require_safe
def full_pdf(request, pk):
    return _pdf_response(request, pk, pdf.FULL)


@require_safe
def figures_csv(request, pk):
    round = _round_for(request, pk)
    return exports.figures_csv_response(round, build_report(round))


@require_safe
def answers_csv(request, pk):
    return exports.answers_csv_response(_round_for(request, pk))


@require_safe
@survey_page
def confirmation(request, response):
    """The respondent's confirmation: their own theme scores, as a table and a radar."""
    if not response.is_submitted:
        return redirect("assessments:tasks")
    content = version_content(response.round.questionnaire_version)
    scores = response_scores(response)
    rows = []
    for theme in content.themes:
        score = scores.get(theme.key)
        shown = Score.of(score.score if score else None, content.level_names)
        row = {"theme": theme, "score": shown.points if shown else None}
        if shown:
            row.update(level=shown.level, level_name=shown.name)
        rows.append(row)
    radar = None
    if any(row["score"] is not None for row in rows):
        mine = tuple(row["score"] for row in rows)
        radar = charts.radar_figure(
            [row["theme"].title for row in rows],
            [charts.Series("Your scores", mine, charts.THIS_ROUND, fill=True)],
        )
    context = {"scores": rows, "radar": radar}
    return render_survey_page(request, response, "reports/confirmation.html", context)
