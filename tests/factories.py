"""Builders of plan data for the tests, using the models directly. Nodes are saved
through ``node_save`` so that their paths are true.

- ``make_world`` builds a plan's frame: its levels, the 達成状況区分 scale as the
  primary dimension of the measures, and two markers.
- ``make_node`` and the ``add_*`` functions hang a tree and its rows on it.
- ``make_staff`` makes a user holding a staff role (administrator, editor of a unit, reviewer).
- ``make_every_table`` (one plan with a tree down to a project, a row in every table —
  sections and their texts, a cost priced at the year's hourly staff cost, a rating's
  reason — and English names for part of its vocabulary) and ``make_sample`` (プラン９ as the report
  prints it) are worlds with their tree already built.

A builder that writes several rows says them as one change of the published data
(``shinchoku.published.changes.batch``): what is derived from them (data versions, kept
counts, search documents) is made once, when it returns, as a publish or an import makes
it, not once a row.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import ParamSpec, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from shinchoku.accounts.models import Role, StaffRole
from shinchoku.plans.models import (
    Dimension,
    Level,
    Marker,
    Node,
    NodeSectionText,
    NodeUnit,
    OrgUnit,
    Plan,
    Scale,
    ScaleLevel,
    Section,
)
from shinchoku.plans.services import node_save
from shinchoku.progress.models import (
    Cost,
    Indicator,
    IndicatorValue,
    Rating,
    Result,
    ResultSectionText,
    StaffRate,
    Target,
)
from shinchoku.published import changes

_numbers = itertools.count(1)

_P = ParamSpec("_P")
_T = TypeVar("_T")


def _one_change(builder: Callable[_P, _T]) -> Callable[_P, _T]:
    """The rows ``builder`` writes answered as one change, when it returns."""

    @functools.wraps(builder)
    def built(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        with changes.batch():
            return builder(*args, **kwargs)

    return built


#: The 達成状況区分 scale: code, label, and whether the level is on the adverse side.
ACHIEVEMENT = [
    ("1", "目標を大きく上回って達成", False),
    ("2", "目標を上回って達成", False),
    ("3", "目標をほぼ達成", False),
    ("4", "目標を下回った", True),
    ("5", "目標を大きく下回った", True),
]

#: Its levels' English labels, in the same order.
ACHIEVEMENT_EN = [
    "Far exceeded the target",
    "Exceeded the target",
    "Mostly achieved the target",
    "Fell short of the target",
    "Fell far short of the target",
]

LEVELS = [
    (Level.Kind.PLAN, "プラン", False),
    (Level.Kind.PROGRAMME, "アクションプログラム", False),
    (Level.Kind.MEASURE, "施策計画", True),
]
PROJECT_LEVEL = (Level.Kind.PROJECT, "事務事業", False)


# ------------------------------------------------------------------ plans and scales


def make_plan(
    *, code: str | None = None, first_year: int = 2011, last_year: int = 2013, onwards: bool = True
) -> Plan:
    number = next(_numbers)
    return Plan.objects.create(
        code=code or f"plan-{number}",
        title=f"第{number}期実行計画",
        period_label=f"第{number}期",
        first_year=first_year,
        last_year=last_year,
        onwards=onwards,
    )


def make_levels(plan: Plan, *, projects: bool = False) -> list[Level]:
    """プラン, アクションプログラム, 施策計画 (rated), and with ``projects`` 事務事業 (not rated)."""
    rows = [*LEVELS, PROJECT_LEVEL] if projects else LEVELS
    return [
        Level.objects.create(plan=plan, depth=depth, key=key, name=name, rated=rated)
        for depth, (key, name, rated) in enumerate(rows)
    ]


def make_scale(
    levels: Iterable[tuple[str, str, bool]] = ACHIEVEMENT,
    *,
    name: str = "達成状況区分",
    code: str | None = None,
) -> Scale:
    """A scale of the ``levels`` (code, label, adverse), positioned from 0 in that order."""
    scale = Scale.objects.create(code=code or f"scale-{next(_numbers)}", name=name)
    for position, (level_code, label, adverse) in enumerate(levels):
        ScaleLevel.objects.create(
            scale=scale, code=level_code, label=label, position=position, adverse=adverse
        )
    return scale


def make_dimension(
    plan: Plan,
    level: Level,
    scale: Scale,
    *,
    key: str | None = None,
    name: str | None = None,
    primary: bool = True,
) -> Dimension:
    """A judgement on the nodes of ``level`` on ``scale``, named as the scale unless ``name``."""
    return Dimension.objects.create(
        plan=plan,
        level=level,
        scale=scale,
        key=key or f"dimension-{next(_numbers)}",
        name=name or scale.name,
        primary=primary,
    )


def make_unit(*, code: str | None = None, name: str = "企画調整課", parent: OrgUnit | None = None) -> OrgUnit:
    """The unit of that code, made if there is none yet: the plans of one test may share units."""
    unit, _ = OrgUnit.objects.get_or_create(
        code=code or f"unit-{next(_numbers)}", defaults={"name": name, "parent": parent}
    )
    return unit


@dataclass
class World:
    """A plan with the levels プラン / アクションプログラム / 施策計画 (rated) and, when made
    with ``projects``, 事務事業; the 達成状況区分 scale as the measures' primary dimension;
    and two markers: ○ (meaning not stated) and 重点 (meaning stated)."""

    plan: Plan
    area_level: Level
    programme_level: Level
    measure_level: Level
    project_level: Level | None
    scale: Scale
    ratings: dict[str, ScaleLevel]
    dimension: Dimension
    circle: Marker
    priority: Marker


@_one_change
def make_world(
    *,
    code: str | None = None,
    first_year: int = 2011,
    last_year: int = 2013,
    onwards: bool = True,
    projects: bool = False,
) -> World:
    plan = make_plan(code=code, first_year=first_year, last_year=last_year, onwards=onwards)
    area_level, programme_level, measure_level, *rest = make_levels(plan, projects=projects)
    scale = make_scale()
    dimension = make_dimension(plan, measure_level, scale, key="achievement")
    circle = Marker.objects.create(plan=plan, symbol="○", name="○", meaning="", position=1)
    priority = Marker.objects.create(
        plan=plan, symbol="重点", name="重点施策", meaning="重点的に取り組む施策", position=2
    )
    return World(
        plan=plan,
        area_level=area_level,
        programme_level=programme_level,
        measure_level=measure_level,
        project_level=rest[0] if rest else None,
        scale=scale,
        ratings={level.code: level for level in scale.levels.all()},
        dimension=dimension,
        circle=circle,
        priority=priority,
    )


# ------------------------------------------------------------------- nodes and rows


def make_node(
    level: Level,
    parent: Node | None = None,
    *,
    code: str | None = None,
    title: str | None = None,
    **fields: object,
) -> Node:
    """A node of ``level``'s plan; without ``code`` and ``title`` it is named by a number."""
    number = next(_numbers)
    node = Node(
        plan=level.plan,
        level=level,
        parent=parent,
        code=code or f"n{number}",
        title=title or f"施策{number}",
        **fields,
    )
    return node_save(node)


