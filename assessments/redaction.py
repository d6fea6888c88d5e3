"""Keep secret tokens out of the logs.

A response token in a log line would let whoever reads the log answer as that respondent,
and a round's open token would let them start responses to it; a password reset token would
let them take over an account. Request lines (runserver's and gunicorn's access log),
Referer headers and Django's "Not Found: …" warnings all carry paths, so `RedactTokens`, a
logging filter, masks the token segment of those paths in every record before it is
formatted. settings.LOGGING attaches it to every handler.
"""

import logging
import re
from urllib.parse import quote, unquote

REDACTED = "[redacted]"

# The segment after /s/ (open link, and the staff summary beneath it) or /r/ (personal or
# resume link), after /stop-reminders/ (it stops an invitee's reminders), and the token of a
# password reset link (Django swaps it for "set-password" after one redirect, which is not
# secret). A segment must be exactly "s" or "r", so /assets/… or /tests/… are left alone.
TOKEN_PATHS = re.compile(
    r"(?P<prefix>/[sr]/|/stop-reminders/|/accounts/password/reset/[^/\s?#\"']+/)"
    r"(?!set-password/)[^/\s?#\"']+"
)


# A run of characters that may be a URL or a path: a token path hides inside one, maybe
# percent-encoded (the server decodes /%72/… to /r/…, %2F to / included, before routing).
URLISH = re.compile(r"[^\s\"']*/[^\s\"']*")
UNSAFE_IN_LOGS = re.compile(r"[\x00-\x20\x7f-\x9f\"']")


def _mask(text: str) -> str:
    return TOKEN_PATHS.sub(rf"\g<prefix>{REDACTED}", text)


def _redact_urlish(match: re.Match) -> str:
    text = match.group(0)
    masked = _mask(text)
    if "%" not in text:
        return masked
    # Decode until nothing changes (a proxy may decode once more than the app does), and
    # mask the decoded form if it holds a token: the logged path then reads decoded.
    decoded = text
    for _ in range(3):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    decoded_masked = _mask(decoded)
    if decoded_masked == decoded:
        return masked
    # Encoded again where a decoded character would split or break the log line.
    return UNSAFE_IN_LOGS.sub(lambda char: quote(char.group(0)), decoded_masked)


def redact(text: str) -> str:
    """`text` with every token in a token path replaced by "[redacted]", in whatever
    percent-encoding the path was written."""
    return URLISH.sub(_redact_urlish, text)


def _redact_value(value):
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Mask tokens in a record's message and its arguments; never drops a record."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            # gunicorn's access log passes a dict subclass whose lookups default to "-":
            # change it in place so that behaviour survives.
            for key, value in record.args.items():
                record.args[key] = _redact_value(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_value(value) for value in record.args)
        return True
