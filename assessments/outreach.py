"""Reaching every member of staff: e-mailed invitations, reminders, and the results shared back.

- **Invitations.** A lead gives a list of addresses (assessments.forms.outreach reads it);
  `invite_staff` makes each new address a personal link (a personal `Response`, as
  `issue_personal_links` makes) and queues its e-mail in the outbox (maturity.mail), all in one
  transaction and in bulk, so that ten thousand return to the lead in well under two seconds.
  An address already invited to the round, in any case, is left alone: one address, one link.
- **Reminders** (assessments.reminders) go only to invitees who have not submitted.
- **Counts only.** The lead sees how many e-mails were sent, are waiting, or failed, and how
  many people each reminder reached: never who has answered.
- **The staff summary.** Once the round closes, a lead publishes the summary (the overall and
  theme scores, as the board sees them) or declines to; published, it is reachable from the
  round's open link and e-mailed to every invitee.
- **Erasure.** Addresses are kept only to send to. `erase_addresses` empties them, and deletes
  every e-mail sent to them from the outbox, once the round has closed and its summary has
  been declined or sent, and at the latest `KEEP_ADDRESSES_DAYS` after closing.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from assessments.models import (
    AccessLog,
    Response,
    Round,
    StaffEmail,
    StaffInvitation,
    StaffOutreach,
    Unit,
)
from assessments.responses import survey_plan
from maturity.mail import queue_emails
from maturity.models import Email

KEEP_ADDRESSES_DAYS = 30
# Invitation e-mails a worker task writes into the outbox at once.
INVITATION_BATCH = 500
# Stand-ins for each invitee's own links: the body is rendered once, then the links are put
# in, which keeps ten thousand e-mails a string replacement each rather than a template each.
LINK, STOP_LINK = "\x00personal-link\x00", "\x00stop-link\x00"


@dataclass(frozen=True)
class Invitee:
    address: str  # lower case
    unit: Unit | None = None


@dataclass(frozen=True)
class Preview:
    new: int
    already_invited: int


def check_can_invite(round: Round) -> None:
    if round.is_closed:
        raise ValidationError("This round has closed, so nobody can be invited.", code="closed")
    if round.status != Round.Status.OPEN:
        raise ValidationError(
            "Open the round before inviting staff: they cannot answer a draft.", code="draft"
        )


def preview_invitations(*, round: Round, invitees: list[Invitee]) -> Preview:
    """How many of `invitees` would be new to the round, and how many are invited already."""
    invited = set(round.invitations.values_list("address", flat=True))
    already = sum(1 for invitee in invitees if invitee.address in invited)
    return Preview(new=len(invitees) - already, already_invited=already)


def _minutes(round: Round) -> int:
    plan = survey_plan(round.questionnaire_version)
    return plan.short_minutes if round.is_short else plan.full_minutes


def _url(name: str, *, base_url: str):
    """A function from a token to the absolute URL of `name`: reversed once, not per e-mail."""
    prefix, suffix = reverse(name, args=["TOKEN"]).split("TOKEN")
    return lambda token: f"{base_url}{prefix}{token}{suffix}"


def _emails(
    *, invitations: list[StaffInvitation], template: str, context: dict, base_url: str
) -> list[Email]:
    """One unsaved e-mail of `template` to each invitation, with its own links."""
    round = context["round"]
    context = {
        **context,
        "organisation": round.organisation,
        "service_name": settings.SERVICE_NAME,
        "personal_link": LINK,
        "stop_link": STOP_LINK,
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_email.txt", context)
    now = timezone.now()
    personal_url = _url("assessments:resume", base_url=base_url)
    stop_url = _url("assessments:stop_reminders", base_url=base_url)
    return [
        Email(
            to=invitation.address,
            subject=subject,
            created_at=now,
            body=body.replace(LINK, personal_url(invitation.response.token)).replace(
                STOP_LINK, stop_url(invitation.stop_token)
            ),
        )
        for invitation in invitations
    ]


def queue_to_invitees(*, invitations: list[StaffInvitation], kind: str, **options) -> int:
    """Queue a reminder or summary to each invitation, and note which went to whom."""
    emails = queue_emails(_emails(invitations=invitations, **options))
    StaffEmail.objects.bulk_create(
        StaffEmail(invitation=invitation, email=email, kind=kind)
        for invitation, email in zip(invitations, emails, strict=True)
    )
    return len(emails)


@transaction.atomic
def invite_staff(*, round: Round, invitees: list[Invitee], base_url: str, invited_by=None) -> int:
    """Invite each address not yet invited to `round`; return how many were invited.

    Each gets a personal link, made in this transaction: all of them or, if anything fails,
    none. Once it commits, the worker writes their e-mails into the outbox, a batch a task
    (`write_invitations`), and sends them: so the lead waits only for the rows. `base_url` is
    the site's address without a final slash.
    """
    # Locked so that two uploads at once cannot both find an address new.
    round = Round.objects.select_for_update().select_related("organisation").get(pk=round.pk)
    check_can_invite(round)
    invited = set(round.invitations.values_list("address", flat=True))
    new, seen = [], set()
    for invitee in invitees:
        if invitee.address not in invited and invitee.address not in seen:
            seen.add(invitee.address)
            new.append(invitee)
    if not new:
        return 0
    for invitee in new:
        if invitee.unit is not None and invitee.unit.organisation_id != round.organisation_id:
            raise ValidationError("Choose one of your organisation's units.", code="invalid_unit")
    by_unit = round.breakdown == Round.Breakdown.UNIT
    # In a round that compares units, the unit the lead gave is the answer already chosen on
    # the "about you" page; the respondent can still change it, or decline to say.
    now = timezone.now()  # once, rather than a default for each of many rows
    responses = Response.objects.bulk_create(
        # Ids rather than objects: a tenth faster for rows made by the thousand.
        Response(
            round_id=round.pk,
            is_personal=True,
            unit_id=invitee.unit.pk if by_unit and invitee.unit else None,
            created_at=now,
        )
        for invitee in new
    )
    invitations = StaffInvitation.objects.bulk_create(
        StaffInvitation(
            round_id=round.pk,
            address=invitee.address,
            unit_id=invitee.unit.pk if invitee.unit else None,
            response_id=response.pk,
            created_at=now,
        )
        for invitee, response in zip(new, responses, strict=True)
    )
    ids = [invitation.pk for invitation in invitations]
    # robust: should the queue be unreachable, the invitations are saved and
    # requeue_invitations finds them.
    transaction.on_commit(lambda: enqueue_invitations(ids, base_url), robust=True)
    StaffOutreach.objects.get_or_create(round=round)
    AccessLog.objects.record(
        organisation=round.organisation,
        round=round,
        user=invited_by,
        action=AccessLog.Action.INVITATIONS,
        detail=f"Invited {len(invitations):,} staff by e-mail to “{round.title}”",
    )
    return len(invitations)


def _batched(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + INVITATION_BATCH] for start in range(0, len(ids), INVITATION_BATCH)]


def enqueue_invitations(ids: list[int], base_url: str) -> None:
    """One `write_invitations` task a batch, all enqueued in one transaction: with the
    database backend, one commit rather than one a task."""
    with transaction.atomic():
        for batch in _batched(ids):
            write_invitations.enqueue(batch, base_url)


@task()
def write_invitations(invitation_ids: list[int], base_url: str) -> int:
    """Write the invitation e-mails of these invitations into the outbox, once each.

    Run by the worker. The invitations are locked and only those without their e-mail are
    written, in one transaction with the e-mails, so a second run of the same batch (a task
    requeued after its worker died) writes nothing twice; the outbox then sends each once.
    """
    with transaction.atomic():
        invitations = list(
            StaffInvitation.objects.select_for_update(of=("self",))
            .filter(pk__in=invitation_ids, email=None)
            .exclude(address="")
            .select_related("response", "round__organisation")
            .order_by("pk")
        )
        if not invitations:
            return 0
        round = invitations[0].round
        if round.is_closed:
            return 0  # closed before the worker came to them: a link would only say so
        emails = queue_emails(
            _emails(
                invitations=invitations,
                template="assessments/outreach/invitation",
                context={
                    "round": round,
                    "opens_later": round.opens_on > timezone.localdate(),
                    "minutes": _minutes(round),
                },
                base_url=base_url,
            )
        )
        for invitation, email in zip(invitations, emails, strict=True):
            invitation.email = email
        StaffInvitation.objects.bulk_update(invitations, ["email"])
    return len(invitations)


def requeue_invitations(*, base_url: str, older_than=datetime.timedelta(minutes=10)) -> int:
    """Enqueue again the invitations whose e-mail was never written: their task was lost with
    its worker, or the queue could not be reached. A spare task writes nothing."""
    lost = list(
        StaffInvitation.objects.filter(email=None, created_at__lt=timezone.now() - older_than)
        .exclude(address="")
        .exclude(round__in=Round.objects.closed())
        .values_list("pk", flat=True)
    )
    enqueue_invitations(lost, base_url)
    return len(lost)


def invitation_counts(round: Round) -> dict[str, int]:
    """How many of the round's invitations were sent, wait to be sent, or failed;
    `retrying`: those of the waiting that the mail server has refused or could not take yet."""
    counts = round.invitations.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(email__status=Email.Status.SENT)),
        retrying=Count("pk", filter=Q(email__status=Email.Status.QUEUED, email__attempts__gt=0)),
        failed=Count("pk", filter=Q(email__status=Email.Status.FAILED)),
    )
    # Not yet in the outbox counts as waiting too.
    counts["waiting"] = counts["total"] - counts["sent"] - counts["failed"]
    return counts


def email_counts(round: Round, kind: str) -> dict[str, int]:
    """As `invitation_counts`, for the round's reminders or summaries."""
    status = "email__status"
    return StaffEmail.objects.filter(invitation__round=round, kind=kind).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(**{status: Email.Status.SENT})),
        waiting=Count("pk", filter=Q(**{status: Email.Status.QUEUED})),
        retrying=Count("pk", filter=Q(**{status: Email.Status.QUEUED}, email__attempts__gt=0)),
        failed=Count("pk", filter=Q(**{status: Email.Status.FAILED})),
    )