def add_target(
    node: Node, start: int, end: int, text: str, *, row: int = 1, position: int = 0, **fields: object
) -> Target:
    target = Target(
        node=node, row=row, position=position, start_year=start, end_year=end, text=text, **fields
    )
    target.full_clean()
    target.save()
    return target


@_one_change
def add_result(
    node: Node,
    year: int,
    text: str = "",
    *,
    rating: str | None = "3",
    dimension: Dimension | None = None,
    **fields: object,
) -> Result:
    """A result rated ``rating`` on ``dimension`` (by default the primary dimension of the
    node's level), or not rated when ``rating`` is None."""
    result = Result.objects.create(node=node, fiscal_year=year, text=text, **fields)
    if rating is not None:
        dimension = dimension or Dimension.objects.get(level=node.level, primary=True)
        Rating.objects.create(
            result=result, dimension=dimension, level=dimension.scale.levels.get(code=rating)
        )
    return result


def add_unit(node: Node, unit: OrgUnit, *, role: str = NodeUnit.Role.RESPONSIBLE) -> NodeUnit:
    return NodeUnit.objects.create(node=node, unit=unit, role=role)


@_one_change
def add_indicator(
    node: Node,
    name: str,
    unit: str,
    values: dict[int, tuple[str, str]],
    *,
    direction: str = Indicator.Direction.HIGHER,
    **fields: object,
) -> Indicator:
    """An indicator with a (target, actual) pair per fiscal year."""
    indicator = Indicator.objects.create(node=node, name=name, unit=unit, direction=direction, **fields)
    for year, (target, actual) in values.items():
        IndicatorValue.objects.create(
            indicator=indicator, fiscal_year=year, target=Decimal(target), actual=Decimal(actual)
        )
    return indicator


