from django.urls import path

from shinchoku.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("<int:job_id>/", views.job_detail, name="job"),
    path("<int:job_id>/retry/", views.job_retry, name="job_retry"),
]
