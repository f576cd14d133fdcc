"""HTTP headers the whole site sends, besides those of Django's SecurityMiddleware and the
Content-Security-Policy of django-csp (settings.py, docs/configuration.md).

- ``Permissions-Policy`` turns off the browser features the site never uses (camera,
  microphone, location, payment …), so that nothing injected into a page could use them.
- ``Cache-Control: no-store`` on every staff and admin response (the pages, the downloads,
  the sign-in page, an error page met there) and on every response to a signed-in person:
  city halls share counter PCs, and what one person saw must not stay in the browser's
  cache or a proxy's for the next. Public pages seen by anonymous readers stay cacheable.

It also holds the one place that says which addresses are the staff side of the site
(``private_path``) and how one response may allow its own inline stylesheet
(``allow_inline_styles``) without loosening the site-wide policy.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import add_never_cache_headers

#: The first part of the path of the staff side (shinchoku/urls.py): the staff pages and
#: the Django admin, in any language (/en/staff/ …).
PRIVATE_AREAS = ("staff", "admin")

#: Browser features no page of the site uses, each turned off for every origin.
UNUSED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in UNUSED_FEATURES)

_STYLE_ELEMENT = re.compile(r"<style(?:\s[^>]*)?>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def private_path(path: str) -> bool:
    """Whether ``path`` is on the staff side: under /staff/ or /admin/, with or without
    a language prefix."""
    parts = path.strip("/").split("/")
    if parts[0] in {code for code, _name in settings.LANGUAGES}:
        parts = parts[1:]
    return bool(parts) and parts[0] in PRIVATE_AREAS


def signed_in(request: HttpRequest) -> bool:
    """Whether the request comes from a signed-in person (False before the
    authentication middleware has run, e.g. for a redirect to HTTPS)."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    """Adds ``Permissions-Policy`` to every response, and ``Cache-Control: no-store``
    (with Django's other never-cache headers) to staff, admin and signed-in responses.
    Placed right after SecurityMiddleware, so that it also sees the error pages and the
    refusals (CSRF, lockout) that the inner layers answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if private_path(request.path_info) or signed_in(request):
            add_never_cache_headers(response)
        return response


def allow_inline_styles(response: HttpResponse) -> HttpResponse:
    """``response`` allowed to apply the ``<style>`` elements it carries, and nothing
    else inline: their SHA-256 hashes are added to this response's ``style-src``. For a
    document that must stand alone (the HTML report, saved and opened without the site);
    the site-wide policy is left as it is."""
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"
        for css in _STYLE_ELEMENT.findall(response.content.decode(response.charset or "utf-8"))
    ]
    if hashes:
        # Where django-csp's middleware takes a response's additions from (what its
        # csp_update decorator sets on a view's response).
        response._csp_update = {"style-src": hashes}  # type: ignore[attr-defined]
    return response
