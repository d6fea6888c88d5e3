"""Production hardening: settings, headers, CSRF, the token rate limit, logs without tokens,
and the health check."""

import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db.utils import OperationalError
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from gunicorn.glogging import SafeAtoms

from assessments.models import Membership
from assessments.redaction import RedactTokens, redact
from maturity.models import User
from maturity.throttling import client_address, count_request
from tests.factories import MembershipFactory, ResponseFactory, RoundFactory

ROOT = Path(django_settings.BASE_DIR)
TOKEN = "Zx4-abcDEF_0123456789abcdefghijklmnopqrstuvw"
# Set by pyproject.toml for the tests; production leaves them to settings.py's defaults.
TEST_ONLY = {
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "STATICFILES_BACKEND",
    "TASKS_URL",
}


def production_environment(**extra):
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY}
    env.update(
        DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="maturity.example.gov.uk",
        EMAIL_URL="smtp+tls://maturity%40example.gov.uk:relay-password@smtp.example.gov.uk:587",
        DJANGO_SETTINGS_MODULE="maturity.settings",
    )
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output


@pytest.mark.parametrize("url", ["consolemail://", "filemail:///tmp/mail", "memorymail://"])
def test_check_deploy_fails_while_email_stays_on_the_server(url):
    result = manage("check", "--deploy", env=production_environment(EMAIL_URL=url))
    assert result.returncode != 0
    assert "maturity.E001" in result.stderr
    assert "set-password links, which must not reach logs" in result.stderr
    assert "Set EMAIL_URL to your mail relay" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_environment()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_admin_lives_at_the_configured_path():
    code = "from django.urls import reverse; print(reverse('admin:index'))"
    env = production_environment(ADMIN_URL="backstage-7f3a/")
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.strip() == "/backstage-7f3a/"


SECURITY_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_PROXY_SSL_HEADER",
]


