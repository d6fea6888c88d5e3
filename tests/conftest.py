import logging
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
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


@pytest.fixture(autouse=True, scope="session")
def _static_files_looked_up_when_asked():
    """WhiteNoise finds static files as they are asked for, as in development.

    Otherwise its middleware lists every file under STATIC_ROOT when it starts, and each test
    client starts the middleware again: once `collectstatic` has filled STATIC_ROOT (`make
    bench` runs it) that is 75 ms a client, and the suite took 109 s instead of 68.
    """
    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture
def version(db):
    """A published questionnaire version: two themes of three questions (shared_version)."""
    return shared_version()


@pytest.fixture
def empty_bank(db):
    """A database without any question bank: shared_version() is gone for the test."""
    remove_shared_version()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """Some tests start worker processes, which open the test database themselves: on SQLite
    it must be a file rather than Django's usual in-memory database."""
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.db")


class MailSink:
    """A real SMTP server (aiosmtpd, in a thread) that keeps each message it accepts.

    `refuse` answers 451 ("try again later") to that many messages. `interrupt(kept)` is
    called before a message is kept; when it returns true the message is not kept.
    """

    def __init__(self, port):
        self.port = port
        self.url = f"smtp://127.0.0.1:{port}"
        self.messages = []
        self.refuse = 0
        self.interrupt = None
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        if self.interrupt and self.interrupt(len(self.messages)):
            return "421 4.3.0 Closing"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 Accepted"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A running MailSink, with the email settings pointing at it."""
    # aiosmtpd narrates every command, addresses included, at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = MailSink(free_port())
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield sink
    sink.stop()


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database backend's table, as in production, rather than running at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def pytest_collection_modifyitems(items):
    """The slow tests first: spread over several cores (pytest-xdist hands tests out in this
    order), the longest then starts at once instead of keeping one core busy after the rest."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
