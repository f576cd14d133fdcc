"""Signing in and out of the staff pages, changing one's password, and the lockout page.

Django's own views do the work (``accounts/urls.py``); this module adds the lockout terms
to the sign-in page and holds the page that django-axes shows when a sign-in is locked
out (``AXES_LOCKOUT_CALLABLE``).
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shinchoku.accounts.lockout import lockout_ends


def _lockout_terms() -> dict[str, int]:
    cool_off = get_cool_off() or settings.AXES_COOLOFF_TIME
    return {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(cool_off.total_seconds() / 60),
    }


class StaffLoginView(LoginView):
    """Django's sign-in page, telling in advance how many failures lock a name out. The
    form carries on the page that was asked for (``?next=``, as Django's redirect to the
    sign-in page and the links in notices give it); LoginView follows it only when it is
    on this site."""

    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {
            **context,
            **_lockout_terms(),
            "redirect_field_name": self.redirect_field_name,
            "redirect_to": context[self.redirect_field_name],
        }


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page shown instead of a sign-in form once a user name is locked out on this
    client address: what happened, and when to try again. Status 429 with Retry-After."""
    ends = lockout_ends(request, credentials)
    seconds = max(0, math.ceil((ends - timezone.now()).total_seconds()))
    response = render(
        request,
        "accounts/lockout.html",
        {
            "username": get_client_username(request, credentials) or "",
            **_lockout_terms(),
            "retry_at": timezone.localtime(ends),
            "retry_minutes": max(1, math.ceil(seconds / 60)),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(seconds)
    return response
