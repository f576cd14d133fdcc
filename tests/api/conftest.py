"""A plan for the API's tests: the codes its OpenAPI document gives as examples
(``kawasaki-frontier-3``, ``9-1-1``), two plan areas, ratings with reasons, a marker and
units, a revised target, an indicator, and costs of two measures in two years."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache

from shinchoku.plans.models import Node
from shinchoku.progress.models import Cost, Rating
from shinchoku.published import changes
from tests.factories import (
    World,
    add_cost,
    add_indicator,
    add_result,
    add_target,
    add_unit,
    make_node,
    make_unit,
    make_world,
)

PLAN = "kawasaki-frontier-3"


@dataclass
class ApiPlan:
    world: World
    area: Node
    programme: Node
    measure: Node
    other: Node
    second_area: Node
    second_measure: Node


def make_api_plan() -> ApiPlan:
    with changes.batch():
        world = make_world(code=PLAN)
        area = make_node(world.area_level, code="9", title="市民自治と区役所機能の拡充", label="プラン９")
        programme = make_node(world.programme_level, area, code="9-1", title="協働のまちづくりの推進")
        measure = make_node(
            world.measure_level,
            programme,
            code="9-1-1",
            title="協働型事業の推進",
            summary="協働の拡充",
            position=1,
        )
        other = make_node(world.measure_level, programme, code="9-1-2", title="市民活動の支援", position=2)
        second_area = make_node(world.area_level, code="8", title="環境", label="プラン８", position=2)
        second_programme = make_node(world.programme_level, second_area, code="8-1", title="温暖化対策")
        second_measure = make_node(world.measure_level, second_programme, code="8-1-1", title="省エネの推進")
        measure.markers.add(world.priority)
        add_unit(measure, make_unit(code="shimin", name="市民協働推進課"))
        add_target(measure, 2011, 2011, "●ガイドラインの作成")
        add_target(
            measure,
            2012,
            2013,
            "●モデル事業の実施",
            revised_text="●モデル事業の検証",
            revision_reason="補助制度の見直し",
        )
        for node, ratings in ((measure, "34"), (other, "23"), (second_measure, "15")):
            for year, code in zip((2011, 2012), ratings, strict=True):
                add_result(node, year, f"・{node.code}の{year}年度の結果", rating=code, highlight="・要約")
        Rating.objects.filter(result__node=measure, result__fiscal_year=2012).update(
            reason="利用が伸びなかった"
        )
        add_indicator(measure, "協働型事業の件数", "件", {2011: ("10", "12"), 2012: ("20", "15")})
        for node, scale in ((measure, 1), (second_measure, 3)):
            add_cost(node, 2011, national=100_000 * scale, general=50_000, project_cost=150_000 * scale)
            add_cost(
                node,
                2012,
                general=70_000 * scale,
                project_cost=70_000 * scale,
                staff_count=Decimal("1.25"),
                staff_hours=Decimal("10.5"),
                staff_cost=40_000,
            )
            add_cost(node, None, Cost.Basis.PLAN, project_cost=900_000 * scale)
    return ApiPlan(world, area, programme, measure, other, second_area, second_measure)


@pytest.fixture
def api_plan(db: None) -> ApiPlan:
    return make_api_plan()


@pytest.fixture
def fresh_counts(one_rate_window: None) -> Iterator[None]:
    """The rate limit's counts start from nothing (they are kept in the cache), every
    request of the test counted in one window."""
    cache.clear()
    yield
    cache.clear()
