import pytest

from tests.factories import closed_round, member_of, submit_responses


@pytest.fixture
def round(db):
    """A closed round of a two-theme bank with 6 submitted responses (k is 5): its final
    figures count them all."""
    round = closed_round()
    submit_responses(round, 6)
    return round


@pytest.fixture
def lead_client(client, round):
    client.force_login(member_of(round.organisation))
    return client
