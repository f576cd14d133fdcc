"""How long a staff sign-in lasts: it ends after SESSION_IDLE_MINUTES without a request
(a counter PC left signed in), and in any case SESSION_HOURS after signing in (a working
day). Either way the person is signed out, told why, and (on the staff side) sent to the
sign-in page, which brings them back to the page they asked for.

Both times are kept in the session (``ACTIVITY``): when the person signed in (set by
``activity_start`` on Django's ``user_logged_in``, for the staff and the admin sign-in
alike) and when their latest request came, to the minute (``STEP``: a request writes the
session only when a minute has passed since the time kept, not on every page). Writing the
session also moves Django's own expiry of the stored session on; the working-day limit is
therefore counted here, from ``since``, not by Django.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from shinchoku.headers import private_path, signed_in

#: The session key of the sign-in's times.
ACTIVITY = "shinchoku_activity"
#: How stale the kept time of the latest request may get before a request writes it anew.
STEP = 60


class Activity(TypedDict):
    since: int  # when the person signed in (or this code first saw the sign-in), epoch seconds
    last: int  # when its latest request came


def activity_start(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """On signing in (Django's ``user_logged_in``): the working day starts now. Signing in
    again over a sign-in that is still open, as the same person, keeps Django's session,
    so the times are set afresh here rather than where they are first missed."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(timezone.now().timestamp())
    request.session[ACTIVITY] = Activity(since=now, last=now)


def _ended(activity: Activity, now: int) -> str | None:
    """Why this sign-in has ended at ``now``, or None while it lasts."""
    if now - activity["since"] > settings.SESSION_COOKIE_AGE:
        hours = round(settings.SESSION_COOKIE_AGE / 3600)
        return ngettext(
            "You have been signed out: a sign-in lasts %(hours)d hour. Please sign in again.",
            "You have been signed out: a sign-in lasts %(hours)d hours. Please sign in again.",
            hours,
        ) % {"hours": hours}
    if now - activity["last"] > settings.SESSION_IDLE_TIMEOUT:
        minutes = round(settings.SESSION_IDLE_TIMEOUT / 60)
        return ngettext(
            "You have been signed out because nothing was done for %(minutes)d minute. Please sign in again.",
            "You have been signed out because nothing was done for %(minutes)d minutes. "
            "Please sign in again.",
            minutes,
        ) % {"minutes": minutes}
    return None


def _return_to(request: HttpRequest) -> str:
    """The page to come back to after signing in again: this one for a GET, else the
    page the form was sent from (a POST address cannot be opened), when it is on this
    site."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return ""


class SessionTimeoutMiddleware:
    """Signs a person out after SESSION_IDLE_MINUTES without a request or SESSION_HOURS
    after signing in. Placed after the authentication and messages middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if signed_in(request):
            now = int(timezone.now().timestamp())
            stored = request.session.get(ACTIVITY)
            activity = (
                Activity(since=stored["since"], last=stored["last"])
                if stored
                else Activity(since=now, last=now)
            )
            reason = _ended(activity, now)
            if reason is not None:
                return_to = _return_to(request)
                logout(request)
                messages.warning(request, reason)
                login = resolve_url(settings.LOGIN_URL)
                if private_path(request.path_info) and request.path != login:
                    return redirect_to_login(return_to, login) if return_to else HttpResponseRedirect(login)
            elif now - activity["last"] >= STEP or not stored:
                request.session[ACTIVITY] = Activity(since=activity["since"], last=now)
        return self.get_response(request)
