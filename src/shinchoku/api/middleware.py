"""What every request under ``/api/`` gets, whatever answers it (settings.MIDDLEWARE):

- **CORS**: the data is public, so any site's scripts may read it:
  ``Access-Control-Allow-Origin: *`` on every answer, never with credentials; a preflight
  (``OPTIONS``) is answered here, for GET and HEAD.
- **The rate limit**: ``API_RATE_LIMIT`` requests a minute per client address
  (``shinchoku.ops.ratelimit``, counted apart from the search's), 429 with ``Retry-After``.
- **HEAD** is answered as GET without the body.
- **A NUL character** in the path or a parameter is refused (400) before anything reads it.
- **Reads from the replica** when one is configured (``shinchoku.replica``): everything
  here reads published data.
- **Errors as problem details** (``problems``): an answer of 400 or more that is not one
  already (an address not found, a method not allowed, Django's error page) is replaced
  by one of its status, its ``Allow`` and ``Retry-After`` kept.

The page for people at ``/api/`` (and ``/en/api/``) is a page of the site like the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

from shinchoku.api.problems import is_problem, problem
from shinchoku.ops.middleware import holds_nul
from shinchoku.ops.ratelimit import retry_after
from shinchoku.replica import public_reads

logger = logging.getLogger(__name__)

#: The addresses the API answers: its operations, its OpenAPI document and what is not found there.
PREFIX = "/api/"
#: The page for people, which is not the API's.
DOCS_PATH = "/api/"

#: The methods the API answers.
METHODS = ("GET", "HEAD", "OPTIONS")
#: The request headers a script may send (a conditional GET).
ALLOWED_HEADERS = ("If-None-Match", "Accept", "Accept-Language")
#: The answer's headers a script may read.
EXPOSED_HEADERS = ("ETag", "Retry-After", "X-Request-ID")
#: Seconds a browser may keep a preflight's answer.
PREFLIGHT_MAX_AGE = 86400

#: Headers an error's answer keeps when it is made a problem.
KEPT_HEADERS = ("Allow", "Retry-After")

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def is_api(path: str) -> bool:
    return path.startswith(PREFIX) and path != DOCS_PATH


class ApiMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_api(request.path_info):
            return self.get_response(request)
        seconds = retry_after(request, scope="api", limit=settings.API_RATE_LIMIT)
        if seconds is not None:
            logger.warning(
                "api: over %s requests a minute, refused for %s s", settings.API_RATE_LIMIT, seconds
            )
            response: HttpResponseBase = problem(request, 429)
            response["Retry-After"] = str(seconds)
            add_never_cache_headers(response)
        elif request.method == "OPTIONS":
            response = _preflight()
        elif holds_nul(request):
            # No text of the data holds one, and PostgreSQL cannot be asked for one.
            response = problem(request, 400, "NUL文字は使えません / A NUL character is not allowed.")
        else:
            response = self._answer(request)
        if response.status_code >= 400 and not is_problem(response):
            response = _as_problem(request, response)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
        return response

    def _answer(self, request: HttpRequest) -> HttpResponseBase:
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            with public_reads():
                response = self.get_response(request)
        finally:
            if head:
                request.method = "HEAD"
        if head and isinstance(response, HttpResponse):
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    del response["Content-Type"]
    response["Allow"] = ", ".join(METHODS)
    response["Access-Control-Allow-Methods"] = ", ".join(METHODS)
    response["Access-Control-Allow-Headers"] = ", ".join(ALLOWED_HEADERS)
    response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def _as_problem(request: HttpRequest, response: HttpResponseBase) -> HttpResponse:
    answer = problem(request, response.status_code)
    for header in KEPT_HEADERS:
        if header in response:
            answer[header] = response[header]
    if response.status_code == 405:
        answer["Allow"] = ", ".join(METHODS)
    if "Cache-Control" in response:
        answer["Cache-Control"] = response["Cache-Control"]
    return answer
