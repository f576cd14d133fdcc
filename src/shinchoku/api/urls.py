"""The API's addresses. ``api_urls``, outside the language prefixes (shinchoku/urls.py):
the operations under ``/api/v1/`` and the OpenAPI document at ``/api/openapi.json``.
``urlpatterns``: the page for people, at ``/api/`` (``/en/api/`` in English)."""

from django.urls import URLPattern, URLResolver, path

from shinchoku.api import views

app_name = "apidocs"

api_urls: list[URLPattern | URLResolver] = [
    path("api/v1/", views.api.urls),
    path("api/openapi.json", views.openapi_document, name="api_openapi"),
]

urlpatterns = [
    path("", views.docs_page, name="index"),
]
