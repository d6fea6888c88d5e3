"""A round's report: the page, the board summary and full report PDFs, the figures and answers
CSVs, and the method file an auditor recomputes them from.

Members of the round's organisation see the report; anyone else gets a 404, as if the round
did not exist. The respondent-level answers are for leads only, and only once the round has
closed. Every download is written to the organisation's access log. None of these pages may
be kept by a browser or a proxy: they are private to the organisation.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST, require_safe

from assessments.figures import comparison_rounds
from assessments.models import AccessLog, Round
from reports import charts, exports, svg
from reports.report import build_report, cache_key


def _round_for(request, pk):
    """The round, if the user belongs to its organisation; a 404 for everyone else."""
    return get_object_or_404(
        Round.objects.for_user(request.user).select_related(
            "organisation", "questionnaire_version__questionnaire"
        ),
        pk=pk,
    )


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def _log_download(request, round, what):
    AccessLog.objects.record(
        organisation=round.organisation,
        round=round,
        user=request.user,
        action=AccessLog.Action.DOWNLOAD,
        detail=f"{what} of “{round.title}”",
    )


def _is_lead(request, round):
    return Round.objects.led_by(request.user).filter(pk=round.pk).exists()


@require_safe
def round_report(request, pk):
    round = _round_for(request, pk)
    report = build_report(round)
    if not report["suppressed"]:
        charts.add_page_charts(report)
        svg.add_dot_chart(report)
        svg.add_gap_chart(report)
    report["is_lead"] = _is_lead(request, round)
    return _private(render(request, "reports/round.html", report))


@require_safe
def theme_report(request, pk, key):
    """One theme's answers to each question, and what staff said: a page of its own, so the
    report itself stays light."""
    round = _round_for(request, pk)
    report = build_report(round)
    if report["suppressed"]:
        return _private(render(request, "reports/theme.html", report))
    theme = next((t for t in report["themes"] if t.key == key), None)
    if theme is None:
        raise Http404("No such theme in this report.")
    theme.chart = charts.distribution_figure(
        [q.text for q in theme.questions],
        charts.answer_counts(theme),
        charts.answer_categories(report),
    )
    report.update(theme=theme, is_lead=_is_lead(request, round))
    return _private(render(request, "reports/theme.html", report))


@require_POST
def choose_comparison(request, pk):
    """A lead picks which earlier round the report compares with (empty: the latest)."""
    round = get_object_or_404(Round.objects.led_by(request.user), pk=pk)
    chosen = request.POST.get("comparison", "")
    eligible = {str(r.pk): r for r in comparison_rounds(round)}
    if chosen and chosen not in eligible:
        messages.error(request, "Choose one of the rounds listed to compare with.")
        return redirect("reports:round", round.pk)
    round.comparison_round = eligible.get(chosen)
    round.save(update_fields=["comparison_round"])
    AccessLog.objects.record(
        organisation=round.organisation,
        round=round,
        user=request.user,
        action=AccessLog.Action.CHANGE,
        detail=f"Compared “{round.title}” with "
        + (f"“{round.comparison_round.title}”" if round.comparison_round else "the latest round"),
    )
    return redirect(f"{round.get_absolute_url()}#trend")


def _pdf_response(request, pk, variant):
    # WeasyPrint takes most of a second to import (Pango, through cffi). Imported with the
    # first PDF instead of with the URLs, it no longer slows every command, check and worker.
    from reports import pdf

    round = _round_for(request, pk)

    def context():
        report = build_report(round, comments=variant == pdf.FULL)
        if not report["suppressed"]:
            svg.add_pdf_charts(report)
        return report

    content = pdf.cached_pdf(cache_key(round), variant, context)
    _log_download(request, round, pdf.TITLES[variant])
    filename = exports.filename(round, pdf.FILENAMES[variant], "pdf")
    response = HttpResponse(content, content_type="application/pdf")
    # inline: opens in the browser's viewer; the filename is used when it is saved.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return _private(response)


@require_safe
def board_pdf(request, pk):
    return _pdf_response(request, pk, "board")


@require_safe
def full_pdf(request, pk):
    return _pdf_response(request, pk, "full")


@require_safe
def figures_csv(request, pk):
    round = _round_for(request, pk)
    _log_download(request, round, "Figures CSV")
    return _private(exports.figures_csv_response(round, build_report(round)))


@require_safe
def method_json(request, pk):
    round = _round_for(request, pk)
    _log_download(request, round, "Method file")
    return _private(exports.method_response(round, build_report(round)))


@require_safe
def answers_csv(request, pk):
    """Respondent-level answers for analysts: leads only, closed rounds only (a 404 for
    viewers and for open rounds, whose answers are still arriving one by one)."""
    round = get_object_or_404(
        Round.objects.led_by(request.user).select_related(
            "organisation", "questionnaire_version__questionnaire"
        ),
        pk=pk,
    )
    if not round.is_closed:
        raise Http404("Answers are available once the round has closed.")
    _log_download(request, round, "Answers CSV")
    return _private(exports.answers_csv_response(round))
