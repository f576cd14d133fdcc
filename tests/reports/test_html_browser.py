"""The HTML report as the site serves it, in Chromium: styled under the site's
Content-Security-Policy (its one inline stylesheet allowed by hash, nothing refused), the
trail back to the site shown on screen and left out of print, its links leading there;
in Japanese and from the English site, it passes the page checkers (tests/checkers.py).

Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools
from tests.factories import make_sample

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.one_database]


@pytest.fixture
def page(browser: Browser, settings: Any, tmp_path: Path) -> Iterator[Page]:
    settings.REPORT_CACHE_DIR = tmp_path / "cache"
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    if missing_tools() is None:
        checker = PageChecker(ARTIFACTS / "checked-report")
        checker.watch(context)
        context.checker = checker  # type: ignore[attr-defined]
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_served_report_is_styled_and_leads_back_to_the_plan(page: Page, live_server: Any) -> None:
    sample = make_sample()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    response = page.goto(f"{live_server.url}/plans/plan9/report/2012.html")
    assert response is not None and response.ok
    assert "style-src" in response.headers.get("content-security-policy", "")

    trail = page.get_by_role("navigation", name="現在位置")
    expect(trail).to_be_visible()
    # The report's stylesheet applies: the trail is laid out in a row, the page centred.
    assert trail.locator("ol").evaluate("e => getComputedStyle(e).display") == "flex"
    assert page.locator("body").evaluate("e => getComputedStyle(e).maxWidth") != "none"
    page.screenshot(path=ARTIFACTS / "report-html-trail.png")
    assert problems == []  # nothing refused by the policy, nothing missing

    page.emulate_media(media="print")
    expect(trail).to_be_hidden()
    page.emulate_media(media="screen")

    trail.get_by_role("link", name=sample.plan.title).click()
    expect(page).to_have_url(f"{live_server.url}/plans/plan9/")
    expect(page.get_by_role("heading", level=1)).to_have_text(sample.plan.title)


def test_the_served_report_passes_the_page_checkers(page: Page, live_server: Any) -> None:
    problem = missing_tools()
    if problem:
        pytest.fail(problem)
    make_sample()
    checker: PageChecker = page.context.checker  # type: ignore[attr-defined]
    for prefix, name in (("", "report (HTML)"), ("/en", "report (HTML) from the English site")):
        page.goto(f"{live_server.url}{prefix}/plans/plan9/report/2012.html?area=9")
        checker.check(page, name)
    page.screenshot(path=ARTIFACTS / "report-html-trail-en.png")
    assert checker.findings() == []
    assert checker.markup() == []
