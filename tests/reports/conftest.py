import datetime

import pytest
from django.utils import timezone

from assessments.models import Membership, Round
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    published_version,
    submit_responses,
)


def member_of(organisation, role=Membership.Role.LEAD):
    return MembershipFactory(organisation=organisation, role=role).user


def closed_round(organisation, version, *, days_ago=60, **fields):
    """A round of `organisation` that closed `days_ago` days ago."""
    closes = timezone.localdate() - datetime.timedelta(days=days_ago)
    return RoundFactory(
        organisation=organisation,
        questionnaire_version=version,
        opens_on=closes - datetime.timedelta(days=28),
        closes_on=closes,
        status=Round.Status.CLOSED,
        closed_at=timezone.now(),
        **fields,
    )


def peer_rounds(version, count, *, level=3, function=None):
    """`count` other organisations, each with a closed round of `version` that reached k."""
    rounds = []
    for _ in range(count):
        organisation = OrganisationFactory(**({"function": function} if function else {}))
        rounds.append(closed_round(organisation, version))
        submit_responses(rounds[-1], 5, level=level)
    return rounds


@pytest.fixture
def round(db):
    """An open round of a two-theme bank with 6 submitted responses (k is 5)."""
    round = RoundFactory(questionnaire_version=published_version())
    submit_responses(round, 6)
    return round


@pytest.fixture
def lead_client(client, round):
    client.force_login(member_of(round.organisation))
    return client
