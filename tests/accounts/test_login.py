"""Signing in to the staff pages: the page, the redirect, the lockout after repeated
failures (django-axes, on the staff and the admin login alike), signing out by POST only,
and changing one's password under the password rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.conftest import PASSWORD

LOGIN = "/staff/login/"
ADMIN_LOGIN = "/admin/login/"


def sign_in(client: Client, password: str, *, username: str = "shinsa", url: str = LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def fail(client: Client, times: int, **kwargs) -> list[int]:
    return [sign_in(client, "wrong-password", **kwargs).status_code for _ in range(times)]


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# ------------------------------------------------------------------ the page


def test_the_names_and_settings() -> None:
    assert reverse("accounts:login") == LOGIN
    assert reverse("accounts:logout") == "/staff/logout/"
    assert reverse("accounts:password_change") == "/staff/password/"
    assert reverse("accounts:password_change_done") == "/staff/password/done/"


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "lang"), [(LOGIN, "ja"), ("/en/staff/login/", "en")])
def test_the_login_page_renders_an_accessible_form(client: Client, url: str, lang: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{lang}">' in page
    assert 'class="site-header"' in page  # the site's own layout (base.html)
    assert '<label class="form-field__label" for="id_username">' in page
    assert '<label class="form-field__label" for="id_password">' in page
    assert re.search(r'<input type="text" name="username"[^>]*autocomplete="username"', page)
    assert re.search(r'<input type="password" name="password"[^>]*autocomplete="current-password"', page)
    assert 'role="alert"' not in page  # no error summary before a failure
    assert "csrfmiddlewaretoken" in page


@pytest.mark.django_db
def test_a_failure_shows_an_error_summary(client: Client, staff: User) -> None:
    response = sign_in(client, "wrong-password")
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<div class="error-summary" role="alert"', page)
    assert not signed_in(client)


# ------------------------------------------------------------- signing in and out


@pytest.mark.django_db
def test_a_good_login_goes_to_the_staff_home(client: Client, staff: User) -> None:
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert signed_in(client)


@pytest.mark.django_db
def test_a_good_login_goes_back_where_it_was_asked(client: Client, staff: User) -> None:
    response = client.post(LOGIN, {"username": "shinsa", "password": PASSWORD, "next": "/staff/review/"})
    assert response["Location"] == "/staff/review/"
    response = client.post(
        LOGIN, {"username": "shinsa", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/staff/"


@pytest.mark.django_db
def test_the_session_is_a_working_day_and_ends_with_the_browser(
    client: Client, staff: User, settings
) -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    response = sign_in(client, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie


@pytest.mark.django_db
def test_logout_is_post_only(client: Client, staff: User) -> None:
    client.force_login(staff)
    assert client.get("/staff/logout/").status_code == 405
    assert signed_in(client)
    response = client.post("/staff/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home") == "/"
    assert not signed_in(client)


@pytest.mark.django_db
def test_the_test_clients_login_still_works(client: Client, staff: User) -> None:
    """Test settings only: ``client.login`` calls authenticate without a request."""
    assert client.login(username="shinsa", password=PASSWORD)
    assert not client.login(username="shinsa", password="wrong")


# ------------------------------------------------------------------ the lockout


@pytest.mark.django_db
def test_five_failures_lock_out_even_the_right_password(client: Client, staff: User) -> None:
    assert fail(client, 4) == [200] * 4
    locked = sign_in(client, "wrong-password")
    assert locked.status_code == 429
    after = sign_in(client, PASSWORD)
    assert after.status_code == 429
    assert not signed_in(client)
    page = after.content.decode()
    assert 'class="site-header"' in page  # a page of the site, not axes' plain text
    assert re.search(r'<div class="notice notice--warning" role="alert">', page)
    assert re.search(r"[“「]shinsa[”」]", page)  # the user name, quoted as the language quotes
    retry = int(after["Retry-After"])
    assert 29 * 60 < retry <= 30 * 60
    iso = re.search(r'<time datetime="([^"]+)">', page).group(1)
    attempt = AccessAttempt.objects.get()
    ends = timezone.localtime(attempt.attempt_time + timedelta(minutes=30))
    assert iso == ends.replace(microsecond=0).isoformat()  # to the second


@pytest.mark.django_db
def test_the_lockout_page_speaks_english_too(client: Client, staff: User) -> None:
    fail(client, 5, url="/en/staff/login/")
    response = sign_in(client, PASSWORD, url="/en/staff/login/")
    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Signing in is paused" in page
    assert "was wrong 5 times in a row" in page
    assert "30 minutes" in page


@pytest.mark.django_db
def test_attempts_during_the_lockout_do_not_extend_it(client: Client, staff: User) -> None:
    fail(client, 5)
    attempt = AccessAttempt.objects.get()
    earlier = attempt.attempt_time - timedelta(minutes=10)
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=earlier)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert AccessAttempt.objects.get().attempt_time == earlier
    assert 19 * 60 < int(response["Retry-After"]) <= 20 * 60


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(client: Client, staff: User) -> None:
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_a_success_resets_the_count(client: Client, staff: User) -> None:
    assert fail(client, 4) == [200] * 4
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    assert fail(client, 4) == [200] * 4
    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lockout_is_per_user_name_and_address(client: Client, staff: User) -> None:
    """Someone else in the same office (same address), or the same person elsewhere, may
    still sign in."""
    colleague = User.objects.create_user("dōryō", password=PASSWORD)
    fail(client, 5, REMOTE_ADDR="192.0.2.10")
    assert sign_in(client, PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 429
    assert (
        sign_in(Client(), PASSWORD, username=colleague.username, REMOTE_ADDR="192.0.2.10").status_code == 302
    )
    assert sign_in(Client(), PASSWORD, REMOTE_ADDR="192.0.2.20").status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_locked_out_too(client: Client, admin_user: User) -> None:
    assert fail(client, 4, username="admin", url=ADMIN_LOGIN) == [200] * 4
    assert sign_in(client, "wrong-password", username="admin", url=ADMIN_LOGIN).status_code == 429
    response = sign_in(client, "password", username="admin", url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert "Retry-After" in response
    assert not signed_in(client)
    # and the staff login counts the same failures
    assert sign_in(client, "password", username="admin").status_code == 429


@pytest.mark.django_db
def test_the_admin_login_works_when_not_locked(client: Client, admin_user: User) -> None:
    response = sign_in(client, "password", username="admin", url=ADMIN_LOGIN + "?next=/admin/")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_limit_and_cool_off_come_from_the_settings(client: Client, staff: User, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=5)
    assert fail(client, 2) == [200, 429]
    response = sign_in(client, PASSWORD, url="/en/staff/login/")
    assert "5 minutes" in response.content.decode()
    assert int(response["Retry-After"]) <= 5 * 60


# ----------------------------------------------------------- changing a password


@pytest.mark.django_db
def test_changing_the_password_needs_a_sign_in(client: Client) -> None:
    response = client.get("/staff/password/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/password/"


@pytest.mark.django_db
def test_a_weak_new_password_is_refused(client: Client, staff: User) -> None:
    client.force_login(staff)
    page = client.get("/staff/password/").content.decode()
    assert 'autocomplete="new-password"' in page and 'autocomplete="current-password"' in page
    response = client.post(
        "/staff/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert len(errors) >= 2  # too common, entirely numeric (AUTH_PASSWORD_VALIDATORS)
    assert re.search(r'<div class="error-summary" role="alert"', response.content.decode())
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_staff_password_has_at_least_12_characters(client: Client, staff: User) -> None:
    client.force_login(staff)
    short = "Kyo-no-ame1"  # 11
    response = client.post(
        "/staff/password/", {"old_password": PASSWORD, "new_password1": short, "new_password2": short}
    )
    assert response.status_code == 200
    (refusal,) = response.context["form"].errors.as_data()["new_password2"]
    assert refusal.code == "password_too_short" and refusal.params == {"min_length": 12}
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    enough = short + "2"
    response = client.post(
        "/staff/password/", {"old_password": PASSWORD, "new_password1": enough, "new_password2": enough}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(enough)


@pytest.mark.django_db
def test_a_wrong_old_password_is_refused(client: Client, staff: User) -> None:
    client.force_login(staff)
    response = client.post(
        "/staff/password/",
        {
            "old_password": "not-it",
            "new_password1": "Ryokucha-no-aji-42",
            "new_password2": "Ryokucha-no-aji-42",
        },
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors


@pytest.mark.django_db
def test_a_good_new_password_is_kept(client: Client, staff: User) -> None:
    client.force_login(staff)
    new = "Ryokucha-no-aji-42"
    response = client.post(
        "/staff/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/password/done/"
    assert signed_in(client)  # the session survives the change
    assert client.get("/staff/password/done/").status_code == 200
    staff.refresh_from_db()
    assert staff.check_password(new)
