"""Whole public pages kept by data version, and answered 304 from the version alone.

Public data changes only when something is published, imported or edited, and each such
write raises a data version (``shinchoku.published.changes``). A public view decorated
with ``plan_page`` (keyed on the version of the plan its address names) or ``site_page``
(keyed on the site's version: the pages that read every plan) is answered thus, for an
anonymous reader's GET or HEAD:

1. The version is read: one indexed query, the only one when the reader has the page.
2. The page's ETag is made from the version, the release (``release_salt``: this code,
   its templates and translations, and the settings the pages show), the language and
   the address (path and query, its parameters in a fixed order). A reader whose
   ``If-None-Match`` holds it gets 304 without the view running.
3. With ``PUBLIC_PAGE_CACHE`` (the default), the page kept under the same key is answered
   without the view running: from the process's own memory when it answered the page
   lately (``near``), else from the ``pages`` cache shared by every process (Redis, or
   the database on the embedded default); otherwise the view renders it and a 200 is
   kept for the next reader, in both.

A key names one version of one page, so a copy of it never needs to be told that the
data changed: each process keeps the pages it answers in its own memory too
(``PUBLIC_PAGE_MEMORY_MB`` a process, the least read lately dropped first; each for
``NEAR_SECONDS`` at most), and a page that citizens read often is answered without a
round trip to the shared cache, which cost a kept page about as much as the rest of
answering it (``docs/benchmarks.md``).

The answer goes back out through the whole middleware stack, as a rendered one does: its
request id, the security headers and the Content-Security-Policy are added to it each
time. The site's policy allows no inline script or style and uses no nonces, so a kept
page satisfies the policy sent with it; a page that used a nonce would not be kept, and
a page's own additions to the policy (``allow_inline_styles``) are kept with it.

What is never kept: the answer to a signed-in person (who gets ``no-store`` pages,
``shinchoku.headers``), any status other than 200, a streamed answer, an answer that
sets a cookie of its own. A page that posts a form carries the reader's own CSRF token
(a measure's form to follow it by e-mail; the language switch is links and needs none):
a kept page holds a placeholder in its place, and each reader gets their own token put
back, with their cookie, as if the page had been rendered for them. That token is also
why a page is ``Cache-Control: private``: a proxy shared by several readers must not
hand one reader's token to another. ``max-age=0, must-revalidate``: a page changes the
moment a round is published, so a browser asks each time, and is answered 304 from the
version when nothing changed.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, urlencode

from shinchoku.headers import signed_in
from shinchoku.published import versions

logger = logging.getLogger(__name__)

#: The alias of the cache the pages are kept in (settings.CACHES).
PAGES = "pages"

#: The settings a page shows or links with: a change of one is a new release of the pages.
SHOWN_SETTINGS = (
    "DEBUG",
    "FOLLOW_BY_MAIL",
    "LANGUAGE_CODE",
    "OPEN_DATA_LICENSE",
    "OPEN_DATA_LICENSE_URL",
    "SITE_URL",
    "STATIC_URL",
    "TIME_ZONE",
)

#: The kinds of answer kept: the pages, and the feeds beside them (``shinchoku.follow``).
KEPT_TYPES = ("text/html", "application/atom+xml")

#: What stands for the reader's CSRF token in a kept page.
TOKEN_PLACEHOLDER = b"\x00csrf-token\x00"
_TOKEN_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')

#: Attributes by which a view adds to the Content-Security-Policy of its own response
#: (django-csp); kept with the page, so that its answer is allowed what it was.
CSP_ATTRIBUTES = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")

View = Callable[..., HttpResponse]
VersionOf = Callable[[dict[str, Any]], "int | None"]


@dataclass(frozen=True)
class KeptPage:
    """A page as kept: its body (the CSRF token replaced), the headers its view set and
    its additions to the Content-Security-Policy."""

    content: bytes
    headers: tuple[tuple[str, str], ...]
    csp: tuple[tuple[str, Any], ...]


def _package_digest(package: Path) -> str:
    """A digest of every file of the package that can change what a page shows: code,
    templates, compiled translations, static files."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix not in {".pyc", ".po"}:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _release() -> str:
    try:
        version = metadata.version("shinchoku")
    except metadata.PackageNotFoundError:
        version = ""
    shown = repr([(name, getattr(settings, name, None)) for name in SHOWN_SETTINGS])
    digest = _package_digest(Path(__file__).resolve().parent.parent)
    return hashlib.sha256(f"{version}\n{shown}\n{digest}".encode()).hexdigest()[:16]


_cached_release = functools.cache(_release)


def release_salt() -> str:
    """What the pages of this release are made by, as a short digest: the installed
    version, the package's files and the settings the pages show. The same in every
    process of one installation; new after a deploy that changes any of them. Computed
    once per process, except with DEBUG, where templates change under a running server."""
    return _release() if settings.DEBUG else _cached_release()


def address_of(request: HttpRequest) -> str:
    """The page's address as a key: the path and the query's parameters in order of name
    (the values of one name in the order given, which the page may depend on)."""
    query = sorted(request.GET.lists(), key=lambda item: item[0])
    return f"{request.path}?{urlencode(query, doseq=True)}" if query else request.path


