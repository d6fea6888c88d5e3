import pytest

from tests.factories import published_version


@pytest.fixture
def version(db):
    """A published questionnaire version: two themes of three questions."""
    return published_version()
