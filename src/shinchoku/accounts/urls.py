"""Signing in and out of the staff pages (mounted at /staff/): ``accounts:login``,
``accounts:logout`` (POST only), ``accounts:password_change`` and its ``…_done`` page.
Django's views; the lockout after repeated failures is django-axes (settings.py)."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path, reverse_lazy

from shinchoku.accounts.views import StaffLoginView

app_name = "accounts"
urlpatterns: list[URLPattern] = [
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
]