def _is_kept_for(request: HttpRequest) -> bool:
    return request.method in {"GET", "HEAD"} and not signed_in(request)


def _has(request: HttpRequest, etag: str) -> bool:
    """Whether the reader's ``If-None-Match`` holds ``etag`` (compared weakly, as that
    header is: with or without ``W/``)."""
    given = parse_etags(request.headers.get("If-None-Match", ""))
    return etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in given}


def _mark(response: HttpResponse, etag: str) -> None:
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ("Cookie",))


#: The longest a process answers a page from its own memory (``NearPages``) without
#: asking the shared cache again: the shared cache's own time-out (a kept page is a day
#: old at most) is never outlived by more than this.
NEAR_SECONDS = 300


class NearPages:
    """The pages a process has kept or answered lately, in its own memory, in front of the
    shared cache: at most ``PUBLIC_PAGE_MEMORY_MB`` of their bodies (0: none kept), the
    one read least lately dropped first, each for ``NEAR_SECONDS`` at most. Safe to share
    between the threads of a process."""

    def __init__(self) -> None:
        self._pages: OrderedDict[str, tuple[float, KeptPage]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> KeptPage | None:
        with self._lock:
            item = self._pages.get(key)
            if item is None:
                return None
            if item[0] <= time.monotonic():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return item[1]

    def put(self, key: str, page: KeptPage) -> None:
        budget = settings.PUBLIC_PAGE_MEMORY_MB * 1024 * 1024
        size = _size(page)
        with self._lock:
            self._drop(key)
            if size > budget:
                return
            self._pages[key] = (time.monotonic() + NEAR_SECONDS, page)
            self._bytes += size
            while self._bytes > budget:
                self._drop(next(iter(self._pages)))

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)

    def _drop(self, key: str) -> None:
        item = self._pages.pop(key, None)
        if item is not None:
            self._bytes -= _size(item[1])


def _size(page: KeptPage) -> int:
    """What a kept page holds in memory, about: its body and its headers."""
    return len(page.content) + sum(len(name) + len(value) for name, value in page.headers)


#: This process's pages (``NearPages``).
near = NearPages()


def _kept(key: str) -> KeptPage | None:
    page = near.get(key)
    if page is not None:
        return page
    try:
        page = caches[PAGES].get(key)
    except Exception:  # any failure of the cache backend: database, Redis, network
        logger.warning("page cache not read: the cache does not answer", exc_info=True)
        return None
    if not isinstance(page, KeptPage):
        return None
    near.put(key, page)
    return page


def _keep(key: str, request: HttpRequest, response: HttpResponse) -> None:
    """Keeps a rendered 200 for the next reader, its CSRF token replaced; not a page that
    used the token where it cannot be found, nor one that used a CSP nonce."""
    content = response.content
    tokens = set(_TOKEN_FIELD.findall(content))
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not tokens:
        return
    if getattr(request, "_csp_nonce", None) is not None:
        return
    for token in tokens:
        content = content.replace(token, TOKEN_PLACEHOLDER)
    page = KeptPage(
        content=content,
        headers=tuple(response.items()),
        csp=tuple((name, getattr(response, name)) for name in CSP_ATTRIBUTES if hasattr(response, name)),
    )
    try:
        caches[PAGES].set(key, page)
    except Exception:  # any failure of the cache backend: database, Redis, network
        logger.warning("page cache not written: the cache does not answer", exc_info=True)
        return
    near.put(key, page)


def _answer(request: HttpRequest, page: KeptPage) -> HttpResponse:
    content = page.content
    if TOKEN_PLACEHOLDER in content:
        content = content.replace(TOKEN_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content)
    for name, value in page.headers:
        response[name] = value
    for name, value in page.csp:
        setattr(response, name, value)
    return response


def keyed_by(version_of: VersionOf) -> Callable[[View], View]:
    """Decorates a public view: its pages kept and answered by the data version that
    ``version_of(<the view's keyword arguments>)`` reads (None: the view answers as if
    undecorated, e.g. a plan that does not exist)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def answered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _is_kept_for(request):
                return view(request, *args, **kwargs)
            version = version_of(kwargs)
            if version is None:
                return view(request, *args, **kwargs)
            parts = (release_salt(), translation.get_language() or "", address_of(request), str(version))
            digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
            etag = f'W/"{digest[:32]}"'
            if _has(request, etag):
                response: HttpResponse = HttpResponseNotModified()
                _mark(response, etag)
                return response
            key = f"page:{digest}"
            page = _kept(key) if settings.PUBLIC_PAGE_CACHE else None
            if page is not None:
                response = _answer(request, page)
            else:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming or response.cookies:
                    return response
                if settings.PUBLIC_PAGE_CACHE and response["Content-Type"].startswith(KEPT_TYPES):
                    _keep(key, request, response)
            _mark(response, etag)
            return response

        return answered

    return decorate


#: A page of one plan (its address names it: ``plan_code``), keyed on that plan's version.
plan_page = keyed_by(lambda kwargs: versions.plan_version(kwargs["plan_code"]))

#: A page that reads every plan (the home page, the search), keyed on the site's version.
site_page = keyed_by(lambda kwargs: versions.site_version())