@pytest.fixture(scope="module")
def production_security_settings():
    """The security settings as settings.py makes them in production (DEBUG off)."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = manage("shell", "--no-imports", "-c", code, env=production_environment())
    values = json.loads(result.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.mark.django_db
def test_production_responses_carry_security_headers_and_secure_cookies(
    settings, production_security_settings
):
    for name, value in production_security_settings.items():
        setattr(settings, name, value)
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    client = Client()

    plain = client.get(reverse("login"))
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"

    page = client.get(reverse("login"), secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Frame-Options"] == "DENY"
    # django-csp writes the directives in no fixed order.
    policy = dict(
        directive.strip().split(" ", 1) for directive in page["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    csrf_cookie = page.cookies["csrftoken"]
    assert csrf_cookie["secure"] and csrf_cookie["httponly"]

    user = User.objects.create(username="lead@example.gov.uk")
    user.set_password("a long and memorable passphrase")
    user.save()
    signed_in = client.post(
        reverse("login"),
        {"username": user.username, "password": "a long and memorable passphrase"},
        secure=True,
    )
    session_cookie = signed_in.cookies["sessionid"]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"

    # Behind the TLS-terminating proxy, which says the request came over HTTPS.
    proxied = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200


@pytest.mark.django_db
def test_lead_pages_have_no_inline_scripts(version):
    round = RoundFactory(questionnaire_version=version)
    user = User.objects.create(username="lead@example.gov.uk")
    MembershipFactory(user=user, organisation=round.organisation, role=Membership.Role.LEAD)
    client = Client()
    client.force_login(user)
    pages = [
        reverse("assessments:organisation", args=[round.organisation.pk]),
        reverse("assessments:create_round", args=[round.organisation.pk]),
        *(
            reverse(f"assessments:{name}", args=[round.pk])
            for name in ["round", "edit_round", "close_round", "personal_links"]
        ),
    ]
    for page in pages:
        response = client.get(page)
        html = response.content.decode()
        assert "Content-Security-Policy" in response.headers
        # Every <script> has a src, and no element has an event handler attribute: the
        # policy allows no inline code.
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], page
        assert not re.search(r"<[^>]+\son\w+=", html), page


@pytest.mark.django_db
def test_a_post_without_a_csrf_token_is_refused_with_a_clear_page(version):
    round = RoundFactory(questionnaire_version=version)
    user = User.objects.create(username="lead@example.gov.uk")
    MembershipFactory(user=user, organisation=round.organisation, role=Membership.Role.LEAD)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    page = client.post(reverse("assessments:close_round", args=[round.pk]))

    assert page.status_code == 403
    assert b"Sorry, we could not accept that form" in page.content
    round.refresh_from_db()
    assert round.status == "open"


def test_csrf_failure_page_needs_no_context():
    html = get_template("403_csrf.html").render()
    assert "Sorry, we could not accept that form" in html
    assert "Digital maturity self-assessment" in html


# The rate limit on token links


@pytest.mark.django_db
def test_token_links_answer_429_past_the_limit(settings, version):
    settings.TOKEN_RATE_LIMIT = 3
    round = RoundFactory(questionnaire_version=version)
    response = ResponseFactory(round=round)
    client = Client(REMOTE_ADDR="203.0.113.7")
    links = [
        reverse("assessments:open_link", args=[round.open_token]),
        reverse("assessments:resume", args=[response.token]),
        reverse("assessments:open_link", args=["no-such-token"]),
    ]

    assert [client.get(link).status_code for link in links] == [200, 302, 404]
    refused = client.get(links[0])

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "no-store" in refused["Cache-Control"]
    assert b"Too many requests" in refused.content
    assert b"Wait a minute" in refused.content
    # Another address is counted on its own; pages reached through the session are not limited.
    assert Client(REMOTE_ADDR="203.0.113.8").get(links[0]).status_code == 200
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_rate_limit_counts_in_one_minute_windows():
    counts = [count_request("test", "198.51.100.1", now=120 + second) for second in (0, 30, 59)]
    assert counts == [1, 2, 3]
    assert count_request("test", "198.51.100.1", now=180) == 1
    assert count_request("test", "198.51.100.2", now=180) == 1


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "198.51.100.9", "192.0.2.1"),  # no proxy: the header is the client's to forge
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "10.9.9.9, 198.51.100.9", "198.51.100.9"),  # a forged first entry is ignored
        (2, "198.51.100.9, 10.0.0.2", "198.51.100.9"),
        (2, "", "192.0.2.1"),  # fewer entries than proxies: misconfigured, use the socket
    ],
)
def test_client_address_trusts_only_our_proxies(rf, settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


# Logs hold no tokens


@pytest.mark.parametrize(
    "line, expected",
    [
        (f'"GET /s/{TOKEN}/ HTTP/1.1" 200 512', '"GET /s/[redacted]/ HTTP/1.1" 200 512'),
        (f"Not Found: /r/{TOKEN}/", "Not Found: /r/[redacted]/"),
        (
            f"https://maturity.example.gov.uk/s/{TOKEN}/",
            "https://maturity.example.gov.uk/s/[redacted]/",
        ),
        (f"/r/{TOKEN}?utm=x", "/r/[redacted]?utm=x"),
        ("/accounts/password/reset/MQ/cz7-0a1b2c/", "/accounts/password/reset/MQ/[redacted]/"),
        ("/accounts/password/reset/MQ/set-password/", "/accounts/password/reset/MQ/set-password/"),
        (
            "/survey/themes/data/ /tests/abc/ /assets/x/",
            "/survey/themes/data/ /tests/abc/ /assets/x/",
        ),
    ],
)
def test_redact_masks_tokens_in_token_paths_only(line, expected):
    assert redact(line) == expected


def test_filter_redacts_message_and_arguments():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /r/{TOKEN}/ HTTP/1.1", 302, 0),
        None,
    )
    assert RedactTokens().filter(record) is True
    assert record.getMessage() == '"GET /r/[redacted]/ HTTP/1.1" 302 0'


def test_filter_keeps_gunicorns_access_log_arguments_working():
    atoms = SafeAtoms(
        {"r": f"GET /s/{TOKEN}/ HTTP/1.1", "s": "200", "{referer}i": f"https://x/s/{TOKEN}/"}
    )
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        '"%(r)s" %(s)s "%({referer}i)s" %(a)s',
        (),
        None,
    )
    record.args = atoms  # as gunicorn passes it: a mapping, not a tuple

    RedactTokens().filter(record)

    assert isinstance(record.args, SafeAtoms)
    assert record.getMessage() == '"GET /s/[redacted]/ HTTP/1.1" 200 "https://x/s/[redacted]/" -'


def handlers_of(name):
    """Every handler settings.LOGGING gives a record logged to `name`, following propagation
    (and leaving out pytest's own capturing handlers)."""
    logger, handlers = logging.getLogger(name), []
    while logger:
        handlers += [h for h in logger.handlers if type(h).__module__ == "logging"]
        logger = logger.parent if logger.propagate else None
    return handlers


@pytest.mark.parametrize("name", ["django.server", "django.request", "gunicorn.access"])
def test_every_handler_of_request_logs_redacts_tokens(name):
    handlers = handlers_of(name)
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactTokens) for f in handler.filters), (name, handler)


@pytest.mark.django_db
def test_not_found_token_is_logged_without_the_token(client):
    (handler,) = handlers_of("django.request")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        assert client.get(reverse("assessments:resume", args=[TOKEN])).status_code == 404
    finally:
        handler.setStream(previous)
    assert "Not Found: /r/[redacted]/" in stream.getvalue()
    assert TOKEN not in stream.getvalue()


@pytest.mark.parametrize("name", ["django.server", "gunicorn.access"])
def test_request_lines_are_written_without_the_token(name):
    (handler,) = handlers_of(name)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging.getLogger(name).info('"%s" %s %s', f"GET /s/{TOKEN}/ HTTP/1.1", 200, 10)
    finally:
        handler.setStream(previous)
    assert "GET /s/[redacted]/ HTTP/1.1" in stream.getvalue()
    assert TOKEN not in stream.getvalue()


# The health check


@pytest.mark.django_db
def test_health_check_is_public_and_answers_200_with_the_database(client):
    page = client.get(reverse("health"))
    assert page.status_code == 200
    assert page.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in page["Cache-Control"]


@pytest.mark.django_db
def test_health_check_answers_503_without_the_database(client, monkeypatch):
    def unavailable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("maturity.views.connection.cursor", unavailable)
    page = client.get(reverse("health"))
    assert page.status_code == 503
    assert page.json()["database"] == "unavailable"
