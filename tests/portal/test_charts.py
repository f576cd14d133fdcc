"""The charts of the public pages draw what their tables say: the figures written on the
bars of the ratings are the counts of the page's rating table, of the counts kept at
write time (``RatingCount``) and of the annual report for the same plan area and year;
the totals written on the bars of the costs are the cost table's, the kept sums'
(``CostTotal``) and the report's. Each says in a sentence what it shows, in Japanese and
English. The good end of a scale is drawn first whichever end the scale calls good, the
adverse side hatched. Nothing is styled inline (the site's Content-Security-Policy
refuses it). A draft's rating or cost is drawn nowhere until it is published."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import translation

from shinchoku.plans.models import Scale
from shinchoku.plans.selectors import format_amount
from shinchoku.plans.selectors.figures import ScaleStep, rating_scale
from shinchoku.portal.charts.palette import rating_fills
from shinchoku.published.models import CostTotal, RatingCount
from shinchoku.reports.selectors import report_build
from shinchoku.review import services
from tests.factories import make_dimension
from tests.portal.charts_world import ChartWorld, make_chart_world
from tests.review.conftest import make_cycle

from .html import Element, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> ChartWorld:
    return make_chart_world()


def page(client: Client, path: str, *, lang: str = "ja") -> Element:
    prefix = "" if lang == "ja" else f"/{lang}"
    response = client.get(f"{prefix}/plans/charts/{path}")
    assert response.status_code == 200, path
    return parse(response.content)


def figure(doc: Element, key: str) -> Element:
    return doc.find("figure", aria_labelledby=f"{key}-title")


def bars(chart: Element) -> dict[str, list[str]]:
    """The figures written on each bar of a chart of bars, by the bar's label, in the order
    drawn (the good end first), and its total last."""
    drawn: dict[str, list[str]] = {}
    label = ""
    for text in chart.find("svg").find_all("text"):
        classes = text.attrs.get("class", "").split()
        if "chart__label" in classes:
            label = text.text
            drawn[label] = []
        elif "chart__value" in classes or "chart__total" in classes:
            drawn[label].append(text.text)
    return drawn


def table_rows(table: Element) -> dict[str, list[str]]:
    return {
        tr.find("th").text: [td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")
    }


def summary_counts(doc: Element) -> dict[int, dict[str, int]]:
    """The page's first rating table: the count of each level code in each year shown."""
    table = doc.find("table", class_="summary-table")
    years = [int(th.text[:4]) for th in table.find("thead").find_all("th", scope="colgroup")]
    span = len(table.find("thead").find_all("tr")[1].find_all("th")) // len(years)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for tr in table.find("tbody").find_all("tr"):
        code = tr.find("span", class_="rating-code").text
        cells = tr.find_all("td")
        for index, year in enumerate(years):
            if index * span < len(cells) and "unpublished" not in cells[index * span].attrs.get("class", ""):
                counts[year][code] = int(cells[index * span].text)
    return counts


# ------------------------------------------------------------------------ ratings


def test_the_plan_s_ratings_by_year_are_its_table_s_and_the_kept_counts(
    client: Client, world: ChartWorld
) -> None:
    doc = page(client, "")
    drawn = bars(figure(doc, "chart-ratings-years"))
    table = summary_counts(doc)
    kept: dict[int, dict[str, int]] = defaultdict(dict)
    for year, code, n in RatingCount.objects.filter(
        plan=world.plan, node__isnull=True, marker__isnull=True, dimension=world.dimension
    ).values_list("fiscal_year", "level__code", "count"):
        kept[year][code] = n
    assert set(drawn) == {"2021年度", "2022年度", "2023年度"}  # 2024 is not published yet
    for year in (2021, 2022, 2023):
        on_bars = [int(n) for n in drawn[f"{year}年度"][:-1]]
        in_order = [table[year][code] for code in "12345" if table[year][code]]
        assert on_bars == in_order == [kept[year][code] for code in "12345" if kept[year].get(code)]
        assert drawn[f"{year}年度"][-1] == f"計{sum(kept[year].values())}件"
    assert drawn["2023年度"] == ["1", "2", "2", "2", "1", "計8件"]


def test_each_plan_area_s_bar_is_its_kept_count_and_the_report_s(client: Client, world: ChartWorld) -> None:
    chart = figure(page(client, ""), "chart-ratings-parts")
    rows = table_rows(chart.find("table"))
    drawn = bars(chart)
    with translation.override("ja"):
        report = report_build(world.plan.code, year=2023)
    for area, section in zip(("1", "2"), report.areas, strict=True):
        name = section.node.name
        summary = section.summaries[0]
        column = [c.year for c in summary.years].index(2023)
        reported = [row.cells[column].count for row in summary.rows]
        kept = dict(
            RatingCount.objects.filter(
                node=world.areas[area], fiscal_year=2023, marker__isnull=True, dimension=world.dimension
            ).values_list("level__code", "count")
        )
        assert [int(n) for n in rows[name][:5]] == reported == [kept.get(code, 0) for code in "12345"]
        assert [int(n) for n in drawn[name][:-1]] == [n for n in reported if n]
    assert rows["プラン１ 市民自治の推進"][5:] == ["4", "100%"]
    assert rows["プラン２ 暮らしの安全"][5:] == ["4", "25%"]


