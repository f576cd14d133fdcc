"""Who may open a staff page at all, and how a page is refused.

``staff_required`` lets in a signed-in person holding a staff role (the others go to
the login page, or get 403); ``administrator_required`` only the planning
administrator. ``deny`` is the one way a view refuses a page: it logs who was refused
what and why, and returns the 403 to raise, whose page says the reason. What a person
may do with one object (an entry, a round) is not decided here but by its domain
(``review.decisions``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from shinchoku.accounts.permissions import is_administrator, is_staff_member
from shinchoku.errors import ErrorCode
from shinchoku.memo import memoized

logger = logging.getLogger("shinchoku.access")

View = Callable[..., HttpResponse]


def deny(request: HttpRequest, reason: str | Promise) -> PermissionDenied:
    """The 403 to raise for ``request``, logged with its reason, which the page shows."""
    logger.warning(
        "refused page %s %s to %s: %s",
        request.method,
        request.path,
        request.user.get_username() if request.user.is_authenticated else "anonymous",
        reason,
        extra={"error_code": str(ErrorCode.NOT_ALLOWED)},
    )
    return PermissionDenied(str(reason))


def staff_required(view: View) -> View:
    """Signed in (else to the login page) and holding a staff role (else 403). The
    person's roles are looked up once for the whole request (``shinchoku.memo``): the
    view, the services it calls and the page's navigation all ask them."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with memoized():
            if not is_staff_member(request.user):
                raise deny(request, _("Your account holds no staff role. Ask the planning division."))
            return view(request, *args, **kwargs)

    return wrapper


def administrator_required(view: View) -> View:
    """``staff_required``, and the planning administrator only (else 403)."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_administrator(request.user):
            raise deny(request, _("Only a planning administrator may open this page."))
        return view(request, *args, **kwargs)

    return wrapper
