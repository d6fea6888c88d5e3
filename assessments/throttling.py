"""A rate limit on the token links, counted per client address in the shared cache.

Tokens are 256 random bits, so guessing one is hopeless; the limit is there so that nobody
can hammer the links that touch the database without signing in, such as starting thousands
of responses from one open link. It counts requests in fixed one-minute windows: a client may
get up to twice the limit across a window boundary, which is fine for this purpose.

The default cache is a database table shared by every process and server, so the count is
shared too. `cache.add` and `cache.incr` are two steps there (atomic with Redis), so two
requests at the same moment may be counted once: a limit, not an exact meter.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

WINDOW_SECONDS = 60


def client_address(request):
    """The client's IP address, trusting the X-Forwarded-For entries added by our proxies.

    Each of the PROXY_COUNT proxies appends the address it received the request from, so
    the client is the entry that many places from the end; anything to its left was sent by
    the client and may be forged. Without proxies the connection's own address is used.
    """
    if settings.PROXY_COUNT:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= settings.PROXY_COUNT:
            return forwarded[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def count_request(scope, address, *, now=None, seconds=WINDOW_SECONDS):
    """Count one request from `address` in the current window of `seconds`; return the
    window's count."""
    window = int((now if now is not None else time.time()) // seconds)
    key = f"throttle:{scope}:{address}:{seconds}:{window}"
    # add() creates the counter only if it is missing, so concurrent first requests do not
    # reset each other; the timeout outlives the window so it never expires mid-count.
    cache.add(key, 0, timeout=seconds * 2)
    try:
        return cache.incr(key)
    except ValueError:
        # Culled between add() and incr(): count this request alone.
        cache.set(key, 1, timeout=seconds * 2)
        return 1


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
