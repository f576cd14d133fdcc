"""A node's progress: its results per fiscal year with their ratings and reasons, its
targets as planned and revised, its indicators with their values, its costs; and the
ratings of a whole plan, page by page (keyset by id, as ``nodes``).

What is read here is published: results, ratings and revised targets are written when a
round is published (``review.services.round_publish``); what an editor writes in the
meantime stays in the round's entries, which nothing here reads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from shinchoku.api.schemas.progress import (
    CostItem,
    CostList,
    IndicatorItem,
    IndicatorList,
    IndicatorValueItem,
    RatingInfo,
    RatingItem,
    RatingPage,
    ResultItem,
    ResultList,
    TargetItem,
    TargetList,
    YearSection,
)
from shinchoku.plans.models import Dimension, Plan, Section
from shinchoku.plans.sections import plan_sections, section_texts
from shinchoku.progress.models import (
    Cost,
    Indicator,
    IndicatorValue,
    Rating,
    Result,
    ResultSectionText,
    Target,
    achievement_rate,
)
from shinchoku.text import decimal_text

from .common import node_get, node_id, plan_get
from .nodes import MAX_PAGE_SIZE, PAGE_SIZE


def _rating_info(rating: Rating, dimension: Dimension) -> RatingInfo:
    return RatingInfo(
        dimension=dimension.key,
        dimension_name=dimension.name,
        primary=dimension.primary,
        scale=dimension.scale.code,
        code=rating.level.code,
        label=rating.level.label,
        label_en=rating.level.label_en,
        adverse=rating.level.adverse,
        reason=rating.reason,
    )


def _dimensions(plan: Plan) -> dict[int, Dimension]:
    """The plan's dimensions with their scales, by id, in the order they are listed. One query."""
    found = (
        Dimension.objects.filter(plan=plan).select_related("scale").order_by("-primary", "position", "key")
    )
    return {dimension.pk: dimension for dimension in found}


def node_results(plan_code: str, node_code: str, *, year: int | None = None) -> ResultList:
    """The node's published results, oldest first (of ``year`` only, when given), each
    with its texts, the texts of its level's own sections of each year and its ratings.
    Raises NotFound. Six queries at most, whatever the number of years."""
    node = node_get(plan_code, node_code)
    results = Result.objects.filter(node=node).order_by("fiscal_year")
    if year is not None:
        results = results.filter(fiscal_year=year)
    found = list(results)
    items: list[ResultItem] = []
    if found:
        dimensions = _dimensions(node.plan)
        order = list(dimensions)
        ratings: defaultdict[int, list[Rating]] = defaultdict(list)
        for rating in Rating.objects.filter(result__in=found).select_related("level").order_by():
            ratings[rating.result_id].append(rating)
        sections = [
            s for s in plan_sections(node.plan, [node.level])[node.level_id] if s.scope == Section.Scope.YEAR
        ]
        texts: defaultdict[int, dict[int, str]] = defaultdict(dict)
        if any(not section.builtin for section in sections):
            for result_id, section_id, text in ResultSectionText.objects.filter(result__in=found).values_list(
                "result_id", "section_id", "text"
            ):
                texts[result_id][section_id] = text
        for result in found:
            items.append(
                ResultItem(
                    fiscal_year=result.fiscal_year,
                    text=result.text,
                    context_change=result.context_change,
                    response=result.response,
                    highlight=result.highlight,
                    sections=[
                        YearSection(key=section.key, name=section.name, text=text)
                        for section, text in section_texts(result, sections, texts[result.pk])
                        if not section.builtin
                    ],
                    ratings=[
                        _rating_info(rating, dimensions[rating.dimension_id])
                        for rating in sorted(ratings[result.pk], key=lambda r: order.index(r.dimension_id))
                    ],
                )
            )
    return ResultList(node_id=node_id(plan_code, node.code), items=items)


