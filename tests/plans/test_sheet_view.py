"""The measure sheet's view-model beyond targets and results: the node's and each year's
sections of text, the reason under each rating, the indicators by kind, and the cost
table with its chart (totals, the plan's unit, empty figures, the change from the year
before, the cost per unit of an outcome), read for one node or many in the same queries."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import translation

from shinchoku.plans.models import AmountUnit, Node, NodeSectionText, Plan
from shinchoku.plans.selectors import CostTable, MeasureSheet, measure_sheet, measure_sheets
from shinchoku.progress.models import Cost, Indicator, Rating, ResultSectionText, StaffRate
from tests.factories import (
    World,
    add_cost,
    add_indicator,
    add_result,
    add_sections,
    make_node,
    make_world,
)

pytestmark = pytest.mark.django_db


def plan_in(world: World, unit: str) -> Plan:
    world.plan.amount_unit = unit
    world.plan.save(update_fields=["amount_unit"])
    return world.plan


def measure(world: World, code: str = "m") -> Node:
    area = make_node(world.area_level, code=f"{code}-a", title="プラン")
    programme = make_node(world.programme_level, area, code=f"{code}-p", title="プログラム")
    return make_node(
        world.measure_level, programme, code=code, title="施策", summary="概要の文", baseline="現状の文"
    )


def sheet_of(node: Node) -> MeasureSheet:
    return measure_sheet(Node.objects.select_related("plan", "level").get(pk=node.pk))


def costs_of(node: Node) -> CostTable:
    table = sheet_of(node).costs
    assert table is not None
    return table


def row(table: CostTable, key: str) -> list[str]:
    return [cell.text for cell in next(r for r in table.rows if r.key == key).cells]


def shown(yen: int) -> str:
    return f"{yen:,}"


# ------------------------------------------------------------------------------ costs


def test_a_cost_tables_total_is_a_plus_b_and_a_the_sum_of_its_sources() -> None:
    world = make_world(first_year=2020, last_year=2024)
    plan_in(world, AmountUnit.YEN)
    node = measure(world)
    StaffRate.objects.create(plan=world.plan, fiscal_year=2021, hourly_cost=4123)
    sources = {
        2020: {"national": 1_000_000, "prefectural": 250_000, "general": 3_333_333},
        2021: {"bonds": 7_000_000, "other": 12_345, "general": 999_999},
    }
    add_cost(node, 2020, **sources[2020], project_cost=sum(sources[2020].values()), staff_cost=2_000_000)
    # B not given: priced from the hours at the year's hourly staff cost.
    add_cost(
        node, 2021, **sources[2021], project_cost=sum(sources[2021].values()), staff_hours=Decimal("310.25")
    )
    table = costs_of(node)

    costs = list(Cost.objects.filter(node=node).order_by("fiscal_year"))
    assert costs[1].staff_cost == round(Decimal("310.25") * 4123)
    for index, cost in enumerate(costs):
        parts = sum(v for v in sources[cost.fiscal_year or 0].values())
        assert cost.project_cost == parts
        assert row(table, "project_cost")[index] == shown(parts)
        assert row(table, "staff_cost")[index] == shown(cost.staff_cost or 0)
        assert row(table, "total_cost")[index] == shown(parts + (cost.staff_cost or 0))
        for name in ("national", "prefectural", "bonds", "other", "general"):
            given = sources[cost.fiscal_year or 0].get(name)
            assert row(table, name)[index] == (shown(given) if given is not None else "—")
    assert [r.key for r in table.rows] == [
        "national",
        "prefectural",
        "bonds",
        "other",
        "general",
        "project_cost",
        "staff_count",
        "staff_hours",
        "staff_cost",
        "total_cost",
        "change",
    ]


def test_amounts_show_in_thousand_yen_when_the_plan_prints_them_so() -> None:
    world = make_world(first_year=2020, last_year=2024)
    plan_in(world, AmountUnit.THOUSAND)
    node = measure(world)
    add_cost(
        node, 2020, general=1_234_567, project_cost=1_234_567, staff_cost=499, staff_count=Decimal("1.5")
    )
    with translation.override("ja"):
        table = costs_of(node)
    assert table.unit_label == "千円"
    assert "千円" in table.caption
    assert row(table, "general") == ["1,235"]  # rounded half up
    assert row(table, "staff_cost") == ["0"]
    assert row(table, "total_cost") == ["1,235"]  # 1,235,066 yen
    assert row(table, "staff_count") == ["1.50"]  # two decimals
    assert any("四捨五入" in note for note in table.notes)
    # In yen, the same figures as they are and no note on rounding.
    plan_in(world, AmountUnit.YEN)
    with translation.override("ja"):
        table = costs_of(node)
    assert row(table, "general") == ["1,234,567"] and row(table, "total_cost") == ["1,235,066"]
    assert table.unit_label == "円" and not any("四捨五入" in note for note in table.notes)


def test_an_empty_figure_is_a_dash_read_out_as_not_given_never_a_zero() -> None:
    world = make_world(first_year=2020, last_year=2024)
    node = measure(world)
    add_cost(node, 2020, project_cost=0, general=0)
    with translation.override("en"):
        table = costs_of(node)
    national = next(r for r in table.rows if r.key == "national").cells[0]
    assert (national.text, national.empty_label, national.empty) == ("—", "not given", True)
    general = next(r for r in table.rows if r.key == "general").cells[0]
    assert (general.text, general.empty) == ("0", False)
    assert row(table, "staff_cost") == ["—"] and row(table, "total_cost") == ["0"]


def test_columns_run_by_year_and_basis_with_the_whole_period_last() -> None:
    world = make_world(first_year=2020, last_year=2024)
    node = measure(world)
    add_cost(node, None, Cost.Basis.PLAN, project_cost=9_000_000)
    add_cost(node, 2021, Cost.Basis.BUDGET, project_cost=2_000_000)
    add_cost(node, 2021, Cost.Basis.ACTUAL, project_cost=1_900_000)
    add_cost(node, 2020, Cost.Basis.ACTUAL, project_cost=1_000_000)
    add_cost(node, 2022, Cost.Basis.BUDGET, project_cost=2_500_000)
    with translation.override("ja"):
        table = costs_of(node)
    assert [(c.fiscal_year, c.basis_label) for c in table.columns] == [
        (2020, "決算"),
        (2021, "決算"),
        (2021, "予算"),
        (2022, "予算"),
        (None, "計画"),
    ]
    assert table.columns[-1].heading == "全体計画"
    # The change compares the same basis only, and says why where it cannot.
    change = next(r for r in table.rows if r.key == "change").cells
    assert [c.text for c in change] == ["—", "+900,000", "—", "+500,000", "—"]
    assert "前年度の決算" in change[0].empty_label
    assert "前年度の予算" in change[2].empty_label
    assert "全体計画" in change[4].empty_label
    # The chart has the years, not the whole period, and a planned bar says its basis.
    assert table.chart is not None
    assert [(b.label, b.basis_label, b.planned) for b in table.chart.bars] == [
        ("2020年度", "", False),
        ("2021年度", "", False),
        ("2021年度", "予算", True),
        ("2022年度", "予算", True),
    ]


def test_a_fall_shows_with_a_minus_sign_and_no_change_as_plus_minus_zero() -> None:
    world = make_world(first_year=2020, last_year=2024)
    node = measure(world)
    add_cost(node, 2020, project_cost=3_000_000)
    add_cost(node, 2021, project_cost=2_000_000)
    add_cost(node, 2022, project_cost=2_000_000)
    assert row(costs_of(node), "change") == ["—", "−1,000,000", "±0"]


def test_the_cost_per_unit_of_an_outcome_is_the_total_over_its_actual() -> None:
    world = make_world(first_year=2020, last_year=2024)
    node = measure(world)
    add_cost(node, 2020, project_cost=900_000, staff_cost=100_000)
    add_cost(node, 2021, project_cost=1_000_000)
    add_cost(node, 2022, Cost.Basis.BUDGET, project_cost=1_000_000)
    add_indicator(node, "参加者数", "人", {2020: ("50", "40"), 2021: ("50", "0"), 2022: ("60", "55")})
    add_indicator(node, "開催回数", "回", {2020: ("10", "10")}, kind=Indicator.Kind.ACTIVITY)
    with translation.override("ja"):
        table = costs_of(node)
    per_unit = [r for r in table.rows if r.kind == "per_unit"]
    assert len(per_unit) == 1  # the activity indicator has none
    assert "参加者数" in per_unit[0].heading and "1人当たり" in per_unit[0].heading
    cells = per_unit[0].cells
    assert cells[0].text == "25,000"  # 1,000,000 yen / 40 people
    assert cells[1].text == "—" and cells[1].empty  # an actual of 0
    assert cells[2].text == "—" and "決算" in cells[2].empty_label  # a budget


def test_the_chart_stacks_a_and_b_to_the_total_under_a_round_top() -> None:
    world = make_world(first_year=2020, last_year=2024)
    node = measure(world)
    add_cost(node, 2020, project_cost=3_000_000, staff_cost=1_000_000)
    add_cost(node, 2021, project_cost=6_000_000, staff_cost=1_000_000)
    add_cost(node, 2022, staff_cost=500_000)
    table = costs_of(node)
    chart = table.chart
    assert chart is not None
    assert [tick.text for tick in chart.ticks] == ["0", "4,000,000", "8,000,000"]
    tallest = chart.bars[1]
    assert (tallest.a_fraction, tallest.b_fraction) == (0.75, 0.125)
    assert tallest.a_y + tallest.a_height == chart.plot_bottom  # A stands on the axis
    assert tallest.b_y + tallest.b_height == tallest.a_y  # B on A
    assert tallest.height == tallest.a_height + tallest.b_height
    assert chart.bars[2].a_height == 0 and chart.bars[2].b_fraction == 0.0625
    # Its accessible name says every total, as the table does.
    for total in row(table, "total_cost"):
        assert total in chart.title


def test_a_node_without_costs_has_no_cost_table() -> None:
    world = make_world()
    assert sheet_of(measure(world)).costs is None


def test_the_sheet_is_plain_data_for_the_report() -> None:
    """The report's view-model goes to Typst as JSON: no Decimal or model in a sheet."""
    world = make_world(first_year=2020, last_year=2024)
    node = measure(world)
    add_cost(node, 2020, project_cost=1_000, staff_count=Decimal("0.25"), staff_hours=Decimal("12.5"))
    add_indicator(node, "比率", "", {2020: ("0.5", "0.125")})

    def fields(value: object) -> object:
        assert hasattr(value, "__dataclass_fields__"), type(value)
        return value.__dict__

    data = json.loads(json.dumps(sheet_of(node), default=fields))
    assert data["costs"]["rows"][5]["cells"][0]["text"] == "1,000"
    assert data["costs"]["chart"]["bars"][0]["a_fraction"] == 1.0


