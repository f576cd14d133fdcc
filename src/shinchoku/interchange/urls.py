"""The staff pages of the interchange, under /staff/: upload, preview, import."""

from django.urls import path

from shinchoku.interchange import views

app_name = "interchange"
urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/<str:token>/", views.import_preview_page, name="import_preview"),
    path("import/<str:token>/apply/", views.import_apply_page, name="import_apply"),
]