def node_targets(plan_code: str, node_code: str, *, year: int | None = None) -> TargetList:
    """The node's targets by row, year and order (those set for ``year`` only, when given:
    ``Target.covering_q``). Raises NotFound. Two queries."""
    node = node_get(plan_code, node_code)
    targets = Target.objects.filter(node=node)
    if year is not None:
        targets = targets.covering(year)
    return TargetList(
        node_id=node_id(plan_code, node.code),
        items=[
            TargetItem(
                row=target.row,
                position=target.position,
                start_year=target.start_year,
                end_year=target.end_year,
                open_end=target.open_end,
                fiscal_year=target.fiscal_year,
                text=target.text,
                revised=bool(target.revised_text),
                revised_text=target.revised_text,
                revision_reason=target.revision_reason,
            )
            for target in targets.order_by("row", "start_year", "position", "pk")
        ],
    )


def node_indicators(plan_code: str, node_code: str) -> IndicatorList:
    """The node's indicators in order, each with its values per fiscal year and their
    achievement rates (``progress.models.achievement_rate``). Raises NotFound. Three queries."""
    node = node_get(plan_code, node_code)
    indicators = list(Indicator.objects.filter(node=node).order_by("position", "pk"))
    values: defaultdict[int, list[IndicatorValue]] = defaultdict(list)
    if indicators:
        for value in IndicatorValue.objects.filter(indicator__in=indicators).order_by("fiscal_year"):
            values[value.indicator_id].append(value)
    return IndicatorList(
        node_id=node_id(plan_code, node.code),
        items=[
            IndicatorItem(
                name=indicator.name,
                kind=indicator.kind,
                unit=indicator.unit,
                direction=indicator.direction,
                baseline_value=decimal_text(indicator.baseline_value),
                baseline_year=indicator.baseline_year,
                values=[
                    IndicatorValueItem(
                        fiscal_year=value.fiscal_year,
                        target=decimal_text(value.target),
                        actual=decimal_text(value.actual),
                        achievement_rate=decimal_text(
                            achievement_rate(indicator.direction, value.target, value.actual)
                        ),
                    )
                    for value in values[indicator.pk]
                ],
            )
            for indicator in indicators
        ],
    )


def node_costs(plan_code: str, node_code: str) -> CostList:
    """The node's own costs: the whole period's plan first, then by year and basis.
    Raises NotFound. Two queries."""
    node = node_get(plan_code, node_code)
    return CostList(
        node_id=node_id(plan_code, node.code),
        items=[
            CostItem(
                fiscal_year=cost.fiscal_year,
                basis=cost.basis,
                national=cost.national,
                prefectural=cost.prefectural,
                bonds=cost.bonds,
                other=cost.other,
                general=cost.general,
                project_cost=cost.project_cost,
                staff_count=decimal_text(cost.staff_count),
                staff_hours=decimal_text(cost.staff_hours),
                staff_cost=cost.staff_cost,
                total_cost=cost.total_cost,
            )
            for cost in Cost.objects.filter(node=node)
        ],
    )


@dataclass(frozen=True)
class RatingFilter:
    """What a list of a plan's ratings is narrowed to; each empty or None filters nothing."""

    year: int | None = None
    dimension: str = ""
    code: str = ""
    level: str = ""


def rating_page(
    plan_code: str, filters: RatingFilter, *, after: int = 0, limit: int = PAGE_SIZE
) -> RatingPage:
    """The first ``limit`` ratings of the plan's published results that pass ``filters``
    whose id is above ``after``, by id, each with its reason. Raises NotFound. Three
    queries, whatever the size of the plan."""
    plan = plan_get(plan_code)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    dimensions = _dimensions(plan)
    ratings = Rating.objects.filter(dimension__plan=plan, pk__gt=after)
    if filters.year is not None:
        ratings = ratings.filter(result__fiscal_year=filters.year)
    if filters.dimension:
        ratings = ratings.filter(dimension__key=filters.dimension)
    if filters.code:
        ratings = ratings.filter(level__code=filters.code)
    if filters.level:
        ratings = ratings.filter(dimension__level__key=filters.level)
    rows = list(ratings.select_related("level", "result", "result__node").order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return RatingPage(
        items=[
            RatingItem(
                node_id=node_id(plan.code, rating.result.node.code),
                node_code=rating.result.node.code,
                fiscal_year=rating.result.fiscal_year,
                rating=_rating_info(rating, dimensions[rating.dimension_id]),
            )
            for rating in rows
        ],
        limit=limit,
        next_cursor=str(rows[-1].pk) if more else None,
    )
