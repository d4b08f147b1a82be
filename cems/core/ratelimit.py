"""A limit on public look-ups (transcript and certificate verification): a client address
may look up only so many within a window. The counters live in the cache: per process with
the default local-memory cache, shared once production points CACHES at Redis."""

from django.core.cache import cache
from django.http import HttpRequest

LOOKUP_LIMIT = 30
LOOKUP_WINDOW_SECONDS = 10 * 60


def counter_key(scope: str, address: str) -> str:
    return f"{scope}:lookups:{address}"


def lookup_allowed(request: HttpRequest, scope: str) -> bool:
    """Count this look-up of the client's address; False once over the limit."""
    key = counter_key(scope, request.META.get("REMOTE_ADDR", ""))
    cache.add(key, 0, timeout=LOOKUP_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, count := 1, timeout=LOOKUP_WINDOW_SECONDS)
    return count <= LOOKUP_LIMIT
