import pytest

from tests.factories import RoundFactory, member_of, submit_responses


@pytest.fixture
def round(db):
    """An open round of a two-theme bank with 6 submitted responses (k is 5)."""
    round = RoundFactory()
    submit_responses(round, 6)
    return round


@pytest.fixture
def lead_client(client, round):
    client.force_login(member_of(round.organisation))
    return client
