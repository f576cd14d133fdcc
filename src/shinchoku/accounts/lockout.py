"""The sign-in lockout (django-axes): whom a failed sign-in counts against, and until when.

Failures are counted per user name *and* client address (``AXES_LOCKOUT_PARAMETERS``);
see docs/configuration.md for why. ``client_ip`` finds the client address, also behind
reverse proxies; ``lockout_ends`` tells when a lockout is over.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` reverse
    proxies that each append the address they were reached from to X-Forwarded-For,
    the address the outermost proxy saw. Entries further left were written by the
    client itself and are never trusted."""
    proxies: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR") or None
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: reached without going through all of them.
        return remote
    return forwarded[-proxies]


def lockout_ends(request: HttpRequest, credentials: dict[str, Any] | None) -> datetime:
    """When the lockout of this sign-in is over: the cool-off after the last failure that
    counted (failures during a lockout do not extend it,
    ``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``)."""
    cool_off = get_cool_off(request) or settings.AXES_COOLOFF_TIME
    latest: datetime | None = None
    for attempts in AxesDatabaseHandler().get_user_attempts(request, credentials):
        last = attempts.aggregate(last=Max("attempt_time"))["last"]
        if last is not None and (latest is None or last > latest):
            latest = last
    return (latest or timezone.now()) + cool_off
