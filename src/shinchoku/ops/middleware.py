"""The outermost layers of every request (settings.MIDDLEWARE):

- ``RequestLogMiddleware`` gives the request its id (``shinchoku.ops.requestid``), puts
  it on the response's ``X-Request-ID`` and writes one access line when it is answered;
- ``HealthCheckMiddleware`` answers ``/healthz`` before anything else runs;
- ``RequestSizeMiddleware`` refuses a body over ``REQUEST_MAX_BYTES`` before it is read;
- ``NulCharacterMiddleware``, the innermost, refuses a NUL character in the address.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.cache import add_never_cache_headers

from shinchoku.ops.health import database_health
from shinchoku.ops.requestid import HEADER, request_id_from, reset_request_id, set_request_id
from shinchoku.ops.views import request_too_large

access_log = logging.getLogger("shinchoku.access")

#: The address of the health check: outside the language prefixes, the HTTPS redirect
#: and the host names, so that a load balancer can probe each server by its address.
HEALTH_PATH = "/healthz"

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class RequestLogMiddleware:
    """First of all: the id is set before any other layer may log, and the access line
    counts the time of every layer. The line holds the method, the path without its query
    (a query may hold what a person searched for), the status, the time in milliseconds
    and the signed-in user's id (``_access_level`` says at which level; probes of the
    health check that pass at DEBUG only, so that a load balancer's probes every few
    seconds do not fill the log)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_from(request.headers.get(HEADER))
        token = set_request_id(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            milliseconds = round((time.monotonic() - started) * 1000, 1)
            user_id = _user_id(request)
            level = _access_level(request, response.status_code)
            access_log.log(
                level,
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                milliseconds,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": milliseconds,
                    "user_id": user_id,
                },
            )
            # This line says it: Django's own "Not Found: …" line (django.request) would
            # come after the request id is gone. Errors (500) were logged with their
            # traceback inside, where the id is still set.
            response._has_been_logged = True  # type: ignore[attr-defined]
            return response
        finally:
            reset_request_id(token)


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in person's id, None for anyone else, and None when the person cannot
    be looked up (the database went away during the request, whose error is logged)."""
    user = getattr(request, "user", None)
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except DatabaseError:
        return None


def _access_level(request: HttpRequest, status: int) -> int:
    """DEBUG for a health probe that passed, INFO for an answer, WARNING for a refusal
    (4xx, as Django logs them), ERROR for a failure (5xx)."""
    if request.path == HEALTH_PATH and status == 200:
        return logging.DEBUG
    if status >= 500:
        return logging.ERROR
    return logging.WARNING if status >= 400 else logging.INFO


class HealthCheckMiddleware:
    """``GET /healthz``: 200 and ``{"status": "ok", …}`` when the database answers, 503
    and the reason when it does not (``shinchoku.ops.health``). Answered here, before the
    host check, the redirect to HTTPS, the session and the CSRF check: a load balancer
    reaches each server by its own address over plain HTTP, and the answer holds nothing
    but that status. Never cached."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path != HEALTH_PATH or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        health = database_health()
        response = JsonResponse(health.as_json(), status=200 if health.ok else 503)
        add_never_cache_headers(response)
        response["X-Content-Type-Options"] = "nosniff"
        return response


class RequestSizeMiddleware:
    """Refuses a request whose body is larger than ``REQUEST_MAX_BYTES`` with the page
    that says so (413), before anything reads it: Django's own limits count the form
    fields but not the files of an upload, which would otherwise be written to a
    temporary file whatever their size. The limit is a little over the largest file
    the import takes, so that a file just too large gets the import page's own message."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            return request_too_large(request)
        return self.get_response(request)


def holds_nul(request: HttpRequest) -> bool:
    """Whether the path or a parameter of the query holds a NUL character: no text of the
    site's data holds one, and PostgreSQL refuses to be asked for one."""
    return "\x00" in request.path or any(
        "\x00" in value for _name, values in request.GET.lists() for value in values
    )


class NulCharacterMiddleware:
    """Refuses a request whose address holds a NUL character with the site's 400 page,
    before a view looks anything up by it (the API answers its own problem first)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if holds_nul(request):
            raise BadRequest("A NUL character is not allowed in an address.")
        return self.get_response(request)