# ---------------------------------------------------------- sections, reasons, kinds


def test_a_plan_without_sections_shows_the_default_ones_in_the_readers_language() -> None:
    world = make_world()
    node = measure(world)
    add_result(node, 2011, "結果", context_change="変化")
    with translation.override("ja"):
        sheet = sheet_of(node)
    assert [(s.name, s.builtin, [line.text for line in s.text]) for s in sheet.sections] == [
        ("概要", "summary", ["概要の文"]),
        ("現状", "baseline", ["現状の文"]),
    ]
    year = sheet.results[0]
    assert [s.name for s in year.sections] == [
        "実施結果",
        "環境等の変化・課題等",
        "新たな課題等への対応",
        "主な実施結果",
    ]
    assert [s.name for s in year.written_sections] == ["実施結果", "環境等の変化・課題等"]
    with translation.override("en"):
        sheet = sheet_of(node)
    assert [s.name for s in sheet.sections] == ["Purpose", "Baseline"]


def test_a_plans_own_sections_come_in_its_order_with_their_texts() -> None:
    world = make_world()
    node = measure(world)
    sections = add_sections(world.plan, world.measure_level)
    NodeSectionText.objects.create(node=node, section=sections["target-group"], text="市民活動団体")
    result = add_result(node, 2011, "結果の文")
    ResultSectionText.objects.create(result=result, section=sections["issues"], text="周知の不足")
    sheet = sheet_of(node)
    assert [(s.key, s.name, [line.text for line in s.text]) for s in sheet.sections] == [
        ("purpose", "目的", ["概要の文"]),
        ("target-group", "対象", ["市民活動団体"]),
    ]
    assert [s.key for s in sheet.further_sections] == ["target-group"]
    assert [(s.name, [line.text for line in s.text]) for s in sheet.results[0].sections] == [
        ("実施結果", ["結果の文"]),
        ("課題", ["周知の不足"]),
    ]


