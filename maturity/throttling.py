"""Counting requests per client address, in the shared cache, for rate limits.

It counts requests in fixed windows: a client may get up to twice a limit across a window
boundary, which is fine for these purposes. The default cache is a database table shared by
every process and server, so the count is shared too. `cache.add` and `cache.incr` are two
steps there (atomic with Redis), so two requests at the same moment may be counted once: a
limit, not an exact meter.
"""

import time

from django.conf import settings
from django.core.cache import cache

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
