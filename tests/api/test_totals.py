"""The API gives the numbers everything else gives: for the whole plan and for each plan
area, of one fiscal year, the ratings per level of the scale and the sums of the costs are
the same in the API, on the public pages (as rendered), in the annual report
(``reports.selectors``) and in the open data's CSV tables."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import pgettext

from shinchoku import fiscal
from shinchoku.plans.selectors.aggregates import SUMMED_FIELDS
from shinchoku.reports.selectors import report_build
from tests.portal.html import Element, parse

from .conftest import PLAN, ApiPlan

pytestmark = pytest.mark.django_db

YEAR = 2012
#: The year whose costs are compared, with its basis and figures.
COST_YEAR = 2012
FIGURES = ("general", "project_cost", "staff_cost", "total_cost")


def api_ratings(client: Client, area: str | None) -> Counter[str]:
    query = {"year": YEAR, **({"node": area} if area else {})}
    tables = client.get(f"/api/v1/plans/{PLAN}/aggregates/ratings", query).json()["tables"]
    (year,) = next(table for table in tables if table["primary"])["years"]
    counts = Counter({level["code"]: level["count"] for level in year["levels"] if level["count"]})
    assert sum(counts.values()) == year["total"]
    return counts


def api_costs(client: Client, area: str | None) -> dict[str, int]:
    query = {"node": area} if area else {}
    (table,) = client.get(f"/api/v1/plans/{PLAN}/aggregates/costs", query).json()["tables"]
    row = next(r for r in table["rows"] if r["fiscal_year"] == COST_YEAR and r["basis"] == "actual")
    return {figure: row[figure]["sum"] for figure in FIGURES}


def page_ratings(client: Client, address: str) -> Counter[str]:
    """The counts of YEAR in the page's first rating table (its primary dimension's)."""
    table = parse(client.get(address).content).find("table", class_="summary-table")
    span = (
        len(table.find("thead").find_all("tr")[1].find_all("th")) // 3
    )  # three years, each with its columns
    counts: Counter[str] = Counter()
    for row in table.find("tbody").find_all("tr"):
        code = row.find("span", class_="rating-code").text
        cells = [c for c in row.children if isinstance(c, Element) and c.tag == "td"]
        count = int(cells[(YEAR - 2011) * span].text)
        if count:
            counts[code] = count
    return counts


def page_costs(client: Client, address: str) -> dict[str, int]:
    """The figures of COST_YEAR's actual costs in the page's cost table."""
    table = parse(client.get(address).content).find("table", class_="cost-summary")
    heading = fiscal.year_heading(COST_YEAR)
    with translation.override("ja"):
        basis = pgettext("cost basis", "Actual")
    for row in table.find("tbody").find_all("tr"):
        headings = [th.text for th in row.find_all("th")]
        if headings == [heading, basis]:
            cells = [c.shown_text for c in row.children if isinstance(c, Element) and c.tag == "td"]
            return {figure: int(cells[SUMMED_FIELDS.index(figure)].replace(",", "")) for figure in FIGURES}
    raise AssertionError(f"no row of {heading} {basis}")


def report_numbers(area: str | None) -> tuple[Counter[str], dict[str, int]]:
    """The report's tables of the plan area ``area`` (or every area's, added up)."""
    document = report_build(PLAN, year=YEAR, area_code=area)
    ratings: Counter[str] = Counter()
    costs: Counter[str] = Counter()
    column = [c.year for c in document.years].index(YEAR)
    for section in document.areas:
        summary = section.summaries[0]
        for row in summary.rows:
            ratings[row.code] += row.cells[column].count
        (cost,) = section.costs
        row = next(r for r in cost.rows if r.fiscal_year == COST_YEAR and r.basis == "actual")
        for figure in FIGURES:
            costs[figure] += row.sum_of(figure).value or 0
    return +ratings, dict(costs)


def csv_numbers(client: Client, area: str | None) -> tuple[Counter[str], dict[str, int]]:
    """The same counted and summed from the open data's CSV tables."""
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/plans/{PLAN}/opendata.zip").getvalue()))

    def table(name: str) -> list[dict[str, str]]:
        member = next(n for n in archive.namelist() if n.endswith(f"{name}.csv"))
        return list(csv.DictReader(io.StringIO(archive.read(member).decode("utf-8-sig"))))

    under = {
        row["node_id"]
        for row in table("nodes")
        if area is None or row["path"] == area or row["path"].startswith(f"{area}/")
    }
    ratings = Counter(
        row["rating_code"]
        for row in table("ratings")
        if row["node_id"] in under and row["fiscal_year"] == str(YEAR) and row["primary"] == "true"
    )
    costs = {
        figure: sum(
            int(row[figure] or 0)
            for row in table("costs")
            if row["node_id"] in under and row["fiscal_year"] == str(COST_YEAR) and row["basis"] == "actual"
        )
        for figure in FIGURES
    }
    return ratings, costs


def test_the_api_the_pages_the_report_and_the_open_data_agree(api_plan: ApiPlan) -> None:
    client = Client()
    plan_ratings = api_ratings(client, None)
    assert plan_ratings == Counter({"3": 1, "4": 1, "5": 1})  # what make_api_plan rated in 2012
    assert api_costs(client, None) == {
        "general": 280_000,
        "project_cost": 280_000,
        "staff_cost": 80_000,
        "total_cost": 360_000,
    }
    assert plan_ratings == page_ratings(client, f"/plans/{PLAN}/")
    assert (plan_ratings, api_costs(client, None)) == report_numbers(None) == csv_numbers(client, None)

    for area in ("9", "8"):
        ratings, costs = api_ratings(client, area), api_costs(client, area)
        assert ratings, area
        page = f"/plans/{PLAN}/nodes/{area}/"
        assert ratings == page_ratings(client, page), area
        assert costs == page_costs(client, page), area
        assert (ratings, costs) == report_numbers(area) == csv_numbers(client, area), area