def test_each_rating_carries_its_reason() -> None:
    world = make_world()
    node = measure(world)
    result = add_result(node, 2011, "結果", rating="4")
    Rating.objects.filter(result=result).update(reason="・予定の半分にとどまった\n・次年度に繰り越した")
    rating = sheet_of(node).results[0].ratings[0]
    assert rating.code == "4"
    assert [line.text for line in rating.reason] == ["・予定の半分にとどまった", "・次年度に繰り越した"]


def test_indicators_come_grouped_by_kind_in_the_printed_order_with_ratios_trimmed() -> None:
    world = make_world()
    node = measure(world)
    add_indicator(node, "満足度", "", {2011: ("0.8000", "0.8125")})
    add_indicator(node, "対象者数", "人", {2011: ("100", "120")}, kind=Indicator.Kind.TARGET_GROUP)
    add_indicator(node, "講座数", "回", {2011: ("5", "6")}, kind=Indicator.Kind.ACTIVITY)
    with translation.override("ja"):
        sheet = sheet_of(node)
    assert [(g.kind, g.heading, [i.name for i in g.indicators]) for g in sheet.indicator_groups] == [
        ("activity", "活動指標", ["講座数"]),
        ("target_group", "対象指標", ["対象者数"]),
        ("outcome", "成果指標", ["満足度"]),
    ]
    ratio = sheet.indicator_groups[2].indicators[0]
    assert [r.cells for r in ratio.rows[:2]] == [("0.8",), ("0.8125",)]


