"""A plan to draw charts of (tests/portal/test_charts*.py): 2021–2024, two plan areas of
two programmes each, eight measures rated in 2021–2023 on the five levels of 達成状況区分,
the costs of each measure in 2022 and 2023 (actual) and 2024 (budget) with their funding,
an outcome indicator, and a section responsible for three of the measures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shinchoku.plans.models import AmountUnit, Node, OrgUnit
from shinchoku.progress.models import Cost
from shinchoku.published import changes
from tests.factories import (
    World,
    add_indicator,
    add_result,
    add_unit,
    make_node,
    make_unit,
    make_world,
    name_in_english,
)

#: The rating of each measure (by its code) in 2021, 2022 and 2023; None: not rated.
RATINGS = {
    "1-1-1": ("3", "2", "1"),
    "1-1-2": ("3", "3", "2"),
    "1-2-1": ("4", "3", "3"),
    "1-2-2": ("5", "4", "3"),
    "2-1-1": ("3", "3", "4"),
    "2-1-2": ("2", "4", "4"),
    "2-2-1": ("3", None, "5"),
    "2-2-2": ("1", "1", "2"),
}
YEARS = (2021, 2022, 2023)


@dataclass
class ChartWorld(World):
    areas: dict[str, Node]
    measures: dict[str, Node]
    unit: OrgUnit


def make_chart_world(*, english: bool = True) -> ChartWorld:
    """Its rows answered as one change of the published data, as an import makes them."""
    with changes.batch():
        return _built(english=english)


def _built(*, english: bool) -> ChartWorld:
    world = make_world(code="charts", first_year=2021, last_year=2024)
    if english:
        name_in_english(world)
    world.plan.amount_unit = AmountUnit.THOUSAND
    world.plan.save(update_fields=["amount_unit"])
    unit = make_unit(code="kyodo", name="協働推進課")
    areas = {
        "1": make_node(world.area_level, code="1", title="市民自治の推進", label="プラン１", position=1),
        "2": make_node(world.area_level, code="2", title="暮らしの安全", label="プラン２", position=2),
    }
    measures = {}
    for code, ratings in RATINGS.items():
        area_code, programme_number, number = code.split("-")
        programme_code = f"{area_code}-{programme_number}"
        programme = Node.objects.filter(plan=world.plan, code=programme_code).first() or make_node(
            world.programme_level,
            areas[area_code],
            code=programme_code,
            title=f"プログラム{programme_code}",
            position=int(programme_number),
        )
        measure = make_node(
            world.measure_level, programme, code=code, title=f"施策{code}", position=int(number)
        )
        measures[code] = measure
        for year, rating in zip(YEARS, ratings, strict=True):
            add_result(measure, year, f"・{year}年度の結果", rating=rating)
        scale = int(area_code) * 4 + int(programme_number) * 2 + int(number) - 5
        for year in (2022, 2023):
            Cost.objects.create(
                node=measure,
                fiscal_year=year,
                national=100_000 * scale,
                general=1_000_000 * scale + (year - 2022) * 250_000,
                project_cost=1_100_000 * scale + (year - 2022) * 250_000,
                staff_cost=400_000 * scale,
            )
        Cost.objects.create(
            node=measure,
            fiscal_year=2024,
            basis=Cost.Basis.BUDGET,
            general=1_500_000 * scale,
            project_cost=1_500_000 * scale,
        )
    for code in ("1-1-1", "1-2-1", "2-1-2"):
        add_unit(measures[code], unit)
    add_indicator(
        measures["1-1-1"],
        "講座の参加者数",
        "人",
        {2021: ("100", "96"), 2022: ("110", "123"), 2023: ("120", "131")},
        baseline_value=Decimal(90),
        baseline_year=2020,
    )
    return ChartWorld(**vars(world), areas=areas, measures=measures, unit=unit)