def test_the_summaries_say_what_the_ratings_show_in_japanese_and_english(
    client: Client, world: ChartWorld
) -> None:
    def summary(doc: Element, key: str) -> str:
        return figure(doc, key).find("span", class_="chart__summary").text

    ja = page(client, "")
    assert summary(ja, "chart-ratings-years") == (
        "2023年度は、施策計画8件のうち5件が「3 目標をほぼ達成」以上でした。2022年度は7件のうち5件でした。"
    )
    assert summary(ja, "chart-ratings-parts") == (
        "2023年度に「3 目標をほぼ達成」以上の割合が最も高かったのはプラン１ 市民自治の推進（100%）、"
        "最も低かったのはプラン２ 暮らしの安全（25%）でした。"
    )
    en = page(client, "", lang="en")
    assert summary(en, "chart-ratings-years") == (
        "In FY2023, 5 of the 8 measures (Measure) were rated “3 Mostly achieved the target” or better."
        " In FY2022 it was 5 of 7."
    )
    measure = page(client, "nodes/1-1-1/")
    assert summary(measure, "chart-measure-ratings") == (
        "2023年度の評価は「1 目標を大きく上回って達成」でした。評価のある3年度のうち3年度が「3 目標をほぼ達成」以上でした。"
    )
    assert table_rows(figure(measure, "chart-measure-ratings").find("table")) == {
        "2021年度": ["3 目標をほぼ達成"],
        "2022年度": ["2 目標を上回って達成"],
        "2023年度": ["1 目標を大きく上回って達成"],
    }
    assert summary(measure, "chart-indicator-1-1") == (
        "2023年度の実績値は131人、目標値は120人で、達成率は109.2%でした。"
        "目標値と実績値のそろう3年度のうち2年度で目標を達成しました。"
    )


def test_a_unit_s_page_counts_the_ratings_of_the_measures_it_is_responsible_for(
    client: Client, world: ChartWorld
) -> None:
    doc = page(client, "units/kyodo/")
    assert doc.find("h1").text == "協働推進課"
    listed = doc.find("table", class_="unit-measures")
    assert [tr.find("th").text for tr in listed.find("tbody").find_all("tr")] == [
        "施策1-1-1",
        "施策1-2-1",
        "施策2-1-2",
    ]
    assert "2023年度（令和5年度） 4 目標を下回った" in listed.text
    drawn = bars(figure(doc, "chart-unit-ratings"))
    # 1-1-1, 1-2-1 and 2-1-2 rated 1, 3 and 4 in 2023.
    assert drawn["2023年度"] == ["1", "1", "1", "計3件"]
    assert summary_counts(doc)[2023] == {"1": 1, "2": 0, "3": 1, "4": 1, "5": 0}
    assert "施策計画3件のうち2件" in figure(doc, "chart-unit-ratings").text
    # The measure page links the section in charge to its page.
    measure = page(client, "nodes/1-1-1/")
    assert measure.find("dl", class_="units").find("a").attrs["href"] == "/plans/charts/units/kyodo/"
    assert client.get("/plans/charts/units/nowhere/").status_code == 404
    assert client.get("/plans/other/units/kyodo/").status_code == 404


# -------------------------------------------------------------------------- costs


def test_the_costs_by_year_are_the_cost_table_s_and_the_kept_sums(client: Client, world: ChartWorld) -> None:
    doc = page(client, "nodes/1/")
    drawn = bars(figure(doc, "chart-costs-years"))
    table = doc.find("table", class_="cost-summary")
    table_totals = [tr.find_all("td")[-2].text for tr in table.find("tbody").find_all("tr")]
    kept = {
        (year, basis): total
        for year, basis, total in CostTotal.objects.filter(
            node=world.areas["1"], level=world.measure_level, fiscal_year__isnull=False
        ).values_list("fiscal_year", "basis", "sum_total_cost")
    }
    assert (
        [totals[-1] for totals in drawn.values()]
        == table_totals
        == [format_amount(kept[key], "thousand") for key in sorted(kept)]
    )
    assert list(drawn) == ["2022年度 決算", "2023年度 決算", "2024年度 予算"]
    assert figure(doc, "chart-costs-years").find("span", class_="chart__summary").text == (
        "2023年度（決算）の施策計画のトータルコストは22,000千円でした。2022年度より5%増えました。"
        "財源で最も多いのは一般財源で、事業費の91%でした。"
    )


