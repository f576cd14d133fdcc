"""The staff pages of the interchange, under /staff/: upload, preview, import; a report's
draft reviewed and accepted."""

from django.urls import path

from shinchoku.interchange import views
from shinchoku.interchange.reportdrafts import views as drafts

app_name = "interchange"
urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/<str:token>/", views.import_preview_page, name="import_preview"),
    path("import/<str:token>/apply/", views.import_apply_page, name="import_apply"),
    path("report-drafts/", drafts.draft_list, name="report_drafts"),
    path("report-drafts/<int:pk>/", drafts.draft_review, name="report_draft"),
    path(
        "report-drafts/<int:pk>/decisions/<int:index>/",
        drafts.draft_correct,
        name="report_draft_correct",
    ),
    path("report-drafts/<int:pk>/accept/", drafts.draft_accept, name="report_draft_accept"),
    path("report-drafts/<int:pk>/discard/", drafts.draft_discard, name="report_draft_discard"),
]