def reachable_invitations(round: Round):
    """The round's invitees whose address is kept and whose invitation was not given up."""
    return (
        round.invitations.exclude(address="")
        .exclude(email__status=Email.Status.FAILED)
        .select_related("response")
    )


def _decide(round: Round, decision: str, user) -> StaffOutreach:
    if not round.is_closed:
        raise ValidationError(
            "The staff summary can be shared once the round has closed.", code="not_closed"
        )
    outreach, _ = StaffOutreach.objects.select_for_update().get_or_create(round=round)
    if outreach.summary:
        raise ValidationError(
            f"The staff summary has already been {outreach.get_summary_display().lower()}.",
            code="decided",
        )
    outreach.summary = decision
    outreach.summary_decided_at, outreach.summary_decided_by = timezone.now(), user
    outreach.save(update_fields=["summary", "summary_decided_at", "summary_decided_by"])
    return outreach


@transaction.atomic
def publish_staff_summary(*, round: Round, base_url: str, published_by=None) -> int:
    """Publish the round's staff summary and e-mail it to every invitee; return how many."""
    _decide(round, StaffOutreach.Summary.PUBLISHED, published_by)
    summary_url = base_url + reverse("reports:staff_summary", args=[round.open_token])
    return queue_to_invitees(
        invitations=list(reachable_invitations(round)),
        kind=StaffEmail.Kind.SUMMARY,
        template="assessments/outreach/summary",
        context={"round": round, "summary_url": summary_url},
        base_url=base_url,
    )


