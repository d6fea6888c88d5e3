"""What staff wrote beside their answers, screened before anyone reads it.

A comment is shown only with the snapshot that counts its response, only once its question
has at least k comments in that snapshot, in an order that has nothing to do with when it
was written, and with e-mail addresses, phone numbers, web addresses and long numbers taken
out. A lead can hide a comment (the access log records it); nothing is ever deleted.
"""

import hashlib
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count

from assessments.models import AccessLog, Answer

REMOVED = "[removed]"
# Most specific first: an address or URL holds digits that the number patterns would take.
SCREENS = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail addresses
    re.compile(
        r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:uk|com|org|net|gov|io)\b\S*", re.I
    ),
    re.compile(r"(?:\+?\d[\d ()-]{7,}\d)"),  # phone numbers: 9 or more digits with spacing
    re.compile(r"\d{6,}"),  # long digit strings: staff, case or account numbers
]


def screen(text):
    """`text` with contact details and long numbers replaced by "[removed]"."""
    for pattern in SCREENS:
        text = pattern.sub(REMOVED, text)
    return text


def _order(answer_id, round_token):
    # A stable order keyed on a secret of the round: unrelated to time, the same every visit.
    return hashlib.sha256(f"{round_token}:{answer_id}".encode()).hexdigest()


@dataclass(frozen=True)
class Comment:
    id: int
    text: str  # screened
    hidden: bool


# Screening and ordering every comment of a 10,000-response round takes a quarter of a
# second, for a result that only a new snapshot or a lead's hide changes: cached on both.
CACHE_SECONDS = 6 * 60 * 60


def snapshot_comments(round, snapshot_number, *, include_hidden=False):
    """Question id -> its comments counted by the snapshot, screened and in the round's own
    order; questions with fewer than k comments are left out."""
    # The latest hide or show in the access log: any change of a comment's hidden flag adds
    # one, so the key moves with it, whatever the cache has forgotten meanwhile.
    last_change = (
        AccessLog.objects.filter(
            round=round, action__in=[AccessLog.Action.HIDE_COMMENT, AccessLog.Action.SHOW_COMMENT]
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    key = f"comments:{round.pk}:{snapshot_number}:{include_hidden}:{last_change}"
    comments = cache.get(key)
    if comments is None:
        comments = _screened_comments(round, snapshot_number, include_hidden=include_hidden)
        cache.set(key, comments, CACHE_SECONDS)
    return comments


def _screened_comments(round, snapshot_number, *, include_hidden):
    answers = Answer.objects.filter(
        response__round=round, response__snapshot__lte=snapshot_number
    ).exclude(comment="")
    totals = dict(answers.order_by().values_list("question_id").annotate(n=Count("pk")))
    enough = [q for q, n in totals.items() if n >= round.anonymity_threshold]
    rows = answers.filter(question_id__in=enough)
    if not include_hidden:
        rows = rows.filter(comment_hidden=False)
    comments = {}
    for id, question_id, text, hidden in rows.values_list(
        "pk", "question_id", "comment", "comment_hidden"
    ):
        comments.setdefault(question_id, []).append(Comment(id, screen(text), hidden))
    for shown in comments.values():
        shown.sort(key=lambda comment: _order(comment.id, round.open_token))
    return comments


def hide_comment(*, answer, user, hidden=True):
    """Hide a comment from the report (or show it again), and say so in the access log."""
    round = answer.response.round
    # One transaction: the log entry that moves the cache key (snapshot_comments) commits
    # with the change it stands for.
    with transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(comment_hidden=hidden)
        AccessLog.objects.record(
            organisation=round.organisation,
            round=round,
            user=user,
            action=AccessLog.Action.HIDE_COMMENT if hidden else AccessLog.Action.SHOW_COMMENT,
            detail=f"Comment {answer.pk} on “{answer.question.text[:120]}”",
        )
