"""The same sums and counts of a plan area wherever they are printed: its page, the
annual report (HTML and the PDF's text) and the open data (the JSON dataset and its CSV
table of costs), all equal to the stored costs added up by hand."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shinchoku.opendata.files import csv_tables
from shinchoku.plans.formats.dataset.export import export_dataset, node_key
from shinchoku.plans.models import Node
from shinchoku.plans.selectors import (
    Scope,
    cost_summaries,
    format_amount,
    rating_summaries,
    rating_summaries_each,
)
from shinchoku.reports.render import render_html, render_pdf
from shinchoku.reports.selectors import report_build
from tests.factories import make_sample
from tests.plans.costed import Costed, hand_sums, make_costed
from tests.portal.html import Element, parse

from .reading import pdftotext

pytestmark = pytest.mark.django_db

#: The rows of the area's cost table: (year heading, basis) as the Japanese pages print them.
ROWS = [
    ("全体計画", "計画", None, "plan"),
    ("2021(令和3)年度", "決算", 2021, "actual"),
    ("2022(令和4)年度", "決算", 2022, "actual"),
    ("2023(令和5)年度", "予算", 2023, "budget"),
]


@pytest.fixture
def costed() -> Costed:
    return make_costed()


def cost_rows(table: Element) -> dict[tuple[str, str], list[str]]:
    """Each body row of a cost table by its two row headings: its cells' text."""
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        headings = tuple(th.text.strip() for th in tr.find_all("th"))
        rows[headings] = [" ".join(td.text.split()) for td in tr.find_all("td")]
    return rows


def totals_shown(table: Element) -> dict[tuple[str, str], str]:
    """The total cost (A+B) of each row, as printed: the last figure before the projects."""
    return {key: cells[-2] for key, cells in cost_rows(table).items()}


def area_subtree_keys(costed: Costed) -> set[str]:
    return {
        node_key(costed.plan.code, code)
        for code in Node.objects.filter(path__startswith=costed.area.path).values_list("code", flat=True)
    }


def test_the_area_page_prints_the_sums_of_its_costs(client: Client, costed: Costed) -> None:
    with translation.override("ja"):
        doc = parse(client.get(reverse("portal:node", args=[costed.plan.code, "1"])).content)
    section = doc.find("section", aria_labelledby="costs-heading")
    table = section.find("table", class_="cost-summary")
    assert table.find("caption").text == "施策計画の年度別事業費（単位：千円）"
    rows = cost_rows(table)
    assert list(rows) == [(heading, basis) for heading, basis, _year, _basis in ROWS]
    for heading, basis, year, basis_key in ROWS:
        expected = hand_sums(costed.area, year, basis_key)
        cells = rows[(heading, basis)]
        assert cells[-1] == str(expected["projects"])
        assert cells[-2] == format_amount(expected["total_cost"], "thousand")
        assert cells[5] == format_amount(expected["project_cost"], "thousand")
    national_2021 = rows[("2021(令和3)年度", "決算")][0]
    assert national_2021.endswith(" 6/11"), national_2021  # a partial sum says whose it is
    bonds = table.find("tbody").find_all("tr")[1].find_all("td")[2]
    assert bonds.text.replace("記載なし", "").strip() == "—"  # none given: a dash, named, not 0
    assert bonds.find("span", class_="visually-hidden").text == "記載なし"
    assert all("num" in td.attrs["class"] for td in table.find_all("td"))
    assert all(th.attrs.get("scope") for th in table.find_all("th"))
    assert "全部で12件" in section.find("p", class_="note").text


def test_the_area_page_counts_every_dimension_and_draws_the_matrix(client: Client, costed: Costed) -> None:
    with translation.override("ja"):
        doc = parse(client.get(reverse("portal:node", args=[costed.plan.code, "1"])).content)
    captions = [caption.text for caption in doc.find_all("caption")]
    assert captions[:3] == [
        "施策計画の達成状況区分別・年度別の件数",
        "施策計画の方向性別・年度別の件数",
        "施策計画の点検結果別・年度別の件数",
    ]
    matrix = doc.find("table", class_="rating-matrix")
    assert matrix.find("caption").text == "2022年度（令和4年度）の施策計画の点検結果"
    (expected,) = [
        t.matrix for t in rating_summaries_each(costed.plan, Scope.of(under=costed.area))[None] if t.matrix
    ]
    body = [
        [" ".join(td.text.split()) for td in tr.find_all("td")] for tr in matrix.find("tbody").find_all("tr")
    ]
    assert body == [
        [f"{cell.codes} {cell.count}" for cell in row.cells if cell] + [str(row.total)]
        for row in expected.rows
    ]
    foot = [td.text for td in matrix.find("tfoot").find_all("td")]
    assert foot == [*map(str, expected.column_totals), "11"]


