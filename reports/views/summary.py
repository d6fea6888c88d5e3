"""The staff summary: a closed round's overall and theme scores, as the board sees them,
published by a lead for the staff who were asked (assessments.outreach).

Public, like the survey: reached from the round's open link, which staff already have. It
shows nothing the board summary does not, and nothing about a group or one person.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments.models import Round, StaffOutreach
from assessments.throttling import token_link
from reports.report import build_report


@token_link
@require_safe
def staff_summary(request, open_token):
    round = (
        Round.objects.select_related("organisation", "questionnaire_version")
        .filter(
            open_token=open_token,
            outreach__summary=StaffOutreach.Summary.PUBLISHED,
        )
        .first()
    )
    if round is None or not round.is_closed:
        return render(request, "assessments/link_not_valid.html", status=404)
    return render(request, "reports/staff_summary.html", build_report(round))
