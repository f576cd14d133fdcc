"""The staff pages of the evaluation round, under /staff/."""

from django.urls import path

from shinchoku.review import views
from shinchoku.review.workbook.views import workbook_download

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("review/", views.review_queue, name="queue"),
    path("entries/<int:entry_id>/", views.entry_detail, name="entry"),
    path("entries/<int:entry_id>/actions/", views.entry_act, name="entry_act"),
    path("entries/<int:entry_id>/history/", views.entry_history, name="history"),
    path(
        "entries/<int:entry_id>/history/<int:event_id>/restore/",
        views.entry_restore,
        name="restore",
    ),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_open, name="round_open"),
    path("rounds/<int:round_id>/", views.round_detail, name="round"),
    path("rounds/<int:round_id>/publish/", views.round_publish, name="round_publish"),
    path("rounds/<int:round_id>/deadline/", views.round_deadline, name="round_deadline"),
    path("rounds/<int:round_id>/close/", views.round_close, name="round_close"),
    path("workbooks/<int:round_id>/<slug:unit_code>.xlsx", workbook_download, name="workbook"),
]
