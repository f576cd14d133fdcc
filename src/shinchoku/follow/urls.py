"""Following what is published (docs/follow.md): the Atom feeds of a plan and of each
node, beside their pages; the e-mail follow of a node, its confirmation link and the
unsubscribe link of its mails."""

from django.urls import path

from shinchoku.follow import views

app_name = "follow"
urlpatterns = [
    path("plans/<slug:plan_code>/feed.atom", views.plan_feed, name="plan_feed"),
    path("plans/<slug:plan_code>/nodes/<str:node_code>/feed.atom", views.node_feed, name="node_feed"),
    path("plans/<slug:plan_code>/nodes/<str:node_code>/follow/", views.follow_start, name="start"),
    path("plans/<slug:plan_code>/nodes/<str:node_code>/follow/sent/", views.follow_sent, name="sent"),
    path("follow/confirm/", views.follow_confirm, name="confirm"),
    path("follow/unsubscribe/", views.unsubscribe, name="unsubscribe"),
]
