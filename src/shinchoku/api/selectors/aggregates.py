"""The counts and totals of a plan, or of one plan area or programme, as kept at write
time (``shinchoku.published``): the same rows the plan and node pages and the annual
report read, so that the API, the pages, the report and the open data give the same
numbers (tests/api/test_totals.py). Nothing is counted over the ratings or costs here.

They are kept for the whole plan and for the nodes of the levels that are not rated; a
measure's own rows are read from its results and costs.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from shinchoku.api.schemas.structure import LevelCount
from shinchoku.api.schemas.summaries import (
    AmountSum,
    CostTotalRow,
    CostTotals,
    CostTotalTable,
    LevelRatingCount,
    MarkerCount,
    RatingCounts,
    RatingCountTable,
    StaffSum,
    YearCount,
    YearRatingCounts,
    YearSummary,
)
from shinchoku.plans.models import Dimension, Level, Node, Plan, ScaleLevel
from shinchoku.plans.selectors.aggregates import SUMMED_FIELDS
from shinchoku.plans.selectors.common import ordered_markers
from shinchoku.progress.models import STAFF_FIELDS, Cost
from shinchoku.published.models import CostTotal, NodeCount, RatingCount, ResultYear
from shinchoku.reports.selectors import report_years
from shinchoku.text import decimal_text

from .common import NotFound, plan_get

#: The order of the bases within a year, as the pages print them.
BASIS_ORDER = {basis: n for n, basis in enumerate(Cost.Basis.values)}


def _scope(plan: Plan, node_code: str | None) -> Node | None:
    """The plan area or programme ``node_code`` of ``plan`` (None: the whole plan). One
    query; raises NotFound for a node of a rated level, whose counts are not kept."""
    if node_code is None:
        return None
    node = Node.objects.filter(plan=plan, code=node_code, level__rated=False).select_related("level").first()
    if node is None:
        raise NotFound(
            f"計画 {plan.code} にプランまたはプログラム {node_code} はありません"
            f" / The plan {plan.code} has no plan area or programme {node_code}."
        )
    return node


def rating_counts(plan_code: str, *, node_code: str | None = None, year: int | None = None) -> RatingCounts:
    """How many ratings of each level of its scale each dimension has per fiscal year of
    the plan period (of ``year`` only, when given), with how many of those of the primary
    dimension rate a node bearing each marker; a year without published results is
    marked so. Raises NotFound. Seven queries."""
    plan = plan_get(plan_code)
    node = _scope(plan, node_code)
    dimensions = list(
        Dimension.objects.filter(plan=plan)
        .select_related("level", "scale")
        .order_by("level__depth", "-primary", "position", "key")
    )
    scale_levels: defaultdict[int, list[ScaleLevel]] = defaultdict(list)
    for scale_level in ScaleLevel.objects.filter(scale_id__in={d.scale_id for d in dimensions}).order_by(
        "position"
    ):
        scale_levels[scale_level.scale_id].append(scale_level)
    markers = list(ordered_markers().filter(plan=plan))
    # The years of the plan with published results: a year without is "not yet published"
    # in the scope of any node too, as the pages say.
    published = set(ResultYear.objects.filter(plan=plan, node=None).values_list("fiscal_year", flat=True))
    years = [y for y in plan.fiscal_years if year is None or y == year]
    counts: dict[tuple[int, int, int], int] = {}
    marked: dict[tuple[int, int, int, int], int] = {}
    kept = RatingCount.objects.filter(plan=plan, node=node)
    if year is not None:
        kept = kept.filter(fiscal_year=year)
    for dimension_id, fiscal_year, level_id, marker_id, n in kept.values_list(
        "dimension_id", "fiscal_year", "level_id", "marker_id", "count"
    ):
        if marker_id is None:
            counts[(dimension_id, fiscal_year, level_id)] = n
        else:
            marked[(dimension_id, fiscal_year, level_id, marker_id)] = n

    def year_counts(dimension: Dimension, fiscal_year: int) -> YearRatingCounts:
        shown = fiscal_year in published
        levels = [
            LevelRatingCount(
                code=level.code,
                label=level.label,
                count=counts.get((dimension.pk, fiscal_year, level.pk), 0) if shown else 0,
                markers=[
                    MarkerCount(
                        symbol=marker.symbol,
                        count=marked.get((dimension.pk, fiscal_year, level.pk, marker.pk), 0) if shown else 0,
                    )
                    for marker in (markers if dimension.primary else [])
                ],
            )
            for level in scale_levels[dimension.scale_id]
        ]
        return YearRatingCounts(
            fiscal_year=fiscal_year,
            published=shown,
            levels=levels,
            total=sum(level.count for level in levels),
        )

    return RatingCounts(
        plan=plan.code,
        node=node.code if node else None,
        tables=[
            RatingCountTable(
                level=dimension.level.key,
                dimension=dimension.key,
                dimension_name=dimension.name,
                primary=dimension.primary,
                scale=dimension.scale.code,
                years=[year_counts(dimension, fiscal_year) for fiscal_year in years],
            )
            for dimension in dimensions
        ],
    )


def cost_totals(plan_code: str, *, node_code: str | None = None) -> CostTotals:
    """The sums of the costs of each rated level, per fiscal year (the whole period's plan
    apart) and basis, each figure with how many projects give it, and how many nodes of
    the level stand in the scope. Raises NotFound. Five queries."""
    plan = plan_get(plan_code)
    node = _scope(plan, node_code)
    levels = {level.pk: level for level in Level.objects.filter(plan=plan, rated=True)}
    nodes = dict(
        NodeCount.objects.filter(plan=plan, node=node, level_id__in=list(levels)).values_list(
            "level_id", "count"
        )
    )
    rows: defaultdict[int, list[CostTotalRow]] = defaultdict(list)
    for total in CostTotal.objects.filter(plan=plan, node=node):
        rows[total.level_id].append(_cost_row(total))
    return CostTotals(
        plan=plan.code,
        node=node.code if node else None,
        tables=[
            CostTotalTable(
                level=level.key,
                nodes=nodes.get(level.pk, 0),
                rows=sorted(
                    rows[level.pk], key=lambda row: (row.fiscal_year or 0, BASIS_ORDER.get(row.basis, 9))
                ),
            )
            for level in sorted(levels.values(), key=lambda level: level.depth)
            if rows.get(level.pk)
        ],
    )


def _cost_row(total: CostTotal) -> CostTotalRow:
    figures: dict[str, Any] = {}
    for field in SUMMED_FIELDS:
        given: int = getattr(total, f"given_{field}")
        value: int | None = getattr(total, f"sum_{field}") if given else None
        if field in STAFF_FIELDS:
            # Kept in hundredths, summed exactly.
            staff = None if value is None else decimal_text(Decimal(value) / 100)
            figures[field] = StaffSum(sum=staff, given=given)
        else:
            figures[field] = AmountSum(sum=value, given=given)
    return CostTotalRow(fiscal_year=total.fiscal_year, basis=total.basis, projects=total.projects, **figures)


def year_summary(plan_code: str, *, node_code: str | None = None) -> YearSummary:
    """The fiscal years a report can be made for (``reports.selectors.report_years``), the
    published results per year and the nodes per level, of the plan or of a plan area or
    programme. Raises NotFound. Five queries."""
    plan = plan_get(plan_code)
    node = _scope(plan, node_code)
    return YearSummary(
        plan=plan.code,
        node=node.code if node else None,
        report_years=list(report_years(plan, under=node)),
        results=[
            YearCount(fiscal_year=fiscal_year, results=n)
            for fiscal_year, n in ResultYear.objects.filter(plan=plan, node=node)
            .order_by("fiscal_year")
            .values_list("fiscal_year", "count")
        ],
        nodes=[
            LevelCount(level=key, count=n)
            for key, n in NodeCount.objects.filter(plan=plan, node=node)
            .order_by("level__depth")
            .values_list("level__key", "count")
        ],
    )
