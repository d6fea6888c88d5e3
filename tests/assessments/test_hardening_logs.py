"""Tokens stay out of the logs however their path is percent-encoded."""

from urllib.parse import unquote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.redaction import redact

TOKEN = "Zx4-abcDEF_0123456789abcdefghijklmnopqrstuvw"
# Every route with a secret in its path, and the argument that holds it.
TOKEN_ROUTES = {
    "assessments:open_link": {"open_token": TOKEN},
    "assessments:resume": {"token": TOKEN},
    "assessments:stop_reminders": {"stop_token": TOKEN},
    "reports:staff_summary": {"open_token": TOKEN},
    "password_reset_confirm": {"uidb64": "MQ", "token": "cz7-0a1b2c3d4e5f6a7b8c9d"},
}


def every_pattern(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_pattern(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def test_token_routes_are_the_ones_redaction_knows():
    with_tokens = {
        name for name, pattern in every_pattern() if "token" in str(pattern.pattern).lower()
    }
    assert with_tokens == set(TOKEN_ROUTES)


def encodings(path):
    """The path as a client might send it: the server decodes each to the same page."""
    first = f"%{ord(path[1]):02x}"
    yield "plain", path
    yield "first letter", "/" + first + path[2:]
    yield "every character", "".join(c if c == "/" else f"%{ord(c):02X}" for c in path)
    yield "slashes too", "/" + path[1:].replace("/", "%2F")
    yield "twice", "/%25" + first[1:] + path[2:]


@pytest.mark.parametrize("name", TOKEN_ROUTES)
def test_tokens_are_masked_in_any_percent_encoding(name):
    path = reverse(name, kwargs=TOKEN_ROUTES[name])
    secret = list(TOKEN_ROUTES[name].values())[-1]
    for how, sent in encodings(path):
        for line in (
            f'"GET {sent} HTTP/1.1" 302 0',
            f"Not Found: {sent}",
            f'"https://maturity.example.gov.uk{sent}?utm=%20x"',
        ):
            masked = redact(line)
            assert "[redacted]" in masked, (how, line)
            assert secret not in masked, (how, line)
            assert secret not in unquote(unquote(masked)), (how, line)


def test_decoded_lines_cannot_be_split():
    line = f'"GET /%72/{TOKEN}/%0a%22fake%20line HTTP/1.1" 302 0'
    assert redact(line) == '"GET /r/[redacted]/%0A%22fake%20line HTTP/1.1" 302 0'


def test_other_encoded_paths_are_left_as_they_were():
    line = '"GET /static/build/a%20b.css HTTP/1.1" 200 /survey/themes/data%2Dx/'
    assert redact(line) == line
