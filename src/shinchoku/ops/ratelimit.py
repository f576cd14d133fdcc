"""How often one client may ask for a costly page (the search): a count per client
address and minute, kept in the cache (the database, or Redis with REDIS_URL), so that
every web process and every server counts together.

The address is the one the sign-in lockout uses (``shinchoku.accounts.lockout.client_ip``,
behind ``TRUSTED_PROXY_COUNT`` proxies the client's). A city hall reaches the site through
a few shared addresses: the limit is per minute and generous, to stop a script, not an
office. When the cache cannot be reached the request is let through and the failure
logged: the search stays up when the cache is down.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from shinchoku.accounts.lockout import client_ip
from shinchoku.ops.views import too_many_requests

logger = logging.getLogger(__name__)

#: The length of one counting window, in seconds.
WINDOW_SECONDS = 60

View = Callable[..., HttpResponse]


def retry_after(request: HttpRequest, *, scope: str, limit: int, window: int = WINDOW_SECONDS) -> int | None:
    """Counts this request against its client's ``limit`` requests per ``window`` seconds
    in ``scope``; the seconds until the client may ask again when it is over, else None.
    ``limit`` 0 turns the limit off."""
    if limit <= 0:
        return None
    now = time.time()
    start = int(now // window) * window
    # The address is hashed: the cache then holds no client address in the clear.
    client = hashlib.sha256((client_ip(request) or "unknown").encode()).hexdigest()[:32]
    key = f"shinchoku:rate:{scope}:{client}:{start}"
    try:
        count = 1 if cache.add(key, 1, timeout=window + 5) else cache.incr(key)
    except ValueError:
        # The count expired between the two calls: this is the first of a new window.
        count = 1
    except Exception:  # any failure of the cache backend: database, Redis, network
        logger.warning("rate limit of %s not counted: the cache does not answer", scope, exc_info=True)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil(start + window - now))


def rate_limited(scope: str, *, setting: str) -> Callable[[View], View]:
    """Decorates a view: past the number of requests per minute that ``settings.<setting>``
    holds, a client gets the "too many requests" page (429, ``Retry-After``) instead."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            limit = getattr(settings, setting)
            seconds = retry_after(request, scope=scope, limit=limit)
            if seconds is not None:
                logger.warning("%s: over %s requests a minute, refused for %s s", scope, limit, seconds)
                return too_many_requests(request, limit=limit, seconds=seconds)
            return view(request, *args, **kwargs)

        return limited

    return decorate
