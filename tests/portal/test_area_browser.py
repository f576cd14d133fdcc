"""A reader opens a plan area whose projects have costs and are judged on several
questions, one a verdict printed as a matrix, and the area's annual report: every table
is found by its name, and axe-core and the Nu HTML Checker find nothing on either."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools
from tests.plans.costed import make_costed

# What is checked here does not depend on the database: once, in one pass (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.one_database]


def test_an_area_with_costs_and_a_verdict_matrix_passes_the_checkers(browser, live_server) -> None:
    missing = missing_tools()
    if missing:
        pytest.fail(missing)
    from playwright.sync_api import expect

    costed = make_costed()
    checker = PageChecker(ARTIFACTS / "checked-area-costs")
    for locale, prefix in (("ja-JP", ""), ("en-GB", "/en")):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        checker.watch(context)
        page = context.new_page()
        page.goto(f"{live_server.url}{prefix}/plans/{costed.plan.code}/nodes/1/")
        checker.check(page, f"area page ({locale})")
        costs = page.get_by_role("region", name="施策計画の年度別事業費" if not prefix else "Costs of the")
        expect(costs).to_be_visible()
        expect(costs.get_by_role("table")).to_contain_text("6/11")
        matrix = page.locator("table.rating-matrix")
        expect(matrix.locator("caption")).to_contain_text("点検結果")
        expect(matrix.locator("tfoot td").last).to_have_text("11")
        page.locator("table.cost-summary").screenshot(path=ARTIFACTS / f"area-costs-{locale}.png")
        page.screenshot(path=ARTIFACTS / f"area-{locale}.png", full_page=True)
        page.goto(f"{live_server.url}{prefix}/plans/{costed.plan.code}/report/2022.html?area=1")
        checker.check(page, f"area report ({locale})")
        expect(page.locator("table.cost-summary")).to_have_count(1)
        expect(page.locator("table.rating-matrix")).to_have_count(1)
        context.close()
    assert checker.findings() == []
    assert checker.markup() == []
