"""The ETag of every answer of the API, and the 304 to a client that has it.

An answer changes only when the published data does, or with a new release of the code:
its ETag is made from the data version (``shinchoku.published.versions``: of the plan
the address names, or of the site for what reads every plan), the release
(``pagecache.release_salt``) and the address (path and query, its parameters in a fixed
order: ``pagecache.address_of``), as the public pages' are. A client whose
``If-None-Match`` holds it gets 304 from the version alone (one query), the operation not
run. ``Cache-Control: public, max-age=0, must-revalidate``: nothing here is personal, so a
shared cache may keep it, and asks each time, since data changes the moment a round is
published.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from shinchoku.published import versions
from shinchoku.published.pagecache import address_of, release_salt

Run = Callable[..., HttpResponseBase]
VersionOf = Callable[[dict[str, Any]], "int | None"]


def etag_of(request: HttpRequest, version: int) -> str:
    parts = (release_salt(), address_of(request), str(version))
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f'W/"{digest[:32]}"'


def holds(request: HttpRequest, etag: str) -> bool:
    """Whether the client's ``If-None-Match`` holds ``etag`` (compared weakly, with or
    without ``W/``, as that header is)."""
    given = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in given or etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in given}


def mark(response: HttpResponseBase, etag: str) -> None:
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)


def keyed_by(version_of: VersionOf) -> Callable[[Run], Run]:
    """Decorates an operation (``ninja.decorators.decorate_view``): its answers tagged and
    answered 304 by the version ``version_of(<the path's parameters>)`` reads (None: no
    tag, e.g. a plan that does not exist, whose 404 the operation answers)."""

    def decorate(run: Run) -> Run:
        @functools.wraps(run)
        def tagged(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
            version = version_of(kwargs)
            if version is None:
                return run(request, **kwargs)
            etag = etag_of(request, version)
            if holds(request, etag):
                not_modified: HttpResponse = HttpResponseNotModified()
                mark(not_modified, etag)
                return not_modified
            response = run(request, **kwargs)
            if response.status_code == 200:
                mark(response, etag)
            return response

        return tagged

    return decorate


#: An answer about one plan (its path names it: ``plan_code``), keyed on that plan's version.
plan_data = keyed_by(lambda kwargs: versions.plan_version(kwargs["plan_code"]))

#: An answer that reads every plan (the list of plans, the search), keyed on the site's version.
site_data = keyed_by(lambda kwargs: versions.site_version())

#: An answer that changes with the release only (the OpenAPI document).
release_data = keyed_by(lambda kwargs: 0)
