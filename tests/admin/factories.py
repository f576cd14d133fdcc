"""Small builders of plan data for the admin tests. Nodes are saved through
``node_save`` so that their paths are true."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeUnit,
    OrgUnit,
    Plan,
    Scale,
    ScaleLevel,
)
from shinchoku.plans.services import node_save
from shinchoku.progress.models import Indicator, IndicatorValue, Rating, Result, Target

_numbers = itertools.count(1)

ACHIEVEMENT_LEVELS = [
    ("1", "目標を大きく上回って達成"),
    ("2", "目標を上回って達成"),
    ("3", "目標をほぼ達成"),
    ("4", "目標を下回った"),
    ("5", "目標を大きく下回った"),
]


def make_plan(*, first_year: int = 2011, last_year: int = 2013, onwards: bool = True) -> Plan:
    number = next(_numbers)
    return Plan.objects.create(
        code=f"plan-{number}",
        title=f"第{number}期実行計画",
        first_year=first_year,
        last_year=last_year,
        onwards=onwards,
    )


def make_levels(plan: Plan) -> list[Level]:
    """プラン, アクションプログラム, 施策計画 (rated), 事務事業."""
    rows = [
        (Level.Kind.PLAN, "プラン", False),
        (Level.Kind.PROGRAMME, "アクションプログラム", False),
        (Level.Kind.MEASURE, "施策計画", True),
        (Level.Kind.PROJECT, "事務事業", False),
    ]
    return [
        Level.objects.create(plan=plan, depth=depth, key=key, name=name, rated=rated)
        for depth, (key, name, rated) in enumerate(rows)
    ]


def make_scale(levels: list[tuple[str, str]] = ACHIEVEMENT_LEVELS, *, name: str = "達成状況区分") -> Scale:
    scale = Scale.objects.create(code=f"scale-{next(_numbers)}", name=name)
    for position, (code, label) in enumerate(levels, start=1):
        ScaleLevel.objects.create(scale=scale, code=code, label=label, position=position)
    return scale


def make_dimension(plan: Plan, level: Level, scale: Scale, *, primary: bool = True) -> Dimension:
    number = next(_numbers)
    return Dimension.objects.create(
        plan=plan, level=level, scale=scale, key=f"dimension-{number}", name=scale.name, primary=primary
    )


def make_node(plan: Plan, level: Level, parent: Node | None = None, *, title: str = "") -> Node:
    number = next(_numbers)
    node = Node(plan=plan, level=level, parent=parent, code=f"n{number}", title=title or f"施策{number}")
    return node_save(node)


def make_unit(*, name: str = "企画調整課", parent: OrgUnit | None = None) -> OrgUnit:
    return OrgUnit.objects.create(code=f"unit-{next(_numbers)}", name=name, parent=parent)


@dataclass
class World:
    """One plan with a tree down to a project, and something in every table."""

    plan: Plan
    levels: list[Level]
    marker: Marker
    scale: Scale
    dimension: Dimension
    unit: OrgUnit
    area: Node
    programme: Node
    measure: Node
    project: Node
    target: Target
    result: Result
    rating: Rating
    indicator: Indicator
    value: IndicatorValue


def make_world() -> World:
    plan = make_plan()
    levels = make_levels(plan)
    marker = Marker.objects.create(plan=plan, symbol="○", name="マーカー")
    scale = make_scale()
    dimension = make_dimension(plan, levels[2], scale)
    unit = make_unit(parent=make_unit(name="総務企画局"))
    area = make_node(plan, levels[0], title="市民自治と区役所機能の拡充")
    programme = make_node(plan, levels[1], area, title="協働のまちづくりの推進")
    measure = make_node(plan, levels[2], programme, title="協働型事業の推進")
    measure.markers.add(marker)
    NodeUnit.objects.create(node=measure, unit=unit)
    project = make_node(plan, levels[3], measure, title="協働型事業のルールの運用")
    target = Target.objects.create(node=measure, start_year=2011, end_year=2011, text="ルールの運用")
    result = Result.objects.create(node=measure, fiscal_year=2011, text="協働型事業のルールを運用しました。")
    rating = Rating.objects.create(result=result, dimension=dimension, level=scale.levels.get(code="3"))
    indicator = Indicator.objects.create(
        node=measure, name="協働型事業の件数", unit="件", direction=Indicator.Direction.HIGHER
    )
    value = IndicatorValue.objects.create(
        indicator=indicator, fiscal_year=2011, target=Decimal(100), actual=Decimal(80)
    )
    return World(
        plan=plan,
        levels=levels,
        marker=marker,
        scale=scale,
        dimension=dimension,
        unit=unit,
        area=area,
        programme=programme,
        measure=measure,
        project=project,
        target=target,
        result=result,
        rating=rating,
        indicator=indicator,
        value=value,
    )
