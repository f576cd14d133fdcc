"""A new citizen, in a real browser, finds on a measure's page how to follow it, asks for
the mails, opens the confirmation link from the mail and confirms; later stops them. Each
page of the e-mail follow passes axe-core and the Nu HTML Checker, at a desktop's width
and a phone's. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail

from shinchoku.follow.models import Follow, Subscriber
from shinchoku.ops import ratelimit
from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools
from tests.factories import make_sample

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.one_database]

ADDRESS = "hanako@example.jp"


def test_a_new_citizen_follows_a_measure_by_mail(browser, live_server, settings, monkeypatch) -> None:
    missing = missing_tools()
    if missing:
        pytest.fail(missing)
    from playwright.sync_api import expect

    settings.SITE_URL = live_server.url
    make_sample()
    measure = f"{live_server.url}/plans/plan9/nodes/9-1-1/"
    checker = PageChecker(ARTIFACTS / "checked-follow")
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    checker.watch(context)
    page = context.new_page()

    page.goto(measure)
    checker.check(page, "measure page with the follow section")
    box = page.get_by_role("region", name="公表のお知らせを受け取る")
    feed = box.get_by_role("link", name="Atomフィード")
    expect(feed).to_have_attribute("href", "/plans/plan9/nodes/9-1-1/feed.atom")
    expect(page.locator("head link[rel=alternate]")).to_have_attribute("type", "application/atom+xml")
    box.scroll_into_view_if_needed()
    box.screenshot(path=ARTIFACTS / "follow-01-measure-box.png")

    box.get_by_label("メールで受け取る：メールアドレス").fill(ADDRESS)
    box.get_by_role("button", name="メールで受け取る").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("メールをご確認ください")
    checker.check(page, "mail sent")
    page.screenshot(path=ARTIFACTS / "follow-02-sent.png", full_page=True)
    assert not Subscriber.objects.exists()

    [asked] = mail.outbox
    link = re.search(r"http://\S+/follow/confirm/\?token=\S+", asked.body).group(0)
    page.goto(link)
    checker.check(page, "confirmation")
    expect(page.locator(".follow__address")).to_have_text(ADDRESS)
    page.screenshot(path=ARTIFACTS / "follow-03-confirm.png", full_page=True)
    page.get_by_role("button", name="登録する（メールを受け取る）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("お知らせメールを登録しました")
    checker.check(page, "confirmed")
    page.screenshot(path=ARTIFACTS / "follow-04-confirmed.png", full_page=True)
    assert Follow.objects.get().node.code == "9-1-1"

    # Later, from the link of a mail: asked first, then stopped.
    key = Subscriber.objects.get().key
    page.goto(f"{live_server.url}/follow/unsubscribe/?key={key}")
    checker.check(page, "unsubscribe")
    page.screenshot(path=ARTIFACTS / "follow-05-unsubscribe.png", full_page=True)
    page.get_by_role("button", name="すべて停止してアドレスを削除する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("お知らせメールを停止しました")
    checker.check(page, "unsubscribed")
    assert not Subscriber.objects.exists()

    # The form's own page, with an address it refuses; a link cut short; too many requests.
    # The rate limit's minute held still: the refused request and the one too many fall
    # in the same minute, wherever the clock stands.
    held = time.time()
    monkeypatch.setattr(ratelimit.time, "time", lambda: held)
    page.goto(f"{measure}follow/")
    page.get_by_role("textbox", name="メールアドレス").fill("hanako@")
    page.get_by_role("button", name="確認メールを送る").click()
    checker.check(page, "follow form refused", status=400)
    page.screenshot(path=ARTIFACTS / "follow-06-form-refused.png", full_page=True)
    page.goto(link[:-5])
    checker.check(page, "link not valid", status=400)
    page.screenshot(path=ARTIFACTS / "follow-07-link-invalid.png", full_page=True)
    settings.FOLLOW_RATE_LIMIT = 1
    page.goto(f"{measure}follow/")
    page.get_by_role("textbox", name="メールアドレス").fill(ADDRESS)
    page.get_by_role("button", name="確認メールを送る").click()
    checker.check(page, "too many requests", status=429)
    context.close()

    # A phone's width: the section and the confirmation page.
    phone = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    checker.watch(phone)
    page = phone.new_page()
    page.goto(measure)
    checker.check(page, "measure page (phone)")
    page.locator("section.follow").screenshot(path=ARTIFACTS / "follow-08-measure-box-phone.png")
    page.goto(link)
    checker.check(page, "confirmation (phone)")
    page.screenshot(path=ARTIFACTS / "follow-09-confirm-phone.png", full_page=True)
    phone.close()

    assert checker.findings() == []
    assert checker.markup() == []
