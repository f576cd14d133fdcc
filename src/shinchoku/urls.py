from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from shinchoku.api.urls import api_urls

#: A request Django refuses as malformed or too large gets the site's page that says so
#: (shinchoku.ops.views). The health check, /healthz, is answered before the URLs are
#: looked at (shinchoku.ops.middleware).
handler400 = "shinchoku.ops.views.bad_request"

urlpatterns: list[URLPattern | URLResolver] = [
    # The open data API (docs/api.md): not under a language prefix.
    *api_urls,
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("staff/", include("shinchoku.accounts.urls")),
    path("staff/", include("shinchoku.review.urls")),
    path("staff/", include("shinchoku.interchange.urls")),
    path("staff/jobs/", include("shinchoku.jobs.urls")),
    path("", include("shinchoku.follow.urls")),
    path("api/", include("shinchoku.api.urls")),
    path("", include("shinchoku.portal.urls")),
    prefix_default_language=False,
)
