"""A section fills in the year's cost, a reason and a section of the plan's own on the
entry page, in Chromium: full-width digits and separators are taken, a negative figure
is refused with its message beside the field, and the page passes axe and the Nu HTML
Checker (``tests.checkers``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, expect

from shinchoku.review.models import EntryCost
from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools
from tests.review.test_entry_costs import make_costed_cycle, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_section_enters_costs_and_a_reason(browser: Browser, live_server: Any) -> None:
    missing = missing_tools()
    if missing:
        pytest.skip(missing)
    cycle = make_costed_cycle()
    base = live_server.url
    checker = PageChecker(ARTIFACTS / "entry-costs")
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    client = Client()
    client.force_login(cycle.editor)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    checker.watch(context)
    page = context.new_page()
    url = base + reverse("staff:entry", args=[cycle.entry.pk])

    page.goto(url)
    checker.check(page, "entry with costs")
    page.get_by_role("textbox", name=re.compile("^実施結果")).fill("・説明会を開催しました。")
    page.get_by_role("radio", name=re.compile("目標をほぼ達成")).check()
    page.get_by_role("textbox", name="達成状況区分の理由").fill("計画どおり進んだため")
    page.get_by_role("textbox", name="課題").fill("・担い手の確保")
    page.get_by_role("textbox", name="事業費（A）（千円）").fill("１，２３４")
    page.get_by_role("textbox", name="延べ業務時間").fill("１０．５")
    page.get_by_role("textbox", name="国庫支出金（千円）").fill("-5")
    page.get_by_role("button", name="下書き保存").click()

    checker.check(page, "entry with a negative cost", status=400)
    national = page.get_by_role("textbox", name="国庫支出金（千円）")
    error = page.locator("#id_cost_national_error")
    expect(error).to_have_text("国庫支出金：「-5」は負の数です。0以上で入力してください。")
    # The message stands beside its field: in the same field group, before the input.
    expect(page.locator(".field--figure.has-error")).to_have_count(1)
    expect(page.locator(".field--figure.has-error").get_by_role("textbox")).to_have_attribute(
        "name", "cost_national"
    )
    assert not EntryCost.objects.exists()

    national.fill("５００")
    page.get_by_role("button", name="下書き保存").click()
    checker.check(page, "entry with costs saved")
    expect(page.get_by_role("textbox", name="事業費（A）（千円）")).to_have_value("1,234")
    expect(page.get_by_role("textbox", name="国庫支出金（千円）")).to_have_value("500")
    # B priced from the hours at 4,000 yen an hour: 42 千円; the total 1,276 千円.
    expect(page.locator(".cost-entry__computed")).to_contain_text("1,276")
    page.screenshot(path=ARTIFACTS / "entry-costs.png", full_page=True)
    kept = snapshot(cycle.fresh())
    assert kept["costs.project_cost"] == "1234000"
    assert kept["costs.national"] == "500000"
    assert kept["costs.staff_hours"] == "10.5"
    assert kept["ratings.achievement.reason"] == "計画どおり進んだため"
    assert kept["sections.issues"] == "・担い手の確保"
    assert checker.findings() == []
    assert checker.markup() == []
