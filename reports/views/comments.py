"""Screening what staff wrote: every comment the round's current snapshot counts, for the
organisation's members to read, and for its leads to hide (or show again).

Hiding is recorded in the access log and never deletes anything (assessments.comments).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST, require_safe

from assessments.comments import hide_comment, snapshot_comments
from assessments.figures import current_snapshot
from assessments.models import Answer, Round
from maturity.versioning import version_content


@require_safe
def round_comments(request, pk):
    round = get_object_or_404(
        Round.objects.for_user(request.user).select_related(
            "organisation", "questionnaire_version"
        ),
        pk=pk,
    )
    snapshot = current_snapshot(round)
    is_lead = Round.objects.led_by(request.user).filter(pk=round.pk).exists()
    comments = snapshot_comments(round, snapshot.number, include_hidden=is_lead) if snapshot else {}
    themes = []
    for theme in version_content(round.questionnaire_version).themes:
        questions = [
            {"question": q, "comments": comments[q.pk]}
            for q in theme.questions.all()
            if q.pk in comments
        ]
        if questions:
            themes.append({"theme": theme, "questions": questions})
    context = {"round": round, "themes": themes, "is_lead": is_lead, "snapshot": snapshot}
    response = render(request, "reports/comments.html", context)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
def hide(request, pk):
    """Hide a comment, or show it again: the lead's organisations only, a 404 for the rest."""
    answer = get_object_or_404(
        Answer.objects.select_related("response__round__organisation", "question").filter(
            response__round__in=Round.objects.led_by(request.user)
        ),
        pk=pk,
    )
    hidden = request.POST.get("hidden") != "false"
    hide_comment(answer=answer, user=request.user, hidden=hidden)
    messages.success(
        request,
        "The comment is hidden from the report." if hidden else "The comment is shown again.",
    )
    return redirect("reports:comments", answer.response.round_id)