def add_cost(node: Node, year: int | None, basis: str = Cost.Basis.ACTUAL, **figures: object) -> Cost:
    """A cost validated as a service validates it: B priced from the hours at the year's
    hourly staff cost when not given, the total computed."""
    cost = Cost(node=node, fiscal_year=year, basis=basis, **figures)
    cost.full_clean()
    cost.save()
    return cost


def add_sections(plan: Plan, level: Level) -> dict[str, Section]:
    """The level's sections as a city might define them: 目的 kept in the node's summary,
    対象 of its own, 実施結果 kept in the result's text, 課題 of its own for each year."""
    rows = [
        ("purpose", "目的", Section.Scope.NODE, Section.Builtin.SUMMARY),
        ("target-group", "対象", Section.Scope.NODE, Section.Builtin.NONE),
        ("result", "実施結果", Section.Scope.YEAR, Section.Builtin.TEXT),
        ("issues", "課題", Section.Scope.YEAR, Section.Builtin.NONE),
    ]
    return {
        key: Section.objects.create(
            plan=plan, level=level, key=key, name=name, scope=scope, builtin=builtin, position=position
        )
        for position, (key, name, scope, builtin) in enumerate(rows)
    }


@_one_change
def make_programme(
    world: World, code: str, *, measures: int, years: range, parent: Node | None = None
) -> Node:
    """A programme (under a new plan area unless given) with ``measures`` measures, each with
    a target per year, a result with highlight and rating per year, the ○ marker and a unit."""
    area = parent or make_node(world.area_level, code=f"{code}-area", title="プラン")
    programme = make_node(world.programme_level, area, code=code, title=f"プログラム{code}")
    for n in range(1, measures + 1):
        measure = make_node(
            world.measure_level, programme, code=f"{code}-{n}", title=f"施策{n}", position=n, summary="概要"
        )
        measure.markers.add(world.circle)
        add_unit(measure, make_unit(code=f"unit-{code}-{n}", name=f"課{n}"))
        for year in years:
            add_target(measure, year, year, f"目標{year}")
            add_result(measure, year, f"・結果{year}", rating=str(1 + n % 5), highlight=f"・要約{n}-{year}")
    return programme


# ---------------------------------------------------------------- worlds with a tree


@dataclass
class EveryTable(World):
    """A world with a tree down to a project, and something in every table."""

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
    sections: dict[str, Section]
    node_text: NodeSectionText
    result_text: ResultSectionText
    staff_rate: StaffRate
    cost: Cost


def name_in_english(world: World) -> None:
    """English names for the measure level, the scale and its levels, the dimension and
    the 重点 marker; the other levels and ○ keep their Japanese names only."""
    world.measure_level.name_en = "Measure"
    world.measure_level.save(update_fields=["name_en"])
    world.scale.name_en = "Achievement status"
    world.scale.save(update_fields=["name_en"])
    for level, english in zip(world.scale.levels.order_by("position"), ACHIEVEMENT_EN, strict=True):
        level.label_en = english
        level.save(update_fields=["label_en"])
        world.ratings[level.code].label_en = english
    world.dimension.name_en = "Achievement status"
    world.dimension.save(update_fields=["name_en"])
    world.priority.name_en = "Priority measure"
    world.priority.save(update_fields=["name_en"])


