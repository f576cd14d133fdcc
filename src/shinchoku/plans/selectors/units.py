"""A unit's page: the measures of one plan an organisation unit (課) is responsible for
(所管), in printed order, each with its latest rating, and how they were rated in each
fiscal year.

A unit is responsible for a few measures of a plan, a few hundred at the most, never a
share of the plan that grows with it: its measures are read as light rows, and its
ratings counted in one query over its own measures (through the index of the units'
roles), not kept at write time as the counts of a plan area are. The page is kept by
the plan's data version like every public page, so the count runs once a version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count

from shinchoku.plans.models import Dimension, Level, Node, NodeUnit, OrgUnit, Plan, ScaleLevel
from shinchoku.plans.names import shown_name
from shinchoku.progress.models import Rating

from .common import (
    NodeRef,
    PlanHeader,
    RatingView,
    node_ref,
    plan_header,
    rating_view,
    year_columns,
    year_label,
)
from .figures import RatingScale, rating_scale
from .outline import PageInfo
from .summary import RatingSummary, published_years, summary_table

#: Measures listed per page of a unit.
UNIT_MEASURES_PER_PAGE = 100


@dataclass(frozen=True)
class UnitMeasure:
    node: NodeRef
    #: The plan area or programme it stands under.
    parent: NodeRef | None
    #: "2012年度（平成24年度）" of its latest rated result; empty when it has none.
    year_label: str
    rating: RatingView | None


@dataclass(frozen=True)
class UnitOverview:
    plan: PlanHeader
    code: str
    name: str
    #: The unit above it (a bureau, 局), or "".
    parent_name: str
    #: The rated level counted: 施策計画.
    measure_level_name: str
    measure_count: int
    measures: tuple[UnitMeasure, ...]
    page: PageInfo
    #: The ratings of its measures on the level's primary dimension, per fiscal year;
    #: None when the level has no dimension.
    summary: RatingSummary | None
    #: That dimension's scale, as a chart draws it.
    scale: RatingScale | None


class NoSuchUnit(Exception):
    """No such plan, no such unit, or a unit responsible for none of the plan's measures."""


def _printed_order(rows: Sequence[Any]) -> list[Any]:
    """Light rows of nodes (with ``path``, ``position``, ``code``) in the plan's printed
    order: by the position and code of each ancestor, then their own. One query for the
    ancestors of them all."""
    ancestor_ids = {int(part) for row in rows for part in row.path.strip("/").split("/")[:-1] if part}
    places = {
        pk: (position, code)
        for pk, position, code in Node.objects.filter(pk__in=ancestor_ids).values_list(
            "pk", "position", "code"
        )
    }

    def key(row: Any) -> list[tuple[int, str]]:
        ids = [int(part) for part in row.path.strip("/").split("/")[:-1] if part]
        return [places.get(pk, (0, "")) for pk in ids] + [(row.position, row.code)]

    return sorted(rows, key=key)


def unit_overview(plan_code: str, unit_code: str, *, page: int | str | None = None) -> UnitOverview:
    """The page of the unit ``unit_code`` in the plan ``plan_code``: the measures (the
    nodes of the plan's top rated level) it is responsible for, a page of them at a time
    with their parents and latest ratings, and the count of their ratings per fiscal year
    and level of the primary dimension's scale. Raises NoSuchUnit. Eleven queries, ten
    without a dimension; however many measures the plan and the unit have."""
    plan = Plan.objects.filter(code=plan_code).first()
    unit = OrgUnit.objects.select_related("parent").filter(code=unit_code).first()
    level = Level.objects.filter(plan=plan, rated=True).order_by("depth").first() if plan else None
    if plan is None or unit is None or level is None:
        raise NoSuchUnit(unit_code)
    responsible = Node.objects.filter(
        level=level, unit_roles__unit=unit, unit_roles__role=NodeUnit.Role.RESPONSIBLE
    ).distinct()
    rows = list(responsible.values_list("pk", "parent_id", "path", "position", "code", named=True).order_by())
    if not rows:
        raise NoSuchUnit(unit_code)
    paginator = Paginator(_printed_order(rows), UNIT_MEASURES_PER_PAGE)
    page_obj = paginator.get_page(page)
    shown = [row.pk for row in page_obj.object_list]
    wanted = shown + [row.parent_id for row in page_obj.object_list if row.parent_id]
    nodes = Node.objects.select_related("level").in_bulk(wanted)
    dimension = (
        Dimension.objects.filter(level=level)
        .select_related("level")
        .order_by("-primary", "position", "key")
        .first()
    )
    latest: dict[int, Rating] = {}
    summary = None
    if dimension is not None:
        ratings = Rating.objects.filter(dimension=dimension, result__node_id__in=shown).select_related(
            "level", "result"
        )
        for rating in sorted(ratings, key=lambda r: r.result.fiscal_year):
            latest[rating.result.node_id] = rating
        summary = _unit_summary(plan, dimension, responsible)
    return UnitOverview(
        plan=plan_header(plan),
        code=unit.code,
        name=unit.name,
        parent_name=unit.parent.name if unit.parent else "",
        measure_level_name=shown_name(level),
        measure_count=len(rows),
        measures=tuple(
            UnitMeasure(
                node=node_ref(nodes[row.pk]),
                parent=node_ref(nodes[row.parent_id]) if row.parent_id in nodes else None,
                year_label=year_label(latest[row.pk].result.fiscal_year) if row.pk in latest else "",
                rating=rating_view(dimension, latest[row.pk]) if dimension and row.pk in latest else None,
            )
            for row in page_obj.object_list
        ),
        page=PageInfo.of(page_obj),
        summary=summary,
        scale=rating_scale(plan, level=level) if dimension is not None else None,
    )


def _unit_summary(plan: Plan, dimension: Dimension, measures: Any) -> RatingSummary:
    """The rating table of the unit's measures on ``dimension``: three queries (the
    scale's levels, the plan's published years, the count)."""
    levels = list(ScaleLevel.objects.filter(scale_id=dimension.scale_id).order_by("position"))
    published = published_years(plan)
    counted = (
        Rating.objects.filter(dimension=dimension, result__node__in=measures.values("pk"))
        .values_list("result__fiscal_year", "level__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(year, code): n for year, code, n in counted}
    return summary_table(
        dimension,
        levels,
        [],
        year_columns(plan, onwards=False),
        lambda year, code: counts.get((year, code), 0),
        lambda _year, _code, _symbol: 0,
        published=published,
    )