# ---------------------------------------------------------------------------- queries


def measures_with_everything(world: World, count: int) -> list[Node]:
    sections = add_sections(world.plan, world.measure_level)
    nodes = []
    for n in range(count):
        node = measure(world, f"m{n}")
        NodeSectionText.objects.create(node=node, section=sections["target-group"], text="対象")
        for year in (2011, 2012):
            result = add_result(node, year, "結果")
            Rating.objects.filter(result=result).update(reason="理由")
            ResultSectionText.objects.create(result=result, section=sections["issues"], text="課題")
            add_cost(node, year, national=1_000, project_cost=1_000, staff_hours=Decimal(2))
        add_cost(node, None, Cost.Basis.PLAN, project_cost=5_000)
        add_indicator(node, "指標", "件", {2011: ("10", "9"), 2012: ("10", "11")})
        nodes.append(node)
    return list(Node.objects.filter(pk__in=[n.pk for n in nodes]).select_related("plan", "level"))


@pytest.mark.parametrize("count", [1, 20])
def test_sheets_cost_the_same_queries_for_1_or_20_measures(count: int, django_assert_num_queries) -> None:
    world = make_world()
    StaffRate.objects.create(plan=world.plan, fiscal_year=2011, hourly_cost=3000)
    nodes = measures_with_everything(world, count)
    # Targets, results, ratings, their section texts, markers, units, indicators and
    # values, costs, the node's section texts, the plan's sections, dimensions, ancestors
    # and children.
    with django_assert_num_queries(13):
        sheets = measure_sheets(nodes)
    assert len(sheets) == count
    assert all(s.costs is not None and len(s.costs.columns) == 3 for s in sheets)
    assert all(s.results[0].ratings[0].reason for s in sheets)
    assert all(s.further_sections for s in sheets)