@transaction.atomic
def decline_staff_summary(*, round: Round, declined_by=None) -> None:
    """Share no summary with staff; the addresses then have no further use and are erased."""
    _decide(round, StaffOutreach.Summary.DECLINED, declined_by)
    erase_round_addresses(round)


@transaction.atomic
def erase_round_addresses(round: Round) -> None:
    """Empty the round's invitees' addresses and delete every e-mail sent to them."""
    later = StaffEmail.objects.filter(invitation__round=round).values("email_id")
    Email.objects.filter(pk__in=later).delete()
    Email.objects.filter(pk__in=round.invitations.values("email_id")).delete()
    round.invitations.exclude(address="").update(address="")
    StaffOutreach.objects.update_or_create(
        round=round, defaults={"addresses_erased_at": timezone.now()}
    )


def erase_addresses() -> int:
    """Erase the addresses of every closed round that no longer needs them; return how many
    rounds: its summary declined, or published and sent (given up counts as done), or
    `KEEP_ADDRESSES_DAYS` after closing whatever was decided."""
    today = timezone.localdate()
    cutoff = today - datetime.timedelta(days=KEEP_ADDRESSES_DAYS)
    long_closed = Q(closed_at__isnull=False, closed_at__date__lt=cutoff) | Q(
        closed_at__isnull=True, closes_on__lt=cutoff
    )
    summary_waiting = StaffEmail.objects.filter(
        kind=StaffEmail.Kind.SUMMARY, email__status=Email.Status.QUEUED
    ).values("invitation__round")
    done = Q(outreach__summary=StaffOutreach.Summary.DECLINED) | (
        Q(outreach__summary=StaffOutreach.Summary.PUBLISHED) & ~Q(pk__in=summary_waiting)
    )
    rounds = (
        Round.objects.closed(today)
        .filter(pk__in=StaffInvitation.objects.exclude(address="").values("round"))
        .filter(long_closed | done)
    )
    erased = 0
    for round in rounds:
        erase_round_addresses(round)
        erased += 1
    return erased
