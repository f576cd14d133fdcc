"""A new reader compares years in a real browser: from a measure page to its years side by
side, from there to the texts of two years compared, and from a plan area to what rose
and fell against the year before. axe-core and the Nu HTML Checker find nothing on any of
these pages (in English too: tests/test_checked_pages.py); on a phone the wide table scrolls in its own region, its row headings staying
in view. Screenshots go to test-artifacts/compare/ for a person to look at."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools
from tests.factories import add_result, make_sample

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.one_database]

SHOTS = ARTIFACTS / "compare"
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def test_a_reader_compares_years(browser, live_server) -> None:
    missing = missing_tools()
    if missing:
        pytest.fail(missing)
    from playwright.sync_api import expect

    sample = make_sample()
    # 9-3-1 rose from 4 to 3 in FY2012; 9-1-1 fell from 3 to 4; 9-1-2 was rated first in FY2012.
    add_result(sample.measure3, 2011, "・区民会議の準備を進めました。", rating="4")
    add_result(
        sample.measure,
        2013,
        "・事業一覧を9月に公表しました。\n・協働型事業を3件実施しました。",
        rating="2",
        context_change="・相談件数が増加しています。",
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    checker = PageChecker(ARTIFACTS / "checked-compare")
    base = live_server.url
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    checker.watch(context)
    page = context.new_page()

    # From the measure page to its years side by side.
    page.goto(f"{base}/plans/plan9/nodes/9-1-1/")
    page.get_by_role("navigation", name="この施策の年度ごとの比較").get_by_role(
        "link", name="年度別の目標と実施結果"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("協働型事業の推進")
    checker.check(page, "years")
    table = page.get_by_role("region", name=re.compile("年度別の事業内容・目標と実施結果"))
    expect(table.locator("tbody.years__results th").first).to_have_text("達成状況区分")
    expect(table.locator("td.years__span").first).to_contain_text("●ルールに基づく拡充")
    page.screenshot(path=SHOTS / "years-desktop.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=SHOTS / "years-print.png", full_page=True)
    page.emulate_media(media="screen")

    # From a year's column to the comparison of its texts with the year before.
    table.get_by_role("link", name=re.compile("前年度と比べる.*2013年度")).click()
    expect(page).to_have_url(re.compile(r"/compare/\?from=2012&to=2013$"))
    checker.check(page, "compare")
    result = page.locator("section.diff-field").first
    expect(result.get_by_role("heading", level=2)).to_have_text("実施結果")
    expect(result.locator(".diff-field__summary")).to_have_text("1文を追加")
    expect(result.locator("ins")).to_have_text(
        re.compile(r"^［追加：\s*・協働型事業を3件実施しました。\s*］$")
    )
    page.screenshot(path=SHOTS / "compare-desktop.png", full_page=True)
    # Another pair of years and one text, through the form: an address to keep.
    page.get_by_label("比べる年度（前）").select_option("2011")
    page.get_by_label("文章", exact=True).select_option("context_change")
    page.get_by_role("button", name="比べる").click()
    expect(page).to_have_url(re.compile(r"\?from=2011&to=2013&field=context_change$"))
    expect(page.locator("section.diff-field")).to_have_count(1)
    expect(page.locator("section.diff-field ins")).to_have_text(
        re.compile(r"^［追加：\s*・相談件数が増加しています。\s*］$")
    )

    # From the plan area to what rose and fell.
    page.goto(f"{base}/plans/plan9/nodes/9/")
    page.get_by_role("link", name="2012年度（平成24年度）の評価の前年度からの変化").click()
    checker.check(page, "changes")
    rose = page.get_by_role("region", name=re.compile("評価が上がった施策計画"))
    expect(rose.get_by_role("row")).to_have_count(2)
    expect(rose.get_by_role("rowheader")).to_contain_text("区民会議の運営")
    fell = page.get_by_role("region", name=re.compile("評価が下がった施策計画"))
    expect(fell.get_by_role("rowheader")).to_contain_text("協働型事業の推進")
    expect(fell.get_by_role("cell").last).to_have_text("▼1段階下がった")
    page.screenshot(path=SHOTS / "changes-desktop.png", full_page=True)

    context.close()

    # On a phone: no page scrolls sideways; the years scroll in their region, the row
    # headings staying in view.
    phone = browser.new_context(locale="ja-JP", **PHONE)
    checker.watch(phone)
    page = phone.new_page()
    for name, address in (
        ("years", "/plans/plan9/nodes/9-1-1/years/"),
        ("compare", "/plans/plan9/nodes/9-1-1/compare/?from=2012&to=2013"),
        ("changes", "/plans/plan9/nodes/9/changes/2012/"),
    ):
        page.goto(base + address)
        checker.check(page, f"{name} (phone)")
        width = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        assert page.evaluate(width) <= 0, name
        page.screenshot(path=SHOTS / f"{name}-phone.png", full_page=True)
    page.goto(base + "/plans/plan9/nodes/9-1-1/years/")
    region = page.locator("div.years-scroll")
    heading = region.locator("tbody th").first
    before = heading.bounding_box()
    region.evaluate("element => element.scrollBy(600, 0)")
    assert region.evaluate("element => element.scrollLeft") > 0
    assert abs(heading.bounding_box()["x"] - before["x"]) < 1
    page.screenshot(path=SHOTS / "years-phone-scrolled.png")
    phone.close()

    assert checker.findings() == []
    assert checker.markup() == []
