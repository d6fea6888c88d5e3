"""The organisation's actions as CSV, for members: the plan's page lists them, this file is
for the spreadsheet a programme board keeps. Written to the access log like every download."""

from django.http import StreamingHttpResponse
from django.views.decorators.http import require_safe

from assessments.models import AccessLog, plan_themes
from assessments.views.organisations import membership_of
from reports.exports import _lines
from reports.views.report import _private

HEADER = ["theme", "title", "owner", "due_on", "status", "completed_on", "from_recommendation"]


@require_safe
def actions_csv(request, pk):
    organisation = membership_of(request, pk).organisation
    titles = {theme.key: theme.title for theme in plan_themes(organisation)}
    rows = (
        [
            titles.get(action.theme_key, action.theme_key),
            action.title,
            action.owner,
            action.due_on.isoformat(),
            action.get_status_display(),
            action.completed_on.isoformat() if action.completed_on else "",
            "yes" if action.recommendation_id else "no",
        ]
        for action in organisation.actions.all()
    )
    AccessLog.objects.record(
        organisation=organisation,
        user=request.user,
        action=AccessLog.Action.DOWNLOAD,
        detail="Actions CSV",
    )
    response = StreamingHttpResponse(_lines(HEADER, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="actions-{organisation.pk}.csv"'
    return _private(response)
