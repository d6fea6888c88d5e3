import pytest
from django.test import override_settings

from tests.factories import remove_shared_version, shared_version


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the question bank version rounds share (shared_version)."""
    with django_db_blocker.unblock():
        shared_version()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Hash passwords with MD5, as Django's testing docs advise.

    The production hasher (PBKDF2, a million iterations) takes a third of a second a password
    by design: spent on every user a factory makes, it was the biggest cost of the suite.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def version(db):
    """A published questionnaire version: two themes of three questions (shared_version)."""
    return shared_version()


@pytest.fixture
def empty_bank(db):
    """A database without any question bank: shared_version() is gone for the test."""
    remove_shared_version()
