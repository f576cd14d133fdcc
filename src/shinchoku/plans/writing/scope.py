"""A content that speaks for some years only (``PlanContent.years``), made the whole truth
of its parts before it is compared and written: the stored results, indicator values,
costs and hourly staff costs of the years it does not speak for are added to it as they
are stored, so that the one diff and the one writer, which remove what a content no longer
holds, keep them (and show them unchanged).

What is added is read from the database as the diff reads it and given back as the
content's own items: a result of another year with its texts, ratings (with reasons) and
section texts; an indicator value's side (target or actual) of a year the content does not
speak for; an indicator the content no longer holds, with its values of the other years
only; a cost of another year or basis, with its stored figures (its 人件費 as stored,
never priced again). Only the nodes the content holds keep anything: a node it drops goes
with all its years, as with every format. A rating of a dimension, or a text of a section,
that the content no longer defines is not kept (they go with it).

The content given is never changed: the nodes that gain something are copies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from django.db.models import Q, QuerySet

from shinchoku.plans.content import (
    COST_FIGURES,
    COSTS,
    INDICATORS,
    RESULTS,
    CostContent,
    IndicatorContent,
    IndicatorValueContent,
    NodeContent,
    PlanContent,
    RatingContent,
    StaffRateContent,
    YearResultContent,
    YearScope,
)
from shinchoku.plans.models import Plan
from shinchoku.plans.sections import own_texts
from shinchoku.plans.writing.pairing import pair_indicators
from shinchoku.progress.models import Cost, Indicator, IndicatorValue, Result, StaffRate

_RESULT_TEXTS = ("text", "context_change", "response", "highlight", "note")


def whole_content(content: PlanContent) -> PlanContent:
    """``content`` with what is stored of the years it does not speak for (see the module
    docstring), its ``years`` None; the content itself when it is the whole truth already
    or its plan is not stored yet."""
    scope = content.years
    if scope is None:
        return content
    plan = Plan.objects.filter(code=content.code).first()
    if plan is None:
        return replace(content, years=None)
    return _Keeper(content, scope, plan).content()


class _Keeper:
    def __init__(self, content: PlanContent, scope: YearScope, plan: Plan) -> None:
        self.given = content
        self.scope = scope
        self.plan = plan
        self.dimensions = {(d["level"], d["key"]) for d in content.dimensions}
        self.scale_of = {(d["level"], d["key"]): d["scale"] for d in content.dimensions}
        self.scale_levels = {
            scale["code"]: {lv["code"] for lv in scale["levels"]} for scale in content.scales
        }
        self.sections = {(section["level"], section["key"]) for section in content.sections}

    def content(self) -> PlanContent:
        given, scope = self.given, self.scope
        results = self.stored(
            RESULTS,
            Result.objects.exclude(fiscal_year__in=scope.results).prefetch_related(
                "ratings__dimension", "ratings__level", "section_texts__section"
            ),
        )
        indicators = self.stored(
            INDICATORS,
            # Every indicator of a node with a value to keep: they are paired as the writer pairs them.
            Indicator.objects.filter(node__in=self.nodes_with_values_kept()).prefetch_related("values"),
        )
        costs = self.stored(COSTS, Cost.objects.exclude(self.costs_spoken_for()))
        nodes = [self.node(node, results, indicators, costs) for node in given.nodes]
        staff_rates = list(given.staff_rates)
        if given.carries(COSTS):
            given_years = {rate["fiscal_year"] for rate in staff_rates} | scope.cost_years
            staff_rates.extend(
                StaffRateContent(fiscal_year=rate.fiscal_year, hourly_cost=rate.hourly_cost, source=None)
                for rate in StaffRate.objects.filter(plan=self.plan)
                .exclude(fiscal_year__in=given_years)
                .order_by("fiscal_year")
            )
        return replace(given, nodes=nodes, staff_rates=staff_rates, years=None)

    def stored(self, part: str, rows: QuerySet[Any]) -> dict[str, list[Any]]:
        """The plan's stored ``rows`` of ``part``, by their node's code (none when not carried)."""
        if not self.given.carries(part):
            return {}
        found: dict[str, list[Any]] = defaultdict(list)
        for row in rows.filter(node__plan=self.plan).select_related("node"):
            found[row.node.code].append(row)
        return found

    def costs_spoken_for(self) -> Q:
        """The costs of the years and bases the content speaks for."""
        spoken = Q(pk__in=[])
        for year, basis in self.scope.costs:
            spoken |= Q(fiscal_year=year, basis=basis)  # a year None: the whole period's
        return spoken

    def nodes_with_values_kept(self) -> QuerySet[Any]:
        """The ids of the nodes with an indicator value of a year (and side) the content does
        not speak for."""
        kept = Q(target__isnull=False) & ~Q(fiscal_year__in=self.scope.targets)
        kept |= Q(actual__isnull=False) & ~Q(fiscal_year__in=self.scope.actuals)
        return (
            IndicatorValue.objects.filter(kept, indicator__node__plan=self.plan)
            .values("indicator__node_id")
            .distinct()
        )

    def node(
        self,
        node: NodeContent,
        results: dict[str, list[Result]],
        indicators: dict[str, list[Indicator]],
        costs: dict[str, list[Cost]],
    ) -> NodeContent:
        children = [self.node(child, results, indicators, costs) for child in node.children]
        kept_results = self.results(node, results.get(node.code, []))
        kept_indicators = self.indicators(node, indicators.get(node.code, []))
        kept_costs = self.costs(node, costs.get(node.code, []))
        return replace(
            node,
            children=children,
            results=[*node.results, *kept_results],
            indicators=kept_indicators if kept_indicators is not None else node.indicators,
            costs=[*node.costs, *kept_costs],
        )

    def results(self, node: NodeContent, stored: list[Result]) -> list[YearResultContent]:
        """The node's stored results of the years the content does not speak for (``stored``
        holds no other) and does not give."""
        given = {result.fiscal_year for result in node.results}
        kept = []
        for result in sorted(stored, key=lambda row: row.fiscal_year):
            if result.fiscal_year in given:
                continue
            ratings = [
                RatingContent(rating.dimension.key, rating.level.code, reason=rating.reason)
                for rating in result.ratings.all()
                if self.rating_kept(node.level, rating.dimension.key, rating.level.code)
            ]
            sections = {
                key: text for key, text in own_texts(result).items() if (node.level, key) in self.sections
            }
            kept.append(
                YearResultContent(
                    fiscal_year=result.fiscal_year,
                    ratings=ratings,
                    sections=sections,
                    **{name: getattr(result, name) for name in _RESULT_TEXTS},
                )
            )
        return kept

    def rating_kept(self, level: str, dimension: str, code: str) -> bool:
        """Whether the content still defines the rating's dimension and its level."""
        if (level, dimension) not in self.dimensions:
            return False
        codes = self.scale_levels.get(self.scale_of[(level, dimension)])
        return codes is None or code in codes

    def indicators(self, node: NodeContent, stored: list[Indicator]) -> list[IndicatorContent] | None:
        """The node's indicators with the stored values of the years (and sides) the content
        does not speak for; None when nothing is added."""
        if not stored:
            return None
        pairs, left = pair_indicators(stored, node.indicators)
        indicators = [
            self.values_kept(wanted, indicator) if indicator is not None else wanted
            for indicator, wanted in pairs
        ]
        for indicator in sorted(left, key=lambda row: row.position):
            gone = IndicatorContent(
                name=indicator.name,
                direction=indicator.direction,
                kind=indicator.kind,
                unit=indicator.unit,
                baseline_value=indicator.baseline_value,
                baseline_year=indicator.baseline_year,
                position=indicator.position,
            )
            kept = self.values_kept(gone, indicator)
            if kept.values:
                indicators.append(kept)
        return indicators

    def values_kept(self, wanted: IndicatorContent, indicator: Indicator) -> IndicatorContent:
        """``wanted`` with the stored values' sides of the years the content does not speak for."""
        by_year = {value.fiscal_year: value for value in wanted.values}
        values = list(wanted.values)
        changed = False
        for stored in indicator.values.all():
            target = stored.target if stored.fiscal_year not in self.scope.targets else None
            actual = stored.actual if stored.fiscal_year not in self.scope.actuals else None
            if target is None and actual is None:
                continue
            value = by_year.get(stored.fiscal_year)
            if value is None:
                values.append(IndicatorValueContent(stored.fiscal_year, target=target, actual=actual))
                changed = True
                continue
            filled = replace(
                value,
                target=value.target if value.target is not None else target,
                actual=value.actual if value.actual is not None else actual,
            )
            if filled != value:
                values[values.index(value)] = filled
                changed = True
        if not changed:
            return wanted
        return replace(wanted, values=sorted(values, key=lambda value: value.fiscal_year))

    def costs(self, node: NodeContent, stored: list[Cost]) -> list[CostContent]:
        """The node's stored costs of the years and bases the content does not speak for
        (``stored`` holds no other) and does not give, with their figures as stored."""
        given = {(cost.fiscal_year, cost.basis) for cost in node.costs}
        return [
            CostContent(
                fiscal_year=cost.fiscal_year,
                basis=cost.basis,
                **{name: getattr(cost, name) for name in COST_FIGURES},
            )
            for cost in stored
            if (cost.fiscal_year, cost.basis) not in given
        ]
