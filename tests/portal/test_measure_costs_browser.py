"""A reader opens the sheet of a project with costs, sections of its own and ratings with
reasons, in Chromium: every written section under its name, each reason under its rating,
the cost table in the plan's 千円 with the same total as the open data's JSON, and beside
it the chart, an image named by what it shows; in Japanese and in English the page passes
the page checkers (tests/checkers.py). Screenshots go to test-artifacts/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from shinchoku.plans.formats.dataset.export import export_dataset
from shinchoku.plans.models import AmountUnit, Node, NodeSectionText, Plan
from shinchoku.progress.models import Cost, Rating, ResultSectionText, StaffRate
from tests.browser import ARTIFACTS
from tests.checkers import PageChecker, missing_tools
from tests.factories import add_cost, add_indicator, add_result, add_sections, make_node, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "講座の参加者が目標を上回ったため"


@pytest.fixture
def page(browser: Browser, settings: Any, tmp_path: Path) -> Iterator[Page]:
    settings.REPORT_CACHE_DIR = tmp_path / "cache"
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    checker = PageChecker(ARTIFACTS / "checked-measure-costs")
    if missing_tools() is None:
        checker.watch(context)
    context.checker = checker  # type: ignore[attr-defined]
    try:
        yield context.new_page()
    finally:
        context.close()


def project_with_costs() -> Node:
    """A measure of a plan printed in 千円, with the plan's own sections, two rated years
    with a reason, costs of two actual years, a budget and the whole period, and an outcome."""
    world = make_world(first_year=2021, last_year=2024)
    world.plan.amount_unit = AmountUnit.THOUSAND
    world.plan.save(update_fields=["amount_unit"])
    sections = add_sections(world.plan, world.measure_level)
    area = make_node(world.area_level, code="1", title="市民自治の推進")
    programme = make_node(world.programme_level, area, code="1-1", title="協働の推進")
    node = make_node(
        world.measure_level,
        programme,
        code="1-1-1",
        title="協働講座の開催",
        summary="協働を学ぶ講座を開きます。",
    )
    NodeSectionText.objects.create(node=node, section=sections["target-group"], text="市内の市民活動団体")
    StaffRate.objects.create(plan=world.plan, fiscal_year=2022, hourly_cost=4100)
    for year, rating in ((2021, "3"), (2022, "2")):
        result = add_result(node, year, f"講座を{year - 2015}回開きました。", rating=rating)
        ResultSectionText.objects.create(result=result, section=sections["issues"], text="参加者の固定化")
    Rating.objects.filter(result__node=node, result__fiscal_year=2022).update(reason=REASON)
    add_cost(node, 2021, national=1_200_000, general=2_345_678, project_cost=3_545_678, staff_cost=4_000_000)
    add_cost(
        node,
        2022,
        general=3_100_000,
        project_cost=3_100_000,
        staff_count=Decimal("0.75"),
        staff_hours=Decimal("1200"),
    )
    add_cost(node, 2023, Cost.Basis.BUDGET, general=3_500_000, project_cost=3_500_000)
    add_cost(node, None, Cost.Basis.PLAN, project_cost=14_000_000)
    add_indicator(node, "講座の参加者数", "人", {2021: ("100", "96"), 2022: ("110", "123")})
    return node


def test_a_reader_sees_sections_reasons_and_the_costs_of_a_project(page: Page, live_server: Any) -> None:
    node = project_with_costs()
    plan: Plan = node.plan
    checker: PageChecker = page.context.checker  # type: ignore[attr-defined]
    url = f"{live_server.url}/plans/{plan.code}/nodes/{node.code}/"
    page.goto(url)
    checker.check(page, "measure with costs")

    # Every written section under its name: the node's, and each year's own 課題.
    for name in ("目的", "対象"):
        expect(page.get_by_role("heading", name=name, level=2)).to_be_visible()
    expect(page.get_by_text("市内の市民活動団体")).to_be_visible()
    year = page.get_by_role("region", name=re.compile("2022年度"))
    expect(year.get_by_role("heading", name="課題", level=4)).to_be_visible()
    # The reason under its rating, in the same item of the list of ratings.
    rated = year.locator(".ratings__item", has_text=REASON)
    expect(rated.locator("dd").first).to_have_text(re.compile("2 "))
    expect(rated.locator(".ratings__reason")).to_contain_text("評価の理由" + REASON)

    # The cost table in 千円, with the open data's total.
    table = page.get_by_role("table", name=re.compile("年度別の事業費・人件費（単位：千円）"))
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_text(
        [
            re.compile("2021.*決算"),
            re.compile("2022.*決算"),
            re.compile("2023.*予算"),
            re.compile("全体計画.*計画"),
        ]
    )
    totals = table.locator("tr.cost-table__total td")
    dataset = export_dataset(Plan.objects.filter(pk=plan.pk))
    exported = {row["fiscal_year"]: row["total_cost"] for row in dataset["costs"] if row["basis"] == "actual"}
    assert exported[2021] == 7_545_678
    assert totals.nth(0).inner_text() == f"{round(exported[2021] / 1000):,}" == "7,546"
    # 2022: B priced from the hours, 1200 × 4100 yen.
    assert exported[2022] == 3_100_000 + 1200 * 4100
    assert totals.nth(1).inner_text() == "8,020"
    # An empty figure is a dash, read out as not given.
    national_2022 = table.locator("tr.cost-table__source").first.locator("td").nth(1)
    expect(national_2022.locator("[aria-hidden=true]")).to_have_text("—")
    expect(national_2022.locator(".visually-hidden")).to_have_text("記載なし")

    # The chart: an image named by what it shows, with every total in its name.
    chart = page.get_by_role("img", name=re.compile("年度別のトータルコスト"))
    expect(chart).to_be_visible()
    name = chart.locator("title").text_content() or ""
    assert "7,546" in name and "8,020" in name and "3,500" in name
    page.screenshot(path=ARTIFACTS / "measure-costs.png", full_page=True)

    page.goto(f"{live_server.url}/en{url.removeprefix(live_server.url)}")
    checker.check(page, "measure with costs (English)")
    expect(page.get_by_role("table", name="Costs by fiscal year (thousand yen)")).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("^Total cost by fiscal year in thousand yen"))
    ).to_be_visible()
    expect(page.locator(".ratings__reason").first).to_contain_text("Reason")
    page.screenshot(path=ARTIFACTS / "measure-costs-en.png", full_page=True)

    # The HTML report prints the same sheet: its sections, reasons and cost table.
    page.goto(f"{live_server.url}/plans/{plan.code}/report/2022.html")
    checker.check(page, "report with costs (HTML)")
    sheet = page.locator("article.measure")
    expect(sheet.locator(".measure__sections")).to_contain_text("対象市内の市民活動団体")
    expect(sheet.locator(".ratings__reason")).to_contain_text(REASON)
    expect(sheet.locator("tr.cost-table__total td").nth(1)).to_have_text("8,020")
    expect(sheet.get_by_role("img", name=re.compile("年度別のトータルコスト"))).to_be_visible()

    problem = missing_tools()
    if problem:
        pytest.fail(problem)
    assert checker.findings() == []
    assert checker.markup() == []
