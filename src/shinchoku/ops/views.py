"""The pages of a refused request: too large (413), too many (429), unreadable (400).
Each says in the person's words what happened and what to do, and changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from shinchoku.interchange.importing import MAX_FILE_BYTES

MEGABYTE = 1024 * 1024


def request_too_large(request: HttpRequest) -> HttpResponse:
    """413: the body is over ``REQUEST_MAX_BYTES`` (or its form fields over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``). Names the limits, the import's among them, in the
    language of the page it was sent from (refused before the locale middleware runs)."""
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        response = render(
            request,
            "ops/request_too_large.html",
            {
                "request_max_mb": settings.REQUEST_MAX_BYTES // MEGABYTE,
                "import_max_mb": MAX_FILE_BYTES // MEGABYTE,
            },
            status=413,
        )
    return response


def too_many_requests(request: HttpRequest, *, limit: int, seconds: int) -> HttpResponse:
    """429 with ``Retry-After``: the client asked more than ``limit`` times a minute.
    Never cached: a proxy must not give this answer to the next reader."""
    response = render(request, "ops/too_many_requests.html", {"limit": limit, "seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's answer to a request Django refuses as malformed (``handler400``): too
    large form data gets the 413 page, too many fields or files their own message, the
    rest the 400 page."""
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    too_many = isinstance(exception, TooManyFieldsSent | TooManyFilesSent)
    return render(request, "400.html", {"too_many": too_many}, status=400)
