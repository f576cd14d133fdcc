"""Builders of plan data for the portal tests, using the models directly. Nodes go
through ``node_save`` so that their paths are true."""

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

ACHIEVEMENT = [
    ("1", "目標を大きく上回って達成", False),
    ("2", "目標を上回って達成", False),
    ("3", "目標をほぼ達成", False),
    ("4", "目標を下回った", True),
    ("5", "目標を大きく下回った", True),
]


@dataclass
class World:
    """A plan with the levels プラン / アクションプログラム / 施策計画 (rated), the
    達成状況区分 scale as its primary dimension, and two markers: ○ (meaning not
    stated) and 重点 (meaning stated)."""

    plan: Plan
    area_level: Level
    programme_level: Level
    measure_level: Level
    dimension: Dimension
    ratings: dict[str, ScaleLevel]
    circle: Marker
    priority: Marker


def make_world(*, code: str | None = None, first_year: int = 2011, last_year: int = 2013) -> World:
    number = next(_numbers)
    plan = Plan.objects.create(
        code=code or f"plan-{number}",
        title=f"第{number}期実行計画",
        period_label=f"第{number}期",
        first_year=first_year,
        last_year=last_year,
        onwards=True,
    )
    area, programme, measure = (
        Level.objects.create(plan=plan, depth=depth, key=key, name=name, rated=rated)
        for depth, (key, name, rated) in enumerate(
            [
                (Level.Kind.PLAN, "プラン", False),
                (Level.Kind.PROGRAMME, "アクションプログラム", False),
                (Level.Kind.MEASURE, "施策計画", True),
            ]
        )
    )
    scale = Scale.objects.create(code=f"achievement-{number}", name="達成状況区分")
    ratings = {
        code: ScaleLevel.objects.create(
            scale=scale, code=code, label=label, position=position, adverse=adverse
        )
        for position, (code, label, adverse) in enumerate(ACHIEVEMENT)
    }
    dimension = Dimension.objects.create(
        plan=plan, level=measure, key="achievement", name="達成状況区分", scale=scale, primary=True
    )
    circle = Marker.objects.create(plan=plan, symbol="○", name="○", meaning="", position=1)
    priority = Marker.objects.create(
        plan=plan, symbol="重点", name="重点施策", meaning="重点的に取り組む施策", position=2
    )
    return World(plan, area, programme, measure, dimension, ratings, circle, priority)


def make_node(
    world: World, level: Level, code: str, title: str, parent: Node | None = None, **fields: object
) -> Node:
    return node_save(Node(plan=world.plan, level=level, parent=parent, code=code, title=title, **fields))


def add_target(
    node: Node, start: int, end: int, text: str, *, row: int = 1, position: int = 0, **fields: object
) -> Target:
    target = Target(
        node=node, row=row, position=position, start_year=start, end_year=end, text=text, **fields
    )
    target.full_clean()
    target.save()
    return target


def add_result(
    world: World, node: Node, year: int, text: str = "", *, rating: str | None = "3", **fields: object
) -> Result:
    result = Result.objects.create(node=node, fiscal_year=year, text=text, **fields)
    if rating is not None:
        Rating.objects.create(result=result, dimension=world.dimension, level=world.ratings[rating])
    return result


def add_unit(node: Node, code: str, name: str, role: str = NodeUnit.Role.RESPONSIBLE) -> NodeUnit:
    unit, _ = OrgUnit.objects.get_or_create(code=code, defaults={"name": name})
    return NodeUnit.objects.create(node=node, unit=unit, role=role)


def add_indicator(node: Node, name: str, unit: str, values: dict[int, tuple[str, str]]) -> Indicator:
    indicator = Indicator.objects.create(
        node=node,
        name=name,
        unit=unit,
        direction=Indicator.Direction.HIGHER,
        baseline_value=Decimal(8),
        baseline_year=2010,
    )
    for year, (target, actual) in values.items():
        IndicatorValue.objects.create(
            indicator=indicator, fiscal_year=year, target=Decimal(target), actual=Decimal(actual)
        )
    return indicator


