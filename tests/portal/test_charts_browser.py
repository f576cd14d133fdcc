"""A new reader opens a plan in Chromium and finds its charts: on the plan page the chart
of the ratings by fiscal year, its summary and the table it draws; the chart of each plan
area with its own table; then a plan area, a measure with its rating over the years and
its indicator, and the page of the section in charge. Every page type with charts passes
the page checkers (axe-core, the Nu HTML Checker, the console: tests/checkers.py) in
Japanese and English.

Screenshots go to test-artifacts/charts/ (git-ignored) for a person to look at: in
Japanese at a desktop's and a phone's width, and printed in grayscale (print media, the
page turned gray), where the levels of a scale must still be told apart."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools
from tests.portal.charts_world import make_chart_world

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.one_database]

SHOTS = ARTIFACTS / "charts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def grayscale_print(browser: Browser, page: Page, name: str) -> None:
    """The page as printed (print media), turned gray as a grayscale printer would, to a
    screenshot: the page's own policy allows no style of the test's, so its screenshot is
    turned gray in a blank page of its own."""
    page.emulate_media(media="print")
    shot = base64.b64encode(page.screenshot(full_page=True)).decode()
    page.emulate_media(media="screen")
    viewer = browser.new_page()
    try:
        viewer.set_content(f'<img alt="" src="data:image/png;base64,{shot}" style="filter: grayscale(1)">')
        viewer.locator("img").screenshot(path=SHOTS / f"{name}-print-gray.png")
    finally:
        viewer.close()


def test_a_reader_finds_the_charts_of_a_plan_and_reads_them(browser: Browser, live_server: Any) -> None:
    missing = missing_tools()
    if missing:
        pytest.fail(missing)
    world = make_chart_world()
    SHOTS.mkdir(parents=True, exist_ok=True)
    checker = PageChecker(ARTIFACTS / "checked-charts")
    base = f"{live_server.url}/plans/{world.plan.code}"

    context = browser.new_context(locale="ja-JP", viewport=DESKTOP)
    checker.watch(context)
    page = context.new_page()
    page.goto(f"{base}/")
    checker.check(page, "plan")

    # The chart of the whole plan: a figure named by its title, its summary in a sentence,
    # the drawing an image naming the table that holds its figures, which follows it.
    figure = page.get_by_role("figure", name="施策計画の年度別の達成状況区分")
    expect(figure).to_be_visible()
    expect(figure.locator(".chart__summary")).to_have_text(
        "2023年度は、施策計画8件のうち5件が「3 目標をほぼ達成」以上でした。2022年度は7件のうち5件でした。"
    )
    drawing = figure.get_by_role("img")
    expect(drawing).to_have_accessible_name(re.compile("^年度別の評価の割合を表す帯グラフ。"))
    table = page.get_by_role("table", name="施策計画の達成状況区分別・年度別の件数")
    expect(table).to_be_visible()
    # Each plan area's bar of the latest year, with the table beside it.
    areas = page.get_by_role("figure", name=re.compile("プラン別の施策計画の達成状況区分"))
    expect(areas.get_by_role("table")).to_contain_text("プラン１ 市民自治の推進")
    expect(areas.locator(".chart__summary")).to_contain_text(
        "最も高かったのはプラン１ 市民自治の推進（100%）"
    )
    page.screenshot(path=SHOTS / "plan-ja.png", full_page=True)
    grayscale_print(browser, page, "plan-ja")

    page.get_by_role("link", name="プラン２ 暮らしの安全").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("プラン２ 暮らしの安全")
    checker.check(page, "plan area")
    costs = page.get_by_role("figure", name=re.compile("施策計画の年度別・財源別の費用"))
    expect(costs.locator(".chart__summary")).to_contain_text("トータルコストは")
    expect(
        page.get_by_role("figure", name=re.compile("アクションプログラム別の施策計画のトータルコスト"))
    ).to_be_visible()
    page.screenshot(path=SHOTS / "area-ja.png", full_page=True)

    page.goto(f"{base}/nodes/1-1-1/")
    checker.check(page, "measure")
    ratings = page.get_by_role("figure", name="年度別の達成状況区分")
    expect(ratings.locator(".chart__summary")).to_have_text(
        "2023年度の評価は「1 目標を大きく上回って達成」でした。評価のある3年度のうち3年度が「3 目標をほぼ達成」以上でした。"
    )
    expect(ratings.get_by_role("table")).to_contain_text("2021年度")
    indicator = page.get_by_role("figure", name=re.compile("講座の参加者数"))
    expect(indicator.locator(".chart__summary")).to_contain_text("達成率は109.2%でした。")
    page.screenshot(path=SHOTS / "measure-ja.png", full_page=True)
    grayscale_print(browser, page, "measure-ja")

    page.get_by_role("link", name="協働推進課").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("協働推進課")
    checker.check(page, "unit")
    unit_chart = page.get_by_role("figure", name="施策計画の年度別の達成状況区分")
    expect(unit_chart.locator(".chart__summary")).to_contain_text("施策計画3件のうち")
    expect(page.get_by_role("table", name=re.compile("所管する施策計画"))).to_contain_text("施策1-2-1")
    page.screenshot(path=SHOTS / "unit-ja.png", full_page=True)

    # On a phone: the drawings shrink to the screen, their tables scroll.
    page.set_viewport_size(PHONE)
    for path, name in (("/", "plan"), ("/nodes/2/", "area"), ("/nodes/1-1-1/", "measure")):
        page.goto(f"{base}{path}")
        page.screenshot(path=SHOTS / f"{name}-ja-phone.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} is {width}px wide on a phone"
    context.close()

    english = browser.new_context(locale="en-GB", viewport=DESKTOP)
    checker.watch(english)
    page = english.new_page()
    for path, name in (
        ("/", "plan"),
        ("/nodes/2/", "plan area"),
        ("/nodes/1-1-1/", "measure"),
        ("/units/kyodo/", "unit"),
    ):
        page.goto(f"{live_server.url}/en/plans/{world.plan.code}{path}")
        checker.check(page, f"{name} (English)")
    expect(page.locator(".chart__summary")).to_contain_text(
        "In FY2023, 2 of the 3 measures (Measure) were rated “3 Mostly achieved the target” or better."
    )
    page.goto(f"{live_server.url}/en/plans/{world.plan.code}/")
    page.screenshot(path=SHOTS / "plan-en.png", full_page=True)
    english.close()

    assert checker.findings() == []
    assert checker.markup() == []