def test_the_full_cost_of_each_plan_area_is_its_kept_sum_and_the_report_s(
    client: Client, world: ChartWorld
) -> None:
    chart = figure(page(client, ""), "chart-costs-parts")
    rows = table_rows(chart.find("table"))
    with translation.override("ja"):
        report = report_build(world.plan.code, year=2023)
    for code, section in zip(("1", "2"), report.areas, strict=True):
        kept = CostTotal.objects.filter(
            node=world.areas[code], level=world.measure_level, fiscal_year=2023, basis="actual"
        ).aggregate(total=Sum("sum_total_cost"))["total"]
        reported = next(r for r in section.costs[0].rows if r.fiscal_year == 2023 and r.basis == "actual")
        assert (
            rows[section.node.name][2]
            == reported.sum_of("total_cost").shown
            == format_amount(kept, "thousand")
        )
        assert bars(chart)[section.node.name][-1] == rows[section.node.name][2]


# ------------------------------------------------------------------ how it is drawn


def test_the_good_end_is_drawn_first_and_the_adverse_side_hatched_on_every_scale() -> None:
    def levels(codes: str, adverse: str) -> list[ScaleStep]:
        return [ScaleStep(code, code, code in adverse) for code in codes]

    five = rating_fills(levels("12345", "45"), "first")
    # Read the other way round: the best level is the last, drawn first all the same.
    reversed_five = rating_fills(levels("54321", "54"), "last")
    assert five == reversed_five
    assert [five[c].key for c in "12345"] == ["r0", "r1", "r2", "r3", "r4"]
    assert [bool(five[c].hatch) for c in "12345"] == [False, False, False, True, True]
    assert five["4"].hatch != five["5"].hatch
    for codes, adverse in (("123", "3"), ("1234", "34"), ("12345", "45"), ("SABC", "C")):
        fills = rating_fills(levels(codes, adverse), "first")
        assert len({(f.colour, f.hatch) for f in fills.values()}) == len(codes)
        assert fills[codes[0]].colour == five["1"].colour  # the best is the same dark blue everywhere


def test_the_scale_read_is_that_of_the_dimension_charted(world: ChartWorld) -> None:
    """A scale shared by two dimensions: the names read are those of the primary one."""
    shared = Scale.objects.get(pk=world.scale.pk)
    make_dimension(world.plan, world.measure_level, shared, key="second", name="二つ目", primary=False)
    scale = rating_scale(world.plan)
    assert scale is not None
    assert (scale.dimension_id, scale.dimension_key) == (world.dimension.pk, "achievement")
    assert [step.code for step in scale.steps] == ["1", "2", "3", "4", "5"]
    assert (scale.dimension_name, scale.level_name, scale.good_end) == ("達成状況区分", "施策計画", "first")


def test_no_chart_is_styled_inline(client: Client, world: ChartWorld) -> None:
    for path in ("", "nodes/1/", "nodes/1-1/", "nodes/1-1-1/", "units/kyodo/"):
        response = client.get(f"/plans/charts/{path}")
        html = response.content.decode()
        assert '<figure class="chart' in html, path
        assert not re.search(r"\sstyle=", html), path
        assert "unsafe-inline" not in response["Content-Security-Policy"]


# ---------------------------------------------------------------- draft sentinel


def test_a_draft_s_rating_and_cost_are_drawn_nowhere_until_published(client: Client) -> None:
    cycle = make_cycle(year=2013)
    plan = cycle.sample.plan.code
    # A draft for 2013: rated 1 (no measure of the plan is), at a cost no one else has.
    entry = cycle.written(code="1", costs={"general": "9876543", "project_cost": "9876543"})
    addresses = [f"/plans/{plan}/", f"/plans/{plan}/nodes/9/", f"/plans/{plan}/nodes/9-1-1/"]
    addresses.append(f"/plans/{plan}/units/shimin/")

    def charts() -> str:
        drawn = []
        for address in addresses:
            doc = parse(client.get(address).content)
            drawn += [chart.text for chart in doc.find_all("figure", class_="chart")]
        return " ".join(drawn)

    before = charts()
    assert "2013年度" not in before and "9,876,543" not in before
    assert "「1 目標を大きく上回って達成」でした" not in before
    entry = services.entry_transition(entry, "submit", actor=cycle.editor, expected_version=entry.version)
    entry = services.entry_transition(entry, "approve", actor=cycle.reviewer, expected_version=entry.version)
    assert charts() == before
    services.round_publish(cycle.round, actor=cycle.admin)
    after = charts()
    assert "2013年度" in after and "9,876,543" in after
    assert "2013年度の評価は「1 目標を大きく上回って達成」でした。" in after
