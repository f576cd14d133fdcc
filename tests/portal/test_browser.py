"""A new reader finds a measure's results in a real browser, from the home page on.

Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import ARTIFACTS
from tests.factories import make_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_reader_goes_from_the_home_page_to_a_measures_results(page, live_server) -> None:
    from playwright.sync_api import expect

    sample = make_sample()
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    # Keyboard: the first Tab reaches the skip link, which shows itself; Enter moves to the content.
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.screenshot(path=ARTIFACTS / "01-home-skip-link.png")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main")).to_be_focused()
    page.screenshot(path=ARTIFACTS / "02-home.png", full_page=True)

    page.get_by_role("link", name=sample.plan.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(sample.plan.title)
    page.screenshot(path=ARTIFACTS / "03-plan.png", full_page=True)

    page.get_by_role("link", name="協働のまちづくりの推進").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("協働のまちづくりの推進")
    expect(page.get_by_text("・事業一覧を作成・公表しました。")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "04-programme.png", full_page=True)

    page.get_by_role("link", name="協働型事業の推進").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("協働型事業の推進")
    for heading in ("2011年度（平成23年度）", "2012年度（平成24年度）"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    first_year = page.locator("section.result").nth(0)
    expect(first_year.locator("dl.ratings")).to_contain_text("達成状況区分")
    expect(first_year.locator("dl.ratings dd")).to_have_text("3 目標をほぼ達成")
    expect(page.get_by_text("・説明会を5月及び1月に開催しました。")).to_be_visible()
    expect(page.locator("table.targets td[colspan='2']")).to_have_text("●ルールに基づく拡充")
    page.screenshot(path=ARTIFACTS / "05-measure.png", full_page=True)

    page.emulate_media(media="print")
    expect(page.locator("nav.breadcrumb")).to_be_hidden()
    page.screenshot(path=ARTIFACTS / "06-measure-print.png", full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / "06-measure-print.pdf").write_bytes(pdf)
    # The sheet prints on A4 landscape: 842 × 595 points.
    assert re.search(rb"/MediaBox \[0 0 84[12](\.\d+)? 59[45](\.\d+)?\]", pdf)
    page.emulate_media(media="screen")

    # The language switcher in the header shows the same page in English.
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Targets", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("協働型事業の推進")
    page.screenshot(path=ARTIFACTS / "07-measure-en.png", full_page=True)


def test_a_reader_searches_from_the_header(page, live_server) -> None:
    from playwright.sync_api import expect

    sample = make_sample()
    # In English, whose names do not wait for the Japanese catalogue.
    page.goto(live_server.url + "/en/")
    header_search = page.get_by_role("banner").get_by_role("search", name="Site search")
    box = header_search.get_by_role("searchbox", name="Search plans, targets and results")
    box.fill("説明会")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/en/search/\?q=%E8%AA%AC%E6%98%8E%E4%BC%9A$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_role("status")).to_have_text("1 item matches “説明会”.")
    found = page.locator("li.search-group")
    expect(found).to_have_count(1)
    expect(found.locator("mark").first).to_have_text("説明会")
    # The search page's own box holds the query; the filters narrow it.
    expect(page.get_by_role("searchbox", name="Words to search for")).to_have_value("説明会")
    page.screenshot(path=ARTIFACTS / "08-search.png", full_page=True)

    page.get_by_label("Search in").select_option("targets")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"kind=targets"))
    expect(found.locator("dt")).to_have_count(1)

    found.get_by_role("link", name=re.compile(sample.measure.title)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("協働型事業の推進")

    # The default language, on a narrow screen: the header box takes its own line.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/search/?q=" + "協働 推進")
    expect(page.locator("li.search-group").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "09-search-narrow.png", full_page=True)
