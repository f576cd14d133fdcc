"""Signing in through the real form, in Chromium: a link to a staff page opened while
signed out (as the links in notice mails are) leads through the sign-in page back to
that page, and a ``next`` naming another site is not followed; after a spell away the
sign-in page says why the person was signed out, and leads back the same way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect

from shinchoku.accounts.middleware import ACTIVITY
from tests.browser import ARTIFACTS
from tests.review.conftest import Cycle, make_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kakunin-no-tame-no-pasuwado-2013"


@pytest.fixture
def cycle(transactional_db: None) -> Cycle:
    cycle = make_cycle()
    cycle.editor.set_password(PASSWORD)
    cycle.editor.save(update_fields=["password"])
    return cycle


def fill_and_submit(page: Page, username: str) -> None:
    with translation.override("ja"):
        form = AuthenticationForm()
        username_label = str(form.fields["username"].label)
        password_label = str(form.fields["password"].label)
        sign_in = gettext("Sign in")
    page.get_by_label(username_label, exact=True).fill(username)
    page.get_by_label(password_label, exact=True).fill(PASSWORD)
    page.get_by_role("button", name=sign_in, exact=True).click()


def test_signing_in_goes_on_to_the_page_that_was_asked_for(
    cycle: Cycle, browser: Browser, live_server: Any
) -> None:
    page = browser.new_page(locale="ja-JP")
    entry = reverse("staff:entry", args=[cycle.entry.pk])
    page.goto(live_server.url + entry)
    expect(page).to_have_url(live_server.url + f"/staff/login/?next={entry}")
    fill_and_submit(page, cycle.editor.get_username())
    expect(page).to_have_url(live_server.url + entry)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{cycle.sample.measure.code} {cycle.sample.measure.title}"
    )
    page.screenshot(path=ARTIFACTS / "accounts-after-sign-in.png", full_page=True)


def test_a_next_on_another_site_is_not_followed(cycle: Cycle, browser: Browser, live_server: Any) -> None:
    page = browser.new_page(locale="ja-JP")
    page.goto(live_server.url + "/staff/login/?next=https://evil.example/staff/")
    fill_and_submit(page, cycle.editor.get_username())
    expect(page).to_have_url(live_server.url + "/staff/")
    assert not re.search(r"evil\.example", page.content())


def test_after_a_spell_away_the_sign_in_page_says_why_and_leads_back(
    cycle: Cycle, browser: Browser, live_server: Any
) -> None:
    client = Client()
    client.force_login(cycle.editor)
    session = client.session
    now = int(timezone.now().timestamp())
    session[ACTIVITY] = {"since": now - 3600, "last": now - 31 * 60}
    session.save()
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )
    page = context.new_page()
    entry = reverse("staff:entry", args=[cycle.entry.pk])
    page.goto(live_server.url + entry)
    expect(page).to_have_url(live_server.url + f"/staff/login/?next={entry}")
    expect(page.get_by_role("status")).to_have_text(
        "30分間操作がなかったため、ログアウトしました。もう一度ログインしてください。"
    )
    page.screenshot(path=ARTIFACTS / "accounts-signed-out-for-inactivity.png", full_page=True)
    fill_and_submit(page, cycle.editor.get_username())
    expect(page).to_have_url(live_server.url + entry)
