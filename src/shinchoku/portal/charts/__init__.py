"""The charts of the public pages, drawn on the server as SVG.

Each chart is a view-model (``drawing.Chart``): the shapes of its drawing worked out in
Python (``drawing``), painted as one module says (``palette``: the good end of every
rating scale drawn the same way), a legend, a one- or two-sentence summary made from its
figures, and the table of those figures. ``templates/portal/charts/_chart.html`` draws
every one of them; nothing is computed in a template and nothing runs in the browser.

The figures come from the tables the pages read (rating tables and cost sums kept at
write time, ``shinchoku.published``; a measure's own results, indicators), never counted
again: what a chart shows is what its table says. The functions here put together the
charts of each page type, in a fixed number of queries whatever the size of the plan:

- ``plan_charts``: the whole plan's ratings by fiscal year, the ratings of each plan
  area in the latest year, the costs by fiscal year and funding, the full cost of each
  plan area;
- ``node_charts``: the same for a plan area (by programme) or a programme;
- ``measure_charts``: a measure's rating over the years, each indicator's target and
  actual;
- ``unit_chart``: the ratings of a unit's measures by fiscal year.

How a screen reader meets a chart: the figure is named by its title and the summary
follows it as text; the drawing is an image (``role="img"``) whose name says what kind
of chart it is and which table holds its figures, so that its labels are not read one
by one; the table (the chart's own, or the page's table it draws, right after it) is a
real table with its caption and headers. axe and the Nu checker accept both this and a
hidden drawing; an image named so is kept because a reader who cannot see it still
learns that there is a chart, and can speak of it with one who can.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from shinchoku.plans import selectors
from shinchoku.plans.models import Node, Plan
from shinchoku.plans.selectors import CostSummary, MeasureSheet, NodeOverview, PlanOutline, RatingSummary
from shinchoku.plans.selectors.figures import RatingScale, part_figures, rating_scale
from shinchoku.plans.selectors.units import UnitOverview

from .costs import costs_by_part, costs_by_year
from .drawing import Chart
from .indicators import indicator_chart
from .ratings import measure_ratings, ratings_by_part, ratings_by_year

__all__ = [
    "Chart",
    "MeasureCharts",
    "ScopeCharts",
    "measure_charts",
    "node_charts",
    "plan_charts",
    "unit_chart",
]


@dataclass(frozen=True)
class ScopeCharts:
    """The charts of a plan, plan area or programme page."""

    ratings_by_year: Chart | None = None
    ratings_by_part: Chart | None = None
    costs_by_year: Chart | None = None
    costs_by_part: Chart | None = None
    #: The cost tables the costs are drawn from, for the plan page (the page of a plan
    #: area or programme has them in its overview).
    cost_tables: tuple[CostSummary, ...] = ()


def _latest_rated(summary: RatingSummary) -> int | None:
    """The latest fiscal year of ``summary`` with a published rating."""
    years = [
        c.year
        for c, total in zip(summary.years, summary.total.cells, strict=True)
        if total.published and total.count
    ]
    return years[-1] if years else None


def _scope_charts(
    plan: Plan,
    under: Node | None,
    summaries: tuple[RatingSummary, ...],
    costs: tuple[CostSummary, ...],
    scale: RatingScale | None,
) -> ScopeCharts:
    summary = summaries[0] if summaries else None
    year = _latest_rated(summary) if summary else None
    parts = part_figures(plan, under, scale=scale, year=year)
    part_heading = parts[0].node.level_name if parts else ""
    by_year = ratings_by_year(summary, scale, key="chart-ratings-years") if summary and scale else None
    by_part = (
        ratings_by_part(parts, scale, year, key="chart-ratings-parts", part_heading=part_heading)
        if scale and year is not None and parts
        else None
    )
    cost = costs[0] if costs else None
    return ScopeCharts(
        ratings_by_year=by_year,
        ratings_by_part=by_part,
        costs_by_year=costs_by_year(cost, plan.amount_unit, key="chart-costs-years") if cost else None,
        costs_by_part=(
            costs_by_part(parts, cost, plan.amount_unit, key="chart-costs-parts", part_heading=part_heading)
            if cost and parts
            else None
        ),
    )


def plan_charts(outline: PlanOutline) -> ScopeCharts:
    """The charts of the plan page (its outline from ``selectors.plan_outline``), with
    the plan's cost tables. Ten queries; six without costs."""
    plan = Plan.objects.get(code=outline.plan.code)
    costs = selectors.cost_summaries(plan)
    charts = _scope_charts(plan, None, outline.summaries, costs, rating_scale(plan))
    return dataclasses.replace(charts, cost_tables=costs)


def node_charts(node: Node, overview: NodeOverview) -> ScopeCharts:
    """The charts of the page of a plan area or programme (``node``, its overview from
    ``selectors.node_overview``). Six queries, four without costs; two without plan areas or
    programmes below."""
    return _scope_charts(
        node.plan, node, overview.summary_tables, overview.cost_tables, rating_scale(node.plan)
    )


@dataclass(frozen=True)
class MeasureCharts:
    ratings: Chart | None
    #: One per indicator, in the order of ``sheet.indicator_groups``: a tuple per group.
    indicators: tuple[tuple[Chart | None, ...], ...]


def measure_charts(node: Node, sheet: MeasureSheet) -> MeasureCharts:
    """The charts of a measure page (its sheet from ``selectors.measure_sheet``). One query."""
    scale = rating_scale(node.plan, level=node.level)
    return MeasureCharts(
        ratings=measure_ratings(sheet, scale, key="chart-measure-ratings") if scale else None,
        indicators=tuple(
            tuple(
                indicator_chart(indicator, key=f"chart-indicator-{g}-{n}")
                for n, indicator in enumerate(group.indicators, start=1)
            )
            for g, group in enumerate(sheet.indicator_groups, start=1)
        ),
    )


def unit_chart(unit: UnitOverview) -> Chart | None:
    """The chart of a unit's page (``selectors.units.unit_overview``): its measures'
    ratings by fiscal year. No query."""
    if unit.summary is None or unit.scale is None:
        return None
    return ratings_by_year(unit.summary, unit.scale, key="chart-unit-ratings")