@_one_change
def make_every_table() -> EveryTable:
    world = make_world(projects=True)
    name_in_english(world)
    unit = make_unit(parent=make_unit(name="総務企画局"))
    area = make_node(world.area_level, title="市民自治と区役所機能の拡充")
    programme = make_node(world.programme_level, area, title="協働のまちづくりの推進")
    measure = make_node(world.measure_level, programme, title="協働型事業の推進")
    measure.markers.add(world.circle)
    add_unit(measure, unit)
    project = make_node(world.project_level, measure, title="協働型事業のルールの運用")
    target = add_target(measure, 2011, 2011, "ルールの運用")
    result = add_result(measure, 2011, "協働型事業のルールを運用しました。")
    indicator = add_indicator(measure, "協働型事業の件数", "件", {2011: ("100", "80")})
    Rating.objects.filter(result=result).update(reason="庁内調査を予定どおり実施した")
    sections = add_sections(world.plan, world.measure_level)
    node_text = NodeSectionText.objects.create(
        node=measure, section=sections["target-group"], text="市民活動団体"
    )
    result_text = ResultSectionText.objects.create(
        result=result, section=sections["issues"], text="周知の不足"
    )
    staff_rate = StaffRate.objects.create(plan=world.plan, fiscal_year=2011, hourly_cost=4000)
    cost = add_cost(
        measure,
        2011,
        national=1_000_000,
        general=2_500_000,
        project_cost=3_500_000,
        staff_count=Decimal("1.5"),
        staff_hours=Decimal("120.5"),
    )
    return EveryTable(
        **vars(world),
        unit=unit,
        area=area,
        programme=programme,
        measure=measure,
        project=project,
        target=target,
        result=result,
        rating=result.ratings.get(),
        indicator=indicator,
        value=indicator.values.get(),
        sections=sections,
        node_text=node_text,
        result_text=result_text,
        staff_rate=staff_rate,
        cost=cost,
    )


@dataclass
class Sample(World):
    """プラン９ with two programmes and three measures, the first measure fully described."""

    area: Node
    programme: Node
    measure: Node
    other_measure: Node
    programme2: Node
    measure3: Node


@_one_change
def make_sample() -> Sample:
    world = make_world(code="plan9")
    area = make_node(world.area_level, code="9", title="市民自治と区役所機能の拡充", label="プラン９")
    programme = make_node(world.programme_level, area, code="9-1", title="協働のまちづくりの推進", position=1)
    measure = make_node(
        world.measure_level,
        programme,
        code="9-1-1",
        title="協働型事業の推進",
        position=1,
        summary="協働の意義、手法等を基本的な内容とする「協働型事業のルール」に基づき協働型事業の拡充を進めます。",
        baseline="●ルールに基づく協働型事業の拡充\n●ルールの広報や説明会の開催",
    )
    measure.markers.add(world.circle)
    add_unit(measure, make_unit(code="shimin", name="市民・こども局市民協働推進課"))
    add_unit(measure, make_unit(code="ku", name="区役所改革担当"), role=NodeUnit.Role.RELATED)
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
        measure,
        2011,
        "・庁内調査を平成23年4月に実施しました。\n・説明会を5月及び1月に開催しました。",
        rating="3",
        highlight="・2011年度の要約です。",
    )
    add_result(
        measure,
        2012,
        "・事業一覧を9月に公表しました。",
        rating="4",
        context_change="・相談件数が増加しています。",
        response="・相談窓口を拡充します。",
        highlight="・事業一覧を作成・公表しました。",
    )
    add_indicator(
        measure,
        "協働型事業の件数",
        "件",
        {2011: ("10", "12"), 2012: ("20", "15")},
        baseline_value=Decimal(8),
        baseline_year=2010,
    )

    other = make_node(world.measure_level, programme, code="9-1-2", title="市民活動の支援", position=2)
    other.markers.add(world.priority)
    add_result(
        other, 2012, "・講座を実施しました。", rating="3", highlight="・市民活動基礎講座を実施しました。"
    )

    programme2 = make_node(world.programme_level, area, code="9-3", title="区役所機能の強化", position=3)
    measure3 = make_node(world.measure_level, programme2, code="9-3-1", title="区民会議の運営")
    add_result(
        measure3,
        2012,
        "・区民会議を開催しました。",
        rating="3",
        highlight="・第4期区民会議を立ち上げました。",
    )
    return Sample(
        **vars(world),
        area=area,
        programme=programme,
        measure=measure,
        other_measure=other,
        programme2=programme2,
        measure3=measure3,
    )


# --------------------------------------------------------------------- staff


def make_staff(
    role: str, *, unit: OrgUnit | None = None, username: str | None = None, email: str | None = None
) -> User:
    """An active user holding ``role`` (for an editor, on ``unit``), with an e-mail address."""
    name = username or f"{role}-{next(_numbers)}"
    user = get_user_model().objects.create_user(
        username=name, email=email if email is not None else f"{name}@example.org", password=None
    )
    StaffRole.objects.create(user=user, role=role, unit=unit if role == Role.EDITOR else None)
    return user
