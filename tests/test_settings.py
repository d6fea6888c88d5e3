import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(settings.BASE_DIR)


def test_every_environment_variable_is_documented_in_env_example():
    read = set(
        re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', (ROOT / "maturity/settings.py").read_text())
    )
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))

    assert read, "no environment variables found: has settings.py changed its style?"
    assert read - documented == set()
    assert documented - read == set()


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()

    assert "make run" in readme and "make test" in readme


def settings_with(monkeypatch, **environment):
    """settings.py's values for this environment, read afresh."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "maturity/settings.py"))


SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    "url, expected",
    [
        ("smtp://relay.internal", ("relay.internal", 25, False, False, "", "")),
        (
            "smtp+tls://maturity%40example.gov.uk:p%2Fss@smtp.example.gov.uk",
            ("smtp.example.gov.uk", 587, True, False, "maturity@example.gov.uk", "p/ss"),
        ),
        ("smtps://u:p@smtp.example.gov.uk", ("smtp.example.gov.uk", 465, False, True, "u", "p")),
        (
            "smtp+ssl://u:p@smtp.example.gov.uk:2465",
            ("smtp.example.gov.uk", 2465, False, True, "u", "p"),
        ),
    ],
)
def test_email_url_chooses_server_port_and_tls(monkeypatch, url, expected):
    values = settings_with(monkeypatch, EMAIL_URL=url)
    assert values["EMAIL_BACKEND"] == SMTP
    names = ["HOST", "PORT", "USE_TLS", "USE_SSL", "HOST_USER", "HOST_PASSWORD"]
    assert tuple(values[f"EMAIL_{name}"] for name in names) == expected
    assert values["EMAIL_TIMEOUT"] == 30
    assert "OPTIONS" not in values


def test_email_url_timeout(monkeypatch):
    assert settings_with(monkeypatch, EMAIL_URL="smtp://relay?timeout=5")["EMAIL_TIMEOUT"] == 5
    with pytest.raises(ImproperlyConfigured, match=r"one option, \?timeout=SECONDS"):
        settings_with(monkeypatch, EMAIL_URL="smtp://relay?tiemout=5")


def test_console_email_for_development(monkeypatch):
    values = settings_with(monkeypatch, EMAIL_URL="consolemail://")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_notify_needs_its_key_and_template(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID"):
        settings_with(monkeypatch, EMAIL_URL="notify://", NOTIFY_API_KEY="")
    values = settings_with(
        monkeypatch, EMAIL_URL="notify://", NOTIFY_API_KEY="key", NOTIFY_TEMPLATE_ID="id"
    )
    assert values["EMAIL_BACKEND"] == "maturity.notify.EmailBackend"


def test_tasks_url_chooses_the_queue(monkeypatch):
    database = settings_with(monkeypatch, TASKS_URL="database://")
    assert database["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_rq" not in database["INSTALLED_APPS"]

    redis = settings_with(monkeypatch, TASKS_URL="redis://cache.internal:6379/2")
    assert redis["TASKS"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert redis["RQ_QUEUES"] == {"default": {"URL": "redis://cache.internal:6379/2"}}
    assert {"django_rq", "django_tasks_rq"} <= set(redis["INSTALLED_APPS"])

    with pytest.raises(ImproperlyConfigured, match="TASKS_URL must start"):
        settings_with(monkeypatch, TASKS_URL="celery://")
