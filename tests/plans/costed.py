"""A plan whose measures have costs and several judgements, one of them on a verdict
scale printed as a matrix: what the sums and counts of a plan area are tested on.

The figures are made up; the verdict scale has the labels of Kawasaki's published
inspection verdict A–H (目標どおり / 変更 × 拡大 / 縮減 / 現状維持 / 終了), which are facts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shinchoku.plans.content import COST_FIGURES
from shinchoku.plans.models import AmountUnit, Dimension, Node, Scale, ScaleLevel
from shinchoku.progress.models import Cost, Rating, Result, StaffRate
from shinchoku.published import changes as published
from tests.factories import World, make_dimension, make_node, make_world

VERDICT_ROWS = ("目標どおり", "変更")
VERDICT_COLUMNS = ("拡大", "縮減", "現状維持", "終了")
DIRECTIONS = (("1", "現状維持"), ("2", "改革改善"), ("3", "終了・廃止"))
#: The fiscal years the measures have results and actual costs for; the next has a budget.
YEARS = (2021, 2022)


@dataclass
class Costed(World):
    area: Node
    programmes: list[Node]
    measures: list[Node]
    other_area: Node
    other_measures: list[Node]
    direction: Dimension
    verdict: Dimension
    verdict_scale: Scale


def make_verdict_scale(code: str = "verdict-a-h") -> Scale:
    scale = Scale.objects.create(code=code, name="点検結果")
    for position, code in enumerate("ABCDEFGH"):
        row, column = VERDICT_ROWS[position // 4], VERDICT_COLUMNS[position % 4]
        ScaleLevel.objects.create(
            scale=scale,
            code=code,
            label=f"{row}・{column}",
            position=position,
            row_label=row,
            column_label=column,
        )
    return scale


def _ratings(world: Costed, results: list[tuple[int, Result]]) -> list[Rating]:
    levels = {
        (dimension.pk, level.code): level
        for dimension in (world.dimension, world.direction, world.verdict)
        for level in dimension.scale.levels.all()
    }
    ratings = []
    for number, result in results:
        year = result.fiscal_year
        for dimension, code in (
            (world.dimension, str(1 + (number + year) % 5)),
            (world.direction, DIRECTIONS[(number * 7 + year) % 3][0]),
            # F (変更・縮減) is never given: its cell counts 0.
            (world.verdict, "ABCDEGH"[(number * 3 + year) % 7]),
        ):
            ratings.append(
                Rating(result=result, dimension=dimension, level=levels[(dimension.pk, code)], reason="理由")
            )
    return ratings


def _costs(measure: Node, number: int) -> list[Cost]:
    """Made-up figures: national funds on every other measure only, staff hours priced at
    the year's rate, a budget for the next year, the whole period's plan on one in three."""
    costs = [
        Cost(
            node=measure,
            fiscal_year=year,
            national=1_000_500 * number if number % 2 else None,
            general=2_345_499 + 1_001 * number,
            project_cost=3_345_999 + 1_000_500 * number,
            staff_count=Decimal("0.25") * number,
            staff_hours=Decimal("100.5") + number,
        )
        for year in YEARS
    ]
    costs.append(
        Cost(
            node=measure,
            fiscal_year=YEARS[-1] + 1,
            basis=Cost.Basis.BUDGET,
            project_cost=4_000_000 + number,
            staff_cost=500_000,
        )
    )
    if number % 3 == 0:
        costs.append(
            Cost(node=measure, fiscal_year=None, basis=Cost.Basis.PLAN, project_cost=10_000_000 * number)
        )
    return costs


def add_measures(world: Costed, programme: Node, count: int, start: int = 1) -> list[Node]:
    """``count`` measures numbered from ``start`` under ``programme``, with results rated
    on the three judgements and costs, their B priced at the year's rate as a service
    prices it (``Cost.derive``); the rows written in bulk, and said so as a bulk writer says
    it (``published.plan_changed``)."""
    rates = dict(StaffRate.objects.filter(plan=world.plan).values_list("fiscal_year", "hourly_cost"))
    measures = [
        make_node(world.measure_level, programme, code=f"{programme.code}-{number}", position=number)
        for number in range(start, start + count)
    ]
    numbered = list(zip(range(start, start + count), measures, strict=True))
    results = Result.objects.bulk_create(
        [Result(node=m, fiscal_year=year, text=f"実施結果{n}") for n, m in numbered for year in YEARS]
    )
    Rating.objects.bulk_create(
        _ratings(world, [(n, r) for (n, _m) in numbered for r in results if r.node_id == _m.pk])
    )
    costs = [cost for n, m in numbered for cost in _costs(m, n)]
    for cost in costs:
        cost.derive(rates.get(cost.fiscal_year) if cost.fiscal_year else None)
    Cost.objects.bulk_create(costs)
    published.plan_changed(world.plan.pk, nodes=[measure.pk for measure in measures])
    return measures


def make_costed(*, measures: int = 5, amount_unit: str = AmountUnit.THOUSAND) -> Costed:
    """Plan area 1 with two programmes of ``measures`` measures (the second programme one
    more), and plan area 2 with one programme of two measures; every measure with results
    rated on three judgements and costs; a measure without any cost under area 1."""
    world = make_world(first_year=2021, last_year=2023)
    world.plan.amount_unit = amount_unit
    world.plan.save(update_fields=["amount_unit"])
    for year, cost in ((2021, 4_000), (2022, 4_100)):
        StaffRate.objects.create(plan=world.plan, fiscal_year=year, hourly_cost=cost)
    direction_scale = Scale.objects.create(code=f"direction-{world.plan.code}", name="方向性")
    for position, (code, label) in enumerate(DIRECTIONS):
        ScaleLevel.objects.create(scale=direction_scale, code=code, label=label, position=position)
    verdict_scale = make_verdict_scale(f"verdict-{world.plan.code}")
    direction = make_dimension(
        world.plan, world.measure_level, direction_scale, key="direction", primary=False
    )
    verdict = make_dimension(world.plan, world.measure_level, verdict_scale, key="verdict", primary=False)
    area = make_node(world.area_level, code="1", title="安全で暮らしやすいまち")
    other_area = make_node(world.area_level, code="2", title="活力あるまち", position=2)
    programmes = [
        make_node(world.programme_level, area, code=f"1-{n}", title=f"施策の柱{n}", position=n)
        for n in (1, 2)
    ]
    costed = Costed(
        **vars(world),
        area=area,
        programmes=programmes,
        measures=[],
        other_area=other_area,
        other_measures=[],
        direction=direction,
        verdict=verdict,
        verdict_scale=verdict_scale,
    )
    costed.measures = add_measures(costed, programmes[0], measures) + add_measures(
        costed, programmes[1], measures + 1, start=measures + 1
    )
    # A measure without costs: counted among the area's measures, in no row.
    make_node(world.measure_level, programmes[1], code="1-2-none", title="費用のない施策", position=99)
    other_programme = make_node(world.programme_level, other_area, code="2-1", title="施策の柱", position=1)
    costed.other_measures = add_measures(costed, other_programme, 2, start=100)
    return costed


def hand_sums(under: Node, year: int | None, basis: str) -> dict[str, object]:
    """The sums of the costs under ``under`` of ``year`` and ``basis``, added up in Python
    from the stored rows, and how many give each figure."""
    rows = list(Cost.objects.filter(node__path__startswith=under.path, fiscal_year=year, basis=basis))
    sums: dict[str, object] = {"projects": len(rows)}
    for field in (*COST_FIGURES, "total_cost"):
        given = [getattr(row, field) for row in rows if getattr(row, field) is not None]
        sums[field] = sum(given) if given else None
        sums[f"given_{field}"] = len(given)
    return sums
