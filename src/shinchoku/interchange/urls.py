"""The staff pages of the interchange, under /staff/."""

from django.urls import path

from shinchoku.interchange import views

app_name = "interchange"
urlpatterns = [
    path("workbooks/<int:round_id>/<slug:unit_code>.xlsx", views.workbook_download, name="workbook"),
    path("import/", views.import_upload, name="import"),
    path("import/<str:token>/", views.import_preview_page, name="import_preview"),
    path("import/<str:token>/apply/", views.import_apply_page, name="import_apply"),
]
