"""A rate limit on the token links, counted per client address (maturity.throttling).

Tokens are 256 random bits, so guessing one is hopeless; the limit is there so that nobody
can hammer the links that touch the database without signing in, such as starting thousands
of responses from one open link.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from maturity.throttling import WINDOW_SECONDS, client_address, count_request


def too_many(request, retry_after=WINDOW_SECONDS):
    """The 429 page, saying when to try again."""
    response = render(request, "assessments/too_many_requests.html", status=429)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


def token_rate_limited(view):
    """Answer 429, with a page saying when to try again, past TOKEN_RATE_LIMIT a minute."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if count_request("token", client_address(request)) > settings.TOKEN_RATE_LIMIT:
            return too_many(request)
        return view(request, *args, **kwargs)

    return wrapper


def token_link(view):
    """A view reached by a token in its path: public, and rate limited per client address."""
    return login_not_required(token_rate_limited(view))
