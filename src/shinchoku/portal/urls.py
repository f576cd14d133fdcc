"""The public site: home → plan → plan area / programme → measure, addressed by codes."""

from django.urls import path

from shinchoku.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:plan_code>/", views.plan_detail, name="plan"),
    path("plans/<slug:plan_code>/nodes/<str:node_code>/", views.node_detail, name="node"),
]
