"""The respondent's confirmation page: their own theme scores, drawn as reports are drawn."""

from collections import Counter

from django.conf import settings
from django.views.decorators.http import require_safe

from assessments import margins
from assessments.figures import response_scores
from assessments.views.session import confirmation_page, time_phrase
from assessments.views.survey import render_survey_page
from maturity.versioning import version_content
from reports import charts, palette
from reports.report import Score


@require_safe
@confirmation_page
def confirmation(request, response):
    """The respondent's confirmation: their own theme scores, as a table and a radar."""
    content = version_content(response.round.questionnaire_version)
    scores = response_scores(response)
    # A short round asked each person part of each theme: say how much their scores cover.
    asked = Counter(response.answers.values_list("question__theme__key", flat=True))
    rows = []
    for theme in content.themes:
        score = scores.get(theme.key)
        mine = score.score if score else None
        shown = Score.of(margins.Estimate(mine, None, 1, 0), content.level_names)
        row = {
            "theme": theme,
            "score": shown.points if shown else None,
            "asked": asked[theme.key],
            "questions": len(theme.questions.all()),
        }
        if shown:
            row.update(level=shown.level, level_name=shown.name)
        rows.append(row)
    radar = None
    if any(row["score"] is not None for row in rows):
        mine = tuple(row["score"] for row in rows)
        radar = charts.radar_figure(
            [row["theme"].title for row in rows],
            [palette.Series("Your scores", mine, palette.THIS_ROUND, fill=True)],
        )
    context = {
        "scores": rows,
        "radar": radar,
        "short": response.round.is_short,
        "closes_in": time_phrase(settings.SURVEY_CONFIRMATION_MINUTES),
    }
    return render_survey_page(request, response, "reports/confirmation.html", context)