def make_programme(
    world: World, code: str, *, measures: int, years: range, parent: Node | None = None
) -> Node:
    """A programme (under a new plan area unless given) with ``measures`` measures, each with
    a target per year, a result with highlight and rating per year, the ○ marker and a unit."""
    area = parent or make_node(world, world.area_level, f"{code}-area", "プラン")
    programme = make_node(world, world.programme_level, code, f"プログラム{code}", area)
    for n in range(1, measures + 1):
        measure = make_node(
            world, world.measure_level, f"{code}-{n}", f"施策{n}", programme, position=n, summary="概要"
        )
        measure.markers.add(world.circle)
        add_unit(measure, f"unit-{code}-{n}", f"課{n}")
        for year in years:
            add_target(measure, year, year, f"目標{year}")
            add_result(
                world, measure, year, f"・結果{year}", rating=str(1 + n % 5), highlight=f"・要約{n}-{year}"
            )
    return programme


@dataclass
class Sample:
    world: World
    area: Node
    programme: Node
    measure: Node
    other_measure: Node
    programme2: Node
    measure3: Node


def make_sample() -> Sample:
    """プラン９ with two programmes and three measures, the first measure fully described."""
    world = make_world(code="plan9")
    area = make_node(world, world.area_level, "9", "市民自治と区役所機能の拡充", label="プラン９")
    programme = make_node(world, world.programme_level, "9-1", "協働のまちづくりの推進", area, position=1)
    measure = make_node(
        world,
        world.measure_level,
        "9-1-1",
        "協働型事業の推進",
        programme,
        position=1,
        summary="協働の意義、手法等を基本的な内容とする「協働型事業のルール」に基づき協働型事業の拡充を進めます。",
        baseline="●ルールに基づく協働型事業の拡充\n●ルールの広報や説明会の開催",
    )
    measure.markers.add(world.circle)
    add_unit(measure, "shimin", "市民・こども局市民協働推進課")
    add_unit(measure, "ku", "区役所改革担当", NodeUnit.Role.RELATED)
    add_target(measure, 2011, 2011, "●ガイドラインの作成", position=1)
    add_target(measure, 2011, 2011, "●説明会の開催", position=2)
    add_target(measure, 2012, 2013, "●ルールに基づく拡充")
    add_target(measure, 2014, 2014, "事業推進", open_end=True)
    add_target(
        measure,
        2012,
        2012,
        "●モデル事業の実施",
        row=2,
        revised_text="●モデル事業の検証",
        revision_reason="補助制度を見直したため",
    )
    add_result(
        world,
        measure,
        2011,
        "・庁内調査を平成23年4月に実施しました。\n・説明会を5月及び1月に開催しました。",
        rating="3",
        highlight="・2011年度の要約です。",
    )
    add_result(
        world,
        measure,
        2012,
        "・事業一覧を9月に公表しました。",
        rating="4",
        context_change="・相談件数が増加しています。",
        response="・相談窓口を拡充します。",
        highlight="・事業一覧を作成・公表しました。",
    )
    add_indicator(measure, "協働型事業の件数", "件", {2011: ("10", "12"), 2012: ("20", "15")})

    other = make_node(world, world.measure_level, "9-1-2", "市民活動の支援", programme, position=2)
    other.markers.add(world.priority)
    add_result(
        world,
        other,
        2012,
        "・講座を実施しました。",
        rating="3",
        highlight="・市民活動基礎講座を実施しました。",
    )

    programme2 = make_node(world, world.programme_level, "9-3", "区役所機能の強化", area, position=3)
    measure3 = make_node(world, world.measure_level, "9-3-1", "区民会議の運営", programme2)
    add_result(
        world,
        measure3,
        2012,
        "・区民会議を開催しました。",
        rating="3",
        highlight="・第4期区民会議を立ち上げました。",
    )
    return Sample(world, area, programme, measure, other, programme2, measure3)
