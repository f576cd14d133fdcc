"""The site's URLs and ``/bench/minimal/``: a page that reads no data and renders no
template, only what every request costs (the server, the middleware, the headers)."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from shinchoku.urls import handler400
from shinchoku.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "urlpatterns"]

MINIMAL_PATH = "/bench/minimal/"


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>minimal</title><p>minimal</p>")


urlpatterns: list[URLPattern | URLResolver] = [path(MINIMAL_PATH.lstrip("/"), minimal), *site_urlpatterns]