def test_a_plan_without_costs_or_further_dimensions_shows_its_area_as_before(client: Client) -> None:
    sample = make_sample()
    with translation.override("ja"):
        doc = parse(client.get(reverse("portal:node", args=[sample.plan.code, "9"])).content)
        report = parse(render_html(report_build(sample.plan.code, year=2012)))
    assert not doc.find_all("section", aria_labelledby="costs-heading")
    assert len(doc.find_all("table", class_="summary-table")) == 1
    assert not doc.find_all("table", class_="rating-matrix")
    assert not report.find_all("table", class_="cost-summary")
    assert not report.find_all("table", class_="rating-matrix")


def test_the_report_prints_the_same_sums_as_the_page(client: Client, costed: Costed) -> None:
    with translation.override("ja"):
        page = parse(client.get(reverse("portal:node", args=[costed.plan.code, "1"])).content)
        document = report_build(costed.plan.code, year=2022)
        html = parse(render_html(document))
    # One data path: each area's tables in the report are its page's.
    for area, node in zip(document.areas, (costed.area, costed.other_area), strict=True):
        assert area.costs == cost_summaries(costed.plan, under=node)
        assert area.summaries == rating_summaries(
            costed.plan, under=node, years=[2021, 2022], matrix_year=2022
        )
    area = document.areas[0]
    section = html.find("section", aria_labelledby=area.anchor + "-costs")
    assert cost_rows(section.find("table", class_="cost-summary")) == cost_rows(
        page.find("table", class_="cost-summary")
    )
    area_section = html.find("section", aria_labelledby=area.anchor)
    assert area_section.find("table", class_="rating-matrix").find("caption").text.startswith("2022年度")


def test_the_pdf_prints_the_same_sums(costed: Costed, tmp_path: Path) -> None:
    with translation.override("ja"):
        document = report_build(costed.plan.code, year=2022, area_code="1")
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(render_pdf(document))
    text = pdftotext(pdf, "-layout")
    (table,) = document.areas[0].costs
    for row in table.rows:
        line = next(
            line
            for line in text.splitlines()
            if line.strip().startswith(row.heading) and row.basis_label in line
        )
        printed = [f"{s.shown} {s.given}/{s.of}" if s.partial else (s.shown or "—") for s in row.sums]
        assert re.sub(r"\s+", " ", line).strip() == " ".join(
            [row.heading, row.basis_label, *printed, str(row.projects)]
        )
    assert "事業費" in text and "財源内訳" in text
    # The verdict matrix of the report's year, row by row.
    (verdict,) = [s.matrix for s in document.areas[0].summaries if s.matrix]
    for row in verdict.rows:
        cells = " ".join(f"{cell.codes} {cell.count}" for cell in row.cells if cell)
        assert f"{row.heading} {cells} {row.total}" in re.sub(r"\s+", " ", text)


def test_the_json_and_the_csv_add_up_to_the_printed_totals(client: Client, costed: Costed) -> None:
    with translation.override("ja"):
        page = parse(client.get(reverse("portal:node", args=[costed.plan.code, "1"])).content)
    shown = totals_shown(page.find("table", class_="cost-summary"))
    dataset = export_dataset([costed.plan])
    keys = area_subtree_keys(costed)
    costs_csv = list(csv.DictReader(io.StringIO(csv_tables(dataset)["costs.csv"].decode("utf-8"))))
    for heading, basis, year, basis_key in ROWS:
        in_json = sum(
            cost["total_cost"]
            for cost in dataset["costs"]
            if cost["node_id"] in keys and cost["fiscal_year"] == year and cost["basis"] == basis_key
        )
        in_csv = sum(
            int(row["total_cost"])
            for row in costs_csv
            if row["node_id"] in keys
            and row["fiscal_year"] == (str(year) if year else "")
            and row["basis"] == basis_key
        )
        assert in_json == in_csv == hand_sums(costed.area, year, basis_key)["total_cost"]
        assert shown[(heading, basis)] == format_amount(in_json, "thousand")


def test_the_printed_sheet_leaves_the_highlight_to_the_summary_pages() -> None:
    sample = make_sample()
    with translation.override("ja"):
        document = report_build(sample.plan.code, year=2012)
        html = parse(render_html(document))
    sheet = html.find("article", aria_labelledby=f"node-{sample.measure.pk}")
    headings = [h.text for h in sheet.find_all("h6")]
    assert "実施結果" in headings and "主な実施結果" not in headings
    highlights = html.find("section", class_="highlights")
    first = document.areas[0].programmes[0].highlights[0]
    assert first.text and first.text[0].text in highlights.text
