"""The public site: home → plan → plan area / programme → measure, addressed by codes;
the annual report of a plan (or of one plan area, ``?area=<code>``) per fiscal year; the
plan's open data as a ZIP of CSV tables, of all years or of one; the measures a unit
(課) is responsible for in a plan; the search of published data (``/search/?q=…``); and
the comparisons across years (``comparison``)."""

from django.urls import path

from shinchoku.portal import comparison, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("plans/<slug:plan_code>/", views.plan_detail, name="plan"),
    path("plans/<slug:plan_code>/nodes/<str:node_code>/", views.node_detail, name="node"),
    path("plans/<slug:plan_code>/nodes/<str:node_code>/years/", comparison.node_years, name="node_years"),
    path(
        "plans/<slug:plan_code>/nodes/<str:node_code>/compare/", comparison.node_compare, name="node_compare"
    ),
    path(
        "plans/<slug:plan_code>/nodes/<str:node_code>/changes/<int:year>/",
        comparison.node_changes,
        name="node_changes",
    ),
    path("plans/<slug:plan_code>/units/<slug:unit_code>/", views.unit_detail, name="unit"),
    path(
        "plans/<slug:plan_code>/report/<int:year>.pdf",
        views.report_download,
        {"fmt": "pdf"},
        name="report_pdf",
    ),
    path(
        "plans/<slug:plan_code>/report/<int:year>.html",
        views.report_download,
        {"fmt": "html"},
        name="report_html",
    ),
    path("plans/<slug:plan_code>/opendata.zip", views.opendata_download, name="opendata"),
    path("plans/<slug:plan_code>/opendata/<int:year>.zip", views.opendata_download, name="opendata_year"),
]
