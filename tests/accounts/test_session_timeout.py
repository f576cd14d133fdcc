"""A sign-in ends after SESSION_IDLE_MINUTES without a request, and SESSION_HOURS after
signing in: the person is signed out, sent to the sign-in page with the page they asked
for kept, and told why. The clock is the session's own record of the sign-in's times,
written back by the test, so no test waits."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import ngettext

from shinchoku.accounts.middleware import ACTIVITY
from tests.accounts.conftest import PASSWORD

LOGIN = "/staff/login/"
PAGE = "/staff/review/"
MINUTE = 60


def now() -> int:
    return int(timezone.now().timestamp())


def signed_in_earlier(client: Client, user: User, *, idle_minutes: float, signed_in_hours: float = 1) -> None:
    """``user`` signed in ``signed_in_hours`` ago, last seen ``idle_minutes`` ago."""
    client.force_login(user)
    session = client.session
    session[ACTIVITY] = {
        "since": now() - round(signed_in_hours * 3600),
        "last": now() - round(idle_minutes * MINUTE),
    }
    session.save()


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def idle_message(minutes: int) -> str:
    with translation.override("ja"):
        return ngettext(
            "You have been signed out because nothing was done for %(minutes)d minute. Please sign in again.",
            "You have been signed out because nothing was done for %(minutes)d minutes. "
            "Please sign in again.",
            minutes,
        ) % {"minutes": minutes}


def test_the_defaults(settings) -> None:
    assert settings.SESSION_IDLE_TIMEOUT == 30 * MINUTE
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * MINUTE


@pytest.mark.django_db
def test_a_request_within_the_idle_time_keeps_the_sign_in(client: Client, staff: User) -> None:
    signed_in_earlier(client, staff, idle_minutes=29)
    assert client.get(PAGE).status_code == 200
    assert signed_in(client)
    activity = client.session[ACTIVITY]
    assert now() - activity["last"] <= 2  # the clock starts again
    assert now() - activity["since"] >= 3600 - 2  # the working day does not


@pytest.mark.django_db
def test_the_time_is_kept_to_the_minute(client: Client, staff: User) -> None:
    """Within a minute of the time kept, a request does not write the session again."""
    signed_in_earlier(client, staff, idle_minutes=0.5)
    kept = client.session[ACTIVITY]
    assert client.get(PAGE).status_code == 200
    assert client.session[ACTIVITY] == kept


@pytest.mark.django_db
def test_signing_in_starts_the_times(client: Client, staff: User) -> None:
    client.force_login(staff)
    assert now() - client.session[ACTIVITY]["since"] <= 2
    assert now() - client.session[ACTIVITY]["last"] <= 2


@pytest.mark.django_db
def test_after_the_idle_time_the_person_is_signed_out_and_sent_to_sign_in(
    client: Client, staff: User
) -> None:
    signed_in_earlier(client, staff, idle_minutes=31)
    response = client.get(PAGE + "?state=submitted")
    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=" + quote(PAGE + "?state=submitted", safe="/")
    assert response["Cache-Control"].count("no-store") == 1
    assert not signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert idle_message(30) == "30分間操作がなかったため、ログアウトしました。もう一度ログインしてください。"
    assert idle_message(30) in page
    assert f'name="next" value="{PAGE}?state=submitted"' in page
    # and signing in again through that form goes back to the page
    response = client.post(
        LOGIN, {"username": "shinsa", "password": PASSWORD, "next": PAGE + "?state=submitted"}
    )
    assert response["Location"] == PAGE + "?state=submitted"
    assert client.get(PAGE).status_code == 200


@pytest.mark.django_db
def test_the_idle_time_comes_from_the_settings(client: Client, staff: User, settings) -> None:
    settings.SESSION_IDLE_TIMEOUT = 5 * MINUTE
    signed_in_earlier(client, staff, idle_minutes=4)
    assert client.get(PAGE).status_code == 200
    signed_in_earlier(client, staff, idle_minutes=6)
    response = client.get(PAGE, follow=True)
    assert response.redirect_chain == [(LOGIN + "?next=" + PAGE, 302)]
    assert idle_message(5) in response.content.decode()


@pytest.mark.django_db
def test_a_form_sent_after_the_idle_time_leads_back_to_its_page(client: Client, staff: User) -> None:
    """Nothing is done with the form; the person comes back to the page it was on."""
    signed_in_earlier(client, staff, idle_minutes=45)
    response = client.post("/staff/logout/", HTTP_REFERER=f"http://testserver{PAGE}?state=returned")
    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=" + quote(PAGE + "?state=returned", safe="/")
    signed_in_earlier(client, staff, idle_minutes=45)
    response = client.post("/staff/logout/", HTTP_REFERER="https://evil.example/staff/")
    assert response["Location"] == LOGIN


@pytest.mark.django_db
def test_a_public_page_after_the_idle_time_is_shown_signed_out(client: Client, staff: User) -> None:
    signed_in_earlier(client, staff, idle_minutes=31)
    response = client.get("/")
    assert response.status_code == 200
    assert not signed_in(client)
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_the_sign_in_page_itself_after_the_idle_time(client: Client, staff: User) -> None:
    signed_in_earlier(client, staff, idle_minutes=31)
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert not signed_in(client)
    assert idle_message(30) in response.content.decode()


@pytest.mark.django_db
def test_the_working_day_ends_even_when_active(client: Client, staff: User) -> None:
    signed_in_earlier(client, staff, idle_minutes=1, signed_in_hours=8.05)
    response = client.get(PAGE, follow=True)
    assert response.redirect_chain == [(LOGIN + "?next=" + PAGE, 302)]
    assert not signed_in(client)
    with translation.override("ja"):
        message = ngettext(
            "You have been signed out: a sign-in lasts %(hours)d hour. Please sign in again.",
            "You have been signed out: a sign-in lasts %(hours)d hours. Please sign in again.",
            8,
        ) % {"hours": 8}
    assert message in response.content.decode()


@pytest.mark.django_db
def test_signing_in_again_starts_a_new_working_day(client: Client, staff: User) -> None:
    signed_in_earlier(client, staff, idle_minutes=1, signed_in_hours=7.9)
    response = client.post(LOGIN, {"username": "shinsa", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(PAGE).status_code == 200
    assert now() - client.session[ACTIVITY]["since"] <= 2
